"""Inverted dropout: drop each unit with probability p_drop while training, scale the kept ones.

Chapter 09.
"""

from __future__ import annotations

import numpy as np

from ._validate import check_float, check_rng
from .layer import Layer


class Dropout(Layer):
    """Inverted dropout with drop probability `p_drop`.

    training:  m_j ~ Bernoulli(1 − p_drop) (1 = keep),  a_j = m_j a_prev_j / (1 − p_drop)
    eval:      a = a_prev (the identity: the scaling already happened while training)
    backward:  ∂C/∂a_prev = ∂C/∂a ⊙ m / (1 − p_drop)

    The scaling keeps the expected activation equal in both modes: E[a_j] = a_prev_j.
    A fresh mask is drawn from `rng` at every training forward pass; `mask` holds the last one
    (True = kept), for plots.

    Parameters
    ----------
    p_drop : float in [0, 1)
        Probability of *dropping* a unit (not of keeping it).
    rng : np.random.Generator

    Chapter 09.
    """

    def __init__(self, p_drop: float, *, rng: np.random.Generator):
        super().__init__()
        where = f"Dropout(p_drop={p_drop!r})"
        self.p_drop = check_float(p_drop, where, "p_drop", low=0.0, high=1.0, high_open=True,
                                  hint="p_drop is the probability of dropping a unit; "
                                       "0.5 drops half of them.")
        self.rng = check_rng(rng, where)
        self.mask = None
        self._scaled_mask = None

    def _forward(self, a_prev):
        if not self.training or self.p_drop == 0.0:
            self._scaled_mask = None
            return a_prev
        self.mask = self.rng.random(a_prev.shape, dtype=a_prev.dtype) >= self.p_drop
        self._scaled_mask = self.mask * a_prev.dtype.type(1.0 / (1.0 - self.p_drop))
        return a_prev * self._scaled_mask

    def _backward(self, dC_da, input_grad=True):
        if self._scaled_mask is None:
            return dC_da
        return dC_da * self._scaled_mask

    def __repr__(self):
        return f"Dropout(p_drop={self.p_drop})"
