"""Benchmark the prediction an edit page shows before a save (flows/editing/prediction.py):
the time of `predict` for an edit that changes no finding (the description) and for one
that adds findings (the flow's lawful basis and transfer mechanism cleared), on flows that
have a transfer mechanism.

    .venv/bin/python benchmarks/editing.py PATH.sqlite3 [--flows 5] [--repeat 3]

Make the register first, e.g. `DATABASE_URL=sqlite:////tmp/syn.sqlite3 .venv/bin/python
manage.py migrate && ... generate_synthetic --parties 5000 --flows 100000`. The file is
copied to a temporary folder and measured there; nothing is written to it (every write is
rolled back, which is what the prediction does). Prints JSON: for each kind of edit, the
median and best time in seconds over every flow and repeat, and what the last one said.
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
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _setup(path: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
    import django

    django.setup()


def _measure(flow_count: int, repeat: int) -> dict[str, Any]:
    from datetime import date

    from flows.editing.prediction import predict
    from flows.findings import today_status
    from flows.findings.refresh import findings_refresh_all
    from flows.models import Flow
    from flows.services import flow_values

    if not today_status(date.today()).current:
        findings_refresh_all()
    flows = list(
        Flow.objects.filter(proposed=False)
        .exclude(transfer_mechanism="")
        .order_by("pk")[:flow_count]
    )
    edits = {
        "description only": lambda flow: {"description": f"{flow.description} (checked)"},
        "basis and mechanism cleared": lambda flow: {"lawful_basis": "", "transfer_mechanism": ""},
    }
    figures: dict[str, Any] = {}
    for label, change in edits.items():
        times, said = [], ""
        for flow in flows:
            for _ in range(repeat):
                values = {**flow_values(flow), **change(flow)}
                started = time.perf_counter()
                prediction = predict(partial(_update, flow, values))
                times.append(time.perf_counter() - started)
                said = prediction.summary
        figures[label] = {
            "median_s": round(statistics.median(times), 3),
            "best_s": round(min(times), 3),
            "predictions": len(times),
            "last_said": said,
        }
    return {"flows_in_register": Flow.objects.count(), "edits": figures}


def _update(flow: Any, values: dict[str, Any]) -> None:
    from flows.services import flow_update
    from registry.services import record_version

    flow_update(flow=flow, version=record_version(flow), **values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path, help="a SQLite file holding a register")
    parser.add_argument("--flows", type=int, default=5, help="how many flows to edit")
    parser.add_argument("--repeat", type=int, default=3, help="predictions per flow and edit")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "register.sqlite3"
        shutil.copy(args.database, copy)
        _setup(copy)
        print(json.dumps(_measure(args.flows, args.repeat), indent=2))


if __name__ == "__main__":
    main()
