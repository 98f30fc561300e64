"""Checks for chapter 04, loss functions: squared error and cross-entropy, each with its gradient,
and a derive-it part: the gradient of the multiclass hinge (SVM) loss, a loss with a margin that
the chapter did not derive, judged against the reference and (in the tests) central differences
away from the kinks."""

from __future__ import annotations

import numpy as np

from ..activations import log_softmax, softmax
from ._core import Case, CheckResult, run_check
from ._parts import FunctionPart
from .activations import _softmax_shifted


def _onehot(y, k):
    Y = np.zeros((len(y), k))
    Y[np.arange(len(y)), y] = 1.0
    return Y


def _se_cases(rng):
    a = rng.uniform(-1, 1, (3, 2))
    return [
        Case("a batch of 4 outputs with 3 entries", (rng.uniform(0, 1, (4, 3)), rng.uniform(0, 1, (4, 3)))),
        Case("a batch of one", (rng.uniform(0, 1, (1, 2)), rng.uniform(0, 1, (1, 2)))),
        Case("identical output and target (C = 0)", (a, a.copy())),
        Case("large differences, one output each", (rng.uniform(-10, 10, (6, 1)), rng.uniform(-10, 10, (6, 1)))),
    ]


def _se(a, y):
    return float(0.5 * np.sum((a - y) ** 2) / a.shape[0])


SQUARED_ERROR = FunctionPart(
    "squared_error", "squared_error(a, y)", "04", _se_cases, _se,
    mistakes=[
        (lambda a, y: 0.5 * np.sum((a - y) ** 2), "the SUM over the batch, not the mean. Hint: "
                                                  "divide by the number of examples N = a.shape[0]."),
        (lambda a, y: 0.5 * np.mean((a - y) ** 2), "the mean over every number (divided by N·K). "
                                                   "Hint: average over the examples only: "
                                                   "(1/N) Σ_x ½‖y − a‖²."),
        (lambda a, y: np.sum((a - y) ** 2) / a.shape[0], "the mean without the ½. Hint: "
                                                         "C_x = ½‖y − a‖²."),
        (lambda a, y: np.mean(np.linalg.norm(a - y, axis=1)), "the mean DISTANCE ‖y − a‖, not "
                                                               "half its square."),
    ],
    hints=(
        "The cost of one example is half the squared distance between output and target; the cost"
        " of the batch is the mean over the examples.",
        "C = (1/N) Σ_x ½ ‖y(x) − a(x)‖², with N the number of examples (rows).",
        "Square elementwise, np.sum over everything, divide by N = a.shape[0] — not by a.size.",
    ),
)

SQUARED_ERROR_GRAD = FunctionPart(
    "squared_error_grad", "squared_error_grad(a, y)", "04", _se_cases,
    lambda a, y: (a - y) / a.shape[0],
    mistakes=[
        (lambda a, y: (y - a) / a.shape[0], "(y − a)/N: the sign is flipped. Hint: ∂C/∂a = (a − y)/N "
                                            "points from the target towards the output."),
        (lambda a, y: a - y, "a − y without the 1/N. Hint: C is a mean over the batch, so its "
                             "gradient carries 1/N."),
        (lambda a, y: (a - y) / a.size, "(a − y)/(N·K). Hint: divide by the number of examples N only."),
        (lambda a, y: 2 * (a - y) / a.shape[0], "2(a − y)/N. Hint: the ½ in C cancels the 2."),
    ],
    hints=(
        "The gradient of the batch's mean cost with respect to every entry of a.",
        "∂C/∂a = (a − y)/N: the ½ cancels the 2 of the square, the 1/N stays.",
        "Elementwise arithmetic, with N = a.shape[0]; the result has the shape of a.",
    ),
)


def _apart(rng, K, gap, top=None):
    """A row of K scores near a random level with one score `gap` above the rest (at `top`, or
    at a random place) → (row, index of the top score)."""
    row = rng.uniform(-500, 500) + rng.uniform(0, 1, K)
    j = int(rng.integers(0, K)) if top is None else top
    row[j] += gap
    return row, j


def _below_top(rng, N, K, gap, true_top=()):
    """N rows, each with one score `gap` above the rest; the true class is another one (so
    s_y ≈ e^(−gap) underflows to 0 for a gap ≥ 745), except in the rows listed in `true_top`."""
    rows, y = [], []
    for i in range(N):
        row, j = _apart(rng, K, rng.uniform(*gap))
        rows.append(row)
        y.append(j if i in true_top else (j + int(rng.integers(1, K))) % K)
    return np.array(rows), np.array(y)


def _ce_cases(rng):
    large = np.array([[1000.0, 998.0, 999.0], [-1000.0, -998.0, -1001.0]]) + rng.uniform(0, 1, (2, 3))
    top, j = _apart(rng, 3, rng.uniform(1100, 1300))   # z − mean ≥ 733 and z − min overflow
    return [
        Case("random scores for 5 examples and 4 classes",
             (rng.uniform(-3, 3, (5, 4)), rng.integers(0, 4, 5))),
        Case("large scores: rows near ±1000, and a true class over 1000 above the others",
             (np.concatenate([large, [top]]), np.array([0, 2, j]))),
        Case("the true class 800–1000 below the top score (s_y underflows to 0)",
             _below_top(rng, 3, 3, (800.0, 1000.0))),   # z − mean ≤ 668: only z − min overflows
        Case("a batch of one", (rng.uniform(-3, 3, (1, 3)), rng.integers(0, 3, 1))),
        Case("zero scores (C = log K)", (np.zeros((3, 4)), rng.integers(0, 4, 3))),
        Case("5 classes, true classes far below the top score, one at the top",
             _below_top(rng, 4, 5, (750.0, 1500.0), true_top=(int(rng.integers(0, 4)),)), hidden=True),
    ]


def _shifted_log_softmax(z, shift):
    """log s = z − m − log Σ_k e^(z_k − m) with m = shift(z) per row: right in exact arithmetic
    for any m, but e^(z − m) overflows unless m is the row maximum."""
    shifted = z - shift(z, axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _ce(z, y):
    return float(-np.mean(log_softmax(z)[np.arange(len(y)), y]))


def _ce_guarded(eps, clip):
    """−mean log(s_y + ε), or of s_y clipped at ε: the log kept away from 0."""
    def ce(z, y):
        s_y = softmax(z)[np.arange(len(y)), y]
        return -np.mean(np.log(np.maximum(s_y, eps) if clip else s_y + eps))
    return ce


def _ce_guard_mistakes():
    for eps in (1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-12, 1e-15, 1e-16):
        for clip, form in ((False, f"−log(s_y + {eps:g})"), (True, f"−log of s_y clipped at {eps:g}")):
            yield (_ce_guarded(eps, clip),
                   f"{form}: a clip/epsilon inside the log changes the loss — where s_y underflows "
                   f"to 0 the cost is −log ε = {-np.log(eps):.1f}, not the gap to the top score "
                   "(hundreds). Hint: compute log s_y directly with log-sum-exp: "
                   "z_y − m − log Σ_k e^(z_k − m), with m the row maximum.")


SOFTMAX_CROSS_ENTROPY = FunctionPart(
    "softmax_cross_entropy", "softmax_cross_entropy(z, y)", "04", _ce_cases, _ce,
    mistakes=[
        (lambda z, y: -np.sum(log_softmax(z)[np.arange(len(y)), y]),
         "the SUM over the batch, not the mean. Hint: divide by N."),
        (lambda z, y: np.mean(log_softmax(z)[np.arange(len(y)), y]),
         "the mean of log s_y without the minus sign (a negative cost). Hint: C = −log s_y."),
        (lambda z, y: -np.mean(log_softmax(z)[:, 0]), "the cost of class 0 for every example. "
                                                      "Hint: pick each row's own label: "
                                                      "log_s[np.arange(N), y]."),
        *_ce_guard_mistakes(),
        (lambda z, y: -np.mean(_shifted_log_softmax(z, np.mean)[np.arange(len(y)), y]),
         "log-sum-exp shifted by the row MEAN: e^(z − mean) overflows when one score is far above "
         "the others of its row (the cost becomes inf). Hint: shift by the row maximum m, so that "
         "every exponent is ≤ 0."),
        (lambda z, y: -np.mean(np.log(softmax(z)[np.arange(len(y)), y])),
         "−log of the softmax: the log of the softmax underflows to log 0 where the true class is "
         "far below the top score (s_y < 1e-308 becomes 0, the cost inf) — use log-sum-exp. Hint: "
         "log s_y = z_y − m − log Σ_k e^(z_k − m), with m the row maximum, never takes the log of 0."),
        (lambda z, y: -np.mean(_shifted_log_softmax(z, np.min)[np.arange(len(y)), y]),
         "log-sum-exp shifted by the row MINIMUM: e^(z − min) overflows when the scores of a row "
         "are far apart (the cost becomes inf). Hint: shift by the row maximum m, so that every "
         "exponent is ≤ 0."),
    ],
    no_warnings=True,
    hints=(
        "The cost is −log of the probability the network gives the RIGHT class, averaged over the"
        " batch.",
        "C = (1/N) Σ_x −log s_y, and stably log s_j = z_j − m − log Σ_k e^(z_k − m), with m the "
        "row maximum: nothing overflows and log never sees 0.",
        "Fancy indexing log_s[np.arange(N), y] picks each row's own label; np.log of a sum of "
        "np.exp along axis=1 with keepdims=True.",
    ),
)

SOFTMAX_CROSS_ENTROPY_GRAD = FunctionPart(
    "softmax_cross_entropy_grad", "softmax_cross_entropy_grad(z, y)", "04", _ce_cases,
    lambda z, y: (softmax(z) - _onehot(y, z.shape[1])) / z.shape[0],
    mistakes=[
        (lambda z, y: (_onehot(y, z.shape[1]) - softmax(z)) / z.shape[0],
         "(onehot(y) − s)/N: the sign is flipped. Hint: ∂C/∂z = (s − onehot(y))/N."),
        (lambda z, y: softmax(z) - _onehot(y, z.shape[1]), "s − onehot(y) without the 1/N. Hint: C "
                                                           "is a mean, so divide by N."),
        (lambda z, y: (z - _onehot(y, z.shape[1])) / z.shape[0], "(z − onehot(y))/N: softmax is "
                                                                  "missing. Hint: s = softmax(z)."),
        (lambda z, y: (_softmax_shifted(z, np.mean) - _onehot(y, z.shape[1])) / z.shape[0],
         "the gradient with softmax shifted by the row MEAN: e^(z − mean) overflows when one score "
         "is far above the others of its row. Hint: subtract the row maximum, so that every "
         "exponent is ≤ 0."),
        (lambda z, y: (_softmax_shifted(z, np.min) - _onehot(y, z.shape[1])) / z.shape[0],
         "the gradient with softmax shifted by the row MINIMUM: e^(z − min) overflows when the "
         "scores of a row are far apart. Hint: subtract the row maximum, so that every exponent "
         "is ≤ 0."),
    ],
    no_warnings=True,
    hints=(
        "For softmax followed by cross-entropy, the gradient with respect to the scores is simply"
        " the probabilities minus the target.",
        "∂C/∂z = (softmax(z) − onehot(y))/N, shape (N, K).",
        "Compute the probabilities stably, subtract 1 at [np.arange(N), y] (in a new array), "
        "divide by N.",
    ),
)


# ----------------------------------------------------------------------------------------------
# derive-it: the multiclass hinge loss C = (1/N) Σ_x Σ_{j≠y} max(0, z_j − z_y + Δ)

def hinge_loss(z, y, margin):
    """C = (1/N) Σ_x Σ_{j≠y} max(0, z_j − z_y + Δ), the multiclass hinge (SVM) loss.

    z : (N, K) scores, y : (N,) labels, margin : Δ > 0 → float
    """
    N = z.shape[0]
    gaps = z - z[np.arange(N), y][:, None] + margin
    gaps[np.arange(N), y] = 0.0
    return float(np.maximum(gaps, 0.0).sum() / N)


def _hinge_grad(z, y, margin, *, true_class="count", scale=True, include_y=False, sign=1.0,
                every_class=False, one_per_example=False, ascent=False):
    N, K = z.shape
    rows = np.arange(N)
    gaps = z - z[rows, y][:, None] + sign * margin
    active = (gaps > 0).astype(float)
    if every_class:
        active = np.ones_like(active)
    if not include_y:
        active[rows, y] = 0.0
    grad = active.copy()
    count = active.sum(axis=1)
    if true_class == "count":
        grad[rows, y] = -count
    elif true_class == "none":
        grad[rows, y] = 0.0 if not include_y else grad[rows, y]
    elif true_class == "one":
        grad[rows, y] = -(count > 0).astype(float)
    elif true_class == "plus":
        grad[rows, y] = count
    if one_per_example:
        grad[rows, y] = -count
    out = grad / N if scale else grad
    return -out if ascent else out


def _away_from_kinks(z, y, margin, rng):
    """Move every score whose gap z_j − z_y + Δ is within 0.05 of 0 (a kink) to a gap of ±0.1."""
    z = z.copy()
    N = len(z)
    for i in range(N):
        for j in range(z.shape[1]):
            gap = z[i, j] - z[i, y[i]] + margin
            if j != y[i] and abs(gap) < 0.05:
                z[i, j] += (0.1 if gap >= 0 else -0.1) - gap
    return z


def _hinge_case(rng, label, N, K, margin, spread=2.0, in_band=True, hidden=False, labels=None):
    y = rng.integers(0, K, N) if labels is None else labels
    z = rng.uniform(-spread, spread, (N, K))
    if in_band and K > 1:
        # one score just inside the margin (active with Δ, inactive with −Δ) and one beyond it
        i = int(rng.integers(0, N))
        j = (int(y[i]) + 1) % K
        z[i, j] = z[i, y[i]] - 0.5 * margin
        if K > 2:  # a second active term in the same example: the true class counts both
            z[i, (int(y[i]) + 2) % K] = z[i, y[i]] + 0.3 * margin
        if N > 1:
            i2 = (i + 1) % N
            j2 = (int(y[i2]) + 1) % K
            z[i2, j2] = z[i2, y[i2]] - 1.5 * margin
    return Case(label, (_away_from_kinks(z, y, margin, rng), y, margin), hidden=hidden)


def _hinge_cases(rng):
    N, K = int(rng.integers(4, 7)), int(rng.integers(3, 6))
    cases = [
        _hinge_case(rng, f"{N} examples, {K} classes, Δ = 1", N, K, 1.0),
        _hinge_case(rng, "a batch of one, 4 classes, Δ = 1", 1, 4, 1.0),
        _hinge_case(rng, "2 classes, Δ = 0.5", 6, 2, 0.5, spread=1.0),
        Case("every margin met (C = 0, the gradient is 0)",
             _met(rng, 3, 4, 1.0)),
    ]
    extra = [
        _hinge_case(rng, "10 classes, Δ = 1", 5, 10, 1.0, hidden=True),
        _hinge_case(rng, "a large margin Δ = 5 (every class violates it)", 4, 3, 5.0, hidden=True),
        _hinge_case(rng, "every example of the same class", 5, 3, 1.0, hidden=True,
                    labels=np.full(5, int(rng.integers(0, 3)))),
        _hinge_case(rng, "a small margin Δ = 0.1 and scores far apart", 6, 4, 0.1, spread=5.0, hidden=True),
    ]
    picked = rng.choice(len(extra), size=2, replace=False)
    return cases + [extra[i] for i in sorted(picked)]


def _met(rng, N, K, margin):
    y = rng.integers(0, K, N)
    z = rng.uniform(-1, 1, (N, K))
    z[np.arange(N), y] = z.max(axis=1) + margin + rng.uniform(0.2, 1.0, N)
    return z, y, margin


HINGE_LOSS_GRAD = FunctionPart(
    "hinge_loss_grad", "hinge_loss_grad(z, y, margin)", "04", _hinge_cases, _hinge_grad,
    mistakes=[
        (lambda z, y, m: _hinge_grad(z, y, m, true_class="none"),
         "a gradient that is 0 on the true class. Hint: z_y appears in every term of the sum, with "
         "a minus sign: once for each class j whose term is active."),
        (lambda z, y, m: _hinge_grad(z, y, m, true_class="one"),
         "a gradient of −1/N on the true class whenever some term is active. Hint: z_y appears "
         "in EVERY active term: count them."),
        (lambda z, y, m: _hinge_grad(z, y, m, true_class="plus"),
         "+count/N on the true class. Hint: z_y enters each term as −z_y."),
        (lambda z, y, m: _hinge_grad(z, y, m, scale=False),
         "the gradient of the SUM over the batch: the 1/N is missing. Hint: C is a mean over the N "
         "examples."),
        (lambda z, y, m: _hinge_grad(z, y, m, include_y=True, true_class="count"),
         "a gradient that counts the term j = y as active (it is the constant Δ, which has no "
         "gradient): the true class gets −(count + 1)/N. Hint: the sum runs over j ≠ y."),
        (lambda z, y, m: _hinge_grad(z, y, m, sign=-1.0),
         "the gradient of max(0, z_j − z_y − Δ): the margin's sign is flipped, so a class that is "
         "within Δ of the true one counts as fine. Hint: a term is active when z_j − z_y + Δ > 0."),
        (lambda z, y, m: _hinge_grad(z, y, m, every_class=True),
         "a gradient that counts every wrong class, active or not. Hint: max(0, u) has slope 1 "
         "where u > 0 and 0 where u < 0."),
        (lambda z, y, m: _hinge_grad(z, y, m, ascent=True),
         "the gradient with its sign flipped. Hint: raising a wrong class's score raises the cost."),
    ],
    hints=(
        "Each active term max(0, z_j − z_y + Δ) > 0 has slope +1 in z_j and −1 in z_y; an inactive "
        "one has slope 0. Add up what each score collects over the terms it appears in.",
        "For j ≠ y: ∂C/∂z_j = 1[z_j − z_y + Δ > 0]/N. For the true class: ∂C/∂z_y = −(the number "
        "of active j ≠ y)/N. The term j = y is not in the sum.",
        "The gaps z − z[np.arange(N), y][:, None] + margin give one row per example; a boolean "
        "mask of the active ones (with the true class set to False), .sum(axis=1) counts them, "
        "fancy indexing [np.arange(N), y] writes the true class.",
    ),
    error_hint="z is (N, K) and y (N,): the gradient has the shape of z.",
)

PARTS = [SQUARED_ERROR, SQUARED_ERROR_GRAD, SOFTMAX_CROSS_ENTROPY, SOFTMAX_CROSS_ENTROPY_GRAD,
         HINGE_LOSS_GRAD]


def check_squared_error(squared_error) -> CheckResult:
    """Check your `squared_error(a, y)`: C = (1/N) Σ_x ½‖y − a‖².  Chapter 04."""
    return run_check(SQUARED_ERROR, squared_error)


def check_squared_error_grad(squared_error_grad) -> CheckResult:
    """Check your `squared_error_grad(a, y)`: ∂C/∂a = (a − y)/N.  Chapter 04."""
    return run_check(SQUARED_ERROR_GRAD, squared_error_grad)


def check_softmax_cross_entropy(softmax_cross_entropy) -> CheckResult:
    """Check your `softmax_cross_entropy(z, y)`: mean of −log softmax(z)_y, stable.  Chapter 04."""
    return run_check(SOFTMAX_CROSS_ENTROPY, softmax_cross_entropy)


def check_softmax_cross_entropy_grad(softmax_cross_entropy_grad) -> CheckResult:
    """Check your `softmax_cross_entropy_grad(z, y)`: (softmax(z) − onehot(y))/N.  Chapter 04."""
    return run_check(SOFTMAX_CROSS_ENTROPY_GRAD, softmax_cross_entropy_grad)


def check_hinge_loss_grad(hinge_loss_grad) -> CheckResult:
    """Check your `hinge_loss_grad(z, y, margin)`: ∂C/∂z of the multiclass hinge loss
    C = (1/N) Σ_x Σ_{j≠y} max(0, z_j − z_y + Δ).  Chapter 04."""
    return run_check(HINGE_LOSS_GRAD, hinge_loss_grad)
