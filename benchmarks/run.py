"""nnlab's benchmarks: speed against the GEMM bound and peers, digits accuracy, start-up time, LSTM, autograd.

    python benchmarks/run.py               the full run (a few minutes on 2 cores)
    python benchmarks/run.py --quick       smaller data, fewer repeats (about a minute): a smoke test
    python benchmarks/run.py --only speed,digits --no-suite --no-peers
    python benchmarks/run.py --only widgets
    python benchmarks/run.py --only lstm,autograd

Prints plain-text tables with PASS/MISS against the targets; see benchmarks/README.md. The exit
code is 0 whatever the verdicts: these are measurements, not tests.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import load_warning, machine_line  # noqa: E402

SECTIONS = ("speed", "breakdown", "digits", "startup", "widgets", "lstm", "autograd")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/run.py", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="12,000 examples instead of 60,000, best of 1, digits on 2 seeds")
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"comma-separated sections to run, from {', '.join(SECTIONS)} (default: all)")
    parser.add_argument("--no-suite", action="store_true", help="do not time the unit test suite")
    parser.add_argument("--no-peers", action="store_true", help="skip PyTorch and scikit-learn even if installed")
    parser.add_argument("--repeat", type=int, default=None, help="best of this many timed epochs (default 3; 1 with --quick)")
    parser.add_argument("--batches", default="128,16", help="batch sizes for speed and breakdown (default 128,16)")
    parser.add_argument("--dtypes", default="float32,float64", help="dtypes for speed and breakdown (default both)")
    parser.add_argument("--threads", type=int, default=None,
                        help="BLAS (and torch) threads, set through OPENBLAS_NUM_THREADS etc. before numpy loads "
                             "(default: the BLAS default, one per core); 1 is steadier on a busy machine")
    args = parser.parse_args(argv)
    if args.threads is not None:
        if "numpy" in sys.modules:
            parser.error("--threads must be applied before numpy is imported")
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(args.threads)
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(only) - set(SECTIONS))
    if unknown:
        parser.error(f"--only: unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")

    n = 12_000 if args.quick else 60_000
    repeat = args.repeat or (1 if args.quick else 3)
    peers = not args.no_peers
    batches = tuple(int(b) for b in args.batches.split(",") if b.strip())
    dtypes = tuple(d.strip() for d in args.dtypes.split(",") if d.strip())
    bad = [d for d in dtypes if d not in ("float32", "float64")]
    if bad or not batches or min(batches) < 1:
        parser.error("--batches takes positive integers, --dtypes float32 and/or float64")

    print(machine_line())
    warning = load_warning()
    if warning:
        print(warning)
    print()
    start = time.perf_counter()

    if "speed" in only:
        import speed
        speed.run(n=n, repeat=repeat, batch_sizes=batches, dtypes=dtypes, peers=peers)
        print()
    if "breakdown" in only:
        import speed
        speed.breakdown(n=n, batch_sizes=batches, dtypes=dtypes)
        print()
    if "digits" in only:
        import digits
        digits.run(seeds=(0, 1) if args.quick else digits.SEEDS, peers=peers)
        print()
    if "startup" in only:
        import startup
        startup.run(suite=not args.no_suite)
        print()
    if "widgets" in only:
        import widgets
        widgets.run(rounds=7 if args.quick else 21)
        print()
    if "lstm" in only:
        import lstm
        lstm.run(repeat=5 if args.quick else 20, peers=peers)
        print()
    if "autograd" in only:
        import autodiff
        autodiff.run(repeat=5 if args.quick else 15)
        print()
    print(f"benchmarks done in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
