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
            for c in cases:
                try:
                    memo[id(c)] = expected(c)
                except NotImplementedError:  # judged by its properties, with no expected value
                    memo[id(c)] = None
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


SEEDS = range(200)


def _wrong_somewhere(name, fn, seed, only) -> bool:
    """Whether fn is judged wrong on one of the cases `only` picks (so rejected on the seed)."""
    part = PARTS[name]
    cases = [c for c in part.cases(np.random.default_rng(seed)) if only(c)]
    return any(judge_outcome(part, c, call_learner(part, fn, c.args, c.extra, None)) for c in cases)


def assert_rejected(name, fn, words, seeds=SEEDS, *, only=None, notebook=False):
    """fn is rejected on every seed, and the message of the first three seeds holds every word
    (with notebook=True, also the notebook check's message, public cases only). With `only`, a
    seed counts as rejected when one of the cases `only` picks is wrong (the others can be slow)."""
    if only is None:
        passed = sweep(name, [fn], seeds, name_mistakes=False)[0]
    else:
        passed = [seed for seed in seeds if not _wrong_somewhere(name, fn, seed, only)]
    assert not passed, f"{name}: passed on {len(passed)} of {len(seeds)} seeds: {passed[:5]}"
    messages = [verdict(name, fn, seed).message for seed in list(seeds)[:3]]
    if notebook:
        messages.append(_core.run_check(PARTS[name], fn).message)
    for message in messages:
        assert all(w in message for w in words), message


def assert_accepted(name, fn, seeds=SEEDS):
    """fn passes every case, hidden ones too, on every seed."""
    passed = sweep(name, [fn], seeds, name_mistakes=False)[0]
    failed = sorted(set(seeds) - set(passed))
    assert not failed, (failed[:3], failed and verdict(name, fn, failed[0]).message)
