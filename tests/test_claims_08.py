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


def test_first_run_fits_training_set_with_a_gap(ns):
    h = ns["history_A"]
    assert len(h) == 30
    assert h["accuracy"][-1] == 1.0 and ns["epoch_all_train_right_A"] <= 10
    assert h["loss"][0] / h["loss"][-1] > 100
    assert ns["val_over_train_cost_A"] > 10
    assert 0.95 < h["val_accuracy"][-1] < 0.99
    # the validation cost flattens: the last 20 epochs change it by less than 10 %
    assert abs(h["val_loss"][-1] - h["val_loss"][9]) < 0.1 * h["val_loss"][9]


def test_recipe_chosen_on_validation_only(ns):
    acc, cost, wrong = ns["val_accuracy"], ns["val_cost"], ns["val_wrong"]
    assert ns["best_recipe"] == max(acc, key=acc.get) == "C: shifted copies + dropout"
    assert wrong["C: shifted copies + dropout"] + 3 <= wrong["A: plain"]
    assert abs(wrong["B: shifted copies"] - wrong["A: plain"]) <= round(ns["val_standard_error"] * len(ns["y_val"]))
    # the validation cost falls A → B → C
    assert cost["A: plain"] > cost["B: shifted copies"] > cost["C: shifted copies + dropout"]
    assert cost["C: shifted copies + dropout"] < 0.6 * cost["A: plain"]
    assert ns["histories"]["C: shifted copies + dropout"]["accuracy"][-1] < 1.0
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
    assert ns["n_wrong_A_val"] == ns["val_wrong"]["A: plain"] == M_A.sum() - np.trace(M_A)
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
    assert ns["max_confidence_final"] < 0.6                  # unsure every time it was wrong
    assert ns["close_seconds"] == 3
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
