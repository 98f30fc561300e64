"""Every error path of the core modules: the right exception, the meaningful part of the message, and
the one voice "where: expected, got X. Hint: …".

Modules: _validate (through the public API), parameter, layer, dense, activation_layers, activations,
dropout, residual, model, losses, gradcheck, neuron.
"""

import re

import numpy as np
import pytest

import nnlab as nl
from nnlab.gradcheck import check_layer, check_model, numeric_grad, rel_error
from nnlab.neuron import Neuron, absorb_bias, with_bias_input


def dense(n_in=3, n_out=2, **kw):
    return nl.Dense(n_in, n_out, rng=np.random.default_rng(1), **kw)


def after_forward(layer, x):
    layer.forward(x)
    return layer


F32 = np.float32
GEN = np.random.default_rng

CASES = [
    # ---- layer input (Layer.forward via _validate.as_batch) -------------------------------------
    ("1-D input gets the batch-of-one hint", lambda: dense().forward(np.ones(3)), ValueError,
     r"^Dense\(n_in=3, n_out=2\)\.forward: a_prev must be 2-D with shape \(N, 3\), got shape \(3,\)\. "
     r"Hint: a single example is a batch of one: a_prev\[None, :\]\.$"),
    ("3-D input gets the flatten hint", lambda: dense().forward(np.ones((2, 3, 1))), ValueError,
     r"got shape \(2, 3, 1\)\. Hint: flatten each example first"),
    ("wrong width", lambda: dense().forward(np.ones((5, 4))), ValueError,
     r"a_prev must be 2-D with shape \(N, 3\), got shape \(5, 4\)\. Hint: .*n_in must equal"),
    ("empty batch", lambda: dense().forward(np.ones((0, 3))), ValueError,
     r"a_prev must hold at least one example, got shape \(0, 3\)"),
    ("NaN input", lambda: dense().forward(np.array([[1.0, np.nan, 2.0]])), ValueError,
     r"a_prev must contain only finite numbers, got nan at index \(0, 1\)"),
    ("inf input", lambda: nl.ReLU().forward(np.array([[1.0], [-np.inf]])), ValueError,
     r"^ReLU\(\)\.forward: a_prev must contain only finite numbers, got -inf at index \(1, 0\)"),
    ("string input", lambda: dense().forward([["a", "b", "c"]]), TypeError,
     r"a_prev must be a numeric array, got dtype <U1"),
    ("complex input", lambda: nl.Tanh().forward(np.ones((1, 3)) * 1j), TypeError,
     r"a_prev must be real, got dtype complex128"),
    ("ragged list", lambda: dense().forward([[1, 2], [3]]), TypeError,
     r"a_prev must be a numeric array, got a list of length 2"),
    ("Sequential 1-D input", lambda: nl.Sequential(dense()).forward(np.ones(3)), ValueError,
     r"^Sequential\.forward: a_prev must be 2-D with shape \(N, 3\), got shape \(3,\)\. Hint: a single example"),
    ("Sequential wrong width", lambda: nl.Sequential(nl.Tanh(), dense()).forward(np.ones((2, 2))), ValueError,
     r"^Sequential\.forward: a_prev must be 2-D with shape \(N, 3\), got shape \(2, 2\)"),
    # ---- layer backward ----------------------------------------------------------------------
    ("backward before forward", lambda: dense().backward(np.ones((1, 2))), RuntimeError,
     r"^Dense\(n_in=3, n_out=2\)\.backward: forward must run first, got backward before any forward\. Hint:"),
    ("Sequential backward before forward", lambda: nl.Sequential(dense()).backward(np.ones((1, 2))),
     RuntimeError, r"\.backward: forward must run first"),
    ("Dropout backward before forward", lambda: nl.Dropout(0.5, rng=GEN(0)).backward(np.ones((1, 2))),
     RuntimeError, r"^Dropout\(p_drop=0\.5\)\.backward: forward must run first"),
    ("backward with the wrong batch", lambda: after_forward(dense(), np.ones((2, 3))).backward(np.ones((3, 2))),
     ValueError, r"dC_dout must have the shape of the last forward output, \(2, 2\), got shape \(3, 2\)"),
    ("backward with 1-D gradient", lambda: after_forward(dense(), np.ones((2, 3))).backward(np.ones(2)),
     ValueError, r"dC_dout must be 2-D .*got shape \(2,\)\. Hint: a single example is a batch of one"),
    ("backward with inf gradient",
     lambda: after_forward(dense(), np.ones((1, 3))).backward(np.array([[np.inf, 0.0]])),
     ValueError, r"dC_dout must contain only finite numbers, got inf at index \(0, 0\)"),
    # ---- Dense construction ------------------------------------------------------------------
    ("n_in as float", lambda: nl.Dense(3.0, 2, rng=GEN(0)), TypeError,
     r"^Dense\(n_in=3\.0, n_out=2\): n_in must be a whole number, got float 3\.0"),
    ("n_in as bool", lambda: nl.Dense(True, 2, rng=GEN(0)), TypeError, r"n_in must be a whole number, got bool"),
    ("n_in as string", lambda: nl.Dense("3", 2, rng=GEN(0)), TypeError, r"n_in must be a whole number, got str '3'"),
    ("n_out zero", lambda: nl.Dense(3, 0, rng=GEN(0)), ValueError, r"n_out must be ≥ 1, got 0"),
    ("unknown init", lambda: nl.Dense(3, 2, rng=GEN(0), init="glorot"), ValueError,
     r"init must be one of 'he', 'xavier', 'lecun', 'standard', got 'glorot'"),
    ("rng None", lambda: nl.Dense(3, 2, rng=None), TypeError,
     r"rng must be a numpy Generator, got NoneType None\. Hint: create one with rng = np\.random\.default_rng\(0\)"),
    ("rng int seed", lambda: nl.Dense(3, 2, rng=0), TypeError, r"rng must be a numpy Generator, got int 0"),
    ("legacy RandomState", lambda: nl.Dense(3, 2, rng=np.random.RandomState(0)), TypeError,
     r"rng must be a numpy Generator, got RandomState"),
    ("dtype float16", lambda: dense(dtype=np.float16), TypeError,
     r"dtype must be np\.float32 or np\.float64, got float16"),
    ("dtype int", lambda: dense(dtype=int), TypeError, r"dtype must be np\.float32 or np\.float64, got int64"),
    ("dtype nonsense", lambda: dense(dtype="banana"), TypeError,
     r"dtype must be np\.float32 or np\.float64, got str 'banana'"),
    # ---- activation layers, Dropout ------------------------------------------------------------
    ("ELU alpha 0", lambda: nl.ELU(0), ValueError, r"^ELU\(alpha=0\): alpha must lie in \(0\.0, "),
    ("ELU alpha negative", lambda: nl.ELU(alpha=-1.0), ValueError, r"alpha must lie in \(0\.0, .*got -1\.0"),
    ("ELU alpha string", lambda: nl.ELU("1"), TypeError, r"alpha must be a number, got str '1'"),
    ("p_drop = 1", lambda: nl.Dropout(1.0, rng=GEN(0)), ValueError,
     r"^Dropout\(p_drop=1\.0\): p_drop must lie in \[0\.0, 1\.0\), got 1\.0\. Hint: p_drop is the probability "
     r"of dropping a unit"),
    ("p_drop negative", lambda: nl.Dropout(-0.1, rng=GEN(0)), ValueError,
     r"p_drop must lie in \[0\.0, 1\.0\), got -0\.1"),
    ("p_drop above 1", lambda: nl.Dropout(1.5, rng=GEN(0)), ValueError, r"p_drop must lie in \[0\.0, 1\.0\), got 1\.5"),
    ("p_drop NaN", lambda: nl.Dropout(float("nan"), rng=GEN(0)), ValueError, r"p_drop must be finite, got nan"),
    ("p_drop string", lambda: nl.Dropout("0.5", rng=GEN(0)), TypeError, r"p_drop must be a number, got str '0\.5'"),
    ("Dropout rng int", lambda: nl.Dropout(0.5, rng=42), TypeError,
     r"^Dropout\(p_drop=0\.5\): rng must be a numpy Generator, got int 42"),
    # ---- Sequential, Residual ----------------------------------------------------------------
    ("empty Sequential", lambda: nl.Sequential(), ValueError, r"^Sequential: at least one layer, got none"),
    ("Sequential of a string", lambda: nl.Sequential(dense(2, 2), "relu"), TypeError,
     r"^Sequential: layer 1 must be an nnlab layer \(Dense, ReLU, \.\.\.\), got str"),
    ("Sequential of a class", lambda: nl.Sequential(dense(2, 2), nl.ReLU), TypeError,
     r"layer 1 must be an nnlab layer .*got type\. Hint: pass layer objects, e\.g\. nl\.ReLU\(\) rather than nl\.ReLU"),
    ("Sequential of a function", lambda: nl.Sequential(nl.activations.relu), TypeError,
     r"layer 0 must be an nnlab layer .*got function"),
    ("Sequential width mismatch", lambda: nl.Sequential(dense(2, 3), nl.ReLU(), dense(4, 1)), ValueError,
     r"^Sequential: layer 2 \(Dense\(n_in=4, n_out=1\)\) must take 3 inputs, the width of the layer before it, "
     r"got n_in=4\. Hint: each layer's n_in must equal the previous layer's n_out"),
    ("empty Residual", lambda: nl.Residual(), ValueError, r"^Residual: a block of at least one layer, got none"),
    ("Residual changing the width", lambda: nl.Residual(dense(3, 4)), ValueError,
     r"^Residual: a block that keeps the width \(n_in = n_out\).*got n_in=3, n_out=4\. Hint: use Dense\(n, n\)"),
    ("Residual with a width mismatch inside", lambda: nl.Residual(dense(3, 4), dense(3, 3)), ValueError,
     r"^Residual: layer 1 \(Dense\(n_in=3, n_out=3\)\) must take 4 inputs"),
    ("Residual of a function", lambda: nl.Residual(np.tanh), TypeError, r"^Residual: layer 0 must be an nnlab layer"),
    # ---- Parameter ---------------------------------------------------------------------------
    ("grad of the wrong shape", lambda: setattr(nl.Parameter(np.zeros(3), "w"), "grad", np.zeros(2)), ValueError,
     r"^Parameter 'w'\.grad: must have shape \(3,\), got shape \(2,\)"),
    # ---- losses ------------------------------------------------------------------------------
    ("SquaredError shapes differ", lambda: nl.SquaredError().forward(np.ones((2, 3)), np.ones((2, 2))), ValueError,
     r"^SquaredError\.forward: y must have the shape of a, \(2, 3\), got shape \(2, 2\)\. Hint: for class labels"),
    ("SquaredError 1-D output", lambda: nl.SquaredError().forward(np.ones(3), np.ones(3)), ValueError,
     r"^SquaredError\.forward: a must be 2-D .*got shape \(3,\)\. Hint: a single example is a batch of one: a\[None, :\]"),
    ("SquaredError NaN target", lambda: nl.SquaredError().forward(np.ones((1, 3)), np.array([[0, np.nan, 0]])),
     ValueError, r"y must contain only finite numbers, got nan at index \(0, 1\)"),
    ("SquaredError backward first", lambda: nl.SquaredError().backward(), RuntimeError,
     r"^SquaredError\.backward: forward must run first"),
    ("label out of range", lambda: nl.SoftmaxCrossEntropy().forward(np.ones((2, 3)), [0, 3]), ValueError,
     r"^SoftmaxCrossEntropy\.forward: labels in y must lie in \[0, 2\], got label 3\. Hint: the last layer has 3 "
     r"outputs"),
    ("negative label", lambda: nl.SoftmaxCrossEntropy().forward(np.ones((2, 3)), [-1, 0]), ValueError,
     r"labels in y must lie in \[0, 2\], got label -1"),
    ("one-hot labels", lambda: nl.SoftmaxCrossEntropy().forward(np.ones((2, 3)), np.eye(3)[[0, 1]]), ValueError,
     r"y must be 1-D with shape \(N,\), got shape \(2, 3\)\. Hint: labels are class indices, not one-hot rows: "
     r"use y\.argmax\(axis=1\)"),
    ("one-hot int labels", lambda: nl.SoftmaxCrossEntropy().forward(np.ones((2, 3)), np.eye(3, dtype=int)[[0, 1]]),
     ValueError, r"not one-hot rows"),
    ("probabilities as labels", lambda: nl.SoftmaxCrossEntropy().forward(np.ones((2, 3)), [0.5, 1.0]), TypeError,
     r"y must hold integer class labels, got non-integer values\. Hint: pass labels such as 0, 1, 2"),
    ("string labels", lambda: nl.SoftmaxCrossEntropy().forward(np.ones((2, 3)), ["a", "b"]), TypeError,
     r"y must hold integer class labels, got dtype <U1"),
    ("bool labels", lambda: nl.SoftmaxCrossEntropy().forward(np.ones((2, 3)), [True, False]), TypeError,
     r"y must hold integer class labels, got dtype bool"),
    ("NaN label", lambda: nl.SoftmaxCrossEntropy().forward(np.ones((2, 3)), [np.nan, 1.0]), TypeError,
     r"integer class labels"),
    ("one label too many", lambda: nl.SoftmaxCrossEntropy().forward(np.ones((2, 3)), [0, 1, 2]), ValueError,
     r"y must have one label per example, shape \(2,\), got shape \(3,\)"),
    ("NaN logits", lambda: nl.SoftmaxCrossEntropy().forward(np.array([[np.nan, 0.0]]), [0]), ValueError,
     r"^SoftmaxCrossEntropy\.forward: z must contain only finite numbers"),
    ("1-D logits", lambda: nl.SoftmaxCrossEntropy().forward(np.array([1.0, 2.0, 3.0]), [2]), ValueError,
     r"z must be 2-D .*got shape \(3,\)\. Hint: a single example is a batch of one: z\[None, :\]"),
    ("cross-entropy backward first", lambda: nl.SoftmaxCrossEntropy().backward(), RuntimeError,
     r"^SoftmaxCrossEntropy\.backward: forward must run first.*Hint: compute C = loss\.forward"),
    ("probabilities before forward", lambda: nl.SoftmaxCrossEntropy().probabilities(), RuntimeError,
     r"forward must run first"),
    # ---- activation functions ----------------------------------------------------------------
    ("activation of a string", lambda: nl.activations.sigmoid("hello"), TypeError,
     r"^nnlab\.activations\.sigmoid: z must be a numeric array, got dtype <U5"),
    ("activation of complex", lambda: nl.activations.relu(np.array([1j])), TypeError,
     r"^nnlab\.activations\.relu: z must be real, got dtype complex128"),
    ("softmax of objects", lambda: nl.activations.softmax(np.array([None, 1.0])), TypeError,
     r"^nnlab\.activations\.softmax: z must be a numeric array, got dtype object"),
    # ---- gradcheck ---------------------------------------------------------------------------
    ("numeric_grad of a list", lambda: numeric_grad(lambda: 0.0, [1.0, 2.0]), TypeError,
     r"^nnlab\.gradcheck\.numeric_grad: x must be a numpy array \(it is perturbed in place\), got a list"),
    ("numeric_grad of float32", lambda: numeric_grad(lambda: 0.0, np.ones(2, F32)), TypeError,
     r"x must be float64 for a gradient check, got dtype float32\. Hint: float32 has ~7 digits"),
    ("numeric_grad h = 0", lambda: numeric_grad(lambda: 0.0, np.ones(2), h=0), ValueError, r"h must lie in \(0\.0, "),
    ("numeric_grad of a strided copy", lambda: numeric_grad(lambda: 0.0, np.ones((4, 4))[:, :2]), ValueError,
     r"x must be contiguous, got a strided view"),
    ("rel_error shapes", lambda: rel_error(np.ones(2), np.ones(3)), ValueError,
     r"^nnlab\.gradcheck\.rel_error: a and b must have the same shape, a is \(2,\), got b of shape \(3,\)"),
    ("check_layer float32 input", lambda: check_layer(dense(), np.ones((2, 3), F32), rng=GEN(0)), TypeError,
     r"^nnlab\.gradcheck\.check_layer: a_prev must be float64 for a gradient check, got dtype float32"),
    ("check_layer float32 layer", lambda: check_layer(dense(dtype=F32), np.ones((2, 3)), rng=GEN(0)), TypeError,
     r"parameter Dense\(3, 2\)\.W must be float64 for a gradient check, got dtype float32\. Hint: .*dtype=np\.float64"),
    ("check_layer of a function", lambda: check_layer(np.tanh, np.ones((2, 3)), rng=GEN(0)), TypeError,
     r"layer must be an nnlab layer, got ufunc"),
    ("check_layer without rng", lambda: check_layer(dense(), np.ones((2, 3)), rng=None), TypeError,
     r"^nnlab\.gradcheck\.check_layer: rng must be a numpy Generator"),
    ("check_layer tol 0", lambda: check_layer(dense(), np.ones((2, 3)), rng=GEN(0), tol=0), ValueError,
     r"tol must lie in \(0\.0, "),
    ("check_layer wrong width", lambda: check_layer(dense(), np.ones((2, 4)), rng=GEN(0)), ValueError,
     r"a_prev must be 2-D with shape \(N, 3\), got shape \(2, 4\)"),
    ("check_layer 1-D input", lambda: check_layer(dense(), np.ones(3), rng=GEN(0)), ValueError,
     r"Hint: a single example is a batch of one"),
    ("check_model of a string", lambda: check_model("m", nl.SquaredError(), np.ones((2, 3)), np.ones((2, 2))),
     TypeError, r"^nnlab\.gradcheck\.check_model: model must be an nnlab layer or Sequential, got str 'm'"),
    ("check_model with a function as loss",
     lambda: check_model(dense(), lambda a, b: 0.0, np.ones((2, 3)), np.ones((2, 2))), TypeError,
     r"loss must be an nnlab loss \(SquaredError, SoftmaxCrossEntropy\), got function"),
    ("check_model unknown method",
     lambda: check_model(dense(), nl.SquaredError(), np.ones((2, 3)), np.ones((2, 2)), method="fast"), ValueError,
     r"method must be one of 'full', 'direction', got 'fast'"),
    ("check_model direction without rng",
     lambda: check_model(dense(), nl.SquaredError(), np.ones((2, 3)), np.ones((2, 2)), method="direction"),
     TypeError, r"check_model\(method='direction'\): rng must be a numpy Generator"),
    ("check_model float32 x",
     lambda: check_model(dense(), nl.SquaredError(), np.ones((2, 3), F32), np.ones((2, 2))), TypeError,
     r"^nnlab\.gradcheck\.check_model: x must be float64 for a gradient check, got dtype float32"),
    ("check_model float32 model",
     lambda: check_model(dense(dtype=F32), nl.SquaredError(), np.ones((2, 3)), np.ones((2, 2))), TypeError,
     r"parameter Dense\(3, 2\)\.W must be float64"),
    ("check_model bad labels",
     lambda: check_model(dense(), nl.SoftmaxCrossEntropy(), np.ones((2, 3)), [0, 2]), ValueError,
     r"labels in y must lie in \[0, 1\], got label 2"),
    ("check_model target shape",
     lambda: check_model(dense(), nl.SquaredError(), np.ones((2, 3)), np.ones((2, 3))), ValueError,
     r"y must have the shape of a, \(2, 2\), got shape \(2, 3\)"),
    ("check_model wrong width",
     lambda: check_model(dense(), nl.SquaredError(), np.ones((2, 4)), np.ones((2, 2))), ValueError,
     r"^nnlab\.gradcheck\.check_model: x must be 2-D with shape \(N, 3\), got shape \(2, 4\)"),
    # ---- neuron ------------------------------------------------------------------------------
    ("Neuron with 2-D weights", lambda: Neuron(np.ones((2, 2))), ValueError, r"^Neuron: w must be 1-D, got shape \(2, 2\)"),
    ("Neuron with a vector bias", lambda: Neuron([1.0, 2.0], [1.0, 2.0]), ValueError,
     r"^Neuron: b must be 0-D, got shape \(2,\)"),
    ("Neuron unknown activation", lambda: Neuron([1.0, 2.0], 0.0, activation="softmax"), ValueError,
     r"activation must be one of 'sigmoid', 'tanh', 'relu', 'elu', 'step', got 'softmax'"),
    ("Neuron input of the wrong length", lambda: Neuron([1.0, 2.0]).z([1.0, 2.0, 3.0]), ValueError,
     r"^Neuron\.z: a must have shape \(2,\) or \(N, 2\), got shape \(3,\)\. Hint: one input per weight"),
    ("Neuron 3-D input", lambda: Neuron([1.0, 2.0])(np.ones((1, 1, 2))), ValueError,
     r"a must have shape \(2,\) or \(N, 2\), got shape \(1, 1, 2\)"),
    ("Neuron NaN input", lambda: Neuron([1.0, 2.0])([np.nan, 1.0]), ValueError,
     r"a must contain only finite numbers, got nan at index \(0,\)"),
    ("Neuron NaN weight", lambda: Neuron([1.0, np.inf]), ValueError, r"w must contain only finite numbers"),
    ("absorb_bias 2-D weights", lambda: absorb_bias(np.ones((2, 2)), 0.0), ValueError,
     r"^nnlab\.neuron\.absorb_bias: w must be 1-D, got shape \(2, 2\)"),
    ("absorb_bias vector bias", lambda: absorb_bias(np.ones(2), [1.0, 2.0]), ValueError,
     r"b must be 0-D, got shape \(2,\)"),
    ("with_bias_input of strings", lambda: with_bias_input(["a"]), TypeError,
     r"^nnlab\.neuron\.with_bias_input: a must be a numeric array"),
]

VOICE = re.compile(r"^(?P<where>.+?): (?P<expected>.+), got (?P<got>.+?)\.( Hint: (?P<hint>.+))?$", re.DOTALL)


@pytest.mark.parametrize("call,error,match", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_error_path(call, error, match):
    with pytest.raises(error, match=match) as info:
        call()
    assert type(info.value) is error  # not a subclass such as a numpy-internal error
    message = str(info.value)
    assert VOICE.match(message), f"not in the one voice: {message!r}"
    assert "\n" not in VOICE.match(message).group("got")


def test_case_ids_are_unique():
    ids = [c[0] for c in CASES]
    assert len(ids) == len(set(ids))


def test_errors_are_raised_before_anything_changes():
    # a failed forward leaves the layer's previous cache intact: backward still works for it
    d = dense()
    x = np.ones((2, 3))
    d.forward(x)
    with pytest.raises(ValueError):
        d.forward(np.ones((2, 5)))
    assert d.backward(np.ones((2, 2))).shape == (2, 3)


def test_check_layer_rejects_a_float32_layer_without_touching_it():
    layer = dense(dtype=F32)
    before = layer.W.data.copy()
    with pytest.raises(TypeError, match="float64"):
        check_layer(layer, np.ones((2, 3)), rng=GEN(0))
    np.testing.assert_array_equal(layer.W.data, before)


def test_no_assert_statements_guard_user_errors():
    # with python -O asserts vanish; user errors must not depend on them
    import inspect
    import nnlab.activation_layers, nnlab.activations, nnlab.dense, nnlab.dropout, nnlab.gradcheck, \
        nnlab.layer, nnlab.losses, nnlab.model, nnlab.neuron, nnlab.parameter, nnlab.residual, nnlab._validate
    for mod in [nnlab.activation_layers, nnlab.activations, nnlab.dense, nnlab.dropout, nnlab.gradcheck,
                nnlab.layer, nnlab.losses, nnlab.model, nnlab.neuron, nnlab.parameter, nnlab.residual,
                nnlab._validate]:
        source = inspect.getsource(mod)
        assert not re.search(r"^\s*assert\b", source, re.MULTILINE), mod.__name__
