"""Widget redraw time: one update of each explorer of nnlab.widgets against the PNG render alone.

Every change of a control makes an explorer recompute its numbers, update its figure and render it
to PNG (`FigureView.draw`, matplotlib's Agg backend). For each of the five explorers, in the same
run and in turns (one update, then one render alone, and so on), this times

    update   one change the way a learner makes it, through the control's own widget: a slider
             moved (alternating between two values, so every update changes the picture) or a
             button clicked;
    bound    `view.draw()` alone on the explorer's figure as it is: the PNG render of the picture,
             which every update has to pay once,

and reports the median of each (ms), after a warm-up, and update/bound: what the explorer adds on
top of drawing its picture once. An explorer that rebuilds its axes and artists at each change pays
for it in this ratio. The layout column names the figure's layout engine: with any engine, even
the placeholder that `set_layout_engine("none")` leaves on a figure that had one, savefig draws the
figure twice (once to lay it out), so bound itself is inflated and the ratio hides it; "none" means
a single pass. PASS needs both: update/bound within the target and layout "none".

Run: python benchmarks/run.py --only widgets   (--quick: 7 rounds instead of 21)
"""

from __future__ import annotations

import statistics
import time

from _common import table, verdict

#: update/bound targets: the three explorers that only update artists in place (numbers computed in
#: well under a millisecond); DescentExplorer also runs the optimizer for T = 50 steps; Playground's
#: Step trains one epoch of nl.fit and predicts a 48 × 48 grid, real work on top of the picture.
TARGETS = {"NeuronExplorer": 1.5, "ActivationExplorer": 1.5, "DropoutViewer": 1.5,
           "DescentExplorer": 1.5, "Playground": 2.0}


def _alternate(control, first, second):
    """A zero-argument update that moves `control` to `first`, then `second`, then `first`, …"""
    values = [first, second]

    def update():
        control.value = values[0]
        values.reverse()

    return update


def cases() -> dict:
    """name → (what the update does, the explorer's FigureView, the update as a zero-argument callable)."""
    from nnlab import widgets

    neuron = widgets.NeuronExplorer()
    activation = widgets.ActivationExplorer()
    dropout = widgets.DropoutViewer()
    descent = widgets.DescentExplorer()
    playground = widgets.Playground()
    return {
        "NeuronExplorer": ("w₁ slider 1.0 ↔ -1.0", neuron.view, _alternate(neuron.w1_slider, -1.0, 1.0)),
        "ActivationExplorer": ("z slider 2.0 ↔ -1.0", activation.view,
                               _alternate(activation.z_slider, -1.0, 2.0)),
        "DropoutViewer": ("New mask button", dropout.view, dropout.new_mask_button.click),
        "DescentExplorer": ("η slider 0.1 ↔ 0.05", descent.view, _alternate(descent.lr_control, 0.05, 0.1)),
        "Playground": ("Step button (one epoch)", playground.view, playground.step_button.click),
    }


def layout_name(figure) -> str:
    """The layout engine that savefig runs on `figure`: "none", "constrained", "tight", "placeholder"."""
    engine = figure.get_layout_engine()
    if engine is None:
        return "none"
    name = type(engine).__name__
    return {"ConstrainedLayoutEngine": "constrained", "TightLayoutEngine": "tight",
            "PlaceHolderLayoutEngine": "placeholder"}.get(name, name)


def time_case(view, update, rounds: int, warmup: int = 2) -> dict:
    """Median wall time (s) of `update()` and of `view.draw()` alone, taken in turns, `rounds` each."""
    for _ in range(warmup):
        update()
        view.draw()
    updates, draws = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        update()
        updates.append(time.perf_counter() - start)
        start = time.perf_counter()
        view.draw()
        draws.append(time.perf_counter() - start)
    return {"update": statistics.median(updates), "bound": statistics.median(draws)}


def run(rounds: int = 21, log=print) -> dict:
    results, rows = {}, []
    for name, (what, view, update) in cases().items():
        t = time_case(view, update, rounds)
        results[name] = t
        ratio = t["update"] / t["bound"]
        layout = layout_name(view.figure)
        width, height = view.figure.get_size_inches() * view.figure.dpi
        rows.append([name, what, f"{width:.0f}×{height:.0f}", layout, f"{1e3 * t['update']:.1f}",
                     f"{1e3 * t['bound']:.1f}", f"{ratio:.2f}", f"≤ {TARGETS[name]}",
                     verdict(ratio <= TARGETS[name] and layout == "none")])
    log(table(["explorer", "update", "px", "layout", "update ms", "bound ms", "update/bound", "target",
               "result"], rows,
              title=f"4. Widgets: one update vs FigureView.draw() alone (the PNG render), "
                    f"median of {rounds}, in turns"))
    return results


if __name__ == "__main__":
    run()
