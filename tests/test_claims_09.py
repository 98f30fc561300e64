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


# --- figures: the decision regions fill their axes, the mask has whole-number ticks -------------

def _figure_of_cell(ns, marker):
    """Run the chapter's plot cell containing `marker` again and return its figure (not closed)."""
    import matplotlib.pyplot as plt
    import nbformat
    from chapter_code import chapter_path

    nb = nbformat.read(chapter_path("09"), as_version=4)
    (source,) = [c.source for c in nb.cells if c.cell_type == "code" and marker in c.source]
    figures = []
    scope = dict(ns)
    scope["plt"] = plt
    show = plt.show
    plt.show = lambda *a, **k: figures.append(plt.gcf())
    try:
        exec(source, scope)
    finally:
        plt.show = show
    return figures[0]


def test_decision_regions_fill_their_axes(ns):
    import matplotlib.pyplot as plt

    ax = ns["nl"].plotting.plot_decision_boundary(ns["plain"], ns["X_train"], ns["y_train"])
    X = ns["X_train"]
    lo, hi = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5         # the shaded grid (margin 0.5)
    assert np.allclose(ax.get_xlim(), (lo[0], hi[0]), atol=1e-9)
    assert np.allclose(ax.get_ylim(), (lo[1], hi[1]), atol=1e-9)
    plt.close("all")


def test_the_mask_figure_ticks_whole_neurons_and_examples(ns):
    import matplotlib.pyplot as plt

    fig = _figure_of_cell(ns, "a dropout mask, p_drop")
    ax = fig.axes[0]
    for ticks in (ax.get_xticks(), ax.get_yticks()):
        assert len(ticks) >= 3 and np.all(ticks == np.round(ticks))
    plt.close("all")


# --- dropout drops units: all outgoing connections at once --------------------------------------

def test_a_dropped_unit_is_a_zeroed_column_of_the_next_weights(ns):
    assert np.array_equal(ns["dropped_units"], ns["cut_columns"])
    assert len(ns["dropped_units"]) > 0
    assert np.max(np.abs(ns["z_units_dropped"] - ns["z_connections_cut"])) < 1e-12


# --- dropout, early stopping and L2 on one budget ----------------------------------------------

def test_every_method_starts_from_the_same_weights(ns):
    make_net = ns["make_net"]
    plain, dropout = make_net(0.0, np.random.default_rng(10)), make_net(0.8, np.random.default_rng(10))
    dense = [[p.data for p in layer.parameters()] for layer in plain if layer.parameters()]
    dense_d = [[p.data for p in layer.parameters()] for layer in dropout if layer.parameters()]
    assert len(dense) == len(dense_d) == 3
    for a, b in zip(dense, dense_d):
        assert all(np.array_equal(x, y) for x, y in zip(a, b))
    # and one budget: nobody trains past epoch 300
    assert all(r["epoch"] <= 300 for r in ns["sweep"].values())
    assert all(r["epoch"] <= 300 for rs in ns["results"].values() for r in rs)


def test_the_sweep_chooses_lambda_and_p_drop_by_the_validation_loss(ns):
    sweep = ns["sweep"]
    assert ns["lam"] == 3e-3 and ns["p_best"] == 0.8 and ns["watch"] == "val_accuracy"
    assert round(sweep["L2", 3e-3]["val_loss"], 2) == 0.27
    assert sweep["L2", 3e-3]["val_loss"] < min(sweep["L2", 3e-4]["val_loss"], sweep["L2", 3e-2]["val_loss"]) - 0.05
    assert sweep["dropout", 0.8]["val_loss"] < min(sweep["dropout", 0.2]["val_loss"], sweep["dropout", 0.5]["val_loss"])
    # the weaker λ still memorises, the stronger underfits
    assert round(sweep["L2", 3e-4]["train"], 2) == 0.97
    assert round(sweep["L2", 3e-2]["train"], 2) == 0.85 and round(sweep["L2", 3e-2]["val"], 3) == 0.836
    # the dropout rates are within two validation examples (of 500) of each other ...
    vals = [sweep["dropout", p]["val"] for p in (0.2, 0.5, 0.8)]
    assert max(vals) - min(vals) <= 2 / 500 + 1e-9
    # ... and the validation accuracy agrees with both choices, for p_drop by two examples
    assert max((3e-4, 3e-3, 3e-2), key=lambda s: sweep["L2", s]["val"]) == 3e-3
    assert max((0.2, 0.5, 0.8), key=lambda s: sweep["dropout", s]["val"]) == 0.8
    assert round((sweep["dropout", 0.8]["val"] - max(vals[:2])) * 500) == 2


def test_early_stopping_on_the_validation_loss_stops_too_early(ns):
    sweep = ns["sweep"]
    on_loss, on_acc, plain = sweep["early stopping", "val_loss"], sweep["early stopping", "val_accuracy"], sweep["plain", None]
    assert on_loss["epoch"] == 9 and on_acc["epoch"] == 66
    # the plain network's own curves: loss lowest at epoch 7, accuracy highest at epoch 45
    assert ns["best_epoch_plain"] == 7 and int(np.argmax(ns["history_plain"]["val_accuracy"])) + 1 == 45
    assert round(on_loss["val"], 3) == 0.852
    assert on_loss["val"] < plain["val"] and on_loss["test"] < plain["test"]     # worse than no regularisation
    assert on_acc["val"] > on_loss["val"]
    assert on_loss["val_loss"] < on_acc["val_loss"]      # by the loss it would win: the rigged comparison


def test_all_three_beat_the_plain_network_and_dropout_is_not_better(ns):
    test_acc, mean_test, gaps = ns["test_acc"], ns["mean_test"], ns["gaps"]
    names = list(test_acc)
    plain, others = names[0], names[1:]
    assert plain == "plain" and len(others) == 3
    assert others[2].startswith("dropout")
    assert round(mean_test[plain], 3) == 0.844
    for n in others:
        assert np.all(test_acc[n] > test_acc[plain])                 # on every data set
        assert round(mean_test[n], 2) in (0.87, 0.88)
        assert 0.005 <= gaps[n].mean() <= 0.04                       # gap 0.01–0.04 ...
    assert round(gaps[plain].mean(), 2) == 0.14                      # ... against 0.14
    es, l2, dropout = (mean_test[n] for n in others)
    assert round(es, 3) == round(l2, 3) == 0.878 and round(dropout, 3) == 0.869
    assert max(es, l2, dropout) - min(es, l2, dropout) <= 0.01
    # smaller than the differences between data sets
    assert max(es, l2, dropout) - min(es, l2, dropout) < min(np.ptp(test_acc[n]) for n in others)
    # the order of the three changes from one data set to the next
    best = {int(np.argmax([test_acc[n][d] for n in others])) for d in range(4)}
    assert len(best) >= 2


def test_early_stopping_is_the_cheapest(ns):
    kept = ns["stopped_epochs"]
    assert min(kept) == 22 and max(kept) == 73
    assert min(kept) + 20 == 42 and max(kept) + 20 == 93 <= 300


# --- dropout makes the network robust to losing units ------------------------------------------

def test_dropout_makes_the_network_robust_to_removing_units(ns):
    loss_at = ns["loss_at"]
    plain, dropout, l2 = "plain", f"dropout {ns['p_best']}", f"L2 {ns['lam']}"
    assert round(loss_at[plain][30], 2) == 0.08 and round(loss_at[dropout][30], 2) == 0.01
    assert round(loss_at[plain][50], 2) == 0.11 and round(loss_at[dropout][50], 2) == 0.03
    assert round(loss_at[l2][30], 2) == 0.05 and round(loss_at[l2][50], 2) == 0.14
    # with margin: from 20 to 60 units the dropout network loses less than half of what the others lose
    for k in (20, 30, 40, 50, 60):
        assert loss_at[dropout][k] < 0.5 * min(loss_at[plain][k], loss_at[l2][k])
    assert loss_at[dropout][10] < min(loss_at[plain][10], loss_at[l2][10])
    assert loss_at[plain][30] > loss_at[l2][30] > loss_at[dropout][30]    # L2 between the two at 30
    assert loss_at[l2][50] > loss_at[plain][50]                          # and worse than plain at 50


# --- capacity and data --------------------------------------------------------------------------

def test_more_width_lowers_training_error_but_not_validation_error(ns):
    cap = ns["capacity"]
    assert ns["widths"] == (4, 8, 16, 32, 100)
    assert round(cap[4][0], 2) == 0.14 and round(cap[32][0], 2) == round(cap[100][0], 2) == 0.02
    train = [cap[w][0] for w in ns["widths"]]
    assert all(a >= b for a, b in zip(train, train[1:]))                 # falls with the width
    assert 0.095 <= cap[8][1] <= 0.11 and 0.095 <= cap[16][1] <= 0.11    # lowest at 8 and 16, about 0.10
    assert min(cap[w][1] for w in ns["widths"]) in (cap[8][1], cap[16][1])
    assert round(cap[32][1], 2) == round(cap[100][1], 2) == 0.13
    assert cap[100][1] - cap[100][0] > cap[16][1] - cap[16][0]           # the gap widens


def test_more_data_raises_training_error_lowers_validation_error_until_they_meet(ns):
    size = ns["data_size"]
    assert ns["sizes"] == (25, 50, 100, 200, 400)
    assert size[25][0] == 0 and size[50][0] == 0 and round(size[400][0], 2) == 0.11
    train = [size[n][0] for n in ns["sizes"]]
    assert all(a <= b for a, b in zip(train, train[1:]))                 # rises with the data
    assert round(size[25][1], 2) == 0.28 and round(size[400][1], 2) == 0.11
    assert size[400][1] == min(size[n][1] for n in ns["sizes"])
    assert abs(size[400][0] - size[400][1]) < 0.01                       # they meet
    # the first 100 points of the pool are the chapter's training set
    assert np.array_equal(ns["X_pool"][:100], ns["X_train"])
