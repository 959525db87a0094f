"""The background task that evaluates the whole register (django-tasks: the database
backend in production, run by `manage.py db_worker`; the immediate backend in tests)."""

from __future__ import annotations

from django_tasks import task

from flows.findings.refresh import findings_refresh_all


@task()
def refresh_findings_task() -> str:
    refreshed = findings_refresh_all()
    return (
        f"Findings for {refreshed.as_of.isoformat()}: {refreshed.written} written, "
        f"{refreshed.removed} removed."
    )
