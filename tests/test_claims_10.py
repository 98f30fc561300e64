"""Chapter 10's claims, asserted on the chapter's own variables (run_chapter executes its code cells)."""

import numpy as np
import pytest

from chapter_code import run_chapter

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def ns():
    return run_chapter("10")


def test_the_deep_networks_have_15_dense_layers(ns):
    for name in ("sigmoid", "tanh", "relu", "res_sigmoid", "res_tanh", "bad_sigmoid", "bad_tanh"):
        assert len(ns[f"norms_{name}"]) == 15
    assert ns["sigmoid_net"].n_params == ns["res_sigmoid_net"].n_params


def test_sigmoid_gradients_vanish_toward_the_input(ns):
    assert ns["sigmoid_last_over_first"] >= 1e6           # the chapter says "some 10^8"
    norms = np.array(list(ns["norms_sigmoid"].values()))
    assert np.all(np.diff(np.log(norms)) > 0)              # falls at every layer toward the input


def test_tanh_and_relu_keep_gradients_close_at_initialisation(ns):
    assert ns["tanh_max_over_min"] <= 5
    assert ns["relu_max_over_min"] <= 5


def test_one_factor_sigma_prime_per_layer(ns):
    ratios, slopes, bounds = ns["ratios"], ns["slopes"], ns["bounds"]
    assert len(ratios) == len(slopes) == len(bounds) == 14
    assert np.all(slopes <= 0.25)                          # sigma' <= 1/4
    assert np.all(np.abs(ratios - slopes) < 0.08)          # measured factor ~ mean sigma'
    assert ns["bound_holds"] is True and np.all(ratios <= bounds)
    # fourteen factors of ~1/4: within a factor of 10 of (1/4)^14
    assert 0.25 ** 14 / 10 < ns["delta_fall"] < 0.25 ** 14 * 10


def test_bad_initialisation_saturates(ns):
    mean = {name: np.mean(list(f.values())) for name, f in ns["saturation"].items()}
    assert mean["tanh, N(0, 1)"] >= 0.6
    assert mean["sigmoid, N(0, 1)"] >= 0.15
    assert mean["tanh, Xavier"] <= 0.01 and mean["sigmoid, Xavier"] <= 0.01


def test_bad_initialisation_vanishes_or_explodes(ns):
    assert ns["bad_sigmoid_last_over_first"] >= 50
    assert ns["bad_tanh_first_over_last"] >= 100


def test_dead_relus(ns):
    assert max(ns["dead_at_init"].values()) <= 0.1
    dead_bias = list(ns["dead_negative_bias"].values())
    assert dead_bias[0] >= 0.4 and dead_bias[1] >= 0.9
    assert min(ns["dead_after_training"][1.0].values()) >= 0.3
    assert max(ns["dead_after_training"][0.1].values()) <= 0.15


def test_inline_residual_block_matches_nnlab(ns):
    assert ns["residual_max_error"] <= 1e-12


def test_residual_connections_restore_the_flow(ns):
    assert ns["res_tanh_max_over_min"] <= 10
    assert ns["res_sigmoid_hidden_max_over_min"] <= 10
    assert ns["res_sigmoid_max_over_min"] <= 100
    # from eight orders of magnitude to at most two
    assert ns["res_sigmoid_max_over_min"] < 1e-4 * ns["sigmoid_last_over_first"]


def test_deep_plain_sigmoid_does_not_learn_residual_does(ns):
    h, final = ns["histories"], ns["final"]
    plain = h["plain sigmoid"]["loss"]
    assert abs(plain[-1] - np.log(10)) < 0.05              # stuck at the loss of guessing
    assert plain[0] - plain[-1] < 0.2
    assert final["plain sigmoid"]["accuracy"] < 0.2
    assert h["residual sigmoid"]["loss"][-1] < plain[-1] - 1.0
    assert final["residual sigmoid"]["accuracy"] >= 0.7


def test_residual_tanh_learns_faster_than_plain_tanh(ns):
    h, final = ns["histories"], ns["final"]
    assert h["residual tanh"]["loss"][-1] < 0.5 * h["plain tanh"]["loss"][-1]
    assert final["residual tanh"]["accuracy"] > final["plain tanh"]["accuracy"]


def test_tanh_slopes_start_close_to_one(ns):
    assert ns["tanh_slopes"].min() >= 0.7
    assert ns["slopes"].max() <= 0.25


def test_residual_sigmoid_sums_grow(ns):
    assert ns["into_output"]["residual"] > 10 * ns["into_output"]["plain"]


def test_tanh_vanishes_with_small_weights_or_saturation_and_explodes_with_large_weights(ns):
    fall, saturated = ns["tanh_fall"], ns["tanh_saturated"]
    assert fall["weights 0.25 x Xavier"] < 1e-7                 # "10^-8", as badly as the sigmoid
    assert 1e-5 < fall["weights 0.5 x Xavier"] < 1e-3            # "10^-4"
    assert saturated["weights 0.25 x Xavier"] == saturated["weights 0.5 x Xavier"] == 0
    assert 0.1 < fall["weights 1.0 x Xavier"] < 10               # flat at Xavier's scale
    assert fall["weights 2.0 x Xavier"] > 1 and fall["weights 4.0 x Xavier"] > 100
    assert saturated["weights 4.0 x Xavier"] >= 0.5              # explodes although saturated
    assert fall["Xavier, biases N(0, 2^2)"] < 1e-3 and 0.3 <= saturated["Xavier, biases N(0, 2^2)"] <= 0.5


def test_initialisation_table_follows_the_variance_derivation(ns):
    table = ns["init_table"]
    within_ten = lambda v: 0.1 <= v <= 10
    assert all(within_ten(v) for v in table["tanh", "xavier"])
    assert all(within_ten(v) for v in table["ReLU", "he"])
    assert table["ReLU", "xavier"][0] < 1e-2                     # half He's variance: forward lost
    assert min(table["ReLU", "standard"]) > 1e6                  # both explode
    assert table["tanh", "standard"][1] > 1e3                    # tanh N(0, 1) explodes backward
    for init in ("xavier", "he"):                                # the sigmoid loses both, 1e-7..1e-9
        assert all(1e-10 < v < 1e-6 for v in table["sigmoid", init])
    assert table["sigmoid", "standard"][0] < 0.05                # the spread still falls 50-fold


def test_adam_moves_the_layers_sgd_does_not_and_the_loss_stays_at_ln10(ns):
    m, runs = ns["movement"], ns["runs"]
    assert m["SGD, lr = 0.1"][0] < 1e-7                          # "about 10^-8"
    per_layer = np.exp(np.diff(np.log(m["SGD, lr = 0.1"][2:])))  # "from layer 3 up, about four times more"
    assert np.all((3 < per_layer) & (per_layer < 5))
    assert 0.09 <= m["Adam"][4:].min() and m["Adam"][4:].max() <= 0.17    # "10-16 %"
    assert m["Adam"][:4].max() < m["Adam"][4:].min()             # the first four move less (eps)
    assert m["Adam, eps = 10**-16"].min() >= 0.1 and m["Adam, eps = 10**-16"][0] > 1    # "more than its size"
    for name, (_, _, history) in runs.items():
        assert abs(history["loss"][-1] - np.log(10)) < 0.02, name


def test_the_forward_signal_collapses_like_the_backward_one(ns):
    at_init, after = ns["spread_at_init"], ns["spread_after"]
    assert 0.05 < at_init[0] < 0.1 and at_init[-1] < 1e-9       # "7e-2 ... 4e-10"
    ratios = np.array(at_init[1:]) / np.array(at_init[:-1])
    assert np.all(np.abs(ratios - 0.24) < 0.08)                  # about 0.24 per layer, like delta
    assert all(s[-1] < 1e-3 for s in after.values())             # still collapsed after training
