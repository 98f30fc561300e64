"""What every benchmark shares: the path to the working tree, timing, optional peers, tables.

The benchmarks import nnlab from this working tree (not from some other installed copy), time with
`time.perf_counter`, and report the best of k runs after a warm-up: the best run is the one least
disturbed by the rest of the machine, which is what a lower-bound comparison needs.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def optional(name: str):
    """The module `name`, or None when it is not installed (torch and scikit-learn are optional peers)."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def race(contenders: dict, repeat: int, warmup: int = 1) -> dict:
    """Best-of-`repeat` wall time (s) of each zero-argument callable, run round-robin.

    Every contender runs `warmup` times first (untimed), then the contenders take turns, `repeat`
    rounds: a burst of load from another process then hurts all of them alike instead of one.
    A contender may return a float: that number is then its time (for ones that time themselves).
    """
    for _ in range(warmup):
        for fn in contenders.values():
            fn()
    best = {name: float("inf") for name in contenders}
    for _ in range(repeat):
        for name, fn in contenders.items():
            start = time.perf_counter()
            result = fn()
            elapsed = time.perf_counter() - start
            if isinstance(result, float):
                elapsed = result
            best[name] = min(best[name], elapsed)
    return best


def table(headers: list[str], rows: list[list], title: str | None = None) -> str:
    """A plain-text table; text cells left-aligned, everything else right-aligned."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    left = [all(not _numeric(str(row[i])) for row in rows if str(row[i]) not in ("-", ""))
            and any(str(row[i]) not in ("-", "") for row in rows) for i in range(len(headers))]

    def line(r):
        return "  ".join(c.ljust(w) if lft else c.rjust(w) for c, w, lft in zip(r, widths, left)).rstrip()

    out = [] if title is None else [title]
    out += [line(cells[0]), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells[1:]]
    return "\n".join(out)


def _numeric(text: str) -> bool:
    try:
        float(text.rstrip("%x").replace("×", "").replace(",", ""))
        return True
    except ValueError:
        return False


def sec(x: float | None, digits: int = 3) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def ratio(a: float | None, b: float | None) -> str:
    return "-" if a is None or b is None else f"{a / b:.2f}"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def machine_line() -> str:
    """Python, numpy, BLAS and its threads, CPU count and current load: the context of every number."""
    import numpy as np

    parts = [f"Python {sys.version.split()[0]}", f"numpy {np.__version__}", f"{os.cpu_count()} CPUs"]
    threadpoolctl = optional("threadpoolctl")
    if threadpoolctl is not None:
        for info in threadpoolctl.threadpool_info():
            if info.get("user_api") == "blas":
                parts.append(f"BLAS {info.get('internal_api')} {info.get('version')} "
                             f"({info.get('architecture')}, {info.get('num_threads')} threads)")
                break
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        if os.environ.get(var):
            parts.append(f"{var}={os.environ[var]}")
    if hasattr(os, "getloadavg"):
        load = os.getloadavg()[0]
        parts.append(f"load {load:.2f}")
    return ", ".join(parts)


def load_warning() -> str | None:
    """A warning when another process is busy: a 2-thread BLAS on 2 cores is very sensitive to it."""
    if hasattr(os, "getloadavg") and os.getloadavg()[0] > 0.5:
        return ("note: the 1-minute load average is above 0.5 before the run: another process uses the "
                "CPU, so the timings below are noisier than usual (best-of-k hides part of it).")
    return None
