"""The grading kernel: an ordinary IPython kernel that limits and guards itself before it starts.

    python -I -m nnlab.grading.kernel --scratch DIR --memory-mb M --cpu-seconds S -f CONN

The executor (nnlab.grading.execute) starts it through a kernelspec of its own, inside the same
sandbox (nnlab.grading.sandbox). Before the kernel exists, this process moves into the scratch
directory, applies the resource limits and installs the audit hook, the second layer: the
student's cells can write only inside the scratch directory and cannot start processes.
"""

from __future__ import annotations

import argparse
import os
import sys


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scratch", required=True)
    parser.add_argument("--memory-mb", type=int, default=None)
    parser.add_argument("--cpu-seconds", type=int, default=None)
    parser.add_argument("-f", dest="connection_file", required=True)
    args = parser.parse_args(argv)

    os.chdir(args.scratch)
    sys.dont_write_bytecode = True
    sys.path[:] = [p for p in sys.path if p not in ("", ".", os.getcwd())]

    import numpy  # noqa: F401  (warm imports before the guard narrows what may be read)
    import nnlab.checks  # noqa: F401
    from ipykernel.kernelapp import IPKernelApp

    from .sandbox import apply_limits, install_guard, kernel_read_roots

    apply_limits(args.memory_mb, args.cpu_seconds)
    connection = os.path.realpath(args.connection_file)
    install_guard([args.scratch], kernel_read_roots(args.scratch, extra=[connection]))
    app = IPKernelApp.instance()
    app.initialize(["-f", connection, "--HistoryManager.enabled=False",
                    "--IPKernelApp.log_level=CRITICAL"])
    app.start()


if __name__ == "__main__":
    main()
