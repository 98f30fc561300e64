"""A single neuron: a weighted sum of its inputs plus a bias, passed through an activation.

    z = Σ_k w_k a_k + b = w · a + b,        a_out = σ(z)

The bias is a weight on an input that is always 1: append 1 to the inputs and b to the weights,
and z = w′ · a′ gives the same number (chapter 01 shows both ways agree).

`train_perceptron` is Rosenblatt's learning rule for a step neuron: it finds a separating line
whenever one exists, and never settles when none does (XOR).

Chapter 01.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_float_array, check_choice, check_float, check_int, check_rng, fail, shape_text
from .activations import ACTIVATIONS

STEP = "step"


def _step(z):
    return (z > 0).astype(np.float64)


def with_bias_input(a) -> np.ndarray:
    """Append the constant input 1: a : (n,) → (n+1,), or a batch (N, n) → (N, n+1).  Chapter 01."""
    a = as_float_array(a, "nnlab.neuron.with_bias_input", "a")
    if a.ndim == 0:
        fail("nnlab.neuron.with_bias_input", "a must be a vector (n,) or a batch (N, n)", "a single number",
             "wrap it: with_bias_input([a]).")
    ones = np.ones(a.shape[:-1] + (1,), dtype=a.dtype)
    return np.concatenate([a, ones], axis=-1)


def absorb_bias(w, b) -> np.ndarray:
    """The weights with the bias as one more weight: (w_1, …, w_n, b), shape (n+1,).  Chapter 01."""
    w = as_float_array(w, "nnlab.neuron.absorb_bias", "w", ndim=1)
    b = as_float_array(b, "nnlab.neuron.absorb_bias", "b", ndim=0)
    return np.append(w, b)


class Neuron:
    """One neuron with weights w (n,), bias b and activation σ.

    z = w · a + b,  output = σ(z).  For a batch A : (N, n):  z = A @ w + b, shape (N,).

    Parameters
    ----------
    w : array (n,)
    b : float
    activation : {"sigmoid", "tanh", "relu", "elu", "step"}
        "step" is the perceptron's threshold: 1 if z > 0 else 0.

    Chapter 01.
    """

    def __init__(self, w, b: float = 0.0, activation: str = "sigmoid"):
        where = "Neuron"
        self.w = as_float_array(w, where, "w", ndim=1).copy()
        self.b = float(as_float_array(b, where, "b", ndim=0))
        self.activation = check_choice(activation, where, "activation", tuple(ACTIVATIONS) + (STEP,))

    @property
    def sigma(self):
        return _step if self.activation == STEP else ACTIVATIONS[self.activation][0]

    def _inputs(self, a, where):
        a = as_float_array(a, where, "a")
        if a.ndim not in (1, 2) or a.shape[-1] != self.w.size:
            fail(where, f"a must have shape ({self.w.size},) or (N, {self.w.size})",
                 f"shape {shape_text(a.shape)}", "one input per weight.")
        return a

    def z(self, a) -> np.ndarray | float:
        """The weighted input z = w · a + b (a float for one input vector, (N,) for a batch)."""
        a = self._inputs(a, "Neuron.z")
        z = a @ self.w + self.b
        return float(z) if a.ndim == 1 else z

    def __call__(self, a):
        """The output σ(w · a + b)."""
        z = self.z(a)
        out = self.sigma(np.asarray(z, dtype=np.float64))
        return float(out) if np.ndim(z) == 0 else out

    forward = __call__

    def __repr__(self):
        return f"Neuron(w={np.array2string(self.w, precision=4)}, b={self.b:.4g}, activation={self.activation!r})"


def train_perceptron(X, y, *, epochs: int = 100, lr: float = 1.0, w=None, b: float = 0.0,
                     rng: np.random.Generator | None = None) -> tuple[Neuron, list[int]]:
    """Rosenblatt's perceptron rule: learn a step neuron that outputs y from X.

    For each example x (in order, or shuffled each epoch when `rng` is given):
        ŷ = step(w · x + b)            (1 if w · x + b > 0 else 0)
        w ← w + η (y − ŷ) x,   b ← b + η (y − ŷ)
    A correct answer changes nothing; a mistake moves the line towards the misclassified point.
    Training stops after the first epoch without a mistake, or after `epochs` epochs.

    Parameters
    ----------
    X : array (N, n)
    y : array (N,) of 0/1 labels
    epochs : int
        Maximum number of passes over the data.
    lr : float
        η > 0. With w and b starting at 0 it only scales the weights, not the mistakes made.
    w, b : initial weights (n,) (default zeros) and bias.
    rng : np.random.Generator or None
        Shuffles the order of the examples each epoch; None keeps the given order.

    Returns
    -------
    neuron : Neuron
        A new neuron with activation "step" and the learned w, b.
    mistakes : list of int
        The number of mistakes made during each epoch; its last entry is 0 iff training converged.

    Chapter 01.
    """
    where = "nnlab.neuron.train_perceptron"
    X = as_float_array(X, where, "X", ndim=2)
    y = as_float_array(y, where, "y", ndim=1)
    if y.shape[0] != X.shape[0]:
        fail(where, f"y must have one label per row of X, shape ({X.shape[0]},)", f"shape {shape_text(y.shape)}")
    if not np.all((y == 0) | (y == 1)):
        fail(where, "y must hold the labels 0 and 1", f"values {np.unique(y)[:5]}",
             "the step neuron outputs 0 or 1; relabel the classes as 0 and 1.")
    epochs = check_int(epochs, where, "epochs")
    lr = check_float(lr, where, "lr", low=0.0, low_open=True)
    if rng is not None:
        check_rng(rng, where)
    w = np.zeros(X.shape[1]) if w is None else as_float_array(w, where, "w", ndim=1).astype(np.float64)
    if w.shape[0] != X.shape[1]:
        fail(where, f"w must have one weight per column of X, shape ({X.shape[1]},)", f"shape {shape_text(w.shape)}")
    w = w.copy()
    b = float(check_float(b, where, "b"))
    mistakes = []
    for _ in range(epochs):
        order = np.arange(X.shape[0]) if rng is None else rng.permutation(X.shape[0])
        wrong = 0
        for i in order:
            y_hat = 1.0 if X[i] @ w + b > 0 else 0.0
            if y_hat != y[i]:
                w += lr * (y[i] - y_hat) * X[i]
                b += lr * (y[i] - y_hat)
                wrong += 1
        mistakes.append(wrong)
        if wrong == 0:
            break
    return Neuron(w, b, activation=STEP), mistakes
