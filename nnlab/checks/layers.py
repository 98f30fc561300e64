"""Checks for chapter 03, layers and feedforward: a Dense layer's forward pass, parameter counts, a network."""

from __future__ import annotations

import numpy as np

from ..activations import relu, sigmoid
from ._core import Case, CheckResult, run_check
from ._parts import FunctionPart


def _dense_cases(rng):
    return [
        Case("a batch of 4, 3 inputs → 2 outputs",
             (rng.normal(size=(4, 3)), rng.normal(size=(2, 3)), rng.normal(size=2))),
        Case("square weights, 3 → 3", (rng.normal(size=(5, 3)), rng.normal(size=(3, 3)), rng.normal(size=3))),
        Case("a batch of one, 4 → 3", (rng.normal(size=(1, 4)), rng.normal(size=(3, 4)), rng.normal(size=3))),
        Case("zero inputs (every row is b)", (np.zeros((2, 3)), rng.normal(size=(4, 3)), rng.normal(size=4))),
    ]


DENSE_FORWARD = FunctionPart(
    "dense_forward", "dense_forward(a_prev, W, b)", "03", _dense_cases,
    lambda a, W, b: a @ W.T + b,
    mistakes=[
        (lambda a, W, b: a @ W + b, "a_prev @ W + b: transposed weights. Hint: W has shape "
                                    "(n_out, n_in), so W[j, k] is w_jk and z = a_prev Wᵀ + b."),
        (lambda a, W, b: a @ W.T, "a_prev @ W.T without the bias. Hint: add b (it broadcasts over rows)."),
        (lambda a, W, b: relu(a @ W.T + b), "ReLU(z). Hint: dense_forward returns z; the activation "
                                            "is a separate step."),
    ],
    hints=(
        "Each output neuron j takes a weighted sum of all the inputs plus its bias, for every "
        "example of the batch.",
        "z_j = Σ_k w_jk a_k + b_j. W has shape (n_out, n_in), so in batch form a_prev (N, n_in) "
        "is multiplied by the transpose of W.",
        "The @ operator and .T; b, of shape (n_out,), broadcasts over the N rows.",
    ),
    error_hint="a_prev is (N, n_in) and W is (n_out, n_in): multiply by W.T.",
)


def _count(sizes):
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


COUNT_PARAMETERS = FunctionPart(
    "count_parameters", "count_parameters(sizes)", "03",
    lambda rng: [
        Case("sizes [2, 3, 1]", ([2, 3, 1],)),
        Case("sizes [64, 128, 10]", ([64, 128, 10],)),
        Case("a single layer [5, 5]", ([5, 5],)),
        Case("random sizes", ([int(n) for n in rng.integers(1, 50, 4)],)),
        Case("a deep net of random widths", ([int(n) for n in rng.integers(1, 300, int(rng.integers(5, 9)))],),
             hidden=True),
        Case("a bottleneck of one neuron", ([int(rng.integers(2, 20)), 1, int(rng.integers(2, 20))],),
             hidden=True),
    ],
    _count,
    mistakes=[
        (lambda s: sum(a * b for a, b in zip(s[:-1], s[1:])),
         "the number of weights only. Hint: every neuron after the input layer also has a bias."),
        (lambda s: sum(a * b for a, b in zip(s[:-1], s[1:])) + sum(s),
         "weights plus a bias for every neuron INCLUDING the input layer. Hint: input neurons "
         "have no bias; only layers 2 … L do."),
        (lambda s: sum(a * b + a for a, b in zip(s[:-1], s[1:])),
         "one bias per input instead of per output. Hint: layer l has n_l biases."),
    ],
    hints=(
        "Every layer after the input has one weight per connection and one bias per neuron; the "
        "input layer has neither.",
        "A layer from n_in to n_out neurons has n_in · n_out weights and n_out biases; add this "
        "up over the consecutive pairs of sizes.",
        "zip(sizes[:-1], sizes[1:]) walks the consecutive pairs (n_in, n_out).",
    ),
)


def _feedforward(a, layers):
    for i, (W, b) in enumerate(layers):
        a = a @ W.T + b
        if i < len(layers) - 1:
            a = relu(a)
    return a


def _net(rng, sizes, n):
    return [(rng.normal(size=(o, i)), rng.normal(size=o)) for i, o in zip(sizes[:-1], sizes[1:])], \
        rng.normal(size=(n, sizes[0]))


def _feedforward_cases(rng):
    cases = []
    for label, sizes, n in (("3 → 5 → 2, a batch of 4", [3, 5, 2], 4),
                            ("4 → 6 → 5 → 3, a batch of 3", [4, 6, 5, 3], 3),
                            ("3 → 4 → 2, a batch of one", [3, 4, 2], 1),
                            ("a single layer 3 → 2 (no hidden layer)", [3, 2], 5)):
        layers, a = _net(rng, sizes, n)
        cases.append(Case(label, (a, layers)))
    return cases


FEEDFORWARD = FunctionPart(
    "feedforward", "feedforward(a, layers)", "03", _feedforward_cases, _feedforward,
    mistakes=[
        (lambda a, layers: relu(_feedforward(a, layers)),
         "ReLU applied after the last layer too. Hint: the output layer gives the scores z^L, "
         "with no activation after it."),
        (lambda a, layers: _linear(a, layers),
         "the network without any ReLU. Hint: put ReLU after every layer except the last — without "
         "it the layers collapse to one linear map."),
        (lambda a, layers: _feedforward_sigma(a, layers),
         "σ instead of ReLU in the hidden layers. Hint: use ReLU between layers."),
    ],
    hints=(
        "Apply the layers one after another; between layers the non-linearity, after the last "
        "layer none (it gives the scores).",
        "For each layer: z = a Wᵀ + b, then a = ReLU(z) — except for the last layer, whose z is "
        "the result.",
        "Loop over enumerate(layers) to know which layer is the last; np.maximum(z, 0) is ReLU.",
    ),
    error_hint="each W is (n_out, n_in) and a is (N, n_in): multiply by the transpose of W.",
)


def _linear(a, layers):
    for W, b in layers:
        a = a @ W.T + b
    return a


def _feedforward_sigma(a, layers):
    for i, (W, b) in enumerate(layers):
        a = a @ W.T + b
        if i < len(layers) - 1:
            a = sigmoid(a)
    return a


PARTS = [DENSE_FORWARD, COUNT_PARAMETERS, FEEDFORWARD]


def check_dense_forward(dense_forward) -> CheckResult:
    """Check your `dense_forward(a_prev, W, b)`: z = a_prev @ W.T + b.  Chapter 03."""
    return run_check(DENSE_FORWARD, dense_forward)


def check_count_parameters(count_parameters) -> CheckResult:
    """Check your `count_parameters(sizes)`: weights plus biases of a fully connected net.  Chapter 03."""
    return run_check(COUNT_PARAMETERS, count_parameters)


def check_feedforward(feedforward) -> CheckResult:
    """Check your `feedforward(a, layers)`: Dense + ReLU, the last layer without activation.  Chapter 03."""
    return run_check(FEEDFORWARD, feedforward)
