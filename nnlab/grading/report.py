"""The grader's outputs: gradebook.csv, one JSON report per student, and a summary table."""

from __future__ import annotations

import csv
import json
from pathlib import Path


def _number(x: float) -> str:
    return f"{x:g}"


def write_gradebook(reports: list, key: dict, path: Path) -> list[str]:
    """One row per student: the points of every part of every assignment submitted, and the total.

    Columns: student, `<assignment>:<part>` for each graded part (key order), `<assignment>:total`,
    total, max. Returns the header.
    """
    graded = [a for a in key["assignments"] if any(r.assignment == a for r in reports)]
    columns = []
    for a in graded:
        columns += [f"{a}:{p}" for p in key["assignments"][a]["parts"]] + [f"{a}:total"]
    header = ["student", *columns, "total", "max"]
    students = sorted({r.student for r in reports})
    max_points = sum(sum(float(s["points"]) for s in key["assignments"][a]["parts"].values())
                     for a in graded)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for student in students:
            row = {c: "" for c in columns}
            total = 0.0
            for r in reports:
                if r.student != student:
                    continue
                for part in r.parts:
                    row[f"{r.assignment}:{part.name}"] = _number(part.points)
                row[f"{r.assignment}:total"] = _number(r.points)
                total += r.points
            writer.writerow([student, *(row[c] for c in columns), _number(total), _number(max_points)])
    return header


def write_reports(reports: list, directory: Path) -> list[Path]:
    """reports/<student>.json: every assignment of the student with per-part points and messages."""
    directory.mkdir(parents=True, exist_ok=True)
    by_student: dict[str, list] = {}
    for r in reports:
        by_student.setdefault(r.student, []).append(r)
    paths = []
    for student, items in sorted(by_student.items()):
        data = {"student": student,
                "points": sum(r.points for r in items),
                "max_points": sum(r.max_points for r in items),
                "assignments": {r.assignment: r.to_dict() for r in sorted(items, key=lambda r: r.assignment)}}
        path = directory / f"{student}.json"
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def summary_table(reports: list) -> str:
    """A plain-text table: student, assignment, points, the parts that failed and why, notes."""
    rows = [("student", "assignment", "points", "failed parts", "notebook run")]
    for r in sorted(reports, key=lambda r: (r.student, r.assignment)):
        failed = ", ".join(f"{p.name} ({p.status})" for p in r.parts if p.points < p.max_points) or "—"
        ex = r.execution or {}
        if ex.get("stopped"):
            run = f"stopped: {ex['stopped']}"
        elif ex.get("errors"):
            run = f"{len(ex['errors'])} cell error(s)"
        else:
            run = "ok"
        rows.append((r.student, r.assignment, f"{_number(r.points)}/{_number(r.max_points)}",
                     failed, run))
    widths = [min(max(len(row[i]) for row in rows), 60) for i in range(len(rows[0]))]
    lines = []
    for k, row in enumerate(rows):
        cells = [row[i][:widths[i]].ljust(widths[i]) for i in range(len(row))]
        lines.append("  ".join(cells).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
