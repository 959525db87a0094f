"""The rule engine's hot modules, compiled with mypyc when a build of these very sources exists.

The pure core is plain, typed Python. `make` also compiles the modules below with mypyc
(scripts/compile_core.py, into build/core/): the same code as C extensions, which load and
evaluate 100,000 flows about a third faster (README, "Speed"). `flows/__init__.py` calls
`use_compiled_core` before any of them is imported: when build/core holds a build of exactly
the sources on disk, for this Python, the package imports those modules from there, and
otherwise the .py files as usual. A stale build is never used: edit a rule and the next run
takes the .py file, until `make compile` rebuilds.

Only a checkout that ran `make compile` has a build: an installed package (pip install, a
wheel) runs the .py files, about a third slower. Set FLOWS_PURE_PYTHON=1 to run the .py files
whatever is built (CI's PostgreSQL pass and the test comparing both modes do). Nothing else in
the project needs to know which is running; `core_mode()` says, for the benchmarks' reports.

One difference to keep in mind: compiled records cannot be pickled or deep-copied (their
classes are native). Nothing does either today; a cache or process pool that did would need
the records turned into plain tuples first.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import sysconfig
from pathlib import Path

COMPILED_MODULES = (
    "records",
    "record_rows",
    "jurisdictions",
    "graph",
    "rule_text",
    "rule_context",
    "transfer_rules",
    "rules",
)
"""Modules of the `flows` package that are compiled: what one load and evaluation runs."""

PACKAGE_DIR = Path(__file__).resolve().parent
BUILD_DIR = PACKAGE_DIR.parent / "build" / "core"
STAMP_NAME = "stamp.json"
PURE_PYTHON_VARIABLE = "FLOWS_PURE_PYTHON"


def build_identity(package_dir: Path = PACKAGE_DIR) -> dict[str, object]:
    """What a build is made from: this Python's extension suffix and each source's digest."""
    return {
        "extension_suffix": sysconfig.get_config_var("EXT_SUFFIX"),
        "sources": {
            name: hashlib.sha256((package_dir / f"{name}.py").read_bytes()).hexdigest()
            for name in COMPILED_MODULES
        },
    }


def build_is_current(build_dir: Path = BUILD_DIR, package_dir: Path = PACKAGE_DIR) -> bool:
    """True when build_dir holds a complete build of the sources now in package_dir."""
    try:
        stamp = json.loads((build_dir / STAMP_NAME).read_text())
    except (OSError, ValueError):
        return False
    return stamp == build_identity(package_dir)


def use_compiled_core(package_path: list[str], build_dir: Path = BUILD_DIR) -> bool:
    """Put the compiled modules ahead of the package's .py files if they are current; True
    when it did."""
    if os.environ.get(PURE_PYTHON_VARIABLE) == "1" or not build_is_current(build_dir):
        return False
    # The modules share one runtime library, a top-level module in the build's root.
    sys.path.append(str(build_dir))
    package_path.insert(0, str(build_dir / "flows"))
    return True


def core_mode() -> str:
    """'compiled' when the rules run from the mypyc build, 'python' when from the .py files."""
    from flows import rules

    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    return "compiled" if str(rules.__file__).endswith(suffix) else "python"
