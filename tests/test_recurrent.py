"""RNN, LSTM and the sequence adapters (LastStep, TimeDistributed): gradients, a reference, invariants.

Independent references: a hand-computed step (math module only), central differences written in
tests/helpers.py, and torch.nn.RNN / torch.nn.LSTM in float64 with copied weights (when installed).

Chapter 11.
"""

import math

import numpy as np
import pytest

import nnlab as nl
from nnlab.gradcheck import check_layer, check_model
from helpers import central_diff, param_grad_numeric, rel_err

RAISE_ALL = dict(over="raise", invalid="raise", divide="raise")


@pytest.fixture
def rng():
    return np.random.default_rng(11)


def recurrent(kind, rng, n_in=3, n_hidden=4, dtype=np.float64):
    """A fresh RNN or LSTM with random (non-zero) biases, so that a wrong bias path cannot hide."""
    layer = {"rnn": nl.RNN, "lstm": nl.LSTM}[kind](n_in, n_hidden, rng=rng, dtype=dtype)
    layer.b.data[...] = rng.standard_normal(layer.b.shape)
    return layer


KINDS = ["rnn", "lstm"]


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


# --------------------------------------------------------------------------------------------
# gradient checks, float64
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_check_layer_passes(kind, rng):
    layer = recurrent(kind, rng)
    x = rng.standard_normal((3, 6, 3))
    report = check_layer(layer, x, rng=rng)
    assert report.worst < 1e-7, str(report)
    assert [r[0] for r in report.rows] == [p.name for p in layer.parameters()] + ["input a_prev"]


@pytest.mark.parametrize("kind", KINDS)
def test_backward_matches_independent_central_differences(kind, rng):
    layer = recurrent(kind, rng, n_in=2, n_hidden=3)
    x = rng.standard_normal((2, 5, 2))
    G = rng.standard_normal((2, 5, 3))
    layer.forward(x)
    layer.zero_grad()
    dx = layer.backward(G)
    grads = [p.grad.copy() for p in layer.parameters()]
    f = lambda xx: float(np.sum(G * layer.forward(xx)))  # noqa: E731
    assert rel_err(dx, central_diff(f, x)) < 1e-8
    for p, g in zip(layer.parameters(), grads):
        assert rel_err(g, param_grad_numeric(lambda: f(x), p.data)) < 1e-8, p.name


@pytest.mark.parametrize("kind", KINDS)
def test_check_model_lstm_laststep_dense(kind, rng):
    model = nl.Sequential(recurrent(kind, rng), nl.LastStep(), nl.Dense(4, 3, rng=rng))
    model[2].b.data[...] = rng.standard_normal(3)
    x = rng.standard_normal((4, 5, 3))
    y = np.array([0, 2, 1, 2])
    report = check_model(model, nl.SoftmaxCrossEntropy(), x, y)
    assert report.worst < 1e-6, str(report)
    assert check_model(model, nl.SoftmaxCrossEntropy(), x, y, rng=rng, method="direction").worst < 1e-6


def test_check_layer_of_the_adapters(rng):
    x = rng.standard_normal((3, 4, 5))
    assert check_layer(nl.LastStep(), x, rng=rng).worst < 1e-7
    td = nl.TimeDistributed(nl.Dense(5, 2, rng=rng), nl.Tanh())
    td.parameters()[1].data[...] = rng.standard_normal(2)
    assert check_layer(td, x, rng=rng).worst < 1e-7
    stack = nl.Sequential(recurrent("rnn", rng, n_in=5), nl.TimeDistributed(nl.Dense(4, 2, rng=rng)))
    assert check_layer(stack, x, rng=rng).worst < 1e-7


# --------------------------------------------------------------------------------------------
# hand-computed steps (no torch needed)
# --------------------------------------------------------------------------------------------

def test_rnn_two_steps_by_hand():
    # one input, one unit: W_x = 0.5, W_h = −1, b = 0.1, x = (1, 2), h_0 = 0
    rnn = nl.RNN(1, 1, rng=np.random.default_rng(0))
    rnn.W_x.data[...] = 0.5
    rnn.W_h.data[...] = -1.0
    rnn.b.data[...] = 0.1
    h1 = math.tanh(0.5 * 1 + 0.1)                 # z_1 = 0.6
    h2 = math.tanh(0.5 * 2 - h1 + 0.1)            # z_2 = 1.1 − h_1
    h = rnn.forward(np.array([[[1.0], [2.0]]]))
    np.testing.assert_allclose(h.ravel(), [h1, h2], rtol=1e-15)
    # C = h_2: ∂C/∂h = (0, 1); δ_2 = 1 − h_2², δ_1 = δ_2 W_h (1 − h_1²)
    d2 = 1 - h2 ** 2
    d1 = d2 * -1.0 * (1 - h1 ** 2)
    dx = rnn.backward(np.array([[[0.0], [1.0]]]))
    np.testing.assert_allclose(rnn.W_x.grad, [[d1 * 1 + d2 * 2]], rtol=1e-14)
    np.testing.assert_allclose(rnn.W_h.grad, [[d1 * 0 + d2 * h1]], rtol=1e-14)
    np.testing.assert_allclose(rnn.b.grad, [d1 + d2], rtol=1e-14)
    np.testing.assert_allclose(dx.ravel(), [d1 * 0.5, d2 * 0.5], rtol=1e-14)


def test_lstm_one_step_by_hand():
    # one input, one unit, gates stacked (i, f, g, o): z = W_x x + b since h_0 = 0
    lstm = nl.LSTM(1, 1, rng=np.random.default_rng(0))
    lstm.W_x.data[...] = [[0.5], [-0.3], [0.8], [1.2]]
    lstm.W_h.data[...] = 7.0                      # multiplies h_0 = 0: must not matter
    lstm.b.data[...] = [0.1, 1.0, -0.2, 0.0]
    x = 2.0
    i, f = sigmoid(0.5 * x + 0.1), sigmoid(-0.3 * x + 1.0)
    g, o = math.tanh(0.8 * x - 0.2), sigmoid(1.2 * x)
    c = f * 0.0 + i * g                           # c_0 = 0
    h = o * math.tanh(c)
    out = lstm.forward(np.array([[[x]]]))
    np.testing.assert_allclose(out.ravel(), [h], rtol=1e-15)
    np.testing.assert_allclose(lstm.c.ravel(), [c], rtol=1e-15)
    for name, value in zip("ifgo", (i, f, g, o)):
        np.testing.assert_allclose(getattr(lstm, name).ravel(), [value], rtol=1e-15, err_msg=name)
    # C = h: ∂C/∂o = tanh c, ∂C/∂c = o (1 − tanh² c), ∂C/∂i = ∂C/∂c g, ∂C/∂g = ∂C/∂c i, ∂C/∂f = ∂C/∂c c_0 = 0
    dc = o * (1 - math.tanh(c) ** 2)
    delta = np.array([dc * g * i * (1 - i), 0.0, dc * i * (1 - g ** 2), math.tanh(c) * o * (1 - o)])
    dx = lstm.backward(np.ones((1, 1, 1)))
    np.testing.assert_allclose(lstm.b.grad, delta, rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(lstm.W_x.grad.ravel(), delta * x, rtol=1e-14, atol=1e-300)
    np.testing.assert_array_equal(lstm.W_h.grad, np.zeros((4, 1)))     # Σ δᵀ h_0 = 0
    np.testing.assert_allclose(dx.ravel(), [delta @ lstm.W_x.data.ravel()], rtol=1e-14)


def test_lstm_cell_path_is_additive(rng):
    # with the input and forget gates saturated open (i = f = 1 to double precision), the cell
    # adds the candidate at every step and forgets nothing: c_T = Σ_t g_t
    lstm = nl.LSTM(2, 3, rng=rng)
    H = 3
    lstm.b.data[:H] = 50.0       # i = σ(≥ 50 − |W x + W h|) = 1 to double precision
    lstm.b.data[H:2 * H] = 50.0  # f = 1
    x = 0.1 * rng.standard_normal((2, 6, 2))
    lstm.forward(x)
    np.testing.assert_allclose(lstm.c[:, -1], lstm.g.sum(axis=1), rtol=1e-13)
    np.testing.assert_array_equal(lstm.f, np.ones((2, 6, 3)))


# --------------------------------------------------------------------------------------------
# torch as the independent reference (float64, copied weights)
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_agrees_with_torch(kind, rng):
    torch = pytest.importorskip("torch")
    N, T, n_in, H = 4, 9, 3, 5
    ours = recurrent(kind, rng, n_in, H)
    cls = torch.nn.RNN if kind == "rnn" else torch.nn.LSTM
    ref = cls(n_in, H, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        ref.weight_ih_l0.copy_(torch.from_numpy(ours.W_x.data))
        ref.weight_hh_l0.copy_(torch.from_numpy(ours.W_h.data))
        ref.bias_ih_l0.copy_(torch.from_numpy(ours.b.data))
        ref.bias_hh_l0.zero_()
    x = rng.standard_normal((N, T, n_in))
    G = rng.standard_normal((N, T, H))
    h = ours.forward(x)
    dx = ours.backward(G)
    xt = torch.from_numpy(x.copy()).requires_grad_()
    ht = ref(xt)[0]
    (ht * torch.from_numpy(G)).sum().backward()
    np.testing.assert_allclose(h, ht.detach().numpy(), rtol=0, atol=1e-13)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=0, atol=1e-13)
    np.testing.assert_allclose(ours.W_x.grad, ref.weight_ih_l0.grad.numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.W_h.grad, ref.weight_hh_l0.grad.numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.b.grad, ref.bias_ih_l0.grad.numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.b.grad, ref.bias_hh_l0.grad.numpy(), rtol=0, atol=1e-12)


# --------------------------------------------------------------------------------------------
# invariants
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_inputs_not_modified(kind, rng):
    layer = recurrent(kind, rng)
    x = rng.standard_normal((3, 4, 3))
    G = rng.standard_normal((3, 4, 4))
    x0, G0 = x.copy(), G.copy()
    layer.forward(x)
    layer.backward(G)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(G, G0)


@pytest.mark.parametrize("kind", KINDS)
def test_backward_before_forward_raises(kind, rng):
    with pytest.raises(RuntimeError, match=r"\.backward: forward must run first"):
        recurrent(kind, rng).backward(np.ones((1, 2, 4)))
    with pytest.raises(RuntimeError, match=r"\.backward: forward must run first"):
        nl.LastStep().backward(np.ones((1, 4)))
    with pytest.raises(RuntimeError, match=r"forward must run first"):
        recurrent(kind, rng).h


@pytest.mark.parametrize("kind", KINDS)
def test_two_backward_calls_accumulate(kind, rng):
    layer = recurrent(kind, rng)
    x = rng.standard_normal((3, 4, 3))
    G = rng.standard_normal((3, 4, 4))
    layer.forward(x)
    layer.zero_grad()
    dx1 = layer.backward(G)
    once = [p.grad.copy() for p in layer.parameters()]
    dx2 = layer.backward(G)
    np.testing.assert_array_equal(dx1, dx2)
    for p, g in zip(layer.parameters(), once):
        np.testing.assert_allclose(p.grad, 2 * g, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("kind", KINDS)
def test_float32(kind, rng):
    layer = recurrent(kind, rng, dtype=np.float32)
    ref = recurrent(kind, np.random.default_rng(0))
    for p, q in zip(ref.parameters(), layer.parameters()):
        p.data[...] = q.data
    assert layer.dtype == np.float32 and all(p.grad.dtype == np.float32 for p in layer.parameters())
    x = rng.standard_normal((3, 5, 3))           # float64 input is cast
    h = layer.forward(x)
    dx = layer.backward(np.ones((3, 5, 4)))
    assert h.dtype == np.float32 and dx.dtype == np.float32
    np.testing.assert_allclose(h, ref.forward(x), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(dx, ref.backward(np.ones((3, 5, 4))), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("kind", KINDS)
def test_input_grad_false_fills_parameters_only(kind, rng):
    layer = recurrent(kind, rng)
    x = rng.standard_normal((2, 3, 3))
    G = rng.standard_normal((2, 3, 4))
    layer.forward(x)
    full = layer.backward(G)
    grads = [p.grad.copy() for p in layer.parameters()]
    layer.zero_grad()
    assert layer._backward(G, False) is None and full.shape == x.shape
    for p, g in zip(layer.parameters(), grads):
        np.testing.assert_array_equal(p.grad, g)


@pytest.mark.parametrize("kind", KINDS)
def test_huge_inputs_do_not_overflow(kind, rng):
    layer = recurrent(kind, rng)
    x = np.array([1e4, -1e4, 710.0])[None, None, :] * np.ones((2, 3, 1))
    with np.errstate(**RAISE_ALL):
        h = layer.forward(x)
        dx = layer.backward(np.ones_like(h))
    assert np.all(np.isfinite(h)) and np.all(np.isfinite(dx)) and np.all(np.abs(h) <= 1)


def test_init_shapes_names_and_distribution():
    H = 50
    lstm = nl.LSTM(30, H, rng=np.random.default_rng(0))
    rnn = nl.RNN(30, H, rng=np.random.default_rng(0))
    assert (lstm.W_x.shape, lstm.W_h.shape, lstm.b.shape) == ((4 * H, 30), (4 * H, H), (4 * H,))
    assert (rnn.W_x.shape, rnn.W_h.shape, rnn.b.shape) == ((H, 30), (H, H), (H,))
    assert [p.name for p in lstm.parameters()] == ["LSTM(30, 50).W_x", "LSTM(30, 50).W_h", "LSTM(30, 50).b"]
    assert repr(rnn) == "RNN(n_in=30, n_hidden=50)" and rnn.n_in == 30 and rnn.n_out == rnn.n_hidden == 50
    assert lstm.n_params == 4 * H * (30 + H + 1)
    k = 1 / math.sqrt(H)
    for W in (lstm.W_x.data, lstm.W_h.data, rnn.W_x.data, rnn.W_h.data):
        assert np.abs(W).max() <= k
        assert W.std() == pytest.approx(k / math.sqrt(3), rel=0.05)   # U(−k, k) has std k/√3
    np.testing.assert_array_equal(rnn.b.data, np.zeros(H))
    np.testing.assert_array_equal(lstm.b.data, np.r_[np.zeros(H), np.ones(H), np.zeros(2 * H)])


def test_init_uses_only_the_given_rng():
    np.random.seed(1)
    state = np.random.get_state()[1].copy()
    a = nl.LSTM(3, 4, rng=np.random.default_rng(5))
    b = nl.LSTM(3, 4, rng=np.random.default_rng(5))
    np.testing.assert_array_equal(a.W_h.data, b.W_h.data)
    np.testing.assert_array_equal(np.random.get_state()[1], state)


def test_states_are_copies_of_batch_first_shape(rng):
    lstm = recurrent("lstm", rng)
    x = rng.standard_normal((2, 5, 3))
    h = lstm.forward(x)
    assert lstm.h.shape == lstm.c.shape == lstm.f.shape == (2, 5, 4)
    np.testing.assert_array_equal(lstm.h, h)
    f = lstm.f
    f[...] = 0.0
    assert np.all(lstm.f > 0)


# --------------------------------------------------------------------------------------------
# adapters and Sequential/fit
# --------------------------------------------------------------------------------------------

def test_laststep_forward_backward(rng):
    h = rng.standard_normal((2, 4, 3))
    last = nl.LastStep()
    np.testing.assert_array_equal(last.forward(h), h[:, -1])
    g = rng.standard_normal((2, 3))
    dh = last.backward(g)
    expected = np.zeros((2, 4, 3))
    expected[:, -1] = g
    np.testing.assert_array_equal(dh, expected)
    assert repr(last) == "LastStep()" and last.parameters() == []


def test_timedistributed_is_the_same_layer_at_every_step(rng):
    dense = nl.Dense(3, 2, rng=rng)
    td = nl.TimeDistributed(dense)
    x = rng.standard_normal((4, 5, 3))
    out = td.forward(x)
    assert out.shape == (4, 5, 2) and td.parameters() == [dense.W, dense.b]
    for t in range(5):
        np.testing.assert_allclose(out[:, t], x[:, t] @ dense.W.data.T + dense.b.data, rtol=1e-14)
    G = rng.standard_normal((4, 5, 2))
    td.zero_grad()
    dx = td.backward(G)
    np.testing.assert_allclose(dense.W.grad, sum(G[:, t].T @ x[:, t] for t in range(5)), rtol=1e-13)
    np.testing.assert_allclose(dx, G @ dense.W.data, rtol=1e-14)
    assert repr(td) == "TimeDistributed(Dense(n_in=3, n_out=2))"
    drop = nl.Dropout(0.5, rng=rng)
    td2 = nl.TimeDistributed(drop)
    assert td2.eval() is td2 and not drop.training and td2.train() is td2 and drop.training


def test_sequential_summary_and_parameter_labels(rng):
    model = nl.Sequential(nl.LSTM(2, 4, rng=rng), nl.TimeDistributed(nl.Dense(4, 4, rng=rng)),
                          nl.LastStep(), nl.Dense(4, 3, rng=rng))
    assert model.input_ndim == 3 and model.output_ndim == 2 and model.n_in == 2 and model.n_out == 3
    lines = model.summary().splitlines()
    assert "(N, T, 4)" in lines[1] and "(N, T, 4)" in lines[2] and "(N, 4)" in lines[3]
    labels = nl.layer.parameter_labels(model)
    assert labels[:3] == ["[0] LSTM(2, 4).W_x", "[0] LSTM(2, 4).W_h", "[0] LSTM(2, 4).b"]
    assert labels[3] == "[1] Dense(4, 4).W"


def test_fit_learns_a_short_memory_task(rng):
    # the label is the sign of the first step; the other steps are noise
    N, T = 256, 6
    X = rng.standard_normal((N, T, 1))
    y = (X[:, 0, 0] > 0).astype(int)
    model = nl.Sequential(nl.LSTM(1, 8, rng=rng), nl.LastStep(), nl.Dense(8, 2, rng=rng))
    loss = nl.SoftmaxCrossEntropy()
    before = nl.evaluate(model, loss, X, y)["loss"]
    history = nl.fit(model, loss, nl.Adam(model.parameters(), lr=1e-2), X, y, epochs=15, batch_size=32,
                     rng=rng, progress=False, validation=(X[:64], y[:64]))
    assert history.loss[-1] < 0.5 * before
    assert nl.evaluate(model, loss, X, y)["accuracy"] > 0.9
    assert nl.predict(model, X[:5]).shape == (5, 2)


# --------------------------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------------------------

ERRORS = [
    ("2-D input to an LSTM", lambda r: nl.LSTM(3, 4, rng=r).forward(np.ones((5, 3))), ValueError,
     r"^LSTM\(n_in=3, n_hidden=4\)\.forward: x must be 3-D with shape \(N, T, 3\), got shape \(5, 3\)\. "
     r"Hint: .*x\[None\].*x\[:, :, None\]"),
    ("wrong feature width", lambda r: nl.RNN(3, 4, rng=r).forward(np.ones((5, 2, 2))), ValueError,
     r"x must be 3-D with shape \(N, T, 3\), got shape \(5, 2, 2\)\. Hint: the last axis"),
    ("no steps", lambda r: nl.RNN(3, 4, rng=r).forward(np.ones((5, 0, 3))), ValueError,
     r"x must hold at least one sequence of at least one step"),
    ("NaN in a sequence", lambda r: nl.RNN(1, 2, rng=r).forward(np.array([[[1.0], [np.nan]]])), ValueError,
     r"x must contain only finite numbers, got nan at index \(0, 1, 0\)"),
    ("3-D input to Dense", lambda r: nl.Dense(3, 2, rng=r).forward(np.ones((5, 4, 3))), ValueError,
     r"a_prev must be 2-D with shape \(N, 3\), got shape \(5, 4, 3\)\. Hint: flatten each example "
     r"first.*nl\.LastStep\(\).*nl\.TimeDistributed"),
    ("LSTM then Dense in Sequential", lambda r: nl.Sequential(nl.LSTM(3, 4, rng=r), nl.Dense(4, 2, rng=r)),
     ValueError, r"^Sequential: layer 1 \(Dense\(n_in=4, n_out=2\)\) takes 2-D batches .*got layer 0 "
                 r"\(LSTM\(n_in=3, n_hidden=4\)\), which outputs 3-D sequences .*Hint: put nl\.LastStep\(\)"),
    ("Dense then LSTM in Sequential", lambda r: nl.Sequential(nl.Dense(3, 4, rng=r), nl.LSTM(4, 2, rng=r)),
     ValueError, r"layer 1 \(LSTM\(n_in=4, n_hidden=2\)\) takes 3-D sequences"),
    ("2-D x to fit a sequence model",
     lambda r: nl.fit(nl.Sequential(nl.RNN(1, 2, rng=r), nl.LastStep(), nl.Dense(2, 2, rng=r)),
                      nl.SoftmaxCrossEntropy(), None, np.ones((4, 6)), [0, 1, 0, 1], epochs=1, rng=r,
                      progress=False), ValueError,
     r"^nnlab\.fit: X must be 3-D with shape \(N, T, 1\), got shape \(4, 6\)\. Hint: .*X\[:, :, None\]"),
    ("backward shape", lambda r: _after_forward(nl.LSTM(3, 4, rng=r)).backward(np.ones((2, 5, 3))),
     ValueError, r"dC_dh must have the shape of the last forward output, \(2, 5, 4\), got shape \(2, 5, 3\)"),
    ("TimeDistributed of an LSTM", lambda r: nl.TimeDistributed(nl.LSTM(3, 4, rng=r)), ValueError,
     r"^TimeDistributed: a layer of 2-D batches .*Hint: RNN and LSTM already run over every step"),
    ("n_hidden not a number", lambda r: nl.LSTM(3, 4.5, rng=r), TypeError,
     r"^LSTM\(n_in=3, n_hidden=4\.5\): n_hidden must be a whole number"),
    ("no rng", lambda r: nl.RNN(3, 4, rng=0), TypeError, r"rng must be a numpy Generator"),
    ("gates before forward", lambda r: nl.LSTM(3, 4, rng=r).f, RuntimeError, r"forward must run first"),
]


def _after_forward(layer):
    layer.forward(np.ones((2, 5, layer.n_in)))
    return layer


@pytest.mark.parametrize("what,call,error,pattern", ERRORS, ids=[e[0] for e in ERRORS])
def test_error_messages(what, call, error, pattern, rng):
    with pytest.raises(error, match=pattern):
        call(rng)


def test_diagnostics_take_sequence_models(rng):
    model = nl.Sequential(nl.RNN(2, 4, rng=rng), nl.TimeDistributed(nl.Dense(4, 4, rng=rng), nl.ReLU()),
                          nl.LastStep(), nl.Dense(4, 2, rng=rng))
    x = rng.standard_normal((6, 3, 2))
    dead = nl.diagnostics.dead_relu_fraction(model, x)
    assert list(dead) == ["[2] ReLU()"] and 0.0 <= dead["[2] ReLU()"] <= 1.0
    norms = nl.diagnostics.gradient_norms(model, nl.SoftmaxCrossEntropy(), x, rng.integers(0, 2, 6))
    assert list(norms) == ["[1] Dense(n_in=4, n_out=4)", "[4] Dense(n_in=4, n_out=2)"]
