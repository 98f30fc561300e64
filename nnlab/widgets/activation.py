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

from .. import plotting
from .._validate import check_choice, check_float
from ..activations import ACTIVATIONS
from ._base import Explorer, FigureView, root, status_line

#: max over z of σ′(z): σ′(0) = 1/4 for the sigmoid, tanh′(0) = 1, and 1 for z > 0 for ReLU and ELU (α = 1).
SIGMA_PRIME_MAX = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0, "elu": 1.0}

#: The z axis of the plot and the range of the z slider.
Z_RANGE = (-6.0, 6.0)
THRESHOLD_RANGE = (0.0, 0.5)


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

    def _draw(self) -> None:
        figure = self.view.figure
        figure.clear()
        ax = figure.add_subplot()
        z_grid = np.linspace(*Z_RANGE, 601)
        plotting.plot_activation(self.activation, z=z_grid, ax=ax, saturation=self.threshold or None)
        if self.activation not in ("sigmoid", "tanh"):      # plot_activation shades only these two
            ax.fill_between(z_grid, 0, 1, where=saturated(self.activation, z_grid, self.threshold),
                            color="0.85", transform=ax.get_xaxis_transform(), label="saturated (σ′ ≈ 0)")
        ax.axvline(self.z, color="0.3", lw=1, ls=":")
        ax.plot(self.z, self.a, "o", ms=8, color=plotting.CLASS_COLORS[0], markeredgecolor="black",
                label=f"σ({self.z:.1f}) = {self.a:.3f}")
        ax.plot(self.z, self.sigma_prime, "s", ms=8, color=plotting.CLASS_COLORS[1], markeredgecolor="black",
                label=f"σ′({self.z:.1f}) = {self.sigma_prime:.3f}")
        ax.set_xlim(*Z_RANGE)
        ax.legend(loc="upper left", fontsize=8)
        self.view.draw()
