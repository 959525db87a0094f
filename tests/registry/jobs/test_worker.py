"""The real task worker: a job queued in the database is run by `manage.py db_worker`.

Everything runs in other processes against a SQLite file of its own, as `make run` does:
the web process queues, the worker (another process) finds the task in the database."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

QUEUE = """
from registry.jobs.services import job_start
from registry.jobs.tasks import records_export_job
from tests.factories import make_party, make_user
make_party("acme", name="Acme", relationship="own", country="DE")
job = job_start(title="Export of 1 parties", task=records_export_job,
                user=make_user("editor", role="editor"), kind="parties", fmt="csv")
print(job.pk)
"""


def _manage(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _job(database: Path) -> tuple[str, str, bytes | None]:
    with sqlite3.connect(database) as db:
        return db.execute("SELECT status, message, result FROM jobs_job").fetchone()


def test_the_database_worker_runs_a_queued_job_to_done(tmp_path):
    database = tmp_path / "register.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DEBUG": "1"}
    _manage("migrate", "--noinput", env=env)
    _manage("shell", "-c", QUEUE, env=env)
    assert _job(database)[0] == "queued"  # nothing runs it in the web process

    # --batch: run what is queued, then exit.
    _manage("db_worker", "--batch", "--no-startup-delay", "--no-reload", env=env)
    status, message, result = _job(database)
    assert (status, message) == ("done", "1 parties rows exported.")
    assert result is not None and b"\r\nacme,Acme,,own,DE," in bytes(result)
