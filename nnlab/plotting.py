"""Plots for the course, with matplotlib (imported only when this module is).

Every function draws into `ax` when given one and otherwise creates a figure; it returns the Axes
(or an array of Axes) so that the caller can add titles or save the figure. No global style is
changed: `plt.rcParams` stays as the reader set it.

Used by chapters 01–12.
"""

from __future__ import annotations

import io
import math
import time

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from . import activations as act
from ._validate import as_batch, as_float_array, as_labels, check_float, fail
from .layer import Layer
from .training import History, predict

#: A colour per class, readable in print and for the common forms of colour blindness (Okabe–Ito).
CLASS_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
                "#000000", "#999999", "#882255"]


def _axes(ax, figsize=(5, 4)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_activation(name: str, *, z=None, ax=None, saturation: float | None = 0.1):
    """σ(z) and σ′(z) for one activation ("sigmoid", "tanh", "relu", "elu"), with the saturated
    region (σ′ below `saturation` × its maximum) shaded.  Chapter 02."""
    if name not in act.ACTIVATIONS:
        fail("nnlab.plotting.plot_activation", f"name must be one of {', '.join(map(repr, act.ACTIVATIONS))}",
             repr(name))
    z = np.linspace(-6, 6, 601) if z is None else as_float_array(z, "plot_activation", "z", ndim=1)
    sigma, sigma_prime = act.ACTIVATIONS[name]
    ax = _axes(ax)
    ax.plot(z, sigma(z), label=f"{name}(z)", color=CLASS_COLORS[0], lw=2)
    ax.plot(z, sigma_prime(z), label=f"{name}′(z)", color=CLASS_COLORS[1], lw=2, ls="--")
    if saturation and name in ("sigmoid", "tanh"):
        d = sigma_prime(z)
        ax.fill_between(z, 0, 1, where=d < saturation * d.max(), color="0.85",
                        transform=ax.get_xaxis_transform(), label="saturated (σ′ ≈ 0)")
    ax.axhline(0, color="0.6", lw=0.8)
    ax.axvline(0, color="0.6", lw=0.8)
    ax.set_xlabel("z")
    ax.set_title(name)
    ax.legend(loc="upper left", fontsize=8)
    return ax


def plot_data(X, y, *, ax=None, s: float = 18):
    """A 2-D data set as a scatter plot, one colour per class.  Chapters 01, 05, 09."""
    X = as_batch(X, "nnlab.plotting.plot_data", "X", 2)
    y = as_labels(y, "nnlab.plotting.plot_data", "y", n=X.shape[0])
    ax = _axes(ax)
    for k in np.unique(y):
        sel = y == k
        ax.scatter(X[sel, 0], X[sel, 1], s=s, color=CLASS_COLORS[k % len(CLASS_COLORS)],
                   edgecolor="white", linewidth=0.4, label=f"class {k}")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_aspect("equal", adjustable="datalim")
    return ax


def decision_grid(predict_fn, X, *, resolution: int = 200, margin: float = 0.5):
    """Evaluate `predict_fn` on a grid covering X: returns (xx, yy, values) with values (res, res, …)."""
    X = as_batch(X, "nnlab.plotting.decision_grid", "X", 2)
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    values = np.asarray(predict_fn(grid))
    return xx, yy, values.reshape(resolution, resolution, *values.shape[1:])


def plot_decision_boundary(model, X, y, *, ax=None, resolution: int = 200):
    """The class the model predicts everywhere in the plane (shaded), with the data on top.

    `model` is an nnlab Layer (its argmax output is the class; a single output unit is read as the
    probability-like score of class 1, thresholded at 0.5) or any function (M, 2) → (M,) labels.
    x1 and x2 share one scale and the axes end where the shaded grid ends (the box of the axes takes
    the grid's shape), so the shading fills them.  Chapters 03, 09.
    """
    if isinstance(model, Layer):
        def predict_fn(grid):
            out = predict(model, grid)
            return (out[:, 0] > 0.5).astype(int) if out.shape[1] == 1 else out.argmax(axis=1)
    elif callable(model):
        predict_fn = model
    else:
        fail("nnlab.plotting.plot_decision_boundary", "model must be an nnlab layer or a function",
             type(model).__name__, error=TypeError)
    ax = _axes(ax)
    xx, yy, labels = decision_grid(predict_fn, X, resolution=resolution)
    k = int(max(labels.max(), np.max(y))) + 1
    from matplotlib.colors import ListedColormap
    cmap = ListedColormap(CLASS_COLORS[:k])
    ax.contourf(xx, yy, labels, levels=np.arange(k + 1) - 0.5, cmap=cmap, alpha=0.25)
    plot_data(X, y, ax=ax)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlim(xx.min(), xx.max())
    ax.set_ylim(yy.min(), yy.max())
    return ax


def plot_history(history: History, keys=("loss", "val_loss"), *, ax=None, logy: bool = False):
    """Curves of `history[key]` against the epoch, e.g. training vs validation loss.  Chapters 08, 09."""
    if not isinstance(history, History):
        fail("nnlab.plotting.plot_history", "history must be the History that fit returned",
             type(history).__name__, error=TypeError)
    ax = _axes(ax)
    styles = {"loss": "-", "accuracy": "-", "val_loss": "--", "val_accuracy": "--"}
    for i, key in enumerate(keys):
        if key in history:
            ax.plot(history["epoch"], history[key], styles.get(key, "-"), label=key,
                    color=CLASS_COLORS[i % len(CLASS_COLORS)], lw=2)
    ax.set_xlabel("epoch")
    if logy:
        ax.set_yscale("log")
    ax.legend()
    return ax


def figure_png(figure) -> bytes:
    """The PNG bytes of a matplotlib Figure, the same on every run (no software tag in the file)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


class LiveLossPlot:
    """Curves of the history redrawn in place while `fit` trains: one output, updated, not one per epoch.

    `nl.fit(..., live_plot=True)` makes one with the defaults; pass your own for other keys:

        nl.fit(..., live_plot=nl.plotting.LiveLossPlot(keys=("accuracy", "val_accuracy")))

    fit calls `update(history)` after every epoch and `finish(history)` at the end. The figure is
    re-rendered at most every `interval` seconds and always at the end; in a notebook the PNG is
    shown once (with a display id) and replaced in place. Outside IPython nothing is shown, but
    `png` (the last rendering) and `frames` (how many) are kept either way.  Chapter 08.
    """

    def __init__(self, keys=("loss", "val_loss"), *, logy: bool = False, interval: float = 0.25,
                 figsize=(5.0, 3.0), dpi: int = 80):
        where = "nnlab.plotting.LiveLossPlot"
        if isinstance(keys, str) or not all(isinstance(k, str) for k in keys) or not len(keys):
            fail(where, "keys must be a non-empty sequence of history keys such as ('loss', 'val_loss')",
                 repr(keys), error=TypeError)
        self.keys, self.logy = tuple(keys), bool(logy)
        self.interval = check_float(interval, where, "interval", low=0.0)
        from matplotlib.figure import Figure

        self.figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        self.png: bytes | None = None
        self.frames = 0
        self._handle = None
        self._last = -math.inf

    def update(self, history: History) -> None:
        """Redraw if `interval` seconds have passed since the last drawing."""
        if time.perf_counter() - self._last >= self.interval:
            self._draw(history)

    def finish(self, history: History) -> None:
        """Draw the final curves (training ended: finished, stopped early or diverged)."""
        if len(history):
            self._draw(history)

    def _draw(self, history: History) -> None:
        self.figure.clear()
        ax = self.figure.add_subplot()
        plot_history(history, self.keys, ax=ax, logy=self.logy)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))      # whole epochs
        ax.set_title(f"epoch {history['epoch'][-1]}")
        self.png = figure_png(self.figure)
        self.frames += 1
        self._last = time.perf_counter()
        self._show()

    def _show(self) -> None:
        try:
            from IPython import get_ipython
            from IPython.display import Image, display
        except ImportError:
            return
        if get_ipython() is None:
            return
        if self._handle is None:
            self._handle = display(Image(data=self.png, format="png"), display_id=True)
        else:
            self._handle.update(Image(data=self.png, format="png"))


def plot_confusion_matrix(M, *, ax=None, class_names=None):
    """The confusion matrix M[i, j] (true class i, predicted j) as an annotated image.  Chapter 08."""
    M = np.asarray(M)
    if M.ndim != 2 or M.shape[0] != M.shape[1]:
        fail("nnlab.plotting.plot_confusion_matrix", "M must be a square matrix", f"shape {M.shape}")
    K = M.shape[0]
    names = [str(k) for k in range(K)] if class_names is None else list(class_names)
    ax = _axes(ax, figsize=(5, 5))
    ax.imshow(M, cmap="Blues")
    for i in range(K):
        for j in range(K):
            ax.text(j, i, str(M[i, j]), ha="center", va="center", fontsize=8,
                    color="white" if M[i, j] > M.max() / 2 else "black")
    ax.set_xticks(range(K), names)
    ax.set_yticks(range(K), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    return ax


def _image_grid(n: int, ncols: int, size: float, titled: bool):
    """A grid of ⌈n / ncols⌉ × ncols axes without ticks, each `size` inches (taller with titles)."""
    ncols = min(ncols, n)
    nrows = int(np.ceil(n / ncols))
    _, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows * (1.25 if titled else 1)),
                           squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    return axes


def plot_images(images, titles=None, *, ncols: int = 10, size: float = 1.0, cmap: str = "gray_r"):
    """A grid of small images (N, h, w) or flattened square images (N, h·w), with optional titles.

    Returns the array of Axes.  Chapter 08 (digits, mistakes, first-layer weights).
    """
    images = as_float_array(images, "nnlab.plotting.plot_images", "images")
    if images.ndim == 2:
        side = int(round(np.sqrt(images.shape[1])))
        if side * side != images.shape[1]:
            fail("nnlab.plotting.plot_images", "flattened images must be square (h·w with h = w)",
                 f"{images.shape[1]} pixels", "pass images shaped (N, h, w).")
        images = images.reshape(-1, side, side)
    n = images.shape[0]
    axes = _image_grid(n, ncols, size, titles is not None)
    for i, ax in enumerate(axes.ravel()):
        if i < n:
            ax.imshow(images[i], cmap=cmap)
            if titles is not None:
                ax.set_title(str(titles[i]), fontsize=8)
    return axes


def plot_gradient_norms(norms: dict, *, ax=None, label: str | None = None, marker: str = "o"):
    """‖∂C/∂W^l‖ against the layer index l (input side on the left), on a log scale.  Chapter 10."""
    if not isinstance(norms, dict) or not norms:
        fail("nnlab.plotting.plot_gradient_norms", "norms must be the dict that gradient_norms returned",
             type(norms).__name__, error=TypeError)
    ax = _axes(ax)
    values = np.array(list(norms.values()))
    ax.semilogy(np.arange(1, len(values) + 1), values, marker=marker, lw=2, label=label)
    ax.set_xlabel("layer l (1 = next to the input)")
    ax.set_ylabel("‖∂C/∂W$^l$‖")
    if label:
        ax.legend()
    return ax


def plot_loss_contours(C, *, xlim=(-2, 2), ylim=(-2, 2), ax=None, levels: int = 30, paths=None,
                       resolution: int = 200):
    """Contours of a cost C(w1, w2) of two weights, with optional descent paths drawn on top.

    C : function taking arrays w1, w2 of equal shape and returning C elementwise.
    paths : {label: array (steps, 2)} of the weights visited.  Chapters 05, 06.
    """
    ax = _axes(ax)
    w1, w2 = np.meshgrid(np.linspace(*xlim, resolution), np.linspace(*ylim, resolution))
    ax.contour(w1, w2, C(w1, w2), levels=levels, cmap="viridis", linewidths=0.8)
    for i, (label, path) in enumerate((paths or {}).items()):
        path = as_float_array(path, "nnlab.plotting.plot_loss_contours", "path", ndim=2, finite=False)
        ax.plot(path[:, 0], path[:, 1], "o-", ms=3, lw=1.5, label=label,
                color=CLASS_COLORS[(i + 1) % len(CLASS_COLORS)])
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    if paths:
        ax.legend(fontsize=8)
    return ax


# --- chapters 05 and 06: gradient descent paths -------------------------------------------------

def plot_descent_1d(C, path, *, ax=None, xlim=None, label: str | None = None, resolution: int = 400):
    """A cost C(w) of one weight as a curve, with the points w_0, w_1, … of a descent on it.

    C : function of an array w returning C elementwise;  path : (steps + 1,) or (steps + 1, 1).
    Each step is drawn as a line from (w_t, C(w_t)) to (w_{t+1}, C(w_{t+1})); the start is a square.
    xlim defaults to the range the path covers (clipped to ±10 times the start for a diverging path).
    Chapter 05.
    """
    path = as_float_array(path, "nnlab.plotting.plot_descent_1d", "path", finite=False).reshape(-1)
    ax = _axes(ax)
    if xlim is None:
        shown = path[np.isfinite(path) & (np.abs(path) <= 10 * max(abs(path[0]), 1.0))]
        lo, hi = shown.min(), shown.max()
        pad = 0.15 * max(hi - lo, 1.0)
        xlim = (lo - pad, hi + pad)
    w = np.linspace(*xlim, resolution)
    ax.plot(w, C(w), color="0.4", lw=1.5)
    inside = path[(path >= xlim[0]) & (path <= xlim[1])]
    color = CLASS_COLORS[1]
    ax.plot(inside, C(inside), "o-", color=color, ms=4, lw=1, label=label)
    ax.plot(path[:1], C(path[:1]), "s", color=color, ms=7)
    ax.set_xlim(*xlim)
    ax.set_xlabel("$w$")
    ax.set_ylabel("$C(w)$")
    if label:
        ax.legend(fontsize=8)
    return ax


def plot_distance_curves(paths: dict, target, *, ax=None, logy: bool = True):
    """‖w_t − target‖ against the step t for each path {label: (steps + 1, d)}, on a log scale.

    The distance to the minimum shows how fast each run converges, jitters or diverges.
    Chapters 05, 06.
    """
    where = "nnlab.plotting.plot_distance_curves"
    if not isinstance(paths, dict) or not paths:
        fail(where, "paths must be a non-empty dict {label: path}", type(paths).__name__, error=TypeError)
    target = as_float_array(target, where, "target", ndim=1)
    ax = _axes(ax)
    for i, (label, path) in enumerate(paths.items()):
        path = as_float_array(path, where, "path", ndim=2, finite=False)
        with np.errstate(over="ignore", invalid="ignore"):
            dist = np.linalg.norm(path - target, axis=1)
        ax.plot(np.arange(len(dist)), dist, lw=1.5, label=label, color=CLASS_COLORS[(i + 1) % len(CLASS_COLORS)])
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel("step $t$")
    ax.set_ylabel("distance to the minimum $\\|w_t - w^*\\|$")
    ax.legend(fontsize=8)
    return ax


# --- chapters 01–03: decision lines, network diagrams, hidden-unit responses ---------------------

def _clip_box_halfplane(box, w, b):
    """The part of a polygon (list of corner points) where w · x + b ≥ 0 (Sutherland–Hodgman)."""
    out = []
    for i, p in enumerate(box):
        q = box[(i + 1) % len(box)]
        fp, fq = w @ p + b, w @ q + b
        if fp >= 0:
            out.append(p)
        if (fp >= 0) != (fq >= 0):
            out.append(p + (q - p) * fp / (fp - fq))
    return np.array(out)


def decision_line_geometry(w, b: float, xlim, ylim):
    """Where to draw the line w · x + b = 0 and the vector w in the view xlim × ylim.

    Returns (ends (2, 2), foot (2,), d (2,)): two points of the line far outside the view, the foot
    of the perpendicular from the view's centre c, foot = c − (w · c + b) / (w · w) w, and w scaled
    to 12 % of the view's larger side (the arrow drawn from the foot). w must not be (0, 0).
    Chapter 01.
    """
    w = np.asarray(w, dtype=np.float64)
    (x0, x1), (y0, y1) = xlim, ylim
    centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    span = max(x1 - x0, y1 - y0)
    foot = centre - (w @ centre + b) / (w @ w) * w
    along = np.array([-w[1], w[0]]) / np.linalg.norm(w)
    ends = np.stack([foot - 5 * span * along, foot + 5 * span * along])
    return ends, foot, 0.12 * span * w / np.linalg.norm(w)


def plot_decision_line(w, b, *, ax=None, color=None, label: str | None = None, shade: bool = True,
                       arrow: bool = True, arrow_at=None):
    """The line w · x + b = 0 of a neuron with two inputs, drawn across the current view of `ax`.

    shade : lightly fill the side where w · x + b > 0 (where a step neuron outputs 1).
    arrow : draw w from the point of the line nearest to `arrow_at` (default: the centre of the
    view); w is perpendicular to the line and points to the side where z = w · x + b grows.
    Draw the data first (so that the view is set); the axis limits are kept (with an equal aspect,
    as after `plot_data`, the box of the axes takes the shape of the view).  Chapter 01.
    """
    where = "nnlab.plotting.plot_decision_line"
    w = as_float_array(w, where, "w", ndim=1)
    if w.shape != (2,):
        fail(where, "w must hold two weights, shape (2,)", f"shape {w.shape}",
             "a line in the plane needs a neuron with two inputs.")
    b = float(as_float_array(b, where, "b", ndim=0))
    if not np.any(w):
        fail(where, "w must not be all zero", "w = (0, 0)", "with w = 0 the neuron ignores its inputs: there is no line.")
    ax = _axes(ax)
    color = CLASS_COLORS[7] if color is None else color
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    ends, foot, d = decision_line_geometry(w, b, (x0, x1), (y0, y1))
    ax.plot(ends[:, 0], ends[:, 1], color=color, lw=2, label=label)
    if shade:
        centre, span = np.array([(x0 + x1) / 2, (y0 + y1) / 2]), max(x1 - x0, y1 - y0)
        big = [centre + span * np.array(c) for c in ((-3, -3), (3, -3), (3, 3), (-3, 3))]
        poly = _clip_box_halfplane(big, w, b)
        if len(poly):
            ax.fill(poly[:, 0], poly[:, 1], color=color, alpha=0.08, lw=0)
    if arrow:
        if arrow_at is not None:
            p = as_float_array(arrow_at, where, "arrow_at", ndim=1)
            foot = p - (w @ p + b) / (w @ w) * w
        ax.annotate("", xy=foot + d, xytext=foot, arrowprops=dict(arrowstyle="->", color=color, lw=1.5))
        ax.text(*(foot + 1.3 * d), "$w$", color=color, ha="center", va="center")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    if ax.get_aspect() != "auto":
        ax.set_adjustable("box")   # both limits are now fixed: keep equal scales by shaping the box
    return ax


def plot_network(widths, *, ax=None, max_shown: int = 8, names=None):
    """A diagram of a fully connected network: one column of neurons per layer, every neuron
    joined to every neuron of the next layer.

    widths : (n_0, n_1, …, n_L), the input width first. Layers wider than `max_shown` show their
    first and last neurons with "⋮" between. names : a label per column (default: input layer,
    hidden layer 1, …, output layer).  Chapter 03.
    """
    where = "nnlab.plotting.plot_network"
    widths = [int(n) for n in widths]
    if len(widths) < 2 or min(widths) < 1:
        fail(where, "widths must list at least two layer widths, each ≥ 1", str(widths))
    L = len(widths) - 1
    if names is None:
        names = ["input layer"] + [f"hidden layer {l}" for l in range(1, L)] + ["output layer"]
    if len(names) != len(widths):
        fail(where, f"names must have one label per layer, {len(widths)}", f"{len(names)} labels")
    ax = _axes(ax, figsize=(1.8 * (L + 1), 3.5))
    shown_max = min(max(widths), max_shown)

    def positions(n):
        if n <= max_shown:
            return np.arange(n), np.linspace(-(n - 1) / 2, (n - 1) / 2, n), None
        k = max_shown - 1                                  # k neurons drawn, one gap for "⋮"
        top, bottom = k // 2, k - k // 2
        idx = np.r_[np.arange(top), np.arange(n - bottom, n)]
        ys = np.linspace(-(shown_max - 1) / 2, (shown_max - 1) / 2, shown_max)
        return idx, np.r_[ys[:top], ys[top + 1:]], ys[top]

    cols = [positions(n) for n in widths]
    for l in range(L):
        for y_a in cols[l][1]:
            for y_b in cols[l + 1][1]:
                ax.plot([l, l + 1], [y_a, y_b], color="0.75", lw=0.6, zorder=1)
    for l, (idx, ys, gap) in enumerate(cols):
        color = CLASS_COLORS[0] if l == 0 else CLASS_COLORS[2] if l == L else CLASS_COLORS[1]
        ax.scatter(np.full(len(ys), l), ys, s=260, color=color, edgecolor="black", zorder=2)
        if gap is not None:
            ax.text(l, gap, "⋮", ha="center", va="center", fontsize=14)
        ax.text(l, -shown_max / 2 - 0.4, f"{names[l]}\n({widths[l]} neurons)" if l else
                f"{names[l]}\n({widths[l]} inputs)", ha="center", va="top", fontsize=8)
    ax.set_xlim(-0.6, L + 0.6)
    ax.set_ylim(-shown_max / 2 - 1.6, shown_max / 2 + 0.2)
    ax.axis("off")
    return ax


def layer_output(model, X, layer: int) -> np.ndarray:
    """The output of `model.layers[layer]` for the inputs X, computed in eval mode: (N, n_in) → (N, n_l).

    The forward pass stops after that layer; every layer's train/eval mode is restored.  Chapter 03.
    """
    where = "nnlab.plotting.layer_output"
    layers = getattr(model, "layers", None)
    if layers is None:
        fail(where, "model must be a Sequential", type(model).__name__, error=TypeError)
    if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) or not -len(layers) <= layer < len(layers):
        fail(where, f"layer must be an index into the model's {len(layers)} layers", repr(layer))
    layer = int(layer) % len(layers)
    a = as_batch(X, where, "X", model.n_in, dtype=model.dtype)
    modes = [lay.training for lay in layers[:layer + 1]]
    try:
        for lay in layers[:layer + 1]:
            lay.eval()
            a = lay._forward(a)
    finally:
        for lay, mode in zip(layers[:layer + 1], modes):
            lay.train() if mode else lay.eval()
    return a


def plot_unit_responses(model, X, layer: int, *, y=None, axes=None, resolution: int = 80,
                        margin: float = 0.5, titles=None, vmax: float | None = None):
    """Each neuron of `model.layers[layer]` as a picture: its output at every point of the input plane.

    The model takes 2-D inputs; the plane covers X (plus `margin`). Colour shows the neuron's output
    (blue negative, red positive, white 0, on a scale symmetric about 0: ±vmax, by default the
    largest |output|; pass vmax=1 for tanh units to share one scale between calls and add a colour
    bar with `plt.colorbar(axes[0].images[0], ...)`), the black curve is where the output is 0 (a
    tanh neuron's "on/off" boundary), and the data X is drawn on top in black, one marker per class
    of y (dots for class 0, crosses for class 1, …) so it shows on red and on blue alike.
    axes : one Axes per neuron, or None for a new row of figures.
    Returns the array of Axes.  Chapter 03.
    """
    where = "nnlab.plotting.plot_unit_responses"
    X = as_batch(X, where, "X", 2)
    xx, yy, values = decision_grid(lambda g: layer_output(model, g, layer), X, resolution=resolution,
                                   margin=margin)
    n_units = values.shape[-1]
    if axes is None:
        _, axes = plt.subplots(1, n_units, figsize=(1.6 * n_units, 1.8), squeeze=False)
    axes = np.asarray(axes).ravel()
    if axes.size != n_units:
        fail(where, f"axes must hold one Axes per neuron, {n_units}", f"{axes.size} Axes")
    if vmax is None:
        vmax = float(np.abs(values).max()) or 1.0
    else:
        vmax = check_float(vmax, where, "vmax", low=0.0, low_open=True)
    if y is not None:
        labels = as_labels(y, where, "y", n=X.shape[0])
    extent = (xx.min(), xx.max(), yy.min(), yy.max())
    for j, ax in enumerate(axes):
        v = values[..., j]
        ax.imshow(v, origin="lower", extent=extent, cmap="RdBu_r", vmin=-vmax, vmax=vmax, aspect="equal")
        if v.min() < 0 < v.max():
            ax.contour(xx, yy, v, levels=[0.0], colors="black", linewidths=1)
        if y is not None:
            for k in np.unique(labels):
                marker = "ox+^sv"[int(k) % 6]
                points = X[labels == k]
                colours = {"facecolors": "none", "edgecolors": "k"} if marker == "o" else {"c": "k"}
                ax.scatter(points[:, 0], points[:, 1], s=8, marker=marker, lw=0.6, alpha=0.45, **colours)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"neuron {j + 1}" if titles is None else titles[j], fontsize=8)
    return axes


# --- chapter 08: first-layer weights as images ----------------------------------------------------

def plot_weight_images(W, *, ncols: int = 16, size: float = 0.8, titles=None):
    """Rows of a first-layer weight matrix W (n_out, h·w) as h×w images, one per neuron.

    Row j holds the weights w_jk from every input pixel k to neuron j, so its image shows which pixels
    push the neuron's z_j up (red) or down (blue); white is 0. Each image has its own colour scale,
    symmetric about 0 (±max |w_jk| of that row). Returns the array of Axes.  Chapter 08.
    """
    where = "nnlab.plotting.plot_weight_images"
    W = as_float_array(W, where, "W", ndim=2)
    side = int(round(np.sqrt(W.shape[1])))
    if side * side != W.shape[1]:
        fail(where, "each row of W must hold a square image (h·w with h = w)", f"{W.shape[1]} weights",
             "pass the W of a Dense layer whose inputs are the pixels of square images.")
    n = W.shape[0]
    axes = _image_grid(n, ncols, size, titles is not None)
    for j, ax in enumerate(axes.ravel()):
        if j < n:
            vmax = float(np.abs(W[j]).max()) or 1.0
            ax.imshow(W[j].reshape(side, side), cmap="RdBu_r", vmin=-vmax, vmax=vmax)
            if titles is not None:
                ax.set_title(str(titles[j]), fontsize=7)
    return axes


def plot_graph(root, *, ax=None, show_order: bool = False, max_nodes: int = 40):
    """The computational graph of `root` (an nl.autograd.Value or Tensor): one box per node with
    its name or operation, its data and its grad, and an arrow from each input to the node it
    feeds. `root` is on the right and every node one column left of the first node that uses it,
    so every arrow points rightwards and backward visits the boxes from right to left.

    show_order : also number each box by its place in the backward pass (1 = root, visited first:
        the reverse topological order). A Tensor of more than one number shows its shape instead
        of its values. Chapter 12.
    """
    where = "nnlab.plotting.plot_graph"
    if not (hasattr(root, "topological_order") and hasattr(root, "parents") and hasattr(root, "data")):
        fail(where, "root must be an nl.autograd.Value or nl.autograd.Tensor", type(root).__name__,
             "build an expression first, e.g. C = (a * b).tanh(), then plot_graph(C).", error=TypeError)
    order = root.topological_order()
    if len(order) > max_nodes:
        fail(where, f"a graph of at most max_nodes={max_nodes} nodes (a larger one is unreadable)",
             f"{len(order)} nodes", "draw a smaller expression, or raise max_nodes.")
    depth, children = {}, {id(node): [] for node in order}
    for node in order:                                  # parents come first: their depth is known
        depth[id(node)] = 1 + max((depth[id(p)] for p in node.parents), default=-1)
        for p in node.parents:
            children[id(p)].append(node)
    for node in reversed(order):                        # each node sits just left of its first use
        if children[id(node)]:
            depth[id(node)] = min(depth[id(c)] for c in children[id(node)]) - 1
    columns: dict[int, list] = {}
    for node in order:
        columns.setdefault(depth[id(node)], []).append(node)
    y = {}

    def place(col):
        for k, node in enumerate(col):
            y[id(node)] = (len(col) - 1) / 2 - k

    for d in sorted(columns):
        place(columns[d])
    for _ in range(4):                                  # order each column by its neighbours' mean height
        for d, key in [(d, "parents") for d in sorted(columns)] + \
                      [(d, "children") for d in sorted(columns, reverse=True)]:
            col = columns[d]
            mean = {}
            for n in col:
                near = n.parents if key == "parents" else children[id(n)]
                mean[id(n)] = np.mean([y[id(m)] for m in near]) if near else y[id(n)]
            col.sort(key=lambda n: -mean[id(n)])
            place(col)
    n_cols, n_rows = max(columns) + 1, max(len(c) for c in columns.values())
    ax = _axes(ax, figsize=(2.1 * n_cols, max(2.0, 1.05 * n_rows)))
    step = {id(node): k for k, node in enumerate(reversed(order), start=1)}

    def number(v):
        v = np.asarray(v)
        return f"{float(v):.4g}" if v.size == 1 else f"shape {v.shape}"

    boxes = {}
    for node in order:
        name, op = getattr(node, "label", "") or "", node.op
        head = f"{name} = {op}" if name and op else (name or op or "constant")
        if show_order:
            head = f"[{step[id(node)]}]  {head}"
        lines = [head, f"data {number(node.data)}"]
        if np.asarray(node.data).size == 1:
            lines.append(f"grad {number(node.grad)}")
        color = "#D9EAF7" if not node.parents else "#D5F0E3" if node is root else "#FCE9C8"
        boxes[id(node)] = ax.text(depth[id(node)], y[id(node)], "\n".join(lines), ha="center",
                                  va="center", fontsize=8, family="monospace", zorder=3,
                                  bbox=dict(boxstyle="round,pad=0.35", fc=color, ec="0.3"))
    for node in order:
        for p in node.parents:
            ax.annotate("", xy=(0.0, 0.5), xycoords=boxes[id(node)], xytext=(1.0, 0.5),
                        textcoords=boxes[id(p)], zorder=2,
                        arrowprops=dict(arrowstyle="->", color="0.35", lw=1.0, shrinkA=6, shrinkB=6))
    ax.set_xlim(-0.6, n_cols - 0.4)
    ax.set_ylim(-n_rows / 2, n_rows / 2)
    ax.axis("off")
    return ax
