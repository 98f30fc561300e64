"""The floating-point matrix (tools/fp_matrix.py) and its perturbed environment (tests/fpenv).

The perturbed environment must change every random float in its last bits and nothing else, the
same way for the same seed; and strict nbval under it must fail an output that prints rounding
digits while passing one said with nl.tiny — else the matrix could not catch what it is for.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chapter_code import tool

ROOT = Path(__file__).resolve().parent.parent
FPENV = ROOT / "tests" / "fpenv"

DRAWS = r"""
import json, numpy as np
a, b = np.random.default_rng(5), np.random.default_rng(5)
out = {
    "normal": a.normal(size=4).tolist(), "normal_again": b.normal(size=4).tolist(),
    "random": float(a.random()), "uniform": a.uniform(-1, 1, size=3).tolist(),
    "integers": a.integers(0, 100, size=5).tolist(), "permutation": a.permutation(6).tolist(),
    "float32": a.standard_normal(3, dtype=np.float32).tolist(),
    "class": type(a).__name__, "is_generator": isinstance(a, np.random.Generator),
}
print(json.dumps(out))
"""


def draws(perturb=None):
    env = {k: v for k, v in os.environ.items() if k != "NNLAB_FP_PERTURB"}
    if perturb:
        env.update(NNLAB_FP_PERTURB=perturb, PYTHONPATH=str(FPENV))
    proc = subprocess.run([sys.executable, "-c", DRAWS], capture_output=True, text=True, env=env,
                          timeout=60, check=True)
    assert proc.stderr == ""
    return json.loads(proc.stdout)


def test_perturbed_environment_moves_floats_only_in_their_last_bits():
    import numpy as np

    plain, moved = draws(), draws("1e-13")
    for key in ("normal", "uniform"):
        p, m = np.array(plain[key]), np.array(moved[key])
        assert not np.array_equal(p, m), key
        np.testing.assert_allclose(m, p, rtol=1e-13, atol=0)
    # float32 has no bits that fine: its draws round back to themselves
    assert moved["float32"] == plain["float32"]
    assert plain["random"] != moved["random"]
    assert abs(plain["random"] - moved["random"]) <= 1e-13 * plain["random"]
    # the seeded stream itself is unchanged: the same integers and permutations after the floats
    assert moved["integers"] == plain["integers"] and moved["permutation"] == plain["permutation"]
    assert moved["is_generator"] and moved["class"] == "Generator"


def test_same_seed_same_perturbation_other_stream_other_perturbation():
    one, two, other = draws("1e-13:1"), draws("1e-13:1"), draws("1e-13:2")
    assert one == two
    assert one["normal"] == one["normal_again"]         # two generators from one seed agree
    assert one["normal"] != other["normal"]
    assert draws() == draws()                           # unset: numpy as it is


NOTEBOOK_CELLS = {   # a sum printed to its last digit, and the same sum said at the precision it holds
    "fragile": "import numpy as np\nx = np.random.default_rng(0).random(1000)\n"
               "print(f'sum {x.sum():.17g}, forwards minus backwards {x.sum() - x[::-1].sum():.1e}')",
    "robust": "import numpy as np, nnlab as nl\nx = np.random.default_rng(0).random(1000)\n"
              "print(f'sum {x.sum():.6f}, forwards minus backwards {nl.tiny(x.sum() - x[::-1].sum())}')",
}


@pytest.mark.notebook
@pytest.mark.parametrize("kind", ["fragile", "robust"])
def test_strict_nbval_under_the_perturbed_environment_catches_printed_rounding_digits(tmp_path, kind):
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("nbval")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(NOTEBOOK_CELLS[kind])])
    path = tmp_path / f"{kind}.ipynb"
    nbformat.write(nb, path)
    build = tool("build_notebooks")
    name, _, data = build.execute(path)                 # outputs stored as the build stores them
    path.write_bytes(data)

    def nbval(extra_env):
        env = {k: v for k, v in os.environ.items() if k != "NNLAB_FP_PERTURB"}
        env.update(extra_env)
        return subprocess.run(
            [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env", "-p", "no:cacheprovider",
             "-p", "no:xdist", "-q", str(path)], cwd=tmp_path, capture_output=True, text=True, env=env,
            timeout=300)

    assert nbval({}).returncode == 0                                   # as stored
    perturbed = nbval({"NNLAB_FP_PERTURB": "1e-13", "PYTHONPATH": str(FPENV)})
    if kind == "fragile":
        assert perturbed.returncode == 1, perturbed.stdout[-2000:]
        assert "forwards minus backwards" in perturbed.stdout
    else:
        assert perturbed.returncode == 0, perturbed.stdout[-2000:]


def test_matrix_environments_and_what_they_run():
    fp = tool("fp_matrix")
    envs = {e.name: e for e in fp.environments()}
    assert list(envs) == ["blas-2-threads", "no-avx512", "simd-baseline", "perturbed", "numpy-1.26"]
    assert envs["blas-2-threads"].env["OPENBLAS_NUM_THREADS"] == "2"
    assert envs["perturbed"].env["NNLAB_FP_PERTURB"] == fp.PERTURBATION
    baseline = envs["simd-baseline"].env["NPY_DISABLE_CPU_FEATURES"].split()
    no512 = envs["no-avx512"].env["NPY_DISABLE_CPU_FEATURES"].split()
    assert set(no512) <= set(baseline)
    assert all("512" in f or f == "X86_V4" for f in no512)
    everything = fp.targets([])
    assert everything[:2] == ["chapters", "solutions"] and "tests/test_claims_widgets.py" in everything
    one = fp.targets([str(ROOT / "chapters" / "05_gradient_descent.ipynb")])
    assert one[:2] == ["chapters/05_gradient_descent.ipynb", "tests/test_claims_05.py"]
    cmd = fp.command(envs["perturbed"], one, [])
    assert cmd[cmd.index("-k") + 1] == "not test_claims_widgets or test_05_"
    assert "--nbval" in cmd and "tests/test_claims_widgets.py" in cmd
