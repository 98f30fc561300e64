"""The exercise checks can fail: every check rejects known-wrong implementations with the right hint.

For every part of nl.checks: the solution notebook's own function passes; at least two typical
wrong versions fail, each naming its mistake; a stub reports "not implemented"; a function that
crashes or returns NaN is reported cleanly (a falsy CheckResult, never an exception).

The reference functions are the ones in solutions/NN_*.ipynb, loaded the way the grader loads a
submission (imports and definitions only), so the notebooks and these tests cannot drift apart.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

import nnlab as nl
from nnlab.checks import PARTS, CheckResult
from nnlab.checks._plain import Builtin, Garbled, Seeded, pack, to_plain, unpack
from nnlab.grading.runner import load_definitions

SOLUTIONS = Path(__file__).resolve().parent.parent / "solutions"
sig = nl.activations.sigmoid


@lru_cache(maxsize=None)
def solution_namespace() -> dict:
    """Every function of every solution notebook (later notebooks may redefine helper names)."""
    namespace = {}
    for path in sorted(SOLUTIONS.glob("[0-9][0-9]_*.ipynb")):
        nb = json.loads(path.read_text())
        cells = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                 for c in nb["cells"] if c["cell_type"] == "code"]
        ns, problems = load_definitions(cells)
        assert not problems, (path.name, problems)
        for part in PARTS:
            if part in ns:
                namespace[part] = ns[part]
    return namespace


#: The parts of chapters 01-10 (the later chapters' parts have their own test files).
COURSE = [name for name, part in PARTS.items() if part.chapter <= "10"]


def check(name: str, fn) -> CheckResult:
    return nl.checks.run_check(PARTS[name], fn)


# ----------------------------------------------------------------------------------------------
# typical wrong implementations, each with the words the check must use for it

def _inplace_relu(z):
    z[z < 0] = 0
    return z


def _inplace_sgd(w, grad, lr):
    w -= lr * grad
    return w


def _aliasing_descent(grad_fn, w0, lr, n_steps):
    w = np.array(w0, dtype=float)
    path = [w]
    for _ in range(n_steps):
        w -= lr * grad_fn(w)
        path.append(w)
    return np.array(path)


def _descent_without_start(grad_fn, w0, lr, n_steps):
    w = np.array(w0, dtype=float)
    path = []
    for _ in range(n_steps):
        w = w - lr * grad_fn(w)
        path.append(w)
    return np.array(path).reshape(n_steps, len(w0))


def _ascent(grad_fn, w0, lr, n_steps):
    w = np.array(w0, dtype=float)
    path = [w]
    for _ in range(n_steps):
        w = w + lr * grad_fn(w)
        path.append(w)
    return np.array(path)


def _batches_drop_last(X, y, batch_size, rng):
    order = rng.permutation(len(X))
    stop = len(X) - len(X) % batch_size
    return [(X[order[s:s + batch_size]], y[order[s:s + batch_size]]) for s in range(0, stop, batch_size)]


def _batches_two_permutations(X, y, batch_size, rng):
    ox, oy = rng.permutation(len(X)), rng.permutation(len(X))
    return [(X[ox[s:s + batch_size]], y[oy[s:s + batch_size]]) for s in range(0, len(X), batch_size)]


def _batches_unshuffled(X, y, batch_size, rng):
    return [(X[s:s + batch_size], y[s:s + batch_size]) for s in range(0, len(X), batch_size)]


def _batches_with_replacement(X, y, batch_size, rng):
    idx = rng.integers(0, len(X), len(X))
    return [(X[idx[s:s + batch_size]], y[idx[s:s + batch_size]]) for s in range(0, len(X), batch_size)]


def _batches_fixed_seed(X, y, batch_size, rng):
    order = np.random.default_rng(0).permutation(len(X))
    return [(X[order[s:s + batch_size]], y[order[s:s + batch_size]]) for s in range(0, len(X), batch_size)]


def _batches_global_rng(X, y, batch_size, rng):
    order = np.random.permutation(len(X))  # the global generator, not the rng given
    return [(X[order[s:s + batch_size]], y[order[s:s + batch_size]]) for s in range(0, len(X), batch_size)]


def _batches_in_place(X, y, batch_size, rng):
    order = rng.permutation(len(X))
    X[:] = X[order]
    y[:] = y[order]
    return [(X[s:s + batch_size], y[s:s + batch_size]) for s in range(0, len(X), batch_size)]


def _forward_difference(f, x, h=1e-5):
    g = np.zeros_like(x, dtype=float)
    for i in np.ndindex(x.shape):
        p = x.copy()
        p[i] += h
        g[i] = (f(p) - f(x)) / h
    return g


def _central_over_h(f, x, h=1e-5):
    g = np.zeros_like(x, dtype=float)
    for i in np.ndindex(x.shape):
        p, m = x.copy(), x.copy()
        p[i] += h
        m[i] -= h
        g[i] = (f(p) - f(m)) / h
    return g


def _perturb_in_place(f, x, h=1e-5):
    g = np.zeros_like(x, dtype=float)
    for i in np.ndindex(x.shape):
        x[i] += h
        fp = f(x)
        x[i] -= 2 * h
        g[i] = (fp - f(x)) / (2 * h)
    return g


def _two_layer(X, y, W1, b1, W2, b2, prime="z", scale=True):
    N = len(X)
    z1 = X @ W1.T + b1
    a1 = sig(z1)
    s = nl.activations.softmax(a1 @ W2.T + b2)
    s[np.arange(N), y] -= 1
    d2 = s / (N if scale else 1)
    back = d2 @ W2
    if prime == "z":
        back = back * nl.activations.sigmoid_prime(z1)
    elif prime == "a":
        back = back * nl.activations.sigmoid_prime(a1)
    return back.T @ X, back.sum(0), d2.T @ a1, d2.sum(0)


class _Untrained:
    def __init__(self, rng):
        self.model = nl.Sequential(nl.Dense(64, 10, rng=rng))

    def forward(self, X):
        return self.model.forward(X)


def _deltas(delta_L, Ws, zs, prime=True):
    deltas = [delta_L]
    for l in range(len(Ws) - 2, -1, -1):
        d = deltas[0] @ Ws[l + 1]
        deltas.insert(0, d * nl.activations.sigmoid_prime(zs[l]) if prime else d)
    return deltas


def _early(losses, patience, strict=True):
    best, best_epoch, waited = np.inf, 0, 0
    for epoch, loss in enumerate(losses):
        if loss < best if strict else loss <= best:
            best, best_epoch, waited = loss, epoch, 0
        else:
            waited += 1
            if waited == patience:
                break
    return best_epoch


def _res_backward(g, a, W, b, identity=True, prime=True):
    t = np.tanh(a @ W.T + b)
    d = g * (1 - t * t) if prime else g
    return (g + d @ W) if identity else d @ W, d.T @ a, d.sum(0)


WRONG = {
    "sigmoid": [
        (lambda z: 1 / (1 + np.exp(z)), "σ(−z)"),
        (lambda z: 1 / (1 + np.exp(-z)), "numpy warned: overflow"),
        (lambda z: (z > 0).astype(float), "a step function"),
    ],
    "neuron_forward": [
        (lambda w, b, a: a @ w + b, "the weighted input"),
        (lambda w, b, a: sig(a @ w), "without the bias"),
        (lambda w, b, a: sig(w @ a + b), "a @ w has shape (N,)"),
    ],
    "neuron_forward_bias_trick": [
        (lambda w, a: sig(a @ w[:-1]), "must be 1, not 0"),
        (lambda w, a: sig(w[0] + a @ w[1:]), "FIRST weight"),
    ],
    "logic_gate_weights": [
        (lambda gate: (np.array([1.0, 1.0]), -0.5), "computes OR, not AND"),
        (lambda gate: (np.array([1.0, 1.0]), -1.5), "computes AND, not OR"),
        (lambda gate: np.array([1.0, 1.0]), "Return two things"),
    ],
    "sigmoid_prime": [
        (sig, "itself, not its derivative"),
        (lambda z: z * (1 - z), "applied to z instead"),
        (lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2, "numpy warned"),
    ],
    "tanh_prime": [
        (lambda z: 1 - np.tanh(z), "the square is missing"),
        (lambda z: 1 - z ** 2, "applied to z"),
    ],
    "relu": [
        (lambda z: np.max(z, 0), "should have shape (3, 4), got shape (4,)"),
        (np.abs, "|z|"),
        (_inplace_relu, "modified its input z"),
    ],
    "relu_prime": [
        (lambda z: (z >= 0).astype(float), "ReLU′(0) = 0"),
        (lambda z: np.maximum(z, 0), "ReLU(z) itself"),
    ],
    "elu": [
        (lambda z, a: np.where(z > 0, z, np.expm1(np.minimum(z, 0))), "whatever alpha is"),
        (lambda z, a: np.where(z > 0, z, a * (np.exp(z) - 1)), "numpy warned: overflow"),
        (lambda z, a: np.where(z > 0, z, a * np.exp(np.minimum(z, 0))), "the − 1 is missing"),
    ],
    "softmax": [
        (lambda z: np.exp(z - z.max(axis=-1, keepdims=True))
         / np.exp(z - z.max(axis=-1, keepdims=True)).sum(axis=0, keepdims=True), "wrong axis"),
        (lambda z: np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True), "numpy warned"),
        (np.exp, "without dividing by the sum"),
    ],
    "dense_forward": [
        (lambda a, W, b: a @ W + b, "W.T"),
        (lambda a, W, b: a @ W.T, "without the bias"),
    ],
    "count_parameters": [
        (lambda s: sum(a * b for a, b in zip(s[:-1], s[1:])), "number of weights only"),
        (lambda s: sum(a * b for a, b in zip(s[:-1], s[1:])) + sum(s), "INCLUDING the input layer"),
    ],
    "feedforward": [
        (lambda a, layers: nl.activations.relu(_linear_then_relu(a, layers)), "after the last layer too"),
        (lambda a, layers: _linear(a, layers), "without any ReLU"),
    ],
    "squared_error": [
        (lambda a, y: 0.5 * np.sum((a - y) ** 2), "SUM over the batch"),
        (lambda a, y: 0.5 * np.mean((a - y) ** 2), "mean over every number"),
        (lambda a, y: np.sum((a - y) ** 2) / len(a), "without the ½"),
    ],
    "squared_error_grad": [
        (lambda a, y: (y - a) / len(a), "the sign is flipped"),
        (lambda a, y: a - y, "without the 1/N"),
    ],
    "softmax_cross_entropy": [
        (lambda z, y: -np.sum(nl.activations.log_softmax(z)[np.arange(len(y)), y]), "SUM over the batch"),
        (lambda z, y: -np.mean(np.log(np.exp(z) / np.exp(z).sum(1, keepdims=True))[np.arange(len(y)), y]),
         "numpy warned"),
        (lambda z, y: np.mean(nl.activations.log_softmax(z)[np.arange(len(y)), y]), "without the minus sign"),
    ],
    "softmax_cross_entropy_grad": [
        (lambda z, y: (nl.data.one_hot(y, z.shape[1]) - nl.activations.softmax(z)) / len(z), "sign is flipped"),
        (lambda z, y: nl.activations.softmax(z) - nl.data.one_hot(y, z.shape[1]), "without the 1/N"),
    ],
    "sgd_step": [
        (lambda w, g, lr: w + lr * g, "UPHILL"),
        (_inplace_sgd, "modified its input w"),
        (lambda w, g, lr: w - g, "without the learning rate"),
    ],
    "step_decay": [
        (lambda lr0, d, e, t: lr0 * d ** (t / e), "smooth"),
        (lambda lr0, d, e, t: lr0 * d ** ((t + 1) // e), "one step early"),
        (lambda lr0, d, e, t: lr0 * d ** math.ceil(t / e), "rounded UP"),
    ],
    "gradient_descent": [
        (_ascent, "ASCENT"),
        (_aliasing_descent, "LAST w repeated"),
        (_descent_without_start, "without its starting point"),
    ],
    "minibatches": [
        (_batches_drop_last, "dropped the last"),
        (_batches_two_permutations, "labels no longer belong"),
        (_batches_unshuffled, "original order"),
        (_batches_with_replacement, "exactly once"),
        (_batches_fixed_seed, "same order"),
        (_batches_global_rng, "does not come from the rng"),
        (_batches_in_place, "modified its input X"),
    ],
    "momentum_step": [
        (lambda w, g, v, lr, mu: (w - lr * (mu * v + g), mu * v + g), "PyTorch"),
        (lambda w, g, v, lr, mu: (w - lr * g, -lr * g), "plain SGD"),
        (lambda w, g, v, lr, mu: (w + v, mu * v - lr * g), "OLD velocity"),
    ],
    "adam_step": [
        (lambda w, g, m, v, t, lr, b1, b2, eps: (
            w - lr * (b1 * m + (1 - b1) * g) / (np.sqrt(b2 * v + (1 - b2) * g * g) + eps),
            b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g), "without bias correction"),
        (lambda w, g, m, v, t, lr, b1, b2, eps: _adam_ref(w, g, m, v, t + 1, lr, b1, b2, eps), "t + 1"),
        (lambda w, g, m, v, t, lr, b1, b2, eps: _adam_ref(w, g, m, v, t, lr, b1, b2, eps, inside=True),
         "ε inside the square root"),
    ],
    "numeric_gradient": [
        (_forward_difference, "forward differences"),
        (_central_over_h, "twice the slope"),
        (_perturb_in_place, "modified its input x"),
    ],
    "dense_backward": [
        (lambda d, a, W: (a.T @ d, d.sum(0), d @ W), "transposed dC_dW"),
        (lambda d, a, W: (d.T @ a, d.mean(0), d @ W), "averaged over the batch"),
        (lambda d, a, W: (d.T @ a, d.sum(0), d @ W.T), "match the inner dimensions"),
    ],
    "two_layer_backward": [
        (lambda *args: _two_layer(*args, prime=None), "without σ′"),
        (lambda *args: _two_layer(*args, prime="a"), "activation a¹ instead of z¹"),
        (lambda *args: _two_layer(*args, scale=False), "SUM over the batch"),
    ],
    "accuracy": [
        (lambda s, y: 100 * np.mean(s.argmax(1) == y), "a percentage"),
        (lambda s, y: float(np.sum(s.argmax(1) == y)), "NUMBER of right predictions"),
    ],
    "confusion_matrix": [
        (lambda t, p, k: nl.metrics.confusion_matrix(t, p, k).T, "transposed"),
        (lambda t, p, k: nl.metrics.confusion_matrix(t, p, k)
         / np.maximum(nl.metrics.confusion_matrix(t, p, k).sum(1, keepdims=True), 1), "normalised"),
    ],
    "train": [
        (lambda X, y, rng: _Untrained(rng), "Accuracy"),
        (lambda X, y, rng: None, "not a trained model"),
    ],
    "dropout_mask": [
        (lambda shape, p, rng: rng.random(shape) < p, "probability p_drop"),
        (lambda shape, p, rng: np.random.default_rng(0).random(shape) >= p, "same mask"),
        (lambda shape, p, rng: rng.random(shape), "only True/False"),
    ],
    "dropout_forward": [
        (lambda a, m, p: a * m, "forgotten"),
        (lambda a, m, p: a * m / p if p else a * m, "KEEPING"),
    ],
    "dropout_backward": [
        (lambda g, m, p: g * m, "without the 1/(1 − p_drop)"),
        (lambda g, m, p: g.copy(), "unchanged"),
    ],
    "early_stopping": [
        (lambda losses, patience: int(np.argmin(losses)), "WHOLE list"),
        (lambda losses, patience: _early(losses, patience, strict=False), "equal loss"),
        (lambda losses, patience: _early(losses, patience) + 1, "counted from 1"),
    ],
    "backprop_deltas": [
        (lambda d, Ws, zs: _deltas(d, Ws, zs, prime=False), "without σ′"),
        (lambda d, Ws, zs: _deltas(d, Ws, zs)[::-1], "reverse order"),
    ],
    "residual_forward": [
        (lambda a, W, b: np.tanh(a @ W.T + b), "alone"),
        (lambda a, W, b: np.tanh(a + a @ W.T + b), "inside tanh"),
    ],
    "residual_backward": [
        (lambda *args: _res_backward(*args, identity=False), "without the identity path"),
        (lambda *args: _res_backward(*args, prime=False), "without tanh′"),
    ],
}


def _linear(a, layers):
    for W, b in layers:
        a = a @ W.T + b
    return a


def _linear_then_relu(a, layers):
    for i, (W, b) in enumerate(layers):
        a = a @ W.T + b
        if i < len(layers) - 1:
            a = nl.activations.relu(a)
    return a


def _adam_ref(w, g, m, v, t, lr, b1, b2, eps, inside=False):
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
    denominator = np.sqrt(v_hat + eps) if inside else np.sqrt(v_hat) + eps
    return w - lr * m_hat / denominator, m, v


def test_every_part_has_wrong_versions_and_a_solution():
    from test_checks_derive import WRONG as WRONG_DERIVE  # 04, 05, 07's derive-it and measure-it parts
    from test_checks_gap import WRONG as WRONG_GAP  # 09's measurement, dropout_gap
    from test_checks_measure import WRONG as WRONG_MEASURE  # 01, 08, 09, 10's new parts

    assert set(WRONG) | set(WRONG_DERIVE) | set(WRONG_MEASURE) | {"dropout_gap"} == set(COURSE)
    assert len(WRONG_GAP) >= 2
    assert all(len(v) >= 2 for v in WRONG.values())
    assert set(COURSE) <= set(solution_namespace())


@pytest.mark.parametrize("name", COURSE)
def test_solution_passes(name, capsys):
    result = check(name, solution_namespace()[name])
    assert isinstance(result, CheckResult)
    assert result.passed, result.message
    assert result.message.startswith(f"✓ {name}:") and "\n" not in result.message
    assert capsys.readouterr().out == result.message + "\n"  # printed once, one line


@pytest.mark.parametrize("name,index", [(n, i) for n, wrongs in WRONG.items() for i in range(len(wrongs))])
def test_wrong_version_fails_with_its_hint(name, index):
    fn, words = WRONG[name][index]
    result = check(name, fn)
    assert not result.passed and not result
    assert result.message.startswith(f"✗ {name}: wrong on test input")
    assert words in result.message, result.message


@pytest.mark.parametrize("name", list(PARTS))
def test_stub_is_not_implemented(name):
    def stub(*args):
        raise NotImplementedError(f"{name}: replace these two lines with your code")

    result = check(name, stub)
    assert not result.passed and result.status == "not implemented"
    assert result.message.startswith(f"✗ {name}: not implemented yet.")


@pytest.mark.parametrize("name", list(PARTS))
def test_crash_is_reported(name):
    def crash(*args):
        return 1 / 0

    result = check(name, crash)
    assert not result.passed and result.status == "error"
    assert "ZeroDivisionError: division by zero" in result.message
    assert "line " in result.message and "in crash" in result.message  # where, in the learner's code


def _nan_like(value):
    if isinstance(value, np.ndarray):
        return np.full(value.shape, np.nan)
    if isinstance(value, (float, int, np.number)):
        return float("nan")
    if isinstance(value, (tuple, list)):
        return type(value)(_nan_like(v) for v in value)
    if hasattr(value, "forward"):
        class NanModel:
            def forward(self, X):
                return np.full((len(X), 10), np.nan)
        return NanModel()
    return value


@pytest.mark.parametrize("name", COURSE)
def test_nan_result_is_reported(name):
    solution = solution_namespace()[name]

    def returns_nan(*args):
        return _nan_like(solution(*args))

    result = check(name, returns_nan)
    assert not result.passed and result.status == "wrong", result.message
    assert result.message.startswith(f"✗ {name}: wrong on test input")


@pytest.mark.parametrize("garbage", [None, "sigmoid", {"a": 1}, [[1, 2], [3]], object()])
def test_garbage_results_are_reported(garbage):
    result = check("softmax", lambda z: garbage)
    assert not result.passed and result.status == "wrong"
    assert "softmax: wrong on test inputs 1, 2, 3, 4, 5 of 5" in result.message


def test_not_a_function(capsys):
    result = nl.checks.check_sigmoid(np.zeros(3))
    assert not result.passed
    assert "check_sigmoid(sigmoid) — without parentheses" in result.message


def test_failure_message_shape_first_then_largest_error():
    z_shape = check("sigmoid", lambda z: sig(z).T)
    assert "should have shape (3, 4), got shape (4, 3)" in z_shape.message
    assert "transposed" in z_shape.message
    values = check("sigmoid", lambda z: sig(z) + (np.abs(z - z.flat[5]) < 1e-12) * 0.5)
    assert "Shapes agree: (3, 4)." in values.message
    assert "Largest error 0.5 at index (1, 1)" in values.message and "(1 of 12 entries wrong)" in values.message


def test_endless_loop_is_stopped():
    def endless(z):
        while True:
            pass

    result = nl.checks.run_check(PARTS["sigmoid"], endless, time_limit=0.3)
    assert result.status == "timeout" and "did not finish" in result.message


def test_sys_exit_is_reported():
    import sys

    result = check("relu", lambda z: sys.exit(1))
    assert not result.passed and "sys.exit" in result.message


def test_raise_mode_for_autograders(monkeypatch):
    monkeypatch.setenv("NNLAB_CHECKS_RAISE", "1")
    with pytest.raises(nl.checks.CheckFailed, match="not implemented"):
        nl.checks.check_relu(lambda z: (_ for _ in ()).throw(NotImplementedError()))
    assert nl.checks.check_relu(solution_namespace()["relu"]).passed


def test_checks_do_not_import_plotting():
    import subprocess
    import sys

    code = ("import sys, nnlab as nl; nl.checks.check_relu; nl.grading.main; "
            "print(sorted(m for m in ('matplotlib', 'ipywidgets', 'nbclient', 'IPython') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ----------------------------------------------------------------------------------------------
# plain data: what crosses from the grader's runner to the grader

def test_pack_round_trip():
    value = {"a": np.arange(6.0).reshape(2, 3), "b": (1, 2.5, None, True, "x"), "c": [np.array([True, False])],
             "nan": float("nan"), "rng": Seeded(3), "f": Builtin("quadratic_grad", {"A": np.eye(2)})}
    back = unpack(pack(value))
    assert np.array_equal(back["a"], value["a"]) and back["b"] == value["b"]
    assert back["c"][0].dtype == bool and math.isnan(back["nan"])
    assert back["rng"] == Seeded(3) and np.array_equal(back["f"].params["A"], np.eye(2))


@pytest.mark.parametrize("data", [b"", b"\x05\x00\x00\x00\x00\x00\x00\x00{}", pack([1])[:-1] + b"]",
                                  pack(np.zeros(3))[:-8], pack(np.zeros(3)) + b"x"])
def test_unpack_rejects_garbage(data):
    with pytest.raises(Garbled):
        unpack(data)


def test_unpack_refuses_object_arrays():
    header = json.dumps({"spec": {"array": 0}, "arrays": [["|O", [1]]]}).encode()
    data = len(header).to_bytes(8, "little") + header + b"\0" * 8
    with pytest.raises(Garbled, match="not allowed"):
        unpack(data)


def test_to_plain_rejects_objects():
    from nnlab.checks._plain import NotPlain

    with pytest.raises(NotPlain):
        to_plain(np.array([object()]))
    with pytest.raises(NotPlain):
        to_plain(iter([1]))
