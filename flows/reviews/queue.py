"""Today's review queue and its counts, read from the stored findings a page at a time.

Each stored finding carries the fingerprint of the facts behind it (flows.findings.store),
so a decision's state needs no evaluation: the latest decisions (a few hundred, against tens
of thousands of findings) are read in one query and compared with the fingerprints of the
findings they concern; every other finding is open. The queue is then a SQL query over the
stored findings, filtered, ordered and paginated; each page makes the same few queries
whatever the register's size.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Case, DateField, F, QuerySet, Value, When

from flows.engine.records import Finding
from flows.findings import stored_matching, today_status
from flows.findings.store import ORDER, as_findings
from flows.models import Flow, StoredFinding
from flows.reviews.selectors import FindingKey, ReviewedFinding, decision_record, latest_reviews
from flows.reviews.states import (
    EXPIRED,
    LAPSED,
    NEEDS_DECISION,
    OPEN,
    REFUSED,
    STATE_LABELS,
    DecisionRecord,
    decision_state,
)
from registry.web.listing import PAGE_SIZE

_WAITING_AGAIN = (LAPSED, EXPIRED, REFUSED)
"""States whose wait starts again at an event of the decision, not at the flow's start."""


@dataclass(frozen=True, slots=True)
class Decided:
    row_id: int
    """The stored finding that leads the group."""
    state: str
    decision: DecisionRecord


def decided_groups(rows: QuerySet[StoredFinding], as_of: date) -> dict[FindingKey, Decided]:
    """The (rule, flow) groups among `rows` that have a decision, with their state, in two
    queries: the latest decisions, and the fingerprints of the findings they concern."""
    decisions = {(r.rule, r.flow_id): decision_record(r) for r in latest_reviews()}
    if not decisions:
        return {}
    leads = rows.filter(leads_group=True, flow_id__in={flow for _, flow in decisions})
    found = {}
    for row_id, rule, flow, print_ in leads.values_list("id", "rule", "flow_id", "fingerprint"):
        decision = decisions.get((rule, flow))
        if decision is not None:
            state = decision_state(decision, print_, as_of)
            found[(rule, flow)] = Decided(row_id, state, decision)
    return found


def _state_counts(leads: QuerySet[StoredFinding], decided: dict[FindingKey, Decided]) -> Counter:
    counts = Counter(d.state for d in decided.values())
    counts[OPEN] += leads.count() - len(decided)
    return counts


@dataclass(frozen=True)
class ReviewQueue:
    as_of: date
    page: Page
    """Of ReviewedFinding items."""
    counts: list[tuple[str, str, int]]
    """(state, label, count) over every finding matching the rule, party and category
    filters, states with none left out."""
    refreshing: bool = False
    """Today's findings are being refreshed in the background."""

    @property
    def items(self) -> list[ReviewedFinding]:
        return list(self.page.object_list)


def _wanted(state: str, assignee: str = "") -> frozenset[str]:
    if state == "all" or (assignee and not state):
        # What is assigned to someone is shown whatever became of it.
        return frozenset(STATE_LABELS)
    if state in ("", "needs_decision"):
        return NEEDS_DECISION
    return frozenset({state})


def review_queue(
    *,
    as_of: date,
    rule: str = "",
    party: str = "",
    category: str = "",
    state: str = "",
    severity: str = "",
    assignee: str = "",
    waiting_days: int | None = None,
    page: str | int | None = None,
) -> ReviewQueue:
    """Today's findings by severity, the longest-waiting first; by default those needing a
    decision. One page of them.

    `assignee` (a user name) keeps the change requests assigned to that editor, in any
    state unless `state` says one; `waiting_days` the findings that have waited longer."""
    status = today_status(as_of)  # a new day's first request starts the refresh
    leads = stored_matching(rule=rule, party=party, category=category).filter(leads_group=True)
    if severity:
        leads = leads.filter(severity=severity)
    decided = decided_groups(leads, as_of)
    if assignee:
        decided = {k: d for k, d in decided.items() if d.decision.assignee == assignee}
        leads = leads.filter(id__in=[d.row_id for d in decided.values()])
    counts = _state_counts(leads, decided)
    wanted = _wanted(state, assignee)
    if OPEN in wanted:
        shown = leads.exclude(id__in=[d.row_id for d in decided.values() if d.state not in wanted])
    else:
        shown = leads.filter(id__in=[d.row_id for d in decided.values() if d.state in wanted])
    # Waiting since: the decision that lapsed, the review-by date that passed, the refusal,
    # else the start of the flow (reviews.selectors._open_since, in SQL).
    since = [
        When(id=d.row_id, then=Value(_since(d)))
        for d in decided.values()
        if d.state in _WAITING_AGAIN and d.state in wanted
    ]
    waiting = Case(*since, default=F("flow_started_on"), output_field=DateField())
    # Usually no decision has lapsed: the plain order then reads the queue's index.
    ordered = (
        shown.annotate(waiting=waiting).order_by("severity_rank", "waiting", "rule", "flow_id")
        if since
        else shown.order_by("severity_rank", "flow_started_on", "rule", "flow_id")
    )
    paginator: Paginator[Any]
    if waiting_days is not None:
        # Counted in SQL: the state counts do not know how long each finding waited.
        cutoff = as_of - timedelta(days=waiting_days)
        paginator = Paginator(ordered.annotate(waited=waiting).filter(waited__lt=cutoff), PAGE_SIZE)
    else:
        count = sum(n for s, n in counts.items() if s in wanted)
        paginator = _Counted(ordered, PAGE_SIZE, count)
    rows_page = paginator.get_page(page)
    items = _items(list(rows_page.object_list), decided)
    shown_page: Page[ReviewedFinding] = Page(items, rows_page.number, rows_page.paginator)
    labelled = [(s, label, counts[s]) for s, label in STATE_LABELS.items() if counts.get(s)]
    return ReviewQueue(as_of=as_of, page=shown_page, counts=labelled, refreshing=status.refreshing)


class _Counted(Paginator):
    """A paginator told its count: the state counts already hold it, and counting the
    queue again would cost a scan of every stored finding."""

    def __init__(self, rows: QuerySet[StoredFinding], per_page: int, count: int) -> None:
        super().__init__(rows, per_page)
        self._count = count

    @cached_property
    def count(self) -> int:
        return self._count


def _since(decided: Decided) -> date | None:
    """When a decided finding started waiting again: its decision lapsed, its review-by
    date passed, or a second reviewer refused the acceptance."""
    if decided.state == LAPSED:
        return decided.decision.decided_at.date()
    if decided.state == REFUSED and decided.decision.second_at is not None:
        return decided.decision.second_at.date()
    return decided.decision.review_by


def _items(leads: list[StoredFinding], decided: dict[FindingKey, Decided]) -> list[ReviewedFinding]:
    """The page's groups as ReviewedFindings, with every finding of each group: two
    queries (the groups' rows, their flows)."""
    flows = {lead.flow_id for lead in leads}
    groups: dict[FindingKey, list[Finding]] = {}
    rows = StoredFinding.objects.filter(flow_id__in=flows, rule__in={r.rule for r in leads})
    for finding in as_findings(rows.order_by(*ORDER)):
        groups.setdefault((finding.rule, finding.flow or 0), []).append(finding)
    facts = {
        pk: (reference, started)
        for pk, reference, started in Flow.objects.filter(id__in=flows).values_list(
            "id", "reference", "started_on"
        )
    }
    items = []
    for lead in leads:
        key = (lead.rule, lead.flow_id)
        reference, started = facts[lead.flow_id]
        found = decided.get(key)
        state, decision = (found.state, found.decision) if found else (OPEN, None)
        since = _since(found) if found and state in _WAITING_AGAIN else started
        group = groups[key]
        items.append(ReviewedFinding(key, group, state, decision, since, None, reference))
    return items


@dataclass(frozen=True)
class ReviewCounts:
    needs_decision: int
    decided: int
    by_state: list[tuple[str, str, int]]


def review_counts(*, as_of: date) -> ReviewCounts:
    """Open against decided findings today, for the dashboard."""
    leads = StoredFinding.objects.filter(leads_group=True)
    counts = _state_counts(leads, decided_groups(leads, as_of))
    needs = sum(n for s, n in counts.items() if s in NEEDS_DECISION)
    return ReviewCounts(
        needs_decision=needs,
        decided=sum(counts.values()) - needs,
        by_state=[(s, STATE_LABELS[s], counts.get(s, 0)) for s in STATE_LABELS],
    )


def decision_states_today(as_of: date) -> dict[FindingKey, ReviewedFinding]:
    """The decided (rule, flow) groups of today's stored findings, with their state; every
    other group is open. For check_flows, which reads today's findings from the store."""
    decided = decided_groups(StoredFinding.objects.all(), as_of)
    return {
        key: ReviewedFinding(key, [], d.state, d.decision, None, None) for key, d in decided.items()
    }
