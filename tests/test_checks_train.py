"""The `train` check (chapter 08) cannot be fooled: its held-out digits are out of the learner's
reach, and the shortcuts the exercise forbids — loading the digits itself, `nl.fit` — and a loop
without `zero_grad()` are named, under every seed the grader could draw.

The wrong loops train for one epoch only: the check names these mistakes from what the loop
does, not from a low accuracy, so a short run is enough (and keeps the 200-seed sweeps fast).
"""

from __future__ import annotations

import numpy as np
import pytest

import nnlab as nl
from nnlab import fit as imported_fit
from nnlab.checks import PARTS, run_check
from nnlab.checks._core import call_learner, judge

SEEDS = range(200)
TRAIN = PARTS["train"]


def _model(rng):
    return nl.Sequential(nl.Dense(64, 32, rng=rng), nl.ReLU(), nl.Dense(32, 10, rng=rng))


def _loop(X, y, rng, epochs=1, zero=True, batch_size=64):
    model = _model(rng)
    loss = nl.SoftmaxCrossEntropy()
    opt = nl.Adam(model.parameters(), lr=3e-3)
    for _ in range(epochs):
        for xb, yb in nl.data.minibatches(X, y, batch_size=batch_size, rng=rng):
            loss.forward(model.forward(xb), yb)
            if zero:
                model.zero_grad()
            model.backward(loss.backward())
            opt.step()
    return model


def _without_zero_grad(X, y, rng):
    return _loop(X, y, rng, zero=False)


def _zero_grad_once(X, y, rng):
    model = _model(rng)
    model.zero_grad()
    loss, opt = nl.SoftmaxCrossEntropy(), nl.SGD(model.parameters(), lr=0.1)
    for xb, yb in nl.data.minibatches(X, y, batch_size=64, rng=rng):
        loss.forward(model.forward(xb), yb)
        model.backward(loss.backward())
        opt.step()
    return model


def _loads_all_digits(X, y, rng):
    X_all, y_all = nl.data.load_digits()
    return _loop(np.concatenate([X, X_all]), np.concatenate([y, y_all]), rng)


def _calls_fit(X, y, rng):
    model = _model(rng)
    nl.fit(model, nl.SoftmaxCrossEntropy(), nl.Adam(model.parameters()), X, y, epochs=1, rng=rng,
           progress=False)
    return model


def _calls_imported_fit(X, y, rng):
    model = _model(rng)
    imported_fit(model, nl.SoftmaxCrossEntropy(), nl.Adam(model.parameters()), X, y, epochs=1,
                 rng=rng, progress=False)
    return model


def _opt_zero_grad(X, y, rng):
    """Right: zeroing through the optimizer, SGD with momentum."""
    model = _model(rng)
    loss, opt = nl.SoftmaxCrossEntropy(), nl.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for _ in range(15):
        for xb, yb in nl.data.minibatches(X, y, batch_size=32, rng=rng):
            loss.forward(model.forward(xb), yb)
            opt.zero_grad()
            model.backward(loss.backward())
            opt.step()
    return model


def _grade(fn, seed):
    cases = TRAIN.cases(np.random.default_rng(seed))
    return judge(TRAIN, cases, [call_learner(TRAIN, fn, c.args, c.extra, None) for c in cases])


@pytest.mark.parametrize("fn,words", [
    (_without_zero_grad, "without model.zero_grad()"),
    (_zero_grad_once, "without model.zero_grad()"),
    (_loads_all_digits, "calls nl.data.load_digits"),
    (_calls_fit, "calls nl.fit"),
    (_calls_imported_fit, "calls nl.fit"),
])
def test_forbidden_or_broken_loops_are_named_on_every_seed(fn, words):
    messages = [_grade(fn, seed) for seed in SEEDS]
    rejected = [r for r in messages if not r.passed and words in r.message]
    assert len(rejected) == len(SEEDS), next(r.message for r in messages if r not in rejected)


def test_held_out_digits_are_not_in_the_bundled_data():
    X_all, _ = nl.data.load_digits()
    bundled = {row.tobytes() for row in X_all}
    for seed in (0, 1, 2):
        case = TRAIN.cases(np.random.default_rng(seed))[0]
        held_out = case.extra["X_test"]
        inside = sum(row.tobytes() in bundled for row in held_out)
        assert inside <= len(held_out) // 50, inside  # only digits whose shuffled pixels look the same
        assert "y_test" in case.secret and "y_test" not in case.extra


def test_a_right_loop_passes_and_the_message_is_one_line(capsys):
    result = run_check(TRAIN, _opt_zero_grad)
    assert result.passed, result.message
    assert "\n" not in result.message and "held-out digits" in result.message


def test_returning_the_loss_is_told_as_a_returned_value():
    def returns_loss(X, y, rng):
        return nl.SoftmaxCrossEntropy()

    result = run_check(TRAIN, returns_loss)
    assert not result.passed
    assert "returned the loss object (SoftmaxCrossEntropy)" in result.message
    assert "raised" not in result.message
