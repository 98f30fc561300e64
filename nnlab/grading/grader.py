"""Grading one folder of submissions: re-run, run each part apart, judge in this process.

For every submitted notebook:

1. **Re-execution.** The notebook is copied, alone, into an empty scratch directory and run top to
   bottom in a fresh kernel (nnlab.grading.execute → nnlab.grading.kernel) with a per-cell time
   limit, a memory limit and the sandbox guard, under a total wall-clock limit enforced from here
   by killing the executor's and the kernel's process groups. Stored outputs are never read; the
   fresh run's errors and outputs are reported to the instructor but decide no points.
2. **Parts.** For each part of the assignment (from the instructor key), a fresh runner process
   (nnlab.grading.runner) gets the source of the notebook's code cells and the part's hidden test
   inputs as data, runs the student's definitions and function inside its limits, and returns
   plain data. A part that hangs, crashes, exits, eats memory or returns garbage loses its own
   points and nothing else.
3. **Judging** happens here, in the grader's process, with nnlab.checks' references and
   explanations — the same words the notebook checks use.

Every child runs in its own session and carries a random token in its environment; when a
submission is done, its process groups are killed and any process still carrying the token is
killed too, so nothing outlives the grader.
"""

from __future__ import annotations

import json
import math
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..checks._core import CheckResult, Outcome, judge
from ..checks._plain import Garbled, pack, unpack
from .key import configured_part

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
MAX_RESULT_MB = 64
TOKEN_VARIABLE = "NNLAB_GRADING_TOKEN"


@dataclass
class Limits:
    """Per-cell and per-part time limit, total time for the notebook run, memory per process."""

    cell_timeout: float = 30.0
    total_timeout: float = 300.0
    memory_mb: int = 2048


@dataclass
class Submission:
    student: str
    assignment: str
    path: Path


@dataclass
class PartResult:
    name: str
    points: float
    max_points: float
    status: str
    message: str


@dataclass
class Report:
    """What the grader found for one submission; `to_dict()` is the JSON report."""

    student: str
    assignment: str
    notebook: str
    parts: list = field(default_factory=list)
    execution: dict = field(default_factory=dict)
    definitions: list = field(default_factory=list)
    written: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def points(self) -> float:
        return sum(p.points for p in self.parts)

    @property
    def max_points(self) -> float:
        return sum(p.max_points for p in self.parts)

    def to_dict(self) -> dict:
        return {
            "student": self.student, "assignment": self.assignment, "notebook": self.notebook,
            "points": self.points, "max_points": self.max_points,
            "parts": {p.name: {"points": p.points, "max_points": p.max_points, "status": p.status,
                               "message": p.message} for p in self.parts},
            "execution": self.execution,
            "problems_in_definitions": self.definitions,
            "written": self.written,
            "seconds": round(self.seconds, 2),
        }


# ----------------------------------------------------------------------------------------------
# finding submissions

def safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "student"


def _assignment_of(name: str, assignments, default: str | None) -> str | None:
    if name in assignments:
        return name
    matches = [a for a in assignments if a in name]
    if len(matches) == 1:
        return matches[0]
    prefix = re.match(r"(\d\d)_", name)
    by_number = [a for a in assignments if prefix and a.startswith(prefix.group(1) + "_")]
    if len(by_number) == 1:
        return by_number[0]
    return default


def find_submissions(root, key: dict, assignment: str | None = None) -> tuple[list[Submission], list[str]]:
    """The submissions under `root`: `<root>/<student>/<NN_topic>.ipynb`, or `<root>/<student>.ipynb`
    (the assignment from --assignment, the file name, or the key's only assignment).

    A student with two notebooks for one assignment is graded on the one named exactly like the
    assignment (else the first by name); the other is listed among the problems.
    """
    root = Path(root).resolve()
    assignments = list(key["assignments"])
    default = assignment or (assignments[0] if len(assignments) == 1 else None)
    candidates, problems = [], []
    for entry in sorted(root.iterdir()):
        if entry.is_dir() and not entry.name.startswith("."):
            for nb in sorted(entry.glob("*.ipynb")):
                if nb.name.startswith("."):
                    continue
                which = _assignment_of(nb.stem, assignments, default)
                if which is None:
                    problems.append(f"{nb}: not one of the key's assignments ({', '.join(assignments)})")
                else:
                    candidates.append(Submission(safe_name(entry.name), which, nb))
        elif entry.suffix == ".ipynb" and not entry.name.startswith("."):
            which = _assignment_of(entry.stem, assignments, default)
            if which is None:
                problems.append(f"{entry}: cannot tell the assignment; use --assignment or a folder per student")
                continue
            student = entry.stem.replace(which, "").strip("_- .") if which in entry.stem else entry.stem
            candidates.append(Submission(safe_name(student or entry.stem), which, entry))
    chosen: dict[tuple[str, str], Submission] = {}
    for sub in sorted(candidates, key=lambda s: (s.path.stem != s.assignment, str(s.path))):
        first = chosen.setdefault((sub.student, sub.assignment), sub)
        if first is not sub:
            problems.append(f"{sub.path}: {sub.student} has another notebook for {sub.assignment}; "
                            f"graded {first.path.name}")
    return sorted(chosen.values(), key=lambda s: (s.student, s.assignment)), problems


# ----------------------------------------------------------------------------------------------
# processes

class ProcessGroups:
    """The process groups currently alive, so that an interrupted grader can kill them all."""

    def __init__(self):
        self._lock = threading.Lock()
        self._groups: set[int] = set()

    def add(self, pgid: int) -> None:
        with self._lock:
            self._groups.add(pgid)

    def kill(self, pgid: int) -> None:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        with self._lock:
            self._groups.discard(pgid)

    def kill_all(self) -> None:
        with self._lock:
            groups = list(self._groups)
        for pgid in groups:
            self.kill(pgid)


GROUPS = ProcessGroups()


def _carries(pid: int, token: str) -> bool:
    """True if process `pid` has the grading token in its environment (so it is ours to kill)."""
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            return f"{TOKEN_VARIABLE}={token}".encode() in f.read().split(b"\0")
    except OSError:
        return False


def sweep(token: str) -> int:
    """Kill every process whose environment carries the grading token; return how many."""
    killed = 0
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if entry.isdigit() and int(entry) != os.getpid() and _carries(int(entry), token):
            try:
                os.kill(int(entry), signal.SIGKILL)
                killed += 1
            except OSError:
                continue
    return killed


def child_env(scratch: Path, token: str, extra: dict | None = None) -> dict:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(scratch), "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8", "TMPDIR": str(scratch / "tmp"), "PYTHONDONTWRITEBYTECODE": "1",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg", "MPLCONFIGDIR": str(scratch / ".matplotlib"),
        "IPYTHONDIR": str(scratch / ".ipython"), "JUPYTER_PLATFORM_DIRS": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1", TOKEN_VARIABLE: token,
    }
    (scratch / "tmp").mkdir(parents=True, exist_ok=True)
    env.update(extra or {})
    return env


def run_limited(cmd, *, cwd: Path, env: dict, stdin: bytes, timeout: float,
                pidfile: Path | None = None, log: Path | None = None) -> tuple[int | None, float]:
    """Run `cmd` in a new session; kill its process group (and the one in `pidfile`) when it ends
    or after `timeout` seconds. Returns (exit code, or None on timeout; seconds). Its standard
    error goes to `log` (or nowhere)."""
    start = time.perf_counter()
    with open(log, "wb") if log is not None else open(os.devnull, "wb") as err:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, stderr=err, start_new_session=True,
                                close_fds=True)
    GROUPS.add(proc.pid)
    try:
        try:
            proc.stdin.write(stdin)
            proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            code = None
    finally:
        GROUPS.kill(proc.pid)
        if pidfile is not None:  # the kernel's own group; killed only if it carries the token
            try:
                other = int(pidfile.read_text().strip() or 0)
            except (OSError, ValueError):
                other = 0
            if other > 0 and _carries(other, env.get(TOKEN_VARIABLE, "")):
                GROUPS.kill(other)
        proc.wait()
    return code, time.perf_counter() - start


# ----------------------------------------------------------------------------------------------
# one submission

def read_cells(path: Path) -> tuple[list[str] | None, dict, str | None]:
    """(code cell sources, {question: written answer}, problem) from a notebook file,
    read as plain JSON: nothing in it is executed or trusted here."""
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            return None, {}, f"the notebook is larger than {MAX_NOTEBOOK_BYTES // 2**20} MB"
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = nb["cells"]
        code, answers = [], {}
        for cell in cells:
            source = cell.get("source", "")
            if isinstance(source, list):
                source = "".join(s for s in source if isinstance(s, str))
            if not isinstance(source, str):
                continue
            if cell.get("cell_type") == "code":
                code.append(source)
            meta = cell.get("metadata", {})
            question = meta.get("nnlab", {}).get("question") if isinstance(meta, dict) and \
                isinstance(meta.get("nnlab"), dict) else None
            if cell.get("cell_type") == "markdown" and isinstance(question, str):
                answers[question] = source[:5000]
        return code, answers, None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, AttributeError) as err:
        return None, {}, f"not a readable notebook ({type(err).__name__})"


def execute_notebook(sub: Path, work: Path, out_notebook: Path, limits: Limits, token: str) -> dict:
    """Re-run the notebook in a fresh sandboxed kernel; return the executor's summary."""
    scratch, private = work / "kernel", work / "private"
    scratch.mkdir(parents=True)
    private.mkdir(parents=True, exist_ok=True)
    notebook = scratch / "submission.ipynb"
    shutil.copyfile(sub, notebook)
    summary_path = private / "summary.json"
    pidfile = private / "kernel.pid"
    request = {"private": str(private), "scratch": str(scratch), "pidfile": str(pidfile),
               "notebook": str(notebook), "executed": str(out_notebook), "summary": str(summary_path),
               "cell_timeout": limits.cell_timeout, "memory_mb": limits.memory_mb,
               "cpu_seconds": int(limits.total_timeout) + 10}
    env = child_env(scratch, token, {"JUPYTER_RUNTIME_DIR": str(private / "runtime"),
                                     "JUPYTER_CONFIG_DIR": str(private / "config"),
                                     "JUPYTER_DATA_DIR": str(private / "data")})
    log = private / "executor.log"
    code, seconds = run_limited([sys.executable, "-I", "-m", "nnlab.grading.execute"], cwd=private,
                                env=env, stdin=json.dumps(request).encode(),
                                timeout=limits.total_timeout, pidfile=pidfile, log=log)
    try:
        summary = json.loads(summary_path.read_text())
    except (OSError, ValueError):
        last = log.read_text(errors="replace").strip().splitlines()[-1:] if log.exists() else []
        summary = {"ran": False, "cells": None, "errors": [],
                   "stopped": (f"the whole notebook ran longer than {limits.total_timeout:g} s"
                               if code is None else
                               f"the executor failed (exit code {code}): {' '.join(last)[:300]}")}
    summary["seconds"] = round(seconds, 2)
    return summary


def _failure(part, status: str, text: str) -> CheckResult:
    return CheckResult(part.name, False, f"✗ {part.name}: {text}", status)


def grade_part(part, spec: dict, cells: list[str], work: Path, limits: Limits, token: str) -> tuple[CheckResult, list[str]]:
    """Run one part in its own limited process and judge the outcomes here."""
    cases = part.cases(np.random.default_rng(spec["seed"]))
    timeout = float(spec.get("timeout", limits.cell_timeout))
    scratch = work / "parts" / part.name
    scratch.mkdir(parents=True)
    result_path = work / "private" / f"{part.name}.result"
    request = pack({"part": part.name, "function": part.name, "cells": cells,
                    "cases": [(case.args, case.extra) for case in cases],
                    "result_path": str(result_path), "memory_mb": limits.memory_mb,
                    "cpu_seconds": int(math.ceil(timeout)) + 5})
    cmd = [sys.executable, "-I", "-c", "from nnlab.grading.runner import main; main()"]
    code, seconds = run_limited(cmd, cwd=scratch, env=child_env(scratch, token), stdin=request,
                                timeout=timeout)
    if code is None:
        return _failure(part, "timeout", f"no result within {timeout:g} s (an endless loop, or "
                                         "far too slow); the process was stopped."), []
    try:
        data = result_path.read_bytes() if result_path.exists() else b""
        answer = unpack(data) if data else None
    except (OSError, Garbled):
        answer = "garbled"
    if answer is None:
        how = (f"was killed by signal {-code}" if code < 0 else f"ended with exit code {code}")
        return _failure(part, "crashed", f"the process running your code {how} without a result "
                                         "(sys.exit or os._exit, a crash, or over a limit: "
                                         f"{limits.memory_mb} MB of memory, {timeout:g} s)."), []
    if not isinstance(answer, dict) or not isinstance(answer.get("outcomes"), list):
        return _failure(part, "crashed", "the result of the process running your code could not "
                                         "be read."), []
    problems = [p[:300] for p in answer.get("problems", []) if isinstance(p, str)][:20]
    if not answer.get("found"):
        return _failure(part, "missing", f"your notebook defines no function `{part.name}` "
                                         "(graded: the imports and function definitions of its "
                                         "code cells)."), problems
    try:
        outcomes = [Outcome.from_plain(o) for o in answer["outcomes"]]
    except ValueError:
        return _failure(part, "crashed", "the result of the process running your code could not "
                                         "be read."), problems
    if len(outcomes) != len(cases):
        return _failure(part, "crashed", "the process running your code returned too few "
                                         "results."), problems
    return judge(part, cases, outcomes), problems


def grade_submission(sub: Submission, key: dict, limits: Limits, work: Path, out: Path) -> Report:
    start = time.perf_counter()
    token = secrets.token_hex(16)
    spec = key["assignments"][sub.assignment]
    report = Report(sub.student, sub.assignment, str(sub.path))
    executed = out / "executed" / sub.student / f"{sub.assignment}.ipynb"
    try:
        cells, answers, problem = read_cells(sub.path)
        if problem is None:
            executed.parent.mkdir(parents=True, exist_ok=True)
            report.execution = execute_notebook(sub.path, work, executed, limits, token)
        else:
            report.execution = {"ran": False, "stopped": problem}
        (work / "private").mkdir(parents=True, exist_ok=True)
        definitions = set()
        for name, part_spec in spec["parts"].items():
            part = configured_part(name, part_spec)
            if cells is None:
                result = _failure(part, "missing", problem)
            else:
                result, problems = grade_part(part, part_spec, cells, work, limits, token)
                definitions.update(problems)
            points = float(part_spec["points"]) if result.passed else 0.0
            report.parts.append(PartResult(name, points, float(part_spec["points"]), result.status,
                                           result.message))
        report.definitions = sorted(definitions)
        report.written = [{"question": q, "max_points": p, "answer": answers.get(q, "")}
                          for q, p in spec.get("written", {}).items()]
    finally:
        sweep(token)
        shutil.rmtree(work, ignore_errors=True)
    report.seconds = time.perf_counter() - start
    return report
