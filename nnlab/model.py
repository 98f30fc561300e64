"""Sequential: layers applied one after another, a^l = f_l(a^{l−1}).

Chapter 03 (feedforward), chapter 07 (backpropagation through the stack).
"""

from __future__ import annotations

import numpy as np

from ._validate import as_batch, fail, shape_text
from .layer import Layer


def chain_widths(layers, where: str) -> tuple:
    """(n_in, n_out) of a stack of layers; a mismatch between neighbours is a clear ValueError."""
    n_in = width = None
    for i, layer in enumerate(layers):
        if not isinstance(layer, Layer):
            fail(where, f"layer {i} must be an nnlab layer (Dense, ReLU, ...)",
                 f"{type(layer).__name__}",
                 "pass layer objects, e.g. nl.ReLU() rather than nl.ReLU or nl.activations.relu.",
                 error=TypeError)
        if layer.n_in is not None:
            if width is not None and layer.n_in != width:
                fail(where, f"layer {i} ({layer!r}) must take {width} inputs, the width of the "
                     f"layer before it", f"n_in={layer.n_in}",
                     "each layer's n_in must equal the previous layer's n_out.")
            if n_in is None and width is None:
                n_in = layer.n_in
        if layer.n_out is not None:
            width = layer.n_out
        if i > 0 and layer.input_ndim != layers[i - 1].output_ndim:
            _rank_mismatch(where, i, layer, layers[i - 1])
    return n_in, width


def _rank_mismatch(where, i, layer, before):
    """A sequence layer (N, T, features) next to a batch layer (N, features): say which adapter fits."""
    takes = "3-D sequences (N, T, features)" if layer.input_ndim == 3 else "2-D batches (N, features)"
    gives = "3-D sequences (N, T, features)" if before.output_ndim == 3 else "2-D batches (N, features)"
    hint = ("put nl.LastStep() between them to keep only the last step's hidden state, or wrap "
            f"the layer in nl.TimeDistributed(...) to apply it at every step."
            if before.output_ndim == 3 else
            "a recurrent layer (RNN, LSTM) comes first and takes the sequences x of shape (N, T, n_in).")
    fail(where, f"layer {i} ({layer!r}) takes {takes}", f"layer {i - 1} ({before!r}), which outputs {gives}",
         hint)


class Sequential(Layer):
    """A feedforward network: forward runs the layers in order, backward in reverse.

    a^0 = x,  a^l = f_l(a^{l−1}) for l = 1 … L;  backward: ∂C/∂a^{l−1} = f_l.backward(∂C/∂a^l).

    Parameters
    ----------
    *layers : Layer
        The layers, first to last. Neighbouring widths are checked here, at construction.

    Chapter 03.
    """

    def __init__(self, *layers: Layer):
        super().__init__()
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        if not layers:
            fail("Sequential", "at least one layer", "none", "Sequential(nl.Dense(2, 1, rng=rng))")
        self.n_in, self.n_out = chain_widths(layers, "Sequential")
        self.input_ndim, self.output_ndim = layers[0].input_ndim, layers[-1].output_ndim
        self.layers = list(layers)

    def forward(self, a_prev) -> np.ndarray:
        """x : (N, n_in) → a^L : (N, n_out); each layer caches what its backward needs."""
        x = as_batch(a_prev, "Sequential.forward", "a_prev", self.n_in, dtype=self.dtype, ndim=self.input_ndim)
        out = self._forward(x)
        self._out_shape = out.shape
        return out

    def backward(self, dC_da) -> np.ndarray:
        """∂C/∂a^L : (N, n_out) → ∂C/∂x : (N, n_in); accumulates every parameter's gradient."""
        return super().backward(dC_da)

    __call__ = forward

    def _forward(self, a):
        for layer in self.layers:
            a = layer._forward(a)
            layer._out_shape = a.shape  # so a hand-written pass can call each layer's backward
        return a

    def _backward(self, g, input_grad=True):
        last = len(self.layers) - 1
        for i in range(last, -1, -1):
            g = self.layers[i]._backward(g, input_grad or i > 0)
        return g

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def train(self):
        self.training = True
        for layer in self.layers:
            layer.train()
        return self

    def eval(self):
        self.training = False
        for layer in self.layers:
            layer.eval()
        return self

    def _name(self):
        return "Sequential"

    def __getitem__(self, i):
        return self.layers[i]

    def __len__(self):
        return len(self.layers)

    def __iter__(self):
        return iter(self.layers)

    def summary(self) -> str:
        """A table of layers, output shapes and parameter counts (chapter 03's parameter count)."""
        rows = [("layer", "output", "parameters")]
        width = self.n_in
        for i, layer in enumerate(self.layers):
            if layer.n_out is not None:
                width = layer.n_out
            shape = ("N", "T", width) if layer.output_ndim == 3 else ("N", width)
            rows.append((f"[{i}] " + " ".join(repr(layer).split()), shape_text(shape), f"{layer.n_params:,}"))
        rows.append(("total", "", f"{self.n_params:,}"))
        w0 = max(len(r[0]) for r in rows)
        w1 = max(len(r[1]) for r in rows)
        return "\n".join(f"{a:<{w0}}  {b:<{w1}}  {c:>10}" for a, b, c in rows)

    def __repr__(self):
        inner = ",\n".join(f"    {layer!r}" for layer in self.layers)
        return f"Sequential(\n{inner},\n)"
