"""One epoch of mini-batches: the loop every training run is made of.

    for xb, yb in minibatches(X, y, batch_size=32, rng=rng):
        ...   # forward, backward, step
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .._validate import check_int, check_rng, fail
from .preprocessing import check_examples, check_flag


def minibatches(X, y, batch_size: int, *, rng: np.random.Generator | None = None, shuffle: bool = True,
                drop_last: bool = False) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield the examples of one epoch in batches of `batch_size`, each example exactly once.

    With `shuffle` the order is a fresh permutation drawn from `rng` when `minibatches` is called,
    so calling it once per epoch with the same rng visits the data in a new order every epoch.

    Parameters
    ----------
    X : array_like, shape (N, …)
        Examples, one per row.
    y : array_like, shape (N,) or (N, …)
        Labels or targets, one per example (for an autoencoder pass X again).
    batch_size : int
        Examples per batch, ≥ 1; the last batch holds the N mod batch_size left over.
    rng : np.random.Generator
        Required when `shuffle` is True.
    shuffle : bool
        False keeps the order of X (for evaluation).
    drop_last : bool
        True skips a last batch smaller than `batch_size` (every batch then has the same size).

    Yields
    ------
    xb : ndarray, shape (B, …), same dtype as X
    yb : ndarray, shape (B,) or (B, …), same dtype as y
        Copies: changing a batch never changes X or y.

    Notes
    -----
    One permutation per epoch and one `take` per batch: measured faster than permuting the whole
    data set once and slicing it (MNIST-sized float32 X, batch sizes 16 and 128), and it needs no
    second copy of the data in memory.

    Chapter 06.
    """
    where = "nnlab.data.minibatches"
    X, y = check_examples(X, y, where, finite=False)
    batch_size = check_int(batch_size, where, "batch_size")
    shuffle = check_flag(shuffle, where, "shuffle")
    drop_last = check_flag(drop_last, where, "drop_last")
    if shuffle and rng is None:
        fail(where, "rng must be a numpy Generator when shuffle=True", "None",
             "pass rng=np.random.default_rng(0) (the same rng each epoch gives a new order each epoch), "
             "or shuffle=False to keep the order.", error=TypeError)
    if rng is not None:
        rng = check_rng(rng, where)
    if drop_last and batch_size > len(X):
        fail(where, f"batch_size must be ≤ N = {len(X)} when drop_last=True", str(batch_size),
             "otherwise the epoch has no batch at all; use a smaller batch_size.")
    order = rng.permutation(len(X)) if shuffle else np.arange(len(X))
    stop = len(X) - len(X) % batch_size if drop_last else len(X)
    return _batches(X, y, order, batch_size, stop)


def _batches(X: np.ndarray, y: np.ndarray, order: np.ndarray, batch_size: int,
             stop: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    for start in range(0, stop, batch_size):
        idx = order[start:start + batch_size]
        yield X.take(idx, axis=0), y.take(idx, axis=0)
