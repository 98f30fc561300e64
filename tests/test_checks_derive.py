"""The parts of exercises 04, 05 and 07 that make the learner think never pass wrong code and say
what is wrong:

- 04 hinge_loss_grad (derive-it: the gradient of the multiclass hinge loss with a margin);
- 05 largest_stable_lr (measure-it: the learner's experiment finds the largest stable learning
  rate of a quadratic bowl, judged against 2/λ_max);
- 07 output_delta (BP1), hidden_delta (BP2) and scaled_softplus_backward (derive-it: the backward
  pass of a = s · softplus(z), ∂C/∂z and ∂C/∂s).

Every known-wrong implementation below is rejected on EVERY one of 200 seeds (the grader's view:
hidden cases included), and the notebook's own check names the mistake (or, for the
measurement, what the number depends on). Correct alternatives (loops, other stable formulas,
another experiment) pass on every seed; the references agree with central differences.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import nnlab as nl
from nnlab.checks import PARTS
from nnlab.checks import _core
from nnlab.checks._core import seed_of
from nnlab.checks.losses import hinge_loss
from nnlab.gradcheck import numeric_grad

from check_tools import solution, sweep, verdict

ROOT = Path(__file__).resolve().parent.parent
SEEDS = range(200)
NAMES = ["hinge_loss_grad", "largest_stable_lr", "output_delta", "hidden_delta", "scaled_softplus_backward"]
NOTEBOOK = {"hinge_loss_grad": "04_loss_functions", "largest_stable_lr": "05_gradient_descent",
            "output_delta": "07_backpropagation", "hidden_delta": "07_backpropagation",
            "scaled_softplus_backward": "07_backpropagation", "two_layer_backward": "07_backpropagation"}
sig, sig_prime = nl.activations.sigmoid, nl.activations.sigmoid_prime




# ----------------------------------------------------------------------------------------------
# 04 · hinge_loss_grad

def hinge_loop(z, y, margin):
    N, K = z.shape
    grad = np.zeros((N, K))
    for i in range(N):
        for j in range(K):
            if j != y[i] and z[i, j] - z[i, y[i]] + margin > 0:
                grad[i, j] += 1.0 / N
                grad[i, y[i]] -= 1.0 / N
    return grad


def hinge_masked(z, y, margin):
    """With the term j = y in the mask (its slope +1 and −1 cancel on the true class)."""
    N = len(z)
    onehot = np.eye(z.shape[1])[y]
    active = (z - (z * onehot).sum(1, keepdims=True) + margin > 0).astype(float)
    return (active - onehot * active.sum(1, keepdims=True)) / N


def _hinge(z, y, m, true="count", scale=True, with_y=False, sign=1.0, all_classes=False,
           by_classes=False, in_place=False):
    N, K = z.shape
    rows = np.arange(N)
    gaps = z - z[rows, y][:, None] + sign * m
    act = np.ones((N, K)) if all_classes else (gaps > 0).astype(float)
    if not with_y:
        act[rows, y] = 0
    count = act.sum(1)
    g = act.copy()
    g[rows, y] = {"count": -count, "none": 0.0 if not with_y else 1.0, "one": -(count > 0).astype(float),
                  "plus": count}[true]
    if in_place:
        z -= z  # "reuses" z for the result
        z += g
        g = z
    return g / (N * K if by_classes else N) if scale else g


WRONG_HINGE = [
    (lambda z, y, m: _hinge(z, y, m, true="none"), "0 on the true class"),
    (lambda z, y, m: _hinge(z, y, m, true="one"), "count them"),
    (lambda z, y, m: _hinge(z, y, m, true="plus"), "+count/N"),
    (lambda z, y, m: _hinge(z, y, m, scale=False), "the 1/N is missing"),
    (lambda z, y, m: _hinge(z, y, m, with_y=True), "counts the term j = y"),
    (lambda z, y, m: _hinge(z, y, m, sign=-1.0), "margin's sign is flipped"),
    (lambda z, y, m: _hinge(z, y, m, all_classes=True), "active or not"),
    (lambda z, y, m: -_hinge(z, y, m), "sign flipped"),
    (lambda z, y, m: _hinge(z, y, m, by_classes=True), 'nl.checks.hint("hinge_loss_grad")'),
    (lambda z, y, m: _hinge(z, y, m, in_place=True), "modified its input z"),
    (lambda z, y, m: _hinge(z, y, m).tolist(), "a Python list"),
    (lambda z, y, m: _hinge(z, y, m).astype(np.float32) * np.float32(1 + 1e-5), "float32"),
]


def test_hinge_reference_agrees_with_central_differences_away_from_the_kinks():
    part = PARTS["hinge_loss_grad"]
    for seed in range(100):
        for case in part.cases(np.random.default_rng(seed)):
            z, y, margin = (np.array(a) if isinstance(a, np.ndarray) else a for a in case.args)
            gaps = z - z[np.arange(len(z)), y][:, None] + margin
            gaps[np.arange(len(z)), y] = 1.0
            assert np.abs(gaps).min() >= 0.05 - 1e-12, (seed, case.label)  # away from every kink
            numeric = numeric_grad(lambda: hinge_loss(z, y, margin), z, h=1e-6)
            np.testing.assert_allclose(part.expected(case), numeric, rtol=1e-6, atol=1e-8)


# ----------------------------------------------------------------------------------------------
# 05 · largest_stable_lr: experiments, in closed form where they are only a sweep of numbers

def _eigen(grad_fn, w0):
    """λ_i of the bowl and the gradient at w0 in its eigenbasis, probed through grad_fn alone."""
    d = len(w0)
    at0 = grad_fn(np.zeros(d))
    A = np.column_stack([grad_fn(e) - at0 for e in np.eye(d)])
    lam, Q = np.linalg.eigh((A + A.T) / 2)
    return lam, Q.T @ grad_fn(np.asarray(w0, dtype=float))


def _log_norm(lr, lam, g0, n):
    """log ‖∇C(w_n)‖ after n steps at rate lr: each component is multiplied by (1 − ηλ_i) per step."""
    f = np.abs(1 - lr * lam)
    logs = 2 * (n * np.log(np.maximum(f, 1e-300)) + np.log(np.abs(g0) + 1e-300))
    top = logs.max()
    return 0.5 * (top + np.log(np.exp(logs - top).sum()))


def _bisect(stable, low=0.0, high=1e-4, rounds=40):
    while stable(high):
        low, high = high, 2 * high
        if high > 1e9:
            return high
    for _ in range(rounds):
        middle = (low + high) / 2
        low, high = (middle, high) if stable(middle) else (low, middle)
    return low


def stable_lr(grad_fn, w0, rule="right", n=400, grid=None, doubling_only=False):
    lam, g0 = _eigen(grad_fn, w0)
    start = np.log(np.linalg.norm(g0))

    def stable(lr):
        if rule == "right":
            return _log_norm(lr, lam, g0, n) < start
        if rule == "strict":  # converged to 1e-8 of the start within n steps
            return _log_norm(lr, lam, g0, n) < start + np.log(1e-8)
        if rule == "lax":  # n steps; unstable only once the gradient is 100 times larger
            return _log_norm(lr, lam, g0, n) < start + np.log(100)
        if rule == "no overshoot":  # the gradient never changes direction
            f = 1 - lr * lam
            return bool(np.all(f >= 0))
        raise ValueError(rule)

    if grid is not None:
        ok = [lr for lr in grid if stable(lr)]
        return float(max(ok)) if ok else 0.0
    if doubling_only:  # the first unstable rate of the doubling, without bisecting
        high = 1e-4
        while stable(high):
            high *= 2
        return high
    return _bisect(stable)


def stable_lr_by_w(grad_fn, w0, n=400):
    """A run judged by ‖w‖ (right only when the minimum is at 0)."""
    w0 = np.array(w0, dtype=float)

    def stable(lr):
        w = w0
        for _ in range(n):
            w = w - lr * grad_fn(w)
            if np.linalg.norm(w) > 1e8 * (1 + np.linalg.norm(w0)):
                return False
        return np.linalg.norm(w) < np.linalg.norm(w0)

    return _bisect(stable, rounds=25)


def stable_lr_power_iteration(grad_fn, w0):
    """A different experiment: measure λ_max by power iteration on differences of gradients."""
    w0 = np.array(w0, dtype=float)
    v = np.ones_like(w0) + np.linspace(0, 0.1, len(w0))
    lam = 0.0
    for _ in range(500):
        Av = grad_fn(w0 + v) - grad_fn(w0)
        lam = float(v @ Av / (v @ v))
        v = Av / np.linalg.norm(Av)
    return 2.0 / lam


def stable_lr_steps(grad_fn, w0, n=300):
    """Bisection with another test of stability: do the steps shrink?"""
    w0 = np.array(w0, dtype=float)

    def stable(lr):
        w = w0
        first = np.linalg.norm(lr * grad_fn(w0))
        for _ in range(n):
            step = lr * grad_fn(w)
            w = w - step
            if np.linalg.norm(step) > 1e6 * first:
                return False
        return np.linalg.norm(step) < first

    return _bisect(stable, rounds=25)


WRONG_STABLE = [
    (lambda f, w0: stable_lr(f, w0, rule="strict", n=200, grid=np.geomspace(1e-4, 1e4, 3000)),
     "too strict"),
    (lambda f, w0: stable_lr(f, w0, rule="lax", n=20), "you stopped too early"),
    (lambda f, w0: stable_lr(f, w0, grid=np.logspace(-4, 3, 22)), "sweep of η is too coarse"),
    (lambda f, w0: stable_lr(f, w0, rule="no overshoot"), "about 1/λ_max"),
    (lambda f, w0: stable_lr(f, w0, doubling_only=True), "Too high"),
    (stable_lr_by_w, "not by ‖w‖"),
    (lambda f, w0: stable_lr(f, w0, rule="strict", n=200), "the test is too strict"),
    (lambda f, w0: np.array([stable_lr(f, w0)]), "should return one number"),
]


def test_largest_stable_lr_cases_are_other_bowls_in_grading():
    part = PARTS["largest_stable_lr"]
    public = {c.label for c in part.cases(np.random.default_rng(seed_of("largest_stable_lr"))) if not c.hidden}
    limits, dims, hidden = [], set(), set()
    for seed in range(50):
        for case in part.cases(np.random.default_rng(seed)):
            A = case.args[0].params["A"]
            limits.append(part.expected(case))
            dims.add(len(A))
            if case.hidden:
                hidden.add(case.label)
                assert case.label not in public
    assert len(hidden) >= 3 and {1, 2, 3, 4, 5, 10} <= dims
    assert min(limits) < 0.05 and max(limits) > 20  # edges from steep bowls to flat ones


# ----------------------------------------------------------------------------------------------
# 07 · output_delta (BP1), hidden_delta (BP2), scaled_softplus_backward

def output_delta_loop(z_L, y):
    N, K = z_L.shape
    out = np.zeros((N, K))
    for i in range(N):
        for j in range(K):
            a = 1 / (1 + np.exp(-z_L[i, j]))
            out[i, j] = (a - y[i, j]) / N * a * (1 - a)
    return out


def output_delta_a_form(z_L, y):
    a = 0.5 * (1 + np.tanh(z_L / 2))
    return (a - y) * a * (1 - a) / len(z_L)


def _out(z, y, scale=True, prime="z", sign=1.0, float32=False, in_place=False, by_all=False):
    a = sig(z)
    g = sign * (a - y) / ((z.size if by_all else len(z)) if scale else 1)
    slope = {"z": sig_prime(z), "a": sig_prime(a), "none": 1.0, "sigma": a, "zz": z * (1 - z)}[prime]
    out = g * slope
    if in_place:
        z *= 0
        z += out
        out = z
    return out.astype(np.float32) if float32 else out


WRONG_OUTPUT = [
    (lambda z, y: _out(z, y, scale=False), "the 1/N of the mean is missing"),
    (lambda z, y: _out(z, y, prime="none"), "without ⊙ σ′(z^L)"),
    (lambda z, y: _out(z, y, prime="a"), "σ′ evaluated at the activation"),
    (lambda z, y: _out(z, y, sign=-1.0), "sign flipped"),
    (lambda z, y: _out(z, y, prime="sigma"), "the sigmoid itself"),
    (lambda z, y: _out(z, y, prime="zz"), "written with z"),
    (lambda z, y: _out(z, y, by_all=True), 'nl.checks.hint("output_delta")'),
    (lambda z, y: _out(z, y, in_place=True), "modified its input z_L"),
]


def hidden_delta_einsum(delta_next, W_next, z):
    return np.einsum("nk,kj->nj", delta_next, W_next) * np.exp(-z) / (1 + np.exp(-z)) ** 2


def hidden_delta_per_example(delta_next, W_next, z):
    return np.array([(W_next.T @ d) * sig(zz) * (1 - sig(zz)) for d, zz in zip(delta_next, z)])


def _hid(d, W, z, transpose=False, prime="z", extra_n=False, tanh=False, as_list=False):
    back = d @ (W.T if transpose else W)
    slope = {"z": sig_prime(z), "a": sig_prime(sig(z)), "none": 1.0, "sigma": sig(z),
             "tanh": 1 - np.tanh(z) ** 2}[prime]
    out = back * slope / (len(z) if extra_n else 1)
    return out.tolist() if as_list else out


WRONG_HIDDEN = [
    (lambda d, W, z: _hid(d, W, z, transpose=True), "wrong way round"),
    (lambda d, W, z: _hid(d, W, z, prime="none"), "that is ∂C/∂a^l"),
    (lambda d, W, z: _hid(d, W, z, prime="a"), "σ′ evaluated at the activation"),
    (lambda d, W, z: _hid(d, W, z, prime="sigma"), "the sigmoid instead of its slope"),
    (lambda d, W, z: _hid(d, W, z, extra_n=True), "divided by N once more"),
    (lambda d, W, z: _hid(d, W, z, prime="tanh"), 'nl.checks.hint("hidden_delta")'),
    (lambda d, W, z: _hid(d, W, z, as_list=True), "a Python list"),
    (lambda d, W, z: (W @ d.T).T if W.shape[0] == W.shape[1] else d @ W, "Largest error"),
]


def softplus_stable(z):
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def softplus_backward_other_formulas(g, z, s):
    """softplus′ = σ as e^{−softplus(−z)}; ∂C/∂s as a 0-d numpy array."""
    return g * s * np.exp(-softplus_stable(-z)), np.asarray(np.sum(g * softplus_stable(z)))


def softplus_backward_loops(g, z, s):
    N, n = z.shape
    dz, ds = np.zeros((N, n)), 0.0
    for i in range(N):
        for j in range(n):
            dz[i, j] = g[i, j] * s * float(sig(np.array(z[i, j])))
            ds += g[i, j] * float(softplus_stable(np.array(z[i, j])))
    return dz, ds


def _sp(g, z, s, dz="right", ds="sum", naive=False, order=False):
    soft = np.log(1 + np.exp(z)) if naive else softplus_stable(z)
    slope = {"right": s * sig(z), "softplus": s * soft, "no s": sig(z), "sigma prime": s * sig_prime(z),
             "s2": s * s * sig(z), "none": s}[dz]
    prod = g * soft
    dC_ds = {"sum": float(prod.sum()), "none": prod, "mean": float(prod.mean()), "axis0": prod.sum(0),
             "with s": float((g * s * soft).sum()), "sigma": float((g * sig(z)).sum()),
             "one": np.array([prod.sum()]), "over N": float(prod.sum() / len(z)), "axis1": prod.sum(1)}[ds]
    return (dC_ds, g * slope) if order else (g * slope, dC_ds)


WRONG_SOFTPLUS = [
    (lambda g, z, s: _sp(g, z, s, ds="none"), "the sum is missing"),
    (lambda g, z, s: _sp(g, z, s, ds="axis0"), "summed over the batch only"),
    (lambda g, z, s: _sp(g, z, s, ds="axis1"), "dC_ds should be a single number"),
    (lambda g, z, s: _sp(g, z, s, ds="mean"), "averaged over the entries"),
    (lambda g, z, s: _sp(g, z, s, ds="over N"), "divided by N once more"),
    (lambda g, z, s: _sp(g, z, s, ds="with s"), "s is one factor too many"),
    (lambda g, z, s: _sp(g, z, s, ds="sigma"), "where softplus itself belongs"),
    (lambda g, z, s: _sp(g, z, s, ds="one"), "as an array of shape (1,)"),
    (lambda g, z, s: _sp(g, z, s, dz="softplus"), "the function where its derivative belongs"),
    (lambda g, z, s: _sp(g, z, s, dz="no s"), "the scale s is missing"),
    (lambda g, z, s: _sp(g, z, s, dz="sigma prime"), "the slope of the sigmoid"),
    (lambda g, z, s: _sp(g, z, s, dz="s2"), "with s²"),
    (lambda g, z, s: _sp(g, z, s, dz="none"), "dC_ds is right; dC_dz is wrong"),
    (lambda g, z, s: _sp(g, z, s, naive=True), "numpy warned"),
    (lambda g, z, s: _sp(g, z, s, order=True), "in the wrong order"),
    (lambda g, z, s: _sp(g, z, s)[0], "should be 2 values"),
]

WRONG = {"hinge_loss_grad": WRONG_HINGE, "largest_stable_lr": WRONG_STABLE, "output_delta": WRONG_OUTPUT,
         "hidden_delta": WRONG_HIDDEN, "scaled_softplus_backward": WRONG_SOFTPLUS}
RIGHT = {
    "hinge_loss_grad": [hinge_loop, hinge_masked],
    "largest_stable_lr": [stable_lr, stable_lr_power_iteration, stable_lr_steps],
    "output_delta": [output_delta_loop, output_delta_a_form],
    "hidden_delta": [hidden_delta_einsum, hidden_delta_per_example],
    "scaled_softplus_backward": [softplus_backward_other_formulas, softplus_backward_loops],
}
CASES = [(n, i) for n, wrongs in WRONG.items() for i in range(len(wrongs))]


def test_references_agree_with_central_differences():
    for seed in range(20):
        for name in ("output_delta", "hidden_delta", "scaled_softplus_backward"):
            part = PARTS[name]
            for case in part.cases(np.random.default_rng(seed)):
                expected, reference = part.expected(case), part._reference(*case.args)
                assert _core.compare(expected, reference, part.outputs, part.rtol, part.atol) is None, \
                    (name, seed, case.label)


def test_hidden_cases_are_other_inputs_than_the_public_ones():
    for name in NAMES:
        public = {c.label for c in PARTS[name].cases(np.random.default_rng(seed_of(name))) if not c.hidden}
        hidden = set()
        for seed in range(30):
            hidden |= {c.label for c in PARTS[name].cases(np.random.default_rng(seed)) if c.hidden}
        assert len(hidden) >= 3 and not hidden & public, name


@pytest.mark.parametrize("name", NAMES)
def test_every_wrong_version_is_rejected_on_every_seed(name):
    passed = sweep(name, [fn for fn, _ in WRONG[name]], SEEDS)
    rates = {i: f"{len(SEEDS) - len(p)}/{len(SEEDS)}" for i, p in passed.items()}
    assert not any(passed.values()), f"{name}: rejected on {rates}"


@pytest.mark.parametrize("name,index", CASES, ids=[f"{n}-{i}" for n, i in CASES])
def test_wrong_version_message_names_the_mistake(name, index):
    fn, words = WRONG[name][index]
    result = nl.checks.run_check(PARTS[name], fn)
    assert not result.passed and result.message.startswith(f"✗ {name}: wrong on test input"), result.message
    assert words in result.message, result.message


@pytest.mark.parametrize("name", NAMES)
def test_right_versions_pass_on_every_seed(name):
    functions = [solution(NOTEBOOK[name])[name], *RIGHT[name]]
    seeds = SEEDS[:20] if name == "largest_stable_lr" else SEEDS[:60]
    for i, passed in sweep(name, functions, seeds).items():
        failed = sorted(set(seeds) - set(passed))
        assert not failed, (functions[i].__name__, failed[:3], verdict(name, functions[i], failed[0]).message)


def test_two_layer_backward_from_the_learners_pieces_passes():
    ns = solution("07_backpropagation")
    for seed in range(20):
        assert verdict("two_layer_backward", ns["two_layer_backward"], seed).passed


@pytest.mark.parametrize("name", NAMES)
def test_solution_passes_and_stub_is_not_implemented(name, capsys):
    result = nl.checks.run_check(PARTS[name], solution(NOTEBOOK[name])[name])
    assert result.passed and result.message.startswith(f"✓ {name}:") and "\n" not in result.message

    def stub(*args):
        raise NotImplementedError(f"{name}: replace these two lines with your code")

    result = nl.checks.run_check(PARTS[name], stub)
    assert result.status == "not implemented"


def test_a_wrong_dC_ds_is_named_and_dC_dz_is_said_right():
    result = nl.checks.run_check(PARTS["scaled_softplus_backward"], WRONG_SOFTPLUS[0][0])
    assert "dC_dz is right; dC_ds is wrong" in result.message
    result = nl.checks.run_check(PARTS["scaled_softplus_backward"], WRONG_SOFTPLUS[9][0])
    assert "dC_ds is right; dC_dz is wrong" in result.message and "relative error" in result.message


def test_the_stable_rate_message_says_what_the_number_depends_on():
    result = nl.checks.run_check(PARTS["largest_stable_lr"], WRONG_STABLE[1][0])
    assert "largest curvature" in result.message and "λ_max" in result.message
    assert "allowed: within 2%" in result.message
