"""The pure core (records, rules, graph, diagrams...) runs without Django: it imports no ORM."""

import subprocess
import sys
from pathlib import Path

from flows.compiled_core import COMPILED_MODULES

ROOT = Path(__file__).resolve().parents[2]
PURE_MODULES = sorted({*COMPILED_MODULES, "diagram", "diagram_text", "memory"})


def test_the_pure_core_imports_no_part_of_django():
    names = [f"flows.{name}" for name in PURE_MODULES]
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
