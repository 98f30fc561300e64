"""nnlab.neuron: z = w·a + b, the bias as a weight on a constant 1, AND/OR yes, XOR no.

Chapter 01.
"""

import itertools
import math

import numpy as np
import pytest

import nnlab as nl
from nnlab.neuron import Neuron, absorb_bias, with_bias_input

INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
AND = np.array([0.0, 0.0, 0.0, 1.0])
OR = np.array([0.0, 1.0, 1.0, 1.0])
XOR = np.array([0.0, 1.0, 1.0, 0.0])


@pytest.fixture
def rng():
    return np.random.default_rng(1)


def test_weighted_input_by_hand():
    # z = 0.5·2 + (−1)·1 + 0.25 = 1 − 1 + 0.25 = 0.25;  σ(0.25) = 1/(1 + e^{−0.25}) = 0.56217650…
    n = Neuron([0.5, -1.0], 0.25)
    z = n.z([2.0, 1.0])
    assert isinstance(z, float) and z == 0.25
    out = n([2.0, 1.0])
    assert isinstance(out, float)
    assert out == pytest.approx(1 / (1 + math.exp(-0.25)), abs=1e-15)
    assert out == pytest.approx(0.5621765008857981, abs=1e-15)
    assert n.forward([2.0, 1.0]) == out


def test_batch_form(rng):
    w, b = rng.standard_normal(3), 0.7
    A = rng.standard_normal((5, 3))
    n = Neuron(w, b, activation="tanh")
    z = n.z(A)
    assert z.shape == (5,)
    for i in range(5):
        assert z[i] == pytest.approx(sum(w[k] * A[i, k] for k in range(3)) + b, rel=1e-14)
    np.testing.assert_allclose(n(A), np.tanh(z), rtol=1e-15)


@pytest.mark.parametrize("activation,f", [
    ("sigmoid", lambda z: 1 / (1 + math.exp(-z))), ("tanh", math.tanh), ("relu", lambda z: max(z, 0.0)),
    ("elu", lambda z: z if z > 0 else math.exp(z) - 1), ("step", lambda z: 1.0 if z > 0 else 0.0)])
def test_each_activation(activation, f):
    n = Neuron([1.0, -2.0], 0.5, activation=activation)
    for a in ([1.0, 1.0], [0.0, 0.0], [3.0, 0.25]):
        z = a[0] - 2 * a[1] + 0.5
        assert n(a) == pytest.approx(f(z), abs=1e-15)


def test_step_at_exactly_zero_is_zero():
    assert Neuron([1.0], 0.0, activation="step")([0.0]) == 0.0


def test_bias_is_a_weight_on_a_constant_one_by_hand():
    # w′ = (w₁, w₂, b) = (2, −3, 0.5),  a′ = (a₁, a₂, 1) = (1, 4, 1):  w′·a′ = 2 − 12 + 0.5 = −9.5
    np.testing.assert_array_equal(absorb_bias([2.0, -3.0], 0.5), [2.0, -3.0, 0.5])
    np.testing.assert_array_equal(with_bias_input([1.0, 4.0]), [1.0, 4.0, 1.0])
    assert absorb_bias([2.0, -3.0], 0.5) @ with_bias_input([1.0, 4.0]) == -9.5
    assert Neuron([2.0, -3.0], 0.5).z([1.0, 4.0]) == -9.5


def test_bias_as_weight_equivalence_random(rng):
    for n_in in (1, 3, 10):
        w, b = rng.standard_normal(n_in), float(rng.standard_normal())
        a = rng.standard_normal(n_in)
        assert Neuron(w, b).z(a) == pytest.approx(float(absorb_bias(w, b) @ with_bias_input(a)), rel=1e-13, abs=1e-15)
        A = rng.standard_normal((6, n_in))
        Ab = with_bias_input(A)
        assert Ab.shape == (6, n_in + 1)
        np.testing.assert_array_equal(Ab[:, -1], np.ones(6))
        np.testing.assert_allclose(Neuron(w, b).z(A), Ab @ absorb_bias(w, b), rtol=1e-13, atol=1e-15)


def test_with_bias_input_does_not_modify_its_input():
    a = np.array([[1.0, 2.0]])
    with_bias_input(a)
    np.testing.assert_array_equal(a, [[1.0, 2.0]])
    assert with_bias_input(np.array([1, 2])).dtype == np.float64


def test_neuron_copies_its_weights():
    w = np.array([1.0, 2.0])
    n = Neuron(w, 0.0)
    w[0] = 100.0
    assert n.z([1.0, 0.0]) == 1.0


# --------------------------------------------------------------------------------------------
# logic gates: a neuron is a linear classifier
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("gate,w,b", [(AND, [1.0, 1.0], -1.5), (OR, [1.0, 1.0], -0.5)], ids=["AND", "OR"])
def test_and_or_with_a_step_neuron(gate, w, b):
    n = Neuron(w, b, activation="step")
    np.testing.assert_array_equal(n(INPUTS), gate)
    assert [n(a) for a in INPUTS] == list(gate)


@pytest.mark.parametrize("gate,w,b", [(AND, [20.0, 20.0], -30.0), (OR, [20.0, 20.0], -10.0)], ids=["AND", "OR"])
def test_and_or_with_a_sigmoid_neuron(gate, w, b):
    # z ∈ {−30, −10, 10} for AND, {−10, 10, 30} for OR: σ is within e^{−10} ≈ 4.5e−5 of 0 or 1
    out = Neuron(w, b)(INPUTS)
    np.testing.assert_allclose(out, gate, atol=1e-4)
    np.testing.assert_array_equal(out > 0.5, gate == 1)


def test_xor_is_not_realisable_by_one_neuron():
    """Brute force: no (w₁, w₂, b) on a grid of 41³ = 68 921 points gives XOR.

    The same search does find AND and OR, so the search itself works.
    """
    grid = np.linspace(-2.0, 2.0, 41)
    W1, W2, B = np.meshgrid(grid, grid, grid, indexing="ij")
    w = np.stack([W1.ravel(), W2.ravel()], axis=1)        # (P, 2)
    b = B.ravel()                                          # (P,)
    outputs = (INPUTS @ w.T + b > 0).astype(float).T       # (P, 4): the step neuron on all 4 inputs
    assert not np.any(np.all(outputs == XOR, axis=1))
    assert np.any(np.all(outputs == AND, axis=1))
    assert np.any(np.all(outputs == OR, axis=1))
    # and the sigmoid neuron with the AND weights of widest margin classifies the same way
    Z = INPUTS @ w.T + b                                    # (4, P)
    candidates = np.flatnonzero(np.all(outputs == AND, axis=1))
    i = candidates[np.argmax(np.abs(Z[:, candidates]).min(axis=0))]
    assert np.abs(Z[:, i]).min() >= 0.4
    n = Neuron(w[i], b[i])
    np.testing.assert_array_equal(np.asarray(n(INPUTS)) > 0.5, AND == 1)


def test_xor_needs_a_hidden_layer():
    # XOR(a) = AND(OR(a), NAND(a)): two neurons feeding a third
    or_n = Neuron([1.0, 1.0], -0.5, activation="step")
    nand_n = Neuron([-1.0, -1.0], 1.5, activation="step")
    and_n = Neuron([1.0, 1.0], -1.5, activation="step")
    hidden = np.stack([or_n(INPUTS), nand_n(INPUTS)], axis=1)
    np.testing.assert_array_equal(and_n(hidden), XOR)


def test_a_neuron_is_a_linear_classifier(rng):
    # σ(z) > 1/2 exactly when z > 0: the decision boundary is the line w·a + b = 0
    n = Neuron([1.5, -0.5], 0.2)
    A = rng.uniform(-3, 3, size=(500, 2))
    np.testing.assert_array_equal(n(A) > 0.5, A @ np.array([1.5, -0.5]) + 0.2 > 0)


def test_repr_and_module_export():
    assert repr(Neuron([1.0, 2.0], 0.5, "relu")) == "Neuron(w=[1. 2.], b=0.5, activation='relu')"
    assert nl.Neuron is Neuron
    for combo in itertools.product([0.0, 1.0], repeat=2):
        assert Neuron([0.0, 0.0], 0.0)(list(combo)) == 0.5
