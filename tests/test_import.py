"""`import nnlab` stays light: numpy only, no plotting, widget, notebook or IPython machinery.

Checked in a fresh interpreter (this test process may already have imported anything). Besides
looking at sys.modules afterwards, the child installs an import hook that records every *attempt* to
import a forbidden module, so the test also fails where that package happens not to be installed
(an attempt hidden in a try/except ImportError would otherwise go unnoticed).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# tqdm too: the package docstring promises it is loaded only when fit shows progress.
FORBIDDEN = ["matplotlib", "ipywidgets", "tqdm.notebook", "IPython", "ipykernel", "tqdm"]

CHILD = r"""
import importlib.abc, json, sys
forbidden = set(json.loads(sys.argv[1]))
attempts = []

class Recorder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name in forbidden or name.split(".")[0] in forbidden:
            attempts.append(name)
        return None                    # record only; the normal import machinery carries on

sys.meta_path.insert(0, Recorder())
import nnlab
import nnlab.data, nnlab.metrics, nnlab.diagnostics, nnlab.schedules, nnlab.gradcheck
loaded = sorted(m for m in sys.modules if m in forbidden or m.split(".")[0] in forbidden)
print(json.dumps({"loaded": loaded, "attempts": sorted(set(attempts)), "file": nnlab.__file__}))
"""


def run_child():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run([sys.executable, "-c", CHILD, json.dumps(FORBIDDEN)], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "", proc.stderr              # no warnings on import either
    return json.loads(proc.stdout)


def test_import_nnlab_does_not_import_plotting_widgets_notebook_or_ipython():
    result = run_child()
    assert Path(result["file"]).resolve().parent == ROOT / "nnlab"   # the package under test
    assert result["loaded"] == []
    assert result["attempts"] == []


def test_fit_with_progress_false_does_not_import_tqdm():
    code = ("import sys, numpy as np, nnlab as nl\n"
            "rng = np.random.default_rng(0)\n"
            "m = nl.Sequential(nl.Dense(2, 2, rng=rng))\n"
            "nl.fit(m, nl.SoftmaxCrossEntropy(), nl.SGD(m.parameters(), 0.1), rng.standard_normal((4, 2)),"
            " np.array([0, 1, 0, 1]), epochs=1, rng=rng, progress=False)\n"
            "print(sorted(k for k in sys.modules if k.split('.')[0] in ('tqdm', 'IPython', 'matplotlib')))\n")
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
