"""Build the course website: a folder of static HTML, built offline, that loads nothing from the internet.

    .venv/bin/python tools/build_site.py                 # → _site/  (what `make site` runs)
    .venv/bin/python tools/build_site.py --out DIR
    .venv/bin/python tools/build_site.py --alt chapters/NN_x.ipynb   # the alt text of its figures

The site has a landing page (the README's introduction and quick start, the chapter map of
chapters/README.md), every chapter with its stored outputs and plots (the notebooks are not run
again) and a still picture of each live explorer, the exercise notebooks as downloads, and the API
reference from nnlab's docstrings. solutions/ is never read.

Steps:

1. npm ci in build/site-npm/ from book/package.json and book/package-lock.json, only when the
   lockfile changed since the last build (the one step that may use the network: the npm
   registry, or npm's own cache): MathJax 3, which the site serves itself.
2. Stage the sources in a work folder (default build/site/), in work/src: book/, chapters/*.ipynb,
   exercises/*.ipynb and MathJax. A chapter's links are made to work on the site: a link to an
   exercise notebook, ../exercises/NN_x.ipynb, becomes a download of that notebook, and a link
   to a folder, ../exercises/, goes to the folder's index page (book/exercises.md with the list
   of exercises). A widget cell (a code cell with `nl.widgets.` in it, stored without outputs)
   gets a still picture: its code is run with `nl` and `np` in scope, and the explorer it ends
   with (seeded, so the same PNG on every build) gives its figure as an output, with a caption
   (CSS class nnlab-still, book/_assets/nnlab.css) saying that the controls work in JupyterLab.
   A widget cell that fails stops the build with the chapter, the cell and the error. Every code
   cell with a figure gets alt text for its images (alt_text(); chapters/AUTHORING.md, "Alt text
   for figures"): the cell's `# alt:` lines, else a description made from the cell's matplotlib
   titles and axis labels and the sentence that introduces the figure. Only the staged copy
   changes: the download button serves the repository's notebook.
3. jupyter-book build with warnings as errors: a broken link or a chapter that no longer parses
   fails the build (exit code 1), with Sphinx's messages.
4. Replace the output folder with the HTML, with a few accessibility repairs of the theme's
   markup (accessible_html()); print the build time and the number of pages.

The browser test (tests/test_site.py) also runs axe-core, the accessibility checker, on every page:
npm fetches it with MathJax (book/package.json, devDependencies) but it is never copied into the
site; axe_core_js() gives the test its path.

Needs the `site` extra (pip install -e '.[site]'; `make site` installs it) and npm (Node.js).
"""

from __future__ import annotations

import argparse
import ast
import base64
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
import traceback
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
DEFAULT_NPM_DIR = ROOT / "build" / "site-npm"

#: What the pages need of the mathjax npm package: the TeX-to-HTML bundle, the extensions and
#: fonts it loads on demand (relative to its own URL), the menu and the accessibility parts.
MATHJAX_FILES = ("tex-chtml.js", "input", "output/chtml", "output/chtml.js", "ui", "a11y", "sre",
                 "adaptors")

#: What makes a code cell a widget cell: its last expression is an explorer of nnlab.widgets.
WIDGET_CELL = "nl.widgets."
#: The caption under a widget cell's still picture (CSS class STILL_CLASS).
STILL_CAPTION = ("A still picture of the explorer as it starts. Its controls work when the "
                 "notebook runs in JupyterLab.")
STILL_CLASS = "nnlab-still"

#: An author's alt text for the figures of a code cell: a comment line `# alt: …` (several lines
#: are joined, in order).
ALT_LINE = re.compile(r"^[ \t]*#[ \t]*alt:[ \t]*(?P<text>.*?)[ \t]*$", re.MULTILINE | re.IGNORECASE)
#: matplotlib calls whose string argument describes a figure: title, axis labels (pyplot and Axes).
TITLE_CALLS = {"set_title": "title", "title": "title", "suptitle": "title",
               "set_xlabel": "x", "xlabel": "x", "set_ylabel": "y", "ylabel": "y"}
#: The longest alt text the builder writes (characters); longer ones end in "…".
ALT_MAX = 300
#: TeX commands that read as one character in alt text.
TEX_SYMBOLS = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
               "eta": "η", "theta": "θ", "lambda": "λ", "mu": "μ", "rho": "ρ", "sigma": "σ",
               "tau": "τ", "phi": "φ", "omega": "ω", "Delta": "Δ", "Sigma": "Σ", "nabla": "∇",
               "partial": "∂", "cdot": "·", "times": "×", "leq": "≤", "le": "≤", "geq": "≥",
               "ge": "≥", "approx": "≈", "infty": "∞", "to": "→", "rightarrow": "→",
               "leftarrow": "←", "ell": "ℓ", "sum": "Σ", "prime": "′", "lVert": "‖", "rVert": "‖",
               "Vert": "‖", "|": "‖", "in": "∈", "pm": "±", "neq": "≠", "ne": "≠"}

#: A Markdown link's target: ](target) or ](target "title").
LINK = re.compile(r"\]\((?P<target>[^)\s]+)(?P<rest>(?:\s+\"[^\"]*\")?\))")
#: A target that is not a path: a URL (https:, mailto:, path:, …) or an anchor on the same page.
URL_OR_ANCHOR = r"^[a-z][a-z0-9+.-]*:|^#"


def log(message: str) -> None:
    print(f"build_site: {message}", flush=True)


def fail(message: str) -> None:
    print(f"build_site: error: {message}", file=sys.stderr, flush=True)
    raise SystemExit(1)


def vendor_js(npm_dir: Path) -> Path:
    """node_modules of book/package.json, installed with `npm ci` only when the lockfile changed."""
    lock = (BOOK / "package-lock.json").read_bytes()
    digest = hashlib.sha256(lock + (BOOK / "package.json").read_bytes()).hexdigest()
    stamp = npm_dir / "lock.sha256"
    modules = npm_dir / "node_modules"
    if modules.is_dir() and stamp.is_file() and stamp.read_text() == digest:
        log(f"JavaScript packages up to date in {npm_dir}")
        return modules
    npm = shutil.which("npm")
    if npm is None:
        fail("npm not found: the site serves MathJax from the npm registry's package. "
             "Install Node.js (Debian/Ubuntu: apt-get install nodejs npm).")
    npm_dir.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy2(BOOK / name, npm_dir / name)
    stamp.unlink(missing_ok=True)
    log("npm ci (MathJax, from book/package-lock.json)")
    done = subprocess.run([npm, "ci", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"],
                          cwd=npm_dir, capture_output=True, text=True)
    if done.returncode != 0:
        fail(f"npm ci failed in {npm_dir}:\n{done.stdout}{done.stderr}")
    stamp.write_text(digest)
    return modules


def site_link(target: str) -> str:
    """The target a chapter's Markdown link gets on the site (see the module docstring, step 2)."""
    if re.match(URL_OR_ANCHOR, target):
        return target
    path, _, anchor = target.partition("#")
    if path.endswith("/"):
        return f"{path}index.md" + (f"#{anchor}" if anchor else "")
    if path.startswith("../exercises/") and path.endswith(".ipynb"):
        return f"path:{path}"
    return target


def explorer_of(source: str, where: str):
    """The explorer a widget cell shows: the cell's code run with `nl` and `np` in scope, the value
    of its last expression."""
    import matplotlib

    matplotlib.use("Agg")  # before nnlab.widgets: drawn off-screen, no window ever opens
    import numpy as np

    import nnlab as nl

    tree = ast.parse(source, where)
    if not tree.body or not isinstance(tree.body[-1], ast.Expr):
        raise ValueError("the cell must end with the explorer, e.g. nl.widgets.Playground(\"xor\")")
    last = tree.body.pop()
    namespace = {"nl": nl, "np": np}
    exec(compile(tree, where, "exec"), namespace)
    return eval(compile(ast.Expression(last.value), where, "eval"), namespace)


def plain_text(markdown: str) -> str:
    """Markdown (with $…$ math) as plain text for an alt attribute: no markup, TeX made readable."""
    # code spans keep their underscores (nl.plotting.plot_activation); elsewhere _ is emphasis or TeX
    text = re.sub(r"`([^`]*)`", lambda m: m[1].replace("_", "\0"), markdown)
    text = re.sub(r"<[^>]+>", "", text)                                       # HTML tags
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)                  # links, images
    text = re.sub(r"\\(?:text|mathrm|mathbf|operatorname|tfrac|frac)\b", " ", text)
    text = re.sub(r"\\([A-Za-z]+|\|)", lambda m: TEX_SYMBOLS.get(m[1], m[1]), text)
    text = re.sub(r"[$`*_{}]|\\[,;! ]", "", text)                              # math, code, emphasis
    return re.sub(r"\s+", " ", text).strip().replace("\0", "_")


def _literal(node) -> str | None:
    """The text of a string literal or f-string (its {…} parts as "…"), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value if isinstance(part, ast.Constant) else "…" for part in node.values)
    return None


def figure_description(source: str) -> str:
    """What a plot cell says about its figure: its titles and axis labels, from the matplotlib
    calls in the code (`ax.set_title("…")`, `plt.xlabel("…")`, `ax.set(title=…)`), and the
    nnlab.plotting helpers it calls. "" when the code names none."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ""
    found = []      # (line, column, kind, text), kind "title", "x", "y" or "helper"
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func, at = node.func, (node.lineno, node.col_offset)
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in TITLE_CALLS and node.args and (text := _literal(node.args[0])):
            found.append((*at, TITLE_CALLS[name], text))
        elif name == "set":
            found += [(*at, {"title": "title", "xlabel": "x", "ylabel": "y"}[k.arg], text)
                      for k in node.keywords if k.arg in ("title", "xlabel", "ylabel")
                      and (text := _literal(k.value))]
        if (isinstance(func, ast.Attribute) and name.startswith("plot_")
                and ast.unparse(func.value).endswith("plotting")):
            found.append((*at, "helper", name[len("plot_"):].replace("_", " ")))
    found.sort()

    def texts(kind):   # in source order, each once
        return list(dict.fromkeys(t for *_, k, text in found if k == kind and (t := plain_text(text))
                                  and re.search(r"\w", t.replace("…", ""))))

    parts = []
    if texts("title"):
        parts.append("; ".join(texts("title")))
    elif texts("helper"):
        parts.append("plot of " + ", ".join(texts("helper")))
    axes = [f"{axis} axis: {', '.join(texts(axis))}" for axis in ("x", "y") if texts(axis)]
    if axes:
        parts.append("; ".join(axes))
    return ". ".join(parts)


def introducing_sentence(cells, index: int) -> str:
    """The last sentence of the Markdown cell just before cell `index` (the text that introduces
    the figure, such as "The neuron classifies all the points correctly:"), as plain text."""
    for cell in reversed(cells[:index]):
        if cell.cell_type == "markdown":
            paragraph = plain_text(cell.source.strip().split("\n\n")[-1])
            sentences = re.split(r"(?<=[.!?)])\s+(?=[A-Z])", paragraph)
            return sentences[-1].rstrip(":;,. ") if sentences else ""
        if cell.cell_type == "code" and cell.get("outputs"):
            return ""       # the text before is about an earlier output
    return ""


def shorten(text: str, limit: int = ALT_MAX) -> str:
    if len(text) <= limit:
        return text
    return text[:limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.") + "…"


def alt_text(cells, index: int, chapter: str) -> str:
    """The alt text of the images that code cell `index` outputs (chapters/AUTHORING.md, "Alt text
    for figures"): the cell's `# alt:` lines if it has any; else the sentence that introduces the
    figure followed by what the code says about it (figure_description); else, as a last resort,
    "Figure k of <chapter>" (k counting the chapter's figure cells)."""
    cell = cells[index]
    written = [m["text"] for m in ALT_LINE.finditer(cell.source) if m["text"]]
    if written:
        return " ".join(written)
    sentence = shorten(introducing_sentence(cells, index), ALT_MAX // 2)
    described = figure_description(cell.source)
    if sentence and described:
        stop = "" if sentence.endswith(("…", "?", "!")) else "."
        return shorten(f"{sentence}{stop} Figure: {described}")
    if sentence or described:
        return shorten(sentence or f"Figure: {described}")
    k = 1 + sum(has_image(c) for c in cells[:index])
    return f"Figure {k} of {chapter}"


def has_image(cell) -> bool:
    return cell.cell_type == "code" and any(
        isinstance(out.get("data"), dict) and any(m.startswith("image/") for m in out["data"])
        for out in cell.get("outputs", []))


def still_picture(cell, where: str) -> list:
    """The outputs a widget cell gets on the site: its explorer's figure as it starts (PNG), and the
    caption that says so."""
    explorer = explorer_of(cell.source, where)
    view = getattr(explorer, "view", None)
    png = getattr(getattr(view, "image", None), "value", None)
    png = bytes(png) if isinstance(png, (bytes, memoryview)) else b""
    name = type(explorer).__name__
    if not png.startswith(b"\x89PNG"):
        raise ValueError(f"its last expression, {name}, is not an explorer of nnlab.widgets with a "
                         "figure (explorer.view.image.value holds no PNG)")
    image = cell.metadata.setdefault("mystnb", {}).setdefault("image", {})
    written = [m["text"] for m in ALT_LINE.finditer(cell.source) if m["text"]]
    image.setdefault("alt", " ".join(written) or f"{name} explorer as it starts (a still picture)")
    picture = {"image/png": base64.b64encode(png).decode("ascii")}
    caption = {"text/html": f'<p class="{STILL_CLASS}">{STILL_CAPTION}</p>'}
    return [nbformat.v4.new_output("display_data", data=picture),
            nbformat.v4.new_output("display_data", data=caption)]


def stage_chapter(source: Path, dest: Path) -> int:
    """Write the site's copy of a chapter to `dest` (links for the site, widget cells with their
    still pictures); the number of widget cells."""
    notebook = nbformat.read(source, as_version=4)
    chapter = notebook_title(source)
    widgets = 0
    for index, cell in enumerate(notebook.cells):
        if has_image(cell):
            image = cell.metadata.setdefault("mystnb", {}).setdefault("image", {})
            image.setdefault("alt", alt_text(notebook.cells, index, chapter))
        if cell.cell_type == "markdown":
            cell.source = LINK.sub(lambda m: f"]({site_link(m['target'])}{m['rest']}", cell.source)
        elif cell.cell_type == "code" and WIDGET_CELL in cell.source:
            where = f"{source.name}, cell {index + 1} of {len(notebook.cells)}"
            try:
                cell.outputs = still_picture(cell, where)
            except Exception as error:
                frame = traceback.extract_tb(error.__traceback__)[-1]
                fail(f"{where}: the widget cell gives no still picture for the site: "
                     f"{type(error).__name__}: {error}\n  raised at {frame.filename}:{frame.lineno}"
                     f"\n  the cell: {cell.source!r}")
            widgets += 1
    nbformat.write(notebook, dest)
    return widgets


def notebook_title(path: Path) -> str:
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return path.stem


def relative_to_chapters(target: str) -> str:
    """A link of chapters/README.md, for a page at the root of the site."""
    return target if re.match(URL_OR_ANCHOR, target) else f"chapters/{target}"


def chapter_map() -> str:
    """The first table of chapters/README.md, its links made relative to the landing page."""
    lines = (ROOT / "chapters" / "README.md").read_text(encoding="utf-8").splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("| # | chapter")), None)
    if start is None:
        fail("chapters/README.md has no chapter map (a table starting with '| # | chapter')")
    table = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        table.append(LINK.sub(lambda m: f"]({relative_to_chapters(m['target'])}{m['rest']}", line))
    return "\n".join(table) + "\n"


def exercises_page(exercises: list[Path]) -> str:
    rows = [f"| [{notebook_title(p)}](path:{p.name}) | [{p.stem[:2]} · chapter](../chapters/{p.name}) |"
            for p in exercises]
    return ((BOOK / "exercises.md").read_text(encoding="utf-8")
            + "\n| notebook (download) | chapter |\n|---|---|\n" + "\n".join(rows) + "\n")


def stage(src: Path, node_modules: Path) -> None:
    """Write the Jupyter Book sources into `src` (emptied first)."""
    if src.exists():
        shutil.rmtree(src)
    shutil.copytree(BOOK, src, ignore=shutil.ignore_patterns(
        "package.json", "package-lock.json", "node_modules", "_build", "__pycache__", "exercises.md"))
    (src / "chapters").mkdir()
    chapters = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
    if not chapters:
        fail("no chapters found in chapters/")
    started = time.perf_counter()
    widgets = sum(stage_chapter(chapter, src / "chapters" / chapter.name) for chapter in chapters)
    log(f"{widgets} widget cells given a still picture in {time.perf_counter() - started:.1f} s")
    (src / "exercises").mkdir()
    exercises = sorted((ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))
    for exercise in exercises:
        shutil.copy2(exercise, src / "exercises" / exercise.name)
    (src / "exercises" / "index.md").write_text(exercises_page(exercises), encoding="utf-8")
    includes = src / "_includes"
    includes.mkdir()
    shutil.copy2(ROOT / "README.md", includes / "README.md")
    (includes / "chapter_map.md").write_text(chapter_map(), encoding="utf-8")
    mathjax = node_modules / "mathjax" / "es5"
    for name in MATHJAX_FILES:
        source, dest = mathjax / name, src / "_vendor" / "mathjax" / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, dest)


def jupyter_book() -> str:
    found = shutil.which("jupyter-book", path=str(Path(sys.executable).parent))
    if found is None:
        fail(f"jupyter-book is not installed for {sys.executable}: pip install -e '.[site]' "
             "(or run  make site)")
    return found


def build(src: Path, work: Path) -> Path:
    """Run Jupyter Book on `src` with warnings as errors; the folder of HTML it wrote."""
    out = work / "out"
    if out.exists():
        shutil.rmtree(out)
    command = [jupyter_book(), "build", str(src), "--path-output", str(out), "--builder", "html",
               "--warningiserror", "--keep-going", "--all", "--quiet"]
    done = subprocess.run(command, cwd=src, capture_output=True, text=True)
    html = out / "_build" / "html"
    if done.returncode != 0 or not (html / "index.html").is_file():
        messages = re.sub(r"\x1b\[[0-9;]*m", "", done.stdout + done.stderr)  # no terminal colours
        messages = messages.replace(f"{src}{os.sep}", "")  # staged paths → repository paths
        fail(f"jupyter-book build failed (exit code {done.returncode}):\n{messages}")
    return html


#: Repairs of the theme's markup (pydata-sphinx-theme, as Jupyter Book 1.x ships it) that axe-core
#: reports as serious: (pattern, replacement), applied to every page.
A11Y_FIXES = (
    # label-content-name-mismatch: the search button's aria-label "Search" hides its visible text
    # ("Search Ctrl+K"); without the aria-label its name is that text, and the title stays.
    (re.compile(r'(<button class="btn search-button-field search-button__button[^"]*"[^>]*?) aria-label="Search"'),
     r"\1"),
    # label-content-name-mismatch: the colour-mode button's icons carry titles ("Light", "Dark", …)
    # that are not in its name "Color mode"; the icons are decoration: hidden from assistive technology.
    (re.compile(r'(<i class="theme-switch [^"]*" data-mode="[a-z]+") +title="[^"]*"'), r'\1 aria-hidden="true"'),
    # summary-name: the navigation's expand/collapse toggle is an icon only; name it after its section.
    (re.compile(r'(<a class="[^"]*reference internal[^"]*" href="[^"]*">(?P<section>[^<]*)</a>'
                r'<details[^>]*>)<summary>'),
     r'\1<summary aria-label="Sections of \g<section>">'),
)


def accessible_html(text: str) -> str:
    """A page with A11Y_FIXES applied."""
    for pattern, replacement in A11Y_FIXES:
        text = pattern.sub(replacement, text)
    return text


def axe_core_js(npm_dir: Path | None = None) -> Path:
    """axe-core's script for the browser test, installed (if needed) by vendor_js with MathJax."""
    return vendor_js(npm_dir or DEFAULT_NPM_DIR) / "axe-core" / "axe.min.js"


def publish(html: Path, dest: Path) -> list[Path]:
    """Replace `dest` with the site; its pages (the HTML files outside _static/, where the theme
    keeps templates).

    A chapter's download button serves _sources/chapters/NN_x.ipynb, Sphinx's copy of the staged
    notebook with the links rewritten for the site: the repository's notebook goes there instead.
    """
    for chapter in (ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"):
        shutil.copy2(chapter, html / "_sources" / "chapters" / chapter.name)
    for page in html.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        if (fixed := accessible_html(text)) != text:
            page.write_text(fixed, encoding="utf-8")
    shutil.rmtree(html / ".doctrees", ignore_errors=True)
    (html / ".buildinfo").unlink(missing_ok=True)
    (html / ".nojekyll").touch()  # GitHub Pages: serve _static/ and _downloads/ as they are
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(html, dest)
    return sorted(p for p in dest.rglob("*.html") if not p.relative_to(dest).parts[0] == "_static")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_site",
                        help="the folder to write the site to, replaced if it exists (default: _site/)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "site",
                        help="the folder for the staged sources and Sphinx's output (default: build/site/)")
    parser.add_argument("--npm-dir", type=Path, default=DEFAULT_NPM_DIR,
                        help="where npm installs MathJax, kept between builds (default: build/site-npm/)")
    parser.add_argument("--alt", type=Path, nargs="+", metavar="NOTEBOOK",
                        help="print the alt text each figure of these notebooks gets, and build nothing")
    args = parser.parse_args(argv)
    if args.alt:
        for path in args.alt:
            cells = nbformat.read(path, as_version=4).cells
            for index, cell in enumerate(cells):
                if has_image(cell):
                    alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt")
                    print(f"{path.name}, cell {index + 1}: {alt or alt_text(cells, index, notebook_title(path))}")
        return 0
    out, work = args.out.resolve(), args.work.resolve()
    if out == ROOT or ROOT.is_relative_to(out):
        fail(f"--out {out} would replace the repository")
    started = time.perf_counter()
    node_modules = vendor_js(args.npm_dir.resolve())
    stage(work / "src", node_modules)
    pages = publish(build(work / "src", work), out)
    seconds = time.perf_counter() - started
    log(f"{len(pages)} pages in {out} in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
