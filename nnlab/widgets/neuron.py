"""NeuronExplorer: one neuron with two inputs; drag its weights and bias, watch z, σ(z) and its line.

    z = w · a + b = w₁ a₁ + w₂ a₂ + b,        output σ(z)

The plot shows the input plane (a₁, a₂): the neuron's output at every point as a shaded
background, its decision line w · a + b = 0 with w drawn perpendicular to it, and the current
input a as a dot. The numbers come from `nl.Neuron`.

Chapter 01.
"""

from __future__ import annotations

import ipywidgets as W
import numpy as np

from .. import plotting
from .._validate import as_float_array, check_choice, check_float, describe, fail
from ..neuron import Neuron
from ._base import Explorer, FigureView, root, status_line

#: The activations offered, in the order of the dropdown.
ACTIVATIONS = ("step", "sigmoid", "tanh", "relu")

#: Slider ranges: inputs a_k, weights w_k and the bias b.
INPUT_RANGE = (-2.0, 2.0)
WEIGHT_RANGE = (-3.0, 3.0)
BIAS_RANGE = (-3.0, 3.0)

#: The input plane and its colour bar in the figure, as (left, bottom, width, height) fractions of
#: the figure: fixed, so that a redraw renders the picture once, without a layout pass. The plane
#: is square (272 × 272 px of the 400 × 336 px figure); the bar is 80 % as tall, centred beside it.
PLANE_BOX = (0.125, 0.11, 0.68, 0.81)
COLORBAR_BOX = (0.835, 0.11 + 0.1 * 0.81, 0.035, 0.8 * 0.81)

LINE_LABEL = "w · a + b = 0"


def output_range(activation: str, outputs: np.ndarray) -> tuple[float, float]:
    """The colour scale (vmin, vmax) for a plane of outputs: the activation's own range, so the
    decision line (z = 0) sits at the middle colour for step, sigmoid and tanh, and at white
    (output 0) for ReLU."""
    if activation in ("step", "sigmoid"):
        return 0.0, 1.0
    if activation == "tanh":
        return -1.0, 1.0
    top = max(float(np.max(outputs)), 1.0)
    return -top, top


def _pair(value, where: str, name: str, labels: tuple[str, str], limits: tuple[float, float]) -> np.ndarray:
    arr = as_float_array(value, where, name)
    if arr.shape != (2,):
        fail(where, f"{name} must hold two numbers ({labels[0]}, {labels[1]})", describe(value),
             "the explorer shows a neuron with two inputs.")
    for label, v in zip(labels, arr):
        check_float(float(v), where, f"{name} ({label})", low=limits[0], high=limits[1],
                    hint=f"the sliders span [{limits[0]}, {limits[1]}].")
    return arr.astype(np.float64)


def _slider(description: str, css: str, value: float, limits: tuple[float, float], step: float):
    slider = W.FloatSlider(value=value, min=limits[0], max=limits[1], step=step,
                           description=description, readout_format=".2f", continuous_update=True)
    slider.add_class(css)
    return slider


class NeuronExplorer(Explorer):
    """A two-input neuron with sliders for a₁, a₂, w₁, w₂, b and a choice of σ.

    z = w · a + b,  output σ(z).  The numbers shown are kept as attributes:
    `inputs` (2,), `w` (2,), `b`, `activation`, `z` and `a` (= σ(z), the neuron's output).

    Parameters
    ----------
    w : pair of floats in [-3, 3]        the weights (w₁, w₂)
    b : float in [-3, 3]                 the bias
    inputs : pair of floats in [-2, 2]   the input (a₁, a₂)
    activation : {"step", "sigmoid", "tanh", "relu"}

    Chapter 01.
    """

    def __init__(self, w=(1.0, -0.5), b: float = 0.2, inputs=(1.0, 0.5), activation: str = "sigmoid"):
        where = "NeuronExplorer"
        w = _pair(w, where, "w", ("w₁", "w₂"), WEIGHT_RANGE)
        b = check_float(b, where, "b", low=BIAS_RANGE[0], high=BIAS_RANGE[1],
                        hint=f"the slider spans [{BIAS_RANGE[0]}, {BIAS_RANGE[1]}].")
        inputs = _pair(inputs, where, "inputs", ("a₁", "a₂"), INPUT_RANGE)
        activation = check_choice(activation, where, "activation", ACTIVATIONS)

        self.a1_slider = _slider("a₁", "nnlab-a1", inputs[0], INPUT_RANGE, 0.05)
        self.a2_slider = _slider("a₂", "nnlab-a2", inputs[1], INPUT_RANGE, 0.05)
        self.w1_slider = _slider("w₁", "nnlab-w1", w[0], WEIGHT_RANGE, 0.1)
        self.w2_slider = _slider("w₂", "nnlab-w2", w[1], WEIGHT_RANGE, 0.1)
        self.b_slider = _slider("b", "nnlab-b", b, BIAS_RANGE, 0.1)
        self.activation_menu = W.Dropdown(options=ACTIVATIONS, value=activation, description="σ")
        self.activation_menu.add_class("nnlab-activation")
        self.status = status_line()
        self.view = FigureView(figsize=(5.0, 4.2))

        controls = [self.a1_slider, self.a2_slider, self.w1_slider, self.w2_slider, self.b_slider,
                    self.activation_menu]
        for control in controls:
            control.observe(self._update, names="value")
        self.widget = root("neuron", [W.HBox([W.VBox(controls), self.view.image]), self.status])
        self._build_plot()
        self._update()

    def _update(self, change=None) -> None:
        self.inputs = np.array([self.a1_slider.value, self.a2_slider.value])
        self.w = np.array([self.w1_slider.value, self.w2_slider.value])
        self.b = float(self.b_slider.value)
        self.activation = self.activation_menu.value
        self.neuron = Neuron(self.w, self.b, activation=self.activation)
        self.z = self.neuron.z(self.inputs)
        self.a = self.neuron(self.inputs)
        side = "z > 0" if self.z > 0 else "z < 0" if self.z < 0 else "z = 0, on the line"
        self.status.value = (f"z = w·a + b = {self.z:.3f} · a = σ(z) = {self.a:.3f} "
                             f"(σ = {self.activation}; the input lies where {side})")
        self._draw()

    def _build_plot(self) -> None:
        """The axes and every artist, once; _draw then only updates their data."""
        figure = self.view.figure
        lo, hi = INPUT_RANGE
        ax = self._ax = figure.add_axes(PLANE_BOX)
        self._image = ax.imshow(np.zeros((2, 2)), origin="lower", extent=(lo, hi, lo, hi), cmap="RdBu_r",
                                vmin=0.0, vmax=1.0, alpha=0.6, interpolation="nearest")
        self._colorbar = figure.colorbar(self._image, cax=figure.add_axes(COLORBAR_BOX))
        color = plotting.CLASS_COLORS[7]
        self._line, = ax.plot([], [], color=color, lw=2, label=LINE_LABEL)
        self._arrow = ax.annotate("", xy=(0, 0), xytext=(0, 0),
                                  arrowprops=dict(arrowstyle="->", color=color, lw=1.5))
        self._w_label = ax.text(0, 0, "$w$", color=color, ha="center", va="center", clip_on=True)
        self._dot, = ax.plot([], [], "o", ms=10, color=plotting.CLASS_COLORS[1], markeredgecolor="black")
        ax.set_xlim(lo, hi)
        ax.set_ylim(lo, hi)
        ax.set_aspect("equal", adjustable="box")
        ax.set_xlabel("$a_1$")
        ax.set_ylabel("$a_2$")
        self._title = ax.set_title("", fontsize=10)
        self._legend_handles = None

    def _draw(self) -> None:
        lo, hi = INPUT_RANGE
        _, _, out = plotting.decision_grid(self.neuron, np.array([[lo, lo], [hi, hi]]), resolution=121, margin=0.0)
        vmin, vmax = output_range(self.activation, out)
        self._image.set_data(out)
        self._image.set_clim(vmin, vmax)
        self._colorbar.set_label(f"output {self.activation}(z)")
        self._colorbar.ax.set_ylim(0.0 if self.activation == "relu" else vmin, vmax)   # ReLU never goes below 0

        has_line = bool(np.any(self.w))
        if has_line:
            ends, foot, arrow = plotting.decision_line_geometry(self.w, self.b, INPUT_RANGE, INPUT_RANGE)
            self._line.set_data(ends[:, 0], ends[:, 1])
            self._arrow.xy, self._arrow.xyann = foot + arrow, foot
            self._w_label.set_position(foot + 1.3 * arrow)
            self._title.set_text("decision line w · a + b = 0")
        else:
            self._title.set_text("w = (0, 0): no line, the output ignores a")
        for artist in (self._line, self._arrow, self._w_label):
            artist.set_visible(has_line)
        self._line.set_label(LINE_LABEL if has_line else "_no line")

        self._dot.set_data([self.inputs[0]], [self.inputs[1]])
        self._dot.set_label(f"a = ({self.inputs[0]:.2f}, {self.inputs[1]:.2f})")
        handles = [self._line, self._dot] if has_line else [self._dot]
        if handles != self._legend_handles:
            self._ax.legend(handles=handles, loc="upper left", fontsize=8)
            self._legend_handles = handles
        for text, handle in zip(self._ax.get_legend().get_texts(), handles):
            text.set_text(handle.get_label())
        self.view.draw()
