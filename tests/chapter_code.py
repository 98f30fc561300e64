"""Run a chapter's code cells in this process and return the variables they define.

The claim tests assert on those variables, so each claim is checked on exactly the code (and the
seeds) that the chapter runs, without a kernel and without rendering figures. Cells tagged
`raises-exception` must raise; figures are closed instead of shown.
"""

from __future__ import annotations

import contextlib
import io
import os
from functools import lru_cache
from pathlib import Path

CHAPTERS = Path(__file__).resolve().parent.parent / "chapters"
TOOLS = CHAPTERS.parent / "tools"


def chapter_path(prefix: str) -> Path:
    """The chapter notebook whose name starts with `prefix` (e.g. "09")."""
    matches = sorted(CHAPTERS.glob(f"{prefix}*.ipynb"))
    if len(matches) != 1:
        raise FileNotFoundError(f"expected one chapter matching {prefix!r} in {CHAPTERS}, found {matches}")
    return matches[0]


@lru_cache(maxsize=None)
def run_chapter(prefix: str) -> dict:
    """Execute the chapter's code cells top to bottom; return its namespace (cached per session)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import nbformat

    path = chapter_path(prefix)
    nb = nbformat.read(path, as_version=4)
    namespace: dict = {"__name__": "__main__"}
    show = plt.show
    plt.show = lambda *args, **kwargs: plt.close("all")
    cwd = os.getcwd()
    os.chdir(path.parent)
    try:
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            code = compile(cell.source, f"{path.name}[cell {i}]", "exec")
            with contextlib.redirect_stdout(io.StringIO()):
                if "raises-exception" in cell.metadata.get("tags", []):
                    try:
                        exec(code, namespace)
                    except Exception as err:  # the cell demonstrates an error
                        namespace.setdefault("_raised", []).append(err)
                    else:
                        raise AssertionError(f"{path.name} cell {i} is tagged raises-exception but did not raise")
                else:
                    exec(code, namespace)
    finally:
        os.chdir(cwd)
        plt.show = show
        plt.close("all")
    return namespace


@lru_cache(maxsize=None)
def tool(name: str):
    """The script tools/<name>.py imported as a module (e.g. "build_site"), once per session."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, TOOLS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    import sys

    sys.modules[name] = module          # dataclasses and pickling look a module up by name
    spec.loader.exec_module(module)
    return module
