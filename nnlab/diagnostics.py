"""Looking inside a network: gradient norms per layer, dead ReLUs, saturated sigmoid/tanh units.

    gradient norm of layer l:   ‖∂C/∂W^l‖ (Frobenius), for each Dense layer from input to output
    dead ReLU unit:             a unit whose output is 0 for every example in the batch (no gradient flows)
    saturated unit activation:  σ′(z) below 10 % of its maximum (sigmoid: a(1−a) < 0.025; tanh: 1 − a² < 0.1)

Chapters 09 and 10.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_batch, check_float, describe, fail
from .activation_layers import ReLU, Sigmoid, Tanh
from .dense import Dense
from .layer import Layer, leaves
from .losses import Loss


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
