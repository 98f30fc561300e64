"""Tools shared by the tests of the exercise checks: a solution notebook's functions, a part's
verdict on a function for one seed, and a sweep of functions over many seeds."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from nnlab.checks import PARTS
from nnlab.checks import _core
from nnlab.checks._core import call_learner, judge, judge_outcome
from nnlab.grading.runner import load_definitions

ROOT = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=None)
def solution(stem: str) -> dict:
    """The definitions of solutions/<stem>.ipynb, loaded as the grader loads them."""
    nb = json.loads((ROOT / "solutions" / f"{stem}.ipynb").read_text())
    ns, problems = load_definitions(["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"])
    assert not problems, problems
    return ns


def verdict(name, fn, seed):
    """The verdict on `fn` for the part's cases made from `seed` (all of them, hidden ones too)."""
    part = PARTS[name]
    cases = part.cases(np.random.default_rng(seed))
    return judge(part, cases, (call_learner(part, fn, c.args, c.extra, None) for c in cases))


def sweep(name, functions, seeds, *, name_mistakes: bool = True) -> dict:
    """For each function (by index), the seeds on which it passes every case, hidden ones too.

    Cases and expected results are made once per seed and shared by the functions; the judging is
    the part's own (with name_mistakes=False, without naming a known mistake, which only costs time).
    """
    part = PARTS[name]
    passed = {i: [] for i in range(len(functions))}
    memo = {}
    expected, show = part.expected, _core.show
    part.expected = lambda case: memo[id(case)]
    if not name_mistakes:
        part.diagnose = lambda case, got: []
    _core.show = lambda *args, **kwargs: ""
    try:
        for seed in seeds:
            cases = part.cases(np.random.default_rng(seed))
            memo.clear()
            memo.update({id(c): expected(c) for c in cases})
            for i, fn in enumerate(functions):
                if all(judge_outcome(part, c, call_learner(part, fn, c.args, c.extra, None)) is None
                       for c in cases):
                    passed[i].append(seed)
    finally:
        del part.expected  # back to the methods
        if not name_mistakes:
            del part.diagnose
        _core.show = show
    return passed
