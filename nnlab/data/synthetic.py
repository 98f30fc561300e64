"""Small synthetic data sets, each a picture you can draw: XOR, moons, circles, spirals, a sine.

Every `make_xxx(n, *, rng, noise=...)` returns ``(X, y)``:

- classification sets: X float64 of shape (N, 2), y int64 labels of shape (N,), classes as equal in
  size as N allows, rows in random order;
- `make_sine` (regression): X float64 of shape (N, 1), y float64 targets of shape (N, 1).

Randomness comes only from the `rng` you pass, so the same seed gives the same set.
"""

from __future__ import annotations

import numpy as np

from .._validate import check_float, check_int, check_rng


def _check(where: str, n, rng, noise, n_min: int) -> tuple[int, np.random.Generator, float]:
    n = check_int(n, where, "n", minimum=n_min)
    rng = check_rng(rng, where)
    noise = check_float(noise, where, "noise", low=0.0)
    return n, rng, noise


def _balanced_labels(n: int, n_classes: int) -> np.ndarray:
    """0, 1, …, K-1, 0, 1, … : n labels whose class sizes differ by at most one."""
    return np.arange(n, dtype=np.int64) % n_classes


def _shuffled(X: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    order = rng.permutation(len(X))
    return X[order], y[order]


def make_xor(n: int, *, rng: np.random.Generator, noise: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Four noisy clusters at the corners of the unit square, labelled x₁ XOR x₂.

    The corners (0, 0) and (1, 1) are class 0, (0, 1) and (1, 0) class 1: no single line
    separates the classes, which is why one neuron cannot learn XOR.

    Parameters
    ----------
    n : int
        Number of points, ≥ 4 (the four corners share them as evenly as possible).
    rng : np.random.Generator
        The only source of randomness.
    noise : float
        Standard deviation of the Gaussian noise added to each coordinate, ≥ 0.

    Returns
    -------
    X : ndarray, float64, shape (N, 2)
    y : ndarray, int64, shape (N,)
        0 or 1.

    Chapter 01.
    """
    n, rng, noise = _check("nnlab.data.make_xor", n, rng, noise, n_min=4)
    corner = np.arange(n) % 4
    bits = np.stack([corner // 2, corner % 2], axis=1)          # (0,0) (0,1) (1,0) (1,1)
    X = bits + noise * rng.standard_normal((n, 2))
    y = (bits[:, 0] ^ bits[:, 1]).astype(np.int64)
    return _shuffled(X, y, rng)


def make_moons(n: int, *, rng: np.random.Generator, noise: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles.

    Class 0: (cos t, sin t), class 1: (1 − cos t, ½ − sin t), t evenly spaced in [0, π], plus
    Gaussian noise.

    Parameters
    ----------
    n : int
        Number of points, ≥ 2.
    rng : np.random.Generator
        The only source of randomness.
    noise : float
        Standard deviation of the Gaussian noise added to each coordinate, ≥ 0.

    Returns
    -------
    X : ndarray, float64, shape (N, 2)
    y : ndarray, int64, shape (N,)
        0 (upper moon) or 1 (lower moon).

    Chapter 05.
    """
    n, rng, noise = _check("nnlab.data.make_moons", n, rng, noise, n_min=2)
    n0 = (n + 1) // 2
    t0 = np.linspace(0.0, np.pi, n0)
    t1 = np.linspace(0.0, np.pi, n - n0)
    X = np.concatenate([np.stack([np.cos(t0), np.sin(t0)], axis=1),
                        np.stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)], axis=1)])
    X += noise * rng.standard_normal(X.shape)
    y = np.repeat(np.array([0, 1], dtype=np.int64), [n0, n - n0])
    return _shuffled(X, y, rng)


def make_circles(n: int, *, rng: np.random.Generator, noise: float = 0.05,
                 factor: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """A small circle (class 1) inside a large one (class 0), both centred at the origin.

    Parameters
    ----------
    n : int
        Number of points, ≥ 2.
    rng : np.random.Generator
        The only source of randomness; the angles are uniform in [0, 2π).
    noise : float
        Standard deviation of the Gaussian noise added to each coordinate, ≥ 0.
    factor : float
        Radius of the inner circle, in (0, 1); the outer circle has radius 1.

    Returns
    -------
    X : ndarray, float64, shape (N, 2)
    y : ndarray, int64, shape (N,)
        0 (outer) or 1 (inner).

    Chapter 02.
    """
    where = "nnlab.data.make_circles"
    n, rng, noise = _check(where, n, rng, noise, n_min=2)
    factor = check_float(factor, where, "factor", low=0.0, high=1.0, low_open=True, high_open=True)
    y = _balanced_labels(n, 2)
    radius = np.where(y == 0, 1.0, factor)
    t = rng.uniform(0.0, 2.0 * np.pi, size=n)
    X = radius[:, None] * np.stack([np.cos(t), np.sin(t)], axis=1)
    X += noise * rng.standard_normal(X.shape)
    return _shuffled(X, y, rng)


def make_spirals(n: int, *, rng: np.random.Generator, n_classes: int = 3,
                 noise: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """K spiral arms winding out of the origin, one class per arm (as in CS231n).

    Arm k: radius r from 0 to 1, angle θ = 4k + 4r (+ Gaussian noise of std `noise` on θ),
    point (r sin θ, r cos θ).

    Parameters
    ----------
    n : int
        Number of points, ≥ n_classes.
    rng : np.random.Generator
        The only source of randomness.
    n_classes : int
        Number of arms, ≥ 2.
    noise : float
        Standard deviation of the noise on the angle (radians), ≥ 0.

    Returns
    -------
    X : ndarray, float64, shape (N, 2)
    y : ndarray, int64, shape (N,)
        0 … n_classes − 1.

    Chapters 05 and 06.
    """
    where = "nnlab.data.make_spirals"
    n_classes = check_int(n_classes, where, "n_classes", minimum=2)
    n, rng, noise = _check(where, n, rng, noise, n_min=n_classes)
    y = np.sort(_balanced_labels(n, n_classes))
    r = np.concatenate([np.linspace(0.0, 1.0, np.count_nonzero(y == k)) for k in range(n_classes)])
    theta = 4.0 * y + 4.0 * r + noise * rng.standard_normal(n)
    X = r[:, None] * np.stack([np.sin(theta), np.cos(theta)], axis=1)
    return _shuffled(X, y, rng)


def make_sine(n: int, *, rng: np.random.Generator, noise: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """A noisy sine curve to fit: y = sin(x) + ε, x uniform in [−π, π], ε ~ N(0, noise²).

    Parameters
    ----------
    n : int
        Number of points, ≥ 1.
    rng : np.random.Generator
        The only source of randomness.
    noise : float
        Standard deviation of ε, ≥ 0.

    Returns
    -------
    X : ndarray, float64, shape (N, 1)
        Inputs, in random order (sort them before drawing a line: ``order = X[:, 0].argsort()``).
    y : ndarray, float64, shape (N, 1)
        Targets, shaped like a network's single output, ready for `SquaredError`.

    Chapter 02.
    """
    n, rng, noise = _check("nnlab.data.make_sine", n, rng, noise, n_min=1)
    X = rng.uniform(-np.pi, np.pi, size=(n, 1))
    y = np.sin(X) + noise * rng.standard_normal((n, 1))
    return X, y
