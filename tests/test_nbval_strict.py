"""Strict nbval really compares: a chapter whose stored output has one number changed must fail."""

import subprocess
import sys

import pytest

from chapter_code import chapter_path

pytestmark = pytest.mark.notebook
nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbval")


def run_nbval(path, tmp_path):
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env", "-p", "no:cacheprovider",
         "-p", "no:xdist", "-q", str(path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=300)


def test_altered_stored_number_fails_nbval(tmp_path):
    source = chapter_path("00")
    nb = nbformat.read(source, as_version=4)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and "accuracy after training" in out.text:
                before = out.text
                # change the last digit of the first decimal number in the line
                i = next(k for k, ch in enumerate(before) if ch == ".") + 3
                out.text = before[:i] + str((int(before[i]) + 1) % 10) + before[i + 1:]
                assert out.text != before
                break
        else:
            continue
        break
    else:
        pytest.fail("chapter 00 no longer prints 'accuracy after training'")
    (tmp_path / source.name).write_text(nbformat.writes(nb))
    altered = run_nbval(tmp_path / source.name, tmp_path)
    assert altered.returncode == 1, altered.stdout[-2000:]
    assert "accuracy after training" in altered.stdout

    (tmp_path / "original").mkdir()
    original = tmp_path / "original" / source.name
    original.write_bytes(source.read_bytes())
    unchanged = run_nbval(original, tmp_path)
    assert unchanged.returncode == 0, unchanged.stdout[-2000:]
