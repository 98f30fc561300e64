"""The parts that make the learner think — derive-it and measure-it parts and the perceptron rule
(exercises 01, 08, 09, 10) — never pass wrong code and say what is wrong.

- Every known-wrong implementation below is rejected on every seed of a sweep, the grader's view
  (hidden cases included), with a message that names the mistake or what the number depends on.
  The cheap parts sweep 200 seeds always; the parts that train networks sweep
  NNLAB_SWEEP_SEEDS seeds (5 by default; `NNLAB_SWEEP_SEEDS=200` for the full sweep).
- Correct alternatives (loops, other formulas, nnlab's training loop instead of one's own)
  pass on every seed; the solution notebooks' own functions pass.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

import nnlab as nl
from nnlab.checks import PARTS
from nnlab.checks._core import call_learner, judge

from check_tools import SEEDS, assert_accepted, assert_rejected, solution
from check_tools import sweep as check_sweep

ROOT = Path(__file__).resolve().parent.parent
SLOW_SEEDS = range(int(os.environ.get("NNLAB_SWEEP_SEEDS", "5")))


def grade(name, fn, seed):
    """The verdict of part `name` on `fn`, judged as the grader judges it, for `seed`."""
    part = PARTS[name]
    cases = part.cases(np.random.default_rng(seed))
    return judge(part, cases, [call_learner(part, fn, c.args, c.extra, None) for c in cases])


# ----------------------------------------------------------------------------------------------
# 01: the perceptron rule

def _step(w_ext, x, y, lr, *, sign=1, bias=True, always=False, ge=False, first=False, mutate=False):
    x_ext = np.concatenate([[1.0], x]) if first else np.append(x, 1.0)
    z = x_ext @ w_ext
    y_hat = float(z >= 0) if ge else float(z > 0)
    change = lr * (2 * y - 1) * x_ext if always else sign * lr * (y - y_hat) * x_ext
    if not bias:
        change[-1] = 0.0
    if mutate:
        w_ext += change
        return w_ext
    return w_ext + change


def step_loop(w_ext, x, y, lr):
    """Correct, another way: entry by entry, with an if on the mistake."""
    w = [float(v) for v in w_ext]
    x_ext = [float(v) for v in x] + [1.0]
    z = sum(a * b for a, b in zip(w, x_ext))
    y_hat = 1 if z > 0 else 0
    if y_hat != y:
        w = [wi + lr * (y - y_hat) * xi for wi, xi in zip(w, x_ext)]
    return np.array(w)


WRONG_STEPS = {
    "wrong sign": (lambda *a: _step(*a, sign=-1), ["wrong sign"]),
    "updates on right predictions": (lambda *a: _step(*a, always=True), ["every example"]),
    "forgets the bias": (lambda *a: _step(*a, bias=False), ["without the bias"]),
    "z >= 0": (lambda *a: _step(*a, ge=True), ["z ≥ 0"]),
    "bias first": (lambda *a: _step(*a, first=True), ["FIRST"]),
    "in place": (lambda *a: _step(*a, mutate=True), ["modified its input w_ext"]),
}


@pytest.mark.parametrize("mistake", list(WRONG_STEPS))
def test_wrong_perceptron_steps_are_rejected_on_every_seed(mistake):
    fn, words = WRONG_STEPS[mistake]
    assert_rejected("perceptron_step", fn, words)


def test_right_perceptron_steps_pass_on_every_seed():
    assert_accepted("perceptron_step", step_loop)
    assert_accepted("perceptron_step", solution("01_the_neuron")["perceptron_step"])


def _train(X, y, lr, epochs, *, step=None, one_epoch=False, late=False, no_stop=False, shuffle=False,
           start=0.0):
    step = step or step_loop
    w = np.full(X.shape[1] + 1, start)
    order_rng = np.random.default_rng(0)
    for _ in range(1 if one_epoch else epochs + (1 if late else 0)):
        before = w.copy()
        order = order_rng.permutation(len(X)) if shuffle else range(len(X))
        for i in order:
            w = step(w, X[i], y[i], lr)
        if np.array_equal(before, w) and not no_stop:
            break
    return w


def train_while(X, y, lr, epochs):
    """Correct, another way: a while loop that counts the mistakes by the prediction."""
    w, epoch, mistakes = np.zeros(X.shape[1] + 1), 0, 1
    while mistakes and epoch < epochs:
        mistakes, epoch = 0, epoch + 1
        for x_i, y_i in zip(X, y):
            mistakes += int((np.append(x_i, 1) @ w > 0) != y_i)
            w = step_loop(w, x_i, y_i, lr)
    return w


WRONG_TRAINS = {
    "one epoch only": (lambda X, y, lr, e: _train(X, y, lr, e, one_epoch=True), ["after 1 epoch"]),
    "one epoch too many": (lambda X, y, lr, e: _train(X, y, lr, e, late=True), ["all"]),
    "a step without the bias": (lambda X, y, lr, e: _train(X, y, lr, e, step=WRONG_STEPS["forgets the bias"][0]),
                                ["wrong side of your line"]),
    "a step with the wrong sign": (lambda X, y, lr, e: _train(X, y, lr, e, step=WRONG_STEPS["wrong sign"][0]),
                                   ["wrong side"]),
    "shuffles the order": (lambda X, y, lr, e: _train(X, y, lr, e, shuffle=True), ["in the given order"]),
    "starts from ones": (lambda X, y, lr, e: _train(X, y, lr, e, start=1.0), ["starting from zero"]),
    "nnlab's own": (lambda X, y, lr, e: (lambda n: np.append(n.w, n.b))(
        nl.neuron.train_perceptron(X, y, lr=lr, epochs=e)[0]), ["nl.neuron.train_perceptron"]),
}


#: never converge, so they run all 300 epochs on every separable case: the slow sweep
SLOW_TRAINS = {"a step without the bias", "a step with the wrong sign"}


@pytest.mark.parametrize("mistake", list(WRONG_TRAINS))
def test_wrong_perceptron_training_is_rejected_on_every_seed(mistake):
    fn, words = WRONG_TRAINS[mistake]
    assert_rejected("train_perceptron", fn, words, SLOW_SEEDS if mistake in SLOW_TRAINS else SEEDS)


def test_right_perceptron_training_passes_on_every_seed():
    assert_accepted("train_perceptron", train_while)
    assert_accepted("train_perceptron", lambda X, y, lr, e: _train(X, y, lr, e, no_stop=True), range(5))
    ns = solution("01_the_neuron")
    assert_accepted("train_perceptron", ns["train_perceptron"], range(20))


# ----------------------------------------------------------------------------------------------
# 08: the stratified split and standardising with the training statistics

def _split(X, y, f, rng, *, stratify=True, shuffle=True, own_rng=False, detach=False):
    r = np.random.default_rng(1) if own_rng else rng
    if not stratify:
        order = r.permutation(len(X)) if shuffle else np.arange(len(X))
        n = int(round(f * len(X)))
        tr, te = order[n:], order[:n]
    else:
        tr, te = [], []
        for k in np.unique(y):
            idx = np.flatnonzero(y == k)
            idx = r.permutation(idx) if shuffle else idx
            n = int(round(f * len(idx)))
            te.append(idx[:n])
            tr.append(idx[n:])
        tr, te = np.concatenate(tr), np.concatenate(te)
    ytr, yte = y[tr], y[te]
    if detach:
        ytr, yte = y[np.sort(tr)], y[np.sort(te)]
    return X[tr], ytr, X[te], yte


def split_floor(X, y, f, rng):
    """Correct, another way: np.floor for the test count, one shuffle per class with rng.shuffle."""
    parts = [[], []]
    for k in np.unique(y):
        idx = np.flatnonzero(y == k)
        rng.shuffle(idx)
        n = int(np.floor(f * len(idx)))
        parts[1] += list(idx[:n])
        parts[0] += list(idx[n:])
    tr, te = np.array(parts[0]), np.array(parts[1])
    return X[tr], y[tr], X[te], y[te]


def _std(a, b, *, stats="train", zero=True, ddof=0, inplace=False):
    src = np.concatenate([a, b]) if stats == "all" else a
    m, s = src.mean(0), src.std(0, ddof=ddof)
    mt, st = (b.mean(0), b.std(0, ddof=ddof)) if stats == "own" else (m, s)
    if zero:
        s, st = np.where(s == 0, 1, s), np.where(st == 0, 1, st)
    if inplace:
        a -= m
        a /= s
        return a, (b - mt) / st
    with np.errstate(all="ignore"):
        return (a - m) / s, (b - mt) / st


def std_loop(X_train, X_test):
    """Correct, another way: column by column, with a tolerance for σ = 0."""
    A, B = np.empty_like(X_train), np.empty_like(X_test)
    for k in range(X_train.shape[1]):
        m, s = X_train[:, k].mean(), np.sqrt(np.mean((X_train[:, k] - X_train[:, k].mean()) ** 2))
        s = 1.0 if s < 1e-12 else s
        A[:, k], B[:, k] = (X_train[:, k] - m) / s, (X_test[:, k] - m) / s
    return A, B


WRONG_SPLITS = {
    "a plain shuffled split": (lambda *a: _split(*a, stratify=False), ["stratified split puts"]),
    "no shuffle (the last rows)": (lambda *a: _split(*a, stratify=False, shuffle=False), ["stratified"]),
    "stratified, not shuffled": (lambda *a: _split(*a, shuffle=False), ["not random"]),
    "its own seed": (lambda *a: _split(*a, own_rng=True), ["exactly the same test set"]),
    "labels detached from their rows": (lambda *a: _split(*a, detach=True), ["SAME indices"]),
    "nnlab's own": (lambda X, y, f, rng: (lambda p: (*p[0], *p[1]))(
        nl.data.split(X, y, (1 - f, f), rng=rng, stratify=True)), ["nl.data.split"]),
}
WRONG_STDS = {
    "statistics of both sets (leakage)": (lambda a, b: _std(a, b, stats="all"), ["AND test"]),
    "the test set's own statistics": (lambda a, b: _std(a, b, stats="own"), ["OWN mean"]),
    "a division by σ = 0": (lambda a, b: _std(a, b, zero=False), ["not finite"]),
    "ddof = 1": (lambda a, b: _std(a, b, ddof=1), ["ddof=1"]),
    "in place": (lambda a, b: _std(a, b, inplace=True), ["modified its input X_train"]),
}
#: the known-wrong versions of this file's parts (tests/test_checks.py counts them)
WRONG = {"perceptron_step": WRONG_STEPS, "train_perceptron": WRONG_TRAINS,
         "stratified_split": WRONG_SPLITS, "standardize": WRONG_STDS}


@pytest.mark.parametrize("mistake", list(WRONG_SPLITS))
def test_wrong_splits_are_rejected_on_every_seed(mistake):
    fn, words = WRONG_SPLITS[mistake]
    assert_rejected("stratified_split", fn, words)


@pytest.mark.parametrize("mistake", list(WRONG_STDS))
def test_wrong_standardisations_are_rejected_on_every_seed(mistake):
    fn, words = WRONG_STDS[mistake]
    assert_rejected("standardize", fn, words)


def test_right_splits_and_standardisations_pass_on_every_seed():
    ns = solution("08_training_on_real_data")
    assert_accepted("stratified_split", split_floor)
    assert_accepted("stratified_split", ns["stratified_split"])
    assert_accepted("standardize", std_loop)
    assert_accepted("standardize", ns["standardize"])


def test_the_train_part_passes_at_the_mark_the_exercise_states():
    nb = json.loads((ROOT / "solutions" / "08_training_on_real_data.ipynb").read_text())
    text = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert PARTS["train"].min_accuracy == 0.95 and "It passes at **95 %** held-out accuracy" in text


# ----------------------------------------------------------------------------------------------
# 10: the gate's backward pass, derived

def _gate(g, u, v, *, no_su=False, no_tv=False, v2=False, swap=False, float32=False):
    s, t = 1 / (1 + np.exp(-u)), np.tanh(v)
    du = g * t * (1.0 if no_su else s * (1 - s))
    dv = g * s * (1.0 if no_tv else (1 - v * v if v2 else 1 - t * t))
    out = (dv, du) if swap else (du, dv)
    return tuple(o.astype(np.float32) for o in out) if float32 else out


def gate_autodiff_free(dC_da, u, v):
    """Correct, another way: σ′ from e^(−u), tanh′ from cosh."""
    e = np.exp(-u)
    return dC_da * np.tanh(v) * e / (1 + e) ** 2, dC_da / (1 + e) / np.cosh(v) ** 2


WRONG_GATES = {
    "no σ′(u)": (lambda *a: _gate(*a, no_su=True), ["Wrong: dC_du", "without σ′(u)"]),
    "no tanh′(v)": (lambda *a: _gate(*a, no_tv=True), ["Wrong: dC_dv", "without tanh′(v)"]),
    "1 − v²": (lambda *a: _gate(*a, v2=True), ["1 − v²"]),
    "swapped": (lambda *a: _gate(*a, swap=True), ["swapped"]),
}
WRONG["gate_backward"] = WRONG_GATES


@pytest.mark.parametrize("mistake", list(WRONG_GATES))
def test_wrong_gate_gradients_are_rejected_on_every_seed(mistake):
    fn, words = WRONG_GATES[mistake]
    assert_rejected("gate_backward", fn, words)


def test_right_gate_gradients_pass_on_every_seed():
    assert_accepted("gate_backward", gate_autodiff_free)
    assert_accepted("gate_backward", solution("10_vanishing_gradients_and_residual_networks")["gate_backward"])


# ----------------------------------------------------------------------------------------------
# 10: per-layer gradient norms, measured

def _dense(model):
    return [layer for layer in model.layers if isinstance(layer, nl.Dense)]


def _norms(model, loss, X, y, *, what="W", zero=True, order=1, update=False):
    if zero:
        model.zero_grad()
    loss.forward(model.forward(X), y)
    g, deltas = loss.backward(), []
    for layer in reversed(model.layers):
        if isinstance(layer, nl.Dense):
            deltas.insert(0, g)
        g = layer.backward(g)
    layers = _dense(model)
    if update:
        for layer in layers:
            layer.W.data -= 0.1 * layer.W.grad
    pick = {"W": lambda k, l: np.linalg.norm(l.W.grad), "b": lambda k, l: np.linalg.norm(l.b.grad),
            "data": lambda k, l: np.linalg.norm(l.W.data), "delta": lambda k, l: np.linalg.norm(deltas[k]),
            "Wb": lambda k, l: np.linalg.norm(np.concatenate([l.W.grad.ravel(), l.b.grad])),
            "max": lambda k, l: np.abs(l.W.grad).max(),
            "squared": lambda k, l: np.linalg.norm(l.W.grad) ** 2}[what]
    return np.array([pick(k, l) for k, l in enumerate(layers)])[::order]


def norms_by_hand(model, loss, X, y):
    """Correct, another way: the forward and backward pass written out in numpy from W.data (the
    nets of the check are Dense layers with sigmoid, tanh or ReLU between them), the Frobenius norm
    as √(Σ g²)."""
    acts = {nl.Sigmoid: (lambda z: 1 / (1 + np.exp(-z)), lambda a: a * (1 - a)),
            nl.Tanh: (np.tanh, lambda a: 1 - a * a), nl.ReLU: (lambda z: np.maximum(z, 0), lambda a: (a > 0) * 1.0)}
    a, inputs, outs = X, [], []
    for layer in model.layers:
        if isinstance(layer, nl.Dense):
            inputs.append(a)
            a = a @ layer.W.data.T + layer.b.data
        else:
            a = acts[type(layer)][0](a)
        outs.append(a)
    N = len(X)
    if isinstance(loss, nl.SoftmaxCrossEntropy):
        p = np.exp(a - a.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        g = (p - np.eye(a.shape[1])[y]) / N
    else:
        g = (a - y) / N  # C = (1/2N) Σ ‖a − y‖²
    norms = []
    for k in range(len(model.layers) - 1, -1, -1):
        layer = model.layers[k]
        if isinstance(layer, nl.Dense):
            norms.insert(0, np.sqrt(((g.T @ inputs.pop()) ** 2).sum()))
            g = g @ layer.W.data
        else:
            g = g * acts[type(layer)][1](outs[k])
    return norms


WRONG_NORMS = {
    "reversed": (lambda *a: _norms(*a, order=-1), ["reverse order"]),
    "squared": (lambda *a: _norms(*a, what="squared"), ["squared norms"]),
    "no zero_grad": (lambda *a: _norms(*a, zero=False), ["zero_grad"]),
    "‖W‖": (lambda *a: _norms(*a, what="data"), ["norms of the weights"]),
    "‖∂C/∂b‖": (lambda *a: _norms(*a, what="b"), ["bias gradients"]),
    "W and b together": (lambda *a: _norms(*a, what="Wb"), ["weight and bias gradients together"]),
    "‖δ‖": (lambda *a: _norms(*a, what="delta"), ["norms of δ^l"]),
    "first layer only": (lambda *a: _norms(*a)[:1], ["first layer's norm alone"]),
    "last layer only": (lambda *a: _norms(*a)[-1:], ["last layer's norm alone"]),
    "max-abs": (lambda *a: _norms(*a, what="max"), ["largest |∂C/∂w_jk|"]),
    "a dict": (lambda *a: {f"[{k}]": v for k, v in enumerate(_norms(*a).tolist())},
               ["return an array, one number per Dense layer, input side first"]),
    "nnlab's own": (lambda *a: list(nl.diagnostics.gradient_norms(*a).values()),
                    ["nl.diagnostics.gradient_norms"]),
    "an SGD step": (lambda *a: _norms(*a, update=True), ["modified its input model"]),
    "no backward pass": (lambda m, loss, X, y: [np.linalg.norm(l.W.grad) for l in _dense(m)],
                         ["the weights and the slopes σ′(z)"]),
}
WRONG["layer_gradient_norms"] = WRONG_NORMS


def test_wrong_gradient_norms_are_rejected_on_every_seed(monkeypatch):
    """All the wrong versions in one sweep: each seed's cases and expected norms are made once
    (naming the mistakes is left to the test below, on a few seeds)."""
    monkeypatch.setattr(PARTS["layer_gradient_norms"], "wrong", lambda case: [])
    passed = check_sweep("layer_gradient_norms", [fn for fn, _ in WRONG_NORMS.values()], SEEDS,
                         name_mistakes=False)
    assert not any(passed.values()), {m: seeds[:5] for m, seeds in zip(WRONG_NORMS, passed.values()) if seeds}


@pytest.mark.parametrize("mistake", list(WRONG_NORMS))
def test_wrong_gradient_norms_are_named(mistake):
    fn, words = WRONG_NORMS[mistake]
    assert_rejected("layer_gradient_norms", fn, words, seeds=range(3))


def test_right_gradient_norms_pass_on_every_seed():
    assert_accepted("layer_gradient_norms", norms_by_hand)
    assert_accepted("layer_gradient_norms", _norms)
    assert_accepted("layer_gradient_norms",
                    solution("10_vanishing_gradients_and_residual_networks")["layer_gradient_norms"])


def test_the_vanishing_case_is_judged_relatively():
    part = PARTS["layer_gradient_norms"]
    case = [c for c in part.cases(np.random.default_rng(0)) if "vanish" in c.label][0]
    norms = part.expected(case)
    assert norms[0] / norms[-1] < 1e-4 and part.atol == 0.0
    off = norms * (1 + np.r_[1e-5, np.zeros(len(norms) - 1)])  # the first layer off by 1e-5 relative
    got = (off, [(np.array(s[1]), np.array(s[2])) for s in case.args[0].params["layers"] if s[0] == "dense"], [])
    assert "Dense layer 1 of" in "\n".join(part.judge(case, got))
