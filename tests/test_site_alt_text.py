"""Alt text for the website's figures (tools/build_site.py; chapters/AUTHORING.md, "Alt text for
figures"), and the builder's accessibility repairs of the theme's markup. No browser: the pages
themselves are checked in Chromium by tests/test_site.py (every image has alt text, axe-core)."""

from __future__ import annotations

import pytest

from chapter_code import tool

nbformat = pytest.importorskip("nbformat")
build_site = tool("build_site")

PNG = "iVBORw0KGgo="   # base64 of the start of a PNG: enough for the staging step


def plot_cell(source: str, images: int = 1):
    cell = nbformat.v4.new_code_cell(source)
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": PNG}) for _ in range(images)]
    return cell


def alt_of(*cells, index=None):
    cells = list(cells)
    index = len(cells) - 1 if index is None else index
    return build_site.alt_text(cells, index, "05 · Gradient descent")


def test_an_alt_comment_wins():
    md = nbformat.v4.new_markdown_cell("The path of gradient descent:")
    cell = plot_cell('# alt: Contours of C(w, b) with 20 steps spiralling into the minimum\n'
                     'ax.set_title("ignored")\nplt.show()')
    assert alt_of(md, cell) == "Contours of C(w, b) with 20 steps spiralling into the minimum"
    # several lines are joined in order (one per figure of the cell, say); the marker is case-blind
    cell = plot_cell("# alt: Left: the loss.\nplot()\n  #ALT:  Right: the accuracy.\nplt.show()", images=2)
    assert alt_of(cell) == "Left: the loss. Right: the accuracy."


def test_the_introducing_sentence_and_the_matplotlib_labels():
    md = nbformat.v4.new_markdown_cell("We step downhill. With $\\eta = 0.1$ the path is *smooth*:")
    cell = plot_cell('fig, ax = plt.subplots()\nax.plot(w, b)\nax.set_title(f"η = {eta}: smooth")\n'
                     'ax.set_xlabel("weight $w$")\nax.set(ylabel="bias $b$")\nplt.show()')
    assert alt_of(md, cell) == ("With η = 0.1 the path is smooth. Figure: η = …: smooth. "
                                "x axis: weight w; y axis: bias b")


def test_nnlab_plotting_helpers_name_the_figure_when_there_is_no_title():
    cell = plot_cell("ax = nl.plotting.plot_decision_boundary(model, X, y)\n"
                     "nl.plotting.plot_data(X, y, ax=ax)\nplt.show()")
    assert alt_of(cell) == "Figure: plot of decision boundary, data"


def test_text_before_an_earlier_output_is_not_this_figures_caption():
    md = nbformat.v4.new_markdown_cell("We print the shapes:")
    printed = nbformat.v4.new_code_cell("print(X.shape)")
    printed.outputs = [nbformat.v4.new_output("stream", text="(10, 2)\n")]
    first = plot_cell("plt.plot(x)\nplt.show()")
    second = plot_cell("plt.plot(y)\nplt.show()")
    # nothing to say: the last resort counts the figures of the chapter
    assert alt_of(md, printed, first) == "Figure 1 of 05 · Gradient descent"
    assert alt_of(md, printed, first, second) == "Figure 2 of 05 · Gradient descent"


def test_markdown_and_tex_become_plain_text():
    text = build_site.plain_text("See [chapter 07](07_backprop.ipynb): `nl.plotting.plot_loss`, "
                                 "$\\nabla C$, $\\sigma'(z)$, **bold**, <b>html</b>, $\\lVert\\delta^l\\rVert$")
    assert text == "See chapter 07: nl.plotting.plot_loss, ∇ C, σ'(z), bold, html, ‖δ^l‖"


def test_long_alt_text_is_shortened_at_a_word():
    md = nbformat.v4.new_markdown_cell("Word " * 200 + "end.")
    alt = alt_of(md, plot_cell("plt.plot(x)"))
    assert len(alt) <= build_site.ALT_MAX and alt.endswith("…") and "Wor…" not in alt


def test_staging_fills_alt_text_for_every_plot_and_keeps_the_authors_metadata(tmp_path):
    keep = plot_cell("plt.plot(x)\nplt.show()")
    keep.metadata["mystnb"] = {"image": {"alt": "the author's own words", "width": "60%"}}
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 98 · Figures\n\nA line:"),
        plot_cell("plt.plot(x)\nplt.xlabel('x')\nplt.show()"),
        keep,
        nbformat.v4.new_code_cell("print(1)"),
    ])
    source = tmp_path / "98_figures.ipynb"
    nbformat.write(notebook, source)
    build_site.stage_chapter(source, tmp_path / "staged.ipynb")
    staged = nbformat.read(tmp_path / "staged.ipynb", as_version=4).cells
    assert staged[1].metadata["mystnb"]["image"]["alt"] == "A line. Figure: x axis: x"
    assert staged[2].metadata["mystnb"]["image"] == {"alt": "the author's own words", "width": "60%"}
    assert "mystnb" not in staged[3].metadata
    assert "mystnb" not in nbformat.read(source, as_version=4).cells[1].metadata   # source untouched


def test_every_plot_of_every_chapter_gets_alt_text():
    for chapter in sorted((build_site.ROOT / "chapters").glob("[0-9][0-9]_*.ipynb")):
        cells = nbformat.read(chapter, as_version=4).cells
        title = build_site.notebook_title(chapter)
        for i, cell in enumerate(cells):
            if build_site.has_image(cell):
                alt = build_site.alt_text(cells, i, title)
                assert 10 <= len(alt) <= build_site.ALT_MAX, (chapter.name, i, alt)
                assert "$" not in alt and "\\" not in alt and ".png" not in alt, (chapter.name, i, alt)


THEME_MARKUP = """
<button class="btn search-button-field search-button__button pst-js-only" title="Search" aria-label="Search" data-bs-placement="bottom">
<i class="theme-switch fa-solid fa-sun                fa-lg" data-mode="light" title="Light"></i>
<i class="theme-switch fa-solid fa-moon               fa-lg" data-mode="dark"  title="Dark"></i>
<li class="toctree-l1 current active has-children"><a class="reference internal" href="index.html">API reference</a><details open="open"><summary><span class="toctree-toggle" role="presentation"></span></summary>
<button class="btn btn-sm pst-navbar-icon search-button search-button__button pst-js-only" title="Search" aria-label="Search">
"""


def test_accessibility_repairs_of_the_theme_markup():
    fixed = build_site.accessible_html(THEME_MARKUP)
    assert 'search-button__button pst-js-only" title="Search" data-bs-placement' in fixed
    assert fixed.count('aria-hidden="true"') == 2 and 'title="Light"' not in fixed
    assert '<details open="open"><summary aria-label="Sections of API reference">' in fixed
    # the icon-only search button keeps its name: it has no visible text to contradict it
    assert 'search-button search-button__button pst-js-only" title="Search" aria-label="Search"' in fixed
    assert build_site.accessible_html(fixed) == fixed
