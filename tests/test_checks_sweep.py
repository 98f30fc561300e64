"""Seed sweeps: each known-wrong implementation is rejected under every seed the grader could draw,
and each correct alternative passes under every one.

The grader makes its test inputs from a hidden seed; a wrong implementation that slips through
some seeds earns points it should not. Here every part is judged as the grader judges it — all its
cases, public and hidden, from `part.cases(default_rng(seed))` — for 200 seeds, and the message
must name the mistake on every seed it is rejected.
"""

from __future__ import annotations

import numpy as np
import pytest

from nnlab.checks import PARTS
from nnlab.checks._core import call_learner, judge

SEEDS = range(200)


def grade(name: str, fn, seed: int):
    """The verdict of part `name` on `fn` with the grader's view of the cases for `seed`."""
    part = PARTS[name]
    cases = part.cases(np.random.default_rng(seed))
    return judge(part, cases, [call_learner(part, fn, c.args, c.extra, None) for c in cases])


def sweep(name: str, fn, words: str = "") -> tuple[int, list]:
    """(number of seeds rejected, [(seed, message) of seeds passed or rejected without `words`])."""
    rejected, odd = 0, []
    for seed in SEEDS:
        result = grade(name, fn, seed)
        if not result.passed:
            rejected += 1
            if words and words not in result.message:
                odd.append((seed, result.message))
        else:
            odd.append((seed, result.message))
    return rejected, odd


# ----------------------------------------------------------------------------------------------
# early stopping

def _early(losses, patience, reset=True, strict=True, late=0, start=0, min_delta=0.0, keep_last=False):
    """Early stopping; with one option changed, a wrong version: no reset of the counter, an equal
    loss as an improvement, stopping `late` epochs late (or early), a counter restarting at `start`,
    an improvement that must beat the best by min_delta (absolute, as Keras's default), or the last
    epoch kept when patience never runs out."""
    best, best_epoch, waited = np.inf, 0, 0
    for epoch, loss in enumerate(losses):
        if loss < best - min_delta if strict else loss <= best:
            best, best_epoch = loss, epoch
            if reset:
                waited = start
        else:
            waited += 1
            if waited >= patience + late:
                return best_epoch
    return len(losses) - 1 if keep_last else best_epoch


def _early_while(val_losses, patience):
    """Correct, another way: a while loop over the epochs, counting epochs since the best."""
    best_epoch, epoch = 0, 1
    while epoch < len(val_losses) and epoch - best_epoch <= patience:
        if val_losses[epoch] < val_losses[best_epoch]:
            best_epoch = epoch
        elif epoch - best_epoch == patience:
            break
        epoch += 1
    return best_epoch


# ----------------------------------------------------------------------------------------------
# minibatches

def _batches_shuffled_blocks(X, y, batch_size, rng):
    """Wrong: the fixed batches X[0:B], X[B:2B], … in a shuffled order."""
    starts = rng.permutation(np.arange(0, len(X), batch_size))
    return [(X[s:s + batch_size], y[s:s + batch_size]) for s in starts]


def _batches_shuffled_full_blocks(X, y, batch_size, rng):
    """Wrong: the same, with the smaller last batch kept last."""
    full = len(X) // batch_size * batch_size
    starts = list(rng.permutation(np.arange(0, full, batch_size)))
    if full < len(X):
        starts.append(full)
    return [(X[s:s + batch_size], y[s:s + batch_size]) for s in starts]


def _batches_generator(X, y, batch_size, rng):
    """Correct, another way: a generator with an explicit loop."""
    order = rng.permutation(len(X))
    start = 0
    while start < len(X):
        idx = order[start:start + batch_size]
        yield X[idx], y[idx]
        start += batch_size


def _batches_split(X, y, batch_size, rng):
    """Correct, another way: np.array_split of the shuffled order at multiples of batch_size."""
    order = rng.permutation(len(X))
    return [(X[i], y[i]) for i in np.split(order, np.arange(batch_size, len(X), batch_size))]


# ----------------------------------------------------------------------------------------------
# dropout masks

def _mask_shared_rows(shape, p, rng):
    """Wrong: one mask of the units, the same for every example of the batch."""
    return np.broadcast_to(rng.random(shape[1:]) >= p, shape)


def _mask_shared_tile(shape, p, rng):
    return np.tile(rng.random((1, *shape[1:])) >= p, (shape[0],) + (1,) * (len(shape) - 1))


def _mask_per_example(shape, p, rng):
    """Wrong: one number per example, so whole examples are kept or dropped."""
    return np.broadcast_to(rng.random((*shape[:-1], 1)) >= p, shape)


def _mask_less_than(shape, p, rng):
    """Correct, another way: keep where a uniform number is below 1 − p."""
    return rng.random(shape) < 1 - p


def _mask_loop(shape, p, rng):
    """Correct, another way: entry by entry (slow, but right)."""
    r = rng.random(shape)
    mask = np.zeros(shape, dtype=bool)
    for i in np.ndindex(*shape):
        mask[i] = r[i] >= p
    return mask


# ----------------------------------------------------------------------------------------------

WRONG = {
    "early_stopping": [
        (lambda losses, patience: _early(losses, patience, reset=False), "never reset"),
        (lambda losses, patience: _early(losses, patience, strict=False), "equal loss"),
        (lambda losses, patience: int(np.argmin(losses)), "WHOLE list"),
        (lambda losses, patience: _early(losses, patience) + 1, "counted from 1"),
        (lambda losses, patience: _early(losses, patience, late=1), "one epoch too long"),
        (lambda losses, patience: _early(losses, patience, late=-1), "one epoch too early"),
        (lambda losses, patience: _early(losses, patience, start=1), "one epoch too early"),
        (lambda losses, patience: _early(losses, patience, keep_last=True), "never stops"),
        (lambda losses, patience: _early(losses, patience, min_delta=1e-4), "by a margin"),
    ],
    "minibatches": [
        (_batches_shuffled_blocks, "shuffled"),
        (_batches_shuffled_full_blocks, "instead of the examples"),
    ],
    "dropout_mask": [
        (_mask_shared_rows, "same mask"),
        (_mask_shared_tile, "same mask"),
        (_mask_per_example, "whole examples"),
    ],
}

RIGHT = {
    "early_stopping": [_early, _early_while],
    "minibatches": [_batches_generator, _batches_split],
    "dropout_mask": [_mask_less_than],
}


@pytest.mark.parametrize("name,index", [(n, i) for n, w in WRONG.items() for i in range(len(w))])
def test_wrong_rejected_on_every_seed(name, index):
    fn, words = WRONG[name][index]
    rejected, odd = sweep(name, fn, words)
    assert rejected == len(SEEDS) and not odd, (rejected, odd[:2])


@pytest.mark.parametrize("name,index", [(n, i) for n, r in RIGHT.items() for i in range(len(r))])
def test_right_passes_on_every_seed(name, index):
    rejected, odd = sweep(name, RIGHT[name][index])
    assert rejected == 0, odd[:2]


def test_a_slow_right_mask_passes():
    assert grade("dropout_mask", _mask_loop, 0).passed


def test_no_reset_is_caught_by_the_public_cases_alone():
    """The notebook check (public cases only) already separates the counter that is never reset."""
    from nnlab.checks import run_check

    result = run_check(PARTS["early_stopping"], lambda losses, patience: _early(losses, patience, reset=False))
    assert not result.passed and "never reset" in result.message


def test_the_public_cases_name_stopping_one_epoch_too_early():
    """Without the hidden cases too, stopping early is not told it never resets its counter."""
    from nnlab.checks import run_check

    result = run_check(PARTS["early_stopping"], lambda losses, patience: _early(losses, patience, late=-1))
    assert not result.passed and "one epoch too early" in result.message
    assert "never reset" not in result.message


def test_hidden_cases_are_other_cases():
    """The grader's cases include kinds the notebook never shows, and none is a fixed array."""
    for name in ("early_stopping", "minibatches", "dropout_mask"):
        a = PARTS[name].cases(np.random.default_rng(1))
        b = PARTS[name].cases(np.random.default_rng(2))
        assert any(c.hidden for c in a) and any(not c.hidden for c in a), name
        if name == "early_stopping":
            for ca, cb in zip(a, b):
                assert not np.array_equal(np.asarray(ca.args[0]), np.asarray(cb.args[0])), ca.label
