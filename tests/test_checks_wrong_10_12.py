"""Wrong implementations of chapters 10 and 12 that once passed or were misnamed: each is rejected
on every seed (the grader's view, hidden cases included) with a message that says what is wrong,
and correct alternatives still pass on every seed.

- backward: a driver that sets .grad = 1 on every node still at 0 (the graphs now have nodes whose
  gradient is exactly 0: a factor 0, a relu that is off, an expression multiplied by 0).
- tanh_backward: a rule that skips tanh′ for small inputs; tanh′ taken at out instead of at a.
- layer_gradient_norms: the spectral norm, every norm 0, every layer off by one factor, nl.predict
  for the forward pass.
- gate_backward: σ(−u) in place of σ(u).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import nnlab as nl
from nnlab.checks import PARTS
from nnlab.checks.residual import _measure

from check_tools import SEEDS, assert_accepted, solution, sweep, verdict
from check_tools import assert_rejected as _assert_rejected

CH10 = "10_vanishing_gradients_and_residual_networks"
CH12 = "12_automatic_differentiation"


def assert_rejected(name, fn, words, seeds=SEEDS):
    _assert_rejected(name, fn, words, seeds, notebook=True)


# ----------------------------------------------------------------------------------------------
# 12: backward

def back_reseed(root, order):
    """Sets .grad = 1 on every node still at 0 when reached, a leaf too."""
    for node in reversed(order):
        if not node.grad:
            node.grad = 1.0
        if node.parents:
            for p, g in zip(node.parents, node._backward(node.grad)):
                p.grad += g


def back_reseed_inner(root, order):
    """Skips the leaves first, then sets .grad = 1 on every node still at 0."""
    for node in reversed(order):
        if not node.parents:
            continue
        if node.grad == 0:
            node.grad = 1.0
        for p, g in zip(node.parents, node._backward(node.grad)):
            p.grad += g


def _recursive_order(root):
    order, seen = [], set()

    def visit(node):
        if node not in seen:
            seen.add(node)
            for p in node.parents:
                visit(p)
            order.append(node)
    visit(root)
    return order


def back_recursive_order(root, order):
    """Correct, another way: its own recursive order, a table of the gradients, then .grad."""
    grads = {root: 1.0}
    for node in reversed(_recursive_order(root)):
        g = grads.get(node, 0.0)
        node.grad += g
        if node._backward is not None:
            for p, gp in zip(node.parents, node._backward(g)):
                grads[p] = grads.get(p, 0.0) + gp


def test_graph_cases_have_zero_gradients_on_every_seed():
    part = PARTS["backward"]
    for seed in range(30):
        cases = part.cases(np.random.default_rng(seed))
        public = [c for c in cases if not c.hidden and 0.0 in part.expected(c)]
        hidden = [c for c in cases if c.hidden and 0.0 in part.expected(c)]
        assert public and hidden, seed


@pytest.mark.parametrize("fn", [back_reseed, back_reseed_inner])
def test_reseeding_driver_is_rejected_and_named(fn):
    assert_rejected("backward", fn, ["only the root's gradient starts at 1", "keeps 0"])


@pytest.mark.parametrize("fn", [solution(CH12)["backward"], back_recursive_order])
def test_right_drivers_pass(fn):
    assert_accepted("backward", fn)


def test_right_orders_pass():
    assert_accepted("topological_order", solution(CH12)["topological_order"])
    assert_accepted("topological_order", _recursive_order)


# ----------------------------------------------------------------------------------------------
# 12: tanh_backward

WRONG_TANH = {
    "skips tanh′ for small a": (lambda a, out, g: g if abs(a) < 0.1 else g * (1 - out * out),
                                ["a small input"]),
    "tanh′ at out": (lambda a, out, g: g / math.cosh(out) ** 2,
                     ["tanh′ taken at out instead of at a", "out is already tanh(a)"]),
}


@pytest.mark.parametrize("mistake", list(WRONG_TANH))
def test_wrong_tanh_rules_are_rejected(mistake):
    fn, words = WRONG_TANH[mistake]
    assert_rejected("tanh_backward", fn, words)


@pytest.mark.parametrize("fn", [solution(CH12)["tanh_backward"], lambda a, out, g: g / math.cosh(a) ** 2,
                                lambda a, out, g: g * (1 - math.tanh(a) ** 2)])
def test_right_tanh_rules_pass(fn):
    assert_accepted("tanh_backward", fn)


# ----------------------------------------------------------------------------------------------
# 10: gate_backward

def gate_flipped(dC_da, u, v):
    s, t = 1 / (1 + np.exp(u)), np.tanh(v)
    return dC_da * t * s * (1 - s), dC_da * s * (1 - t * t)


def gate_from_exp(dC_da, u, v):
    """Correct, another way: σ′ from e^(−u), tanh′ from cosh."""
    e = np.exp(-u)
    return dC_da * np.tanh(v) * e / (1 + e) ** 2, dC_da / (1 + e) / np.cosh(v) ** 2


def test_flipped_sigmoid_is_rejected_and_named():
    assert_rejected("gate_backward", gate_flipped, ["Wrong: dC_dv", "σ(−u) in place of σ(u)"])


@pytest.mark.parametrize("fn", [solution(CH10)["gate_backward"], gate_from_exp])
def test_right_gates_pass(fn):
    assert_accepted("gate_backward", fn)


# ----------------------------------------------------------------------------------------------
# 10: layer_gradient_norms

def _passes(model, loss, X, y, forward=None):
    model.zero_grad()
    loss.forward((forward or model.forward)(X), y)
    model.backward(loss.backward())
    return [layer for layer in model.layers if isinstance(layer, nl.Dense)]


def norms_spectral(model, loss, X, y):
    return np.array([np.linalg.norm(layer.W.grad, 2) for layer in _passes(model, loss, X, y)])


def norms_cleared_after(model, loss, X, y):
    dense = _passes(model, loss, X, y)
    model.zero_grad()
    return np.array([np.linalg.norm(layer.W.grad) for layer in dense])


def norms_stale_by_reference(model, loss, X, y):
    dense = [layer for layer in model.layers if isinstance(layer, nl.Dense)]
    old = [layer.W.grad for layer in dense]
    loss.forward(model.forward(X), y)
    model.backward(loss.backward())
    return np.array([np.linalg.norm(layer.W.grad - g) for layer, g in zip(dense, old)])


def norms_summed(model, loss, X, y):
    return len(X) * np.array([np.linalg.norm(layer.W.grad) for layer in _passes(model, loss, X, y)])


def norms_over_n(model, loss, X, y):
    return np.array([np.linalg.norm(layer.W.grad) for layer in _passes(model, loss, X, y)]) / len(X)


def norms_twice(model, loss, X, y):
    return 2 * np.array([np.linalg.norm(layer.W.grad) for layer in _passes(model, loss, X, y)])


def norms_predict(model, loss, X, y):
    dense = _passes(model, loss, X, y, forward=lambda X: nl.predict(model, X))
    return np.array([np.linalg.norm(layer.W.grad) for layer in dense])


def norms_root_of_squares(model, loss, X, y):
    """Correct, another way: √(Σ g²) by hand, the Dense layers found by their attribute W."""
    model.zero_grad()
    loss.forward(model.forward(X), y)
    model.backward(loss.backward())
    return [math.sqrt(float((layer.W.grad ** 2).sum())) for layer in model.layers if hasattr(layer, "W")]


WRONG_NORMS = {
    "spectral": (norms_spectral, ["spectral norms (ord=2", "the Frobenius norm is asked"]),
    "cleared after backward": (norms_cleared_after, ["All your norms are 0", "cleared after the backward"]),
    "stale kept by reference": (norms_stale_by_reference, ["All your norms are 0", "by reference"]),
    "summed cost": (norms_summed, ["Every layer is off by the same factor", "= N, the batch size"]),
    "divided by N": (norms_over_n, ["Every layer is off by the same factor", "= 1/N"]),
    "twice": (norms_twice, ["Every layer is off by the same factor 2"]),
    "nl.predict": (norms_predict, ["forward must run first", "nl.predict computes the output in eval mode"]),
}


@pytest.mark.parametrize("mistake", list(WRONG_NORMS))
def test_wrong_gradient_norms_are_rejected(mistake):
    fn, words = WRONG_NORMS[mistake]
    assert_rejected("layer_gradient_norms", fn, words)


def test_spectral_norm_is_the_frobenius_norm_only_for_a_batch_of_one():
    part = PARTS["layer_gradient_norms"]
    for seed in range(10):
        for case in part.cases(np.random.default_rng(seed)):
            m = _measure(case.args)
            rank_one = len(case.args[2]) == 1
            assert np.allclose(m["spectral"], m["W"], rtol=1e-6, atol=0) == rank_one, (seed, case.label)


@pytest.mark.parametrize("fn", [solution(CH10)["layer_gradient_norms"], norms_root_of_squares])
def test_right_gradient_norms_pass(fn):
    assert_accepted("layer_gradient_norms", fn)
