"""Count the instructions of one load and one evaluation, a figure the machine cannot blur.

    .venv/bin/python benchmarks/engine_instructions.py [--parties 5000] [--flows 10000]

Wall-clock figures on a shared virtual machine drift within the hour (see
benchmarks/engine.py), too much to tell a small change from noise. This script builds a synthetic
register in a throw-away SQLite file, then runs two processes under valgrind's callgrind, each
of which warms up (imports, a first load and evaluation) and then loads, or loads and
evaluates, once more. Callgrind counts only inside `functools.reduce`, which wraps the one
step measured (`--toggle-collect`), so each figure is that step's alone, with nothing to
subtract. Prints JSON, in millions. Needs valgrind (Debian package `valgrind`) and a Python
whose library keeps its symbols (pyenv's does); callgrind runs Python about fifty times
slower, so 10,000 flows take a minute or two, 100,000 flows about five.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 28)
STEPS = ("load", "evaluate")
MEASURED_FUNCTION = "functools_reduce"  # the C function behind functools.reduce


def child(step: str) -> None:
    """Runs under callgrind: warm up, then run the measured step inside functools.reduce,
    the one function callgrind counts in."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
    django.setup()
    from flows.engine.rules import evaluate
    from flows.loading import register_load

    evaluate(register_load(), AS_OF)
    if step == "load":
        functools.reduce(lambda _, __: register_load(), [0], None)
    else:
        register = register_load()
        functools.reduce(lambda _, __: evaluate(register, AS_OF), [0], None)


def instructions(step: str, env: dict[str, str]) -> int:
    command = [
        "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
        f"--toggle-collect={MEASURED_FUNCTION}", sys.executable, __file__, "--child", step,
    ]  # fmt: skip
    output = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    found = re.search(r"Collected : (\d+)", output.stderr)
    if found is None:
        raise SystemExit(f"callgrind printed no count for the {step} step:\n{output.stderr}")
    if int(found.group(1)) == 0:
        raise SystemExit(
            f"callgrind counted nothing: this Python's library has no symbol "
            f"{MEASURED_FUNCTION} (a stripped build?); use pyenv's Python"
        )
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parties", type=int, default=5000)
    parser.add_argument("--flows", type=int, default=10_000)
    parser.add_argument("--child", choices=STEPS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed: apt-get install valgrind")
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder}/instructions.sqlite3"}
        engine = str(Path(__file__).with_name("engine.py"))
        generate = [sys.executable, engine, "--child", "generate",
                    "--parties", str(args.parties), "--flows", str(args.flows)]  # fmt: skip
        subprocess.run(generate, env=env, check=True, capture_output=True)
        with ThreadPoolExecutor(max_workers=2) as pool:  # two cores: two valgrinds at a time
            loaded, evaluated = pool.map(lambda step: instructions(step, env), STEPS)
    sys.path.insert(0, str(ROOT))

    millions = 1_000_000
    print(json.dumps({
        "flows": args.flows,
        "parties": args.parties,
        "load_millions": round(loaded / millions),
        "evaluate_millions": round(evaluated / millions),
        "total_millions": round((loaded + evaluated) / millions),
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
