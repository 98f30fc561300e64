"""nnlab.descent: descend drives nnlab's optimizers exactly; steps_to_reach; the test surfaces and their gradients."""

import math
import warnings

import numpy as np
import pytest

import nnlab as nl
from nnlab import descent


def hand_sgd(grad, w0, lr, steps, momentum=0.0):
    w, v = np.array(w0, dtype=float), np.zeros(len(w0))
    path = [w.copy()]
    for t in range(steps):
        eta = lr(t) if callable(lr) else lr
        v = momentum * v - eta * grad(w)
        w = w + v
        path.append(w.copy())
    return np.array(path)


# ---------------------------------------------------------------------------------------------
# descend
# ---------------------------------------------------------------------------------------------

def test_plain_sgd_path_matches_the_hand_written_loop():
    surface = descent.ravine(10.0)
    w0 = np.array([-3.0, 0.5])
    path = descent.descend(surface.grad, w0, steps=25, lr=0.15)
    assert path.shape == (26, 2) and path.dtype == np.float64
    np.testing.assert_array_equal(path[0], w0)
    np.testing.assert_allclose(path, hand_sgd(surface.grad, w0, 0.15, 25), rtol=0, atol=1e-15)
    np.testing.assert_array_equal(w0, [-3.0, 0.5])              # not modified


def test_momentum_path_matches_the_hand_written_loop():
    surface = descent.quadratic(2.0, 5.0, angle=0.3, minimum=(1.0, -1.0))
    w0 = [0.0, 2.0]
    path = descent.descend(surface.grad, w0, steps=40, lr=0.05, momentum=0.8)
    np.testing.assert_allclose(path, hand_sgd(surface.grad, w0, 0.05, 40, momentum=0.8), rtol=0, atol=1e-14)


def test_schedule_as_learning_rate():
    surface = descent.bowl(2.0)
    schedule = nl.schedules.step_decay(0.2, drop=0.5, every=3)
    path = descent.descend(surface.grad, [1.0, -1.0], steps=10, lr=schedule)
    np.testing.assert_allclose(path, hand_sgd(surface.grad, [1.0, -1.0], schedule, 10), rtol=0, atol=1e-15)


def test_adam_and_rmsprop_first_step_by_hand():
    # Adam's first step: m̂ = g, v̂ = g², so w moves by η g / (|g| + ε) ≈ η sign(g)
    g = np.array([4.0, -0.01])
    path = descent.descend(lambda w: g, [0.0, 0.0], steps=1, lr=0.1, optimizer="adam")
    np.testing.assert_allclose(path[1], -0.1 * g / (np.abs(g) + 1e-8), rtol=1e-12)
    # RMSProp's first step: s = (1 − ρ) g², so w moves by η g / (√(0.1) |g| + ε)
    path = descent.descend(lambda w: g, [0.0, 0.0], steps=1, lr=0.1, optimizer="rmsprop")
    np.testing.assert_allclose(path[1], -0.1 * g / (math.sqrt(0.1) * np.abs(g) + 1e-8), rtol=1e-12)


def test_grad_is_called_once_per_step_in_order_with_a_copy():
    seen = []

    def grad(w):
        seen.append(w)
        w += 100.0                          # mutating what grad receives must not move the weights
        return np.ones(3)

    path = descent.descend(grad, np.zeros(3), steps=4, lr=0.5)
    assert len(seen) == 4
    np.testing.assert_allclose(path[:, 0], [0.0, -0.5, -1.0, -1.5, -2.0])


def test_one_dimensional_weights():
    path = descent.descend(lambda w: 2.0 * (w - 2.0), [-2.0], steps=3, lr=0.25)
    np.testing.assert_allclose(path[:, 0], [-2.0, 0.0, 1.0, 1.5])


def test_lr_limit_separates_convergence_from_divergence():
    surface = descent.ravine(50.0)
    assert surface.lr_limit == pytest.approx(0.04)
    w0 = [-3.0, 1.0]
    below = descent.descend(surface.grad, w0, steps=2000, lr=0.99 * surface.lr_limit)
    above = descent.descend(surface.grad, w0, steps=2000, lr=1.01 * surface.lr_limit)
    assert np.linalg.norm(below[-1]) < 1e-6
    assert np.linalg.norm(above[-1]) > 1e6


def test_a_diverging_run_warns_about_nothing():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = descent.descend(lambda w: 10.0 * w ** 3, [3.0], steps=30, lr=1.0)
        assert not np.all(np.isfinite(path))
        assert descent.steps_to_reach(path, [0.0], tol=1.0) is None


def test_every_optimizer_converges_on_the_bowl():
    surface = descent.bowl()
    for options in (dict(lr=0.5), dict(lr=0.1, momentum=0.9), dict(lr=0.01, optimizer="rmsprop"),
                    dict(lr=0.1, optimizer="adam")):
        path = descent.descend(surface.grad, [2.0, -1.0], steps=1000, **options)
        assert descent.steps_to_reach(path, surface.minimum, tol=0.05) is not None, options


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(optimizer="nesterov"), ValueError, "optimizer must be one of"),
    (dict(optimizer="adam", momentum=0.9), ValueError, "momentum applies to optimizer='sgd' only"),
    (dict(momentum=1.0), ValueError, "momentum must lie in"),
    (dict(steps=0), ValueError, "steps must be ≥ 1"),
    (dict(lr=-0.1), ValueError, "lr must lie in"),
])
def test_descend_errors(kwargs, error, match):
    options = dict(steps=3, lr=0.1) | kwargs
    with pytest.raises(error, match=match):
        descent.descend(lambda w: w, [1.0, 2.0], **options)


def test_descend_argument_errors():
    with pytest.raises(TypeError, match="grad must be a function"):
        descent.descend(np.ones(2), [1.0, 2.0], steps=3, lr=0.1)
    with pytest.raises(ValueError, match="w0 must be 1-D"):
        descent.descend(lambda w: w, [[1.0, 2.0]], steps=3, lr=0.1)
    with pytest.raises(ValueError, match=r"grad\(w\) must return an array of shape \(2,\)"):
        descent.descend(lambda w: np.ones(3), [1.0, 2.0], steps=3, lr=0.1)


# ---------------------------------------------------------------------------------------------
# steps_to_reach
# ---------------------------------------------------------------------------------------------

def test_steps_to_reach_counts_until_the_path_stays_inside():
    path = np.array([[5.0], [0.5], [3.0], [0.9], [0.1], [-0.2]])
    assert descent.steps_to_reach(path, [0.0], tol=1.0) == 3        # 0.5 at step 1 does not count: it leaves again
    assert descent.steps_to_reach(path, [0.0], tol=0.3) == 4
    assert descent.steps_to_reach(path, [0.0], tol=0.1) is None     # ends outside
    assert descent.steps_to_reach(path, [0.0], tol=10.0) == 0
    assert descent.steps_to_reach(np.array([[0.0], [np.nan], [0.0]]), [0.0], tol=1.0) == 2


def test_steps_to_reach_errors():
    with pytest.raises(ValueError, match="target must have shape"):
        descent.steps_to_reach(np.zeros((3, 2)), [0.0], tol=1.0)
    with pytest.raises(ValueError, match="tol must lie in"):
        descent.steps_to_reach(np.zeros((3, 2)), [0.0, 0.0], tol=0.0)


# ---------------------------------------------------------------------------------------------
# surfaces
# ---------------------------------------------------------------------------------------------

SURFACES = [descent.bowl(), descent.bowl(3.0), descent.ravine(), descent.ravine(20.0, angle=0.7),
            descent.quadratic(0.5, 4.0, angle=-1.2, minimum=(2.0, -1.0)), descent.rosenbrock(),
            descent.rosenbrock(a=-0.5, b=10.0)]


@pytest.mark.parametrize("surface", SURFACES, ids=repr)
def test_gradient_matches_central_differences(surface):
    rng = np.random.default_rng(0)
    h = 1e-6
    for w in rng.uniform(-2, 2, size=(5, 2)):
        numeric = np.array([(surface(*(w + h * e)) - surface(*(w - h * e))) / (2 * h) for e in np.eye(2)])
        np.testing.assert_allclose(surface.grad(w), numeric, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("surface", SURFACES, ids=repr)
def test_minimum_and_hessian(surface):
    np.testing.assert_allclose(surface.grad(surface.minimum), 0.0, atol=1e-12)
    assert surface(*surface.minimum) == pytest.approx(0.0, abs=1e-12)
    h = 1e-5
    numeric = np.column_stack([(surface.grad(surface.minimum + h * e) - surface.grad(surface.minimum - h * e)) / (2 * h)
                               for e in np.eye(2)])
    np.testing.assert_allclose(surface.hessian, numeric, rtol=1e-6, atol=1e-6)
    assert surface.lr_limit == pytest.approx(2 / np.linalg.eigvalsh(numeric).max(), rel=1e-6)


def test_quadratic_curvatures_and_orientation():
    surface = descent.quadratic(1.0, 9.0, angle=np.pi / 6)
    np.testing.assert_allclose(np.linalg.eigvalsh(surface.hessian), [1.0, 9.0])
    along = np.array([np.cos(np.pi / 6), np.sin(np.pi / 6)])           # the gentle direction
    assert surface(*along) == pytest.approx(0.5)
    assert surface(*np.array([-along[1], along[0]])) == pytest.approx(4.5)


def test_surface_evaluates_on_grids():
    w1, w2 = np.meshgrid(np.linspace(-1, 1, 7), np.linspace(-2, 2, 5))
    for surface in SURFACES:
        C = surface(w1, w2)
        assert C.shape == (5, 7) and np.all(C >= 0)


def test_surface_errors():
    with pytest.raises(ValueError, match=r"w must have shape \(2,\)"):
        descent.bowl().grad([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="a must lie in"):
        descent.quadratic(0.0, 1.0)
    with pytest.raises(ValueError, match="ratio must lie in"):
        descent.ravine(-1.0)
    with pytest.raises(ValueError, match=r"minimum must have shape \(2,\)"):
        descent.quadratic(minimum=(0.0, 0.0, 0.0))
