"""Processors engaging sub-processors."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from registry.choices import (
    EngagementEvidence,
)
from registry.models.parties import Party
from registry.models.problems import (
    NOT_ENGAGING_ITSELF,
    ONE_OPEN_ENGAGEMENT,
    engagement_problems,
    raise_problems,
)


class Engagement(models.Model):
    """A processor engaging a sub-processor for data it processes for us (GDPR Art. 28(2) and
    28(4)): when the processor told us (its published list or its letter counts as notice),
    whether we objected or authorised it specifically, and how we know that the processor
    bound the sub-processor by contract. A party can be engaged by several processors; an
    ended engagement stays on record."""

    processor = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        related_name="engagements_made",
        verbose_name="processor",
    )
    subprocessor = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        related_name="engagements",
        verbose_name="sub-processor",
    )
    noticed_on = models.DateField(
        "notice given on",
        null=True,
        blank=True,
        help_text="When the processor told us of this sub-processor: its published list or "
        "its letter.",
    )
    notice_source = models.CharField(
        "notice source",
        max_length=500,
        blank=True,
        help_text="Where the notice is: the address of the published list, the letter.",
    )
    objected_on = models.DateField("we objected on", null=True, blank=True)
    objection = models.TextField("our objection", blank=True)
    authorised_on = models.DateField(
        "specifically authorised on",
        null=True,
        blank=True,
        help_text="Where our agreement requires specific authorisation: the date we gave it.",
    )
    evidence = models.CharField(
        "sub-processing agreement evidenced by",
        max_length=16,
        choices=EngagementEvidence.choices,
        blank=True,
    )
    evidenced_on = models.DateField("evidence dated", null=True, blank=True)
    ended_on = models.DateField("ended on", null=True, blank=True)
    notes = models.TextField("notes", blank=True)
    created_at = models.DateTimeField("created", auto_now_add=True)
    updated_at = models.DateTimeField("updated", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["processor__name", "subprocessor__name", "id"]
        verbose_name = "engagement of a sub-processor"
        verbose_name_plural = "engagements of sub-processors"
        constraints = [
            models.CheckConstraint(
                condition=~Q(processor=F("subprocessor")),
                name="engagement_not_of_itself",
                violation_error_message=NOT_ENGAGING_ITSELF,
            ),
            models.UniqueConstraint(
                fields=["processor", "subprocessor"],
                condition=Q(ended_on__isnull=True),
                name="engagement_one_open_per_pair",
                violation_error_message=ONE_OPEN_ENGAGEMENT,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.processor} engages {self.subprocessor}"

    def get_absolute_url(self) -> str:
        """Its place on the sub-processor's page."""
        return self.subprocessor.get_absolute_url() + "#engaged-by"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None

    def clean(self) -> None:
        raise_problems(
            engagement_problems(
                processor=self.processor_id,
                subprocessor=self.subprocessor_id,
                noticed_on=self.noticed_on,
                ended_on=self.ended_on,
            )
        )
