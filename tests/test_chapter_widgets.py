"""Every chapter from 01 to 10 lets the learner play with its idea, and every explorer is used.

Cells that display a live widget are tagged `nbval-ignore-output` (their output differs on every
run) and are stored without outputs, so the committed notebooks stay deterministic.
"""

import re

import pytest

nbformat = pytest.importorskip("nbformat")

from chapter_code import CHAPTERS  # noqa: E402

EXPLORERS = ("NeuronExplorer", "ActivationExplorer", "DescentExplorer", "Playground", "DropoutViewer")
LIVE = re.compile(r"nl\.widgets\.(\w+)\(|live_plot=True")


def live_cells(path):
    nb = nbformat.read(path, as_version=4)
    return [cell for cell in nb.cells if cell.cell_type == "code" and LIVE.search(cell.source)]


def chapter(number):
    (path,) = CHAPTERS.glob(f"{number:02d}_*.ipynb")
    return path


@pytest.mark.parametrize("number", range(1, 11))
def test_chapter_has_a_live_widget_cell_tagged_and_stored_without_output(number):
    cells = live_cells(chapter(number))
    assert cells, f"chapter {number:02d} has no cell with an nl.widgets explorer or live_plot=True"
    for cell in cells:
        assert "nbval-ignore-output" in cell.metadata.get("tags", []), cell.source
        assert cell.outputs == [], f"chapter {number:02d}: a live widget cell has stored outputs"


def test_every_explorer_is_used_in_some_chapter():
    used = {name for path in CHAPTERS.glob("*.ipynb") for cell in live_cells(path)
            for name in re.findall(r"nl\.widgets\.(\w+)\(", cell.source)}
    assert set(EXPLORERS) <= used, f"explorers used in no chapter: {sorted(set(EXPLORERS) - used)}"
    import nnlab.widgets

    assert set(used) <= set(dir(nnlab.widgets)), f"chapters use unknown widgets: {sorted(used - set(dir(nnlab.widgets)))}"
