"""DropoutViewer driven without a browser: sliders, the "New mask" button and the train/eval toggle."""

import numpy as np
import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

import nnlab as nl  # noqa: E402
from nnlab.widgets.dropout import DropoutViewer  # noqa: E402


def test_output_is_inverted_dropout_of_the_activations():
    v = DropoutViewer(n=16, p_drop=0.25, seed=3)
    assert v.a_prev.shape == v.mask.shape == v.a.shape == (16,)
    assert v.mask.dtype == bool
    np.testing.assert_allclose(v.a, v.a_prev * v.mask / 0.75, rtol=1e-15)
    assert v.n_dropped == int(np.sum(~v.mask))
    assert 0 < v.n_dropped < 16
    assert v.scale == pytest.approx(1 / 0.75)
    assert v.mean_in == pytest.approx(np.mean(v.a_prev))
    assert v.mean_out == pytest.approx(np.mean(v.a_prev * v.mask) / 0.75)
    assert f"dropped {int(np.sum(~v.mask))} of 16 units" in v.status.value
    assert "1/(1 − p_drop) = 1.333" in v.status.value


def test_the_mask_is_the_one_nl_dropout_drew():
    v = DropoutViewer(n=10, p_drop=0.5, seed=1)
    assert isinstance(v.layer, nl.Dropout) and v.layer.p_drop == 0.5
    np.testing.assert_array_equal(v.layer.mask[0], v.mask)


def test_new_mask_button_draws_a_fresh_mask_and_redraws():
    v = DropoutViewer(n=32, p_drop=0.5, seed=0)
    mask, png = v.mask.copy(), bytes(v.view.image.value)
    v.new_mask_button.click()
    assert not np.array_equal(v.mask, mask)          # equal with probability 2^-32
    assert v.masks_drawn == 2
    assert bytes(v.view.image.value) != png
    np.testing.assert_allclose(v.a, v.a_prev * v.mask / 0.5, rtol=1e-15)


def test_same_seed_same_masks_other_seed_other_layer():
    first, second = DropoutViewer(n=20, seed=7), DropoutViewer(n=20, seed=7)
    np.testing.assert_array_equal(first.a_prev, second.a_prev)
    np.testing.assert_array_equal(first.mask, second.mask)
    for _ in range(3):
        first.new_mask_button.click()
        second.new_mask_button.click()
        np.testing.assert_array_equal(first.mask, second.mask)
    other = DropoutViewer(n=20, seed=8)
    assert not np.array_equal(other.a_prev, first.a_prev)


def test_a_larger_p_drop_drops_the_same_units_and_more():
    v = DropoutViewer(n=32, p_drop=0.3, seed=2)
    dropped_low = ~v.mask
    v.p_drop_slider.value = 0.6
    dropped_high = ~v.mask
    assert np.all(dropped_high[dropped_low])
    assert dropped_high.sum() > dropped_low.sum()
    assert v.scale == pytest.approx(1 / 0.4)


def test_eval_mode_drops_nothing_and_scales_nothing():
    v = DropoutViewer(n=12, p_drop=0.5, seed=0)
    train_mask = v.mask.copy()
    v.mode_buttons.value = "eval"
    assert not v.training
    assert v.n_dropped == 0 and v.mask.all()
    assert v.scale == 1.0
    np.testing.assert_array_equal(v.a, v.a_prev)
    assert v.mean_out == v.mean_in
    assert v.new_mask_button.disabled
    assert "nothing dropped, nothing scaled" in v.status.value
    v.mode_buttons.value = "train"
    np.testing.assert_array_equal(v.mask, train_mask)     # back in train mode: the same mask


def test_p_drop_zero_keeps_every_unit():
    v = DropoutViewer(n=8, p_drop=0.0)
    assert v.n_dropped == 0 and v.scale == 1.0
    np.testing.assert_array_equal(v.a, v.a_prev)


def test_the_mean_is_kept_in_expectation():
    v = DropoutViewer(n=32, p_drop=0.5, seed=4)
    mean_in = np.mean(v.a_prev)
    assert abs(v.mean_out_many - mean_in) < 0.02          # std of the average over 1000 masks ≈ 0.004
    assert abs(v.mean_out_many * 0.5 - mean_in) > 0.2     # without the scaling it would be halved
    assert f"averaged over 1,000 masks: {v.mean_out_many:.3f}" in v.status.value


def test_n_slider_changes_the_layer_width_and_keeps_the_first_units():
    v = DropoutViewer(n=12, p_drop=0.5, seed=5)
    a_prev, mask = v.a_prev.copy(), v.mask.copy()
    v.n_slider.value = 20
    assert v.a.shape == (20,) and v.mask.shape == (20,)
    np.testing.assert_array_equal(v.a_prev[:12], a_prev)
    np.testing.assert_array_equal(v.mask[:12], mask)
    assert len(v.view.figure.axes[0].patches) == 20      # one bar per unit


def test_controls_have_descriptions_and_css_classes():
    v = DropoutViewer()
    assert "nnlab-p-drop" in v.p_drop_slider._dom_classes and v.p_drop_slider.description == "p_drop"
    assert "nnlab-new-mask" in v.new_mask_button._dom_classes and v.new_mask_button.description == "New mask"
    assert "nnlab-n" in v.n_slider._dom_classes and v.n_slider.description
    assert "nnlab-mode" in v.mode_buttons._dom_classes and v.mode_buttons.options == ("train", "eval")
    assert "nnlab-status" in v.status._dom_classes
    assert {"nnlab-explorer", "nnlab-dropout"} <= set(v.widget._dom_classes)
    assert nl.widgets.DropoutViewer is DropoutViewer


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(n=2), ValueError, "DropoutViewer: n must be ≥ 4, got 2"),
    (dict(n=40), ValueError, r"n must lie in \[4, 32\], got 40"),
    (dict(n=4.5), TypeError, "n must be a whole number"),
    (dict(p_drop=0.95), ValueError, r"p_drop must lie in \[0.0, 0.9\], got 0.95"),
    (dict(p_drop="half"), TypeError, "p_drop must be a number"),
    (dict(seed=-1), ValueError, "seed must be ≥ 0"),
    (dict(training="yes"), TypeError, "training must be True or False"),
])
def test_bad_constructor_input_is_explained(kwargs, error, match):
    with pytest.raises(error, match=match):
        DropoutViewer(**kwargs)
