"""The grader against hostile submissions (tests/hostile/, made by tests/hostile/make_hostile.py):
each loses exactly its hostile parts; nothing hangs, escapes its scratch directory, reaches the
instructor key, or outlives the grader."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from nnlab.grading import Limits
from test_grading import (ROOT, files_under, gradebook, key, processes_under, run_cli,  # noqa: F401 (key: a fixture)
                          sandboxed_processes)

HOSTILE = ROOT / "tests" / "hostile"
pytestmark = pytest.mark.notebook


def test_hostile_submissions(tmp_path, key):
    pytest.importorskip("nbclient")
    subs = tmp_path / "subs"
    subs.mkdir()
    for path in HOSTILE.glob("*.ipynb"):
        shutil.copy(path, subs)
    (tmp_path / "secret").mkdir()
    key_file = tmp_path / "secret" / "key.json"
    key_file.write_text(json.dumps({"format": key["format"],
                                    "assignments": {"01_the_neuron": key["assignments"]["01_the_neuron"]}}))
    before = files_under(tmp_path)
    activations = (ROOT / "nnlab" / "activations.py").read_text()
    escapes = set(Path("/tmp").glob("nnlab-hostile-escape*"))

    result, seconds = run_cli(tmp_path, "grade", subs, "--key", key_file, "--out", tmp_path / "out",
                              "--assignment", "01_the_neuron", "--jobs", "3", "--cell-timeout", "4",
                              "--total-timeout", "60", "--memory-mb", "1024", "--no-progress")
    assert result.returncode == 0, result.stderr[-3000:]
    print(result.stdout)
    print(f"hostile set graded in {seconds:.1f} s")

    expected = json.loads((HOSTILE / "expected.json").read_text())
    book = gradebook(tmp_path / "out" / "gradebook.csv")
    assert sorted(book) == sorted(expected)
    for student, parts in expected.items():
        got = {part: float(book[student][f"01_the_neuron:{part}"]) for part in parts}
        assert got == {p: float(v) for p, v in parts.items()}, student

    reports = {s: json.loads((tmp_path / "out" / "reports" / f"{s}.json").read_text())["assignments"]["01_the_neuron"]
               for s in expected}
    status = {s: {p: r["parts"][p]["status"] for p in r["parts"]} for s, r in reports.items()}
    assert status["infinite_loop"]["logic_gate_weights"] == "timeout"
    assert status["ignores_interrupts"]["logic_gate_weights"] == "timeout"
    assert status["exits"]["logic_gate_weights"] == "crashed"
    assert status["exits"]["neuron_forward_bias_trick"] == "error"  # sys.exit inside the function
    assert status["raises_at_import"]["logic_gate_weights"] == "missing"
    assert status["huge_memory"]["logic_gate_weights"] in ("error", "crashed", "timeout")
    assert "MemoryError" in reports["huge_memory"]["parts"]["neuron_forward_bias_trick"]["message"]
    assert status["not_a_notebook"] == {p: "missing" for p in status["not_a_notebook"]}
    # faked outputs: the stored "✓" lines are ignored; the fresh run and the grader say ✗
    faked = reports["faked_outputs"]
    assert "Largest error" in faked["parts"]["sigmoid"]["message"]
    executed = (tmp_path / "out" / "executed" / "faked_outputs" / "01_the_neuron.ipynb").read_text()
    assert "✗ sigmoid" in executed and "✓ sigmoid" not in executed
    # the notebook runs were stopped by the cell limit, not waited for (the total limit is far enough
    # off that a busy machine's slow kernel start and earlier cells cannot reach it first)
    assert "ran longer than 4" in reports["infinite_loop"]["execution"]["stopped"]
    assert "ran longer than 4" in reports["ignores_interrupts"]["execution"]["stopped"]
    assert "kernel died" in reports["exits"]["execution"]["stopped"]

    # nothing written outside the scratch directories, nothing changed, nothing left running
    after = files_under(tmp_path)
    assert {k: v for k, v in after.items() if not k.startswith("out/")} == before
    assert (ROOT / "nnlab" / "activations.py").read_text() == activations  # a cell tried to append to it
    assert set(Path("/tmp").glob("nnlab-hostile-escape*")) == escapes
    assert list((tmp_path / "tmp").iterdir()) == []  # the grading scratch space is gone
    assert processes_under(tmp_path) == []
    # the hidden seeds appear nowhere the grader wrote (a kernel could only have printed them there)
    secrets = [str(s["seed"]) for s in key["assignments"]["01_the_neuron"]["parts"].values()]
    for path in (tmp_path / "out").rglob("*"):
        if path.is_file():
            text = path.read_text(errors="ignore")
            assert not any(seed in text for seed in secrets), path
    assert seconds < 200


def test_total_time_limit_kills_the_kernel(tmp_path):
    pytest.importorskip("nbclient")
    from nnlab.grading.grader import execute_notebook
    from nnlab.grading.sandbox import Sandbox

    nb = {"cells": [{"cell_type": "code", "source": "import time\ntime.sleep(60)", "metadata": {},
                     "outputs": [], "execution_count": None}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 4}
    start = time.perf_counter()
    summary, executed = execute_notebook(json.dumps(nb), tmp_path / "work",
                                         Limits(cell_timeout=120, total_timeout=5), "token",
                                         Sandbox.find())
    assert time.perf_counter() - start < 30
    assert summary["stopped"] == "the whole notebook ran longer than 5 s" and executed == ""
    time.sleep(0.2)
    assert processes_under(tmp_path) == [] and sandboxed_processes() == []


def test_hostile_fixtures_are_current():
    """The committed hostile notebooks are what tests/hostile/make_hostile.py makes from today's exercise."""
    pytest.importorskip("nbformat")
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_hostile", HOSTILE / "make_hostile.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, (replacements, extra) in module.HOSTILE.items():
        assert (HOSTILE / f"{name}.ipynb").read_text() == module.build(name, replacements, extra), (
            f"tests/hostile/{name}.ipynb is stale: run python tests/hostile/make_hostile.py")
    expected = json.loads((HOSTILE / "expected.json").read_text())
    assert expected == {n: module.expected_points(n) for n in module.EXPECTED}
