import sys
from pathlib import Path

# test helpers (chapter_code, ...) are imported by name
sys.path.insert(0, str(Path(__file__).resolve().parent))
