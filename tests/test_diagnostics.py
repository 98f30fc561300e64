"""Diagnostics: per-layer gradient norms (vanishing in a deep sigmoid net, kept alive by residual
connections: chapter 10's claim, measured), per-layer activation statistics (the forward signal
collapsing in a deep sigmoid net), dead ReLUs, saturated sigmoid units."""

import math

import numpy as np
import pytest

import nnlab as nl
from nnlab import diagnostics

DEPTH, WIDTH, BATCH = 10, 32, 64


def deep_sigmoid(rng, residual):
    """10 hidden layers of width 32 (Dense → Sigmoid, or Residual(Dense, Sigmoid)), then a linear readout."""
    if residual:
        hidden = [nl.Residual(nl.Dense(WIDTH, WIDTH, rng=rng, init="xavier"), nl.Sigmoid())
                  for _ in range(DEPTH)]
    else:
        hidden = []
        for _ in range(DEPTH):
            hidden += [nl.Dense(WIDTH, WIDTH, rng=rng, init="xavier"), nl.Sigmoid()]
    return nl.Sequential(*hidden, nl.Dense(WIDTH, WIDTH, rng=rng, init="xavier"))


def hidden_norms(residual, seed=0):
    rng = np.random.default_rng(seed)
    model = deep_sigmoid(rng, residual)
    x = rng.standard_normal((BATCH, WIDTH))
    y = rng.integers(0, WIDTH, BATCH)
    norms = diagnostics.gradient_norms(model, nl.SoftmaxCrossEntropy(), x, y)
    assert len(norms) == DEPTH + 1
    return np.array(list(norms.values())[:DEPTH])   # the 10 hidden Dense layers, input side first


def test_gradients_vanish_in_a_deep_sigmoid_net():
    # σ′ ≤ 1/4 multiplies in at every layer: from the last hidden layer back to the first the
    # gradient norm falls by orders of magnitude (about 2·10⁵ to 10⁶ across seeds; we ask for 10⁴).
    g = hidden_norms(residual=False)
    assert g[-1] / g[0] > 1e4
    # and it falls layer by layer, not in one jump
    assert np.all(np.diff(np.log10(g)) > 0)


def test_residual_connections_keep_gradients_within_about_one_order_of_magnitude():
    # Same depth, width, init and data; the identity path carries ∂C/∂a back unchanged.
    # Across seeds 0–29 the largest/smallest ratio stays in 6.7–16; we ask for < 20.
    g = hidden_norms(residual=True)
    assert g.max() / g.min() < 20
    # the contrast the chapter draws: the first layer learns ≥ 1000× faster with the shortcut
    g_plain = hidden_norms(residual=False)
    assert (g[0] / g[-1]) / (g_plain[0] / g_plain[-1]) > 1e3


def test_gradient_norms_are_frobenius_norms_of_w_grad_in_layer_order():
    rng = np.random.default_rng(1)
    model = nl.Sequential(nl.Dense(3, 4, rng=rng), nl.Tanh(), nl.Dense(4, 2, rng=rng))
    x, y = rng.standard_normal((5, 3)), np.array([0, 1, 1, 0, 1])
    norms = diagnostics.gradient_norms(model, nl.SoftmaxCrossEntropy(), x, y)
    assert list(norms) == ["[0] Dense(n_in=3, n_out=4)", "[2] Dense(n_in=4, n_out=2)"]
    # independently: the gradients left in the layers by that call
    assert norms["[0] Dense(n_in=3, n_out=4)"] == pytest.approx(np.sqrt((model[0].W.grad ** 2).sum()), rel=1e-14)
    assert norms["[2] Dense(n_in=4, n_out=2)"] == pytest.approx(np.sqrt((model[2].W.grad ** 2).sum()), rel=1e-14)
    # without loss/data it reads the gradients already accumulated
    assert diagnostics.gradient_norms(model) == norms
    # with loss it zeroes the old gradient first: calling twice does not double
    assert diagnostics.gradient_norms(model, nl.SoftmaxCrossEntropy(), x, y) == pytest.approx(norms, rel=1e-14)


def test_gradient_norms_errors():
    rng = np.random.default_rng(0)
    model = nl.Sequential(nl.Dense(3, 2, rng=rng))
    with pytest.raises(ValueError, match=r"x and y together with loss.*Hint: gradient_norms\(model, loss, x, y\)"):
        diagnostics.gradient_norms(model, nl.SoftmaxCrossEntropy())
    with pytest.raises(TypeError, match="model must be an nnlab layer or Sequential"):
        diagnostics.gradient_norms([model])


def relu_net(rng):
    return nl.Sequential(nl.Dense(4, 8, rng=rng), nl.ReLU(), nl.Dense(8, 8, rng=rng), nl.ReLU(),
                         nl.Dense(8, 2, rng=rng))


def test_dead_relu_fraction_all_dead_and_none_dead():
    rng = np.random.default_rng(0)
    model = relu_net(rng)
    x = rng.standard_normal((100, 4))
    model[0].b.data[:] = -100.0     # z ≪ 0 for every example: every unit of the first ReLU is dead
    model[2].b.data[:] = 100.0      # z ≫ 0 for every example: no unit of the second ReLU is dead
    fractions = diagnostics.dead_relu_fraction(model, x)
    assert list(fractions) == ["[1] ReLU()", "[3] ReLU()"]
    assert fractions["[1] ReLU()"] == 1.0
    assert fractions["[3] ReLU()"] == 0.0


def test_dead_relu_fraction_counts_units_dead_for_every_example():
    rng = np.random.default_rng(0)
    model = nl.Sequential(nl.Dense(2, 4, rng=rng), nl.ReLU())
    model[0].W.data[:] = 0.0
    model[0].b.data[:] = [-1.0, -1.0, -1.0, 1.0]    # 3 of 4 units output 0 whatever the input
    assert diagnostics.dead_relu_fraction(model, rng.standard_normal((10, 2))) == {"[1] ReLU()": 0.75}
    # a unit alive for a single example is not dead
    model[0].W.data[0] = [1.0, 0.0]                   # unit 0: z = x₀ − 1 > 0 only when x₀ > 1
    x = np.array([[0.0, 0.0], [3.0, 0.0]])
    assert diagnostics.dead_relu_fraction(model, x) == {"[1] ReLU()": 0.5}


def sigmoid_layer(scale, seed=0):
    rng = np.random.default_rng(seed)
    model = nl.Sequential(nl.Dense(8, 16, rng=rng), nl.Sigmoid(), nl.Dense(16, 2, rng=rng))
    model[0].W.data *= scale
    return model, rng.standard_normal((200, 8))


def test_saturation_fraction_near_one_with_huge_weights():
    model, x = sigmoid_layer(1000.0)
    frac = diagnostics.saturation_fraction(model, x)
    assert list(frac) == ["[1] Sigmoid()"]
    assert frac["[1] Sigmoid()"] > 0.99


def test_saturation_fraction_zero_with_tiny_weights():
    model, x = sigmoid_layer(1e-3)
    assert diagnostics.saturation_fraction(model, x) == {"[1] Sigmoid()": 0.0}


def test_saturation_fraction_matches_the_stated_threshold_for_sigmoid():
    # saturated: σ′(z) = a(1 − a) < 0.1 · ¼ = 0.025, i.e. a > (1 + √0.9)/2 = 0.97434…,
    # i.e. |z| > ln(0.97434/0.02566) ≈ 3.637
    rng = np.random.default_rng(0)
    model = nl.Sequential(nl.Dense(1, 1, rng=rng), nl.Sigmoid())
    model[0].W.data[:] = 1.0
    x = np.array([[0.0], [1.0], [3.5], [3.7], [-4.0], [10.0]])     # saturated: 3.7, −4, 10
    assert diagnostics.saturation_fraction(model, x) == {"[1] Sigmoid()": 0.5}
    # a looser threshold (σ′ below 40 % of its maximum, |z| > 2.06…) also counts z = 3.5
    assert diagnostics.saturation_fraction(model, x, threshold=0.4) == {"[1] Sigmoid()": 4 / 6}


def test_saturation_fraction_matches_the_stated_threshold_for_tanh():
    # saturated: 1 − a² < 0.1, i.e. |z| > artanh(√0.9) ≈ 1.818
    rng = np.random.default_rng(0)
    model = nl.Sequential(nl.Dense(1, 1, rng=rng), nl.Tanh())
    model[0].W.data[:] = 1.0
    x = np.array([[0.0], [1.0], [1.8], [1.85], [-2.0], [5.0]])     # saturated: 1.85, −2, 5
    assert diagnostics.saturation_fraction(model, x) == {"[1] Tanh()": 0.5}


def test_diagnostics_run_in_eval_mode_and_restore_the_mode():
    rng = np.random.default_rng(0)
    # Dropout before the ReLU, dropping 99.9 % of the units: in train mode almost every unit would
    # look dead; in eval mode dropout is the identity and, with a large positive bias, none is.
    model = nl.Sequential(nl.Dense(4, 8, rng=rng), nl.Dropout(0.999, rng=rng), nl.ReLU())
    x = rng.standard_normal((5, 4))
    model[0].b.data[:] = 100.0
    assert diagnostics.dead_relu_fraction(model, x) == {"[2] ReLU()": 0.0}
    assert model.training and model[1].training            # the mode is restored
    model.eval()
    diagnostics.dead_relu_fraction(model, x)
    assert not model.training and not model[1].training


def test_saturation_threshold_must_lie_in_0_1():
    model, x = sigmoid_layer(1.0)
    with pytest.raises(ValueError, match=r"threshold must lie in \(0.0, 1.0\], got 1.5"):
        diagnostics.saturation_fraction(model, x, threshold=1.5)


def test_activations_input_is_checked():
    model, _ = sigmoid_layer(1.0)
    with pytest.raises(ValueError, match=r"x must be 2-D with shape \(N, 8\), got shape \(8,\)"):
        diagnostics.saturation_fraction(model, np.zeros(8))


# --- activation statistics: the forward signal ---


def deep_plain(activation, init, seed, depth=14, width=32):
    """14 hidden layers Dense → activation of width 32, a linear readout, and 200 inputs ~ N(0, 1)."""
    rng = np.random.default_rng(seed)
    layers = []
    for _ in range(depth):
        layers += [nl.Dense(width, width, rng=rng, init=init), activation()]
    return nl.Sequential(*layers, nl.Dense(width, 10, rng=rng, init=init)), rng.standard_normal((200, width))


def hidden_stats(activation, init, seed=0):
    model, x = deep_plain(activation, init, seed)
    stats = diagnostics.activation_stats(model, x, kind=activation)
    assert len(stats) == 14
    return (np.array([s.spread for s in stats.values()]), np.array([s.std for s in stats.values()]))


def test_forward_signal_collapses_in_a_deep_sigmoid_net():
    # Xavier weights (the chapter's sigmoid net): the spread across examples falls at every layer,
    # by 10⁸ over 14 layers (4·10⁻⁹ to 10⁻⁸ of the first layer's over seeds 0–29; we ask < 10⁻⁶),
    # while the std over all numbers stays ~0.1: the units still differ, the examples no longer do.
    spread, std = hidden_stats(nl.Sigmoid, "xavier")
    assert np.all(np.diff(spread) < 0)
    assert spread[-1] / spread[0] < 1e-6
    assert std[-1] > 0.05
    # N(0, 1) weights: the same collapse, slower (last/first 0.002–0.016 over seeds 0–19; we ask < 0.05)
    spread, std = hidden_stats(nl.Sigmoid, "standard")
    assert spread[-1] / spread[0] < 0.05
    assert std[-1] > 0.2


def test_forward_signal_survives_with_tanh_and_relu_at_their_inits():
    # the contrast of chapter 10: tanh with N(0, 1) weights saturates but keeps examples apart
    # (last/first 0.98–1.01 over seeds 0–19), ReLU with He init keeps the spread within about
    # an order of magnitude (0.099–1.33); we ask > 0.5 and > 0.05.
    spread, _ = hidden_stats(nl.Tanh, "standard")
    assert spread[-1] / spread[0] > 0.5
    spread, _ = hidden_stats(nl.ReLU, "he")
    assert spread[-1] / spread[0] > 0.05


def test_activation_stats_of_a_hand_built_two_layer_net():
    # z¹ = x W¹ᵀ + b¹, a¹ = tanh(z¹), z² = a¹ W²ᵀ + b², computed here one number at a time
    rng = np.random.default_rng(0)
    model = nl.Sequential(nl.Dense(2, 2, rng=rng), nl.Tanh(), nl.Dense(2, 1, rng=rng))
    W1, b1, W2, b2 = [[0.5, -1.0], [2.0, 0.25]], [0.1, -0.3], [[1.5, -0.5]], [0.2]
    model[0].W.data[:], model[0].b.data[:] = W1, b1
    model[2].W.data[:], model[2].b.data[:] = W2, b2
    x = [[1.0, 0.0], [0.0, 1.0], [-1.0, 2.0]]
    z1 = [[sum(W1[j][k] * xi[k] for k in range(2)) + b1[j] for j in range(2)] for xi in x]
    a1 = [[math.tanh(v) for v in row] for row in z1]
    z2 = [[sum(W2[0][k] * row[k] for k in range(2)) + b2[0]] for row in a1]

    def by_hand(rows):
        N, n = len(rows), len(rows[0])
        values = [v for row in rows for v in row]
        mean = sum(values) / (N * n)
        std = math.sqrt(sum((v - mean) ** 2 for v in values) / (N * n))
        unit_std = []
        for j in range(n):
            column = [row[j] for row in rows]
            m = sum(column) / N
            unit_std.append(math.sqrt(sum((v - m) ** 2 for v in column) / N))
        return mean, std, sum(unit_std) / n

    stats = diagnostics.activation_stats(model, np.array(x))
    assert list(stats) == ["[0] Dense(n_in=2, n_out=2)", "[1] Tanh()", "[2] Dense(n_in=2, n_out=1)"]
    for (label, got), rows in zip(stats.items(), (z1, a1, z2)):
        assert tuple(got) == pytest.approx(by_hand(rows), rel=1e-13), label
        assert isinstance(got, diagnostics.LayerStats) and all(type(v) is float for v in got)
    # one output unit: the spread across examples is its std
    assert stats["[2] Dense(n_in=2, n_out=1)"].spread == pytest.approx(stats["[2] Dense(n_in=2, n_out=1)"].std)
    # a constant layer has no spread; a layer that is the same for every example neither,
    # even when its units differ (std > 0)
    model[0].W.data[:] = 0.0
    stats = diagnostics.activation_stats(model, np.array(x))
    assert stats["[1] Tanh()"].spread < 1e-15 and stats["[1] Tanh()"].std > 0.1   # 0 up to rounding


def test_activation_stats_kind_labels_and_residual_rows():
    rng = np.random.default_rng(2)
    model = nl.Sequential(nl.Dense(3, 4, rng=rng), nl.ReLU(),
                          nl.Residual(nl.Dense(4, 4, rng=rng), nl.ReLU()), nl.Dense(4, 2, rng=rng))
    x = rng.standard_normal((6, 3))
    stats = diagnostics.activation_stats(model, x)
    assert list(stats) == ["[0] Dense(n_in=3, n_out=4)", "[1] ReLU()", "[2] Dense(n_in=4, n_out=4)",
                           "[3] ReLU()", "[2–3] Residual: a_prev + F(a_prev)", "[4] Dense(n_in=4, n_out=2)"]
    # the Dense labels are gradient_norms' labels, so the two tables line up
    norms = diagnostics.gradient_norms(model, nl.SoftmaxCrossEntropy(), x, np.array([0, 1, 0, 1, 1, 0]))
    assert set(norms) <= set(stats)
    # independently: the residual block's output is a_prev + F(a_prev)
    a1 = np.maximum(x @ model[0].W.data.T + model[0].b.data, 0)
    inner = model[2].block
    out = a1 + np.maximum(a1 @ inner[0].W.data.T + inner[0].b.data, 0)
    row = stats["[2–3] Residual: a_prev + F(a_prev)"]
    assert row.mean == pytest.approx(out.mean(), rel=1e-14)
    assert row.spread == pytest.approx(out.std(axis=0).mean(), rel=1e-14)
    assert list(diagnostics.activation_stats(model, x, kind=nl.ReLU)) == ["[1] ReLU()", "[3] ReLU()"]
    assert list(diagnostics.activation_stats(model, x, kind=(nl.ReLU, nl.Residual))) == [
        "[1] ReLU()", "[3] ReLU()", "[2–3] Residual: a_prev + F(a_prev)"]
    # the model's output is unchanged by the trace, and so is x
    x_before = x.copy()
    np.testing.assert_array_equal(model.forward(x), model.forward(x))
    diagnostics.activation_stats(model, x)
    np.testing.assert_array_equal(x, x_before)


def test_activation_stats_run_in_eval_mode_and_restore_the_mode():
    rng = np.random.default_rng(0)
    model = nl.Sequential(nl.Dense(4, 8, rng=rng), nl.Dropout(0.5, rng=rng), nl.Tanh())
    x = rng.standard_normal((50, 4))
    stats = diagnostics.activation_stats(model, x)
    z = x @ model[0].W.data.T + model[0].b.data
    assert stats["[1] Dropout(p_drop=0.5)"] == stats["[0] Dense(n_in=4, n_out=8)"]   # identity in eval
    assert stats["[2] Tanh()"].mean == pytest.approx(np.tanh(z).mean(), rel=1e-14)
    assert model.training and model[1].training


def test_activation_stats_of_a_sequence_model():
    rng = np.random.default_rng(0)
    model = nl.Sequential(nl.RNN(3, 5, rng=rng), nl.LastStep(), nl.Dense(5, 2, rng=rng))
    x = rng.standard_normal((4, 6, 3))
    stats = diagnostics.activation_stats(model, x)
    assert list(stats) == ["[0] RNN(n_in=3, n_hidden=5)", "[1] LastStep()", "[2] Dense(n_in=5, n_out=2)"]
    h = model[0].forward(x)                                     # (N, T, n_hidden)
    assert stats["[0] RNN(n_in=3, n_hidden=5)"].spread == pytest.approx(h.std(axis=0).mean(), rel=1e-14)
    assert stats["[1] LastStep()"].spread == pytest.approx(h[:, -1].std(axis=0).mean(), rel=1e-14)


def test_activation_stats_errors():
    model, _ = sigmoid_layer(1.0)
    with pytest.raises(ValueError, match=r"activation_stats: x must be 2-D with shape \(N, 8\), got shape \(8,\)"):
        diagnostics.activation_stats(model, np.zeros(8))
    with pytest.raises(TypeError, match=r"kind must be a layer class or a tuple of layer classes, got str 'ReLU'"):
        diagnostics.activation_stats(model, np.zeros((2, 8)), kind="ReLU")
    with pytest.raises(TypeError, match="kind must be a layer class"):
        diagnostics.activation_stats(model, np.zeros((2, 8)), kind=(nl.ReLU, np.ndarray))
    with pytest.raises(TypeError, match="model must be an nnlab layer or Sequential"):
        diagnostics.activation_stats([model], np.zeros((2, 8)))
