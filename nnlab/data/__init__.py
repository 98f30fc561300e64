"""Data for the course: small synthetic sets, real handwritten digits (offline), MNIST from IDX
files you already have, and the preprocessing every training run needs.

    X, y = nl.data.load_digits()
    (Xtr, ytr), (Xte, yte) = nl.data.split(X, y, (0.8, 0.2), rng=rng)
    for xb, yb in nl.data.minibatches(Xtr, ytr, batch_size=32, rng=rng): ...
"""

from .batching import minibatches
from .digits import load_digits
from .idx import load_idx, load_mnist, save_idx
from .preprocessing import one_hot, split, standardize
from .synthetic import make_circles, make_moons, make_sine, make_spirals, make_xor

__all__ = [
    "make_xor", "make_moons", "make_circles", "make_spirals", "make_sine",
    "load_digits", "load_idx", "save_idx", "load_mnist",
    "one_hot", "split", "standardize", "minibatches",
]
