"""Show nnlab's docstrings in the API reference as they are written, the way help() shows them.

nnlab's docstrings are plain text with Unicode formulas laid out in columns
(``z = a_prev @ W.T + b``, ``σ′(z) = σ(z)(1 − σ(z))``), not reStructuredText: read as rST, their
line breaks would be lost and ``|z|`` or ``x_`` would be taken for markup. So the summary
paragraph becomes ordinary text with rST's special characters escaped, and everything after it
one preformatted block, unchanged (as plain text: no syntax highlighting; CSS class
nnlab-docstring, styled in _assets/nnlab.css).
"""

from __future__ import annotations

import re

_RST_SPECIAL = re.compile(r"([\\`*|_\[\]<>])")


def as_written(app, what, name, obj, options, lines: list[str]) -> None:
    """autodoc-process-docstring handler: rewrite `lines` in place (autodoc's protocol)."""
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        return
    end = next((i for i, line in enumerate(lines) if not line.strip()), len(lines))
    summary = " ".join(line.strip() for line in lines[:end])
    body = lines[end:]
    while body and not body[0].strip():
        body.pop(0)
    rewritten = [_RST_SPECIAL.sub(r"\\\1", summary), ""]
    if body:
        rewritten += [".. code-block:: text", "   :class: nnlab-docstring", ""]
        rewritten += ["   " + line if line.strip() else "" for line in body] + [""]
    lines[:] = rewritten


def setup(app):
    app.connect("autodoc-process-docstring", as_written)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
