"""Checks for chapter 10, vanishing gradients and residual networks: δ through a deep sigmoid net,
a residual block's forward and backward pass, a gate's backward pass, and the per-layer gradient
norms of a deep net, measured."""

from __future__ import annotations

import copy

import numpy as np

from ..activations import relu, sigmoid_prime, tanh_prime
from ._core import Case, CheckResult, Part, compare, is_number, run_check, show
from ._plain import describe, fmt, shape_text
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


def _gate_backward(dC_da, u, v, *, prime_u="sig", prime_v="tanh", swap=False, flip=False):
    s, t = _sig(-u if flip else u), np.tanh(v)
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
        (lambda *a: _gate_backward(*a, flip=True),
         "σ(−u) in place of σ(u): a sign lost in the exponent. dC_du still comes out right, "
         "because σ′(−u) = σ′(u), but dC_dv uses σ(u) itself. Hint: σ(u) = 1/(1 + e^(−u)), "
         "close to 1 for a large positive u."),
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


# ----------------------------------------------------------------------------------------------
# layer_gradient_norms: a measure-it part (the chapter measured them with nl.diagnostics)

_ACTIVATIONS = ("sigmoid", "tanh", "relu")


def _net_spec(rng, widths, act, *, scale=1.0, out_act=None, std=None):
    """A Builtin "sequential" for an nl.Sequential of Dense layers with `act` between them (and
    `out_act` after the last), weights N(0, std²)·scale, biases N(0, 0.1²)."""
    layers = []
    for k, (n_in, n_out) in enumerate(zip(widths[:-1], widths[1:])):
        s = (np.sqrt(2.0 / n_in) if std == "he" else 1.0) * scale
        layers.append(["dense", rng.normal(size=(n_out, n_in)) * s, rng.normal(size=n_out) * 0.1])
        if k < len(widths) - 2:
            layers.append([act])
    if out_act:
        layers.append([out_act])
    return layers


def _with_stale(layers, loss_name, rng, n_in, n_out):
    """The spec with stale gradients: those of a backward pass on other data (a forgotten
    zero_grad adds them)."""
    from ._core import BUILTINS

    model = BUILTINS["sequential"](layers)
    X, y = rng.normal(size=(3, n_in)), _targets(rng, loss_name, 3, n_out)
    loss = BUILTINS["loss"](loss_name)
    loss.forward(model.forward(X), y)
    model.backward(loss.backward())
    dense = [layer for layer in model.layers if type(layer).__name__ == "Dense"]
    out, k = [], 0
    for spec in layers:
        if spec[0] == "dense":
            out.append(["dense", spec[1], spec[2], dense[k].W.grad.copy(), dense[k].b.grad.copy()])
            k += 1
        else:
            out.append(spec)
    return out


def _targets(rng, loss_name, n, n_out):
    if loss_name == "SoftmaxCrossEntropy":
        return rng.integers(0, n_out, size=n)
    return rng.normal(size=(n, n_out)) * 0.5


def _norms_case(rng, label, widths, act, loss_name, n, *, hidden=False, **net):
    from ._plain import Builtin

    layers = _with_stale(_net_spec(rng, widths, act, **net), loss_name, rng, widths[0], widths[-1])
    depth = len(widths) - 1
    text = f"an nl.Sequential of {depth} Dense layers ({' → '.join(map(str, widths))}) with {act}"
    if net.get("out_act"):
        text += f" and a {net['out_act']} output"
    text += " (its .grad holds an old gradient)"
    model = Builtin("sequential", {"layers": layers, "text": text})
    loss = Builtin("loss", {"name": loss_name, "text": f"nl.{loss_name}()"})
    X = rng.normal(size=(n, widths[0]))
    return Case(label, (model, loss, X, _targets(rng, loss_name, n, widths[-1])), hidden=hidden)


def _norms_cases(rng):
    return [
        _norms_case(rng, "a sigmoid net, 4 Dense layers of width 8, SoftmaxCrossEntropy",
                    [6, 8, 8, 8, 3], "sigmoid", "SoftmaxCrossEntropy", 5),
        _norms_case(rng, "a tanh net, 5 Dense layers of width 10, SquaredError",
                    [4, 10, 10, 10, 10, 2], "tanh", "SquaredError", 4, scale=0.6),
        _norms_case(rng, "a ReLU net with He weights, a batch of one",
                    [5, 16, 16, 16, 4], "relu", "SoftmaxCrossEntropy", 1, std="he"),
        _norms_case(rng, "a sigmoid net of 2 Dense layers, SquaredError",
                    [3, 5, 2], "sigmoid", "SquaredError", 6),
        _norms_case(rng, "a deep narrow sigmoid net: 9 Dense layers of width 3",
                    [3, 3, 3, 3, 3, 3, 3, 3, 3, 2], "sigmoid", "SoftmaxCrossEntropy", 4, hidden=True),
        _norms_case(rng, "a 12-layer sigmoid net whose first layers' gradients vanish (~1e-6 of the last)",
                    [10] * 12 + [3], "sigmoid", "SoftmaxCrossEntropy", 6, scale=0.5, hidden=True),
        _norms_case(rng, "regression: a ReLU net with a Tanh output, SquaredError",
                    [4, 12, 6, 3], "relu", "SquaredError", 5, std="he", out_act="tanh", hidden=True),
        _norms_case(rng, "a tanh net of 3 Dense layers, a batch of 20, SquaredError",
                    [5, 7, 7, 3], "tanh", "SquaredError", 20, hidden=True),
    ]


def _measure(args):
    """What one honest forward and backward pass gives, layer by layer (Dense layers only):
    ‖∂C/∂W‖, ‖∂C/∂b‖, ‖δ‖, max |∂C/∂W|, ‖W‖, the stale gradients' sums, on a fresh model."""
    from ._core import materialise

    model, loss, X, y = materialise(copy.deepcopy(args))
    dense = [layer for layer in model.layers if type(layer).__name__ == "Dense"]
    stale_W = [layer.W.grad.copy() for layer in dense]
    stale_b = [layer.b.grad.copy() for layer in dense]
    model.zero_grad()
    loss.forward(model.forward(X), y)
    g, deltas = loss.backward(), []
    for layer in reversed(model.layers):
        if type(layer).__name__ == "Dense":
            deltas.insert(0, g)
        g = layer.backward(g)
    gW = [layer.W.grad.copy() for layer in dense]
    gb = [layer.b.grad.copy() for layer in dense]
    norm = np.linalg.norm
    return {
        "W": np.array([norm(w) for w in gW]),
        "b": np.array([norm(v) for v in gb]),
        "delta": np.array([norm(d) for d in deltas]),
        "max": np.array([np.abs(w).max() for w in gW]),
        "spectral": np.array([norm(w, 2) for w in gW]),
        "weights": np.array([norm(layer.W.data) for layer in dense]),
        "stale": np.array([norm(w + s) for w, s in zip(gW, stale_W)]),
        "Wb": np.array([np.sqrt(norm(w) ** 2 + norm(v) ** 2) for w, v in zip(gW, gb)]),
        "stale_b": stale_b,
    }


def _weights_of(args):
    """The Dense layers' (W, b) of a case, as the learner's model holds them before the call."""
    return [(np.array(spec[1]), np.array(spec[2])) for spec in args[0].params["layers"]
            if spec[0] == "dense"]


_NORM_MISTAKES = (
    (lambda m: m["W"][::-1], "the right norms in reverse order, output side first. Hint: return "
                             "them input side first, as model.layers lists the Dense layers."),
    (lambda m: m["W"] ** 2, "the squared norms ‖∂C/∂W‖². Hint: the Frobenius norm is the square "
                            "root: √(Σ_jk (∂C/∂w_jk)²), np.linalg.norm(g)."),
    (lambda m: m["stale"], "the norms of an old gradient plus the new one: the model's .grad already "
                           "held a gradient, and backward adds to it. Hint: model.zero_grad() before "
                           "the forward pass."),
    (lambda m: m["weights"], "the norms of the weights ‖W‖, not of their gradients. Hint: "
                             "layer.W.grad holds ∂C/∂W after the backward pass; layer.W.data is W."),
    (lambda m: m["b"], "the norms of the bias gradients ‖∂C/∂b‖. Hint: measure layer.W.grad, the "
                       "weights' gradient."),
    (lambda m: m["Wb"], "the norms of the weight and bias gradients together. Hint: only ∂C/∂W: "
                        "np.linalg.norm(layer.W.grad)."),
    (lambda m: m["delta"], "the norms of δ^l = ∂C/∂z^l, the gradient at each Dense layer's output. "
                           "Hint: ∂C/∂W^l = (δ^l)ᵀ a^(l−1) also holds the layer's input; read it "
                           "from layer.W.grad."),
    (lambda m: m["W"][:1], "the first layer's norm alone. Hint: one norm per Dense layer of the "
                           "model, input side first."),
    (lambda m: m["W"][-1:], "the last layer's norm alone. Hint: one norm per Dense layer of the "
                            "model, input side first."),
    (lambda m: m["max"], "the largest |∂C/∂w_jk| of each layer, not the Frobenius norm. Hint: "
                         "‖g‖ = √(Σ_jk g_jk²), np.linalg.norm(g) of the 2-D gradient."),
    (lambda m: m["spectral"], "the spectral norms (ord=2: each gradient's largest singular value) — "
                              "the Frobenius norm is asked. Hint: ‖g‖ = √(Σ_jk g_jk²); "
                              "np.linalg.norm(g) without ord gives it for a 2-D array (the two "
                              "agree only when g has rank 1, as for a batch of one)."),
)

_NORMS_DEPEND = ("Hint: each layer's ‖∂C/∂W^l‖ comes from δ^l, the product of the weights and the "
                 "slopes σ′(z) of every layer above it (σ′ ≤ 1/4 for the sigmoid, ≤ 1 for tanh), "
                 "times that layer's input: in a sigmoid net the norms shrink towards the input "
                 "side. One forward and one backward pass on X, y, after model.zero_grad(), give them all.")


def _scale_note(expected, got, N) -> list[str]:
    """What a result wrong by a common factor on every layer says (all 0, N, 1/N, another one)."""
    if np.all(got == 0):
        return ["All your norms are 0: the gradient was cleared after the backward pass, or never "
                "computed (or an old gradient kept by reference — the same array, which the "
                "backward pass then changes — was subtracted from it).",
                "Hint: clear the old gradient before the forward pass, and read layer.W.grad "
                "after model.backward."]
    if not np.all(expected > 0):
        return []
    ratio = got / expected
    factor = float(ratio[0])
    if not np.allclose(ratio, factor, rtol=1e-6, atol=0) or abs(factor - 1) < 1e-6:
        return []
    line = f"Every layer is off by the same factor {fmt(factor)}"
    if N > 1 and abs(factor - N) < 1e-6 * N:
        return [line + " = N, the batch size: the gradient of the summed cost Σ_x C_x.",
                "Hint: nnlab's losses average over the batch, C = (1/N) Σ_x C_x: use the gradient "
                "loss.backward() returns as it is."]
    if N > 1 and abs(factor * N - 1) < 1e-6:
        return [line + f" = 1/N (N = {N}, the batch size): the gradient divided by N once more.",
                "Hint: loss.backward() already holds the 1/N of the mean cost."]
    return [line + ": the layers' norms are right relative to each other, the scale is not.",
            "Hint: C is the loss's own cost, the mean over the batch; take the gradient "
            "loss.backward() returns, unscaled."]


class GradientNormsPart(Part):
    """layer_gradient_norms(model, loss, X, y) → ‖∂C/∂W^l‖ of every Dense layer, input side first;
    the model comes with a stale gradient in .grad, and its weights must not change."""

    diagnose_across_cases = True

    def __init__(self):
        super().__init__(
            "layer_gradient_norms", "layer_gradient_norms(model, loss, X, y)", "10", rtol=1e-6,
            atol=0.0,
            hints=("Let nnlab compute the gradient: one forward pass of X through the model, the "
                   "loss, one backward pass — after clearing the gradient the model already "
                   "holds. Then read each Dense layer's weight gradient.",
                   "‖∂C/∂W^l‖ = √(Σ_jk (∂C/∂w^l_jk)²), the Frobenius norm of layer l's weight "
                   "gradient, for l = 1, …, L (input side first).",
                   "The operations: the model's zero_grad method clears the old gradient; "
                   "model.forward, loss.forward, then loss.backward and model.backward do the two "
                   "passes; each nl.Dense layer in model.layers then holds ∂C/∂W^l in layer.W.grad, "
                   "and np.linalg.norm of a 2-D array is its Frobenius norm — not "
                   "nl.diagnostics.gradient_norms."))

    def cases(self, rng):
        return _norms_cases(rng)

    def call(self, fn, args, extra):
        from .. import diagnostics, training
        from ._watch import Calls

        model = args[0]
        watched = {diagnostics.gradient_norms.__code__: "nl.diagnostics.gradient_norms",
                   training.predict.__code__: "nl.predict"}
        try:
            with Calls(watched) as seen:
                got = fn(*args)
        except RuntimeError as err:
            if "nl.predict" in seen.called and "forward must run first" in str(err):
                err.args = (f"{err} (nl.predict computes the output in eval mode and keeps nothing "
                            "for backward: the backward pass needs the model's own forward pass.)",)
            raise
        if isinstance(got, (list, tuple)):
            try:
                got = np.array(got, dtype=np.float64)
            except (TypeError, ValueError):
                pass
        after = []
        for layer in getattr(model, "layers", ()):
            if type(layer).__name__ == "Dense":
                try:
                    after.append((np.array(layer.W.data, dtype=np.float64),
                                  np.array(layer.b.data, dtype=np.float64)))
                except Exception:  # noqa: BLE001 — replaced by something else: changed
                    after.append(None)
        return got, after, [name for name in seen.called if name != "nl.predict"]

    def describe_input(self, case):
        model, loss, X, y = case.args
        return [f"  model = {show(model)}", f"  loss = {show(loss)}", f"  X = {show(X, indent=6)}",
                f"  y = {show(y, indent=6)}"]

    def expected(self, case):
        return _measure(case.args)["W"]

    def wrong(self, case):
        m, weights = _measure(case.args), _weights_of(case.args)
        return [((f(m), weights, []), explanation) for f, explanation in _NORM_MISTAKES]

    def judge(self, case, got):
        if not (isinstance(got, tuple) and len(got) == 3):
            return ["Your result could not be read; return an array, one number per Dense layer."]
        value, after, called = got
        if called:
            return ["Your function called nl.diagnostics.gradient_norms, nnlab's own version of "
                    "this part.", "Hint: measure the norms yourself: the forward and backward "
                    "pass, then np.linalg.norm(layer.W.grad) for each Dense layer."]
        weights = _weights_of(case.args)
        changed = [k for k in range(1, len(weights) + 1)
                   if not (isinstance(after, (list, tuple)) and k <= len(after) and after[k - 1] is not None
                           and np.array_equal(after[k - 1][0], weights[k - 1][0])
                           and np.array_equal(after[k - 1][1], weights[k - 1][1]))]
        if changed:
            return [f"Your function modified its input model: the weights (W.data or b.data) of "
                    f"Dense layer{'s' if len(changed) > 1 else ''} {', '.join(map(str, changed))} "
                    f"changed.", "Hint: measuring needs no update: the forward and backward pass "
                    "change only the gradients .grad — no optimizer step, no W.data -= …."]
        expected = self.expected(case)
        L = len(expected)
        if isinstance(value, dict):
            return [f"Your function returned a dict ({describe(value)[2:]}): return an array, one "
                    f"number per Dense layer, input side first (here {L} numbers), e.g. "
                    f"np.array(norms) — not the labelled dict that nl.diagnostics.gradient_norms gives."]
        if is_number(value):
            return [f"Your function returned a single number, {fmt(value)}: return an array, one "
                    f"number per Dense layer, input side first (here {L} numbers)."]
        if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf":
            return [f"Your function returned {describe(value)}: return an array, one number per "
                    f"Dense layer, input side first (here {L} numbers)."]
        if value.ndim != 1 or len(value) != L:
            return [f"Your result should be a 1-d array of {L} numbers, one per Dense layer of the "
                    f"model (input side first), got shape {shape_text(value.shape)}."]
        g = value.astype(np.float64)
        problems = [(k, compare(float(expected[k]), value[k], (), self.rtol, self.atol,
                                what=f"The norm of Dense layer {k + 1} of {L} (index {k})"))
                    for k in range(L)]
        bad = [k for k, problem in problems if problem is not None]
        if not bad:
            return None
        lines = [line for k, problem in problems[:bad[min(3, len(bad) - 1)] + 1] if problem
                 for line in problem]
        if len(bad) > 4:
            lines.append(f"… and {len(bad) - 4} more layers wrong.")
        right = [str(k + 1) for k in range(L) if k not in bad]
        lines.append(f"{L - len(bad)} of {L} layers right" + (f" (layer{'s' if len(right) > 1 else ''} "
                                                            f"{', '.join(right)})." if right else "."))
        lines.append(f"  expected: {show(expected, indent=12)}")
        lines.append(f"  got:      {show(g, indent=12)}")
        note = _scale_note(expected, g, len(case.args[2]))
        if note:
            lines += note
        elif not any(compare(v, got, (), self.rtol, self.atol) is None for v, _ in self.wrong(case)):
            lines.append(_NORMS_DEPEND)
        return lines


LAYER_GRADIENT_NORMS = GradientNormsPart()

PARTS = [BACKPROP_DELTAS, RESIDUAL_FORWARD, RESIDUAL_BACKWARD, GATE_BACKWARD, LAYER_GRADIENT_NORMS]


def check_layer_gradient_norms(layer_gradient_norms) -> CheckResult:
    """Check your `layer_gradient_norms(model, loss, X, y)` → ‖∂C/∂W^l‖ of every Dense layer,
    input side first, from one forward and backward pass.  Chapter 10."""
    return run_check(LAYER_GRADIENT_NORMS, layer_gradient_norms)
