"""Checks for chapter 07, backpropagation: central differences; BP1 (the output error), BP2 (the
error passed back one layer), BP3/BP4 (a Dense layer's gradients), each judged on its own; backprop
through a two-layer network; and a derive-it part, the backward pass of a layer the chapter did not
derive (a scaled softplus with a learnable scale), judged against central differences computed
here, output by output (∂C/∂z, the input, and ∂C/∂s, the parameter)."""

from __future__ import annotations

import numpy as np

from ..activations import log_softmax, sigmoid, sigmoid_prime, softmax
from ..gradcheck import numeric_grad
from ._core import Case, CheckResult, Part, compare, run_check
from ._parts import FunctionPart
from ._plain import Builtin, fmt


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


def _large_step(rng, shape, h, hidden=False):
    """x and f for a step h where central differences differ clearly from f′: each a·cos(x) ≤ 0, so
    (f(x + h) − f(x − h)) / 2h − f′(x) = c h²/3 + |a cos x| (1 − sin h / h) ≥ h²/3 at every
    entry."""
    x = rng.uniform(-2, 2, shape)
    spec = _smooth(rng, shape)
    spec.params["a"] = np.abs(spec.params["a"]) * -np.sign(np.cos(x))
    return Case(f"a large step h = {fmt(h)}: judged at that h, not against f′", (spec, x, h), hidden=hidden)


def _central(spec, x, h):
    """(f(x + h e_i) − f(x − h e_i)) / 2h, exactly: a cos(x) sin(h)/h + c (x² + h²/3)."""
    a, c = spec.params["a"], spec.params["c"]
    return a * np.cos(x) * np.sin(h) / h + c * (x ** 2 + h ** 2 / 3)


NUMERIC_GRADIENT = FunctionPart(
    "numeric_gradient", "numeric_gradient(f, x, h)", "07",
    lambda rng: [
        Case("a vector of 3", (_smooth(rng, 3), rng.uniform(-2, 2, 3), 1e-5)),
        Case("a (2, 3) matrix", (_smooth(rng, (2, 3)), rng.uniform(-2, 2, (2, 3)), 1e-5)),
        Case("x = 0", (_smooth(rng, 4), np.zeros(4), 1e-5)),
        Case("a larger step h = 1e-3", (_smooth(rng, 2), rng.uniform(-2, 2, 2), 1e-3)),
        _large_step(rng, 3, 0.5),
        _large_step(rng, (2, 2), float(np.round(rng.uniform(0.05, 0.3), 3)), hidden=True),
    ],
    _central,
    mistakes=[
        (lambda s, x, h: s.params["a"] * np.cos(x) + s.params["c"] * x ** 2,
         "the exact derivative f′, as from a tiny step of your own: the h you are given is ignored. "
         "Hint: step by exactly h; with h = 0.5 central differences differ from f′, and that "
         "difference is what the check expects."),
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


# ----------------------------------------------------------------------------------------------
# BP1 and BP2, each on its own

def _numeric_in_z(cost, z):
    """Central differences of cost(z) for every entry of z (a copy is perturbed)."""
    z = np.array(z, dtype=np.float64)
    return numeric_grad(lambda: cost(z), z)


def _mse_of_sigmoid(z, y):
    return float(0.5 * np.sum((sigmoid(z) - y) ** 2) / z.shape[0])


class NumericPart(FunctionPart):
    """Judged against central differences computed here (`numeric(*args)`), not another formula.

    With `z_arg` (the position of z among the arguments), a result far too large where the sigmoid
    saturates (|z| > 5), and not a known mistake, is told that σ′(z) must keep shrinking there."""

    diagnose_across_cases = True

    def __init__(self, *args, numeric, what, z_arg=None, **options):
        super().__init__(*args, **options)
        self._numeric = numeric
        self._what = what
        self._z_arg = z_arg

    def expected(self, case):
        return self._numeric(*case.args)

    def judge(self, case, got):
        problem = super().judge(case, got)
        if problem is None or self._z_arg is None or not isinstance(got, np.ndarray):
            return problem
        z, expected = case.args[self._z_arg], self.expected(case)
        if got.shape != z.shape or not np.isfinite(got).all() or any(
                compare(value, got, (), self.rtol, self.atol) is None for value, _ in self.wrong(case)):
            return problem
        far = (np.abs(z) > 5) & (np.abs(got) > 10 * np.abs(expected) + self.atol)
        if not far.any():
            return problem
        i = np.unravel_index(np.argmax(np.where(far, np.abs(z), 0)), z.shape)
        return [*problem, f"At z = {fmt(z[i])} your value is {fmt(got[i])}, where σ′(z) makes it "
                          f"{fmt(expected[i])}: it does not keep shrinking where the sigmoid saturates, "
                          "as when z is clipped (np.clip) before σ. Hint: σ and σ′ of the z you are "
                          "given, unclipped: nl.activations.sigmoid is stable for every z."]

    def passed_message(self, cases, outcomes):
        return f"✓ {self.name}: agrees with central differences of {self._what} on {len(cases)} test inputs"


def _output_delta(z_L, y, *, scale=True, prime="z", sign=1.0):
    a = sigmoid(z_L)
    grad_a = sign * (a - y) / (z_L.shape[0] if scale else 1)
    slope = {"z": sigmoid_prime(z_L), "a": sigmoid_prime(a), "none": 1.0, "sigma": a,
             "a(1-a) of z": z_L * (1 - z_L)}[prime]
    return grad_a * slope


def _output_cases(rng):
    N, K = int(rng.integers(3, 7)), int(rng.integers(2, 5))
    cases = [
        Case(f"a batch of {N}, {K} sigmoid outputs", (rng.normal(size=(N, K)), rng.uniform(0, 1, (N, K)))),
        Case("a batch of one, 3 outputs", (rng.normal(size=(1, 3)), rng.uniform(0, 1, (1, 3)))),
        Case("one output per example, 0/1 targets",
             (rng.normal(size=(6, 1)) * 2, rng.integers(0, 2, (6, 1)).astype(float))),
        Case("saturated outputs (|z| from 8 to 25: σ′(z) from 3e-4 down to 1e-11)",
             (rng.uniform(8, 25, (3, 2)) * rng.choice([-1.0, 1.0], (3, 2)), rng.uniform(0, 1, (3, 2)))),
    ]
    extra = [
        Case("saturated outputs (|z| from 4 to 8)",
             (rng.uniform(4, 8, (4, 3)) * rng.choice([-1.0, 1.0], (4, 3)), rng.uniform(0, 1, (4, 3)))),
        Case("a large batch: 40 examples, 2 outputs", (rng.normal(size=(40, 2)), rng.uniform(0, 1, (40, 2)))),
        Case("some outputs exactly on their targets (δ = 0 there)", _at_target(rng)),
    ]
    picked = rng.choice(len(extra), size=2, replace=False)
    return cases + [_as_hidden(extra[i]) for i in sorted(picked)]


def _at_target(rng):
    z = rng.normal(size=(3, 2))
    return z, sigmoid(z) + np.array([[0.3, 0.0], [0.0, -0.2], [0.1, 0.1]])


def _as_hidden(case):
    case.hidden = True
    return case


OUTPUT_DELTA = NumericPart(
    "output_delta", "output_delta(z_L, y)", "07", _output_cases, lambda z, y: _output_delta(z, y),
    numeric=lambda z, y: _numeric_in_z(lambda v: _mse_of_sigmoid(v, y), z),
    what="the mean squared error", z_arg=0,
    mistakes=[
        (lambda z, y: _output_delta(z, y, scale=False),
         "δ^L of the SUM of the costs: the 1/N of the mean is missing. Hint: ∇_a C = (a − y)/N."),
        (lambda z, y: _output_delta(z, y, prime="none"),
         "∇_a C alone, without ⊙ σ′(z^L). Hint: δ^L is ∂C/∂z^L; the chain rule passes through the "
         "sigmoid a = σ(z), whose slope is σ′(z)."),
        (lambda z, y: _output_delta(z, y, prime="a"),
         "∇_a C ⊙ σ′(a^L): σ′ evaluated at the activation. Hint: σ′ takes the weighted input z^L."),
        (lambda z, y: _output_delta(z, y, sign=-1.0),
         "δ^L with the sign flipped, from (y − a). Hint: ∂C/∂a = (a − y)/N."),
        (lambda z, y: _output_delta(z, y, prime="sigma"),
         "∇_a C ⊙ σ(z^L): the sigmoid itself instead of its slope. Hint: σ′(z) = σ(z)(1 − σ(z))."),
        (lambda z, y: _output_delta(z, y, prime="a(1-a) of z"),
         "∇_a C ⊙ z(1 − z): the slope a(1 − a) written with z. Hint: σ′(z) = a(1 − a) with "
         "a = σ(z), not z(1 − z)."),
    ],
    rtol=1e-5, atol=1e-9,
    hints=(
        "BP1 starts the error at the output: how much the cost changes with each output's "
        "weighted input z^L, through the sigmoid a = σ(z^L).",
        "δ^L = ∇_a C ⊙ σ′(z^L), and for the mean squared error C = (1/N) Σ_x ½‖a − y‖² the "
        "gradient is ∇_a C = (a − y)/N.",
        "nl.activations.sigmoid and nl.activations.sigmoid_prime (both take z); `*` is ⊙; "
        "N is the number of rows of z_L. The result has the shape of z_L.",
    ),
    error_hint="z_L and y are both (N, K): every operation is elementwise and the result is (N, K).",
)


def _hidden_delta(delta_next, W_next, z, *, transpose=False, prime="z", extra_mean=False):
    back = delta_next @ (W_next.T if transpose else W_next)
    slope = {"z": sigmoid_prime(z), "a": sigmoid_prime(sigmoid(z)), "none": 1.0,
             "sigma": sigmoid(z)}[prime]
    out = back * slope
    return out / len(z) if extra_mean else out


def _hidden_numeric(delta_next, W_next, z):
    """δ^l as ∂C/∂z^l of C = Σ delta_next ⊙ z^{l+1}, z^{l+1} = σ(z^l) W_nextᵀ (so ∂C/∂z^{l+1} = delta_next)."""
    return _numeric_in_z(lambda v: float(np.sum(delta_next * (sigmoid(v) @ W_next.T))), z)


def _hidden_cases(rng):
    N, H, K = int(rng.integers(3, 6)), int(rng.integers(3, 6)), int(rng.integers(2, 5))
    while K == H:
        K = int(rng.integers(2, 7))
    cases = [
        Case(f"a batch of {N}: {H} hidden units → {K} units in layer l+1",
             (rng.normal(size=(N, K)) * 0.3, rng.normal(size=(K, H)), rng.normal(size=(N, H)))),
        Case("square weights, 4 → 4 (a transposed W runs without a shape error)",
             (rng.normal(size=(3, 4)) * 0.3, rng.normal(size=(4, 4)), rng.normal(size=(3, 4)))),
        Case("a batch of one, 5 hidden units → 2", (rng.normal(size=(1, 2)) * 0.3, rng.normal(size=(2, 5)),
                                                    rng.normal(size=(1, 5)))),
        Case("saturated hidden units (|z| from 8 to 25)",
             (rng.normal(size=(2, 3)) * 0.3, rng.normal(size=(3, 4)),
              rng.uniform(8, 25, (2, 4)) * rng.choice([-1.0, 1.0], (2, 4)))),
    ]
    extra = [
        Case("saturated hidden units (|z| from 3 to 6)",
             (rng.normal(size=(4, 3)) * 0.3, rng.normal(size=(3, 3)),
              rng.uniform(3, 6, (4, 3)) * rng.choice([-1.0, 1.0], (4, 3)))),
        Case("one unit in layer l+1, 6 hidden units", (rng.normal(size=(5, 1)) * 0.3, rng.normal(size=(1, 6)),
                                                      rng.normal(size=(5, 6)))),
        Case("a wide layer l+1: 3 hidden units → 10", (rng.normal(size=(2, 10)) * 0.3, rng.normal(size=(10, 3)),
                                                       rng.normal(size=(2, 3)))),
    ]
    picked = rng.choice(len(extra), size=2, replace=False)
    return cases + [_as_hidden(extra[i]) for i in sorted(picked)]


HIDDEN_DELTA = NumericPart(
    "hidden_delta", "hidden_delta(delta_next, W_next, z)", "07", _hidden_cases,
    lambda d, W, z: _hidden_delta(d, W, z), numeric=_hidden_numeric,
    what="a cost whose ∂C/∂z^{l+1} is delta_next", z_arg=2,
    mistakes=[
        (lambda d, W, z: _hidden_delta(d, W, z, transpose=True),
         "δ^{l+1} (W^{l+1})ᵀ: W used the wrong way round (it only runs for square weights). Hint: "
         "W^{l+1} is (n_{l+1}, n_l); a row of δ^{l+1} times W^{l+1} is the per-example "
         "(w^{l+1})ᵀ δ^{l+1}."),
        (lambda d, W, z: _hidden_delta(d, W, z, prime="none"),
         "δ^{l+1} W^{l+1} without ⊙ σ′(z^l): that is ∂C/∂a^l, not ∂C/∂z^l. Hint: multiply by the "
         "slope of the sigmoid at z^l."),
        (lambda d, W, z: _hidden_delta(d, W, z, prime="a"),
         "(δ^{l+1} W^{l+1}) ⊙ σ′(a^l): σ′ evaluated at the activation. Hint: σ′ takes the weighted "
         "input z^l you were given."),
        (lambda d, W, z: _hidden_delta(d, W, z, prime="sigma"),
         "(δ^{l+1} W^{l+1}) ⊙ σ(z^l): the sigmoid instead of its slope. Hint: σ′(z) = σ(z)(1 − σ(z))."),
        (lambda d, W, z: _hidden_delta(d, W, z, extra_mean=True),
         "δ^l divided by N once more. Hint: δ^{l+1} already carries the 1/N of the mean cost; BP2 "
         "adds none."),
    ],
    rtol=1e-5, atol=1e-9,
    hints=(
        "BP2 passes the error back one layer: each hidden unit collects the errors of every unit "
        "it feeds, weighted by the connection, then the slope of its own sigmoid.",
        "Per example δ^l = ((w^{l+1})ᵀ δ^{l+1}) ⊙ σ′(z^l); with examples as rows the transpose "
        "disappears: the batch form is the plain product of δ^{l+1} and W^{l+1}, then ⊙ σ′(Z^l).",
        "delta_next is (N, n_{l+1}) and W_next (n_{l+1}, n_l): `@` in the order that gives "
        "(N, n_l), then `*` with nl.activations.sigmoid_prime of z.",
    ),
    error_hint="delta_next is (N, n_{l+1}), W_next (n_{l+1}, n_l): the product must be (N, n_l), the "
               "shape of z.",
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
    for label, n, d, h, k, top in (("5 examples, 4 inputs → 6 hidden → 3 classes", 5, 4, 6, 3, 3),
                                   ("a batch of one, 3 → 4 → 2", 1, 3, 4, 2, 2),
                                   ("8 examples, 2 inputs → 3 hidden → 2 classes", 8, 2, 3, 2, 2),
                                   ("6 examples, 4 classes, none of them of class 3", 6, 3, 5, 4, 3)):
        cases.append(Case(label, (rng.normal(size=(n, d)), rng.integers(0, top, n),
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
    error_hint="δ² is (N, K), W2 (K, H): δ² @ W2 is (N, H), the shape of z¹. The one-hot of y has K "
               "columns, one per row of W2 — even when the last classes do not occur in y (y.max() + 1 "
               "can be less than K).",
)


# ----------------------------------------------------------------------------------------------
# derive-it: the backward pass of a scaled softplus layer a = s · softplus(z)

def _softplus(z):
    return np.logaddexp(0.0, z)


def _softplus_forward(z, s):
    return s * _softplus(z)


def _softplus_numeric(g, z, s):
    """Central differences of C = Σ g ⊙ a(z, s) (so that ∂C/∂a = g) in z and in s."""
    z = np.array(z, dtype=np.float64)
    s_box = np.array([float(s)])
    cost = lambda: float(np.sum(g * _softplus_forward(z, s_box[0])))  # noqa: E731
    return numeric_grad(cost, z), float(numeric_grad(cost, s_box)[0])


def _softplus_backward(g, z, s, *, dz="right", ds="sum"):
    slope = {"right": s * sigmoid(z), "softplus": s * _softplus(z), "no s": sigmoid(z),
             "sigma prime": s * sigmoid_prime(z), "s squared": s * s * sigmoid(z)}[dz]
    products = g * _softplus(z)
    dC_ds = {"sum": float(np.sum(products)), "none": products, "mean": float(np.mean(products)),
             "batch only": products.sum(axis=0), "with s": float(np.sum(g * _softplus_forward(z, s))),
             "of sigma": float(np.sum(g * sigmoid(z))), "one": np.array([np.sum(products)]),
             "mean over batch": float(np.sum(products) / len(z))}[ds]
    return g * slope, dC_ds


def _softplus_cases(rng):
    N, n = int(rng.integers(3, 6)), int(rng.integers(2, 5))

    def scale():
        return float(np.round(rng.uniform(0.5, 2.0) * rng.choice([-1.0, 1.0]), 3))

    cases = [
        Case(f"a batch of {N}, {n} units", (rng.normal(size=(N, n)), rng.normal(size=(N, n)) * 2, scale())),
        Case("s = 0: the layer outputs 0, but ∂C/∂s is not 0",
             (rng.normal(size=(2, 3)), rng.normal(size=(2, 3)) * 2, 0.0)),
        Case("a batch of one, 3 units", (rng.normal(size=(1, 3)), rng.normal(size=(1, 3)) * 2, scale())),
        Case("large |z|, 30 to 800 (a naive exp overflows)", (rng.normal(size=(3, 4)), _large(rng), scale())),
        Case("s = 1.5, a zero upstream gradient in one row",
             (np.vstack([rng.normal(size=(2, 3)), np.zeros((1, 3))]), rng.normal(size=(3, 3)), 1.5)),
    ]
    extra = [
        Case("s = 0 on a batch of 6, one unit", (rng.normal(size=(6, 1)), rng.normal(size=(6, 1)) * 2, 0.0)),
        Case("one unit, 8 examples", (rng.normal(size=(8, 1)), rng.normal(size=(8, 1)) * 2, scale())),
        Case("a negative scale s = −3", (rng.normal(size=(3, 5)), rng.normal(size=(3, 5)), -3.0)),
        Case("many units: 2 examples, 12 units", (rng.normal(size=(2, 12)), rng.normal(size=(2, 12)) * 2, scale())),
    ]
    picked = rng.choice(len(extra), size=2, replace=False)
    return cases + [_as_hidden(extra[i]) for i in sorted(picked)]


def _large(rng):
    """|z| from 30 to 800, with one entry above 709 and one below −709 (e^z overflows there)."""
    z = rng.uniform(30, 800, (3, 4)) * rng.choice([-1.0, 1.0], (3, 4))
    z[0, :2] = rng.uniform(720, 800, 2) * np.array([1.0, -1.0])
    return z


class DeriveItPart(NumericPart):
    """Judged output by output against central differences; a dC_ds that is an array gets a word
    on shapes (s is one number, so is ∂C/∂s)."""

    diagnose_across_cases = True

    def judge(self, case, got):
        problem = compare(self.expected(case), got, self.outputs, self.rtol, self.atol)
        if problem is None:
            return None
        if isinstance(got, (tuple, list)) and len(got) == 2 and isinstance(got[1], np.ndarray) \
                and got[1].ndim > 0:
            problem.append("  s is a single number, so ∂C/∂s is a single number too (a Python float "
                           "or a 0-d array), not an array of shape " + str(tuple(got[1].shape)) + ".")
        return problem


SCALED_SOFTPLUS_BACKWARD = DeriveItPart(
    "scaled_softplus_backward", "scaled_softplus_backward(g, z, s)", "07", _softplus_cases,
    lambda g, z, s: _softplus_backward(g, z, s), numeric=_softplus_numeric,
    what="C = Σ g ⊙ a",
    outputs=("dC_dz", "dC_ds"),
    mistakes=[
        (lambda g, z, s: _softplus_backward(g, z, s, ds="none"),
         "a dC_ds with one entry per example and unit: the sum is missing. Hint: the one s is used "
         "by every unit of every example, so its gradient adds up all of their contributions."),
        (lambda g, z, s: _softplus_backward(g, z, s, ds="batch only"),
         "a dC_ds summed over the batch only, one number per unit (as for a bias). Hint: s is shared "
         "by the units too: sum over both axes."),
        (lambda g, z, s: _softplus_backward(g, z, s, ds="mean"),
         "a dC_ds averaged over the entries instead of summed. Hint: g already carries the 1/N of "
         "the mean cost; each use of s adds its contribution."),
        (lambda g, z, s: _softplus_backward(g, z, s, ds="mean over batch"),
         "a dC_ds divided by N once more. Hint: g already carries the 1/N of the mean cost; just sum."),
        (lambda g, z, s: _softplus_backward(g, z, s, ds="with s"),
         "a dC_ds of Σ g ⊙ a = s · Σ g ⊙ softplus(z): s is one factor too many. Hint: ∂a/∂s = softplus(z)."),
        (lambda g, z, s: _softplus_backward(g, z, s, ds="of sigma"),
         "a dC_ds of Σ g ⊙ σ(z): the slope of softplus where softplus itself belongs. Hint: a is "
         "linear in s, with ∂a/∂s = softplus(z)."),
        (lambda g, z, s: _softplus_backward(g, z, s, ds="one"),
         "the right dC_ds, but as an array of shape (1,). Hint: s is one number, so is ∂C/∂s: "
         "return a float."),
        (lambda g, z, s: (g * s * sigmoid(z), float(np.sum(g * _softplus_forward(z, s)) / s) if s else 0.0),
         "a dC_ds recovered from the output, Σ g ⊙ a / s: right for s ≠ 0, but a = 0 at s = 0 "
         "tells nothing about softplus(z). Hint: ∂a/∂s = softplus(z): compute it from z, not from a."),
        (lambda g, z, s: (g * s * sigmoid(z), np.sum(g * _softplus_forward(z, s)) / np.float64(s)),
         "a dC_ds recovered from the output, Σ g ⊙ a / s: right for s ≠ 0, but 0/0 = nan at s = 0. "
         "Hint: ∂a/∂s = softplus(z): compute it from z, not from a."),
        (lambda g, z, s: _softplus_backward(g, z, s, dz="softplus"),
         "a dC_dz of g ⊙ s · softplus(z): the function where its derivative belongs. Hint: "
         "softplus′(z) = σ(z)."),
        (lambda g, z, s: _softplus_backward(g, z, s, dz="no s"),
         "a dC_dz of g ⊙ σ(z): the scale s is missing. Hint: a = s · softplus(z), so ∂a/∂z = s · softplus′(z)."),
        (lambda g, z, s: _softplus_backward(g, z, s, dz="sigma prime"),
         "a dC_dz of g ⊙ s · σ′(z): the slope of the sigmoid. Hint: softplus′(z) is σ(z) itself; "
         "σ′ would be softplus″."),
        (lambda g, z, s: _softplus_backward(g, z, s, dz="s squared"),
         "a dC_dz with s². Hint: s appears once in a = s · softplus(z)."),
    ],
    rtol=1e-5, atol=1e-8, no_warnings=True,
    hints=(
        "Two gradients from one upstream gradient g = ∂C/∂a: a depends on each z_ij through one "
        "entry only, but on s through every entry — so one is elementwise and the other adds up.",
        "∂a_ij/∂z_ij = s · softplus′(z_ij), and softplus′ is the sigmoid σ; ∂a_ij/∂s = "
        "softplus(z_ij). Then ∂C/∂z_ij = g_ij ∂a_ij/∂z_ij and ∂C/∂s = Σ_ij g_ij ∂a_ij/∂s.",
        "A stable σ (nl.activations.sigmoid) and a stable softplus (np.logaddexp(0, z), as in the "
        "forward pass); `*` for the elementwise products, a sum over every entry for ∂C/∂s, "
        "returned as a float.",
    ),
    error_hint="g and z are (N, n) and s is one number: dC_dz has the shape of z, dC_ds is one number.",
)

PARTS = [NUMERIC_GRADIENT, OUTPUT_DELTA, HIDDEN_DELTA, DENSE_BACKWARD, TWO_LAYER_BACKWARD,
         SCALED_SOFTPLUS_BACKWARD]


def check_numeric_gradient(numeric_gradient) -> CheckResult:
    """Check your `numeric_gradient(f, x, h)`: central differences for every entry of x.  Chapter 07."""
    return run_check(NUMERIC_GRADIENT, numeric_gradient)


def check_dense_backward(dense_backward) -> CheckResult:
    """Check your `dense_backward(delta, a_prev, W)` → (dC_dW, dC_db, dC_da_prev).  Chapter 07."""
    return run_check(DENSE_BACKWARD, dense_backward)


def check_two_layer_backward(two_layer_backward) -> CheckResult:
    """Check your `two_layer_backward(X, y, W1, b1, W2, b2)` against central differences.  Chapter 07."""
    return run_check(TWO_LAYER_BACKWARD, two_layer_backward)


def check_output_delta(output_delta) -> CheckResult:
    """Check your `output_delta(z_L, y)`: BP1, δ^L = (a − y)/N ⊙ σ′(z^L), against central differences
    of the mean squared error.  Chapter 07."""
    return run_check(OUTPUT_DELTA, output_delta)


def check_hidden_delta(hidden_delta) -> CheckResult:
    """Check your `hidden_delta(delta_next, W_next, z)`: BP2, δ^l = (δ^{l+1} W^{l+1}) ⊙ σ′(z^l).
    Chapter 07."""
    return run_check(HIDDEN_DELTA, hidden_delta)


def check_scaled_softplus_backward(scaled_softplus_backward) -> CheckResult:
    """Check your `scaled_softplus_backward(g, z, s)` → (dC_dz, dC_ds) for a = s · softplus(z),
    against central differences.  Chapter 07."""
    return run_check(SCALED_SOFTPLUS_BACKWARD, scaled_softplus_backward)
