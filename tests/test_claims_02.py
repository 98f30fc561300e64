"""Chapter 02 · Activation functions: every claim the text makes, asserted on the chapter's own variables."""

import numpy as np
import pytest

from chapter_code import run_chapter

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def ns():
    return run_chapter("02")


def test_handwritten_sigmoid_matches_nnlab(ns):
    assert ns["sigmoid_diff"] < 1e-15 and ns["sigmoid_prime_diff"] < 1e-15


def test_nnlab_sigmoid_does_not_overflow():
    import nnlab as nl
    with np.errstate(over="raise"):
        out = nl.activations.sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    np.testing.assert_array_equal(out, [0.0, 0.5, 1.0])


def test_numeric_derivative_check_separates_right_from_wrong(ns):
    assert ns["err_right"] < 1e-9
    assert ns["err_wrong"] > 1.0                       # a sign slip is off by orders of magnitude
    for name in ("sigmoid", "tanh", "relu", "elu"):
        assert ns["derivative_errors"][name] < 1e-9, name
    assert ns["tanh_identity_diff"] < 1e-15


def test_saturation_numbers(ns):
    assert ns["sigmoid_prime_10"] == pytest.approx(4.5398e-5, rel=1e-4)
    assert ns["tanh_prime_10"] == pytest.approx(8.2446e-9, rel=1e-3)
    assert ns["change_at_0"] > 1000 * ns["change_at_10"]
    assert ns["sigmoid_saturates_at"] == pytest.approx(3.64, abs=0.01)
    assert ns["tanh_saturates_at"] == pytest.approx(1.82, abs=0.01)


def test_share_of_saturated_inputs_depends_on_the_weight_scale(ns):
    share = ns["saturated_share"]
    assert 0.4 < share["standard"] < 0.65              # "about half"
    assert share["lecun"] < 0.001
    assert ns["z_by_init"]["standard"].std() == pytest.approx(np.sqrt(100 / 3), rel=0.05)
    assert ns["z_by_init"]["lecun"].std() == pytest.approx(np.sqrt(1 / 3), rel=0.05)


def test_derivative_bounds(ns):
    assert ns["sigmoid_prime_max"] == pytest.approx(0.25, abs=1e-15) and ns["sigmoid_prime_argmax"] == 0.0
    assert ns["tanh_prime_max"] == pytest.approx(1.0, abs=1e-15) and ns["tanh_prime_argmax"] == 0.0
    assert 0 < ns["tanh_prime_min"] < 1e-8
    assert np.all(ns["sp"] <= 0.25) and np.all((ns["tp"] > 0) & (ns["tp"] <= 1))
    assert ns["tanh_sigmoid_link"] < 1e-15


def test_softmax(ns):
    assert ns["softmax_row_sum_error"] < 1e-15 and ns["softmax_vs_nnlab"] < 1e-15
    assert np.all(np.isnan(ns["naive_huge"]))                                   # naive overflows
    np.testing.assert_allclose(ns["stable_huge"], [[0.0900, 0.2447, 0.6652]], atol=1e-4)
    assert ns["softmax_shift_diff"] < 1e-15
    assert ns["softmax_jacobian_error"] < 1e-9
    assert ns["softmax_two_vs_sigmoid"] < 1e-15
    np.testing.assert_allclose(ns["s_three"].sum(axis=1), 1.0, rtol=0, atol=1e-15)
    np.testing.assert_allclose(ns["ratio_23"], np.exp(2), rtol=1e-12)


def test_linear_layers_collapse(ns):
    assert ns["collapse_diff"] < 1e-12
    assert np.any(ns["d1"].b.data != 0)                 # the bias part was really tested


def test_linear_network_cannot_beat_linear_regression(ns):
    assert ns["mse_linear_net"] >= ns["mse_linear_regression"] - 1e-9
    assert ns["mse_linear_net"] < ns["mse_linear_regression"] * 1.01    # and it does find the best line
    assert ns["mse_linear_regression"] > 0.4                              # a line is a poor fit


def test_wider_hidden_layer_fits_better(ns):
    m = [ns["mse_by_width"][w] for w in ns["widths"]]
    assert ns["widths"] == [1, 2, 4, 8, 16]
    assert all(a > b for a, b in zip(m, m[1:]))                           # falls at every widening
    assert ns["width_improvement"] > 100                                  # "more than a hundredfold"
    assert m[-1] < 1.5 * ns["noise_level"]                                # down to the noise level
    assert m[2] < 0.1 * m[0]
    assert m[0] < ns["mse_linear_regression"]                             # even one tanh beats the line


def test_restarts_matter(ns):
    starts = ns["start_mses"][4]
    assert starts.shape == (3,)
    assert starts.max() > 5 * starts.min()        # one start stuck at a much worse fit
