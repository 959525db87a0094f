"""E-mails of legal review: the editor a change is assigned to, and the other reviewers
when an accepted risk awaits their confirmation. Sent through Django's mail backend once the
decision is committed (a decision rolled back sends nothing), from DEFAULT_FROM_EMAIL."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse

from flows.choices import ReviewDecision
from flows.engine.rules import rule_title
from flows.reviews.models import Review
from flows.reviews.selectors import person
from registry.selectors import organisation_name

Decided = tuple[Review, str]
"""A recorded decision and the message of the finding it judged."""


def reviewers() -> QuerySet[Any]:
    """Active users who may decide on findings: those a second confirmation is asked of."""
    users = get_user_model().objects.filter(is_active=True)
    may_review = Q(groups__permissions__codename="review_findings") | Q(
        user_permissions__codename="review_findings"
    )
    return users.filter(may_review | Q(is_superuser=True)).distinct().order_by("username")


def _link(base_url: str, review: Review) -> str:
    return base_url.rstrip("/") + reverse("finding_detail", args=[review.rule, review.flow_id])


def _item(review: Review, message: str, base_url: str) -> dict[str, Any]:
    flow = review.flow
    return {
        "review": review,
        "title": rule_title(review.rule),
        "message": message,
        "flow": flow,
        "link": _link(base_url, review),
        "review_link": base_url.rstrip("/")
        + reverse("review_detail", args=[review.rule, review.flow_id]),
    }


def announce(decided: list[Decided], *, base_url: str) -> None:
    """Queue the e-mails the decisions call for, to be sent when the transaction commits."""
    changes = [d for d in decided if d[0].decision == ReviewDecision.REQUEST_CHANGE]
    awaiting = [d for d in decided if d[0].needs_second_reviewer]
    if not changes and not awaiting:
        return
    organisation = organisation_name()
    messages = [_change_request(organisation, r, m, base_url) for r, m in changes]
    if awaiting:
        messages += _second_reviewer(organisation, awaiting, base_url)
    outgoing = [m for m in messages if m is not None and m.to]
    if outgoing:
        transaction.on_commit(lambda: get_connection().send_messages(outgoing))


def _change_request(
    organisation: str, review: Review, message: str, base_url: str
) -> EmailMessage | None:
    assignee = review.assignee
    if assignee is None or not assignee.email:
        return None
    context = {
        "organisation": organisation,
        "to": person(assignee),
        "by": person(review.decided_by),
        **_item(review, message, base_url),
    }
    subject = (
        f"{organisation}: change requested on {review.flow.reference} ({rule_title(review.rule)})"
    )
    body = render_to_string("flows/reviews/mail/change_requested.txt", context)
    return EmailMessage(subject=subject, body=body, to=[assignee.email])


def _second_reviewer(
    organisation: str, awaiting: list[Decided], base_url: str
) -> list[EmailMessage]:
    """One e-mail to each other reviewer, listing every acceptance of the decision (a bulk
    decision makes one e-mail, not one per finding)."""
    first = awaiting[0][0]
    items = [_item(r, m, base_url) for r, m in awaiting]
    if len(items) == 1:
        subject = (
            f"{organisation}: risk accepted on {first.flow.reference} "
            f"({rule_title(first.rule)}) "
            "awaits a second reviewer"
        )
    else:
        subject = f"{organisation}: {len(items)} accepted risks await a second reviewer"
    others = reviewers().exclude(pk=first.decided_by_id).exclude(email="")
    messages = []
    for other in others:
        context = {
            "organisation": organisation,
            "to": person(other),
            "by": person(first.decided_by),
            "items": items,
        }
        body = render_to_string("flows/reviews/mail/second_reviewer.txt", context)
        messages.append(EmailMessage(subject=subject, body=body, to=[other.email]))
    return messages
