"""Stored findings on a large register: what a write, a page and `check_flows` cost.

    DATABASE_URL=sqlite:////tmp/big.sqlite3 python benchmarks/findings.py [--edits 5]

The database must hold a register already (`manage.py generate_synthetic --parties 5000
--flows 100000`, then `manage.py refresh_findings`). Prints, each the median of the runs:
- the time one edited flow takes to update the store (the write and the refresh), for a
  first hop and for a sub-processor hop;
- each staff page's time, bytes and queries, read from the store, warm;
- `check_flows --format json` for today, in-process, reading the store.
Every edit is rolled back, so the register is left as it was.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=5, help="edits timed per kind of flow")
    parser.add_argument("--pages", type=int, default=3, help="requests timed per page")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from flows.models import Flow, StoredFinding
    from registry.models import Party
    from tests.factories import make_user

    print(f"{Flow.objects.count():,} flows, {StoredFinding.objects.count():,} stored findings")
    for role in ("processor", "subprocessor"):
        times = []
        for flow in Flow.objects.filter(role=role, proposed=False).order_by("id")[: args.edits]:
            with transaction.atomic():
                start = time.perf_counter()
                flow.lawful_basis = "" if flow.lawful_basis else "contract"
                flow.save()  # the signal refreshes the findings it can affect
                times.append(time.perf_counter() - start)
                transaction.set_rollback(True)
        median = statistics.median(times) * 1000
        print(f"one edited {role} flow, write and store update: {median:.0f} ms")

    with transaction.atomic():
        user = make_user("bench-viewer", role="viewer")
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        party = Party.objects.filter(relationship="processor").order_by("id").first()
        pages = ["/", "/findings/", "/findings/?severity=high", "/reviews/", "/parties/"]
        if party is not None:
            pages.append(f"/parties/{party.slug}/")
        for url in pages:
            client.get(url)
            times, size, queries = [], 0, 0
            for _ in range(args.pages):
                with CaptureQueriesContext(connection) as captured:
                    start = time.perf_counter()
                    response = client.get(url)
                    times.append(time.perf_counter() - start)
                size, queries = len(response.content), len(captured)
            print(
                f"{url:32} {statistics.median(times) * 1000:6.0f} ms  {size / 1024:7.0f} KB  "
                f"{queries} queries  (HTTP {response.status_code})"
            )
        transaction.set_rollback(True)

    start = time.perf_counter()
    try:
        call_command("check_flows", "--format", "json", "--fail-on", "none", stdout=io.StringIO())
    except SystemExit:
        pass
    print(f"check_flows --format json for today: {time.perf_counter() - start:.2f} s in-process")


if __name__ == "__main__":
    main()
