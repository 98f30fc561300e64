"""Checks for chapter 10, vanishing gradients and residual networks: δ through a deep sigmoid net,
a residual block's forward and backward pass."""

from __future__ import annotations

import numpy as np

from ..activations import relu, sigmoid_prime, tanh_prime
from ._core import Case, CheckResult, run_check
from ._parts import FunctionPart


def _deltas(delta_L, Ws, zs, prime=True, transpose=False, shift=0):
    deltas = [np.array(delta_L, dtype=np.float64)]
    for l in range(len(Ws) - 2, -1, -1):
        W = Ws[l + 1].T if transpose else Ws[l + 1]
        back = deltas[0] @ W
        if prime:
            back = back * sigmoid_prime(zs[min(l + shift, len(zs) - 1)])
        deltas.insert(0, back)
    return deltas


def _deep_net(rng, widths, n):
    Ws = [rng.normal(size=(o, i)) for i, o in zip(widths[:-1], widths[1:])]
    zs = [rng.normal(size=(n, o)) for o in widths[1:]]
    return rng.normal(size=(n, widths[-1])), Ws, zs


def _deltas_cases(rng):
    cases = []
    for label, widths, n in (("4 layers of width 5, a batch of 3", [5, 5, 5, 5, 5], 3),
                             ("widths 8 → 6 → 4 → 3, a batch of 2", [8, 6, 4, 3], 2),
                             ("a batch of one, 3 layers", [4, 4, 4, 4], 1),
                             ("2 layers", [3, 5, 2], 4)):
        cases.append(Case(label, _deep_net(rng, widths, n)))
    return cases


BACKPROP_DELTAS = FunctionPart(
    "backprop_deltas", "backprop_deltas(delta_L, Ws, zs)", "10", _deltas_cases, _deltas,
    mistakes=[
        (lambda d, Ws, zs: _deltas(d, Ws, zs, prime=False),
         "the deltas without σ′. Hint: δ^l = (δ^(l+1) W^(l+1)) ⊙ σ′(z^l) — that factor, at most "
         "1/4, is what makes the gradients vanish."),
        (lambda d, Ws, zs: _deltas(d, Ws, zs, transpose=True),
         "the deltas with transposed weights. Hint: W^(l+1) is (n_(l+1), n_l), so δ^(l+1) @ W^(l+1) "
         "has the width of layer l."),
        (lambda d, Ws, zs: _deltas(d, Ws, zs, shift=1),
         "σ′ taken at the layer above, z^(l+1). Hint: δ^l uses σ′(z^l), its own layer's z."),
        (lambda d, Ws, zs: _deltas(d, Ws, zs)[::-1],
         "the right deltas in reverse order. Hint: return [δ^1, …, δ^L], the first layer first."),
    ],
    hints=(
        "δ flows backwards layer by layer, multiplied each time by the weights and by the local "
        "slope σ′.",
        "δ^l = (δ^(l+1) W^(l+1)) ⊙ σ′(z^l), from δ^L down to δ^1.",
        "With 0-based lists, W^(l+1) is Ws[l] and z^l is zs[l−1]; build the list from the last "
        "layer and put each new δ in front (or reverse at the end).",
    ),
    error_hint="Ws[i] has shape (n_out, n_in) of layer i+1: δ (N, n_out) @ W (n_out, n_in) → (N, n_in).",
)


def _residual_cases(rng):
    return [
        Case("a batch of 4 with 3 units", (rng.normal(size=(4, 3)), rng.normal(size=(3, 3)), rng.normal(size=3))),
        Case("a batch of one with 5 units", (rng.normal(size=(1, 5)), rng.normal(size=(5, 5)), rng.normal(size=5))),
        Case("zero input (a = tanh(b))", (np.zeros((2, 4)), rng.normal(size=(4, 4)), rng.normal(size=4))),
        Case("large inputs (tanh saturates)", (rng.normal(size=(3, 3)) * 50, rng.normal(size=(3, 3)), np.zeros(3))),
    ]


RESIDUAL_FORWARD = FunctionPart(
    "residual_forward", "residual_forward(a_prev, W, b)", "10", _residual_cases,
    lambda a, W, b: a + np.tanh(a @ W.T + b),
    mistakes=[
        (lambda a, W, b: np.tanh(a @ W.T + b), "F(a_prev) = tanh(a_prev Wᵀ + b) alone. Hint: the skip "
                                               "connection adds the input: a = a_prev + F(a_prev)."),
        (lambda a, W, b: np.tanh(a + a @ W.T + b), "tanh(a_prev + z): the skip added inside tanh. "
                                                   "Hint: a = a_prev + tanh(z)."),
        (lambda a, W, b: a + a @ W.T + b, "a_prev + z without tanh. Hint: F(a_prev) = tanh(a_prev Wᵀ + b)."),
        (lambda a, W, b: a + np.tanh(a @ W + b), "the result with transposed weights. Hint: z = a_prev Wᵀ + b, W[j, k] = w_jk."),
        (lambda a, W, b: a + relu(a @ W.T + b), "a block with ReLU. Hint: this block uses tanh."),
    ],
    hints=(
        "A residual block adds its input back to what its layer computes: the skip connection.",
        "a = a_prev + tanh(a_prev Wᵀ + b).",
        "@, .T and np.tanh; the shapes of a_prev and a are the same.",
    ),
)


def _residual_backward(g, a, W, b, identity=True, prime=True):
    z = a @ W.T + b
    delta = g * tanh_prime(z) if prime else g.copy()
    back = delta @ W
    return (g + back) if identity else back, delta.T @ a, delta.sum(axis=0)


RESIDUAL_BACKWARD = FunctionPart(
    "residual_backward", "residual_backward(dC_da, a_prev, W, b)", "10",
    lambda rng: [Case(c.label, (rng.normal(size=c.args[0].shape), *c.args)) for c in _residual_cases(rng)],
    _residual_backward,
    outputs=("dC_da_prev", "dC_dW", "dC_db"),
    mistakes=[
        (lambda *args: _residual_backward(*args, identity=False),
         "the gradient without the identity path. Hint: the skip connection carries ∂C/∂a back "
         "unchanged: ∂C/∂a_prev = ∂C/∂a + δ W."),
        (lambda *args: _residual_backward(*args, prime=False),
         "the gradients without tanh′. Hint: δ = ∂C/∂a ⊙ tanh′(z), with tanh′(z) = 1 − tanh(z)²."),
        (lambda g, a, W, b: (g + (g * tanh_prime(a @ W.T + b)) @ W.T,
                             *_residual_backward(g, a, W, b)[1:]),
         "∂C/∂a_prev with Wᵀ. Hint: W is (n, n) with W[j, k] = w_jk: δ @ W."),
        (lambda g, a, W, b: (_residual_backward(g, a, W, b)[0], _residual_backward(g, a, W, b)[1].T,
                             _residual_backward(g, a, W, b)[2]),
         "a transposed dC_dW. Hint: dC_dW = δᵀ a_prev."),
    ],
    hints=(
        "The gradient reaches a_prev along two paths: the skip, which passes it unchanged, and "
        "the layer, through tanh′ and W.",
        "δ = ∂C/∂a ⊙ (1 − tanh(z)²) with z = a_prev Wᵀ + b;  ∂C/∂W = δᵀ a_prev;  ∂C/∂b = Σ_rows "
        "δ;  ∂C/∂a_prev = ∂C/∂a + δ W.",
        "Recompute z first; @ and .T for the products, .sum(axis=0) for the bias.",
    ),
)

PARTS = [BACKPROP_DELTAS, RESIDUAL_FORWARD, RESIDUAL_BACKWARD]


def check_backprop_deltas(backprop_deltas) -> CheckResult:
    """Check your `backprop_deltas(delta_L, Ws, zs)` → [δ^1, …, δ^L] in a deep sigmoid net.  Chapter 10."""
    return run_check(BACKPROP_DELTAS, backprop_deltas)


def check_residual_forward(residual_forward) -> CheckResult:
    """Check your `residual_forward(a_prev, W, b)`: a_prev + tanh(a_prev Wᵀ + b).  Chapter 10."""
    return run_check(RESIDUAL_FORWARD, residual_forward)


def check_residual_backward(residual_backward) -> CheckResult:
    """Check your `residual_backward(dC_da, a_prev, W, b)` → (dC_da_prev, dC_dW, dC_db).  Chapter 10."""
    return run_check(RESIDUAL_BACKWARD, residual_backward)


# ----------------------------------------------------------------------------------------------
# gate_backward: a derive-it part (the chapter derives no gate)

def _sig(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # σ without overflow


def _gate(u, v):
    return _sig(u) * np.tanh(v)


def _gate_numeric(dC_da, u, v, h=1e-5):
    """∂C/∂u and ∂C/∂v of C = Σ dC_da ⊙ a(u, v) by central differences, entry by entry (a is
    elementwise, so one shift of all entries at once gives every partial derivative)."""
    du = (_gate(u + h, v) - _gate(u - h, v)) / (2 * h) * dC_da
    dv = (_gate(u, v + h) - _gate(u, v - h)) / (2 * h) * dC_da
    return du, dv


def _gate_backward(dC_da, u, v, *, prime_u="sig", prime_v="tanh", swap=False):
    s, t = _sig(u), np.tanh(v)
    su = {"sig": s * (1 - s), "none": 1.0, "wrong": s * (1 - t)}[prime_u]
    tv = {"tanh": 1 - t * t, "none": 1.0, "v2": 1 - v * v}[prime_v]
    du, dv = dC_da * t * su, dC_da * s * tv
    return (dv, du) if swap else (du, dv)


def _gate_cases(rng):
    def inputs(N, n, scale=1.0):
        return (rng.normal(size=(N, n)), rng.normal(size=(N, n)) * scale, rng.normal(size=(N, n)) * scale)

    return [Case("a batch of 4 with 3 units", inputs(4, 3)),
            Case("a batch of one with 5 units", inputs(1, 5)),
            Case("large u and v (σ and tanh saturate)", inputs(3, 3, 4.0)),
            Case("many units: a batch of 2 with 12", inputs(2, 12), hidden=True),
            Case("small inputs near 0 (σ ≈ ½, tanh(v) ≈ v)", inputs(3, 4, 0.05), hidden=True)]


class GatePart(FunctionPart):
    """Judged against central differences computed here, output by output."""

    diagnose_across_cases = True

    def expected(self, case):
        return _gate_numeric(*case.args)

    def judge(self, case, got):
        from .recurrent import judge_outputs

        return judge_outputs(self.expected(case), got, self.outputs, self.rtol, self.atol)


GATE_BACKWARD = GatePart(
    "gate_backward", "gate_backward(dC_da, u, v)", "10", _gate_cases, _gate_backward,
    outputs=("dC_du", "dC_dv"), rtol=1e-5, atol=1e-8,
    mistakes=[
        (lambda *a: _gate_backward(*a, prime_u="none"),
         "dC_du without σ′(u). Hint: a depends on u through σ(u): the chain rule brings σ′(u) = "
         "σ(u)(1 − σ(u))."),
        (lambda *a: _gate_backward(*a, prime_v="none"),
         "dC_dv without tanh′(v). Hint: a depends on v through tanh(v): tanh′(v) = 1 − tanh(v)²."),
        (lambda *a: _gate_backward(*a, prime_v="v2"),
         "dC_dv with 1 − v² for tanh′(v). Hint: tanh′(v) = 1 − tanh(v)²: square tanh(v), not v."),
        (lambda *a: _gate_backward(*a, swap=True),
         "(dC_dv, dC_du): the two outputs swapped. Hint: return dC_du, dC_dv."),
    ],
    hints=(
        "a is a product of two factors, each a function of one input: the product rule gives one "
        "factor's derivative times the other factor, for each input.",
        "∂a/∂u = σ′(u) ⊙ tanh(v) and ∂a/∂v = σ(u) ⊙ tanh′(v), entry by entry; multiply each by "
        "∂C/∂a (the chain rule).",
        "σ′(u) = σ(u)(1 − σ(u)), tanh′(v) = 1 − tanh(v)²; nl.activations.sigmoid and np.tanh, and "
        "`*` for ⊙.",
    ),
)

PARTS = [BACKPROP_DELTAS, RESIDUAL_FORWARD, RESIDUAL_BACKWARD, GATE_BACKWARD]


def check_gate_backward(gate_backward) -> CheckResult:
    """Check your `gate_backward(dC_da, u, v)` → (dC_du, dC_dv) for a = σ(u) ⊙ tanh(v), against
    central differences.  Chapter 10."""
    return run_check(GATE_BACKWARD, gate_backward)
