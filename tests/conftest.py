import importlib.util
import sys
from pathlib import Path

# test helpers (chapter_code, ...) are imported by name
sys.path.insert(0, str(Path(__file__).resolve().parent))

# The small numpy-1.26 environment has nnlab's own dependencies only: the chapter tests, which run
# notebooks with matplotlib, belong to the full environment (`make test` runs them there).
if not all(importlib.util.find_spec(m) for m in ("nbformat", "matplotlib")):
    collect_ignore_glob = ["test_claims_*.py", "test_nbval_strict.py"]
