"""What every explorer shares: a matplotlib figure drawn into an image widget, and the display hook.

A figure is rendered with matplotlib's Agg backend into PNG bytes held by an `ipywidgets.Image`, so
an explorer needs no plotting extension in the browser, redraws in place (one display, however many
times a slider moves), and can be tested without a browser: the PNG bytes change when the plot does.
"""

from __future__ import annotations

import ipywidgets as W
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..plotting import figure_png


class FigureView:
    """A matplotlib `Figure` shown in an `ipywidgets.Image`; `draw()` re-renders it in place.

    Drawing code uses `self.figure` (and the Axes it creates) directly, never `pyplot`, so nothing
    is shown twice by the inline backend and the figure can be redrawn from a background thread.

    The figure has no layout engine: an explorer places its axes once, with fixed margins, and
    afterwards only updates the data of its artists (a layout engine would lay the figure out
    again at every render, which costs a second pass over it). The figure keeps one Agg canvas,
    so each render reuses the canvas's renderer and the text layouts matplotlib caches for it.
    """

    def __init__(self, figsize=(5.0, 4.0), dpi: int = 80):
        self.figure = Figure(figsize=figsize, dpi=dpi, layout="none")
        self.canvas = FigureCanvasAgg(self.figure)
        self.image = W.Image(format="png")
        self.image.add_class("nnlab-plot")
        self.draws = 0

    def draw(self) -> bytes:
        """Render the figure into the image widget; returns the PNG bytes."""
        self.image.value = figure_png(self.figure)
        self.draws += 1
        return self.image.value


class Explorer:
    """Base of the explorers: `self.widget` is the ipywidgets tree that a notebook displays.

    Showing an explorer (last expression of a cell, or `display(explorer)`) shows `self.widget`.
    Subclasses build their controls in `__init__`, connect them with `observe`/`on_click`, and keep
    the numbers they plot in attributes, so tests can set a control and assert on the result.
    """

    widget: W.Widget

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"<nnlab {type(self).__name__}: display it in a notebook to use it>"


def labelled(widget: W.Widget, css: str, description: str, width: str = "110px") -> W.Widget:
    """`widget` labelled with `description` and given the CSS class ``nnlab-<css>`` (for browser tests)."""
    widget.description = description
    widget.style = {"description_width": width}
    widget.add_class(f"nnlab-{css}")
    return widget


def status_line() -> W.HTML:
    """The line of text under an explorer with the numbers it shows (CSS class ``nnlab-status``)."""
    line = W.HTML()
    line.add_class("nnlab-status")
    return line


def root(name: str, children) -> W.VBox:
    """The top-level box of an explorer, with a CSS class ``nnlab-<name>`` that browser tests find."""
    box = W.VBox(list(children))
    box.add_class("nnlab-explorer")
    box.add_class(f"nnlab-{name}")
    return box
