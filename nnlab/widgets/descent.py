"""DescentExplorer: the path gradient descent takes on a cost of two weights, for any settings.

    nl.widgets.DescentExplorer()                                   # plain gradient descent on a bowl
    nl.widgets.DescentExplorer("ravine", lr=0.005, momentum=0.9)   # momentum in a narrow valley
    nl.widgets.DescentExplorer("ravine", optimizer="adam", lr=0.1)

Left: the contours of C(w₁, w₂) with the weights w_0, w_1, …, w_T visited; right: C(w_t) against
the step t on a log scale. Every change of a control recomputes the path with
nl.descent.descend (the optimizers of nnlab on a Parameter holding the two weights), so what
the picture shows is exactly what nl.SGD, nl.RMSProp and nl.Adam do. The status line gives the
final cost, the distance to the minimum and the number of steps until the weights stay within
`tol` of it, or says that the run diverged.

The numbers live in attributes: `path` (T + 1, 2), `costs` (T + 1,), `final_loss`, `distance`,
`steps_to_tol` (None if never), `diverged`, `diverged_at`.

Chapters 05 and 06.
"""

from __future__ import annotations

import math

import ipywidgets as W
import numpy as np
from matplotlib.ticker import LogFormatter, NullFormatter

from .. import descent, schedules
from .._validate import as_float_array, check_choice, check_float, check_int, describe, fail
from ..plotting import CLASS_COLORS, plot_loss_contours
from ._base import Explorer, FigureView, labelled, root, status_line

#: The surfaces offered: (the cost, the part of the plane shown (w₁ range, w₂ range), the default start).
SURFACES = {
    "bowl": (lambda: descent.bowl(1.0), ((-5.0, 5.0), (-5.0, 5.0)), (-4.0, 3.0)),
    "ravine": (lambda: descent.ravine(200.0), ((-5.0, 1.5), (-1.5, 1.5)), (-4.0, 1.0)),
    "tilted ravine": (lambda: descent.ravine(50.0, angle=math.pi / 6), ((-5.0, 3.0), (-3.5, 2.5)),
                      (-4.0, 0.5)),
    "rosenbrock": (lambda: descent.rosenbrock(), ((-2.0, 2.0), (-1.0, 3.0)), (-1.5, 2.5)),
}

#: The learning-rate schedules offered, as functions of η₀ and the number of steps T.
SCHEDULES = ("constant", "step decay", "exponential", "inverse time", "cosine")

#: A run has diverged once a weight leaves the shown window enlarged this many times (or is inf/nan).
DIVERGENCE_FACTOR = 100.0


def schedule_for(name: str, lr: float, steps: int) -> schedules.Schedule:
    """The learning-rate schedule `name` for a run of T = `steps` steps starting at η₀ = `lr`.

    constant       η_t = η₀
    step decay     η_t = η₀ · 0.5^⌊t / (T/4)⌋           (halved every quarter of the run)
    exponential    η_t = η₀ · 0.01^(t / T)              (down to 1 % at the end)
    inverse time   η_t = η₀ / (1 + 20 t / T)            (down to about 5 % at the end)
    cosine         η_t = ½ η₀ (1 + cos(π t / T))        (down to 0 at the end)

    Chapter 05.
    """
    check_choice(name, "nnlab.widgets.descent.schedule_for", "name", SCHEDULES)
    if name == "constant":
        return schedules.constant(lr)
    if name == "step decay":
        return schedules.step_decay(lr, drop=0.5, every=max(1, steps // 4))
    if name == "exponential":
        return schedules.exponential_decay(lr, rate=0.01, every=steps)
    if name == "inverse time":
        return schedules.inverse_time_decay(lr, k=20.0 / steps)
    return schedules.cosine_decay(lr, total=steps)


def run_descent(surface: descent.Surface, start, *, steps: int, lr: float, optimizer: str = "sgd",
                momentum: float = 0.0, schedule: str = "constant") -> np.ndarray:
    """The path of nl.descent.descend on `surface` from `start` with the given settings: (T + 1, 2).

    Momentum applies to "sgd" only and is ignored for "rmsprop" and "adam" (they have their own
    running averages).  Chapters 05, 06.
    """
    return descent.descend(surface.grad, start, steps=steps, lr=schedule_for(schedule, lr, steps),
                           optimizer=optimizer, momentum=momentum if optimizer == "sgd" else 0.0)


def divergence_step(path, window) -> int | None:
    """The first step t at which w_t is not finite or lies outside `window` enlarged
    DIVERGENCE_FACTOR times about its centre; None if the whole path stays inside.

    path : (T + 1, 2);  window : ((w₁ low, w₁ high), (w₂ low, w₂ high)).
    """
    path = np.asarray(path, dtype=np.float64)
    (x0, x1), (y0, y1) = window
    centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    half = DIVERGENCE_FACTOR * np.array([(x1 - x0) / 2, (y1 - y0) / 2])
    with np.errstate(invalid="ignore", over="ignore"):
        inside = np.all(np.abs(path - centre) <= half, axis=1)     # nan and inf count as outside
    outside = np.flatnonzero(~inside)
    return int(outside[0]) if outside.size else None


class DescentExplorer(Explorer):
    """Gradient descent paths on a two-weight cost: choose the surface, η, momentum, optimizer, schedule.

    Parameters
    ----------
    surface : {"bowl", "ravine", "tilted ravine", "rosenbrock"}
        bowl: C = ½ (w₁² + w₂²);  ravine: C = ½ (w₁² + 200 w₂²);  tilted ravine: ½ (u² + 50 v²) turned
        by 30°;  rosenbrock: C = (1 − w₁)² + 100 (w₂ − w₁²)².
    lr : float
        η₀, the learning rate at the first step, in [1e-4, 10].
    momentum : float
        μ in [0, 0.99] for optimizer "sgd" (0 = plain gradient descent).
    optimizer : {"sgd", "rmsprop", "adam"}
    schedule : {"constant", "step decay", "exponential", "inverse time", "cosine"}
        How η changes over the run (see `schedule_for`).
    steps : int
        T, the number of steps, 1 to 2000.
    start : (w₁, w₂) or None
        w_0; None for the surface's usual start.
    tol : float
        The status reports the step from which ‖w_t − w*‖ ≤ tol (nl.descent.steps_to_reach).

    Chapters 05 and 06.
    """

    def __init__(self, surface: str = "bowl", *, lr: float = 0.1, momentum: float = 0.0,
                 optimizer: str = "sgd", schedule: str = "constant", steps: int = 50, start=None,
                 tol: float = 1e-2):
        where = "nnlab.widgets.DescentExplorer"
        check_choice(surface, where, "surface", tuple(SURFACES))
        lr = check_float(lr, where, "lr", low=1e-4, high=10.0)
        momentum = check_float(momentum, where, "momentum", low=0.0, high=0.99)
        check_choice(optimizer, where, "optimizer", tuple(descent.OPTIMIZERS))
        if momentum and optimizer != "sgd":
            fail(where, "momentum applies to optimizer='sgd' only", f"momentum={momentum} with {optimizer!r}",
                 "Adam has its own momentum (beta1); RMSProp has none.")
        check_choice(schedule, where, "schedule", SCHEDULES)
        steps = check_int(steps, where, "steps")
        if steps > 2000:
            fail(where, "steps must be at most 2000", str(steps))
        window = SURFACES[surface][1]
        if start is None:
            start = SURFACES[surface][2]
        start = as_float_array(start, where, "start", ndim=1, dtype=np.float64)
        if start.shape != (2,):
            fail(where, "start must be two numbers (w₁, w₂)", describe(start))
        for i, (value, (low, high)) in enumerate(zip(start, window)):
            if not low <= value <= high:
                fail(where, f"start[{i}] must lie in the window shown for {surface!r}, [{low}, {high}]",
                     str(value))
        self.tol = check_float(tol, where, "tol", low=0.0, low_open=True)

        self.surface_control = labelled(W.Dropdown(options=list(SURFACES), value=surface), "surface", "surface")
        self.optimizer_control = labelled(W.Dropdown(options=list(descent.OPTIMIZERS), value=optimizer),
                                          "optimizer", "optimizer")
        self.schedule_control = labelled(W.Dropdown(options=list(SCHEDULES), value=schedule),
                                         "schedule", "η schedule")
        self.lr_control = labelled(W.FloatLogSlider(value=lr, base=10, min=-4, max=1, step=0.05,
                                                    readout_format=".3g", continuous_update=False),
                                   "lr", "learning rate η")
        self.momentum_control = labelled(W.FloatSlider(value=momentum, min=0.0, max=0.99, step=0.01,
                                                        continuous_update=False), "momentum", "momentum μ")
        self.steps_control = labelled(W.IntSlider(value=steps, min=1, max=2000, continuous_update=False),
                                      "steps", "steps T")
        self.start_w1 = labelled(W.FloatSlider(value=start[0], min=window[0][0], max=window[0][1], step=0.1,
                                               continuous_update=False), "start-w1", "start w₁")
        self.start_w2 = labelled(W.FloatSlider(value=start[1], min=window[1][0], max=window[1][1], step=0.1,
                                               continuous_update=False), "start-w2", "start w₂")
        self.status = status_line()
        self.view = FigureView(figsize=(9.0, 3.8), dpi=80)
        self.view.figure.set_layout_engine("none")          # fixed margins: a redraw twice as fast
        self._quiet = False

        controls = [self.surface_control, self.optimizer_control, self.schedule_control, self.lr_control,
                    self.momentum_control, self.steps_control, self.start_w1, self.start_w2]
        for control in controls:
            control.observe(self._on_change, names="value")
        self.surface_control.observe(self._on_surface, names="value")
        self.widget = root("descent", [W.HBox([W.VBox(controls[:4]), W.VBox(controls[4:])]),
                                       self.view.image, self.status])
        self.update()

    # --- the numbers ---------------------------------------------------------------------------

    @property
    def settings(self) -> dict:
        """The current controls as keyword arguments of `run_descent` (plus "surface", "start")."""
        return {"surface": self.surface_control.value, "start": (self.start_w1.value, self.start_w2.value),
                "steps": self.steps_control.value, "lr": self.lr_control.value,
                "optimizer": self.optimizer_control.value, "momentum": self.momentum_control.value,
                "schedule": self.schedule_control.value}

    def update(self) -> None:
        """Recompute the path from the controls, then redraw the plot and the status line."""
        s = self.settings
        self.surface = SURFACES[s["surface"]][0]()
        self.window = SURFACES[s["surface"]][1]
        self.momentum_control.disabled = s["optimizer"] != "sgd"
        self.path = run_descent(self.surface, s["start"], steps=s["steps"], lr=s["lr"], optimizer=s["optimizer"],
                                momentum=s["momentum"], schedule=s["schedule"])
        self.diverged_at = divergence_step(self.path, self.window)
        self.diverged = self.diverged_at is not None
        shown = self.path if self.diverged_at is None else self.path[:self.diverged_at]
        with np.errstate(over="ignore", invalid="ignore"):
            self.costs = np.asarray(self.surface(shown[:, 0], shown[:, 1]), dtype=np.float64)
        self.final_loss = float(self.costs[-1]) if not self.diverged else math.inf
        self.distance = (float(np.linalg.norm(self.path[-1] - self.surface.minimum)) if not self.diverged
                         else math.inf)
        self.steps_to_tol = (None if self.diverged else
                             descent.steps_to_reach(self.path, self.surface.minimum, self.tol))
        self.status.value = self._status_text()
        self._draw()

    def _status_text(self) -> str:
        s = self.settings
        limit = (f"plain gradient descent is stable near the minimum for η &lt; 2/λ_max = "
                 f"{self.surface.lr_limit:.3g}")
        if self.diverged:
            return (f"<b>diverged</b> at step {self.diverged_at}: the weights left the window ×"
                    f"{DIVERGENCE_FACTOR:g} (or overflowed). Try a smaller learning rate. · {limit}")
        reach = (f"within {self.tol:g} of the minimum from step {self.steps_to_tol}" if self.steps_to_tol is not None
                 else f"not within {self.tol:g} of the minimum after {s['steps']} steps")
        return (f"final loss {self.final_loss:.4g} · distance to the minimum {self.distance:.3g} · "
                f"{reach} · {limit}")

    # --- the picture ---------------------------------------------------------------------------

    def _setup_axes(self) -> None:
        """New axes with the contours of the current surface; _draw then only moves the lines."""
        fig = self.view.figure
        fig.clear()
        self._ax_path, self._ax_cost = fig.subplots(1, 2, width_ratios=[1.3, 1], gridspec_kw=dict(
            left=0.07, right=0.98, bottom=0.13, top=0.92, wspace=0.25))
        (x0, x1), (y0, y1) = self.window
        w1, w2 = np.meshgrid(np.linspace(x0, x1, 100), np.linspace(y0, y1, 100))
        top = float(np.max(self.surface(w1, w2)))
        plot_loss_contours(self.surface, xlim=(x0, x1), ylim=(y0, y1), ax=self._ax_path,
                           levels=np.geomspace(1e-4 * top, top, 20), resolution=100)
        self._ax_path.plot(*self.surface.minimum, "*", color="black", ms=12, zorder=5)
        color = CLASS_COLORS[1]
        self._path_line, = self._ax_path.plot([], [], "o-", ms=3, lw=1.5, color=color)
        self._start_marker, = self._ax_path.plot([], [], "s", color=color, ms=7)
        self._ax_path.set_xlim(x0, x1)
        self._ax_path.set_ylim(y0, y1)
        self._cost_line, = self._ax_cost.semilogy([1, 2], [1, 2], color=color, lw=1.5)
        self._ax_cost.yaxis.set_major_formatter(LogFormatter())      # "1e-05": no mathtext, a faster redraw
        self._ax_cost.yaxis.set_minor_formatter(NullFormatter())
        self._ax_cost.set_xlabel("step $t$")
        self._ax_cost.set_ylabel("$C(w_t)$")
        self._shown_surface = self.surface_control.value

    def _draw(self) -> None:
        if getattr(self, "_shown_surface", None) != self.surface_control.value:
            self._setup_axes()
        # draw up to the first point outside the window ×100, so a divergent path leaves the axes intact
        drawn = self.path if self.diverged_at is None else self.path[:self.diverged_at + 1]
        drawn = drawn[np.all(np.isfinite(drawn), axis=1)]
        self._path_line.set_data(drawn[:, 0], drawn[:, 1])
        self._start_marker.set_data(self.path[:1, 0], self.path[:1, 1])
        label = self.optimizer_control.value + (f", μ = {self.momentum_control.value:g}"
                                                if self.optimizer_control.value == "sgd"
                                                and self.momentum_control.value else "")
        self._ax_path.set_title(f"{self.surface.name}: {label}, η₀ = {self.lr_control.value:.3g}, "
                                f"{self.schedule_control.value}", fontsize=9)
        floor = 1e-16                                         # C = 0 exactly is drawn at the floor
        costs = np.maximum(self.costs, floor)
        self._cost_line.set_data(np.arange(len(costs)), costs)
        self._ax_cost.set_xlim(0, self.steps_control.value)
        self._ax_cost.set_ylim(0.5 * costs.min(), 2 * costs.max())
        self._ax_cost.set_title("diverged" if self.diverged else f"C after {self.steps_control.value} steps: "
                                f"{self.final_loss:.3g}", fontsize=9)
        self.view.draw()

    # --- callbacks -----------------------------------------------------------------------------

    def _on_surface(self, change) -> None:
        """A new surface: move the start sliders to its window and its usual start."""
        window, start = SURFACES[change["new"]][1:]
        self._quiet = True
        try:
            for slider, (low, high), value in zip((self.start_w1, self.start_w2), window, start):
                slider.min, slider.max = min(slider.min, low), max(slider.max, high)
                slider.value = value
                slider.min, slider.max = low, high
        finally:
            self._quiet = False
        self.update()

    def _on_change(self, change) -> None:
        if self._quiet or change["owner"] is self.surface_control:
            return
        self.update()
