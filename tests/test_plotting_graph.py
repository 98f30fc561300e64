"""nl.plotting.plot_graph: the computational graph of a Value or Tensor expression.  Chapter 12."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

import nnlab as nl
from nnlab.autograd import Tensor, Value


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def neuron():
    w, x, b = Value(0.5, "w"), Value(2.0, "x"), Value(-1.0, "b")
    z = w * x + b
    z.label = "z"
    C = z.tanh()
    C.label = "C"
    C.backward()
    return C, (w, x, b, z)


def boxes(ax):
    return [t for t in ax.texts if t.get_bbox_patch() is not None]


def test_one_box_per_node_and_one_arrow_per_edge():
    C, _ = neuron()
    ax = nl.plotting.plot_graph(C)
    nodes = C.topological_order()
    assert len(boxes(ax)) == len(nodes) == 6
    assert len([t for t in ax.texts if getattr(t, "arrow_patch", None) is not None]) == sum(len(n.parents) for n in nodes) == 5
    texts = [t.get_text() for t in boxes(ax)]
    assert any(t.startswith("w\ndata 0.5\ngrad ") for t in texts)
    assert f"C = tanh\ndata {np.tanh(0.5 * 2.0 - 1.0):.4g}\ngrad 1" in texts
    assert "z = +" in "\n".join(texts)


def test_data_and_grad_shown_are_the_nodes():
    C, (w, x, b, z) = neuron()
    ax = nl.plotting.plot_graph(C)
    text = {t.get_text().split("\n")[0]: t.get_text() for t in boxes(ax)}
    assert text["w"] == f"w\ndata {w.data:.4g}\ngrad {w.grad:.4g}"
    assert f"grad {x.grad:.4g}" in text["x"] and f"grad {b.grad:.4g}" in text["b"]


def test_columns_put_every_input_left_of_its_use_and_the_root_last():
    C, _ = neuron()
    ax = nl.plotting.plot_graph(C)
    pos = {t.get_text().split("\n")[0]: t.get_position() for t in boxes(ax)}
    assert pos["C = tanh"][0] == max(p[0] for p in pos.values())
    assert pos["w"][0] < pos["*"][0] < pos["z = +"][0] < pos["C = tanh"][0]
    assert pos["b"][0] == pos["z = +"][0] - 1                       # a leaf sits next to its use


def test_show_order_numbers_the_backward_pass():
    C, _ = neuron()
    ax = nl.plotting.plot_graph(C, show_order=True)
    heads = sorted(t.get_text().split("\n")[0] for t in boxes(ax))
    assert "[1]  C = tanh" in heads and "[2]  z = +" in heads
    numbers = sorted(int(h.split("]")[0][1:]) for h in heads)
    assert numbers == list(range(1, 7))


def test_draws_into_given_axes_and_tensors_show_shapes():
    _, ax0 = plt.subplots()
    W = Tensor(np.ones((3, 2)), "W")
    C = (Tensor(np.ones((4, 3)), "x") @ W).sum()
    C.backward()
    ax = nl.plotting.plot_graph(C, ax=ax0)
    assert ax is ax0
    texts = [t.get_text() for t in boxes(ax)]
    assert "W\ndata shape (3, 2)" in texts
    assert any(t.startswith("sum\ndata 24\ngrad 1") for t in texts)


def test_constants_are_labelled():
    a = Value(2.0, "a")
    ax = nl.plotting.plot_graph(3.0 * a)
    assert any(t.get_text().startswith("constant\ndata 3") for t in boxes(ax))


def test_errors():
    with pytest.raises(TypeError, match=r"plot_graph: root must be an nl\.autograd\.Value or nl\.autograd\.Tensor.*Hint"):
        nl.plotting.plot_graph(np.ones(3))
    v = Value(1.0)
    for _ in range(30):
        v = v * 1.0
    with pytest.raises(ValueError, match=r"at most max_nodes=40 nodes.*got 61 nodes"):
        nl.plotting.plot_graph(v)
    nl.plotting.plot_graph(v, max_nodes=61)
