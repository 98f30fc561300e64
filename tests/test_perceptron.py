"""nnlab.neuron.train_perceptron: Rosenblatt's rule, step by step, and its limits.  Chapter 01."""

import numpy as np
import pytest

import nnlab as nl
from nnlab.neuron import train_perceptron

X_GATE = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def test_hand_worked_steps_on_and():
    # epoch 1 from w = 0, b = 0: only (1,1) is wrong (ŷ = 0, y = 1) → w = (1, 1), b = 1.
    neuron, mistakes = train_perceptron(X_GATE, [0, 0, 0, 1], epochs=1)
    np.testing.assert_array_equal(neuron.w, [1.0, 1.0])
    assert neuron.b == 1.0 and mistakes == [1]
    assert neuron.activation == "step"


def test_converges_on_separable_gates_and_stops():
    for y in ([0, 0, 0, 1], [0, 1, 1, 1], [1, 1, 1, 0]):
        neuron, mistakes = train_perceptron(X_GATE, y, epochs=100)
        assert mistakes[-1] == 0 and len(mistakes) < 100
        np.testing.assert_array_equal(neuron(X_GATE), y)


def test_never_converges_on_xor():
    neuron, mistakes = train_perceptron(X_GATE, [0, 1, 1, 0], epochs=30)
    assert len(mistakes) == 30 and min(mistakes) >= 1


def test_learning_rate_scales_weights_from_zero():
    n1, m1 = train_perceptron(X_GATE, [0, 0, 0, 1], lr=1.0)
    n2, m2 = train_perceptron(X_GATE, [0, 0, 0, 1], lr=0.25)
    assert m1 == m2
    np.testing.assert_allclose(n2.w, 0.25 * n1.w)
    assert n2.b == pytest.approx(0.25 * n1.b)


def test_shuffling_with_rng_is_reproducible_and_inputs_untouched():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(-2, 0.5, (20, 3)), rng.normal(2, 0.5, (20, 3))])
    y = np.repeat([0, 1], 20)
    X0, w0 = X.copy(), np.array([0.1, 0.0, -0.1])
    a = train_perceptron(X, y, rng=np.random.default_rng(5), w=w0)
    b = train_perceptron(X, y, rng=np.random.default_rng(5), w=w0)
    np.testing.assert_array_equal(a[0].w, b[0].w)
    assert a[1] == b[1] and a[1][-1] == 0
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(w0, [0.1, 0.0, -0.1])


@pytest.mark.parametrize("kwargs,match", [
    (dict(X=X_GATE, y=[0, 1, 2, 1]), "labels 0 and 1"),
    (dict(X=X_GATE, y=[0, 1]), "one label per row"),
    (dict(X=X_GATE[0], y=[0]), "2-D"),
    (dict(X=X_GATE, y=[0, 1, 1, 0], lr=0.0), "lr"),
    (dict(X=X_GATE, y=[0, 1, 1, 0], w=[1.0]), "one weight per column"),
])
def test_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        train_perceptron(**kwargs)


def test_rng_must_be_a_generator():
    with pytest.raises(TypeError, match="Generator"):
        train_perceptron(X_GATE, [0, 0, 0, 1], rng=0)


def test_exported_from_the_neuron_module():
    assert nl.neuron.train_perceptron is train_perceptron
