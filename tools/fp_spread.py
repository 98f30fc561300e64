"""How far a chapter's numbers move under tiny perturbations: the precision they can be quoted at.

    python tools/fp_spread.py 02 'mse_by_width[4]' 'width_improvement'
    python tools/fp_spread.py 06 'losses[1][-1]' --runs 8
    python tools/fp_spread.py /tmp/draft/02_activations.ipynb 'mse_by_width[4]'   # a draft copy

Runs the chapter's code cells (as the claim tests do, tests/chapter_code.py) once as stored and
`--runs` times more with every random float moved by up to 1e-13 of itself, each time another way
(tests/fpenv/sitecustomize.py, the `perturbed` environment of tools/fp_matrix.py), and prints each
expression's values and their spread. A number whose spread is 0 to the digits printed is as stable
as its inputs; one that moves is chaotic at that precision, and the text must quote it coarser
(chapters/AUTHORING.md). Runs in parallel, one per core.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, sys
sys.path.insert(0, "tests")
import numpy as np
import chapter_code
from pathlib import Path
target = sys.argv[1]
if target.endswith(".ipynb"):                 # a draft notebook anywhere: its folder, its prefix
    chapter_code.CHAPTERS = Path(target).resolve().parent
    target = Path(target).name[:2]
ns = chapter_code.run_chapter(target)
out = []
for expr in json.loads(sys.argv[2]):
    value = eval(expr, ns)
    out.append(np.asarray(value, dtype=float).tolist())
print("RESULT " + json.dumps(out))
"""


def one_run(chapter: str, exprs: list[str], perturbation: str | None) -> list:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    if perturbation:
        env["NNLAB_FP_PERTURB"] = perturbation
        env["PYTHONPATH"] = str(ROOT / "tests" / "fpenv") + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run([sys.executable, "-c", CHILD, chapter, json.dumps(exprs)], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f"chapter {chapter} failed ({perturbation or 'as stored'}):\n{proc.stderr[-3000:]}")
    line = [l for l in proc.stdout.splitlines() if l.startswith("RESULT ")][-1]
    return json.loads(line[len("RESULT "):])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapter", help="the chapter's number, e.g. 02, or the path of a notebook")
    parser.add_argument("exprs", nargs="+", help="Python expressions over the chapter's variables")
    parser.add_argument("--runs", type=int, default=4, help="perturbed runs (default 4)")
    parser.add_argument("--eps", default="1e-13", help="relative size of the perturbation")
    args = parser.parse_args(argv)
    settings = [None] + [f"{args.eps}:{k}" for k in range(1, args.runs + 1)]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        results = list(pool.map(lambda s: one_run(args.chapter, args.exprs, s), settings))
    import numpy as np

    for i, expr in enumerate(args.exprs):
        values = np.array([r[i] for r in results], dtype=float)
        spread = values.max(axis=0) - values.min(axis=0)
        print(f"{expr}:")
        for setting, v in zip(settings, values):
            print(f"  {setting or 'as stored':<10} {np.array2string(v, formatter={'float': '{:.6g}'.format})}")
        scale = np.maximum(np.abs(values).max(axis=0), 1e-300)
        print(f"  spread     {np.array2string(spread, formatter={'float': '{:.1e}'.format})}  "
              f"relative {np.array2string(spread / scale, formatter={'float': '{:.1e}'.format})}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
