"""The interactive course in JupyterLab, driven by a real (headless) browser.

A JupyterLab server from this environment serves copies of three chapters; Chromium opens each one,
runs all its cells like a learner would (Run → Run All Cells), and uses its live widgets:

- chapter 01: moving the w₁ slider of the NeuronExplorer redraws the plot and changes the status;
- chapter 03: Train in the Playground lowers the loss epoch by epoch, and Pause stops it;
- chapter 08: `nl.fit(..., progress=True, live_plot=True)` fills its progress bar to 100 % and
  shows one live loss plot, updated in place.

The server is isolated from the user's Jupyter set-up (its own config, data, runtime, settings and
home directories, all temporary) and serves a temporary copy of the chapters, so nothing in the
repository is written. Every request the page makes must stay on 127.0.0.1. Screenshots go to
``artifacts/`` (see `browser_support.artifacts_dir`).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from browser_support import ROOT, artifacts_dir, chromium_path, free_port, is_loopback, launch, wait_for_http

pytestmark = pytest.mark.browser

SOURCE = ROOT / "chapters"
CHAPTERS = {
    "01": "01_the_neuron.ipynb",
    "03": "03_layers_and_feedforward.ipynb",
    "08": "08_training_on_real_data.ipynb",
}
SERVER_START_TIMEOUT = 60   # seconds
RUN_ALL_TIMEOUT = 150       # seconds, per chapter (a chapter runs in ≤ 20 s on one core)
WIDGET_TIMEOUT = 30_000     # milliseconds, for a widget to appear or react in the page

# User settings of the isolated JupyterLab: nothing pops up over the notebook (no news question, no
# update check, no toasts), no autosave, and every cell is attached to the page (the default
# windowing leaves cells far from the viewport out of the DOM).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification": {
        "fetchNews": "false", "checkForUpdates": False, "doNotDisturbMode": True},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/extensionmanager-extension/plugin": {"enabled": False},
}

# JavaScript run in the page; `window.jupyterapp` is there because of --LabApp.expose_app_in_browser.
PANEL = """
const panel = (path) => {
  const app = window.jupyterapp;
  if (!app || !app.shell) return null;
  for (const w of app.shell.widgets('main')) {
    if (w.context && w.context.path === path && w.content && w.content.widgets) return w;
  }
  return null;
};
"""
NOTEBOOK_READY = "(path) => {" + PANEL + """
  const p = panel(path);
  if (!p || !p.context.isReady || !p.sessionContext.session) return false;
  const k = p.sessionContext.session.kernel;
  return !!k && k.status === 'idle' && k.connectionStatus === 'connected';
}"""
CLEAR_AND_RUN_ALL = "async (path) => {" + PANEL + """
  const app = window.jupyterapp, p = panel(path);
  app.shell.activateById(p.id);
  await app.commands.execute('notebook:clear-all-cell-outputs');
  app.commands.execute('notebook:run-all-cells');   // not awaited: the test polls for the end
}"""
RUN_STATE = "(path) => {" + PANEL + """
  const p = panel(path), k = p.sessionContext.session && p.sessionContext.session.kernel;
  const code = p.content.widgets.map((c, i) => [c, i]).filter(
    ([c]) => c.model.type === 'code' && c.model.sharedModel.getSource().trim() !== '');
  // the rules of tools/build_notebooks.py: no error unless tagged raises-exception, no stderr
  // unless tagged nbval-ignore-output
  const errors = [], stderr = [];
  for (const [c, i] of code) {
    const tags = c.model.getMetadata('tags') || [];
    for (const out of c.model.outputs.toJSON()) {
      if (out.output_type === 'error' && !tags.includes('raises-exception'))
        errors.push(`cells[${i}] raised ${out.ename}: ${String(out.evalue).slice(0, 300)}`);
      if (out.output_type === 'stream' && out.name === 'stderr' && !tags.includes('nbval-ignore-output'))
        stderr.push(`cells[${i}] wrote to stderr: ${String(out.text).slice(0, 300)}`);
    }
  }
  return {done: code.filter(([c]) => c.model.executionCount !== null).length, total: code.length,
          kernel: k ? k.status : 'none', errors, stderr};
}"""
MARK_CELL = "([path, needle, mark]) => {" + PANEL + """
  const cells = panel(path).content.widgets.filter(
    c => c.model.type === 'code' && c.model.sharedModel.getSource().includes(needle));
  cells.forEach(c => c.node.setAttribute('data-nnlab-test', mark));
  return cells.length;
}"""


@dataclass
class Lab:
    url: str
    token: str
    root: Path
    log: Path
    phases: list = field(default_factory=list)

    def api(self, method: str, path: str):
        request = urllib.request.Request(f"{self.url}{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=20) as response:
            body = response.read()
        return json.loads(body) if body else None

    def log_tail(self, n: int = 40) -> str:
        lines = self.log.read_text(errors="replace").splitlines()
        return "\n".join(lines[-n:])


def _isolated_env(tmp: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "PYTEST_", "IPYTHON"))}
    dirs = {
        "HOME": tmp / "home",
        "JUPYTER_CONFIG_DIR": tmp / "config",
        "JUPYTER_DATA_DIR": tmp / "data",
        "JUPYTER_RUNTIME_DIR": tmp / "runtime",
        "JUPYTERLAB_SETTINGS_DIR": tmp / "config" / "lab" / "user-settings",
        "JUPYTERLAB_WORKSPACES_DIR": tmp / "workspaces",
        "IPYTHONDIR": tmp / "ipython",
        "MPLCONFIGDIR": tmp / "matplotlib",
        "XDG_CONFIG_HOME": tmp / "home" / ".config",
        "XDG_CACHE_HOME": tmp / "home" / ".cache",
        "XDG_DATA_HOME": tmp / "home" / ".local" / "share",
    }
    for name, path in dirs.items():
        path.mkdir(parents=True, exist_ok=True)
        env[name] = str(path)
    # This environment's Jupyter and kernel first, whatever else is on the PATH.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               JUPYTER_PLATFORM_DIRS="1", PYDEVD_DISABLE_FILE_VALIDATION="1")
    for plugin, settings in LAB_SETTINGS.items():
        path = dirs["JUPYTERLAB_SETTINGS_DIR"] / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings))
    return env


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM (the server shuts its kernels down); SIGKILL to its process group if it hangs."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def lab():
    """A JupyterLab server on 127.0.0.1 serving a temporary copy of the chapters, isolated."""
    chromium_path()  # skip (or fail) before starting anything when there is no browser
    missing = [name for name in ("jupyterlab", "ipykernel", "ipywidgets", "matplotlib")
               if importlib.util.find_spec(name) is None]
    if missing:
        problem = (f"{', '.join(missing)} not installed for {sys.executable}; "
                   "install the course extra: pip install -e '.[course]'  (or run  make lab)")
        if os.environ.get("NNLAB_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests required but cannot run: {problem}", pytrace=False)
        pytest.skip(problem)
    tmp = Path(tempfile.mkdtemp(prefix="nnlab-lab-"))
    process = log_file = None
    try:
        root = tmp / "root"
        (root / "chapters").mkdir(parents=True)
        for name in CHAPTERS.values():
            shutil.copy2(SOURCE / name, root / "chapters" / name)
        env = _isolated_env(tmp)
        port, token = free_port(), secrets.token_hex(24)
        command = [
            sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
            f"--port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}", "--ServerApp.terminals_enabled=False",
            "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=None",
            "--LabApp.extension_manager=readonly",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")
        log = tmp / "server.log"
        log_file = open(log, "wb")
        started = time.monotonic()
        process = subprocess.Popen(command, cwd=root, env=env, stdin=subprocess.DEVNULL,
                                   stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
        server = Lab(url=f"http://127.0.0.1:{port}", token=token, root=root, log=log)
        try:
            wait_for_http(f"{server.url}/api/status?token={token}", SERVER_START_TIMEOUT, process)
        except (RuntimeError, TimeoutError) as problem:
            pytest.fail(f"JupyterLab did not start: {problem}\n{server.log_tail()}", pytrace=False)
        server.phases.append(("server start", time.monotonic() - started))
        print(f"\n[lab] server start: {time.monotonic() - started:.1f} s")
        yield server
        print("\n[lab] phases: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in server.phases)
              + f"; total {time.monotonic() - started:.1f} s")
    finally:
        if process is not None:
            _stop(process)
        if log_file is not None:
            log_file.close()
            shutil.copy2(tmp / "server.log", artifacts_dir() / "lab_server.log")
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def browser(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Chapter:
    page: object
    path: str
    requests: list
    console_errors: list


@pytest.fixture
def open_chapter(lab, browser):
    """open_chapter("01") → the chapter opened in a fresh page with all its cells run."""
    contexts = []

    def open_(number: str) -> Chapter:
        started = time.monotonic()
        name = CHAPTERS[number]
        path = f"chapters/{name}"
        served = lab.root / path
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        contexts.append((context, served, _sha256(served)))
        context.set_default_timeout(WIDGET_TIMEOUT)
        requests, console_errors = [], []
        context.on("request", lambda request: requests.append(request.url))
        page = context.new_page()
        page.on("websocket", lambda ws: requests.append(ws.url))
        page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda error: console_errors.append(f"uncaught: {error}"))
        page.goto(f"{lab.url}/lab/workspaces/nnlab-{number}/tree/{path}?reset&token={lab.token}",
                  timeout=90_000)
        page.wait_for_function(NOTEBOOK_READY, arg=path, timeout=90_000, polling=250)
        opened = time.monotonic()
        page.evaluate(CLEAR_AND_RUN_ALL, path)
        _wait_for_run_all(page, path, lab)
        finished = time.monotonic()
        print(f"[lab] chapter {number}: open + kernel {opened - started:.1f} s, "
              f"run all cells {finished - opened:.1f} s")
        lab.phases.append((f"chapter {number} open", opened - started))
        lab.phases.append((f"chapter {number} run all", finished - opened))
        return Chapter(page, path, requests, console_errors)

    try:
        yield open_
    finally:
        for context, _, _ in contexts:
            context.close()
        with contextlib.suppress(OSError):
            for session in lab.api("GET", "/api/sessions"):
                lab.api("DELETE", f"/api/sessions/{session['id']}")
    # No autosave and no save: running a chapter in the browser writes nothing to the notebook.
    for _, served, sha in contexts:
        assert _sha256(served) == sha, f"JupyterLab wrote to {served.name} while the test ran"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _wait_for_run_all(page, path: str, lab: Lab) -> None:
    """Poll until every code cell has an execution count and the kernel is idle."""
    deadline = time.monotonic() + RUN_ALL_TIMEOUT
    idle_since = None
    while True:
        state = page.evaluate(RUN_STATE, path)
        if state["errors"]:
            pytest.fail(f"{path}: a cell failed in JupyterLab:\n" + "\n".join(state["errors"]), pytrace=False)
        if state["kernel"] == "idle" and state["done"] == state["total"]:
            if state["stderr"]:
                pytest.fail(f"{path}:\n" + "\n".join(state["stderr"]), pytrace=False)
            return
        if state["kernel"] in ("dead", "unknown", "none") and state["done"] < state["total"]:
            pytest.fail(f"{path}: the kernel is {state['kernel']} after {state['done']} of "
                        f"{state['total']} code cells\n{lab.log_tail()}", pytrace=False)
        # Between two cells the kernel is idle for a moment; idle for seconds means the run stopped.
        idle_since = (idle_since or time.monotonic()) if state["kernel"] == "idle" else None
        if idle_since is not None and time.monotonic() - idle_since > 10:
            pytest.fail(f"{path}: the run stopped after {state['done']} of {state['total']} code cells",
                        pytrace=False)
        if time.monotonic() > deadline:
            pytest.fail(f"{path}: {state['done']} of {state['total']} code cells ran within "
                        f"{RUN_ALL_TIMEOUT} s (kernel {state['kernel']})", pytrace=False)
        time.sleep(0.5)


def _finish(chapter: Chapter, number: str) -> None:
    """A screenshot of the whole window; every request the page made stayed on 127.0.0.1."""
    chapter.page.screenshot(path=artifacts_dir() / f"lab_{number}_window.png")
    for message in chapter.console_errors[:5]:
        print(f"[lab] chapter {number}: browser console error: {message[:300]!r}")
    assert chapter.requests, "no requests were recorded"
    remote = sorted({url for url in chapter.requests if not is_loopback(url)})
    assert not remote, f"the page made requests that leave 127.0.0.1: {remote[:10]}"


def _text(locator) -> str:
    return " ".join(locator.inner_text().split())


def _number(pattern: str, text: str) -> float:
    found = re.search(pattern, text)
    assert found, f"no match for {pattern!r} in the status {text!r}"
    return float(found.group(1))


def test_neuron_explorer_redraws_when_w1_moves(open_chapter):
    from playwright.sync_api import expect

    chapter = open_chapter("01")
    started = time.monotonic()
    explorer = chapter.page.locator(".nnlab-explorer.nnlab-neuron").first
    explorer.scroll_into_view_if_needed()
    plot = explorer.locator("img.nnlab-plot")
    status = explorer.locator(".nnlab-status")
    expect(plot).to_have_attribute("src", re.compile(r"^blob:|^data:"))
    expect(status).to_contain_text("z =")
    w1 = explorer.locator(".nnlab-w1")
    src_before, status_before = plot.get_attribute("src"), _text(status)
    w1_before = float(_text(w1.locator(".widget-readout")))

    handle = w1.locator(".noUi-handle")
    handle.focus()
    for _ in range(5):
        handle.press("ArrowRight")

    expect(plot).not_to_have_attribute("src", src_before)
    expect(status).not_to_have_text(status_before)
    w1_after = float(_text(w1.locator(".widget-readout")))
    assert w1_after > w1_before, f"the w₁ slider did not move right: {w1_before} → {w1_after}"
    explorer.screenshot(path=artifacts_dir() / "lab_01_neuron_explorer.png")
    print(f"[lab] chapter 01 slider: {time.monotonic() - started:.1f} s; "
          f"status {status_before!r} → {_text(status)!r}")
    _finish(chapter, "01")


def test_playground_trains_and_pauses(open_chapter):
    from playwright.sync_api import expect

    chapter = open_chapter("03")
    started = time.monotonic()
    playground = chapter.page.locator(".nnlab-explorer.nnlab-playground").first
    playground.scroll_into_view_if_needed()
    status, plot = playground.locator(".nnlab-status"), playground.locator("img.nnlab-plot")
    epoch, loss = r"epoch (\d+)", r"(?<!val )loss (\d+\.\d+)"
    expect(status).to_contain_text("epoch")
    expect(plot).to_have_attribute("src", re.compile(r"^blob:|^data:"))
    before, src_before = _text(status), plot.get_attribute("src")
    epoch_before, loss_before = _number(epoch, before), _number(loss, before)

    playground.locator(".nnlab-train").click()
    deadline = time.monotonic() + 60
    while _number(epoch, _text(status)) < epoch_before + 20:
        assert time.monotonic() < deadline, f"training did not reach 20 epochs in 60 s: {_text(status)!r}"
        time.sleep(0.25)
    trained = _text(status)
    assert _number(loss, trained) < loss_before, f"the loss did not go down: {before!r} → {trained!r}"
    assert plot.get_attribute("src") != src_before, "the plot was not redrawn while training"

    pause = playground.locator(".nnlab-pause")
    pause.click()
    # The kernel disables Pause after the training thread has ended and sent its last update.
    expect(pause).to_be_disabled(timeout=WIDGET_TIMEOUT)
    time.sleep(0.5)
    paused = _number(epoch, _text(status))
    time.sleep(1.5)  # six update periods of a running Playground
    assert _number(epoch, _text(status)) == paused, f"training went on after Pause: {_text(status)!r}"
    playground.screenshot(path=artifacts_dir() / "lab_03_playground.png")
    print(f"[lab] chapter 03 train/pause: {time.monotonic() - started:.1f} s; "
          f"status {before!r} → {_text(status)!r}")
    _finish(chapter, "03")


def test_fit_progress_bar_reaches_100_and_live_plot_is_shown_once(open_chapter):
    from playwright.sync_api import expect

    chapter = open_chapter("08")
    marked = chapter.page.evaluate(MARK_CELL, [chapter.path, "live_plot=True", "live-fit"])
    assert marked == 1, f"expected one cell with live_plot=True in {chapter.path}, found {marked}"
    output = chapter.page.locator("[data-nnlab-test='live-fit'] .jp-OutputArea")
    output.scroll_into_view_if_needed()

    expect(output.locator(".widget-hprogress")).to_have_count(1)
    progress_box = output.locator(".widget-hbox", has=chapter.page.locator(".widget-hprogress"))
    expect(progress_box).to_contain_text("100%")
    text = _text(progress_box)
    done, total = map(int, re.search(r"(\d+)/(\d+)", text).groups())
    assert done == total > 0, f"the progress bar stopped at {done}/{total}: {text!r}"
    width = output.locator(".progress-bar").evaluate("el => el.style.width")
    assert width == "100%", f"the progress bar is {width} full: {text!r}"

    plots = output.locator("img")
    expect(plots).to_have_count(1)
    assert plots.evaluate("img => img.naturalWidth > 0 && img.complete"), "the live plot did not load"
    output.screenshot(path=artifacts_dir() / "lab_08_progress.png")
    print(f"[lab] chapter 08 progress: {text!r}")
    _finish(chapter, "08")
