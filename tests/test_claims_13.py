"""Chapter 13's claims, asserted on the chapter's own variables (run_chapter executes its code cells)."""

import contextlib
import io
import re

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


BOUND = 1e-12          # the agreement the chapter states: "to a relative $10^{-12}$"


def markdown_text():
    nb = nbformat.read(chapter_path("13"), as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def pytorch_code() -> str:
    """The PyTorch block exactly as the chapter shows it."""
    blocks = re.findall(r"```python\n(# PyTorch\n.*?)```", markdown_text(), flags=re.S)
    assert len(blocks) == 1, "the chapter shows one PyTorch block"
    return blocks[0]


def run_pytorch(ns, **override):
    """Run the chapter's PyTorch block after the chapter's own cells (it reads `initial`, `batches`)."""
    env = dict(ns, **override)
    with contextlib.redirect_stdout(io.StringIO()) as out:
        exec(compile(pytorch_code(), "13_beyond.ipynb[PyTorch block]", "exec"), env)
    return env, out.getvalue()


def relative(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(b)


def test_the_nnlab_epoch(ns):
    assert len(ns["batches"]) == 45 == len(ns["losses"])
    assert sum(len(yb) for _, yb in ns["batches"]) == len(ns["X_train"])
    assert ns["losses"][-1] < 0.5 * ns["losses"][0]
    assert ns["nnlab_accuracy"] > 0.8


def test_pytorch_code_agrees_with_nnlab(ns):
    torch = pytest.importorskip("torch")
    env, printed = run_pytorch(ns)
    losses, losses_torch = np.array(ns["losses"]), np.array(env["losses_torch"])
    assert len(losses_torch) == len(losses) == 45
    assert np.max(np.abs(losses_torch - losses) / losses) < BOUND
    torch_params = list(env["net"].parameters())
    assert len(torch_params) == len(ns["model"].parameters()) == 4
    for p, q in zip(torch_params, ns["model"].parameters()):
        assert p.dtype == torch.float64
        assert relative(p.detach().numpy(), q.data) < BOUND, q.name
    for W0, q in zip(ns["initial"], ns["model"].parameters()):   # the epoch did move the weights
        assert relative(W0, q.data) > 1e-3
    assert env["torch_accuracy"] == ns["nnlab_accuracy"]
    assert f"test accuracy {ns['nnlab_accuracy']:.3f}" in printed
    assert "$10^{-12}$" in markdown_text() and "45 mini-batches" in markdown_text()


def test_the_agreement_test_can_fail(ns):
    pytest.importorskip("torch")
    env, _ = run_pytorch(ns, batches=ns["batches"][::-1])           # other batches: other losses
    assert np.max(np.abs(np.array(env["losses_torch"]) - ns["losses"]) / ns["losses"]) > 1e-3
    start = [W * (1 + 1e-9) for W in ns["initial"]]                  # weights moved by 1e-9
    env, _ = run_pytorch(ns, initial=start)
    assert np.max(np.abs(np.array(env["losses_torch"]) - ns["losses"]) / ns["losses"]) > BOUND


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
