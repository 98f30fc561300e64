"""Chapter 03 · Layers and feedforward: every claim the text makes, asserted on the chapter's own variables."""

import numpy as np
import pytest

from chapter_code import run_chapter

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def ns():
    return run_chapter("03")


def test_layer_per_neuron_equals_matrix_form(ns):
    assert ns["W"].shape == (4, 3) and ns["b"].shape == (4,)
    assert np.max(np.abs(ns["z_per_neuron"] - ns["z_matrix"])) < 1e-15


def test_fully_connected_every_neuron_sees_every_input(ns):
    assert ns["connections"] == 12
    np.testing.assert_allclose(ns["response"], ns["W"], rtol=0, atol=1e-8)


def test_batch_form_equals_the_loop_and_dense(ns):
    assert ns["W_d"].shape == (4, 3)                        # (n_out, n_in): W[j, k] = w_jk
    assert ns["Z_matrix"].shape == (6, 4)
    assert ns["batch_form_diff"] < 1e-12
    assert np.any(ns["b_d"] != 0)                           # the bias was really part of the test
    np.testing.assert_allclose(ns["Z_dense"], ns["Z_loop"], rtol=0, atol=1e-12)


def test_forward_pass_layer_by_layer(ns):
    net, x, a = ns["net"], ns["x"], ns["a"]
    assert a.shape == (1, 2) and np.all((a > 0) & (a < 1))
    np.testing.assert_array_equal(net.forward(x), a)
    assert ns["feedforward_diff"] < 1e-15


def test_parameter_counts(ns):
    counts = ns["param_counts"]
    for widths, (by_formula, by_nnlab) in counts.items():
        assert by_formula == by_nnlab, widths
    assert counts[(3, 4, 4, 2)][0] == 46
    assert counts[(64, 64, 10)][0] == 4810
    assert counts[(784, 30, 10)][0] == 23860                   # Nielsen's MNIST network
    assert counts[(784, 1000, 1000, 10)][0] == 1_796_010
    assert ns["big_share"] > 0.99
    assert "4,810" in ns["build"]((64, 64, 10)).summary()


def test_circle_network_learns(ns):
    assert ns["circle_accuracy"] >= 0.97


def test_first_layer_straight_second_layer_curved(ns):
    s1, s2 = ns["straightness"]["layer 1"], ns["straightness"]["layer 2"]
    assert s1.shape == s2.shape == (6,)
    assert s1.min() >= 0.99                                   # every first-layer neuron is a half-plane
    assert np.sum(s2 < 0.95) >= 3                             # at least half the second layer is curved
    assert s2.mean() < s1.mean() - 0.05


def test_straightness_measure_on_known_shapes(ns):
    f, grid = ns["best_line_agreement"], ns["grid"]
    assert f(grid, grid @ np.array([1.0, 2.0]) > 0.3) >= 0.99           # a half-plane scores ~1
    assert f(grid, (grid ** 2).sum(axis=1) < 1.0) < 0.8                 # a disc does not
    assert f(grid, grid[:, 0] < 0.2) >= 0.99                            # nor does the direction matter


def test_plot_network_and_unit_responses_smoke():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import nnlab as nl

    ax = nl.plotting.plot_network([3, 4, 2])
    assert ax is not None and len(ax.lines) == 3 * 4 + 4 * 2
    ax = nl.plotting.plot_network([784, 30, 10], names=["x", "h", "y"])      # wide layers are elided
    assert any(t.get_text() == "⋮" for t in ax.texts)
    with pytest.raises(ValueError, match="at least two"):
        nl.plotting.plot_network([3])
    with pytest.raises(ValueError, match="one label per layer"):
        nl.plotting.plot_network([3, 2], names=["only one"])

    rng = np.random.default_rng(0)
    model = nl.Sequential(nl.Dense(2, 3, rng=rng), nl.Tanh(), nl.Dropout(0.5, rng=rng), nl.Dense(3, 2, rng=rng))
    X = rng.normal(size=(20, 2))
    y = (X[:, 0] > 0).astype(int)
    h = nl.plotting.layer_output(model, X, 1)
    np.testing.assert_allclose(h, np.tanh(X @ model[0].W.data.T + model[0].b.data))
    out = nl.plotting.layer_output(model, X, -1)                         # dropout off: deterministic
    np.testing.assert_array_equal(out, nl.plotting.layer_output(model, X, 3))
    assert model.training and all(layer.training for layer in model)    # modes restored
    axes = nl.plotting.plot_unit_responses(model, X, 1, y=y, resolution=20)
    assert len(axes) == 3
    fig, axes = plt.subplots(1, 2)
    assert len(nl.plotting.plot_unit_responses(model, X, 3, axes=axes, resolution=20)) == 2
    with pytest.raises(ValueError, match="one Axes per neuron"):
        nl.plotting.plot_unit_responses(model, X, 1, axes=axes)
    with pytest.raises(ValueError, match="index"):
        nl.plotting.layer_output(model, X, 4)
    with pytest.raises(TypeError, match="Sequential"):
        nl.plotting.layer_output(model[0], X, 0)
    plt.close("all")
