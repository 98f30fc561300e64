"""The course website (tools/build_site.py): built offline, and every page checked in headless Chromium.

The site is built once per session into a temporary folder with the interpreter running the tests
(it needs the `site` extra: `make site` installs it), or taken from ``$NNLAB_SITE_DIR`` when that
is set (e.g. the ``_site/`` that ``make site`` wrote). Without jupyter-book the tests skip, unless
``NNLAB_REQUIRE_BROWSER=1``.

Served on 127.0.0.1 by http.server, every HTML page is loaded in Chromium and must

- make no request that leaves 127.0.0.1, and no request that fails or answers ≥ 400;
- have its math typeset by MathJax: every ``.math`` element holds an ``mjx-container``, none
  holds a TeX error, and no ``$…$``, ``\\(…\\)`` or ``$$`` is left in the visible text;
- show every image it has (loaded, naturalWidth > 0), and on a chapter one image per plot stored
  in the notebook plus one per widget cell (a code cell with ``nl.widgets.`` in it, stored without
  outputs): the build gives each widget cell a still picture of its explorer as it starts, in the
  cell's output with a caption of CSS class ``nnlab-still``;
- give every image alt text (not empty, not the file's name);
- pass axe-core, the accessibility checker (fetched by npm with MathJax; tools/build_site.py's
  axe_core_js), with no violation of impact "serious" or "critical" (and in the theme's dark
  mode too, on the landing page, a chapter with explorers and an API page: DARK_PAGES);
- link only to files that exist (HTTP 200), and to ``#anchors`` that exist on the target page;
- at a phone's size (390 × 844), not be wider than the screen: wide code cells and tables scroll
  inside their own box.

Screenshots go to artifacts/: the whole landing page (site_landing.png), in chapter 08 the first
plot with math in the text just before it (site_chapter_08.png), and in chapter 03 the still
picture of the playground with its caption (site_chapter_03_explorer.png); on the phone, the top
of the landing page (site_phone_landing.png) and chapter 08's widest code cell
(site_phone_chapter_08.png). The tests without a
browser check the folder itself: no solution leaks into it, nothing is loaded from another host,
every chapter, exercise and nnlab module is there; and the staging of a chapter: the same still
pictures on every build, and a widget cell that fails stops the build.
"""

from __future__ import annotations

import functools
import html.parser
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin

import pytest

from browser_support import ROOT, artifacts_dir, is_loopback, launch
from chapter_code import tool

pytestmark = pytest.mark.browser

CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))
#: Sphinx/theme templates copied as static files: not pages of the site.
NOT_PAGES = ("_static/",)
#: A code cell that builds an explorer of nnlab.widgets (tools/build_site.py gives it a picture).
WIDGET_CELL = "nl.widgets."


def _unavailable(reason: str):
    if os.environ.get("NNLAB_REQUIRE_BROWSER") == "1":
        pytest.fail(f"the site tests are required but cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The built site: $NNLAB_SITE_DIR, or a fresh build of tools/build_site.py."""
    given = os.environ.get("NNLAB_SITE_DIR")
    if given:
        path = Path(given).resolve()
        if not (path / "index.html").is_file():
            pytest.fail(f"NNLAB_SITE_DIR={given} has no index.html: build it with  make site", pytrace=False)
        return path
    import importlib.util

    if importlib.util.find_spec("jupyter_book") is None:
        _unavailable(f"jupyter-book is not installed for {sys.executable}; "
                     "install the site extra with  make site  (or pip install -e '.[site]')")
    base = tmp_path_factory.mktemp("site")
    out = base / "html"
    started = time.perf_counter()
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "build_site.py"), "--out", str(out),
                           "--work", str(base / "work")], capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        pytest.fail(f"the site build failed:\n{done.stdout}\n{done.stderr}", pytrace=False)
    print(f"\nsite built in {time.perf_counter() - started:.1f} s: {done.stdout.strip().splitlines()[-1]}")
    return out


def pages_of(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if not p.relative_to(site).as_posix().startswith(NOT_PAGES))


class _Server(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="session")
def served(site):
    """The site's base URL on 127.0.0.1 (http.server in a thread)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Server, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join()


# --- the folder itself (no browser) ---


def test_every_chapter_exercise_and_module_is_on_the_site(site):
    pages = pages_of(site)
    assert "index.html" in pages
    for chapter in CHAPTERS:
        assert f"chapters/{chapter.stem}.html" in pages
    for chapter in CHAPTERS:  # the download button of a chapter page
        assert (site / "_sources" / "chapters" / chapter.name).read_bytes() == chapter.read_bytes()
    downloads = {p.name: p for p in (site / "_downloads").rglob("*.ipynb")}
    for exercise in EXERCISES:
        assert exercise.name in downloads, f"exercise {exercise.name} is not downloadable"
        assert downloads[exercise.name].read_bytes() == exercise.read_bytes()
    import nnlab

    modules = {p.stem if p.name != "__init__.py" else "" for p in Path(nnlab.__file__).parent.glob("*.py")}
    modules |= {p.parent.name for p in Path(nnlab.__file__).parent.glob("*/__init__.py")}
    public = sorted(m for m in modules if m and not m.startswith("_"))
    api = "".join((site / "api" / name).read_text(encoding="utf-8") for name in os.listdir(site / "api"))
    missing = [m for m in public if f'id="module-nnlab.{m}"' not in api]
    assert not missing, f"public nnlab modules missing from the API reference (book/api/*.md): {missing}"


def test_no_solution_is_published(site):
    for path in site.rglob("*"):
        rel = path.relative_to(site).as_posix()
        assert "solutions/" not in rel, rel
        if path.is_file() and path.suffix in (".html", ".ipynb", ".js", ".txt", ".md"):
            text = path.read_text(encoding="utf-8", errors="replace")
            for marker in ("BEGIN SOLUTION", "END SOLUTION"):
                assert marker not in text, f"{rel} contains {marker!r}"
            assert not re.search(r"""(href|src)="[^"]*solutions/""", text), f"{rel} links into solutions/"


RESOURCE_TAG = re.compile(r"<(script|link|img|iframe|source|embed|object|audio|video)\b[^>]*>", re.IGNORECASE)
ATTRIBUTE = re.compile(r"""\b(src|href|data|rel)=["']([^"']*)["']""", re.IGNORECASE)
LOADED_LINKS = re.compile(r"stylesheet|preload|prefetch|icon|manifest|modulepreload", re.IGNORECASE)
EXTERNAL = re.compile(r"^(https?:)?//", re.IGNORECASE)
EXTERNAL_CSS = re.compile(r"""(@import\s+(url\()?["']?|url\(["']?)(https?:)?//""", re.IGNORECASE)
CDNS = re.compile(r"cdn|jsdelivr|unpkg|googleapis|gstatic|cloudflare|mathjax\.org|polyfill", re.IGNORECASE)


def test_pages_load_nothing_from_another_host(site):
    problems = []
    for rel in pages_of(site):
        text = (site / rel).read_text(encoding="utf-8")
        for tag in RESOURCE_TAG.finditer(text):
            attributes = {k.lower(): v for k, v in ATTRIBUTE.findall(tag.group(0))}
            if tag.group(1).lower() == "link" and not LOADED_LINKS.search(attributes.get("rel", "")):
                continue  # a link to navigate to (next, prev, canonical), not a resource
            if any(EXTERNAL.match(attributes.get(k, "")) for k in ("src", "href", "data")):
                problems.append(f"{rel}: {tag.group(0)}")
        mathjax = re.findall(r'<script[^>]*src="[^"]*_static/mathjax/[^"]*"', text)
        if len(mathjax) > 1:  # MathJax loads its own parts when it needs them
            problems.append(f"{rel}: {len(mathjax)} MathJax scripts: {mathjax[:3]}")
        problems += [f"{rel}: a CDN in a script: {m.group(0)[:200]}"
                     for m in re.finditer(r"<script\b[^>]*>[^<]*", text) if CDNS.search(m.group(0))]
    for css in site.rglob("*.css"):
        if EXTERNAL_CSS.search(css.read_text(encoding="utf-8", errors="replace")):
            problems.append(f"{css.relative_to(site)}: loads from another host")
    assert not problems, "\n".join(problems)


def _code_cells(chapter: Path) -> list[dict]:
    notebook = json.loads(chapter.read_text(encoding="utf-8"))
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def _plots_in(chapter: Path) -> int:
    return sum("image/png" in output.get("data", {})
               for cell in _code_cells(chapter) for output in cell.get("outputs", []))


def _widget_cells_in(chapter: Path) -> int:
    """The chapter's widget cells: each gets a still picture of its explorer on the site."""
    return sum(WIDGET_CELL in "".join(cell["source"]) for cell in _code_cells(chapter))


def test_still_pictures_are_the_same_on_every_build(tmp_path):
    pytest.importorskip("ipywidgets")
    pytest.importorskip("matplotlib")
    build_site = tool("build_site")
    chapter = next(c for c in CHAPTERS if c.name.startswith("03_"))
    first, second = tmp_path / "first.ipynb", tmp_path / "second.ipynb"
    committed = chapter.read_bytes()
    assert build_site.stage_chapter(chapter, first) == _widget_cells_in(chapter) > 0
    build_site.stage_chapter(chapter, second)
    assert first.read_bytes() == second.read_bytes()
    staged = [cell for cell in _code_cells(first) if WIDGET_CELL in "".join(cell["source"])]
    for cell in staged:
        png, caption = (output["data"] for output in cell["outputs"])
        assert "".join(png["image/png"]).startswith("iVBORw0KGgo")   # base64 of the PNG signature
        assert 'class="nnlab-still"' in "".join(caption["text/html"])
    assert chapter.read_bytes() == committed, "the repository's notebook was changed"


def test_a_widget_cell_that_fails_stops_the_build(tmp_path, capsys):
    pytest.importorskip("ipywidgets")
    pytest.importorskip("matplotlib")
    nbformat = pytest.importorskip("nbformat")
    build_site = tool("build_site")
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 99 · Broken"),
        nbformat.v4.new_code_cell('nl.widgets.Playground("no such data set")'),
    ])
    source = tmp_path / "99_broken.ipynb"
    nbformat.write(notebook, source)
    with pytest.raises(SystemExit) as exit_:
        build_site.stage_chapter(source, tmp_path / "staged.ipynb")
    assert exit_.value.code == 1
    message = capsys.readouterr().err
    assert "99_broken.ipynb, cell 2 of 2" in message
    assert "ValueError" in message and "no such data set" in message
    assert not (tmp_path / "staged.ipynb").exists()


# --- every page in Chromium ---


class _Ids(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        self.ids.update(v for k, v in attrs if k in ("id", "name") and v)


# Straight to the loopback server, whatever proxy the environment names.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@functools.lru_cache(maxsize=None)
def _fetch(url: str) -> tuple[int, bytes]:
    try:
        with _DIRECT.open(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


@functools.lru_cache(maxsize=None)
def _anchors(url: str) -> set[str]:
    parser = _Ids()
    parser.feed(_fetch(url)[1].decode("utf-8", errors="replace"))
    return parser.ids


# What the reader sees as text, without code, outputs and typeset math.
VISIBLE_PROSE = """() => {
    const main = document.querySelector('main') || document.body;
    const copy = main.cloneNode(true);
    copy.querySelectorAll('pre, code, script, style, mjx-container, .highlight, .cell_output, .output')
        .forEach(e => e.remove());
    return copy.textContent;
}"""
MATH_STATE = """() => ({
    math: document.querySelectorAll('.math').length,
    typeset: [...document.querySelectorAll('.math')]
        .filter(e => e.querySelector('mjx-container')).length,
    errors: [...document.querySelectorAll('mjx-merror')]
        .map(e => e.getAttribute('data-mjx-error') || e.textContent),
})"""
IMAGES = """() => [...document.images].map(img => ({
    src: img.currentSrc || img.src, ok: img.complete && img.naturalWidth > 0,
    alt: img.getAttribute('alt'), output: !!img.closest('.cell_output, .output')}))"""
#: axe-core's impacts that fail the test (the others, "moderate" and "minor", are reported by axe
#: but not asserted).
AXE_FAILING = ("serious", "critical")
AXE_RUN = """async () => {
    const result = await axe.run(document, {resultTypes: ['violations']});
    return result.violations.filter(v => %s.includes(v.impact)).map(v => ({
        id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
        where: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + n.failureSummary.split('\\n')[1])}));
}""" % json.dumps(AXE_FAILING)
#: Pages checked by axe-core in dark mode as well (prefers-color-scheme: dark): one of each kind.
DARK_PAGES = ("index.html", "chapters/05_", "api/network.html")
PHONE = {"width": 390, "height": 844}
#: How much wider than the screen the page is, and the elements that stick out (outside the
#: sidebars, which the theme hides off-screen on a phone).
OVERFLOW = """() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.body.querySelectorAll('*')]
        .filter(e => !e.closest('.bd-sidebar-primary, .bd-sidebar-secondary, .skip-link'))
        .filter(e => e.getBoundingClientRect().right > width + 1)
        .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + [...e.classList].join('.') : ''));
    return {over: document.documentElement.scrollWidth - width, wide};
}"""
# The code blocks wider than their box, and whether each scrolls inside it.
WIDE_CODE = """() => [...document.querySelectorAll('main pre, main table')]
    .map(e => e.tagName === 'TABLE' ? (e.closest('.pst-scrollable-table-container, .table-wrapper') || e) : e)
    .filter(e => e.scrollWidth > e.clientWidth + 1)
    .map(e => ({what: e.tagName.toLowerCase(), scrolls: ['auto', 'scroll'].includes(getComputedStyle(e).overflowX)}))"""
# Scroll to the widest code cell on the page.
SCROLL_TO_WIDEST_CODE = """() => {
    const pre = [...document.querySelectorAll('main .cell_input pre')]
        .sort((a, b) => (b.scrollWidth - b.clientWidth) - (a.scrollWidth - a.clientWidth))[0];
    if (!pre) return false;
    pre.scrollIntoView();
    window.scrollBy(0, -80);  // below the sticky header
    return true;
}"""
# Scroll to the first plot whose preceding text (up to three blocks before its cell) has math.
SCROLL_TO_MATH_AND_PLOT = """() => {
    for (const img of document.querySelectorAll('.cell_output img')) {
        let block = img.closest('.cell');
        for (let i = 0; i < 3 && block; i++) {
            block = block.previousElementSibling;
            if (block && block.querySelector('mjx-container')) {
                block.scrollIntoView();
                window.scrollBy(0, -60);  // below the sticky header
                return true;
            }
        }
    }
    return false;
}"""
# Each code cell that builds an explorer, with the pictures loaded in its output and its captions.
WIDGET_CELLS = """() => [...document.querySelectorAll('div.cell')]
    .filter(cell => cell.querySelector('.cell_input')?.textContent.includes(%s))
    .map(cell => ({
        code: cell.querySelector('.cell_input').textContent.trim(),
        pictures: [...cell.querySelectorAll('.cell_output img')]
            .filter(img => img.complete && img.naturalWidth > 0).length,
        captions: [...cell.querySelectorAll('.cell_output .nnlab-still')].map(e => e.textContent),
    }))""" % json.dumps(WIDGET_CELL)
CAPTIONS = "() => document.querySelectorAll('.nnlab-still').length"
# Scroll to the first still picture of an explorer, its caption in view.
SCROLL_TO_EXPLORER = """() => {
    const caption = document.querySelector('.nnlab-still');
    if (!caption) return false;
    caption.closest('.cell').scrollIntoView();
    window.scrollBy(0, -60);  // below the sticky header
    return true;
}"""
RAW_TEX = re.compile(r"\$\$|\\\(|\\\)|\\\[|\\\]|\$[^$\s][^$]*?\$")


def open_page(page, url: str) -> None:
    """Go to `url` and wait until the page is complete: loaded, its math typeset by MathJax, its
    fonts (MathJax's too) and every image loaded. (Not Playwright's "networkidle": Chromium does
    not always report it, even when no request is open.)"""
    page.goto(url, wait_until="load")
    if page.evaluate("() => !!document.querySelector('.math')"):
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                               polling=100, timeout=60_000)
        page.evaluate("() => MathJax.startup.promise")
    page.evaluate("() => document.fonts.ready.then(() => true)")
    page.wait_for_function("() => [...document.images].every(img => img.complete)", polling=100,
                           timeout=60_000)


def axe_problems(page, rel: str, axe_js: str) -> list[str]:
    """axe-core's serious and critical violations on the loaded page, one line each."""
    page.add_script_tag(content=axe_js)
    return [f"{rel}: axe-core {v['impact']} {v['id']} ({v['help']}), {v['count']} elements: "
            f"{v['where']}" for v in page.evaluate(AXE_RUN)]


@pytest.fixture(scope="session")
def axe_js() -> str:
    """axe-core's script, installed by the site builder's npm step (build/site-npm/)."""
    build_site = tool("build_site")
    try:
        return build_site.axe_core_js().read_text(encoding="utf-8")
    except SystemExit:
        pytest.fail("axe-core could not be installed with npm (see the build_site error above)",
                    pytrace=False)


def check_page(page, rel: str, served: str, requests: list[str], failed: list[str],
               axe_js: str) -> tuple[list[str], int]:
    """Load one page in `page` (a Playwright page that records its requests and failures into the
    given lists); the problems found and the number of internal links checked."""
    problems = []
    requests.clear()
    failed.clear()
    open_page(page, urljoin(served, rel))
    outside = [r for r in requests if not is_loopback(r)]
    if outside:
        problems.append(f"{rel}: requests that leave 127.0.0.1: {outside}")
    if failed:
        problems.append(f"{rel}: failed: {failed}")

    math = page.evaluate(MATH_STATE)
    if math["typeset"] != math["math"] or math["errors"]:
        problems.append(f"{rel}: {math['typeset']} of {math['math']} math elements typeset, "
                        f"TeX errors: {math['errors']}")
    raw = RAW_TEX.findall(page.evaluate(VISIBLE_PROSE))
    if raw:
        problems.append(f"{rel}: untypeset TeX in the text: {raw[:5]}")

    images = page.evaluate(IMAGES)
    broken = [i["src"] for i in images if not i["ok"]]
    if broken:
        problems.append(f"{rel}: images that did not load: {broken}")
    no_alt = [i["src"][-40:] for i in images
              if not (i["alt"] or "").strip() or re.search(r"\.(png|jpe?g|svg|gif)$|_images/", i["alt"])]
    if no_alt:
        problems.append(f"{rel}: {len(no_alt)} images without alt text (chapters/AUTHORING.md, "
                        f"'Alt text for figures'): {no_alt[:3]}")
    problems += axe_problems(page, rel, axe_js)
    if rel.startswith("chapters/"):
        chapter = ROOT / "chapters" / f"{Path(rel).stem}.ipynb"
        plots, widgets = _plots_in(chapter), _widget_cells_in(chapter)
        shown = sum(i["output"] and i["ok"] for i in images)
        if shown != plots + widgets:
            problems.append(f"{rel}: {shown} images shown in outputs, expected {plots + widgets}: "
                            f"{plots} plots stored in the notebook and {widgets} widget cells")
        cells = page.evaluate(WIDGET_CELLS)
        captions = page.evaluate(CAPTIONS)
        if len(cells) != widgets or captions != widgets:
            problems.append(f"{rel}: {len(cells)} widget cells and {captions} still-picture "
                            f"captions on the page, the notebook has {widgets} widget cells")
        for cell in cells:
            if (cell["pictures"] != 1 or len(cell["captions"]) != 1
                    or not all(w in cell["captions"][0] for w in ("still picture", "JupyterLab"))):
                problems.append(f"{rel}: the widget cell {cell['code']!r} shows "
                                f"{cell['pictures']} pictures with captions {cell['captions']}, "
                                "expected one still picture with its caption")

    links = 0
    for href in page.evaluate("() => [...document.links].map(a => a.href)"):
        target, fragment = urldefrag(href)
        if not target.startswith(served):
            continue
        links += 1
        status, _ = _fetch(target)
        if status != 200:
            problems.append(f"{rel}: broken link {href} (HTTP {status})")
        elif fragment and target.endswith(".html") and unquote(fragment) not in _anchors(target):
            problems.append(f"{rel}: link to a missing anchor {href}")
    return problems, links


def test_every_page_in_chromium(site, served, axe_js):
    from playwright.sync_api import sync_playwright

    pages = pages_of(site)
    problems: list[str] = []
    requests: list[str] = []
    failed: list[str] = []
    links = 0
    started = time.perf_counter()
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.url} (HTTP {r.status})"))
        page.on("pageerror", lambda e: failed.append(f"script error: {e}"))
        for rel in pages:
            found, checked = check_page(page, rel, served, requests, failed, axe_js)
            problems += found
            links += checked

        dark = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark").new_page()
        for rel in (r for r in pages if r.startswith(DARK_PAGES)):
            open_page(dark, urljoin(served, rel))
            problems += axe_problems(dark, f"{rel} (dark mode)", axe_js)
        dark.close()

        page.set_viewport_size({"width": 1280, "height": 1200})
        chapter_03 = next(r for r in pages if r.startswith("chapters/03_"))
        chapter_08 = next(r for r in pages if r.startswith("chapters/08_"))
        for name, rel, scroll in (("site_landing.png", "index.html", None),
                                  ("site_chapter_08.png", chapter_08, SCROLL_TO_MATH_AND_PLOT),
                                  ("site_chapter_03_explorer.png", chapter_03, SCROLL_TO_EXPLORER)):
            open_page(page, urljoin(served, rel))
            if scroll:
                page.evaluate(scroll)
            page.screenshot(path=str(artifacts_dir() / name), full_page=rel == "index.html")
        browser.close()
    print(f"\n{len(pages)} pages and {links} internal links checked in Chromium "
          f"in {time.perf_counter() - started:.1f} s")
    assert not problems, "\n".join(problems)


def test_every_page_fits_a_phone(site, served):
    from playwright.sync_api import sync_playwright

    pages = pages_of(site)
    problems: list[str] = []
    scrolling = 0
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
        for rel in pages:
            open_page(page, urljoin(served, rel))
            overflow = page.evaluate(OVERFLOW)
            if overflow["over"] > 0:
                problems.append(f"{rel}: {overflow['over']} px wider than a {PHONE['width']} px screen; "
                                f"sticking out: {overflow['wide']}")
            for block in page.evaluate(WIDE_CODE):
                scrolling += block["scrolls"]
                if not block["scrolls"]:
                    problems.append(f"{rel}: a {block['what']} wider than its box that does not scroll")
        chapter_08 = next(r for r in pages if r.startswith("chapters/08_"))
        for name, rel, scroll in (("site_phone_landing.png", "index.html", None),
                                  ("site_phone_chapter_08.png", chapter_08, SCROLL_TO_WIDEST_CODE)):
            open_page(page, urljoin(served, rel))
            if scroll:
                assert page.evaluate(scroll)
            page.screenshot(path=str(artifacts_dir() / name))
        browser.close()
    print(f"\n{len(pages)} pages at {PHONE['width']} × {PHONE['height']}: "
          f"{scrolling} wide code blocks or tables scroll inside their box")
    assert scrolling > 0, "no code cell wider than a phone: the check would not see one that overflows"
    assert not problems, "\n".join(problems)
