"""Learning-rate schedules: pure functions of the step number t = 0, 1, 2, … returning η_t.

    constant(η₀)                          η_t = η₀
    step_decay(η₀, drop, every)           η_t = η₀ · drop^⌊t / every⌋
    exponential_decay(η₀, rate, every)    η_t = η₀ · rate^(t / every)
    inverse_time_decay(η₀, k)             η_t = η₀ / (1 + k t)
    cosine_decay(η₀, total, η_min=0)      η_t = η_min + ½ (η₀ − η_min)(1 + cos(π · min(t, total) / total))

Each returns a callable; pass it as an optimizer's `lr` (or to `fit(schedule=...)`). Calling it twice
with the same t gives the same η: no hidden state.

Chapter 05.
"""

from __future__ import annotations

import math

from ._validate import check_float, check_int


class Schedule:
    """A learning-rate schedule: `schedule(t)` → η_t. Has a readable repr and `table(steps)`."""

    def __init__(self, name: str, formula, **params):
        self.name, self._formula, self.params = name, formula, params

    def __call__(self, t: int) -> float:
        if type(t) is not int or t < 0:  # called every step: build the message only when needed
            t = check_int(t, f"{self!r}", "t (the step number)", minimum=0)
        return float(self._formula(t))

    def table(self, steps) -> list[tuple[int, float]]:
        """[(t, η_t) for t in steps], for printing or plotting."""
        return [(t, self(t)) for t in steps]

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.name}({args})"


def _lr0(lr0, name):
    return check_float(lr0, name, "lr0", low=0.0, low_open=True)


def constant(lr0: float) -> Schedule:
    """η_t = η₀."""
    lr0 = _lr0(lr0, "constant")
    return Schedule("constant", lambda t: lr0, lr0=lr0)


def step_decay(lr0: float, drop: float = 0.5, every: int = 1000) -> Schedule:
    """η_t = η₀ · drop^⌊t / every⌋: multiply by `drop` every `every` steps."""
    lr0 = _lr0(lr0, "step_decay")
    drop = check_float(drop, "step_decay", "drop", low=0.0, high=1.0, low_open=True)
    every = check_int(every, "step_decay", "every")
    return Schedule("step_decay", lambda t: lr0 * drop ** (t // every), lr0=lr0, drop=drop, every=every)


def exponential_decay(lr0: float, rate: float = 0.5, every: int = 1000) -> Schedule:
    """η_t = η₀ · rate^(t / every): the smooth version of step decay."""
    lr0 = _lr0(lr0, "exponential_decay")
    rate = check_float(rate, "exponential_decay", "rate", low=0.0, high=1.0, low_open=True)
    every = check_int(every, "exponential_decay", "every")
    return Schedule("exponential_decay", lambda t: lr0 * rate ** (t / every),
                    lr0=lr0, rate=rate, every=every)


def inverse_time_decay(lr0: float, k: float = 1e-3) -> Schedule:
    """η_t = η₀ / (1 + k t): Σ η_t diverges while η_t → 0, the classic condition for SGD to settle."""
    lr0 = _lr0(lr0, "inverse_time_decay")
    k = check_float(k, "inverse_time_decay", "k", low=0.0)
    return Schedule("inverse_time_decay", lambda t: lr0 / (1.0 + k * t), lr0=lr0, k=k)


def cosine_decay(lr0: float, total: int, lr_min: float = 0.0) -> Schedule:
    """η_t = η_min + ½ (η₀ − η_min)(1 + cos(π · min(t, total) / total)); η_min after `total` steps."""
    lr0 = _lr0(lr0, "cosine_decay")
    total = check_int(total, "cosine_decay", "total")
    lr_min = check_float(lr_min, "cosine_decay", "lr_min", low=0.0, high=lr0)
    return Schedule("cosine_decay",
                    lambda t: lr_min + 0.5 * (lr0 - lr_min) * (1.0 + math.cos(math.pi * min(t, total) / total)),
                    lr0=lr0, total=total, lr_min=lr_min)
