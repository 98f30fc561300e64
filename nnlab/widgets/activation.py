"""ActivationExplorer: an activation σ and its derivative σ′, with the saturated region shaded.

    saturated at z  ⇔  σ′(z) < threshold × max σ′        (the course uses threshold = 0.1)

A saturated neuron's output hardly changes when z does, so almost no learning signal passes
through it (chapter 02); one factor σ′(z) per layer is why deep sigmoid networks stop learning
(chapter 10). The numbers come from `nl.activations`.

Chapters 02, 10.
"""

from __future__ import annotations

import ipywidgets as W
import numpy as np
from matplotlib.collections import PolyCollection

from .. import plotting
from .._validate import check_choice, check_float
from ..activations import ACTIVATIONS
from ._base import Explorer, FigureView, root, status_line

#: max over z of σ′(z): σ′(0) = 1/4 for the sigmoid, tanh′(0) = 1, and 1 for z > 0 for ReLU and ELU (α = 1).
SIGMA_PRIME_MAX = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0, "elu": 1.0}

#: The z axis of the plot and the range of the z slider.
Z_RANGE = (-6.0, 6.0)
THRESHOLD_RANGE = (0.0, 0.5)

#: The plot's margins as fractions of the figure: fixed, so that a redraw renders the picture once,
#: without a layout pass.
MARGINS = dict(left=0.09, right=0.98, bottom=0.13, top=0.92)

BAND_LABEL = "saturated (σ′ ≈ 0)"


def saturated(name: str, z, threshold: float = 0.1) -> np.ndarray:
    """True where σ′(z) < threshold × max σ′ (elementwise, same shape as z).

    sigmoid: |z| ≳ 3.6 at threshold 0.1;  tanh: |z| ≳ 1.8;  ReLU: z ≤ 0 (σ′ = 0, its flat side);
    ELU: z < ln(threshold) (α e^z, flat far to the left).  Chapters 02, 10.
    """
    where = "nnlab.widgets.activation.saturated"
    name = check_choice(name, where, "name", tuple(ACTIVATIONS))
    threshold = check_float(threshold, where, "threshold", low=0.0, high=1.0)
    sigma_prime = ACTIVATIONS[name][1]
    return sigma_prime(z) < threshold * SIGMA_PRIME_MAX[name]


def _runs(z, where) -> list[tuple[float, float]]:
    """The stretches of a sorted grid z where `where` holds, as (first z, last z) pairs, left to right
    (the regions `fill_between(z, 0, 1, where=where)` shades)."""
    z = np.asarray(z, dtype=np.float64)
    edges = np.diff(np.concatenate([[0], np.asarray(where, dtype=np.int8), [0]]))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
    return [(float(z[i]), float(z[j])) for i, j in zip(starts, stops)]


class ActivationExplorer(Explorer):
    """Choose an activation, a weighted input z and a saturation threshold; see σ(z), σ′(z) and
    whether z lies in the saturated region.

    The numbers shown are kept as attributes: `activation`, `z`, `a` (= σ(z)), `sigma_prime`
    (= σ′(z)), `threshold`, `sigma_prime_max` and `is_saturated`.

    Parameters
    ----------
    activation : {"sigmoid", "tanh", "relu", "elu"}
    z : float in [-6, 6]
    threshold : float in [0, 0.5]
        z is saturated where σ′(z) < threshold × max σ′.

    Chapters 02, 10.
    """

    def __init__(self, activation: str = "sigmoid", z: float = 2.0, threshold: float = 0.1):
        where = "ActivationExplorer"
        activation = check_choice(activation, where, "activation", tuple(ACTIVATIONS))
        z = check_float(z, where, "z", low=Z_RANGE[0], high=Z_RANGE[1],
                        hint=f"the slider and the plot span [{Z_RANGE[0]}, {Z_RANGE[1]}].")
        threshold = check_float(threshold, where, "threshold", low=THRESHOLD_RANGE[0], high=THRESHOLD_RANGE[1],
                                hint="the course calls z saturated where σ′ is below 10 % of its maximum: 0.1.")

        self.activation_menu = W.Dropdown(options=tuple(ACTIVATIONS), value=activation, description="σ")
        self.activation_menu.add_class("nnlab-activation")
        self.z_slider = W.FloatSlider(value=z, min=Z_RANGE[0], max=Z_RANGE[1], step=0.1, description="z",
                                      readout_format=".1f")
        self.z_slider.add_class("nnlab-z")
        self.threshold_slider = W.FloatSlider(value=threshold, min=THRESHOLD_RANGE[0], max=THRESHOLD_RANGE[1],
                                              step=0.01, description="threshold", readout_format=".2f")
        self.threshold_slider.add_class("nnlab-threshold")
        self.status = status_line()
        self.view = FigureView(figsize=(6.0, 3.8))

        controls = [self.activation_menu, self.z_slider, self.threshold_slider]
        for control in controls:
            control.observe(self._update, names="value")
        self.widget = root("activations", [W.HBox(controls), self.view.image, self.status])
        self._build_plot()
        self._update()

    def _update(self, change=None) -> None:
        self.activation = self.activation_menu.value
        self.z = float(self.z_slider.value)
        self.threshold = float(self.threshold_slider.value)
        sigma, sigma_prime = ACTIVATIONS[self.activation]
        self.a = float(sigma(self.z))
        self.sigma_prime = float(sigma_prime(self.z))
        self.sigma_prime_max = SIGMA_PRIME_MAX[self.activation]
        self.is_saturated = bool(saturated(self.activation, self.z, self.threshold))
        verdict, compare = ("yes", "&lt;") if self.is_saturated else ("no", "≥")
        self.status.value = (
            f"z = {self.z:.2f} · σ(z) = {self.a:.4f} · σ′(z) = {self.sigma_prime:.4f} · "
            f"saturated: {verdict} (σ′(z) {compare} {self.threshold:.2f} × max σ′ = "
            f"{self.threshold * self.sigma_prime_max:.4f})")
        self._draw()

    def _build_plot(self) -> None:
        """The axes and every artist, once (as `nl.plotting.plot_activation` draws them, with the
        saturated band for every activation); _draw then only updates their data."""
        figure = self.view.figure
        figure.subplots_adjust(**MARGINS)
        ax = self._ax = figure.add_subplot()
        z_grid = self._z_grid = np.linspace(*Z_RANGE, 601)
        blue, orange = plotting.CLASS_COLORS[:2]
        self._sigma_line, = ax.plot(z_grid, np.zeros_like(z_grid), color=blue, lw=2)
        self._sigma_prime_line, = ax.plot(z_grid, np.zeros_like(z_grid), color=orange, lw=2, ls="--")
        self._band = PolyCollection([], color="0.85", transform=ax.get_xaxis_transform(), label=BAND_LABEL)
        ax.add_collection(self._band, autolim=False)
        ax.axhline(0, color="0.6", lw=0.8)
        ax.axvline(0, color="0.6", lw=0.8)
        self._z_line = ax.axvline(0, color="0.3", lw=1, ls=":")
        self._sigma_dot, = ax.plot([], [], "o", ms=8, color=blue, markeredgecolor="black")
        self._sigma_prime_dot, = ax.plot([], [], "s", ms=8, color=orange, markeredgecolor="black")
        ax.set_xlim(*Z_RANGE)
        ax.set_xlabel("z")
        self._legend_handles = None

    def _draw(self) -> None:
        ax, z_grid = self._ax, self._z_grid
        sigma, sigma_prime = ACTIVATIONS[self.activation]
        self._sigma_line.set_ydata(sigma(z_grid))
        self._sigma_line.set_label(f"{self.activation}(z)")
        self._sigma_prime_line.set_ydata(sigma_prime(z_grid))
        self._sigma_prime_line.set_label(f"{self.activation}′(z)")
        regions = _runs(z_grid, saturated(self.activation, z_grid, self.threshold))
        self._band.set_verts([[(lo, 0), (hi, 0), (hi, 1), (lo, 1)] for lo, hi in regions])
        self._z_line.set_xdata([self.z, self.z])
        self._sigma_dot.set_data([self.z], [self.a])
        self._sigma_dot.set_label(f"σ({self.z:.1f}) = {self.a:.3f}")
        self._sigma_prime_dot.set_data([self.z], [self.sigma_prime])
        self._sigma_prime_dot.set_label(f"σ′({self.z:.1f}) = {self.sigma_prime:.3f}")
        ax.set_title(self.activation)
        ax.relim()
        ax.autoscale_view(scalex=False)          # the y range of σ and σ′, as when they are first plotted

        handles = [self._sigma_line, self._sigma_prime_line, *([self._band] if self.threshold else []),
                   self._sigma_dot, self._sigma_prime_dot]
        if handles != self._legend_handles:
            ax.legend(handles=handles, loc="upper left", fontsize=8)
            self._legend_handles = handles
        for text, handle in zip(ax.get_legend().get_texts(), handles):
            text.set_text(handle.get_label())
        self.view.draw()
