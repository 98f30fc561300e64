"""The executor: re-runs one submitted notebook top to bottom in a fresh, sandboxed kernel.

    python -I -m nnlab.grading.execute   (request as JSON on stdin)

Started by the grader in a new session. It writes a kernelspec that launches nnlab.grading.kernel
with the submission's limits, runs every cell with nbclient (errors are recorded and execution goes
on; a cell over its time limit or a dead kernel stops the run), and writes two files the grader
reads: the executed notebook (outputs trimmed) and a JSON summary. It never decides points: the
outputs of a kernel run are only shown to the instructor.
"""

from __future__ import annotations

import json
import os
import sys
import time

MAX_OUTPUT_CHARS = 20_000  # per cell, in the stored executed notebook


def _trim(nb) -> None:
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept, size = [], 0
        for out in cell.get("outputs", []):
            text = json.dumps(out)
            if size + len(text) > MAX_OUTPUT_CHARS:
                kept.append({"output_type": "stream", "name": "stdout",
                             "text": "[output trimmed by the grader]\n"})
                break
            kept.append(out)
            size += len(text)
        cell.outputs = kept


def main() -> None:
    request = json.loads(sys.stdin.read())
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    private = request["private"]
    os.environ["JUPYTER_PATH"] = private  # where the kernelspec below is found
    spec_dir = os.path.join(private, "kernels", "nnlab-grading")
    os.makedirs(spec_dir, exist_ok=True)
    argv = [sys.executable, "-I", "-m", "nnlab.grading.kernel", "--scratch", request["scratch"],
            "--pidfile", request["pidfile"], "-f", "{connection_file}"]
    if request.get("memory_mb"):
        argv += ["--memory-mb", str(request["memory_mb"])]
    if request.get("cpu_seconds"):
        argv += ["--cpu-seconds", str(request["cpu_seconds"])]
    with open(os.path.join(spec_dir, "kernel.json"), "w") as f:
        json.dump({"argv": argv, "display_name": "nnlab grading", "language": "python"}, f)

    summary = {"ran": False, "cells": 0, "errors": [], "stopped": None, "seconds": 0.0}
    start = time.perf_counter()
    nb = None
    try:
        nb = nbformat.read(request["notebook"], as_version=4)
        summary["cells"] = sum(c.cell_type == "code" for c in nb.cells)
        for cell in nb.cells:  # never trust stored outputs: start from none
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        client = NotebookClient(nb, kernel_name="nnlab-grading", timeout=request["cell_timeout"],
                                allow_errors=True, record_timing=False, store_widget_state=False,
                                interrupt_on_timeout=False, startup_timeout=60,
                                shutdown_kernel="immediate",
                                resources={"metadata": {"path": request["scratch"]}})
        try:
            client.execute(cwd=request["scratch"])
            summary["ran"] = True
        except CellTimeoutError:
            summary["stopped"] = f"a cell ran longer than {request['cell_timeout']} s"
        except DeadKernelError:
            summary["stopped"] = "the kernel died (os._exit, a crash, or over the memory limit)"
    except Exception as err:  # noqa: BLE001 — an unreadable notebook or a kernel that never started
        summary["stopped"] = f"{type(err).__name__}: {str(err)[:300]}"
    summary["seconds"] = round(time.perf_counter() - start, 2)
    if nb is not None:
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    summary["errors"].append({"cell": i, "error": f"{out.get('ename')}: "
                                                                  f"{str(out.get('evalue'))[:300]}"})
        _trim(nb)
        with open(request["executed"], "w", encoding="utf-8") as f:
            f.write(nbformat.writes(nb))
    with open(request["summary"], "w", encoding="utf-8") as f:
        json.dump(summary, f)


if __name__ == "__main__":
    main()
