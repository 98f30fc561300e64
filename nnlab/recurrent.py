"""Recurrent layers: an RNN and an LSTM read a batch of sequences one step at a time.

    x : (N, T, n_in)  →  h : (N, T, n_hidden)      every hidden state h_1 … h_T, with h_0 = 0

The same weights are used at every step t; the hidden state h_{t−1} carries what the layer has seen
so far into step t. `backward` is backpropagation through time: the chain rule run from the last
step back to the first, each step adding its share to the (shared) weight gradients.

Both layers follow the Layer protocol, so `Sequential`, `fit`, the losses and the optimizers work
unchanged: put `nl.LastStep()` after them to classify a sequence from its last hidden state, or
`nl.TimeDistributed(layer)` to apply a layer at every step (see nnlab.sequence).

Implementation notes (for speed, not for the idea): the input part x_t W_xᵀ of every step is one
matrix product before the loop, and ∂C/∂W_x, ∂C/∂W_h, ∂C/∂b and ∂C/∂x are one product each after
the backward loop; inside the loops only what truly depends on the previous step remains. States
are stored time-major, (T, N, ·), so that each step's slice is contiguous.

Chapter 11.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_batch, check_dtype, check_int, check_rng, fail, shape_text
from .layer import Layer
from .parameter import Parameter


class _Recurrent(Layer):
    """What RNN and LSTM share: parameters W_x, W_h, b, checked sequence input, the cache."""

    input_ndim = 3
    output_ndim = 3
    _gates = 1  # rows of W_x per hidden unit: 1 for the RNN, 4 for the LSTM (i, f, g, o)

    def __init__(self, n_in: int, n_hidden: int, *, rng: np.random.Generator, dtype=np.float64):
        super().__init__()
        kind = type(self).__name__
        where = f"{kind}(n_in={n_in!r}, n_hidden={n_hidden!r})"
        self.n_in = check_int(n_in, where, "n_in")
        self.n_hidden = self.n_out = check_int(n_hidden, where, "n_hidden")
        check_rng(rng, where)
        dtype = check_dtype(dtype, where)
        G, H = self._gates * self.n_hidden, self.n_hidden
        k = 1.0 / np.sqrt(H)
        name = f"{kind}({self.n_in}, {H})"
        self.W_x = Parameter(rng.uniform(-k, k, (G, self.n_in)).astype(dtype), f"{name}.W_x")
        self.W_h = Parameter(rng.uniform(-k, k, (G, H)).astype(dtype), f"{name}.W_h")
        self.b = Parameter(np.zeros(G, dtype=dtype), f"{name}.b")
        self._cache = None

    # the public interface names the input x (the notation of the chapter) instead of a_prev
    def forward(self, x) -> np.ndarray:
        """x : (N, T, n_in) → h : (N, T, n_hidden), every hidden state h_1 … h_T."""
        x = as_batch(x, f"{self!r}.forward", "x", self.n_in, dtype=self.dtype, ndim=3)
        h = self._forward(x)
        self._out_shape = h.shape
        return h

    def backward(self, dC_dh) -> np.ndarray:
        """∂C/∂h : (N, T, n_hidden) → ∂C/∂x : (N, T, n_in); accumulates W_x.grad, W_h.grad, b.grad.

        dC_dh[:, t] is the gradient of the cost with respect to h_t through the layers *above*
        (zero for the steps nobody reads); the path through h_{t+1} is added here.
        """
        where = f"{self!r}.backward"
        if self._cache is None:
            fail(where, "forward must run first", "backward before any forward",
                 "backward uses what forward cached: call forward on the batch, then backward.",
                 error=RuntimeError)
        g = as_batch(dC_dh, where, "dC_dh", dtype=self.dtype, ndim=3)
        if g.shape != self._out_shape:
            fail(where, f"dC_dh must have the shape of the last forward output, {shape_text(self._out_shape)}",
                 f"shape {shape_text(g.shape)}", "pass ∂C/∂h for every step (zeros where nothing reads h_t).")
        return self._backward(g)

    __call__ = forward

    def parameters(self):
        return [self.W_x, self.W_h, self.b]

    def _states(self, key: str) -> np.ndarray:
        """A cached time-major array (T, N, H) as a batch-first copy (N, T, H)."""
        if self._cache is None:
            fail(f"{self!r}.{key}", "forward must run first", "no forward pass yet",
                 "call forward on a batch of sequences, then read the states.", error=RuntimeError)
        return np.ascontiguousarray(self._cache[key].transpose(1, 0, 2))

    @property
    def h(self) -> np.ndarray:
        """Hidden states h_1 … h_T of the last forward pass, (N, T, n_hidden) (a copy)."""
        return self._states("h")

    def __repr__(self):
        return f"{type(self).__name__}(n_in={self.n_in}, n_hidden={self.n_hidden})"


class RNN(_Recurrent):
    """A simple (Elman) recurrent layer with tanh.

    per step:   h_t = tanh(z_t),   z_t = x_t W_xᵀ + h_{t−1} W_hᵀ + b,   h_0 = 0,   t = 1 … T
    per unit:   h_{t,j} = tanh(Σ_k w^x_jk x_{t,k} + Σ_m w^h_jm h_{t−1,m} + b_j)

    W_x : (n_hidden, n_in),  W_h : (n_hidden, n_hidden),  b : (n_hidden,)   (PyTorch's
    torch.nn.RNN with W_x = weight_ih_l0, W_h = weight_hh_l0, b = bias_ih_l0 + bias_hh_l0).
    x : (N, T, n_in) → h : (N, T, n_hidden), every hidden state.

    Backpropagation through time (backward), from t = T down to 1, with δ_t = ∂C/∂z_t:

        ∂C/∂h_t = dC_dh[:, t] + δ_{t+1} W_h          (the output at t, and the path through h_{t+1})
        δ_t     = ∂C/∂h_t ⊙ (1 − h_t²)               (tanh′)
        ∂C/∂W_x = Σ_t δ_tᵀ x_t    ∂C/∂W_h = Σ_t δ_tᵀ h_{t−1}    ∂C/∂b = Σ_t Σ_x δ_t    ∂C/∂x_t = δ_t W_x

    So ∂h_T/∂h_0 is a product of T Jacobians diag(1 − h_t²) W_h: it shrinks (or grows)
    geometrically with T, which is why an RNN forgets.

    Parameters
    ----------
    n_in, n_hidden : int
        Features per step, and hidden units.
    rng : np.random.Generator
        Draws W_x and W_h ~ U(−1/√n_hidden, 1/√n_hidden) (PyTorch's default); b starts at 0.
    dtype : np.float64 (default) or np.float32

    After forward, `h` holds the hidden states (N, T, n_hidden).  Chapter 11.
    """

    def _forward(self, x):
        N, T, _ = x.shape
        H = self.n_hidden
        x_tm = np.ascontiguousarray(x.transpose(1, 0, 2))                    # (T, N, n_in)
        z = (x_tm.reshape(T * N, -1) @ self.W_x.data.T).reshape(T, N, H)   # x_t W_xᵀ, all steps
        z += self.b.data
        h = np.zeros((T + 1, N, H), dtype=z.dtype)                         # h[0] = h_0 = 0
        W_hT = self.W_h.data.T
        for t in range(T):                      # h[t + 1] is h_{t+1} (the arrays count h_0 too)
            z_t = z[t]
            z_t += h[t] @ W_hT                  # z_t = x_t W_xᵀ + h_{t−1} W_hᵀ + b
            np.tanh(z_t, out=h[t + 1])          # h_t = tanh(z_t)
        self._cache = {"x": x_tm, "h": h[1:], "h_all": h}
        return h[1:].transpose(1, 0, 2)

    def _backward(self, dC_dh, input_grad=True):
        c = self._cache
        x_tm, h = c["x"], c["h_all"]
        T, N, H = h.shape[0] - 1, h.shape[1], self.n_hidden
        dC_dh = dC_dh.transpose(1, 0, 2)        # (T, N, H), time-major view
        W_h = self.W_h.data
        delta = np.empty((T, N, H), dtype=h.dtype)                         # δ_t = ∂C/∂z_t
        dC_dh_t = np.empty((N, H), dtype=h.dtype)
        from_next = None                                                   # δ_{t+1} W_h
        for t in range(T - 1, -1, -1):
            h_t = h[t + 1]
            if from_next is None:
                np.copyto(dC_dh_t, dC_dh[t])
            else:
                np.add(dC_dh[t], from_next, out=dC_dh_t)   # ∂C/∂h_t = dC_dh[:, t] + δ_{t+1} W_h
            d = delta[t]
            np.multiply(h_t, h_t, out=d)
            np.subtract(1.0, d, out=d)
            d *= dC_dh_t                                   # δ_t = ∂C/∂h_t ⊙ (1 − h_t²)
            if t > 0:                                      # h_0 = 0 is fixed: no gradient needed
                from_next = d @ W_h
        flat = delta.reshape(T * N, H)
        self.W_x.accumulate_matmul(flat.T, x_tm.reshape(T * N, -1))       # Σ_t δ_tᵀ x_t
        self.W_h.accumulate_matmul(flat.T, h[:-1].reshape(T * N, H))      # Σ_t δ_tᵀ h_{t−1}
        self.b.accumulate_sum(flat)                                        # Σ_t Σ_x δ_t
        if not input_grad:
            return None
        return (flat @ self.W_x.data).reshape(T, N, -1).transpose(1, 0, 2)  # ∂C/∂x_t = δ_t W_x


class LSTM(_Recurrent):
    """Long short-term memory (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000).

    per step, t = 1 … T, with h_0 = c_0 = 0:

        z_t = x_t W_xᵀ + h_{t−1} W_hᵀ + b          (N, 4·n_hidden): the four gates' inputs, stacked
        i_t = σ(z_t[:, 0H:1H])      input gate        how much of the candidate to write
        f_t = σ(z_t[:, 1H:2H])      forget gate       how much of the old cell to keep
        g_t = tanh(z_t[:, 2H:3H])   candidate         what to write
        o_t = σ(z_t[:, 3H:4H])      output gate       how much of the cell to show
        c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t              the cell state: an *additive* path through time
        h_t = o_t ⊙ tanh(c_t)

    Gate order i, f, g, o is PyTorch's: W_x : (4·n_hidden, n_in), W_h : (4·n_hidden, n_hidden),
    b : (4·n_hidden,) equal torch.nn.LSTM's weight_ih_l0, weight_hh_l0 and bias_ih_l0 + bias_hh_l0.
    x : (N, T, n_in) → h : (N, T, n_hidden), every hidden state.

    Backpropagation through time (backward), from t = T down to 1:

        ∂C/∂h_t = dC_dh[:, t] + δ_{t+1} W_h          (the output at t, and the path through z_{t+1})
        ∂C/∂o_t = ∂C/∂h_t ⊙ tanh(c_t)
        ∂C/∂c_t = ∂C/∂c_{t+1} ⊙ f_{t+1} + ∂C/∂h_t ⊙ o_t ⊙ (1 − tanh²(c_t))
        ∂C/∂i_t = ∂C/∂c_t ⊙ g_t    ∂C/∂g_t = ∂C/∂c_t ⊙ i_t    ∂C/∂f_t = ∂C/∂c_t ⊙ c_{t−1}
        δ_t = ∂C/∂z_t = [∂C/∂i ⊙ i(1−i), ∂C/∂f ⊙ f(1−f), ∂C/∂g ⊙ (1−g²), ∂C/∂o ⊙ o(1−o)]
        ∂C/∂W_x = Σ_t δ_tᵀ x_t    ∂C/∂W_h = Σ_t δ_tᵀ h_{t−1}    ∂C/∂b = Σ_t Σ_x δ_t    ∂C/∂x_t = δ_t W_x

    The cell path multiplies the gradient only by f_t at each step (no W_h, no tanh′): with forget
    gates near 1 it reaches far back, which is how the LSTM remembers.

    Parameters
    ----------
    n_in, n_hidden : int
        Features per step, and hidden units (H).
    rng : np.random.Generator
        Draws W_x and W_h ~ U(−1/√H, 1/√H) (PyTorch's default). b starts at 0 except the forget
        gate's block b[H:2H] = 1, so that a fresh LSTM keeps its cell (f ≈ σ(1) ≈ 0.73) instead of
        halving it at every step (Gers et al. 2000; Jozefowicz et al. 2015). Set
        ``lstm.b.data[:] = 0`` for zero biases.
    dtype : np.float64 (default) or np.float32

    After forward, `h`, `c` and the gates `i`, `f`, `g`, `o` are readable, each (N, T, H) (copies).
    Chapter 11.
    """

    _gates = 4

    def __init__(self, n_in: int, n_hidden: int, *, rng: np.random.Generator, dtype=np.float64):
        super().__init__(n_in, n_hidden, rng=rng, dtype=dtype)
        self.b.data[self.n_hidden:2 * self.n_hidden] = 1.0

    def _forward(self, x):
        N, T, _ = x.shape
        H = self.n_hidden
        x_tm = np.ascontiguousarray(x.transpose(1, 0, 2))                        # (T, N, n_in)
        z = (x_tm.reshape(T * N, -1) @ self.W_x.data.T).reshape(T, N, 4 * H)   # x_t W_xᵀ, all steps
        z += self.b.data
        dt = z.dtype
        h = np.zeros((T + 1, N, H), dtype=dt)       # h[t] is h_t; h[0] = h_0 = 0
        c = np.zeros((T + 1, N, H), dtype=dt)       # c[t] is c_t; c[0] = c_0 = 0
        tanh_c = np.empty((T, N, H), dtype=dt)      # tanh(c_t), kept for backward
        e = np.empty((N, 4 * H), dtype=dt)          # scratch for the stable sigmoid
        W_hT = self.W_h.data.T
        for t in range(T):
            a = z[t]                                 # becomes [i, f, g, o] in place
            a += h[t] @ W_hT                         # z_t = x_t W_xᵀ + h_{t−1} W_hᵀ + b
            g_t = np.tanh(a[:, 2 * H:3 * H])         # g = tanh(z_g), before σ overwrites the row
            _sigmoid_inplace(a, e)                   # i, f, o = σ(z) (the g block is redone below)
            a[:, 2 * H:3 * H] = g_t
            i_t, f_t, o_t = a[:, :H], a[:, H:2 * H], a[:, 3 * H:]
            c_t = c[t + 1]
            np.multiply(f_t, c[t], out=c_t)
            g_t *= i_t
            c_t += g_t                               # c_t = f ⊙ c_{t−1} + i ⊙ g
            np.tanh(c_t, out=tanh_c[t])
            np.multiply(o_t, tanh_c[t], out=h[t + 1])   # h_t = o ⊙ tanh(c_t)
        self._cache = {"x": x_tm, "gates": z, "h": h[1:], "c": c[1:], "h_all": h, "c_all": c,
                       "tanh_c": tanh_c}
        return h[1:].transpose(1, 0, 2)

    def _backward(self, dC_dh, input_grad=True):
        k = self._cache
        x_tm, gates, h, c, tanh_c = k["x"], k["gates"], k["h_all"], k["c_all"], k["tanh_c"]
        T, N, H = tanh_c.shape
        dt = gates.dtype
        dC_dh = dC_dh.transpose(1, 0, 2)             # (T, N, H), time-major view
        W_h = self.W_h.data
        # the local slopes of every gate, for all steps at once: σ′ = a(1 − a), tanh′ = 1 − g²
        slope = gates * (1.0 - gates)
        g_all = gates[:, :, 2 * H:3 * H]
        np.multiply(g_all, g_all, out=slope[:, :, 2 * H:3 * H])
        np.subtract(1.0, slope[:, :, 2 * H:3 * H], out=slope[:, :, 2 * H:3 * H])
        delta = np.empty_like(gates)                 # δ_t = ∂C/∂z_t, (T, N, 4H)
        dC_dh_t = np.empty((N, H), dtype=dt)
        dC_dc = np.zeros((N, H), dtype=dt)           # ∂C/∂c_t; starts as ∂C/∂c_{T+1} ⊙ f_{T+1} = 0
        tmp = np.empty((N, H), dtype=dt)
        from_next = None                             # δ_{t+1} W_h
        for t in range(T - 1, -1, -1):
            a = gates[t]
            i_t, f_t, g_t, o_t = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
            d = delta[t]
            if from_next is None:
                np.copyto(dC_dh_t, dC_dh[t])
            else:
                np.add(dC_dh[t], from_next, out=dC_dh_t)   # ∂C/∂h_t = dC_dh[:, t] + δ_{t+1} W_h
            np.multiply(dC_dh_t, tanh_c[t], out=d[:, 3 * H:])       # ∂C/∂o = ∂C/∂h ⊙ tanh(c_t)
            np.multiply(tanh_c[t], tanh_c[t], out=tmp)
            np.subtract(1.0, tmp, out=tmp)
            tmp *= o_t
            tmp *= dC_dh_t
            dC_dc += tmp                             # ∂C/∂c_t = ∂C/∂c_{t+1} f_{t+1} + ∂C/∂h o (1 − tanh²c)
            np.multiply(dC_dc, g_t, out=d[:, :H])            # ∂C/∂i = ∂C/∂c ⊙ g
            np.multiply(dC_dc, c[t], out=d[:, H:2 * H])      # ∂C/∂f = ∂C/∂c ⊙ c_{t−1}
            np.multiply(dC_dc, i_t, out=d[:, 2 * H:3 * H])   # ∂C/∂g = ∂C/∂c ⊙ i
            d *= slope[t]                                    # δ_t = ∂C/∂gate ⊙ gate′
            dC_dc *= f_t                                     # carried to step t−1: ∂C/∂c_t ⊙ f_t
            if t > 0:                                        # h_0 = 0 is fixed: no gradient needed
                from_next = d @ W_h
        flat = delta.reshape(T * N, 4 * H)
        self.W_x.accumulate_matmul(flat.T, x_tm.reshape(T * N, -1))       # Σ_t δ_tᵀ x_t
        self.W_h.accumulate_matmul(flat.T, h[:-1].reshape(T * N, H))      # Σ_t δ_tᵀ h_{t−1}
        self.b.accumulate_sum(flat)                                        # Σ_t Σ_x δ_t
        if not input_grad:
            return None
        return (flat @ self.W_x.data).reshape(T, N, -1).transpose(1, 0, 2)  # ∂C/∂x_t = δ_t W_x

    def _gate(self, j: int) -> np.ndarray:
        H = self.n_hidden
        if self._cache is None:
            self._states("h")  # raises the "forward must run first" error
        return np.ascontiguousarray(self._cache["gates"][:, :, j * H:(j + 1) * H].transpose(1, 0, 2))

    @property
    def c(self) -> np.ndarray:
        """Cell states c_1 … c_T of the last forward pass, (N, T, n_hidden) (a copy)."""
        return self._states("c")

    @property
    def i(self) -> np.ndarray:
        """Input gate i_t of every step of the last forward pass, (N, T, n_hidden) (a copy)."""
        return self._gate(0)

    @property
    def f(self) -> np.ndarray:
        """Forget gate f_t of every step of the last forward pass, (N, T, n_hidden) (a copy)."""
        return self._gate(1)

    @property
    def g(self) -> np.ndarray:
        """Candidate g_t of every step of the last forward pass, (N, T, n_hidden) (a copy)."""
        return self._gate(2)

    @property
    def o(self) -> np.ndarray:
        """Output gate o_t of every step of the last forward pass, (N, T, n_hidden) (a copy)."""
        return self._gate(3)


def _sigmoid_inplace(z: np.ndarray, e: np.ndarray) -> None:
    """z ← σ(z), stable: σ(z) = 1/(1 + e^{−|z|}) for z ≥ 0 and e^{−|z|}/(1 + e^{−|z|}) for z < 0.

    `e` is scratch of z's shape. Never overflows: e^{−|z|} ≤ 1.
    """
    negative = z < 0
    np.abs(z, out=e)
    np.negative(e, out=e)
    np.exp(e, out=e)                 # e = e^{−|z|}
    np.add(e, 1.0, out=z)
    np.divide(1.0, z, out=z)         # z = 1/(1 + e)
    e *= z                           # e = e/(1 + e)
    np.copyto(z, e, where=negative)
