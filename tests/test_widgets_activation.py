"""ActivationExplorer and its pure `saturated` helper, driven without a browser."""

import numpy as np
import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

import nnlab as nl  # noqa: E402
from nnlab.widgets.activation import ActivationExplorer, saturated  # noqa: E402


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def legend_texts(e):
    return [t.get_text() for t in e.view.figure.axes[0].get_legend().get_texts()]


def test_sigmoid_at_4_is_saturated_as_in_chapter_10():
    e = ActivationExplorer(activation="sigmoid", z=4.0)
    s = sigmoid(4.0)
    assert e.a == pytest.approx(s, abs=1e-12)
    assert e.sigma_prime == pytest.approx(s * (1 - s), abs=1e-12)      # 0.0177 < 0.1 × 1/4
    assert e.is_saturated
    assert f"σ′(z) = {s * (1 - s):.4f}" in e.status.value
    assert "saturated: yes" in e.status.value


def test_moving_z_to_zero_leaves_the_saturated_region_and_redraws():
    e = ActivationExplorer(activation="sigmoid", z=4.0)
    png = bytes(e.view.image.value)
    e.z_slider.value = 0.0
    assert e.z == 0.0
    assert e.a == pytest.approx(0.5, abs=1e-15)
    assert e.sigma_prime == pytest.approx(0.25, abs=1e-15)
    assert not e.is_saturated
    assert "saturated: no" in e.status.value
    assert bytes(e.view.image.value) != png
    marks = {line.get_marker(): line.get_xydata()[0] for line in e.view.figure.axes[0].lines
             if line.get_marker() in ("o", "s")}
    np.testing.assert_allclose(marks["o"], [0.0, 0.5])       # on σ
    np.testing.assert_allclose(marks["s"], [0.0, 0.25])      # on σ′


def test_threshold_slider_moves_the_saturation_boundary():
    e = ActivationExplorer(activation="sigmoid", z=2.0, threshold=0.1)
    d = sigmoid(2.0) * (1 - sigmoid(2.0))                    # 0.105
    assert not e.is_saturated                                # 0.105 ≥ 0.1 × 0.25
    e.threshold_slider.value = 0.45
    assert d < 0.45 * 0.25 and e.is_saturated                # 0.105 < 0.1125
    e.threshold_slider.value = 0.0
    assert not e.is_saturated
    assert not any("saturated" in text for text in legend_texts(e))


@pytest.mark.parametrize("activation, z, sigma, sigma_prime, is_saturated", [
    ("tanh", 1.0, np.tanh(1.0), 1 - np.tanh(1.0) ** 2, False),
    ("tanh", 2.5, np.tanh(2.5), 1 - np.tanh(2.5) ** 2, True),
    ("relu", 1.5, 1.5, 1.0, False),
    ("relu", -1.0, 0.0, 0.0, True),
    ("elu", -1.0, np.exp(-1.0) - 1, np.exp(-1.0), False),
    ("elu", -3.0, np.exp(-3.0) - 1, np.exp(-3.0), True),
])
def test_each_activation_shows_its_numbers(activation, z, sigma, sigma_prime, is_saturated):
    e = ActivationExplorer()
    e.activation_menu.value = activation
    e.z_slider.value = z
    assert e.a == pytest.approx(sigma, abs=1e-12)
    assert e.sigma_prime == pytest.approx(sigma_prime, abs=1e-12)
    assert e.is_saturated is is_saturated
    assert e.view.figure.axes[0].get_title() == activation
    assert any("saturated" in text for text in legend_texts(e))   # every activation has a flat region


def test_saturated_matches_the_definition_and_the_known_boundaries():
    z = np.linspace(-6, 6, 1201)
    s = sigmoid(z)
    np.testing.assert_array_equal(saturated("sigmoid", z, 0.1), s * (1 - s) < 0.025)
    np.testing.assert_array_equal(saturated("tanh", z, 0.3), 1 - np.tanh(z) ** 2 < 0.3)
    # σ(1 − σ) = t/4 at σ = (1 + √(1 − t)) / 2, i.e. |z| = log((1 + √(1 − t)) / (1 − √(1 − t)))
    edge = np.log((1 + np.sqrt(0.9)) / (1 - np.sqrt(0.9)))   # 3.637
    assert saturated("sigmoid", [edge - 1e-6, edge + 1e-6]).tolist() == [False, True]
    assert saturated("sigmoid", [-edge - 1e-6]).tolist() == [True]
    assert saturated("elu", [np.log(0.1) - 1e-6, np.log(0.1) + 1e-6]).tolist() == [True, False]
    assert saturated("relu", [-1e-9, 0.0, 1e-9]).tolist() == [True, True, False]


def test_saturated_agrees_with_nnlabs_diagnostic():
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, (200, 10))
    dense = nl.Dense(10, 20, rng=rng, init="standard")
    model = nl.Sequential(dense, nl.Sigmoid())
    expected = nl.diagnostics.saturation_fraction(model, X)["[1] Sigmoid()"]
    assert np.mean(saturated("sigmoid", dense.forward(X))) == pytest.approx(expected, abs=1e-12)


def test_saturated_rejects_bad_input():
    with pytest.raises(ValueError, match="name must be one of 'sigmoid', 'tanh', 'relu', 'elu'"):
        saturated("softmax", 1.0)
    with pytest.raises(ValueError, match=r"threshold must lie in \[0.0, 1.0\]"):
        saturated("tanh", 1.0, threshold=2.0)


def test_controls_have_descriptions_and_css_classes():
    e = ActivationExplorer()
    assert "nnlab-activation" in e.activation_menu._dom_classes
    assert "nnlab-z" in e.z_slider._dom_classes and e.z_slider.description == "z"
    assert "nnlab-threshold" in e.threshold_slider._dom_classes
    assert e.threshold_slider.description == "threshold"
    assert "nnlab-status" in e.status._dom_classes
    assert {"nnlab-explorer", "nnlab-activations"} <= set(e.widget._dom_classes)
    assert nl.widgets.ActivationExplorer is ActivationExplorer


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(activation="softplus"), ValueError, "ActivationExplorer: activation must be one of"),
    (dict(z=10.0), ValueError, r"z must lie in \[-6.0, 6.0\], got 10.0"),
    (dict(z="4"), TypeError, "z must be a number"),
    (dict(threshold=0.8), ValueError, r"threshold must lie in \[0.0, 0.5\]"),
    (dict(threshold=float("nan")), ValueError, "threshold must be finite"),
])
def test_bad_constructor_input_is_explained(kwargs, error, match):
    with pytest.raises(error, match=match):
        ActivationExplorer(**kwargs)
