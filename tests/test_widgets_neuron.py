"""NeuronExplorer driven without a browser: set a control, assert on the numbers and the plot."""

import numpy as np
import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

import nnlab as nl  # noqa: E402
from nnlab.widgets.neuron import NeuronExplorer  # noqa: E402

# σ written out independently of nnlab
REFERENCE = {
    "step": lambda z: float(z > 0),
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: max(z, 0.0),
}


def decision_line(explorer):
    ax = explorer.view.figure.axes[0]
    lines = [line for line in ax.lines if line.get_label() == "w · a + b = 0"]
    return lines[0] if lines else None


def test_initial_numbers_are_the_neuron_formula():
    e = NeuronExplorer(w=(0.5, -1.0), b=0.3, inputs=(1.5, 0.25), activation="tanh")
    z = 0.5 * 1.5 + (-1.0) * 0.25 + 0.3          # 0.8
    assert e.z == pytest.approx(z, abs=1e-12)
    assert e.a == pytest.approx(np.tanh(z), abs=1e-12)
    assert "z = w·a + b = 0.800" in e.status.value
    assert f"σ(z) = {np.tanh(z):.3f}" in e.status.value
    assert e.view.draws == 1 and bytes(e.view.image.value).startswith(b"\x89PNG")


@pytest.mark.parametrize("slider, index", [("w1_slider", 0), ("w2_slider", 1)])
def test_moving_a_weight_recomputes_z_and_redraws(slider, index):
    e = NeuronExplorer(w=(1.0, -0.5), b=0.2, inputs=(1.0, 0.5))
    png = bytes(e.view.image.value)
    getattr(e, slider).value = -2.0
    w = [1.0, -0.5]
    w[index] = -2.0
    z = w[0] * 1.0 + w[1] * 0.5 + 0.2
    assert e.w[index] == -2.0
    assert e.z == pytest.approx(z, abs=1e-12)
    assert e.a == pytest.approx(REFERENCE["sigmoid"](z), abs=1e-12)
    assert bytes(e.view.image.value) != png
    assert f"z = w·a + b = {z:.3f}" in e.status.value


def test_bias_and_inputs_sliders():
    e = NeuronExplorer(w=(2.0, 1.0), b=0.0, inputs=(0.0, 0.0))
    e.b_slider.value = -1.5
    assert e.z == pytest.approx(-1.5, abs=1e-12)
    e.a1_slider.value = 0.5
    e.a2_slider.value = -1.0
    np.testing.assert_array_equal(e.inputs, [0.5, -1.0])
    assert e.z == pytest.approx(2.0 * 0.5 + 1.0 * -1.0 - 1.5, abs=1e-12)
    marker = [line for line in e.view.figure.axes[0].lines if line.get_label().startswith("a = (")][0]
    np.testing.assert_allclose(np.ravel(marker.get_xydata()), [0.5, -1.0])


@pytest.mark.parametrize("activation", ["step", "sigmoid", "tanh", "relu"])
def test_each_activation_gives_its_output(activation):
    e = NeuronExplorer(w=(1.0, -0.5), b=0.2, inputs=(-1.0, 0.5), activation="sigmoid")
    e.activation_menu.value = activation
    z = 1.0 * -1.0 - 0.5 * 0.5 + 0.2                 # -1.05
    assert e.activation == activation
    assert e.a == pytest.approx(REFERENCE[activation](z), abs=1e-12)
    ax, colorbar_ax = e.view.figure.axes
    assert colorbar_ax.get_ylabel() == f"output {activation}(z)"


def test_the_drawn_line_is_where_z_is_zero():
    w, b = np.array([1.5, -0.7]), 0.4
    e = NeuronExplorer(w=w, b=b)
    line = decision_line(e)
    ends = line.get_xydata()
    np.testing.assert_allclose(ends @ w + b, 0.0, atol=1e-9)
    e.b_slider.value = -1.0
    np.testing.assert_allclose(decision_line(e).get_xydata() @ w - 1.0, 0.0, atol=1e-9)


def test_zero_weights_draw_no_line_and_still_compute():
    e = NeuronExplorer(w=(1.0, 1.0), b=0.5)
    e.w1_slider.value = 0.0
    e.w2_slider.value = 0.0
    assert decision_line(e) is None
    assert e.z == pytest.approx(0.5)
    assert "no line" in e.view.figure.axes[0].get_title()


def test_background_shows_the_output_on_the_plane():
    e = NeuronExplorer(w=(1.0, 0.0), b=0.0, activation="step")
    image = e.view.figure.axes[0].images[0]
    out = np.asarray(image.get_array())
    assert out.shape == (121, 121)
    np.testing.assert_array_equal(out[:, 0], 0.0)      # a₁ = -2: z < 0
    np.testing.assert_array_equal(out[:, -1], 1.0)     # a₁ = +2: z > 0


def test_controls_have_descriptions_and_css_classes():
    e = NeuronExplorer()
    for name, css, description in [("a1_slider", "nnlab-a1", "a₁"), ("a2_slider", "nnlab-a2", "a₂"),
                                   ("w1_slider", "nnlab-w1", "w₁"), ("w2_slider", "nnlab-w2", "w₂"),
                                   ("b_slider", "nnlab-b", "b"), ("activation_menu", "nnlab-activation", "σ")]:
        control = getattr(e, name)
        assert css in control._dom_classes
        assert control.description == description
    assert "nnlab-status" in e.status._dom_classes
    assert "nnlab-plot" in e.view.image._dom_classes
    assert {"nnlab-explorer", "nnlab-neuron"} <= set(e.widget._dom_classes)
    assert "application/vnd.jupyter.widget-view+json" in e._repr_mimebundle_()


def test_is_reachable_from_nl_widgets():
    assert nl.widgets.NeuronExplorer is NeuronExplorer


def test_caller_arrays_are_not_modified():
    w = np.array([1.0, -0.5])
    inputs = np.array([0.3, 0.4])
    e = NeuronExplorer(w=w, inputs=inputs)
    e.w1_slider.value = 2.0
    e.a1_slider.value = -1.0
    np.testing.assert_array_equal(w, [1.0, -0.5])
    np.testing.assert_array_equal(inputs, [0.3, 0.4])


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(w=(1.0, 2.0, 3.0)), ValueError, r"NeuronExplorer: w must hold two numbers \(w₁, w₂\)"),
    (dict(w=(5.0, 0.0)), ValueError, r"w \(w₁\) must lie in \[-3.0, 3.0\], got 5.0"),
    (dict(w="ab"), TypeError, "w must be a numeric array"),
    (dict(b="big"), TypeError, "b must be a number"),
    (dict(b=4.0), ValueError, r"b must lie in \[-3.0, 3.0\]"),
    (dict(inputs=(0.0, np.nan)), ValueError, "inputs must contain only finite numbers"),
    (dict(inputs=(0.0, -2.5)), ValueError, r"inputs \(a₂\) must lie in \[-2.0, 2.0\]"),
    (dict(activation="softmax"), ValueError, "activation must be one of 'step', 'sigmoid', 'tanh', 'relu'"),
])
def test_bad_constructor_input_is_explained(kwargs, error, match):
    with pytest.raises(error, match=match):
        NeuronExplorer(**kwargs)
