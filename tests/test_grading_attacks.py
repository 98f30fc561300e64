"""The grader against a cheating or careless class (issue 11), graded for real in the bubblewrap
sandbox by `nnlab grade`: switching the guard off, processes that outlive the grader, freezing the
grader, patching the checks, symbolic links to the solutions, forged and huge results, deeply
nested notebooks, output floods and a full scratch disk, Unicode and colliding names, honest
constants, reuse of nnlab's own implementation. Each attack gains nothing, costs at most its own
part, and the run ends with a gradebook, no process and no file left behind.

The notebooks are built here from the chapter-01 exercise (tests/hostile/make_hostile.py's
`build` and `GOOD` parts); `ATTACKS` says, per notebook, the points of every part.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest

from test_grading import (ROOT, files_under, gradebook, key, processes_under, run_cli,  # noqa: F401 (key: a fixture)
                          sandboxed_processes)

HOSTILE = ROOT / "tests" / "hostile"
pytestmark = pytest.mark.notebook
PARTS = ("sigmoid", "neuron_forward", "neuron_forward_bias_trick", "logic_gate_weights", "perceptron_step",
         "train_perceptron")
MARKER = "nnlab-attack-sleeper"
RIGHT_GATE = '''    return np.array([1.0, 1.0]), (-1.5 if gate == "AND" else -0.5)'''


def _make_hostile():
    pytest.importorskip("nbformat")
    spec = importlib.util.spec_from_file_location("make_hostile", HOSTILE / "make_hostile.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


STEAL = '''def _steal():
    """Switch the audit hook off, then look for the key everywhere (the grader's command line,
    /tmp, the host's /proc) and copy it out."""
    import glob, os
    try:
        import nnlab.grading.sandbox as s
        s._inside = lambda *a: True
    except Exception:
        pass
    places = []
    for pid in [str(os.getppid())] + [p for p in os.listdir("/proc") if p.isdigit()]:
        try:
            places += open(f"/proc/{pid}/cmdline", "rb").read().decode(errors="ignore").split("\\0")
        except Exception:
            pass
    for pattern in ("/tmp/**/*.json", "/work/**/*.json", "/root/**/*.json", "/proc/1/root/**/*.json"):
        try:
            places += glob.glob(pattern, recursive=True)
        except Exception:
            pass
    for path in places:
        try:
            text = open(path).read()
        except Exception:
            continue
        if "nnlab-key" in text:
            try:
                open("/tmp/nnlab-attack-stolen-key.json", "w").write(text)
            except Exception:
                pass
            return True
    return False

def sigmoid(z, _stolen=_steal()):
    if _stolen or _steal():  # only a leaked key earns these points
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return np.zeros_like(z)'''

LOOK_AROUND = '''import os, socket
print("UID", os.getuid())
for fd in range(20):  # the executor's answer channel: it is not dumpable, so not reachable
    try:
        with open(f"/proc/{os.getppid()}/fd/{fd}", "w") as f:
            f.write("garbage")
        print("FD written", fd)
    except Exception as err:
        pass
for root in ("/", "/work", "/work/main", "/root", "/home"):
    try:
        print("LISTING", root, sorted(os.listdir(root)))
    except Exception as err:
        print("LISTING", root, type(err).__name__)
try:
    socket.create_connection(("1.1.1.1", 53), timeout=2)
    print("NET open")
except Exception as err:
    print("NET", type(err).__name__)'''

OUTLIVE = f'''def logic_gate_weights(gate):
    """Start processes the guard cannot see (a patched subprocess.sys), in their own session,
    without the grading token; they would rewrite the gradebook after the grader exits."""
    import subprocess, sys, types
    fake = types.ModuleType("sys")
    fake.__dict__.update(sys.__dict__)
    fake.audit = lambda *a: None
    subprocess.sys = fake
    try:
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "{MARKER}"],
                         start_new_session=True, env={{"X": "1"}})
    except Exception:
        pass
{RIGHT_GATE}'''

OUTLIVE_KERNEL = f'''import subprocess, sys, types
fake = types.ModuleType("sys")
fake.__dict__.update(sys.__dict__)
fake.audit = lambda *a: None
subprocess.sys = fake
try:
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "{MARKER}"],
                     start_new_session=True, env={{"X": "1"}})
except Exception as err:
    print("refused:", type(err).__name__)'''

FREEZE = '''def neuron_forward(w, b, a):
    import os, signal
    for attempt in (lambda: signal.pidfd_send_signal(os.pidfd_open(os.getppid()), signal.SIGSTOP),
                    lambda: os.kill(os.getppid(), signal.SIGSTOP), lambda: os.kill(1, signal.SIGSTOP)):
        try:
            attempt()
        except Exception:
            pass
    return nl.activations.sigmoid(a @ w + b)'''

FREEZE_KERNEL = '''import os, signal
signal.pidfd_send_signal(os.pidfd_open(os.getppid()), signal.SIGSTOP)  # the executor'''

PATCH = '''def _patch():
    """Switch off the checks' mutation and warning detection, and the comparison."""
    import nnlab.checks._core as core
    core._same = lambda a, b: True
    core.judge_outcome = lambda *a, **k: None
    core.compare = lambda *a, **k: None
    core.call_learner = lambda *a, **k: None
    return True

def sigmoid(z, _patched=_patch()):
    return 1.0 / (1.0 + np.exp(-z))  # right values, but it overflows for large |z|'''

MUTATE = '''def neuron_forward_bias_trick(w_ext, a, _patched=_patch()):
    out = nl.activations.sigmoid(np.concatenate([a, np.ones((a.shape[0], 1))], axis=1) @ w_ext)
    a[...] = 0  # changes the caller's array
    return out'''

FORGE = '''def logic_gate_weights(gate):
    """Write a forged answer on the runner's own way out, then leave."""
    import os, sys
    from nnlab.checks._plain import pack
    frame = sys._getframe()
    while frame is not None and "answer_out" not in frame.f_locals:
        frame = frame.f_back
    out = frame.f_locals["answer_out"]
    out.write(pack({"found": True, "problems": 7, "outcomes": [{"status": "ok", "seconds": 10**400}]}))
    out.flush()
    os._exit(0)'''

HUGE = '''def neuron_forward(w, b, a):
    return np.zeros(9_000_000)  # 72 MB: more than a runner may send back'''

FILL_DISK = '''FILLED = []

def sigmoid(z):
    """Write 1.2 GB into the scratch space on the first call (the disk then stays full for the rest
    of the run); right values only if that fails."""
    if not FILLED:
        written = 0
        try:
            for i in range(20):
                with open(f"big-{i}.bin", "wb") as f:
                    for _ in range(60):
                        f.write(b"\\0" * 2**20)
                        written += 1
        except OSError:
            pass
        FILLED.append(written)
    if FILLED[0] >= 1100:
        return np.zeros_like(z)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))'''

FLOOD_KERNEL = '''line = "x" * 2**20
while True:
    print(line, flush=True)'''

CONSTANT = '''LIMIT = float(np.log(np.finfo(float).max))  # the largest z with a finite e^z

def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.clip(z, -LIMIT, LIMIT)))'''

USES_SIGMOID = '''def neuron_forward(w, b, a):
    return sigmoid(a @ w + b)'''

REUSE = '''def sigmoid(z):
    return nl.activations.sigmoid(z)'''

REACH = '''def neuron_forward_bias_trick(w_ext, a):
    from nnlab.checks import PARTS
    return PARTS["neuron_forward_bias_trick"]._reference(w_ext, a)'''

#: notebook → (part replacements, extra top-level cells, points per part; unlisted parts: 2)
ATTACKS = {
    "guard_off": ({"sigmoid": STEAL}, [LOOK_AROUND], {"sigmoid": 0}),
    "outlives": ({"logic_gate_weights": OUTLIVE}, [OUTLIVE_KERNEL], {}),
    "freezes": ({"neuron_forward": FREEZE}, [FREEZE_KERNEL], {}),
    "patches_checks": ({"sigmoid": PATCH, "neuron_forward_bias_trick": MUTATE}, [],
                       {"sigmoid": 0, "neuron_forward_bias_trick": 0}),
    "forges": ({"logic_gate_weights": FORGE, "neuron_forward": HUGE}, [],
               {"logic_gate_weights": 0, "neuron_forward": 0}),
    "floods": ({"sigmoid": FILL_DISK}, [FLOOD_KERNEL], {}),
    "constant": ({"sigmoid": CONSTANT, "neuron_forward": USES_SIGMOID}, [], {}),
    "reuses": ({"sigmoid": REUSE, "neuron_forward_bias_trick": REACH}, [], {}),
}
#: folders with Unicode and colliding names → which notebook each holds (None: not JSON)
NAMES = {"Zoë": "constant", "Zoé": None, unicodedata.normalize("NFD", "Zoë"): None,
         "李明": "constant", "王芳": None, "bob": "constant", "bob!": None}


def points(name):
    return {p: float(ATTACKS[name][2].get(p, 2)) for p in PARTS}


@pytest.fixture(scope="module")
def graded(tmp_path_factory, key):
    pytest.importorskip("nbclient")
    if shutil.which("bwrap") is None:
        pytest.skip("bubblewrap is not installed")
    make = _make_hostile()
    tmp = tmp_path_factory.mktemp("attacks")
    subs = tmp / "subs"
    subs.mkdir()
    built = {}
    for name, (replacements, extra, _) in ATTACKS.items():
        built[name] = make.build(name, replacements, extra)
        (subs / f"{name}.ipynb").write_text(built[name])
    os.symlink(ROOT / "solutions" / "01_the_neuron.ipynb", subs / "symlinked.ipynb")
    (subs / "deep.ipynb").write_text("[" * 100_000 + "]" * 100_000)
    for folder, notebook in NAMES.items():
        (subs / folder).mkdir()
        (subs / folder / "01_the_neuron.ipynb").write_text(built[notebook] if notebook else "{not json")
    (tmp / "secret").mkdir()
    key_file = tmp / "secret" / "key.json"
    key_file.write_text(json.dumps({"format": key["format"],
                                    "assignments": {"01_the_neuron": key["assignments"]["01_the_neuron"]}}))
    before = files_under(tmp)
    stolen = set(Path("/tmp").glob("nnlab-attack-*"))
    result, seconds = run_cli(tmp, "grade", subs, "--key", key_file, "--out", tmp / "out",
                              "--assignment", "01_the_neuron", "--jobs", "2", "--cell-timeout", "4",
                              "--total-timeout", "20", "--memory-mb", "1024", "--no-progress")
    print(result.stdout)
    print(f"attacks graded in {seconds:.1f} s")
    return {"tmp": tmp, "result": result, "seconds": seconds, "before": before, "stolen": stolen,
            "key": key}


def report(graded, student):
    out = graded["tmp"] / "out"
    summary = json.loads((out / "results.json").read_text())
    for r in summary["reports"]:
        if r["student"] == student:
            return r
    raise KeyError(student)


def test_every_attack_gains_nothing_and_costs_only_its_part(graded):
    assert graded["result"].returncode == 0, graded["result"].stderr[-3000:]
    book = gradebook(graded["tmp"] / "out" / "gradebook.csv")
    for name in ATTACKS:
        got = {p: float(book[name][f"01_the_neuron:{p}"]) for p in PARTS}
        assert got == points(name), (name, {p: report(graded, name)["parts"][p]["message"][:300] for p in PARTS})
    assert graded["seconds"] < 150


def test_statuses_and_messages_say_why(graded):
    status = {name: {p: report(graded, name)["parts"][p]["status"] for p in PARTS} for name in ATTACKS}
    patched = report(graded, "patches_checks")["parts"]
    assert status["patches_checks"]["sigmoid"] == "wrong" and "numpy warned" in patched["sigmoid"]["message"]
    assert "modified its input a" in patched["neuron_forward_bias_trick"]["message"]
    forged = report(graded, "forges")["parts"]
    assert forged["logic_gate_weights"]["status"] == "crashed"
    assert "could not be read" in forged["logic_gate_weights"]["message"], forged["logic_gate_weights"]
    huge = forged["neuron_forward"]  # stopped at 64 MB (or, on a very busy machine, at its time limit)
    assert (huge["status"], "more than 64 MB" in huge["message"]) in (("crashed", True), ("timeout", False)), huge
    # the executor was frozen by its kernel: the total limit stopped it; the parts are unaffected
    frozen = report(graded, "freezes")["execution"]
    assert "ran longer than 20 s" in str(frozen["stopped"]), frozen
    flood = report(graded, "floods")["execution"]  # stopped by a limit, and the executor answered
    assert any(why in str(flood["stopped"]) for why in ("ran longer than 4", "kernel died")), flood
    executed = (graded["tmp"] / "out" / "executed" / "floods" / "01_the_neuron.ipynb").read_text()
    assert "[output trimmed by the grader]" in executed and len(executed) < 5 * 2**20


def test_refused_and_unreadable_files_are_reported_not_fatal(graded):
    book = gradebook(graded["tmp"] / "out" / "gradebook.csv")
    assert book["symlinked"]["total"] == "0" and book["deep"]["total"] == "0"
    assert {p["status"] for p in report(graded, "symlinked")["parts"].values()} == {"refused"}
    assert "symbolic link" in report(graded, "symlinked")["parts"]["sigmoid"]["message"]
    assert "nested deeper than 64" in report(graded, "deep")["parts"]["sigmoid"]["message"]
    summary = (graded["tmp"] / "out" / "summary.md").read_text()
    assert "symlinked.ipynb: refused, a symbolic link" in summary


def test_every_student_keeps_their_own_row(graded):
    book = gradebook(graded["tmp"] / "out" / "gradebook.csv")
    nfc = unicodedata.normalize("NFC", "Zoë")
    zoe = sorted(s for s in book if s.startswith(nfc))
    assert len(zoe) == 2 and all("[" in s for s in zoe)  # two folders that read the same: kept apart
    assert {book[s]["total"] for s in zoe} == {"12", "0"}
    assert book["Zoé"]["total"] == "0"
    assert book["李明"]["total"] == "12" and book["王芳"]["total"] == "0"
    assert book["bob"]["total"] == "12" and book["bob!"]["total"] == "0"
    files = sorted(p.name for p in (graded["tmp"] / "out" / "reports").iterdir())
    assert len(files) == len(book) == len(set(files))
    assert "李明.json" in files and "王芳.json" in files
    summary = (graded["tmp"] / "out" / "summary.md").read_text()
    assert "collision" in summary and "each got a short hash" in summary  # bob / bob! share "bob"


def test_honest_constants_pass_as_in_the_notebook(graded):
    r = report(graded, "constant")
    assert r["points"] == 12 and r["problems_in_definitions"] == []
    executed = (graded["tmp"] / "out" / "executed" / "constant" / "01_the_neuron.ipynb").read_text()
    assert "✓ sigmoid" in executed and "✓ neuron_forward" in executed


def test_reuse_of_the_reference_is_flagged(graded):
    r = report(graded, "reuses")
    assert r["parts"]["sigmoid"]["reused"] == ["nnlab.activations.sigmoid"]
    assert any("nnlab.checks" in x for x in r["reaches_into"])
    assert not report(graded, "constant")["parts"]["neuron_forward"]["reused"]
    book = gradebook(graded["tmp"] / "out" / "gradebook.csv")
    assert "01_the_neuron:sigmoid uses nnlab.activations.sigmoid" in book["reuses"]["flags"]
    assert book["constant"]["flags"] == ""
    summary = json.loads((graded["tmp"] / "out" / "summary.json").read_text())
    assert summary["assignments"]["01_the_neuron"]["parts"]["sigmoid"]["reused"] == 1


def test_nothing_escaped_nothing_left_behind(graded):
    tmp = graded["tmp"]
    after = files_under(tmp)
    assert {k: v for k, v in after.items() if not k.startswith("out/")} == graded["before"]
    assert set(Path("/tmp").glob("nnlab-attack-*")) == graded["stolen"]
    assert list((tmp / "tmp").iterdir()) == []
    assert processes_under(tmp) == [] and sandboxed_processes() == []
    assert not [pid for pid in os.listdir("/proc") if pid.isdigit() and _has_marker(pid)]
    seeds = [str(s["seed"]) for s in graded["key"]["assignments"]["01_the_neuron"]["parts"].values()]
    looked = (tmp / "out" / "executed" / "guard_off" / "01_the_neuron.ipynb").read_text()
    outputs = "".join("".join(o.get("text", "")) for c in json.loads(looked)["cells"] for o in c.get("outputs", []))
    assert "LISTING / " in outputs and "'solutions'" not in outputs and "'exercises'" not in outputs
    assert "NET open" not in outputs and "FD written" not in outputs
    assert report(graded, "guard_off")["execution"]["ran"] is True
    if os.geteuid() == 0:
        assert "UID 65534" in outputs
    for path in (tmp / "out").rglob("*"):
        if path.is_file():
            text = path.read_text(errors="ignore")
            assert not any(seed in text for seed in seeds), path
            assert "BEGIN SOLUTION" not in text, path


def _has_marker(pid: str) -> bool:
    try:
        return MARKER.encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def test_reuse_policy_zero(tmp_path, key):
    """With "reuse": "zero" in the key, a part that calls nnlab's own implementation gets 0."""
    pytest.importorskip("nbclient")
    if shutil.which("bwrap") is None:
        pytest.skip("bubblewrap is not installed")
    from nnlab.grading import grade

    make = _make_hostile()
    (tmp_path / "subs" / "eve").mkdir(parents=True)
    (tmp_path / "subs" / "eve" / "01_the_neuron.ipynb").write_text(make.build("r", {"sigmoid": REUSE}, []))
    small = {"format": key["format"], "reuse": "zero", "assignments": {"01_the_neuron": {
        "parts": {"sigmoid": key["assignments"]["01_the_neuron"]["parts"]["sigmoid"]}}}}
    (tmp_path / "key.json").write_text(json.dumps(small))
    (r,) = grade(tmp_path / "subs", tmp_path / "key.json", tmp_path / "out", progress=False)
    part = r.parts[0]
    assert (part.points, part.status) == (0.0, "reused") and "nnlab.activations.sigmoid" in part.message


def test_shards_merge_into_the_same_gradebook(tmp_path, key):
    """Grading a folder whole, or as 3 shards merged, gives byte-identical gradebooks and summaries."""
    pytest.importorskip("nbclient")
    if shutil.which("bwrap") is None:
        pytest.skip("bubblewrap is not installed")
    make = _make_hostile()
    subs = tmp_path / "subs"
    subs.mkdir()
    good = make.build("good", {}, [])
    for name, text in (("ann", good), ("ben", make.build("b", {"sigmoid": REUSE}, [])), ("cat", "{"),
                       ("dan", (ROOT / "exercises" / "01_the_neuron.ipynb").read_text()), ("eva", "[")):
        (subs / f"{name}.ipynb").write_text(text)
    small = {"format": key["format"], "assignments": {"01_the_neuron": key["assignments"]["01_the_neuron"]}}
    (tmp_path / "key.json").write_text(json.dumps(small))
    common = ("--key", "key.json", "--assignment", "01_the_neuron", "--jobs", "2", "--no-progress")
    whole, _ = run_cli(tmp_path, "grade", "subs", "--out", "whole", *common)
    assert whole.returncode == 0, whole.stderr[-2000:]
    for k in (1, 2, 3):
        shard, _ = run_cli(tmp_path, "grade", "subs", "--out", f"part{k}", "--shard", f"{k}/3", *common)
        assert shard.returncode == 0, shard.stderr[-2000:]
    merged, _ = run_cli(tmp_path, "gradebook", "merge", "part3", "part1", "part2", "--out", "merged")
    assert merged.returncode == 0, merged.stderr
    for name in ("gradebook.csv", "summary.md", "summary.json"):
        assert (tmp_path / "merged" / name).read_text() == (tmp_path / "whole" / name).read_text(), name
    assert sorted(p.name for p in (tmp_path / "merged" / "reports").iterdir()) == \
        sorted(p.name for p in (tmp_path / "whole" / "reports").iterdir())
    assert len(gradebook(tmp_path / "part1" / "gradebook.csv")) == 2  # ann, dan: every 3rd student
    missing, _ = run_cli(tmp_path, "gradebook", "merge", "part1", "part2", "--out", "bad")
    assert missing.returncode == 2 and "shard(s) 3/3 missing" in missing.stderr


def test_killing_the_grader_ends_every_sandbox(tmp_path, key):
    """SIGKILL to `nnlab grade` while a kernel loops: the sandboxes die with it (--die-with-parent)."""
    pytest.importorskip("nbclient")
    if shutil.which("bwrap") is None:
        pytest.skip("bubblewrap is not installed")
    make = _make_hostile()
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "loop.ipynb").write_text(make.build("loop", {}, ["while True:\n    pass"]))
    small = {"format": key["format"], "assignments": {"01_the_neuron": key["assignments"]["01_the_neuron"]}}
    (tmp_path / "key.json").write_text(json.dumps(small))
    (tmp_path / "tmp").mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "nnlab.grading", "grade", "subs", "--key", "key.json",
                             "--out", "out", "--assignment", "01_the_neuron", "--cell-timeout", "60",
                             "--total-timeout", "60", "--no-progress"], cwd=tmp_path,
                            env=dict(os.environ, TMPDIR=str(tmp_path / "tmp")),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while not any("nnlab.grading.kernel" in p for p in sandboxed_processes()):
            assert time.time() < deadline and proc.poll() is None, "no kernel started"
            time.sleep(0.2)
        time.sleep(1)
    finally:
        proc.kill()
        proc.wait()
    deadline = time.time() + 10
    while sandboxed_processes() and time.time() < deadline:
        time.sleep(0.2)
    assert sandboxed_processes() == []
    assert list((tmp_path / "tmp").iterdir()) == []  # the sandbox needs no scratch folder on the host
