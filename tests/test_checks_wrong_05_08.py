"""Wrong code that the checks of chapters 05–08 used to accept is rejected on every seed the grader
could draw (its view: public and hidden cases), with a message that names what is wrong; correct
alternatives still pass on every seed.

- 05 sgd_step that changes grad in place; largest_stable_lr with a coarse or capped search, an
  absolute tolerance, or too few steps per run;
- 06 minibatches that shuffle only the full batches, or draw a permutation per batch; adam_step
  that ignores eps;
- 07 numeric_gradient that ignores h; output_delta and hidden_delta with a clipped z;
  two_layer_backward with a one-hot of y.max() + 1 columns; scaled_softplus_backward that
  recovers ∂C/∂s from the output;
- 08 stratified_split that takes the test set from the end; standardize with an ε for σ = 0;
  accuracy rounded, or averaged along an axis that is not there.

The measurement largest_stable_lr sweeps 40 seeds (its experiments are written in closed form, as
in test_checks_derive.py), the other parts 200.
"""

from __future__ import annotations

import numpy as np
import pytest

import nnlab as nl
from nnlab.checks import PARTS, run_check

from check_tools import SEEDS, assert_accepted, assert_rejected, solution, verdict
from test_checks import _forward_difference
from test_checks_derive import _eigen, _log_norm

SLOW_SEEDS = range(40)
sig = nl.activations.sigmoid


# ----------------------------------------------------------------------------------------------
# 05 · sgd_step, largest_stable_lr

def sgd_scaling_grad_in_place(w, grad, lr):
    grad *= lr
    return w - grad


def search(grad_fn, w0, n=400, rounds=40, start=1e-4, cap=None, bracket=None, abs_tol=None,
           rel_tol=None):
    """Doubling from `start` until a run of n steps is unstable (‖∇C‖ not below its start), then
    bisection: `rounds` times, or to an absolute or relative width. Runs in closed form."""
    lam, g0 = _eigen(grad_fn, w0)
    start_size = np.log(np.linalg.norm(g0))

    def stable(lr):
        return _log_norm(lr, lam, g0, n) < start_size

    if bracket:
        low, high = bracket
    else:
        low, high, doublings = 0.0, start, 0
        while stable(high) and (cap is None or doublings < cap):
            low, high, doublings = high, 2 * high, doublings + 1
    if abs_tol or rel_tol:
        while high - low > (abs_tol or rel_tol * low):
            middle = (low + high) / 2
            low, high = (middle, high) if stable(middle) else (low, middle)
        return low
    for _ in range(rounds):
        middle = (low + high) / 2
        low, high = (middle, high) if stable(middle) else (low, middle)
    return low


def search_by_running(grad_fn, w0, n=400, rounds=30):
    """The same experiment with real runs of gradient descent, stopped once the gradient is huge."""
    w0 = np.array(w0, dtype=float)
    start = np.linalg.norm(grad_fn(w0))

    def stable(lr):
        w = w0
        for _ in range(n):
            w = w - lr * grad_fn(w)
            size = np.linalg.norm(grad_fn(w))
            if size > 1e6 * start:
                return False
        return size < start

    low, high = 0.0, 1e-4
    while stable(high):
        low, high = high, 2 * high
    for _ in range(rounds):
        middle = (low + high) / 2
        low, high = (middle, high) if stable(middle) else (low, middle)
    return low


WRONG_STABLE = {
    "5 rounds of bisection": (lambda f, w0: search(f, w0, rounds=5), ["Too low, but close", "few rounds",
                                                                      "a point of your doubling"]),
    "an absolute tolerance": (lambda f, w0: search(f, w0, abs_tol=1e-3), ["absolute width"]),
    "a fixed bracket [0, 100]": (lambda f, w0: search(f, w0, bracket=(0.0, 100.0)),
                                 ["exactly 100", "stopped at its upper end"]),
    "20 doublings at most": (lambda f, w0: search(f, w0, cap=20),
                             ["10^-4 · 2^20 = 104.858", "stopped at its upper end"]),
    "50 steps per run": (lambda f, w0: search(f, w0, n=50), ["Too high", "stopped too early"]),
    "100 steps per run": (lambda f, w0: search(f, w0, n=100), ["Too high", "stopped too early"]),
}


def test_sgd_step_changing_grad_is_told_so():
    assert_rejected("sgd_step", sgd_scaling_grad_in_place, ["modified its input grad", "grad *="])


@pytest.mark.parametrize("mistake", list(WRONG_STABLE))
def test_wrong_stable_rate_searches_are_rejected_on_every_seed(mistake):
    fn, words = WRONG_STABLE[mistake]
    assert_rejected("largest_stable_lr", fn, words, SLOW_SEEDS)


def test_a_close_miss_is_not_blamed_on_the_norm_of_w():
    for seed in range(3):
        message = verdict("largest_stable_lr", WRONG_STABLE["an absolute tolerance"][0], seed).message
        assert "not by ‖w‖" not in message, message


def test_real_runs_of_the_wrong_searches_are_rejected_too():
    for seed in range(2):
        assert not verdict("largest_stable_lr", lambda f, w0: search_by_running(f, w0, rounds=5), seed).passed
        assert not verdict("largest_stable_lr", lambda f, w0: search_by_running(f, w0, n=100), seed).passed


def test_right_stable_rate_searches_pass_on_every_seed():
    assert_accepted("largest_stable_lr", lambda f, w0: search(f, w0, rel_tol=1e-3), SLOW_SEEDS)
    assert_accepted("largest_stable_lr", lambda f, w0: search(f, w0, n=300, start=1e-6), SLOW_SEEDS)
    assert_accepted("largest_stable_lr", search_by_running, range(3))
    assert_accepted("largest_stable_lr", solution("05_gradient_descent")["largest_stable_lr"], range(3))


# ----------------------------------------------------------------------------------------------
# 06 · minibatches, adam_step

def batches_shuffling_full_batches_only(X, y, batch_size, rng):
    N = len(X)
    full = N - N % batch_size
    order = rng.permutation(full)
    batches = [(X[order[s:s + batch_size]], y[order[s:s + batch_size]]) for s in range(0, full, batch_size)]
    if full < N:
        batches.append((X[full:], y[full:]))
    return batches


def batches_permutation_per_batch(X, y, batch_size, rng):
    batches = []
    for s in range(0, len(X), batch_size):
        idx = rng.permutation(len(X))[:min(batch_size, len(X) - s)]
        batches.append((X[idx], y[idx]))
    return batches


def batches_generator(X, y, batch_size, rng):
    order = rng.permutation(len(X))
    for s in range(0, len(X), batch_size):
        yield X[order[s:s + batch_size]], y[order[s:s + batch_size]]


def batches_array_split(X, y, batch_size, rng):
    order = rng.permutation(len(X))
    return [(X[i], y[i]) for i in np.array_split(order, range(batch_size, len(X), batch_size))]


def adam_fixed_eps(w, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    return w - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + 1e-8), m, v


def adam_efficient(w, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    lr_t = lr * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
    return w - lr_t * m / (np.sqrt(v) + eps * np.sqrt(1 - beta2 ** t)), m, v


def test_minibatches_that_shuffle_only_the_full_batches_are_rejected():
    assert_rejected("minibatches", batches_shuffling_full_batches_only,
                    ["the last batch held", "only the full batches were shuffled"])


def test_a_permutation_per_batch_is_named():
    assert_rejected("minibatches", batches_permutation_per_batch,
                    ["exactly once", "a NEW permutation", "one permutation of the N examples per epoch"])


def test_right_minibatches_pass_on_every_seed():
    ns = solution("06_minibatches_and_optimizers")
    for fn in (ns["minibatches"], batches_generator, batches_array_split):
        assert_accepted("minibatches", fn)


def test_adam_ignoring_eps_is_rejected():
    assert_rejected("adam_step", adam_fixed_eps, ["the eps argument is ignored"])
    assert not run_check(PARTS["adam_step"], adam_fixed_eps).passed  # the notebook sees it too


def test_right_adam_passes_on_every_seed():
    assert_accepted("adam_step", solution("06_minibatches_and_optimizers")["adam_step"])
    assert_accepted("adam_step", adam_efficient)


# ----------------------------------------------------------------------------------------------
# 07 · numeric_gradient, output_delta, hidden_delta, two_layer_backward, scaled_softplus_backward

def gradient_own_step(f, x, h, step=1e-5):
    grad = np.zeros_like(x, dtype=float)
    for i in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[i] += step
        minus[i] -= step
        grad[i] = (f(plus) - f(minus)) / (2 * step)
    return grad


def gradient_vectorised(f, x, h):
    steps = np.eye(x.size).reshape(x.size, *x.shape) * h
    return np.array([(f(x + e) - f(x - e)) / (2 * h) for e in steps]).reshape(x.shape)


def clipped_sigmoid(z, bound):
    return sig(np.clip(z, -bound, bound))


def output_delta_clipped(z_L, y, bound=6.0):
    a = clipped_sigmoid(z_L, bound)
    return (a - y) / len(z_L) * a * (1 - a)


def hidden_delta_clipped(delta_next, W_next, z, bound=6.0):
    a = clipped_sigmoid(z, bound)
    return delta_next @ W_next * a * (1 - a)


def two_layer_onehot_of_max(X, y, W1, b1, W2, b2):
    N = len(X)
    z1 = X @ W1.T + b1
    a1 = sig(z1)
    delta2 = (nl.activations.softmax(a1 @ W2.T + b2) - np.eye(y.max() + 1)[y]) / N
    delta1 = delta2 @ W2 * nl.activations.sigmoid_prime(z1)
    return delta1.T @ X, delta1.sum(axis=0), delta2.T @ a1, delta2.sum(axis=0)


def softplus_ds_from_output(g, z, s, guard=None):
    a = s * np.logaddexp(0.0, z)
    dC_dz = g * s * sig(z)
    if guard == "if":
        return dC_dz, 0.0 if s == 0 else float(np.sum(g * a) / s)
    if guard == "nan_to_num":
        with np.errstate(invalid="ignore", divide="ignore"):
            return dC_dz, float(np.sum(g * np.nan_to_num(a / s)))
    return dC_dz, float(np.sum(g * a) / s)


WRONG_07 = {
    "numeric_gradient": {
        "h ignored (1e-5)": (gradient_own_step, ["the h you are given is ignored"]),
        "h ignored (1e-4)": (lambda f, x, h: gradient_own_step(f, x, h, 1e-4), ["the h you are given is ignored"]),
        "forward differences": (_forward_difference, ["forward differences"]),
    },
    "output_delta": {f"z clipped to ±{b}": (lambda z, y, b=b: output_delta_clipped(z, y, b),
                                            ["does not keep shrinking", "np.clip"])
                     for b in (5.0, 6.0, 10.0)},
    "hidden_delta": {f"z clipped to ±{b}": (lambda d, W, z, b=b: hidden_delta_clipped(d, W, z, b),
                                            ["does not keep shrinking", "np.clip"])
                     for b in (5.0, 6.0, 10.0)},
    "two_layer_backward": {
        "one-hot of y.max() + 1 columns": (two_layer_onehot_of_max, ["none of them of class 3",
                                                                     "one per row of W2"]),
    },
    "scaled_softplus_backward": {
        "Σ g·a / s": (softplus_ds_from_output, ["recovered from the output", "0/0 = nan"]),
        "Σ g·a / s, 0 at s = 0": (lambda g, z, s: softplus_ds_from_output(g, z, s, "if"),
                                  ["recovered from the output"]),
        "nan_to_num(a / s)": (lambda g, z, s: softplus_ds_from_output(g, z, s, "nan_to_num"),
                              ["recovered from the output"]),
    },
}
def test_right_numeric_gradients_pass_on_every_seed():
    assert_accepted("numeric_gradient", solution("07_backpropagation")["numeric_gradient"])
    assert_accepted("numeric_gradient", gradient_vectorised)


def test_right_backprop_pieces_pass_on_every_seed():
    ns = solution("07_backpropagation")
    for name in ("output_delta", "hidden_delta", "two_layer_backward", "scaled_softplus_backward"):
        assert_accepted(name, ns[name], range(60))


# ----------------------------------------------------------------------------------------------
# 08 · stratified_split, standardize, accuracy

def split_test_from_the_end(X, y, test_fraction, rng):
    train, test = [], []
    for k in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == k))
        n = int(round(test_fraction * len(idx)))
        test.append(idx[-n:])
        train.append(idx[:-n])
    train, test = np.concatenate(train), np.concatenate(test)
    return X[train], y[train], X[test], y[test]


def split_unrounded(X, y, test_fraction, rng):
    train, test = [], []
    for k in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == k))
        n = test_fraction * len(idx)
        test.append(idx[:n])
        train.append(idx[n:])
    train, test = np.concatenate(train), np.concatenate(test)
    return X[train], y[train], X[test], y[test]


def split_int(X, y, test_fraction, rng):
    """Correct, another way: int() for the count, the classes in one shuffled index array."""
    order = rng.permutation(len(y))
    test = np.concatenate([order[y[order] == k][:int(test_fraction * np.sum(y == k))] for k in np.unique(y)])
    train = np.setdiff1d(order, test)
    return X[train], y[train], X[test], y[test]


def _std_with(X_train, X_test, fix):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    with np.errstate(all="ignore"):
        if fix == "plus eps":
            return (X_train - mean) / (std + 1e-8), (X_test - mean) / (std + 1e-8)
        if fix == "max eps":
            return (X_train - mean) / np.maximum(std, 1e-8), (X_test - mean) / np.maximum(std, 1e-8)
        if fix == "nan_to_num":
            return np.nan_to_num((X_train - mean) / std), np.nan_to_num((X_test - mean) / std)
        if fix == "after the test set":
            X_test_s = (X_test - mean) / std
            std = np.where(std == 0, 1.0, std)
            return (X_train - mean) / std, X_test_s
        if fix == "zeroed":
            return (np.where(std == 0, 0.0, (X_train - mean) / std),
                    np.where(std == 0, 0.0, (X_test - mean) / std))
    raise ValueError(fix)


WRONG_08 = {
    "stratified_split": {
        "the test set from the end": (split_test_from_the_end, ["All of class", "WHOLE array when n = 0"]),
        "an unrounded count": (split_unrounded, ["TypeError", "must be an int", "round it"]),
    },
    "standardize": {
        "σ + 1e-8": (lambda a, b: _std_with(a, b, "plus eps"), ["an ε in the denominator blows up"]),
        "max(σ, 1e-8)": (lambda a, b: _std_with(a, b, "max eps"), ["an ε in the denominator blows up"]),
        "nan_to_num": (lambda a, b: _std_with(a, b, "nan_to_num"), ["an ε in the denominator blows up"]),
        "σ fixed after the test set": (lambda a, b: _std_with(a, b, "after the test set"),
                                       ["divided by σ = 0", "before standardising either set"]),
        "constant features zeroed": (lambda a, b: _std_with(a, b, "zeroed"), ["set to 0"]),
    },
    "accuracy": {
        "rounded to 2 decimals": (lambda s, y: round(float(np.mean(s.argmax(axis=1) == y)), 2),
                                  ["rounded to 2 decimals"]),
        "a mean along axis 1": (lambda s, y: float(np.mean(s.argmax(axis=1) == y, axis=1)),
                                ["AxisError", "needs no axis"]),
    },
}
WRONG_07_08 = {**WRONG_07, **WRONG_08}
CASES_07_08 = [(name, mistake) for name, wrongs in WRONG_07_08.items() for mistake in wrongs]


@pytest.mark.parametrize("name,mistake", CASES_07_08, ids=[f"{n}-{m}" for n, m in CASES_07_08])
def test_wrong_backprop_pieces_and_data_handling_are_rejected_on_every_seed(name, mistake):
    fn, words = WRONG_07_08[name][mistake]
    assert_rejected(name, fn, words)


def test_the_notebook_check_sees_an_epsilon_for_sigma_zero():
    result = run_check(PARTS["standardize"], WRONG_08["standardize"]["σ + 1e-8"][0])
    assert not result.passed and "constant in X_train" in result.message


def test_right_data_handling_passes_on_every_seed():
    ns = solution("08_training_on_real_data")
    assert_accepted("stratified_split", ns["stratified_split"])
    assert_accepted("stratified_split", split_int)
    assert_accepted("standardize", ns["standardize"])
    assert_accepted("accuracy", ns["accuracy"])
    assert_accepted("accuracy", lambda s, y: sum(int(np.argmax(r) == t) for r, t in zip(s, y)) / len(y))
