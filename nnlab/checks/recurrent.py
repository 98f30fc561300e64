"""Checks for chapter 11, recurrent networks and LSTMs: an RNN's forward pass over a sequence, its
backward pass through time, a measurement of how the gradient fades through time, and one step of
an LSTM cell.

The references are nnlab's own layers: `rnn_forward` and `rnn_backward` are judged against
`nl.RNN` (its forward, and its backward pass through time) with the learner's weights copied in;
`lstm_cell_forward` against the LSTM step written out with the gate order of `nl.LSTM` (i, f, g, o),
which the tests show equals `nl.LSTM` step for step.

A result with several outputs is judged output by output: the message says which are wrong
("dC_dW_h and dC_db are wrong; dC_dx and dC_dW_x are right") before it shows the largest error of
each, and a known mistake is named only when the whole result equals it.
"""

from __future__ import annotations

import numpy as np

from ..recurrent import RNN
from . import _core
from ._core import Case, CheckResult, Part, compare, run_check
from ._parts import quietly
from ._plain import describe, shape_text, to_plain


# ----------------------------------------------------------------------------------------------
# judging results with several named outputs (shared with the autograd checks)

def _hidden(case: Case) -> Case:
    """Mark a case as one only the grader runs (a different kind of input than the public ones)."""
    case.hidden = True
    return case


def dtype_note(expected, got) -> list[str]:
    """A line saying the result is float32 (or integer) where float64 was expected, else []."""
    if isinstance(expected, np.ndarray) and isinstance(got, np.ndarray) and \
            expected.dtype == np.float64 and got.dtype != np.float64 and got.shape == expected.shape:
        return [f"(your result is {got.dtype}: compute in float64 — it is the dtype of the inputs — "
                "so that it can agree to the tolerance)"]
    return []


def judge_outputs(expected, got, names: tuple, rtol: float, atol: float) -> list[str] | None:
    """None when every output agrees; else which outputs are wrong, which are right, and each
    wrong one's first difference (shape, then the largest error)."""
    if not isinstance(expected, tuple):
        problem = compare(expected, got, (), rtol, atol)
        if problem is None:
            return None
        said = isinstance(got, np.ndarray) and any(str(got.dtype) in line for line in problem)
        return problem if said else problem + dtype_note(expected, got)
    if not isinstance(got, (tuple, list)) or len(got) != len(expected):
        return [f"Your result should be {len(expected)} values ({', '.join(names)}), returned as "
                f"`return {', '.join(names)}`; got {describe(got)}."]
    wrong, lines = [], []
    for name, e, g in zip(names, expected, got):
        problem = compare(e, g, (), rtol, atol, what=name)
        if problem is None:
            continue
        wrong.append(name)
        problem = [line for line in problem if not line.startswith("Shapes agree")]
        lines.append(problem[0] if problem[0].startswith(name) else f"{name}: {problem[0]}")
        lines += ["  " + line for line in problem[1:]]
        if not any(str(g.dtype) in line for line in problem if isinstance(g, np.ndarray)):
            lines += ["  " + n for n in dtype_note(e, g)]  # unless compare said it already
    if not wrong:
        return None
    right = [n for n in names if n not in wrong]
    head = f"Wrong: {_join(wrong)}" + (f"; right: {_join(right)}." if right else " (every output).")
    return [head, *lines]


def _join(names) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


#: The checks name a known mistake only when it explains every case (nl.checks' judge does it
#: across the cases); where that is not available, a part names it per case.
ACROSS_CASES = hasattr(_core, "diagnose_all")


class OutputsPart(Part):
    """A part judged against `reference(*args)` output by output; `mistakes` are
    (wrong_function, explanation) pairs, named when the whole result equals one of them."""

    diagnose_across_cases = True

    def __init__(self, name, signature, chapter, make_cases, reference, mistakes=(), *,
                 shape_hints=None, **options):
        super().__init__(name, signature, chapter, **options)
        self._make_cases = make_cases
        self._reference = reference
        self._mistakes = list(mistakes)
        self._shape_hints = shape_hints

    def cases(self, rng):
        return self._make_cases(rng)

    def expected(self, case):
        return to_plain(quietly(self._reference, *case.args))

    def wrong(self, case):
        found = []
        for f, explanation in self._mistakes:
            try:
                found.append((to_plain(quietly(f, *case.args)), explanation))
            except Exception:  # this mistake cannot run on this case: it cannot be the one
                continue
        return found

    def judge(self, case, got):
        expected = self.expected(case)
        problem = judge_outputs(expected, got, self.outputs, self.rtol, self.atol)
        if problem is None:
            return None
        if self._shape_hints is not None:
            problem += self._shape_hints(case, got)
        return problem if ACROSS_CASES else problem + self.diagnose(case, got)

    def diagnose(self, case, got):
        for value, explanation in self.wrong(case):
            if judge_outputs(value, got, self.outputs, self.rtol, self.atol) is None:
                return [f"Your result equals {explanation}"]
        return [f"Hint: {self.hint}"] if self.hint else []


# ----------------------------------------------------------------------------------------------
# rnn_forward

def _rnn(x, W_x, W_h, b, *, transpose_h=False, transpose_x=False, tanh=True, h0=0.0, shift=False,
         recurrent=True):
    N, T, _ = x.shape
    H = W_h.shape[0]
    h = np.full((N, H), h0, dtype=np.float64)
    Wx = W_x if transpose_x else W_x.T
    Wh = W_h if transpose_h else W_h.T
    out = []
    for t in range(T):
        z = x[:, t] @ Wx + (h @ Wh if recurrent else 0.0) + b
        if shift:
            out.append(h)
        h = np.tanh(z) if tanh else z
        if not shift:
            out.append(h)
    return np.stack(out, axis=1)


def _rnn_reference(x, W_x, W_h, b):
    layer = RNN(W_x.shape[1], W_x.shape[0], rng=np.random.default_rng(0))
    layer.W_x.data[...] = W_x
    layer.W_h.data[...] = W_h
    layer.b.data[...] = b
    return layer, layer.forward(x)


def _rnn_inputs(rng, N, T, n_in, H, scale=0.6, x_scale=1.0, zero_x=False):
    x = np.zeros((N, T, n_in)) if zero_x else rng.normal(size=(N, T, n_in)) * x_scale
    return (x, rng.normal(size=(H, n_in)) * scale, rng.normal(size=(H, H)) * scale,
            rng.normal(size=H) * 0.5)


def _sizes(rng):
    """(N, T, n_in, H) with N ≠ T and n_in ≠ H, so that a swapped axis or a transposed matrix
    shows in the shape."""
    N, T = int(rng.integers(2, 5)), int(rng.integers(5, 8))
    n_in = int(rng.integers(2, 4))
    H = n_in + int(rng.integers(1, 3))
    return N, T, n_in, H


def _rnn_cases(rng):
    N, T, n_in, H = _sizes(rng)
    H2 = int(rng.integers(3, 5))
    cases = [
        Case(f"a batch of {N} sequences of {T} steps, {n_in} inputs → {H} hidden units",
             _rnn_inputs(rng, N, T, n_in, H)),
        Case(f"n_in = n_hidden = {H2} (square W_x), 6 steps", _rnn_inputs(rng, 3, 6, H2, H2)),
        Case("one sequence of 12 steps", _rnn_inputs(rng, 1, 12, n_in, H)),
        Case("a single step (T = 1): h_1 = tanh(x_1 W_xᵀ + b)", _rnn_inputs(rng, 4, 1, n_in, H)),
        Case("zero input: only b and the recurrence move h", _rnn_inputs(rng, 2, 5, n_in, H, zero_x=True)),
    ]
    extra = [
        Case("large weights (tanh saturates near ±1)", _rnn_inputs(rng, 3, 5, n_in, H, scale=4.0)),
        Case("small inputs and weights (h stays small)", _rnn_inputs(rng, 2, 6, n_in, H, scale=0.05,
                                                                     x_scale=0.1)),
        Case("many units: 3 inputs → 16 hidden", _rnn_inputs(rng, 2, 4, 3, 16, scale=0.3)),
        Case("one input feature per step", _rnn_inputs(rng, 5, 7, 1, H)),
    ]
    picked = rng.choice(len(extra), size=2, replace=False)
    return cases + [_hidden(extra[i]) for i in sorted(picked)]


def _time_major_hint(case, got):
    """A hint when the states come back time first, (T, N, n_hidden)."""
    x = case.args[-4] if len(case.args) == 4 else case.args[1]
    N, T = x.shape[:2]
    outs = got if isinstance(got, (tuple, list)) else (got,)
    for g in outs:
        if isinstance(g, np.ndarray) and g.ndim == 3 and g.shape[:2] == (T, N) and N != T:
            return [f"(shape {shape_text(g.shape)} is (T, N, …): time first. The states go along axis 1: "
                    "np.stack(states, axis=1), or fill h[:, t].)"]
    return []


RNN_FORWARD = OutputsPart(
    "rnn_forward", "rnn_forward(x, W_x, W_h, b)", "11", _rnn_cases,
    lambda x, W_x, W_h, b: _rnn_reference(x, W_x, W_h, b)[1],
    mistakes=[
        (lambda *a: _rnn(*a, transpose_h=True),
         "the states with a transposed W_h (h_{t−1} @ W_h). Hint: W_h[j, m] is the weight from unit m "
         "at step t−1 to unit j at step t, so the recurrent input is h_{t−1} @ W_h.T."),
        (lambda *a: _rnn(*a, transpose_x=True),
         "the states with a transposed W_x (x_t @ W_x). Hint: W_x is (n_hidden, n_in): x_t @ W_x.T."),
        (lambda *a: _rnn(*a, tanh=False),
         "the states without tanh. Hint: h_t = tanh(z_t)."),
        (lambda *a: _rnn(*a, h0=1.0),
         "the states started from h_0 = 1. Hint: h_0 = 0: np.zeros((N, n_hidden))."),
        (lambda *a: _rnn(*a, shift=True),
         "[h_0, …, h_{T−1}]: each state one step late (the first one is h_0 = 0). Hint: return "
         "h_1 … h_T, the state after each step has read its input."),
        (lambda *a: _rnn(*a, recurrent=False),
         "the states without the recurrence: h_t = tanh(x_t W_xᵀ + b) forgets h_{t−1}. Hint: add "
         "h_{t−1} W_hᵀ, the previous state."),
    ],
    shape_hints=_time_major_hint,
    hint="h_t needs h_(t−1): a loop over the steps t, each reading x[:, t] and the state of the step "
         "before, starting from h_0 = 0.",
    hints=("h_t needs h_(t−1): a loop over the steps t = 1 … T, each reading x[:, t] and the state "
           "of the step before; the first step reads h_0 = 0.",
           "z_t = x_t W_xᵀ + h_(t−1) W_hᵀ + b, h_t = tanh(z_t); keep every h_t, h_1 … h_T (not h_0).",
           "np.zeros((N, n_hidden)) for h_0, `@` with W_x.T and W_h.T, np.tanh; put the states in an "
           "array of shape (N, T, n_hidden), at [:, t], or np.stack(states, axis=1)."),
    error_hint="x is (N, T, n_in): x[:, t] is step t, (N, n_in); W_x is (n_hidden, n_in), W_h is "
               "(n_hidden, n_hidden).",
    mutation_hint="build the states in a new array (h = np.zeros(...)); do not write into x.",
)


# ----------------------------------------------------------------------------------------------
# rnn_backward

def _rnn_backward_reference(dC_dh, x, W_x, W_h, b):
    layer, _ = _rnn_reference(x, W_x, W_h, b)
    dC_dx = layer.backward(dC_dh)
    return dC_dx, layer.W_x.grad.copy(), layer.W_h.grad.copy(), layer.b.grad.copy()


def _bptt(dC_dh, x, W_x, W_h, b, *, through_time=True, accumulate="all", transpose_h=False,
          prime="h", h_shift=False, db_mean=False, dW_transposed=False, wrap_first=False,
          dx_transposed=False):
    """Backpropagation through time with one mistake switched on (the defaults are right)."""
    N, T, _ = x.shape
    h_all = np.concatenate([np.zeros((N, 1, W_h.shape[0])), _rnn(x, W_x, W_h, b)], axis=1)
    z_all = np.stack([x[:, t] @ W_x.T + h_all[:, t] @ W_h.T + b for t in range(T)], axis=1)
    dC_dx = np.zeros_like(x, dtype=np.float64)
    dW_x, dW_h, db = np.zeros_like(W_x), np.zeros_like(W_h), np.zeros_like(b)
    from_next = np.zeros_like(h_all[:, 0])
    for t in range(T - 1, -1, -1):
        h_t, h_prev, z_t = h_all[:, t + 1], h_all[:, t], z_all[:, t]
        if wrap_first and t == 0:
            h_prev = h_all[:, T]                 # h[:, t − 1] with t = 0: the LAST state
        g = dC_dh[:, t] + (from_next if through_time else 0.0)
        slope = {"h": 1 - h_t ** 2, "z2": 1 - z_t ** 2, "tanh_h": 1 - np.tanh(h_t) ** 2,
                 "none": 1.0}[prime]
        delta = g * slope
        from_next = delta @ (W_h.T if transpose_h else W_h)
        dC_dx[:, t] = delta @ (W_x.T if dx_transposed else W_x)
        terms = (delta.T @ x[:, t], delta.T @ (h_t if h_shift else h_prev),
                 delta.mean(axis=0) if db_mean else delta.sum(axis=0))
        if accumulate == "all" or (accumulate == "first" and t == T - 1) or \
                (accumulate == "last" and t == 0):
            dW_x, dW_h, db = (dW_x + terms[0], dW_h + terms[1], db + terms[2]) if accumulate == "all" \
                else terms
    if dW_transposed:
        dW_x, dW_h = dW_x.T, dW_h.T
    return dC_dx, dW_x, dW_h, db


def _rnn_backward_cases(rng):
    cases = []
    for case in _rnn_cases(rng):
        x = case.args[0]
        H = case.args[2].shape[0]
        new = Case(case.label, (rng.normal(size=(*x.shape[:2], H)), *case.args))
        new.hidden = getattr(case, "hidden", False)
        cases.append(new)
    N, T, n_in, H = _sizes(rng)
    x, W_x, W_h, b = _rnn_inputs(rng, N, T, n_in, H)
    last = np.zeros((N, T, H))
    last[:, -1] = rng.normal(size=(N, H))
    cases.insert(1, Case(f"a gradient only at the last step (a classifier reading h_{T}), {T} steps",
                         (last, x, W_x, W_h, b)))
    # the exact gradient, however large: clipping is a training step's choice, not the derivative
    x, W_x, W_h, b = _rnn_inputs(rng, 2, 6, n_in, H)
    cases.insert(2, Case("a large gradient from above (|∂C/∂h_t| ~ 1000): the exact gradient, no clipping",
                         (rng.normal(size=(2, 6, H)) * 1000.0, x, W_x, W_h, b)))
    return cases


RNN_BACKWARD = OutputsPart(
    "rnn_backward", "rnn_backward(dC_dh, x, W_x, W_h, b)", "11", _rnn_backward_cases,
    _rnn_backward_reference,
    outputs=("dC_dx", "dC_dW_x", "dC_dW_h", "dC_db"),
    rtol=1e-6, atol=1e-9,
    mistakes=[
        (lambda *a: _bptt(*a, through_time=False),
         "the gradients with only the direct ∂C/∂h_t = dC_dh[:, t]: the gradient that reaches h_t "
         "through h_{t+1} is missing. Hint: h_t is used twice — by the layers above and by step "
         "t+1 — so ∂C/∂h_t has two terms; carry the second one back from step t+1."),
        (lambda *a: _bptt(*a, accumulate="last"),
         "dC_dW_x, dC_dW_h and dC_db of step t = 1 alone (each step overwrote the one before). "
         "Hint: the same weights are used at every step, so their gradient is the SUM of every "
         "step's term: accumulate with +=."),
        (lambda *a: _bptt(*a, accumulate="first"),
         "dC_dW_x, dC_dW_h and dC_db of the last step t = T alone. Hint: the same weights are used "
         "at every step, so their gradient is the SUM of every step's term."),
        (lambda *a: _bptt(*a, transpose_h=True),
         "the gradients with W_h transposed in the step back through time. Hint: the forward pass "
         "multiplies h_{t−1} by W_hᵀ, so the gradient goes back through W_h itself."),
        (lambda *a: _bptt(*a, prime="z2"),
         "the gradients with tanh′ = 1 − z² (the weighted input squared). Hint: tanh′(z) = 1 − "
         "tanh(z)² = 1 − h_t²: square the state, not z."),
        (lambda *a: _bptt(*a, prime="tanh_h"),
         "the gradients with tanh′ = 1 − tanh(h_t)²: tanh applied twice. Hint: h_t is already "
         "tanh(z_t), so tanh′(z_t) = 1 − h_t²."),
        (lambda *a: _bptt(*a, prime="none"),
         "the gradients without tanh′. Hint: h_t = tanh(z_t), so δ_t = ∂C/∂h_t ⊙ tanh′(z_t)."),
        (lambda *a: _bptt(*a, wrap_first=True),
         "a dC_dW_h whose first step uses the LAST state h_T: h[:, t − 1] with t = 0 is h[:, −1] in "
         "Python. Hint: at the first step h_(t−1) is h_0 = 0, so that step adds nothing to dC_dW_h."),
        (lambda *a: _bptt(*a, dx_transposed=True),
         "dC_dx with W_x transposed. Hint: the forward pass multiplies x_t by W_xᵀ, so ∂C/∂x_t = "
         "δ_t W_x, (N, n_hidden) @ (n_hidden, n_in)."),
        (lambda *a: _bptt(*a, h_shift=True),
         "a dC_dW_h built from h_t instead of h_{t−1}. Hint: z_t = … + h_{t−1} W_hᵀ, so step t adds "
         "δ_tᵀ h_{t−1} (with h_0 = 0 at the first step)."),
        (lambda *a: _bptt(*a, db_mean=True),
         "a dC_db averaged over the batch. Hint: sum δ_t over the batch and over the steps (dC_dh "
         "already carries any 1/N of the cost)."),
        (lambda *a: _bptt(*a, dW_transposed=True),
         "dC_dW_x and dC_dW_h transposed. Hint: a gradient has its parameter's shape: δ_tᵀ x_t is "
         "(n_hidden, n_in), like W_x."),
    ],
    shape_hints=_time_major_hint,
    hint="go from t = T down to 1: the gradient reaching h_t has two sources, the layers above and "
         "step t+1.",
    hints=("Go from the last step back to the first. The gradient reaching h_t has two sources: the "
           "layers above (dC_dh[:, t]) and step t+1, whose z_(t+1) reads h_t — which you have "
           "already handled when you get to step t.",
           "∂C/∂h_t = dC_dh[:, t] + δ_(t+1) W_h (nothing from step T+1); δ_t = ∂C/∂h_t ⊙ (1 − h_t²); "
           "the weights are shared, so each gradient is a sum over t: δ_tᵀ x_t, δ_tᵀ h_(t−1) "
           "(h_0 = 0), δ_t summed over the batch; and ∂C/∂x_t = δ_t W_x.",
           "a loop `for t in range(T − 1, −1, −1)`, one array carrying δ_(t+1) @ W_h to the next "
           "iteration, `+=` into np.zeros_like(W_x), np.zeros_like(W_h), np.zeros_like(b), and "
           "delta.sum(axis=0) for b."),
    error_hint="dC_dh is (N, T, n_hidden), x (N, T, n_in), W_x (n_hidden, n_in), W_h (n_hidden, "
               "n_hidden): δ_t (N, n_hidden) @ W_x is (N, n_in), δ_tᵀ @ x_t is (n_hidden, n_in).",
    mutation_hint="keep dC_dh as it is: add the gradient from step t+1 into a new array "
                  "(g = dC_dh[:, t] + from_next, not dC_dh[:, t] += …).",
)


# ----------------------------------------------------------------------------------------------
# lstm_cell_forward

def _sig(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # σ without overflow


def _cell(x, h, c, W_x, W_h, b, *, order="ifgo", g_sigmoid=False, h_tanh=True, swap=False,
          no_input_gate=False, one_minus_f=False, old_cell=False):
    H = h.shape[1]
    z = x @ W_x.T + h @ W_h.T + b
    blocks = dict(zip(order, (z[:, k * H:(k + 1) * H] for k in range(4))))
    i, f, o = _sig(blocks["i"]), _sig(blocks["f"]), _sig(blocks["o"])
    g = _sig(blocks["g"]) if g_sigmoid else np.tanh(blocks["g"])
    c_t = ((1 - f) if one_minus_f else f) * c + (g if no_input_gate else i * g)
    shown = c if old_cell else c_t
    h_t = o * (np.tanh(shown) if h_tanh else shown)
    return (c_t, h_t) if swap else (h_t, c_t)


def _lstm_inputs(rng, N, n_in, H, *, zero_state=False, scale=0.7, b_f=None, state_scale=1.0):
    x = rng.normal(size=(N, n_in))
    h = np.zeros((N, H)) if zero_state else np.tanh(rng.normal(size=(N, H)))
    c = np.zeros((N, H)) if zero_state else rng.normal(size=(N, H)) * 1.5 * state_scale
    W_x, W_h = rng.normal(size=(4 * H, n_in)) * scale, rng.normal(size=(4 * H, H)) * scale
    b = rng.normal(size=4 * H) * 0.5
    if b_f is not None:
        b[H:2 * H] = b_f
    return x, h, c, W_x, W_h, b


def _lstm_cases(rng):
    N, n_in, H = int(rng.integers(2, 5)), int(rng.integers(2, 5)), int(rng.integers(2, 5))
    cases = [
        Case(f"a batch of {N}, {n_in} inputs, {H} hidden units", _lstm_inputs(rng, N, n_in, H)),
        Case("the first step: h_prev = c_prev = 0", _lstm_inputs(rng, 3, n_in, H, zero_state=True)),
        Case("a forget gate wide open (b_f = 8, f ≈ 1: the old cell is kept)",
             _lstm_inputs(rng, 2, n_in, 3, b_f=8.0)),
        Case("a forget gate shut (b_f = −8, f ≈ 0: the old cell is dropped)",
             _lstm_inputs(rng, 2, n_in, 3, b_f=-8.0)),
        Case("a batch of one, 1 input, 5 hidden units", _lstm_inputs(rng, 1, 1, 5)),
    ]
    extra = [
        Case("a large cell state (|c_prev| up to ~10: tanh(c) saturates)",
             _lstm_inputs(rng, 3, n_in, H, state_scale=4.0)),
        Case("large weights (saturated gates)", _lstm_inputs(rng, 2, 3, 2, scale=5.0)),
        Case("many units: 2 inputs → 12 hidden", _lstm_inputs(rng, 2, 2, 12, scale=0.3)),
        Case("n_in = n_hidden = 4", _lstm_inputs(rng, 3, 4, 4)),
    ]
    picked = rng.choice(len(extra), size=2, replace=False)
    return cases + [_hidden(extra[i]) for i in sorted(picked)]


LSTM_CELL_FORWARD = OutputsPart(
    "lstm_cell_forward", "lstm_cell_forward(x_t, h_prev, c_prev, W_x, W_h, b)", "11", _lstm_cases,
    lambda *a: _cell(*a),
    outputs=("h_t", "c_t"),
    mistakes=[
        (lambda *a: _cell(*a, order="ifog"),
         "an LSTM step with the gates in the order (i, f, o, g). Hint: the rows of W_x, W_h and b "
         "are stacked in PyTorch's order i, f, g, o: the candidate g is the third block, z[:, 2H:3H], "
         "and the output gate o the fourth."),
        (lambda *a: _cell(*a, g_sigmoid=True),
         "an LSTM step with g = σ(·). Hint: the candidate g = tanh(z_g), in (−1, 1), so the cell "
         "can be written down as well as up; only i, f and o are sigmoids."),
        (lambda *a: _cell(*a, h_tanh=False),
         "an LSTM step with h_t = o ⊙ c_t. Hint: h_t = o ⊙ tanh(c_t)."),
        (lambda *a: _cell(*a, swap=True),
         "(c_t, h_t): the two outputs swapped. Hint: return h_t, c_t."),
        (lambda *a: _cell(*a, no_input_gate=True),
         "an LSTM step with c_t = f ⊙ c_prev + g: the input gate is missing. Hint: c_t = f ⊙ c_prev "
         "+ i ⊙ g."),
        (lambda *a: _cell(*a, one_minus_f=True),
         "an LSTM step with c_t = (1 − f) ⊙ c_prev + i ⊙ g. Hint: f is how much of the old cell is "
         "KEPT: c_t = f ⊙ c_prev + i ⊙ g."),
        (lambda *a: _cell(*a, old_cell=True),
         "an LSTM step with h_t = o ⊙ tanh(c_prev). Hint: h_t shows the NEW cell: o ⊙ tanh(c_t)."),
    ],
    hint="one matrix product gives all four gates' inputs at once; split it into four blocks.",
    hints=("One matrix product gives all four gates' inputs at once, z (N, 4H); its four blocks of H "
           "columns are, in this order, i, f, g, o.",
           "i, f, o = σ(their block), g = tanh(its block); c_t = f ⊙ c_prev + i ⊙ g; "
           "h_t = o ⊙ tanh(c_t).",
           "`@` with the transposed weight matrices, then column slices z[:, k*H:(k+1)*H] (or "
           "np.split(z, 4, axis=1)); nl.activations.sigmoid and np.tanh; `*` is ⊙."),
    error_hint="W_x is (4·n_hidden, n_in) and W_h (4·n_hidden, n_hidden): x_t @ W_x.T + h_prev @ "
               "W_h.T + b is (N, 4·n_hidden); split it into four blocks of n_hidden columns.",
    mutation_hint="compute c_t in a new array (c_t = f * c_prev + i * g), not c_prev *= f.",
)

# ----------------------------------------------------------------------------------------------
# gradient_through_time: a measurement

def _through_time(x, W_x, W_h, b, *, steps="last", norm="fro", axis_order=False):
    N, T, _ = x.shape
    H = W_h.shape[0]
    g = np.zeros((N, T, H))
    if steps == "last":
        g[:, -1] = 1.0
    elif steps == "first":
        g[:, 0] = 1.0
    else:
        g[:] = 1.0
    dC_dx = _rnn_backward_reference(g, x, W_x, W_h, b)[0]
    squares = (dC_dx ** 2).sum(axis=(0, 2))
    out = squares if norm == "squared" else np.sqrt(squares)
    return out[::-1] if axis_order else out


def _through_time_cases(rng):
    def inputs(N, T, n_in, H, scale):
        return (rng.normal(size=(N, T, n_in)), rng.normal(size=(H, n_in)) * scale,
                rng.normal(size=(H, H)) * scale, rng.normal(size=H) * 0.3)

    N, T, n_in, H = _sizes(rng)
    cases = [
        Case(f"{N} sequences of 15 steps, small weights (the gradient fades)", inputs(N, 15, n_in, H, 0.3)),
        Case(f"{N} sequences of {T} steps, {n_in} inputs → {H} hidden units", inputs(N, T, n_in, H, 0.7)),
        Case("one sequence of 8 steps, large recurrent weights", inputs(1, 8, n_in, H, 1.5)),
        Case("a single step", inputs(3, 1, n_in, H, 0.5)),
    ]
    extra = [Case("40 steps, weights of scale 0.5", inputs(2, 40, 3, 6, 0.5)),
             Case("many units: 20 hidden, 10 steps", inputs(2, 10, 2, 20, 0.3)),
             Case("one input feature, 12 steps", inputs(4, 12, 1, H, 0.8))]
    picked = rng.choice(len(extra), size=2, replace=False)
    return cases + [_hidden(extra[i]) for i in sorted(picked)]


GRADIENT_THROUGH_TIME = OutputsPart(
    "gradient_through_time", "gradient_through_time(x, W_x, W_h, b)", "11", _through_time_cases,
    lambda *a: _through_time(*a),
    mistakes=[
        (lambda *a: _through_time(*a, steps="all"),
         "the norms for the cost Σ_t Σ h_t (every step's state), not C = Σ h_T. Hint: only the last "
         "state is in the cost: dC_dh is 1 at step T and 0 at every other step."),
        (lambda *a: _through_time(*a, steps="first"),
         "the norms for C = Σ h_1, the FIRST state. Hint: the cost reads the last state h_T: "
         "dC_dh[:, −1] = 1."),
        (lambda *a: _through_time(*a, norm="squared"),
         "the squared norms ‖∂C/∂x_t‖². Hint: take the square root of the sum of squares."),
        (lambda *a: _through_time(*a, axis_order=True),
         "the right norms in reverse order (step T first). Hint: entry t − 1 of the result is step "
         "t, from the first step to the last."),
    ],
    rtol=1e-6, atol=1e-12,
    hint="one backward pass with the right dC_dh gives ∂C/∂x_t for every t at once.",
    hints=("One backward pass gives ∂C/∂x_t for every step t at once; you only need the right dC_dh "
           "for the cost C = Σ h_T.",
           "∂C/∂h_t from the layers above is 1 for every entry of h_T and 0 for every other step; "
           "then ‖∂C/∂x_t‖ = sqrt(Σ over the batch and the features of (∂C/∂x_t)²).",
           "np.zeros of the states' shape with the last step set to 1; your rnn_backward (or "
           "nl.RNN's backward); then square, .sum over axes 0 and 2 (the batch and the features) "
           "and np.sqrt."),
    error_hint="x is (N, T, n_in): dC_dh has the states' shape (N, T, n_hidden), and the result one "
               "number per step, shape (T,).",
)

PARTS = [RNN_FORWARD, RNN_BACKWARD, GRADIENT_THROUGH_TIME, LSTM_CELL_FORWARD]


def check_rnn_forward(rnn_forward) -> CheckResult:
    """Check your `rnn_forward(x, W_x, W_h, b)` → every hidden state (N, T, n_hidden).  Chapter 11."""
    return run_check(RNN_FORWARD, rnn_forward)


def check_rnn_backward(rnn_backward) -> CheckResult:
    """Check your `rnn_backward(dC_dh, x, W_x, W_h, b)` → (dC_dx, dC_dW_x, dC_dW_h, dC_db) against
    nl.RNN's backpropagation through time.  Chapter 11."""
    return run_check(RNN_BACKWARD, rnn_backward)


def check_gradient_through_time(gradient_through_time) -> CheckResult:
    """Check your `gradient_through_time(x, W_x, W_h, b)` → ‖∂C/∂x_t‖ for t = 1 … T, C = Σ h_T.
    Chapter 11."""
    return run_check(GRADIENT_THROUGH_TIME, gradient_through_time)


def check_lstm_cell_forward(lstm_cell_forward) -> CheckResult:
    """Check your `lstm_cell_forward(x_t, h_prev, c_prev, W_x, W_h, b)` → (h_t, c_t), gates in the
    order i, f, g, o.  Chapter 11."""
    return run_check(LSTM_CELL_FORWARD, lstm_cell_forward)
