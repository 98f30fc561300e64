"""Classification metrics: accuracy and the confusion matrix.

Chapter 08.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_float_array, as_labels, check_int, fail, shape_text


def _predicted_labels(y_pred, n: int, where: str) -> np.ndarray:
    arr = np.asarray(y_pred)
    if arr.ndim == 2:  # scores or probabilities, one row per example
        arr = as_float_array(arr, where, "y_pred", finite=False)
        if arr.shape[0] != n:
            fail(where, f"y_pred must have one row per example, {n} rows", f"shape {shape_text(arr.shape)}")
        return arr.argmax(axis=1)
    return as_labels(arr, where, "y_pred", n=n)


def accuracy(y_true, y_pred) -> float:
    """Fraction of examples whose predicted class equals the label, in [0, 1].

    y_true : (N,) integer labels.   y_pred : (N,) predicted labels, or (N, K) scores (argmax is taken).
    Chapter 08.
    """
    y_true = as_labels(y_true, "nnlab.metrics.accuracy", "y_true")
    pred = _predicted_labels(y_pred, y_true.shape[0], "nnlab.metrics.accuracy")
    return float(np.mean(pred == y_true)) if y_true.size else 0.0


def confusion_matrix(y_true, y_pred, n_classes: int | None = None) -> np.ndarray:
    """M[i, j] = number of examples of true class i predicted as class j; shape (K, K), int64.

    The diagonal holds the correct predictions; row i sums to the number of examples of class i.
    y_pred may be labels (N,) or scores (N, K).  Chapter 08.
    """
    where = "nnlab.metrics.confusion_matrix"
    y_true = as_labels(y_true, where, "y_true")
    pred = _predicted_labels(y_pred, y_true.shape[0], where)
    if n_classes is None:
        n_classes = int(max(y_true.max(initial=-1), pred.max(initial=-1))) + 1
        if np.ndim(y_pred) == 2:
            n_classes = max(n_classes, np.shape(y_pred)[1])
    n_classes = check_int(n_classes, where, "n_classes")
    as_labels(y_true, where, "y_true", n_classes=n_classes)
    as_labels(pred, where, "y_pred", n_classes=n_classes)
    M = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(M, (y_true, pred), 1)
    return M
