"""One day, both ways: the findings on that day and the register as recorded by then.

"As of" has two meanings a reader must not confuse. The findings take today's records and
judge them by the law of that day (the transfer tools, adequacy decisions and agreements in
force then): a flow entered last week about 2014 is judged as of 2014. The register as
recorded reads the change history: what the register itself held at the end of that day,
before any later entry or correction. The page shows both, each saying which it is, and ties
them together by flow: a finding says whether its flow was already recorded by then, a
recorded flow lists its findings of that day.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.paginator import Page, Paginator

from flows.engine.records import Finding
from flows.engine.rules import rule_title
from flows.findings import finding_list, findings_as_of, party_names, today_status
from flows.findings.store import as_findings
from flows.history.as_of import RegisterAsOf, end_of, register_as_of, versions_current_at
from flows.models import Flow, StoredFinding
from registry.web.listing import PAGE_SIZE

SECTIONS = ("findings", "parties", "agreements", "flows")
"""The sections of the page, each paged by its own `<section>_page` parameter."""


@dataclass(frozen=True)
class Mark:
    """A finding on a recorded flow, as the register's half shows it."""

    rule: str
    title: str
    severity: str


@dataclass(frozen=True)
class FindingsOn:
    day: date
    page: Page
    """Findings of today's records on `day`, worst first."""
    counts: list[tuple[str, int]]
    names: dict[str, str]
    """Slug -> name of the parties the findings shown name."""
    recorded: frozenset[int]
    """The flows of the findings shown that the register already held at the end of `day`."""
    refreshing: bool


@dataclass(frozen=True)
class AsOfDay:
    day: date
    findings: FindingsOn
    register: RegisterAsOf
    marks: dict[int, list[Mark]]
    """Flow id -> its findings on the day, for the recorded flows shown."""

    @property
    def flagged(self) -> int:
        return sum(count for _, count in self.findings.counts)


def _recorded(day: date, flow_ids: set[int]) -> frozenset[int]:
    if not flow_ids:
        return frozenset()
    rows = versions_current_at(Flow, end_of(day)).filter(id__in=flow_ids, proposed=False)
    return frozenset(rows.values_list("id", flat=True))


def findings_on(*, day: date, page: Any = None) -> FindingsOn:
    """One page of the findings on `day`: today's from the store, paged in SQL; another
    day's evaluated on the fly (flows.findings), paged in memory. A constant number of
    queries: the page, the counts, the names of its parties, which of its flows were
    recorded by then."""
    found = finding_list(as_of=day)
    shown = Paginator(found.findings, PAGE_SIZE).get_page(page)
    findings: list[Finding] = list(shown.object_list)
    flow_ids = {f.flow for f in findings if f.flow is not None}
    return FindingsOn(
        day=day,
        page=shown,
        counts=found.counts,
        names=party_names(findings),
        recorded=_recorded(day, flow_ids),
        refreshing=found.refreshing,
    )


def _findings_of(day: date, flow_ids: set[int]) -> Sequence[Finding]:
    if not flow_ids:
        return []
    if day == date.today() and today_status(day).current:
        return as_findings(StoredFinding.objects.filter(flow_id__in=flow_ids))
    _, findings = findings_as_of(day)
    return [f for f in findings if f.flow in flow_ids]


def marks_of(day: date, flows: Iterable[Flow]) -> dict[int, list[Mark]]:
    """The findings on `day` of each flow shown in the register's half (an empty list for
    a flow with none)."""
    marks: dict[int, list[Mark]] = {f.id: [] for f in flows}
    for finding in _findings_of(day, set(marks)):
        if finding.flow in marks:
            mark = Mark(finding.rule, rule_title(finding.rule), finding.severity)
            marks[finding.flow].append(mark)
    return marks


def as_of_day(*, day: date, pages: dict[str, Any] | None = None) -> AsOfDay:
    """Both halves of the "as of" page for `day`, one page of each section (`pages`:
    section -> page number)."""
    pages = pages or {}
    register = register_as_of(day=day, pages=pages)
    return AsOfDay(
        day=day,
        findings=findings_on(day=day, page=pages.get("findings")),
        register=register,
        marks=marks_of(day, register.flows.object_list),
    )
