"""Chapter 01 · The neuron: every claim the text makes, asserted on the chapter's own variables."""

import numpy as np
import pytest

from chapter_code import run_chapter

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def ns():
    return run_chapter("01")


def test_weighted_input_by_hand(ns):
    # 0.8·0.5 + 0.2·(−1) + (−0.5)·2 + 0.3 = −0.5;  σ(−0.5) = 1 / (1 + e^{0.5})
    assert ns["z_by_hand"] == pytest.approx(-0.5, abs=1e-15)
    assert ns["a_by_hand"] == pytest.approx(1 / (1 + np.exp(0.5)), abs=1e-15)
    assert ns["a_by_hand"] == pytest.approx(0.3775, abs=5e-5)


def test_neuron_agrees_with_the_hand_computation(ns):
    assert abs(ns["z_neuron"] - ns["z_by_hand"]) <= 1e-15
    assert abs(ns["a_neuron"] - ns["a_by_hand"]) <= 1e-15


def test_sigmoid_and_step_agree_on_the_side_of_zero(ns):
    assert ns["same_side"]
    z = ns["z_grid"]
    assert z.min() < -5 and z.max() > 5 and np.any(z == 0)


def test_batch_form_equals_the_loop(ns):
    assert ns["z_batch"].shape == (5,)
    assert np.max(np.abs(ns["z_loop"] - ns["z_batch"])) <= 1e-15
    assert np.max(np.abs(ns["neuron"].z(ns["A"]) - ns["z_batch"])) <= 1e-15


def test_bias_as_a_weight_on_a_constant_input(ns):
    A_ones, A_big = ns["A_ones"], ns["A_big"]
    assert A_ones.shape == (1000, 4) and np.all(A_ones[:, -1] == 1.0)
    assert np.array_equal(ns["w_b"][-1], ns["b"])
    assert ns["bias_max_diff"] <= 1e-15
    # and the same numbers through nnlab's helpers, over the whole batch
    import nnlab as nl
    z_nl = nl.neuron.with_bias_input(A_big) @ nl.neuron.absorb_bias(ns["w"], ns["b"])
    assert np.max(np.abs(z_nl - (A_big @ ns["w"] + ns["b"]))) <= 1e-15


def test_perceptron_separates_the_clouds(ns):
    assert ns["mistakes_per_epoch"][-1] == 0
    assert ns["perceptron_mistakes"] == ns["mistakes_per_epoch"]
    np.testing.assert_allclose(ns["perceptron"].w, ns["w_p"], rtol=0, atol=1e-12)
    assert ns["blobs_accuracy"] == 1.0


def test_and_or_work(ns):
    assert ns["and_correct"] == 4 and ns["or_correct"] == 4
    assert ns["and_learned_correct"] == 4 and ns["or_learned_correct"] == 4
    assert ns["and_mistakes"][-1] == 0 and ns["or_mistakes"][-1] == 0
    assert len(ns["and_mistakes"]) < 10 and len(ns["or_mistakes"]) < 10   # "a few epochs"
    assert ns["or_learned"].b == 0.0                                        # the text's remark on the margin


def test_no_line_computes_xor(ns):
    assert ns["max_correct_xor"] == 3
    assert ns["max_correct_and"] == 4 and ns["max_correct_or"] == 4
    assert len(ns["b_try"]) == 81 ** 3 > 500_000
    assert np.sum(ns["correct_and"] == 4) > 10_000 and np.sum(ns["correct_or"] == 4) > 10_000
    assert np.sum(ns["correct_xor"] == 4) == 0
    # the line drawn for XOR really gets 3 of 4, and stays off the corners
    assert ns["correct_xor"][ns["best_xor"]] == 3 and ns["gap"].max() > 0.1


def test_perceptron_never_settles_on_xor(ns):
    assert len(ns["xor_mistakes"]) == 50 and min(ns["xor_mistakes"]) >= 1
    assert ns["xor_learned_correct"] < 4


def test_two_layers_compute_xor(ns):
    assert ns["xor_two_layer_correct"] == 4
    np.testing.assert_array_equal(ns["H"], [[0, 1], [1, 1], [1, 1], [1, 0]])


def test_plot_decision_line_smoke():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import nnlab as nl

    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    ax = nl.plotting.plot_data(X, np.array([0, 1, 1]))
    out = nl.plotting.plot_decision_line([1.0, 1.0], -0.5, ax=ax, label="line", arrow_at=(0.0, 0.0))
    assert out is ax and len(ax.lines) == 1 and ax.get_legend_handles_labels()[1][-1] == "line"
    limits = ax.get_xlim(), ax.get_ylim()
    nl.plotting.plot_decision_line([0.0, 2.0], 0.3, ax=ax, shade=False, arrow=False)   # horizontal line
    assert (ax.get_xlim(), ax.get_ylim()) == limits                                      # the view is kept
    assert nl.plotting.plot_decision_line([1.0, -1.0], 0.0) is not None                  # new figure
    with pytest.raises(ValueError, match="must not be all zero"):
        nl.plotting.plot_decision_line([0.0, 0.0], 1.0, ax=ax)
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        nl.plotting.plot_decision_line([1.0, 1.0, 1.0], 1.0, ax=ax)
    plt.close("all")
