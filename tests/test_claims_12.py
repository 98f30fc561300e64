"""Chapter 12's claims, asserted on the chapter's own variables (run_chapter executes its code cells)."""

import inspect
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest

import nnlab as nl
from chapter_code import chapter_path, run_chapter

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def ns():
    return run_chapter("12")


@pytest.fixture(scope="module")
def cells():
    nb = nbformat.read(chapter_path("12"), as_version=4)
    return nb.cells


def test_the_neuron_graph(ns):
    nodes = ns["graph_nodes"]
    assert len(nodes) == 17
    assert sum(not v.parents for v in nodes) == 8 and sum(bool(v.parents) for v in nodes) == 9
    assert nodes[-1] is ns["C"]
    for k, node in enumerate(nodes):                       # a topological order: parents first
        assert all(any(p is m for m in nodes[:k]) for p in node.parents)
    assert ns["z"].data == -2.0
    assert f"{ns['a'].data:.4f}" == "0.1192" and f"{ns['C'].data:.4f}" == "0.3879"


def test_walk_by_hand_equals_value_backward(ns):
    a_ = 1 / (1 + np.exp(2.0))
    delta = (a_ - 1.0) * a_ * (1 - a_)                     # chapter 07's delta of the output neuron
    hand = ns["by_hand"]
    assert hand["w1"] == pytest.approx(delta * 1.0, rel=1e-14)
    assert hand["w2"] == pytest.approx(delta * 2.0, rel=1e-14)
    assert hand["b"] == pytest.approx(delta, rel=1e-14)
    assert hand["y"] == pytest.approx(-(a_ - 1.0), rel=1e-14)
    assert ns["hand_vs_value"] < 1e-12
    for name, v in ns["leaves"].items():
        assert v.grad == pytest.approx(hand[name], rel=1e-12, abs=1e-15)
    assert f"{hand['w1']:+.5f}" == "-0.09248" and f"{hand['y']:+.5f}" == "+0.88080"


def test_shared_node_gets_every_contribution(ns):
    assert ns["x"].grad == 7.0
    assert ns["order"] == ["+", "*", "x"]


def test_value_against_central_differences(ns):
    assert ns["neuron_error"] < 1e-7
    assert len(ns["random_errors"]) == 20 and max(ns["random_errors"]) < 1e-7
    assert np.all(ns["points"][:, 1] > 0.5)                 # away from relu's kink at v = 0.5


def test_the_check_catches_a_wrong_rule(ns):
    check = ns["check_against_central_differences"]

    def wrong_square(u):                  # u * u whose rule forgets the second factor's share
        out = u * u
        out._backward = lambda g: (g * u.data, 0.0)
        return out

    assert check(lambda u, v, w: u * u + v * w, [0.7, 0.1, 0.2]) < 1e-7
    assert check(lambda u, v, w: wrong_square(u) + v * w, [0.7, 0.1, 0.2]) > 0.1


def test_dense_rules_are_chapter_07s(ns):
    assert ns["dense_rule_error"] < 1e-12
    assert ns["dense_layer_error"] < 1e-12
    assert ns["W"].grad.shape == (3, 5) and ns["b_t"].grad.shape == (3,)
    assert [t.label or t.op for t in ns["z_t"].topological_order()] == ["b", "W", "T", "a", "@", "+"]


def test_the_rules_quoted_are_in_tensor_py(cells):
    source = inspect.getsource(nl.autograd.tensor)
    quoted = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    for line in ["grads.append(_unbroadcast(g @ np.swapaxes(b, -1, -2), a.shape))   # g Wᵀ",
                 "grads.append(_unbroadcast(np.swapaxes(a, -1, -2) @ g, b.shape))   # aᵀ g",
                 "lead = g.ndim - len(shape)", "g = g.sum(axis=tuple(range(lead)))"]:
        assert line in quoted, line
        assert line in source, line


def test_mlp_autograd_equals_hand_written(ns):
    assert ns["n_params_mlp"] == 19210
    assert ns["C_auto"].data == pytest.approx(ns["C_hand"], rel=1e-14)
    assert set(ns["mlp_differences"]) == {"W1", "b1", "W2", "b2"}
    assert ns["mlp_agreement"] < 1e-12
    assert [l.n_out for l in ns["mlp"] if isinstance(l, nl.Dense)] == [256, 10]


def test_lstm_autograd_equals_backpropagation_through_time(ns):
    model = ns["lstm_model"]
    assert isinstance(model[0], nl.LSTM) and isinstance(model[1], nl.LastStep) and isinstance(model[2], nl.Dense)
    assert ns["n_steps"] == 20 and ns["x_seq"].shape == (64, 20, 3)
    assert len(ns["lstm_differences"]) == 5
    assert ns["lstm_agreement"] < 1e-12
    assert ns["shortcut_agreement"] < 1e-12
    assert ns["dC_dx"].shape == (64, 20, 3)
    assert 350 <= ns["lstm_graph_nodes"] <= 450                     # "about 400 nodes"


def test_autograd_needs_few_lines(cells):
    # "nine lines of forward formulas instead of ... some 45 lines of backward code; the digit network, three"
    cell = next(c.source for c in cells if c.cell_type == "code" and "def lstm_last_state" in c.source)
    body = cell.split("def lstm_last_state")[1].split("\n\n")[0].splitlines()[1:]
    body = [l for l in body if l.strip() and not l.strip().startswith("#")]
    assert len(body) == 7                                    # + the def line and the comment: nine lines
    mlp = next(c.source for c in cells if c.cell_type == "code" and "def mlp_cost" in c.source)
    mlp_body = mlp.split("def mlp_cost")[1].split("\n\n")[0].splitlines()[1:]
    assert len(mlp_body) == 3
    hand = inspect.getsource(nl.LSTM._backward).splitlines()
    hand = [l for l in hand if l.strip() and not l.strip().startswith("#")]
    assert 35 <= len(hand) <= 60                              # "some 45 lines"


def test_reverse_mode_counts_passes(ns):
    P = ns["P_small"]
    assert P == 1210
    assert ns["numeric_passes"] == 2 * P == 2420
    assert ns["autograd_passes"] == (1, 1)
    assert ns["numeric_vs_autograd"] < 1e-7


def test_reverse_mode_is_hundreds_of_times_faster(ns):
    small, loss, xb, yb = ns["small"], ns["loss"], ns["xb"], ns["yb"]
    best = ns["best_time"]
    t_numeric = best(lambda: [nl.gradcheck.numeric_grad(ns["cost_now"], p.data) for p in small.parameters()],
                     repeat=2)
    t_reverse = best(lambda: nl.autograd.gradients(small, loss, xb, yb, input_grad=False), repeat=5)
    assert t_numeric / t_reverse > 100                       # "hundreds of times faster" (≈ 500-800 here)


def test_training_with_autograd_matches_hand_written(ns):
    assert ns["n_steps_trained"] == 680
    assert ns["weights_apart"] < 1e-9
    assert ns["acc_auto"] == ns["acc_hand"]
    assert f"{ns['acc_hand']:.3f}" == "0.981"


def test_exercise_link_and_description(cells):
    text = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    assert "(../exercises/12_automatic_differentiation.ipynb)" in text
    for words in ("`*`, `tanh`, `exp`", "topological sort", "random expressions", "central differences"):
        assert words in text, words
    assert "[13 · Beyond](13_beyond.ipynb)" in text


def test_timing_cell_is_not_checked(cells):
    timed = [c for c in cells if c.cell_type == "code" and "perf_counter" in c.source]
    assert len(timed) == 1 and "nbval-ignore-output" in timed[0].metadata.get("tags", [])
