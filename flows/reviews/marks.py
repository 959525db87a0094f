"""Findings marked with where they stand with legal review, for every page that lists them:
the findings list, a finding's page, the party and flow pages, the dashboard.

Today's states come from the store: the page's findings are read a page at a time and their
decisions in one query, each with the fingerprint of the stored finding it judged (a
subquery), so a page makes the same queries whatever the register's size. The findings
list, which filters and counts by state, reads every latest decision with the fingerprints
they judged (two queries: a few hundred decisions against tens of thousands of findings, as
the review queue does) and turns the state filter into SQL. Another day's findings are
evaluated, and so are their fingerprints (flows.reviews.selectors).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import overload

from django.core.paginator import Page, Paginator
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from flows.engine.records import SEVERITIES, Finding
from flows.findings import finding_list as evaluated_list
from flows.findings import findings_as_of, stored_matching, today_status
from flows.findings.store import ORDER, as_findings
from flows.models import StoredFinding
from flows.reviews.queue import Decided, decided_groups
from flows.reviews.selectors import (
    FindingKey,
    decision_record,
    latest_reviews,
    reviewed_findings,
)
from flows.reviews.states import (
    NEEDS_DECISION,
    OPEN,
    STATE_LABELS,
    STATE_TAGS,
    DecisionRecord,
    decision_state,
    state_words,
)
from registry.web.listing import PAGE_SIZE

FINDING_STATES = {
    "": "Any",
    "open": "Open (needs a decision)",
    "decided": "Decided",
    **{state: label for state, label in STATE_LABELS.items()},
}
"""The findings list's state filter: the two halves, then each state."""


@dataclass(frozen=True, slots=True)
class MarkedFinding:
    """A finding with its review state: the attributes of the finding, for the templates
    that list findings, and the state in words."""

    finding: Finding
    state: str
    decision: DecisionRecord | None

    @property
    def rule(self) -> str:
        return self.finding.rule

    @property
    def severity(self) -> str:
        return self.finding.severity

    @property
    def flow(self) -> int | None:
        return self.finding.flow

    @property
    def source(self) -> str | None:
        return self.finding.source

    @property
    def target(self) -> str | None:
        return self.finding.target

    @property
    def message(self) -> str:
        return self.finding.message

    @property
    def path(self) -> tuple[str, ...]:
        return self.finding.path

    @property
    def review(self) -> str:
        return state_words(self.state, self.decision)

    @property
    def tag(self) -> str:
        return STATE_TAGS[self.state]

    @property
    def needs_decision(self) -> bool:
        return self.state in NEEDS_DECISION


def _key(finding: Finding) -> FindingKey:
    return (finding.rule, finding.flow or 0)


def _mark(findings: Iterable[Finding], states: dict[FindingKey, Decided]) -> list[MarkedFinding]:
    marked = []
    for finding in findings:
        found = states.get(_key(finding))
        state, decision = (found.state, found.decision) if found else (OPEN, None)
        marked.append(MarkedFinding(finding, state, decision))
    return marked


def marked(findings: Sequence[Finding], as_of: date) -> list[MarkedFinding]:
    """A few findings (a page of them) with their states: for today one query, whatever
    the register's size."""
    findings = list(findings)
    if not findings:
        return []
    if as_of != date.today():
        return _marked_evaluated(findings, as_of)
    keys = {_key(f) for f in findings}
    now = StoredFinding.objects.filter(
        rule=OuterRef("rule"), flow=OuterRef("flow"), leads_group=True
    ).values("fingerprint")[:1]
    decisions = latest_reviews().filter(
        rule__in={rule for rule, _ in keys}, flow__in={flow for _, flow in keys}
    )
    states = {}
    for review in decisions.annotate(now=Subquery(now)):
        key = (review.rule, review.flow_id)
        if key in keys:
            record = decision_record(review)
            state = decision_state(record, review.now, as_of)
            states[key] = Decided(0, state, record)
    return _mark(findings, states)


def _marked_evaluated(findings: list[Finding], as_of: date) -> list[MarkedFinding]:
    """Findings of another day, their decisions' fingerprints computed from the register
    (only for the decided ones)."""
    register, _ = findings_as_of(as_of)
    states = {r.key: r for r in reviewed_findings(register, findings, as_of)}
    return [
        MarkedFinding(f, states[_key(f)].state, states[_key(f)].decision)
        if _key(f) in states
        else MarkedFinding(f, OPEN, None)
        for f in findings
    ]


def _groups(keys: Iterable[FindingKey]) -> Q:
    """Rows of these (rule, flow) groups: one condition a rule, so the SQL stays the same
    size however many flows were decided."""
    by_rule: dict[str, set[int]] = {}
    for rule, flow in keys:
        by_rule.setdefault(rule, set()).add(flow)
    condition = Q(pk__in=[])
    for rule, flows in sorted(by_rule.items()):
        condition |= Q(rule=rule, flow_id__in=sorted(flows))
    return condition


def _wanted(state: str) -> frozenset[str]:
    if state == "open":
        return NEEDS_DECISION
    if state == "decided":
        return frozenset(STATE_LABELS) - NEEDS_DECISION
    return frozenset({state}) if state in STATE_LABELS else frozenset(STATE_LABELS)


@dataclass(frozen=True)
class MarkedList:
    as_of: date
    page: Page
    """Of MarkedFinding items."""
    counts: list[tuple[str, int]]
    """By severity, filtered by every criterion but the severity."""
    open_count: int
    decided_count: int
    """Findings needing a decision and decided, filtered by every criterion but the state."""
    refreshing: bool = False


def marked_finding_list(
    *,
    as_of: date,
    rule: str = "",
    severity: str = "",
    party: str = "",
    category: str = "",
    state: str = "",
    page: str | int | None = None,
) -> MarkedList:
    """One page of the findings matching the filters, each with its review state."""
    wanted = _wanted(state)
    status = today_status(as_of) if as_of == date.today() else None
    if status is None or not status.current:
        return _evaluated(as_of, rule, severity, party, category, wanted, page)
    rows = stored_matching(rule=rule, party=party, category=category)
    # The states of every decided group, not only of those whose first row matches the
    # filters: a party on the path of a group's second finding still sees its decision.
    decided = decided_groups(StoredFinding.objects.all(), as_of)
    if wanted != frozenset(STATE_LABELS):
        # Undecided groups are open: keep them when open is wanted, else only the
        # decided groups in a wanted state.
        if OPEN in wanted:
            rows = rows.exclude(_groups(k for k, d in decided.items() if d.state not in wanted))
        else:
            rows = rows.filter(_groups(k for k, d in decided.items() if d.state in wanted))
    counts = dict(rows.values_list("severity").annotate(n=Count("id")).order_by())
    shown = rows.filter(severity=severity) if severity else rows
    settled = _groups(k for k, d in decided.items() if d.state not in NEEDS_DECISION)
    halves = stored_matching(rule=rule, party=party, category=category)
    if severity:
        halves = halves.filter(severity=severity)
    split = halves.aggregate(total=Count("id"), decided=Count("id", filter=settled))
    paged = _Rows(shown.order_by(*ORDER), decided)
    return MarkedList(
        as_of=as_of,
        page=Paginator(paged, PAGE_SIZE).get_page(page),
        counts=[(s, counts.get(s, 0)) for s in SEVERITIES],
        open_count=split["total"] - split["decided"],
        decided_count=split["decided"],
        refreshing=status.refreshing,
    )


class _Rows(Sequence[MarkedFinding]):
    """Stored findings for the paginator, counted and sliced in SQL, marked from the
    decisions already read."""

    def __init__(self, rows: QuerySet[StoredFinding], decided: dict[FindingKey, Decided]) -> None:
        self.rows, self.decided = rows, decided

    def count(self) -> int:  # type: ignore[override]  # what Paginator calls
        return self.rows.count()

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> MarkedFinding: ...
    @overload
    def __getitem__(self, index: slice) -> list[MarkedFinding]: ...
    def __getitem__(self, index: int | slice) -> MarkedFinding | list[MarkedFinding]:
        if isinstance(index, slice):
            return _mark(as_findings(self.rows[index]), self.decided)
        return _mark(as_findings(self.rows[index : index + 1]), self.decided)[0]


def _evaluated(
    as_of: date,
    rule: str,
    severity: str,
    party: str,
    category: str,
    wanted: frozenset[str],
    page: str | int | None,
) -> MarkedList:
    """Another day's findings (or today's while the store is first filled): evaluated, every
    finding marked (fingerprints only for the decided ones), filtered in Python."""
    result = evaluated_list(as_of=as_of, rule=rule, party=party, category=category)
    every = _marked_evaluated(list(result.findings), as_of)
    kept = [m for m in every if m.state in wanted]
    counts = {s: sum(1 for m in kept if m.severity == s) for s in SEVERITIES}
    in_severity = [m for m in every if not severity or m.severity == severity]
    shown = [m for m in kept if not severity or m.severity == severity]
    open_count = sum(1 for m in in_severity if m.needs_decision)
    return MarkedList(
        as_of=as_of,
        page=Paginator(shown, PAGE_SIZE).get_page(page),
        counts=[(s, counts[s]) for s in SEVERITIES],
        open_count=open_count,
        decided_count=len(in_severity) - open_count,
        refreshing=result.refreshing,
    )
