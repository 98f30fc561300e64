"""Activation layers: a = σ(z) applied elementwise, and its backward pass ∂C/∂z = ∂C/∂a ⊙ σ′(z).

Each layer caches its output a (and z where σ′ needs it) so that backward costs one elementwise pass.

Chapter 02 (the functions), chapter 07 (their backward passes).
"""

from __future__ import annotations

import numpy as np

from ._validate import check_float
from .activations import softmax_vjp
from .layer import Layer


class Sigmoid(Layer):
    """a = σ(z) = 1 / (1 + e^{−z});  backward: ∂C/∂z = ∂C/∂a ⊙ a (1 − a).  Chapter 02."""

    def _forward(self, z):
        e = np.exp(-np.abs(z))
        a = 1.0 / (1.0 + e)
        np.multiply(e, a, out=e)                       # e^{−|z|}/(1+e^{−|z|}) = σ(z) for z < 0
        np.copyto(a, e, where=z < 0)
        self._a = a
        return a

    def _backward(self, dC_da, input_grad=True):
        a = self._a
        return dC_da * (a * (1.0 - a))


class Tanh(Layer):
    """a = tanh(z);  backward: ∂C/∂z = ∂C/∂a ⊙ (1 − a²).  Chapter 02."""

    def _forward(self, z):
        self._a = np.tanh(z)
        return self._a

    def _backward(self, dC_da, input_grad=True):
        a = self._a
        return dC_da * (1.0 - a * a)


class ReLU(Layer):
    """a = max(z, 0);  backward: ∂C/∂z = ∂C/∂a ⊙ [z > 0] (0 at the kink).  Chapter 02."""

    def _forward(self, z):
        self._a = np.maximum(z, 0.0)
        return self._a

    def _backward(self, dC_da, input_grad=True):
        return dC_da * (self._a > 0)


class ELU(Layer):
    """a = z for z > 0, α (e^z − 1) otherwise;  backward: ∂C/∂z = ∂C/∂a ⊙ (1 if z > 0 else a + α).

    Chapter 02.
    """

    def __init__(self, alpha: float = 1.0):
        super().__init__()
        self.alpha = check_float(alpha, f"ELU(alpha={alpha!r})", "alpha", low=0.0, low_open=True)

    def _forward(self, z):
        self._positive = z > 0
        self._a = np.where(self._positive, z, self.alpha * np.expm1(np.minimum(z, 0.0)))
        return self._a

    def _backward(self, dC_da, input_grad=True):
        return dC_da * np.where(self._positive, 1.0, self._a + self.alpha)

    def __repr__(self):
        return f"ELU(alpha={self.alpha})"


class Softmax(Layer):
    """s = softmax(z) row by row;  backward: ∂C/∂z_k = s_k (∂C/∂s_k − Σ_j ∂C/∂s_j s_j).

    For classification, prefer a plain output layer with SoftmaxCrossEntropy, which fuses the two
    and is more accurate. Chapter 02, 04.
    """

    def _forward(self, z):
        e = np.exp(z - z.max(axis=1, keepdims=True))
        e /= e.sum(axis=1, keepdims=True)
        self._s = e
        return e

    def _backward(self, dC_ds, input_grad=True):
        return softmax_vjp(self._s, dC_ds)


#: Activation layer by name, for widgets, checks and model builders.
ACTIVATION_LAYERS = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU, "elu": ELU, "softmax": Softmax}
