"""Benchmark the Art. 30 registers and the review pack, CSV and XLSX, on a synthetic register.

    .venv/bin/python benchmarks/reports.py [DATABASE.sqlite3] [--flows 100000] [--parties 5000]
        [--as-of 2026-11-28] [--postgres postgres://user@host:port/] [--only controller-csv ...]

With a path, measures that SQLite register as it is; otherwise builds a throw-away one
(`generate_synthetic`) with --flows and --parties, as a SQLite file or, with --postgres, a
database of its own on that server. Each register and format is written to a temporary file
by `export_ropa`'s path (build_register, then write_csv or write_xlsx) in a fresh child
process, so that the figures include nothing else. Prints JSON: for each, the rows written,
the wall and CPU seconds of the whole export and of the writing alone (the rest is loading
and evaluating the register), the child's peak resident memory, the peak memory when the
input was ready (so their difference is what writing added), and the file's size. Target:
every export of 100,000 flows under 60 s; the writing should add little memory whatever the
size, as the rows are streamed.

The machine may be shared: the CPU seconds are less blurred by other work than wall seconds.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
EXPORTS = ("controller-csv", "controller-xlsx", "processor-csv", "processor-xlsx", "pack-xlsx")


def _django() -> None:
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
    django.setup()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(parties: int, flows: int) -> dict[str, Any]:
    """Runs in a child: the synthetic register in the child's (empty) database."""
    _django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("generate_synthetic", parties=parties, flows=flows, stdout=io.StringIO())
    return {"generate_s": round(time.perf_counter() - started, 1)}


def measure(export: str, as_of: date) -> dict[str, Any]:
    """Runs in a child: one register in one format, as export_ropa writes it."""
    _django()
    from flows.reports.selectors import build_register
    from flows.reports.writing import write_csv, write_xlsx

    kind, fmt = export.split("-")
    wall, cpu = time.perf_counter(), time.process_time()
    report = build_register(kind=kind, as_of=as_of)
    input_peak = _peak_mb()
    wall_written, cpu_written = time.perf_counter(), time.process_time()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"register.{fmt}"
        with path.open("wb") as out:
            if fmt == "csv":
                rows = write_csv(report.table, out)
            else:
                rows = sum(write_xlsx(report, out).values())
        size = path.stat().st_size
    done_wall, done_cpu = time.perf_counter(), time.process_time()
    return {
        "export": export,
        "rows": rows,
        "seconds": round(done_wall - wall, 1),
        "cpu_seconds": round(done_cpu - cpu, 1),
        "writing_seconds": round(done_wall - wall_written, 1),
        "writing_cpu_seconds": round(done_cpu - cpu_written, 1),
        "peak_memory_mb": round(_peak_mb()),
        "peak_memory_with_input_mb": round(input_peak),
        "file_mb": round(size / 2**20, 1),
    }


def _child(env: dict[str, str], *arguments: str) -> dict[str, Any]:
    """What the child printed last: one JSON object."""
    command = [sys.executable, __file__, *arguments]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr.strip().splitlines()[-1] if done.stderr else "failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


@contextmanager
def _throwaway_database(folder: str, postgres: str | None) -> Iterator[str]:
    """The DATABASE_URL of an empty database, removed afterwards."""
    if not postgres:
        yield f"sqlite:///{folder}/reports.sqlite3"
        return
    import psycopg

    name = "registry_bench_reports"
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
    parser.add_argument("database", nargs="?", help="a SQLite register to measure as it is")
    parser.add_argument("--flows", type=int, default=100_000)
    parser.add_argument("--parties", type=int, default=5000)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 28))
    parser.add_argument("--postgres", metavar="URL", help="build the register on this server")
    parser.add_argument("--only", nargs="+", choices=EXPORTS, default=list(EXPORTS))
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        step, *rest = args.child
        if step == "generate":
            print(json.dumps(generate(int(rest[0]), int(rest[1]))))
        else:
            print(json.dumps(measure(rest[0], date.fromisoformat(rest[1]))))
        return
    if args.database and not Path(args.database).is_file():
        raise SystemExit(f"No such register: {args.database}")
    report: dict[str, Any] = {"as_of": args.as_of.isoformat()}
    with tempfile.TemporaryDirectory() as folder, _register_database(args, folder) as url:
        env = {**os.environ, "DATABASE_URL": url}
        if not args.database:
            report.update(
                flows=args.flows,
                parties=args.parties,
                **_child(env, "--child", "generate", str(args.parties), str(args.flows)),
            )
        report["database"] = "postgresql" if url.startswith("postgres") else "sqlite"
        report["runs"] = [
            _child(env, "--child", "measure", export, args.as_of.isoformat())
            for export in args.only
        ]
    print(json.dumps(report, indent=2))


@contextmanager
def _register_database(args: argparse.Namespace, folder: str) -> Iterator[str]:
    """The register's DATABASE_URL: the path given, else a throw-away database."""
    if args.database:
        yield f"sqlite:///{Path(args.database).resolve()}"
        return
    with _throwaway_database(folder, args.postgres) as url:
        yield url


if __name__ == "__main__":
    main()
