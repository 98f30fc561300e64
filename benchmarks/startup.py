"""Start-up and suite time: `import nnlab` in a fresh interpreter, and the wall time of the test suite.

`import nnlab` time = best of 5 of `python -c "import nnlab"` minus best of 5 of `python -c "pass"`,
each a fresh subprocess (so nothing is cached in the interpreter); numpy's own import is part of it,
and is shown on its own for scale. The five slowest modules of `python -X importtime` are listed.

Run: python benchmarks/run.py --only startup   (add --no-suite to skip the test suite)
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from _common import REPO, table, verdict

TARGET_IMPORT = 0.5  # s


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def _best_of(code: str, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=REPO, env=_env(), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - start)
    return best


def slowest_imports(n: int = 5) -> tuple[float, list[tuple[str, float]]]:
    """From `python -X importtime -c "import nnlab"`: the summed self time of nnlab's own modules,
    and the n largest self times among the modules that are not numpy's."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", "import nnlab"], cwd=REPO, env=_env(),
                          capture_output=True, text=True, check=True)
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        self_us, _, name = line[len("import time:"):].split("|")
        name = name.strip()
        if not name.startswith("numpy"):
            rows.append((name, int(self_us) / 1e6))
    own = sum(t for name, t in rows if name == "nnlab" or name.startswith("nnlab."))
    return own, sorted(rows, key=lambda r: -r[1])[:n]


def import_time(repeat: int = 5) -> dict:
    base = _best_of("pass", repeat)
    return {"python": base, "numpy": _best_of("import numpy", repeat) - base,
            "nnlab": _best_of("import nnlab", repeat) - base}


def suite_time() -> dict:
    """Wall time of `python -m pytest -q tests -p no:cacheprovider`, its exit code and its summary line."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "tests", "-p", "no:cacheprovider"],
                          cwd=REPO, env=_env(), capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    lines = [ln.strip("= ") for ln in (proc.stdout + proc.stderr).splitlines() if ln.strip("= ")]
    summary = next((ln for ln in reversed(lines) if " in " in ln and any(
        w in ln for w in ("passed", "failed", "error", "skipped", "no tests"))), lines[-1] if lines else "(no output)")
    return {"time": elapsed, "returncode": proc.returncode, "summary": summary}


def run(suite: bool = True, log=print) -> dict:
    times = import_time()
    own, top = slowest_imports()
    rows = [["import numpy", f"{times['numpy']:.3f}", "-", "-"],
            ["import nnlab (numpy included)", f"{times['nnlab']:.3f}", f"≤ {TARGET_IMPORT}",
             verdict(times["nnlab"] <= TARGET_IMPORT)]]
    result = {"import": times, "slowest": top}
    if suite:
        s = suite_time()
        result["suite"] = s
        rows.append(["test suite (pytest -q tests)", f"{s['time']:.1f}", "-",
                     f"exit {s['returncode']}: {s['summary']}"])
    lines = [table(["what", "s", "target", "result"], rows,
                   title=f"3. Start-up: fresh `{os.path.basename(sys.executable)} -c ...` minus "
                         f"`-c pass` ({times['python']:.3f} s), best of 5")]
    lines.append(f"-X importtime: nnlab's own modules {own:.3f} s (self time, summed); slowest non-numpy "
                 "modules (self s): " + ", ".join(f"{name} {t:.3f}" for name, t in top))
    log("\n".join(lines))
    return result


if __name__ == "__main__":
    run(suite="--no-suite" not in sys.argv)
