"""A single neuron: a weighted sum of its inputs plus a bias, passed through an activation.

    z = Σ_k w_k a_k + b = w · a + b,        a_out = σ(z)

The bias is a weight on an input that is always 1: append 1 to the inputs and b to the weights,
and z = w′ · a′ gives the same number (chapter 01 shows both ways agree).

Chapter 01.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_float_array, check_choice, fail, shape_text
from .activations import ACTIVATIONS

STEP = "step"


def _step(z):
    return (z > 0).astype(np.float64)


def with_bias_input(a) -> np.ndarray:
    """Append the constant input 1: a : (n,) → (n+1,), or a batch (N, n) → (N, n+1).  Chapter 01."""
    a = as_float_array(a, "nnlab.neuron.with_bias_input", "a")
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
