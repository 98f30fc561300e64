"""The machinery behind `nl.checks`: run a learner's function on fresh inputs, compare, explain.

A `Part` is one function the learner writes. It knows

- how to make its test cases from an rng: random inputs plus edge cases (large |z|, a batch of one,
  zeros), each with a label that names it in messages; cases marked `hidden` are other kinds of
  input that only the grader runs (the notebook check runs the public ones);
- how to call the learner's function on a case (`call`) — the result is turned into plain data at
  once (see `_plain`);
- how to judge what came back (`judge`): against nnlab's reference, output by output, and against
  known-wrong variants (`wrong`), so that a failure can say "your result equals the sum over the
  batch, not the mean";
- its hint ladder (`hints`): the steps `hint(name)` prints one per call — the idea, the formula,
  which numpy operation, never the finished line of code.

`run_check(part, fn)` does all three in the learner's kernel. The grader (nnlab.grading) uses the
very same parts with a hidden seed, but calls the function in a separate, limited process
(`call_learner` runs there) and judges here, in its own process, with `judge`.

`judge` reports every case (✓ or ✗, public or hidden in grading), explains each failed one (which
output is wrong, the relative error and the tolerance allowed, the dtype when it is float32),
and names a known mistake only when that mistake explains the result on every case. Whatever the
learner's function raises — SystemExit, GeneratorExit and a KeyboardInterrupt it raises itself
included — is reported as raised; what it returns, however odd, as returned.

A failed check never raises (unless NNLAB_CHECKS_RAISE=1 is set, for nbgrader's autograder): it
prints the explanation and returns a falsy `CheckResult`, so "Run all" reaches the end of an
exercise notebook whose parts are not done yet.
"""

from __future__ import annotations

import copy
import os
import signal
import sys
import threading
import time
import traceback
import warnings
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ._plain import Builtin, NotPlain, Seeded, describe, fmt, shape_text, to_plain

_NNLAB_DIR = str(Path(__file__).resolve().parent.parent)
#: Seconds a learner's function may run on one test input inside a notebook check.
DEFAULT_TIME_LIMIT = 20.0


class CheckFailed(AssertionError):
    """Raised by a failing check only when the environment sets NNLAB_CHECKS_RAISE=1."""


class _OutOfTime(BaseException):
    """Raised inside the learner's function when its time is up (BaseException: not caught by `except Exception`)."""


@dataclass
class Case:
    """One test input of a part.

    args   — passed to the learner's function (deep-copied before every call);
    label  — names the input in messages ("large |z|", "a batch of one");
    extra  — inputs for the part's `call` that the learner's function does not receive directly
             (e.g. the test images to predict after training); sent to the grader's runner;
    secret — what only the judge may see (e.g. the held-out labels); never leaves the judge;
    hidden — True for a case that only the grader runs (a different kind of input, not a reseeded
             copy of a public one); the notebook check runs the public cases only.
    """

    label: str
    args: tuple
    extra: dict = field(default_factory=dict)
    secret: dict = field(default_factory=dict)
    hidden: bool = False


@dataclass
class Outcome:
    """What happened when the learner's function ran on one case (plain data only).

    status: "ok", "not_implemented", "error", "exit", "timeout" or "not_plain".
    """

    status: str
    value: object = None
    error: str = ""
    where: str = ""
    mutated: tuple = ()
    warnings: tuple = ()
    seconds: float = 0.0

    def to_plain(self) -> dict:
        return {"status": self.status, "value": self.value, "error": self.error, "where": self.where,
                "mutated": list(self.mutated), "warnings": list(self.warnings),
                "seconds": float(self.seconds)}

    @classmethod
    def from_plain(cls, d) -> "Outcome":
        """Rebuild from untrusted plain data (from the grader's runner): every field checked."""
        if not isinstance(d, dict) or not isinstance(d.get("status"), str):
            raise ValueError("not an outcome")
        status = d["status"]
        if status not in ("ok", "not_implemented", "error", "exit", "timeout", "not_plain"):
            raise ValueError(f"unknown status {status[:40]!r}")

        def text(key, limit=2000):
            v = d.get(key, "")
            return v[:limit] if isinstance(v, str) else ""

        def texts(key):
            v = d.get(key, [])
            return tuple(x[:300] for x in v[:20] if isinstance(x, str)) if isinstance(v, list) else ()

        seconds = d.get("seconds", 0.0)
        try:  # an int too large for a float (10**400), nan, inf, a negative time: none is a time
            seconds = float(seconds) if isinstance(seconds, (int, float)) and not isinstance(seconds, bool) else 0.0
        except OverflowError:
            seconds = 0.0
        if not 0.0 <= seconds < 1e9:
            seconds = 0.0
        return cls(status, d.get("value"), text("error"), text("where"), texts("mutated"),
                   texts("warnings"), seconds)


@dataclass(frozen=True)
class CheckResult:
    """The verdict of one check: `passed`, the `message` it printed, and the `part` it checked.

    Truthy when passed. The check has already printed the message, so a CheckResult shows nothing
    more when it is the value of a notebook cell; `print(result)` shows the message again.
    `status` is "passed", "not implemented", "wrong", "error", "timeout" or "crashed".
    """

    part: str
    passed: bool
    message: str
    status: str = "passed"

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"CheckResult(part={self.part!r}, passed={self.passed}, status={self.status!r})"

    def _ipython_display_(self):  # the message is already printed above the cell's value
        return None


# ----------------------------------------------------------------------------------------------
# Parts

def seed_of(name: str) -> int:
    """The fixed seed of a part's inputs in a notebook check (the grader uses a hidden one)."""
    return zlib.crc32(name.encode())


def public_cases(part: "Part", rng: np.random.Generator) -> list[Case]:
    """The cases a notebook check runs: all of the part's cases but the hidden ones."""
    return [case for case in part.cases(rng) if not case.hidden]


class Part:
    """One function the learner writes. Subclasses (or the constructor) fill in the behaviour.

    name        — the part's id and, by default, the learner's function name ("sigmoid_prime")
    signature   — "sigmoid_prime(z)": shown in messages; the argument names come from it
    outputs     — names of the returned values when the function returns a tuple
    no_warnings — a numpy warning (overflow, invalid value) fails the part: it must be stable
    """

    def __init__(self, name: str, signature: str, chapter: str, *, outputs: tuple = (),
                 rtol: float = 1e-6, atol: float = 1e-9, no_warnings: bool = False,
                 time_limit: float = DEFAULT_TIME_LIMIT, hint: str = "", error_hint: str = "",
                 mutation_hint: str = "work on a new array (e.g. `x = x.copy()` first, or "
                                      "`x = x - step` instead of `x -= step`).",
                 hints: tuple = ()):
        self.name = name
        self.check_name = f"check_{name}"
        self.signature = signature
        self.chapter = chapter
        self.outputs = outputs
        self.rtol, self.atol = rtol, atol
        self.no_warnings = no_warnings
        self.time_limit = time_limit
        self.hint = hint
        #: The hint ladder, shown one step per call of nl.checks.hint(name): the idea, then the
        #: formula, then which numpy operation — never the finished line of code.
        self.hints = tuple(hints) or ((hint,) if hint else ())
        self.error_hint = error_hint
        self.mutation_hint = mutation_hint
        inside = signature[signature.index("(") + 1:signature.rindex(")")]
        self.arg_names = tuple(a.split("=")[0].strip() for a in inside.split(",") if a.strip())

    # -- to override -------------------------------------------------------------------------
    def cases(self, rng: np.random.Generator) -> list[Case]:
        raise NotImplementedError

    def call(self, fn, args: tuple, extra: dict):
        """Call the learner's function on (materialised) args; return what it returned."""
        return fn(*args)

    def expected(self, case: Case):
        """The reference result (plain data) for a case."""
        raise NotImplementedError

    def wrong(self, case: Case) -> list[tuple[object, str]]:
        """Known-wrong results for a case: [(plain result, "what it is. Hint: …"), …]."""
        return []

    def judge(self, case: Case, got) -> list[str] | None:
        """None when `got` is right for `case`, else the lines of the explanation."""
        expected = self.expected(case)
        return compare(expected, got, self.outputs, self.rtol, self.atol)

    def diagnose(self, case: Case, got) -> list[str]:
        """Name the known mistake `got` matches on this one case, or give the part's first hint.
        (The checks themselves name a mistake only when it explains every case: `diagnose_all`.)"""
        for value, explanation in self.wrong(case):
            if compare(value, got, self.outputs, self.rtol, self.atol) is None:
                return [f"Your result equals {explanation}"]
        return [f"Hint: {self.hint}"] if self.hint else []

    def passed_message(self, cases: list[Case], outcomes: list[Outcome]) -> str:
        return f"✓ {self.name}: correct on {len(cases)} test inputs"

    # -- helpers -----------------------------------------------------------------------------
    def describe_input(self, case: Case) -> list[str]:
        lines = []
        for name, value in zip(self.arg_names, case.args):
            prefix = f"  {name} = "
            lines.append(prefix + show(value, indent=len(prefix)))
        return lines


def show(value, limit: int = 24, indent: int = 0) -> str:
    """A value as shown in a message: small arrays in full, big ones by shape (and range).

    `indent` is the column where the value starts, so that the rows of a matrix line up.
    """
    if isinstance(value, np.ndarray):
        if value.size <= limit:
            text = np.array2string(value, precision=4, suppress_small=True, separator=", ",
                                   max_line_width=100 - indent, floatmode="maxprec")
            return text.replace("\n", "\n" + " " * indent)
        if value.dtype.kind in "biuf" and value.size and np.isfinite(value).all():
            return (f"an array of shape {shape_text(value.shape)}, values from {fmt(value.min())} "
                    f"to {fmt(value.max())}")
        return f"an array of shape {shape_text(value.shape)}"
    if isinstance(value, Seeded):
        return "a numpy random Generator"
    if isinstance(value, Builtin):
        return value.params.get("text", f"a function ({value.name})")
    if isinstance(value, (list, tuple)) and len(value) <= 8:
        inner = ", ".join(show(v, 6) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    if isinstance(value, (float, int, np.floating, np.integer)) and not isinstance(value, bool):
        return fmt(value)
    if isinstance(value, str):
        return repr(value)
    return describe(value)


# ----------------------------------------------------------------------------------------------
# Comparison of plain data

def is_number(x) -> bool:
    return (isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_))) \
        or (isinstance(x, np.ndarray) and x.shape == () and x.dtype.kind in "iuf")


def compare(expected, got, names: tuple = (), rtol: float = 1e-6, atol: float = 1e-9,
            what: str = "your result") -> list[str] | None:
    """None when `got` matches `expected` (same structure, shapes, values within tolerance),
    else the lines that explain the difference: structure, then shape, then values.

    A tuple of several outputs is compared output by output, and the explanation names which
    are wrong and which are right ("w_new is right; v_new is wrong:"). A value error gives the
    relative error at the worst entry with the tolerance allowed there ("relative error 0.37,
    allowed 1e-06"), and says so when the result is float32."""
    if isinstance(expected, tuple):
        n = len(expected)
        listing = f" ({', '.join(names)})" if names else ""
        if not isinstance(got, (tuple, list)) or len(got) != n:
            return [f"{what} should be {n} values{listing}, returned as a tuple "
                    f"`return {', '.join(names) or '...'}`; got {describe(got)}."]
        right, wrong, details = [], [], []
        for i, (e, g) in enumerate(zip(expected, got)):
            name = names[i] if i < len(names) else f"value {i + 1}"
            problem = compare(e, g, (), rtol, atol, what=name)
            if problem is None:
                right.append(name)
            else:
                wrong.append(name)
                details.append((name, problem))
        if not wrong:
            return None
        order = _reordered(expected, got, rtol, atol) if len(wrong) > 1 else None
        if order is not None:
            return [f"{what} holds the right values in the wrong order: "
                    f"({', '.join(names[i] if i < len(names) else f'value {i + 1}' for i in order)}) "
                    f"where ({', '.join(names) or '...'}) is asked. Hint: the outputs come in the "
                    "order the part states them."]
        verb = "is" if len(wrong) == 1 else "are"
        head = f"{' and '.join(wrong)} {verb} wrong"
        if right:
            head = f"{' and '.join(right)} {'is' if len(right) == 1 else 'are'} right; " + head
        lines = [head + ":"]
        for name, problem in details:
            if len(details) > 1:
                lines.append(f"  {name}:")
            lines += ["  " * (1 + (len(details) > 1)) + line for line in problem]
        return lines
    if isinstance(expected, list):
        if not isinstance(got, (list, tuple)) or len(got) != len(expected):
            return [f"{what} should be a list of {len(expected)} items, got {describe(got)}."]
        for i, (e, g) in enumerate(zip(expected, got)):
            problem = compare(e, g, (), rtol, atol, what=f"item {i} of {what}")
            if problem is not None:
                return problem
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            return [f"{what} should be a dict with keys {sorted(expected)}, got {describe(got)}."]
        for key in expected:
            problem = compare(expected[key], got[key], (), rtol, atol, what=f"{what}[{key!r}]")
            if problem is not None:
                return problem
        return None
    if isinstance(expected, (bool, np.bool_)):
        if got is expected or (isinstance(got, (bool, np.bool_)) and bool(got) == bool(expected)):
            return None
        return [f"{what} should be {expected}, got {describe(got)}."]
    if is_number(expected):
        if not is_number(got):
            return [f"{what} should be a single number, got {describe(got)}."]
        low = _low_precision(expected, got, what)
        if low:
            return low
        e, g = float(expected), float(got)
        if not np.isfinite(g) and np.isfinite(e):
            return [f"{what} is {fmt(g)}, expected {fmt(e)}."]
        if abs(g - e) > atol + rtol * abs(e) or (np.isnan(e) != np.isnan(g)):
            if isinstance(expected, (int, np.integer)) and isinstance(got, (int, np.integer)):
                return [f"{what} is {int(got)}, expected {int(expected)}."]
            a, b = _digits(e, g)
            return [f"{what} is {b}, expected {a} ({_error_text(e, g, rtol, atol)})."
                    + _dtype_note(got)]
        return None
    if isinstance(expected, np.ndarray):
        return _compare_arrays(expected, got, rtol, atol, what)
    if expected is None:
        return None if got is None else [f"{what} should be None, got {describe(got)}."]
    return None if expected == got else [f"{what} should be {expected!r}, got {describe(got)}."]


def _reordered(expected: tuple, got, rtol, atol) -> tuple | None:
    """The order of the expected outputs that `got` holds, when it is another order, else None."""
    from itertools import permutations

    if len(expected) > 4:
        return None
    for order in permutations(range(len(expected))):
        if list(order) != sorted(order) and all(
                compare(expected[i], g, (), rtol, atol) is None for i, g in zip(order, got)):
            return order
    return None


def _digits(e: float, g: float) -> tuple[str, str]:
    """Two numbers in enough significant digits to tell them apart (6, or up to 12)."""
    for digits in (6, 9, 12):
        a, b = f"{e:.{digits}g}", f"{g:.{digits}g}"
        if a != b:
            return a, b
    return a, b


def _error_text(e: float, g: float, rtol: float, atol: float) -> str:
    """"relative error 0.37, allowed 1e-06" — or the absolute error where e is (nearly) 0."""
    err = abs(g - e)
    if rtol > 0 and abs(e) * rtol >= atol:
        return f"relative error {err / abs(e):.2g}, allowed {rtol:.2g}"
    return f"error {err:.2g}, allowed {atol + rtol * abs(e):.2g} (expected is close to 0)"


def _low_precision(expected, got, what) -> list[str]:
    """The lines saying that a float16/float32 result stands where float64 is expected (even when
    its digits agree: nnlab computes in float64, and float32 keeps only about 7 of them), or []."""
    e_dtype = np.asarray(expected).dtype
    dtype = getattr(got, "dtype", None)
    if e_dtype != np.float64 or dtype is None or dtype.kind != "f" or dtype.itemsize >= 8:
        return []
    return [f"{what} is {dtype}, about {7 if dtype.itemsize == 4 else 3} significant digits; "
            "compute in float64, numpy's default, as nnlab does (no np.float32 or "
            ".astype(np.float32))."]


def _dtype_note(got) -> str:
    dtype = getattr(got, "dtype", None)
    if dtype is not None and dtype.kind == "f" and dtype.itemsize < 8:
        return (f" Your result is {dtype} (about {7 if dtype.itemsize == 4 else 3} significant "
                "digits); compute in float64, numpy's default (no np.float32 or .astype(np.float32)).")
    return ""


def _compare_arrays(expected: np.ndarray, got, rtol, atol, what) -> list[str] | None:
    shape = shape_text(expected.shape)
    if not isinstance(got, np.ndarray):
        extra = " (a Python list: build arrays with numpy, e.g. np.array(...))" if isinstance(got, list) else ""
        return [f"{what} should be a numpy array of shape {shape}, got {describe(got)}{extra}."]
    if got.shape != expected.shape:
        lines = [f"{what} should have shape {shape}, got shape {shape_text(got.shape)}."]
        if got.ndim == 2 and expected.ndim == 2 and got.shape == expected.shape[::-1]:
            lines.append("That is the expected shape transposed.")
        elif got.size == 1 and expected.size > 1:
            lines.append("A single number instead of one per entry: did you sum or average where "
                         "you should not?")
        elif got.squeeze().shape == expected.squeeze().shape:
            lines.append("The same entries with an extra or missing axis of length 1 "
                         "(look at keepdims, reshape or [None, :]).")
        return lines
    if got.dtype.kind not in "biuf":
        return [f"{what} should hold numbers, got dtype {got.dtype}."]
    if expected.dtype.kind == "f" and got.dtype.kind == "b":
        return [f"{what} holds booleans (True/False), where numbers are expected: convert them "
                "to floats (True → 1.0). A boolean array does not do arithmetic like floats "
                "(−mask raises an error)."]
    low = _low_precision(expected, got, what)
    if low:
        return low
    e = expected.astype(np.float64)
    g = got.astype(np.float64)
    lines = [f"Shapes agree: {shape}."] if expected.ndim else []
    nonfinite = ~np.isfinite(g) & np.isfinite(e)
    if nonfinite.any():
        idx = _index(np.argwhere(nonfinite)[0])
        return lines + [f"{what} has {fmt(g[idx])} at index {idx}, where {fmt(e[idx])} was expected "
                        f"({int(nonfinite.sum())} of {g.size} entries are not finite)."]
    with np.errstate(invalid="ignore"):
        err = np.where((np.isnan(e) & np.isnan(g)) | (e == g), 0.0, np.abs(g - e))
    err = np.where(np.isnan(err), np.inf, err)
    bad = err > atol + rtol * np.abs(np.nan_to_num(e))
    if not bad.any():
        return None
    idx = _index(np.unravel_index(np.argmax(np.where(bad, err, -1.0)), err.shape)) if err.ndim else ()
    where = f" at index {idx}" if err.ndim else ""
    a, b = _digits(float(e[idx]), float(g[idx]))
    lines.append(f"Largest error {fmt(err[idx])}{where}: expected {a}, got {b} "
                 f"({int(bad.sum())} of {bad.size} entries wrong); "
                 f"{_error_text(float(e[idx]), float(g[idx]), rtol, atol)}." + _dtype_note(got))
    if expected.size <= 24:
        lines.append(f"  expected: {show(e, indent=12)}")
        lines.append(f"  got:      {show(g, indent=12)}")
    return lines


def _index(idx) -> tuple:
    return tuple(int(i) for i in idx)


# ----------------------------------------------------------------------------------------------
# Calling the learner's function (in the notebook, or in the grader's runner process)

def _builtin_functions():
    """name → factory(params) → function; the functions a part may hand to the learner."""

    def quadratic_grad(A, c, text=""):
        A, c = np.array(A), np.array(c)
        return lambda w: A @ np.asarray(w, dtype=np.float64) - c

    def smooth_scalar(a, c, text=""):
        a, c = np.array(a), np.array(c)

        def f(x):
            x = np.asarray(x, dtype=np.float64)
            return float(np.sum(a * np.sin(x)) + np.sum(c * x ** 3) / 3.0)
        return f

    def sequential(layers, text=""):
        """An nl.Sequential from [["dense", W, b(, W.grad, b.grad)], ["sigmoid"], …] (a fresh
        model each time: its weights and any old gradient are copies)."""
        from .. import activation_layers, dense, model

        kinds = {"sigmoid": activation_layers.Sigmoid, "tanh": activation_layers.Tanh,
                 "relu": activation_layers.ReLU}
        built = []
        for spec in layers:
            if spec[0] == "dense":
                W = np.array(spec[1], dtype=np.float64)
                layer = dense.Dense(W.shape[1], W.shape[0], rng=np.random.default_rng(0))
                layer.W.data[...] = W
                layer.b.data[...] = np.array(spec[2], dtype=np.float64)
                if len(spec) == 5:
                    layer.W.grad = spec[3]
                    layer.b.grad = spec[4]
                built.append(layer)
            else:
                built.append(kinds[spec[0]]())
        return model.Sequential(*built)

    def loss(name, text=""):
        from .. import losses

        return {"SoftmaxCrossEntropy": losses.SoftmaxCrossEntropy,
                "SquaredError": losses.SquaredError}[name]()

    def dropout_net(n_in, n_out, width, text=""):
        """make_net(p_drop, rng): Dense → ReLU (→ Dropout) → Dense → ReLU (→ Dropout) → Dense."""
        from .. import activation_layers, dense, dropout, model

        def make_net(p_drop, rng):
            layers = [dense.Dense(n_in, width, rng=rng), activation_layers.ReLU()]
            if p_drop > 0:
                layers.append(dropout.Dropout(p_drop, rng=rng))
            layers += [dense.Dense(width, width, rng=rng), activation_layers.ReLU()]
            if p_drop > 0:
                layers.append(dropout.Dropout(p_drop, rng=rng))
            layers.append(dense.Dense(width, n_out, rng=rng))
            return model.Sequential(*layers)
        return make_net

    def dropout_train(epochs, batch_size, lr, text=""):
        """train(model, X, y, rng) → its History: Adam on the softmax cross-entropy."""
        from .. import losses, optim, training

        def train(model, X, y, rng):
            opt = optim.Adam(model.parameters(), lr=lr)
            return training.fit(model, losses.SoftmaxCrossEntropy(), opt, X, y, epochs=epochs,
                                batch_size=batch_size, rng=rng, progress=False)
        return train

    return {"quadratic_grad": quadratic_grad, "smooth_scalar": smooth_scalar,
            "sequential": sequential, "loss": loss,
            "dropout_net": dropout_net, "dropout_train": dropout_train}


BUILTINS = _builtin_functions()


def materialise(value):
    """Replace the Seeded/Builtin markers in case arguments by a Generator or a function."""
    if isinstance(value, Seeded):
        return np.random.default_rng(value.seed)
    if isinstance(value, Builtin):
        return BUILTINS[value.name](**value.params)
    if isinstance(value, tuple):
        return tuple(materialise(v) for v in value)
    if isinstance(value, list):
        return [materialise(v) for v in value]
    if isinstance(value, dict):
        return {k: materialise(v) for k, v in value.items()}
    return value


def _library_roots() -> tuple:
    import sysconfig

    roots = {_NNLAB_DIR, sys.prefix, sys.base_prefix, sys.exec_prefix}
    roots.update(p for key, p in sysconfig.get_paths().items() if key in ("stdlib", "platstdlib",
                                                                            "purelib", "platlib"))
    return tuple(sorted(roots))


_LIBRARY_ROOTS = _library_roots()


def _learner_location(tb) -> str:
    """"line 3 in sigmoid" for the innermost frame of the traceback in the learner's own code
    (not in nnlab, numpy or the standard library); in the grader "(cell 5)" is added."""
    where = ""
    for frame in traceback.extract_tb(tb):
        name = frame.filename
        if name.startswith(_LIBRARY_ROOTS) or name.startswith("<frozen"):
            continue
        where = f"line {frame.lineno} in {frame.name}"
        if name.startswith("<cell "):
            where += f" ({name.strip('<>')})"
    return where


class _Deadline:
    """Interrupt the learner's function after `seconds` (main thread on POSIX only; else a no-op)."""

    def __init__(self, seconds: float | None):
        self.active = (seconds is not None and hasattr(signal, "setitimer")
                       and threading.current_thread() is threading.main_thread())
        self.seconds = seconds

    def _fire(self, signum, frame):
        raise _OutOfTime()

    def __enter__(self):
        if self.active:
            self.previous = signal.signal(signal.SIGALRM, self._fire)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    def __exit__(self, *exc):
        if self.active:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)
        return False


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and a.dtype == b.dtype and \
            bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return True


class _Interrupt:
    """While the learner's function runs: remember whether a real Ctrl-C (SIGINT) arrived, so a
    KeyboardInterrupt the learner's code raises itself is reported, and a real one still stops."""

    def __init__(self):
        self.active = threading.current_thread() is threading.main_thread()
        self.pressed = False

    def _fire(self, signum, frame):
        self.pressed = True
        raise KeyboardInterrupt

    def __enter__(self):
        if self.active:
            try:
                self.previous = signal.signal(signal.SIGINT, self._fire)
            except (ValueError, OSError):
                self.active = False
        return self

    def __exit__(self, *exc):
        if self.active:
            signal.signal(signal.SIGINT, self.previous)
        return False


def call_learner(part: Part, fn, case_args: tuple, extra: dict, time_limit: float | None) -> Outcome:
    """Run the learner's function on one case; never raises (except a real Ctrl-C).

    The arguments are deep copies, so a function that changes its input is caught ("mutated")
    without harming the check's own data; the result is converted to plain data at once.
    Whatever the learner's code raises is reported — any exception, and also SystemExit,
    GeneratorExit and a KeyboardInterrupt it raises itself; only a KeyboardInterrupt from the
    keyboard (Ctrl-C while the check runs) goes on, so that a long check can still be stopped.
    """
    pristine = copy.deepcopy(case_args)
    args = materialise(copy.deepcopy(case_args))
    start = time.perf_counter()
    interrupt = _Interrupt()
    with warnings.catch_warnings(record=True) as caught, \
            np.errstate(over="warn", invalid="warn", divide="warn", under="ignore"):
        warnings.simplefilter("always")
        try:
            with interrupt, _Deadline(time_limit):
                raw = part.call(fn, args, materialise(copy.deepcopy(extra)))
            value = to_plain(raw)
            status, error, where = "ok", "", ""
        except _OutOfTime:
            value, status, error, where = None, "timeout", f"no result after {fmt(time_limit)} s", ""
        except NotImplementedError as err:
            value, status = None, "not_implemented"
            error, where = f"NotImplementedError: {err}", _learner_location(err.__traceback__)
        except NotPlain as err:
            value, status, error, where = None, "not_plain", str(err), ""
        except SystemExit as err:
            value, status, error = None, "exit", f"SystemExit({err.code!r})"
            where = _learner_location(err.__traceback__)
        except KeyboardInterrupt as err:
            if interrupt.pressed:
                raise
            value, status = None, "error"
            error = f"KeyboardInterrupt: {str(err)[:500]}".rstrip(": ")
            where = _learner_location(err.__traceback__)
        except BaseException as err:  # noqa: BLE001 — the learner's bug (GeneratorExit too): reported
            value, status = None, "error"
            error = f"{type(err).__name__}: {str(err)[:500]}".rstrip(": ")
            where = _learner_location(err.__traceback__)
    seconds = time.perf_counter() - start
    mutated = tuple(name for name, before, after in zip(part.arg_names, pristine, args)
                    if isinstance(before, (np.ndarray, list, tuple)) and not _same(before, after))
    messages = tuple(dict.fromkeys(str(w.message) for w in caught
                                   if issubclass(w.category, RuntimeWarning)))[:5]  # numpy's
    return Outcome(status, value, error, where, mutated, messages, seconds)


# ----------------------------------------------------------------------------------------------
# Judging

def judge_outcome(part: Part, case: Case, outcome: Outcome) -> tuple[str, list[str]] | None:
    """None if the outcome is right, else (status, explanation lines)."""
    verdict = _verdict(part, case, outcome)
    return None if verdict is None else verdict[:2]


def _verdict(part: Part, case: Case, outcome: Outcome):
    """None, or (status, lines, value_wrong): value_wrong when a result came back and its value
    (not only its warnings) is wrong — the cases a known-mistake diagnosis must explain."""
    where = f" ({outcome.where})" if outcome.where else ""
    if outcome.status == "not_implemented":
        lines = ["Write its body in place of the `raise NotImplementedError(...)` line, run that cell, "
                 "then run this check again."]
        if outcome.where and not outcome.where.split(" (")[0].endswith(f" in {part.name}"):
            lines.insert(0, f"It calls a function that is not written yet: NotImplementedError{where}.")
        return "not implemented", lines, False
    if outcome.status == "error":
        lines = [f"Your function raised {outcome.error}{where}."]
        kind = outcome.error.split(":")[0]
        if kind == "MemoryError":
            lines.append("Hint: it needs more memory than there is: look for an array far larger "
                         "than the inputs, or one that grows without end.")
        elif kind in ("KeyboardInterrupt", "GeneratorExit"):
            lines.append(f"Hint: {kind} is not an error to raise in a function: return a result "
                         "(or raise ValueError for bad input).")
        elif part.error_hint and kind in ("ValueError", "IndexError", "TypeError", "AxisError"):
            lines.append(f"Hint: {part.error_hint}")
        return "error", lines, False
    if outcome.status == "exit":
        return "error", [f"Your function called sys.exit (raised {outcome.error}){where}; "
                         "return a result instead."], False
    if outcome.status == "timeout":
        return "timeout", [f"Your function did not finish: {outcome.error} (an endless loop?)."], False
    if outcome.status == "not_plain":
        lines = [f"Your function returned {outcome.error}."]
        if ", which" not in outcome.error:
            lines.append("Hint: return what the docstring asks for: numbers or numpy arrays.")
        return "wrong", lines, False
    if outcome.mutated:
        names = ", ".join(outcome.mutated)
        given = dict(zip(part.arg_names, case.args))
        if all(isinstance(given.get(name), list) for name in outcome.mutated):
            return "wrong", [f"Your function modified its input {names}: the caller's list changed "
                             "(an item removed, added or replaced).",
                             "Hint: read the list without changing it — no .pop(), .append(), del "
                             "or item assignment; a for loop over it, or an index, leaves it whole."], False
        return "wrong", [f"Your function modified its input {names}: the caller's array changed.",
                         f"Hint: {part.mutation_hint}"], False
    try:
        problem = part.judge(case, outcome.value)
    except Exception as err:  # a result so malformed that judging it failed: wrong, never a crash
        problem = [f"Your result could not be judged ({type(err).__name__}: {str(err)[:200]}); "
                   "return what the docstring asks for."]
    if problem is None:
        if not (part.no_warnings and outcome.warnings):
            return None
        return "wrong", [f"The values are right, but numpy warned: {'; '.join(outcome.warnings)}.",
                         "Hint: make the computation stable: no exp of a large number, no log "
                         "of 0, no division by 0."], False
    if outcome.warnings:
        problem = [*problem, f"(numpy warned: {'; '.join(outcome.warnings)})"]
    if problem and problem[0].startswith("your "):
        problem = [problem[0][0].upper() + problem[0][1:], *problem[1:]]
    return "wrong", problem, True


def case_label(case: Case) -> str:
    """"public" for the kind of input the notebook check runs, "hidden in grading" otherwise."""
    return "hidden in grading" if case.hidden else "public"


def diagnose_all(part: Part, cases: list[Case], outcomes: list[Outcome], wrong: list[bool]) -> str | None:
    """The known mistake that explains the result on EVERY case, or None.

    A mistake is named only when its result equals the learner's on every case where the
    learner's value is wrong, and also on every case where it is right (where the mistake could
    be computed): a match on one case alone is a coincidence, not a diagnosis."""
    if not any(wrong):
        return None
    marks: dict[str, list] = {}
    for k, (case, outcome) in enumerate(zip(cases, outcomes)):
        if outcome.status != "ok" or outcome.mutated:
            continue
        try:
            found = part.wrong(case)
        except Exception:  # noqa: BLE001 — no known mistakes on this case
            found = []
        for value, explanation in found:
            try:
                same = compare(value, outcome.value, part.outputs, part.rtol, part.atol) is None
            except Exception:  # noqa: BLE001
                same = False
            if not same and not _finite(value):
                same = None  # the mistake breaks down here (e.g. divides by p_drop = 0): no evidence
            marks.setdefault(explanation, [None] * len(cases))[k] = same
    for explanation, per_case in marks.items():
        if all(per_case[k] is True for k in range(len(cases)) if wrong[k]) and \
                all(per_case[k] is not False for k in range(len(cases))):
            return explanation
    return None


def _finite(value) -> bool:
    if isinstance(value, np.ndarray):
        return value.dtype.kind not in "fc" or bool(np.isfinite(value).all())
    if isinstance(value, float):
        return bool(np.isfinite(value))
    if isinstance(value, (list, tuple)):
        return all(_finite(v) for v in value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    return True


#: Failing cases shown in full (with their inputs); the others get one line each.
SHOWN_IN_FULL = 1


def _brief(body: list[str]) -> str:
    """A failing case's explanation in one line: its first statement, with the headers before it
    ("w_new and v_new are wrong:", "w_new:") and, for a lone statement, the next line."""
    brief = [line.strip() for line in body
             if not line.strip().startswith(("expected:", "got:", "Shapes agree"))]
    picked = []
    for line in brief:
        picked.append(line)
        if not line.endswith(":"):
            break
    rest = brief[len(picked):]
    if len(picked) == 1 and rest and not rest[0].endswith(":"):
        picked.append(rest[0])
    return " ".join(picked)


def judge(part: Part, cases: list[Case], outcomes) -> CheckResult:
    """The verdict on a part from its cases and what the learner's function did on each.

    Every case is judged and reported (public ones, and in grading the hidden ones, labelled so),
    so one run shows every problem. `outcomes` may be a lazy iterable: after a case that is not
    implemented or did not finish, the rest are not run.
    """
    done, verdicts = [], []
    stopped = ""
    iterator = iter(outcomes)
    for case in cases:
        outcome = next(iterator, None)
        if outcome is None:
            break
        done.append(outcome)
        verdicts.append(_verdict(part, case, outcome))
        if outcome.status in ("not_implemented", "timeout"):
            stopped = outcome.status
            break
    if not stopped and len(done) < len(cases):
        raise ValueError(f"{part.name}: {len(cases)} cases but only {len(done)} outcomes")
    for verdict in verdicts:
        if verdict is not None and verdict[0] == "not implemented":
            return CheckResult(part.name, False, "\n".join([f"✗ {part.name}: not implemented yet.",
                                                            *verdict[1]]), "not implemented")
    failed = [k for k, v in enumerate(verdicts) if v is not None]
    if not failed:
        return CheckResult(part.name, True, part.passed_message(cases, done), "passed")
    n = len(cases)
    status = verdicts[failed[0]][0]
    numbers = ", ".join(str(k + 1) for k in failed)
    head = f"✗ {part.name}: wrong on test input{'s' if len(failed) > 1 else ''} {numbers} of {n}"
    if status == "timeout":
        head = f"✗ {part.name}: did not finish on test input {failed[0] + 1} of {n}"
    lines = [head + ":"] if n > 1 else []
    if n > 1:
        for k, case in enumerate(cases):
            mark = "·" if k >= len(verdicts) else ("✗" if verdicts[k] is not None else "✓")
            note = " (not run)" if k >= len(verdicts) else ""
            lines.append(f"  {mark} {k + 1} · {case_label(case)} · {case.label}{note}")
    shown, bodies = 0, []
    for k in failed:
        case, (_, body, _) = cases[k], verdicts[k]
        if body in bodies:
            lines.append(f"Test input {k + 1} ({case.label}): the same.")
        elif shown < SHOWN_IN_FULL:
            shown += 1
            lines.append(f"Test input {k + 1} of {n} ({case_label(case)}: {case.label}), "
                         f"calling {part.signature} with")
            lines += part.describe_input(case) + body
        else:  # one line: what is wrong, without the inputs and arrays shown above
            lines.append(f"Test input {k + 1} ({case.label}): {_brief(body)}")
        bodies.append(body)
    if n == 1:  # one case: no list, the head names it
        lines[0] = (f"✗ {part.name}: wrong on test input 1 of 1 ({case_label(cases[0])}: "
                    f"{cases[0].label}), calling {part.signature} with")
    diagnosis = None
    if getattr(part, "diagnose_across_cases", type(part).judge is Part.judge):
        diagnosis = diagnose_all(part, cases[:len(done)], done, [v is not None and v[2] for v in verdicts])
    if diagnosis:
        lines.append(f"Your result equals {diagnosis}")
    if part.hints:
        lines.append(f'For a hint: nl.checks.hint("{part.name}") — each call tells a little more.')
    return CheckResult(part.name, False, "\n".join(lines), status)


# ----------------------------------------------------------------------------------------------
# The hint ladder

#: How many steps of each part's ladder this kernel has shown (the ladder's state, per part).
_HINTS_SHOWN: dict[str, int] = {}


def hint(part) -> None:
    """Print the next step of a part's hint ladder: the idea, then the formula, then which numpy
    operation — each call one step further, never the finished line of code.

        nl.checks.hint("softmax")     # Hint 1 of 3 for softmax: …
        nl.checks.hint("softmax")     # Hint 2 of 3 …

    `part` is the part's name (or your function itself, if it has the part's name). After the
    last step the last one is shown again. The steps shown are remembered per part for as long
    as the kernel runs: after a restart the ladder starts at step 1 again.
    Raises ValueError for a name that is not a part, listing the parts.
    """
    from . import PARTS

    name = getattr(part, "__name__", part) if callable(part) else part
    if not isinstance(name, str) or name not in PARTS:
        import difflib

        listing = ", ".join(PARTS)
        given = repr(name) if isinstance(name, str) else describe(part)
        close = difflib.get_close_matches(name, list(PARTS), n=1) if isinstance(name, str) else []
        guess = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"nl.checks.hint: there is no part {given}.{guess} The parts are: {listing}.")
    steps = PARTS[name].hints
    if not steps:
        print(f"There are no hints for {name}.")
        return None
    shown = min(_HINTS_SHOWN.get(name, 0) + 1, len(steps))
    _HINTS_SHOWN[name] = shown
    last = " (the last one)" if shown == len(steps) else ""
    print(f"Hint {shown} of {len(steps)} for {name}{last}: {steps[shown - 1]}")
    return None


def run_check(part: Part, fn, *, time_limit: float | None = None) -> CheckResult:
    """Check the learner's function `fn` for `part` in this process, print and return the verdict."""
    if not callable(fn):
        result = CheckResult(part.name, False, (
            f"✗ {part.name}: the check needs your function itself, got {describe(fn)}.\n"
            f"Hint: write {part.check_name}({part.name}) — without parentheses after {part.name}."),
            "wrong")
    else:
        cases = public_cases(part, np.random.default_rng(seed_of(part.name)))
        limit = part.time_limit if time_limit is None else time_limit
        outcomes = (call_learner(part, fn, case.args, case.extra, limit) for case in cases)
        result = judge(part, cases, outcomes)
    print(result.message)
    if not result.passed and os.environ.get("NNLAB_CHECKS_RAISE") == "1":
        raise CheckFailed(result.message)
    return result
