"""Value: a number that remembers how it was computed, so that its gradient can be computed backward.

    a, b = Value(2.0), Value(-3.0)
    C = (a * b + a.exp()).tanh()
    C.backward()           # fills C.grad = 1, then a.grad = ∂C/∂a and b.grad = ∂C/∂b
    a.grad, b.grad

Each operation creates a new Value whose `parents` are its inputs and whose local rule says, given
the upstream gradient g = ∂C/∂out, what ∂C/∂input is (the chain rule: local gradient × g). backward()
visits the graph from C back to the leaves in reverse topological order, so every node's gradient is
complete before it is passed on. The idea is Andrej Karpathy's micrograd.

Chapter 12.
"""

from __future__ import annotations

import math
import numbers

from ._graph import backpropagate, topological_order


def _value(x, op: str) -> "Value":
    """x as a Value (plain numbers become constants: leaves whose gradient nobody reads)."""
    if isinstance(x, Value):
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return Value(float(x))
    raise TypeError(f"Value {op}: the other operand must be a Value or a real number, got "
                    f"{type(x).__name__} {x!r}. Hint: for arrays, use nl.autograd.Tensor.")


class Value:
    """A scalar with `data`, its gradient `grad` = ∂C/∂(this value), and the graph that produced it.

    Operations: + − * / (with Values or plain numbers, on either side), unary −, ** with a number
    exponent, exp(), log(), tanh(), sigmoid(), relu(). Local rules (∂out/∂input):

        a + b: 1, 1      a − b: 1, −1      a · b: b, a      a / b: 1/b, −a/b²      aⁿ: n aⁿ⁻¹
        eᵃ: eᵃ           log a: 1/a        tanh a: 1 − tanh² a     σ(a): σ(a)(1 − σ(a))
        relu a: 1 if a > 0 else 0

    Attributes
    ----------
    data : float
    grad : float, 0 until backward() reaches this value; backward calls add up
    parents : tuple of Value, the inputs of the operation that made it (empty for a leaf)
    op : str, that operation ("+", "*", "tanh", …; "" for a leaf)
    label : str, an optional name for drawings of the graph

    Chapter 12.
    """

    __slots__ = ("data", "grad", "_parents", "_backward", "op", "label")

    def __init__(self, data: float, label: str = ""):
        if isinstance(data, bool) or not isinstance(data, numbers.Real):
            raise TypeError(f"Value: data must be a real number, got {type(data).__name__} {data!r}.")
        self.data = float(data)
        self.grad = 0.0
        self._parents: tuple = ()
        self._backward = None
        self.op = ""
        self.label = label

    @classmethod
    def _result(cls, data: float, parents: tuple, op: str, rule) -> "Value":
        out = cls(data)
        out._parents, out.op, out._backward = parents, op, rule
        return out

    @property
    def parents(self) -> tuple:
        return self._parents

    # -- arithmetic --------------------------------------------------------------------------
    def __add__(self, other):
        other = _value(other, "+")
        return Value._result(self.data + other.data, (self, other), "+",
                             lambda g: (g, g))                        # ∂(a+b)/∂a = ∂(a+b)/∂b = 1

    def __mul__(self, other):
        other = _value(other, "*")
        return Value._result(self.data * other.data, (self, other), "*",
                             lambda g: (g * other.data, g * self.data))  # ∂(ab)/∂a = b, ∂(ab)/∂b = a

    def __pow__(self, n):
        if isinstance(n, Value) or isinstance(n, bool) or not isinstance(n, numbers.Real):
            raise TypeError(f"Value **: the exponent must be a plain number, got {type(n).__name__} {n!r}. "
                            "Hint: for a Value exponent write (b * a.log()).exp() for a ** b.")
        n = float(n)
        if self.data < 0 and not n.is_integer():
            raise ValueError(f"Value **: a negative base needs a whole exponent, got "
                             f"{self.data!r} ** {n!r}.")
        if self.data == 0 and n < 0:
            raise ZeroDivisionError(f"Value **: 0 ** {n!r} is infinite.")
        a = self.data
        if a == 0 and n < 1:               # at a = 0: ∂a⁰/∂a = 0; ∂aⁿ/∂a = +∞ for 0 < n < 1 (√a, like torch)
            local = 0.0 if n == 0 else math.inf
        else:
            local = n * a ** (n - 1)       # ∂aⁿ/∂a = n aⁿ⁻¹
        return Value._result(a ** n, (self,), f"**{n:g}", lambda g: (g * local,))

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-_value(other, "-"))

    def __truediv__(self, other):
        return self * _value(other, "/") ** -1

    def __radd__(self, other):
        return _value(other, "+") + self

    def __rsub__(self, other):
        return _value(other, "-") + (-self)

    def __rmul__(self, other):
        return _value(other, "*") * self

    def __rtruediv__(self, other):
        return _value(other, "/") * self ** -1

    # -- functions ---------------------------------------------------------------------------
    def exp(self):
        e = math.exp(self.data) if self.data < 709.78 else math.inf
        return Value._result(e, (self,), "exp", lambda g: (g * e,))   # ∂eᵃ/∂a = eᵃ

    def log(self):
        if self.data <= 0:
            raise ValueError(f"Value.log: data must be > 0, got {self.data!r}.")
        return Value._result(math.log(self.data), (self,), "log",
                             lambda g: (g / self.data,))              # ∂log a/∂a = 1/a

    def tanh(self):
        t = math.tanh(self.data)
        return Value._result(t, (self,), "tanh", lambda g: (g * (1.0 - t * t),))  # 1 − tanh²

    def sigmoid(self):
        e = math.exp(-abs(self.data))                                 # ≤ 1: never overflows
        s = 1.0 / (1.0 + e) if self.data >= 0 else e / (1.0 + e)
        return Value._result(s, (self,), "σ", lambda g: (g * s * (1.0 - s),))   # σ(1 − σ)

    def relu(self):
        r = self.data if self.data > 0 else 0.0
        return Value._result(r, (self,), "relu",
                             lambda g: (g if self.data > 0 else 0.0,))   # 1 if a > 0 else 0

    # -- backward ----------------------------------------------------------------------------
    def topological_order(self) -> list:
        """Every Value this one depends on, each after its parents; this one last."""
        return topological_order(self)

    def backward(self) -> None:
        """Fill `grad` = ∂(this value)/∂v for every Value v it was computed from (and 1 for itself).

        Visits the graph in reverse topological order; each node passes local gradient × its own
        gradient to its parents. Gradients add up over calls, like nnlab's Parameter.grad.
        """
        backpropagate(self, 1.0, lambda a, b: a + b)

    def _accumulate(self, g: float) -> None:
        self.grad += g

    def zero_grad(self) -> None:
        """Set grad = 0 on this Value and every Value it was computed from."""
        for v in topological_order(self):
            v.grad = 0.0

    def __repr__(self):
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{label})"
