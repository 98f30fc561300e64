"""DropoutViewer: which units of a layer a dropout mask drops, and how the kept ones are scaled.

    training:  m_j ~ Bernoulli(1 − p_drop) (1 = keep),   ã_j = m_j a_j / (1 − p_drop)
    eval:      ã = a   (nothing dropped, nothing scaled)

The inverted scaling 1/(1 − p_drop) keeps the mean in expectation: E[ã_j] = a_j. One mask shows
this only roughly; the status line compares the mean of a with the mean of ã. The output is
computed by `nl.Dropout` itself; its `mask` is what the plot shows.

Chapter 09.
"""

from __future__ import annotations

import ipywidgets as W
import numpy as np
from matplotlib.ticker import MaxNLocator

from .. import plotting
from .._validate import check_float, check_int, describe, fail
from ..dropout import Dropout
from ._base import Explorer, FigureView, root, status_line

N_RANGE = (4, 32)
P_DROP_RANGE = (0.0, 0.9)
MODES = ("train", "eval")
MASKS_AVERAGED = 1000   # masks behind the "in expectation" mean of the status line

#: The margins of the three plots as fractions of the figure: fixed, so that a redraw renders the
#: picture once, without a layout pass.
MARGINS = dict(left=0.045, right=0.99, bottom=0.17, top=0.9, wspace=0.12)
KEPT_COLOR, DROPPED_COLOR = plotting.CLASS_COLORS[0], "0.8"


class DropoutViewer(Explorer):
    """A layer of n units with activations a (n,), passed through `nl.Dropout(p_drop)`.

    "New mask" draws a fresh mask from the viewer's own generator, seeded by `seed`: the same seed
    gives the same activations and the same sequence of masks. Moving p_drop or n keeps the mask's
    random numbers, so a larger p_drop drops the same units and more.

    The numbers shown are kept as attributes: `n`, `p_drop`, `training`, `a_prev` (n,) (the
    layer's activations), `mask` (n,) bool (True = kept), `a` (n,) (the output ã), `n_dropped`,
    `scale` (1/(1 − p_drop) in train mode, 1 in eval mode), `mean_in`, `mean_out` and
    `mean_out_many` (the mean of ã over 1,000 fresh masks: close to `mean_in`, as E[ã_j] = a_j).

    Parameters
    ----------
    n : int in [4, 32]              the number of units
    p_drop : float in [0, 0.9]      the probability of *dropping* a unit
    seed : int ≥ 0                  seeds the activations and the masks
    training : bool                 train mode (dropout active) or eval mode (the identity)

    Chapter 09.
    """

    def __init__(self, n: int = 12, p_drop: float = 0.5, *, seed: int = 0, training: bool = True):
        where = "DropoutViewer"
        n = check_int(n, where, "n", minimum=N_RANGE[0])
        if n > N_RANGE[1]:
            fail(where, f"n must lie in [{N_RANGE[0]}, {N_RANGE[1]}]", str(n),
                 "the slider shows up to 32 units.")
        p_drop = check_float(p_drop, where, "p_drop", low=P_DROP_RANGE[0], high=P_DROP_RANGE[1],
                             hint="p_drop is the probability of dropping a unit; the slider spans [0, 0.9].")
        seed = check_int(seed, where, "seed", minimum=0)
        if not isinstance(training, (bool, np.bool_)):
            fail(where, "training must be True or False", describe(training), error=TypeError)

        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self._a_all = self.rng.uniform(0.1, 1.0, size=N_RANGE[1])   # the activations of up to 32 units
        self.masks_drawn = 0
        self._new_mask_seed()

        self.n_slider = W.IntSlider(value=n, min=N_RANGE[0], max=N_RANGE[1], description="units n")
        self.n_slider.add_class("nnlab-n")
        self.p_drop_slider = W.FloatSlider(value=p_drop, min=P_DROP_RANGE[0], max=P_DROP_RANGE[1], step=0.05,
                                           description="p_drop", readout_format=".2f")
        self.p_drop_slider.add_class("nnlab-p-drop")
        self.mode_buttons = W.ToggleButtons(options=MODES, value="train" if training else "eval",
                                            description="mode")
        self.mode_buttons.add_class("nnlab-mode")
        self.new_mask_button = W.Button(description="New mask", tooltip="draw a fresh dropout mask")
        self.new_mask_button.add_class("nnlab-new-mask")
        self.status = status_line()
        self.view = FigureView(figsize=(9.0, 2.8))

        for control in (self.n_slider, self.p_drop_slider, self.mode_buttons):
            control.observe(self._update, names="value")
        self.new_mask_button.on_click(self._on_new_mask)
        controls = W.HBox([W.VBox([self.n_slider, self.p_drop_slider]),
                           W.VBox([self.mode_buttons, self.new_mask_button])])
        self.widget = root("dropout", [controls, self.view.image, self.status])
        self._build_plot()
        self._update()

    def _new_mask_seed(self) -> None:
        self._mask_seed = int(self.rng.integers(2**32))
        self.masks_drawn += 1

    def _on_new_mask(self, button=None) -> None:
        self._new_mask_seed()
        self._update()

    def _update(self, change=None) -> None:
        self.n = int(self.n_slider.value)
        self.p_drop = float(self.p_drop_slider.value)
        self.training = self.mode_buttons.value == "train"
        self.new_mask_button.disabled = not self.training
        self.a_prev = self._a_all[:self.n].copy()

        self.layer = Dropout(self.p_drop, rng=np.random.default_rng(self._mask_seed))
        if not self.training:
            self.layer.eval()
        self.a = self.layer.forward(self.a_prev[None, :])[0]
        dropping = self.training and self.p_drop > 0        # with p_drop = 0, Dropout keeps every unit
        self.mask = self.layer.mask[0].copy() if dropping else np.ones(self.n, dtype=bool)
        self.scale = 1.0 / (1.0 - self.p_drop) if dropping else 1.0
        self.n_dropped = int(self.n - self.mask.sum())
        self.mean_in = float(self.a_prev.mean())
        self.mean_out = float(self.a.mean())
        self.mean_out_many = self._mean_over_masks(MASKS_AVERAGED)

        means = f"mean of a = {self.mean_in:.3f}, mean of ã = {self.mean_out:.3f}"
        if self.training:
            self.status.value = (f"train mode · dropped {self.n_dropped} of {self.n} units · kept ones scaled "
                                 f"by 1/(1 − p_drop) = {self.scale:.3f} · {means} "
                                 f"(averaged over {MASKS_AVERAGED:,} masks: {self.mean_out_many:.3f})")
        else:
            self.status.value = f"eval mode · nothing dropped, nothing scaled · {means}"
        self._draw()

    def _mean_over_masks(self, count: int) -> float:
        """The mean of ã over `count` fresh masks, drawn from a generator of their own (seeded by `seed`)."""
        layer = Dropout(self.p_drop, rng=np.random.default_rng((self.seed, count)))
        if not self.training:
            layer.eval()
        return float(layer.forward(np.broadcast_to(self.a_prev, (count, self.n))).mean())

    def _build_plot(self) -> None:
        """The three axes and their artists, once, with a bar for each of the 32 possible units;
        _draw then only updates their data and shows the first n bars."""
        figure = self.view.figure
        figure.subplots_adjust(**MARGINS)
        self._axes = ax_in, ax_mask, ax_out = figure.subplots(1, 3, sharex=True)
        j = np.arange(1, N_RANGE[1] + 1)
        self._bars = [list(ax.bar(j, np.ones(N_RANGE[1]), color=KEPT_COLOR)) for ax in self._axes]
        self._mean_in_line = ax_in.axhline(0, color="black", lw=1, ls="--")
        self._mean_out_line = ax_out.axhline(0, color="black", lw=1, ls="--")
        self._dropped_marks, = ax_out.plot([], [], "x", color="0.5", ms=7, clip_on=False)
        ax_in.set_title("activations a", fontsize=10)
        self._mask_title = ax_mask.set_title("", fontsize=10)
        self._out_title = ax_out.set_title("", fontsize=10)
        ax_mask.set_yticks([])
        ax_mask.set_ylim(0, 1.2)
        for ax, line in ((ax_in, self._mean_in_line), (ax_out, self._mean_out_line)):
            ax.legend(handles=[line], labels=[""], loc="upper right", fontsize=8)
        for ax in self._axes:
            ax.set_xlabel("unit j")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))

    def _show_units(self) -> None:
        """Bars for units 1 … n only (one per unit on each plot); the x range is the bars' span
        [0.6, n + 0.4] with 5 % to spare on each side, as matplotlib's autoscaling sets it."""
        for ax, bars in zip(self._axes, self._bars):
            for j, bar in enumerate(bars, start=1):
                if j <= self.n and bar.axes is None:
                    ax.add_patch(bar)
                elif j > self.n and bar.axes is not None:
                    bar.remove()
        pad = 0.05 * (self.n - 0.2)
        self._axes[0].set_xlim(0.6 - pad, self.n + 0.4 + pad)

    def _draw(self) -> None:
        ax_in, ax_mask, ax_out = self._axes
        self._show_units()
        in_bars, mask_bars, out_bars = self._bars
        for bar, height in zip(in_bars, self.a_prev):
            bar.set_height(height)
        for bar, kept in zip(mask_bars, self.mask):
            bar.set_facecolor(KEPT_COLOR if kept else DROPPED_COLOR)
        for bar, height in zip(out_bars, self.a):
            bar.set_height(height)
        j = np.arange(1, self.n + 1)
        self._dropped_marks.set_data(j[~self.mask], np.zeros(self.n_dropped))

        for ax, line, mean in ((ax_in, self._mean_in_line, self.mean_in),
                               (ax_out, self._mean_out_line, self.mean_out)):
            line.set_ydata([mean, mean])
            line.set_label(f"mean {mean:.3f}")
            ax.get_legend().get_texts()[0].set_text(line.get_label())
        top = 1.3 * max(self.a.max(), self.a_prev.max())
        ax_in.set_ylim(0, top)
        ax_out.set_ylim(0, top)
        self._mask_title.set_text(f"mask: {self.n - self.n_dropped} kept, {self.n_dropped} dropped (grey)")
        self._out_title.set_text(f"ã = m a / (1 − p_drop), × {self.scale:.2f}" if self.training
                                 else "ã = a (eval mode)")
        self.view.draw()
