"""Benchmark the flow import: the project's path against a pandas baseline and against
django-import-export's default per-row import, on generated files in throw-away SQLite
databases.

    .venv/bin/python benchmarks/imports.py [--parties 5000] [--flows 10000 100000]
                                                 [--default-max 10000]

One database with the parties (and the taxonomy) is built once; each measurement copies it
and runs in its own child process, so the figures (seconds, rows/s, peak memory of the
child) include nothing else. Methods:

- project: registry.importing.engine.records_import, the path of `import_records` and the admin
  (read the file, check every row, write in one transaction with bulk operations, with
  history rows);
- baseline: pandas.read_csv, names mapped to ids with dicts loaded once, bulk_create of the
  flows and their category links in one transaction (no checks, no history);
- default: django-import-export's per-row import of FlowResource (sizes <= --default-max).

Prints JSON with rows/s for each and the ratio project/baseline time (target <= 2.0 at
100,000 rows) and the peak memory of each child (target < 1 GB).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# This file's name shadows the django-import-export package when it runs as a script.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
CATEGORIES = (
    "user.contact.email", "user.contact.address", "user.contact.phone_number", "user.name",
    "user.financial.bank_account", "user.behavior.browsing_history", "user.device.cookie_id",
    "user.account.account_number", "user.government_id.tax_id", "user.contact.organization",
)  # fmt: skip
PURPOSES = ("essential.service", "analytics.reporting", "marketing.communications.email")
HEADER = ["source", "target", "categories", "purpose", "role", "lawful_basis",
          "art9_condition", "processing_countries", "transfer_mechanism",
          "transfer_agreement", "tia_on", "started_on", "ended_on"]  # fmt: skip


def setup_django() -> None:
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
    django.setup()


def prepare(parties: int) -> None:
    """Runs in a child: the template database with the parties."""
    setup_django()
    from django.core.management import call_command

    from registry.demo.synthetic import synthetic_register_create

    call_command("migrate", verbosity=0)
    synthetic_register_create(parties=parties, flows=0, seed=1)


def write_flows_file(path: Path, flows: int) -> None:
    """`flows` distinct flow rows between the parties present, two categories each."""
    from registry.models import Party

    slugs = list(Party.objects.order_by("slug").values_list("slug", flat=True))
    rng = random.Random(7)
    seen: set[tuple[str, ...]] = set()
    start = date(2018, 1, 1)
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        while len(seen) < flows:
            source, target = rng.sample(slugs, 2)
            cats = ";".join(sorted(rng.sample(CATEGORIES, 2)))
            purpose = rng.choice(PURPOSES)
            if (source, target, cats, purpose) in seen:
                continue
            seen.add((source, target, cats, purpose))
            started = start + timedelta(days=rng.randint(0, 2000))
            writer.writerow([source, target, cats, purpose, "processor", "contract", "",
                             rng.choice(["", "US", "DE;FR"]), "", "", "",
                             started.isoformat(), ""])  # fmt: skip


def run_project(path: Path) -> None:
    from registry.importing.engine import records_import

    report = records_import(kind="flows", filename=path.name, data=path.read_bytes())
    assert report.ok, [str(e) for e in report.errors[:5]]


def run_baseline(path: Path) -> None:
    import pandas as pd
    from django.db import transaction

    from flows.kinds import flow_reference
    from flows.models import DataCategory, Flow, Purpose
    from registry.models import Party

    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    parties = dict(Party.objects.values_list("slug", "pk"))
    categories = dict(DataCategory.objects.values_list("key", "pk"))
    purposes = dict(Purpose.objects.values_list("key", "pk"))
    flows, links = [], []
    for row in frame.itertuples(index=False):
        cats = row.categories.split(";")
        flows.append(
            Flow(
                reference=flow_reference(row.source, row.target, row.purpose, cats),
                source_id=parties[row.source],
                target_id=parties[row.target],
                purpose_id=purposes[row.purpose],
                role=row.role,
                lawful_basis=row.lawful_basis,
                processing_countries=row.processing_countries.split(";")
                if row.processing_countries
                else [],
                started_on=date.fromisoformat(row.started_on),
            )
        )
        links.append([categories[c] for c in cats])
    with transaction.atomic():
        Flow.objects.bulk_create(flows, batch_size=2000)
        Through = Flow.categories.through
        Through.objects.bulk_create(
            [Through(flow_id=f.pk, datacategory_id=c) for f, cs in zip(flows, links, strict=True)
             for c in cs],
            batch_size=4000,
        )  # fmt: skip


def run_default(path: Path) -> None:
    import tablib
    from import_export.resources import ModelResource

    from flows.resources import FlowResource

    dataset = tablib.Dataset().load(path.read_text(), format="csv")
    result = ModelResource.import_data(FlowResource(), dataset, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()


def measure(method: str, path: Path, flows: int) -> dict[str, object]:
    """Runs in a child with its own copy of the template database."""
    setup_django()
    from flows.models import Flow

    runner = {"project": run_project, "baseline": run_baseline, "default": run_default}[method]
    started = time.perf_counter()
    runner(path)
    seconds = time.perf_counter() - started
    assert Flow.objects.count() == flows
    assert Flow.categories.through.objects.count() == 2 * flows
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "method": method,
        "flows": flows,
        "seconds": round(seconds, 2),
        "rows_per_s": round(flows / seconds),
        "peak_memory_mb": round(peak),
    }


def child(args: list[str], db: Path) -> str:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    command = [sys.executable, __file__, *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr)
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parties", type=int, default=5000)
    parser.add_argument("--flows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--default-max", type=int, default=10_000)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--write", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        prepare(args.parties)
        return
    if args.write:
        setup_django()
        write_flows_file(Path(args.write[0]), int(args.write[1]))
        return
    if args.child:
        method, path, flows = args.child
        print(json.dumps(measure(method, Path(path), int(flows))))
        return
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        template = Path(folder) / "template.sqlite3"
        child(["--prepare", "--parties", str(args.parties)], template)
        for size in args.flows:
            path = Path(folder) / f"flows-{size}.csv"
            child(["--write", str(path), str(size)], template)
            methods = ["project", "baseline"] + (["default"] if size <= args.default_max else [])
            for method in methods:
                db = Path(folder) / f"{method}-{size}.sqlite3"
                shutil.copy(template, db)
                runs.append(json.loads(child(["--child", method, str(path), str(size)], db)))
                db.unlink()
    report: dict[str, object] = {"parties": args.parties, "runs": runs}
    for size in args.flows:
        by = {r["method"]: r for r in runs if r["flows"] == size}
        report[f"ratio_project_over_baseline_{size}"] = round(
            by["project"]["seconds"] / by["baseline"]["seconds"], 2
        )
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
