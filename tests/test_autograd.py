"""nnlab.autograd: Value and Tensor against central differences (every operation, with broadcasting),
against torch autograd when installed, and against nnlab's hand-written backward passes.

Chapter 12.
"""

import math

import numpy as np
import pytest

import nnlab as nl
from nnlab.autograd import Tensor, Value, stack
from helpers import away_from_kinks, central_diff, rel_err

RAISE_ALL = dict(over="raise", invalid="raise", divide="raise")


@pytest.fixture
def rng():
    return np.random.default_rng(12)


# --------------------------------------------------------------------------------------------
# Value
# --------------------------------------------------------------------------------------------

VALUE_FUNCS = {
    "a + b": lambda a, b: a + b,
    "a - b": lambda a, b: a - b,
    "a * b": lambda a, b: a * b,
    "a / b": lambda a, b: a / b,
    "number + a": lambda a, b: 2.5 + a,
    "number - a": lambda a, b: 2.5 - a,
    "number * a": lambda a, b: -1.5 * a,
    "number / a": lambda a, b: 3.0 / a,
    "a - number, a / number": lambda a, b: (a - 0.5) / 4,
    "-a": lambda a, b: -a,
    "a ** 3": lambda a, b: a ** 3,
    "b ** 0.5": lambda a, b: b ** 0.5,
    "a ** -2": lambda a, b: a ** -2,
    "exp": lambda a, b: a.exp() if isinstance(a, Value) else math.exp(a),
    "log": lambda a, b: b.log() if isinstance(b, Value) else math.log(b),
    "tanh": lambda a, b: a.tanh() if isinstance(a, Value) else math.tanh(a),
    "sigmoid": lambda a, b: a.sigmoid() if isinstance(a, Value) else 1 / (1 + math.exp(-a)),
    "relu": lambda a, b: a.relu() if isinstance(a, Value) else max(a, 0.0),
    "a * a (shared node)": lambda a, b: a * a,
    "expression": lambda a, b: ((a * b + 1) ** 2 / (b + 3)) * (a * b) if True else None,
}


@pytest.mark.parametrize("name", list(VALUE_FUNCS))
@pytest.mark.parametrize("a0,b0", [(0.7, 1.3), (-1.2, 0.4)])
def test_value_operations_against_central_differences(name, a0, b0):
    f = VALUE_FUNCS[name]
    a, b = Value(a0), Value(b0)
    out = f(a, b)
    assert out.data == pytest.approx(f(a0, b0), rel=1e-14, abs=1e-15)
    out.backward()
    assert out.grad == 1.0
    h = 1e-6
    da = (f(a0 + h, b0) - f(a0 - h, b0)) / (2 * h)
    db = (f(a0, b0 + h) - f(a0, b0 - h)) / (2 * h)
    assert a.grad == pytest.approx(da, rel=1e-7, abs=1e-9)
    assert b.grad == pytest.approx(db, rel=1e-7, abs=1e-9)


def test_value_hand_worked_graph():
    # e = a·b, d = e + c, L = d·f with a = 2, b = −3, c = 10, f = −2 (micrograd's example):
    # ∂L/∂d = f = −2, ∂L/∂f = d = 4, ∂L/∂c = −2, ∂L/∂e = −2, ∂L/∂a = −2·b = 6, ∂L/∂b = −2·a = −4
    a, b, c, f = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c"), Value(-2.0, "f")
    e = a * b
    d = e + c
    L = d * f
    L.backward()
    assert (L.data, d.data, e.data) == (-8.0, 4.0, -6.0)
    assert (a.grad, b.grad, c.grad, f.grad, e.grad, d.grad) == (6.0, -4.0, -2.0, 4.0, -2.0, -2.0)
    order = L.topological_order()
    assert order[-1] is L and set(map(id, order)) == set(map(id, [a, b, c, f, e, d, L]))
    for k, node in enumerate(order):              # every node comes after its parents
        assert all(order.index(p) < k for p in node.parents)
    assert (e.op, d.op, L.op, a.op) == ("*", "+", "*", "")
    assert repr(a) == "Value(data=2, grad=6, label='a')"


def test_value_two_backward_calls_add_up_and_zero_grad_resets():
    a = Value(1.5)
    y = (a * a).tanh()
    y.backward()
    once = a.grad
    y.backward()
    assert a.grad == pytest.approx(2 * once, rel=1e-15)
    y.zero_grad()
    assert a.grad == 0.0 and y.grad == 0.0


def test_value_deep_graph_needs_no_recursion():
    x = Value(0.5)
    y = x
    for _ in range(5000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0


def test_value_power_at_zero_has_a_derivative():
    # 0 ** 0.5 and 0 ** 0 are legal; their backward used to raise ZeroDivisionError (0.0 ** -0.5)
    for n, expected in [(0.5, math.inf), (0, 0.0), (0.0, 0.0), (2, 0.0), (1, 1.0), (3, 0.0)]:
        a = Value(0.0)
        (a ** n).backward()
        assert a.grad == expected, n
    a = Value(4.0)
    (a ** 0.5).backward()
    assert a.grad == 0.25
    a = Value(0.0)
    (a ** 0).backward()
    assert (a ** 0).data == 1.0


def test_value_is_stable():
    with np.errstate(**RAISE_ALL):
        assert Value(-1000.0).sigmoid().data == 0.0
        assert Value(1000.0).sigmoid().data == 1.0
        assert Value(-40.0).sigmoid().data == pytest.approx(math.exp(-40), rel=1e-12)
        assert Value(1000.0).exp().data == math.inf


@pytest.mark.parametrize("call,error,pattern", [
    (lambda: Value(0.0).log(), ValueError, r"Value\.log: data must be > 0, got 0\.0"),
    (lambda: Value(2.0) ** Value(2.0), TypeError, r"exponent must be a plain number.*Hint"),
    (lambda: Value(-2.0) ** 0.5, ValueError, r"negative base needs a whole exponent"),
    (lambda: Value(1.0) + "2", TypeError, r"Value \+: the other operand must be a Value or a real number"),
    (lambda: Value(np.ones(2)), TypeError, r"Value: data must be a real number"),
])
def test_value_errors(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


def test_value_agrees_with_torch():
    torch = pytest.importorskip("torch")
    a, b = Value(-0.8), Value(1.7)
    out = ((a * b).sigmoid() + (b / a).tanh() * a.relu() - (b ** 2).log() + (2 - a).exp() / 3).relu()
    out = out + (a * b).tanh()
    out.backward()
    ta = torch.tensor(-0.8, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(1.7, dtype=torch.float64, requires_grad=True)
    tout = (torch.sigmoid(ta * tb) + torch.tanh(tb / ta) * torch.relu(ta) - torch.log(tb ** 2)
            + torch.exp(2 - ta) / 3).relu() + torch.tanh(ta * tb)
    tout.backward()
    assert out.data == pytest.approx(tout.item(), rel=1e-14)
    assert a.grad == pytest.approx(ta.grad.item(), rel=1e-13)
    assert b.grad == pytest.approx(tb.grad.item(), rel=1e-13)


# --------------------------------------------------------------------------------------------
# Tensor: every operation against central differences, f = Σ G ⊙ op(inputs)
# --------------------------------------------------------------------------------------------

def positive(rng, shape):
    return rng.uniform(0.5, 2.0, shape)


TENSOR_OPS = [
    # name, input makers (shape → array), op on Tensors/arrays
    ("add same shape", [(3, 4), (3, 4)], lambda a, b: a + b),
    ("add row broadcast", [(3, 4), (4,)], lambda a, b: a + b),
    ("add both stretched", [(3, 1), (1, 4)], lambda a, b: a + b),
    ("sub with scalar-shaped", [(2, 3, 4), (1,)], lambda a, b: a - b),
    ("mul broadcast", [(3, 4), (3, 1)], lambda a, b: a * b),
    ("div broadcast", [(3, 4), ("pos", (4,))], lambda a, b: a / b),
    ("number on both sides", [(3, 4)], lambda a: (2.0 - a) * 3.0 + 1.5 / (a * a + 1.0) - a / 4.0),
    ("neg", [(3, 4)], lambda a: -a),
    ("pow 3", [(3, 4)], lambda a: a ** 3),
    ("pow 0.5", [("pos", (3, 4))], lambda a: a ** 0.5),
    ("matmul", [(3, 4), (4, 2)], lambda a, b: a @ b),
    ("matmul batched", [(2, 3, 4), (4, 5)], lambda a, b: a @ b),
    ("sum all", [(3, 4)], lambda a: a.sum()),
    ("sum axis 0", [(3, 4)], lambda a: a.sum(axis=0)),
    ("sum axis 1 keepdims", [(3, 4)], lambda a: a.sum(axis=1, keepdims=True)),
    ("sum axis tuple", [(2, 3, 4)], lambda a: a.sum(axis=(0, 2))),
    ("mean all", [(3, 4)], lambda a: a.mean()),
    ("mean axis -1", [(2, 3, 4)], lambda a: a.mean(axis=-1)),
    ("mean axis 0 keepdims", [(3, 4)], lambda a: a.mean(axis=0, keepdims=True)),
    ("exp", [(3, 4)], lambda a: a.exp()),
    ("log", [("pos", (3, 4))], lambda a: a.log()),
    ("tanh", [(3, 4)], lambda a: a.tanh()),
    ("sigmoid", [(3, 4)], lambda a: a.sigmoid()),
    ("relu", [(3, 4)], lambda a: a.relu()),
    ("T", [(3, 4)], lambda a: a.T),
    ("slice", [(3, 5)], lambda a: a[:, 1:4]),
    ("integer", [(2, 3, 4)], lambda a: a[:, -1]),
    ("integer arrays with repeats", [(3, 4)], lambda a: a[np.array([0, 2, 2, 1]), np.array([1, 3, 3, 0])]),
    ("reshape", [(3, 4)], lambda a: a.reshape(2, 6)),
    ("stack axis 1", [(3, 4), (3, 4)], lambda a, b: stack([a, b, a], axis=1)),
]


def _make(rng, spec):
    if spec[0] == "pos":
        return positive(rng, spec[1])
    return away_from_kinks(rng, spec, scale=1.0, eps=1e-2)


def _np_op(op, arrays):
    """The same op on plain arrays, for the numeric side: wrap, evaluate, read data."""
    out = op(*[Tensor(a) for a in arrays])
    return out.data


@pytest.mark.parametrize("name,specs,op", TENSOR_OPS, ids=[t[0] for t in TENSOR_OPS])
def test_tensor_operations_against_central_differences(name, specs, op, rng):
    arrays = [_make(rng, s) for s in specs]
    tensors = [Tensor(a.copy()) for a in arrays]
    out = op(*tensors)
    G = rng.standard_normal(out.shape)
    out.backward(G)
    for k, (a, t) in enumerate(zip(arrays, tensors)):
        def f(x, k=k):
            args = list(arrays)
            args[k] = x
            return float(np.sum(G * _np_op(op, args)))
        numeric = central_diff(f, a, h=1e-6)
        assert t.grad.shape == a.shape
        assert rel_err(t.grad, numeric) < 1e-8, (name, k)
        np.testing.assert_array_equal(t.data, a)           # nothing written into the data


def test_arrays_and_numbers_are_constants_on_either_side(rng):
    a = rng.standard_normal((3, 4))
    W = Tensor(rng.standard_normal((4, 2)))
    out = (a @ W + np.ones(2)) * 2.0
    out.sum().backward()
    np.testing.assert_allclose(W.grad, 2.0 * a.T @ np.ones((3, 2)), rtol=1e-14)
    assert out.parents[0].op == "+" and len(out.parents) == 1


def test_tensor_sum_backward_default_grad_and_accumulation(rng):
    x = Tensor(rng.standard_normal((3, 4)))
    C = (x * x).sum()
    assert C.shape == ()
    C.backward()
    np.testing.assert_allclose(x.grad, 2 * x.data, rtol=1e-15)
    C.backward()
    np.testing.assert_allclose(x.grad, 4 * x.data, rtol=1e-15)   # 2×, not 3×: passes kept apart
    C.zero_grad()
    np.testing.assert_array_equal(x.grad, np.zeros((3, 4)))


def test_tensor_cross_entropy_pick(rng):
    z = Tensor(rng.standard_normal((5, 3)))
    y = np.array([0, 2, 2, 1, 0])
    s = z - z.data.max(axis=1, keepdims=True)
    C = (s.exp().sum(axis=1).log() - s[np.arange(5), y]).mean()
    C.backward()
    loss = nl.SoftmaxCrossEntropy()
    assert float(C.data) == pytest.approx(loss.forward(z.data, y), rel=1e-14)
    np.testing.assert_allclose(z.grad, loss.backward(), rtol=1e-12, atol=1e-16)


def test_tensor_is_stable_and_keeps_float32(rng):
    z = Tensor(np.array([[-1000.0, 0.0, 1000.0]]))
    with np.errstate(**RAISE_ALL):
        s = z.sigmoid()
        s.sum().backward()
    np.testing.assert_array_equal(s.data, [[0.0, 0.5, 1.0]])
    np.testing.assert_array_equal(z.grad, [[0.0, 0.25, 0.0]])
    x = Tensor(rng.standard_normal((2, 3)).astype(np.float32))
    out = ((x * 2.0 + 1.0).tanh() / 3.0).sigmoid().mean()
    out.backward()
    assert out.dtype == np.float32 and x.grad.dtype == np.float32
    assert Tensor([[1, 2]]).dtype == np.float64


def test_tensor_deep_graph_and_repr(rng):
    x = Tensor(np.ones((2, 2)), label="x")
    y = x
    for _ in range(3000):
        y = y * 1.0
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, np.ones((2, 2)))
    assert repr(x) == "Tensor([[1., 1.],\n        [1., 1.]], label='x')"
    assert "op='sum'" in repr(y.sum()) and "shape=(3, 4)" in repr(Tensor(np.zeros((3, 4))))


@pytest.mark.parametrize("call,error,pattern", [
    (lambda: Tensor(np.ones(3)).backward(), ValueError, r"Tensor\.backward: the default gradient 1 needs a "
                                                         r"single number, got shape \(3,\)\. Hint"),
    (lambda: Tensor(np.ones(3)).backward(np.ones(2)), ValueError, r"grad must have the tensor's shape"),
    (lambda: Tensor(np.ones(3)) @ Tensor(np.ones((3, 2))), ValueError, r"at least 2-D.*Hint"),
    (lambda: Tensor(np.array(["a"])), TypeError, r"data must be real numbers"),
    (lambda: Tensor(np.ones(2)) + "x", TypeError, r"Tensor \+: the other operand"),
    (lambda: Tensor(np.ones(2)) ** Tensor(np.ones(2)), TypeError, r"exponent must be a plain number"),
])
def test_tensor_errors(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


def test_tensor_agrees_with_torch(rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((4, 3))
    W = rng.standard_normal((5, 3))
    b = rng.standard_normal(5)
    y = np.array([1, 0, 4, 4])
    tW, tb = Tensor(W), Tensor(b)
    z = (x @ tW.T + tb).tanh() * (x @ tW.T).sigmoid() + (x.sum(axis=1, keepdims=True) / 3.0) ** 2
    s = z - z.data.max(axis=1, keepdims=True)
    C = (s.exp().sum(axis=1).log() - s[np.arange(4), y]).mean() + (z.relu() ** 2).mean(axis=0).sum()
    C.backward()
    qW = torch.tensor(W, requires_grad=True)
    qb = torch.tensor(b, requires_grad=True)
    qx = torch.tensor(x)
    qz = torch.tanh(qx @ qW.T + qb) * torch.sigmoid(qx @ qW.T) + (qx.sum(1, keepdim=True) / 3.0) ** 2
    qC = torch.nn.functional.cross_entropy(qz, torch.tensor(y)) + (torch.relu(qz) ** 2).mean(0).sum()
    qC.backward()
    assert float(C.data) == pytest.approx(qC.item(), rel=1e-14)
    np.testing.assert_allclose(tW.grad, qW.grad.numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(tb.grad, qb.grad.numpy(), rtol=1e-12, atol=1e-15)


# --------------------------------------------------------------------------------------------
# autograd reproduces nnlab's hand-written backward passes (≤ 1e-12 in float64)
# --------------------------------------------------------------------------------------------

def hand_gradients(model, loss, x, y):
    C = loss.forward(model.forward(x), y)
    model.zero_grad()
    dx = model.backward(loss.backward())
    return C, [p.grad.copy() for p in model.parameters()], dx


def with_random_biases(model, rng):
    for p in model.parameters():
        if p.name.endswith(".b"):
            p.data[...] = rng.standard_normal(p.shape)
    return model


def models(rng):
    sce, se = nl.SoftmaxCrossEntropy(), nl.SquaredError()
    return {
        "digits MLP": (nl.Sequential(nl.Dense(64, 32, rng=rng), nl.ReLU(), nl.Dense(32, 10, rng=rng)),
                       sce, (8, 64), 10),
        "every activation": (nl.Sequential(nl.Dense(5, 6, rng=rng), nl.Sigmoid(), nl.Dense(6, 6, rng=rng),
                                           nl.Tanh(), nl.Residual(nl.Dense(6, 6, rng=rng), nl.ELU(0.7)),
                                           nl.Dense(6, 4, rng=rng), nl.Softmax()), se, (7, 5), None),
        "dropout (mask reused)": (nl.Sequential(nl.Dense(5, 8, rng=rng), nl.ReLU(),
                                                nl.Dropout(0.4, rng=rng), nl.Dense(8, 3, rng=rng)),
                                  sce, (6, 5), 3),
        "LSTM": (nl.Sequential(nl.LSTM(3, 6, rng=rng), nl.LastStep(), nl.Dense(6, 4, rng=rng)),
                 sce, (5, 8, 3), 4),
        "RNN + TimeDistributed": (nl.Sequential(nl.RNN(3, 5, rng=rng),
                                                nl.TimeDistributed(nl.Dense(5, 5, rng=rng), nl.Tanh()),
                                                nl.LastStep(), nl.Dense(5, 2, rng=rng)), sce, (4, 6, 3), 2),
    }


@pytest.mark.parametrize("name", ["digits MLP", "every activation", "dropout (mask reused)", "LSTM",
                                  "RNN + TimeDistributed"])
def test_autograd_equals_hand_written_backward(name, rng):
    model, loss, x_shape, n_classes = models(rng)[name]
    with_random_biases(model, rng)
    x = away_from_kinks(rng, x_shape)
    y = (rng.integers(0, n_classes, x_shape[0]) if n_classes else rng.standard_normal((x_shape[0], 4)))
    params0 = [p.data.copy() for p in model.parameters()]
    C, grads, dx = hand_gradients(model, loss, x, y)
    C_auto, grads_auto, dx_auto = nl.autograd.gradients(model, loss, x, y)
    assert C_auto == pytest.approx(C, rel=1e-14)
    for p, g, ga in zip(model.parameters(), grads, grads_auto):
        assert np.max(np.abs(g - ga)) <= 1e-12 * max(1.0, np.max(np.abs(g))), p.name
        assert rel_err(g, ga) < 1e-12, p.name
    assert np.max(np.abs(dx - dx_auto)) <= 1e-12
    for p, d0 in zip(model.parameters(), params0):        # autograd only read the weights
        np.testing.assert_array_equal(p.data, d0)


def test_lstm_layer_with_random_upstream_gradient(rng):
    lstm = nl.LSTM(4, 5, rng=rng)
    with_random_biases(lstm, rng)
    x = rng.standard_normal((3, 10, 4))
    G = rng.standard_normal((3, 10, 5))
    lstm.forward(x)
    lstm.zero_grad()
    dx = lstm.backward(G)
    params = nl.autograd.parameter_tensors(lstm)
    xt = Tensor(x)
    h = nl.autograd.forward(lstm, xt, params)
    np.testing.assert_allclose(h.data, lstm.h, rtol=0, atol=1e-15)
    (h * G).sum().backward()
    for p, t in zip(lstm.parameters(), params):
        np.testing.assert_allclose(t.grad, p.grad, rtol=0, atol=1e-12)
    np.testing.assert_allclose(xt.grad, dx, rtol=0, atol=1e-12)


def test_training_with_autograd_backward_follows_the_same_path(rng):
    X, y = nl.data.load_digits()
    X, y = X[:96], y[:96]

    def make():
        r = np.random.default_rng(3)
        m = nl.Sequential(nl.Dense(64, 16, rng=r), nl.ReLU(), nl.Dense(16, 10, rng=r))
        return m, nl.Adam(m.parameters(), lr=1e-2)

    hand, opt_h = make()
    auto, opt_a = make()
    loss = nl.SoftmaxCrossEntropy()
    for i in range(0, 96, 16):
        xb, yb = X[i:i + 16], y[i:i + 16]
        C = loss.forward(hand.forward(xb), yb)
        hand.zero_grad()
        hand.backward(loss.backward())
        opt_h.step()
        auto.zero_grad()
        C_auto = nl.autograd.backward(auto, loss, xb, yb)
        opt_a.step()
        assert C_auto == pytest.approx(C, rel=1e-12)
    for p, q in zip(hand.parameters(), auto.parameters()):
        np.testing.assert_allclose(q.data, p.data, rtol=0, atol=1e-10)


def test_model_helper_errors(rng):
    class Odd(nl.Layer):
        def _forward(self, a):
            return a

    with pytest.raises(TypeError, match=r"nnlab\.autograd\.forward: a layer with a Tensor rule"):
        nl.autograd.forward(nl.Sequential(Odd()), np.ones((2, 2)))
    drop = nl.Sequential(nl.Dense(2, 2, rng=rng), nl.Dropout(0.5, rng=rng))
    with pytest.raises(ValueError, match=r"Dropout layer in eval mode.*Hint: call model\.eval\(\)"):
        nl.autograd.forward(drop, np.ones((2, 2)))
    drop.eval()
    np.testing.assert_allclose(nl.autograd.forward(drop, np.ones((2, 2))).data, drop.forward(np.ones((2, 2))))
    with pytest.raises(TypeError, match=r"params must be 2 Tensors"):
        nl.autograd.forward(nl.Dense(2, 2, rng=rng), np.ones((1, 2)), [Tensor(np.ones(2))])
    with pytest.raises(ValueError, match=r"nnlab\.autograd\.gradients: x must be 3-D"):
        nl.autograd.gradients(nl.Sequential(nl.LSTM(2, 2, rng=rng), nl.LastStep()),
                              nl.SoftmaxCrossEntropy(), np.ones((3, 2)), [0, 1, 0])
