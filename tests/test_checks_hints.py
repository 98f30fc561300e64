"""The hint ladder: a failed check offers nl.checks.hint("part"); each call goes one step further
(the idea, the formula, which numpy operation) and no step is the finished line of code."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

import nnlab as nl
from nnlab.checks import PARTS, run_check
from nnlab.checks import _core

SOLUTIONS = Path(__file__).resolve().parent.parent / "solutions"
COURSE = [name for name, part in PARTS.items() if part.chapter <= "10"]
#: Hints the checks used to give that were the solution's line itself.
FORMER_LINES = ["rng.random(shape) >= p_drop", "lr0 * drop ** (t // every)", "(z > 0).astype(float)",
                "back.T @ X", "delta.T @ a_prev", "return w - lr * grad"]


@pytest.fixture(autouse=True)
def fresh_ladders():
    _core._HINTS_SHOWN.clear()
    yield
    _core._HINTS_SHOWN.clear()


def _solution_lines() -> dict[str, set[str]]:
    """Each part's solution code lines (between the solution markers), without spaces."""
    found: dict[str, set[str]] = {}
    for path in sorted(SOLUTIONS.glob("[0-1][0-9]_*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            source = "".join(cell["source"])
            part = cell.get("metadata", {}).get("nnlab", {}).get("part")
            if part and "### BEGIN SOLUTION" in source:
                body = source.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0]
                lines = {re.sub(r"\s+", "", line.split("#")[0]) for line in body.splitlines()}
                # the lines that compute something (not `N = a.shape[0]` or a loop header)
                found[part] = {line for line in lines if len(line.split("=", 1)[-1]) >= 12
                               and not line.startswith(("for", "if", "def"))
                               and not re.fullmatch(r"return[\w,]+", line)}
    return found


def _texts(part) -> list[str]:
    """Everything about a part a learner can read: its ladder and its mistakes' explanations."""
    texts = list(part.hints)
    texts += [explanation for _, explanation in getattr(part, "_mistakes", [])]
    texts += [explanation for _, explanation in getattr(part, "RULES", [])]
    return texts


@pytest.mark.parametrize("name", COURSE)
def test_every_part_has_a_ladder_of_three_steps_or_more(name):
    assert len(PARTS[name].hints) >= 3
    assert len(set(PARTS[name].hints)) == len(PARTS[name].hints)


def test_no_hint_is_the_solution_line():
    solutions = _solution_lines()
    assert set(COURSE) <= set(solutions)
    for name in COURSE:
        squeezed = [re.sub(r"\s+", "", t) for t in _texts(PARTS[name])]
        for line in solutions[name]:
            assert not any(line in t for t in squeezed), (name, line)
        for former in FORMER_LINES:
            assert not any(re.sub(r"\s+", "", former) in t for t in squeezed), (name, former)


def test_each_call_goes_one_step_further(capsys):
    steps = PARTS["softmax"].hints
    for k in range(len(steps) + 1):
        nl.checks.hint("softmax")
        shown = min(k + 1, len(steps))
        out = capsys.readouterr().out
        assert out.startswith(f"Hint {shown} of {len(steps)} for softmax") and steps[shown - 1] in out
    assert "(the last one)" in out
    nl.checks.hint("relu")  # the state is per part
    assert capsys.readouterr().out.startswith(f"Hint 1 of {len(PARTS['relu'].hints)} for relu:")


def test_the_function_itself_names_its_part(capsys):
    def relu(z):
        return z

    nl.checks.hint(relu)
    assert capsys.readouterr().out.startswith("Hint 1 of")


def test_an_unknown_part_lists_the_parts():
    with pytest.raises(ValueError) as err:
        nl.checks.hint("sofmax")
    text = str(err.value)
    assert "no part 'sofmax'" in text and "Did you mean 'softmax'?" in text
    assert all(name in text for name in COURSE)


def test_a_failed_check_names_the_problem_and_offers_the_ladder():
    result = run_check(PARTS["relu"], lambda z: np.abs(z))
    assert "Your result equals |z|" in result.message
    assert 'nl.checks.hint("relu")' in result.message
    assert PARTS["relu"].hints[0] not in result.message  # the hints themselves are opt-in
