"""The grader's own process against untrusted input, without a kernel: what a runner sends back
(malformed, huge, deep, out of range), submission files (symbolic links, devices, size, nesting),
student names (Unicode, collisions), the statements the runner executes (honest constants), and
one submission that crashes the grader's code."""

from __future__ import annotations

import json
import os
import shutil
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from nnlab.checks import PARTS
from nnlab.checks._plain import pack, unpack
from nnlab.grading import Limits
from nnlab.grading.grader import Malformed, find_submissions, grade_submission, parse_answer, shard_of
from nnlab.grading.runner import load_definitions
from nnlab.grading.source import (Unreadable, parse_notebook, reaches_into, read_bytes,
                                  select_definitions)

ROOT = Path(__file__).resolve().parent.parent
KEY = {"format": "nnlab-key/1", "assignments": {"01_the_neuron": {"parts": {
    "sigmoid": {"points": 2, "seed": 11}, "neuron_forward": {"points": 2, "seed": 12}}}}}


def honest_answer(part, cases):
    """What a runner sends for a right answer on every case."""
    outcomes = [{"status": "ok", "value": part.expected(c), "error": "", "where": "",
                 "after": list(c.args), "warnings": [], "seconds": 0.01, "reached": []} for c in cases]
    return {"found": True, "problems": [], "outcomes": outcomes}


def test_an_honest_answer_parses_and_mutation_is_judged_here():
    part = PARTS["sigmoid"]
    cases = part.cases(np.random.default_rng(1))
    answer = unpack(pack(honest_answer(part, cases)))
    found, problems, outcomes, reached = parse_answer(answer, part, cases)
    assert found and not problems and [o.status for o in outcomes] == ["ok"] * len(cases)
    assert all(o.mutated == () for o in outcomes)
    changed = honest_answer(part, cases)
    changed["outcomes"][0]["after"] = [np.zeros_like(cases[0].args[0])]
    changed["outcomes"][1]["warnings"] = [["RuntimeWarning", "overflow encountered in exp"],
                                          ["DeprecationWarning", "not numpy's"]]
    _, _, outcomes, _ = parse_answer(unpack(pack(changed)), part, cases)
    assert outcomes[0].mutated == ("z",)
    assert outcomes[1].warnings == ("overflow encountered in exp",)


@pytest.mark.parametrize("change, why", [
    (lambda a: a.update(problems=7), "'problems' is not a list"),
    (lambda a: a.update(found="yes"), "'found' is not true or false"),
    (lambda a: a.update(outcomes=a["outcomes"][:1]), "outcomes for"),
    (lambda a: a["outcomes"][0].update(status="passed"), "unknown status"),
    (lambda a: a["outcomes"][0].update(after=None), "arguments after the call"),
    (lambda a: a["outcomes"][0].update(warnings=[1, 2]), "warnings"),
    (lambda a: a["outcomes"][0].update(error=["x"]), "error is not text"),
    (lambda a: a["outcomes"][0].update(reached=[3]), "reached"),
    (lambda a: a.clear(), "'found'"),
])
def test_malformed_answers_are_refused_with_a_reason(change, why):
    part = PARTS["sigmoid"]
    cases = part.cases(np.random.default_rng(1))
    answer = honest_answer(part, cases)
    change(answer)
    with pytest.raises(Malformed, match=why):
        parse_answer(unpack(pack(answer)), part, cases)
    with pytest.raises(Malformed):
        parse_answer([1, 2, 3], part, cases)


def test_out_of_range_seconds_are_ignored_not_fatal():
    part = PARTS["sigmoid"]
    cases = part.cases(np.random.default_rng(1))
    for seconds in (10**400, float("inf"), float("nan"), -5.0, True):
        answer = honest_answer(part, cases)
        answer["outcomes"][0]["seconds"] = seconds
        _, _, outcomes, _ = parse_answer(answer, part, cases)
        assert outcomes[0].seconds == 0.0


def test_unpack_refuses_deep_and_truncated_data():
    deep = []
    for _ in range(100):
        deep = [deep]
    from nnlab.checks._plain import Garbled

    with pytest.raises(Garbled):
        unpack(pack({"found": True, "outcomes": deep}))
    with pytest.raises(Garbled):
        unpack(pack({"a": np.zeros(10)})[:-3])
    with pytest.raises(Garbled):
        unpack(b"\xff" * 100)


# ----------------------------------------------------------------------------------------------
# files

def test_files_are_read_with_limits(tmp_path):
    good = tmp_path / "good.ipynb"
    shutil.copy(ROOT / "exercises" / "01_the_neuron.ipynb", good)
    assert parse_notebook(read_bytes(good))["cells"]
    (tmp_path / "link.ipynb").symlink_to(ROOT / "solutions" / "01_the_neuron.ipynb")
    with pytest.raises(Unreadable, match="symbolic link"):
        read_bytes(tmp_path / "link.ipynb")
    os.mkfifo(tmp_path / "fifo.ipynb")
    with pytest.raises(Unreadable, match="not a regular file"):
        read_bytes(tmp_path / "fifo.ipynb")  # would block forever if opened as a file
    big = tmp_path / "big.ipynb"
    big.write_bytes(b" " * 2048)
    with pytest.raises(Unreadable, match="larger than"):
        read_bytes(big, limit=1024)
    with pytest.raises(Unreadable, match="nested deeper than 64"):
        parse_notebook(b"[" * 100_000 + b"]" * 100_000)
    for data, why in ((b"\xff\xfe", "UTF-8"), (b"{", "JSONDecodeError"), (b"[1]", "no list of cells"),
                      (json.dumps({"cells": [{"cell_type": "code", "source": 5}] * 3000}).encode(), "cells")):
        with pytest.raises(Unreadable, match=why):
            parse_notebook(data)
    odd = parse_notebook(json.dumps({"cells": [{"cell_type": "code", "source": ["a", 1, "b"],
                                                "metadata": {"nnlab": {"part": "x", "evil": [1]}}},
                                               "not a cell", {"cell_type": "weird"}]}).encode())
    assert odd["cells"] == [{"cell_type": "code", "source": "ab", "metadata": {"nnlab": {"part": "x"}}}]


def test_student_names_keep_their_unicode_and_their_own_rows(tmp_path):
    nb = (ROOT / "exercises" / "01_the_neuron.ipynb").read_text()
    for folder in ("Zoë", "Zoé", "李明", "王芳", "bob", "bob!", "Bob", unicodedata.normalize("NFD", "Zoë")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "01_the_neuron.ipynb").write_text(nb)
    (tmp_path / "mallory.ipynb").symlink_to(ROOT / "solutions" / "01_the_neuron.ipynb")
    (tmp_path / "linked").symlink_to(tmp_path / "bob", target_is_directory=True)
    found, problems = find_submissions(tmp_path, KEY)
    names = [s.student for s in found]
    assert len(names) == len(set(names)) == 10
    assert {"Zoé", "李明", "王芳", "bob", "bob!", "Bob"} <= set(names)
    assert all(unicodedata.is_normalized("NFC", n) for n in names)
    files = [s.file for s in found]
    assert len({f.casefold() for f in files}) == len(files)  # unique even where case is ignored
    assert "李明" in files and "王芳" in files
    refused = {s.student: s.refused for s in found if s.refused}
    assert set(refused) == {"mallory", "linked"}
    text = "\n".join(problems)
    assert "collision: 2 different names read as 'Zoë'" in text
    assert "would all be 'bob'" in text and "mallory.ipynb: refused, a symbolic link" in text


def test_shards_split_by_student():
    from nnlab.grading.grader import Submission

    subs = [Submission(s, a, Path(f"{s}{a}")) for s in "abcde" for a in ("x", "y")]
    shards = [shard_of(subs, k, 3) for k in (1, 2, 3)]
    assert sorted(s.path for part in shards for s in part) == sorted(s.path for s in subs)
    assert {s.student for s in shards[0]} == {"a", "d"}
    with pytest.raises(ValueError, match="1 ≤ K ≤ N"):
        shard_of(subs, 4, 3)


# ----------------------------------------------------------------------------------------------
# what the runner executes

def test_constants_the_functions_use_are_executed():
    cells = ['import numpy as np\nLIMIT = float(np.log(np.finfo(float).max))\nSLOW = train_for_an_hour()\n'
             'TABLE = {}\nfor k in range(3):\n    TABLE[k] = k * k\nSQUARES = []\nSQUARES.append(4)\n'
             'print("hello")\nwhile True:\n    pass',
             'try:\n    from math import tau as TAU\nexcept ImportError:\n    TAU = 6.28\n',
             'rng = np.random.default_rng(0)\nSCALE = np.sqrt(LIMIT)\n',
             'def f(z):\n    return np.clip(z, -LIMIT, LIMIT) + TABLE[2] + SQUARES[0] + TAU * 0 + SCALE * 0\n',
             'nl.checks.check_f(f)\n']
    selected, problems, executed = select_definitions(cells)
    assert selected == [[0, 1, 3, 4, 5, 6], [0], [1], [0], []] and problems == []
    namespace, problems = load_definitions(cells, selected)
    assert problems == [] and namespace["f"](np.array([1e9]))[0] == pytest.approx(np.log(np.finfo(float).max) + 8)
    assert reaches_into(executed) == []
    # a function's own local names are not the top level's: this loop must not run
    loop = ['import numpy as np\nbig = np.ones((50_000, 50_000))\nhog = []\nwhile True:\n    hog.append(np.ones(10**7))',
            'def f(gate):\n    hog = []\n    hog.append(gate)\n    return hog\n']
    assert select_definitions(loop)[0] == [[0, 2], [0]]
    sneaky = ['import nnlab as nl\nfrom nnlab.grading import sandbox\n'
              'def g():\n    return nl.checks.PARTS, __import__("nnlab.checks._core")\n']
    assert reaches_into(select_definitions(sneaky)[2]) == ["nnlab.grading", "nnlab.checks.PARTS", "nnlab.checks",
                                                           "the text 'nnlab.checks._core'"]


def test_one_broken_submission_is_reported_not_fatal(tmp_path, monkeypatch):
    """An exception inside the grader's code for one notebook: that notebook gets 0 with the
    reason, the call returns, its scratch space is gone."""
    from nnlab.grading import grader

    def boom(*args, **kwargs):
        raise OverflowError("cannot convert float infinity to integer")

    monkeypatch.setattr(grader, "execute_notebook", boom)
    sub = grader.Submission("ann", "01_the_neuron", ROOT / "exercises" / "01_the_neuron.ipynb", "ann")
    report = grade_submission(sub, KEY, Limits(), tmp_path / "work", tmp_path / "out",
                              sandbox=grader.Sandbox(None))
    assert report.points == 0 and {p.status for p in report.parts} == {"crashed"}
    assert "OverflowError" in report.parts[0].message and "grader failed" in report.execution["stopped"]
    assert not (tmp_path / "work").exists()


def test_the_class_summary_counts_passes_mistakes_and_failures():
    """Per part: passed, each status, each known mistake in the checks' own words."""
    import nnlab as nl
    from nnlab.grading.grader import PartResult, Report, _mistake
    from nnlab.grading.report import class_summary, summary_markdown

    wrong = nl.checks.run_check(PARTS["squared_error"], lambda a, y: float(np.sum((a - y) ** 2)) / 2)
    mistake = _mistake(wrong.message)
    assert mistake and "Hint" not in mistake

    def report(student, status, mistake=""):
        part = PartResult("squared_error", 2.0 if status == "passed" else 0.0, 2.0, status, "", [], mistake)
        return Report(student, "04_loss_functions", f"{student}.ipynb", student, [part])

    reports = [report("a", "passed"), report("b", "wrong", mistake), report("c", "wrong", mistake),
               report("d", "timeout"), report("e", "crashed")]
    key = {"assignments": {"04_loss_functions": {"parts": {"squared_error": {"points": 2}}}}}
    summary = class_summary(reports, key, ["x.ipynb: skipped"], "bubblewrap")
    part = summary["assignments"]["04_loss_functions"]["parts"]["squared_error"]
    assert part["passed"] == 1 and part["of"] == 5
    assert part["statuses"] == {"crashed": 1, "passed": 1, "timeout": 1, "wrong": 2}
    assert part["mistakes"] == {mistake: 2}
    text = summary_markdown(summary)
    assert "**squared_error**: 1 of 5 passed; 1 crashed, 1 timeout, 2 wrong" in text
    assert f"  - 2 of 5: {mistake}" in text and "x.ipynb: skipped" in text


@pytest.mark.parametrize("seconds", [10**400, float("nan"), float("inf"), -5, "3", True, [1]])
def test_an_outcome_with_a_forged_time_is_read_as_no_time(seconds):
    from nnlab.checks._core import Outcome
    outcome = Outcome.from_plain({"status": "ok", "value": 1.0, "seconds": seconds})
    assert outcome.status == "ok" and outcome.seconds == 0.0
    assert Outcome.from_plain({"status": "ok", "seconds": 2.5}).seconds == 2.5
