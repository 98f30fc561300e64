"""Weight decay in the optimizers (chapter 09): g = ∇C + λ w replaces ∇C in every update.

One hand-computed step per optimizer; the gradient of the L2-penalised cost C + (λ/2) Σ w²,
differentiated numerically, gives the same step; the same trajectories as torch.optim.SGD,
RMSprop and Adam with `weight_decay` (when torch is installed); λ = 0 changes nothing; the
Parameter's `grad` is never changed; errors.
"""

import math

import numpy as np
import pytest

import nnlab as nl
from nnlab.gradcheck import numeric_grad


def param(values, grad=None, name="w"):
    p = nl.Parameter(np.array(values, dtype=np.float64), name)
    if grad is not None:
        p.grad = np.array(grad, dtype=np.float64)
    return p


def set_grad(p, values):
    p.zero_grad()
    p.grad = np.array(values, dtype=np.float64)


# ---------------------------------------------------------------------------------------------
# One hand-computed step each
# ---------------------------------------------------------------------------------------------

def test_sgd_with_weight_decay_one_step_by_hand():
    # g = ∇C + λ w,  w ← w − η g,   η = 0.1, λ = 0.1
    #   w = [1.0, −2.0],  ∇C = [0.5, 0.25]
    #   g = [0.5 + 0.1, 0.25 − 0.2] = [0.6, 0.05]
    #   w = [1.0 − 0.06, −2.0 − 0.005] = [0.94, −2.005]
    # (the same as shrinking first, (1 − ηλ) w − η ∇C = 0.99·[1, −2] − [0.05, 0.025])
    p = param([1.0, -2.0], grad=[0.5, 0.25])
    opt = nl.SGD([p], lr=0.1, weight_decay=0.1)
    opt.step()
    np.testing.assert_allclose(p.data, [0.94, -2.005], rtol=0, atol=1e-15)
    np.testing.assert_array_equal(p.grad, [0.5, 0.25])     # the user's gradient is not changed


def test_sgd_momentum_with_weight_decay_two_steps_by_hand():
    # g = ∇C + λ w,  v ← μ v − η g,  w ← w + v,   μ = 0.9, η = 0.1, λ = 0.5
    p = param([1.0, -2.0], grad=[0.5, 0.25])
    opt = nl.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.5)
    # step 1: g = [0.5 + 0.5, 0.25 − 1.0] = [1.0, −0.75]
    #   v = −0.1·g = [−0.1, 0.075];   w = [0.9, −1.925]
    opt.step()
    np.testing.assert_allclose(opt.velocity[0], [-0.1, 0.075], rtol=0, atol=1e-15)
    np.testing.assert_allclose(p.data, [0.9, -1.925], rtol=0, atol=1e-15)
    # step 2: ∇C = [0.0, 0.0], so g = λ w = [0.45, −0.9625]: the decay alone moves the weights
    #   v = 0.9·[−0.1, 0.075] − 0.1·[0.45, −0.9625] = [−0.09 − 0.045, 0.0675 + 0.09625] = [−0.135, 0.16375]
    #   w = [0.9 − 0.135, −1.925 + 0.16375] = [0.765, −1.76125]
    set_grad(p, [0.0, 0.0])
    opt.step()
    np.testing.assert_allclose(opt.velocity[0], [-0.135, 0.16375], rtol=0, atol=1e-15)
    np.testing.assert_allclose(p.data, [0.765, -1.76125], rtol=0, atol=1e-15)


def test_rmsprop_with_weight_decay_one_step_by_hand():
    # g = ∇C + λ w,  s ← ρ s + (1 − ρ) g²,  w ← w − η g / (√s + ε),   ρ = 0.9, η = 0.01, λ = 0.5
    rho, eta, eps, lam = 0.9, 0.01, 1e-8, 0.5
    p = param([1.0, 1.0], grad=[0.5, -2.0])
    opt = nl.RMSProp([p], lr=eta, rho=rho, eps=eps, weight_decay=lam)
    # g = [0.5 + 0.5, −2.0 + 0.5] = [1.0, −1.5];  s = 0.1·g² = [0.1, 0.225]   (s sees the decayed g)
    # g/√s = [1/√0.1, −1.5/√0.225] = [√10, −√10]: w = [1 − 0.0316227766…, 1 + 0.0316227766…]
    opt.step()
    np.testing.assert_allclose(opt.s[0], [0.1, 0.225], rtol=1e-15)
    w1 = [1.0 - eta * 1.0 / (math.sqrt(0.1) + eps), 1.0 - eta * -1.5 / (math.sqrt(0.225) + eps)]
    np.testing.assert_allclose(p.data, w1, rtol=1e-14)
    np.testing.assert_allclose(p.data, [0.968377225, 1.031622776], rtol=0, atol=1e-9)
    np.testing.assert_array_equal(p.grad, [0.5, -2.0])


def test_adam_with_weight_decay_one_step_by_hand():
    # g = ∇C + λ w; then Adam on g.  η = 0.1, β₁ = 0.9, β₂ = 0.999, ε = 1e-8, λ = 1
    #   w = [2.0, −1.0],  ∇C = [−0.5, −2.0]
    #   g = [−0.5 + 2.0, −2.0 − 1.0] = [1.5, −3.0]
    #   m = 0.1·g = [0.15, −0.3],  v = 0.001·g² = [0.00225, 0.009];  m̂ = g, v̂ = g²
    #   w = w − η g/|g| = [2.0 − 0.1, −1.0 + 0.1] = [1.9, −0.9]
    # The decay wins in the first weight: ∇C alone would have moved it up, to 2.1.
    eta, eps = 0.1, 1e-8
    p = param([2.0, -1.0], grad=[-0.5, -2.0])
    opt = nl.Adam([p], lr=eta, eps=eps, weight_decay=1.0)
    opt.step()
    np.testing.assert_allclose(opt.m[0], [0.15, -0.3], rtol=1e-15)
    np.testing.assert_allclose(opt.v[0], [0.00225, 0.009], rtol=1e-14)
    w1 = [2.0 - eta * 1.5 / (math.sqrt(2.25) + eps), -1.0 - eta * -3.0 / (math.sqrt(9.0) + eps)]
    np.testing.assert_allclose(p.data, w1, rtol=1e-14)
    np.testing.assert_allclose(p.data, [1.9, -0.9], rtol=0, atol=1e-8)
    np.testing.assert_array_equal(p.grad, [-0.5, -2.0])


def test_sgd_weight_decay_alone_shrinks_by_one_minus_eta_lambda_per_step():
    # ∇C = 0: w_k = (1 − ηλ)^k w_0, a table of k = 0 … 5 with η = 0.5, λ = 0.2 → factor 0.9
    p = param([1.0, -4.0], grad=[0.0, 0.0])
    opt = nl.SGD([p], lr=0.5, weight_decay=0.2)
    for k in range(6):
        np.testing.assert_allclose(p.data, [0.9 ** k, -4.0 * 0.9 ** k], rtol=1e-14)
        opt.step()


def test_full_batch_sgd_with_weight_decay_reaches_the_ridge_solution():
    # Linear least squares C = (1/N) Σ ½ (x·w − y)², penalised by (λ/2)‖w‖²: the minimum is the
    # ridge solution w* = (XᵀX/N + λI)⁻¹ Xᵀy/N, far from the unpenalised one when λ is large.
    rng = np.random.default_rng(0)
    N, lam = 40, 0.5
    X = rng.standard_normal((N, 3))
    y = X @ np.array([2.0, -1.0, 0.5]) + 0.1 * rng.standard_normal(N)
    w_ridge = np.linalg.solve(X.T @ X / N + lam * np.eye(3), X.T @ y / N)
    w_plain = np.linalg.lstsq(X, y, rcond=None)[0]
    p = param(np.zeros(3))
    opt = nl.SGD([p], lr=0.3, weight_decay=lam)
    for _ in range(300):
        set_grad(p, X.T @ (X @ p.data - y) / N)
        opt.step()
    np.testing.assert_allclose(p.data, w_ridge, rtol=1e-10)
    assert np.linalg.norm(p.data - w_plain) > 0.3      # the penalty really changed the answer


# ---------------------------------------------------------------------------------------------
# Gradient-checked: the step uses the gradient of C + (λ/2) Σ w², over every parameter
# ---------------------------------------------------------------------------------------------

def test_one_sgd_step_with_weight_decay_is_a_step_on_the_numerically_differentiated_penalised_cost():
    # C_λ(w) = C(w) + (λ/2) Σ_all parameters w²   (biases too, as torch.optim.SGD does);
    # ∂C_λ/∂w = ∂C/∂w + λ w.  SGD(weight_decay=λ) on backprop's ∂C/∂w must take the step
    # w − η ∂C_λ/∂w that central differences of C_λ give (agreement ~1e-9 relative, h = 1e-5).
    rng = np.random.default_rng(3)
    model = nl.Sequential(nl.Dense(3, 4, rng=rng), nl.Tanh(), nl.Dense(4, 2, rng=rng))
    loss = nl.SquaredError()
    x, y = rng.standard_normal((6, 3)), rng.standard_normal((6, 2))
    eta, lam = 0.2, 0.05
    params = model.parameters()

    def penalised_cost():
        return loss.forward(model.forward(x), y) + lam / 2 * sum(float(np.sum(p.data ** 2)) for p in params)

    expected = [p.data - eta * numeric_grad(penalised_cost, p.data) for p in params]
    model.zero_grad()
    loss.forward(model.forward(x), y)
    model.backward(loss.backward())
    backprop = [p.grad.copy() for p in params]
    nl.SGD(params, lr=eta, weight_decay=lam).step()
    for p, want, g in zip(params, expected, backprop):
        assert nl.gradcheck.rel_error(p.data, want) < 1e-9, p.name
        np.testing.assert_array_equal(p.grad, g)        # backprop's gradient is left as it was


# ---------------------------------------------------------------------------------------------
# The same trajectories as torch.optim (copied parameters and gradients, float64)
# ---------------------------------------------------------------------------------------------

TORCH_CASES = [
    # (nnlab factory, torch factory), the same hyperparameters
    ("SGD", lambda ps: nl.SGD(ps, lr=0.1, weight_decay=0.3),
     lambda torch, ts: torch.optim.SGD(ts, lr=0.1, weight_decay=0.3)),
    ("SGD momentum", lambda ps: nl.SGD(ps, lr=0.05, momentum=0.9, weight_decay=0.3),
     lambda torch, ts: torch.optim.SGD(ts, lr=0.05, momentum=0.9, weight_decay=0.3)),
    ("RMSProp", lambda ps: nl.RMSProp(ps, lr=0.01, rho=0.9, eps=1e-8, weight_decay=0.3),
     lambda torch, ts: torch.optim.RMSprop(ts, lr=0.01, alpha=0.9, eps=1e-8, weight_decay=0.3)),
    ("Adam", lambda ps: nl.Adam(ps, lr=0.05, beta1=0.8, beta2=0.99, eps=1e-8, weight_decay=0.3),
     lambda torch, ts: torch.optim.Adam(ts, lr=0.05, betas=(0.8, 0.99), eps=1e-8, weight_decay=0.3)),
    ("Adam, λ = 0", lambda ps: nl.Adam(ps, lr=0.05),
     lambda torch, ts: torch.optim.Adam(ts, lr=0.05)),
]


@pytest.mark.parametrize("name, make_nl, make_torch", TORCH_CASES, ids=[c[0] for c in TORCH_CASES])
def test_the_same_steps_as_torch_optim(name, make_nl, make_torch):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    start = [rng.standard_normal((3, 4)), rng.standard_normal(3)]        # a W and a b
    ours = [nl.Parameter(w.copy(), n) for w, n in zip(start, ("W", "b"))]
    theirs = [torch.tensor(w.copy(), dtype=torch.float64, requires_grad=True) for w in start]
    opt, ref = make_nl(ours), make_torch(torch, theirs)
    for _ in range(8):
        grads = [rng.standard_normal(w.shape) for w in start]
        for p, t, g in zip(ours, theirs, grads):
            set_grad(p, g)
            t.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        ref.step()
        for p, t, g in zip(ours, theirs, grads):
            np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-12, atol=1e-14)
            np.testing.assert_array_equal(p.grad, g)                  # neither changes .grad
            np.testing.assert_array_equal(t.grad.numpy(), g)


# ---------------------------------------------------------------------------------------------
# λ = 0 changes nothing; the user's gradient is never changed
# ---------------------------------------------------------------------------------------------

OPTIMIZERS = [
    ("SGD", lambda ps, **kw: nl.SGD(ps, lr=0.1, **kw)),
    ("SGD momentum", lambda ps, **kw: nl.SGD(ps, lr=0.1, momentum=0.9, **kw)),
    ("RMSProp", lambda ps, **kw: nl.RMSProp(ps, lr=0.01, **kw)),
    ("Adam", lambda ps, **kw: nl.Adam(ps, lr=0.01, **kw)),
]


def run(make, steps=5, **kw):
    rng = np.random.default_rng(11)
    p = param(rng.standard_normal((2, 3)))
    opt = make([p], **kw)
    grads = []
    for _ in range(steps):
        g = rng.standard_normal((2, 3))
        set_grad(p, g)
        before = p.grad
        opt.step()
        assert p.grad is before
        np.testing.assert_array_equal(p.grad, g)
        grads.append(g)
    return p.data, opt


@pytest.mark.parametrize("name, make", OPTIMIZERS, ids=[o[0] for o in OPTIMIZERS])
def test_weight_decay_zero_is_bit_for_bit_no_weight_decay(name, make):
    default, opt = run(make)
    assert opt.weight_decay == 0.0
    zero, opt_zero = run(make, weight_decay=0.0)
    np.testing.assert_array_equal(zero, default)
    assert opt._decayed is None and opt_zero._decayed is None   # no extra work, no extra memory
    decayed, _ = run(make, weight_decay=0.1)
    assert not np.array_equal(decayed, default)


@pytest.mark.parametrize("name, make", OPTIMIZERS, ids=[o[0] for o in OPTIMIZERS])
def test_weight_decay_does_not_change_the_parameter_grad(name, make):
    run(make, weight_decay=0.5)      # run() asserts grad is the same array with the same values


def test_weight_decay_can_be_changed_between_steps():
    p = param([1.0], grad=[0.0])
    opt = nl.SGD([p], lr=0.1)
    opt.step()
    assert p.data[0] == 1.0
    opt.weight_decay = 1.0           # w ← (1 − 0.1) w
    opt.step()
    assert p.data[0] == pytest.approx(0.9, abs=1e-15)
    opt.weight_decay = 0
    opt.step()
    assert p.data[0] == pytest.approx(0.9, abs=1e-15)


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cls", [nl.SGD, nl.RMSProp, nl.Adam])
def test_negative_weight_decay_is_an_error(cls):
    with pytest.raises(ValueError, match=rf"{cls.__name__}: weight_decay must lie in \[0.0, ∞\), "
                                         r"got -0.01\. Hint: λ ≥ 0 pulls every weight towards 0"):
        cls([param([1.0])], lr=0.1, weight_decay=-0.01)


@pytest.mark.parametrize("value, error, pattern", [
    (float("nan"), ValueError, "weight_decay must be finite, got nan"),
    (float("inf"), ValueError, "weight_decay must be finite, got inf"),
    ("0.1", TypeError, "weight_decay must be a number, got str '0.1'"),
    (True, TypeError, "weight_decay must be a number, got bool True"),
])
def test_weight_decay_must_be_a_finite_number(value, error, pattern):
    with pytest.raises(error, match=pattern):
        nl.Adam([param([1.0])], weight_decay=value)


def test_setting_a_negative_weight_decay_later_is_an_error_too():
    opt = nl.SGD([param([1.0])], lr=0.1, weight_decay=0.1)
    with pytest.raises(ValueError, match=r"SGD: weight_decay must lie in \[0.0, ∞\), got -1.0"):
        opt.weight_decay = -1.0
    assert opt.weight_decay == 0.1


def test_weight_decay_is_keyword_only():
    # torch.optim.SGD's fourth positional argument is dampening, not weight_decay: by name only.
    with pytest.raises(TypeError):
        nl.SGD([param([1.0])], 0.1, 0.9, 0.01)
