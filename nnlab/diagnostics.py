"""Looking inside a network: gradient norms and activation statistics per layer, dead ReLUs,
saturated sigmoid/tanh units.

    gradient norm of layer l:   ‖∂C/∂W^l‖ (Frobenius), for each Dense layer from input to output
    activation statistics:      mean, std and spread across examples of each layer's output a^l,
                                the forward signal (spread → 0: every example looks the same)
    dead ReLU unit:             a unit whose output is 0 for every example in the batch (no gradient flows)
    saturated unit activation:  σ′(z) below 10 % of its maximum (sigmoid: a(1−a) < 0.025; tanh: 1 − a² < 0.1)

Chapters 02, 07, 09 and 10.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validate import as_batch, check_float, describe, fail
from .activation_layers import ReLU, Sigmoid, Tanh
from .dense import Dense
from .layer import Layer, leaves
from .losses import Loss
from .residual import Residual


def _labelled(model, kind):
    return [(f"[{i}] {layer!r}", layer) for i, layer in enumerate(leaves(model)) if isinstance(layer, kind)]


def gradient_norms(model: Layer, loss: Loss | None = None, x=None, y=None) -> dict[str, float]:
    """‖∂C/∂W‖ for each Dense layer, from the input side to the output side.

    With `loss`, `x`, `y` given, first computes the gradient of C = loss(model(x), y) (zeroing the
    old one); otherwise reads the gradients already accumulated. Returns {label: norm}, in layer order.
    Chapter 10.
    """
    where = "nnlab.diagnostics.gradient_norms"
    if not isinstance(model, Layer):
        fail(where, "model must be an nnlab layer or Sequential", describe(model), error=TypeError)
    if loss is not None:
        if x is None or y is None:
            fail(where, "x and y together with loss", "loss without data",
                 "gradient_norms(model, loss, x, y), or gradient_norms(model) after a backward pass.")
        model.zero_grad()
        C = loss.forward(model.forward(x), y)
        if not np.isfinite(C):
            fail(where, "a finite cost", f"C = {C}")
        model.backward(loss.backward())
    return {label: float(np.linalg.norm(layer.W.grad)) for label, layer in _labelled(model, Dense)}


def _activations(model, x, where):
    x = as_batch(x, where, "x", model.n_in, dtype=model.dtype, ndim=model.input_ndim)
    was_training = model.training
    model.eval()
    try:
        model._forward(x)
    finally:
        if was_training:
            model.train()


def dead_relu_fraction(model: Layer, x) -> dict[str, float]:
    """For each ReLU layer: the fraction of its units that output 0 for every example of x.

    Runs model(x) in eval mode. A dead unit passes no gradient, so it can never recover.  Chapter 10.
    """
    _activations(model, x, "nnlab.diagnostics.dead_relu_fraction")
    return {label: float(np.mean(~(layer._a > 0).any(axis=0)))
            for label, layer in _labelled(model, ReLU)}


def saturation_fraction(model: Layer, x, threshold: float = 0.1) -> dict[str, float]:
    """For each Sigmoid/Tanh layer: the fraction of activations (units × examples) that are saturated.

    Saturated: σ′(z) < threshold × max σ′, i.e. a(1−a) < threshold/4 for sigmoid and
    1 − a² < threshold for tanh. Runs model(x) in eval mode.  Chapter 10.
    """
    threshold = check_float(threshold, "nnlab.diagnostics.saturation_fraction", "threshold",
                            low=0.0, high=1.0, low_open=True)
    _activations(model, x, "nnlab.diagnostics.saturation_fraction")
    out = {}
    for label, layer in _labelled(model, (Sigmoid, Tanh)):
        a = layer._a
        slope = a * (1 - a) / 0.25 if isinstance(layer, Sigmoid) else 1 - a * a
        out[label] = float(np.mean(slope < threshold))
    return out


class LayerStats(NamedTuple):
    """Statistics of one layer's output a, shape (N, n) (N examples, n units), over one batch.

    mean   = (1/(N n)) Σ_x Σ_j a_j(x)                       the average output
    std    = √((1/(N n)) Σ_x Σ_j (a_j(x) − mean)²)          the spread of all N·n numbers
    spread = (1/n) Σ_j std_x a_j(x)                         how much examples differ, unit by unit

    std counts differences between units as well as between examples; spread counts only the
    differences between examples (the std over the batch axis, ddof 0, averaged over the units).
    When spread falls towards 0 layer by layer, every example reaches the later layers as (almost)
    the same vector, and the output cannot tell them apart, whatever the gradients do.
    For a batch of sequences, shape (N, T, n), spread averages the std over examples across the
    steps and units.  Chapter 10.
    """

    mean: float
    std: float
    spread: float


def _stats(a: np.ndarray) -> LayerStats:
    return LayerStats(float(np.mean(a)), float(np.std(a)), float(np.mean(np.std(a, axis=0))))


def _trace(layer, a_prev, rows, counter, kind):
    """Run layer on a_prev as Sequential/Residual._forward do, recording each leaf's output (and
    each Residual block's a_prev + F(a_prev)) when it is an instance of `kind`."""
    inner = getattr(layer, "layers", None)
    if inner is not None and not isinstance(layer, Residual):
        a = a_prev
        for child in inner:
            a = _trace(child, a, rows, counter, kind)
            child._out_shape = a.shape
        return a
    if isinstance(layer, Residual):
        first = counter[0]
        out = _trace(layer.block, a_prev, rows, counter, kind)
        layer.block._out_shape = out.shape
        a = a_prev + out
        if isinstance(layer, kind):
            rows.append((f"[{first}–{counter[0] - 1}] Residual: a_prev + F(a_prev)", _stats(a)))
        return a
    # a leaf, or a wrapper run as one layer (its `block` still counts in the labels, as in leaves())
    first, n = counter[0], sum(1 for _ in leaves(layer))
    a = layer._forward(a_prev)
    if isinstance(layer, kind):
        span = f"{first}" if n == 1 else f"{first}–{first + n - 1}"
        rows.append((f"[{span}] {layer!r}", _stats(a)))
    counter[0] += n
    return a


def activation_stats(model: Layer, x, kind=Layer) -> dict[str, LayerStats]:
    """The forward signal, layer by layer: mean, std and spread across examples of each output a^l.

    Runs model(x) once in eval mode (dropout off; the mode is restored) and returns, in forward
    order, {label: LayerStats(mean, std, spread)} for every layer (the labels of gradient_norms:
    "[i] Dense(n_in=64, n_out=32)", "[i+1] Sigmoid()", … with i counting the layers inside
    Sequential and Residual), and for each Residual block also a row for its output a_prev + F(a_prev),
    labelled by the layers it spans. `kind` keeps only the layers of that type (or tuple of types),
    e.g. kind=(nl.Sigmoid, nl.Tanh, nl.ReLU) for the hidden activations, kind=nl.Dense for the z^l.

        spread of layer l = (1/n_l) Σ_j std_x a^l_j(x)     (see LayerStats)

    Shown next to gradient_norms (the backward signal): in a deep sigmoid net with N(0, 1) weights
    the spread collapses layer by layer, so the output sees (almost) the same vector for every
    example.  Chapter 10.
    """
    where = "nnlab.diagnostics.activation_stats"
    if not isinstance(model, Layer):
        fail(where, "model must be an nnlab layer or Sequential", describe(model), error=TypeError)
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not kinds or not all(isinstance(k, type) and issubclass(k, Layer) for k in kinds):
        fail(where, "kind must be a layer class or a tuple of layer classes", describe(kind),
             "e.g. kind=(nl.Sigmoid, nl.Tanh, nl.ReLU), or kind=nl.Dense.", error=TypeError)
    x = as_batch(x, where, "x", model.n_in, dtype=model.dtype, ndim=model.input_ndim)
    rows: list = []
    was_training = model.training
    model.eval()
    try:
        _trace(model, x, rows, [0], kinds)
    finally:
        if was_training:
            model.train()
    return dict(rows)
