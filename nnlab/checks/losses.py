"""Checks for chapter 04, loss functions: squared error and cross-entropy, each with its gradient."""

from __future__ import annotations

import numpy as np

from ..activations import log_softmax, softmax
from ._core import Case, CheckResult, run_check
from ._parts import FunctionPart


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


def _ce_cases(rng):
    return [
        Case("random scores for 5 examples and 4 classes",
             (rng.uniform(-3, 3, (5, 4)), rng.integers(0, 4, 5))),
        Case("large scores", (np.array([[1000.0, 998.0, 999.0], [-1000.0, -998.0, -1001.0]])
                              + rng.uniform(0, 1, (2, 3)), np.array([0, 2]))),
        Case("a batch of one", (rng.uniform(-3, 3, (1, 3)), rng.integers(0, 3, 1))),
        Case("zero scores (C = log K)", (np.zeros((3, 4)), rng.integers(0, 4, 3))),
    ]


def _ce(z, y):
    return float(-np.mean(log_softmax(z)[np.arange(len(y)), y]))


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

PARTS = [SQUARED_ERROR, SQUARED_ERROR_GRAD, SOFTMAX_CROSS_ENTROPY, SOFTMAX_CROSS_ENTROPY_GRAD]


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
