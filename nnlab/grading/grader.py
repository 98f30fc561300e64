"""Grading one folder of submissions: re-run, run each part apart, judge in this process.

For every submitted notebook:

0. **Reading.** The file is read here with limits (a regular file, never a symbolic link; at most
   20 MB; JSON nested at most 64 deep) into a clean notebook: cell types and sources only.
1. **Re-execution.** The clean notebook (no stored outputs) runs top to bottom in a fresh kernel
   (nnlab.grading.execute → nnlab.grading.kernel) inside the sandbox (nnlab.grading.sandbox), with
   a per-cell time limit, memory and CPU limits, under a total wall-clock limit enforced from here
   by killing the sandbox. Its errors and outputs are reported to the instructor; they decide no
   points.
2. **Parts.** For each part of the assignment (from the instructor key), a fresh sandboxed runner
   (nnlab.grading.runner) gets the notebook's code cells, the statements to execute (chosen here,
   nnlab.grading.source) and the part's hidden test inputs as data, and returns plain,
   size-capped observations. A part that hangs, crashes, exits, eats memory or returns garbage
   loses its own points and nothing else.
3. **Judging** happens here, in the grader's process, on the copies of the inputs the grader kept:
   whether the arguments were changed, which warnings count, and the comparison with nnlab.checks'
   references, with the same explanations as the notebook checks. Everything the runner sent is
   parsed defensively: a malformed, huge, deep or out-of-range value costs that part its points
   ("crashed", with the reason), never the run.

Any exception while reading, running or judging one submission is caught at its boundary
(`grade_submission`) and recorded in its report; the others are graded as usual. Every child
carries a random token in its environment; when a submission is done, its sandboxes are killed
and any process still carrying the token is killed too.
"""

from __future__ import annotations

import hashlib
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
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..checks._core import CheckResult, Outcome, _same, judge
from ..checks._plain import Garbled, pack, unpack
from .key import configured_part
from .sandbox import INSIDE_TMP, Sandbox
from .source import (Unreadable, code_and_answers, file_stem, notebook_for_kernel, parse_notebook,
                     reaches_into, read_bytes, select_definitions, student_name)

MAX_RESULT_BYTES = 64 * 2**20  # what a part runner may send back
MAX_EXECUTOR_BYTES = 64 * 2**20  # what the executor may send back (outputs are trimmed inside)
TOKEN_VARIABLE = "NNLAB_GRADING_TOKEN"
STATUSES = ("ok", "not_implemented", "error", "exit", "timeout", "not_plain")
REUSE_POLICIES = ("flag", "zero")


@dataclass
class Limits:
    """Per-cell and per-part time limit, total time for the notebook run, memory per process."""

    cell_timeout: float = 30.0
    total_timeout: float = 300.0
    memory_mb: int = 2048


@dataclass
class Submission:
    """One notebook to grade: who (as given, NFC), the file-name-safe form, which assignment, where;
    `refused` is the reason it is not graded (a symbolic link, …), else None."""

    student: str
    assignment: str
    path: Path
    file: str = ""
    refused: str | None = None


@dataclass
class PartResult:
    name: str
    points: float
    max_points: float
    status: str
    message: str
    reused: list = field(default_factory=list)
    mistake: str = ""


@dataclass
class Report:
    """What the grader found for one submission; `to_dict()` is the JSON report."""

    student: str
    assignment: str
    notebook: str
    file: str = ""
    parts: list = field(default_factory=list)
    execution: dict = field(default_factory=dict)
    definitions: list = field(default_factory=list)
    reaches_into: list = field(default_factory=list)
    written: list = field(default_factory=list)
    sandbox: str = ""
    seconds: float = 0.0

    @property
    def points(self) -> float:
        return sum(p.points for p in self.parts)

    @property
    def max_points(self) -> float:
        return sum(p.max_points for p in self.parts)

    def flags(self) -> list[str]:
        found = [f"{self.assignment}:{p.name} uses {', '.join(p.reused)}" for p in self.parts if p.reused]
        if self.reaches_into:
            found.append(f"{self.assignment}: code reaches into {', '.join(self.reaches_into)}")
        return found

    def to_dict(self) -> dict:
        return {
            "student": self.student, "file": self.file, "assignment": self.assignment,
            "notebook": self.notebook, "points": self.points, "max_points": self.max_points,
            "parts": {p.name: {"points": p.points, "max_points": p.max_points, "status": p.status,
                               "message": p.message, "reused": list(p.reused), "mistake": p.mistake}
                      for p in self.parts},
            "execution": self.execution,
            "problems_in_definitions": self.definitions,
            "reaches_into": self.reaches_into,
            "written": self.written,
            "sandbox": self.sandbox,
            "seconds": round(self.seconds, 2),
        }

    @classmethod
    def from_dict(cls, d: dict) -> "Report":
        parts = [PartResult(name, float(p["points"]), float(p["max_points"]), p["status"],
                            p["message"], list(p.get("reused", [])), p.get("mistake", ""))
                 for name, p in d["parts"].items()]
        return cls(d["student"], d["assignment"], d["notebook"], d.get("file", ""), parts,
                   d.get("execution", {}), d.get("problems_in_definitions", []),
                   d.get("reaches_into", []), d.get("written", []), d.get("sandbox", ""),
                   float(d.get("seconds", 0.0)))


# ----------------------------------------------------------------------------------------------
# finding submissions

def safe_name(text: str) -> str:
    """A file-name-safe form of a name that keeps its letters, in any script."""
    return file_stem(student_name(text))


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


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:6]


def find_submissions(root, key: dict, assignment: str | None = None) -> tuple[list[Submission], list[str]]:
    """The submissions under `root`: `<root>/<student>/<NN_topic>.ipynb`, or `<root>/<student>.ipynb`
    (the assignment from --assignment, the file name, or the key's only assignment).

    Student names keep their Unicode (NFC). Two folders or files whose names are different but
    read the same (after NFC) stay two students: each gets a short hash of its name as given.
    File names derived from students are unique (a short hash is added where two would collide,
    even only in case). A student with two notebooks for one assignment is graded on the one named
    exactly like the assignment (else the first by name). Symbolic links and anything that is not a
    regular file are refused: reported, 0 points. Every skip, collision and refusal is in the
    returned problems.
    """
    root = Path(root).resolve()
    assignments = list(key["assignments"])
    default = assignment or (assignments[0] if len(assignments) == 1 else None)
    candidates: list[tuple[str, Submission]] = []  # (the name as given, submission)
    problems = []
    for entry in sorted(os.scandir(root), key=lambda e: e.name):
        name = entry.name
        if name.startswith("."):
            continue
        if entry.is_symlink():
            which = _assignment_of(Path(name).stem, assignments, default) if name.endswith(".ipynb") else default
            problems.append(f"{name}: refused, a symbolic link (submit the folder or file itself)")
            if which is not None:
                raw = Path(name).stem.replace(which, "").strip("_- .") if which in name else Path(name).stem
                candidates.append((raw or name, Submission("", which, Path(entry.path),
                                                           refused="refused: a symbolic link, not a notebook file")))
            continue
        if entry.is_dir(follow_symlinks=False):
            for nb in sorted(os.scandir(entry.path), key=lambda e: e.name):
                if nb.name.startswith(".") or not nb.name.endswith(".ipynb"):
                    continue
                which = _assignment_of(nb.name[:-6], assignments, default)
                if which is None:
                    problems.append(f"{name}/{nb.name}: not one of the key's assignments "
                                    f"({', '.join(assignments)}); skipped")
                    continue
                refused = None
                if nb.is_symlink():
                    refused = "refused: a symbolic link, not a notebook file"
                elif not nb.is_file(follow_symlinks=False):
                    refused = "refused: not a regular file"
                if refused:
                    problems.append(f"{name}/{nb.name}: {refused}")
                candidates.append((name, Submission("", which, Path(nb.path), refused=refused)))
        elif name.endswith(".ipynb"):
            stem = name[:-6]
            which = _assignment_of(stem, assignments, default)
            if which is None:
                problems.append(f"{name}: cannot tell the assignment; use --assignment or a folder "
                                "per student; skipped")
                continue
            raw = stem.replace(which, "").strip("_- .") if which in stem else stem
            refused = None if entry.is_file(follow_symlinks=False) else "refused: not a regular file"
            if refused:
                problems.append(f"{name}: {refused}")
            candidates.append((raw or stem, Submission("", which, Path(entry.path), refused=refused)))
    # names: NFC, and never two different names as given merged into one student
    by_name: dict[str, set[str]] = {}
    for raw, _ in candidates:
        by_name.setdefault(student_name(raw), set()).add(raw)
    for raw, sub in candidates:
        name = student_name(raw)
        if len(by_name[name]) > 1:
            sub.student = f"{name} [{_short_hash(raw)}]"
        else:
            sub.student = name
    for name, raws in sorted(by_name.items()):
        if len(raws) > 1:
            problems.append(f"collision: {len(raws)} different names read as {name!r} "
                            f"({', '.join(map(ascii, sorted(raws)))}); kept apart as "
                            + ", ".join(f"{name} [{_short_hash(r)}]" for r in sorted(raws)))
    # file names: unique, also where the file system ignores case
    stems: dict[str, set[str]] = {}
    for _, sub in candidates:
        stems.setdefault(file_stem(sub.student).casefold(), set()).add(sub.student)
    for _, sub in candidates:
        stem = file_stem(sub.student)
        clash = stems[stem.casefold()]
        sub.file = stem if len(clash) == 1 else f"{stem}-{_short_hash(sub.student)}"
    for stem, names in sorted(stems.items()):
        if len(names) > 1:
            problems.append(f"file names: {', '.join(map(repr, sorted(names)))} would all be "
                            f"{stem!r}; each got a short hash")
    chosen: dict[tuple[str, str], Submission] = {}
    for _, sub in sorted(candidates, key=lambda c: (c[1].refused is not None,
                                                    c[1].path.stem != c[1].assignment, str(c[1].path))):
        first = chosen.setdefault((sub.student, sub.assignment), sub)
        if first is not sub:
            problems.append(f"{sub.path.relative_to(root)}: {sub.student} has another notebook for "
                            f"{sub.assignment}; graded {first.path.name}")
    return sorted(chosen.values(), key=lambda s: (s.student, s.assignment)), problems


def shard_of(submissions: list[Submission], k: int, n: int) -> list[Submission]:
    """Shard k of n (1-based): every n-th student in sorted order, all of their notebooks."""
    if not (isinstance(k, int) and isinstance(n, int) and 1 <= k <= n):
        raise ValueError(f"shard must be K/N with 1 ≤ K ≤ N, got {k}/{n}")
    students = sorted({s.student for s in submissions})
    mine = {s for i, s in enumerate(students) if i % n == k - 1}
    return [s for s in submissions if s.student in mine]


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


def child_env(scratch: str, token: str) -> dict:
    return {
        "PATH": "/usr/bin:/bin", "HOME": scratch, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
        "TMPDIR": scratch, "PYTHONDONTWRITEBYTECODE": "1",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg", "MPLCONFIGDIR": os.path.join(scratch, ".matplotlib"),
        "IPYTHONDIR": os.path.join(scratch, ".ipython"), "JUPYTER_PLATFORM_DIRS": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1", TOKEN_VARIABLE: token,
    }


@dataclass
class ChildRun:
    code: int | None  # None: stopped at the time limit
    seconds: float
    output: bytes
    too_large: bool
    errors: str  # the end of its standard error


def _drain(stream, limit: int, into: list, tail: bool = False) -> None:
    size = 0
    try:
        while True:
            chunk = stream.read(65536)
            if not chunk:
                break
            size += len(chunk)
            if tail:
                into.append(chunk)
                while sum(map(len, into)) > limit and len(into) > 1:
                    into.pop(0)
            elif size <= limit:
                into.append(chunk)
            else:
                into.append(None)  # marks "too large"; stop reading, the child is killed
                break
    except (OSError, ValueError):
        pass


def run_child(sandbox: Sandbox, argv: list[str], *, scratch: str, token: str, stdin: bytes,
              timeout: float, max_output: int) -> ChildRun:
    """Run `argv` in the sandbox (a new session; standard input `stdin`); read at most
    `max_output` bytes of its standard output; kill it at the end or after `timeout` seconds."""
    start = time.perf_counter()
    cwd = scratch if not sandbox.strong else "/"
    proc = subprocess.Popen(sandbox.wrap(argv), cwd=cwd, env=child_env(scratch, token),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, close_fds=True)
    GROUPS.add(proc.pid)
    out: list = []
    err: list = []
    readers = [threading.Thread(target=_drain, args=(proc.stdout, max_output, out), daemon=True),
               threading.Thread(target=_drain, args=(proc.stderr, 4096, err, True), daemon=True)]

    def feed():
        try:
            proc.stdin.write(stdin)
        except (BrokenPipeError, OSError, ValueError):
            pass
        finally:
            try:
                proc.stdin.close()
            except (BrokenPipeError, OSError):
                pass

    writer = threading.Thread(target=feed, daemon=True)
    for t in (*readers, writer):
        t.start()
    code = None
    deadline = start + timeout
    try:
        while True:
            try:
                code = proc.wait(timeout=0.05)
                break
            except subprocess.TimeoutExpired:
                if time.perf_counter() > deadline or (out and out[-1] is None):
                    break
    finally:
        GROUPS.kill(proc.pid)
        proc.wait()
        for t in (*readers, writer):
            t.join(timeout=5)
        for stream in (proc.stdout, proc.stderr):
            try:
                stream.close()
            except OSError:
                pass
    too_large = bool(out) and out[-1] is None
    data = b"".join(c for c in out if c is not None)
    return ChildRun(None if code is None and not too_large else code, time.perf_counter() - start,
                    data, too_large, b"".join(err).decode("utf-8", "replace")[-1000:])


_DEFAULT: list = []


def _default_sandbox() -> Sandbox:
    """Sandbox.find(), probed once per process (for callers that pass no sandbox)."""
    if not _DEFAULT:
        _DEFAULT.append(Sandbox.find())
    return _DEFAULT[0]


def _scratch(work: Path, name: str, sandbox: Sandbox) -> str:
    """The child's scratch directory: the sandbox's tmpfs, or (weak) a fresh host folder."""
    if sandbox.strong:
        return f"{INSIDE_TMP}/{name}"
    path = work / name
    path.mkdir(parents=True)
    return str(path)


# ----------------------------------------------------------------------------------------------
# one submission

def read_cells(path: Path) -> tuple[list[str] | None, dict, str | None]:
    """(code cell sources, {question: written answer}, problem) from a notebook file, read with
    limits (nnlab.grading.source): nothing in it is executed or trusted here."""
    try:
        code, answers = code_and_answers(parse_notebook(read_bytes(path)))
        return code, answers, None
    except Unreadable as err:
        return None, {}, str(err)


def execute_notebook(notebook: str, work: Path, limits: Limits, token: str,
                     sandbox: Sandbox) -> tuple[dict, str]:
    """Re-run the clean notebook (JSON text) in a fresh sandboxed kernel; return the executor's
    summary and the executed notebook (text, or "")."""
    scratch = _scratch(work, "kernel", sandbox)
    request = {"scratch": scratch, "notebook": notebook, "cell_timeout": limits.cell_timeout,
               "memory_mb": limits.memory_mb, "cpu_seconds": int(limits.total_timeout) + 10}
    run = run_child(sandbox, [sys.executable, "-I", "-m", "nnlab.grading.execute"], scratch=scratch,
                    token=token, stdin=json_bytes(request), timeout=limits.total_timeout,
                    max_output=MAX_EXECUTOR_BYTES + len(notebook))
    summary, executed = None, ""
    if run.output:
        try:
            answer = json.loads(run.output.decode("utf-8"))
            summary = _clean_summary(answer.get("summary"))
            executed = answer.get("executed") if isinstance(answer.get("executed"), str) else ""
        except (ValueError, AttributeError, RecursionError, TypeError):
            summary = None
    if summary is None:
        last = run.errors.strip().splitlines()[-1:]
        summary = {"ran": False, "cells": None, "errors": [], "stopped": (
            f"the whole notebook ran longer than {limits.total_timeout:g} s" if run.code is None else
            "the executor's answer was too large" if run.too_large else
            f"the executor failed (exit code {run.code}): {' '.join(last)[:300]}")}
    summary["seconds"] = round(run.seconds, 2)
    return summary, executed


def json_bytes(obj) -> bytes:
    return json.dumps(obj).encode("utf-8")


def _clean_summary(s) -> dict | None:
    """The executor's summary, kept only in the shape the report expects."""
    if not isinstance(s, dict):
        return None
    errors = s.get("errors") if isinstance(s.get("errors"), list) else []
    return {"ran": s.get("ran") is True,
            "cells": s["cells"] if isinstance(s.get("cells"), int) and 0 <= s["cells"] < 10**6 else None,
            "errors": [{"cell": e["cell"] if isinstance(e.get("cell"), int) else None,
                        "error": str(e.get("error", ""))[:400]} for e in errors[:100] if isinstance(e, dict)],
            "stopped": str(s["stopped"])[:400] if s.get("stopped") else None}


def _failure(part, status: str, text: str) -> CheckResult:
    return CheckResult(part.name, False, f"✗ {part.name}: {text}", status)


class Malformed(ValueError):
    """A runner's answer that is not what a runner sends; str() says what was wrong."""


def _text(d: dict, key: str, limit: int) -> str:
    v = d.get(key, "")
    if not isinstance(v, str):
        raise Malformed(f"{key} is not text")
    return v[:limit]


def _outcome(d, part, case) -> tuple[Outcome, list[str]]:
    """An Outcome judged from a runner's raw observation of one case, and what it reached.

    Mutation is decided here, comparing the arguments after the call with the grader's own copy
    of the case; only numpy's RuntimeWarnings count, as in the notebook check."""
    if not isinstance(d, dict):
        raise Malformed("an outcome that is not a record")
    status = d.get("status")
    if status not in STATUSES:
        raise Malformed(f"unknown status {str(status)[:40]!r}")
    after = d.get("after")
    if not isinstance(after, list) or len(after) != len(case.args):
        raise Malformed("the arguments after the call are missing")
    mutated = tuple(name for name, before, now in zip(part.arg_names, case.args, after)
                    if isinstance(before, (np.ndarray, list, tuple)) and not _same(before, now))
    warns = d.get("warnings")
    if not isinstance(warns, list) or not all(isinstance(w, list) and len(w) == 2 and
                                              all(isinstance(x, str) for x in w) for w in warns):
        raise Malformed("warnings that are not (category, message) pairs")
    messages = tuple(dict.fromkeys(m[:300] for c, m in warns[:50] if c == "RuntimeWarning"))[:5]
    seconds = d.get("seconds", 0.0)
    try:
        seconds = float(seconds) if isinstance(seconds, (int, float)) and not isinstance(seconds, bool) else 0.0
    except OverflowError:
        seconds = 0.0
    if not math.isfinite(seconds) or not 0 <= seconds < 1e6:
        seconds = 0.0
    reached = d.get("reached", [])
    if not isinstance(reached, list) or not all(isinstance(r, str) for r in reached):
        raise Malformed("a list of reached functions that is not text")
    outcome = Outcome(status, d.get("value"), _text(d, "error", 2000), _text(d, "where", 300),
                      mutated, messages, seconds)
    return outcome, [r[:100] for r in reached[:10]]


def parse_answer(answer, part, cases) -> tuple[bool, list[str], list[Outcome], list[str]]:
    """(function found, problems, outcomes, reached) from a runner's unpacked answer; raises Malformed."""
    if not isinstance(answer, dict):
        raise Malformed("not a record")
    found = answer.get("found")
    if not isinstance(found, bool):
        raise Malformed("'found' is not true or false")
    problems = answer.get("problems", [])
    if not isinstance(problems, list) or not all(isinstance(p, str) for p in problems):
        raise Malformed("'problems' is not a list of text")
    raw = answer.get("outcomes")
    if not isinstance(raw, list):
        raise Malformed("'outcomes' is not a list")
    if found and len(raw) != len(cases):
        raise Malformed(f"{len(raw)} outcomes for {len(cases)} test inputs")
    outcomes, reached = [], []
    for d, case in zip(raw, cases):
        outcome, hits = _outcome(d, part, case)
        outcomes.append(outcome)
        reached += [h for h in hits if h not in reached]
    return found, [p[:300] for p in problems[:20]], outcomes, reached


def grade_part(part, spec: dict, cells: list[str], work: Path, limits: Limits, token: str,
               sandbox: Sandbox | None = None, selected: list | None = None
               ) -> tuple[CheckResult, list[str], list[str]]:
    """Run one part in its own sandboxed process and judge its observations here.

    Returns (verdict, problems met loading the definitions, nnlab implementations it reached)."""
    sandbox = sandbox or _default_sandbox()
    if selected is None:
        selected, _, _ = select_definitions(cells)
    cases = part.cases(np.random.default_rng(spec["seed"]))
    timeout = float(spec.get("timeout", limits.cell_timeout))
    scratch = _scratch(work, f"part-{part.name}", sandbox)
    request = pack({"part": part.name, "function": part.name, "cells": cells, "selected": selected,
                    "cases": [(case.args, case.extra) for case in cases], "scratch": scratch,
                    "memory_mb": limits.memory_mb, "cpu_seconds": int(math.ceil(timeout)) + 5})
    cmd = [sys.executable, "-I", "-c", "from nnlab.grading.runner import main; main()"]
    run = run_child(sandbox, cmd, scratch=scratch, token=token, stdin=request, timeout=timeout,
                    max_output=MAX_RESULT_BYTES)
    if run.too_large:
        return _failure(part, "crashed", f"the process running your code sent back more than "
                                         f"{MAX_RESULT_BYTES // 2**20} MB; it was stopped."), [], []
    if run.code is None:
        return _failure(part, "timeout", f"no result within {timeout:g} s (an endless loop, or "
                                         "far too slow); the process was stopped."), [], []
    if not run.output:
        how = (f"was killed by signal {-run.code}" if run.code < 0 else f"ended with exit code {run.code}")
        return _failure(part, "crashed", f"the process running your code {how} without a result "
                                         "(sys.exit or os._exit, a crash, or over a limit: "
                                         f"{limits.memory_mb} MB of memory, {timeout:g} s)."), [], []
    try:
        found, problems, outcomes, reached = parse_answer(unpack(run.output), part, cases)
    except (Garbled, Malformed, RecursionError) as err:
        return _failure(part, "crashed", "the result of the process running your code could not "
                                         f"be read ({str(err)[:120]})."), [], []
    if not found:
        return _failure(part, "missing", f"your notebook defines no function `{part.name}` "
                                         "(graded: the imports, function definitions and the "
                                         "constants they use, of its code cells)."), problems, []
    try:
        return judge(part, cases, outcomes), problems, reached
    except Exception as err:  # noqa: BLE001 — a result so odd that judging it failed: this part only
        return _failure(part, "crashed", f"your result could not be judged ({type(err).__name__}: "
                                         f"{str(err)[:200]})."), problems, reached


def _mistake(message: str) -> str:
    """The known mistake a message names ("the SUM over the batch, not the mean"), or ""."""
    for line in message.splitlines():
        if line.startswith("Your result equals "):
            return line[len("Your result equals "):].split(" Hint:")[0].rstrip(". ")[:200]
    return ""


def grade_submission(sub: Submission, key: dict, limits: Limits, work: Path, out: Path,
                     sandbox: Sandbox | None = None) -> Report:
    """Grade one notebook. Never raises (except KeyboardInterrupt): whatever goes wrong is in the
    report, and the submission's processes and scratch space are gone when it returns."""
    start = time.perf_counter()
    token = secrets.token_hex(16)
    spec = key["assignments"][sub.assignment]
    policy = key.get("reuse", "flag")
    report = Report(sub.student, sub.assignment, str(sub.path), sub.file or safe_name(sub.student))
    try:
        sandbox = sandbox or _default_sandbox()
        report.sandbox = sandbox.describe()
        if not sandbox.strong:  # the weak guard's scratch folders live here
            work.mkdir(parents=True, exist_ok=True)
        _grade_into(report, sub, spec, policy, limits, work, out, token, sandbox)
    except Exception as err:  # noqa: BLE001 — the submission boundary: this one fails, no other
        message = f"the grader failed on this notebook ({type(err).__name__}: {str(err)[:300]})"
        print(f"nnlab grade: {sub.path}: {message}\n{traceback.format_exc()}", file=sys.stderr)
        done = {p.name for p in report.parts}
        for name, part_spec in spec["parts"].items():
            if name not in done:
                report.parts.append(PartResult(name, 0.0, float(part_spec["points"]), "crashed",
                                               f"✗ {name}: {message}; ask your instructor."))
        report.execution = report.execution or {"ran": False, "stopped": message}
    finally:
        sweep(token)
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    report.seconds = time.perf_counter() - start
    return report


def _grade_into(report: Report, sub: Submission, spec: dict, policy: str, limits: Limits,
                work: Path, out: Path, token: str, sandbox: Sandbox) -> None:
    problem = sub.refused
    nb = cells = None
    answers: dict = {}
    if problem is None:
        try:
            nb = parse_notebook(read_bytes(sub.path))
            cells, answers = code_and_answers(nb)
        except Unreadable as err:
            problem = str(err)
    if problem is None:
        summary, executed = execute_notebook(notebook_for_kernel(nb), work, limits, token, sandbox)
        report.execution = summary
        if executed:
            target = out / "executed" / report.file / f"{sub.assignment}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(executed, encoding="utf-8")
        selected, definitions, executed_nodes = select_definitions(cells)
        report.reaches_into = reaches_into(executed_nodes)
    else:
        report.execution = {"ran": False, "stopped": problem}
        selected, definitions = [], []
    found = set(definitions)
    for name, part_spec in spec["parts"].items():
        part = configured_part(name, part_spec)
        max_points = float(part_spec["points"])
        reached: list[str] = []
        if cells is None:
            result = _failure(part, "refused" if problem.startswith("refused") else "missing", problem)
        else:
            result, problems, reached = grade_part(part, part_spec, cells, work, limits, token,
                                                   sandbox, selected)
            found.update(problems)
        points = max_points if result.passed else 0.0
        status, message = result.status, result.message
        if policy == "zero" and result.passed and (reached or report.reaches_into):
            points, status = 0.0, "reused"
            used = ", ".join(reached or report.reaches_into)
            message = (f"✗ {name}: it calls nnlab's own implementation ({used}); the instructor's "
                       "rules give no points for that. Write the computation yourself.")
        report.parts.append(PartResult(name, points, max_points, status, message, reached,
                                       _mistake(message)))
    report.definitions = sorted(found)
    report.written = [{"question": q, "max_points": p, "answer": answers.get(q, "")}
                      for q, p in spec.get("written", {}).items()]
