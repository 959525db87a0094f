"""Reads of jobs: a person's own list, and one job for whoever may see it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from registry.jobs.models import Job

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

#: The columns a page never shows: the file itself is read only to download it.
_HEAVY = ("result",)


def job_list(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Job]:
    """The jobs this person started, newest first."""
    return Job.objects.filter(started_by_id=user.pk).defer(*_HEAVY, "details")


def job_visible(*, user: AbstractBaseUser | AnonymousUser, job_id: int) -> Job | None:
    """The job if this person started it or is a superuser; None otherwise, as if it did
    not exist (a job's title names what someone else is working on)."""
    jobs = Job.objects.select_related("started_by").defer(*_HEAVY)
    if not getattr(user, "is_superuser", False):
        jobs = jobs.filter(started_by_id=user.pk)
    return jobs.filter(pk=job_id).first()


def job_result(*, user: AbstractBaseUser | AnonymousUser, job_id: int) -> Job | None:
    """The job with its file, for the download; None when there is none to give."""
    jobs = Job.objects.filter(pk=job_id, result__isnull=False)
    if not getattr(user, "is_superuser", False):
        jobs = jobs.filter(started_by_id=user.pk)
    return jobs.first()
