"""The exercise notebooks: generated from the solutions, byte for byte; markers checked; solutions
pass every check (strict nbval on their stored outputs); shipped exercises run to the end with every
check failing cleanly.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import make_exercises  # noqa: E402

from nnlab.checks import PARTS  # noqa: E402

SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
CHAPTER_TABLE = [f"{n:02d}" for n in range(1, 13)]


def ids(paths):
    return [p.stem[:2] for p in paths]


# ----------------------------------------------------------------------------------------------
# the generator

def test_one_solution_and_one_exercise_per_chapter_01_to_12():
    assert [p.name[:2] for p in SOLUTIONS] == CHAPTER_TABLE
    authoring = (ROOT / "chapters" / "AUTHORING.md").read_text()
    for path in SOLUTIONS:
        assert f"`exercises/{path.name}`" in authoring, f"{path.name} is not the name in chapters/AUTHORING.md"
    assert sorted(p.name for p in (ROOT / "exercises").glob("*.ipynb")) == [p.name for p in SOLUTIONS]


@pytest.mark.parametrize("solution", SOLUTIONS, ids=ids(SOLUTIONS))
def test_committed_exercise_is_the_generated_one(solution):
    generated = make_exercises.exercise_bytes(solution)
    assert generated == make_exercises.exercise_bytes(solution), "the generator is not deterministic"
    committed = (ROOT / "exercises" / solution.name).read_bytes()
    assert committed == generated, (f"exercises/{solution.name} differs from its solution: "
                                    "run `python tools/make_exercises.py`")


def test_check_mode(tmp_path, capsys):
    assert make_exercises.main(["--check"]) == 0
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    solutions.mkdir()
    exercises.mkdir()
    for path in SOLUTIONS[:2]:
        (solutions / path.name).write_bytes(path.read_bytes())
    args = ["--solutions", str(solutions), "--exercises", str(exercises)]
    assert make_exercises.main(args + ["--check"]) == 1  # missing
    assert make_exercises.main(args) == 0
    assert make_exercises.main(args + ["--check"]) == 0
    target = exercises / SOLUTIONS[0].name
    target.write_bytes(target.read_bytes().replace(b"YOUR CODE HERE", b"MY CODE HERE", 1))
    assert make_exercises.main(args + ["--check"]) == 1
    (exercises / "99_stale.ipynb").write_bytes(target.read_bytes())
    assert make_exercises.main(args) == 1
    assert "99_stale.ipynb has no solution notebook" in capsys.readouterr().err


def test_exercises_have_stubs_no_solutions_no_outputs():
    for path in SOLUTIONS:
        nb = nbformat.read(ROOT / "exercises" / path.name, as_version=4)
        text = path.read_text()
        assert "### BEGIN SOLUTION" in text
        stubs = 0
        for cell in nb.cells:
            assert "SOLUTION" not in cell.source
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None
                stubs += cell.source.count("raise NotImplementedError(")
        assert stubs == text.count("### BEGIN SOLUTION")
        assert nb.metadata == {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                                              "name": "python3"},
                               "language_info": {"name": "python", "pygments_lexer": "ipython3"}}


def code_cell(source):
    return nbformat.v4.new_code_cell(source)


def test_stub_keeps_the_indentation_of_begin():
    source = ("def f(x):\n    if x:\n        ### BEGIN SOLUTION\n        return 1\n        ### END SOLUTION\n"
              "    ### BEGIN SOLUTION\n    return 2\n    ### END SOLUTION\n")
    out = make_exercises.strip_cell(source, "code", "nb, cell 0")
    assert out == ("def f(x):\n    if x:\n        # YOUR CODE HERE\n"
                   '        raise NotImplementedError("f: replace these two lines with your code")\n'
                   "    # YOUR CODE HERE\n"
                   '    raise NotImplementedError("f: replace these two lines with your code")\n')
    compile(out, "stub", "exec")
    answer = "Q\n<!-- BEGIN SOLUTION -->\nsecret\n<!-- END SOLUTION -->\nmore"
    assert make_exercises.strip_cell(answer, "markdown", "nb") == "Q\nYOUR ANSWER HERE\nmore"


@pytest.mark.parametrize("cell_type,source,message", [
    ("code", "def f():\n    ### BEGIN SOLUTION\n    return 1\n", "line 2: BEGIN SOLUTION without END SOLUTION"),
    ("code", "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n", "line 2: BEGIN SOLUTION inside the region"),
    ("code", "x = 1\n### END SOLUTION\n", "line 2: END SOLUTION without a BEGIN SOLUTION"),
    ("code", "## BEGIN SOLUTION\n## END SOLUTION\n", "write exactly '### BEGIN SOLUTION'"),
    ("code", "x = 1  ### BEGIN SOLUTION\n", "not a code solution marker"),
    ("code", "<!-- BEGIN SOLUTION -->\n", "a code cell uses '### BEGIN SOLUTION'"),
    ("markdown", "### BEGIN SOLUTION\ntext\n### END SOLUTION", "a markdown cell uses '<!-- BEGIN SOLUTION -->'"),
    ("raw", "BEGIN SOLUTION", "solution marker in a raw cell"),
])
def test_malformed_markers_are_errors_naming_notebook_and_cell(tmp_path, capsys, cell_type, source, message):
    nb = nbformat.v4.new_notebook()
    good = code_cell("def g():\n    ### BEGIN SOLUTION\n    return 0\n    ### END SOLUTION")
    bad = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell,
           "raw": nbformat.v4.new_raw_cell}[cell_type](source)
    nb.cells = [good, bad]
    (tmp_path / "solutions").mkdir()
    nbformat.write(nb, tmp_path / "solutions" / "42_broken.ipynb")
    code = make_exercises.main(["--solutions", str(tmp_path / "solutions"),
                                "--exercises", str(tmp_path / "exercises")])
    err = capsys.readouterr().err
    assert code == 1
    assert "solutions/42_broken.ipynb, cell 1" in err and message in err, err
    assert not (tmp_path / "exercises" / "42_broken.ipynb").exists()


def test_leftover_marker_in_a_committed_exercise_is_an_error(tmp_path, capsys):
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    solutions.mkdir()
    exercises.mkdir()
    (solutions / SOLUTIONS[0].name).write_bytes(SOLUTIONS[0].read_bytes())
    assert make_exercises.main(["--solutions", str(solutions), "--exercises", str(exercises)]) == 0
    nb = nbformat.read(exercises / SOLUTIONS[0].name, as_version=4)
    nb.cells[3].source += "\n    ### END SOLUTION"
    nbformat.write(nb, exercises / SOLUTIONS[0].name)
    assert make_exercises.main(["--check", "--solutions", str(solutions), "--exercises", str(exercises)]) == 1
    assert f"exercises/{SOLUTIONS[0].name}, cell 3: a solution marker is left" in capsys.readouterr().err


# ----------------------------------------------------------------------------------------------
# the solution notebooks' structure: parts, points, checks, written questions

@pytest.mark.parametrize("solution", SOLUTIONS, ids=ids(SOLUTIONS))
def test_parts_points_and_questions(solution):
    nb = json.loads(solution.read_text())
    cells = nb["cells"]
    parts, questions = [], []
    for i, cell in enumerate(cells):
        meta = cell["metadata"].get("nnlab", {})
        source = "".join(cell["source"])
        if "part" in meta:
            name = meta["part"]
            assert name in PARTS and f"def {name}(" in source and "### BEGIN SOLUTION" in source
            check = cells[i + 1]
            assert check["metadata"]["nnlab"] == {"check": name, "points": check["metadata"]["nnlab"]["points"]}
            assert "".join(check["source"]) == f"nl.checks.{PARTS[name].check_name}({name})"
            points = check["metadata"]["nnlab"]["points"]
            assert check["metadata"]["nbgrader"]["points"] == points
            heading = "".join(cells[i - 1]["source"]).splitlines()[0]
            assert re.search(rf"\({points} points?\)$", heading), heading
            outputs = check["outputs"]  # the stored run (built by tools/build_notebooks.py): a pass
            assert len(outputs) == 1 and "".join(outputs[0]["text"]).startswith(f"✓ {name}:"), outputs
            parts.append((name, points))
        if "question" in meta:
            assert cell["cell_type"] == "markdown" and source.startswith("<!-- BEGIN SOLUTION -->")
            question = "".join(cells[i - 1]["source"])
            assert re.search(rf"\({meta['points']} points?\)", question), question
            questions.append(meta["question"])
    assert 3 <= len(parts) <= 6 and 1 <= len(questions) <= (3 if solution.name.startswith("10_") else 2)
    intro = "".join(cells[0]["source"])
    total = sum(p for _, p in parts)
    assert f"**Points:** {total} for code ({len(parts)} parts)" in intro


# ----------------------------------------------------------------------------------------------
# running them

def _run(path: Path):
    """Execute a notebook in a fresh kernel (in this thread's own event loop, closed afterwards)."""
    import asyncio

    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}})
    asyncio.run(client.async_execute())
    return nb


@pytest.mark.notebook
def test_shipped_exercises_run_to_the_end_with_every_check_failing_cleanly():
    paths = [ROOT / "exercises" / p.name for p in SOLUTIONS]
    with ThreadPoolExecutor(max_workers=2) as pool:
        notebooks = list(pool.map(_run, paths))
    for path, nb in zip(paths, notebooks):
        checks = 0
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            for out in cell.outputs:
                assert out.output_type != "error", f"{path.name} cell {i}: {out.ename}: {out.evalue}"
                assert not (out.output_type == "stream" and out.name == "stderr"), f"{path.name} cell {i}"
            check = cell.metadata.get("nnlab", {}).get("check")
            if check:
                checks += 1
                assert [o.output_type for o in cell.outputs] == ["stream"], f"{path.name} cell {i}"
                assert cell.outputs[0].text.startswith(f"✗ {check}: not implemented yet.\n")
        assert checks >= 3


@pytest.mark.notebook
def test_solutions_pass_strict_nbval(tmp_path):
    pytest.importorskip("nbval")
    one_thread = {v: "1" for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env", "--nbval-sanitize-with",
         str(ROOT / "tests" / "nbval_sanitize.cfg"), "-p", "no:cacheprovider", "-p", "no:xdist", "-q",
         *map(str, SOLUTIONS)],
        cwd=tmp_path, capture_output=True, text=True, timeout=600, env={**os.environ, **one_thread})
    assert result.returncode == 0, result.stdout[-3000:]
