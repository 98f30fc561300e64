"""Limits and a guard for processes that run a student's code (the kernel and the part runners).

Two layers, both installed by the process itself before any student code runs:

- resource limits (`apply_limits`): address space (memory), CPU seconds, the largest file it may
  write, no core dumps. Hard limits equal soft ones, and raising them is blocked by the guard.
- an audit hook (`install_guard`, PEP 578) that refuses, with PermissionError:
  writing, creating, renaming or deleting anything outside the scratch directory; reading outside
  the Python installation, nnlab and the scratch directory (the runner; the kernel may read more,
  see `kernel_read_roots`); starting processes (fork, exec, subprocess, os.system, posix_spawn);
  signalling other processes; network connections; ctypes/cffi; changing rlimits; and walking the
  garbage collector's object lists (which could reach the hook itself).

The grader adds what a process cannot do for itself: a wall-clock limit, enforced by killing the
process group, and a sweep that kills any process still carrying the grading token in its
environment. An audit hook is not a security boundary against native code; for untrusted cohorts,
run the grader inside a container or VM as well (docs/instructors.md).
"""

from __future__ import annotations

import os
import sys

BLOCKED_EVENTS = {
    "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty", "os.startfile",
    "subprocess.Popen", "pty.spawn",
    "socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg", "socket.getaddrinfo",
    "socket.gethostbyname", "socket.gethostbyaddr", "urllib.Request", "ftplib.connect",
    "http.client.connect", "smtplib.connect", "telnetlib.Telnet.open", "webbrowser.open",
    "ctypes.dlopen", "ctypes.dlsym", "ctypes.call_function", "ctypes.cdata", "ctypes.addressof",
    "resource.setrlimit", "resource.prlimit", "os.setuid", "os.setgid", "os.chroot",
    "os.symlink", "os.link",  # a link inside the scratch directory could point anywhere
    "gc.get_objects", "gc.get_referrers", "gc.get_referents", "sys.remote_exec",
    "signal.pthread_kill",
}
#: Events that change the file system → the positions of the paths they write (create, change,
#: remove); a copy's source is only read.
WRITE_EVENTS = {
    "os.remove": (0,), "os.rmdir": (0,), "os.mkdir": (0,), "os.chmod": (0,), "os.chown": (0,),
    "os.chflags": (0,), "os.truncate": (0,), "os.utime": (0,), "os.setxattr": (0,),
    "os.removexattr": (0,), "os.mkfifo": (0,), "os.mknod": (0,), "os.rename": (0, 1),
    "os.replace": (0, 1), "os.symlink": (1,), "os.link": (1,), "shutil.rmtree": (0,),
    "shutil.copyfile": (1,), "shutil.copymode": (1,), "shutil.copystat": (1,), "shutil.move": (0, 1),
    "shutil.copytree": (1,), "shutil.chown": (0,), "shutil.make_archive": (0,),
    "shutil.unpack_archive": (1,),
}
READ_EVENTS = {"os.listdir": 1, "os.scandir": 1, "glob.glob": 1, "os.listxattr": 1, "os.getxattr": 1}
BLOCKED_IMPORTS = {"ctypes", "_ctypes", "cffi", "_cffi_backend", "_posixsubprocess",
                   "multiprocessing", "_multiprocessing", "pty"}
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


class Refused(PermissionError):
    """What the guard raises: an operation the grading sandbox does not allow."""


def apply_limits(memory_mb: int | None, cpu_seconds: int | None, file_mb: int = 64) -> None:
    """Set hard = soft resource limits for this process (and anything it could start)."""
    import resource

    def limit(which, value):
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):  # e.g. a limit above the current hard one: keep the lower
            soft, hard = resource.getrlimit(which)
            if hard != resource.RLIM_INFINITY and value > hard:
                resource.setrlimit(which, (hard, hard))

    if memory_mb:
        limit(resource.RLIMIT_AS, int(memory_mb) * 1024 * 1024)
    if cpu_seconds:
        limit(resource.RLIMIT_CPU, int(cpu_seconds))
    limit(resource.RLIMIT_FSIZE, int(file_mb) * 1024 * 1024)
    limit(resource.RLIMIT_CORE, 0)


def python_roots() -> list[str]:
    """Where this Python, its packages and nnlab live: what any Python code may read."""
    import site
    import sysconfig

    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             os.path.dirname(os.path.dirname(os.path.abspath(__file__)))}
    roots.update(p for p in sysconfig.get_paths().values() if p)
    try:
        roots.update(site.getsitepackages())
    except AttributeError:
        pass
    for module in ("numpy", "nnlab"):
        mod = sys.modules.get(module)
        if mod is not None and getattr(mod, "__file__", None):
            roots.add(os.path.dirname(os.path.abspath(mod.__file__)))
    return sorted(roots)


def runner_read_roots(scratch: str) -> list[str]:
    return python_roots() + [scratch, "/dev/null", "/dev/urandom", "/dev/zero",
                             "/sys/devices/system/cpu", "/proc/self", f"/proc/{os.getpid()}"]


def kernel_read_roots(scratch: str, extra=()) -> list[str]:
    """The kernel also reads system configuration and fonts (matplotlib), never other processes."""
    return runner_read_roots(scratch) + ["/usr", "/etc", "/lib", "/lib64", "/opt", "/dev", *extra]


def _real(path) -> str | None:
    if isinstance(path, int):
        return None  # an already open file descriptor
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not isinstance(path, (str, os.PathLike)):
        return ""
    return os.path.realpath(os.fspath(path))


def _inside(real: str, roots: tuple) -> bool:
    return any(real == r or real.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def install_guard(write_roots, read_roots=None) -> None:
    """Install the audit hook; from now on this process can write only under `write_roots`,
    read only under `read_roots` + `write_roots` (None: read anything), and start nothing."""
    writable = tuple(os.path.realpath(r) for r in write_roots)
    readable = None if read_roots is None else tuple(os.path.realpath(r) for r in read_roots) + writable
    me = os.getpid()
    blocked, write_events, read_events = frozenset(BLOCKED_EVENTS), dict(WRITE_EVENTS), dict(READ_EVENTS)
    blocked_imports = frozenset(BLOCKED_IMPORTS)

    def refuse(what):
        raise Refused(f"not allowed while grading: {what}")

    def hook(event, args):
        if event == "open":
            path, mode, flags = (tuple(args) + (None, None, None))[:3]
            real = _real(path)
            if real is None:
                return
            if isinstance(mode, str):
                writing = any(c in mode for c in "wax+")
            else:
                writing = bool((flags or 0) & WRITE_FLAGS)
            if writing and not _inside(real, writable):
                refuse(f"writing {path!s}")
            if not writing and readable is not None and not _inside(real, readable):
                refuse(f"reading {path!s}")
        elif event in blocked:
            refuse(event)
        elif event in write_events:
            for i in write_events[event]:
                real = _real(args[i]) if i < len(args) else None
                path = args[i] if i < len(args) else None
                if real is not None and not _inside(real, writable):
                    refuse(f"{event} on {path!s}")
        elif event in read_events and readable is not None:
            path = args[0] if args else "."
            real = _real("." if path is None else path)
            if real is not None and not _inside(real, readable):
                refuse(f"{event} on {path!s}")
        elif event in ("os.kill", "os.killpg"):
            if args and args[0] not in (me, 0):
                refuse(f"{event} of process {args[0]}")
        elif event == "import" and args and args[0] in blocked_imports:
            refuse(f"importing {args[0]}")

    sys.addaudithook(hook)
