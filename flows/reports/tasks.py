"""The background job that writes a register: at 100,000 flows an XLSX takes longer than a
web request may, so the registers page can hand it to the task worker, whose job page shows
the progress and then offers the file."""

from __future__ import annotations

import io
from datetime import date

from django_tasks import task

from flows.reports.selectors import build_register
from flows.reports.writing import write_csv, write_xlsx
from registry.jobs.models import Job
from registry.jobs.services import Outcome, job_run
from registry.web.progress import Progress

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def register_filename(kind: str, fmt: str, as_of: date) -> str:
    return f"{'review-pack' if kind == 'pack' else 'ropa-' + kind}-{as_of.isoformat()}.{fmt}"


@task()
def register_export_job(*, job_id: int, kind: str, fmt: str, as_of: str) -> None:
    """Write one register (`kind`: controller, processor, pack) as of a day."""
    day = date.fromisoformat(as_of)

    def work(job: Job, progress: Progress) -> Outcome:
        report = build_register(kind=kind, as_of=day, progress=progress)
        out = io.BytesIO()
        if fmt == "csv":
            rows = write_csv(report.table, out)
        else:
            rows = sum(write_xlsx(report, out).values())
        return Outcome(
            message=f"{rows:,} rows written.",
            result=out.getvalue(),
            result_name=register_filename(kind, fmt, day),
            result_type=CONTENT_TYPES[fmt],
        )

    job_run(job_id, work)
