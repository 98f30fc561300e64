"""Diagnostics: per-layer gradient norms (vanishing in a deep sigmoid net, kept alive by residual
connections: chapter 10's claim, measured), dead ReLUs, saturated sigmoid units."""

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
