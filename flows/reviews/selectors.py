"""Reads for legal review: each finding with its decision state, the queue, the counts.

Decisions are not part of the cached findings (flows.findings): the findings come
from the cache and the latest decisions are read in one query each time, so a decision shows
at once and never forces the rules to run again.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from flows.choices import ReviewDecision
from flows.engine.filters import filter_findings
from flows.engine.fingerprint import (
    AgreementIndex,
    FactChange,
    Snapshot,
    diff_snapshots,
    facts_snapshot,
    fingerprint,
)
from flows.engine.graph import Taxonomy
from flows.engine.records import Finding, FlowRecord, Register, severity_rank
from flows.findings import findings_as_of
from flows.reviews.models import Review
from flows.reviews.states import (
    EXPIRED,
    LAPSED,
    NEEDS_DECISION,
    OPEN,
    SETTLED,
    STATE_LABELS,
    DecisionRecord,
    decision_state,
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
        .select_related("decided_by", "assignee")
    )


def _record(review: Review) -> DecisionRecord:
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
        flow, register.parties, index or AgreementIndex(register.agreements), path
    )


def reviewed_findings(
    register: Register, findings: list[Finding], as_of: date
) -> list[ReviewedFinding]:
    """Every (rule, flow) of `findings`, in their order, with its decision state.

    Fingerprints are computed only for findings that have a decision.
    """
    decisions = {(r.rule, r.flow_id): _record(r) for r in latest_reviews()}
    flows = {f.id: f for f in register.flows} if decisions or findings else {}
    index: AgreementIndex | None = None
    result = []
    for key, group in group_findings(findings).items():
        decision = decisions.get(key)
        flow = flows.get(key[1])
        now = None
        if decision is not None and flow is not None:
            index = index or AgreementIndex(register.agreements)
            now = fingerprint(snapshot_for(register, flow, group, index))
        state = decision_state(decision, now, as_of)
        result.append(
            ReviewedFinding(key, group, state, decision, _open_since(state, decision, flow), flow)
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
    "change_requested": "Change requested",
    "accepted": "Risk accepted",
    "waived": "Waived",
    "all": "All",
}


@dataclass(frozen=True)
class ReviewQueue:
    as_of: date
    register: Register
    items: list[ReviewedFinding]
    counts: list[tuple[str, str, int]] = field(default_factory=list)
    """(state, label, count) over every finding matching the rule, party and category
    filters, states with none left out."""


def _state_matches(item: ReviewedFinding, state: str) -> bool:
    if state in ("", "needs_decision"):
        return item.needs_decision
    return state == "all" or item.state == state


def review_queue(
    *, as_of: date, rule: str = "", party: str = "", category: str = "", state: str = ""
) -> ReviewQueue:
    """Findings by severity, the longest-waiting first; by default those needing a decision."""
    register, findings = findings_as_of(as_of)
    matching = filter_findings(
        findings, Taxonomy(register.categories), rule=rule, party=party, category=category
    )
    items = reviewed_findings(register, matching, as_of)
    counts = Counter(item.state for item in items)
    shown = [item for item in items if _state_matches(item, state)]
    shown.sort(key=lambda i: (severity_rank(i.severity), _day(i.open_since), i.key))
    labelled = [(s, label, counts[s]) for s, label in STATE_LABELS.items() if counts.get(s)]
    return ReviewQueue(as_of=as_of, register=register, items=shown, counts=labelled)


def _day(value: date | datetime | None) -> date:
    if isinstance(value, datetime):
        return value.date()
    return value or date.min


@dataclass(frozen=True)
class ReviewCounts:
    needs_decision: int
    decided: int
    by_state: list[tuple[str, str, int]]


def review_counts(*, as_of: date) -> ReviewCounts:
    """Open against decided findings, for the dashboard."""
    register, findings = findings_as_of(as_of)
    counts = Counter(item.state for item in reviewed_findings(register, findings, as_of))
    needs = sum(n for s, n in counts.items() if s in NEEDS_DECISION)
    return ReviewCounts(
        needs_decision=needs,
        decided=sum(counts.values()) - needs,
        by_state=[(s, STATE_LABELS[s], counts.get(s, 0)) for s in STATE_LABELS],
    )


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


def review_page(*, rule: str, flow_id: int, as_of: date) -> ReviewPage | None:
    register, findings = findings_as_of(as_of)
    group = [f for f in findings if f.rule == rule and f.flow == flow_id]
    if not group:
        return None
    [item] = reviewed_findings(register, group, as_of)
    snapshot = snapshot_for(register, item.flow, group) if item.flow else {}
    history = list(
        Review.objects.filter(rule=rule, flow_id=flow_id).select_related("decided_by", "assignee")
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
    }
