"""Numbers at the level of rounding, said the same way on every machine.

Two ways of computing the same thing in float64 agree to about 1e-16 relative — but the last bits
depend on the machine: another CPU (AVX-512 or not), another BLAS, another numpy sums in another
order, so a difference printed as 5.6e-17 on one laptop is 0.0e+00 or 1.1e-16 on the next. Those
digits carry no information; what the reader needs is the bound they are under:

    tiny(5.6e-17)              → '< 1e-12'       (the default bound, far above any rounding)
    tiny(4.9e-10, below=1e-7)  → '< 1e-7'        (a gradient check's verdict, not its digits)
    tiny(0.63, below=1e-7)     → '6.3e-01'       (not tiny at all: the number itself, 2 digits)

Choose `below` with a wide margin (at least 100×) over the largest value any machine can give, so
the text never flips; a value at or above it is printed with two significant digits, which is what
a real error (a wrong gradient, a bug) looks like. For an array the largest |entry| counts, so
`tiny(a - b)` says how far apart two arrays are.

Used by every chapter, by `nl.gradcheck`'s reports and by the exercise checks. Chapter 01.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ._validate import describe, fail

__all__ = ["tiny", "bound_text"]


def bound_text(bound: float) -> str:
    """A bound written the short way: 1e-12 → '1e-12', 1e-07 → '1e-7', 5e-08 → '5e-8', 0.01 → '1e-2'."""
    mantissa, exponent = f"{bound:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def tiny(x, below: float = 1e-12) -> str:
    """'< below' when |x| < below, else |x|'s value with two significant digits.

    Parameters
    ----------
    x : float or array_like — a difference, an error, a residual; for an array, max |x| counts
    below : float > 0 — the bound to state (default 1e-12)

    Returns
    -------
    str, e.g. '< 1e-12' or '3.2e-04'; 'nan' or 'inf' when x is not finite (never "tiny").

    Chapter 01.
    """
    where = "nnlab.tiny"
    if isinstance(below, bool) or not isinstance(below, numbers.Real) or not math.isfinite(below) \
            or below <= 0:
        fail(where, "below must be a positive, finite number (the bound to state)", describe(below),
             "e.g. below=1e-12 for a difference between two float64 computations.")
    try:
        values = np.asarray(x)
    except (TypeError, ValueError):
        values = None
    if values is None or values.dtype.kind not in "iuf":
        fail(where, "x must be a number or an array of numbers", describe(x),
             "pass the difference itself, e.g. tiny(a - b).", error=TypeError)
    values = values.astype(np.float64, copy=False)
    if values.size == 0:
        fail(where, "x must hold at least one number", "an empty array")
    magnitude = float(np.max(np.abs(values)))
    if math.isnan(magnitude):
        return "nan"
    if magnitude < below:
        return f"< {bound_text(below)}"
    return f"{magnitude:.1e}"
