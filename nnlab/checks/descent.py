"""Checks for chapter 05, gradient descent: one SGD step, a step-decay schedule, a descent loop."""

from __future__ import annotations

import math

import numpy as np

from ._core import Case, CheckResult, Part, compare, run_check
from ._parts import FunctionPart, quietly
from ._plain import Builtin, fmt

SGD_STEP = FunctionPart(
    "sgd_step", "sgd_step(w, grad, lr)", "05",
    lambda rng: [
        Case("a vector of 3 weights, η = 0.1", (rng.normal(size=3), rng.normal(size=3), 0.1)),
        Case("a (2, 3) weight matrix, η = 0.5", (rng.normal(size=(2, 3)), rng.normal(size=(2, 3)), 0.5)),
        Case("a zero gradient (w stays)", (rng.normal(size=4), np.zeros(4), 0.1)),
        Case("a small learning rate", (rng.normal(size=(1, 5)), rng.normal(size=(1, 5)), 0.001)),
    ],
    lambda w, g, lr: w - lr * g,
    mistakes=[
        (lambda w, g, lr: w + lr * g, "w + η∇C: a step UPHILL. Hint: the gradient points where C "
                                      "increases fastest; step against it: w − η∇C."),
        (lambda w, g, lr: w - g, "w − ∇C, without the learning rate. Hint: multiply the gradient by η."),
        (lambda w, g, lr: -lr * g, "the step −η∇C alone. Hint: add it to w."),
    ],
    hints=(
        "The gradient points where C grows fastest: step the other way, by an amount set by the "
        "learning rate.",
        "w_new = w − η ∇C.",
        "Elementwise arithmetic gives a new array; an in-place update (-=) would change the "
        "caller's w.",
    ),
    mutation_hint="compute a new array from w instead of changing w in place (w -= ... changes the "
                  "caller's w).",
)


class StepDecayPart(Part):
    """step_decay(lr0, drop, every, t) → η_t = η₀ · drop^⌊t/every⌋, judged on a table of t."""

    diagnose_across_cases = True  # its own judge compares; the known schedules are named from all cases
    RULES = [
        (lambda lr0, d, e, t: lr0 * d ** (t / e), "η₀ · drop^(t/every), a smooth (exponential) decay. "
                                                  "Hint: round the exponent down, ⌊t/every⌋."),
        (lambda lr0, d, e, t: lr0 * d ** ((t + 1) // e), "a schedule whose first drop comes one step "
                                                         "early (at t = every − 1). Hint: ⌊t/every⌋ is "
                                                         "integer division, with t = 0 at the first step."),
        (lambda lr0, d, e, t: lr0 * d ** math.ceil(t / e), "η₀ · drop^⌈t/every⌉ (rounded UP). "
                                                           "Hint: round down, ⌊t/every⌋."),
        (lambda lr0, d, e, t: lr0 * d ** t, "η₀ · drop^t, a drop at every step. Hint: drop once every "
                                            "`every` steps: the exponent is ⌊t/every⌋."),
    ]

    def cases(self, rng):
        lr0 = float(np.round(rng.uniform(0.05, 0.5), 3))
        drop, every = float(np.round(rng.uniform(0.2, 0.9), 2)), int(rng.integers(2, 40))
        return [
            Case("η₀ = 0.1, drop = 0.5, every = 10", (0.1, 0.5, 10), {"ts": [0, 1, 9, 10, 11, 19, 20, 35, 100]}),
            Case("drop = 0.1 every 3 steps", (1.0, 0.1, 3), {"ts": [0, 2, 3, 5, 6, 7, 9]}),
            Case("every = 1", (lr0, 0.9, 1), {"ts": [0, 1, 2, 3, 10]}),
            Case("random η₀, drop = 0.5, every = 250", (lr0, 0.5, 250), {"ts": [0, 249, 250, 251, 1000]}),
            Case("a random drop and period", (lr0, drop, every),
                 {"ts": sorted({0, every - 1, every, every + 1, 2 * every - 1, 3 * every, 7 * every + 2})},
                 hidden=True),
        ]

    def call(self, fn, args, extra):
        return [fn(*args, t) for t in extra["ts"]]

    def describe_input(self, case):
        lr0, drop, every = case.args
        return [f"  lr0 = {fmt(lr0)}, drop = {fmt(drop)}, every = {every}, "
                f"for t = {', '.join(map(str, case.extra['ts']))}"]

    def expected(self, case):
        lr0, drop, every = case.args
        return [lr0 * drop ** (t // every) for t in case.extra["ts"]]

    def judge(self, case, got):
        expected = self.expected(case)
        if not isinstance(got, list) or len(got) != len(expected):
            return ["step_decay should return one number per call."]
        for t, e, g in zip(case.extra["ts"], expected, got):
            problem = compare(e, g, (), self.rtol, self.atol, what=f"η at t = {t}")
            if problem:
                return problem
        return None

    def wrong(self, case):
        lr0, drop, every = case.args
        return [([quietly(rule, lr0, drop, every, t) for t in case.extra["ts"]], explanation)
                for rule, explanation in self.RULES]


STEP_DECAY = StepDecayPart("step_decay", "step_decay(lr0, drop, every, t)", "05", rtol=1e-9, atol=1e-12,
                           hints=(
                               "The learning rate stays constant for `every` steps, then is "
                               "multiplied by `drop`; the first step is t = 0.",
                               "η_t = η₀ · drop^⌊t/every⌋.",
                               "⌊t/every⌋ is integer division (//), not t / every and not rounded"
                               " up.",
                           ))


def _bowl(rng, d):
    """A random convex bowl C(w) = ½ wᵀAw − c·w: its gradient A w − c, as a function for the learner."""
    Q = rng.normal(size=(d, d))
    A = Q @ Q.T / d + np.eye(d)
    c = rng.normal(size=d)
    return Builtin("quadratic_grad", {"A": A, "c": c,
                                      "text": f"grad_fn(w) = A w − c, the gradient of a bowl in {d} dimensions"})


def _descend(grad_fn, w0, lr, n_steps, sign=-1.0):
    A, c = grad_fn.params["A"], grad_fn.params["c"]
    w = np.array(w0, dtype=np.float64)
    path = [w.copy()]
    for _ in range(n_steps):
        w = w + sign * lr * (A @ w - c)
        path.append(w.copy())
    return np.array(path)


GRADIENT_DESCENT = FunctionPart(
    "gradient_descent", "gradient_descent(grad_fn, w0, lr, n_steps)", "05",
    lambda rng: [
        Case("a 2-D bowl, η = 0.1, 5 steps", (_bowl(rng, 2), rng.normal(size=2), 0.1, 5)),
        Case("a 3-D bowl, η = 0.05, 20 steps", (_bowl(rng, 3), rng.normal(size=3), 0.05, 20)),
        Case("zero steps (only w0)", (_bowl(rng, 2), rng.normal(size=2), 0.1, 0)),
        Case("one step", (_bowl(rng, 4), rng.normal(size=4), 0.2, 1)),
    ],
    _descend,
    mistakes=[
        (lambda f, w0, lr, n: _descend(f, w0, lr, n, sign=+1.0),
         "gradient ASCENT: every step went uphill. Hint: w ← w − η ∇C(w)."),
        (lambda f, w0, lr, n: _descend(f, w0, lr, n)[1:],
         "the path without its starting point. Hint: row 0 is w0, then one row per step: "
         "n_steps + 1 rows."),
        (lambda f, w0, lr, n: np.tile(_descend(f, w0, lr, n)[-1], (n + 1, 1)),
         "the LAST w repeated in every row: you stored the same array object each time and then "
         "changed it in place. Hint: store a copy of w, or make a new array at each step."),
    ],
    hints=(
        "Repeat the step n_steps times and remember every w on the way, the starting point "
        "included.",
        "w_0 = w0 and w_{k+1} = w_k − η ∇C(w_k); the result holds w_0, …, w_{n_steps}: n_steps + "
        "1 rows.",
        "Collect the w's in a list, each a new array (not the same array changed in place), and "
        "np.array(...) it at the end.",
    ),
    mutation_hint="do not change w0 in place: start from a copy of it.",
)

PARTS = [SGD_STEP, STEP_DECAY, GRADIENT_DESCENT]


def check_sgd_step(sgd_step) -> CheckResult:
    """Check your `sgd_step(w, grad, lr)`: w − η ∇C as a new array.  Chapter 05."""
    return run_check(SGD_STEP, sgd_step)


def check_step_decay(step_decay) -> CheckResult:
    """Check your `step_decay(lr0, drop, every, t)`: η₀ · drop^⌊t/every⌋.  Chapter 05."""
    return run_check(STEP_DECAY, step_decay)


def check_gradient_descent(gradient_descent) -> CheckResult:
    """Check your `gradient_descent(grad_fn, w0, lr, n_steps)`: the path of w, w0 first.  Chapter 05."""
    return run_check(GRADIENT_DESCENT, gradient_descent)
