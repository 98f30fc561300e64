"""The chapter 11 checks (nl.checks.recurrent) never pass wrong code and say what is wrong.

- The references are nnlab's layers: rnn_forward/rnn_backward equal nl.RNN's forward and backward
  (which agree with central differences here), lstm_cell_forward equals nl.LSTM step by step.
- Every known-wrong implementation below is rejected on EVERY seed of a sweep (the grader's hidden
  seeds included, hidden cases too), with a message naming the wrong output and the mistake.
- Correct alternatives (loops, other formulas) pass on every seed; the solution notebook's own
  functions pass; a stub is "not implemented"; a crash, NaN, lists and float32 are reported.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

import nnlab as nl
from nnlab.checks import PARTS
from nnlab.checks._core import seed_of
from nnlab.checks.recurrent import PARTS as RECURRENT_PARTS
from nnlab.gradcheck import numeric_grad

from check_tools import solution, sweep, verdict

SOLUTION = Path(__file__).resolve().parent.parent / "solutions" / "11_recurrent_networks_and_lstms.ipynb"
SEEDS = range(200)
NAMES = [p.name for p in RECURRENT_PARTS]
sig = nl.activations.sigmoid








# ----------------------------------------------------------------------------------------------
# right implementations, written differently from the solution

def rnn_forward_list(x, W_x, W_h, b):
    hs, h = [], np.zeros((x.shape[0], W_h.shape[0]))
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ W_x.T + h @ W_h.T + b)
        hs.append(h)
    return np.stack(hs, axis=1)


def rnn_forward_einsum(x, W_x, W_h, b):
    zx = np.einsum("ntk,jk->ntj", x, W_x) + b
    h = np.zeros((x.shape[0], x.shape[1] + 1, W_h.shape[0]))
    for t in range(x.shape[1]):
        h[:, t + 1] = np.tanh(zx[:, t] + np.einsum("nm,jm->nj", h[:, t], W_h))
    return h[:, 1:]


def rnn_backward_two_passes(dC_dh, x, W_x, W_h, b):
    """δ for every step first, then each gradient as one sum over the steps."""
    h = rnn_forward_list(x, W_x, W_h, b)
    N, T, H = h.shape
    h_prev = np.concatenate([np.zeros((N, 1, H)), h[:, :-1]], axis=1)
    delta = np.zeros_like(h)
    for t in reversed(range(T)):
        upstream = dC_dh[:, t] + (delta[:, t + 1] @ W_h if t + 1 < T else 0)
        delta[:, t] = upstream * (1 - np.tanh(np.arctanh(np.clip(h[:, t], -1 + 1e-16, 1 - 1e-16))) ** 2)
    return (delta @ W_x, np.einsum("ntj,ntk->jk", delta, x), np.einsum("ntj,ntm->jm", delta, h_prev),
            delta.sum(axis=(0, 1)))


def rnn_backward_per_example(dC_dh, x, W_x, W_h, b):
    """One sequence at a time, every product written with explicit loops over the units."""
    N, T, n_in = x.shape
    H = W_h.shape[0]
    dx, dWx, dWh, db = np.zeros_like(x), np.zeros_like(W_x), np.zeros_like(W_h), np.zeros_like(b)
    for n in range(N):
        h = rnn_forward_list(x[n:n + 1], W_x, W_h, b)[0]
        carry = np.zeros(H)
        for t in range(T - 1, -1, -1):
            d = (dC_dh[n, t] + carry) * (1 - h[t] ** 2)
            prev = h[t - 1] if t else np.zeros(H)
            for j in range(H):
                dWx[j] += d[j] * x[n, t]
                dWh[j] += d[j] * prev
                db[j] += d[j]
            dx[n, t] = W_x.T @ d
            carry = W_h.T @ d
    return dx, dWx, dWh, db


def lstm_naive_sigmoid(x_t, h_prev, c_prev, W_x, W_h, b):
    H = h_prev.shape[1]
    z = x_t @ W_x.T + h_prev @ W_h.T + b
    i, f, g, o = np.split(z, 4, axis=1)
    with np.errstate(over="ignore"):
        i, f, o = (1 / (1 + np.exp(-v)) for v in (i, f, o))
    c = f * c_prev + i * np.tanh(g)
    return o * np.tanh(c), c


def lstm_tanh_form(x_t, h_prev, c_prev, W_x, W_h, b):
    """σ(z) = (1 + tanh(z/2))/2 and the four gates as separate matrices."""
    H = h_prev.shape[1]
    gates = [x_t @ W_x[k * H:(k + 1) * H].T + h_prev @ W_h[k * H:(k + 1) * H].T + b[k * H:(k + 1) * H]
             for k in range(4)]
    s = [(1 + np.tanh(v / 2)) / 2 for v in gates]
    c = s[1] * c_prev + s[0] * np.tanh(gates[2])
    return s[3] * np.tanh(c), c


def through_time_nl_rnn(x, W_x, W_h, b):
    layer = nl.RNN(W_x.shape[1], W_x.shape[0], rng=np.random.default_rng(1))
    layer.W_x.data[...], layer.W_h.data[...], layer.b.data[...] = W_x, W_h, b
    h = layer.forward(x)
    g = np.zeros_like(h)
    g[:, -1] = 1
    dx = layer.backward(g)
    return np.array([np.linalg.norm(dx[:, t]) for t in range(x.shape[1])])


def through_time(x, W_x, W_h, b, steps="last", squared=False, reverse=False, per_example=False,
                 first_example=False, mean=False):
    N, T, _ = x.shape
    g = np.zeros((N, T, W_h.shape[0]))
    if steps == "last":
        g[:, -1] = 1 / N if mean else 1.0
    elif steps == "first":
        g[:, 0] = 1.0
    else:
        g[:] = 1.0
    dx = rnn_backward_two_passes(g, x, W_x, W_h, b)[0]
    if first_example:
        dx = dx[:1]
    sq = (dx ** 2).sum(axis=2 if per_example else (0, 2))
    out = sq if squared else np.sqrt(sq)
    return out[..., ::-1] if reverse else out


RIGHT = {
    "gradient_through_time": [through_time_nl_rnn, through_time],
    "rnn_forward": [rnn_forward_list, rnn_forward_einsum],
    "rnn_backward": [rnn_backward_two_passes, rnn_backward_per_example],
    "lstm_cell_forward": [lstm_naive_sigmoid, lstm_tanh_form],
}


# ----------------------------------------------------------------------------------------------
# wrong implementations: (function, words the message must contain)

def _rnn(x, W_x, W_h, b, transpose_h=False, tanh=True, h0=0.0, shift=False, recur=True,
         time_major=False, as_list=False, in_place=False, transpose_x=False):
    N, T, _ = x.shape
    h = np.full((N, W_h.shape[0]), h0)
    out = []
    for t in range(T):
        if in_place:
            x[:, t] = x[:, t] @ np.eye(x.shape[2])  # "harmless" rewrite of the input
            x[:, t] *= 1.0000001
        z = x[:, t] @ (W_x if transpose_x else W_x.T) + (h @ (W_h if transpose_h else W_h.T) if recur else 0) + b
        if shift:
            out.append(h)
        h = np.tanh(z) if tanh else z
        if not shift:
            out.append(h)
    if as_list:
        return out
    return np.stack(out, axis=0 if time_major else 1)


def _rnn_square_check(x, W_x, W_h, b):
    """x_t @ W_x (not .T): only runs where n_in = n_hidden, else it raises."""
    return _rnn(x, W_x, W_h, b, transpose_x=True)


def _bptt(dC_dh, x, W_x, W_h, b, through_time=True, accumulate=True, transpose_h=False, prime="h",
          h_now=False, mean_b=False, in_place=False, as_list=False, keep="last", wrap=False,
          dx_t=False, clip=None, clip_norm=None):
    N, T, _ = x.shape
    H = W_h.shape[0]
    h = rnn_forward_list(x, W_x, W_h, b)
    z = np.arctanh(np.clip(h, -1 + 1e-15, 1 - 1e-15))
    dx, dWx, dWh, db = np.zeros_like(x), np.zeros_like(W_x), np.zeros_like(W_h), np.zeros_like(b)
    carry = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        if in_place:
            dC_dh[:, t] += carry
            g = dC_dh[:, t]
        else:
            g = dC_dh[:, t] + (carry if through_time else 0)
        slope = {"h": 1 - h[:, t] ** 2, "z": 1 - z[:, t] ** 2, "tanh(h)": 1 - np.tanh(h[:, t]) ** 2,
                 "none": 1.0}[prime]
        d = g * slope
        if clip is not None:
            d = np.clip(d, -clip, clip)
        if clip_norm is not None and np.linalg.norm(d) > clip_norm:
            d = d * clip_norm / np.linalg.norm(d)
        prev = h[:, t] if h_now else (h[:, t - 1] if t or wrap else np.zeros((N, H)))
        terms = (d.T @ x[:, t], d.T @ prev, d.mean(0) if mean_b else d.sum(0))
        if accumulate:
            dWx, dWh, db = dWx + terms[0], dWh + terms[1], db + terms[2]
        elif keep == "last" or t == T - 1:
            dWx, dWh, db = terms
        dx[:, t] = d @ (W_x.T if dx_t else W_x)
        carry = d @ (W_h.T if transpose_h else W_h)
    result = (dx, dWx, dWh, db)
    return tuple(r.tolist() for r in result) if as_list else result


def _cell(x, h, c, W_x, W_h, b, order="ifgo", g_act="tanh", h_tanh=True, swap=False, in_place=False,
          no_i=False, one_minus_f=False, old_c=False, as_list=False, float32=False):
    H = h.shape[1]
    z = x @ W_x.T + h @ W_h.T + b
    blocks = dict(zip(order, np.split(z, 4, axis=1)))
    i, f, o = sig(blocks["i"]), sig(blocks["f"]), sig(blocks["o"])
    g = sig(blocks["g"]) if g_act == "sigmoid" else np.tanh(blocks["g"])
    if in_place:
        c *= (1 - f) if one_minus_f else f
        c += i * g
        c_t = c
    else:
        c_t = ((1 - f) if one_minus_f else f) * c + (g if no_i else i * g)
    h_t = o * (np.tanh(c if old_c else c_t) if h_tanh else c_t)
    if float32:
        h_t, c_t = h_t.astype(np.float32), c_t.astype(np.float32)
    if as_list:
        return [h_t.tolist(), c_t.tolist()]
    return (c_t, h_t) if swap else (h_t, c_t)


WRONG = {
    "rnn_forward": [
        (lambda *a: _rnn(*a, transpose_h=True), "transposed W_h"),
        (_rnn_square_check, "W_x is (n_hidden, n_in)"),
        (lambda *a: _rnn(*a, h0=1.0), "h_0 = 1"),
        (lambda *a: _rnn(*a, h0=0.5), 'nl.checks.hint("rnn_forward")'),
        (lambda *a: _rnn(*a, shift=True), "one step late"),
        (lambda *a: _rnn(*a, recur=False), "without the recurrence"),
        (lambda *a: _rnn(*a, tanh=False), "without tanh"),
        (lambda *a: _rnn(*a, time_major=True), "time first"),
        (lambda *a: _rnn(*a, as_list=True), "a Python list"),
        (lambda *a: _rnn(*a, in_place=True), "modified its input x"),
    ],
    "rnn_backward": [
        (lambda *a: _bptt(*a, through_time=False), "through h_{t+1} is missing"),
        (lambda *a: _bptt(*a, accumulate=False), "Wrong: dC_dW_x, dC_dW_h and dC_db; right: dC_dx."),
        (lambda *a: _bptt(*a, accumulate=False, keep="first"), "SUM of every step"),
        (lambda *a: _bptt(*a, transpose_h=True), "W_h transposed"),
        (lambda *a: _bptt(*a, prime="z"), "1 − z²"),
        (lambda *a: _bptt(*a, prime="tanh(h)"), "tanh applied twice"),
        (lambda *a: _bptt(*a, h_now=True), "Wrong: dC_dW_h; right: dC_dx, dC_dW_x and dC_db."),
        (lambda *a: _bptt(*a, mean_b=True), "Wrong: dC_db;"),
        (lambda *a: _bptt(*a, in_place=True), "modified its input dC_dh"),
        (lambda *a: _bptt(*a, as_list=True), "dC_dx should be a numpy array"),
        (lambda *a: _bptt(*a, prime="none"), "without tanh′"),
        (lambda *a: _bptt(*a, wrap=True), "h[:, −1] in Python"),
        (lambda *a: _bptt(*a, dx_t=True), "Wrong: dC_dx; right: dC_dW_x, dC_dW_h and dC_db."),
        (lambda *a: _bptt(*a, clip=5.0), "no clipping"),
        (lambda *a: _bptt(*a, clip_norm=100.0), "no clipping"),
        (lambda *a: _bptt(*a, clip_norm=1000.0), "no clipping"),
    ],
    "lstm_cell_forward": [
        (lambda *a: _cell(*a, order="ifog"), "(i, f, o, g)"),
        (lambda *a: _cell(*a, g_act="sigmoid"), "g = σ(·)"),
        (lambda *a: _cell(*a, h_tanh=False), "h_t = o ⊙ c_t"),
        (lambda *a: _cell(*a, swap=True), "swapped"),
        (lambda *a: _cell(*a, no_i=True), "input gate is missing"),
        (lambda *a: _cell(*a, one_minus_f=True), "KEPT"),
        (lambda *a: _cell(*a, old_c=True), "tanh(c_prev)"),
        (lambda *a: _cell(*a, in_place=True), "modified its input c_prev"),
        (lambda *a: _cell(*a, as_list=True), "a Python list"),
    ],
}

WRONG["gradient_through_time"] = [
    (lambda *a: through_time(*a, steps="all"), "every step's state"),
    (lambda *a: through_time(*a, steps="first"), "the FIRST state"),
    (lambda *a: through_time(*a, squared=True), "squared norms"),
    (lambda *a: through_time(*a, reverse=True), "reverse order"),
    (lambda *a: through_time(*a, per_example=True), "should have shape"),
    (lambda *a: through_time(*a, first_example=True), 'nl.checks.hint("gradient_through_time")'),
    (lambda *a: through_time(*a, mean=True), 'nl.checks.hint("gradient_through_time")'),
]

CASES = [(n, i) for n, wrongs in WRONG.items() for i in range(len(wrongs))]


# ----------------------------------------------------------------------------------------------
# the references

def test_references_are_nnlab_layers_and_central_differences():
    for seed in range(5):
        for case in PARTS["rnn_backward"].cases(np.random.default_rng(seed)):
            g, x, W_x, W_h, b = case.args
            dx, dWx, dWh, db = PARTS["rnn_backward"].expected(case)
            cost = lambda: float(np.sum(g * rnn_forward_list(x, W_x, W_h, b)))  # noqa: E731
            for got, p in ((dx, x), (dWx, W_x), (dWh, W_h), (db, b)):
                np.testing.assert_allclose(got, numeric_grad(cost, p), rtol=1e-4, atol=1e-7)
        for case in PARTS["lstm_cell_forward"].cases(np.random.default_rng(seed)):
            x, h, c, W_x, W_h, b = case.args
            H = h.shape[1]
            # nl.LSTM starts from h_0 = c_0 = 0: compare its first step, and its second step
            # from its own first state
            layer = nl.LSTM(x.shape[1], H, rng=np.random.default_rng(seed))
            layer.W_x.data[...], layer.W_h.data[...], layer.b.data[...] = W_x, W_h, b
            seq = np.stack([x, x[::-1]], axis=1)
            hs = layer.forward(seq)
            h1, c1 = layer.h[:, 0], layer.c[:, 0]
            step1 = PARTS["lstm_cell_forward"]._reference(x, np.zeros_like(h), np.zeros_like(c), W_x, W_h, b)
            np.testing.assert_allclose(step1[0], h1, rtol=1e-12, atol=1e-14)
            np.testing.assert_allclose(step1[1], c1, rtol=1e-12, atol=1e-14)
            step2 = PARTS["lstm_cell_forward"]._reference(x[::-1], h1, c1, W_x, W_h, b)
            np.testing.assert_allclose(step2[0], hs[:, 1], rtol=1e-12, atol=1e-14)
            np.testing.assert_allclose(step2[1], layer.c[:, 1], rtol=1e-12, atol=1e-14)


def test_hidden_cases_are_other_inputs_than_the_public_ones():
    for name in NAMES:
        public = PARTS[name].cases(np.random.default_rng(seed_of(name)))
        labels = {c.label for c in public if not getattr(c, "hidden", False)}
        hidden_kinds = set()
        for seed in range(20):
            cases = PARTS[name].cases(np.random.default_rng(seed))
            hidden_kinds |= {c.label for c in cases if getattr(c, "hidden", False)}
            shapes = [np.shape(a) for a in cases[0].args]
        assert hidden_kinds and not hidden_kinds & labels, name
        assert len(hidden_kinds) >= 3, (name, hidden_kinds)
        assert shapes  # sizes are drawn from the seed too


# ----------------------------------------------------------------------------------------------
# the seed sweep

@pytest.mark.parametrize("name", NAMES)
def test_every_wrong_version_is_rejected_on_every_seed(name):
    passed = sweep(name, [fn for fn, _ in WRONG[name]], SEEDS, name_mistakes=False)
    rates = {i: f"{len(SEEDS) - len(p)}/{len(SEEDS)}" for i, p in passed.items()}
    assert not any(passed.values()), f"{name}: rejected on {rates}"


@pytest.mark.parametrize("name,index", CASES, ids=[f"{n}-{i}" for n, i in CASES])
def test_wrong_version_message_names_the_mistake(name, index):
    fn, words = WRONG[name][index]
    result = nl.checks.run_check(PARTS[name], fn)  # the notebook's own check: the right words
    assert not result.passed and result.message.startswith(f"✗ {name}: wrong on test input")
    assert words in result.message, result.message


@pytest.mark.parametrize("name", NAMES)
def test_right_versions_pass_on_every_seed(name):
    functions = [solution("11_recurrent_networks_and_lstms")[name], *RIGHT[name]]
    for i, passed in sweep(name, functions, SEEDS[:40], name_mistakes=False).items():
        failed = sorted(set(SEEDS[:40]) - set(passed))
        assert not failed, (functions[i].__name__, failed[:3], verdict(name, functions[i], failed[0]).message)


# ----------------------------------------------------------------------------------------------
# what the notebook check prints

@pytest.mark.parametrize("name", NAMES)
def test_solution_passes_and_stub_is_not_implemented(name, capsys):
    result = nl.checks.run_check(PARTS[name], solution("11_recurrent_networks_and_lstms")[name])
    assert result.passed and result.message.startswith(f"✓ {name}:") and "\n" not in result.message

    def stub(*args):
        raise NotImplementedError(f"{name}: replace these two lines with your code")

    result = nl.checks.run_check(PARTS[name], stub)
    assert result.status == "not implemented" and result.message.startswith(f"✗ {name}: not implemented yet.")


@pytest.mark.parametrize("name", NAMES)
def test_crash_and_nan_are_reported(name):
    def crash(*args):
        return 1 / 0

    result = nl.checks.run_check(PARTS[name], crash)
    assert result.status == "error" and "ZeroDivisionError" in result.message and "in crash" in result.message

    def nan(*args):
        out = solution("11_recurrent_networks_and_lstms")[name](*args)
        return tuple(np.full_like(o, np.nan) for o in out) if isinstance(out, tuple) else np.full_like(out, np.nan)

    result = nl.checks.run_check(PARTS[name], nan)
    assert result.status == "wrong" and "nan" in result.message


def test_message_names_the_wrong_outputs_and_the_mistake():
    result = nl.checks.run_check(PARTS["rnn_backward"], WRONG["rnn_backward"][1][0])
    text = result.message
    assert "Wrong: dC_dW_x, dC_dW_h and dC_db; right: dC_dx." in text
    assert "dC_dW_h: Largest error" in text and "accumulate with +=" in text
    result = nl.checks.run_check(PARTS["lstm_cell_forward"], WRONG["lstm_cell_forward"][0][0])
    assert "Wrong: h_t and c_t (every output)." in result.message and "i, f, g, o" in result.message


def test_float32_results_are_named_as_such():
    def float32_cell(*args):
        return tuple(o.astype(np.float32) for o in _cell(*args, order="ifog"))

    text = nl.checks.run_check(PARTS["lstm_cell_forward"], float32_cell).message
    assert "float32" in text and "Wrong: h_t and c_t" in text


def test_grader_runs_the_parts_on_hidden_seeds_and_flags_nl_rnn(tmp_path):
    from nnlab.grading import Limits
    from nnlab.grading.grader import grade_part, read_cells

    cells, _, problem = read_cells(SOLUTION)
    assert problem is None
    for name in ("rnn_backward", "lstm_cell_forward"):
        (tmp_path / name / "private").mkdir(parents=True)
        result, problems, reached = grade_part(PARTS[name], {"points": 3, "seed": 4242}, cells,
                                               tmp_path / name, Limits(), "token")
        assert result.passed and not problems and not reached, result.message
    source = ("import numpy as np\nimport nnlab as nl\n\ndef rnn_forward(x, W_x, W_h, b):\n"
              "    layer = nl.RNN(W_x.shape[1], W_x.shape[0], rng=np.random.default_rng(0))\n"
              "    layer.W_x.data[...], layer.W_h.data[...], layer.b.data[...] = W_x, W_h, b\n"
              "    return layer.forward(x)\n")
    notebook = tmp_path / "reuse.ipynb"
    notebook.write_text(json.dumps({"cells": [{"cell_type": "code", "source": source, "metadata": {}}]}))
    cells, _, _ = read_cells(notebook)
    (tmp_path / "w" / "private").mkdir(parents=True)
    result, _, reached = grade_part(PARTS["rnn_forward"], {"points": 2, "seed": 7}, cells,
                                    tmp_path / "w", Limits(), "token")
    assert result.passed and reached == ["nnlab.recurrent.RNN"]


# ----------------------------------------------------------------------------------------------
# the hint ladder: three steps or more, none of them (nor a mistake's explanation) the solution line

def _solution_lines(name) -> set[str]:
    for cell in json.loads(SOLUTION.read_text())["cells"]:
        source = "".join(cell["source"])
        if cell.get("metadata", {}).get("nnlab", {}).get("part") == name:
            body = source.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0]
            lines = {re.sub(r"\s+", "", line.split("#")[0]) for line in body.splitlines()}
            return {line for line in lines if len(line.split("=", 1)[-1]) >= 12
                    and not line.startswith(("for", "if", "def", "return"))} | \
                   {line[len("return"):] for line in lines if line.startswith("return") and len(line) > 20}
    raise AssertionError(f"no solution cell for {name}")


@pytest.mark.parametrize("name", NAMES)
def test_hint_ladder_never_gives_the_solution_line(name):
    part = PARTS[name]
    assert len(part.hints) >= 3 and len(set(part.hints)) == len(part.hints)
    texts = [re.sub(r"\s+", "", t) for t in [*part.hints, *(e for _, e in getattr(part, "_mistakes", [])),
                                             *(e for _, e in getattr(part, "DRIVER_MISTAKES", []))]]
    for line in _solution_lines(name):
        assert not any(line in t for t in texts), (name, line)
