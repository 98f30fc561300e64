"""Checks for chapter 07, backpropagation: central differences, a Dense layer's backward pass, and
backprop through a two-layer network, judged against central differences."""

from __future__ import annotations

import numpy as np

from ..activations import log_softmax, sigmoid, sigmoid_prime, softmax
from ..gradcheck import numeric_grad
from ._core import Case, CheckResult, run_check
from ._parts import FunctionPart
from ._plain import Builtin


def _smooth(rng, shape):
    a = rng.uniform(1, 3, shape) * rng.choice([-1.0, 1.0], shape)
    c = rng.uniform(1, 3, shape)
    return Builtin("smooth_scalar", {"a": a, "c": c, "text": "f(x) = Σ a·sin(x) + Σ c·x³/3 (a smooth "
                                                             "function of every entry of x)"})


def _f(spec):
    a, c = spec.params["a"], spec.params["c"]
    return lambda x: float(np.sum(a * np.sin(x)) + np.sum(c * x ** 3) / 3.0)


def _one_sided(spec, x, h, central=True, divisor=2.0):
    f = _f(spec)
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[i] += h
        minus[i] -= h if central else 0.0
        grad[i] = (f(plus) - f(minus)) / (divisor * h if central else h)
    return grad


NUMERIC_GRADIENT = FunctionPart(
    "numeric_gradient", "numeric_gradient(f, x, h)", "07",
    lambda rng: [
        Case("a vector of 3", (_smooth(rng, 3), rng.uniform(-2, 2, 3), 1e-5)),
        Case("a (2, 3) matrix", (_smooth(rng, (2, 3)), rng.uniform(-2, 2, (2, 3)), 1e-5)),
        Case("x = 0", (_smooth(rng, 4), np.zeros(4), 1e-5)),
        Case("a larger step h = 1e-3", (_smooth(rng, 2), rng.uniform(-2, 2, 2), 1e-3)),
    ],
    lambda spec, x, h: spec.params["a"] * np.cos(x) + spec.params["c"] * x ** 2,
    mistakes=[
        (lambda s, x, h: _one_sided(s, x, h, central=False),
         "forward differences (f(x + h) − f(x)) / h, whose error shrinks only like h. Hint: "
         "central differences (f(x + h e_i) − f(x − h e_i)) / 2h are accurate to O(h²)."),
        (lambda s, x, h: _one_sided(s, x, h, divisor=1.0),
         "(f(x + h) − f(x − h)) / h: twice the slope. Hint: the two points are 2h apart."),
    ],
    rtol=1e-5, atol=1e-6,
    hints=(
        "Nudge one entry of x at a time, a little up and a little down, and see how much f "
        "changes.",
        "∂f/∂x_i ≈ (f(x + h e_i) − f(x − h e_i)) / 2h, where e_i is 1 at entry i and 0 elsewhere;"
        " the result has the shape of x.",
        "np.ndindex(x.shape) visits every index of an array of any shape; nudge a copy (x.copy())"
        " so that x itself is unchanged.",
    ),
    mutation_hint="perturb a copy of x, or keep the old value of x[i] and put it back exactly "
                  "afterwards (x[i] + h − h is not always x[i] in floating point).",
)


def _dense_backward(delta, a_prev, W):
    return delta.T @ a_prev, delta.sum(axis=0), delta @ W


DENSE_BACKWARD = FunctionPart(
    "dense_backward", "dense_backward(delta, a_prev, W)", "07",
    lambda rng: [
        Case("a batch of 4, 3 inputs → 2 outputs",
             (rng.normal(size=(4, 2)), rng.normal(size=(4, 3)), rng.normal(size=(2, 3)))),
        Case("square weights, 3 → 3", (rng.normal(size=(5, 3)), rng.normal(size=(5, 3)), rng.normal(size=(3, 3)))),
        Case("a batch of one, 4 → 2", (rng.normal(size=(1, 2)), rng.normal(size=(1, 4)), rng.normal(size=(2, 4)))),
        Case("a zero δ (every gradient is 0)", (np.zeros((3, 2)), rng.normal(size=(3, 3)), rng.normal(size=(2, 3)))),
    ],
    _dense_backward,
    outputs=("dC_dW", "dC_db", "dC_da_prev"),
    mistakes=[
        (lambda d, a, W: (a.T @ d, d.sum(axis=0), d @ W),
         "a transposed dC_dW. Hint: dC_dW has W's shape (n_out, n_in): δᵀ a_prev."),
        (lambda d, a, W: (d.T @ a, d.mean(axis=0), d @ W),
         "a dC_db averaged over the batch. Hint: δ already carries the 1/N of the mean cost, so "
         "sum over the batch: delta.sum(axis=0)."),
        (lambda d, a, W: (d.T @ a / len(d), d.sum(axis=0) / len(d), d @ W),
         "gradients divided by N once more. Hint: δ already carries the 1/N; just sum."),
        (lambda d, a, W: (d.T @ a, d.sum(axis=0), d @ W.T),
         "dC_da_prev = δ Wᵀ. Hint: W is (n_out, n_in), so ∂C/∂a_prev = δ W."),
    ],
    hints=(
        "Each gradient has the shape of what it is the gradient of: dC_dW like W, dC_db like b, "
        "dC_da_prev like a_prev. δ already carries the 1/N of the mean cost.",
        "∂C/∂w_jk = Σ_x δ_j a_prev_k,  ∂C/∂b_j = Σ_x δ_j,  ∂C/∂a_prev_k = Σ_j w_jk δ_j.",
        "Each sum over the batch is a matrix product or .sum(axis=0): match the shapes — (n_out, "
        "N) times (N, n_in) gives W's shape (n_out, n_in).",
    ),
    error_hint="delta is (N, n_out), a_prev (N, n_in), W (n_out, n_in): each gradient must have the "
               "shape of W, b or a_prev; match the inner dimensions of each product.",
)


def _loss(X, y, W1, b1, W2, b2):
    z2 = sigmoid(X @ W1.T + b1) @ W2.T + b2
    return float(-np.mean(log_softmax(z2)[np.arange(len(y)), y]))


def _numeric_grads(X, y, W1, b1, W2, b2):
    params = [np.array(p, dtype=np.float64) for p in (W1, b1, W2, b2)]
    return tuple(numeric_grad(lambda: _loss(X, y, *params), p) for p in params)


def _backward(X, y, W1, b1, W2, b2, prime_of_a=False, scale=True, with_prime=True, sign=1.0):
    N = len(X)
    z1 = X @ W1.T + b1
    a1 = sigmoid(z1)
    z2 = a1 @ W2.T + b2
    Y = np.zeros_like(z2)
    Y[np.arange(N), y] = 1.0
    delta2 = sign * (softmax(z2) - Y) / (N if scale else 1)
    back = delta2 @ W2
    if with_prime:
        back = back * (sigmoid_prime(a1) if prime_of_a else sigmoid_prime(z1))
    return back.T @ X, back.sum(axis=0), delta2.T @ a1, delta2.sum(axis=0)


def _two_layer_cases(rng):
    cases = []
    for label, n, d, h, k in (("5 examples, 4 inputs → 6 hidden → 3 classes", 5, 4, 6, 3),
                              ("a batch of one, 3 → 4 → 2", 1, 3, 4, 2),
                              ("8 examples, 2 inputs → 3 hidden → 2 classes", 8, 2, 3, 2)):
        cases.append(Case(label, (rng.normal(size=(n, d)), rng.integers(0, k, n),
                                  rng.normal(size=(h, d)), rng.normal(size=h) * 0.1,
                                  rng.normal(size=(k, h)), rng.normal(size=k) * 0.1)))
    return cases


class TwoLayerPart(FunctionPart):
    """Judged against central differences of the cost, not against another backprop."""

    def expected(self, case):
        return _numeric_grads(*case.args)

    def passed_message(self, cases, outcomes):
        return f"✓ {self.name}: agrees with central differences on {len(cases)} networks"


TWO_LAYER_BACKWARD = TwoLayerPart(
    "two_layer_backward", "two_layer_backward(X, y, W1, b1, W2, b2)", "07", _two_layer_cases,
    _backward,
    outputs=("dC_dW1", "dC_db1", "dC_dW2", "dC_db2"),
    rtol=1e-5, atol=1e-7,
    mistakes=[
        (lambda *args: _backward(*args, with_prime=False),
         "the gradients without σ′: δ¹ needs ⊙ σ′(z¹). Hint: δ¹ = (δ² W²) ⊙ σ′(z¹)."),
        (lambda *args: _backward(*args, prime_of_a=True),
         "σ′ evaluated at the activation a¹ instead of z¹. Hint: σ′ takes the weighted input z¹."),
        (lambda *args: _backward(*args, scale=False),
         "the gradients of the SUM over the batch. Hint: the cost is a mean, so δ² = (s − onehot(y))/N."),
        (lambda *args: _backward(*args, sign=-1.0),
         "the gradients with the wrong sign. Hint: δ² = (softmax(z²) − onehot(y))/N."),
    ],
    hints=(
        "Go backwards: the error at the output first, then carry it back through W2 and the slope"
        " of σ to the hidden layer; each layer's gradients come from its δ and the input it saw.",
        "At the output, softmax with cross-entropy gives δ² = (softmax(z²) − onehot(y))/N; for "
        "any layer, ∂C/∂W = δᵀ (its input) and ∂C/∂b = the sum of δ over the batch.",
        "To the hidden layer (BP2): δ¹ = (δ² W2) ⊙ σ′(z¹) — σ′ at the weighted input z¹, not at "
        "a¹.",
        "Redo the forward pass first and keep z¹ and a¹; @ for the products, * for ⊙, "
        ".sum(axis=0) for the biases; return dC_dW1, dC_db1, dC_dW2, dC_db2.",
    ),
    error_hint="δ² is (N, K), W2 (K, H): δ² @ W2 is (N, H), the shape of z¹.",
)

PARTS = [NUMERIC_GRADIENT, DENSE_BACKWARD, TWO_LAYER_BACKWARD]


def check_numeric_gradient(numeric_gradient) -> CheckResult:
    """Check your `numeric_gradient(f, x, h)`: central differences for every entry of x.  Chapter 07."""
    return run_check(NUMERIC_GRADIENT, numeric_gradient)


def check_dense_backward(dense_backward) -> CheckResult:
    """Check your `dense_backward(delta, a_prev, W)` → (dC_dW, dC_db, dC_da_prev).  Chapter 07."""
    return run_check(DENSE_BACKWARD, dense_backward)


def check_two_layer_backward(two_layer_backward) -> CheckResult:
    """Check your `two_layer_backward(X, y, W1, b1, W2, b2)` against central differences.  Chapter 07."""
    return run_check(TWO_LAYER_BACKWARD, two_layer_backward)
