"""What Value and Tensor share: the graph walk of reverse-mode differentiation.

Every node has `_parents` (the nodes it was computed from) and `_backward(g)`, the local rule: given
the upstream gradient g = ∂C/∂node, it returns ∂C/∂parent for each parent (local gradient × g).

Chapter 12.
"""

from __future__ import annotations


def topological_order(root) -> list:
    """Every node that `root` depends on, each listed after all of its parents (root last).

    Depth-first search written with an explicit stack, so a long chain (an LSTM over many steps)
    cannot exceed Python's recursion limit.
    """
    order, seen = [], set()
    stack = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for p in node._parents:
            if id(p) not in seen:
                stack.append((p, False))
    return order


def backpropagate(root, seed, add) -> None:
    """Reverse mode: visit the nodes from `root` back to the leaves, in reverse topological order.

    g(root) = seed; for each node, once every node that uses it has passed its share back,
    g(node) is complete: it is added to node.grad and sent on to the parents through the node's
    local rule. `add(a, b)` adds two gradients (floats or arrays). Gradients of this pass are kept
    apart from what `.grad` already holds, so two backward calls add up exactly (2×, not 3×).
    """
    pending = {id(root): seed}
    for node in reversed(topological_order(root)):
        g = pending.pop(id(node), None)
        if g is None:
            continue
        node._accumulate(g)
        if node._parents:
            for parent, g_parent in zip(node._parents, node._backward(g)):
                if g_parent is None:
                    continue
                key = id(parent)
                pending[key] = g_parent if key not in pending else add(pending[key], g_parent)
