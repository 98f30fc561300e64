"""Plain data: what a learner's function may return, and how it travels between processes.

A check never keeps the learner's objects: whatever the function returns is converted at once to
*plain data* — None, bool, int, float, str, numeric numpy arrays, and lists, tuples and str-keyed
dicts of those — by `to_plain`, which copies every array. Anything else (a model, a generator, an
object array) is reported as the wrong kind of result.

The grader runs learner code in another process; `pack`/`unpack` move plain data (and the markers
`Seeded` and `Builtin` for inputs that are not data) through a pipe as one JSON header plus raw
array bytes. `unpack` trusts nothing: it accepts only numeric dtypes, checks every length against
the bytes actually present and never unpickles.
"""

from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass, field

import numpy as np

from .._validate import shape_text

#: dtypes an array may have in plain data (by numpy's kind code: bool, signed, unsigned, float).
ARRAY_KINDS = "biuf"
MAX_DEPTH = 8
MAX_ITEMS = 100_000
MAX_HEADER_BYTES = 16 * 2**20  # the JSON part of a packed message (arrays travel as raw bytes)


class NotPlain(TypeError):
    """The learner returned something that is not plain data; str() says what it was."""


@dataclass(frozen=True)
class Seeded:
    """An input that is a fresh `np.random.default_rng(seed)`, made where the learner's code runs."""

    seed: int


@dataclass(frozen=True)
class Builtin:
    """An input that is a function built by nnlab where the learner's code runs (see `BUILTINS`)."""

    name: str
    params: dict = field(default_factory=dict)


def describe(x) -> str:
    """A short, deterministic description of a value for a message."""
    if x is None:
        return "None"
    if isinstance(x, np.ndarray):
        return f"an array of shape {shape_text(x.shape)} and dtype {x.dtype}"
    if isinstance(x, (bool, np.bool_)):
        return f"the bool {bool(x)}"
    if isinstance(x, (int, float, np.integer, np.floating)):
        return f"the number {fmt(x)}"
    if isinstance(x, (list, tuple)):
        return f"a {type(x).__name__} of length {len(x)}"
    if isinstance(x, dict):
        return f"a dict with keys {sorted(map(str, x))}"
    if isinstance(x, str):
        return f"the string {x[:40]!r}"
    return f"an object of type {type(x).__name__}"


def fmt(x) -> str:
    """A number in at most 6 significant digits (nan and inf spelled out)."""
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    x = float(x)
    if math.isnan(x) or math.isinf(x):
        return str(x)
    return f"{x:.6g}"


def to_plain(obj, _depth: int = 0):
    """A copy of `obj` as plain data; raises NotPlain (with a description) for anything else."""
    if _depth > MAX_DEPTH:
        raise NotPlain("a structure nested too deeply")
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, np.floating) and obj.dtype != np.float64:
        return np.array(obj)  # a float32 (or float16) number keeps its dtype, so a check can say so
    if isinstance(obj, (float, np.floating)):
        return float(obj)
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind not in ARRAY_KINDS:
            raise NotPlain(f"an array of dtype {obj.dtype}")
        return np.array(obj, copy=True, order="C", subok=False)
    if isinstance(obj, (list, tuple)):
        if len(obj) > MAX_ITEMS:
            raise NotPlain(f"a {type(obj).__name__} of {len(obj)} items")
        items = [to_plain(x, _depth + 1) for x in obj]
        return tuple(items) if isinstance(obj, tuple) else items
    if isinstance(obj, dict):
        if not all(isinstance(k, str) for k in obj):
            raise NotPlain("a dict whose keys are not all strings")
        return {k: to_plain(v, _depth + 1) for k, v in obj.items()}
    if isinstance(obj, (complex, np.complexfloating)):
        raise NotPlain(f"the complex number {obj}")
    raise NotPlain(describe(obj))


# ----------------------------------------------------------------------------------------------
# pack / unpack: plain data through a pipe

def _spec(obj, arrays: list):
    if isinstance(obj, np.ndarray):
        arrays.append(obj)
        return {"array": len(arrays) - 1}
    if isinstance(obj, Seeded):
        return {"seeded": int(obj.seed)}
    if isinstance(obj, Builtin):
        return {"builtin": obj.name, "params": _spec(obj.params, arrays)}
    if obj is None or isinstance(obj, (bool, int, str)):
        return {"value": obj}
    if isinstance(obj, float):
        return {"float": obj.hex()}
    if isinstance(obj, tuple):
        return {"tuple": [_spec(x, arrays) for x in obj]}
    if isinstance(obj, list):
        return {"list": [_spec(x, arrays) for x in obj]}
    if isinstance(obj, dict):
        return {"dict": [[k, _spec(v, arrays)] for k, v in obj.items()]}
    raise NotPlain(describe(obj))


def pack(obj) -> bytes:
    """Plain data → bytes: 8-byte header length, JSON header, then each array's raw bytes."""
    arrays: list[np.ndarray] = []
    spec = _spec(obj, arrays)
    layout = [[a.dtype.str, list(a.shape)] for a in arrays]
    header = json.dumps({"spec": spec, "arrays": layout}, allow_nan=False).encode()
    body = b"".join(np.ascontiguousarray(a).tobytes() for a in arrays)
    return struct.pack("<Q", len(header)) + header + body


class Garbled(ValueError):
    """Bytes that are not a well-formed packed message."""


def unpack(data: bytes, max_depth: int = 32):
    """bytes → plain data (with Seeded/Builtin markers). Raises Garbled for anything malformed."""
    try:
        (n,) = struct.unpack_from("<Q", data, 0)
        if n > len(data) - 8:
            raise Garbled("truncated header")
        if n > MAX_HEADER_BYTES:
            raise Garbled("header too large")
        header = json.loads(data[8:8 + n].decode())
        layout = header["arrays"]
        offset = 8 + n
        arrays = []
        for dtype_str, shape in layout:
            dtype = np.dtype(dtype_str)
            if dtype.kind not in ARRAY_KINDS or dtype.hasobject:
                raise Garbled(f"dtype {dtype_str} not allowed")
            if not all(isinstance(s, int) and s >= 0 for s in shape):
                raise Garbled("bad shape")
            size = math.prod(shape) * dtype.itemsize
            if offset + size > len(data):
                raise Garbled("truncated array data")
            arrays.append(np.frombuffer(data, dtype=dtype, count=math.prod(shape),
                                        offset=offset).reshape(shape).copy())
            offset += size
        if offset != len(data):
            raise Garbled("trailing bytes")
        return _build(header["spec"], arrays, 0, max_depth)
    except Garbled:
        raise
    except Exception as err:  # any malformation: struct, json, keys, types, dtype strings
        raise Garbled(f"{type(err).__name__}: {err}") from None


def _build(spec, arrays, depth, max_depth):
    if depth > max_depth or not isinstance(spec, dict) or len(spec) not in (1, 2):
        raise Garbled("bad structure")
    if "array" in spec:
        return arrays[int(spec["array"])]
    if "value" in spec:
        v = spec["value"]
        if v is not None and not isinstance(v, (bool, int, str)):
            raise Garbled("bad value")
        return v
    if "float" in spec:
        return float.fromhex(spec["float"])
    if "seeded" in spec:
        return Seeded(int(spec["seeded"]))
    if "builtin" in spec:
        return Builtin(str(spec["builtin"]), _build(spec["params"], arrays, depth + 1, max_depth))
    if "tuple" in spec:
        return tuple(_build(s, arrays, depth + 1, max_depth) for s in spec["tuple"])
    if "list" in spec:
        return [_build(s, arrays, depth + 1, max_depth) for s in spec["list"]]
    if "dict" in spec:
        return {str(k): _build(s, arrays, depth + 1, max_depth) for k, s in spec["dict"]}
    raise Garbled("unknown structure")
