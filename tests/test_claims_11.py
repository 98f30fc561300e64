"""Chapter 11's claims, asserted on the chapter's own variables (run_chapter executes its code cells)."""

import nbformat
import pytest

from chapter_code import chapter_path, run_chapter

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def ns():
    return run_chapter("11")


def test_rnn_gradient_vanishes_through_time(ns):
    norms = ns["jacobian_norms"]
    assert len(norms) == 60
    assert norms[-1] < 1e-10 * norms[0]                         # "more than ten orders of magnitude"
    assert norms[29] < 1e-4 * norms[0]


def test_rnn_and_lstm_are_described():
    nb = nbformat.read(chapter_path("11"), as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for phrase in ("h_t = \\tanh", "c_t = f_t \\odot c_{t-1}", "Hochreiter"):
        assert phrase in markdown, phrase
