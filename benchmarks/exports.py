"""Benchmark the exports: `records_export` (the path of `export_records`, and of the admin's
`exporter_named(kind).export_rows()` + `write_table`) against a values() + pandas baseline,
for every kind and format, on a synthetic register.

    .venv/bin/python benchmarks/exports.py [--flows 100000] [--parties 5000]
        [--db /tmp/exports-100000.sqlite3 | --database-url postgres://...] [--repeat 1]

The register is built once with `generate_synthetic` when the database holds no flows, and
reused after that (building 100,000 flows takes about half a minute on SQLite). Each figure
is the best of --repeat runs, in this process, warm, written to a file in a temporary
directory. The baseline reads the same columns with one values() query (references through
joins to their natural keys) and one query per many-to-many column joined with pandas, then
writes with DataFrame.to_csv / to_json / to_excel; it escapes nothing and checks nothing.
The target is a ratio (project / baseline) of at most 2.0 for every kind and format.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("parties", "agreements", "flows", "categories", "purposes")
FORMATS = ("csv", "json", "xlsx")


def build(database_url: str, parties: int, flows: int) -> None:
    """Migrate, and add the synthetic register unless the database already holds flows."""
    env = {**os.environ, "DATABASE_URL": database_url}
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    count_flows = "from flows.models import Flow; print(Flow.objects.count())"
    count = subprocess.run(
        [*manage, "shell", "-v0", "-c", count_flows],
        env=env, check=True, cwd=ROOT, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    if count.isdigit() and int(count) > 0:
        print(f"reusing the register in {database_url} ({int(count):,} flows)", flush=True)
        return
    print(f"building {flows:,} flows and {parties:,} parties in {database_url}...", flush=True)
    started = time.perf_counter()
    command = [*manage, "generate_synthetic", "--parties", str(parties), "--flows", str(flows)]
    subprocess.run(command, env=env, check=True, cwd=ROOT)
    print(f"built in {time.perf_counter() - started:.1f} s", flush=True)


def baseline(kind_name: str, fmt: str, path: Path) -> int:
    """values() + pandas: the same columns, no escaping, no checks."""
    import pandas as pd

    from registry.importing.engine import kind_named

    kind = kind_named(kind_name)
    model = kind.model
    scalar = [c for c in kind.columns if not c.many]
    fields = ["pk"] + [f"{c.name}__{kind.lookups[c.ref][1]}" if c.ref else c.name for c in scalar]
    frame = pd.DataFrame.from_records(
        list(model._default_manager.order_by(kind.key).values_list(*fields)), columns=fields
    )
    frame.columns = ["pk"] + [c.name for c in scalar]
    for column in (c for c in kind.columns if c.many):
        through, own, other = kind._links(column)
        key = kind.lookups[column.ref][1]
        target = other.removesuffix("_id") + "__" + key
        links = pd.DataFrame.from_records(
            list(through._default_manager.values_list(own, target)), columns=["pk", "key"]
        )
        joined = links.groupby("pk")["key"].agg(";".join)
        frame[column.name] = joined.reindex(frame["pk"], fill_value="").to_numpy()
    frame = frame[list(kind.column_names())]
    if fmt == "csv":
        frame.to_csv(path, index=False)
    elif fmt == "json":
        frame.to_json(path, orient="records", force_ascii=False, indent=1)
    else:
        frame.to_excel(path, index=False)
    return len(frame)


def project(kind_name: str, fmt: str, path: Path) -> int:
    from registry.importing.exporting import records_export

    with path.open("wb") as out:
        return records_export(kind=kind_name, fmt=fmt, out=out)


def best(
    run: Callable[[str, str, Path], int], kind: str, fmt: str, repeat: int
) -> tuple[float, int]:
    times = []
    rows = 0
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(repeat):
            started = time.perf_counter()
            rows = run(kind, fmt, Path(folder) / f"{kind}.{fmt}")
            times.append(time.perf_counter() - started)
    return min(times), rows


def command_seconds(database_url: str, kind: str, fmt: str) -> float:
    """Wall time of `manage.py export_records` in a fresh process, start-up included."""
    env = {**os.environ, "DATABASE_URL": database_url}
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "export_records", kind, "--format", fmt,
             "-o", str(Path(folder) / f"{kind}.{fmt}")],
            env=env, check=True, cwd=ROOT, capture_output=True,
        )  # fmt: skip
        return time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flows", type=int, default=100_000)
    parser.add_argument("--parties", type=int, default=5_000)
    parser.add_argument("--db", type=Path, help="SQLite file (default /tmp/exports-FLOWS.sqlite3)")
    parser.add_argument("--database-url", help="e.g. postgres://postgres@127.0.0.1:54330/bench")
    parser.add_argument("--repeat", type=int, default=1, help="runs per figure; the best is kept")
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS))
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=list(FORMATS))
    args = parser.parse_args(argv)
    database_url = args.database_url or (
        f"sqlite:///{(args.db or Path(f'/tmp/exports-{args.flows}.sqlite3')).resolve()}"
    )
    build(database_url, args.parties, args.flows)

    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    print(f"\n{connection.vendor}, best of {args.repeat}, warm, in one process")
    print(f"{'kind':<11} {'format':<6} {'rows':>8} {'export s':>9} {'baseline s':>11} {'ratio':>6}")
    worst: dict[str, Any] = {"ratio": 0.0}
    for kind in args.kinds:
        for fmt in args.formats:
            best(project, kind, fmt, 1)  # warm the look-ups and the page cache
            ours, rows = best(project, kind, fmt, args.repeat)
            theirs, _ = best(baseline, kind, fmt, args.repeat)
            ratio = ours / theirs if theirs else 0.0
            if ratio > worst["ratio"]:
                worst = {"ratio": ratio, "kind": kind, "format": fmt}
            print(f"{kind:<11} {fmt:<6} {rows:>8,} {ours:>9.2f} {theirs:>11.2f} {ratio:>6.2f}",
                  flush=True)  # fmt: skip
    print(f"worst ratio {worst['ratio']:.2f} ({worst.get('kind')} {worst.get('format')}); "
          "target <= 2.0")  # fmt: skip
    if "flows" in args.kinds and "csv" in args.formats:
        seconds = command_seconds(database_url, "flows", "csv")
        print(f"`manage.py export_records flows --format csv -o FILE`: {seconds:.2f} s "
              "in a fresh process, start-up included")  # fmt: skip


if __name__ == "__main__":
    main()
