"""Tensor: Value's idea on numpy arrays — every operation records its inputs and its local rule.

    W = Tensor(rng.standard_normal((3, 2)))
    b = Tensor(np.zeros(3))
    z = x @ W.T + b                   # x a plain array: a constant
    C = (z.tanh() ** 2).mean()
    C.backward()                      # W.grad = ∂C/∂W, b.grad = ∂C/∂b, shaped like W and b

The local rules are those of chapter 07, now one per operation:

    a @ W:       ∂/∂a = g Wᵀ,  ∂/∂W = aᵀ g
    a + b:       g for each, summed over the axes where that operand was broadcast
    a · b:       g · b and g · a (each summed back to its operand's shape)
    a.sum(axis): g copied back along the summed axis
    a[idx]:      g scattered back to the picked entries (repeated picks add up)

Chapter 12.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._graph import backpropagate, topological_order


def _unbroadcast(g: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum g over the axes that broadcasting added or stretched, so that it gets `shape` back.

    If b of shape (3,) was added to z of shape (N, 3), each b_j was used N times: ∂C/∂b_j = Σ_n g_nj.
    """
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    if lead:
        g = g.sum(axis=tuple(range(lead)))
    stretched = tuple(k for k, n in enumerate(shape) if n == 1 and g.shape[k] != 1)
    if stretched:
        g = g.sum(axis=stretched, keepdims=True)
    return g


def _as_array(x, dtype=None) -> np.ndarray:
    arr = np.asarray(x, dtype=dtype)
    if arr.dtype not in (np.float32, np.float64):
        if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool) or np.iscomplexobj(arr):
            raise TypeError(f"Tensor: data must be real numbers, got dtype {arr.dtype}.")
        arr = arr.astype(np.float64)
    return arr


def _operand(x, op: str):
    """(Tensor or None, array): a Tensor takes part in the graph; a number or array is a constant."""
    if isinstance(x, Tensor):
        return x, x.data
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return None, float(x)            # a Python number keeps the tensor's dtype (float32 stays)
    if isinstance(x, (np.ndarray, list, tuple)):
        return None, _as_array(x)
    raise TypeError(f"Tensor {op}: the other operand must be a Tensor, an array or a number, got "
                    f"{type(x).__name__}.")


class Tensor:
    """An array `data` with `grad` = ∂C/∂data after C.backward(), and the graph that produced it.

    Operations: + − * / and ** (number exponent) with broadcasting, on either side of a number or
    array; @ (2-D or batched); sum(axis, keepdims), mean(axis, keepdims); exp, log, tanh, sigmoid
    (stable, via e^{−|z|}), relu; T; indexing (slices, integers, integer arrays); reshape; and
    nl.autograd.stack. Plain arrays and numbers in an expression are constants (no gradient).

    `Tensor(data)` keeps a float array as it is (no copy) and never writes into it, so a Tensor can
    stand for an nnlab Parameter's weights. Integer data becomes float64.

    Attributes
    ----------
    data : ndarray
    grad : ndarray shaped like data: zeros until backward() reaches this tensor; backward calls
        add up. Read it, do not modify it in place (nodes may share a gradient array).
    parents : tuple of Tensor;  op : str (the operation that made it, "" for a leaf)

    Chapter 12.
    """

    __slots__ = ("data", "_grad", "_parents", "_backward", "op", "label")
    __array_ufunc__ = None   # `array + tensor` and `array @ tensor` use Tensor's own operations

    def __init__(self, data, label: str = "", *, dtype=None):
        self.data = _as_array(data, dtype)
        self._grad = None
        self._parents: tuple = ()
        self._backward = None
        self.op = ""
        self.label = label

    @staticmethod
    def _result(data: np.ndarray, parents: tuple, op: str, rule) -> "Tensor":
        out = Tensor.__new__(Tensor)
        out.data, out._grad, out._parents, out._backward, out.op, out.label = data, None, parents, rule, op, ""
        return out

    # -- properties --------------------------------------------------------------------------
    @property
    def grad(self) -> np.ndarray:
        if self._grad is None:
            return np.zeros_like(self.data)
        return self._grad

    @property
    def parents(self) -> tuple:
        return self._parents

    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self):
        return self.data.dtype

    def __len__(self):
        return len(self.data)

    # -- elementwise arithmetic, with broadcasting --------------------------------------------
    def _binary(self, other, op, forward, rule, reflected=False):
        t, b = _operand(other, op)
        a = self.data
        if t is None and isinstance(b, float):
            b = a.dtype.type(b)         # a number takes the tensor's dtype (numpy 1.x would upcast 0-d)
        if reflected:
            data = forward(b, a)
        else:
            data = forward(a, b)
        parents = (self,) if t is None else (self, t)
        return Tensor._result(data, parents, op, rule(a, b, t is not None, reflected))

    def __add__(self, other):
        def rule(a, b, both, _):
            if both:
                return lambda g: (_unbroadcast(g, a.shape), _unbroadcast(g, b.shape))
            return lambda g: (_unbroadcast(g, a.shape),)
        return self._binary(other, "+", np.add, rule)

    __radd__ = __add__

    def __sub__(self, other):
        def rule(a, b, both, _):
            if both:
                return lambda g: (_unbroadcast(g, a.shape), _unbroadcast(-g, b.shape))
            return lambda g: (_unbroadcast(g, a.shape),)
        return self._binary(other, "-", np.subtract, rule)

    def __rsub__(self, other):          # other − self
        def rule(a, b, both, _):
            return lambda g: (_unbroadcast(-g, a.shape),)
        return self._binary(other, "-", np.subtract, rule, reflected=True)

    def __mul__(self, other):
        def rule(a, b, both, _):
            if both:
                return lambda g: (_unbroadcast(g * b, a.shape), _unbroadcast(g * a, b.shape))
            return lambda g: (_unbroadcast(g * b, a.shape),)
        return self._binary(other, "*", np.multiply, rule)

    __rmul__ = __mul__

    def __truediv__(self, other):       # a / b:  ∂/∂a = 1/b,  ∂/∂b = −a/b²
        def rule(a, b, both, _):
            if both:
                return lambda g: (_unbroadcast(g / b, a.shape), _unbroadcast(-g * a / (b * b), b.shape))
            return lambda g: (_unbroadcast(g / b, a.shape),)
        return self._binary(other, "/", np.divide, rule)

    def __rtruediv__(self, other):      # other / self:  ∂/∂self = −other/self²
        def rule(a, b, both, _):
            return lambda g: (_unbroadcast(-g * b / (a * a), a.shape),)
        return self._binary(other, "/", np.divide, rule, reflected=True)

    def __neg__(self):
        return Tensor._result(-self.data, (self,), "neg", lambda g: (-g,))

    def __pow__(self, n):
        if isinstance(n, (Tensor, bool)) or not isinstance(n, numbers.Real):
            raise TypeError(f"Tensor **: the exponent must be a plain number, got {type(n).__name__}. "
                            "Hint: for a Tensor exponent write (b * a.log()).exp().")
        a = self.data
        return Tensor._result(a ** n, (self,), f"**{n:g}",
                              lambda g: (g * (n * a ** (n - 1)),))     # ∂aⁿ/∂a = n aⁿ⁻¹

    # -- matrix product ----------------------------------------------------------------------
    def __matmul__(self, other):
        t, b = _operand(other, "@")
        return _matmul(self, self.data, t, b)

    def __rmatmul__(self, other):       # other @ self, other a constant array
        _, a = _operand(other, "@")
        return _matmul(None, a, self, self.data)

    # -- reductions --------------------------------------------------------------------------
    def sum(self, axis=None, keepdims: bool = False):
        """Σ over `axis` (all axes when None). backward: g copied back along the summed axes."""
        a = self.data
        out = a.sum(axis=axis, keepdims=keepdims)

        def rule(g):
            if axis is not None and not keepdims:
                g = np.expand_dims(g, axis)
            return (np.broadcast_to(g, a.shape),)
        return Tensor._result(np.asarray(out), (self,), "sum", rule)

    def mean(self, axis=None, keepdims: bool = False):
        """Mean over `axis`: the sum divided by the number of entries summed."""
        count = self.data.size if axis is None else int(np.prod([self.data.shape[k] for k in np.atleast_1d(axis)]))
        return self.sum(axis=axis, keepdims=keepdims) * (1.0 / count)

    # -- elementwise functions ---------------------------------------------------------------
    def exp(self):
        e = np.exp(self.data)
        return Tensor._result(e, (self,), "exp", lambda g: (g * e,))             # ∂eᵃ = eᵃ

    def log(self):
        a = self.data
        return Tensor._result(np.log(a), (self,), "log", lambda g: (g / a,))     # ∂log a = 1/a

    def tanh(self):
        t = np.tanh(self.data)
        return Tensor._result(t, (self,), "tanh", lambda g: (g * (1.0 - t * t),))  # 1 − tanh²

    def sigmoid(self):
        z = self.data
        e = np.exp(-np.abs(z))                                   # e^{−|z|} ≤ 1: never overflows
        r = 1.0 / (1.0 + e)
        s = np.where(z >= 0, r, e * r)                           # 1/(1+e^{−z}) or e^{z}/(1+e^{z})
        return Tensor._result(s, (self,), "σ", lambda g: (g * (s * (1.0 - s)),))   # σ(1 − σ)

    def relu(self):
        a = self.data
        return Tensor._result(np.maximum(a, 0.0), (self,), "relu", lambda g: (g * (a > 0),))

    # -- shapes ------------------------------------------------------------------------------
    @property
    def T(self):
        """The transpose (all axes reversed); backward transposes g back."""
        return Tensor._result(self.data.T, (self,), "T", lambda g: (g.T,))

    def reshape(self, *shape):
        a_shape = self.data.shape
        return Tensor._result(self.data.reshape(*shape), (self,), "reshape",
                              lambda g: (g.reshape(a_shape),))

    def __getitem__(self, index):
        """Slices, integers and integer arrays (t[np.arange(N), y] picks one entry per row)."""
        if isinstance(index, Tensor):
            index = index.data
        a = self.data
        advanced = any(isinstance(k, (np.ndarray, list)) for k in
                       (index if isinstance(index, tuple) else (index,)))

        def rule(g):
            full = np.zeros_like(a)
            if advanced:
                np.add.at(full, index, g)          # an entry picked twice gets both gradients
            else:
                full[index] = g
            return (full,)
        return Tensor._result(a[index], (self,), "[]", rule)

    # -- backward ----------------------------------------------------------------------------
    def topological_order(self) -> list:
        """Every Tensor this one depends on, each after its parents; this one last."""
        return topological_order(self)

    def backward(self, grad=None) -> None:
        """Fill `grad` for every Tensor this one was computed from, in reverse topological order.

        grad : ∂C/∂(this tensor), shaped like it; by default 1, which needs a single-number tensor
        (a cost C). Gradients add up over calls, like nnlab's Parameter.grad.
        """
        if grad is None:
            if self.data.size != 1:
                raise ValueError(f"Tensor.backward: the default gradient 1 needs a single number, got "
                                 f"shape {self.data.shape}. Hint: reduce to a cost first, e.g. "
                                 f"t.sum().backward(), or pass grad= shaped like the tensor.")
            seed = np.ones_like(self.data)
        else:
            seed = _as_array(grad, self.data.dtype)
            if seed.shape != self.data.shape:
                raise ValueError(f"Tensor.backward: grad must have the tensor's shape {self.data.shape}, "
                                 f"got shape {seed.shape}.")
        backpropagate(self, seed, np.add)

    def _accumulate(self, g: np.ndarray) -> None:
        if g.shape != self.data.shape:          # a broadcast gradient of a scalar op: make it full
            g = np.broadcast_to(g, self.data.shape)
        self._grad = g if self._grad is None else self._grad + g

    def zero_grad(self) -> None:
        """Forget the gradient of this Tensor and of every Tensor it was computed from."""
        for t in topological_order(self):
            t._grad = None

    def numpy(self) -> np.ndarray:
        """The data (the array itself, not a copy)."""
        return self.data

    def __repr__(self):
        label = f", label={self.label!r}" if self.label else ""
        op = f", op={self.op!r}" if self.op else ""
        if self.data.size <= 6:
            body = np.array2string(self.data, precision=4, separator=", ", prefix="Tensor(")
        else:
            body = f"shape={self.data.shape}, dtype={self.data.dtype}"
        return f"Tensor({body}{op}{label})"


def _matmul(ta, a, tb, b) -> Tensor:
    """a @ b with ∂/∂a = g bᵀ and ∂/∂b = aᵀ g (over the last two axes; batch axes summed back)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.ndim < 2 or b.ndim < 2:
        raise ValueError(f"Tensor @: both operands must be at least 2-D, got shapes {a.shape} and {b.shape}. "
                         "Hint: a vector v is a one-row matrix v.reshape(1, -1) (or a column reshape(-1, 1)).")
    data = a @ b
    parents = tuple(t for t in (ta, tb) if t is not None)

    def rule(g):
        grads = []
        if ta is not None:
            grads.append(_unbroadcast(g @ np.swapaxes(b, -1, -2), a.shape))   # g Wᵀ
        if tb is not None:
            grads.append(_unbroadcast(np.swapaxes(a, -1, -2) @ g, b.shape))   # aᵀ g
        return tuple(grads)
    return Tensor._result(data, parents, "@", rule)


def stack(tensors, axis: int = 0) -> Tensor:
    """Join Tensors of one shape along a new axis (the hidden states h_1 … h_T into (N, T, H)).

    backward: each input gets its slice of g.
    """
    tensors = list(tensors)
    if not tensors or not all(isinstance(t, Tensor) for t in tensors):
        raise TypeError("nnlab.autograd.stack: tensors must be a non-empty sequence of Tensors.")
    data = np.stack([t.data for t in tensors], axis=axis)

    def rule(g):
        return tuple(np.take(g, k, axis=axis) for k in range(len(tensors)))
    return Tensor._result(data, tuple(tensors), "stack", rule)
