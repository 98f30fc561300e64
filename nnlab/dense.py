"""The fully connected layer.

Chapter 03 (forward), chapter 07 (backward).
"""

from __future__ import annotations

import numpy as np

from ._validate import check_choice, check_dtype, check_int, check_rng
from .layer import Layer
from .parameter import Parameter

#: Weight initialisations: name → standard deviation of N(0, std²) for a layer with n_in inputs.
INITS = {
    "he": lambda n_in, n_out: np.sqrt(2.0 / n_in),               # for ReLU/ELU (He et al. 2015)
    "xavier": lambda n_in, n_out: np.sqrt(2.0 / (n_in + n_out)),  # for tanh/sigmoid (Glorot 2010)
    "lecun": lambda n_in, n_out: np.sqrt(1.0 / n_in),            # Nielsen's 1/√n_in
    "standard": lambda n_in, n_out: 1.0,                         # N(0, 1): Nielsen's first network
}


class Dense(Layer):
    """Fully connected layer: every neuron of layer l sees every neuron of layer l−1.

    z^l_j = Σ_k w^l_jk a^{l−1}_k + b^l_j        batch form: z = a_prev @ W.T + b
    W : (n_out, n_in), so W[j, k] is w^l_jk.   b : (n_out,).   a_prev : (N, n_in) → z : (N, n_out).

    Parameters
    ----------
    n_in, n_out : int
        Widths of the previous layer and of this one.
    rng : np.random.Generator
        Draws the initial weights W ~ N(0, std²); the biases start at 0.
    init : {"he", "xavier", "lecun", "standard"}
        std = √(2/n_in), √(2/(n_in+n_out)), √(1/n_in) or 1.
    dtype : np.float64 (default) or np.float32
        float32 halves memory traffic and is faster; gradient checks need float64.

    Chapter 03.
    """

    def __init__(self, n_in: int, n_out: int, *, rng: np.random.Generator, init: str = "he",
                 dtype=np.float64):
        super().__init__()
        where = f"Dense(n_in={n_in!r}, n_out={n_out!r})"
        self.n_in = check_int(n_in, where, "n_in")
        self.n_out = check_int(n_out, where, "n_out")
        check_rng(rng, where)
        check_choice(init, where, "init", tuple(INITS))
        dtype = check_dtype(dtype, where)
        std = INITS[init](self.n_in, self.n_out)
        name = f"Dense({self.n_in}, {self.n_out})"
        self.W = Parameter((std * rng.standard_normal((self.n_out, self.n_in))).astype(dtype), f"{name}.W")
        self.b = Parameter(np.zeros(self.n_out, dtype=dtype), f"{name}.b")
        self.init = init
        self._a_prev = None

    def _forward(self, a_prev):
        self._a_prev = a_prev
        z = a_prev @ self.W.data.T
        z += self.b.data
        return z

    def _backward(self, delta, input_grad=True):
        """δ = ∂C/∂z, shape (N, n_out) → ∂C/∂a_prev, shape (N, n_in); accumulates W.grad and b.grad.

        ∂C/∂w_jk = Σ_x δ_j a_prev_k    ∂C/∂b_j = Σ_x δ_j    ∂C/∂a_prev_k = Σ_j w_jk δ_j
        batch form: W.grad += δᵀ a_prev,  b.grad += Σ_rows δ,  ∂C/∂a_prev = δ W
        """
        self.W.accumulate_matmul(delta.T, self._a_prev)
        self.b.accumulate_sum(delta)
        return delta @ self.W.data if input_grad else None

    def parameters(self):
        return [self.W, self.b]

    def __repr__(self):
        return f"Dense(n_in={self.n_in}, n_out={self.n_out})"
