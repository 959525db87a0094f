"""The pure core runs without Django: the engine and the diagram drawing import no ORM."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import flows.engine

ROOT = Path(__file__).resolve().parents[3]
ENGINE_MODULES = sorted(
    info.name for info in pkgutil.walk_packages(flows.engine.__path__, prefix="flows.engine.")
)
PURE_MODULES = [*ENGINE_MODULES, "flows.diagrams.drawing", "flows.diagrams.text"]


def test_the_engine_has_the_modules_it_is_known_by():
    assert {"flows.engine.records", "flows.engine.rules", "flows.engine.graph"} <= set(
        ENGINE_MODULES
    )


def test_the_pure_core_imports_no_part_of_django():
    code = (
        "import importlib, sys\n"
        f"for name in {PURE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
