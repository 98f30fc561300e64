"""Chapter 09's claims, asserted on the chapter's own variables (run_chapter executes its code cells)."""

import numpy as np
import pytest

from chapter_code import run_chapter

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def ns():
    return run_chapter("09")


def test_large_network_memorises_the_small_set(ns):
    # training accuracy near 100 % (eval mode, whole training set) while validation lags well behind
    assert ns["train_acc_plain"] >= 0.95
    assert ns["val_acc_plain"] <= ns["train_acc_plain"] - 0.08
    assert ns["make_net"](0.0, np.random.default_rng(0)).n_params == 10_602


def test_validation_loss_rises_while_training_loss_falls(ns):
    assert ns["best_epoch_plain"] <= 30                       # the validation loss bottoms out early
    assert ns["val_loss_plain"] >= 2.5 * ns["val_loss_min_plain"]
    assert ns["train_loss_plain"] <= 0.1
    assert ns["train_loss_plain"] < 0.25 * ns["curves_plain"]["train_loss"][0]


def test_inline_dropout_matches_nnlab(ns):
    assert np.array_equal(ns["a_ours"], ns["a_nl"])


def test_kept_fraction_is_one_minus_p_drop(ns):
    assert abs(ns["kept_fraction"] - (1 - ns["p_drop"])) < 0.005


def test_inverted_scaling_preserves_the_mean_activation(ns):
    assert abs(ns["mean_ratio"] - 1.0) < 0.01
    assert abs(ns["mean_ratio_unscaled"] - 0.5) < 0.01
    # per neuron too: the scaled means lie on the diagonal (up to the masks' noise)
    diff = np.abs(ns["mean_train_mode"] - ns["mean_eval_mode"])
    assert diff.max() < 0.05 * ns["mean_eval_mode"].max()


def test_eval_mode_is_the_identity(ns):
    assert ns["eval_is_identity"] is True


def test_dropout_trades_training_accuracy_for_validation_accuracy(ns):
    assert ns["train_acc_dropout"] < ns["train_acc_plain"]
    assert ns["val_acc_dropout"] > ns["val_acc_plain"]
    assert ns["val_loss_dropout"] < 0.6 * ns["val_loss_plain"]


def test_fit_running_accuracy_is_below_eval_mode_accuracy_with_dropout(ns):
    assert ns["running_acc_dropout"] < ns["eval_acc_dropout"]


def test_eval_mode_approximates_the_average_of_thinned_networks(ns):
    assert ns["ensemble_agreement"] >= 0.97


def test_the_gap_closes(ns):
    gaps_plain, gaps_dropout = np.array(ns["gaps_plain"]), np.array(ns["gaps_dropout"])
    assert len(gaps_plain) == len(gaps_dropout) == 4
    assert np.all(gaps_dropout < gaps_plain)                  # on every data set
    assert ns["gap_dropout"] < ns["gap_plain"] - 0.05          # and by a clear margin on average
    assert ns["gap_plain"] >= 0.10
