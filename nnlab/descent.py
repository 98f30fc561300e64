"""Gradient descent on a cost of a few weights, so that the path it takes can be drawn.

    path = descend(surface.grad, w0=[-4.0, 1.0], steps=100, lr=0.02)               # plain SGD
    path = descend(surface.grad, w0=[-4.0, 1.0], steps=100, lr=0.02, momentum=0.9)
    path = descend(surface.grad, w0=[-4.0, 1.0], steps=100, lr=0.1, optimizer="adam")
    nl.plotting.plot_loss_contours(surface, paths={"SGD": path})

`descend` puts the weights w into an nnlab Parameter and lets nnlab's own optimizers (nl.SGD,
nl.RMSProp, nl.Adam) move them, so a path shows exactly what those optimizers do to a network's
weights. The surfaces are classic test costs C(w₁, w₂) with their gradients:

    quadratic(a, b, angle)   C = ½ (a u² + b v²),  (u, v) = w − w* rotated by −angle
    bowl(c)                  C = ½ c (w₁² + w₂²)                       (round contours)
    ravine(ratio)            C = ½ (w₁² + ratio · w₂²)                 (a long, narrow valley)
    rosenbrock(a, b)         C = (a − w₁)² + b (w₂ − w₁²)²             (a curved valley)

Chapters 05 and 06.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._validate import as_float_array, check_choice, check_float, check_int, describe, fail
from .optim import SGD, Adam, RMSProp
from .parameter import Parameter

#: The optimizers `descend` can run, by name.
OPTIMIZERS = {"sgd": SGD, "rmsprop": RMSProp, "adam": Adam}


def descend(grad: Callable, w0, *, steps: int, lr, optimizer: str = "sgd",
            momentum: float = 0.0) -> np.ndarray:
    """Take `steps` optimizer steps from w0 and return every point visited.

    Each step calls `grad(w)` once with the current weights (a copy, shape (d,)), stores the result
    as the Parameter's gradient and calls the optimizer's `step()`:

        sgd       w ← w − η ∇C                    (momentum μ > 0: v ← μ v − η ∇C,  w ← w + v)
        rmsprop   nl.RMSProp(lr=η) with its defaults ρ = 0.9, ε = 1e-8
        adam      nl.Adam(lr=η) with its defaults β₁ = 0.9, β₂ = 0.999, ε = 1e-8

    Parameters
    ----------
    grad : callable (d,) → (d,)
        ∇C at w. It may be stochastic (the gradient of one example or one batch, chosen inside
        the function): it is called exactly once per step, in order.
    w0 : array_like, shape (d,)
        The starting weights (not modified).
    steps : int
        Number of steps, ≥ 1.
    lr : float or schedule
        η, or a function of the step number t = 0, 1, … such as nl.schedules.inverse_time_decay(…).
    optimizer : {"sgd", "rmsprop", "adam"}
    momentum : float
        μ for "sgd" (0 = plain gradient descent); must stay 0 for the others.

    Returns
    -------
    path : ndarray, float64, shape (steps + 1, d)
        path[0] = w0 and path[t] = the weights after t steps. A run that diverges shows it: its
        entries grow without bound and may become inf or nan (no warning is raised).

    Chapters 05, 06.
    """
    where = "nnlab.descent.descend"
    if not callable(grad):
        fail(where, "grad must be a function w → ∇C(w)", describe(grad), error=TypeError)
    w0 = as_float_array(w0, where, "w0", ndim=1, dtype=np.float64)
    steps = check_int(steps, where, "steps")
    check_choice(optimizer, where, "optimizer", tuple(OPTIMIZERS))
    momentum = check_float(momentum, where, "momentum", low=0.0, high=1.0, high_open=True)
    if momentum and optimizer != "sgd":
        fail(where, "momentum applies to optimizer='sgd' only", f"momentum={momentum} with {optimizer!r}",
             "Adam has its own momentum (beta1); RMSProp has none.")
    w = Parameter(w0.copy(), "w")
    opt = SGD([w], lr=lr, momentum=momentum) if optimizer == "sgd" else OPTIMIZERS[optimizer]([w], lr=lr)
    path = np.empty((steps + 1, w0.size))
    path[0] = w0
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(1, steps + 1):
            g = np.asarray(grad(w.data.copy()), dtype=np.float64)
            if g.shape != w0.shape:
                fail(where, f"grad(w) must return an array of shape ({w0.size},)", f"shape {g.shape}")
            w.zero_grad()
            w.grad = g
            opt.step()
            path[t] = w.data
    return path


def steps_to_reach(path, target, tol: float) -> int | None:
    """The first step t from which the path stays within `tol` of `target` (‖w_t − target‖ ≤ tol
    for every later t as well); None if it does not settle there within the path.

    path : (steps + 1, d);  target : (d,).  Chapters 05, 06.
    """
    where = "nnlab.descent.steps_to_reach"
    path = as_float_array(path, where, "path", ndim=2, finite=False)
    target = as_float_array(target, where, "target", ndim=1)
    if target.size != path.shape[1]:
        fail(where, f"target must have shape ({path.shape[1]},) like a row of path", f"shape {target.shape}")
    tol = check_float(tol, where, "tol", low=0.0, low_open=True)
    with np.errstate(over="ignore", invalid="ignore"):
        dist = np.linalg.norm(path - target, axis=1)
    outside = np.flatnonzero(~(dist <= tol))          # nan counts as outside
    if outside.size == 0:
        return 0
    if outside[-1] == len(dist) - 1:
        return None
    return int(outside[-1] + 1)


@dataclass(frozen=True, eq=False)
class Surface:
    """A cost C(w₁, w₂) of two weights, its gradient, its minimum and the Hessian there.

    Call it like a function of two arrays, ``surface(w1, w2)``, to get C elementwise (what
    nl.plotting.plot_loss_contours draws); ``surface.grad(w)`` gives ∇C at one point w of shape (2,).
    The largest step size plain gradient descent survives near the minimum is 2 / (largest
    eigenvalue of `hessian`): `lr_limit`.  Chapters 05, 06.
    """

    name: str
    cost: Callable
    gradient: Callable
    minimum: np.ndarray
    hessian: np.ndarray

    def __call__(self, w1, w2):
        return self.cost(np.asarray(w1, dtype=np.float64), np.asarray(w2, dtype=np.float64))

    def grad(self, w) -> np.ndarray:
        """∇C at w, shape (2,)."""
        w = as_float_array(w, f"{self.name}.grad", "w", ndim=1, finite=False, dtype=np.float64)
        if w.shape != (2,):
            fail(f"{self.name}.grad", "w must have shape (2,)", f"shape {w.shape}")
        return np.asarray(self.gradient(w[0], w[1]), dtype=np.float64)

    @property
    def lr_limit(self) -> float:
        """2 / λ_max(hessian): plain gradient descent with η above this diverges near the minimum."""
        return float(2.0 / np.linalg.eigvalsh(self.hessian).max())

    def __repr__(self):
        return f"Surface({self.name})"


def quadratic(a: float = 1.0, b: float = 1.0, *, angle: float = 0.0, minimum=(0.0, 0.0)) -> Surface:
    """C = ½ (a u² + b v²), where (u, v) is w − w* rotated by −angle (in radians).

    The contours are ellipses around w* with curvature a along the direction `angle` and b across
    it; the Hessian is R diag(a, b) Rᵀ, so ∇C = H (w − w*).  Chapters 05, 06.
    """
    where = "nnlab.descent.quadratic"
    a = check_float(a, where, "a", low=0.0, low_open=True)
    b = check_float(b, where, "b", low=0.0, low_open=True)
    angle = check_float(angle, where, "angle")
    center = as_float_array(minimum, where, "minimum", ndim=1, dtype=np.float64)
    if center.shape != (2,):
        fail(where, "minimum must have shape (2,)", f"shape {center.shape}")
    c, s = math.cos(angle), math.sin(angle)
    H = np.array([[a * c * c + b * s * s, (a - b) * c * s],
                  [(a - b) * c * s, a * s * s + b * c * c]])
    m1, m2 = center

    def cost(w1, w2):
        d1, d2 = w1 - m1, w2 - m2
        return 0.5 * (H[0, 0] * d1 * d1 + 2.0 * H[0, 1] * d1 * d2 + H[1, 1] * d2 * d2)

    def gradient(w1, w2):
        return H @ np.array([w1 - m1, w2 - m2])

    name = f"quadratic(a={a:g}, b={b:g}" + (f", angle={angle:g}" if angle else "") + ")"
    return Surface(name, cost, gradient, center.copy(), H)


def bowl(curvature: float = 1.0) -> Surface:
    """C = ½ c (w₁² + w₂²): round contours, every direction equally steep.  Chapter 05."""
    c = check_float(curvature, "nnlab.descent.bowl", "curvature", low=0.0, low_open=True)
    return quadratic(c, c)


def ravine(ratio: float = 50.0, *, angle: float = 0.0) -> Surface:
    """C = ½ (w₁² + ratio · w₂²): a valley `ratio` times more curved across (w₂) than along (w₁).

    With angle ≠ 0 the valley is turned by that angle (radians).  Chapter 06.
    """
    ratio = check_float(ratio, "nnlab.descent.ravine", "ratio", low=0.0, low_open=True)
    return quadratic(1.0, ratio, angle=angle)


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Surface:
    """C = (a − w₁)² + b (w₂ − w₁²)²: a curved, flat-bottomed valley with its minimum at (a, a²).

    ∂C/∂w₁ = −2 (a − w₁) − 4 b w₁ (w₂ − w₁²),   ∂C/∂w₂ = 2 b (w₂ − w₁²).  Chapter 06.
    """
    a = check_float(a, "nnlab.descent.rosenbrock", "a")
    b = check_float(b, "nnlab.descent.rosenbrock", "b", low=0.0, low_open=True)

    def cost(w1, w2):
        return (a - w1) ** 2 + b * (w2 - w1 ** 2) ** 2

    def gradient(w1, w2):
        return np.array([-2.0 * (a - w1) - 4.0 * b * w1 * (w2 - w1 ** 2), 2.0 * b * (w2 - w1 ** 2)])

    H = np.array([[2.0 + 8.0 * b * a * a, -4.0 * b * a], [-4.0 * b * a, 2.0 * b]])
    return Surface(f"rosenbrock(a={a:g}, b={b:g})", cost, gradient, np.array([a, a * a]), H)
