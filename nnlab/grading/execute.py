"""The executor: re-runs one submitted notebook top to bottom in a fresh kernel, inside the sandbox.

    python -I -m nnlab.grading.execute   (request as JSON on stdin, answer as JSON on stdout)

Started by the grader inside the sandbox (nnlab.grading.sandbox), with the clean notebook (cells
and sources only, no stored outputs) in the request. It limits itself (memory, CPU), writes the
notebook and a kernelspec into its scratch directory (the sandbox's tmpfs), runs every cell with
nbclient (errors are recorded and execution goes on; a cell over its time limit or a dead kernel
stops the run), keeps at most `MAX_OUTPUT_CHARS` of output per cell and `MAX_TOTAL_CHARS` in all
while they arrive (a cell printing without end cannot grow this process), and answers with one
JSON object on its standard output: the summary and the executed notebook. The kernel cannot
reach that output (it is not inherited, and this process is not dumpable). The answer never
decides points: a kernel run's outputs are only shown to the instructor.
"""

from __future__ import annotations

import json
import os
import sys
import time

MAX_OUTPUT_CHARS = 20_000  # per cell, in the executed notebook
MAX_TOTAL_CHARS = 2_000_000  # all cells together
TRIMMED = "[output trimmed by the grader]\n"


def _not_dumpable() -> None:
    """Keep the kernel (same user) from reading this process's memory or file descriptors."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4
    except (OSError, AttributeError):
        pass


def main() -> None:
    request = json.loads(sys.stdin.read())
    sys.stdin.close()
    answer_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 1)
    _not_dumpable()

    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    from .sandbox import apply_limits

    apply_limits(request.get("memory_mb"), request.get("cpu_seconds"))
    scratch = request["scratch"]
    work, private = os.path.join(scratch, "work"), os.path.join(scratch, "private")
    spec_dir = os.path.join(private, "kernels", "nnlab-grading")
    os.makedirs(work, exist_ok=True)
    os.makedirs(spec_dir, exist_ok=True)
    os.environ["JUPYTER_PATH"] = private  # where the kernelspec below is found
    os.environ.update(HOME=work, TMPDIR=work, IPYTHONDIR=os.path.join(work, ".ipython"),
                      MPLCONFIGDIR=os.path.join(work, ".matplotlib"))  # the kernel's, writable
    for name in ("RUNTIME", "CONFIG", "DATA"):
        os.environ[f"JUPYTER_{name}_DIR"] = os.path.join(private, name.lower())
    argv = [sys.executable, "-I", "-m", "nnlab.grading.kernel", "--scratch", work,
            "-f", "{connection_file}"]
    if request.get("memory_mb"):
        argv += ["--memory-mb", str(request["memory_mb"])]
    if request.get("cpu_seconds"):
        argv += ["--cpu-seconds", str(request["cpu_seconds"])]
    with open(os.path.join(spec_dir, "kernel.json"), "w") as f:
        json.dump({"argv": argv, "display_name": "nnlab grading", "language": "python"}, f)

    class CappedClient(NotebookClient):
        """An nbclient that drops output beyond the caps as it arrives."""

        kept_total = 0
        kept: dict = {}

        def output(self, outs, msg, display_id, cell_index):
            size = len(json.dumps(msg.get("content", {}), default=str))
            used = self.kept.get(cell_index, 0)
            if used + size > MAX_OUTPUT_CHARS or self.kept_total + size > MAX_TOTAL_CHARS:
                if used <= MAX_OUTPUT_CHARS:  # one marker per cell
                    self.kept[cell_index] = MAX_OUTPUT_CHARS + 1
                    outs.append(nbformat.v4.new_output("stream", name="stdout", text=TRIMMED))
                return None
            self.kept[cell_index] = used + size
            self.kept_total += size
            return super().output(outs, msg, display_id, cell_index)

    summary = {"ran": False, "cells": 0, "errors": [], "stopped": None, "seconds": 0.0}
    start = time.perf_counter()
    nb = None
    try:
        nb = nbformat.reads(request["notebook"], as_version=4)
        with open(os.path.join(work, "submission.ipynb"), "w", encoding="utf-8") as f:
            f.write(request["notebook"])
        summary["cells"] = sum(c.cell_type == "code" for c in nb.cells)
        client = CappedClient(nb, kernel_name="nnlab-grading", timeout=request["cell_timeout"],
                              allow_errors=True, record_timing=False, store_widget_state=False,
                              interrupt_on_timeout=False, startup_timeout=60,
                              shutdown_kernel="immediate", resources={"metadata": {"path": work}})
        try:
            client.execute(cwd=work)
            summary["ran"] = True
        except CellTimeoutError:
            summary["stopped"] = f"a cell ran longer than {request['cell_timeout']} s"
        except DeadKernelError:
            summary["stopped"] = "the kernel died (os._exit, a crash, or over the memory limit)"
    except Exception as err:  # noqa: BLE001 — an unreadable notebook or a kernel that never started
        summary["stopped"] = f"{type(err).__name__}: {str(err)[:300]}"
    summary["seconds"] = round(time.perf_counter() - start, 2)
    executed = ""
    if nb is not None:
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error" and len(summary["errors"]) < 100:
                    summary["errors"].append({"cell": i, "error": f"{str(out.get('ename'))[:100]}: "
                                                                  f"{str(out.get('evalue'))[:300]}"})
        try:
            executed = nbformat.writes(nb)
        except Exception as err:  # noqa: BLE001
            summary["stopped"] = summary["stopped"] or f"the executed notebook could not be written: {err}"
    answer_out.write(json.dumps({"summary": summary, "executed": executed}))
    answer_out.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
