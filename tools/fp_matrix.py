"""Run the chapters, the solutions and the claim tests under several floating-point environments.

    python tools/fp_matrix.py                                # every environment, everything (make test)
    python tools/fp_matrix.py chapters/05_gradient_descent.ipynb   # one chapter and its claim tests
    python tools/fp_matrix.py --env perturbed --env numpy-1.26 chapters/02_*.ipynb
    python tools/fp_matrix.py --list                         # the environments, and what each changes

The stored outputs were made on one machine; a learner's laptop rounds differently (another CPU,
with or without AVX-512, another BLAS, another numpy). Each environment below is such a machine.
In every one, strict nbval compares each chapter's (and solution's) fresh outputs with the stored
ones, and the claim tests check every number the text quotes. All must pass with the same files:

  blas-2-threads   OpenBLAS with two threads (matrix products split and summed in another order)
  no-avx512        numpy's SIMD dispatch without AVX-512 (other loops for exp, log, tanh, sums)
  simd-baseline    numpy's SIMD dispatch limited to the build's baseline (SSE4.2 on x86-64)
  perturbed        every random float a seeded Generator draws moved by up to 1e-13 of itself
                   (tests/fpenv/sitecustomize.py): what any rounding difference does downstream,
                   so an output that depends on the last bits shows it here even on the same CPU
  numpy-1.26       the oldest supported numpy, in .venv-np126 (other kernels throughout)

The environment the stored outputs come from (the newest numpy, one BLAS thread, all SIMD) is the
full suite's own (`make test-full`). An environment that would be the same as that one here (no
AVX-512 on this CPU, say) or that cannot be built (numpy 1.26 on Python ≥ 3.13) is skipped with a
note. Environments run in parallel, one per core; each prints its wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FULL_PY = ROOT / ".venv" / "bin" / "python"
OLD_PY = ROOT / ".venv-np126" / "bin" / "python"
PERTURBATION = "1e-13"
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
NBVAL = ["--nbval", "--nbval-current-env", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg"]

# numpy's dispatchable SIMD features and which of them this CPU has, asked of the interpreter itself
# (the names differ between numpy 1.26 and 2.x).
_SIMD_PROBE = r"""
import json
try:
    from numpy._core._multiarray_umath import __cpu_features__ as f, __cpu_dispatch__ as d
except ImportError:
    from numpy.core._multiarray_umath import __cpu_features__ as f, __cpu_dispatch__ as d
print(json.dumps([name for name in d if f.get(name)]))
"""


@dataclass
class Environment:
    name: str
    python: Path
    env: dict = field(default_factory=dict)
    skip: str | None = None            # why it does not run on this machine


def dispatched_features(python: Path) -> list[str]:
    """The SIMD features numpy dispatches to on this CPU (in the environment's own numpy)."""
    out = subprocess.run([str(python), "-c", _SIMD_PROBE], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def environments() -> list[Environment]:
    """The floating-point matrix (see the module docstring)."""
    found = dispatched_features(FULL_PY)
    avx512 = [f for f in found if "512" in f or f == "X86_V4"]
    envs = [
        Environment("blas-2-threads", FULL_PY,
                    {"OPENBLAS_NUM_THREADS": "2", "OMP_NUM_THREADS": "2", "MKL_NUM_THREADS": "2"}),
        Environment("no-avx512", FULL_PY, {"NPY_DISABLE_CPU_FEATURES": " ".join(avx512)},
                    None if avx512 else "this CPU has no AVX-512: the same as the full suite"),
        Environment("simd-baseline", FULL_PY, {"NPY_DISABLE_CPU_FEATURES": " ".join(found)},
                    None if found else "numpy dispatches no SIMD beyond its baseline here"),
        Environment("perturbed", FULL_PY, {"NNLAB_FP_PERTURB": PERTURBATION,
                                           "PYTHONPATH": str(ROOT / "tests" / "fpenv")}),
    ]
    if OLD_PY.exists():
        envs.append(Environment("numpy-1.26", OLD_PY))
    else:
        envs.append(Environment("numpy-1.26", OLD_PY, skip=f"{OLD_PY.parent.parent.name} is missing "
                                "(make install creates it; numpy 1.26 needs Python <= 3.12)"))
    return envs


def targets(paths: list[str]) -> list[str]:
    """What to run: the notebooks given (and the claim tests of their chapters), or everything."""
    if not paths:
        return ["chapters", "solutions", *sorted(str(p.relative_to(ROOT))
                                                 for p in (ROOT / "tests").glob("test_claims_*.py"))]
    out = []
    for given in paths:
        path = Path(given).resolve()
        rel = str(path.relative_to(ROOT))
        out.append(rel)
        if path.parent.name == "chapters" and path.suffix == ".ipynb":
            claims = ROOT / "tests" / f"test_claims_{path.name[:2]}.py"
            if claims.exists():
                out.append(str(claims.relative_to(ROOT)))
    if any(Path(t).parent.name == "chapters" for t in out):
        prefixes = " or ".join(f"test_{Path(t).name[:2]}_" for t in out if t.endswith(".ipynb"))
        out.append(f"tests/test_claims_widgets.py::-k::{prefixes}")
    return out


def command(environment: Environment, what: list[str], extra: list[str]) -> list[str]:
    args, selectors = [], []
    for t in what:
        if "::-k::" in t:            # the widget claims of the chapters given, selected by name
            path, expr = t.split("::-k::")
            args.append(path)
            selectors.append(expr)
        else:
            args.append(t)
    cmd = [str(environment.python), "-m", "pytest", *NBVAL, "-p", "no:cacheprovider", "-p", "no:xdist",
           "-q", "-rf", "--no-header", *args, *extra]
    if selectors:   # every other file whole; of the widget claims, those of the chapters given
        cmd += ["-k", f"not test_claims_widgets or {' or '.join(selectors)}"]
    return cmd


def run(environment: Environment, what: list[str], extra: list[str], log_dir: Path) -> tuple[int, float, str]:
    env = {**os.environ, **ONE_THREAD, **environment.env, "PYTHONHASHSEED": "0"}
    if "PYTHONPATH" in environment.env and os.environ.get("PYTHONPATH"):
        env["PYTHONPATH"] = environment.env["PYTHONPATH"] + os.pathsep + os.environ["PYTHONPATH"]
    start = time.perf_counter()
    proc = subprocess.run(command(environment, what, extra), cwd=ROOT, env=env, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    log = proc.stdout + proc.stderr
    (log_dir / f"fp-matrix-{environment.name}.log").write_text(log)
    return proc.returncode, seconds, log


def summary_line(log: str) -> str:
    lines = [l for l in log.strip().splitlines() if " passed" in l or " failed" in l or " error" in l]
    return lines[-1].strip("= ") if lines else "(no summary)"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="notebooks (default: all chapters, solutions and claim tests)")
    parser.add_argument("--env", action="append", default=[], help="run only this environment (repeatable)")
    parser.add_argument("--list", action="store_true", help="list the environments and exit")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="environments at a time")
    args, extra = parser.parse_known_args(argv)
    envs = environments()
    if args.list:
        for e in envs:
            changes = " ".join(f"{k}={v}" for k, v in e.env.items()) or "(its own interpreter)"
            print(f"{e.name:<15} {e.python.relative_to(ROOT)}  {changes}" + (f"  [skipped: {e.skip}]" if e.skip else ""))
        return 0
    unknown = set(args.env) - {e.name for e in envs}
    if unknown:
        parser.error(f"unknown environment {sorted(unknown)}; --list shows them")
    if args.env:
        envs = [e for e in envs if e.name in args.env]
    for e in envs:
        if e.skip:
            print(f"== {e.name:<15} skipped: {e.skip}")
    envs = [e for e in envs if not e.skip]
    what = targets(args.paths)
    log_dir = Path(os.environ.get("NNLAB_ARTIFACTS", ROOT / "artifacts"))
    log_dir.mkdir(parents=True, exist_ok=True)
    total = time.perf_counter()
    failed = []
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {e.name: pool.submit(run, e, what, extra, log_dir) for e in envs}
        for name, future in futures.items():
            code, seconds, log = future.result()
            print(f"== {name:<15} {seconds:6.1f} s  {summary_line(log)}", flush=True)
            if code != 0:
                failed.append(name)
                print(log[-6000:])
    print(f"== floating-point matrix: {len(envs)} environments in {time.perf_counter() - total:.1f} s"
          + (f"; FAILED in {', '.join(failed)}" if failed else "; all passed"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
