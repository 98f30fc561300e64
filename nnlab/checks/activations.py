"""Checks for chapter 02, activations: σ′, tanh′, ReLU, ReLU′, ELU, softmax."""

from __future__ import annotations

import numpy as np

from .. import activations as A
from ._core import Case, CheckResult, run_check
from ._parts import FunctionPart
from .neuron import LARGE_Z


def _z_cases(rng, kink=False):
    """The usual inputs of an elementwise function: random, a vector, zeros, large |z|, a batch of one."""
    z = rng.uniform(-4, 4, (3, 4))
    if kink:  # exact zeros among random values, where ReLU has its kink
        z[0, ::2] = 0.0
    return [
        Case("random z of shape (3, 4)" + (" with some exact zeros" if kink else ""), (z,)),
        Case("a vector of 7", (rng.uniform(-3, 3, 7),)),
        Case("zeros", (np.zeros((2, 3)),)),
        Case("large |z|", (LARGE_Z * rng.uniform(0.9, 1.0),)),
        Case("a batch of one", (rng.uniform(-4, 4, (1, 5)),)),
    ]


SIGMOID_PRIME = FunctionPart(
    "sigmoid_prime", "sigmoid_prime(z)", "02", _z_cases, A.sigmoid_prime,
    mistakes=[
        (A.sigmoid, "σ(z) itself, not its derivative. Hint: σ′(z) = σ(z)(1 − σ(z))."),
        (lambda z: z * (1 - z), "z(1 − z): the formula σ(1 − σ) was applied to z instead of to "
                                "σ(z). Hint: compute σ(z) first, then apply the formula to it."),
        (lambda z: A.sigmoid(z) * (1 + A.sigmoid(z)), "σ(z)(1 + σ(z)). Hint: it is 1 − σ(z), a minus."),
        (lambda z: 1 - A.sigmoid(z) ** 2, "1 − σ(z)², the form of tanh′. Hint: σ′(z) = σ(z)(1 − σ(z))."),
    ],
    no_warnings=True,
    hints=(
        "σ′ says how fast σ changes; it can be written with σ itself, no new exponentials.",
        "σ′(z) = σ(z)(1 − σ(z)): largest (¼) at z = 0, nearly 0 for large |z|.",
        "Compute s = σ(z) once with a stable sigmoid (yours, or nl.activations.sigmoid), then "
        "combine s elementwise.",
    ),
)

TANH_PRIME = FunctionPart(
    "tanh_prime", "tanh_prime(z)", "02", _z_cases, A.tanh_prime,
    mistakes=[
        (lambda z: 1 - np.tanh(z), "1 − tanh(z): the square is missing. Hint: 1 − tanh(z)²."),
        (lambda z: 1 - z ** 2, "1 − z²: the formula was applied to z, not to tanh(z)."),
        (lambda z: np.tanh(z) ** 2, "tanh(z)². Hint: the derivative is 1 − tanh(z)²."),
        (np.tanh, "tanh(z) itself, not its derivative. Hint: 1 − tanh(z)²."),
    ],
    no_warnings=True,
    hints=(
        "Like σ′, the derivative of tanh is written with tanh itself.",
        "tanh′(z) = 1 − tanh(z)², a number in (0, 1].",
        "np.tanh is stable for every z; square it elementwise (** 2).",
    ),
)

RELU = FunctionPart(
    "relu", "relu(z)", "02", lambda rng: _z_cases(rng, kink=True), A.relu,
    mistakes=[
        (np.abs, "|z|. Hint: negative inputs give 0, not their absolute value."),
        (lambda z: (z > 0).astype(float), "the derivative ReLU′(z) (1 where z > 0). Hint: ReLU(z) = max(z, 0)."),
        (lambda z: np.minimum(z, 0), "min(z, 0). Hint: ReLU keeps the positive part, max(z, 0)."),
    ],
    hints=(
        "ReLU keeps every positive input and replaces every negative one by 0, entry by entry.",
        "ReLU(z) = max(z, 0) for each entry.",
        "np.maximum compares entry by entry (an array with a number too); np.max would take the "
        "largest entry along an axis instead.",
    ),
)

RELU_PRIME = FunctionPart(
    "relu_prime", "relu_prime(z)", "02", lambda rng: _z_cases(rng, kink=True), A.relu_prime,
    mistakes=[
        (lambda z: (z >= 0).astype(float), "1 where z ≥ 0. Hint: at the kink z = 0 this course "
                                           "uses ReLU′(0) = 0: test z > 0."),
        (A.relu, "ReLU(z) itself, not its derivative. Hint: 1 where z > 0, else 0."),
        (lambda z: (z < 0).astype(float), "1 where z < 0. Hint: the slope is 1 for positive z."),
    ],
    hints=(
        "The slope of ReLU: 1 where it rises, 0 where it is flat. At the kink z = 0 this course "
        "uses 0.",
        "ReLU′(z) = 1 if z > 0, else 0 (also 0 at z = 0).",
        "A comparison of an array with a number gives a boolean array of the same shape; "
        "astype(float) or np.where turns it into 0.0 and 1.0.",
    ),
)


def _elu_cases(rng):
    cases = [Case(c.label + ", α = 1", (c.args[0], 1.0)) for c in _z_cases(rng)]
    cases.insert(1, Case("random z, α = 0.5", (rng.uniform(-4, 4, (2, 5)), 0.5)))
    cases.insert(2, _elu_large_alpha(rng, float(rng.choice([2.0, 3.0])), (2, 5)))
    return cases + [_elu_large_alpha(rng, float(rng.choice([1.5, 2.5, 4.0])), (3, 4), hidden=True)]


def _elu_large_alpha(rng, alpha, shape, hidden=False):
    """α > 1 with negative z near 0, where α (e^z − 1) < z: max(z, α (e^z − 1)) picks z there."""
    z = rng.uniform(-4, 4, shape)
    z[0] = -rng.uniform(0.05, 0.8, shape[1])
    return Case(f"z with small negative entries, α = {alpha:g}", (z, alpha), hidden=hidden)


ELU = FunctionPart(
    "elu", "elu(z, alpha)", "02", _elu_cases, A.elu,
    mistakes=[
        (lambda z, a: np.where(z > 0, z, np.exp(z) - 1), "ELU with α = 1 whatever alpha is. "
                                                         "Hint: multiply the negative branch by alpha."),
        (lambda z, a: np.where(z > 0, z, a * np.exp(z)), "α e^z for z ≤ 0: the − 1 is missing. "
                                                         "Hint: α (e^z − 1), so that ELU(0) = 0."),
        (lambda z, a: np.maximum(z, 0), "ReLU(z). Hint: for z ≤ 0, ELU is α (e^z − 1), not 0."),
        (lambda z, a: np.maximum(z, a * np.expm1(np.minimum(z, 0))),
         "max(z, α (e^z − 1)), which is ELU only for α ≤ 1: for α > 1 and a small negative z, "
         "α (e^z − 1) is below z and the max picks z. Hint: choose the branch by the sign of z, "
         "not by the larger value."),
    ],
    no_warnings=True,
    hints=(
        "ELU is the identity for positive z and bends smoothly down towards −α for negative z.",
        "ELU(z) = z for z > 0 and α (e^z − 1) for z ≤ 0.",
        "np.where(cond, a, b) computes BOTH branches for every entry, so e^1000 overflows even "
        "where it is not used: exponentiate np.minimum(z, 0) instead; np.expm1(x) is e^x − 1, "
        "accurate near 0.",
    ),
)


def _far_apart(rng, K, above):
    """A row of K scores near a random level, one of them 1000–1200 above (or below) the rest:
    with K = 4, z − min and (above) z − mean still reach 750, where e^x overflows."""
    row = rng.uniform(-500, 500) + rng.uniform(0, 1, K)
    row[rng.integers(0, K)] += rng.uniform(1000, 1200) * (1 if above else -1)
    return row


def _softmax_cases(rng):
    near = np.array([[1000.0, 999.0, 998.0, 999.5], [-1000.0, -1001.0, -1000.5, -999.0]])
    large = np.concatenate([near + rng.uniform(0, 1, (2, 4)),
                            [_far_apart(rng, 4, above=False), _far_apart(rng, 4, above=True)]])
    many = np.array([_far_apart(rng, 5, above=k != 1) for k in range(3)])
    return [
        Case("random scores of shape (4, 5)", (rng.uniform(-3, 3, (4, 5)),)),
        Case("one row of 6 scores, shape (6,)", (rng.uniform(-3, 3, 6),)),
        Case("zeros (every class equally likely)", (np.zeros((2, 3)),)),
        Case("large scores: rows near ±1000, one score far below its row, one far above",
             (large,)),
        Case("a batch of one", (rng.uniform(-3, 3, (1, 4)),)),
        Case("5 classes, one score 1000 away from the rest in every row", (many,), hidden=True),
    ]


def _softmax_shifted(z, shift):
    """e^(z − m) / Σ e^(z − m) with m = shift(z) per row: right in exact arithmetic for any m."""
    e = np.exp(z - shift(z, axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


SOFTMAX = FunctionPart(
    "softmax", "softmax(z)", "02", _softmax_cases, A.softmax,
    mistakes=[
        (lambda z: np.exp(z - z.max(axis=-1, keepdims=True))
         / np.exp(z - z.max(axis=-1, keepdims=True)).sum(axis=0, keepdims=True),
         "softmax normalised over the wrong axis (each COLUMN sums to 1). Hint: sum over the last "
         "axis, one row per example: .sum(axis=-1, keepdims=True)."),
        (lambda z: np.exp(z - z.max(axis=-1, keepdims=True))
         / np.exp(z - z.max(axis=-1, keepdims=True)).sum(),
         "e^(z − row max) divided by the sum over the WHOLE array. Hint: each row is normalised by "
         "its own sum: .sum(axis=-1, keepdims=True)."),
        (lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum(),
         "e^(z − max) divided by the sum over the WHOLE array (all the probabilities of the batch "
         "sum to 1). Hint: each row is normalised by its own sum: .sum(axis=-1, keepdims=True)."),
        (lambda z: np.exp(z) / np.exp(z).sum(), "e^z divided by the sum over the WHOLE array. Hint: "
                                                "each row is normalised by its own sum: "
                                                ".sum(axis=-1, keepdims=True)."),
        (lambda z: _softmax_shifted(z, np.mean),
         "softmax shifted by the row MEAN: e^(z − mean) overflows when one score is far above the "
         "others of its row. Hint: subtract the row maximum, so that every exponent is ≤ 0."),
        (lambda z: _softmax_shifted(z, np.min),
         "softmax shifted by the row MINIMUM: e^(z − min) overflows when the scores of a row are "
         "far apart. Hint: subtract the row maximum, so that every exponent is ≤ 0."),
        (np.exp, "e^z without dividing by the sum. Hint: divide each row by its sum."),
    ],
    no_warnings=True,
    hints=(
        "Softmax turns each row of scores into probabilities: positive, summing to 1, a larger "
        "score giving a larger probability.",
        "s_j = e^(z_j) / Σ_k e^(z_k) along each row. Subtracting the row's maximum from every "
        "score leaves s unchanged and keeps e^z from overflowing.",
        "Reductions along the last axis with keepdims=True keep a shape that broadcasts back: "
        "max(axis=-1, keepdims=True), sum(axis=-1, keepdims=True).",
    ),
)

PARTS = [SIGMOID_PRIME, TANH_PRIME, RELU, RELU_PRIME, ELU, SOFTMAX]


def check_sigmoid_prime(sigmoid_prime) -> CheckResult:
    """Check your `sigmoid_prime(z)`: σ′(z) = σ(z)(1 − σ(z)), stable for large |z|.  Chapter 02."""
    return run_check(SIGMOID_PRIME, sigmoid_prime)


def check_tanh_prime(tanh_prime) -> CheckResult:
    """Check your `tanh_prime(z)`: tanh′(z) = 1 − tanh(z)².  Chapter 02."""
    return run_check(TANH_PRIME, tanh_prime)


def check_relu(relu) -> CheckResult:
    """Check your `relu(z)`: max(z, 0) entry by entry.  Chapter 02."""
    return run_check(RELU, relu)


def check_relu_prime(relu_prime) -> CheckResult:
    """Check your `relu_prime(z)`: 1 where z > 0, else 0 (0 at the kink).  Chapter 02."""
    return run_check(RELU_PRIME, relu_prime)


def check_elu(elu) -> CheckResult:
    """Check your `elu(z, alpha)`: z for z > 0, α (e^z − 1) otherwise, stable.  Chapter 02."""
    return run_check(ELU, elu)


def check_softmax(softmax) -> CheckResult:
    """Check your `softmax(z)` along the last axis, stable for large scores.  Chapter 02."""
    return run_check(SOFTMAX, softmax)
