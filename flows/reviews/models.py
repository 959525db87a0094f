"""Legal review: a reviewer's decisions on findings, tied to the facts they judged."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from flows.choices import ReviewDecision
from flows.models import Flow


class Review(models.Model):
    """A reviewer's decision on the findings of one rule on one flow, tied to the facts it
    judged: when their fingerprint changes, the decision lapses and the finding opens again.

    Decisions are never edited: a new decision on the same finding supersedes the older one,
    which stays as the finding's record of review.
    """

    rule = models.CharField("rule", max_length=64, db_index=True)
    flow = models.ForeignKey(
        Flow, on_delete=models.CASCADE, related_name="reviews", verbose_name="flow"
    )
    decision = models.CharField("decision", max_length=32, choices=ReviewDecision.choices)
    reason = models.TextField("reason or comment")
    review_by = models.DateField(
        "review by",
        null=True,
        blank=True,
        help_text="For an accepted risk: the day it must be looked at again.",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_reviews",
        verbose_name="assigned to",
        help_text="For a requested change: the editor who must make it.",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reviews_decided",
        verbose_name="decided by",
    )
    decided_at = models.DateTimeField("decided at", default=timezone.now)
    fingerprint = models.CharField("fingerprint of the facts", max_length=64)
    facts = models.JSONField("facts judged", default=dict)
    needs_second_reviewer = models.BooleanField(
        "needs a second reviewer",
        default=False,
        help_text="An accepted risk of a critical finding: it holds once a second reviewer "
        "confirms it (settings.REVIEW_FOUR_EYES).",
    )

    class Meta:
        db_table = "flows_review"  # the table it had when reviews lived in flows
        ordering = ["-decided_at", "-id"]
        verbose_name = "review"
        verbose_name_plural = "reviews"
        indexes = [models.Index(fields=["flow", "rule", "decided_at"], name="review_latest")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision="accept_risk") | Q(review_by__isnull=False),
                name="review_accepted_risk_has_review_by",
                violation_error_message="An accepted risk needs a review-by date.",
            ),
            models.CheckConstraint(
                condition=~Q(decision="request_change") | Q(assignee__isnull=False),
                name="review_change_request_has_assignee",
                violation_error_message="A change request is assigned to an editor.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()}: {self.rule} on flow {self.flow_id}"


class ReviewConfirmation(models.Model):
    """A second reviewer's answer to an accepted risk that needs four eyes: confirmed, the
    risk is accepted; refused, the finding is open again, with the reason.

    Its own record, never edited, one per acceptance: the acceptance it answers stays as it
    was recorded, and who confirmed it, when, is kept beside it.
    """

    review = models.OneToOneField(
        Review,
        on_delete=models.CASCADE,
        related_name="confirmation",
        verbose_name="accepted risk",
    )
    confirmed = models.BooleanField("confirmed", help_text="False: the acceptance is refused.")
    reason = models.TextField("reason or comment", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="review_confirmations",
        verbose_name="second reviewer",
    )
    decided_at = models.DateTimeField("decided at", default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = "second reviewer's confirmation"
        verbose_name_plural = "second reviewers' confirmations"
        constraints = [
            models.CheckConstraint(
                condition=Q(confirmed=True) | ~Q(reason=""),
                name="review_refusal_has_reason",
                violation_error_message="A refusal needs a reason.",
            ),
        ]

    def __str__(self) -> str:
        verb = "Confirmed" if self.confirmed else "Refused"
        return f"{verb}: review {self.review_id}"
