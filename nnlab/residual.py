"""Residual connection: add a block's input to its output, a = a_prev + F(a_prev).

Chapter 10.
"""

from __future__ import annotations

from ._validate import fail
from .layer import Layer
from .model import Sequential, chain_widths


class Residual(Layer):
    """a = a_prev + F(a_prev), where F is the block (one layer, or several run in sequence).

    backward:  ∂C/∂a_prev = ∂C/∂a + F.backward(∂C/∂a)

    The identity path carries ∂C/∂a back unchanged, however small the block's own gradient is:
    this is what keeps gradients alive in deep networks. F must keep the width (n_in = n_out).

    Example: ``Residual(Dense(32, 32, rng=rng), Tanh())``.  Chapter 10.
    """

    def __init__(self, *block: Layer):
        super().__init__()
        if not block:
            fail("Residual", "a block of at least one layer", "none",
                 "Residual(nl.Dense(32, 32, rng=rng), nl.Tanh())")
        n_in, n_out = chain_widths(block, "Residual")
        if n_in != n_out:
            fail("Residual", "a block that keeps the width (n_in = n_out), so that a_prev + F(a_prev) "
                 "is defined", f"n_in={n_in}, n_out={n_out}",
                 "use Dense(n, n) inside a residual block.")
        self.block = block[0] if len(block) == 1 else Sequential(*block)
        self.n_in = self.n_out = n_in

    def _forward(self, a_prev):
        out = self.block._forward(a_prev)
        self.block._out_shape = out.shape  # so the block's own backward can be called by hand
        return a_prev + out

    def _backward(self, dC_da, input_grad=True):
        return dC_da + self.block._backward(dC_da, True)

    def parameters(self):
        return self.block.parameters()

    def train(self):
        self.training = True
        self.block.train()
        return self

    def eval(self):
        self.training = False
        self.block.eval()
        return self

    def _name(self):
        return "Residual"

    def __repr__(self):
        return f"Residual({self.block!r})"
