"""Chapter 13's claims, asserted on the chapter's own variables (run_chapter executes its code cells)."""

import nbformat
import numpy as np
import pytest

from chapter_code import chapter_path, run_chapter

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def ns():
    return run_chapter("13")


def test_autoencoder_learns_from_inputs_alone(ns):
    history = ns["history"]
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert ns["codes_test"].shape == (len(ns["X_test"]), 2)


def test_reconstruction_error_far_below_the_mean_image(ns):
    assert ns["ae_error"] < 0.6 * ns["baseline_error"]          # "more than half of the error" removed
    assert ns["ae16_error"] < 0.15 * ns["baseline_error"]       # "a tenth of the baseline"
    assert ns["ae16_error"] < ns["ae_error"]


def test_code_space_clusters_by_class_without_labels(ns):
    assert ns["centroid_accuracy"] >= 0.55                      # chance is 0.10


def test_dense_weight_layout_is_out_by_in(ns):
    assert ns["dense"].W.shape == (10, 64)
    assert ns["dense"].b.shape == (10,)


def test_pytorch_mapping_is_shown_and_not_executed():
    nb = nbformat.read(chapter_path("13"), as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for name in ("nn.Linear", "nn.CrossEntropyLoss", "torch.optim.Adam", "C.backward()",
                 "model.backward(loss.backward())"):
        assert name in markdown, name
    assert "import torch" not in code                            # torch is not a dependency
    for ref in ("Nielsen", "Goodfellow", "CS231n", "d2l.ai", "micrograd"):
        assert ref in markdown, ref
