"""Write the hostile submissions in this folder (run it again after changing them here).

    python tests/hostile/make_hostile.py

Each is the chapter-01 exercise notebook filled in by a "student" who does something the grader
must survive: its correct parts must still get their points, the hostile part must get 0, and
nothing may hang, escape the scratch directory, or outlive the grader. `EXPECTED` below is what
tests/test_grading.py asserts, part by part.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
EXERCISE = HERE.parent.parent / "exercises" / "01_the_neuron.ipynb"

GOOD = {
    "sigmoid": '''def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))''',
    "neuron_forward": '''def neuron_forward(w, b, a):
    return nl.activations.sigmoid(a @ w + b)''',
    "neuron_forward_bias_trick": '''def neuron_forward_bias_trick(w_ext, a):
    a_ext = np.concatenate([a, np.ones((a.shape[0], 1))], axis=1)
    return nl.activations.sigmoid(a_ext @ w_ext)''',
    "logic_gate_weights": '''def logic_gate_weights(gate):
    return np.array([1.0, 1.0]), (-1.5 if gate == "AND" else -0.5)''',
    "perceptron_step": '''def perceptron_step(w_ext, x, y, lr):
    x_ext = np.append(x, 1.0)
    return w_ext + lr * (y - float(x_ext @ w_ext > 0)) * x_ext''',
    "train_perceptron": '''def train_perceptron(X, y, lr, epochs):
    w_ext = np.zeros(X.shape[1] + 1)
    for _ in range(epochs):
        mistakes = 0
        for x_i, y_i in zip(X, y):
            mistakes += int((np.append(x_i, 1.0) @ w_ext > 0) != y_i)
            w_ext = perceptron_step(w_ext, x_i, y_i, lr)
        if mistakes == 0:
            break
    return w_ext''',
}

#: name → (replacements of part cells, extra top-level cells appended after the set-up cell)
HOSTILE = {
    "infinite_loop": ({
        "logic_gate_weights": '''def logic_gate_weights(gate):
    while True:
        pass''',
    }, ["while True:\n    pass"]),
    "ignores_interrupts": ({
        "logic_gate_weights": '''def logic_gate_weights(gate):
    import signal
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM):
        signal.signal(s, signal.SIG_IGN)
    x = 0
    while True:
        x += 1''',
    }, ['''import signal, os, subprocess
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
for attempt in (lambda: os.kill(os.getppid(), signal.SIGKILL),
                lambda: os.killpg(os.getpgid(os.getppid()), signal.SIGKILL),
                lambda: subprocess.Popen(["sleep", "1000"]),
                lambda: os.fork()):
    try:
        attempt()
    except Exception as err:
        print("refused:", type(err).__name__)
x = 0
while True:
    x += 1''']),
    "exits": ({
        "logic_gate_weights": '''def logic_gate_weights(gate):
    import os
    os._exit(3)''',
        "neuron_forward_bias_trick": '''def neuron_forward_bias_trick(w_ext, a):
    import sys
    sys.exit("bye")''',
    }, ["import sys\nsys.exit(0)", "import os\nos._exit(1)"]),
    "raises_at_import": ({
        "logic_gate_weights": '''def broken(f):
    raise RuntimeError("a decorator that fails at definition time")

@broken
def logic_gate_weights(gate):
    return np.array([1.0, 1.0]), -1.5''',
    }, ["import no_such_module_anywhere\nraise RuntimeError('boom at the top level')"]),
    "monkeypatch": ({
        "sigmoid": '''import nnlab.checks, nnlab.checks._core, nnlab.activations
nnlab.checks._core.compare = lambda *args, **kwargs: None
nnlab.checks._core.judge_outcome = lambda *args, **kwargs: None
nnlab.activations.sigmoid = lambda z: z
np.allclose = lambda *args, **kwargs: True
np.array_equal = lambda *args, **kwargs: True

def sigmoid(z):
    nnlab.checks.check_sigmoid = lambda fn: print("✓ sigmoid: correct on 5 test inputs")
    return z  # wrong''',
        "neuron_forward": '''def neuron_forward(w, b, a):
    return sigmoid(a @ w + b)  # wrong through sigmoid''',
        "neuron_forward_bias_trick": '''def neuron_forward_bias_trick(w_ext, a):
    return a @ w_ext[:-1]  # wrong''',
    }, []),
    "faked_outputs": ({
        "sigmoid": "def sigmoid(z):\n    return np.zeros_like(z)",
        "neuron_forward": "def neuron_forward(w, b, a):\n    return np.zeros(len(a))",
        "neuron_forward_bias_trick": "def neuron_forward_bias_trick(w_ext, a):\n    return np.zeros(len(a))",
        "logic_gate_weights": "def logic_gate_weights(gate):\n    return np.zeros(2), 0.0",
        "perceptron_step": "def perceptron_step(w_ext, x, y, lr):\n    return np.zeros_like(w_ext)",
        "train_perceptron": "def train_perceptron(X, y, lr, epochs):\n    return np.zeros(X.shape[1] + 1)",
    }, []),
    "huge_memory": ({
        "logic_gate_weights": '''def logic_gate_weights(gate):
    hog = []
    while True:
        hog.append(np.ones(10**7))''',
        "neuron_forward_bias_trick": '''def neuron_forward_bias_trick(w_ext, a):
    return np.ones((10**6, 10**6))''',
    }, ["big = np.ones((50_000, 50_000))", "hog = []\nwhile True:\n    hog.append(np.ones(10**7))"]),
    "writes_outside": ({
        "logic_gate_weights": '''def logic_gate_weights(gate):
    import os, shutil, pathlib
    for attempt in (lambda: open("/tmp/nnlab-hostile-escape-part.txt", "w").write("x"),
                    lambda: open("../escape-part.txt", "w").write("x"),
                    lambda: open("../../escape-part.txt", "w").write("x"),
                    lambda: open("../../../escape-part.txt", "w").write("x"),
                    lambda: np.save("/tmp/nnlab-hostile-escape-part.npy", np.zeros(3)),
                    lambda: pathlib.Path("/tmp/nnlab-hostile-escape-dir-part").mkdir(),
                    lambda: os.symlink("/etc/passwd", "link"),
                    lambda: os.system("touch /tmp/nnlab-hostile-escape-system"),
                    lambda: shutil.rmtree("..")):
        try:
            attempt()
        except Exception:
            pass
    open("inside-scratch.txt", "w").write("allowed")
    return np.array([1.0, 1.0]), (-1.5 if gate == "AND" else -0.5)''',
    }, ['''import os, shutil, subprocess
for attempt in (lambda: open("/tmp/nnlab-hostile-escape-kernel.txt", "w").write("x"),
                lambda: open("../escape-kernel.txt", "w").write("x"),
                lambda: open("../../escape-kernel.txt", "w").write("x"),
                lambda: open(os.path.join(os.path.dirname(nl.__file__), "activations.py"), "a").write("# x"),
                lambda: subprocess.run(["touch", "/tmp/nnlab-hostile-escape-proc"]),
                lambda: shutil.rmtree("..")):
    try:
        attempt()
        print("escaped!")
    except Exception as err:
        print("refused:", type(err).__name__)''']),
    "reads_key": ({
        "sigmoid": '''def _find_key():
    """Look everywhere a grader might have left its instructor file or its path."""
    import glob, os, sys
    places = list(os.environ.values()) + sys.argv
    for pid in ("self", str(os.getppid())):
        for what in ("cmdline", "environ"):
            try:
                places += open(f"/proc/{pid}/{what}", "rb").read().decode(errors="ignore").split("\\0")
            except Exception:
                pass
    candidates = [p for p in places if p.endswith(".json")]
    for pattern in ("/tmp/**/*.json", "../**/*.json", "../../**/*.json", "../../../**/*.json"):
        try:
            candidates += glob.glob(pattern, recursive=True)
        except Exception:
            pass
    for path in candidates:
        try:
            text = open(path).read()
        except Exception:
            continue
        if "nnlab-key" in text:
            return text
    return None

def sigmoid(z):
    if _find_key() is not None:  # a leak would show as points for this part
        return 1.0 / (1.0 + np.exp(-z))
    return np.zeros_like(z)''',
    }, ['''import glob, os
found = []
for pattern in ("/tmp/**/*.json", "../**/*.json", "/proc/*/cmdline"):
    try:
        found += glob.glob(pattern, recursive=True)
    except Exception as err:
        print("refused:", type(err).__name__)
for path in found:
    try:
        print(path, open(path, "rb").read()[:2000])
    except Exception as err:
        print("refused:", type(err).__name__)''']),
}

POINTS = {"sigmoid": 2, "neuron_forward": 2, "neuron_forward_bias_trick": 2, "logic_gate_weights": 2,
          "perceptron_step": 2, "train_perceptron": 2}
#: The points each hostile submission must get, part by part (0 = the hostile part).
EXPECTED = {
    "infinite_loop": {"logic_gate_weights": 0},
    "ignores_interrupts": {"logic_gate_weights": 0},
    "exits": {"logic_gate_weights": 0, "neuron_forward_bias_trick": 0},
    "raises_at_import": {"logic_gate_weights": 0},
    "monkeypatch": {"sigmoid": 0, "neuron_forward": 0, "neuron_forward_bias_trick": 0},
    "faked_outputs": {p: 0 for p in POINTS},
    "huge_memory": {"logic_gate_weights": 0, "neuron_forward_bias_trick": 0},
    "writes_outside": {},
    "reads_key": {"sigmoid": 0},
    "not_a_notebook": {p: 0 for p in POINTS},
}


def expected_points(name: str) -> dict:
    return {part: EXPECTED[name].get(part, points) for part, points in POINTS.items()}


def build(name: str, replacements: dict, extra_cells: list) -> str:
    nb = nbformat.read(EXERCISE, as_version=4)
    cells = []
    for cell in nb.cells:
        part = cell.metadata.get("nnlab", {}).get("part")
        if part:
            cell = copy.deepcopy(cell)
            cell.source = replacements.get(part, GOOD[part])
        cells.append(cell)
        if cell.cell_type == "code" and "import nnlab as nl" in cell.source:
            cells += [nbformat.v4.new_code_cell(source) for source in extra_cells]
    if name == "faked_outputs":  # stored outputs that claim every check passed
        for cell in cells:
            check = cell.metadata.get("nnlab", {}).get("check")
            if check:
                cell.outputs = [nbformat.v4.new_output(
                    "stream", name="stdout", text=f"✓ {check}: correct on 5 test inputs\n")]
                cell.execution_count = 1
    nb.cells = cells
    for cell in nb.cells:
        cell.pop("id", None)
    return nbformat.writes(nb) + "\n"


def main() -> None:
    for name, (replacements, extra) in HOSTILE.items():
        (HERE / f"{name}.ipynb").write_text(build(name, replacements, extra))
    (HERE / "not_a_notebook.ipynb").write_text('{"cells": [ this is not JSON\n')
    (HERE / "expected.json").write_text(json.dumps({n: expected_points(n) for n in EXPECTED},
                                                   indent=2, sort_keys=True) + "\n")
    print(f"wrote {len(HOSTILE) + 1} hostile submissions to {HERE}")


if __name__ == "__main__":
    main()
