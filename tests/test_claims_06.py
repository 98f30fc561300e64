"""Chapter 06 · Mini-batches and optimizers: every claim the text makes, asserted on the chapter's variables."""

import numpy as np
import pytest

from chapter_code import run_chapter

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def ns():
    return run_chapter("06")


def test_batch_gradient_is_the_average_of_example_gradients(ns):
    assert ns["grad_batch"].size == 64 * 32 + 32 + 32 * 10 + 10
    assert ns["average_vs_batch_error"] < 1e-14
    assert np.abs(ns["grad_batch"]).max() > 1e-3               # a real gradient, not zeros


def test_every_example_once_per_epoch(ns):
    assert np.all(ns["visits_per_example"] == 1)
    batches = ns["batches"]                                   # epoch 2 of the 10 ids in batches of 4
    assert [len(b) for b in batches] == [4, 4, 2]
    assert sorted(np.concatenate(batches).tolist()) == list(range(10))


def test_shuffling_beats_class_sorted_order(ns):
    assert ns["acc_shuffled"] > 0.9
    assert ns["acc_shuffled"] - ns["acc_sorted"] > 0.2


def test_gradient_agreement_grows_with_batch_size(ns):
    assert ns["batch_sizes_noise"] == [1, 4, 16, 64, 256]
    cos = np.array(ns["mean_cosine"])
    assert np.all(np.diff(cos) > 0.05)                        # strictly better at every size
    assert cos[0] < 0.4 and cos[-1] > 0.85
    noise = np.array(ns["relative_noise"])
    assert np.all(np.diff(noise) < 0)
    assert 8 < noise[0] / noise[-1] < 32                       # ≈ √256 = 16: noise ∝ 1/√m


def test_same_arithmetic_fewer_passes(ns):
    sizes = ns["batch_sizes_speed"]
    assert len(set(ns["multiply_adds_per_epoch"].values())) == 1
    assert ns["multiply_adds_per_example"] == 3 * (64 * 32 + 32 * 10)
    assert ns["passes_per_epoch"][sizes[0]] == 256 * ns["passes_per_epoch"][sizes[-1]]


def test_plain_gradient_descent_limit_on_the_ravine(ns):
    assert ns["valley"].lr_limit == pytest.approx(0.01)
    assert ns["lr_sgd"] < ns["valley"].lr_limit
    assert ns["sgd_steps"][max(ns["sgd_lrs"])] is None         # just above the limit: diverges
    assert ns["steps_sgd"] == min(n for n in ns["sgd_steps"].values() if n is not None)
    assert ns["steps_sgd"] > 400


def test_hand_written_optimizers_match_nnlab(ns):
    assert ns["momentum_difference"] < 1e-12
    assert ns["adam_difference"] < 1e-10


def test_momentum_tolerates_a_larger_learning_rate(ns):
    assert ns["momentum_steps_above_limit"][0.018] is not None
    assert ns["momentum_steps_above_limit"][0.02] is None


def test_momentum_and_adam_are_much_faster_in_the_ravine(ns):
    steps = ns["steps_to_tolerance"]
    sgd = steps["plain gradient descent"]
    assert steps["momentum (μ = 0.9)"] < sgd / 4
    assert steps["Adam"] < sgd / 4
    assert steps["RMSProp"] > 2 * steps["Adam"]               # without momentum it hops around the minimum


def test_per_weight_scaling_depends_on_the_valley_orientation(ns):
    assert ns["steps_tilted"]["momentum (μ = 0.9)"] == ns["steps_to_tolerance"]["momentum (μ = 0.9)"]
    assert ns["steps_tilted"]["Adam"] > 2 * ns["steps_to_tolerance"]["Adam"]
    assert ns["steps_tilted"]["Adam"] < ns["steps_sgd"]


def test_larger_batches_are_faster_per_example(ns):
    # the chapter states this as a verdict with a wide margin (measured: about 13); batch size 256 is
    # not stated: with two BLAS threads on a busy machine it was measured slower than batch size 1
    assert ns["faster_16"] > 4
