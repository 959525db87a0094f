"""Benchmark the "as of" register page (/register/as-of/) and a full-history page on a given
database: time, bytes sent and queries per page, and the peak memory Python allocates.

The "as of" page shows both the findings on the day (the whole register evaluated on that
date, today's read from the store) and the register as recorded by then; warm figures of a
past day include no evaluation, which the process keeps in memory once made.

    .venv/bin/python benchmarks/history.py PATH.sqlite3 [--day 2024-06-30 ...] [--repeat 5]
    .venv/bin/python benchmarks/history.py postgres://postgres@127.0.0.1:54330/registry

Make the register first, e.g. `DATABASE_URL=sqlite:////tmp/syn.sqlite3 .venv/bin/python
manage.py migrate && ... generate_synthetic --parties 5000 --flows 100000`. A SQLite file is
copied to a temporary folder and measured there; a database URL is used as it is (and
written to, see below: pass `sqlite:////path/copy.sqlite3` to prepare a copy once and
measure it again later without waiting for its history).

A synthetic register is written in bulk, without history, and its "as of" page would be
empty. When a table has rows but no history, the benchmark first gives it one, in the
history tables only: simple-history's `populate_history` saves a creation for every row;
the creations are dated 2024-01-15 (the first half of each table) and 2024-09-15 (the
rest); every other flow then changes on 2025-03-01 and one flow in 50 is deleted on
2025-06-01. The days measured by default fall between those dates and today.

Figures are warm (one request first, then the median and best of --repeat requests); the
memory figure is tracemalloc's peak during one more request. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DAYS = ("2024-06-30", "2025-12-31", date.today().isoformat())
BATCH = 2000


def _setup(database_url: str) -> None:
    # This folder is on sys.path as the script's own: drop it, so that a benchmark named
    # like a package cannot shadow that package.
    here = str(Path(__file__).resolve().parent)
    sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != here]
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.core import signals
    from django.db import close_old_connections

    # As Django's test client does in tests: the connection stays open between requests
    # (as with CONN_MAX_AGE), so that the queries of one request can be counted.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)


def _history_given() -> dict[str, Any]:
    """Give the register a history when it has none (see the module's docstring)."""
    from django.core.management import call_command

    from flows.models import Flow
    from registry.models import Agreement, Party

    missing = [m for m in (Party, Agreement, Flow) if m.objects.exists() and not m.history.exists()]
    if not missing:
        return {"history": "kept as found"}
    started = time.perf_counter()
    for model in missing:
        call_command("populate_history", f"{model._meta.label}", batchsize=BATCH, verbosity=0)
        ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
        middle = ids[len(ids) // 2] if ids else 0
        history = model.history
        history.filter(id__lt=middle).update(history_date=datetime(2024, 1, 15, tzinfo=UTC))
        history.filter(id__gte=middle).update(history_date=datetime(2024, 9, 15, tzinfo=UTC))
    if Flow in missing:
        _later_versions(Flow)
    return {
        "history": f"given to {', '.join(str(m._meta.verbose_name_plural) for m in missing)}",
        "history_s": round(time.perf_counter() - started, 1),
    }


def _later_versions(model: Any) -> None:
    """A change for every other object on 2025-03-01, a deletion for one in 50 on
    2025-06-01: history rows only."""
    historical = model.history.model
    names = [f.attname for f in historical._meta.concrete_fields if f.attname != "history_id"]
    rows = list(model.history.order_by("id").values(*names))
    later = []
    for row in rows:
        if row["id"] % 2 == 0:
            changed = {**row, "history_type": "~", "description": "changed for the benchmark"}
            later.append({**changed, "history_date": datetime(2025, 3, 1, tzinfo=UTC)})
        if row["id"] % 50 == 0:
            later.append(
                {**row, "history_type": "-", "history_date": datetime(2025, 6, 1, tzinfo=UTC)}
            )
    historical.objects.bulk_create([historical(**r) for r in later], batch_size=BATCH)


def _measure(client: Any, url: str, repeat: int) -> dict[str, Any]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    assert client.get(url).status_code == 200  # warm: the process's first request
    times, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    # Each request empties the log of queries (Django's request_started signal): empty it
    # first, so that the capture counts from the start of the log.
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    tracemalloc.start()
    client.get(url)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "url": url,
        "status": response.status_code,
        "median_s": round(statistics.median(times), 3),
        "best_s": round(min(times), 3),
        # On a shared machine the wall clock also counts other processes' turns; SQLite
        # runs inside this process, so its CPU time is the page's own work there.
        "median_cpu_s": round(statistics.median(cpu), 3),
        "bytes": len(response.content),
        "queries": len(queries.captured_queries),
        "peak_python_mb": round(peak / 2**20, 2),
    }


def run(database_url: str, days: list[str], repeat: int) -> dict[str, Any]:
    _setup(database_url)
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from flows.models import Flow
    from registry.models import Party
    from tests.factories import make_user

    report: dict[str, Any] = {"database": database_url, **_history_given()}
    report["size"] = {
        "parties": Party.objects.count(),
        "flows": Flow.objects.count(),
        "flow_history_rows": Flow.history.count(),
    }
    user = get_user_model().objects.filter(username="bench-history").first()
    client = Client(HTTP_HOST="localhost")
    client.force_login(user or make_user("bench-history", role="viewer"))
    pages = []
    for day in days:
        base = f"{reverse('register_as_of')}?date={day}"
        pages.append(_measure(client, base, repeat))
        # A page deep in the flows: the database walks past the pages before it.
        pages.append(_measure(client, f"{base}&flows_page=1000", repeat))
    party = Party.objects.order_by("pk").first()
    if party is not None:
        pages.append(_measure(client, reverse("party_history", args=[party.slug]), repeat))
    report["pages"] = pages
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", help="a SQLite file (copied first) or a database URL")
    parser.add_argument("--day", nargs="+", default=list(DAYS), help="days to ask for")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if "://" in args.database:
        print(json.dumps(run(args.database, args.day, args.repeat), indent=2))
        return
    source = Path(args.database)
    if not source.is_file():
        parser.error(f"{source} is not a file; make one with manage.py generate_synthetic")
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / source.name
        shutil.copyfile(source, copy)
        print(json.dumps(run(f"sqlite:///{copy}", args.day, args.repeat), indent=2))


if __name__ == "__main__":
    main()
