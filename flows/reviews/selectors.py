"""Reads for legal review: each finding with its decision state, the queue, the counts.

Decisions are not part of the cached findings (flows.findings): the findings come
from the cache and the latest decisions are read in one query each time, so a decision shows
at once and never forces the rules to run again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from flows.choices import ReviewDecision
from flows.engine.fingerprint import (
    AgreementIndex,
    FactChange,
    Snapshot,
    diff_snapshots,
    facts_snapshot,
    fingerprint,
)
from flows.engine.records import Finding, FlowRecord, Register
from flows.findings import findings_as_of
from flows.reviews.models import Review, ReviewConfirmation
from flows.reviews.states import (
    AWAITING,
    EXPIRED,
    LAPSED,
    NEEDS_DECISION,
    OPEN,
    REFUSED,
    SETTLED,
    STATE_LABELS,
    STATE_TAGS,
    DecisionRecord,
    decision_state,
    state_words,
)

FindingKey = tuple[str, int]
"""(rule, flow id): a decision covers every finding of one rule on one flow."""


def latest_reviews() -> QuerySet[Review]:
    """The latest decision on each (rule, flow), in one query."""
    newer = Review.objects.filter(rule=OuterRef("rule"), flow=OuterRef("flow")).filter(
        Q(decided_at__gt=OuterRef("decided_at"))
        | Q(decided_at=OuterRef("decided_at"), id__gt=OuterRef("id"))
    )
    return (
        Review.objects.annotate(superseded=Exists(newer))
        .filter(superseded=False)
        .select_related("decided_by", "assignee", "confirmation__decided_by")
    )


def person(user: Any) -> str:
    """What people read for a user: the full name, else the user name."""
    return str(user.get_full_name() or user.get_username())


def confirmation_of(review: Review) -> ReviewConfirmation | None:
    try:
        return review.confirmation
    except ReviewConfirmation.DoesNotExist:
        return None


def decision_record(review: Review) -> DecisionRecord:
    second = confirmation_of(review)
    return DecisionRecord(
        id=review.pk,
        rule=review.rule,
        flow=review.flow_id,
        decision=review.decision,
        reason=review.reason,
        decided_by=review.decided_by.get_username(),
        decided_at=review.decided_at,
        fingerprint=review.fingerprint,
        review_by=review.review_by,
        assignee=review.assignee.get_username() if review.assignee else "",
        decided_by_name=person(review.decided_by),
        assignee_name=person(review.assignee) if review.assignee else "",
        needs_second=review.needs_second_reviewer,
        second_by=second.decided_by.get_username() if second else "",
        second_by_name=person(second.decided_by) if second else "",
        second_confirmed=second.confirmed if second else False,
        second_reason=second.reason if second else "",
        second_at=second.decided_at if second else None,
    )


@dataclass(frozen=True)
class ReviewedFinding:
    """The findings of one rule on one flow, with where they stand with legal review."""

    key: FindingKey
    findings: list[Finding]
    state: str
    decision: DecisionRecord | None
    open_since: date | datetime | None
    flow: FlowRecord | None
    reference: str = ""
    """The flow's reference, for lists that do not load the flow's record."""

    @property
    def first(self) -> Finding:
        return self.findings[0]

    @property
    def severity(self) -> str:
        return self.first.severity

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def tag(self) -> str:
        return STATE_TAGS[self.state]

    @property
    def key_text(self) -> str:
        """`RULE:flow id`, the value of the queue's tick box."""
        return f"{self.key[0]}:{self.key[1]}"

    @property
    def state_words(self) -> str:
        return state_words(self.state, self.decision)

    @property
    def decision_label(self) -> str:
        if self.decision is None:
            return ""
        return dict(ReviewDecision.choices).get(self.decision.decision, self.decision.decision)

    @property
    def needs_decision(self) -> bool:
        return self.state in NEEDS_DECISION


def group_findings(findings: list[Finding]) -> dict[FindingKey, list[Finding]]:
    grouped: dict[FindingKey, list[Finding]] = {}
    for finding in findings:
        if finding.flow is not None:
            grouped.setdefault((finding.rule, finding.flow), []).append(finding)
    return grouped


def snapshot_for(
    register: Register,
    flow: FlowRecord,
    findings: list[Finding],
    index: AgreementIndex | None = None,
) -> Snapshot:
    path = {slug for f in findings for slug in f.path}
    return facts_snapshot(
        flow,
        register.parties,
        index or AgreementIndex(register.agreements, register.engagements),
        path,
    )


def reviewed_findings(
    register: Register, findings: list[Finding], as_of: date
) -> list[ReviewedFinding]:
    """Every (rule, flow) of `findings`, in their order, with its decision state.

    Fingerprints are computed only for findings that have a decision.
    """
    decisions = {(r.rule, r.flow_id): decision_record(r) for r in latest_reviews()}
    flows = {f.id: f for f in register.flows} if decisions or findings else {}
    index: AgreementIndex | None = None
    result = []
    for key, group in group_findings(findings).items():
        decision = decisions.get(key)
        flow = flows.get(key[1])
        now = None
        if decision is not None and flow is not None:
            index = index or AgreementIndex(register.agreements, register.engagements)
            now = fingerprint(snapshot_for(register, flow, group, index))
        state = decision_state(decision, now, as_of)
        result.append(
            ReviewedFinding(
                key,
                group,
                state,
                decision,
                _open_since(state, decision, flow),
                flow,
                flow.reference if flow else "",
            )
        )
    return result


def _open_since(
    state: str, decision: DecisionRecord | None, flow: FlowRecord | None
) -> date | datetime | None:
    """Since when the finding has waited: the decision that lapsed, the review-by date that
    passed, else the start of the flow."""
    if state == LAPSED and decision is not None:
        return decision.decided_at.date()
    if state == EXPIRED and decision is not None:
        return decision.review_by
    if state == REFUSED and decision is not None and decision.second_at is not None:
        return decision.second_at.date()
    return flow.started_on if flow is not None else None


def decision_states(
    register: Register, findings: list[Finding], as_of: date
) -> dict[FindingKey, ReviewedFinding]:
    return {item.key: item for item in reviewed_findings(register, findings, as_of)}


def settled_keys(register: Register, findings: list[Finding], as_of: date) -> set[FindingKey]:
    """(rule, flow) whose findings are accepted or waived, with the facts unchanged."""
    return {
        item.key for item in reviewed_findings(register, findings, as_of) if item.state in SETTLED
    }


QUEUE_STATES = {
    "needs_decision": "Needs a decision",
    AWAITING: "Awaiting a second reviewer",
    "change_requested": "Change requested",
    "accepted": "Risk accepted",
    "waived": "Waived",
    "all": "All",
}


@dataclass(frozen=True)
class ReviewPage:
    """Everything the page of one finding under review shows."""

    as_of: date
    item: ReviewedFinding
    snapshot: Snapshot
    changes: list[FactChange]
    """What changed since the latest decision (empty without one)."""
    history: list[Review]
    names: dict[str, str]

    @property
    def history_rows(self) -> list[HistoryRow]:
        """Each decision with its second reviewer's answer, as people read them."""
        rows = []
        for review in self.history:
            second = confirmation_of(review)
            rows.append(
                HistoryRow(
                    review=review,
                    confirmation=second,
                    by=person(review.decided_by),
                    assignee=person(review.assignee) if review.assignee else "",
                    second=person(second.decided_by) if second else "",
                )
            )
        return rows


@dataclass(frozen=True)
class HistoryRow:
    review: Review
    confirmation: ReviewConfirmation | None
    by: str
    assignee: str
    second: str


def review_page(*, rule: str, flow_id: int, as_of: date) -> ReviewPage | None:
    register, findings = findings_as_of(as_of)
    group = [f for f in findings if f.rule == rule and f.flow == flow_id]
    if not group:
        return None
    [item] = reviewed_findings(register, group, as_of)
    snapshot = snapshot_for(register, item.flow, group) if item.flow else {}
    history = list(
        Review.objects.filter(rule=rule, flow_id=flow_id).select_related(
            "decided_by", "assignee", "confirmation__decided_by"
        )
    )
    changes = diff_snapshots(history[0].facts, snapshot) if history else []
    return ReviewPage(
        as_of=as_of,
        item=item,
        snapshot=snapshot,
        changes=changes,
        history=history,
        names={slug: p.name for slug, p in register.parties.items()},
    )


def decision_json(item: ReviewedFinding | None) -> dict[str, Any]:
    """The decision state of a finding for check_flows' JSON."""
    if item is None or item.decision is None:
        return {"state": OPEN}
    d = item.decision
    return {
        "state": item.state,
        "decision": d.decision,
        "reason": d.reason,
        "decided_by": d.decided_by,
        "decided_at": d.decided_at.isoformat(),
        "review_by": d.review_by.isoformat() if d.review_by else None,
        "assignee": d.assignee or None,
        "needs_second_reviewer": d.needs_second,
        "second_reviewer": d.second_by or None,
        "second_reviewer_confirmed": d.second_confirmed if d.second_by else None,
    }
