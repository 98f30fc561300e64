"""No committed output prints the last bits of a float (chapters/AUTHORING.md).

A static guard beside the floating-point matrix: every stored text output of the chapters and the
solutions is scanned for the two shapes a rounding residual takes when printed — a number below
1e-12 written with its digits (5.6e-17, 0.0e+00) and a float written with 15 or more significant
digits (a raw `print(x)`). A bound said by nl.tiny ("< 1e-12") is allowed.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb")) + sorted((ROOT / "solutions").glob("*.ipynb"))

BOUND = re.compile(r"<\s*\d(?:\.\d+)?e-?\d+")                      # "< 1e-12": a bound, allowed
TINY = re.compile(r"(?<![\w.])(\d(?:\.\d+)?)e([-+]\d+)")          # a number in e-notation
LONG = re.compile(r"(?<![\w.])-?\d+\.\d{14,}")                    # a float with all its digits


def texts(path):
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            text = out.get("text") or out.get("data", {}).get("text/plain", "")
            if text:
                yield i, text if isinstance(text, str) else "".join(text)


def residuals(text):
    found = []
    for m in TINY.finditer(BOUND.sub("", text)):
        mantissa, exponent = float(m.group(1)), int(m.group(2))
        if mantissa == 0.0 or exponent <= -13:
            found.append(m.group(0))
    return found + LONG.findall(text)


def test_the_guard_catches_residuals_and_allows_bounds():
    assert residuals("difference 5.6e-17, then 0.0e+00 and 0.1234567890123456") == [
        "5.6e-17", "0.0e+00", "0.1234567890123456"]
    assert residuals("difference < 1e-12, relative error < 1e-7, σ′(10) = 4.540e-05, 2.2e+08") == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_stored_output_prints_rounding_digits(path):
    bad = [(i, r) for i, text in texts(path) for r in residuals(text)]
    assert not bad, (f"{path.name}: cells print rounding residuals {bad}; say them with nl.tiny "
                     "(chapters/AUTHORING.md)")
