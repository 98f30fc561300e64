"""Headless Chromium for the browser tests: the system's Chromium driven by Playwright.

Playwright's own browser download cannot work on an offline machine, so the tests drive the
Chromium that the system package manager installed (Debian: ``apt-get install chromium``), found at
``$NNLAB_CHROMIUM`` or on the PATH. Without it the browser tests skip, unless
``NNLAB_REQUIRE_BROWSER=1`` (set by ``.ci/run``) turns the skip into a failure.

Screenshots and other artefacts go to ``$NNLAB_ARTIFACTS`` (default ``artifacts/`` at the
repository root, ignored by git).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Without the networking flags Chromium keeps trying to reach Google's hosts; a closed network
# refuses those connections many at a time. --no-sandbox is needed when running as root.
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


def artifacts_dir() -> Path:
    path = Path(os.environ.get("NNLAB_ARTIFACTS", ROOT / "artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def chromium_path() -> str:
    """The system Chromium, or skip (fail under NNLAB_REQUIRE_BROWSER=1) with how to install it."""
    found = os.environ.get("NNLAB_CHROMIUM") or next(
        (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
    problem = None
    if not found:
        problem = ("no Chromium found (looked for $NNLAB_CHROMIUM, chromium, chromium-browser, "
                   "google-chrome); on Debian/Ubuntu: sudo apt-get install chromium")
    else:
        try:
            import playwright  # noqa: F401
        except ImportError:
            problem = "the playwright package is missing: pip install -e '.[browser]'"
    if problem:
        if os.environ.get("NNLAB_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests required but cannot run: {problem}", pytrace=False)
        pytest.skip(problem)
    return found


def launch(playwright):
    """A headless Chromium browser (the caller closes it)."""
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS, headless=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url: str, timeout: float, process: subprocess.Popen | None = None) -> None:
    """Poll `url` until it answers (any HTTP status), the process dies, or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode} before answering {url}")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"nothing answered at {url} within {timeout:.0f} s")


def is_loopback(url: str) -> bool:
    """True for requests that stay on this machine (127.0.0.1/localhost, data:, blob:, about:)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.hostname in ("127.0.0.1", "localhost", "::1")
