"""Starting a job, and what its task calls while it runs: progress, then a result or an error.

A task receives the job's id and calls `job_run(job_id, work)`: the job is marked running,
`work(job, progress)` does the work, and the job is marked done with what it returned, or
failed with a sentence for the person who started it. Tracebacks go to the log (the task
framework logs every failed task with its traceback), never to the page.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from registry.jobs.choices import JobStatus
from registry.jobs.models import Job
from registry.web.progress import Progress

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django_tasks.base import Task

logger = logging.getLogger(__name__)

#: How many detail lines a job keeps (an import with 100,000 bad rows says how many more).
MAX_DETAIL_LINES = 200
#: Progress is written to the job's row at most this often: a row a second is plenty for a
#: page that refreshes every 2 seconds, and an import of 100,000 rows writes a handful.
PROGRESS_EVERY_SECONDS = 1.0


class JobFailed(Exception):
    """The work cannot be done, for a reason the person who started it can act on (the
    file has errors, the export kind is unknown). The message is shown as it is."""

    def __init__(self, message: str, details: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.details = list(details)


@dataclass(frozen=True)
class Outcome:
    """What finished work leaves on its job: a message, detail lines, a file to download."""

    message: str
    details: Sequence[str] = ()
    result: bytes | None = None
    result_name: str = ""
    result_type: str = ""


Work = Callable[[Job, Progress], Outcome]


def job_start(
    *, title: str, task: Task[..., Any], user: AbstractBaseUser | AnonymousUser, **arguments: Any
) -> Job:
    """A queued job for `user`, whose task is enqueued once the transaction commits (the
    worker must find the job's row when it starts). The task is called with `job_id` and
    `arguments`, which must be JSON values: they wait in the database until a worker runs
    them."""
    owner = user.pk
    if owner is None:
        raise ValueError("A job is started by a logged-in user.")
    job = Job(title=title[:200], started_by_id=owner)
    job.full_clean()
    job.save()
    job_id = job.pk

    def enqueue() -> None:
        try:
            result = task.enqueue(job_id=job_id, **arguments)
        except Exception:
            logger.exception("Job %s could not be queued", job_id)
            _finish(job_id, JobStatus.FAILED, error="The job could not be queued; try again.")
            return
        Job.objects.filter(pk=job_id).update(task_id=str(result.id))

    transaction.on_commit(enqueue)
    return job


def job_progress(job_id: int, *, every_seconds: float = PROGRESS_EVERY_SECONDS) -> Progress:
    """A `Progress` that writes done/total to the job's row: the first figures, then at most
    once every `every_seconds`, and the last figures when done reaches the total.

    Figures reported inside a transaction (an import's writing phase) show once it commits:
    the row is written on the task's own connection."""
    last_time = -math.inf
    last_written: tuple[int, int | None] | None = None

    def record(done: int, total: int | None, /) -> None:
        nonlocal last_time, last_written
        now = time.monotonic()
        finished = total is not None and done >= total
        if (done, total) == last_written:
            return
        if now - last_time < every_seconds and not finished:
            return
        last_time, last_written = now, (done, total)
        Job.objects.filter(pk=job_id).update(done=done, total=total)

    return record


def job_run(job_id: int, work: Work) -> None:
    """Run `work` for the job: mark it running, then done with its outcome, or failed.

    An unexpected exception marks the job failed with a sentence that names no code, and is
    raised again so that the task framework records the task as failed and logs the
    traceback."""
    Job.objects.filter(pk=job_id).update(status=JobStatus.RUNNING, started_at=timezone.now())
    job = Job.objects.select_related("started_by").defer("result").get(pk=job_id)
    try:
        outcome = work(job, job_progress(job_id))
    except JobFailed as failure:
        logger.info("Job %s failed: %s", job_id, failure.message)
        _finish(job_id, JobStatus.FAILED, error=failure.message, details=failure.details)
        return
    except Exception as error:
        _finish(
            job_id,
            JobStatus.FAILED,
            error=(
                f"The job stopped on an unexpected error ({type(error).__name__}); nothing "
                "more was done. The administrators can find the details in the log."
            ),
        )
        raise
    _finish(job_id, JobStatus.DONE, outcome=outcome)


def _finish(
    job_id: int,
    status: JobStatus,
    *,
    outcome: Outcome | None = None,
    error: str = "",
    details: Sequence[str] = (),
) -> None:
    changes: dict[str, Any] = {"status": status, "finished_at": timezone.now(), "error": error}
    if outcome is not None:
        details = outcome.details
        changes["message"] = outcome.message[:300]
        if outcome.result is not None:
            changes.update(
                result=outcome.result,
                result_name=outcome.result_name,
                result_type=outcome.result_type,
                result_size=len(outcome.result),
            )
    lines = list(details)
    if len(lines) > MAX_DETAIL_LINES:
        more = len(lines) - MAX_DETAIL_LINES
        lines = [*lines[:MAX_DETAIL_LINES], f"... and {more:,} more."]
    changes["details"] = "\n".join(line.replace("\n", " ") for line in lines)
    Job.objects.filter(pk=job_id).update(**changes)
