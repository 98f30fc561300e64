"""Build the course website: a folder of static HTML, built offline, that loads nothing from the internet.

    .venv/bin/python tools/build_site.py                 # → _site/  (what `make site` runs)
    .venv/bin/python tools/build_site.py --out DIR

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
   A widget cell that fails stops the build with the chapter, the cell and the error. Only the
   staged copy changes: the download button serves the repository's notebook.
3. jupyter-book build with warnings as errors: a broken link or a chapter that no longer parses
   fails the build (exit code 1), with Sphinx's messages.
4. Replace the output folder with the HTML; print the build time and the number of pages.

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
    image.setdefault("alt", f"{name} explorer as it starts (a still picture)")
    picture = {"image/png": base64.b64encode(png).decode("ascii")}
    caption = {"text/html": f'<p class="{STILL_CLASS}">{STILL_CAPTION}</p>'}
    return [nbformat.v4.new_output("display_data", data=picture),
            nbformat.v4.new_output("display_data", data=caption)]


def stage_chapter(source: Path, dest: Path) -> int:
    """Write the site's copy of a chapter to `dest` (links for the site, widget cells with their
    still pictures); the number of widget cells."""
    notebook = nbformat.read(source, as_version=4)
    widgets = 0
    for index, cell in enumerate(notebook.cells):
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


def publish(html: Path, dest: Path) -> list[Path]:
    """Replace `dest` with the site; its pages (the HTML files outside _static/, where the theme
    keeps templates).

    A chapter's download button serves _sources/chapters/NN_x.ipynb, Sphinx's copy of the staged
    notebook with the links rewritten for the site: the repository's notebook goes there instead.
    """
    for chapter in (ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"):
        shutil.copy2(chapter, html / "_sources" / "chapters" / chapter.name)
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
    parser.add_argument("--npm-dir", type=Path, default=ROOT / "build" / "site-npm",
                        help="where npm installs MathJax, kept between builds (default: build/site-npm/)")
    args = parser.parse_args(argv)
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
