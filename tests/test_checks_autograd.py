"""The chapter 12 checks (nl.checks.autograd) never pass wrong code and say what is wrong.

- The references: every gradient of nl.autograd.Value.backward() on the checks' random
  expressions agrees with central differences; the expressions reuse nodes (diamonds, x * x, a
  node feeding three others, a leaf at both ends of a chain).
- Every known-wrong implementation below is rejected on EVERY seed of a sweep (hidden cases
  included), and the notebook's check names the mistake.
- Correct alternatives pass on every seed: another formula for tanh′, Kahn's algorithm or an
  explicit stack for the order, a driver with a table of pending gradients, or one that ignores the
  order and pushes every path's share down (slow, but right).
- The grader runs the graph parts in its own process on hidden seeds: the solution passes.
"""

from __future__ import annotations

import json
import re
import math
from pathlib import Path

import numpy as np
import pytest

import nnlab as nl
from nnlab.checks import PARTS
from nnlab.checks._core import seed_of
from nnlab.checks.autograd import PARTS as AUTOGRAD_PARTS
from nnlab.checks.autograd import _reference_grads, build, numeric_leaf_grads
from nnlab.grading import Limits
from nnlab.grading.grader import grade_part, read_cells

from check_tools import solution, sweep, verdict

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = ROOT / "solutions" / "12_automatic_differentiation.ipynb"
SEEDS = range(200)
NAMES = [p.name for p in AUTOGRAD_PARTS]




# ----------------------------------------------------------------------------------------------
# right implementations, written differently from the solution

def topo_kahn(root):
    nodes, stack, seen = [], [root], {root}
    while stack:
        node = stack.pop()
        nodes.append(node)
        for p in node.parents:
            if p not in seen:
                seen.add(p)
                stack.append(p)
    waiting = {n: len(set(n.parents)) for n in nodes}
    children = {n: [] for n in nodes}
    for n in nodes:
        for p in set(n.parents):
            children[p].append(n)
    ready = [n for n in nodes if waiting[n] == 0]
    order = []
    while ready:
        n = ready.pop(0)
        order.append(n)
        for c in children[n]:
            waiting[c] -= 1
            if waiting[c] == 0:
                ready.append(c)
    return order


def topo_stack(root):
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack.extend((p, False) for p in node.parents if p not in seen)
    return order


def topo_generator(root):
    """Yields the nodes (a generator is read as the list of its items)."""
    yield from topo_stack(root)


def backward_pending(root, order):
    pending = {root: 1.0}
    for node in reversed(order):
        g = pending.pop(node, 0.0)
        node.grad += g
        if node.parents:
            for p, gp in zip(node.parents, node._backward(g)):
                pending[p] = pending.get(p, 0.0) + gp


def backward_every_path(root, order):
    """Ignores the order: pushes each path's share down on its own (exponential, but right)."""
    def push(node, g):
        node.grad += g
        if node.parents:
            for p, gp in zip(node.parents, node._backward(g)):
                push(p, gp)
    push(root, 1.0)


def backward_own_order(root, order):
    root.grad = 1.0
    for node in reversed(topo_kahn(root)):
        if node._backward is not None:
            for p, g in zip(node.parents, node._backward(node.grad)):
                p.grad = p.grad + g


RIGHT = {
    "mul_backward": [lambda a, b, g: [b * g, a * g], lambda a, b, g: (float(np.float64(g) * b), g * a)],
    "tanh_backward": [lambda a, out, g: g / math.cosh(a) ** 2, lambda a, out, g: g * (1 - math.tanh(a) ** 2)],
    "exp_backward": [lambda a, out, g: g * math.exp(a), lambda a, out, g: float(np.exp(a)) * g],
    "topological_order": [topo_kahn, topo_stack, topo_generator],
    "backward": [backward_pending, backward_every_path, backward_own_order],
}


# ----------------------------------------------------------------------------------------------
# wrong implementations: (function, words the message must contain)

def topo_dfs_not_reversed(root):
    return topo_stack(root)[::-1]


def topo_preorder(root):
    order, seen = [], set()

    def visit(n):
        if n in seen:
            return
        seen.add(n)
        order.append(n)
        for p in n.parents:
            visit(p)
    visit(root)
    return order


def topo_no_visited(root):
    order = []

    def visit(n):
        for p in n.parents:
            visit(p)
        order.append(n)
    visit(root)
    return order


def topo_bfs_reversed(root):
    order, seen, queue = [], {root}, [root]
    while queue:
        n = queue.pop(0)
        order.append(n)
        for p in n.parents:
            if p not in seen:
                seen.add(p)
                queue.append(p)
    return order[::-1]


def topo_without_root(root):
    return topo_stack(root)[:-1]


def topo_without_leaves(root):
    return [n for n in topo_stack(root) if n.parents]


def topo_data(root):
    return [n.data for n in topo_stack(root)]


def topo_set(root):
    return set(topo_stack(root))


def topo_first_path_only(root):
    """Follows only each node's first parent."""
    order, n = [], root
    while True:
        order.append(n)
        if not n.parents:
            return order[::-1]
        n = n.parents[0]


def back_assign(root, order):
    root.grad = 1.0
    for node in reversed(order):
        if node.parents:
            for p, g in zip(node.parents, node._backward(node.grad)):
                p.grad = g


def back_forward(root, order):
    root.grad = 1.0
    for node in order:
        if node.parents:
            for p, g in zip(node.parents, node._backward(node.grad)):
                p.grad += g


def back_no_seed(root, order):
    for node in reversed(order):
        if node.parents:
            for p, g in zip(node.parents, node._backward(node.grad)):
                p.grad += g


def back_revisit(root, order):
    root.grad = 1.0

    def visit(node):
        if node.parents:
            for p, g in zip(node.parents, node._backward(node.grad)):
                p.grad += g
                visit(p)
    visit(root)


def back_unit(root, order):
    root.grad = 1.0
    for node in reversed(order):
        if node.parents:
            for p, g in zip(node.parents, node._backward(1.0)):
                p.grad += g


def back_leaves_too(root, order):
    root.grad = 1.0
    for node in reversed(order):
        for p, g in zip(node.parents, node._backward(node.grad)):
            p.grad += g


def back_seed_twice(root, order):
    """Seeds the root with 1 and then adds 1 more when it reaches it."""
    root.grad = 1.0
    for node in reversed(order):
        if node is root:
            node.grad += 1.0
        if node.parents:
            for p, g in zip(node.parents, node._backward(node.grad)):
                p.grad += g


def back_descends(root, order):
    """Also takes a gradient step on the leaves: backward must leave .data alone."""
    backward_pending(root, order)
    for node in order:
        if not node.parents:
            node.data -= 0.1 * node.grad


WRONG = {
    "mul_backward": [
        (lambda a, b, g: (g * a, g * b), "OTHER operand"),
        (lambda a, b, g: (g, g), "the rule of +"),
        (lambda a, b, g: (b, a), "without out_grad"),
        (lambda a, b, g: (g * b, g * b), 'nl.checks.hint("mul_backward")'),
        (lambda a, b, g: g * a * b, "2 values"),
    ],
    "tanh_backward": [
        (lambda a, out, g: g * (1 - out), "the square is missing"),
        (lambda a, out, g: g * (1 - a * a), "applied to the INPUT a"),
        (lambda a, out, g: g * (1 - math.tanh(out) ** 2), "tanh applied twice"),
        (lambda a, out, g: 1 - out * out, "without out_grad"),
        (lambda a, out, g: g * (1 - out) ** 2, 'nl.checks.hint("tanh_backward")'),
    ],
    "exp_backward": [
        (lambda a, out, g: g * a, "out_grad · a"),
        (lambda a, out, g: g * math.exp(out), "exp recomputed from the output"),
        (lambda a, out, g: g * a * math.exp(a - 1), "power rule"),
        (lambda a, out, g: g, "out_grad unchanged"),
        (lambda a, out, g: out, 'nl.checks.hint("exp_backward")'),
    ],
    "topological_order": [
        (topo_dfs_not_reversed, "read backwards"),
        (topo_preorder, "before its input"),
        (topo_no_visited, "appears 2 times"),
        (topo_bfs_reversed, "breadth-first"),
        (topo_without_root, "the root belongs in the order"),
        (topo_without_leaves, "the leaves"),
        (topo_data, "Return the Value objects themselves"),
        (topo_set, "a set"),
        (topo_first_path_only, "follow .parents"),
    ],
    "backward": [
        (back_assign, "instead of `p.grad += …`"),
        (back_forward, "from the leaves to the root"),
        (back_no_seed, "never set"),
        (back_revisit, "visited twice"),
        (back_leaves_too, "a leaf has no rule"),
        (back_unit, "applied to 1 instead of node.grad"),
        (back_seed_twice, "a wrong .grad"),
        (back_descends, "changed the data"),
    ],
}
CASES = [(n, i) for n, wrongs in WRONG.items() for i in range(len(wrongs))]


# ----------------------------------------------------------------------------------------------
# the references and the cases

def test_reference_gradients_agree_with_central_differences():
    for seed in range(40):
        for case in PARTS["backward"].cases(np.random.default_rng(seed)):
            spec = case.args[0]
            grads = _reference_grads(spec)
            for k, g in numeric_leaf_grads(spec).items():
                assert abs(grads[k] - g) <= 1e-6 * max(1.0, abs(g)), (seed, case.label, k)


def test_graphs_reuse_nodes_and_hidden_cases_are_other_graphs():
    part = PARTS["topological_order"]
    public = {c.label for c in part.cases(np.random.default_rng(seed_of("topological_order")))
              if not getattr(c, "hidden", False)}
    hidden = set()
    for seed in range(30):
        cases = part.cases(np.random.default_rng(seed))
        most = 0
        for case in cases:
            spec = case.args[0]
            uses = [0] * len(spec)
            for _, parents, _ in spec:
                for p in parents:
                    uses[p] += 1
            assert uses[-1] == 0 and all(u > 0 for u in uses[:-1]), case.label  # all reach the root
            most = max(most, max(uses))
            if getattr(case, "hidden", False):
                hidden.add(case.label)
        assert most >= 3  # a node used by three others, at least
    assert len(hidden) >= 3 and not hidden & public
    for name in ("mul_backward", "tanh_backward", "exp_backward", "backward"):
        cases = [PARTS[name].cases(np.random.default_rng(s)) for s in range(30)]
        labels = {c.label for cs in cases for c in cs if getattr(c, "hidden", False)}
        public = {c.label for c in PARTS[name].cases(np.random.default_rng(seed_of(name)))
                  if not getattr(c, "hidden", False)}
        assert labels and not labels & public, name


def test_backward_gets_different_valid_orders():
    part = PARTS["backward"]
    orders = {tuple(part.cases(np.random.default_rng(s))[4].args[1]) for s in range(10)}
    assert len(orders) == 10
    for case in part.cases(np.random.default_rng(3)):
        spec, order = case.args
        seen = set()
        for k in order:
            assert all(p in seen for p in spec[k][1])
            seen.add(k)
        assert len(seen) == len(spec)


# ----------------------------------------------------------------------------------------------
# the seed sweep

@pytest.mark.parametrize("name", NAMES)
def test_every_wrong_version_is_rejected_on_every_seed(name):
    passed = sweep(name, [fn for fn, _ in WRONG[name]], SEEDS, name_mistakes=False)
    rates = {i: f"{len(SEEDS) - len(p)}/{len(SEEDS)}" for i, p in passed.items()}
    assert not any(passed.values()), f"{name}: rejected on {rates}"


@pytest.mark.parametrize("name,index", CASES, ids=[f"{n}-{i}" for n, i in CASES])
def test_wrong_version_message_names_the_mistake(name, index):
    fn, words = WRONG[name][index]
    result = nl.checks.run_check(PARTS[name], fn)
    assert not result.passed and result.message.startswith(f"✗ {name}: wrong on test input")
    assert words in result.message, result.message


@pytest.mark.parametrize("name", NAMES)
def test_right_versions_pass_on_every_seed(name):
    functions = [solution("12_automatic_differentiation")[name], *RIGHT[name]]
    seeds = SEEDS[:60]
    for i, passed in sweep(name, functions, seeds, name_mistakes=False).items():
        failed = sorted(set(seeds) - set(passed))
        assert not failed, (i, failed[:3], verdict(name, functions[i], failed[0]).message)


# ----------------------------------------------------------------------------------------------
# what the notebook check prints, and the grader

@pytest.mark.parametrize("name", NAMES)
def test_solution_passes_stub_and_crash_are_reported(name, capsys):
    result = nl.checks.run_check(PARTS[name], solution("12_automatic_differentiation")[name])
    assert result.passed and result.message.startswith(f"✓ {name}:") and "\n" not in result.message

    def stub(*args):
        raise NotImplementedError(f"{name}: replace these two lines with your code")

    result = nl.checks.run_check(PARTS[name], stub)
    assert result.status == "not implemented"

    def crash(*args):
        return 1 / 0

    result = nl.checks.run_check(PARTS[name], crash)
    assert result.status == "error" and "ZeroDivisionError" in result.message and "in crash" in result.message


def test_nan_gradients_are_reported():
    def nan_backward(root, order):
        backward_pending(root, order)
        order[0].grad = math.nan

    result = nl.checks.run_check(PARTS["backward"], nan_backward)
    assert result.status == "wrong" and "grad nan" in result.message
    result = nl.checks.run_check(PARTS["exp_backward"], lambda a, out, g: math.nan)
    assert result.status == "wrong" and "nan" in result.message


def test_message_lists_the_wrong_nodes():
    text = nl.checks.run_check(PARTS["backward"], back_assign).message
    assert "of the" in text and "a wrong .grad" in text and "expected" in text
    assert "used by 2 nodes" in text  # the reused node is named as such


def test_grader_runs_the_graph_parts_on_hidden_seeds(tmp_path):
    cells, _, problem = read_cells(SOLUTION)
    assert problem is None
    for name in ("topological_order", "backward"):
        work = tmp_path / name
        (work / "private").mkdir(parents=True)
        result, problems, reached = grade_part(PARTS[name], {"points": 3, "seed": 12345}, cells, work,
                                               Limits(), "token")
        assert result.passed and not problems and not reached, result.message


def test_grader_flags_nnlab_s_own_graph_walk(tmp_path):
    source = "def topological_order(root):\n    return root.topological_order()\n"
    notebook = tmp_path / "reuse.ipynb"
    notebook.write_text(json.dumps({"cells": [{"cell_type": "code", "source": source, "metadata": {}}]}))
    cells, _, _ = read_cells(notebook)
    (tmp_path / "w" / "private").mkdir(parents=True)
    result, _, reached = grade_part(PARTS["topological_order"], {"points": 3, "seed": 7}, cells,
                                    tmp_path / "w", Limits(), "token")
    assert result.passed and reached == ["nnlab.autograd._graph.topological_order"]


# ----------------------------------------------------------------------------------------------
# the hint ladder: three steps or more, none of them (nor a mistake's explanation) the solution line

def _solution_lines(name) -> set[str]:
    for cell in json.loads(SOLUTION.read_text())["cells"]:
        source = "".join(cell["source"])
        if cell.get("metadata", {}).get("nnlab", {}).get("part") == name:
            body = source.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0]
            lines = {re.sub(r"\s+", "", line.split("#")[0]) for line in body.splitlines()}
            return {line for line in lines if len(line.split("=", 1)[-1]) >= 12
                    and not line.startswith(("for", "if", "def", "return"))} | \
                   {line[len("return"):] for line in lines if line.startswith("return") and len(line) > 20}
    raise AssertionError(f"no solution cell for {name}")


@pytest.mark.parametrize("name", NAMES)
def test_hint_ladder_never_gives_the_solution_line(name):
    part = PARTS[name]
    assert len(part.hints) >= 3 and len(set(part.hints)) == len(part.hints)
    texts = [re.sub(r"\s+", "", t) for t in [*part.hints, *(e for _, e in getattr(part, "_mistakes", [])),
                                             *(e for _, e in getattr(part, "DRIVER_MISTAKES", []))]]
    for line in _solution_lines(name):
        assert not any(line in t for t in texts), (name, line)
