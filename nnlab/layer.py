"""The layer protocol every nnlab layer follows: forward, backward, parameters, zero_grad, train/eval.

A layer maps a batch of activations a_prev, shape (N, n_in), to its output, shape (N, n_out), and
caches what its backward pass needs. `backward` takes ∂C/∂(output) and returns ∂C/∂(input),
accumulating ∂C/∂(parameter) into each Parameter's `grad` on the way.

The public `forward`/`backward` check their input and then call the unchecked kernels
`_forward`/`_backward`; containers (Sequential, Residual) and `fit` call the kernels directly after
checking once at the boundary.

Chapter 03 (forward) and chapter 07 (backward).
"""

from __future__ import annotations

import numpy as np

from ._validate import as_batch, fail, shape_text
from .parameter import Parameter


class Layer:
    """Base class: a differentiable map from a batch (N, n_in) to a batch (N, n_out).

    `n_in`/`n_out` are None for layers that keep the width (activations, dropout).
    `training` is True after `train()` (the default) and False after `eval()`; only layers that
    behave differently in training (Dropout) look at it.
    """

    n_in: int | None = None
    n_out: int | None = None
    #: 2 for batches (N, features), 3 for batches of sequences (N, T, features) (RNN, LSTM).
    input_ndim: int = 2
    output_ndim: int = 2

    def __init__(self):
        self.training = True
        self._out_shape = None  # set by forward; None means backward has nothing to work with

    # -- the public, checked interface ---------------------------------------------------------
    def forward(self, a_prev) -> np.ndarray:
        """a_prev : (N, n_in) → output : (N, n_out). Caches what backward needs."""
        a_prev = as_batch(a_prev, f"{self._name()}.forward", "a_prev", self.n_in, dtype=self.dtype,
                          ndim=self.input_ndim)
        out = self._forward(a_prev)
        self._out_shape = out.shape
        return out

    def backward(self, dC_dout) -> np.ndarray:
        """∂C/∂(output) : (N, n_out) → ∂C/∂(input) : (N, n_in); accumulates parameter gradients."""
        where = f"{self._name()}.backward"
        if self._out_shape is None:
            fail(where, "forward must run first", "backward before any forward",
                 "backward uses what forward cached: call forward on the batch, then backward.",
                 error=RuntimeError)
        g = as_batch(dC_dout, where, "dC_dout", dtype=self.dtype, ndim=self.output_ndim)
        if g.shape != self._out_shape:
            fail(where, f"dC_dout must have the shape of the last forward output, "
                 f"{shape_text(self._out_shape)}", f"shape {shape_text(g.shape)}",
                 "pass the gradient of the cost with respect to this layer's output.")
        return self._backward(g)

    __call__ = forward

    # -- kernels (subclasses implement) ---------------------------------------------------------
    def _forward(self, a_prev: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _backward(self, g: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        raise NotImplementedError

    # -- parameters and modes -------------------------------------------------------------------
    def parameters(self) -> list[Parameter]:
        """The layer's learnable Parameters (an empty list for activations and dropout)."""
        return []

    def zero_grad(self) -> None:
        """Reset every parameter's gradient to zero."""
        for p in self.parameters():
            p.zero_grad()

    def train(self):
        """Training mode (dropout active). Returns the layer, so `model.train()` can be chained."""
        self.training = True
        return self

    def eval(self):
        """Evaluation mode (dropout is the identity). Returns the layer."""
        self.training = False
        return self

    @property
    def dtype(self):
        """The dtype of the layer's parameters, or None for a layer without parameters."""
        params = self.parameters()
        return params[0].data.dtype if params else None

    @property
    def n_params(self) -> int:
        """Number of learnable numbers in the layer."""
        return sum(p.size for p in self.parameters())

    def _name(self) -> str:
        """How error messages name the layer: its repr, or just the class for containers."""
        return repr(self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def leaves(layer: Layer):
    """Every non-container layer in forward order, looking inside Sequential and Residual."""
    inner = getattr(layer, "layers", None)
    block = getattr(layer, "block", None)
    if inner is not None:
        for child in inner:
            yield from leaves(child)
    elif block is not None:
        yield from leaves(block)
    else:
        yield layer


def parameter_labels(model: Layer) -> list[str]:
    """A unique label per parameter of `model`, in `model.parameters()` order: "[i] Dense(64, 10).W"."""
    labels = []
    for i, layer in enumerate(leaves(model)):
        labels += [f"[{i}] {p.name}" for p in layer.parameters()]
    return labels
