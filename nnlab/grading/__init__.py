"""Grading exercise notebooks, and the instructor's command line: `nnlab grade`, `nnlab make-key`,
`nnlab bundle`, `nnlab gradebook merge`.

    nnlab make-key --solutions solutions -o key.json          # once per course: points + hidden seeds
    nnlab bundle -o nnlab-student.zip                          # what students get (no solutions, no key)
    nnlab grade submissions/ --key key.json --out grades/      # gradebook.csv + reports/<student>.json
    nnlab grade ... --shard 2/8 --out part2/ ; nnlab gradebook merge part*/ --out grades/

`grade` re-executes every submission in a fresh, limited kernel inside a bubblewrap sandbox (never trusting stored
outputs), runs each graded part in its own limited process on hidden inputs made from the key's
seeds, and judges the results in the grader's own process with the explanations of nl.checks.
See nnlab.grading.grader for how, nnlab.grading.key for the instructor file, and
docs/instructors.md for the whole workflow.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from .grader import (GROUPS, Limits, PartResult, Report, find_submissions, grade_submission,
                     shard_of)
from .key import KeyFileError, load, make_key
from .report import MergeError, merge, summary_table, write_all, write_results
from .sandbox import Sandbox, SandboxUnavailable

__all__ = ["grade", "main", "Limits", "Report", "Sandbox", "SandboxUnavailable", "make_key", "load",
           "KeyFileError"]


def _crashed(sub, key, err) -> Report:
    """The report of a submission whose grading failed outside grade_submission's own boundary."""
    report = Report(sub.student, sub.assignment, str(sub.path), sub.file)
    text = f"the grader failed on this notebook ({type(err).__name__}: {str(err)[:300]})"
    for name, spec in key["assignments"][sub.assignment]["parts"].items():
        report.parts.append(PartResult(name, 0.0, float(spec["points"]), "crashed", f"✗ {name}: {text}"))
    report.execution = {"ran": False, "stopped": text}
    return report


def grade(submissions, key_file, out, *, jobs: int = 2, limits: Limits | None = None,
          assignment: str | None = None, progress: bool = True, sandbox: Sandbox | None = None,
          shard: tuple[int, int] = (1, 1)) -> list[Report]:
    """Grade every submission under `submissions` (or shard K of N of them); write gradebook.csv,
    reports/, executed/, summary.md/.json and results.json to `out`.

    Returns the reports (one per submitted notebook). `limits` defaults to Limits(); `sandbox` to
    `Sandbox.find()`, which raises SandboxUnavailable where bubblewrap is missing.
    """
    key = load(key_file)
    limits = limits or Limits()
    sandbox = sandbox or Sandbox.find()
    out = Path(out).resolve()  # children run elsewhere: every path they get is absolute
    out.mkdir(parents=True, exist_ok=True)
    found, problems = find_submissions(submissions, key, assignment)
    found = shard_of(found, *shard)
    for problem in problems:
        print(f"note: {problem}", file=sys.stderr)
    reports: list[Report] = []
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(found), desc="grading", unit="notebook", file=sys.stderr)
    # host scratch folders only for the weak guard: bubblewrap's tmpfs needs none
    tmp = Path(tempfile.mkdtemp(prefix="nnlab-grading-")) if not sandbox.strong else Path("/nonexistent")
    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    try:
        futures = {pool.submit(grade_submission, sub, key, limits, tmp / str(i), out, sandbox): sub
                   for i, sub in enumerate(found)}
        for future in as_completed(futures):
            try:
                reports.append(future.result())
            except Exception as err:  # noqa: BLE001 — one submission never ends the run
                reports.append(_crashed(futures[future], key, err))
            if bar is not None:
                bar.update(1)
    except BaseException:  # Ctrl-C or a bug: stop every child before anything else
        pool.shutdown(wait=False, cancel_futures=True)
        GROUPS.kill_all()
        raise
    finally:
        pool.shutdown(wait=True)
        GROUPS.kill_all()
        if bar is not None:
            bar.close()
        if not sandbox.strong:
            shutil.rmtree(tmp, ignore_errors=True)
    reports.sort(key=lambda r: (r.student, r.assignment))
    write_all(reports, key, problems, sandbox.describe(), out)
    write_results(reports, key, problems, sandbox.describe(), out, shard)
    return reports


def _shard(text: str) -> tuple[int, int]:
    try:
        k, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--shard must be K/N such as 2/8, got {text!r}") from None
    if not 1 <= k <= n:
        raise argparse.ArgumentTypeError(f"--shard K/N needs 1 ≤ K ≤ N, got {text!r}")
    return k, n


def _grade_command(args) -> int:
    start = time.perf_counter()
    limits = Limits(cell_timeout=args.cell_timeout, total_timeout=args.total_timeout,
                    memory_mb=args.memory_mb)
    try:
        sandbox = Sandbox.find(allow_weak=args.no_sandbox, tmpfs_mb=args.scratch_mb)
        if args.no_sandbox and sandbox.strong:
            sandbox = Sandbox(None, tmpfs_mb=args.scratch_mb)
        if not sandbox.strong:
            print("nnlab grade: WARNING: grading without the bubblewrap sandbox (--no-sandbox): only "
                  "resource limits and an audit hook stand between a submission and this machine; "
                  "the reports and the summary say so.", file=sys.stderr)
        reports = grade(args.submissions, args.key, args.out, jobs=args.jobs, limits=limits,
                        assignment=args.assignment, progress=not args.no_progress,
                        sandbox=sandbox, shard=args.shard)
    except (KeyFileError, SandboxUnavailable) as err:
        print(err, file=sys.stderr)
        return 2
    print(summary_table(reports))
    summary = json.loads((Path(args.out) / "summary.json").read_text(encoding="utf-8"))
    for line in summary["flags"]:
        print(f"flag: {line}")
    for line in summary["problems"]:
        print(f"note: {line}")
    shard = "" if args.shard == (1, 1) else f" (shard {args.shard[0]}/{args.shard[1]})"
    print(f"\n{len(reports)} notebook(s) graded{shard} in {time.perf_counter() - start:.1f} s; "
          f"gradebook: {Path(args.out) / 'gradebook.csv'}, summary: {Path(args.out) / 'summary.md'}, "
          f"reports: {Path(args.out) / 'reports'}")
    return 0


def _merge_command(args) -> int:
    try:
        reports = merge(args.shards, args.out)
    except MergeError as err:
        print(err, file=sys.stderr)
        return 2
    print(f"merged {len(args.shards)} shard(s): {len(reports)} notebook(s); gradebook: "
          f"{Path(args.out) / 'gradebook.csv'}, summary: {Path(args.out) / 'summary.md'}")
    return 0
def _make_key_command(args) -> int:
    found = sorted(Path(args.solutions).glob("[0-9][0-9]_*.ipynb"))
    if not found:
        where = "is not a folder" if not Path(args.solutions).is_dir() else "holds no NN_topic.ipynb notebooks"
        print(f"make-key: {args.solutions} {where}; the key is made from the solution notebooks. "
              "Hint: run it in the course repository, or pass --solutions PATH/TO/solutions.",
              file=sys.stderr)
        return 2
    key = make_key(args.solutions)
    text = json.dumps(key, indent=2) + "\n"
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text)
        n = sum(len(a["parts"]) for a in key["assignments"].values())
        print(f"wrote {args.output}: {len(key['assignments'])} assignments, {n} parts. "
              "Keep it away from students (not in the bundle, not in their folders).")
    return 0


def _bundle_command(args) -> int:
    from .bundle import build_bundle

    path, names = build_bundle(args.output, root=args.root)
    print(f"wrote {path}: {len(names)} files (chapters, exercises, the nnlab package and its data; "
          "no solutions, no tests)")
    return 0


def main(argv=None) -> int:
    """The `nnlab` console command."""
    parser = argparse.ArgumentParser(prog="nnlab", description="nnlab for instructors: grade "
                                     "exercise notebooks, make an instructor key, build the student bundle.")
    commands = parser.add_subparsers(dest="command", required=True)

    g = commands.add_parser("grade", help="grade a folder of submitted exercise notebooks")
    g.add_argument("submissions", type=Path,
                   help="a folder with one sub-folder per student holding NN_topic.ipynb, "
                        "or with one STUDENT.ipynb per student")
    g.add_argument("--key", required=True, type=Path, help="the instructor file (JSON, see nnlab.grading.key)")
    g.add_argument("--out", required=True, type=Path, help="where gradebook.csv and reports/ go")
    g.add_argument("--jobs", type=int, default=2, help="submissions graded in parallel (default 2)")
    g.add_argument("--cell-timeout", type=float, default=30.0,
                   help="seconds per notebook cell, and per graded part unless the key says otherwise (30)")
    g.add_argument("--total-timeout", type=float, default=300.0,
                   help="seconds for re-running a whole notebook (300)")
    g.add_argument("--memory-mb", type=int, default=2048, help="memory limit per process in MB (2048)")
    g.add_argument("--assignment", help="the assignment of notebooks that do not say it in their name")
    g.add_argument("--no-progress", action="store_true", help="no progress bar")
    g.add_argument("--scratch-mb", type=int, default=256,
                   help="size of the sandbox's tmpfs, the only writable place, per process (256)")
    g.add_argument("--shard", type=_shard, default=(1, 1), metavar="K/N",
                   help="grade only shard K of N (every N-th student); join with `nnlab gradebook merge`")
    g.add_argument("--no-sandbox", action="store_true",
                   help="grade without bubblewrap, with the weaker audit-hook guard (not for "
                        "untrusted submissions; the report says so)")
    g.set_defaults(run=_grade_command)

    m = commands.add_parser("gradebook", help="work with gradebooks: `nnlab gradebook merge`")
    m_commands = m.add_subparsers(dest="gradebook_command", required=True)
    mm = m_commands.add_parser("merge", help="join the folders of `nnlab grade --shard K/N` runs")
    mm.add_argument("shards", nargs="+", type=Path, help="the --out folders of shards 1..N")
    mm.add_argument("--out", required=True, type=Path, help="where the merged gradebook goes")
    mm.set_defaults(run=_merge_command)

    k = commands.add_parser("make-key", help="write an instructor file with fresh hidden seeds")
    k.add_argument("--solutions", type=Path, default=Path("solutions"), help="the solution notebooks")
    k.add_argument("-o", "--output", default="-", help="the file to write (default: standard output)")
    k.set_defaults(run=_make_key_command)

    b = commands.add_parser("bundle", help="build the student bundle (a zip without solutions)")
    b.add_argument("-o", "--output", type=Path, default=Path("nnlab-student.zip"))
    b.add_argument("--root", type=Path, default=None, help="the course repository (default: this checkout)")
    b.set_defaults(run=_bundle_command)

    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
