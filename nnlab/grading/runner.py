"""The part runner: a short-lived process that runs ONE part of one submission and reports plain data.

    python -I -c "from nnlab.grading.runner import main; main()"   (request on stdin)

The grader starts it in a new session, in an empty scratch directory, and sends one packed
request: the student's code cells (source text from the notebook file), the part's name, its test
inputs (the hidden cases, as data — never a file path) and the limits. The runner

1. opens the result file it was given, applies its resource limits and installs the guard
   (nnlab.grading.sandbox), all before any student code exists in the process;
2. runs the student's *definitions* — imports, functions, classes and constant assignments of every
   code cell — each statement on its own, so one that fails costs only what depends on it; top-level
   code that does something (calls, loops, prints, plots, checks) is skipped;
3. calls the part's function on every case through nnlab.checks (the same call as in a notebook
   check), and writes the outcomes, packed as plain data, to the result file.

Nothing the runner writes is trusted: the grader unpacks it without pickle and judges it in its own
process against its own references, so patching numpy or nnlab.checks here changes nothing but the
student's own answers.
"""

from __future__ import annotations

import ast
import os
import sys

#: Top-level statements that define things; anything else in a cell is skipped when grading.
DEFINITIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _strip_magics(source: str) -> str | None:
    """IPython magics and shell escapes → `pass`; a cell magic (%%...) skips the whole cell."""
    if source.lstrip().startswith("%%"):
        return None
    lines = []
    for line in source.split("\n"):
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            line = line[:len(line) - len(stripped)] + "pass"
        lines.append(line)
    return "\n".join(lines)


def _is_definition(node) -> bool:
    if isinstance(node, DEFINITIONS):
        return True
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        return node.value is not None and not any(isinstance(n, (ast.Call, ast.Await, ast.Yield,
                                                                 ast.YieldFrom, ast.NamedExpr))
                                                  for n in ast.walk(node.value))
    return False


def load_definitions(cells: list[str]) -> tuple[dict, list[str]]:
    """Execute the definitions of the cells in a fresh namespace; return it and the problems met."""
    namespace: dict = {"__name__": "__main__", "__builtins__": __builtins__}
    problems = []
    for i, source in enumerate(cells):
        source = _strip_magics(source)
        if source is None:
            continue
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as err:
            problems.append(f"cell {i}: {type(err).__name__}: {getattr(err, 'msg', err)} "
                            f"(line {getattr(err, 'lineno', '?')}); its definitions are skipped")
            continue
        for node in tree.body:
            if not _is_definition(node):
                continue
            try:
                code = compile(ast.Module(body=[node], type_ignores=[]), f"<cell {i}>", "exec")
                exec(code, namespace)
            except BaseException as err:  # noqa: BLE001 — the student's import-time failure, any kind
                problems.append(f"cell {i}, line {node.lineno}: {type(err).__name__}: {str(err)[:200]}")
    return namespace, problems


def main() -> None:
    sys.dont_write_bytecode = True
    sys.path[:] = [p for p in sys.path if p not in ("", ".", os.getcwd())]
    data = sys.stdin.buffer.read()
    sys.stdin.close()

    import numpy  # noqa: F401  (before the limits and the guard: imports read many files)

    from nnlab.checks import PARTS
    from nnlab.checks._core import call_learner
    from nnlab.checks._plain import pack, unpack

    from .sandbox import apply_limits, install_guard, runner_read_roots

    request = unpack(data)
    part = PARTS[request["part"]]
    scratch = os.getcwd()
    result = open(request["result_path"], "wb")  # opened before the guard: the only way out
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    apply_limits(request["memory_mb"], request["cpu_seconds"])
    install_guard([scratch], runner_read_roots(scratch))

    namespace, problems = load_definitions(request["cells"])
    fn = namespace.get(request["function"])
    outcomes = []
    if callable(fn):
        for args, extra in request["cases"]:
            outcomes.append(call_learner(part, fn, tuple(args), extra, None).to_plain())
    answer = {"found": callable(fn), "problems": problems, "outcomes": outcomes}
    try:
        payload = pack(answer)
    except Exception as err:  # noqa: BLE001 — a result that cannot be packed is the student's
        payload = pack({"found": callable(fn), "problems": problems + [f"result: {err}"], "outcomes": []})
    result.write(payload)
    result.flush()
    os._exit(0)  # skip interpreter shutdown: nothing of the student's runs after the answer


if __name__ == "__main__":
    main()
