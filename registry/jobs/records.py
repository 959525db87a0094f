"""Imports and exports of the register as jobs: what the admin and the product's pages start.

One place starts them, so that a job's title and arguments are the same whichever page the
person used; the work itself is the tasks' (registry.jobs.tasks).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from registry.importing.engine import kind_named
from registry.importing.tabular import FORMATS, Table
from registry.jobs.services import JobFailed, Outcome, job_start
from registry.jobs.tasks import export_file, records_export_job, records_import_job
from registry.web.progress import no_progress

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from registry.jobs.models import Job

#: An export of at most this many rows is written in the request and downloaded at once;
#: a larger one runs as a job (a few seconds of work, with its progress page).
EXPORT_NOW_ROWS = 5_000


def records_import_start(*, user: AbstractBaseUser | AnonymousUser, kind: str, table: Table) -> Job:
    """The import of a table already read (and previewed) as a job: every row checked again,
    then all written in one transaction, or none."""
    return job_start(
        title=f"Import of {len(table):,} {kind}",
        task=records_import_job,
        user=user,
        kind=kind,
        header=table.header,
        rows=table.rows,
    )


def records_export_start(
    *,
    user: AbstractBaseUser | AnonymousUser,
    kind: str,
    fmt: str,
    count: int,
    columns: Sequence[str] | None = None,
    keys: Sequence[str] | None = None,
) -> Job:
    """The export of one kind (every row, or the rows of these natural keys) as a job whose
    page offers the file."""
    return job_start(
        title=f"Export of {count:,} {kind}",
        task=records_export_job,
        user=user,
        kind=kind,
        fmt=fmt,
        columns=list(columns) if columns else None,
        keys=list(keys) if keys is not None else None,
    )


def records_export(*, user: AbstractBaseUser | AnonymousUser, kind: str, fmt: str) -> Outcome | Job:
    """Every row of one kind in a file: written now when small (the Outcome holds the file),
    else started as a job. JobFailed for an unknown kind or format, in words."""
    if fmt not in FORMATS:
        raise JobFailed(f"There is no export format '{fmt}'; choose {', '.join(FORMATS)}.")
    try:
        model = kind_named(kind).model
    except LookupError as error:
        raise JobFailed(str(error)) from None
    count = model._default_manager.count()
    if count <= EXPORT_NOW_ROWS:
        return export_file(kind=kind, fmt=fmt, progress=no_progress)
    return records_export_start(user=user, kind=kind, fmt=fmt, count=count)
