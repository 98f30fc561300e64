"""Plots for the course, with matplotlib (imported only when this module is).

Every function draws into `ax` when given one and otherwise creates a figure; it returns the Axes
(or an array of Axes) so that the caller can add titles or save the figure. No global style is
changed: `plt.rcParams` stays as the reader set it.

Used by chapters 01–11.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from . import activations as act
from ._validate import as_batch, as_float_array, as_labels, fail
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
    Chapters 01, 03, 05, 09.
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
    ncols = min(ncols, n)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows * (1.25 if titles is not None else 1)),
                             squeeze=False)
    for i, ax in enumerate(axes.ravel()):
        ax.axis("off")
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
