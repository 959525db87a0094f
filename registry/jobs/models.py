"""A job: one piece of background work started from the web, and what came of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from registry.jobs.choices import FINISHED, JobStatus


class Job(models.Model):
    """Work that runs in the task worker (an import, an export): who started it, how far it
    has got, and its result or the reason it failed, in words."""

    title = models.CharField("title", max_length=200)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="jobs",
        verbose_name="started by",
    )
    status = models.CharField(
        "status", max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    done = models.PositiveBigIntegerField("units done", default=0)
    total = models.PositiveBigIntegerField("units in all", null=True, blank=True)
    message = models.CharField("message", max_length=300, blank=True)
    error = models.TextField("error", blank=True)
    details = models.TextField("details", blank=True, help_text="One line each.")
    # The file is kept in the row, not in the default storage: every web process on every
    # machine reads the same database, while the default storage here is a folder on one
    # machine (FileSystemStorage), which a worker on another machine would write out of
    # reach of the page. Results are exports of the register, tens of megabytes at most.
    result = models.BinaryField("result", null=True, blank=True, editable=False)
    result_name = models.CharField("result file name", max_length=200, blank=True)
    result_type = models.CharField("result content type", max_length=100, blank=True)
    result_size = models.PositiveBigIntegerField("result size in bytes", default=0)
    task_id = models.CharField("task id", max_length=64, blank=True)
    created_at = models.DateTimeField("queued at", default=timezone.now)
    started_at = models.DateTimeField("started at", null=True, blank=True)
    finished_at = models.DateTimeField("finished at", null=True, blank=True)

    class Meta:
        verbose_name = "job"
        verbose_name_plural = "jobs"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["started_by", "-created_at"], name="jobs_owner_recent")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status__in=FINISHED) | models.Q(finished_at__isnull=False),
                name="jobs_finished_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("job_detail", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def percent(self) -> int | None:
        """How far the job has got, 0 to 100; None while the total is unknown."""
        if self.status == JobStatus.DONE:
            return 100
        if not self.total:
            return None
        return min(100, self.done * 100 // self.total)

    @property
    def detail_lines(self) -> list[str]:
        return [line for line in self.details.splitlines() if line]
