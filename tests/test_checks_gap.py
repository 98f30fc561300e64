"""Exercise 09's measure-it part, dropout_gap: the train–validation accuracy gap with and without
dropout, measured by the learner's own experiment.

The check runs the same experiment itself, so the honest measurement is reproduced exactly and
every known-wrong measurement below is rejected — on every seed of a sweep, as the grader judges
it (hidden cases included) — with a message that names the mistake or says what the gap depends
on. Training networks takes time: the sweep runs NNLAB_SWEEP_SEEDS seeds (3 by default;
`NNLAB_SWEEP_SEEDS=200` for the full sweep). Correct alternatives pass.
"""

from __future__ import annotations

import copy
import os

import numpy as np
import pytest

import nnlab as nl

from check_tools import solution, sweep, verdict

SEEDS = range(int(os.environ.get("NNLAB_SWEEP_SEEDS", "3")))
_RUNS: dict = {}


def _trained(make_net, train, data, p_drop, seed, *, rng=None):
    """(model, history) of one run, shared by the wrong measurements below (they differ only in
    what they read from it); a copy each time, so that one reading cannot change another's."""
    X_train, y_train = data[0], data[1]
    key = (X_train.tobytes(), p_drop, seed)
    if rng is not None:
        model = make_net(p_drop, rng)
        return model, train(model, X_train, y_train, rng)
    if key not in _RUNS:
        rng = np.random.default_rng(seed)
        model = make_net(p_drop, rng)
        _RUNS[key] = model, train(model, X_train, y_train, rng)
    return copy.deepcopy(_RUNS[key])


def _accuracy(model, X, y):
    return np.mean(nl.predict(model, X).argmax(axis=1) == y)


def _measure(make_net, train, data, p_drops, seeds, *, read=None, p_of=None, pick=None,
             total=False, scale=1.0):
    X_train, y_train, X_val, y_val = data
    read = read or (lambda m, h: _accuracy(m, X_train, y_train) - _accuracy(m, X_val, y_val))
    gaps = []
    for p in p_drops:
        runs = [read(*_trained(make_net, train, data, p if p_of is None else p_of, s))
                for s in (pick(seeds) if pick else seeds)]
        gaps.append(np.sum(runs) if total else np.mean(runs))
    return scale * np.array(gaps)


def _train_mode(data):
    X_train, y_train, X_val, y_val = data

    def read(model, history):
        model.train()
        return (np.mean(model.forward(X_train).argmax(axis=1) == y_train)
                - np.mean(model.forward(X_val).argmax(axis=1) == y_val))
    return read


def one_rng(make_net, train, data, p_drops, seeds):
    """One rng for every run: the runs are not the protocol's."""
    X_train, y_train, X_val, y_val = data
    rng = np.random.default_rng(seeds[0])
    gaps = []
    for p in p_drops:
        runs = []
        for _ in seeds:
            model, _ = _trained(make_net, train, data, p, None, rng=rng)
            runs.append(_accuracy(model, X_train, y_train) - _accuracy(model, X_val, y_val))
        gaps.append(np.mean(runs))
    return np.array(gaps)


def trained_on_everything(make_net, train, data, p_drops, seeds):
    """The validation set is trained on too."""
    X_train, y_train, X_val, y_val = data
    X_all, y_all = np.concatenate([X_train, X_val]), np.concatenate([y_train, y_val])
    gaps = []
    for p in p_drops:
        runs = []
        for s in seeds:
            rng = np.random.default_rng(s)
            model = make_net(p, rng)
            train(model, X_all, y_all, rng)
            runs.append(_accuracy(model, X_train, y_train) - _accuracy(model, X_val, y_val))
        gaps.append(np.mean(runs))
    return np.array(gaps)


def _read_val(data):
    return lambda m, h: _accuracy(m, data[2], data[3])


WRONG = {
    "the sign turned": (lambda *a: _measure(*a, read=lambda m, h: _accuracy(m, a[2][2], a[2][3])
                                            - _accuracy(m, a[2][0], a[2][1])), ["sign turned"]),
    "in percent": (lambda *a: _measure(*a, scale=100.0), ["percent"]),
    "the loss gap": (lambda *a: _measure(*a, read=lambda m, h: nl.evaluate(
        m, nl.SoftmaxCrossEntropy(), a[2][2], a[2][3])["loss"] - nl.evaluate(
        m, nl.SoftmaxCrossEntropy(), a[2][0], a[2][1])["loss"]), ["LOSSES"]),
    "the History's accuracy": (lambda *a: _measure(*a, read=lambda m, h: h["accuracy"][-1]
                                                   - _accuracy(m, a[2][2], a[2][3])), ["History"]),
    "dropout on while measuring": (lambda *a: _measure(*a, read=_train_mode(a[2])), ["train mode"]),
    "no dropout at all": (lambda *a: _measure(*a, p_of=0.0), ["WITHOUT dropout"]),
    "the first seed only": (lambda *a: _measure(*a, pick=lambda s: s[:1]), ["FIRST seed"]),
    "the last seed only": (lambda *a: _measure(*a, pick=lambda s: s[-1:]), ["LAST seed"]),
    "the sum over the seeds": (lambda *a: _measure(*a, total=True), ["SUM"]),
    "the validation accuracy alone": (lambda *a: _measure(*a, read=_read_val(a[2])),
                                      ["eval mode", "default_rng(seed)"]),
    "one rng for every run": (one_rng, ["default_rng(seed)"]),
    "trained on the validation set too": (trained_on_everything, ["capacity"]),
    "the gaps sorted by p_drop": (lambda net, train, data, p_drops, seeds: _measure(
        net, train, data, sorted(p_drops), seeds), ["p_drop = 0.5: ✗"]),
    "one number for all rates": (lambda *a: float(np.mean(_measure(*a))), ["one gap per p_drop"]),
}


def with_evaluate(make_net, train, data, p_drops, seeds):
    """Correct, another way: nl.evaluate's accuracy, the validation set first, a list returned,
    and the mean of the accuracies instead of the mean of the gaps."""
    X_train, y_train, X_val, y_val = data
    loss, out = nl.SoftmaxCrossEntropy(), []
    for p in p_drops:
        val, tr = [], []
        for seed in seeds:
            rng = np.random.default_rng(seed)
            model = make_net(p, rng)
            train(model, X_train, y_train, rng)
            val.append(nl.evaluate(model, loss, X_val, y_val)["accuracy"])
            tr.append(nl.evaluate(model, loss, X_train, y_train)["accuracy"])
        out.append(sum(tr) / len(tr) - sum(val) / len(val))
    return out


def with_eval_forward(make_net, train, data, p_drops, seeds):
    """Correct, another way: model.eval() and model.forward, a table filled in place."""
    X_train, y_train, X_val, y_val = data
    table = np.zeros((len(p_drops), len(seeds)))
    for i, p in enumerate(p_drops):
        for j, seed in enumerate(seeds):
            rng = np.random.default_rng(seed)
            model = make_net(p, rng)
            train(model, X_train, y_train, rng)
            model.eval()
            table[i, j] = ((model.forward(X_train).argmax(1) == y_train).mean()
                           - (model.forward(X_val).argmax(1) == y_val).mean())
    return table.mean(axis=1)


def test_every_wrong_measurement_is_rejected_on_every_seed():
    names = list(WRONG)
    passed = sweep("dropout_gap", [WRONG[n][0] for n in names], SEEDS, name_mistakes=False)
    assert not any(passed.values()), {names[i]: s for i, s in passed.items() if s}


@pytest.mark.parametrize("mistake", list(WRONG))
def test_each_wrong_measurement_is_told_what_is_wrong(mistake):
    fn, words = WRONG[mistake]
    result = verdict("dropout_gap", fn, 0)
    assert not result.passed
    assert all(w in result.message for w in words), result.message


def test_correct_measurements_pass_on_every_seed():
    fns = [with_evaluate, with_eval_forward, solution("09_overfitting_and_dropout")["dropout_gap"]]
    passed = sweep("dropout_gap", fns, SEEDS)
    assert all(list(s) == list(SEEDS) for s in passed.values()), passed


def test_the_measurement_shows_what_dropout_does():
    """On the public case modelled on the chapter, dropout shrinks the gap — the conclusion the
    exercise asks the learner to draw holds for the numbers the check passes on."""
    from nnlab.checks import PARTS
    from nnlab.checks._core import public_cases, seed_of

    part = PARTS["dropout_gap"]
    first = public_cases(part, np.random.default_rng(seed_of("dropout_gap")))[0]
    without, with_dropout = part.expected(first)
    assert first.args[3] == (0.0, 0.5)
    assert without > with_dropout + 0.02
