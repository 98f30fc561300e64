"""The instructor file ("key"): which parts each assignment has, their points and their hidden seeds.

A JSON file, kept outside the student bundle:

    {
      "format": "nnlab-key/1",
      "reuse": "flag",
      "assignments": {
        "02_activations": {
          "parts": {
            "sigmoid_prime": {"points": 2, "seed": 2718281828},
            "softmax":       {"points": 3, "seed": 1414213562, "timeout": 20}
          },
          "written": {"q1_saturation": 1, "q2_softmax": 1}
        },
        "08_training_on_real_data": {
          "parts": {"train": {"points": 4, "seed": 42, "timeout": 180,
                              "options": {"min_accuracy": 0.97}}}
        }
      }
    }

- `seed` makes the hidden test inputs: the same kinds of inputs as the notebook's check (random
  values and the edge cases) but other numbers, which no submission can know in advance.
- `points` are awarded when the part passes on every hidden input, else 0.
- `timeout` (seconds, optional) replaces the grader's --cell-timeout for that part.
- `options` (optional) tune a part; the training part knows `min_accuracy` and `test_fraction`.
- `reuse` (optional, top level): what a part that calls nnlab's own implementation of itself (or
  code that reaches into nnlab.checks, nnlab.grading or the solutions) gets: `"flag"` (the
  default: its points, and a flag in the report, the gradebook and the summary) or `"zero"`.
- `written` lists the hand-graded questions and their points; the grader copies the answers into
  the report and leaves them out of the automatic total.

`nnlab make-key --solutions solutions -o key.json` writes a key with fresh random seeds and the
points stated in the solution notebooks' cell metadata.
"""

from __future__ import annotations

import copy
import json
import numbers
import secrets
from pathlib import Path

from ..checks import PARTS
from ..checks._core import DEFAULT_TIME_LIMIT

FORMAT = "nnlab-key/1"
PART_OPTIONS = {"train": {"min_accuracy", "test_fraction"}}


class KeyFileError(ValueError):
    """An instructor file that cannot be used; the message says where and why."""


def _fail(where, message):
    raise KeyFileError(f"instructor file: {where}: {message}")


def validate(key: dict) -> dict:
    """Check an instructor key loaded from JSON; return it unchanged, or raise KeyFileError."""
    if not isinstance(key, dict) or key.get("format") != FORMAT:
        _fail("top level", f'"format" must be "{FORMAT}"')
    if key.get("reuse", "flag") not in ("flag", "zero"):
        _fail("top level", '"reuse" must be "flag" or "zero"')
    unknown = set(key) - {"format", "assignments", "reuse"}
    if unknown:
        _fail("top level", f"unknown entries {sorted(unknown)}")
    assignments = key.get("assignments")
    if not isinstance(assignments, dict) or not assignments:
        _fail("top level", '"assignments" must map assignment names to their parts')
    for name, assignment in assignments.items():
        parts = assignment.get("parts") if isinstance(assignment, dict) else None
        if not isinstance(parts, dict) or not parts:
            _fail(name, '"parts" must map part names to {"points": …, "seed": …}')
        for part, spec in parts.items():
            where = f"{name}.{part}"
            if part not in PARTS:
                _fail(where, f"unknown part; known parts: {', '.join(PARTS)}")
            if not isinstance(spec, dict):
                _fail(where, 'must be {"points": …, "seed": …}')
            points = spec.get("points")
            if not isinstance(points, numbers.Real) or isinstance(points, bool) or points < 0:
                _fail(where, '"points" must be a number ≥ 0')
            seed = spec.get("seed")
            if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
                _fail(where, '"seed" must be a whole number ≥ 0')
            timeout = spec.get("timeout")
            if timeout is not None and (not isinstance(timeout, numbers.Real) or timeout <= 0):
                _fail(where, '"timeout" must be a number of seconds > 0')
            options = spec.get("options", {})
            allowed = PART_OPTIONS.get(part, set())
            if not isinstance(options, dict) or set(options) - allowed:
                _fail(where, f'"options" may only set {sorted(allowed) or "nothing"}')
            unknown = set(spec) - {"points", "seed", "timeout", "options"}
            if unknown:
                _fail(where, f"unknown entries {sorted(unknown)}")
        written = assignment.get("written", {})
        if not isinstance(written, dict) or not all(
                isinstance(p, numbers.Real) and not isinstance(p, bool) for p in written.values()):
            _fail(name, '"written" must map question names to points')
    return key


def load(path) -> dict:
    """Read and validate the instructor file at `path`."""
    try:
        key = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as err:
        raise KeyFileError(f"instructor file {path}: cannot read it ({err.strerror})") from None
    except json.JSONDecodeError as err:
        raise KeyFileError(f"instructor file {path}: not valid JSON ({err})") from None
    return validate(key)


def configured_part(name: str, spec: dict):
    """The part `name` with the options of its key entry applied (a copy; PARTS is not changed)."""
    part = PARTS[name]
    options = spec.get("options") or {}
    if not options:
        return part
    part = copy.copy(part)
    for option, value in options.items():
        setattr(part, option, value)
    return part


def make_key(solutions_dir) -> dict:
    """A key for every solution notebook in `solutions_dir`: points from the cell metadata
    (`nnlab.check`/`nnlab.points`, `nnlab.question`/`nnlab.points`), fresh random seeds."""
    assignments = {}
    for path in sorted(Path(solutions_dir).glob("[0-9][0-9]_*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        parts, written = {}, {}
        for cell in nb.get("cells", []):
            meta = cell.get("metadata", {}).get("nnlab", {})
            if "check" in meta:
                spec = {"points": meta.get("points", 1), "seed": secrets.randbelow(2**31)}
                if PARTS[meta["check"]].time_limit > DEFAULT_TIME_LIMIT:  # training: more time
                    spec["timeout"] = PARTS[meta["check"]].time_limit
                parts[meta["check"]] = spec
            if "question" in meta:
                written[meta["question"]] = meta.get("points", 1)
        if parts:
            assignments[path.stem] = {"parts": parts, "written": written}
    return validate({"format": FORMAT, "reuse": "flag", "assignments": assignments})
