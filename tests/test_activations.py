"""nnlab.activations: golden values, derivatives against central differences, numerics, invariants.

Chapter 02.
"""

import math

import numpy as np
import pytest

import nnlab as nl
from nnlab import activations as act
from helpers import away_from_kinks, central_diff, elementwise_derivative, numeric_jacobian, rel_err

RAISE_ALL = dict(over="raise", invalid="raise", divide="raise")


@pytest.fixture
def rng():
    return np.random.default_rng(20240202)


# --------------------------------------------------------------------------------------------
# golden values, worked out by hand
# --------------------------------------------------------------------------------------------

def test_sigmoid_golden_values():
    # σ(0) = 1/(1+1) = 0.5;  σ′(0) = 0.5 · 0.5 = 0.25 (the maximum of σ′)
    assert act.sigmoid(0.0) == 0.5
    assert act.sigmoid_prime(0.0) == 0.25
    # σ(1) = 1/(1 + e^{-1}) = 1/1.36787944117… = 0.73105857863…
    assert act.sigmoid(1.0) == pytest.approx(0.7310585786300049, abs=1e-15)
    # σ(−1) = 1 − σ(1) = 0.26894142137…
    assert act.sigmoid(-1.0) == pytest.approx(0.2689414213699951, abs=1e-15)
    # σ(ln 3) = 1/(1 + 1/3) = 3/4;  σ′(ln 3) = 3/4 · 1/4 = 3/16
    assert act.sigmoid(math.log(3)) == pytest.approx(0.75, abs=1e-15)
    assert act.sigmoid_prime(math.log(3)) == pytest.approx(3 / 16, abs=1e-15)


def test_tanh_relu_elu_golden_values():
    assert act.tanh(0.0) == 0.0
    assert act.tanh_prime(0.0) == 1.0
    # tanh(ln 2) = (2 − 1/2)/(2 + 1/2) = 3/5;  tanh′(ln 2) = 1 − 9/25 = 16/25
    assert act.tanh(math.log(2)) == pytest.approx(0.6, abs=1e-15)
    assert act.tanh_prime(math.log(2)) == pytest.approx(0.64, abs=1e-15)
    np.testing.assert_array_equal(act.relu(np.array([-2.0, 0.0, 3.5])), [0.0, 0.0, 3.5])
    # the kink gets derivative 0 by convention
    np.testing.assert_array_equal(act.relu_prime(np.array([-2.0, 0.0, 3.5])), [0.0, 0.0, 1.0])
    # ELU(−1) = e^{−1} − 1 = −0.63212055882…;  ELU′(−1) = e^{−1} = 0.36787944117…
    assert act.elu(-1.0) == pytest.approx(-0.6321205588285577, abs=1e-15)
    assert act.elu_prime(-1.0) == pytest.approx(0.36787944117144233, abs=1e-15)
    # with α = 2: ELU(−ln 2) = 2 (1/2 − 1) = −1;  ELU′(−ln 2) = 2 · 1/2 = 1
    assert act.elu(-math.log(2), alpha=2.0) == pytest.approx(-1.0, abs=1e-15)
    assert act.elu_prime(-math.log(2), alpha=2.0) == pytest.approx(1.0, abs=1e-15)
    assert act.elu(2.5) == 2.5 and act.elu_prime(2.5) == 1.0


def test_softmax_golden_values():
    # e^1, e^2, e^3 over their sum 30.19287485…
    s = act.softmax(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(s, [0.09003057317038046, 0.24472847105479764, 0.6652409557748219],
                               rtol=0, atol=1e-15)
    np.testing.assert_array_equal(act.softmax(np.zeros(4)), np.full(4, 0.25))
    # log softmax of [1, 2, 3], last entry: 3 − log(e + e² + e³) = −0.40760596444…
    assert act.log_softmax(np.array([1.0, 2.0, 3.0]))[2] == pytest.approx(-0.4076059644443806, abs=1e-14)


# --------------------------------------------------------------------------------------------
# against the textbook formulas, written out here independently
# --------------------------------------------------------------------------------------------

def test_functions_match_textbook_formulas(rng):
    z = rng.uniform(-8, 8, size=(6, 5))
    np.testing.assert_allclose(act.sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-14)
    np.testing.assert_allclose(act.tanh(z), (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z)),
                               rtol=1e-12, atol=1e-15)
    # tanh(z) = 2σ(2z) − 1
    np.testing.assert_allclose(act.tanh(z), 2 * act.sigmoid(2 * z) - 1, atol=1e-14)
    np.testing.assert_array_equal(act.relu(z), np.where(z > 0, z, 0.0))
    np.testing.assert_allclose(act.elu(z, 0.7), np.where(z > 0, z, 0.7 * (np.exp(z) - 1)), atol=1e-15)
    e = np.exp(z)
    np.testing.assert_allclose(act.softmax(z), e / e.sum(axis=1, keepdims=True), rtol=1e-13)
    np.testing.assert_allclose(act.log_softmax(z), np.log(e / e.sum(axis=1, keepdims=True)),
                               rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "elu"])
def test_derivative_matches_central_difference(name, rng):
    f, f_prime = act.ACTIVATIONS[name]
    z = away_from_kinks(rng, (8, 7), scale=2.0)
    numeric = elementwise_derivative(f, z)
    assert rel_err(f_prime(z), numeric) < 1e-9


@pytest.mark.parametrize("alpha", [0.3, 1.0, 2.5])
def test_elu_prime_matches_central_difference_for_any_alpha(alpha, rng):
    z = away_from_kinks(rng, (50,), scale=2.0)
    numeric = elementwise_derivative(lambda u: act.elu(u, alpha), z)
    assert rel_err(act.elu_prime(z, alpha), numeric) < 1e-9


def test_derivative_bounds_from_chapter_02():
    z = np.linspace(-20, 20, 4001)  # includes 0
    sp = act.sigmoid_prime(z)
    tp = act.tanh_prime(z)
    assert sp.max() == 0.25 and sp[z == 0] == 0.25 and np.all(sp > 0)
    assert np.all(sp <= 0.25)
    assert np.all((tp > 0) | (np.abs(z) > 15)) and np.all(tp <= 1.0)
    assert tp[np.abs(z) > 0].max() < 1.0  # tanh′ = 1 only at z = 0
    assert tp[z == 0] == 1.0


@pytest.mark.parametrize("shape", [(5,), (3, 4)])
def test_softmax_jacobian_matches_numeric(shape, rng):
    z = rng.standard_normal(shape)
    J = act.softmax_jacobian(z)
    if z.ndim == 1:
        assert J.shape == (5, 5)
        assert rel_err(J, numeric_jacobian(act.softmax, z)) < 1e-9
    else:
        assert J.shape == (3, 4, 4)
        for n in range(z.shape[0]):
            assert rel_err(J[n], numeric_jacobian(act.softmax, z[n])) < 1e-9


def test_softmax_jacobian_formula_by_hand():
    # z = [0, 0]: s = [½, ½];  J = [[s0(1−s0), −s0 s1], [−s1 s0, s1(1−s1)]] = [[¼, −¼], [−¼, ¼]]
    np.testing.assert_allclose(act.softmax_jacobian(np.zeros(2)), [[0.25, -0.25], [-0.25, 0.25]],
                               atol=1e-16)


def test_softmax_vjp_matches_numeric_gradient(rng):
    z = rng.standard_normal((4, 6))
    G = rng.standard_normal((4, 6))
    s = act.softmax(z)

    def f(zz):  # f(z) = Σ G ⊙ softmax(z), whose gradient is the vector-Jacobian product
        return float(np.sum(G * act.softmax(zz)))

    assert rel_err(act.softmax_vjp(s, G), central_diff(f, z)) < 1e-9
    # and it equals Gᵀ J row by row, the long way
    J = act.softmax_jacobian(z)
    np.testing.assert_allclose(act.softmax_vjp(s, G), np.einsum("nj,njk->nk", G, J), atol=1e-14)


def test_log_softmax_matches_numeric_gradient(rng):
    z = rng.standard_normal(5)
    J = numeric_jacobian(act.log_softmax, z)
    # ∂ log s_j / ∂ z_k = δ_jk − s_k
    expected = np.eye(5) - act.softmax(z)[None, :]
    assert rel_err(J, expected) < 1e-9


# --------------------------------------------------------------------------------------------
# numerics: huge |z| must give the limits, never an overflow or NaN
# --------------------------------------------------------------------------------------------

HUGE = [1e4, 710.0, 1000.0, 1e308]


def exact(actual, expected):
    """Equal to the limit up to subnormal crumbs: e^{−710} ≈ 4.5e−309 is a correct answer, not 0."""
    actual = np.asarray(actual)
    assert np.all(np.isfinite(actual)), actual
    np.testing.assert_allclose(actual, expected, rtol=1e-15, atol=1e-300)


@pytest.mark.parametrize("big", HUGE)
def test_elementwise_functions_at_huge_inputs(big):
    z = np.array([-big, big])
    with np.errstate(**RAISE_ALL):
        exact(act.sigmoid(z), [0.0, 1.0])
        exact(act.sigmoid_prime(z), [0.0, 0.0])
        exact(act.tanh(z), [-1.0, 1.0])
        exact(act.tanh_prime(z), [0.0, 0.0])
        exact(act.relu(z), [0.0, big])
        exact(act.relu_prime(z), [0.0, 1.0])
        exact(act.elu(z), [-1.0, big])
        exact(act.elu(z, alpha=0.5), [-0.5, big])
        exact(act.elu_prime(z), [0.0, 1.0])


def test_sigmoid_minus_1000_is_zero_not_nan():
    with np.errstate(**RAISE_ALL):
        assert act.sigmoid(-1000.0) == 0.0
        assert act.sigmoid(np.array([-1000.0]))[0] == 0.0


def test_sigmoid_is_accurate_in_the_far_tail():
    # σ(−30) = e^{−30}/(1+e^{−30}); the naive 1 − σ(30) would give 0 or lose all digits
    assert act.sigmoid(-30.0) == pytest.approx(math.exp(-30) / (1 + math.exp(-30)), rel=1e-14)
    assert act.sigmoid(-700.0) == pytest.approx(math.exp(-700), rel=1e-12)


@pytest.mark.parametrize("big", HUGE)
def test_softmax_at_huge_inputs(big):
    with np.errstate(**RAISE_ALL):
        exact(act.softmax(np.array([big, 0.0])), [1.0, 0.0])
        exact(act.softmax(np.array([[0.0, -big], [big, big]])),
                                      [[1.0, 0.0], [0.5, 0.5]])
        ls = act.log_softmax(np.array([big, 0.0]))
        exact(ls, [0.0, -big])
        J = act.softmax_jacobian(np.array([big, 0.0]))
        exact(J, np.zeros((2, 2)))


def test_softmax_of_1000_and_0():
    with np.errstate(**RAISE_ALL):
        np.testing.assert_array_equal(act.softmax(np.array([1000.0, 0.0])), [1.0, 0.0])


def test_softmax_is_shift_invariant(rng):
    z = rng.standard_normal((3, 5))
    np.testing.assert_allclose(act.softmax(z + 500.0), act.softmax(z), rtol=1e-12)
    s = act.softmax(z)
    np.testing.assert_allclose(s.sum(axis=1), 1.0, rtol=1e-15)
    assert np.all(s > 0)


# --------------------------------------------------------------------------------------------
# invariants
# --------------------------------------------------------------------------------------------

ALL_FUNCS = [act.sigmoid, act.sigmoid_prime, act.tanh, act.tanh_prime, act.relu, act.relu_prime,
             act.elu, act.elu_prime, act.softmax, act.log_softmax, act.softmax_jacobian]


@pytest.mark.parametrize("f", ALL_FUNCS, ids=lambda f: f.__name__)
def test_input_never_modified_and_output_is_new(f, rng):
    z = rng.standard_normal((4, 3))
    before = z.copy()
    out = f(z)
    np.testing.assert_array_equal(z, before)
    assert not np.shares_memory(out, z)


def test_softmax_vjp_does_not_modify_its_inputs(rng):
    s = act.softmax(rng.standard_normal((3, 4)))
    G = rng.standard_normal((3, 4))
    s0, G0 = s.copy(), G.copy()
    act.softmax_vjp(s, G)
    np.testing.assert_array_equal(s, s0)
    np.testing.assert_array_equal(G, G0)


@pytest.mark.parametrize("f", ALL_FUNCS, ids=lambda f: f.__name__)
def test_float32_in_float32_out(f, rng):
    z = rng.standard_normal((4, 3)).astype(np.float32)
    assert f(z).dtype == np.float32


@pytest.mark.parametrize("f", ALL_FUNCS, ids=lambda f: f.__name__)
def test_lists_and_ints_are_accepted_as_float64(f):
    out = f([[0, 1, -2]])
    assert out.dtype == np.float64


def test_activation_table_names():
    assert set(act.ACTIVATIONS) == {"sigmoid", "tanh", "relu", "elu"}
    assert act.ACTIVATIONS["sigmoid"] == (act.sigmoid, act.sigmoid_prime)
    assert nl.activations is act
