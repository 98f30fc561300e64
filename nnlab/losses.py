"""Loss functions C: how far the network's output is from the target, averaged over the batch.

Each loss has `forward(output, target) → C` (a Python float) and `backward() → ∂C/∂output`, the
gradient with respect to the loss's own input, shaped like that input. Both are means over the
batch of N examples, so the learning rate does not depend on the batch size.

Chapter 04.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_batch, as_labels, fail, shape_text


class Loss:
    """Base class: forward caches what backward needs; backward before forward raises."""

    def __init__(self):
        self._cache = None

    def _cached(self):
        if self._cache is None:
            fail(f"{type(self).__name__}.backward", "forward must run first", "backward before forward",
                 "compute C = loss.forward(output, target), then call loss.backward().",
                 error=RuntimeError)
        return self._cache

    def __call__(self, output, target) -> float:
        return self.forward(output, target)

    def __repr__(self):
        return f"{type(self).__name__}()"


class SquaredError(Loss):
    """Mean squared error with the ½ of the textbooks.

    per example x:  C_x = ½ ‖y(x) − a(x)‖² = ½ Σ_j (y_j − a_j)²
    batch:          C = (1/N) Σ_x C_x            backward: ∂C/∂a = (a − y) / N

    a : (N, K) network output, y : (N, K) targets (same shape).  Chapter 04.
    """

    def forward(self, a, y) -> float:
        a = as_batch(a, "SquaredError.forward", "a")
        if np.ndim(y) == 1 and a.shape[1] > 1 and np.shape(y)[0] == a.shape[0]:
            fail("SquaredError.forward", f"y must have the shape of a, {shape_text(a.shape)}",
                 f"shape {shape_text(np.shape(y))}",
                 "these look like class labels: use nl.data.one_hot(y, K) as the target, "
                 "or SoftmaxCrossEntropy.")
        y = as_batch(y, "SquaredError.forward", "y", dtype=a.dtype)
        if y.shape != a.shape:
            fail("SquaredError.forward", f"y must have the shape of a, {shape_text(a.shape)}",
                 f"shape {shape_text(y.shape)}",
                 "for class labels use nl.data.one_hot(y, K) or SoftmaxCrossEntropy.")
        return self._forward(a, y)

    def _forward(self, a, y):
        diff = a - y
        self._cache = diff
        return float(0.5 * np.vdot(diff, diff) / a.shape[0])

    def backward(self) -> np.ndarray:
        """∂C/∂a = (a − y) / N, shape (N, K)."""
        diff = self._cached()
        return diff / diff.shape[0]


class SoftmaxCrossEntropy(Loss):
    """Softmax followed by cross-entropy, fused (stable and with a simple gradient).

    per example x with label y:  s = softmax(z),  C_x = −log s_y = −z_y + log Σ_k e^{z_k}
    batch:                       C = (1/N) Σ_x C_x
    backward:                    ∂C/∂z = (s − onehot(y)) / N

    z : (N, K) logits (the last Dense layer's output, no activation after it),
    y : (N,) integer labels in [0, K).  Chapter 04.
    """

    def forward(self, z, y) -> float:
        z = as_batch(z, "SoftmaxCrossEntropy.forward", "z")
        y = as_labels(y, "SoftmaxCrossEntropy.forward", "y", n=z.shape[0], n_classes=z.shape[1])
        return self._forward(z, y)

    def _forward(self, z, y):
        shifted = z - z.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        sums = e.sum(axis=1)
        rows = np.arange(z.shape[0])
        C = float(np.mean(np.log(sums) - shifted[rows, y]))
        e /= sums[:, None]
        self._cache = (e, rows, y)
        return C

    def backward(self) -> np.ndarray:
        """∂C/∂z = (softmax(z) − onehot(y)) / N, shape (N, K)."""
        s, rows, y = self._cached()
        delta = s.copy()
        delta[rows, y] -= 1.0
        delta /= s.shape[0]
        return delta

    def probabilities(self) -> np.ndarray:
        """softmax(z) of the last forward pass, shape (N, K)."""
        return self._cached()[0].copy()
