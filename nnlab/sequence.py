"""Adapters between sequence layers (N, T, features) and the batch layers (N, features) of chapters 03–10.

    nl.Sequential(nl.LSTM(1, 32, rng=rng), nl.LastStep(), nl.Dense(32, 2, rng=rng))
        x (N, T, 1) → h (N, T, 32) → h_T (N, 32) → z (N, 2): classify a sequence by its last state

    nl.Sequential(nl.RNN(1, 32, rng=rng), nl.TimeDistributed(nl.Dense(32, 1, rng=rng)))
        x (N, T, 1) → h (N, T, 32) → z (N, T, 1): the same Dense at every step

Chapter 11.
"""

from __future__ import annotations

import numpy as np

from ._validate import fail
from .layer import Layer
from .model import Sequential


class LastStep(Layer):
    """Keep only the last step of a sequence: h : (N, T, n) → h_T = h[:, −1] : (N, n).

    backward:  ∂C/∂h[:, t] = 0 for t < T,   ∂C/∂h[:, T] = ∂C/∂h_T

    The gradient enters the sequence layer below only at its last step; backpropagation through
    time carries it to the earlier steps. Use it between an RNN/LSTM and a Dense classifier.
    Chapter 11.
    """

    input_ndim = 3
    output_ndim = 2

    def __init__(self):
        super().__init__()
        self._in_shape = None

    def _forward(self, h):
        self._in_shape = h.shape
        return h[:, -1]

    def _backward(self, dC_dhT, input_grad=True):
        if not input_grad:
            return None
        dC_dh = np.zeros(self._in_shape, dtype=dC_dhT.dtype)
        dC_dh[:, -1] = dC_dhT
        return dC_dh


class TimeDistributed(Layer):
    """Apply a batch layer (or several, in sequence) at every step: (N, T, n_in) → (N, T, n_out).

    out[:, t] = F(a_prev[:, t]) for t = 1 … T, with the same F (the same weights) at every step.
    Computed as one batch of N·T rows: a_prev.reshape(N·T, n_in) → F → reshape(N, T, n_out).
    backward: the same reshape around F.backward, so F's parameter gradients sum over the steps.

    Example: ``TimeDistributed(Dense(32, 1, rng=rng))`` after an RNN predicts one number per step.
    The losses take 2-D input: for a per-step target, compare ``out.reshape(-1, n_out)`` with the
    targets reshaped alike. Chapter 11.
    """

    input_ndim = 3
    output_ndim = 3

    def __init__(self, *block: Layer):
        super().__init__()
        if not block:
            fail("TimeDistributed", "a layer (or several) to apply at every step", "none",
                 "TimeDistributed(nl.Dense(32, 1, rng=rng))")
        inner = block[0] if len(block) == 1 else Sequential(*block)
        if not isinstance(inner, Layer):
            fail("TimeDistributed", "an nnlab layer", type(inner).__name__, error=TypeError)
        if inner.input_ndim != 2 or inner.output_ndim != 2:
            fail("TimeDistributed", "a layer of 2-D batches (N, features), such as Dense",
                 repr(inner), "RNN and LSTM already run over every step: use them directly.")
        self.block = inner
        self.n_in, self.n_out = inner.n_in, inner.n_out
        self._steps = None

    def _forward(self, a_prev):
        N, T = a_prev.shape[:2]
        out = self.block._forward(a_prev.reshape(N * T, a_prev.shape[2]))
        self.block._out_shape = out.shape  # so the inner layer's own backward can be called by hand
        self._steps = (N, T, a_prev.shape[2])
        return out.reshape(N, T, out.shape[1])

    def _backward(self, g, input_grad=True):
        N, T, n_in = self._steps
        dx = self.block._backward(g.reshape(N * T, g.shape[2]), input_grad)
        return None if dx is None else dx.reshape(N, T, n_in)

    def parameters(self):
        return self.block.parameters()

    def train(self):
        self.training = True
        self.block.train()
        return self

    def eval(self):
        self.training = False
        self.block.eval()
        return self

    def _name(self):
        return "TimeDistributed"

    def __repr__(self):
        return f"TimeDistributed({self.block!r})"
