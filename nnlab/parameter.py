"""A learnable array and its gradient, kept together (as in micrograd's Value).

Chapter 05 (gradient descent) and chapter 07 (backpropagation).
"""

from __future__ import annotations

import numpy as np


class Parameter:
    """A learnable array `data` with the gradient ∂C/∂data in `grad` (same shape and dtype).

    `backward` passes *accumulate* into `grad` (two backward calls add up); `zero_grad()` resets it
    to zeros. Zeroing is free: the next accumulation simply overwrites, so a training step costs no
    extra pass over the weights.

    Attributes
    ----------
    data : ndarray
        The values, updated in place by the optimizers.
    grad : ndarray
        ∂C/∂data, the same shape as `data`.
    name : str
        For reports, e.g. ``"Dense(64, 10).W"``.

    Chapter 05.
    """

    __slots__ = ("data", "_grad", "_grad_is_zero", "name")

    def __init__(self, data: np.ndarray, name: str = ""):
        self.data = data
        self._grad = np.zeros_like(data)
        self._grad_is_zero = True
        self.name = name

    @property
    def grad(self) -> np.ndarray:
        """∂C/∂data accumulated since the last `zero_grad()`."""
        if self._grad_is_zero:
            self._grad.fill(0)
            self._grad_is_zero = False
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        value = np.asarray(value, dtype=self.data.dtype)
        if value.shape != self.data.shape:
            raise ValueError(f"Parameter {self.name!r}.grad: must have shape {self.data.shape}, "
                             f"got shape {value.shape}.")
        self._grad[...] = value
        self._grad_is_zero = False

    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def size(self) -> int:
        return self.data.size

    def zero_grad(self) -> None:
        """Reset the gradient to zero before the next backward pass."""
        self._grad_is_zero = True

    def accumulate(self, contribution: np.ndarray) -> None:
        """grad += contribution (or grad = contribution right after `zero_grad()`)."""
        if self._grad_is_zero:
            np.copyto(self._grad, contribution)
            self._grad_is_zero = False
        else:
            self._grad += contribution

    def accumulate_matmul(self, A: np.ndarray, B: np.ndarray) -> None:
        """grad += A @ B, writing the product straight into `grad` after `zero_grad()`."""
        if self._grad_is_zero:
            np.matmul(A, B, out=self._grad)
            self._grad_is_zero = False
        else:
            self._grad += A @ B

    def accumulate_sum(self, A: np.ndarray) -> None:
        """grad += Σ over the batch axis of A (the bias gradient Σ_x δ)."""
        if self._grad_is_zero:
            np.add.reduce(A, axis=0, out=self._grad)
            self._grad_is_zero = False
        else:
            self._grad += A.sum(axis=0)

    def __repr__(self) -> str:
        return f"Parameter({self.name!r}, shape={self.data.shape}, dtype={self.data.dtype})"
