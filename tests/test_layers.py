"""Layers (Dense, activation layers, Dropout, Residual) and Parameter: gradients, invariants, modes.

Chapters 02, 03, 07, 09, 10.
"""

import numpy as np
import pytest

import nnlab as nl
from nnlab.gradcheck import check_layer
from helpers import away_from_kinks, central_diff, param_grad_numeric, rel_err

RAISE_ALL = dict(over="raise", invalid="raise", divide="raise")


@pytest.fixture
def rng():
    return np.random.default_rng(7)


def make_layer(kind: str, rng: np.random.Generator, n: int = 4):
    """A fresh layer of each kind, all of width n (n_in = n_out)."""
    return {
        "dense": lambda: nl.Dense(n, n, rng=rng),
        "dense_wide": lambda: nl.Dense(n, n + 3, rng=rng, init="xavier"),
        "sigmoid": nl.Sigmoid,
        "tanh": nl.Tanh,
        "relu": nl.ReLU,
        "elu": nl.ELU,
        "elu_alpha": lambda: nl.ELU(alpha=0.6),
        "softmax": nl.Softmax,
        "dropout": lambda: nl.Dropout(0.4, rng=rng),
        "residual": lambda: nl.Residual(nl.Dense(n, n, rng=rng), nl.Tanh()),
        "residual_deep": lambda: nl.Residual(nl.Dense(n, n + 2, rng=rng), nl.ReLU(), nl.Dense(n + 2, n, rng=rng)),
    }[kind]()


KINDS = ["dense", "dense_wide", "sigmoid", "tanh", "relu", "elu", "elu_alpha", "softmax", "dropout",
         "residual", "residual_deep"]


def with_random_bias(layer, rng):
    """Biases start at zero; give them values so that a wrong bias path cannot hide."""
    for p in layer.parameters():
        if p.name.endswith(".b"):
            p.data[...] = rng.standard_normal(p.shape)
    return layer


# --------------------------------------------------------------------------------------------
# gradient checks: nnlab's checker, then an independent one written here
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_check_layer_passes_for_every_layer(kind, rng):
    layer = with_random_bias(make_layer(kind, rng), rng)
    x = away_from_kinks(rng, (5, 4), scale=1.5)
    report = check_layer(layer, x, rng=rng)
    assert report.ok, str(report)
    assert report.worst < 1e-7, str(report)
    names = [r[0] for r in report.rows]
    assert names[-1] == "input a_prev"
    assert names[:-1] == [p.name for p in layer.parameters()]


@pytest.mark.parametrize("kind", KINDS)
def test_backward_matches_independent_central_differences(kind, rng):
    """f(θ, x) = Σ G ⊙ layer(x) with a random upstream G; compare ∂f/∂x and ∂f/∂θ with numerics.

    Dropout gets the same mask in every numeric probe because its rng is reset before each forward.
    """
    layer = with_random_bias(make_layer(kind, rng), rng)
    rngs = [l.rng for l in [layer] if isinstance(l, nl.Dropout)]
    states = [r.bit_generator.state for r in rngs]

    def forward(x):
        for r, s in zip(rngs, states):
            r.bit_generator.state = s
        return layer.forward(x)

    x = away_from_kinks(rng, (3, 4), scale=1.5)
    out = forward(x)
    G = rng.standard_normal(out.shape)
    layer.zero_grad()
    dx = layer.backward(G)
    grads = [p.grad.copy() for p in layer.parameters()]

    assert rel_err(dx, central_diff(lambda xx: float(np.sum(G * forward(xx))), x)) < 1e-8
    for p, g in zip(layer.parameters(), grads):
        numeric = param_grad_numeric(lambda: float(np.sum(G * forward(x))), p.data)
        assert rel_err(g, numeric) < 1e-8, p.name


# --------------------------------------------------------------------------------------------
# Dense
# --------------------------------------------------------------------------------------------

def test_dense_forward_is_the_per_neuron_sum(rng):
    # z_j = Σ_k w_jk a_k + b_j for every example, with W[j, k] = w_jk
    d = nl.Dense(3, 2, rng=rng)
    d.b.data[...] = [0.5, -1.0]
    x = rng.standard_normal((4, 3))
    z = d.forward(x)
    assert d.W.shape == (2, 3) and d.b.shape == (2,)
    for n in range(4):
        for j in range(2):
            expected = sum(d.W.data[j, k] * x[n, k] for k in range(3)) + d.b.data[j]
            assert z[n, j] == pytest.approx(expected, rel=1e-14)


def test_dense_hand_worked_example():
    # W = [[1, 2], [3, 4], [0, −1]], b = [0.5, 0, 1], a = [1, −1]
    # z = [1 − 2 + 0.5, 3 − 4 + 0, 0 + 1 + 1] = [−0.5, −1, 2]
    d = nl.Dense(2, 3, rng=np.random.default_rng(0))
    d.W.data[...] = [[1, 2], [3, 4], [0, -1]]
    d.b.data[...] = [0.5, 0, 1]
    np.testing.assert_array_equal(d.forward(np.array([[1.0, -1.0]])), [[-0.5, -1.0, 2.0]])
    # δ = [1, 0, 2]:  ∂C/∂W = δᵀ a = [[1, −1], [0, 0], [2, −2]],  ∂C/∂b = δ,
    # ∂C/∂a = δ W = [1·1 + 0·3 + 2·0, 1·2 + 0·4 + 2·(−1)] = [1, 0]
    dx = d.backward(np.array([[1.0, 0.0, 2.0]]))
    np.testing.assert_array_equal(d.W.grad, [[1, -1], [0, 0], [2, -2]])
    np.testing.assert_array_equal(d.b.grad, [1, 0, 2])
    np.testing.assert_array_equal(dx, [[1.0, 0.0]])


@pytest.mark.parametrize("init,std", [("he", np.sqrt(2 / 400)), ("xavier", np.sqrt(2 / 500)),
                                      ("lecun", np.sqrt(1 / 400)), ("standard", 1.0)])
def test_dense_init_scales(init, std, rng):
    d = nl.Dense(400, 100, rng=rng, init=init)
    assert d.init == init
    # 40 000 draws: the sample std is within ~0.4 % (1 σ) of the true one; allow 3 %
    assert d.W.data.std() == pytest.approx(std, rel=0.03)
    assert abs(d.W.data.mean()) < 4 * std / np.sqrt(d.W.size)
    np.testing.assert_array_equal(d.b.data, np.zeros(100))


def test_dense_init_is_reproducible_and_uses_only_the_given_rng():
    np.random.seed(1)
    state = np.random.get_state()[1].copy()
    a = nl.Dense(5, 3, rng=np.random.default_rng(11))
    b = nl.Dense(5, 3, rng=np.random.default_rng(11))
    c = nl.Dense(5, 3, rng=np.random.default_rng(12))
    np.testing.assert_array_equal(a.W.data, b.W.data)
    assert not np.array_equal(a.W.data, c.W.data)
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # global RNG untouched


def test_dense_names_counts_and_repr(rng):
    d = nl.Dense(3, 2, rng=rng)
    assert d.W.name == "Dense(3, 2).W" and d.b.name == "Dense(3, 2).b"
    assert d.parameters() == [d.W, d.b]
    assert d.n_params == 3 * 2 + 2
    assert repr(d) == "Dense(n_in=3, n_out=2)"
    assert d.n_in == 3 and d.n_out == 2


def test_dense_float32_keeps_float32_and_casts_float64_input(rng):
    d = nl.Dense(3, 2, rng=rng, dtype=np.float32)
    assert d.W.data.dtype == np.float32 and d.b.data.dtype == np.float32 and d.dtype == np.float32
    x = rng.standard_normal((4, 3))  # float64
    z = d.forward(x)
    assert z.dtype == np.float32
    dx = d.backward(np.ones((4, 2)))  # float64 upstream gradient, cast too
    assert dx.dtype == np.float32
    assert d.W.grad.dtype == np.float32 and d.b.grad.dtype == np.float32
    # same numbers as float64, to float32 accuracy
    np.testing.assert_allclose(z, x @ d.W.data.astype(np.float64).T, rtol=1e-5, atol=1e-6)


def test_dense_integer_input_is_float64(rng):
    d = nl.Dense(2, 2, rng=rng)
    assert d.forward(np.array([[1, 2]])).dtype == np.float64


def test_dense_backward_without_input_grad_still_fills_parameters(rng):
    # the kernel path used by Sequential for its first layer
    d = nl.Dense(3, 2, rng=rng)
    x = rng.standard_normal((4, 3))
    d._forward(x)
    G = rng.standard_normal((4, 2))
    assert d._backward(G, input_grad=False) is None
    np.testing.assert_allclose(d.W.grad, G.T @ x, rtol=1e-14)
    np.testing.assert_allclose(d.b.grad, G.sum(axis=0), rtol=1e-14)


# --------------------------------------------------------------------------------------------
# activation layers
# --------------------------------------------------------------------------------------------

LAYER_FUNCS = [(nl.Sigmoid, lambda z: 1 / (1 + np.exp(-z)), lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2),
               (nl.Tanh, np.tanh, lambda z: 1 / np.cosh(z) ** 2),
               (nl.ReLU, lambda z: np.maximum(z, 0), lambda z: (z > 0) * 1.0),
               (nl.ELU, lambda z: np.where(z > 0, z, np.exp(z) - 1), lambda z: np.where(z > 0, 1.0, np.exp(z)))]


@pytest.mark.parametrize("cls,f,f_prime", LAYER_FUNCS, ids=lambda v: getattr(v, "__name__", ""))
def test_activation_layer_forward_and_backward_formulas(cls, f, f_prime, rng):
    z = away_from_kinks(rng, (6, 5), scale=3.0)
    G = rng.standard_normal((6, 5))
    layer = cls()
    np.testing.assert_allclose(layer.forward(z), f(z), rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(layer.backward(G), G * f_prime(z), rtol=1e-10, atol=1e-16)
    assert layer.parameters() == [] and layer.n_params == 0 and layer.dtype is None


def test_activation_layers_agree_with_the_functions(rng):
    z = rng.standard_normal((5, 4))
    A = nl.activations
    np.testing.assert_allclose(nl.Sigmoid().forward(z), A.sigmoid(z), rtol=1e-15)
    np.testing.assert_array_equal(nl.Tanh().forward(z), A.tanh(z))
    np.testing.assert_array_equal(nl.ReLU().forward(z), A.relu(z))
    np.testing.assert_allclose(nl.ELU(0.3).forward(z), A.elu(z, 0.3), rtol=1e-15)
    np.testing.assert_allclose(nl.Softmax().forward(z), A.softmax(z), rtol=1e-15)


def test_softmax_layer_backward_is_the_jacobian_product(rng):
    z = rng.standard_normal((3, 4))
    G = rng.standard_normal((3, 4))
    layer = nl.Softmax()
    layer.forward(z)
    J = nl.activations.softmax_jacobian(z)  # (N, K, K), ∂s_j/∂z_k
    np.testing.assert_allclose(layer.backward(G), np.einsum("nj,njk->nk", G, J), atol=1e-14)


@pytest.mark.parametrize("cls", [nl.Sigmoid, nl.Tanh, nl.ReLU, nl.ELU, nl.Softmax])
@pytest.mark.parametrize("big", [1e4, 710.0, 1e308])
def test_activation_layers_at_huge_inputs(cls, big):
    z = np.array([[-big, big], [big, -big]])
    if cls is nl.Softmax and big == 1e308:
        # a logit *spread* of 2e308 is not representable (z − max z overflows); 0 vs 1e308 is
        z = np.array([[0.0, big], [big, 0.0]])
    G = np.ones_like(z)
    layer = cls()
    with np.errstate(**RAISE_ALL):
        a = layer.forward(z)
        g = layer.backward(G)
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(g))
    expected = {nl.Sigmoid: [[0, 1], [1, 0]], nl.Tanh: [[-1, 1], [1, -1]], nl.ReLU: [[0, big], [big, 0]],
                nl.ELU: [[-1, big], [big, -1]], nl.Softmax: [[0, 1], [1, 0]]}[cls]
    np.testing.assert_allclose(a, expected, rtol=1e-15, atol=1e-300)


def test_sigmoid_layer_minus_1000_is_zero_not_nan():
    with np.errstate(**RAISE_ALL):
        a = nl.Sigmoid().forward(np.array([[-1000.0, 0.0, 1000.0]]))
    np.testing.assert_array_equal(a, [[0.0, 0.5, 1.0]])


@pytest.mark.parametrize("cls", [nl.Sigmoid, nl.Tanh, nl.ReLU, nl.ELU, nl.Softmax])
def test_activation_layers_keep_float32(cls, rng):
    z = rng.standard_normal((3, 4)).astype(np.float32)
    layer = cls()
    assert layer.forward(z).dtype == np.float32
    assert layer.backward(np.ones((3, 4), np.float32)).dtype == np.float32


def test_elu_repr_and_alpha():
    assert repr(nl.ELU()) == "ELU(alpha=1.0)"
    assert nl.ELU(alpha=2).alpha == 2.0
    assert repr(nl.ReLU()) == "ReLU()"


# --------------------------------------------------------------------------------------------
# invariants common to every layer
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_forward_and_backward_do_not_modify_their_inputs(kind, rng):
    layer = with_random_bias(make_layer(kind, rng), rng)
    x = rng.standard_normal((5, 4))
    x0 = x.copy()
    out = layer.forward(x)
    G = rng.standard_normal(out.shape)
    G0 = G.copy()
    layer.backward(G)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(G, G0)


@pytest.mark.parametrize("kind", KINDS)
def test_check_layer_does_not_modify_input_or_parameters(kind, rng):
    layer = with_random_bias(make_layer(kind, rng), rng)
    x = away_from_kinks(rng, (3, 4))
    x0 = x.copy()
    params0 = [p.data.copy() for p in layer.parameters()]
    check_layer(layer, x, rng=rng)
    np.testing.assert_array_equal(x, x0)
    for p, d0 in zip(layer.parameters(), params0):
        np.testing.assert_array_equal(p.data, d0)


@pytest.mark.parametrize("kind", KINDS)
def test_backward_before_forward_raises(kind, rng):
    layer = make_layer(kind, rng)
    n_out = layer.n_out or 4
    with pytest.raises(RuntimeError, match=r"\.backward: forward must run first.*Hint: backward uses what "
                                           r"forward cached"):
        layer.backward(np.ones((2, n_out)))


@pytest.mark.parametrize("kind", ["dense", "dense_wide", "residual", "residual_deep"])
def test_two_backward_calls_accumulate(kind, rng):
    layer = make_layer(kind, rng)
    x = rng.standard_normal((5, 4))
    out = layer.forward(x)
    G = rng.standard_normal(out.shape)
    layer.zero_grad()
    layer.backward(G)
    once = [p.grad.copy() for p in layer.parameters()]
    assert all(np.any(g != 0) for g in once)
    layer.backward(G)
    for p, g in zip(layer.parameters(), once):
        np.testing.assert_allclose(p.grad, 2 * g, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("read_between", [True, False])
def test_zero_grad_resets(read_between, rng):
    """zero_grad is lazy in Parameter; the gradient must still *read* as zero and restart from zero."""
    layer = nl.Dense(4, 3, rng=rng)
    x = rng.standard_normal((5, 4))
    G = rng.standard_normal((5, 3))
    layer.forward(x)
    layer.backward(G)
    once = [p.grad.copy() for p in layer.parameters()]
    layer.backward(G)
    layer.zero_grad()
    if read_between:
        for p in layer.parameters():
            np.testing.assert_array_equal(p.grad, np.zeros(p.shape))
    layer.backward(G)  # a fresh accumulation: one backward's worth, not three
    for p, g in zip(layer.parameters(), once):
        np.testing.assert_allclose(p.grad, g, rtol=1e-14)
    layer.backward(G)
    for p, g in zip(layer.parameters(), once):
        np.testing.assert_allclose(p.grad, 2 * g, rtol=1e-13)


def test_train_and_eval_return_the_layer_and_set_the_flag(rng):
    for layer in [nl.Dense(2, 2, rng=rng), nl.ReLU(), nl.Dropout(0.5, rng=rng)]:
        assert layer.training is True
        assert layer.eval() is layer and layer.training is False
        assert layer.train() is layer and layer.training is True


def test_call_is_forward(rng):
    d = nl.Dense(3, 2, rng=rng)
    x = rng.standard_normal((2, 3))
    np.testing.assert_array_equal(d(x), d.forward(x))


# --------------------------------------------------------------------------------------------
# Parameter
# --------------------------------------------------------------------------------------------

def test_parameter_grad_starts_at_zero_and_accumulates():
    p = nl.Parameter(np.arange(6.0).reshape(2, 3), "p")
    np.testing.assert_array_equal(p.grad, np.zeros((2, 3)))
    assert p.grad.dtype == p.data.dtype and p.shape == (2, 3) and p.size == 6
    p.accumulate(np.ones((2, 3)))
    p.accumulate(np.ones((2, 3)))
    np.testing.assert_array_equal(p.grad, np.full((2, 3), 2.0))
    p.zero_grad()
    np.testing.assert_array_equal(p.grad, np.zeros((2, 3)))  # read right after zero_grad
    p.accumulate(np.ones((2, 3)))
    np.testing.assert_array_equal(p.grad, np.ones((2, 3)))


def test_parameter_lazy_zero_through_every_accumulator():
    A = np.array([[1.0, 2.0], [3.0, 4.0]])
    B = np.array([[1.0], [1.0]])
    for accumulate, expected in [(lambda p: p.accumulate_matmul(A, B), A @ B),
                                 (lambda p: p.accumulate_sum(A), np.array([4.0, 6.0])),
                                 (lambda p: p.accumulate(A), A)]:
        p = nl.Parameter(np.zeros(np.shape(expected)), "p")
        accumulate(p)
        accumulate(p)
        np.testing.assert_array_equal(p.grad, 2 * expected)
        p.zero_grad()
        accumulate(p)  # straight after zero_grad, without reading grad first
        np.testing.assert_array_equal(p.grad, expected)
        p.zero_grad()
        p.grad  # reading materialises the zeros ...
        accumulate(p)  # ... and the next accumulation adds to them
        np.testing.assert_array_equal(p.grad, expected)


def test_parameter_grad_setter_and_in_place_add():
    p = nl.Parameter(np.zeros(3), "w")
    p.grad = [1, 2, 3]
    np.testing.assert_array_equal(p.grad, [1.0, 2.0, 3.0])
    assert p.grad.dtype == np.float64
    p.grad += 1.0
    np.testing.assert_array_equal(p.grad, [2.0, 3.0, 4.0])
    p.zero_grad()
    p.grad += 1.0
    np.testing.assert_array_equal(p.grad, [1.0, 1.0, 1.0])
    assert repr(p) == "Parameter('w', shape=(3,), dtype=float64)"


def test_parameter_float32_grad_stays_float32():
    p = nl.Parameter(np.zeros(3, np.float32))
    p.accumulate(np.ones(3))
    assert p.grad.dtype == np.float32


# --------------------------------------------------------------------------------------------
# Dropout
# --------------------------------------------------------------------------------------------

def test_dropout_eval_is_exactly_the_identity(rng):
    drop = nl.Dropout(0.5, rng=rng).eval()
    x = rng.standard_normal((50, 20))
    out = drop.forward(x)
    np.testing.assert_array_equal(out, x)
    G = rng.standard_normal((50, 20))
    np.testing.assert_array_equal(drop.backward(G), G)


def test_dropout_p0_is_the_identity_in_training(rng):
    drop = nl.Dropout(0.0, rng=rng)
    assert drop.training
    x = rng.standard_normal((10, 7))
    np.testing.assert_array_equal(drop.forward(x), x)
    np.testing.assert_array_equal(drop.backward(x), x)


@pytest.mark.parametrize("p_drop", [0.2, 0.5, 0.9])
def test_dropout_keeps_the_mean_and_drops_the_right_fraction(p_drop, rng):
    drop = nl.Dropout(p_drop, rng=rng)
    x = np.full((2000, 100), 3.0)
    out = drop.forward(x)
    kept = drop.mask
    assert kept.dtype == bool and kept.shape == x.shape
    # 200 000 Bernoulli(1 − p) draws: std of the fraction ≤ 0.0012; allow 0.005
    assert kept.mean() == pytest.approx(1 - p_drop, abs=0.005)
    # inverted dropout: kept units are scaled by 1/(1 − p), dropped ones are exactly 0
    np.testing.assert_allclose(out[kept], 3.0 / (1 - p_drop), rtol=1e-15)
    assert np.all(out[~kept] == 0.0)
    # E[a] = a_prev: the mean over 200 000 units is 3 within a few standard errors
    se = 3.0 * np.sqrt(p_drop / (1 - p_drop) / x.size)
    assert abs(out.mean() - 3.0) < 5 * se


def test_dropout_backward_uses_the_forward_mask(rng):
    drop = nl.Dropout(0.3, rng=rng)
    x = rng.standard_normal((6, 8))
    out = drop.forward(x)
    G = rng.standard_normal((6, 8))
    np.testing.assert_allclose(drop.backward(G), G * drop.mask / 0.7, rtol=1e-15)
    np.testing.assert_allclose(out, x * drop.mask / 0.7, rtol=1e-15)


def test_dropout_same_seed_same_mask_fresh_mask_each_pass():
    x = np.ones((20, 30))
    a = nl.Dropout(0.5, rng=np.random.default_rng(3))
    b = nl.Dropout(0.5, rng=np.random.default_rng(3))
    out_a1, out_b1 = a.forward(x), b.forward(x)
    np.testing.assert_array_equal(out_a1, out_b1)
    np.testing.assert_array_equal(a.mask, b.mask)
    out_a2 = a.forward(x)
    assert not np.array_equal(out_a1, out_a2)  # a fresh mask every training pass


def test_dropout_does_not_touch_the_global_rng():
    np.random.seed(5)
    state = np.random.get_state()[1].copy()
    nl.Dropout(0.5, rng=np.random.default_rng(0)).forward(np.ones((10, 10)))
    np.testing.assert_array_equal(np.random.get_state()[1], state)


def test_dropout_float32(rng):
    drop = nl.Dropout(0.5, rng=rng)
    out = drop.forward(np.ones((4, 4), np.float32))
    assert out.dtype == np.float32
    assert drop.backward(np.ones((4, 4), np.float32)).dtype == np.float32


def test_dropout_eval_then_train_again(rng):
    drop = nl.Dropout(0.5, rng=rng)
    x = np.ones((30, 30))
    drop.eval()
    np.testing.assert_array_equal(drop.forward(x), x)
    drop.train()
    assert np.any(drop.forward(x) == 0.0)
    assert repr(drop) == "Dropout(p_drop=0.5)"


# --------------------------------------------------------------------------------------------
# Residual
# --------------------------------------------------------------------------------------------

def test_residual_forward_and_backward_by_hand(rng):
    dense = nl.Dense(3, 3, rng=rng)
    dense.b.data[...] = rng.standard_normal(3)
    res = nl.Residual(dense, nl.Tanh())
    x = rng.standard_normal((4, 3))
    W, b = dense.W.data.copy(), dense.b.data.copy()
    z = x @ W.T + b
    np.testing.assert_allclose(res.forward(x), x + np.tanh(z), rtol=1e-14)
    G = rng.standard_normal((4, 3))
    # ∂C/∂x = G + (G ⊙ tanh′(z)) W ;  ∂C/∂W = (G ⊙ tanh′(z))ᵀ x
    delta = G * (1 - np.tanh(z) ** 2)
    np.testing.assert_allclose(res.backward(G), G + delta @ W, rtol=1e-13)
    np.testing.assert_allclose(dense.W.grad, delta.T @ x, rtol=1e-13)
    np.testing.assert_allclose(dense.b.grad, delta.sum(axis=0), rtol=1e-13)


def test_residual_identity_path_keeps_the_gradient_alive(rng):
    # a block whose own gradient is 0 (all weights 0 and ReLU dead) still passes ∂C/∂a through
    dense = nl.Dense(3, 3, rng=rng)
    dense.W.data[...] = 0.0
    dense.b.data[...] = -1.0
    res = nl.Residual(dense, nl.ReLU())
    x = rng.standard_normal((2, 3))
    np.testing.assert_array_equal(res.forward(x), x)
    G = rng.standard_normal((2, 3))
    np.testing.assert_array_equal(res.backward(G), G)


def test_residual_parameters_modes_and_repr(rng):
    d1, d2 = nl.Dense(4, 5, rng=rng), nl.Dense(5, 4, rng=rng)
    drop = nl.Dropout(0.5, rng=rng)
    res = nl.Residual(d1, nl.ReLU(), drop, d2)
    assert res.parameters() == [d1.W, d1.b, d2.W, d2.b]
    assert res.n_in == res.n_out == 4
    assert isinstance(res.block, nl.Sequential)
    assert res.eval() is res
    assert not res.training and not res.block.training and not drop.training
    assert res.train() is res
    assert res.training and res.block.training and drop.training
    single = nl.Residual(nl.Dense(2, 2, rng=rng))
    assert isinstance(single.block, nl.Dense)
    assert repr(single) == "Residual(Dense(n_in=2, n_out=2))"


def test_residual_of_width_keeping_activation_only(rng):
    res = nl.Residual(nl.Tanh())
    x = rng.standard_normal((3, 6))
    np.testing.assert_allclose(res.forward(x), x + np.tanh(x), rtol=1e-15)
