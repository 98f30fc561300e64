"""The part runner: a short-lived, sandboxed process that runs ONE part of one submission and
reports what it saw, as plain data.

    python -I -c "from nnlab.grading.runner import main; main()"   (request on stdin, answer on stdout)

The grader starts it inside the sandbox (nnlab.grading.sandbox) and sends one packed request: the
student's code cells (source text from the notebook file), which top-level statements of each cell
to execute (chosen by the grader, nnlab.grading.source), the part's name, its test inputs (the
hidden cases, as data — never a file path) and the limits. The runner

1. keeps its standard output as the only way out and sends the student's prints to /dev/null,
   takes every function it needs while no student code exists yet, applies its resource limits
   and installs the audit hook;
2. executes the selected statements, each on its own, so one that fails costs only what depends
   on it;
3. calls the part's function on every case and reports, per case, the raw observations: the
   returned value (plain data), the arguments as they are after the call, the warnings raised,
   what was raised, and which of nnlab's own implementations of the part (or nnlab.checks,
   nnlab.grading) the call reached.

It decides nothing: mutation, warnings and the verdict are judged in the grader's process against
the copies of the inputs the grader kept, so patching nnlab or numpy here changes only the
student's own answers — which the grader reads defensively, like anything else from here.
"""

from __future__ import annotations

import ast
import copy
import os
import sys
import time

#: At most this many warnings per case are reported.
MAX_WARNINGS = 20


def load_definitions(cells: list[str], selected: list[list[int]] | None = None) -> tuple[dict, list[str]]:
    """Execute the selected top-level statements of the cells in a fresh namespace; return it and
    the problems met. `selected` defaults to what nnlab.grading.source.select_definitions picks."""
    from .source import parse_cell, select_definitions

    namespace: dict = {"__name__": "__main__", "__builtins__": __builtins__}
    problems = []
    if selected is None:
        selected, problems, _ = select_definitions(cells)
    for i, source in enumerate(cells):
        wanted = set(selected[i]) if i < len(selected) else set()
        if not wanted:
            continue
        try:
            tree = parse_cell(source)
        except BaseException:  # noqa: BLE001 — the grader has reported it already
            continue
        for k, node in enumerate(tree.body if tree is not None else []):
            if k not in wanted:
                continue
            try:
                code = compile(ast.Module(body=[node], type_ignores=[]), f"<cell {i}>", "exec")
                exec(code, namespace)
            except BaseException as err:  # noqa: BLE001 — the student's import-time failure, any kind
                problems.append(f"cell {i}, line {node.lineno}: {type(err).__name__}: {str(err)[:200]}")
    return namespace, problems


def _snapshot(value, depth: int = 0):
    """The arguments after the call, as plain data the judge compares with its own copies."""
    import numpy as np

    if depth > 8:
        return None
    if isinstance(value, np.ndarray):
        return np.array(value, copy=True, subok=False) if value.dtype.kind in "biuf" else None
    if isinstance(value, (list, tuple)):
        items = [_snapshot(v, depth + 1) for v in value[:100_000]]
        return tuple(items) if isinstance(value, tuple) else items
    return None


def _watched_codes(part_name: str):
    """The code objects of nnlab's own implementation of the part (functions and class methods)."""
    import importlib
    import inspect

    from .source import REFERENCES

    codes = {}
    for dotted in REFERENCES.get(part_name, ()):
        module_name, _, attr = dotted.rpartition(".")
        try:
            obj = getattr(importlib.import_module(module_name), attr)
        except (ImportError, AttributeError):
            continue
        functions = [obj] if inspect.isfunction(obj) else [
            v for v in vars(obj).values() if inspect.isfunction(v)] if inspect.isclass(obj) else []
        for f in functions:
            codes[f.__code__] = dotted
    return codes


def main() -> None:
    sys.dont_write_bytecode = True
    sys.path[:] = [p for p in sys.path if p not in ("", ".", os.getcwd())]
    data = sys.stdin.buffer.read()
    sys.stdin.close()
    answer_out = os.fdopen(os.dup(1), "wb")  # the only way out; the student's prints go nowhere
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)

    import warnings

    import numpy as np  # before the limits and the guard: imports read many files

    import nnlab
    from nnlab.checks import PARTS
    from nnlab.checks._core import _learner_location, materialise
    from nnlab.checks._plain import NotPlain, pack, to_plain, unpack

    from .sandbox import apply_limits, install_guard, runner_read_roots

    request = unpack(data)
    part = PARTS[request["part"]]
    call = part.call  # bound now: what the student's code does to the class later does not matter
    watched = _watched_codes(part.name)
    nnlab_dir = os.path.dirname(os.path.abspath(nnlab.__file__))
    private = tuple(os.path.join(nnlab_dir, d) + os.sep for d in ("checks", "grading"))
    settrace, perf_counter, deepcopy = sys.settrace, time.perf_counter, copy.deepcopy
    catch_warnings, simplefilter, errstate = warnings.catch_warnings, warnings.simplefilter, np.errstate

    scratch = request["scratch"]
    os.makedirs(scratch, exist_ok=True)
    os.chdir(scratch)
    apply_limits(request["memory_mb"], request["cpu_seconds"])
    install_guard([scratch], runner_read_roots(scratch))

    def observe(fn, case_args, extra) -> dict:
        args = materialise(deepcopy(case_args))
        given = {getattr(a, "__code__", None) for a in args if callable(a)}  # functions it was handed
        reached: dict[str, None] = {}

        def tracer(frame, event, arg):
            code = frame.f_code
            if code in given:
                return None
            if code in watched:
                reached.setdefault(watched[code])
            elif code.co_filename.startswith(private):
                caller = frame.f_back
                while caller is not None:  # reached from the student's code, not from the check's
                    if caller.f_code.co_filename.startswith("<cell "):
                        reached.setdefault("nnlab" + code.co_filename[len(nnlab_dir):])
                        break
                    caller = caller.f_back
            return None

        start = perf_counter()
        value, status, error, where = None, "ok", "", ""
        with catch_warnings(record=True) as caught, \
                errstate(over="warn", invalid="warn", divide="warn", under="ignore"):
            simplefilter("always")
            settrace(tracer)
            try:
                raw = call(fn, args, materialise(deepcopy(extra)))
                settrace(None)
                value = to_plain(raw)
            except NotImplementedError as err:
                status, error = "not_implemented", f"NotImplementedError: {err}"
                where = _learner_location(err.__traceback__)
            except NotPlain as err:
                status, error = "not_plain", str(err)
            except SystemExit as err:
                status, error = "exit", f"SystemExit({err.code!r})"
                where = _learner_location(err.__traceback__)
            except BaseException as err:  # noqa: BLE001 — the learner's bug: reported, never raised
                status, error = "error", f"{type(err).__name__}: {str(err)[:500]}"
                where = _learner_location(err.__traceback__)
            finally:
                settrace(None)
        seconds = perf_counter() - start
        found = []
        for w in caught[:MAX_WARNINGS]:
            found.append([getattr(w.category, "__name__", "Warning"), str(w.message)[:300]])
        return {"status": status, "value": value, "error": error, "where": where,
                "after": [_snapshot(a) for a in args], "warnings": found,
                "seconds": float(seconds), "reached": list(reached)[:10]}

    namespace, problems = load_definitions(request["cells"], request["selected"])
    fn = namespace.get(request["function"])
    outcomes = []
    if callable(fn):
        for args, extra in request["cases"]:
            outcomes.append(observe(fn, tuple(args), extra))
    answer = {"found": callable(fn), "problems": problems, "outcomes": outcomes}
    try:
        payload = pack(answer)
    except Exception as err:  # noqa: BLE001 — a result that cannot be packed is the student's
        payload = pack({"found": callable(fn), "problems": problems + [f"result: {str(err)[:200]}"],
                        "outcomes": []})
    answer_out.write(payload)
    answer_out.flush()
    os._exit(0)  # skip interpreter shutdown: nothing of the student's runs after the answer


if __name__ == "__main__":
    main()
