"""Checks at the public boundary, all in one voice: where, what was expected, what was given, a hint.

    Dense(n_in=3, n_out=2).forward: a_prev must be 2-D with shape (N, 3), got shape (3,).
    Hint: a single example is a batch of one: a_prev[None, :].

Every public function or method validates what the user passes in and then calls an unchecked
kernel; internal calls (a Sequential calling its layers, `fit` calling the model) skip the checks
after validating once.
"""

from __future__ import annotations

import numbers

import numpy as np


def message(where: str, expected: str, got: str, hint: str | None = None) -> str:
    """Build the one-voice error message: ``"<where>: <expected>, got <got>. Hint: <hint>"``."""
    text = f"{where}: {expected}, got {got}."
    if hint:
        text += f" Hint: {hint}"
    return text


def fail(where: str, expected: str, got: str, hint: str | None = None, error=ValueError):
    """Raise `error` (ValueError by default) with the one-voice message."""
    raise error(message(where, expected, got, hint))


def describe(x) -> str:
    """A short description of a value for an error message: type and, for arrays, shape and dtype."""
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape} and dtype {x.dtype}"
    if isinstance(x, (list, tuple)):
        return f"a {type(x).__name__} of length {len(x)}"
    return f"{type(x).__name__} {x!r}"


def shape_text(shape: tuple) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def all_finite(x: np.ndarray) -> bool:
    """True if every entry is finite. One fast pass (a sum); a full check only if the sum is not finite."""
    if x.size == 0:
        return True
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.add.reduce(x, axis=None)
    if np.isfinite(total):
        return True
    return bool(np.isfinite(x).all())


def first_nonfinite(x: np.ndarray) -> tuple:
    """Index of the first non-finite entry of `x` (as a tuple), for error messages."""
    return tuple(int(i) for i in np.argwhere(~np.isfinite(x))[0])


def as_float_array(x, where: str, name: str, *, ndim: int | None = None, finite: bool = True,
                   dtype=None) -> np.ndarray:
    """`x` as a floating-point ndarray without copying when it already is one.

    Raises TypeError for non-numeric input, ValueError for a wrong number of dimensions or a
    non-finite entry. Integer and bool arrays are converted to float64 (or `dtype`).
    """
    if isinstance(x, np.ndarray):
        arr = x
    else:
        try:
            arr = np.asarray(x)
        except (TypeError, ValueError):
            fail(where, f"{name} must be a numeric array", describe(x), error=TypeError)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        fail(where, f"{name} must be a numeric array", f"dtype {arr.dtype}",
             "convert it with np.asarray(..., dtype=float).", error=TypeError)
    if np.iscomplexobj(arr):
        fail(where, f"{name} must be real", f"dtype {arr.dtype}", error=TypeError)
    if dtype is not None:
        arr = arr.astype(dtype, copy=False)
    elif arr.dtype not in (np.float32, np.float64):  # ints, bools, float16, longdouble
        arr = arr.astype(np.float64)
    if ndim is not None and arr.ndim != ndim:
        fail(where, f"{name} must be {ndim}-D", f"shape {shape_text(arr.shape)}")
    if finite and not all_finite(arr):
        fail(where, f"{name} must contain only finite numbers",
             f"{arr[first_nonfinite(arr)]} at index {first_nonfinite(arr)}",
             "look for a division by zero or a log of zero upstream, or lower the learning rate.")
    return arr


def as_batch(x, where: str, name: str, width: int | None = None, *, dtype=None,
             finite: bool = True, ndim: int = 2) -> np.ndarray:
    """`x` as a 2-D float batch of shape (N, width); a 1-D input is an error with a hint, never reshaped.

    With ndim=3, `x` is a batch of sequences, shape (N, T, width), as recurrent layers take it.
    """
    arr = as_float_array(x, where, name, finite=False, dtype=dtype)
    if ndim == 3:
        return _as_sequences(arr, where, name, width, finite)
    expected = f"2-D with shape (N, {width})" if width is not None else "2-D with shape (N, features)"
    if arr.ndim != 2:
        hint = (f"a single example is a batch of one: {name}[None, :]." if arr.ndim == 1 else
                f"flatten each example first: {name}.reshape(len({name}), -1)." if arr.ndim > 2 else None)
        if arr.ndim == 3:
            hint += (" If these are sequences (N, T, features) from an RNN or LSTM, put nl.LastStep() "
                     "before this layer to keep the last step's hidden state, or wrap the layer in "
                     "nl.TimeDistributed(...) to apply it at every step.")
        fail(where, f"{name} must be {expected}", f"shape {shape_text(arr.shape)}", hint)
    if width is not None and arr.shape[1] != width:
        fail(where, f"{name} must be {expected}", f"shape {shape_text(arr.shape)}",
             "check the layer sizes: each layer's n_in must equal the previous layer's n_out.")
    if arr.shape[0] == 0:
        fail(where, f"{name} must hold at least one example", f"shape {shape_text(arr.shape)}")
    if finite and not all_finite(arr):
        idx = first_nonfinite(arr)
        fail(where, f"{name} must contain only finite numbers", f"{arr[idx]} at index {idx}",
             "look for a division by zero or a log of zero upstream, or lower the learning rate.")
    return arr


def _as_sequences(arr: np.ndarray, where: str, name: str, width: int | None, finite: bool) -> np.ndarray:
    """as_batch(..., ndim=3): a batch of N sequences of T steps, shape (N, T, width)."""
    expected = (f"3-D with shape (N, T, {width})" if width is not None else
                "3-D with shape (N, T, features)")
    if arr.ndim != 3:
        hint = None
        if arr.ndim in (1, 2):
            hint = (f"a batch of sequences is (examples N, steps T, features per step): one sequence "
                    f"of shape (T, features) is {name}[None]; sequences of one number per step, "
                    f"shape (N, T), are {name}[:, :, None].")
        fail(where, f"{name} must be {expected}", f"shape {shape_text(arr.shape)}", hint)
    if width is not None and arr.shape[2] != width:
        fail(where, f"{name} must be {expected}", f"shape {shape_text(arr.shape)}",
             "the last axis holds the features of one step: it must equal the layer's n_in.")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        fail(where, f"{name} must hold at least one sequence of at least one step",
             f"shape {shape_text(arr.shape)}")
    if finite and not all_finite(arr):
        idx = first_nonfinite(arr)
        fail(where, f"{name} must contain only finite numbers", f"{arr[idx]} at index {idx}",
             "look for a division by zero or a log of zero upstream, or lower the learning rate.")
    return arr


def as_labels(y, where: str, name: str = "y", *, n: int | None = None,
              n_classes: int | None = None) -> np.ndarray:
    """`y` as a 1-D integer label array of length `n` with values in [0, n_classes)."""
    arr = y if isinstance(y, np.ndarray) else np.asarray(y)
    if arr.dtype.kind == "f":
        if not all_finite(arr) or np.any(arr != np.round(arr)):
            fail(where, f"{name} must hold integer class labels", "non-integer values",
                 "pass labels such as 0, 1, 2 (not one-hot vectors or probabilities).", error=TypeError)
        arr = arr.astype(np.int64)
    elif arr.dtype.kind not in "iu":
        fail(where, f"{name} must hold integer class labels", f"dtype {arr.dtype}", error=TypeError)
    if arr.ndim != 1:
        hint = ("labels are class indices, not one-hot rows: use y.argmax(axis=1)."
                if arr.ndim == 2 else None)
        fail(where, f"{name} must be 1-D with shape (N,)", f"shape {shape_text(arr.shape)}", hint)
    if n is not None and arr.shape[0] != n:
        fail(where, f"{name} must have one label per example, shape ({n},)",
             f"shape {shape_text(arr.shape)}")
    if n_classes is not None and arr.size:
        lo, hi = int(arr.min()), int(arr.max())
        if lo < 0 or hi >= n_classes:
            bad = lo if lo < 0 else hi
            fail(where, f"labels in {name} must lie in [0, {n_classes - 1}]", f"label {bad}",
                 f"the last layer has {n_classes} outputs, one per class; "
                 "check that the labels start at 0 and that n_out matches the number of classes.")
    return arr


def check_int(value, where: str, name: str, *, minimum: int = 1) -> int:
    """A whole number ≥ `minimum` (bool is not a number here)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        fail(where, f"{name} must be a whole number", describe(value), error=TypeError)
    if value < minimum:
        fail(where, f"{name} must be ≥ {minimum}", str(value))
    return int(value)


def check_float(value, where: str, name: str, *, low: float | None = None, high: float | None = None,
                low_open: bool = False, high_open: bool = False, hint: str | None = None) -> float:
    """A real number in the interval given by low/high (open or closed at each end)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        fail(where, f"{name} must be a number", describe(value), error=TypeError)
    value = float(value)
    if not np.isfinite(value):
        fail(where, f"{name} must be finite", str(value), hint)
    left = "(" if low_open or low is None else "["
    right = ")" if high_open or high is None else "]"
    interval = f"{left}{'-∞' if low is None else low}, {'∞' if high is None else high}{right}"
    if low is not None and (value < low or (low_open and value == low)):
        fail(where, f"{name} must lie in {interval}", str(value), hint)
    if high is not None and (value > high or (high_open and value == high)):
        fail(where, f"{name} must lie in {interval}", str(value), hint)
    return value


def check_rng(rng, where: str) -> np.random.Generator:
    """An explicit numpy Generator; the global numpy RNG is never used."""
    if not isinstance(rng, np.random.Generator):
        fail(where, "rng must be a numpy Generator", describe(rng),
             "create one with rng = np.random.default_rng(0) and pass it in.", error=TypeError)
    return rng


def check_choice(value, where: str, name: str, choices) -> str:
    """One of a fixed set of option names; a typo names the valid ones."""
    if value not in choices:
        options = ", ".join(repr(c) for c in choices)
        fail(where, f"{name} must be one of {options}", repr(value))
    return value


def check_dtype(dtype, where: str):
    """float32 or float64 as a numpy dtype."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        fail(where, "dtype must be np.float32 or np.float64", describe(dtype), error=TypeError)
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        fail(where, "dtype must be np.float32 or np.float64", str(dt), error=TypeError)
    return dt
