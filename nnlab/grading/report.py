"""The grader's outputs: gradebook.csv, one JSON report per student, the class summary, a table,
and results.json — everything a run found, from which `nnlab gradebook merge` rebuilds the rest.

    grades/gradebook.csv          one row per student (points per part, totals, flags)
    grades/reports/<student>.json per student: every part's status and message, the notebook run
    grades/summary.md             for the instructor: per part, how many passed, the known mistakes,
                                  timeouts and crashes; reuse flags; skipped files and collisions
    grades/summary.json           the same, as data
    grades/results.json           the run's reports as data (one per shard when sharded)

Nothing here depends on the order reports arrive in or on timings, so the files of a whole run and
of its shards merged are identical.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from pathlib import Path

RESULTS_FORMAT = "nnlab-results/1"


def _number(x: float) -> str:
    return f"{x:g}"


def structure(key: dict) -> dict:
    """The key without its seeds: assignments, their parts' points, written questions, policy."""
    return {"assignments": {a: {"parts": {p: {"points": s["points"]} for p, s in spec["parts"].items()},
                                "written": dict(spec.get("written", {}))}
                            for a, spec in key["assignments"].items()},
            "reuse": key.get("reuse", "flag")}


def digest(key: dict) -> str:
    """A fingerprint of the whole key (seeds included): shards merge only under the same key."""
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]


def write_gradebook(reports: list, key: dict, path: Path) -> list[str]:
    """One row per student: the points of every part of every assignment submitted, and the total.

    Columns: student, `<assignment>:<part>` for each graded part (key order), `<assignment>:total`,
    total, max, flags (parts that use nnlab's own implementation, code that reaches into the
    checks or the grader). Returns the header.
    """
    graded = [a for a in key["assignments"] if any(r.assignment == a for r in reports)]
    columns = []
    for a in graded:
        columns += [f"{a}:{p}" for p in key["assignments"][a]["parts"]] + [f"{a}:total"]
    header = ["student", *columns, "total", "max", "flags"]
    students = sorted({r.student for r in reports})
    max_points = sum(sum(float(s["points"]) for s in key["assignments"][a]["parts"].values())
                     for a in graded)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for student in students:
            row = {c: "" for c in columns}
            total = 0.0
            flags = []
            for r in sorted((r for r in reports if r.student == student), key=lambda r: r.assignment):
                for part in r.parts:
                    row[f"{r.assignment}:{part.name}"] = _number(part.points)
                row[f"{r.assignment}:total"] = _number(r.points)
                total += r.points
                flags += r.flags()
            writer.writerow([student, *(row[c] for c in columns), _number(total), _number(max_points),
                             "; ".join(flags)])
    return header


def write_reports(reports: list, directory: Path) -> list[Path]:
    """reports/<file>.json: every assignment of the student with per-part points and messages."""
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
        path = directory / f"{items[0].file or 'student'}.json"
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def class_summary(reports: list, key: dict, problems: list[str], sandbox: str) -> dict:
    """Per assignment and part: how many passed, each status, each known mistake; reuse flags;
    the files skipped or refused and the names that collided."""
    assignments = {}
    for a, spec in key["assignments"].items():
        mine = [r for r in reports if r.assignment == a]
        if not mine:
            continue
        parts = {}
        for p in spec["parts"]:
            results = [part for r in mine for part in r.parts if part.name == p]
            statuses = Counter(part.status for part in results)
            mistakes = Counter(part.mistake for part in results if part.mistake)
            parts[p] = {"passed": statuses.get("passed", 0),
                        "of": len(results),
                        "statuses": dict(sorted(statuses.items())),
                        "mistakes": dict(sorted(mistakes.items(), key=lambda kv: (-kv[1], kv[0]))),
                        "reused": sum(1 for part in results if part.reused)}
        stopped = sorted(r.student for r in mine if (r.execution or {}).get("stopped"))
        assignments[a] = {"notebooks": len(mine), "parts": parts, "notebook_runs_stopped": stopped}
    flags = sorted(f"{r.student}: {flag}" for r in reports for flag in r.flags())
    return {"sandbox": sandbox, "notebooks": len(reports),
            "students": len({r.student for r in reports}),
            "assignments": assignments, "flags": flags, "problems": list(problems)}


def summary_markdown(summary: dict) -> str:
    """The class summary as the instructor reads it before the next lesson."""
    lines = ["# Grading summary", "",
             f"{summary['notebooks']} notebook(s) from {summary['students']} student(s).",
             f"Sandbox: {summary['sandbox']}.", ""]
    for a, info in summary["assignments"].items():
        lines += [f"## {a} ({info['notebooks']} notebook(s))", ""]
        for p, s in info["parts"].items():
            other = {k: v for k, v in s["statuses"].items() if k != "passed"}
            extra = ", ".join(f"{v} {k}" for k, v in other.items())
            lines.append(f"- **{p}**: {s['passed']} of {s['of']} passed" + (f"; {extra}" if extra else ""))
            for mistake, n in s["mistakes"].items():
                lines.append(f"  - {n} of {s['of']}: {mistake}")
            if s["reused"]:
                lines.append(f"  - {s['reused']} of {s['of']} call nnlab's own implementation")
        if info["notebook_runs_stopped"]:
            lines.append(f"- notebook runs stopped (time, memory, crash): "
                         f"{', '.join(info['notebook_runs_stopped'])}")
        lines.append("")
    if summary["flags"]:
        lines += ["## Flags", "", *(f"- {f}" for f in summary["flags"]), ""]
    if summary["problems"]:
        lines += ["## Skipped, refused and colliding files", "",
                  *(f"- {p}" for p in summary["problems"]), ""]
    return "\n".join(lines)


def write_all(reports: list, key: dict, problems: list[str], sandbox: str, out: Path) -> dict:
    """gradebook.csv, reports/, summary.json and summary.md from the reports of a run."""
    reports = sorted(reports, key=lambda r: (r.student, r.assignment))
    write_gradebook(reports, key, out / "gradebook.csv")
    write_reports(reports, out / "reports")
    summary = class_summary(reports, key, problems, sandbox)
    (out / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n",
                                      encoding="utf-8")
    (out / "summary.md").write_text(summary_markdown(summary), encoding="utf-8")
    return summary


def write_results(reports: list, key: dict, problems: list[str], sandbox: str, out: Path,
                  shard: tuple[int, int] = (1, 1)) -> Path:
    """results.json: what `nnlab gradebook merge` needs (no seeds)."""
    data = {"format": RESULTS_FORMAT, "shard": list(shard), "key": digest(key),
            "structure": structure(key), "sandbox": sandbox, "problems": list(problems),
            "reports": [r.to_dict() for r in sorted(reports, key=lambda r: (r.student, r.assignment))]}
    path = out / "results.json"
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


class MergeError(ValueError):
    """Shards that cannot be merged; the message says which and why."""


def merge(folders: list, out: Path) -> list:
    """Join the results.json of shards 1..N (from `nnlab grade --shard K/N`) into one gradebook,
    reports and summary in `out`, identical to an unsharded run. Returns the reports."""
    from .grader import Report

    shards = {}
    first = None
    for folder in folders:
        path = Path(folder) / "results.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise MergeError(f"gradebook merge: {path}: cannot read it ({err})") from None
        if not isinstance(data, dict) or data.get("format") != RESULTS_FORMAT:
            raise MergeError(f"gradebook merge: {path}: not the results of nnlab grade")
        k, n = data["shard"]
        if first is None:
            first = data
        elif (data["key"], data["shard"][1]) != (first["key"], first["shard"][1]):
            raise MergeError(f"gradebook merge: {path}: graded with another key or another number "
                             f"of shards ({n}) than {folders[0]}")
        if k in shards:
            raise MergeError(f"gradebook merge: shard {k}/{n} given twice ({shards[k][0]}, {folder})")
        shards[k] = (folder, data)
    if first is None:
        raise MergeError("gradebook merge: no shard folders given")
    n = first["shard"][1]
    missing = sorted(set(range(1, n + 1)) - set(shards))
    if missing:
        raise MergeError(f"gradebook merge: shard(s) {', '.join(f'{k}/{n}' for k in missing)} missing")
    reports = [Report.from_dict(r) for _, (_, data) in sorted(shards.items()) for r in data["reports"]]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    key = first["structure"]
    write_all(reports, key, first["problems"], first["sandbox"], out)
    merged = dict(first, shard=[1, 1], reports=[r.to_dict() for r in
                                               sorted(reports, key=lambda r: (r.student, r.assignment))])
    (out / "results.json").write_text(json.dumps(merged, indent=1, ensure_ascii=False) + "\n",
                                      encoding="utf-8")
    for _, (folder, _) in sorted(shards.items()):  # the executed notebooks, if the shards kept them
        executed = Path(folder) / "executed"
        if executed.is_dir() and Path(folder).resolve() != out.resolve():
            for src in executed.rglob("*.ipynb"):
                target = out / "executed" / src.relative_to(executed)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(src.read_bytes())
    return reports


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
