"""Decisions that put a processor or sub-processor on the public list, or take it off."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from registry.choices import (
    Relationship,
)
from registry.models.parties import Party
from registry.models.problems import ends_before


class PublicationChange(models.TextChoices):
    ADDED = "added", "Added to the public list"
    REMOVED = "removed", "Removed from the public list"


PUBLISHED_RELATIONSHIPS = (Relationship.PROCESSOR, Relationship.SUBPROCESSOR)
NOTICE_BEFORE_EFFECT = "A change cannot take effect before the notice is given."


class Publication(models.Model):
    """A reviewer's decision that a processor or sub-processor joins (or leaves) the public
    list: customers are told on the notice date and the change takes effect after the
    objection period, on the effective date (GDPR Art. 28(2): the controller is informed of
    intended additions or replacements and may object). Never edited: a later decision is a
    new row, and the latest one in effect on a day says whether the party is listed."""

    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="publications", verbose_name="party"
    )
    change = models.CharField(
        "change", max_length=16, choices=PublicationChange.choices, default=PublicationChange.ADDED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="publications_decided",
        verbose_name="decided by",
        help_text="Empty for the parties listed before decisions were recorded.",
    )
    decided_at = models.DateTimeField("decided at")
    notice_on = models.DateField("notice date")
    effective_on = models.DateField("effective date")
    note = models.TextField("note", blank=True)

    class Meta:
        ordering = ["-effective_on", "-id"]
        verbose_name = "publication on the public list"
        verbose_name_plural = "publications on the public list"
        indexes = [models.Index(fields=["party", "effective_on"], name="publication_party_day")]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_on__gte=F("notice_on")),
                name="publication_effective_after_notice",
                violation_error_message=NOTICE_BEFORE_EFFECT,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party}: {self.get_change_display().lower()} on {self.effective_on}"

    def clean(self) -> None:
        if ends_before(self.effective_on, self.notice_on):
            raise ValidationError({"effective_on": NOTICE_BEFORE_EFFECT})
