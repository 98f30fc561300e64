"""Small, nnlab-independent tools for the unit tests of the core (central differences, inputs).

Nothing here calls nnlab: the numeric derivatives below are the independent reference that the
package's own `nnlab.gradcheck` is compared against, so a bug there cannot hide a bug elsewhere.
"""

from __future__ import annotations

import numpy as np


def away_from_kinks(rng: np.random.Generator, shape, scale: float = 1.0, eps: float = 1e-3) -> np.ndarray:
    """N(0, scale²) samples in float64 with every |z| ≥ eps (resampled), so ReLU/ELU stay smooth
    within a finite-difference step of 1e-5."""
    z = scale * rng.standard_normal(shape)
    bad = np.abs(z) < eps
    while bad.any():
        z[bad] = scale * rng.standard_normal(int(bad.sum()))
        bad = np.abs(z) < eps
    return z


def central_diff(f, x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """∂f/∂x by central differences, f(x) → float, evaluated on copies (x itself is never touched)."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        xp = x.copy()
        xm = x.copy()
        xp[i] += h
        xm[i] -= h
        grad[i] = (f(xp) - f(xm)) / (2.0 * h)
    return grad


def elementwise_derivative(f, z: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """d f(z)/dz for an elementwise f, all entries at once: (f(z + h) − f(z − h)) / 2h."""
    z = np.asarray(z, dtype=np.float64)
    return (f(z + h) - f(z - h)) / (2.0 * h)


def numeric_jacobian(f, z: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """J[j, k] = ∂f_j/∂z_k for a vector function f: (K,) → (M,), by central differences."""
    z = np.asarray(z, dtype=np.float64)
    cols = []
    for k in range(z.size):
        e = np.zeros_like(z)
        e[k] = h
        cols.append((f(z + e) - f(z - e)) / (2.0 * h))
    return np.stack(cols, axis=-1)


def rel_err(a, b, floor: float = 1e-12) -> float:
    """‖a − b‖ / max(‖a‖ + ‖b‖, floor) — written here so that the tests do not rely on nnlab's."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, (a.shape, b.shape)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), floor))


def param_grad_numeric(f, p_data: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """∂f/∂θ for a parameter array that f() reads in place; θ is restored exactly after each probe."""
    grad = np.zeros_like(p_data, dtype=np.float64)
    for i in np.ndindex(p_data.shape):
        old = p_data[i]
        p_data[i] = old + h
        fp = f()
        p_data[i] = old - h
        fm = f()
        p_data[i] = old
        grad[i] = (fp - fm) / (2.0 * h)
    return grad
