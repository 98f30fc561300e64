"""nnlab.losses: golden values, backward against central differences, numerics, invariants.

Chapter 04.
"""

import math

import numpy as np
import pytest

import nnlab as nl
from helpers import central_diff, rel_err

RAISE_ALL = dict(over="raise", invalid="raise", divide="raise")


@pytest.fixture
def rng():
    return np.random.default_rng(404)


# --------------------------------------------------------------------------------------------
# golden values
# --------------------------------------------------------------------------------------------

def test_cross_entropy_golden_value():
    # C = −log s_2 = log(e¹ + e² + e³) − 3 = log(30.19287485…) − 3 = 0.40760596444…
    loss = nl.SoftmaxCrossEntropy()
    C = loss.forward(np.array([[1.0, 2.0, 3.0]]), np.array([2]))
    assert isinstance(C, float)
    assert C == pytest.approx(math.log(math.e + math.e ** 2 + math.e ** 3) - 3, abs=1e-15)
    assert C == pytest.approx(0.40760596, abs=1e-8)
    # ∂C/∂z = s − onehot(2) = [0.0900306, 0.2447285, 0.6652410 − 1]
    np.testing.assert_allclose(loss.backward(),
                               [[0.09003057317038046, 0.24472847105479764, 0.6652409557748219 - 1.0]],
                               rtol=0, atol=1e-15)


def test_cross_entropy_uniform_logits_is_log_K():
    # equal logits: s_y = 1/K, C = log K for any label
    C = nl.SoftmaxCrossEntropy().forward(np.zeros((3, 4)), np.array([0, 1, 3]))
    assert C == pytest.approx(math.log(4), abs=1e-15)


def test_squared_error_golden_value():
    # example 1: ½((1−0)² + (2−4)²) = ½(1 + 4) = 2.5;  example 2: ½((0−0)² + (3−2)²) = 0.5
    # mean over N = 2: (2.5 + 0.5) / 2 = 1.5
    loss = nl.SquaredError()
    a = np.array([[1.0, 2.0], [0.0, 3.0]])
    y = np.array([[0.0, 4.0], [0.0, 2.0]])
    assert loss.forward(a, y) == 1.5
    # ∂C/∂a = (a − y)/N = [[1, −2], [0, 1]] / 2
    np.testing.assert_array_equal(loss.backward(), [[0.5, -1.0], [0.0, 0.5]])


def test_squared_error_is_zero_iff_identical(rng):
    a = rng.standard_normal((4, 3))
    assert nl.SquaredError().forward(a, a.copy()) == 0.0
    b = a.copy()
    b[2, 1] += 1e-3
    assert nl.SquaredError().forward(a, b) > 0.0
    # and it penalises large differences more than proportionally: doubling a gap quadruples C
    gap = np.zeros((1, 3))
    c1 = nl.SquaredError().forward(gap + 1.0, gap)
    c2 = nl.SquaredError().forward(gap + 2.0, gap)
    assert c2 == 4 * c1


@pytest.mark.parametrize("make", [nl.SquaredError, nl.SoftmaxCrossEntropy])
def test_both_losses_are_means_over_the_batch(make, rng):
    z = rng.standard_normal((1, 5))
    y = rng.standard_normal((1, 5)) if make is nl.SquaredError else np.array([3])
    loss = make()
    C1 = loss.forward(z, y)
    g1 = loss.backward()
    zz, yy = np.repeat(z, 4, axis=0), np.repeat(y, 4, axis=0)
    C4 = loss.forward(zz, yy)
    g4 = loss.backward()
    assert C4 == pytest.approx(C1, rel=1e-14)
    np.testing.assert_allclose(g4, np.repeat(g1, 4, axis=0) / 4, rtol=1e-14)


def test_cross_entropy_matches_direct_formula(rng):
    z = rng.standard_normal((7, 5))
    y = rng.integers(0, 5, size=7)
    s = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    expected = -np.mean(np.log(s[np.arange(7), y]))
    loss = nl.SoftmaxCrossEntropy()
    assert loss.forward(z, y) == pytest.approx(expected, rel=1e-13)
    np.testing.assert_allclose(loss.probabilities(), s, rtol=1e-13)


def test_integer_valued_float_labels_are_the_same_labels(rng):
    z = rng.standard_normal((3, 4))
    a = nl.SoftmaxCrossEntropy().forward(z, np.array([0, 3, 1]))
    b = nl.SoftmaxCrossEntropy().forward(z, np.array([0.0, 3.0, 1.0]))
    c = nl.SoftmaxCrossEntropy().forward(z, [0, 3, 1])
    assert a == b == c


def test_call_is_forward(rng):
    z, y = rng.standard_normal((3, 4)), np.array([0, 1, 2])
    assert nl.SoftmaxCrossEntropy()(z, y) == nl.SoftmaxCrossEntropy().forward(z, y)


# --------------------------------------------------------------------------------------------
# backward against central differences (float64, independent of nnlab.gradcheck)
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(1, 1), (1, 4), (6, 3)])
def test_squared_error_backward_matches_numeric(shape, rng):
    a = rng.standard_normal(shape)
    y = rng.standard_normal(shape)
    loss = nl.SquaredError()
    loss.forward(a, y)
    analytic = loss.backward()
    numeric = central_diff(lambda aa: nl.SquaredError().forward(aa, y), a)
    assert rel_err(analytic, numeric) < 1e-9


@pytest.mark.parametrize("N,K", [(1, 2), (5, 3), (8, 10)])
def test_cross_entropy_backward_matches_numeric(N, K, rng):
    z = 3 * rng.standard_normal((N, K))
    y = rng.integers(0, K, size=N)
    loss = nl.SoftmaxCrossEntropy()
    loss.forward(z, y)
    analytic = loss.backward()
    numeric = central_diff(lambda zz: nl.SoftmaxCrossEntropy().forward(zz, y), z)
    assert rel_err(analytic, numeric) < 1e-9
    # every row of ∂C/∂z sums to 0 (softmax sums to 1, onehot sums to 1)
    np.testing.assert_allclose(analytic.sum(axis=1), 0.0, atol=1e-16)


# --------------------------------------------------------------------------------------------
# numerics
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("big", [1e4, 710.0, 1000.0, 1e308])
def test_cross_entropy_huge_logits(big):
    z = np.array([[big, 0.0, 0.0]])
    with np.errstate(**RAISE_ALL):
        right = nl.SoftmaxCrossEntropy()
        C_right = right.forward(z, np.array([0]))
        g_right = right.backward()
        wrong = nl.SoftmaxCrossEntropy()
        C_wrong = wrong.forward(z, np.array([1]))
        g_wrong = wrong.backward()
    # huge correct logit: s_y = 1 − 2e^{−big} → C ≈ 2e^{−big} ≈ 0
    assert C_right == pytest.approx(0.0, abs=1e-300) and C_right >= 0.0
    np.testing.assert_allclose(g_right, [[0.0, 0.0, 0.0]], atol=1e-300)
    # huge wrong logit: C ≈ the logit gap, big − 0
    assert C_wrong == pytest.approx(big, rel=1e-15)
    np.testing.assert_allclose(g_wrong, [[1.0, -1.0, 0.0]], atol=1e-300)


def test_cross_entropy_huge_negative_logits_on_the_wrong_class():
    z = np.array([[0.0, -1e4]])
    with np.errstate(**RAISE_ALL):
        assert nl.SoftmaxCrossEntropy().forward(z, np.array([1])) == pytest.approx(1e4, rel=1e-15)
        assert nl.SoftmaxCrossEntropy().forward(z, np.array([0])) == 0.0


def test_squared_error_large_values_are_exact():
    with np.errstate(**RAISE_ALL):
        assert nl.SquaredError().forward(np.array([[1e4, -1e4]]), np.zeros((1, 2))) == 1e8


# --------------------------------------------------------------------------------------------
# invariants
# --------------------------------------------------------------------------------------------

def test_losses_do_not_modify_their_inputs(rng):
    a = rng.standard_normal((4, 3))
    t = rng.standard_normal((4, 3))
    y = np.array([2, 0, 1, 1])
    a0, t0, y0 = a.copy(), t.copy(), y.copy()
    for loss, target in [(nl.SquaredError(), t), (nl.SoftmaxCrossEntropy(), y)]:
        loss.forward(a, target)
        g = loss.backward()
        assert not np.shares_memory(g, a)
        np.testing.assert_array_equal(a, a0)
        np.testing.assert_array_equal(t, t0)
        np.testing.assert_array_equal(y, y0)


@pytest.mark.parametrize("make", [nl.SquaredError, nl.SoftmaxCrossEntropy])
def test_backward_returns_a_fresh_array_each_time(make, rng):
    z = rng.standard_normal((3, 4))
    y = rng.standard_normal((3, 4)) if make is nl.SquaredError else np.array([0, 1, 2])
    loss = make()
    loss.forward(z, y)
    g1 = loss.backward()
    expected = g1.copy()
    g1[...] = 123.0  # the caller scribbles on it
    np.testing.assert_array_equal(loss.backward(), expected)


def test_probabilities_is_a_copy(rng):
    loss = nl.SoftmaxCrossEntropy()
    loss.forward(rng.standard_normal((2, 3)), np.array([0, 2]))
    p = loss.probabilities()
    g = loss.backward()
    p[...] = 0.0
    np.testing.assert_array_equal(loss.backward(), g)
    np.testing.assert_allclose(loss.probabilities().sum(axis=1), 1.0, rtol=1e-15)


@pytest.mark.parametrize("make", [nl.SquaredError, nl.SoftmaxCrossEntropy])
def test_backward_before_forward_raises(make):
    with pytest.raises(RuntimeError, match=rf"{make.__name__}\.backward: forward must run first"):
        make().backward()


def test_float32_outputs_give_float32_gradients(rng):
    z = rng.standard_normal((3, 4)).astype(np.float32)
    loss = nl.SoftmaxCrossEntropy()
    loss.forward(z, np.array([0, 1, 3]))
    assert loss.backward().dtype == np.float32
    loss = nl.SquaredError()
    loss.forward(z, np.zeros((3, 4)))  # float64 targets follow the output's dtype
    assert loss.backward().dtype == np.float32


def test_repr():
    assert repr(nl.SquaredError()) == "SquaredError()"
    assert repr(nl.SoftmaxCrossEntropy()) == "SoftmaxCrossEntropy()"
