"""Gradient checking: compare backprop's gradients with central differences.

    numeric:   ∂f/∂x_i ≈ (f(x + h e_i) − f(x − h e_i)) / 2h        error O(h²)
    compare:   rel_error(a, b) = ‖a − b‖ / max(‖a‖ + ‖b‖, floor)

In float64 with h = 1e-5, a correct backward pass agrees to about 1e-10 for a single layer and
1e-8 for a whole network; a wrong one is off by 1e-2 or more. Hence the default tolerances, 1e-7 per
layer and 1e-6 per model. float32 has only ~7 significant digits, too few for central differences,
so the checker insists on float64.

Numeric gradients cost two forward passes *per weight*; backprop costs about one extra pass for all of
them (chapter 07 measures it). For a big model, `check_model(..., method="direction")` compares
one random direction instead: the numeric slope (f(θ + hv) − f(θ − hv)) / 2h against ∇f · v.

Chapter 07.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._validate import (all_finite, as_batch, check_choice, check_float, check_rng, describe,
                        fail, shape_text)
from .layer import Layer, leaves, parameter_labels
from .losses import Loss
from .roundoff import bound_text, tiny


def numeric_grad(f, x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Central-difference gradient of a scalar function f() with respect to every entry of x.

    ∂f/∂x_i ≈ (f(x + h e_i) − f(x − h e_i)) / 2h

    `f` takes no arguments and reads `x` (a closure over a parameter's data, say); each entry of x is
    moved in place and put back exactly, so x is unchanged afterwards. Costs 2·x.size calls of f.

    Parameters
    ----------
    f : callable () → float
    x : ndarray of float64
    h : float, the step (1e-5 balances truncation O(h²) against rounding O(ε/h) in float64)

    Returns
    -------
    ndarray shaped like x.

    Chapter 07.
    """
    if not isinstance(x, np.ndarray):
        fail("nnlab.gradcheck.numeric_grad", "x must be a numpy array (it is perturbed in place)",
             describe(x), error=TypeError)
    _require_float64(x, "nnlab.gradcheck.numeric_grad", "x")
    h = check_float(h, "nnlab.gradcheck.numeric_grad", "h", low=0.0, low_open=True)
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    if not np.shares_memory(flat, x):
        fail("nnlab.gradcheck.numeric_grad", "x must be contiguous", "a strided view",
             "pass the array f actually reads.")
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        f_plus = float(f())
        flat[i] = old - h
        f_minus = float(f())
        flat[i] = old
        gflat[i] = (f_plus - f_minus) / (2.0 * h)
    return grad


def rel_error(a, b, floor: float = 1e-8) -> float:
    """‖a − b‖ / max(‖a‖ + ‖b‖, floor): 0 when equal, 1 when unrelated, scale-free in between.

    The floor keeps two (nearly) zero gradients from looking different. Chapter 07.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        fail("nnlab.gradcheck.rel_error", f"a and b must have the same shape, a is {shape_text(a.shape)}",
             f"b of shape {shape_text(b.shape)}")
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), floor))


@dataclass
class GradReport:
    """The result of a gradient check: one row per parameter (and the input), with a verdict.

    `ok` is True when every row is within `tol`; `str(report)` is a readable table;
    `raise_if_failed()` raises a RuntimeError carrying the table when a row fails.
    """

    title: str
    tol: float
    rows: list = field(default_factory=list)   # (name, shape, rel_error, max_abs_error)

    @property
    def ok(self) -> bool:
        return all(r[2] < self.tol for r in self.rows)

    @property
    def worst(self) -> float:
        """The largest relative error over all rows."""
        return max((r[2] for r in self.rows), default=0.0)

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        """The table, said robustly: a passing row shows the bound it is under ('< 1e-7'), not the
        rounding digits that differ from machine to machine; a failing row shows its errors."""
        head = f"gradient check of {self.title}: relative error vs central differences (pass < {bound_text(self.tol)})"
        name_w = max([len("gradient")] + [len(r[0]) for r in self.rows])
        shape_w = max([len("shape")] + [len(shape_text(r[1])) for r in self.rows])
        lines = [head, f"  {'gradient':<{name_w}}  {'shape':<{shape_w}}  {'rel. error':>10}  "
                       f"{'max |diff|':>10}  verdict"]
        for name, shape, rel, abs_err in self.rows:
            ok = rel < self.tol
            shown_abs = "" if ok else f"{abs_err:.1e}"
            lines.append(f"  {name:<{name_w}}  {shape_text(shape):<{shape_w}}  {tiny(rel, self.tol):>10}  "
                         f"{shown_abs:>10}  {'ok' if ok else 'WRONG'}")
        lines.append("all gradients agree" if self.ok else
                     "some gradients disagree: look at the backward pass of the rows marked WRONG")
        return "\n".join(lines)

    def _repr_pretty_(self, printer, cycle):  # how IPython shows a report: the table
        printer.text(str(self))

    def raise_if_failed(self) -> "GradReport":
        if not self.ok:
            raise RuntimeError(str(self))
        return self


def _require_float64(x: np.ndarray, where: str, name: str) -> None:
    if x.dtype != np.float64:
        fail(where, f"{name} must be float64 for a gradient check", f"dtype {x.dtype}",
             "float32 has ~7 digits, too few for central differences: build the model with "
             "dtype=np.float64 (the default) and pass float64 data.", error=TypeError)


class _FrozenRandomness:
    """Restores every layer's rng before each forward pass, so dropout draws the same mask each time."""

    def __init__(self, model):
        self.rngs = [l.rng for l in leaves(model) if isinstance(getattr(l, "rng", None), np.random.Generator)]
        self.states = [r.bit_generator.state for r in self.rngs]

    def reset(self):
        for r, s in zip(self.rngs, self.states):
            r.bit_generator.state = s


def _check_float64_model(model, where):
    for p in model.parameters():
        _require_float64(p.data, where, f"parameter {p.name}")


def _row(name, analytic, numeric):
    return (name, analytic.shape, rel_error(analytic, numeric),
            float(np.max(np.abs(analytic - numeric))) if analytic.size else 0.0)


def check_layer(layer: Layer, a_prev, *, rng: np.random.Generator, h: float = 1e-5,
                tol: float = 1e-7) -> GradReport:
    """Check a layer's backward pass, for every parameter and for its input, against central differences.

    f(θ, a_prev) = Σ G ⊙ layer(a_prev), with a random upstream gradient G drawn from `rng`, so that
    every output entry matters. Backprop gives ∂f/∂θ (accumulated into grad) and ∂f/∂a_prev;
    numeric_grad gives the same by finite differences. `a_prev` is copied, never modified.

    Returns a GradReport (rows: each parameter, then the input). Chapter 07.
    """
    where = "nnlab.gradcheck.check_layer"
    if not isinstance(layer, Layer):
        fail(where, "layer must be an nnlab layer", describe(layer), error=TypeError)
    check_rng(rng, where)
    tol = check_float(tol, where, "tol", low=0.0, low_open=True)
    x = as_batch(a_prev, where, "a_prev", layer.n_in, ndim=layer.input_ndim)
    _require_float64(x, where, "a_prev")
    _check_float64_model(layer, where)
    x = x.copy()
    frozen = _FrozenRandomness(layer)

    def run():
        frozen.reset()
        return layer._forward(x)

    out = run()
    G = rng.standard_normal(out.shape)
    layer.zero_grad()
    dx = layer._backward(G.copy(), True)
    analytic = [(p.name, p.grad.copy(), p) for p in layer.parameters()]

    def f():
        return float(np.vdot(G, run()))

    report = GradReport(repr(layer), tol)
    for name, grad, p in analytic:
        report.rows.append(_row(name, grad, numeric_grad(f, p.data, h)))
    report.rows.append(_row("input a_prev", dx, numeric_grad(f, x, h)))
    return report


def check_model(model: Layer, loss: Loss, x, y, *, rng: np.random.Generator | None = None,
                method: str = "full", h: float = 1e-5, tol: float = 1e-6) -> GradReport:
    """Check a whole network's gradients of C = loss(model(x), y), for every parameter and the input.

    method="full": every weight separately (2 forward passes per weight; fine up to a few thousand).
    method="direction": one random unit direction v over all parameters and the input (needs `rng`),
    comparing ∇C · v with (C(θ + hv) − C(θ − hv)) / 2h — one row, two forward passes.

    x and y are not modified; dropout masks are held fixed during the check. Chapter 07.
    """
    where = "nnlab.gradcheck.check_model"
    if not isinstance(model, Layer):
        fail(where, "model must be an nnlab layer or Sequential", describe(model), error=TypeError)
    if not isinstance(loss, Loss):
        fail(where, "loss must be an nnlab loss (SquaredError, SoftmaxCrossEntropy)", describe(loss),
             error=TypeError)
    check_choice(method, where, "method", ("full", "direction"))
    tol = check_float(tol, where, "tol", low=0.0, low_open=True)
    xb = as_batch(x, where, "x", model.n_in, ndim=model.input_ndim)
    _require_float64(xb, where, "x")
    _check_float64_model(model, where)
    xb = xb.copy()
    target = np.array(y, copy=True)
    # validate the target once through the loss's public forward
    frozen = _FrozenRandomness(model)
    frozen.reset()
    loss.forward(model._forward(xb), target)

    def C():
        frozen.reset()
        return loss._forward(model._forward(xb), target)

    C()
    model.zero_grad()
    dx = model._backward(loss.backward(), True)
    params = model.parameters()
    report = GradReport(f"{type(model).__name__} with {type(loss).__name__}", tol)
    if method == "full":
        for label, p in zip(parameter_labels(model), params):
            report.rows.append(_row(label, p.grad.copy(), numeric_grad(C, p.data, h)))
        report.rows.append(_row("input x", dx, numeric_grad(C, xb, h)))
        return report

    check_rng(rng, where + "(method='direction')")
    arrays = [p.data for p in params] + [xb]
    grads = [p.grad.copy() for p in params] + [dx]
    v = [rng.standard_normal(a.shape) for a in arrays]
    norm = np.sqrt(sum(float(np.vdot(d, d)) for d in v))
    v = [d / norm for d in v]
    analytic = sum(float(np.vdot(g, d)) for g, d in zip(grads, v))
    originals = [a.copy() for a in arrays]
    for a, d in zip(arrays, v):
        a += h * d
    c_plus = C()
    for a, d, o in zip(arrays, v, originals):
        np.subtract(o, h * d, out=a)
    c_minus = C()
    for a, o in zip(arrays, originals):
        np.copyto(a, o)
    numeric = (c_plus - c_minus) / (2.0 * h)
    report.rows.append(_row("∇C · v (random direction)", np.array([analytic]), np.array([numeric])))
    if not all_finite(np.array([analytic, numeric])):
        fail(where, "finite gradients", f"∇C·v = {analytic}, numeric slope = {numeric}")
    return report
