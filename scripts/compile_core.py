"""Compile the rule engine's hot modules with mypyc into build/core (flows/compiled_core.py).

    .venv/bin/python scripts/compile_core.py [--force]

Does nothing when build/core already holds a build of the current sources. Otherwise it
type-checks the modules (mypyc compiles only code that mypy accepts), compiles them with the
machine's C compiler, and writes the stamp that `flows.compiled_core` checks last, so that an
interrupted build is never used. Exits non-zero, with mypy's or the compiler's message, when
there is no C compiler or Python headers or either step fails; the project then still runs,
on the .py files (`make` goes on).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flows.compiled_core import (  # noqa: E402  (after the path is set)
    BUILD_DIR,
    COMPILED_MODULES,
    STAMP_NAME,
    build_identity,
    build_is_current,
)


def missing_tools() -> str | None:
    """What the machine lacks to compile extensions, in words, or None."""
    headers = Path(sysconfig.get_paths()["include"]) / "Python.h"
    if not headers.exists():
        return f"Python's headers ({headers}; Debian: python3-dev)"
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        return f"a C compiler ({compiler}; Debian: gcc)"
    return None


def compile_core() -> None:
    from mypyc.build import mypycify
    from setuptools import Distribution

    # The identity of the sources as they are now: if one changes during the build, the
    # build is of the old text and must not be stamped as current.
    identity = build_identity()
    sources = [f"flows/{name}.py" for name in COMPILED_MODULES]
    shutil.rmtree(BUILD_DIR, ignore_errors=True)  # no stamp: the .py files run meanwhile
    os.chdir(ROOT)  # mypyc names modules after the paths, relative to here
    with tempfile.TemporaryDirectory() as scratch:
        extensions = mypycify(
            # The project's mypy settings (pyproject.toml) apply; these keep third-party
            # packages without type information (networkx) out of the check.
            [*sources, "--ignore-missing-imports", "--follow-imports=silent"],
            opt_level="3",
            multi_file=True,  # several C files, which the compiler builds in parallel
            target_dir=scratch,
            group_name="flows_core",
        )
        # A bare Distribution, not setup(): setup() would also read pyproject.toml as a
        # package's configuration, which older setuptools reject.
        distribution = Distribution({"name": "flows-core", "ext_modules": extensions})
        build = distribution.get_command_obj("build_ext")
        build.build_lib = str(BUILD_DIR)
        build.build_temp = str(Path(scratch) / "objects")
        build.parallel = os.cpu_count() or 1
        distribution.run_command("build_ext")
    if build_identity() != identity:
        raise SystemExit("a source changed during the build; run it again")
    (BUILD_DIR / STAMP_NAME).write_text(json.dumps(identity, indent=2) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rebuild even when current")
    arguments = parser.parse_args()
    if build_is_current() and not arguments.force:
        print(f"The compiled core in {BUILD_DIR.relative_to(ROOT)} is current.")
        return
    fallback = "the project runs on the .py files, about a third slower"
    missing = missing_tools()
    if missing:
        raise SystemExit(f"Not compiling the core: this machine lacks {missing}; {fallback}.")
    started = time.perf_counter()
    print(f"Compiling {len(COMPILED_MODULES)} modules of the rule engine with mypyc...")
    try:
        compile_core()
    # mypycify exits on type errors; the C compiler's errors come as exceptions.
    except (SystemExit, Exception) as failure:
        raise SystemExit(f"Compiling the core failed ({failure}); {fallback}.") from None
    print(f"Compiled into {BUILD_DIR.relative_to(ROOT)} in {time.perf_counter() - started:.0f} s.")


if __name__ == "__main__":
    main()
