"""DescentExplorer: the path it shows is nl.descent.descend's, divergence is reported, the plot follows."""

import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

import numpy as np  # noqa: E402

import nnlab as nl  # noqa: E402
from nnlab.widgets.descent import SURFACES, DescentExplorer, divergence_step, schedule_for  # noqa: E402


def test_default_path_is_descend_on_the_bowl():
    explorer = DescentExplorer()
    expected = nl.descent.descend(nl.descent.bowl(1.0).grad, [-4.0, 3.0], steps=50, lr=0.1)
    np.testing.assert_array_equal(explorer.path, expected)
    assert explorer.path.shape == (51, 2)


def test_moving_the_controls_gives_the_path_of_descend_with_those_settings():
    explorer = DescentExplorer()
    explorer.surface_control.value = "ravine"
    explorer.lr_control.value = 0.005
    explorer.momentum_control.value = 0.9
    explorer.steps_control.value = 120
    explorer.start_w1.value, explorer.start_w2.value = -3.0, 0.5
    expected = nl.descent.descend(nl.descent.ravine(200.0).grad, [-3.0, 0.5], steps=120, lr=0.005, momentum=0.9)
    np.testing.assert_array_equal(explorer.path, expected)
    assert explorer.steps_to_tol == nl.descent.steps_to_reach(expected, [0.0, 0.0], 1e-2)
    assert explorer.final_loss == pytest.approx(0.5 * (expected[-1, 0] ** 2 + 200 * expected[-1, 1] ** 2), rel=1e-12)
    assert explorer.distance == pytest.approx(np.linalg.norm(expected[-1]), rel=1e-12)
    assert f"from step {explorer.steps_to_tol}" in explorer.status.value


def test_adam_with_a_cosine_schedule_and_momentum_disabled():
    explorer = DescentExplorer("rosenbrock")
    explorer.optimizer_control.value = "adam"
    assert explorer.momentum_control.disabled
    explorer.schedule_control.value = "cosine"
    explorer.lr_control.value = 0.05
    explorer.steps_control.value = 200
    expected = nl.descent.descend(nl.descent.rosenbrock().grad, list(SURFACES["rosenbrock"][2]), steps=200,
                                  lr=nl.schedules.cosine_decay(0.05, total=200), optimizer="adam")
    np.testing.assert_array_equal(explorer.path, expected)
    explorer.optimizer_control.value = "sgd"
    assert not explorer.momentum_control.disabled


def test_a_too_large_learning_rate_is_reported_as_diverged_and_the_axes_stay_on_the_window():
    explorer = DescentExplorer("bowl", lr=0.5)
    assert not explorer.diverged and "diverged" not in explorer.status.value
    explorer.lr_control.value = 2.5                          # above 2/λ_max = 2: |1 − η| = 1.5 per step
    assert explorer.diverged
    assert explorer.diverged_at == divergence_step(explorer.path, SURFACES["bowl"][1]) > 0
    assert "diverged" in explorer.status.value
    assert explorer.final_loss == np.inf and explorer.steps_to_tol is None
    ax_path = explorer.view.figure.axes[0]
    assert ax_path.get_xlim() == (-5.0, 5.0) and ax_path.get_ylim() == (-5.0, 5.0)
    explorer.steps_control.value = 2000                      # overflows to inf/nan: still no error
    assert explorer.diverged and not np.all(np.isfinite(explorer.path))


def test_divergence_step_finds_the_first_point_outside_or_not_finite():
    window = ((-1.0, 1.0), (-1.0, 1.0))
    path = np.array([[0.0, 0.0], [50.0, 0.0], [0.0, 150.0], [np.nan, 0.0]])
    assert divergence_step(path, window) == 2
    assert divergence_step(path[:2], window) is None
    assert divergence_step(np.array([[0.0, 0.0], [np.inf, 0.0]]), window) == 1


def test_the_png_changes_with_a_control_and_the_surface_moves_the_start():
    explorer = DescentExplorer()
    before = explorer.view.image.value
    explorer.lr_control.value = 0.02
    assert explorer.view.image.value != before and explorer.view.image.value[:4] == b"\x89PNG"
    explorer.surface_control.value = "ravine"
    assert (explorer.start_w1.value, explorer.start_w2.value) == SURFACES["ravine"][2]
    assert (explorer.start_w2.min, explorer.start_w2.max) == SURFACES["ravine"][1][1]
    np.testing.assert_array_equal(explorer.path[0], SURFACES["ravine"][2])


def test_schedules_as_tables():
    assert [eta for _, eta in schedule_for("step decay", 0.4, 100).table([0, 24, 25, 50, 99])] == \
        [0.4, 0.4, 0.2, 0.1, 0.05]
    assert schedule_for("exponential", 1.0, 50)(50) == pytest.approx(0.01)
    assert schedule_for("inverse time", 1.0, 40)(40) == pytest.approx(1 / 21)
    assert schedule_for("cosine", 1.0, 30)(30) == pytest.approx(0.0, abs=1e-15)
    assert schedule_for("constant", 0.3, 10)(7) == 0.3


def test_a_decaying_learning_rate_rescues_a_start_above_the_limit():
    explorer = DescentExplorer("bowl", lr=2.2)                 # η above 2/λ_max = 2
    assert explorer.diverged
    explorer.schedule_control.value = "exponential"            # η_t falls below 2 after one step
    assert not explorer.diverged and explorer.final_loss < 1e-12 and explorer.steps_to_tol is not None


@pytest.mark.parametrize("kwargs, match", [
    (dict(surface="saddle"), "surface must be one of"),
    (dict(optimizer="adam", momentum=0.9), "momentum applies to optimizer='sgd' only"),
    (dict(lr=0.0), r"lr must lie in \[0.0001, 10.0\]"),
    (dict(schedule="warmup"), "schedule must be one of"),
    (dict(start=(9.0, 0.0)), "start\\[0\\] must lie in the window"),
    (dict(start=(1.0, 2.0, 3.0)), r"start must be two numbers"),
    (dict(steps=5000), "steps must be at most 2000"),
])
def test_bad_constructor_arguments_raise_clear_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        DescentExplorer(**kwargs)


def test_the_root_box_and_controls_carry_their_css_classes():
    explorer = DescentExplorer()
    assert {"nnlab-explorer", "nnlab-descent"} <= set(explorer.widget._dom_classes)
    assert "nnlab-lr" in explorer.lr_control._dom_classes
    assert "nnlab-status" in explorer.status._dom_classes
    assert "nnlab-plot" in explorer.view.image._dom_classes
