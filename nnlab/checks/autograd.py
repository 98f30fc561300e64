"""Checks for chapter 12, automatic differentiation: the local backward rules of ·, tanh and exp,
the topological order of a graph of `nl.autograd.Value` nodes, and the reverse-mode driver.

The graph parts get random expressions: random DAGs whose nodes are reused (one node feeding
several others, `x * x`, a leaf used both at the top and at the bottom of a long chain), built as
`nl.autograd.Value` nodes where the learner's function runs, from a plain description (`spec`) that
the case carries. `topological_order` is judged by what an order must be — every node the root
depends on, each once, each after its parents — so any correct order passes (recursive DFS, an
explicit stack, Kahn's algorithm). `backward` gets the nodes and one valid order (a random one, not
always the same DFS order) and is judged node by node against `nl.autograd.Value.backward()`, which
the tests show agrees with central differences on every expression.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd import Value
from ._core import Case, CheckResult, Part, run_check
from ._plain import describe
from .recurrent import ACROSS_CASES, OutputsPart, _hidden


# ----------------------------------------------------------------------------------------------
# the local rules: plain numbers in, plain numbers out

def _numbers(rng, n, low=-2.0, high=2.0):
    return tuple(float(v) for v in rng.uniform(low, high, n))


def _mul_cases(rng):
    a, b, g = _numbers(rng, 3)
    x = float(rng.uniform(0.5, 2.0))
    cases = [
        Case("a product of two numbers, with an upstream gradient", (a, b, g)),
        Case("x · x: both operands are the same number", (x, x, float(rng.uniform(0.5, 2)))),
        Case("a = 0", (0.0, float(rng.uniform(1, 3)), float(rng.uniform(-2, -0.5)))),
        Case("the root itself: out_grad = 1", (*_numbers(rng, 2, 0.5, 3.0), 1.0)),
    ]
    extra = [Case("large operands", (*_numbers(rng, 2, 50, 100), float(rng.uniform(0.1, 1)))),
             Case("negative operands, a negative gradient", (*_numbers(rng, 2, -3, -0.5), -1.5)),
             Case("a tiny upstream gradient", (*_numbers(rng, 2, -3, 3), 1e-4))]
    return cases + [_hidden(extra[int(rng.integers(len(extra)))])]


MUL_BACKWARD = OutputsPart(
    "mul_backward", "mul_backward(a, b, out_grad)", "12", _mul_cases,
    lambda a, b, g: (g * b, g * a),
    outputs=("dC_da", "dC_db"),
    mistakes=[
        (lambda a, b, g: (g * a, g * b),
         "each operand's gradient times its OWN value. Hint: ∂(a·b)/∂a = b: a's gradient uses the "
         "OTHER operand."),
        (lambda a, b, g: (g, g),
         "the rule of +, which passes out_grad on unchanged. Hint: for out = a·b, ∂out/∂a = b."),
        (lambda a, b, g: (b, a),
         "the local derivatives without out_grad. Hint: the chain rule multiplies: ∂C/∂a = ∂C/∂out · "
         "∂out/∂a."),
    ],
    hint="the chain rule: ∂C/∂a = ∂C/∂out · ∂out/∂a.",
    hints=("The chain rule: ∂C/∂a = ∂C/∂out · ∂out/∂a, and the same for b.",
           "For out = a·b, hold b fixed and differentiate with respect to a: ∂out/∂a = b (and "
           "∂out/∂b = a).",
           "Two products with out_grad, returned as a tuple `return dC_da, dC_db`."),
)


def _tanh_cases(rng):
    a = float(rng.uniform(0.4, 2.0)) * float(rng.choice([-1.0, 1.0]))
    n = -float(rng.uniform(0.7, 2.0))
    big = 4.0 + float(rng.uniform(0, 1))
    small = float(rng.uniform(0.02, 0.09)) * float(rng.choice([-1.0, 1.0]))

    def case(label, a, g):
        return Case(label, (a, math.tanh(a), g))

    cases = [case("a moderate input", a, float(rng.uniform(0.5, 2))),
             case("a negative input", n, float(rng.uniform(-2, -0.5))),
             case("a = 0, where tanh′ = 1", 0.0, float(rng.uniform(0.5, 2))),
             case("a large input: tanh is flat there", big, 1.0),
             case("a small input, |a| < 0.1: tanh′ is close to 1, not 1", small,
                  float(rng.uniform(0.5, 2)))]
    extra = [case("a very negative input", -6.5, 2.0), case("a tiny input, a = 0.004", 0.004, -1.0),
             case("the root itself: out_grad = 1", 1.1, 1.0)]
    return cases + [_hidden(extra[int(rng.integers(len(extra)))])]


TANH_BACKWARD = OutputsPart(
    "tanh_backward", "tanh_backward(a, out, out_grad)", "12", _tanh_cases,
    lambda a, out, g: g * (1.0 - out * out),
    mistakes=[
        (lambda a, out, g: g * (1.0 - out),
         "out_grad · (1 − tanh(a)): the square is missing. Hint: tanh′(a) = 1 − tanh(a)²."),
        (lambda a, out, g: g * (1.0 - a * a),
         "out_grad · (1 − a²): the formula 1 − tanh² applied to the INPUT a. Hint: tanh′(a) = "
         "1 − tanh(a)² = 1 − out²."),
        (lambda a, out, g: g * (1.0 - math.tanh(out) ** 2),
         "out_grad · (1 − tanh(out)²) = out_grad / cosh(out)²: tanh′ taken at out instead of at a "
         "— tanh applied twice. Hint: out is already tanh(a), and tanh′(a) = 1 − tanh(a)²."),
        (lambda a, out, g: 1.0 - out * out,
         "tanh′(a) without out_grad. Hint: the chain rule multiplies by the upstream gradient."),
    ],
    hint="derive d tanh(a)/da and write it with out = tanh(a); then multiply by out_grad.",
    hints=("The chain rule: ∂C/∂a = out_grad · d tanh(a)/da; derive that derivative.",
           "tanh = sinh/cosh, so d tanh(a)/da = (cosh² − sinh²)/cosh² = 1 − tanh(a)²; and tanh(a) "
           "is out, which you are given.",
           "No numpy needed: plain arithmetic on the floats out and out_grad."),
)


def _exp_cases(rng):
    a = float(rng.uniform(0.3, 1.5))
    n = -float(rng.uniform(1.0, 3.0))
    cases = [Case("a positive input", (a, math.exp(a), float(rng.uniform(0.5, 2)))),
             Case("a negative input", (n, math.exp(n), float(rng.uniform(-2, -0.5)))),
             Case("a = 1", (1.0, math.e, float(rng.uniform(0.5, 2)))),
             Case("a = 0, where exp′ = 1", (0.0, 1.0, float(rng.uniform(0.5, 2))))]
    extra = [Case("a large input", (8.0, math.exp(8.0), 0.5)),
             Case("a very negative input", (-12.0, math.exp(-12.0), 3.0)),
             Case("the root itself: out_grad = 1", (2.2, math.exp(2.2), 1.0))]
    return cases + [_hidden(extra[int(rng.integers(len(extra)))])]


EXP_BACKWARD = OutputsPart(
    "exp_backward", "exp_backward(a, out, out_grad)", "12", _exp_cases,
    lambda a, out, g: g * out,
    mistakes=[
        (lambda a, out, g: g * a,
         "out_grad · a. Hint: d eᵃ/da = eᵃ, which is out itself."),
        (lambda a, out, g: g * math.exp(out),
         "out_grad · exp(out) = out_grad · exp(exp(a)): exp recomputed from the output. Hint: out is "
         "already eᵃ — and it is the derivative: use it as it is."),
        (lambda a, out, g: g * a * math.exp(a - 1),
         "out_grad · a·e^(a−1): the power rule applied to eᵃ. Hint: the exponent is the variable "
         "here: d eᵃ/da = eᵃ."),
        (lambda a, out, g: g,
         "out_grad unchanged. Hint: multiply it by the local derivative d eᵃ/da."),
    ],
    hint="the chain rule: out_grad times the derivative of eᵃ.",
    hints=("The chain rule: ∂C/∂a = out_grad · d eᵃ/da.",
           "eᵃ is its own derivative — and eᵃ is out, which the forward pass already computed.",
           "No exp to call again: one product of floats."),
)


# ----------------------------------------------------------------------------------------------
# graphs: a plain description → nl.autograd.Value nodes

UNARY = ("tanh", "exp", "sigmoid", "**2")
BINARY = ("+", "*")


def _apply(op, parents):
    if op == "+":
        return parents[0] + parents[1]
    if op == "*":
        return parents[0] * parents[1]
    if op == "tanh":
        return parents[0].tanh()
    if op == "exp":
        return parents[0].exp()
    if op == "sigmoid":
        return parents[0].sigmoid()
    if op == "**2":
        return parents[0] ** 2
    if op == "relu":
        return parents[0].relu()
    raise ValueError(op)


def build(spec, leaf_values=None):
    """The nodes of `spec` as nl.autograd.Value objects (index i ↔ spec[i]); the root is the last.

    spec[i] is ("leaf", (), value) or (op, (parent indices…), None)."""
    nodes = []
    for k, (op, parents, value) in enumerate(spec):
        if op == "leaf":
            v = value if leaf_values is None else leaf_values[k]
            nodes.append(Value(float(v), label=f"v{k}"))
        else:
            node = _apply(op, [nodes[p] for p in parents])
            node.label = f"v{k}"
            nodes.append(node)
    return nodes


def evaluate(spec, leaf_values) -> float:
    """The root's value for other leaf values (plain floats: for central differences)."""
    vals = []
    for k, (op, parents, value) in enumerate(spec):
        if op == "leaf":
            vals.append(float(leaf_values[k]))
            continue
        p = [vals[i] for i in parents]
        vals.append({"+": lambda: p[0] + p[1], "*": lambda: p[0] * p[1],
                     "tanh": lambda: math.tanh(p[0]), "exp": lambda: math.exp(p[0]),
                     "sigmoid": lambda: 1.0 / (1.0 + math.exp(-p[0])),
                     "**2": lambda: p[0] ** 2, "relu": lambda: max(p[0], 0.0)}[op]())
    return vals[-1]


def numeric_leaf_grads(spec, h=1e-6) -> dict:
    """∂root/∂leaf by central differences, for every leaf index."""
    base = {k: s[2] for k, s in enumerate(spec) if s[0] == "leaf"}
    grads = {}
    for k in base:
        plus, minus = dict(base), dict(base)
        plus[k] += h
        minus[k] -= h
        grads[k] = (evaluate(spec, plus) - evaluate(spec, minus)) / (2 * h)
    return grads


def _name(spec, k) -> str:
    op, parents, value = spec[k]
    if op == "leaf":
        return f"v{k} (a leaf, data {value:.4g})"
    if op in BINARY:
        return f"v{k} = v{parents[0]} {'·' if op == '*' else '+'} v{parents[1]}"
    if op == "**2":
        return f"v{k} = v{parents[0]}²"
    return f"v{k} = {op}(v{parents[0]})"


def _uses(spec) -> list[int]:
    """How many times each node is an input of another node."""
    uses = [0] * len(spec)
    for op, parents, _ in spec:
        for p in parents:
            uses[p] += 1
    return uses


def _safe_op(rng, values, parents_pool, unary_only=False):
    """An op and its parents whose value stays moderate (no overflow in exp or products)."""
    for _ in range(20):
        if unary_only or rng.random() < 0.45:
            op = UNARY[int(rng.integers(len(UNARY)))]
            parents = (int(rng.choice(parents_pool)),)
        else:
            op = BINARY[int(rng.integers(len(BINARY)))]
            parents = tuple(int(p) for p in rng.choice(parents_pool, size=2))
        p = [values[i] for i in parents]
        value = {"+": lambda: p[0] + p[1], "*": lambda: p[0] * p[1], "tanh": lambda: math.tanh(p[0]),
                 "exp": lambda: math.exp(p[0]) if abs(p[0]) < 3 else math.inf,
                 "sigmoid": lambda: 1.0 / (1.0 + math.exp(-p[0])), "**2": lambda: p[0] ** 2}[op]()
        if abs(value) < 8:
            return op, parents, value
    return "tanh", (int(parents_pool[-1]),), math.tanh(values[int(parents_pool[-1])])


def random_graph(rng, n_leaves, n_ops, reuse=0.6):
    """A random DAG: n_leaves leaves, n_ops operations on earlier nodes (often reusing one), and a
    sum of every node nobody uses yet as the root, so the root depends on every node."""
    spec, values = [], []
    for _ in range(n_leaves):
        v = float(rng.uniform(-1.5, 1.5))
        spec.append(("leaf", (), v))
        values.append(v)
    for _ in range(n_ops):
        n = len(spec)
        recent = list(range(max(0, n - 3), n))
        pool = recent if rng.random() > reuse else list(range(n))
        op, parents, value = _safe_op(rng, values, np.array(pool))
        spec.append((op, parents, None))
        values.append(value)
    _close(spec, values)
    return spec


def _close(spec, values):
    """Add + nodes until only the last node is unused (it becomes the root)."""
    while True:
        uses = _uses(spec)
        unused = [k for k in range(len(spec) - 1) if uses[k] == 0]
        if not unused:
            return
        a, b = unused[0], len(spec) - 1 if unused[0] != len(spec) - 1 else unused[1]
        spec.append(("+", (a, b), None))
        values.append(values[a] + values[b])


def _diamond(rng):
    a = float(rng.uniform(-1, 1))
    return [("leaf", (), a), ("tanh", (0,), None), ("exp", (0,), None), ("*", (1, 2), None)]


def _square_node(rng):
    x, y = float(rng.uniform(0.3, 1.2)), float(rng.uniform(-1, 1))
    return [("leaf", (), x), ("leaf", (), y), ("+", (0, 1), None), ("*", (2, 2), None),
            ("tanh", (3,), None)]


def _chain_and_shortcut(rng, length):
    """A leaf used at the bottom of a long chain AND directly by the root: an order must wait for
    the whole chain before the root (a breadth-first order from the root gets this wrong)."""
    spec = [("leaf", (), float(rng.uniform(-1, 1))), ("leaf", (), float(rng.uniform(-1, 1)))]
    spec.append(("*", (0, 1), None))
    for _ in range(length):
        spec.append(("tanh" if len(spec) % 2 else "sigmoid", (len(spec) - 1,), None))
    spec.append(("+", (len(spec) - 1, 0), None))
    return spec


def _shared_subexpression(rng):
    """u = a·b used by three nodes; the root adds them up along different paths."""
    a, b, c = (float(v) for v in rng.uniform(-1.2, 1.2, 3))
    return [("leaf", (), a), ("leaf", (), b), ("leaf", (), c), ("*", (0, 1), None),
            ("tanh", (3,), None), ("*", (3, 2), None), ("exp", (3,), None), ("+", (4, 5), None),
            ("*", (7, 6), None)]


def _zero_gradients(rng):
    """Nodes whose gradient is exactly 0: v5 = v4 · v1 with v1 = 0 (so v4 = exp(v0) and v0 get 0),
    and v7 = relu(v6) with v6 = tanh(v2) < 0 (so v6 and v2 get 0)."""
    a, c, d = float(rng.uniform(-1, 1)), -float(rng.uniform(0.3, 1.5)), float(rng.uniform(-1, 1))
    return [("leaf", (), a), ("leaf", (), 0.0), ("leaf", (), c), ("leaf", (), d),
            ("exp", (0,), None), ("*", (4, 1), None), ("tanh", (2,), None), ("relu", (6,), None),
            ("+", (5, 7), None), ("+", (8, 3), None), ("tanh", (9,), None)]


def _times_zero(rng, n_leaves, n_ops):
    """A random expression multiplied by a leaf 0 before it reaches the root: every node of it has
    gradient 0."""
    spec = random_graph(rng, n_leaves, n_ops)
    top = len(spec) - 1
    spec += [("leaf", (), 0.0), ("*", (top, top + 1), None), ("leaf", (), float(rng.uniform(-1, 1))),
             ("tanh", (top + 3,), None), ("+", (top + 2, top + 4), None)]
    return spec


def _graph_cases(rng):
    cases = [
        Case("a diamond: v3 = tanh(v0) · exp(v0), the leaf v0 reached by two paths", (_diamond(rng),)),
        Case("v3 = v2 · v2: the same node as both inputs", (_square_node(rng),)),
        Case("a node (v3 = v0 · v1) used by three others", (_shared_subexpression(rng),)),
        Case("a leaf used at the bottom of a chain of 12 nodes and directly by the root",
             (_chain_and_shortcut(rng, 12),)),
        Case("a random expression of 4 leaves and 14 operations, with reused nodes",
             (random_graph(rng, 4, 14),)),
        Case("a single leaf: the root has no parents", ([("leaf", (), float(rng.uniform(-2, 2)))],)),
        Case("gradients exactly 0: a factor v1 = 0 in v5 = v4 · v1, and v7 = relu(v6) with v6 < 0",
             (_zero_gradients(rng),)),
    ]
    extra = [
        Case("a random expression of 6 leaves and 30 operations", (random_graph(rng, 6, 30, 0.8),)),
        Case("a chain of 150 operations on one leaf", (_chain_and_shortcut(rng, 150),)),
        Case("a random expression of 2 leaves and 20 operations (heavy reuse)",
             (random_graph(rng, 2, 20, 0.9),)),
        Case("a wide expression: 12 leaves added up", (random_graph(rng, 12, 3, 0.0),)),
    ]
    picked = rng.choice(len(extra), size=2, replace=False)
    zero = Case("a random expression of 3 leaves and 10 operations, multiplied by a leaf 0 below "
                "the root", (_times_zero(rng, 3, 10),))
    return cases + [_hidden(extra[i]) for i in sorted(picked)] + [_hidden(zero)]


class GraphPart(Part):
    """A part whose input is an expression graph (built as Value nodes where the function runs)."""

    def cases(self, rng):
        return _graph_cases(rng)

    def describe_input(self, case):
        spec = case.args[0]
        lines = [f"  root = v{len(spec) - 1}, an expression of {len(spec)} nodes:"]
        shown = [_name(spec, k) for k in range(len(spec))]
        if len(shown) > 14:
            shown = shown[:6] + [f"… ({len(shown) - 12} more)"] + shown[-6:]
        return lines + ["    " + s for s in shown]


def _index_of(nodes, items):
    ids = {id(n): k for k, n in enumerate(nodes)}
    out, foreign = [], ""
    for item in items:
        k = ids.get(id(item), -1)
        if k < 0 and not foreign:
            foreign = describe(item) if not isinstance(item, Value) else "a Value that is not a node of the graph"
        out.append(k)
    return out, foreign


def _is_order(spec, order) -> int | None:
    """None if `order` lists every node once, each after its parents; else the first bad position."""
    seen = set()
    for pos, k in enumerate(order):
        if k in seen or k < 0 or any(p not in seen for p in spec[k][1]):
            return pos
        seen.add(k)
    return None if len(seen) == len(spec) else len(order)


class TopologicalOrderPart(GraphPart):
    """topological_order(root) → a list of the nodes: every node the root depends on, once each,
    each after all of its parents (so the root is last)."""

    def call(self, fn, args, extra):
        nodes = build(args[0])
        result = fn(nodes[-1])
        if isinstance(result, (set, frozenset, dict)):
            return {"kind": f"a {type(result).__name__} (which keeps no order)", "order": [], "foreign": ""}
        if not isinstance(result, (list, tuple)):
            try:
                result = list(result)  # a generator or another iterable: take its items
            except TypeError:
                return {"kind": describe(result), "order": [], "foreign": ""}
        order, foreign = _index_of(nodes, result)
        return {"kind": "list", "order": order, "foreign": foreign}

    def expected(self, case):
        return None  # any valid order is right: judged by what an order must be

    def judge(self, case, got):
        spec = case.args[0]
        if not isinstance(got, dict) or got.get("kind") != "list":
            kind = got.get("kind") if isinstance(got, dict) else describe(got)
            return [f"Your function returned {kind}, not a list of the nodes.",
                    "Hint: return a Python list of the Value nodes, the root last."]
        order = list(got["order"])
        n = len(spec)
        if got["foreign"] or any(k < 0 for k in order):
            bad = next(i for i, k in enumerate(order) if k < 0)
            hint = (" — the nodes' .data, not the nodes? Return the Value objects themselves."
                    if "number" in got["foreign"] else "")
            return [f"Item {bad} of your list is {got['foreign']}, not one of the graph's nodes{hint}",
                    "Hint: collect the nodes you reach from the root through .parents."]
        counts = {k: order.count(k) for k in set(order)}
        twice = [k for k in sorted(counts) if counts[k] > 1]
        if twice:
            k = twice[0]
            return [f"{_name(spec, k)} appears {counts[k]} times in your list of {len(order)} "
                    f"({len(twice)} node{'s' if len(twice) > 1 else ''} more than once); each node "
                    f"belongs in the order once (the graph has {n} nodes).",
                    "Hint: a node reached by two paths is visited once: keep a set of the nodes "
                    "already visited and skip them."]
        missing = [k for k in range(n) if k not in counts]
        if missing:
            names = ", ".join(f"v{k}" for k in missing[:8]) + (" …" if len(missing) > 8 else "")
            lines = [f"{len(missing)} of the {n} nodes are missing: {names}."]
            if missing == [n - 1]:
                lines.append("Hint: the root belongs in the order too, last.")
            elif all(spec[k][0] == "leaf" for k in missing):
                lines.append("Hint: the leaves (nodes without parents) belong in the order too, "
                             "before the nodes that use them.")
            else:
                lines.append("Hint: follow .parents from the root all the way down to the leaves.")
            return lines
        bad = _is_order(spec, order)
        if bad is None:
            return None
        if _is_order(spec, order[::-1]) is None:
            return [f"Your list starts with the root v{n - 1} and ends with a leaf: it is a valid "
                    "order read backwards.",
                    "Hint: a node goes into the list only AFTER all its parents (append it after "
                    "the recursive calls on its parents return), so the root comes last."]
        k = order[bad]
        pos = {node: i for i, node in enumerate(order)}
        late = [p for p in spec[k][1] if pos[p] > bad]
        return [f"{_name(spec, k)} is at position {bad}, before its input v{late[0]} (at position "
                f"{pos[late[0]]}).",
                "Hint: every node must come after ALL of its parents — also a node reached from the "
                "root along a short and a long path (a breadth-first walk from the root, reversed, "
                "gets that one wrong)."]

    def passed_message(self, cases, outcomes):
        return f"✓ {self.name}: a valid order of every node, each once, on {len(cases)} expressions"


TOPOLOGICAL_ORDER = TopologicalOrderPart(
    "topological_order", "topological_order(root)", "12",
    hint="a node may join the list only once all of its parents are in it.",
    hints=("A node may join the list only once ALL of its parents are in it, and each node joins "
           "once, however many paths lead to it.",
           "Depth-first search from the root: to visit a node, first visit each of its parents "
           "(skipping nodes already visited), then append the node itself — post-order.",
           "A set `visited` of nodes and a list `order`; a recursive inner function visit(node), "
           "or an explicit stack of (node, parents_done) pairs."),
    error_hint="root.parents is a tuple of the Value nodes it was computed from (empty for a leaf).",
)


def _random_order(spec, rng) -> list[int]:
    """A random valid topological order (Kahn's algorithm with random ties)."""
    remaining = [len(s[1]) for s in spec]
    # a parent listed twice (x * x) counts once
    remaining = [len(set(s[1])) for s in spec]
    children = [[] for _ in spec]
    for k, (_, parents, _) in enumerate(spec):
        for p in set(parents):
            children[p].append(k)
    ready = [k for k in range(len(spec)) if remaining[k] == 0]
    order = []
    while ready:
        k = ready.pop(int(rng.integers(len(ready))))
        order.append(k)
        for c in children[k]:
            remaining[c] -= 1
            if remaining[c] == 0:
                ready.append(c)
    return order


def _reference_grads(spec) -> list[float]:
    nodes = build(spec)
    nodes[-1].backward()
    return [n.grad for n in nodes]


def _driver(spec, order, *, assign=False, forward=False, seed=True, revisit=False,
            unit=False, reseed="") -> list[float]:
    """A backward driver with one mistake switched on (for naming what the learner's result is)."""
    nodes = build(spec)
    root = nodes[-1]
    if seed:
        root.grad = 1.0
    if revisit:
        def visit(node):
            if node.parents:
                for p, g in zip(node.parents, node._backward(node.grad)):
                    p.grad += g
                    visit(p)
        visit(root)
        return [n.grad for n in nodes]
    sequence = [nodes[k] for k in order]
    for node in (sequence if forward else reversed(sequence)):
        if reseed == "every node" and not node.grad:
            node.grad = 1.0
        if not node.parents:
            continue
        if reseed == "nodes with parents" and not node.grad:
            node.grad = 1.0
        for p, g in zip(node.parents, node._backward(1.0 if unit else node.grad)):
            if assign:
                p.grad = g
            else:
                p.grad += g
    return [n.grad for n in nodes]


def _number(x) -> float:
    """A node's grad or data as a float (a numpy scalar too); nan for anything that is not one."""
    try:
        return float(x) if np.ndim(x) == 0 and not isinstance(x, (str, bytes, bool)) else math.nan
    except (TypeError, ValueError):
        return math.nan


class BackwardPart(GraphPart):
    """backward(root, order): fill .grad of every node with ∂root/∂node."""

    DRIVER_MISTAKES = (
        (dict(assign=True),
         "the gradients with `p.grad = …` instead of `p.grad += …`: a node used by several others "
         "keeps only the share of the last one. Hint: a node reached by two paths gets the SUM of "
         "both shares (the multivariable chain rule): add to .grad."),
        (dict(forward=True),
         "the gradients of a walk through `order` from the leaves to the root. Hint: go backward, "
         "root first — reversed(order) — so each node's gradient is complete before it is passed on."),
        (dict(seed=False),
         "every gradient 0: the root's own gradient was never set. Hint: start with root.grad = 1 "
         "(∂root/∂root)."),
        (dict(unit=True),
         "the gradients of local rules applied to 1 instead of node.grad: each node passes on only "
         "its local derivative. Hint: the chain rule multiplies along the path: pass "
         "node._backward(node.grad)."),
        (dict(revisit=True),
         "the gradients of a recursive walk that passes a node's gradient on every time the node is "
         "reached: a node reached by two paths is visited twice, and what it passed on the first "
         "time is passed on again. Hint: visit each node once, in reversed(order)."),
        (dict(reseed="every node"),
         "the gradients of a driver that sets .grad = 1 on every node whose gradient is still 0 "
         "when it is reached (a leaf too). Hint: only the root's gradient starts at 1, once, before "
         "the loop; a node whose gradient is 0 (a factor 0 above it, a relu that is off) keeps 0 — "
         "∂root/∂node really is 0 there."),
        (dict(reseed="nodes with parents", seed=False),
         "the gradients of a driver that sets .grad = 1 on every node with parents whose gradient "
         "is still 0 when it is reached (and so never on a root that is a leaf). Hint: only the "
         "root's gradient starts at 1, once, before the loop; a node whose gradient is 0 (a factor "
         "0 above it, a relu that is off) keeps 0 and passes 0 on — ∂root/∂node really is 0 there."),
    )

    def cases(self, rng):
        cases = []
        for case in _graph_cases(rng):
            new = Case(case.label, (case.args[0], _random_order(case.args[0], rng)))
            new.hidden = getattr(case, "hidden", False)
            cases.append(new)
        return cases

    def describe_input(self, case):
        lines = super().describe_input(case)
        return lines + ["  order = a list of those nodes, each after its parents (root last)"]

    def call(self, fn, args, extra):
        spec, order = args
        nodes = build(spec)
        fn(nodes[-1], [nodes[k] for k in order])
        return {"grad": [_number(n.grad) for n in nodes], "data": [_number(n.data) for n in nodes]}

    def expected(self, case):
        return _reference_grads(case.args[0])

    def _matches(self, a, b) -> bool:
        return all(abs(x - y) <= self.atol + self.rtol * abs(y) for x, y in zip(a, b))

    def judge(self, case, got):
        spec, order = case.args
        if not isinstance(got, dict) or not isinstance(got.get("grad"), list):
            return [f"Your result could not be read ({describe(got)})."]
        before = [s[2] for s in spec]
        data = got["data"]
        changed = [k for k, s in enumerate(spec) if s[0] == "leaf" and data[k] != before[k]]
        if changed:
            return [f"Your function changed the data of {_name(spec, changed[0])}: backward only "
                    "fills .grad.", "Hint: add to node.grad; leave node.data alone."]
        grads, expected = got["grad"], self.expected(case)
        bad = [k for k in range(len(spec))
               if not (abs(grads[k] - expected[k]) <= self.atol + self.rtol * abs(expected[k]))]
        if not bad:
            return None
        uses = _uses(spec)
        lines = [f"{len(bad)} of the {len(spec)} nodes {'has' if len(bad) == 1 else 'have'} a wrong .grad:"]
        for k in bad[:6]:
            shared = f", used by {uses[k]} nodes" if uses[k] > 1 else ""
            lines.append(f"  {_name(spec, k)}{shared}: grad {grads[k]:.6g}, expected {expected[k]:.6g}")
        if len(bad) > 6:
            lines.append(f"  … and {len(bad) - 6} more")
        if ACROSS_CASES:
            return lines
        for value, explanation in self.wrong(case):
            if self._matches(grads, value["grad"]):
                return lines + [f"Your result equals {explanation}"]
        return lines + [f"Hint: {self.hint}"]

    diagnose_across_cases = True

    def wrong(self, case):
        """The drivers with one known mistake each, as results in the form `call` returns."""
        spec, order = case.args
        data = [n.data for n in build(spec)]
        found = []
        for options, explanation in self.DRIVER_MISTAKES:
            try:
                found.append(({"grad": _driver(spec, order, **options), "data": data}, explanation))
            except Exception:  # noqa: BLE001 — cannot run here: cannot be the mistake
                continue
        return found

    def passed_message(self, cases, outcomes):
        return (f"✓ {self.name}: every node's gradient agrees with nl.autograd (and central "
                f"differences) on {len(cases)} expressions")


BACKWARD = BackwardPart(
    "backward", "backward(root, order)", "12",
    hint="visit the nodes root first, so each node's gradient is complete before it is passed on.",
    hints=("Visit the nodes root first (the order backwards), so each node's gradient is complete "
           "— every node that uses it has passed its share — before it is passed on.",
           "∂root/∂root = 1; at each node with parents, the local rule turns node.grad into one "
           "share per parent, and a parent's gradient is the SUM of the shares it receives.",
           "reversed(order); skip a node whose .parents is empty; zip(node.parents, "
           "node._backward(node.grad)); `+=` on parent.grad."),
    error_hint="a leaf has no rule (its _backward is None): skip the nodes without parents. "
               "node._backward(g) returns one gradient per node in node.parents.",
)

PARTS = [MUL_BACKWARD, TANH_BACKWARD, EXP_BACKWARD, TOPOLOGICAL_ORDER, BACKWARD]


def check_mul_backward(mul_backward) -> CheckResult:
    """Check your `mul_backward(a, b, out_grad)` → (dC_da, dC_db) for out = a·b.  Chapter 12."""
    return run_check(MUL_BACKWARD, mul_backward)


def check_tanh_backward(tanh_backward) -> CheckResult:
    """Check your `tanh_backward(a, out, out_grad)` → dC_da for out = tanh(a).  Chapter 12."""
    return run_check(TANH_BACKWARD, tanh_backward)


def check_exp_backward(exp_backward) -> CheckResult:
    """Check your `exp_backward(a, out, out_grad)` → dC_da for out = exp(a).  Chapter 12."""
    return run_check(EXP_BACKWARD, exp_backward)


def check_topological_order(topological_order) -> CheckResult:
    """Check your `topological_order(root)` → every node, each once, after its parents.  Chapter 12."""
    return run_check(TOPOLOGICAL_ORDER, topological_order)


def check_backward(backward) -> CheckResult:
    """Check your `backward(root, order)`: every node's .grad = ∂root/∂node.  Chapter 12."""
    return run_check(BACKWARD, backward)
