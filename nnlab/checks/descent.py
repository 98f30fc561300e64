"""Checks for chapter 05, gradient descent: one SGD step, a step-decay schedule, a descent loop, and
a measure-it part: the largest stable learning rate of a quadratic bowl, found by the learner's own
experiment and judged against 2/λ_max, computed here from the bowl's matrix A."""

from __future__ import annotations

import math

import numpy as np

from ._core import DEFAULT_TIME_LIMIT, Case, CheckResult, Part, compare, run_check, show
from ._parts import FunctionPart, quietly
from ._plain import Builtin, describe, fmt

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
    mutation_hint="compute a new array instead of changing an input in place (w -= ... or grad *= ... "
                  "changes the caller's array).",
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


# ----------------------------------------------------------------------------------------------
# measure-it: the largest stable learning rate of a quadratic bowl

def _spd(rng, d, lam_max, cond):
    """A random symmetric positive definite A with eigenvalues from lam_max/cond to lam_max."""
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    lams = np.exp(rng.uniform(np.log(lam_max / cond), np.log(lam_max), d))
    lams[0] = lam_max
    return (Q * lams) @ Q.T


def _bowl_fn(A, w_star, text):
    A = (A + A.T) / 2
    return Builtin("quadratic_grad", {"A": A, "c": A @ w_star, "text": text})


def _stable_case(rng, label, d, lam_max, cond, shifted=False, hidden=False):
    A = _spd(rng, d, lam_max, cond)
    w_star = rng.normal(size=d) * 3 if shifted else np.zeros(d)
    return Case(label, (_bowl_fn(A, w_star, _bowl_text(d, shifted)), w_star + rng.normal(size=d)),
                hidden=hidden)


def _bowl_text(d, shifted):
    where = "its minimum w* somewhere else" if shifted else "its minimum at w = 0"
    return f"grad_fn(w) = A (w − w*), the gradient of a bowl in {d} dimension{'s' * (d > 1)}, {where}"


def _spectrum_case(rng, label, d, lam_max, top_share, shifted=False, hidden=False):
    """A bowl whose other curvatures lie in [λ_max/10, λ_max/2], from a w0 where ∇C(w0) = A (w0 − w*)
    has the fraction `top_share` of its norm along the steepest direction.

    Near the edge 2/λ_max the other directions then shrink fast, and the steepest one grows (or
    shrinks) by |1 − ηλ_max| per step from its share of ‖∇C(w0)‖.
    """
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    lams = np.r_[lam_max, lam_max * rng.uniform(0.1, 0.5, d - 1)]
    g = rng.normal(size=d)
    g[1:] *= np.sqrt(1 - top_share ** 2) / np.linalg.norm(g[1:])
    g[0] = top_share * np.sign(g[0])
    w_star = rng.normal(size=d) * 3 if shifted else np.zeros(d)
    w0 = w_star + Q @ (g / lams) * rng.uniform(1, 3) * lam_max
    return Case(label, (_bowl_fn((Q * lams) @ Q.T, w_star, _bowl_text(d, shifted)), w0), hidden=hidden)


def _past_doubling(rng, low, high):
    """An edge 2.4–2.8 % above 10⁻⁴ · 2^k, for some 10⁻⁴ · 2^k in [low, high]: a doubling from 10⁻⁴
    lands just below it, so a bisection that stops after a few rounds (or at an absolute width
    larger than 3 % of the edge) returns that doubling's point, more than 2 % too low."""
    k = int(rng.integers(math.ceil(math.log2(low / 1e-4)), math.floor(math.log2(high / 1e-4)) + 1))
    return 1e-4 * 2.0 ** k * (1 + rng.uniform(0.024, 0.028))


def _stable_cases(rng):
    cases = [
        Case("the chapter's C(w) = (w − 2)², from w = −1",
             (Builtin("quadratic_grad", {"A": np.array([[2.0]]), "c": np.array([4.0]),
                                         "text": "grad_fn(w) = 2 (w − 2), the gradient of (w − 2)²"}),
              np.array([-1.0]))),
        _spectrum_case(rng, "a 2-D bowl, curvatures 2 to 10 times apart", 2,
                       2.0 / _past_doubling(rng, 0.1, 2.0), rng.uniform(0.5, 0.9)),
        _spectrum_case(rng, "a 3-D bowl whose steepest direction is 0.1 % of ∇C(w0)", 3,
                       float(np.exp(rng.uniform(np.log(0.5), np.log(20)))), 1e-3),
        _spectrum_case(rng, "a flat 2-D bowl (λ_max about 0.01: an edge above 150)", 2,
                       2.0 / rng.uniform(150, 200), rng.uniform(0.5, 0.9)),
    ]
    extra = [
        _stable_case(rng, "a 4-D bowl with all curvatures nearly equal", 4,
                     float(np.exp(rng.uniform(np.log(0.5), np.log(5)))), 1.2, hidden=True),
        _stable_case(rng, "a 2-D bowl whose minimum is not at 0", 2,
                     float(np.exp(rng.uniform(np.log(1), np.log(30)))), 3.0, shifted=True, hidden=True),
        _spectrum_case(rng, "a 4-D bowl whose minimum is not at 0, its steepest direction 0.1 % of "
                       "∇C(w0)", 4, float(np.exp(rng.uniform(np.log(0.05), np.log(5)))), 1e-3,
                       shifted=True, hidden=True),
    ]
    picked = rng.choice(len(extra), size=1)[0]  # the steep and the flat bowl always, and one of these
    return cases + [
        _spectrum_case(rng, "a steep 5-D bowl whose minimum is not at 0 (λ_max from 140 to 310)", 5,
                       2.0 / _past_doubling(rng, 0.006, 0.013), rng.uniform(0.5, 0.9), shifted=True,
                       hidden=True),
        _stable_case(rng, "a flat 10-D bowl (λ_max from 0.01 to 0.013)", 10, 2.0 / rng.uniform(150, 200),
                     4.0, hidden=True),
        extra[picked],
    ]


class StableRatePart(Part):
    """largest_stable_lr(grad_fn, w0) → a number, judged against 2/λ_max of the bowl's A (within
    `tolerance`); when it is off, the message says what the number depends on and what in the
    experiment makes it come out too low or too high."""

    tolerance = 0.02

    def cases(self, rng):
        return _stable_cases(rng)

    def _curvatures(self, case):
        lams = np.linalg.eigvalsh(case.args[0].params["A"])
        return float(lams.max()), float(lams.min())

    def expected(self, case):
        return 2.0 / self._curvatures(case)[0]

    def passed_message(self, cases, outcomes):
        return (f"✓ {self.name}: within {self.tolerance:.0%} of the largest stable rate on "
                f"{len(cases)} bowls")

    def describe_input(self, case):
        w0 = case.args[1]
        return [f"  grad_fn: {case.args[0].params['text']}", f"  w0 = {show(w0, indent=7)}"]

    def judge(self, case, got):
        lam_max, lam_min = self._curvatures(case)
        limit = 2.0 / lam_max
        if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, float, np.integer, np.floating)) \
                and not (isinstance(got, np.ndarray) and got.shape == () and got.dtype.kind in "iuf"):
            return [f"Your function should return one number, the learning rate η, got {describe(got)}."]
        eta = float(got)
        if not np.isfinite(eta) or eta <= 0:
            return [f"Your function returned η = {fmt(eta)}: a learning rate is a positive number "
                    "(if no rate of your sweep passed your test of \"stable\", the test is too strict "
                    "or the sweep starts too high)."]
        ratio = eta / limit
        if abs(ratio - 1.0) <= self.tolerance:
            return None
        lines = [f"Your η = {fmt(eta)} is {ratio:.3g} × the largest stable rate 2/λ_max = {fmt(limit)} "
                 f"(allowed: within {self.tolerance:.0%}).",
                 f"It depends only on the largest curvature of the bowl, the largest eigenvalue λ_max "
                 f"= {fmt(lam_max)} of A: each step multiplies the distance to the minimum along that "
                 f"direction by 1 − ηλ_max, which stays within (−1, 1) exactly for η < 2/λ_max."]
        top = _search_point(eta)
        if ratio < 0.9 and top:
            lines.append(f"Your η is exactly {top}, where a search ends: every rate your search tried "
                         "was stable, so it stopped at its upper end, below the edge. Hint: double η "
                         "until a run is unstable — with no cap on the doublings and no fixed upper "
                         "end — and bisect below that.")
        elif abs(ratio - 0.5) <= 0.03:
            lines.append("Your η is about 1/λ_max: the rate that never overshoots. Between 1/λ_max and "
                         "2/λ_max descent overshoots and oscillates, but the oscillation shrinks: "
                         "that is still stable.")
        elif ratio < 0.9:
            lines.append("Too low: your test of \"stable\" is too strict (near the limit the "
                         "oscillation shrinks slowly, so 'converged to within a small tolerance "
                         "in n steps' fails although it is stable: ask only whether the gradient "
                         "— or the distance between steps — shrinks), or your sweep of η is too "
                         "coarse (make its steps small near the edge, or bisect between the last "
                         "stable and the first unstable rate).")
            if case.args[0].params["c"].any() and ratio < 0.25:
                lines.append("This bowl's minimum is not at w = 0: judge stability by the gradient "
                             "(or the steps), which go to 0 at the minimum, not by ‖w‖.")
        elif ratio < 1:
            at = f" Your η is exactly {top}: a point of your doubling, which the bisection after " \
                 "it never moved above." if top else ""
            width = f" (high − low < 0.001 is {1e-3 / limit:.0%} of this edge)" if limit < 0.05 else ""
            lines.append("Too low, but close: your search stopped short of the edge — a bisection of "
                         f"only a few rounds, or one that stops at an absolute width{width} — or your "
                         "test of \"stable\" is a little too strict (ask only whether the gradient "
                         "shrinks). Hint: bisect until high − low is a small fraction of low, some 30 "
                         "rounds." + at)
        elif abs(eta * lam_min / 2 - 1) <= 0.05 and lam_max / lam_min > 1.5:
            lines.append("Your η is about 2/λ_min, set by the SMALLEST curvature: but the steepest "
                         "direction leaves (−1, 1) first, so that one sets the edge.")
        else:
            lines.append("Too high: at your η the steps along the steepest direction grow by "
                         f"|1 − ηλ_max| = {abs(1 - eta * lam_max):.3g} per step; you stopped too "
                         "early to see the divergence (run more steps, and compare the size of the "
                         "gradient at the end with its size at the start).")
        return lines


def _search_point(eta: float) -> str:
    """"100" or "10^-4 · 2^20 = 104.858" when η is 10^j · 2^m (to 10⁻⁵), a point where a doubling
    search or a fixed bracket ends, else ""."""
    for j in range(-8, 4):
        x = eta / 10.0 ** j
        m = round(math.log2(x))
        if 0 <= m <= 60 and abs(x / 2.0 ** m - 1) < 1e-5:
            return fmt(10.0 ** j) if m == 0 else f"10^{j} · 2^{m} = {fmt(10.0 ** j * 2.0 ** m)}"
    return ""


LARGEST_STABLE_LR = StableRatePart(
    "largest_stable_lr", "largest_stable_lr(grad_fn, w0)", "05",
    hints=(
        "Stable means the iterates settle instead of blowing up; run descent at one η and decide "
        "that from the run, then search for the η where the answer changes from stable to unstable.",
        "On a bowl, ‖∇C‖ shrinks over many steps when η is stable and grows when it is not; close "
        "to the edge the change is slow, so run a few hundred steps. The edge is 2/λ_max, but you "
        "do not know λ_max: measure it.",
        "Double η from a tiny value until a run is unstable; then bisect (the midpoint of the last "
        "stable and the first unstable η, some 30 times); np.linalg.norm of grad_fn at the end "
        "and at the start; stop a run early once the gradient is huge, so that nothing overflows.",
    ),
    time_limit=DEFAULT_TIME_LIMIT,
)

PARTS = [SGD_STEP, STEP_DECAY, GRADIENT_DESCENT, LARGEST_STABLE_LR]


def check_sgd_step(sgd_step) -> CheckResult:
    """Check your `sgd_step(w, grad, lr)`: w − η ∇C as a new array.  Chapter 05."""
    return run_check(SGD_STEP, sgd_step)


def check_step_decay(step_decay) -> CheckResult:
    """Check your `step_decay(lr0, drop, every, t)`: η₀ · drop^⌊t/every⌋.  Chapter 05."""
    return run_check(STEP_DECAY, step_decay)


def check_gradient_descent(gradient_descent) -> CheckResult:
    """Check your `gradient_descent(grad_fn, w0, lr, n_steps)`: the path of w, w0 first.  Chapter 05."""
    return run_check(GRADIENT_DESCENT, gradient_descent)


def check_largest_stable_lr(largest_stable_lr) -> CheckResult:
    """Check your `largest_stable_lr(grad_fn, w0)`: your measured largest stable learning rate of
    gradient descent on a quadratic bowl, against 2/λ_max.  Chapter 05."""
    return run_check(LARGEST_STABLE_LR, largest_stable_lr)
