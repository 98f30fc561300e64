"""Re-run notebooks top to bottom in a fresh kernel and store their outputs: the only way outputs are made.

    python tools/build_notebooks.py                     # every chapter
    python tools/build_notebooks.py chapters/05_*.ipynb # some
    python tools/build_notebooks.py --check             # fail if a rebuild would change a file

Each notebook runs in its own kernel with its folder as the working directory, in parallel over the
machine's cores. The result is normalised so that two runs give byte-identical files: no execution
timestamps, no widget state, a fixed kernelspec, execution counts 1, 2, 3, … in order, and no
outputs for cells tagged `nbval-ignore-output` (timings, live widgets: they differ on every run and
nbval does not compare them; the learner sees them when running the notebook).

The build fails, naming the notebook and cell, when a cell raises (unless tagged `raises-exception`)
or writes to stderr (a warning, a progress bar) in a cell not tagged `nbval-ignore-output`.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
# Notebooks run in parallel, one per core: one BLAS thread each (as in `make test`).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
CELL_TIMEOUT = 300  # seconds


class BuildError(RuntimeError):
    pass


def normalise(nb) -> None:
    """Remove everything that changes from run to run or machine to machine."""
    nb.metadata = nbformat.from_dict({
        "kernelspec": KERNELSPEC,
        "language_info": {"name": "python", "pygments_lexer": "ipython3"},
    })
    count = 0
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
        cell.metadata.pop("scrolled", None)
        if cell.cell_type == "code":
            count += 1
            cell.execution_count = count
            if "nbval-ignore-output" in cell.metadata.get("tags", []):
                cell.outputs = []  # timings and live widgets: different on every run, not stored
            for out in cell.outputs:
                if "execution_count" in out:
                    out.execution_count = count
                out.get("metadata", {}).pop("execution", None)
        cell.pop("id", None)
    nb.nbformat, nb.nbformat_minor = 4, 4


def problems(nb, name: str) -> list[str]:
    """Cells that wrote to stderr or raised without being tagged for it."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tags = set(cell.metadata.get("tags", []))
        for out in cell.outputs:
            if out.output_type == "stream" and out.name == "stderr" and "nbval-ignore-output" not in tags:
                found.append(f"{name}, cell {i}: writes to stderr: {out.text.strip()[:300]}")
            if out.output_type == "error" and "raises-exception" not in tags:
                found.append(f"{name}, cell {i}: raised {out.ename}: {out.evalue[:300]}")
    return found


def execute(path: Path) -> tuple[str, float, bytes]:
    """Run one notebook; return (name, seconds, the normalised notebook as bytes)."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3", allow_errors=True,
                            record_timing=False, store_widget_state=False, coalesce_streams=True,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()  # the same kernel and environment as strict nbval in the test suite
    seconds = time.perf_counter() - start
    normalise(nb)
    errors = problems(nb, path.name)
    if errors:
        raise BuildError("\n".join(errors))
    return path.name, seconds, (nbformat.writes(nb) + "\n").encode()


def default_paths() -> list[Path]:
    return sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks (default: chapters/NN_*.ipynb)")
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if a rebuilt notebook differs from the stored one")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.paths] or default_paths()
    if not paths:
        print("no notebooks to build")
        return 0
    failed = changed = 0
    total = time.perf_counter()
    with ProcessPoolExecutor(max_workers=max(1, min(args.jobs, len(paths)))) as pool:
        futures = {path: pool.submit(execute, path) for path in paths}
        for path, future in futures.items():
            try:
                name, seconds, data = future.result()
            except BuildError as err:
                failed += 1
                print(f"FAILED {path.name}\n{err}", file=sys.stderr)
                continue
            same = path.read_bytes() == data
            if args.check:
                changed += not same
                status = "unchanged" if same else "WOULD CHANGE"
            else:
                if not same:
                    path.write_bytes(data)
                status = "unchanged" if same else "written"
            print(f"{seconds:6.1f} s  {status:<12}  {path.relative_to(ROOT)}")
    print(f"{time.perf_counter() - total:6.1f} s  total")
    return 1 if failed or changed else 0


if __name__ == "__main__":
    sys.exit(main())
