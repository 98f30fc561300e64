"""Checks for chapter 01, the neuron: σ, a neuron's output, the bias trick, logic gates, and the
perceptron rule — one step of it, and training with it until every example is right."""

from __future__ import annotations

from functools import partial

import numpy as np

from ..activations import sigmoid as _sigmoid
from ._core import Case, CheckResult, Part, is_number, run_check
from ._parts import FunctionPart
from ._plain import describe

LARGE_Z = np.array([-1000.0, -60.0, -1.0, 0.0, 1.0, 60.0, 1000.0])


def _append_one(a):
    return np.concatenate([a, np.ones((a.shape[0], 1))], axis=1)


def _sigmoid_cancelling(z):
    """σ(z) as 1 − σ(−z) for z < 0: exactly 0 once e^(−|z|) < 1e-16 (z < −37)."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), 1.0 - 1.0 / (1.0 + e))


SIGMOID = FunctionPart(
    "sigmoid", "sigmoid(z)", "01",
    lambda rng: [
        Case("random z of shape (3, 4)", (rng.uniform(-5, 5, (3, 4)),)),
        Case("a vector of 6", (rng.uniform(-3, 3, 6),)),
        Case("zeros", (np.zeros((2, 3)),)),
        Case("large |z|", (LARGE_Z * rng.uniform(0.9, 1.0),)),
        Case("a batch of one", (rng.uniform(-5, 5, (1, 5)),)),
        Case("very negative z (σ is tiny, not 0)", (-rng.uniform(38.0, 440.0, (2, 4)),), hidden=True),
    ],
    _sigmoid,
    mistakes=[
        (_sigmoid_cancelling, "a σ that cancels to 0 for very negative z: 1 − 1/(1 + e^(−|z|)) (or "
                              "(1 + tanh(z/2))/2) loses every digit once e^(−|z|) is below 1e-16, "
                              "so σ(−40) comes out 0 instead of 4.2e-18. Hint: for z < 0 use "
                              "e^z / (1 + e^z), where the small number is kept, not subtracted."),
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
    atol=1e-200,  # relative down to σ ≈ 1e-194 (z ≈ −446): σ(−40) = 4.2e-18 is not 0
)


def _neuron(w, b, a):
    return _sigmoid(a @ w + b)


class PerExamplePart(FunctionPart):
    """A part whose result has one value per example (row of a): a single number is named as the
    whole batch summed into one output, not as a missing axis."""

    diagnose_across_cases = True

    def judge(self, case, got):
        problem = super().judge(case, got)
        expected = self.expected(case)
        if problem and is_number(got) and isinstance(expected, np.ndarray) and expected.ndim == 1:
            return [f"Your result is a single number; the neuron gives one output per example (row "
                    f"of a), shape ({expected.shape[0]},). Hint: sum over the features of each "
                    "example, not over the whole batch."]
        return problem


NEURON_FORWARD = PerExamplePart(
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
        (lambda w, b, a: _sigmoid(np.sum(a * w) + b), "σ of the sum over the WHOLE batch: one number "
                                                      "instead of one output per example. Hint: "
                                                      "sum over the features of each row only."),
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

NEURON_BIAS_TRICK = PerExamplePart(
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
    error_hint="a is (N, n) and w_ext has n + 1 entries: a_ext needs a column of N ones — one "
               "per example, shape (a.shape[0], 1) — after the n columns of a.",
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


# ----------------------------------------------------------------------------------------------
# the perceptron rule

def _perceptron_step(w_ext, x, y, lr, *, sign=1.0, update="mistake", bias=True, ge=False,
                     bias_first=False, smooth=False, use_lr=True):
    """One step of Rosenblatt's rule with one mistake switched on (the defaults are right)."""
    w = np.array(w_ext, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    x_ext = np.concatenate([[1.0], x]) if bias_first else np.concatenate([x, [1.0]])
    z = float(x_ext @ w)
    y_hat = _sigmoid(z) if smooth else float(z >= 0 if ge else z > 0)
    step = lr if use_lr else 1.0
    if update == "always":        # moves towards the class of every example, right or wrong
        change = step * (2.0 * y - 1.0) * x_ext
    elif update == "positive":    # adds every positive example
        change = step * y * x_ext
    else:
        change = sign * step * (y - y_hat) * x_ext
    if not bias:
        change[0 if bias_first else -1] = 0.0
    return w + change


def _step_case(rng, label, n, kind, lr=None, integer=False, hidden=False, margin=(0.3, 2.0)):
    """w_ext, x, y, lr with the prediction ŷ = step(w · [x, 1]) wrong ("mistake") or right."""
    lr = float(rng.uniform(0.2, 0.9)) if lr is None else lr
    x = rng.integers(0, 2, n) if integer else rng.uniform(-1.0, 1.0, n)
    if integer and not x.any():
        x[0] = 1
    y = int(rng.integers(0, 2)) if kind in ("mistake", "right") else kind[1]
    w = rng.normal(size=n + 1)
    if kind in ("mistake", "right"):
        z = float(rng.uniform(*margin))
        positive = (y == 1) == (kind == "right")       # the side of the line the point is on
        w[-1] = (z if positive else -z) - float(x @ w[:-1])
    else:                                              # ("zero", y): the start of training
        w = np.zeros(n + 1)
    return Case(label, (w, x, y, lr), hidden=hidden)


def _perceptron_step_cases(rng):
    mistake_pos = _step_case(rng, "", 2, "mistake")
    while mistake_pos.args[2] != 1:
        mistake_pos = _step_case(rng, "", 2, "mistake")
    mistake_neg = _step_case(rng, "", 3, "mistake")
    while mistake_neg.args[2] != 0:
        mistake_neg = _step_case(rng, "", 3, "mistake")
    right_pos = _step_case(rng, "", 2, "right")
    while right_pos.args[2] != 1:
        right_pos = _step_case(rng, "", 2, "right")
    right_neg = _step_case(rng, "", 4, "right")
    while right_neg.args[2] != 0:
        right_neg = _step_case(rng, "", 4, "right")
    for case, label in ((mistake_pos, "a mistake on a positive example (y = 1, ŷ = 0)"),
                        (mistake_neg, "a mistake on a negative example (y = 0, ŷ = 1)"),
                        (right_pos, "a right prediction, y = 1 (nothing changes)"),
                        (right_neg, "a right prediction, y = 0 (nothing changes)")):
        case.label = label
    cases = [mistake_pos, mistake_neg, right_pos, right_neg,
             _step_case(rng, "zero weights, y = 0: z = 0 gives ŷ = 0, right", 2, ("zero", 0)),
             _step_case(rng, "zero weights, y = 1: the first step of training", 3, ("zero", 1))]
    one = _step_case(rng, "one feature, η = 2.5, a mistake", 1, "mistake", lr=2.5, hidden=True)
    ints = _step_case(rng, "6 inputs of 0 and 1 (integers), a mistake", 6, "mistake", integer=True,
                      hidden=True)
    far = _step_case(rng, "a right prediction far from the line, η = 1", 3, "right", lr=1.0,
                     hidden=True, margin=(5.0, 9.0))
    return cases + [one, ints, far]


PERCEPTRON_STEP = FunctionPart(
    "perceptron_step", "perceptron_step(w_ext, x, y, lr)", "01", _perceptron_step_cases,
    _perceptron_step,
    mistakes=[
        (lambda w, x, y, lr: _perceptron_step(w, x, y, lr, sign=-1.0),
         "the step with the wrong sign: it moves the line AWAY from the misclassified example. "
         "Hint: for y = 1 and ŷ = 0 the weighted input w · x̃ was too small, so w must move "
         "towards x̃: add η (y − ŷ) x̃."),
        (lambda w, x, y, lr: _perceptron_step(w, x, y, lr, update="always"),
         "a step taken on every example, also on those it already gets right. Hint: the rule "
         "changes w only on a mistake; y − ŷ is 0 when the prediction is right."),
        (lambda w, x, y, lr: _perceptron_step(w, x, y, lr, update="positive"),
         "w + η y x̃: every positive example is added, right or wrong, and a mistake on a "
         "negative one changes nothing. Hint: the factor is y − ŷ, the error."),
        (lambda w, x, y, lr: _perceptron_step(w, x, y, lr, bias=False),
         "the step without the bias: the last entry of w_ext never changes. Hint: with the bias "
         "trick x̃ = (x, 1), so the bias, the weight on the constant 1, moves by η (y − ŷ) · 1."),
        (lambda w, x, y, lr: _perceptron_step(w, x, y, lr, bias_first=True),
         "the step with the constant input 1 FIRST. Hint: in this course the bias is the last "
         "entry of w_ext, on a 1 appended after the inputs."),
        (lambda w, x, y, lr: _perceptron_step(w, x, y, lr, ge=True),
         "the step with ŷ = 1 when z ≥ 0: at z = 0 (zero weights) it predicts 1. Hint: the step "
         "neuron fires only when z > 0, as in Part 4."),
        (lambda w, x, y, lr: _perceptron_step(w, x, y, lr, smooth=True),
         "the step with ŷ = σ(z) instead of the 0/1 step. Hint: the perceptron's prediction is "
         "step(z): 1 if z > 0 else 0."),
        (lambda w, x, y, lr: _perceptron_step(w, x, y, lr, use_lr=False),
         "the step without the learning rate. Hint: the change is η (y − ŷ) x̃."),
    ],
    hints=(
        "Predict first, with the step neuron on x̃ = (x, 1); a right prediction changes nothing, "
        "a mistake moves the weights towards (y = 1) or away from (y = 0) the example.",
        "ŷ = 1 if w_ext · x̃ > 0 else 0;  w_new = w_ext + η (y − ŷ) x̃ — y − ŷ is +1, −1 or 0.",
        "np.append (or np.concatenate) puts the 1 after x; `@` gives the weighted input; return a "
        "new array (w_ext + …), not w_ext changed in place.",
    ),
    error_hint="x has n entries and w_ext n + 1: append the constant 1 to x first.",
    mutation_hint="return a new array (w_new = w_ext + change), not `w_ext += change`.",
)


def _perceptron_train(X, y, lr, epochs, step=_perceptron_step, last=True):
    """The reference: zero weights, the examples in the given order, stop after an epoch without
    a mistake (or after `epochs`). `step` and `last=False` (the last example skipped) give the
    known-wrong trainings."""
    w = np.zeros(X.shape[1] + 1)
    examples = list(zip(X, y)) if last else list(zip(X, y))[:-1]
    for _ in range(epochs):
        mistakes = 0
        for x_i, y_i in examples:
            w_new = step(w, x_i, y_i, lr)
            mistakes += int(not np.array_equal(w_new, w))
            w = w_new
        if mistakes == 0:
            break
    return w


def _separable(rng, N, n, margin=0.25):
    """N points in n dimensions around a centre 3 away from the origin, labelled by a line
    (hyperplane) through the centre that is about perpendicular to it: separable, with a margin,
    and not by any line through the origin (the bias is needed). The rule needs at most 66 epochs
    on 1,600 such sets (400 seeds); the cases allow 300."""
    centre = rng.normal(size=n)
    centre *= 3.0 / np.linalg.norm(centre)
    u = centre / 3.0 + 0.3 * rng.normal(size=n)
    u /= np.linalg.norm(u)
    X = np.zeros((0, n))
    while len(X) < N:
        p = centre + rng.uniform(-1.5, 1.5, (4 * N, n))
        p = p[np.abs((p - centre) @ u) > margin]
        X = np.concatenate([X, p])[:N]
    y = ((X - centre) @ u > 0).astype(int)
    if y.min() == y.max():
        y[0], X[0] = 1 - y[0], 2 * centre - X[0]
    return X, y


def _step_bias_without_lr(w_ext, x, y, lr):
    """The step whose bias moves by y − ŷ, without η."""
    change = _perceptron_step(w_ext, x, y, lr) - w_ext
    change[-1] = change[-1] / lr
    return w_ext + change


def _step_plus_minus(w_ext, x, y, lr):
    """The rule with labels ±1: a mistake when (2y − 1) z ≤ 0, then w + η (2y − 1) x̃."""
    x_ext = np.append(x, 1.0)
    sign = 2.0 * y - 1.0
    return w_ext + lr * sign * x_ext if sign * (x_ext @ w_ext) <= 0 else np.array(w_ext, dtype=np.float64)


#: Trainings that go wrong in one way: (train(X, y, lr, epochs), what the learner's weights are then).
TRAIN_MISTAKES = (
    (lambda X, y, lr, E: _perceptron_train(X, y, 1.0, E),
     "the weights of steps that ignore the learning rate (every weight is the expected one divided "
     "by lr). Hint: pass lr on to perceptron_step: each step moves w_ext by η (y − ŷ) x̃."),
    (lambda X, y, lr, E: _perceptron_train(X, y, lr * lr, E),
     "the weights with the learning rate applied twice (every weight is the expected one times lr). "
     "Hint: the step moves w_ext by η (y − ŷ) x̃, with η once."),
    (lambda X, y, lr, E: _perceptron_train(X, y, lr, E, step=_step_bias_without_lr),
     "the weights of steps that move the bias without the learning rate (by ±1 instead of ±lr). "
     "Hint: the bias is the weight on the constant input 1: it moves by η (y − ŷ) · 1."),
    (lambda X, y, lr, E: _perceptron_train(X, y, lr, E, last=False),
     "the weights of epochs that skip the LAST example. Hint: every epoch visits all N examples."),
    (lambda X, y, lr, E: _perceptron_train(X, y, lr, E, step=partial(_perceptron_step, ge=True)),
     "the weights of steps that predict ŷ = 1 when z ≥ 0 (as the rule with labels −1/+1 does when "
     "it calls (2y − 1) z ≤ 0 a mistake): at the start, with zero weights, every example looks "
     "positive. Hint: the step neuron fires only when z > 0."),
    (lambda X, y, lr, E: _perceptron_train(X, y, lr, E, step=_step_plus_minus),
     "the weights of the rule with labels −1/+1 (a mistake when (2y − 1) z ≤ 0, so z = 0 is a "
     "mistake for both classes, as if ŷ = 1 when z ≥ 0). Hint: this course's labels are 0 and 1 "
     "and ŷ = 1 only when z > 0; the change is η (y − ŷ) x̃."),
    (lambda X, y, lr, E: _perceptron_train(X, 2 * y - 1, lr, E),
     "the weights of your steps given labels −1/+1 (2y − 1) instead of 0/1: a right prediction on "
     "a negative example still moves w_ext. Hint: pass y as it is, 0 or 1."),
)


def _train_cases(rng):
    def noisy(N, n, E, label, hidden=False):
        # drawn again until the weights after E epochs differ from those after 1, E − 1 and
        # E + 1 epochs and from those of every training in TRAIN_MISTAKES: stopping early or
        # late, a single pass, a step without lr or with another rule never gives the same weights
        while True:
            X = rng.uniform(-2, 2, (N, n))
            y = rng.integers(0, 2, N)
            X[:4, :2] = [[-1, -1], [-1, 1], [1, -1], [1, 1]]   # an XOR square: no line separates it
            X[:4, 2:] = 0.0
            y[:4] = (0, 1, 1, 0)
            lr = float(rng.choice([0.25, 0.5, 2.0, 4.0]))     # never 1: a step without lr differs
            w = _perceptron_train(X, y, lr, E)
            others = [_perceptron_train(X, y, lr, e) for e in {1, E - 1, E + 1} - {E}]
            others += [train(X, y, lr, E) for train, _ in TRAIN_MISTAKES]
            if all(np.abs(w - other).max() > 1e-3 for other in others):
                return Case(label, (X, y, lr, E), {"separable": False}, hidden=hidden)

    cases = []
    for label, N, n, hidden in (("40 separable points in 2-d", 40, 2, False),
                                ("30 separable points in 3-d", 30, 3, False),
                                ("60 separable points in 5-d", 60, 5, True),
                                ("15 separable points in 1-d (a threshold)", 15, 1, True)):
        X, y = _separable(rng, N, n)
        cases.append(Case(label, (X, y, float(rng.uniform(0.3, 1.5)), 300), {"separable": True},
                          hidden=hidden))
    E = int(rng.integers(3, 6))
    cases.insert(2, noisy(10, 2, E, f"10 points with random labels (no line exists), {E} epochs"))
    cases.append(noisy(12, 3, int(rng.integers(6, 9)), "12 points with random labels in 3-d",
                       hidden=True))
    return cases


_STOPPED_AFTER_ONE = (
    "training stopped as if it had made none. Hint: if your perceptron_step changes w_ext in place "
    "(`w_ext += …`), the old and the new weights are one array, so no step ever looks like a "
    "mistake: the step must return a new array. Otherwise run `epochs` passes over the data unless "
    "one has no mistake.")


class PerceptronTrainPart(Part):
    """train_perceptron(X, y, lr, epochs) → w_ext; judged by separation on separable sets and
    against the in-order reference on sets no line separates."""

    def cases(self, rng):
        return _train_cases(rng)

    def call(self, fn, args, extra):
        from ..neuron import Neuron, train_perceptron
        from ._watch import Calls

        names = {train_perceptron.__code__: "nl.neuron.train_perceptron"}
        names.update({f.__code__: "nl.neuron.Neuron" for f in (Neuron.__init__, Neuron.__call__)})
        with Calls(names) as seen:
            w = fn(*args)
        return {"w_ext": w, "forbidden": seen.called}

    def describe_input(self, case):
        X, y, lr, epochs = case.args
        return [f"  X = an array of shape {X.shape}, y = {y.tolist()[:12]}{' …' if len(y) > 12 else ''}, "
                f"lr = {lr:g}, epochs = {epochs}"]

    def judge(self, case, got):
        X, y, lr, epochs = case.args
        if not isinstance(got, dict):
            return ["The result could not be read."]
        if got.get("forbidden"):
            return [f"Your train_perceptron calls {' and '.join(got['forbidden'])}: write the loop "
                    "yourself, with your perceptron_step."]
        w = got.get("w_ext")
        n = X.shape[1]
        if isinstance(w, list):
            w = np.array(w, dtype=np.float64) if all(isinstance(v, (int, float)) for v in w) else w
        if not isinstance(w, np.ndarray) or w.shape != (n + 1,) or w.dtype.kind not in "biuf":
            return [f"Return w_ext, an array of the {n} weights and then the bias, shape ({n + 1},); "
                    f"got {describe(w)}."]
        if not np.isfinite(w).all():
            return ["w_ext has entries that are not finite."]
        predictions = (np.concatenate([X, np.ones((len(X), 1))], axis=1) @ w > 0).astype(int)
        wrong = int(np.sum(predictions != y))
        if case.extra["separable"]:
            if wrong == 0:
                return None
            lines = [f"{wrong} of the {len(y)} training points are on the wrong side of your line, "
                     f"although a line separates them all (after at most {epochs} epochs the "
                     "perceptron rule finds one)."]
            if epochs > 1 and np.allclose(w, _perceptron_train(X, y, lr, 1), atol=1e-9):
                return lines + ["Your weights are those after the first epoch, which made mistakes: "
                                + _STOPPED_AFTER_ONE]
            if np.allclose(w, 0):
                lines.append("Your weights are all 0: no step changed them.")
            lines.append("Hint: keep passing over the data until an epoch makes no mistake; each "
                         "pass uses your perceptron_step on every example, in order.")
            return lines
        expected = _perceptron_train(X, y, lr, epochs)
        if np.allclose(w, expected, rtol=1e-9, atol=1e-9):
            return None
        ran = [e for e in range(0, epochs + 3) if np.allclose(w, _perceptron_train(X, y, lr, e), atol=1e-9)]
        lines = [f"No line separates these points, so training runs all {epochs} epochs: the weights "
                 f"after them, in the given order, starting from zero, are {np.round(expected, 4).tolist()}; "
                 f"yours are {np.round(w, 4).tolist()}."]
        named = [what for train, what in TRAIN_MISTAKES
                 if np.allclose(w, train(X, y, lr, epochs), rtol=1e-9, atol=1e-9)]
        if named:
            lines.append(f"Yours are {named[0]}")
        elif ran == [1]:
            lines.append("Yours are the weights after 1 epoch, although that epoch made mistakes: "
                         + _STOPPED_AFTER_ONE)
        elif ran:
            lines.append(f"Yours are the weights after {ran[0]} epoch{'s' if ran[0] != 1 else ''}. "
                         "Hint: run `epochs` passes over the data unless one has no mistake.")
        else:
            lines.append("Hint: start from w_ext = 0, visit the examples in the given order (no "
                         "shuffling) and apply your perceptron_step to each one.")
        return lines

    def passed_message(self, cases, outcomes):
        return (f"✓ {self.name}: every separable set separated, and the right weights where no "
                f"line exists ({len(cases)} test inputs)")


PERCEPTRON_TRAIN = PerceptronTrainPart(
    "train_perceptron", "train_perceptron(X, y, lr, epochs)", "01",
    hints=(
        "One epoch is one pass over the examples in order, a perceptron step on each; repeat "
        "until a pass makes no mistake, but never more than `epochs` passes.",
        "Start from w_ext = 0 (n + 1 zeros); a step made a mistake exactly when it changed w_ext; "
        "stop after the first epoch without one.",
        "Two loops: `for epoch in range(epochs)` and `for x_i, y_i in zip(X, y)`; count the "
        "mistakes of the epoch and `break` when the count is 0.",
    ),
)

PARTS = [SIGMOID, NEURON_FORWARD, NEURON_BIAS_TRICK, LOGIC_GATE, PERCEPTRON_STEP, PERCEPTRON_TRAIN]


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


def check_perceptron_step(perceptron_step) -> CheckResult:
    """Check your `perceptron_step(w_ext, x, y, lr)`: w_ext + η (y − ŷ) [x, 1], ŷ = step(w_ext · [x, 1]).
    Chapter 01."""
    return run_check(PERCEPTRON_STEP, perceptron_step)


def check_train_perceptron(train_perceptron) -> CheckResult:
    """Check your `train_perceptron(X, y, lr, epochs)` → w_ext: it separates separable sets, and
    gives the in-order weights after `epochs` epochs where no line exists.  Chapter 01."""
    return run_check(PERCEPTRON_TRAIN, train_perceptron)
