"""Chapter 05 · Gradient descent: every claim the text makes, asserted on the chapter's own variables."""

import numpy as np
import pytest

from chapter_code import run_chapter

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def ns():
    return run_chapter("05")


def test_gradient_formula_matches_nnlab(ns):
    np.testing.assert_allclose(ns["grad_nnlab"], ns["gradient"](ns["w_probe"]), rtol=1e-12)


def test_gradient_is_the_direction_of_steepest_increase(ns):
    assert ns["angle_error_deg"] < 0.5                     # within the 0.5° spacing of the probes
    assert ns["best_slope"] == pytest.approx(ns["grad_norm"], rel=1e-3)
    assert ns["slopes"].max() <= ns["grad_norm"] * (1 + 1e-6)   # no direction is steeper than ‖∇C‖
    assert ns["slopes"].min() == pytest.approx(-ns["grad_norm"], rel=1e-3)


def test_descend_follows_the_hand_written_loop(ns):
    assert ns["max_path_difference"] < 1e-12
    C_path = ns["cost"](ns["path_gd"][:, 0], ns["path_gd"][:, 1])
    assert np.all(np.diff(C_path) < 0)                       # downhill at every step
    assert C_path[-1] < 1.1 * ns["cost"](*ns["w_star"])


def test_learning_rate_too_small_right_too_large_1d(ns):
    steps = ns["steps_by_lr"]
    assert steps[0.5] == 1                                  # the factor 1 − 2η is 0
    assert steps[0.01] > 5 * steps[0.4] and steps[0.05] > 5 * steps[0.4]
    assert steps[0.9] is not None and steps[0.99] is not None   # overshooting, but converging
    assert steps[1.0] is None and steps[1.05] is None
    assert ns["final_C_by_lr"][1.0] == pytest.approx(16.0)      # jumps between −2 and 6 forever
    assert ns["final_C_by_lr"][1.05] > 1e6                      # diverged


def test_learning_rate_on_the_line_fit(ns):
    assert ns["lr_limit"] == pytest.approx(2 / ns["curvatures"].max())
    assert 0.5 < ns["lr_limit"] < 0.85
    C = ns["cost_after_50"]
    C_start, C_min = ns["cost"](*ns["w0"]), ns["cost"](*ns["w_star"])
    assert C["η = 0.85 (too large)"] > 10 * C_start             # the cost grows
    assert C["η = 0.5 (about right)"] < 1.01 * C_min
    assert C["η = 0.1 (too small)"] > 1.5 * C_min                # still far away
    dist = {k: np.linalg.norm(p - ns["w_star"], axis=1) for k, p in ns["paths_lr"].items()}
    assert np.all(np.diff(dist["η = 0.85 (too large)"][10:]) > 0)   # further away at every step


def test_sgd_gets_further_for_the_same_work(ns):
    assert ns["dist_sgd_one_epoch"] < ns["dist_gd_one_step"] / 3


def test_example_gradients_do_not_vanish_at_the_minimum(ns):
    assert ns["full_grad_norm_at_min"] < 1e-10
    assert ns["example_grad_norm_at_min"] > 0.1


def test_learning_rate_decay_settles(ns):
    assert ns["spread_decayed"] < ns["spread_constant"] / 5
    assert ns["spread_constant"] > 0.05                      # the constant-η run keeps jittering


def test_plotting_descent_functions_smoke():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import nnlab as nl

    path = nl.descent.descend(lambda w: 2 * (w - 2), [-2.0], steps=10, lr=1.05)   # diverging
    ax = nl.plotting.plot_descent_1d(lambda w: (w - 2) ** 2, path, label="η = 1.05")
    assert ax.get_xlabel() == "$w$" and len(ax.lines) == 3
    fig, ax2 = plt.subplots()
    assert nl.plotting.plot_descent_1d(lambda w: w ** 2, path[:, 0], ax=ax2, xlim=(-3, 3)) is ax2
    assert ax2.get_xlim() == (-3, 3)
    surface = nl.descent.ravine(10)
    paths = {"sgd": nl.descent.descend(surface.grad, [-2.0, 1.0], steps=20, lr=0.1),
             "too large": nl.descent.descend(surface.grad, [-2.0, 1.0], steps=1200, lr=0.3)}   # overflows to inf
    assert not np.all(np.isfinite(paths["too large"]))
    ax3 = nl.plotting.plot_distance_curves(paths, surface.minimum)
    assert ax3.get_yscale() == "log" and len(ax3.lines) == 2
    with pytest.raises(TypeError, match="paths must be a non-empty dict"):
        nl.plotting.plot_distance_curves({}, [0.0, 0.0])
    plt.close("all")
