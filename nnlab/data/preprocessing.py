"""Getting data ready for a network: one-hot targets, train/validation/test splits, standardizing.

None of these functions changes the arrays passed in; each returns new ones.
"""

from __future__ import annotations

import numpy as np

from .._validate import as_batch, as_float_array, as_labels, check_int, check_float, check_rng, \
    describe, fail, shape_text


def check_flag(value, where: str, name: str) -> bool:
    """True or False (numpy's bool too), nothing else: a string "False" is a typo, not a flag."""
    if not isinstance(value, (bool, np.bool_)):
        fail(where, f"{name} must be True or False", describe(value), error=TypeError)
    return bool(value)


def check_examples(X, y, where: str, *, finite: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """X as a float array of shape (N, …) and y as a numeric array with one entry per example."""
    X = as_float_array(X, where, "X", finite=finite)
    if X.ndim < 2:
        hint = "one feature per example is a column: X[:, None]." if X.ndim == 1 else None
        fail(where, "X must be at least 2-D with shape (N, features)", f"shape {shape_text(X.shape)}", hint)
    y_arr = y if isinstance(y, np.ndarray) else np.asarray(y)
    if y_arr.dtype.kind not in "biuf":
        fail(where, "y must be a numeric array (labels or targets)", f"dtype {y_arr.dtype}", error=TypeError)
    if y_arr.ndim < 1 or len(y_arr) != len(X):
        fail(where, f"y must have one entry per example of X, shape ({len(X)}, …)",
             f"shape {shape_text(y_arr.shape)}",
             "X and y must come from the same data set, in the same order.")
    return X, y_arr


def one_hot(y, n_classes: int | None = None) -> np.ndarray:
    """Integer labels as one-hot rows: Y[i, k] = 1 if y[i] == k else 0.

    Parameters
    ----------
    y : array_like of int, shape (N,)
        Class labels 0 … K − 1.
    n_classes : int, optional
        K. Default: y.max() + 1 (pass it when a small batch may miss the last classes).

    Returns
    -------
    ndarray, float64, shape (N, K)

    Examples
    --------
    >>> one_hot([2, 0], n_classes=3)
    array([[0., 0., 1.],
           [1., 0., 0.]])

    Chapter 04.
    """
    where = "nnlab.data.one_hot"
    if n_classes is not None:
        n_classes = check_int(n_classes, where, "n_classes")
    y = as_labels(y, where, "y", n_classes=n_classes)
    if n_classes is None:
        if y.size == 0:
            fail(where, "y must hold at least one label when n_classes is not given", "an empty array",
                 "pass n_classes.")
        if y.min() < 0:
            fail(where, "labels in y must be ≥ 0", f"label {int(y.min())}")
        n_classes = int(y.max()) + 1
    Y = np.zeros((len(y), n_classes))
    Y[np.arange(len(y)), y] = 1.0
    return Y


def _allocate(n: int, fractions: np.ndarray) -> np.ndarray:
    """Whole counts summing to n, as close to n·fractions as possible (largest remainders first)."""
    exact = n * fractions
    counts = np.floor(exact).astype(np.int64)
    shortfall = n - int(counts.sum())
    counts[np.argsort(counts - exact, kind="stable")[:shortfall]] += 1
    return counts


def split(X, y, fractions, *, rng: np.random.Generator,
          stratify: bool = False) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """Shuffle the examples and cut them into 2 or 3 parts: train/test or train/validation/test.

    Parameters
    ----------
    X : array_like, shape (N, …)
        Examples, one per row.
    y : array_like, shape (N,) or (N, …)
        Labels or targets, one per example.
    fractions : sequence of 2 or 3 floats in (0, 1), summing to 1
        The share of each part, e.g. ``(0.7, 0.15, 0.15)``. Sizes are rounded so they add up to N.
    rng : np.random.Generator
        Draws the shuffle.
    stratify : bool
        If True, y must be integer labels (N,) and each class is split by itself, so every part
        keeps the class proportions of the whole (part sizes may then differ from the rounded
        fractions by about one per class).

    Returns
    -------
    tuple of (X_part, y_part) pairs, one per fraction, in order
        New arrays (copies), rows in random order.

    Examples
    --------
    ::

        (Xtr, ytr), (Xva, yva), (Xte, yte) = split(X, y, (0.7, 0.15, 0.15), rng=rng)

    Chapter 08.
    """
    where = "nnlab.data.split"
    X, y = check_examples(X, y, where)
    rng = check_rng(rng, where)
    stratify = check_flag(stratify, where, "stratify")
    is_sequence = isinstance(fractions, (list, tuple)) or (isinstance(fractions, np.ndarray)
                                                           and fractions.ndim == 1)
    if not is_sequence or len(fractions) not in (2, 3):
        fail(where, "fractions must be 2 or 3 numbers, (train, test) or (train, validation, test)",
             describe(fractions), "e.g. (0.8, 0.2) or (0.7, 0.15, 0.15).")
    fractions = np.array([check_float(f, where, f"fractions[{i}]", low=0.0, high=1.0, low_open=True,
                                      high_open=True) for i, f in enumerate(fractions)])
    if abs(fractions.sum() - 1.0) > 1e-9:
        fail(where, "fractions must sum to 1", f"{fractions.sum():g}", "e.g. (0.7, 0.15, 0.15).")

    if stratify:
        labels = as_labels(y, where, "y", n=len(X))
        parts: list[list[np.ndarray]] = [[] for _ in fractions]
        for c in np.unique(labels):
            members = rng.permutation(np.flatnonzero(labels == c))
            pieces = np.split(members, np.cumsum(_allocate(len(members), fractions))[:-1])
            for part, piece in zip(parts, pieces):
                part.append(piece)
        indices = [rng.permutation(np.concatenate(part)) for part in parts]
    else:
        order = rng.permutation(len(X))
        indices = np.split(order, np.cumsum(_allocate(len(X), fractions))[:-1])

    sizes = [len(idx) for idx in indices]
    if min(sizes) == 0:
        fail(where, "every part must get at least one example", f"part sizes {sizes} from N = {len(X)}",
             "use more examples or larger fractions.")
    return tuple((X[idx], y[idx]) for idx in indices)


def standardize(X, mean=None, std=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shift and scale each feature to mean 0 and standard deviation 1: x′ = (x − μ) / σ.

    Compute μ and σ on the training set only and reuse them for validation and test data::

        Xtr_s, mean, std = standardize(Xtr)
        Xte_s, _, _ = standardize(Xte, mean, std)

    Parameters
    ----------
    X : array_like, shape (N, F)
    mean, std : array_like, shape (F,), optional
        Both or neither. If neither, they are computed from X (per feature, over the N rows).
        A feature that is constant in X (σ = 0, up to rounding) gets σ = 1, so it is only centred.

    Returns
    -------
    X_std : ndarray, shape (N, F)
        A new array, same float dtype as X.
    mean, std : ndarray, float64, shape (F,)
        The μ and σ used.

    Chapter 08.
    """
    where = "nnlab.data.standardize"
    X = as_batch(X, where, "X")
    if (mean is None) != (std is None):
        fail(where, "mean and std must be given together, or neither",
             f"only {'mean' if std is None else 'std'}",
             "pass both from the training set: standardize(X_test, mean, std).")
    if mean is None:
        mean = X.mean(axis=0, dtype=np.float64)
        std = X.std(axis=0, dtype=np.float64)
        std = np.where(std <= 1e-12 * np.maximum(1.0, np.abs(mean)), 1.0, std)
    else:
        n_features = X.shape[1]
        mean = as_float_array(mean, where, "mean", dtype=np.float64)
        std = as_float_array(std, where, "std", dtype=np.float64)
        for name, value in (("mean", mean), ("std", std)):
            if value.shape != (n_features,):
                fail(where, f"{name} must have shape ({n_features},), one value per feature of X",
                     f"shape {shape_text(value.shape)}",
                     "use the mean and std returned for the training set.")
        if np.any(std <= 0):
            fail(where, "std must be > 0 for every feature", f"{std.min()} at index {int(std.argmin())}")
        mean, std = mean.copy(), std.copy()
    X_std = ((X - mean) / std).astype(X.dtype, copy=False)
    return X_std, mean, std
