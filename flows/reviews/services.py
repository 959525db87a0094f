"""Writes for legal review: a reviewer decides on a finding."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from flows.choices import ReviewDecision
from flows.engine.fingerprint import fingerprint
from flows.findings import findings_as_of
from flows.models import Flow
from flows.reviews.models import Review
from flows.reviews.selectors import snapshot_for
from registry.web.permissions import CAN_EDIT, CAN_REVIEW


@transaction.atomic
def review_decide(
    *,
    rule: str,
    flow: Flow,
    decision: str,
    reason: str,
    decided_by: Any,
    review_by: date | None = None,
    assignee: Any | None = None,
    today: date | None = None,
) -> Review:
    """Record a reviewer's decision on the findings of `rule` on `flow` as they stand today,
    with a fingerprint and a snapshot of the facts they were computed from.

    Accept the risk: a reason and a review-by date after today. Waive: a reason. Request a
    change: a comment and an editor to make it.
    """
    today = today or date.today()
    if not decided_by.has_perm(CAN_REVIEW):
        raise ValidationError("Only a reviewer may decide on findings.")
    register, findings = findings_as_of(today)
    group = [f for f in findings if f.rule == rule and f.flow == flow.pk]
    if not group:
        raise ValidationError(f"There is no {rule} finding on this flow today.")
    record = next((f for f in register.flows if f.id == flow.pk), None)
    if record is None:
        raise ValidationError("This flow is not in the live register.")
    errors: dict[str, str] = {}
    reason = reason.strip()
    if not reason:
        errors["reason"] = "Say why: a decision without a reason cannot be audited."
    if decision == ReviewDecision.ACCEPT_RISK:
        if review_by is None:
            errors["review_by"] = "An accepted risk needs a review-by date."
        elif review_by <= today:
            errors["review_by"] = "The review-by date must be after today."
    else:
        review_by = None
    if decision == ReviewDecision.REQUEST_CHANGE:
        if assignee is None:
            errors["assignee"] = "Assign the change to an editor."
        elif not assignee.has_perm(CAN_EDIT):
            errors["assignee"] = f"{assignee.get_username()} is not an editor."
    else:
        assignee = None
    if errors:
        raise ValidationError(errors)
    snapshot = snapshot_for(register, record, group)
    review = Review(
        rule=rule,
        flow=flow,
        decision=decision,
        reason=reason,
        review_by=review_by,
        assignee=assignee,
        decided_by=decided_by,
        fingerprint=fingerprint(snapshot),
        facts=snapshot,
    )
    review.full_clean()
    review.save()
    return review
