"""Chapter 08's claims, asserted on the chapter's own variables (see chapters/AUTHORING.md)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

import nnlab as nl
from chapter_code import run_chapter

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def ns():
    return run_chapter("08")


def test_data_and_stratified_three_way_split(ns):
    assert ns["X"].shape == (1797, 64) and ns["y"].shape == (1797,)
    assert ns["class_counts"].min() >= 170 and ns["class_counts"].max() <= 185
    sizes = ns["split_sizes"]
    assert sum(sizes.values()) == 1797
    assert abs(sizes["validation"] - 0.2 * 1797) < 10 and abs(sizes["test"] - 0.2 * 1797) < 10
    whole = np.bincount(ns["y"]) / len(ns["y"])
    for labels in (ns["y_train"], ns["y_val"], ns["y_test"]):
        assert np.abs(np.bincount(labels, minlength=10) / len(labels) - whole).max() < 0.01


def test_standardised_with_training_statistics(ns):
    Xs = ns["X_train_s"]
    assert np.abs(Xs.mean(axis=0)).max() < 1e-12
    used = ns["X_train"].std(axis=0) > 0
    np.testing.assert_allclose(Xs.std(axis=0)[used], 1.0, rtol=1e-12)
    assert ns["n_blank_pixels"] == int((~used).sum()) > 0
    # validation transformed with the training μ, σ (not its own): close to, not exactly, standard
    np.testing.assert_allclose(ns["X_val_s"], (ns["X_val"] - ns["mean"]) / ns["std"])
    assert 1e-3 < abs(ns["X_val_s"].mean()) < 0.1


def test_hand_loop_learns_and_fit_is_the_same_loop(ns):
    assert ns["hand_val"]["accuracy"] > 0.6
    assert ns["fit_vs_hand_max_diff"] == 0.0


def test_cost_at_initialisation_against_ln_K(ns):
    assert ns["expected_init_C"] == np.log(10)
    C, bound = ns["init_C"], ns["init_bound"]
    he, small, bug = "He (make_mlp, as above)", "He, output layer × 0.01", "N(0, 1) weights: a bug"
    assert round(C[he], 2) == 3.58 and C[he] - np.log(10) > 1.0       # above ln 10, and why:
    assert round(bound[he], 2) == 3.89 and round(2 * (bound[he] - np.log(10)), 1) == 3.2   # var(z) = 3.2
    # under ln K + var(z)/2, a bound on the average: one batch of 32 may exceed it by a little
    assert all(C[name] <= bound[name] + 0.01 for name in C) and C[he] < bound[he] - 0.2
    assert abs(C[small] - np.log(10)) < 0.005 and round(C[small], 3) == 2.306
    assert C[bug] > 100 and round(C[bug]) == 157
    # the first batch is the first batch of the hand-written loop
    np.testing.assert_array_equal(ns["yb_first"], ns["y_train"][np.random.default_rng(2).permutation(len(ns["y_train"]))[:32]])


def test_a_tiny_subset_is_overfit_unless_the_lr_is_too_small(ns):
    assert len(ns["tiny"]) == 20 and np.array_equal(np.bincount(ns["y_tiny"]), [2] * 10)
    assert sum(p.data.size for p in ns["make_mlp"](np.random.default_rng(0)).parameters()) == 19_210
    runs = ns["tiny_runs"]
    right, small, no_zero = runs["η = 3e-3"], runs["η = 1e-5 (too small)"], runs["η = 3e-3, zero_grad forgotten"]
    assert round(ns["tiny_start_C"], 2) == 3.19
    assert right["accuracy"] == 1.0 and right["cost"] < 0.01 and right["all right at"] == 5
    assert small["accuracy"] == 0.1 and small["all right at"] is None and round(small["cost"], 2) == 2.88
    assert no_zero["accuracy"] == 1.0 and no_zero["cost"] < 0.01 and no_zero["all right at"] == 5
    assert no_zero["cost"] != right["cost"]                           # the bug did change the run


def test_learning_rate_range_test(ns):
    lrs, C, start = ns["range_lrs"], ns["range_C"], ns["start_C"]
    assert len(lrs) == 11 and lrs[0] == pytest.approx(1e-5) and lrs[-1] == pytest.approx(1.0)
    best = int(np.argmin(C))
    assert ns["lr_best"] == lrs[best] == pytest.approx(1e-2)
    assert np.all(np.diff(C[:best + 1]) < 0) and np.all(np.diff(C[best:]) > 0)   # one valley
    assert C[best] < 0.1 and round(start, 2) == 3.22 and round(C[0], 1) == 3.2
    diverging = lrs >= 0.1 * (1 - 1e-9)
    assert np.all(C[diverging] > start) and np.all(C[~diverging] < start)
    assert ns["lr_best"] / 3 == pytest.approx(3e-3, rel=0.15)       # where the runs start


def test_update_to_weight_ratio_per_layer(ns):
    med, big = ns["median_ratio"], ns["largest_ratio"]
    small, right, large = "η = 1e-5 (too small)", "η = 3e-3", "η = 1e-1 (too large)"
    def one_digit(x):
        return [float(f"{v:.0e}") for v in x]
    assert one_digit(med[small]) == [3e-5, 7e-5] and one_digit(med[right]) == [3e-3, 6e-3]
    assert one_digit(med[large]) == [4e-2, 5e-2]
    assert one_digit([big[small][0], big[right][0], big[large][0]]) == [6e-5, 2e-2, 6e-1]
    ratios, C_after = ns["ratio_runs"][right]
    assert ratios.shape == (68, 2)
    # Adam's first step moves every weight by η: ratio ≈ η / rms(W) = 3e-3 / √(2/64)
    assert round(ratios[0, 0], 3) == 0.017 and ratios[0, 0] == pytest.approx(3e-3 / np.sqrt(2 / 64), rel=0.05)
    assert ratios[-1, 0] < ratios[0, 0] / 5 and float(f"{ratios[-1, 0]:.0e}") == 2e-3    # and shrinks
    assert ns["ratio_runs"][small][1] > 3.0 and ns["ratio_runs"][large][1] > ns["start_C"]
    assert C_after < 0.2


def test_first_run_fits_training_set_with_a_gap(ns):
    h = ns["history_A"]
    assert len(h) == 30
    assert h["accuracy"][-1] == 1.0 and ns["epoch_all_train_right_A"] <= 10
    assert h["loss"][0] / h["loss"][-1] > 100
    assert ns["val_over_train_cost_A"] > 10
    assert 0.95 < h["val_accuracy"][-1] < 0.99
    # the validation cost flattens: the last 20 epochs change it by less than 10 %
    assert abs(h["val_loss"][-1] - h["val_loss"][9]) < 0.1 * h["val_loss"][9]


def test_recipes_compared_on_equal_budgets(ns):
    recipes, budget = ns["recipes"], ns["budget"]
    examples = {name: b[0] for name, b in budget.items()}
    steps = {name: b[1] for name, b in budget.items()}
    assert set(examples.values()) == {53_900}                       # the same examples seen
    assert max(steps.values()) - min(steps.values()) <= 0.01 * max(steps.values())   # 1,700 vs 1,690
    assert steps["A: plain"] == 1700 and steps["C: shifted copies + dropout"] == 1690
    # the budget is what fit actually ran: epochs × batches per epoch
    for name, hs in ns["histories"].items():
        assert len(hs) == len(ns["seeds"]) == 3
        assert all(len(h) == recipes[name]["epochs"] for h in hs)
    n = len(ns["y_train"])
    assert recipes["A: plain"]["epochs"] * -(-n // 32) == steps["A: plain"]
    assert recipes["B: shifted copies"]["epochs"] * -(-5 * n // 32) == steps["B: shifted copies"]


def test_recipe_chosen_on_validation_cost_only(ns):
    acc, cost, wrong = ns["val_accuracy"], ns["val_cost"], ns["val_wrong"]
    A, B, Cn = "A: plain", "B: shifted copies", "C: shifted copies + dropout"
    assert ns["best_recipe"] == min(cost, key=cost.get) == Cn
    # the counts of mistakes, as stated: they vary within a recipe as much as between recipes
    assert sorted(wrong[A]) == [8, 9, 10] and sorted(wrong[B]) == [6, 8, 11] and sorted(wrong[Cn]) == [6, 6, 7]
    spread_within = max(max(w) - min(w) for w in wrong.values())
    means = [np.mean(w) for w in wrong.values()]
    assert spread_within >= max(means) - min(means)
    assert max(means) - min(means) < round(ns["val_standard_error"] * len(ns["y_val"]))   # < 3 digits
    # the cost separates them: halved by the shifted copies, a little lower with dropout
    assert (round(cost[A], 3), round(cost[B], 3), round(cost[Cn], 3)) == (0.146, 0.070, 0.065)
    assert cost[B] < 0.55 * cost[A] and cost[Cn] < cost[B]
    costs = {name: [h["val_loss"][-1] for h in hs] for name, hs in ns["histories"].items()}
    assert max(costs[B] + costs[Cn]) < min(costs[A])
    # A gains nothing from 20 more epochs: no better than the 30-epoch first run
    assert cost[A] >= ns["history_A"]["val_loss"][-1]
    assert all(h["accuracy"][-1] == 1.0 for h in ns["histories"][A])
    assert all(h["accuracy"][-1] < 1.0 for h in ns["histories"][Cn])      # dropout makes memorising harder
    assert round(100 * acc[Cn], 1) == 98.3
    assert ns["X_train_big"].shape == (5 * len(ns["y_train"]), 64)


def test_shifted_copies_are_one_pixel_moves(ns):
    X_big, n = ns["X_train_big"], len(ns["y_train"])
    images = ns["X_train"].reshape(-1, 8, 8)
    up = X_big[n:2 * n].reshape(-1, 8, 8)              # "up": (dy, dx) = (1, 0)
    np.testing.assert_array_equal(up[:, :7], images[:, 1:])
    assert not up[:, 7].any()
    np.testing.assert_array_equal(ns["y_train_big"], np.tile(ns["y_train"], 5))


def test_final_test_accuracy_at_least_98_percent(ns):
    assert ns["test_accuracy"] >= 0.98
    assert ns["n_wrong"] == 3 and round(100 * ns["test_accuracy"], 1) == 99.2
    model, X_test_s, y_test = ns["final_model"], ns["X_test_s"], ns["y_test"]
    assert nl.evaluate(model, nl.SoftmaxCrossEntropy(), X_test_s, y_test)["accuracy"] == ns["test_accuracy"]
    assert ns["n_wrong"] == round((1 - ns["test_accuracy"]) * ns["n_test"])
    assert 0.003 < ns["test_standard_error"] < 0.008
    # the test set was standardised with the final training data's statistics
    np.testing.assert_allclose(X_test_s, (ns["X_test"] - ns["mean_final"]) / ns["std_final"])
    assert len(ns["y_dev"]) == len(ns["y_train"]) + len(ns["y_val"])


def test_confusion_matrix_consistent_with_accuracy(ns):
    M, n = ns["M"], ns["n_test"]
    assert M.shape == (10, 10) and M.sum() == n
    assert np.trace(M) == n - ns["n_wrong"]
    assert np.trace(M) / M.sum() == pytest.approx(ns["test_accuracy"])
    np.testing.assert_array_equal(M.sum(axis=1), np.bincount(ns["y_test"], minlength=10))
    assert sum(c for c, _, _ in ns["confusions"]) == ns["n_wrong"]
    assert all(c == 1 for c, _, _ in ns["confusions"])            # each mistake a different pair
    M_A = ns["M_A_val"]
    assert ns["n_wrong_A_val"] == M_A.sum() - np.trace(M_A) == round((1 - ns["history_A"]["val_accuracy"][-1]) * len(ns["y_val"]))
    assert ns["mistakes_with_9_A_val"] >= 0.6 * ns["n_wrong_A_val"]
    assert ns["mistakes_with_9_final"] == 2


def test_mistakes_shown_are_real_and_sorted(ns):
    for order, P, y in ((ns["worst_mistakes"], ns["probabilities"], ns["y_test"]),
                        (ns["worst_mistakes_A_val"], ns["probabilities_A_val"], ns["y_val"])):
        predicted = P.argmax(axis=1)
        assert len(order) == int(np.sum(predicted != y))
        assert np.all(predicted[order] != y[order])
        conf = P[order, predicted[order]]
        assert np.all(np.diff(conf) <= 0)                    # most confident first
    assert len(ns["worst_mistakes"]) == ns["n_wrong"]
    assert round(ns["max_confidence_final"], 2) == 0.81       # far less sure than A when wrong
    assert ns["true_seconds"] == ns["n_wrong"]                # the true digit its second choice
    assert ns["max_confidence_A_val"] > 0.99                 # A: confidently wrong
    P_A, top = ns["probabilities_A_val"], ns["worst_mistakes_A_val"][:2]
    assert P_A[top[1]].max() > 0.98


def test_first_layer_weights(ns):
    W1, W1_start = ns["W1"], ns["W1_start"]
    assert W1.shape == (256, 64)
    assert 0.5 < ns["corr_with_start"] < 0.95                # moved, but only part of the way
    nb = ns["neighbour"]
    assert abs(nb["before"]) < 0.05
    assert nb["change"] > nb["before"] + 0.2 and nb["change"] > nb["after"]
    assert (round(ns["corr_with_start"], 2), round(nb["before"], 2), round(nb["change"], 2)) == (0.83, -0.01, 0.36)
    assert round(ns["neighbour_shown"], 2) == 0.55 > nb["change"]
    # the figure: 8 neurons, before/after on one symmetric scale, the change on its own
    shown = ns["shown"]
    assert len(shown) == 8
    change_norms = np.linalg.norm(ns["W1_change"], axis=1)
    assert change_norms[shown].min() >= np.delete(change_norms, shown).max()
    assert ns["w_max"] == np.abs(np.concatenate([W1_start[shown], W1[shown]])).max()
    assert ns["change_max"] == np.abs(ns["W1_change"][shown]).max() < ns["w_max"]
    # the strokes named in the text: mean change over the pixels of each patch
    assert list(shown[:3]) == [201, 170, 117]
    change_201, change_117 = ns["W1_change"][201].reshape(8, 8), ns["W1_change"][117].reshape(8, 8)
    assert change_201[0:2, 3:6].mean() > 0.3 and change_201[2:4, 3:7].mean() < -0.2
    assert change_117[4:6, 0:6].mean() < -0.2


def test_plot_weight_images_smoke():
    W = np.random.default_rng(0).standard_normal((20, 64))
    axes = nl.plotting.plot_weight_images(W, ncols=8, titles=[str(i) for i in range(20)])
    assert axes.shape == (3, 8)
    image = axes[0, 0].images[0]
    assert image.get_array().shape == (8, 8)
    lo, hi = image.get_clim()
    assert lo == -hi == -np.abs(W[0]).max()                  # symmetric about 0
    assert not axes[2, 7].images                              # unused panels stay empty
    plt.close("all")
    with pytest.raises(ValueError, match="square"):
        nl.plotting.plot_weight_images(np.zeros((3, 10)))
