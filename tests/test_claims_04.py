"""Chapter 04 · Loss functions: every claim the text makes, asserted on the chapter's own variables."""

import numpy as np
import pytest

from chapter_code import run_chapter

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def ns():
    return run_chapter("04")


def test_loss_is_zero_iff_identical_and_grows_with_distance(ns):
    assert ns["C_identical"] == 0.0
    assert 0.0 < ns["C_close"] < ns["C_far"]
    assert ns["C_close"] == pytest.approx(0.5 * 0.2236 ** 2, abs=1e-4)      # ½ · distance²


def test_squared_error_grows_quadratically(ns):
    np.testing.assert_allclose(ns["squared"], [0.005, 0.5, 4.5], rtol=1e-12)
    assert ns["growth_squared"] == pytest.approx(900.0)
    assert ns["growth_absolute"] == pytest.approx(30.0)


def test_batch_cost_is_the_mean_of_example_costs(ns):
    assert ns["C_batch_nnlab"] == pytest.approx(ns["per_example_C"].mean(), abs=1e-14)
    assert ns["C_batch_by_hand"] == pytest.approx(ns["C_batch_nnlab"], abs=1e-14)


def test_squared_error_gradient_conventions(ns):
    np.testing.assert_allclose(ns["grad_se_nnlab"], ns["grad_se_by_hand"], rtol=0, atol=1e-15)
    np.testing.assert_allclose(ns["grad_se_numeric"], ns["grad_se_by_hand"], rtol=0, atol=1e-9)


def test_mean_keeps_the_gradient_scale_independent_of_N(ns):
    mean, total = np.array(ns["grad_norm_mean"]), np.array(ns["grad_norm_sum"])
    assert ns["batch_sizes"] == [10, 100, 1000]
    assert mean.max() / mean.min() < 1.5            # the same size for 10 and 1000 examples
    assert total[-1] / total[0] > 50                # the sum grows ~100x


def test_cross_entropy_by_hand_matches_nnlab(ns):
    assert ns["C_ce_by_hand"] == pytest.approx(ns["C_ce_nnlab"], abs=1e-14)
    assert ns["per_example_ce"][0] == pytest.approx(-np.log(0.659), abs=1e-3)
    assert np.all(np.diff(ns["ce_of_s_y"]) < 0) and ns["ce_of_s_y"][-1] < 1.1e-3   # → 0 as s_y → 1


def test_cross_entropy_is_stable_for_large_logits(ns):
    assert not np.isfinite(ns["C_naive"])
    assert ns["C_large_logits"] == pytest.approx(np.log1p(np.exp(-2.0)), rel=1e-12)


def test_cross_entropy_punishes_confident_wrong_answers(ns):
    assert ns["ce_confident_wrong"] == pytest.approx(-np.log(0.001), rel=1e-9)
    assert ns["se_confident_wrong"] < 1.0
    assert ns["ce_confident_wrong"] > 5 * ns["se_confident_wrong"]
    # the learning signal: cross-entropy's gradient stays near −1, squared error's nearly vanishes
    assert ns["ce_grad_confident_wrong"] == pytest.approx(-0.999)
    assert abs(ns["ce_grad_confident_wrong"]) > 100 * abs(ns["se_grad_confident_wrong"])


def test_cross_entropy_gradient_is_s_minus_onehot(ns):
    np.testing.assert_allclose(ns["grad_ce_nnlab"], ns["grad_ce_by_hand"], rtol=0, atol=1e-15)
    np.testing.assert_allclose(ns["grad_ce_numeric"], ns["grad_ce_by_hand"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(ns["grad_ce_by_hand"].sum(axis=1), 0.0, atol=1e-15)


def test_signed_differences_cancel_but_squares_do_not(ns):
    assert ns["signed_sum"] == 0.0                                      # wrong, yet "perfect"
    assert ns["squared_error"](ns["a_wrong"], ns["y_target"]) == 1.0
    assert np.sum(ns["a_wrong_low"] - ns["y_target"]) == -2.0           # "better than perfect"
    assert ns["squared_error"](ns["a_wrong_low"], ns["y_target"]) > 0


def test_the_losses_are_negative_log_likelihoods(ns):
    assert abs(ns["mle_squared_gap"]) < 1e-12
    assert abs(ns["mle_cross_entropy_gap"]) < 1e-12
    # the check can fail: with the wrong constant, or the sum instead of the mean, the gap is large
    assert abs(ns["nll_gaussian"] + 1.5 * np.log(2 * np.pi) - ns["nl"].SquaredError().forward(
        ns["a_batch"], ns["y_batch"])) > 1
