"""The student bundle: one zip with what a learner needs and nothing an instructor must keep.

    nnlab bundle -o nnlab-student.zip

Inside, under `nnlab-course/`: README.md, LICENSE, pyproject.toml and the Makefile (so that
`make lab` works), chapters/, exercises/ and the nnlab package with its data. Not inside: solutions/,
tests/, tools/, docs/, benchmarks/, environments and caches — and never an instructor key, which
does not live in the repository at all. The zip is reproducible: sorted entries, fixed timestamps.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

TOP_FILES = ("README.md", "LICENSE", "pyproject.toml", "Makefile")
FOLDERS = ("chapters", "exercises", "nnlab")
SKIP_PARTS = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache"}
SKIP_SUFFIXES = (".pyc", ".pyo", ".orig", ".rej")
PREFIX = "nnlab-course"


def repository_root() -> Path:
    """The course repository this nnlab was installed from (an editable install), if any."""
    root = Path(__file__).resolve().parent.parent.parent
    if not (root / "exercises").is_dir() or not (root / "chapters").is_dir():
        raise FileNotFoundError(f"no course repository around {root}: pass --root with the folder "
                                "that holds chapters/ and exercises/")
    return root


def bundle_files(root: Path) -> list[tuple[Path, str]]:
    """(file, name in the zip) for everything that goes into the bundle, sorted."""
    files = [(root / name, name) for name in TOP_FILES if (root / name).is_file()]
    for folder in FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            relative = path.relative_to(root)
            if not path.is_file() or SKIP_PARTS & set(relative.parts) or path.suffix in SKIP_SUFFIXES:
                continue
            if any(part.startswith(".") for part in relative.parts):
                continue
            files.append((path, relative.as_posix()))
    return sorted(files, key=lambda item: item[1])


def build_bundle(output, root=None) -> tuple[Path, list[str]]:
    """Write the zip to `output`; return its path and the names inside."""
    root = Path(root) if root is not None else repository_root()
    output = Path(output)
    names = []
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for path, name in bundle_files(root):
            info = zipfile.ZipInfo(f"{PREFIX}/{name}", date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, path.read_bytes())
            names.append(info.filename)
    return output, names
