"""Where a student's code runs: an operating-system sandbox, resource limits and an audit hook.

The guarantee is **bubblewrap** (`bwrap`, Debian package `bubblewrap`): every process that runs a
student's code — the notebook executor with its kernel, and each part runner — starts inside

- new PID, network, IPC and UTS namespaces: the grader, other submissions and the host's processes
  cannot be seen or signalled, there is no network (only a loopback for the kernel's sockets);
- a root file system with only the system libraries (/usr), the Python installation, the
  packages and nnlab, all **read-only**, plus a few harmless files of /etc; not the instructor key,
  not the submissions folder, not the course repository, not the host's /proc;
- one size-limited tmpfs on /tmp as the only writable place (`Sandbox.tmpfs_mb` in total);
- `--die-with-parent` and a new session: when the grader kills the sandbox (or dies), the PID
  namespace and everything in it end, and nothing can reach the grader's terminal;
- an unprivileged user: when the grader runs as root, the process runs as uid/gid 65534 (nobody)
  with no capabilities and no_new_privs; otherwise as the grader's own user in a user namespace
  where further user namespaces are disabled.

Inside, each process limits itself before any student code exists (`apply_limits`: address space,
CPU seconds, file size, no core dumps) and installs the audit hook (`install_guard`, PEP 578) as a
second layer that refuses starting processes, writing outside the scratch directory, signals,
sockets and ctypes. The audit hook alone is *not* a security boundary; it is all that is left when
bubblewrap is missing and the instructor accepts that explicitly (`nnlab grade --no-sandbox`).
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
    if os.getuid() == SANDBOX_UID:  # a root grader's sandboxes: a fork bomb stops at MAX_TASKS
        limit(resource.RLIMIT_NPROC, MAX_TASKS)


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


# ----------------------------------------------------------------------------------------------
# the operating-system sandbox (bubblewrap)

BWRAP_PACKAGE = "bubblewrap"
SANDBOX_UID = 65534  # nobody: the user a root grader's sandboxes run as
#: Processes and threads that uid may have (all sandboxes of a root grader together).
MAX_TASKS = 1024
#: Files of /etc that programs read at start-up (the dynamic loader, locale, fonts); nothing secret.
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "passwd", "group",
             "nsswitch.conf", "hosts", "host.conf", "fonts", "mime.types", "matplotlibrc")
#: The scratch directory of every sandboxed process (on the tmpfs).
INSIDE_TMP = "/tmp"


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing or does not work here; the message says what to do."""


def _covered(path: str, roots) -> bool:
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)


def sandbox_roots() -> list[str]:
    """The host directories a sandboxed Python needs, read-only: its installation, its packages
    and nnlab (only the package folder, not the course repository around it)."""
    import sysconfig

    import nnlab

    candidates = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                  os.path.dirname(os.path.abspath(nnlab.__file__))}
    candidates.update(p for p in sysconfig.get_paths().values() if p)
    for module in ("numpy",):
        mod = sys.modules.get(module)
        if mod is not None and getattr(mod, "__file__", None):
            candidates.add(os.path.dirname(os.path.abspath(mod.__file__)))
    # the interpreter itself may sit elsewhere (a venv's python is a link to it)
    candidates.add(os.path.dirname(os.path.dirname(os.path.realpath(sys.executable))))
    real = sorted({os.path.realpath(c) for c in candidates if c and os.path.isdir(c)} |
                  {os.path.abspath(c) for c in candidates if c and os.path.isdir(c)})
    kept: list[str] = ["/usr"]
    for path in sorted(real, key=len):
        if not _covered(path, kept) and path != "/":
            kept.append(path)
    return kept[1:]


class Sandbox:
    """How the grader starts a process that runs a student's code.

    `Sandbox.find()` returns the bubblewrap sandbox, or raises SandboxUnavailable (naming the
    Debian package) — unless `allow_weak`, which gives the audit-hook-only guard instead.
    `wrap(argv)` is the command line that runs `argv` inside; `strong` says which one it is.
    """

    def __init__(self, bwrap: str | None, *, tmpfs_mb: int = 256, setpriv: str | None = None,
                 version: str = ""):
        self.bwrap = bwrap
        self.setpriv = setpriv
        self.tmpfs_mb = int(tmpfs_mb)
        self.version = version
        self._args: list[str] | None = None

    @property
    def strong(self) -> bool:
        return self.bwrap is not None

    @classmethod
    def find(cls, *, allow_weak: bool = False, tmpfs_mb: int = 256) -> "Sandbox":
        import shutil
        import subprocess

        bwrap = shutil.which("bwrap")
        if bwrap is None:
            if allow_weak:
                return cls(None, tmpfs_mb=tmpfs_mb)
            raise SandboxUnavailable(
                "nnlab grade: bubblewrap (bwrap) is not installed, and it is what keeps a submission "
                "away from the key, the other submissions and the grader. Install it "
                f"(Debian/Ubuntu: `sudo apt-get install {BWRAP_PACKAGE}`; Fedora: `dnf install "
                "bubblewrap`), or pass --no-sandbox to accept the weaker, audit-hook-only guard "
                "(the report will say so).")
        setpriv = None
        if os.geteuid() == 0:
            setpriv = shutil.which("setpriv")
            if setpriv is None:
                raise SandboxUnavailable(
                    "nnlab grade: running as root, the sandbox drops to an unprivileged user with "
                    "setpriv (Debian package util-linux), which is missing. Install it, or run "
                    "nnlab grade as an ordinary user.")
        try:
            version = subprocess.run([bwrap, "--version"], capture_output=True, text=True,
                                     timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            version = "bubblewrap"
        sandbox = cls(bwrap, tmpfs_mb=tmpfs_mb, setpriv=setpriv, version=version)
        sandbox.probe()
        return sandbox

    def describe(self) -> str:
        if not self.strong:
            return ("weak: no operating-system sandbox (--no-sandbox); resource limits and an audit "
                    "hook only, which a determined submission can get around")
        who = (f"uid {SANDBOX_UID} without capabilities" if self.setpriv else
               "the grader's own user in a user namespace")
        return (f"{self.version or 'bubblewrap'}: new PID, network, IPC and UTS namespaces; "
                f"read-only system, Python and nnlab; a {self.tmpfs_mb} MB tmpfs as the only "
                f"writable place; {who}; killed with the grader")

    def _bwrap_args(self) -> list[str]:
        if self._args is not None:
            return self._args
        args = [self.bwrap, "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-net",
                "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--hostname", "sandbox"]
        if self.setpriv:  # root: bwrap is privileged; the command drops to nobody itself
            args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
        else:
            args += ["--unshare-user", "--disable-userns"]
        args += ["--ro-bind", "/usr", "/usr"]
        for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
            if os.path.islink(top):
                args += ["--symlink", os.readlink(top), top]
            elif os.path.isdir(top):
                args += ["--ro-bind", top, top]
        made = {"/", "/usr", "/tmp", "/proc", "/dev", "/etc"}
        args += ["--perms", "0755", "--dir", "/etc"]
        for name in ETC_FILES:
            path = os.path.join("/etc", name)
            if os.path.exists(path):
                args += ["--ro-bind-try", path, path]
        # The tmpfs first: a Python or nnlab that lives under /tmp (a clone in a temporary folder) is
        # then bound read-only on top of it, instead of being hidden by it.
        args += ["--perms", "1777", "--size", str(self.tmpfs_mb * 2**20), "--tmpfs", INSIDE_TMP]
        for root in sandbox_roots():
            parts = root.strip("/").split("/")
            for i in range(1, len(parts)):
                parent = "/" + "/".join(parts[:i])
                if parent not in made and not _covered(parent, ["/usr"]):
                    args += ["--perms", "0755", "--dir", parent]
                    made.add(parent)
            args += ["--ro-bind", root, root]
            made.add(root)
        args += ["--proc", "/proc", "--dev", "/dev", "--chdir", INSIDE_TMP]
        self._args = args
        return args

    def wrap(self, argv: list[str]) -> list[str]:
        """The command line that runs `argv` in the sandbox (unchanged when the sandbox is weak)."""
        if not self.strong:
            return list(argv)
        inner = list(argv)
        if self.setpriv:
            inner = [self.setpriv, f"--reuid={SANDBOX_UID}", f"--regid={SANDBOX_UID}",
                     "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs",
                     "--", *inner]
        return [*self._bwrap_args(), "--", *inner]

    def probe(self) -> None:
        """Start Python with numpy and nnlab inside once; raise SandboxUnavailable if it fails."""
        import subprocess

        cmd = self.wrap([sys.executable, "-I", "-c", "import numpy, nnlab; print('ok')"])
        try:
            result = subprocess.run(cmd, capture_output=True, text=True, timeout=60,
                                    env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
        except (OSError, subprocess.SubprocessError) as err:
            raise SandboxUnavailable(f"nnlab grade: bubblewrap could not start: {err}") from None
        if result.returncode != 0 or result.stdout.strip() != "ok":
            raise SandboxUnavailable(
                "nnlab grade: bubblewrap is installed but Python with nnlab does not start inside it "
                f"(exit code {result.returncode}): {result.stderr.strip()[-500:]}. Hint: user "
                "namespaces may be disabled (sysctl kernel.unprivileged_userns_clone=1), or run as "
                "root; --no-sandbox accepts the weaker guard.")
