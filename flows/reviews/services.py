"""Writes for legal review: a reviewer decides on a finding, on many at once, and a second
reviewer confirms or refuses an accepted risk that needs four eyes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from flows.choices import ReviewDecision
from flows.engine.fingerprint import fingerprint
from flows.engine.records import Finding, FlowRecord, Register
from flows.findings import findings_as_of
from flows.models import Flow
from flows.reviews import mail
from flows.reviews.models import Review, ReviewConfirmation
from flows.reviews.selectors import FindingKey, group_findings, latest_reviews, snapshot_for
from registry.web.permissions import CAN_EDIT, CAN_REVIEW

BULK_DECISIONS = (ReviewDecision.ACCEPT_RISK, ReviewDecision.WAIVE)
"""What a reviewer may decide over many findings at once: a change request names what to
change on one flow, so it is decided one at a time."""


@dataclass(frozen=True)
class _Today:
    """Today's findings grouped by (rule, flow), and the live flows' records."""

    register: Register
    groups: dict[FindingKey, list[Finding]]
    flows: dict[int, FlowRecord]


def _today(today: date) -> _Today:
    register, findings = findings_as_of(today)
    return _Today(register, group_findings(findings), {f.id: f for f in register.flows})


def _check_reviewer(user: Any) -> None:
    if not user.has_perm(CAN_REVIEW):
        raise ValidationError("Only a reviewer may decide on findings.")


def _field_errors(
    *, decision: str, reason: str, review_by: date | None, assignee: Any | None, today: date
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = "Say why: a decision without a reason cannot be audited."
    if decision == ReviewDecision.ACCEPT_RISK:
        if review_by is None:
            errors["review_by"] = "An accepted risk needs a review-by date."
        elif review_by <= today:
            errors["review_by"] = "The review-by date must be after today."
    if decision == ReviewDecision.REQUEST_CHANGE:
        if assignee is None:
            errors["assignee"] = "Assign the change to an editor."
        elif not assignee.has_perm(CAN_EDIT):
            errors["assignee"] = f"{assignee.get_username()} is not an editor."
    return errors


def _review(
    now: _Today,
    *,
    rule: str,
    flow: Flow,
    decision: str,
    reason: str,
    decided_by: Any,
    review_by: date | None,
    assignee: Any | None,
) -> Review:
    """The decision, checked and not saved: refused with one message when the finding is
    not there today."""
    group = now.groups.get((rule, flow.pk))
    if not group:
        raise ValidationError(f"There is no {rule} finding on this flow today.")
    record = now.flows.get(flow.pk)
    if record is None:
        raise ValidationError("This flow is not in the live register.")
    snapshot = snapshot_for(now.register, record, group)
    accepting = decision == ReviewDecision.ACCEPT_RISK
    review = Review(
        rule=rule,
        flow=flow,
        decision=decision,
        reason=reason.strip(),
        review_by=review_by if accepting else None,
        assignee=assignee if decision == ReviewDecision.REQUEST_CHANGE else None,
        decided_by=decided_by,
        fingerprint=fingerprint(snapshot),
        facts=snapshot,
        # Four eyes on the worst findings: the setting as it stands when the risk is
        # accepted decides, so that turning it off later does not settle pending ones.
        needs_second_reviewer=accepting
        and settings.REVIEW_FOUR_EYES
        and any(f.severity == "critical" for f in group),
    )
    review.full_clean()
    return review


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
    base_url: str = "",
) -> Review:
    """Record a reviewer's decision on the findings of `rule` on `flow` as they stand today,
    with a fingerprint and a snapshot of the facts they were computed from.

    Accept the risk: a reason and a review-by date after today (on a critical finding, a
    second reviewer confirms it). Waive: a reason. Request a change: a comment and an
    editor to make it, who is sent an e-mail. `base_url` ("https://register.example") makes
    the e-mails' links absolute.
    """
    today = today or date.today()
    _check_reviewer(decided_by)
    now = _today(today)
    errors = _field_errors(
        decision=decision, reason=reason, review_by=review_by, assignee=assignee, today=today
    )
    if errors:
        raise ValidationError(errors)
    review = _review(
        now, rule=rule, flow=flow, decision=decision, reason=reason, decided_by=decided_by,
        review_by=review_by, assignee=assignee,
    )  # fmt: skip
    review.save()
    mail.announce([(review, now.groups[(rule, flow.pk)][0].message)], base_url=base_url)
    return review


@transaction.atomic
def review_decide_many(
    *,
    keys: list[FindingKey],
    decision: str,
    reason: str,
    decided_by: Any,
    review_by: date | None = None,
    today: date | None = None,
    base_url: str = "",
) -> list[Review]:
    """One decision, with one reason (and one review-by date for an accepted risk), on each
    (rule, flow) of `keys`: all of them or none, each refused row named in the error."""
    today = today or date.today()
    _check_reviewer(decided_by)
    if decision not in BULK_DECISIONS:
        raise ValidationError("Many findings at once can only be accepted or waived.")
    if not keys:
        raise ValidationError("Tick at least one finding.")
    errors = _field_errors(
        decision=decision, reason=reason, review_by=review_by, assignee=None, today=today
    )
    if errors:
        raise ValidationError(errors)
    now = _today(today)
    flows = Flow.objects.in_bulk({flow for _, flow in keys})
    reviews, refused = [], []
    for rule, flow_id in dict.fromkeys(keys):
        flow = flows.get(flow_id)
        try:
            if flow is None:
                raise ValidationError("This flow no longer exists.")
            reviews.append(
                _review(
                    now,
                    rule=rule,
                    flow=flow,
                    decision=decision,
                    reason=reason,
                    decided_by=decided_by,
                    review_by=review_by,
                    assignee=None,
                )  # fmt: skip
            )
        except ValidationError as error:
            where = flow.reference if flow else f"flow {flow_id}"
            refused.append(f"{rule} on {where}: {' '.join(error.messages)}")
    if refused:
        raise ValidationError([f"Nothing was recorded. {len(refused)} refused:", *refused])
    for review in reviews:
        review.save()
    messages = [now.groups[(r.rule, r.flow_id)][0].message for r in reviews]
    mail.announce(list(zip(reviews, messages, strict=True)), base_url=base_url)
    return reviews


@transaction.atomic
def review_confirm(
    *,
    review: Review,
    confirmed: bool,
    decided_by: Any,
    reason: str = "",
    today: date | None = None,
) -> ReviewConfirmation:
    """A second reviewer's answer to an accepted risk that needs four eyes: confirmed, the
    risk is accepted; refused (with a reason), the finding is open again.

    Only the latest decision on its finding, with the facts it judged unchanged, can be
    answered, once, and never by the reviewer who accepted the risk.
    """
    today = today or date.today()
    _check_reviewer(decided_by)
    # Locked: two second reviewers answering at once cannot both be recorded.
    review = Review.objects.select_for_update().select_related("decided_by").get(pk=review.pk)
    if review.decision != ReviewDecision.ACCEPT_RISK or not review.needs_second_reviewer:
        raise ValidationError("This decision does not wait for a second reviewer.")
    if ReviewConfirmation.objects.filter(review=review).exists():
        raise ValidationError("A second reviewer has already answered this acceptance.")
    if review.decided_by_id == decided_by.pk:
        raise ValidationError(
            "You accepted this risk yourself: a second reviewer, another person, confirms it."
        )
    latest = latest_reviews().filter(rule=review.rule, flow=review.flow_id).first()
    if latest is None or latest.pk != review.pk:
        raise ValidationError("A newer decision on this finding replaced this acceptance.")
    now = _today(today)
    group, record = now.groups.get((review.rule, review.flow_id)), now.flows.get(review.flow_id)
    if not group or record is None:
        raise ValidationError(f"There is no {review.rule} finding on this flow today.")
    if fingerprint(snapshot_for(now.register, record, group)) != review.fingerprint:
        raise ValidationError(
            "The facts changed since the risk was accepted: the acceptance lapsed; decide again."
        )
    if not confirmed and not reason.strip():
        raise ValidationError({"reason": "Say why you refuse: the first reviewer reads it."})
    answer = ReviewConfirmation(
        review=review, confirmed=confirmed, reason=reason.strip(), decided_by=decided_by
    )
    answer.full_clean()
    answer.save()
    return answer
