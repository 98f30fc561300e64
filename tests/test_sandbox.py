"""The bubblewrap sandbox itself, run for real: what a process inside can see, write, signal and
reach, and that nothing outlives it. Without bubblewrap, the grader refuses to grade unless told
--no-sandbox, and then says so."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from nnlab.grading.sandbox import SANDBOX_UID, Sandbox, SandboxUnavailable

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def sandbox():
    if shutil.which("bwrap") is None:
        pytest.skip("bubblewrap is not installed")
    return Sandbox.find(tmpfs_mb=16)


def inside(sandbox, body: str, timeout: float = 60) -> dict:
    """Run Python code in the sandbox; it prints one JSON object, returned here."""
    code = "import json, os, sys\nresult = {}\n" + textwrap.dedent(body) + "\nprint(json.dumps(result))"
    run = subprocess.run(sandbox.wrap([sys.executable, "-I", "-c", code]), capture_output=True,
                         text=True, timeout=timeout, env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_the_sandbox_sees_only_python_nnlab_and_its_tmpfs(sandbox, tmp_path):
    key = tmp_path / "key.json"
    key.write_text('{"format": "nnlab-key/1"}')
    result = inside(sandbox, f"""
        def attempt(f):
            try:
                return f()
            except Exception as err:
                return type(err).__name__
        result["key"] = attempt(lambda: open({str(key)!r}).read())
        result["solutions"] = attempt(lambda: os.listdir({str(ROOT / "solutions")!r}))
        result["repo"] = sorted(os.listdir({str(ROOT)!r}))
        result["top"] = sorted(os.listdir("/"))
        result["etc"] = sorted(os.listdir("/etc"))
        result["pids"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
        result["grader"] = attempt(lambda: open("/proc/{os.getpid()}/cmdline").read())
        result["uid"] = os.getuid()
        result["write_nnlab"] = attempt(lambda: open({str(ROOT / "nnlab" / "x.py")!r}, "w"))
        result["write_usr"] = attempt(lambda: open("/usr/x", "w"))
        open("/tmp/inside.txt", "w").write("ok")
        result["tmp"] = open("/tmp/inside.txt").read()
        import socket
        result["net"] = attempt(lambda: socket.create_connection(("1.1.1.1", 53), timeout=2))
        result["interfaces"] = sorted(name for _, name in socket.if_nameindex())
        result["session"] = os.getsid(0)  # 0 would be a session outside the sandbox (the grader's)
        import numpy, nnlab
        result["numpy"] = numpy.__version__
    """)
    assert result["key"] in ("FileNotFoundError", "PermissionError")
    assert result["solutions"] == "FileNotFoundError"
    assert "nnlab" in result["repo"] and not {"solutions", "exercises", "tests", ".git"} & set(result["repo"])
    assert "home" not in result["top"]
    assert not {"shadow", "gshadow", "ssh", "sudoers"} & set(result["etc"])
    assert max(result["pids"]) < 10 and result["grader"] == "FileNotFoundError"
    if os.geteuid() == 0:
        assert result["uid"] == SANDBOX_UID
    assert result["write_nnlab"] in ("OSError", "PermissionError") and result["write_usr"] in ("OSError", "PermissionError")
    assert result["tmp"] == "ok"
    assert result["net"] in ("OSError", "TimeoutError", "ConnectionRefusedError") and result["interfaces"] == ["lo"]
    assert result["session"] in (1, 2)


def test_limits_inside(sandbox):
    """Address space, CPU, file size and (for a root grader's uid 65534) the number of tasks."""
    from nnlab.grading.sandbox import MAX_TASKS

    result = inside(sandbox, """
        import resource
        from nnlab.grading.sandbox import apply_limits
        apply_limits(512, 7)
        result = {name: resource.getrlimit(getattr(resource, name))
                  for name in ("RLIMIT_AS", "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_CORE", "RLIMIT_NPROC")}
        try:
            bytearray(600 * 2**20)
            result["big"] = "allocated"
        except MemoryError:
            result["big"] = "MemoryError"
    """)
    assert result["RLIMIT_AS"] == [512 * 2**20] * 2 and result["RLIMIT_CPU"] == [7, 7]
    assert result["RLIMIT_FSIZE"] == [64 * 2**20] * 2 and result["RLIMIT_CORE"] == [0, 0]
    assert result["big"] == "MemoryError"
    if os.geteuid() == 0:
        assert result["RLIMIT_NPROC"] == [MAX_TASKS] * 2


def test_the_tmpfs_caps_the_total_written(sandbox):
    result = inside(sandbox, """
        written = 0
        try:
            for i in range(64):
                with open(f"/tmp/f{i}", "wb") as f:
                    f.write(b"x" * 2**20)
                written += 1
        except OSError as err:
            result["error"] = err.errno
        result["written"] = written
    """)
    import errno

    assert result["error"] == errno.ENOSPC and result["written"] <= 16  # 16 MB for this sandbox


def test_nothing_outlives_the_sandbox(sandbox, tmp_path):
    """A process started in its own session inside, without any token, dies with the sandbox."""
    marker = f"nnlab-sandbox-orphan-{os.getpid()}"
    code = textwrap.dedent(f"""
        import subprocess, sys, time
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", {marker!r}],
                         start_new_session=True, env={{}})
        print("started", flush=True)
        time.sleep(60)
    """)
    proc = subprocess.Popen(sandbox.wrap([sys.executable, "-I", "-c", code]), stdout=subprocess.PIPE,
                            text=True, start_new_session=True, env={"PATH": "/usr/bin:/bin"})
    assert proc.stdout.readline().strip() == "started"
    assert orphans(marker)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    deadline = time.time() + 10
    while orphans(marker) and time.time() < deadline:
        time.sleep(0.1)
    assert orphans(marker) == []


def orphans(marker: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmd = Path(f"/proc/{entry}/cmdline").read_bytes()
                status = Path(f"/proc/{entry}/stat").read_text().split()[2]
            except OSError:
                continue
            if marker.encode() in cmd and status != "Z":
                found.append(int(entry))
    return found


def test_signals_from_inside_cannot_reach_the_grader(sandbox):
    result = inside(sandbox, """
        import signal
        result["ppid"] = os.getppid()
        for name, f in (("pidfd", lambda: signal.pidfd_send_signal(os.pidfd_open(os.getppid()), signal.SIGSTOP)),
                        ("kill1", lambda: os.kill(1, signal.SIGKILL))):
            try:
                f()
                result[name] = "sent"
            except Exception as err:
                result[name] = type(err).__name__
    """)
    assert result["ppid"] in (0, 1)  # the sandbox's own init: the grader is not in this namespace


def test_grading_refuses_without_bubblewrap(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    with pytest.raises(SandboxUnavailable, match="apt-get install bubblewrap.*--no-sandbox"):
        Sandbox.find()
    weak = Sandbox.find(allow_weak=True)
    assert not weak.strong and "weak" in weak.describe() and weak.wrap(["x"]) == ["x"]


def test_the_command_refuses_without_bubblewrap(tmp_path):
    """`nnlab grade` with no bwrap on PATH: exit 2 and a message naming the package."""
    key = {"format": "nnlab-key/1", "assignments": {"01_the_neuron": {"parts": {
        "sigmoid": {"points": 2, "seed": 1}}}}}
    (tmp_path / "key.json").write_text(json.dumps(key))
    (tmp_path / "subs").mkdir()
    shutil.copy(ROOT / "solutions" / "01_the_neuron.ipynb", tmp_path / "subs" / "ann.ipynb")
    env = {"PATH": str(tmp_path), "LANG": "C.UTF-8", "HOME": str(tmp_path)}
    run = subprocess.run([sys.executable, "-m", "nnlab.grading", "grade", "subs", "--key", "key.json",
                          "--out", "out", "--no-progress"], capture_output=True, text=True,
                         cwd=tmp_path, env=env, timeout=120)
    assert run.returncode == 2 and "bubblewrap" in run.stderr and "--no-sandbox" in run.stderr
    assert not (tmp_path / "out").exists()
    run = subprocess.run([sys.executable, "-m", "nnlab.grading", "grade", "subs", "--key", "key.json",
                          "--out", "out", "--no-progress", "--no-sandbox"], capture_output=True,
                         text=True, cwd=tmp_path, env=env, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "WARNING" in run.stderr and "without the bubblewrap sandbox" in run.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["sandbox"].startswith("weak")
    ann = json.loads((tmp_path / "out" / "reports" / "ann.json").read_text())["assignments"]["01_the_neuron"]
    assert ann["points"] == 2 and ann["sandbox"].startswith("weak")  # the weak guard still grades
