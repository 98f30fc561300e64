"""Optimizers: one hand-computed step each, convergence on an ill-conditioned bowl, state, errors.

Every expected number below is worked out by hand (the arithmetic is in the comments) and, where a
square root or ε makes the decimal long, also written as a scalar Python expression that follows the
formula of chapter 06 one number at a time, independently of the vectorised code in nnlab.optim.
"""

import math

import numpy as np
import pytest

import nnlab as nl
from nnlab import schedules


def param(values, grad=None, name="w"):
    p = nl.Parameter(np.array(values, dtype=np.float64), name)
    if grad is not None:
        p.grad = np.array(grad, dtype=np.float64)
    return p


def set_grad(p, values):
    p.zero_grad()
    p.grad = np.array(values, dtype=np.float64)


# ---------------------------------------------------------------------------------------------
# One hand-computed step (two for the optimizers with state)
# ---------------------------------------------------------------------------------------------

def test_sgd_one_step_by_hand():
    # w ← w − η g  with η = 0.1
    #   w = [ 1.0, −2.0 ],  g = [ 0.5, 0.25 ]
    #   w − 0.1 g = [ 1.0 − 0.05, −2.0 − 0.025 ] = [ 0.95, −2.025 ]
    p = param([1.0, -2.0], grad=[0.5, 0.25])
    opt = nl.SGD([p], lr=0.1)
    opt.step()
    np.testing.assert_allclose(p.data, [0.95, -2.025], rtol=0, atol=1e-15)
    assert opt.t == 1
    np.testing.assert_array_equal(p.grad, [0.5, 0.25])      # step reads grad, never changes it


def test_sgd_momentum_two_steps_by_hand():
    # v ← μ v − η g,  w ← w + v,   μ = 0.9, η = 0.1, v starts at 0
    p = param([1.0, -2.0], grad=[0.5, 0.25])
    opt = nl.SGD([p], lr=0.1, momentum=0.9)
    # step 1: g = [0.5, 0.25]
    #   v = 0.9·0 − 0.1·[0.5, 0.25] = [−0.05, −0.025]
    #   w = [1.0, −2.0] + v          = [0.95, −2.025]
    opt.step()
    np.testing.assert_allclose(opt.velocity[0], [-0.05, -0.025], rtol=0, atol=1e-15)
    np.testing.assert_allclose(p.data, [0.95, -2.025], rtol=0, atol=1e-15)
    # step 2: g = [1.0, −0.5]
    #   v = 0.9·[−0.05, −0.025] − 0.1·[1.0, −0.5] = [−0.045 − 0.1, −0.0225 + 0.05] = [−0.145, 0.0275]
    #   w = [0.95, −2.025] + v                    = [0.805, −1.9975]
    set_grad(p, [1.0, -0.5])
    opt.step()
    np.testing.assert_allclose(opt.velocity[0], [-0.145, 0.0275], rtol=0, atol=1e-15)
    np.testing.assert_allclose(p.data, [0.805, -1.9975], rtol=0, atol=1e-15)


def test_rmsprop_two_steps_by_hand():
    # s ← ρ s + (1 − ρ) g²,  w ← w − η g / (√s + ε),   ρ = 0.9, η = 0.01, ε = 1e-8, s starts at 0
    rho, eta, eps = 0.9, 0.01, 1e-8
    p = param([1.0, 1.0], grad=[0.5, -2.0])
    opt = nl.RMSProp([p], lr=eta, rho=rho, eps=eps)
    # step 1: g = [0.5, −2.0]
    #   s = 0.1·[0.25, 4.0] = [0.025, 0.4];  √s = [0.158113883…, 0.632455532…]
    #   g/√s = [√10, −√10] = [3.16227766…, −3.16227766…]   (the first step is η·sign(g)·√10)
    #   w = [1 − 0.0316227766…, 1 + 0.0316227766…] = [0.968377225…, 1.031622776…]
    opt.step()
    np.testing.assert_allclose(opt.s[0], [0.025, 0.4], rtol=1e-15)
    w1 = [1.0 - eta * 0.5 / (math.sqrt(0.025) + eps), 1.0 - eta * -2.0 / (math.sqrt(0.4) + eps)]
    np.testing.assert_allclose(p.data, w1, rtol=1e-14)
    np.testing.assert_allclose(p.data, [0.968377225, 1.031622776], rtol=0, atol=1e-9)
    # step 2: g = [1.0, −1.0]
    #   s = 0.9·[0.025, 0.4] + 0.1·[1, 1] = [0.0225 + 0.1, 0.36 + 0.1] = [0.1225, 0.46]
    #   √s = [0.35, 0.678232998…];  η g/√s = [0.01/0.35, −0.01/0.678233…] = [0.028571428…, −0.014744195…]
    #   w = [0.968377225… − 0.028571428…, 1.031622776… + 0.014744195…] = [0.939805797…, 1.046366971…]
    set_grad(p, [1.0, -1.0])
    opt.step()
    np.testing.assert_allclose(opt.s[0], [0.1225, 0.46], rtol=1e-15)
    w2 = [w1[0] - eta * 1.0 / (math.sqrt(0.1225) + eps), w1[1] - eta * -1.0 / (math.sqrt(0.46) + eps)]
    np.testing.assert_allclose(p.data, w2, rtol=1e-14)
    np.testing.assert_allclose(p.data, [0.939805797, 1.046366971], rtol=0, atol=1e-9)


def test_adam_two_steps_by_hand_with_bias_correction():
    # t ← t + 1 (t = 1 at the first step)
    # m ← β₁ m + (1 − β₁) g,  v ← β₂ v + (1 − β₂) g²,  m̂ = m/(1 − β₁ᵗ),  v̂ = v/(1 − β₂ᵗ)
    # w ← w − η m̂ / (√v̂ + ε),    η = 0.1, β₁ = 0.9, β₂ = 0.999, ε = 1e-8
    eta, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    p = param([1.0, -1.0], grad=[0.5, -2.0])
    opt = nl.Adam([p], lr=eta, beta1=b1, beta2=b2, eps=eps)
    # step 1 (t = 1): g = [0.5, −2.0]
    #   m = 0.1·g = [0.05, −0.2];   v = 0.001·g² = [0.00025, 0.004]
    #   m̂ = m/0.1 = g;   v̂ = v/0.001 = g²;   m̂/√v̂ = g/|g| = [1, −1]
    #   w = [1 − 0.1, −1 + 0.1] = [0.9, −0.9]      (exactly η·sign(g) up to ε: the bias correction at work)
    opt.step()
    assert opt.t == 1
    np.testing.assert_allclose(opt.m[0], [0.05, -0.2], rtol=1e-15)
    np.testing.assert_allclose(opt.v[0], [0.00025, 0.004], rtol=1e-15)
    w1 = [1.0 - eta * 0.5 / (math.sqrt(0.25) + eps), -1.0 - eta * -2.0 / (math.sqrt(4.0) + eps)]
    np.testing.assert_allclose(p.data, w1, rtol=1e-14)
    np.testing.assert_allclose(p.data, [0.9, -0.9], rtol=0, atol=1e-8)
    # Without bias correction the first step would be η·m/√v = 0.1·0.05/√0.00025 ≈ 0.316: not what we got.
    # step 2 (t = 2): g = [1.0, 1.0]
    #   m = 0.9·[0.05, −0.2] + 0.1·[1, 1]           = [0.145, −0.08]
    #   v = 0.999·[0.00025, 0.004] + 0.001·[1, 1]   = [0.00124975, 0.004996]
    #   m̂ = m/(1 − 0.81)    = m/0.19    = [0.763157894…, −0.421052631…]
    #   v̂ = v/(1 − 0.998001) = v/0.001999 = [0.625187593…, 2.499249624…];  √v̂ = [0.790688050…, 1.580901522…]
    #   η m̂/√v̂ = [0.096518202…, −0.026633703…]
    #   w = [0.9 − 0.096518202…, −0.9 + 0.026633703…] = [0.803481800…, −0.873366296…]
    set_grad(p, [1.0, 1.0])
    opt.step()
    assert opt.t == 2
    np.testing.assert_allclose(opt.m[0], [0.145, -0.08], rtol=1e-14)
    np.testing.assert_allclose(opt.v[0], [0.00124975, 0.004996], rtol=1e-14)
    m_hat = [0.145 / 0.19, -0.08 / 0.19]
    v_hat = [0.00124975 / 0.001999, 0.004996 / 0.001999]
    w2 = [w1[0] - eta * m_hat[0] / (math.sqrt(v_hat[0]) + eps),
          w1[1] - eta * m_hat[1] / (math.sqrt(v_hat[1]) + eps)]
    np.testing.assert_allclose(p.data, w2, rtol=1e-13)
    np.testing.assert_allclose(p.data, [0.803481800, -0.873366296], rtol=0, atol=1e-9)


# ---------------------------------------------------------------------------------------------
# Convergence on the ravine C = ½ wᵀ A w, A with eigenvalues 1 and 100 (condition number 100)
# ---------------------------------------------------------------------------------------------

_c, _s = math.cos(math.pi / 6), math.sin(math.pi / 6)
_R = np.array([[_c, -_s], [_s, _c]])
A_RAVINE = _R @ np.diag([1.0, 100.0]) @ _R.T   # rotated 30°, so the ravine is not along an axis


def steps_to_converge(opt_factory, max_steps, tol=1e-3):
    """Steps until ‖w‖ < tol on C = ½ wᵀAw from w = (1, 1), with ∇C = A w; None if never."""
    p = param([1.0, 1.0])
    opt = opt_factory([p])
    for k in range(max_steps + 1):
        if np.linalg.norm(p.data) < tol:
            return k
        opt.zero_grad()
        p.grad = A_RAVINE @ p.data
        opt.step()
    return None


@pytest.mark.parametrize("name, factory, budget", [
    # plain SGD must keep η < 2/λ_max = 0.02; the slow direction then shrinks by (1 − η) per step:
    # ln(1e-3)/ln(0.981) ≈ 360 steps.
    ("SGD", lambda ps: nl.SGD(ps, lr=0.019), 400),
    ("SGD momentum", lambda ps: nl.SGD(ps, lr=0.019, momentum=0.8), 100),
    ("RMSProp", lambda ps: nl.RMSProp(ps, lr=1e-3), 2000),
    ("Adam", lambda ps: nl.Adam(ps, lr=0.1), 250),
])
def test_each_optimizer_reaches_the_minimum_of_an_ill_conditioned_bowl(name, factory, budget):
    k = steps_to_converge(factory, budget)
    assert k is not None, f"{name} did not reach ‖w‖ < 1e-3 within {budget} steps"


def test_momentum_beats_plain_sgd_on_the_ravine():
    plain = steps_to_converge(lambda ps: nl.SGD(ps, lr=0.019), 5000)
    for mu in (0.8, 0.9):
        heavy = steps_to_converge(lambda ps: nl.SGD(ps, lr=0.019, momentum=mu), 5000)
        assert heavy is not None and plain is not None
        assert heavy * 2 < plain, (mu, heavy, plain)


def test_sgd_with_too_large_a_step_diverges_on_the_ravine():
    # η = 0.021 > 2/λ_max: the steep direction grows by |1 − 2.1| = 1.1 per step.
    p = param([1.0, 1.0])
    opt = nl.SGD([p], lr=0.021)
    for _ in range(200):
        opt.zero_grad()
        p.grad = A_RAVINE @ p.data
        opt.step()
    assert np.linalg.norm(p.data) > 1e3


# ---------------------------------------------------------------------------------------------
# Schedules as the learning rate
# ---------------------------------------------------------------------------------------------

def test_schedule_as_lr_is_evaluated_at_t_before_each_step():
    # Gradient held at 1, plain SGD: the change of w at step t is exactly −η_t.
    # step_decay(0.1, drop=0.5, every=1): η_0 = 0.1, η_1 = 0.05, η_2 = 0.025
    p = param([0.0], grad=[1.0])
    asked = []
    sched = schedules.step_decay(0.1, drop=0.5, every=1)

    def recording(t):
        asked.append(t)
        return sched(t)

    opt = nl.SGD([p], lr=recording)
    changes = []
    for _ in range(3):
        before = p.data.copy()
        opt.step()
        changes.append(float((p.data - before)[0]))
    assert asked == [0, 1, 2]
    np.testing.assert_allclose(changes, [-0.1, -0.05, -0.025], rtol=1e-15)
    assert opt.t == 3


def test_schedule_with_adam_uses_its_own_t_counter():
    # Adam's first step moves each weight by η_0·sign(g) (see the hand-computed test), so a schedule
    # is visible in the step size: η_0 = 0.2 from inverse_time_decay(0.2, k=1): η_t = 0.2/(1 + t).
    p = param([0.0], grad=[3.0])
    opt = nl.Adam([p], lr=schedules.inverse_time_decay(0.2, k=1.0))
    assert opt.current_lr() == pytest.approx(0.2)
    opt.step()
    np.testing.assert_allclose(p.data, [-0.2], rtol=1e-7)
    assert opt.current_lr() == pytest.approx(0.1)        # η_1 = 0.2/2


def test_lr_can_be_changed_between_steps():
    p = param([0.0], grad=[1.0])
    opt = nl.SGD([p], lr=0.1)
    opt.step()
    opt.lr = 0.01
    opt.step()
    np.testing.assert_allclose(p.data, [-0.11], rtol=1e-15)


# ---------------------------------------------------------------------------------------------
# State per Parameter; zero_grad
# ---------------------------------------------------------------------------------------------

def two_params():
    return param(np.ones((2, 3)), name="W"), param(np.ones(3), name="b")


@pytest.mark.parametrize("make, state_names", [
    (lambda ps: nl.SGD(ps, lr=0.1, momentum=0.9), ["velocity"]),
    (lambda ps: nl.RMSProp(ps, lr=0.1), ["s"]),
    (lambda ps: nl.Adam(ps, lr=0.1), ["m", "v"]),
])
def test_state_is_a_list_aligned_with_the_parameters(make, state_names):
    W, b = two_params()
    opt = make([W, b])
    assert opt.params == [W, b]
    # Only W gets a gradient: b's state must stay at zero, W's must not.
    W.grad = np.full((2, 3), 0.5)
    b.zero_grad()
    opt.step()
    for name in state_names:
        state = getattr(opt, name)
        assert isinstance(state, list) and len(state) == 2
        assert state[0].shape == (2, 3) and state[1].shape == (3,)
        assert np.all(state[0] != 0)
        assert np.all(state[1] == 0)
    np.testing.assert_array_equal(b.data, np.ones(3))
    assert np.all(W.data < 1)


def test_two_optimizers_do_not_share_state():
    p1, p2 = param([1.0], grad=[1.0]), param([1.0], grad=[1.0])
    o1, o2 = nl.SGD([p1], lr=0.1, momentum=0.9), nl.SGD([p2], lr=0.1, momentum=0.9)
    o1.step()
    o1.step()
    o2.step()
    np.testing.assert_allclose(o1.velocity[0], [-0.19])   # 0.9·(−0.1) − 0.1
    np.testing.assert_allclose(o2.velocity[0], [-0.1])


def test_plain_sgd_keeps_no_velocity():
    opt = nl.SGD([param([1.0])], lr=0.1)
    assert opt.velocity is None


def test_zero_grad_resets_every_parameter():
    W, b = two_params()
    W.grad = np.full((2, 3), 2.0)
    b.grad = np.full(3, -1.0)
    opt = nl.SGD([W, b], lr=0.1)
    opt.zero_grad()
    np.testing.assert_array_equal(W.grad, np.zeros((2, 3)))
    np.testing.assert_array_equal(b.grad, np.zeros(3))
    W.accumulate(np.ones((2, 3)))          # the next accumulation starts from zero
    np.testing.assert_array_equal(W.grad, np.ones((2, 3)))


def test_optimizer_over_model_parameters_updates_the_model():
    rng = np.random.default_rng(0)
    model = nl.Sequential(nl.Dense(3, 2, rng=rng))
    before = [p.data.copy() for p in model.parameters()]
    x, y = rng.standard_normal((4, 3)), np.array([0, 1, 1, 0])
    loss = nl.SoftmaxCrossEntropy()
    loss.forward(model.forward(x), y)
    model.backward(loss.backward())
    nl.SGD(model.parameters(), lr=0.5).step()
    for p, b in zip(model.parameters(), before):
        np.testing.assert_allclose(p.data, b - 0.5 * p.grad, rtol=1e-15)


def test_a_single_parameter_is_accepted():
    p = param([1.0], grad=[1.0])
    opt = nl.SGD(p, lr=0.5)
    opt.step()
    np.testing.assert_allclose(p.data, [0.5])


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cls", [nl.SGD, nl.RMSProp, nl.Adam])
def test_empty_params_is_an_error(cls):
    with pytest.raises(ValueError, match=r"non-empty list of Parameters.*Hint: pass model.parameters\(\)"):
        cls([], lr=0.1)


@pytest.mark.parametrize("cls", [nl.SGD, nl.RMSProp, nl.Adam])
def test_arrays_instead_of_parameters_is_an_error(cls):
    with pytest.raises(TypeError, match=r"params\[0\] must be an nnlab Parameter.*not the arrays"):
        cls([np.zeros(3)], lr=0.1)
    with pytest.raises(TypeError, match=r"params\[1\] must be an nnlab Parameter"):
        cls([param([1.0]), np.zeros(3)], lr=0.1)


def test_a_parameter_listed_twice_is_an_error():
    p = param([1.0])
    with pytest.raises(ValueError, match="listed twice"):
        nl.SGD([p, p], lr=0.1)


@pytest.mark.parametrize("lr", [0.0, -0.1])
@pytest.mark.parametrize("cls", [nl.SGD, nl.RMSProp, nl.Adam])
def test_lr_must_be_positive(cls, lr):
    with pytest.raises(ValueError, match=rf"{cls.__name__}: lr must lie in \(0.0, ∞\), got {lr}"):
        cls([param([1.0])], lr=lr)


def test_lr_must_be_a_finite_number():
    with pytest.raises(ValueError, match="lr must be finite, got nan"):
        nl.SGD([param([1.0])], lr=float("nan"))
    with pytest.raises(TypeError, match="lr must be a number, got str '0.1'"):
        nl.SGD([param([1.0])], lr="0.1")


def test_setting_a_bad_lr_later_is_an_error_too():
    opt = nl.SGD([param([1.0])], lr=0.1)
    with pytest.raises(ValueError, match="lr must lie in"):
        opt.lr = -1.0
    assert opt.lr == 0.1


@pytest.mark.parametrize("mu", [1.0, 1.5, -0.1])
def test_momentum_must_lie_in_0_1(mu):
    with pytest.raises(ValueError, match=rf"SGD: momentum must lie in \[0.0, 1.0\), got {mu}"):
        nl.SGD([param([1.0])], lr=0.1, momentum=mu)


@pytest.mark.parametrize("kwargs, pattern", [
    ({"beta1": 1.0}, r"Adam: beta1 must lie in \[0.0, 1.0\)"),
    ({"beta2": 1.0}, r"Adam: beta2 must lie in \[0.0, 1.0\)"),
    ({"eps": 0.0}, r"Adam: eps must lie in \(0.0"),
])
def test_adam_hyperparameter_errors(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        nl.Adam([param([1.0])], **kwargs)


def test_rmsprop_rho_must_be_below_one():
    with pytest.raises(ValueError, match=r"RMSProp: rho must lie in \[0.0, 1.0\)"):
        nl.RMSProp([param([1.0])], rho=1.0)


@pytest.mark.parametrize("value, shown", [(-0.1, "-0.1"), (float("nan"), "nan"), (float("inf"), "inf"),
                                          ("0.1", "'0.1'")])
def test_schedule_returning_a_bad_value_is_an_error_at_the_step(value, shown):
    p = param([1.0], grad=[1.0])
    opt = nl.SGD([p], lr=lambda t: value)          # accepted: it is callable
    with pytest.raises(ValueError, match=rf"SGD.step: the schedule must return a number ≥ 0, got {shown} at step 0"):
        opt.step()
    np.testing.assert_array_equal(p.data, [1.0])   # nothing was changed
    assert opt.t == 0


def test_schedule_error_names_the_step_where_it_happened():
    p = param([1.0], grad=[1.0])
    opt = nl.SGD([p], lr=lambda t: 0.1 - 0.05 * t)   # 0.1, 0.05, 0.0, then negative
    opt.step(), opt.step(), opt.step()
    with pytest.raises(ValueError, match="got -0.05.* at step 3"):
        opt.step()
