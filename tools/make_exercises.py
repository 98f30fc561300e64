"""Write the student notebooks exercises/NN_*.ipynb from the solutions solutions/NN_*.ipynb.

    python tools/make_exercises.py            # write every exercise
    python tools/make_exercises.py --check    # write nothing; exit 1 if a committed exercise differs

The solutions are the single source. In each solution notebook

- every code region between a line ``### BEGIN SOLUTION`` and a line ``### END SOLUTION`` becomes a
  stub, indented like the BEGIN line (nbgrader's markers and rules):

      # YOUR CODE HERE
      raise NotImplementedError("sigmoid_prime: replace these two lines with your code")

- every markdown region between ``<!-- BEGIN SOLUTION -->`` and ``<!-- END SOLUTION -->`` (a written
  answer) becomes ``YOUR ANSWER HERE``;
- outputs and execution counts are cleared and the metadata normalised as tools/build_notebooks.py
  does, so the same solution always gives the same bytes.

A marker that is malformed (not alone on its line), nested, unmatched, of the wrong kind for its
cell, or still present in a generated exercise is an error naming the notebook, cell and line.
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_notebooks import normalise  # noqa: E402  (the one place notebook metadata is normalised)

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"

MARKERS = {
    "code": ("### BEGIN SOLUTION", "### END SOLUTION"),
    "markdown": ("<!-- BEGIN SOLUTION -->", "<!-- END SOLUTION -->"),
}
TEXT_STUB = "YOUR ANSWER HERE"
_DEF = re.compile(r"^(\s*)def\s+([A-Za-z_]\w*)\s*\(")


class MarkerError(ValueError):
    """A solution notebook whose markers cannot be turned into an exercise."""


def code_stub(name: str | None) -> list[str]:
    """The two lines that replace a code solution region (without indentation)."""
    what = f"{name}: replace" if name else "Replace"
    return ["# YOUR CODE HERE", f'raise NotImplementedError("{what} these two lines with your code")']


def _enclosing_function(lines: list[str], index: int, indent: str) -> str | None:
    """The name of the innermost `def` above line `index` that the region at `indent` sits in."""
    for line in reversed(lines[:index]):
        match = _DEF.match(line)
        if match and len(match.group(1)) < len(indent):
            return match.group(2)
    return None


def _marker_words(line: str) -> str | None:
    """"BEGIN"/"END" if the line mentions a solution marker at all (well-formed or not)."""
    for word in ("BEGIN", "END"):
        if f"{word} SOLUTION" in line:
            return word
    return None


def strip_cell(source: str, cell_type: str, where: str) -> str:
    """The cell's source with each solution region replaced by its stub. Raises MarkerError."""
    lines = source.split("\n")
    begin, end = MARKERS.get(cell_type, (None, None))
    out: list[str] = []
    start = None  # line number of the open BEGIN marker
    for number, line in enumerate(lines, start=1):
        word = _marker_words(line)
        if word is None:
            if start is None:
                out.append(line)
            continue
        if begin is None:
            raise MarkerError(f"{where}, line {number}: solution marker in a {cell_type} cell; "
                              "markers belong in code or markdown cells")
        marker = begin if word == "BEGIN" else end
        if line.strip() != marker:
            other = MARKERS["markdown" if cell_type == "code" else "code"][0 if word == "BEGIN" else 1]
            wrong_kind = line.strip() == other
            raise MarkerError(
                f"{where}, line {number}: {line.strip()!r} is not a {cell_type} solution marker; "
                + (f"a {cell_type} cell uses {marker!r}" if wrong_kind
                   else f"write exactly {marker!r} alone on its line"))
        if word == "BEGIN":
            if start is not None:
                raise MarkerError(f"{where}, line {number}: BEGIN SOLUTION inside the region opened "
                                  f"on line {start} (regions cannot nest)")
            start = number
            indent = line[:len(line) - len(line.lstrip())]
            if cell_type == "code":
                name = _enclosing_function(lines, number - 1, indent)
                out.extend(indent + stub for stub in code_stub(name))
            else:
                out.append(indent + TEXT_STUB)
        else:
            if start is None:
                raise MarkerError(f"{where}, line {number}: END SOLUTION without a BEGIN SOLUTION above it")
            start = None
    if start is not None:
        raise MarkerError(f"{where}, line {start}: BEGIN SOLUTION without END SOLUTION")
    return "\n".join(out)


def make_exercise(nb, name: str):
    """The exercise notebook for solution notebook `nb` (a new object; `nb` is not changed)."""
    exercise = copy.deepcopy(nb)
    for i, cell in enumerate(exercise.cells):
        cell.source = strip_cell(cell.source, cell.cell_type, f"{name}, cell {i}")
        if cell.cell_type == "code":
            cell.outputs = []
    normalise(exercise)
    for i, cell in enumerate(exercise.cells):
        if cell.cell_type == "code":
            cell.execution_count = None
        if _marker_words(cell.source):
            raise MarkerError(f"{name}, cell {i}: a solution marker is left in the exercise")
    return exercise


def exercise_bytes(solution: Path) -> bytes:
    """The exact bytes of the exercise made from the solution notebook at `solution`."""
    nb = nbformat.read(solution, as_version=4)
    return (nbformat.writes(make_exercise(nb, f"solutions/{solution.name}")) + "\n").encode()


def leftover_markers(path: Path) -> list[str]:
    """Cells of a (committed) exercise that still mention a solution marker."""
    nb = nbformat.read(path, as_version=4)
    return [f"exercises/{path.name}, cell {i}: a solution marker is left in the exercise"
            for i, cell in enumerate(nb.cells) if _marker_words(cell.source)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a committed exercise differs from its solution")
    parser.add_argument("--solutions", type=Path, default=SOLUTIONS, help=argparse.SUPPRESS)
    parser.add_argument("--exercises", type=Path, default=EXERCISES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    solutions = sorted(args.solutions.glob("[0-9][0-9]_*.ipynb"))
    if not solutions:
        print(f"no solution notebooks in {args.solutions}", file=sys.stderr)
        return 1
    bad = 0
    for solution in solutions:
        target = args.exercises / solution.name
        try:
            data = exercise_bytes(solution)
        except MarkerError as err:
            print(f"ERROR {err}", file=sys.stderr)
            bad += 1
            continue
        current = target.read_bytes() if target.exists() else None
        if current == data:
            status = "unchanged"
        elif args.check:
            status = "MISSING" if current is None else "WOULD CHANGE"
            bad += 1
        else:
            args.exercises.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            status = "written"
        print(f"{status:<12}  exercises/{solution.name}")
    names = {s.name for s in solutions}
    for extra in sorted(args.exercises.glob("*.ipynb")):
        if extra.name not in names:
            print(f"ERROR exercises/{extra.name} has no solution notebook in solutions/", file=sys.stderr)
            bad += 1
        elif args.check:
            for problem in leftover_markers(extra):
                print(f"ERROR {problem}", file=sys.stderr)
                bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
