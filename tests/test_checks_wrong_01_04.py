"""Wrong code of exercises 01, 02 and 04 that the checks once accepted is rejected on every seed
the grader could draw (hidden cases included), with a message that names what is wrong; right
code written another way still passes on every seed.

- softmax, cross-entropy and its gradient: shifting by the row minimum or mean, the log of a
  stable softmax, a clip or an ε inside the log — caught by rows whose scores are 1000 apart;
- ELU with max(z, α (e^z − 1)), right only for α ≤ 1 — caught by α > 1;
- train_perceptron without lr, skipping the last example, with a z ≥ 0 or ±1-label step, or with
  a step that changes w_ext in place;
- a sigmoid that cancels to 0 for z < −37 — caught by judging tiny values relatively;
- messages: a stable whole-array softmax, a bias column of the wrong length, a neuron that sums
  over the whole batch.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from check_tools import SEEDS, assert_accepted, assert_rejected, solution, verdict  # noqa: E402

from nnlab.checks import PARTS, run_check  # noqa: E402
from nnlab.checks._core import call_learner, judge_outcome  # noqa: E402



# ----------------------------------------------------------------------------------------------
# 02 softmax, 04 cross-entropy and its gradient: scores 1000 apart within a row

def softmax_by(z, shift):
    e = np.exp(z - shift(z, axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def stable_softmax(z):
    return softmax_by(z, np.max)


def ce_of(log_s_y):
    """The cross-entropy from a function log_s_y(z, y) → (N,)."""
    return lambda z, y: float(-np.mean(log_s_y(z, y)))


def picked(s, y):
    return s[np.arange(len(y)), y]


def lse_by(shift):
    def log_s_y(z, y):
        m = shift(z, axis=1, keepdims=True)
        return picked(z, y) - (m + np.log(np.exp(z - m).sum(axis=1, keepdims=True)))[:, 0]
    return log_s_y


def grad_by(shift):
    def grad(z, y):
        d = softmax_by(z, shift)
        d[np.arange(len(y)), y] -= 1.0
        return d / len(y)
    return grad


WRONG = {
    "softmax, shifted by the row minimum": ("softmax", lambda z: softmax_by(z, np.min), ["row MINIMUM"]),
    "softmax, shifted by the row mean": ("softmax", lambda z: softmax_by(z, np.mean), ["row MEAN"]),
    "softmax, a stable shift, the whole array's sum": (
        "softmax", lambda z: (lambda e: e / e.sum())(np.exp(z - z.max(axis=-1, keepdims=True))),
        ["e^(z − row max) divided by the sum over the WHOLE array"]),
    "softmax, the global max, the whole array's sum": (
        "softmax", lambda z: (lambda e: e / e.sum())(np.exp(z - z.max())), ["over the WHOLE array"]),
    "cross-entropy, the log of a stable softmax": (
        "softmax_cross_entropy", ce_of(lambda z, y: np.log(picked(stable_softmax(z), y))),
        ["the log of the softmax underflows to log 0", "use log-sum-exp"]),
    "cross-entropy, log-sum-exp shifted by the row minimum": (
        "softmax_cross_entropy", ce_of(lse_by(np.min)), ["row MINIMUM"]),
    "cross-entropy, log-sum-exp shifted by the row mean": (
        "softmax_cross_entropy", ce_of(lse_by(np.mean)), ["row MEAN"]),
    "cross-entropy, a clip at 1e-12": (
        "softmax_cross_entropy", ce_of(lambda z, y: np.log(np.clip(picked(stable_softmax(z), y), 1e-12, 1))),
        ["a clip/epsilon inside the log changes the loss", "1e-12"]),
    "cross-entropy, + 1e-15 inside the log": (
        "softmax_cross_entropy", ce_of(lambda z, y: np.log(picked(stable_softmax(z), y) + 1e-15)),
        ["a clip/epsilon inside the log changes the loss", "1e-15"]),
    "cross-entropy, + 1e-8 inside the log": (
        "softmax_cross_entropy", ce_of(lambda z, y: np.log(picked(stable_softmax(z), y) + 1e-8)),
        ["a clip/epsilon inside the log changes the loss"]),
    "cross-entropy gradient, softmax shifted by the row minimum": (
        "softmax_cross_entropy_grad", grad_by(np.min), ["row MINIMUM"]),
    "cross-entropy gradient, softmax shifted by the row mean": (
        "softmax_cross_entropy_grad", grad_by(np.mean), ["row MEAN"]),
}


# ----------------------------------------------------------------------------------------------
# 02 ELU with α > 1

WRONG["elu, max(z, α (e^z − 1))"] = (
    "elu", lambda z, a: np.maximum(z, a * np.expm1(np.minimum(z, 0))), ["only for α ≤ 1"])


# ----------------------------------------------------------------------------------------------
# 01 sigmoid: tiny values judged relatively

def sigmoid_cancelling(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), 1 - 1 / (1 + e))


WRONG["sigmoid, 1 − σ(|z|) for negative z"] = ("sigmoid", sigmoid_cancelling, ["cancels to 0"])
WRONG["sigmoid, (1 + tanh(z/2))/2"] = ("sigmoid", lambda z: 0.5 * (1 + np.tanh(0.5 * z)), ["cancels to 0"])


# ----------------------------------------------------------------------------------------------
# 01 the neuron: messages

def sig(z):
    return 1 / (1 + np.exp(-np.clip(z, -700, 700)))


WRONG["neuron_forward, summed over the whole batch"] = (
    "neuron_forward", lambda w, b, a: sig(np.sum(a * w) + b),
    ["sum over the WHOLE batch", "one output per example"])
WRONG["neuron_forward_bias_trick, a column of n ones"] = (
    "neuron_forward_bias_trick",
    lambda w, a: sig(np.concatenate([a, np.ones((a.shape[1], 1))], axis=1) @ w),
    ["column of N ones", "a.shape[0]"])


# ----------------------------------------------------------------------------------------------
# 01 train_perceptron

def step(w_ext, x, y, lr, *, bias_lr=True, ge=False):
    x_ext = np.append(x, 1.0)
    z = x_ext @ w_ext
    y_hat = float(z >= 0) if ge else float(z > 0)
    change = lr * (y - y_hat) * x_ext
    if not bias_lr:
        change[-1] = y - y_hat
    return w_ext + change


def step_in_place(w_ext, x, y, lr):
    x_ext = np.append(x, 1.0)
    w_ext += lr * (y - float(x_ext @ w_ext > 0)) * x_ext
    return w_ext


def step_plus_minus(w_ext, x, y, lr):
    """The classic rule on labels ±1: a mistake when y z ≤ 0."""
    x_ext = np.append(x, 1.0)
    return w_ext + lr * y * x_ext if y * (x_ext @ w_ext) <= 0 else w_ext


def train(X, y, lr, epochs, *, step=step, lr_given=None, skip_last=False, labels=lambda y: y):
    """The in-order loop with the solution's early exit; the keywords put one mistake in."""
    w = np.zeros(X.shape[1] + 1)
    for _ in range(epochs):
        mistakes = 0
        for i in range(len(X) - 1 if skip_last else len(X)):
            w_new = step(w, X[i], labels(y)[i], lr if lr_given is None else lr_given)
            mistakes += int(not np.array_equal(w_new, w))
            w = w_new
        if mistakes == 0:
            break
    return w


WRONG_TRAINS = {
    "a step called with lr 1.0": (lambda X, y, lr, e: train(X, y, lr, e, lr_given=1.0),
                                  ["ignore the learning rate", "divided by lr"]),
    "the bias moved without lr": (lambda X, y, lr, e: train(X, y, lr, e,
                                                            step=lambda *a: step(*a, bias_lr=False)),
                                  ["bias without the learning rate"]),
    "the last example skipped": (lambda X, y, lr, e: train(X, y, lr, e, skip_last=True),
                                 ["skip the LAST example"]),
    "a step with z >= 0": (lambda X, y, lr, e: train(X, y, lr, e, step=lambda *a: step(*a, ge=True)),
                           ["z ≥ 0"]),
    "the classic rule on ±1 labels": (lambda X, y, lr, e: train(X, y, lr, e, step=step_plus_minus,
                                                                labels=lambda y: 2 * y - 1),
                                      ["labels −1/+1", "z ≥ 0"]),
    "the step given ±1 labels": (lambda X, y, lr, e: train(X, y, lr, e, labels=lambda y: 2 * y - 1),
                                 ["labels −1/+1"]),
    "a step that changes w_ext in place": (lambda X, y, lr, e: train(X, y, lr, e, step=step_in_place),
                                           ["after 1 epoch", "in place"]),
}
for mistake, (fn, words) in WRONG_TRAINS.items():
    WRONG[f"train_perceptron, {mistake}"] = ("train_perceptron", fn, words)

#: never converge on a separable set (300 epochs each): swept on the sets no line separates
NEVER_CONVERGE = {"train_perceptron, the step given ±1 labels"}


@pytest.mark.parametrize("mistake", list(WRONG))
def test_wrong_code_is_rejected_on_every_seed_and_named(mistake):
    name, fn, words = WRONG[mistake]
    only = (lambda case: not case.extra["separable"]) if mistake in NEVER_CONVERGE else None
    assert_rejected(name, fn, words, only=only)


NOTEBOOK = {"train_perceptron, a step with z >= 0": "z ≥ 0",
            "train_perceptron, the classic rule on ±1 labels": "labels −1/+1",
            "train_perceptron, a step that changes w_ext in place": "in place",
            "train_perceptron, a step called with lr 1.0": "ignore the learning rate",
            "train_perceptron, the last example skipped": "skip the LAST example",
            "softmax, shifted by the row minimum": "row MINIMUM",
            "softmax, shifted by the row mean": "row MEAN",
            "cross-entropy, the log of a stable softmax": "underflows to log 0",
            "cross-entropy, log-sum-exp shifted by the row minimum": "row MINIMUM",
            "cross-entropy, a clip at 1e-12": "clip/epsilon",
            "elu, max(z, α (e^z − 1))": "only for α ≤ 1",
            "sigmoid, 1 − σ(|z|) for negative z": "cancels to 0"}


@pytest.mark.parametrize("mistake", list(NOTEBOOK))
def test_the_notebook_check_already_names_it(mistake, capsys):
    """The public cases alone (the notebook's check) reject these and name them."""
    name, fn, _ = WRONG[mistake]
    result = run_check(PARTS[name], fn)
    assert not result.passed and NOTEBOOK[mistake] in result.message, result.message


def test_a_scalar_neuron_output_is_not_told_about_keepdims():
    name, fn, _ = WRONG["neuron_forward, summed over the whole batch"]
    message = verdict(name, fn, 0).message
    assert "keepdims" not in message and "a single number" in message, message


# ----------------------------------------------------------------------------------------------
# right code passes on every seed

def sigmoid_where(z):
    """Stable: e^z / (1 + e^z) for z < 0, computed with np.where on clipped exponents."""
    e_neg = np.exp(-np.maximum(z, 0))
    e_pos = np.exp(np.minimum(z, 0))
    return np.where(z >= 0, 1 / (1 + e_neg), e_pos / (1 + e_pos))


def ce_logaddexp(z, y):
    """log Σ e^z by folding np.logaddexp over the classes: no max, no overflow."""
    lse = np.logaddexp.reduce(z, axis=1)
    return float(np.mean(lse - picked(z, y)))


def ce_grad_from_log_softmax(z, y):
    m = z.max(axis=1, keepdims=True)
    log_s = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))
    d = np.exp(log_s)
    d[np.arange(len(y)), y] -= 1.0
    return d / len(y)


def elu_branches(z, alpha):
    out = np.array(z, dtype=np.float64)
    negative = z <= 0
    out[negative] = alpha * (np.exp(z[negative]) - 1)
    return out


def sigmoid_clipped(z):
    """z clipped where e^(−z) would overflow: σ(−1000) ≈ 5e-309 instead of 0, an absolute nothing."""
    limit = np.log(np.finfo(float).max)
    return 1 / (1 + np.exp(-np.clip(z, -limit, limit)))


RIGHT = {
    "sigmoid": [sigmoid_where, lambda z: np.exp(-np.logaddexp(0, -z)), sigmoid_clipped,
                lambda z: 1 / (1 + np.exp(-np.clip(z, -500, 500)))],
    "softmax": [stable_softmax, lambda z: np.exp(z - np.logaddexp.reduce(z, axis=-1, keepdims=True))],
    "softmax_cross_entropy": [ce_logaddexp, ce_of(lse_by(np.max))],
    "softmax_cross_entropy_grad": [grad_by(np.max), ce_grad_from_log_softmax],
    "elu": [elu_branches],
    "neuron_forward": [lambda w, b, a: sigmoid_where(a @ w + b)],
    "neuron_forward_bias_trick": [lambda w, a: sigmoid_where(np.hstack([a, np.ones((len(a), 1))]) @ w)],
    "train_perceptron": [train],
}
SOLUTIONS = {"sigmoid": "01_the_neuron", "neuron_forward": "01_the_neuron",
             "neuron_forward_bias_trick": "01_the_neuron", "train_perceptron": "01_the_neuron",
             "elu": "02_activations", "softmax": "02_activations",
             "softmax_cross_entropy": "04_loss_functions", "softmax_cross_entropy_grad": "04_loss_functions"}


@pytest.mark.parametrize("name,index", [(n, i) for n, fns in RIGHT.items() for i in range(len(fns))])
def test_right_code_passes_on_every_seed(name, index):
    assert_accepted(name, RIGHT[name][index])


@pytest.mark.parametrize("name", list(SOLUTIONS))
def test_the_solutions_pass_on_every_seed(name):
    assert_accepted(name, solution(SOLUTIONS[name])[name])
