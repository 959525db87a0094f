"""Benchmark the whole path the pages and check_flows take: database rows -> records
(load) -> findings (evaluate), on synthetic registers in throw-away databases.

    .venv/bin/python benchmarks/engine.py [--parties 5000] [--flows 10000 100000] [--repeat 3]
        [--postgres postgres://user@host:port/]

Each size gets its own database (DATABASE_URL), a SQLite file or, with --postgres, a database
on that server (production's engine): one child process generates the register, a fresh one
measures it, so the figures include nothing else; all sizes are generated before any is
measured, so that their measurements are minutes closer in time. Prints JSON: per size, the
median load, evaluate and total seconds, the best total, the number of findings, and the
ratio of the largest to the smallest total (the targets: load + evaluate of 100,000 flows
under 3 s, and growth no faster than linear, <= 12).

A shared virtual machine can run the same code much faster or slower from one hour to the
next. Each run therefore also reports `calibration_s`: the time of a fixed piece of pure
Python (building 100,000 frozen dataclasses of 15 fields, the shape of a flow record), taken
just before the measurements. It is a rough guide only: it catches a slow CPU, not every slow
spell. For a comparison that the machine cannot blur, count instructions instead:
benchmarks/engine_instructions.py.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 28)


@dataclass(frozen=True)
class _Calibration:
    a: int
    b: str
    c: str
    d: tuple[str, ...]
    e: str
    f: str
    g: date
    h: date | None
    i: str
    j: str
    k: tuple[str, ...]
    m: str
    n: str | None
    o: date | None
    p: str


def calibration_seconds() -> float:
    """The best of three timings of a fixed CPU-bound workload: the machine's speed now."""
    day = date(2020, 1, 1)
    row = (1, "a", "b", ("x",), "p", "processor", day, None, "", "", (), "", None, None, "r")
    timings = []
    gc.disable()  # the collector's work would depend on what else the process holds
    try:
        for _ in range(3):
            started = time.perf_counter()
            built = [_Calibration(*row) for _ in range(100_000)]
            timings.append(time.perf_counter() - started)
            del built
    finally:
        gc.enable()
    return min(timings)


def _django() -> None:
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
    django.setup()


def generate(parties: int, flows: int) -> dict[str, object]:
    """Runs in a child: build the synthetic register in the child's database."""
    _django()
    from django.core.management import call_command

    from registry.demo.synthetic import synthetic_register_create

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    synthetic_register_create(parties=parties, flows=flows, seed=1)
    generated = round(time.perf_counter() - started, 2)
    return {"flows": flows, "parties": parties, "generate_s": generated}


def measure(repeat: int) -> dict[str, object]:
    """Runs in another child, as a `check_flows` run would: time load and evaluate of the
    register already in the database (a process that has just written 100,000 flows through
    the ORM holds a heap no real run has)."""
    _django()
    from flows.engine.rules import evaluate
    from flows.loading import register_load

    calibration = calibration_seconds()
    loads, evaluations, totals = [], [], []
    findings = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        register = register_load()
        t1 = time.perf_counter()
        findings = len(evaluate(register, AS_OF))
        t2 = time.perf_counter()
        loads.append(t1 - t0)
        evaluations.append(t2 - t1)
        totals.append(t2 - t0)
        del register
    return {
        "load_s": round(statistics.median(loads), 3),
        "evaluate_s": round(statistics.median(evaluations), 3),
        "total_s": round(statistics.median(totals), 3),
        "total_min_s": round(min(totals), 3),
        "findings": findings,
        "calibration_s": round(calibration, 3),
    }


def _child(step: str, env: dict[str, str], *arguments: str) -> dict[str, Any]:
    """What the child printed last: one JSON object."""
    command = [sys.executable, __file__, "--child", step, *arguments]
    output = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


@contextmanager
def _throwaway_database(folder: str, size: int, postgres: str | None) -> Iterator[str]:
    """The DATABASE_URL of an empty database for one size, removed afterwards: a SQLite
    file in `folder`, or a database of its own on the PostgreSQL server `postgres`."""
    if not postgres:
        yield f"sqlite:///{folder}/bench-{size}.sqlite3"
        return
    import psycopg

    name = f"registry_bench_{size}"
    server = urlsplit(postgres)
    maintenance = urlunsplit(server._replace(path="/postgres"))

    def run(statement: str) -> None:
        try:
            with psycopg.connect(maintenance, autocommit=True) as connection:
                connection.execute(statement)
        except psycopg.Error as error:
            raise SystemExit(f"PostgreSQL at {server.netloc}: {error}".strip()) from None

    run(f'DROP DATABASE IF EXISTS "{name}"')
    run(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(server._replace(path=f"/{name}"))
    finally:
        run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parties", type=int, default=5000)
    parser.add_argument("--flows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="measure on this PostgreSQL server (postgres://user@host:port/) instead of "
        "SQLite files; the user must be allowed to create databases",
    )
    parser.add_argument("--child", choices=("generate", "measure"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "generate":
        print(json.dumps(generate(args.parties, args.flows[0])))
        return
    if args.child == "measure":
        print(json.dumps(measure(args.repeat)))
        return
    results = []
    with tempfile.TemporaryDirectory() as folder, ExitStack() as databases:
        environments = []
        for size in args.flows:
            url = databases.enter_context(_throwaway_database(folder, size, args.postgres))
            env = {**os.environ, "DATABASE_URL": url}
            run = _child("generate", env, "--parties", str(args.parties), "--flows", str(size))
            results.append(run)
            environments.append(env)
        # Every register is generated first and then measured, one size right after the
        # other: the VM's speed drifts within minutes, and generating 100,000 flows takes one.
        for run, env in zip(results, environments, strict=True):
            run.update(_child("measure", env, "--repeat", str(args.repeat)))
    report: dict[str, object] = {
        "as_of": AS_OF.isoformat(),
        "database": "postgresql" if args.postgres else "sqlite",
        "runs": results,
    }
    if len(results) > 1:
        report["growth_largest_over_smallest"] = round(
            float(results[-1]["total_s"]) / float(results[0]["total_s"]), 2
        )
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
