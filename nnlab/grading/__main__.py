"""`python -m nnlab.grading ...` is the `nnlab` command (for environments without the console script)."""

import sys

from . import main

sys.exit(main())
