"""Checks for chapter 01, the neuron: σ, a neuron's output, the bias trick, logic gates."""

from __future__ import annotations

import numpy as np

from ..activations import sigmoid as _sigmoid
from ._core import Case, CheckResult, Part, run_check
from ._parts import FunctionPart
from ._plain import describe

LARGE_Z = np.array([-1000.0, -60.0, -1.0, 0.0, 1.0, 60.0, 1000.0])


def _append_one(a):
    return np.concatenate([a, np.ones((a.shape[0], 1))], axis=1)


SIGMOID = FunctionPart(
    "sigmoid", "sigmoid(z)", "01",
    lambda rng: [
        Case("random z of shape (3, 4)", (rng.uniform(-5, 5, (3, 4)),)),
        Case("a vector of 6", (rng.uniform(-3, 3, 6),)),
        Case("zeros", (np.zeros((2, 3)),)),
        Case("large |z|", (LARGE_Z * rng.uniform(0.9, 1.0),)),
        Case("a batch of one", (rng.uniform(-5, 5, (1, 5)),)),
    ],
    _sigmoid,
    mistakes=[
        (lambda z: 1.0 / (1.0 + np.exp(z)), "σ(−z). Hint: the exponent has a minus sign: e^(−z)."),
        (lambda z: (z > 0).astype(float), "a step function (the perceptron), not the smooth σ. "
                                          "Hint: σ(z) = 1 / (1 + e^(−z))."),
        (np.tanh, "tanh(z), another activation (chapter 02). Hint: σ(z) = 1 / (1 + e^(−z))."),
        (lambda z: np.exp(-z) / (1.0 + np.exp(-z)), "1 − σ(z). Hint: σ(z) = 1 / (1 + e^(−z))."),
    ],
    no_warnings=True,
    hints=(
        "σ squashes any number into (0, 1): large positive z gives nearly 1, large negative z "
        "nearly 0, and σ(0) = ½. It acts on every entry of z on its own.",
        "σ(z) = 1 / (1 + e^(−z)). For very negative z, e^(−z) overflows; for those entries "
        "multiply top and bottom by e^z: σ(z) = e^z / (1 + e^z), where the exponent is small.",
        "np.exp for e^x; np.where(condition, a, b) picks one of two formulas per entry; the "
        "exponent −|z| (np.abs) is never positive, so e^(−|z|) never overflows.",
    ),
)


def _neuron(w, b, a):
    return _sigmoid(a @ w + b)


NEURON_FORWARD = FunctionPart(
    "neuron_forward", "neuron_forward(w, b, a)", "01",
    lambda rng: [
        Case("a batch of 5 inputs with 3 features", (rng.normal(size=3), float(rng.normal()),
                                                      rng.uniform(0, 1, (5, 3)))),
        Case("a batch of one", (rng.normal(size=4), float(rng.normal()), rng.uniform(0, 1, (1, 4)))),
        Case("zero inputs (the output is σ(b))", (rng.normal(size=2), float(rng.normal()), np.zeros((3, 2)))),
        Case("large weights", (rng.choice([-1.0, 1.0], 3) * 200.0, 1.0, rng.uniform(-1, 1, (4, 3)))),
    ],
    _neuron,
    mistakes=[
        (lambda w, b, a: a @ w + b, "z = w · a + b, the weighted input. Hint: the neuron's output "
                                    "is σ(z): pass z through your sigmoid."),
        (lambda w, b, a: _sigmoid(a @ w), "σ(w · a) without the bias. Hint: add b before σ."),
        (lambda w, b, a: _sigmoid(a @ w - b), "σ(w · a − b). Hint: the bias is added: z = w · a + b."),
        (lambda w, b, a: (a @ w + b > 0).astype(float), "a step neuron. Hint: use σ, not a threshold."),
    ],
    hints=(
        "A neuron weighs its inputs, adds its bias, and passes the sum through σ — for every "
        "example (row) of the batch.",
        "z = Σ_k w_k a_k + b for each row a; the output is σ(z), one number per example.",
        "The matrix product of the batch (N, n) with w (n,) — the @ operator — gives all N "
        "weighted sums at once; then your sigmoid.",
    ),
    error_hint="a has shape (N, n) and w shape (n,): a @ w has shape (N,).",
)

NEURON_BIAS_TRICK = FunctionPart(
    "neuron_forward_bias_trick", "neuron_forward_bias_trick(w_ext, a)", "01",
    lambda rng: [
        Case("a batch of 4 inputs with 2 features", (rng.normal(size=3), rng.uniform(0, 1, (4, 2)))),
        Case("a batch of one", (rng.normal(size=4), rng.uniform(0, 1, (1, 3)))),
        Case("zero inputs (the output is σ(b))", (rng.normal(size=3), np.zeros((2, 2)))),
        Case("5 features", (rng.normal(size=6), rng.uniform(-1, 1, (3, 5)))),
    ],
    lambda w_ext, a: _sigmoid(_append_one(a) @ w_ext),
    mistakes=[
        (lambda w, a: _sigmoid(a @ w[:-1]), "σ(w · a) without the bias: the constant input must be "
                                            "1, not 0. Hint: append a column of ones to a."),
        (lambda w, a: _sigmoid(w[0] + a @ w[1:]), "the result with the bias as the FIRST weight. "
                                                  "Hint: in this course the bias is the last entry "
                                                  "of w_ext, on a 1 appended after the inputs."),
        (lambda w, a: _append_one(a) @ w, "z, not σ(z). Hint: pass z through your sigmoid."),
    ],
    hints=(
        "The bias is a weight like the others, on an extra input that is always 1.",
        "a_ext = [a, 1] (one more column of ones, after the inputs); the output is σ(a_ext · "
        "w_ext), with the bias as the last entry of w_ext.",
        "np.ones((N, 1)) makes the column; np.concatenate([...], axis=1) (or np.hstack) appends "
        "it.",
    ),
    error_hint="w_ext has one more entry than a has columns: append a column of ones to a first.",
)

GATE_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
GATES = {"AND": np.array([0, 0, 0, 1]), "OR": np.array([0, 1, 1, 1]), "NAND": np.array([1, 1, 1, 0]),
         "NOR": np.array([1, 0, 0, 0]), "XOR": np.array([0, 1, 1, 0])}


class LogicGatePart(Part):
    """logic_gate_weights(gate) → (w, b) for a step neuron; judged on the four inputs."""

    def cases(self, rng):
        return [Case("the AND gate", ("AND",)), Case("the OR gate", ("OR",))]

    def judge(self, case, got):
        gate = case.args[0]
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            return [f"Return two things, `return w, b`: an array w of 2 weights and a number b; "
                    f"got {describe(got)}."]
        w, b = got
        try:
            w = np.asarray(w, dtype=np.float64)
            b = float(b)
        except (TypeError, ValueError):
            return ["w must be 2 numbers and b one number."]
        if w.shape != (2,) or not np.isfinite(w).all() or not np.isfinite(b):
            return [f"w must be an array of 2 finite weights and b a finite number; got w of shape "
                    f"{w.shape} and b = {b}."]
        outputs = (GATE_INPUTS @ w + b > 0).astype(int)
        want = GATES[gate]
        if np.array_equal(outputs, want):
            return None
        lines = [f"With w = {w.tolist()} and b = {b:g}, the step neuron (1 if w · x + b > 0) outputs "
                 f"{outputs.tolist()} on the inputs (0,0), (0,1), (1,0), (1,1); {gate} is "
                 f"{want.tolist()}."]
        same = [name for name, table in GATES.items() if np.array_equal(outputs, table)]
        if same:
            lines.append(f"Your neuron computes {same[0]}, not {gate}.")
        lines.append("Hint: the line w · x + b = 0 must separate the inputs that give 1 from "
                     "those that give 0; try w = (1, 1) and choose b.")
        return lines


LOGIC_GATE = LogicGatePart("logic_gate_weights", "logic_gate_weights(gate)", "01",
                           hints=(
                               "A step neuron outputs 1 when w · x + b > 0: the line w · x + b = "
                               "0 must separate the inputs that give 1 from those that give 0.",
                               "With w = (1, 1), w · x is 0, 1, 1 and 2 on the inputs (0,0), "
                               "(0,1), (1,0), (1,1); the neuron fires where w · x > −b.",
                               "AND must fire only where w · x = 2, OR where it is 1 or 2: choose"
                               " −b between the sums that must not fire and those that must.",
                           ))

PARTS = [SIGMOID, NEURON_FORWARD, NEURON_BIAS_TRICK, LOGIC_GATE]


def check_sigmoid(sigmoid) -> CheckResult:
    """Check your `sigmoid(z)`: σ(z) = 1 / (1 + e^(−z)) elementwise, stable for large |z|.  Chapter 01."""
    return run_check(SIGMOID, sigmoid)


def check_neuron_forward(neuron_forward) -> CheckResult:
    """Check your `neuron_forward(w, b, a)`: σ(a @ w + b) for a batch a of shape (N, n).  Chapter 01."""
    return run_check(NEURON_FORWARD, neuron_forward)


def check_neuron_forward_bias_trick(neuron_forward_bias_trick) -> CheckResult:
    """Check your `neuron_forward_bias_trick(w_ext, a)`: σ([a, 1] @ w_ext), bias last.  Chapter 01."""
    return run_check(NEURON_BIAS_TRICK, neuron_forward_bias_trick)


def check_logic_gate_weights(logic_gate_weights) -> CheckResult:
    """Check your `logic_gate_weights(gate)` → (w, b) for "AND" and "OR" step neurons.  Chapter 01."""
    return run_check(LOGIC_GATE, logic_gate_weights)
