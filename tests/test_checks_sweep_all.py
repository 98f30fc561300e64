"""Every known-wrong version in test_checks.py is rejected under the grader's view of the cases
(public and hidden, from `part.cases(default_rng(seed))`) for a sweep of seeds, not only under
the notebook's one seed.

The sweep runs 200 seeds (about 40 s on two workers); NNLAB_SWEEP_ALL_SEEDS=N runs another number.
"""

from __future__ import annotations

import os

import pytest

from test_checks import WRONG
from test_checks_sweep import grade

SEEDS = range(int(os.environ.get("NNLAB_SWEEP_ALL_SEEDS", "200")))
CASES = [(name, i) for name, wrongs in WRONG.items() if name != "train"  # train: test_checks_train.py
         for i in range(len(wrongs))]


@pytest.mark.parametrize("name,index", CASES)
def test_known_wrong_version_rejected_on_every_seed(name, index):
    fn, _ = WRONG[name][index]
    passed = [seed for seed in SEEDS if grade(name, fn, seed).passed]
    assert not passed, (name, index, passed[:5])
