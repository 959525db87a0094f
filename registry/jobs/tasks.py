"""The tasks that jobs run: imports and exports of the register's kinds.

Each task takes its job's id and JSON arguments (they wait in the database for a worker) and
hands its work to `job_run`, which records progress and the outcome on the job. The exports
call the registered exporter (`exporter_named`) and `write_table`, as `export_records` does,
so that the file of the admin and of the command are one file.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django_tasks import task

from registry.importing.engine import (
    DatabaseBusy,
    exporter_named,
    kind_named,
    records_import_table,
)
from registry.importing.tabular import FORMATS, Table, escape_formula, write_table
from registry.jobs.models import Job
from registry.jobs.services import JobFailed, Outcome, job_run
from registry.web.progress import Progress

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def export_file(
    *,
    kind: str,
    fmt: str,
    columns: Sequence[str] | None = None,
    keys: Sequence[str] | None = None,
    progress: Progress,
) -> Outcome:
    """The export file of one kind: every row, or the rows of these natural keys, with every
    column or these. What `records_export_job` runs; a test or a benchmark may call it."""
    if fmt not in FORMATS:
        raise JobFailed(f"There is no export format '{fmt}'; choose {', '.join(FORMATS)}.")
    try:
        exporter = exporter_named(kind)
        key = kind_named(kind).key
    except LookupError as error:
        raise JobFailed(str(error)) from None
    progress(0, None)
    header, rows = exporter.export_rows()
    if keys is not None:
        # The exporter escapes formulae in every cell, the key's included.
        wanted = set(keys) | {escape_formula(k) for k in keys}
        at = header.index(key)
        rows = [row for row in rows if row[at] in wanted]
    if columns:
        kept = [i for i, name in enumerate(header) if name in set(columns)]
        header = [header[i] for i in kept]
        rows = [[row[i] for i in kept] for row in rows]
    progress(len(rows), len(rows))
    return Outcome(
        message=f"{len(rows):,} {kind} rows exported.",
        result=write_table(header, rows, fmt),
        result_name=f"{kind}-{date.today().isoformat()}.{fmt}",
        result_type=CONTENT_TYPES[fmt],
    )


@task()
def records_export_job(
    *,
    job_id: int,
    kind: str,
    fmt: str,
    columns: list[str] | None = None,
    keys: list[str] | None = None,
) -> None:
    """Export one kind of record to a file that the job's page offers for download."""

    def work(job: Job, progress: Progress) -> Outcome:
        return export_file(kind=kind, fmt=fmt, columns=columns, keys=keys, progress=progress)

    job_run(job_id, work)


@task()
def records_import_job(
    *, job_id: int, kind: str, header: list[str], rows: list[tuple[int, list[str]]]
) -> None:
    """Import a file's rows (read and previewed in the request): every row checked, then all
    written in one transaction, or none; the import report is the job's message."""

    def work(job: Job, progress: Progress) -> Outcome:
        table = Table(list(header), [(int(line), list(cells)) for line, cells in rows])
        size = len(table.rows)

        def checked(phase: str, done: int, total: int) -> None:
            # Checking the rows is the first half of the bar. The writing phase runs in one
            # transaction, and figures written inside it show to no other connection before
            # it commits, so the bar waits at half-way until the job is done.
            if phase == "checking":
                progress(done // 2, size)

        progress(0, size)
        try:
            report = records_import_table(
                kind=kind, table=table, progress=checked, user=job.started_by
            )
        except DatabaseBusy as busy:  # SQLite: another write held the lock too long
            raise JobFailed(str(busy)) from None
        if not report.ok:
            raise JobFailed(report.summary(), details=[str(e) for e in report.errors])
        progress(size, size)
        return Outcome(message=report.summary(), details=report.warnings)

    job_run(job_id, work)
