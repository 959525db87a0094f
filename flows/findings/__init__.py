"""The findings of the register on a date, and what the pages read of them.

Today's findings are stored (flows.findings.store), kept current by every write
(flows.findings.keeping: what a write can affect, flows.findings.scope; the evaluation,
flows.findings.refresh), so every process and worker reads the same rows, with SQL filters,
counts and paging. Another day's findings are evaluated on the fly from the register as
records (flows.loading), loaded again only when a table the rules read has changed; the
last few results are kept in this process's memory.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from threading import Lock
from typing import Any, overload

from django.db.models import Count, Q, QuerySet

from flows.engine.filters import count_by_severity, filter_findings
from flows.engine.graph import CategoryReach, Taxonomy, category_reach
from flows.engine.records import SEVERITIES, CategoryRecord, Finding, Register
from flows.engine.rules import evaluate
from flows.findings.keeping import refresh_everything
from flows.findings.store import ORDER, as_findings, stored_findings
from flows.loading import register_load, register_version
from flows.models import DataCategory, FindingsState, Flow, StoredFinding
from flows.selectors import AgreementFit, coverage_of, flow_detail
from registry.models import Party
from registry.selectors import names_by_slug
from registry.web.arguments import is_row_id


class _Memo:
    """The last few values computed for a key; a new register version evicts the rest."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.values: dict[Any, Any] = {}
        self.lock = Lock()

    def get_or_compute(self, key: Any, compute: Callable[[], Any]) -> Any:
        with self.lock:
            if key in self.values:
                return self.values[key]
        value = compute()
        with self.lock:
            self.values[key] = value
            while len(self.values) > self.size:
                self.values.pop(next(iter(self.values)))
        return value


_registers = _Memo(size=1)
_findings = _Memo(size=4)


def current_register() -> Register:
    """The register as records, loaded again only when a table changed."""
    version = register_version()
    return _registers.get_or_compute(version, register_load)


def findings_as_of(as_of: date) -> tuple[Register, list[Finding]]:
    """The register and every finding on `as_of`: today's from the store, another day's
    evaluated again only when the register changed."""
    version = register_version()
    register = _registers.get_or_compute(version, register_load)
    if as_of == date.today() and today_status(as_of).current:
        return register, stored_findings()
    findings = _findings.get_or_compute((version, as_of), lambda: evaluate(register, as_of))
    return register, findings


def forget_cached_findings() -> None:
    """Drop what is kept in memory (tests that compare fresh evaluations use it)."""
    for memo in (_registers, _findings):
        with memo.lock:
            memo.values.clear()


@dataclass(frozen=True)
class StoreStatus:
    as_of: date | None
    """The day the stored findings are for."""
    refreshing: bool
    """A full refresh waits or runs in the background: pages say so."""

    @property
    def current(self) -> bool:
        return self.as_of is not None


def today_status(today: date) -> StoreStatus:
    """Where the stored findings stand, in one query; the first request of a new day (or on
    a register never evaluated) starts their refresh: at once in a small register, else in
    the background, the pages showing yesterday's findings meanwhile."""
    row = FindingsState.objects.filter(pk=1).values_list("as_of", "refresh_requested_at").first()
    if row is None or row[0] != today:
        refresh_everything(today)
        row = (
            FindingsState.objects.filter(pk=1).values_list("as_of", "refresh_requested_at").first()
        )
    as_of, requested = row or (None, None)
    return StoreStatus(as_of=as_of, refreshing=requested is not None or as_of != today)


class _StoredPage(Sequence[Finding]):
    """Stored findings matching a query, for the paginator: counted and sliced in SQL."""

    def __init__(self, rows: QuerySet[StoredFinding]) -> None:
        self.rows = rows

    def count(self) -> int:  # type: ignore[override]  # what Paginator calls
        return self.rows.count()

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> Finding: ...
    @overload
    def __getitem__(self, index: slice) -> list[Finding]: ...
    def __getitem__(self, index: int | slice) -> Finding | list[Finding]:
        if isinstance(index, slice):
            return as_findings(self.rows[index])
        return as_findings(self.rows[index : index + 1])[0]


@dataclass(frozen=True)
class FindingList:
    as_of: date
    findings: Sequence[Finding]
    """Filtered by every criterion; for today a sequence read from the store a page at a
    time."""
    counts: list[tuple[str, int]]
    """By severity, filtered by every criterion but the severity, so the tabs stay useful."""
    refreshing: bool = False
    """Today's findings are being refreshed in the background."""


def finding_list(
    *, as_of: date, rule: str = "", severity: str = "", party: str = "", category: str = ""
) -> FindingList:
    today = date.today()
    status = today_status(today) if as_of == today else None
    if status is not None and status.current:
        rows = stored_matching(rule=rule, party=party, category=category)
        counts = dict(rows.values_list("severity").annotate(n=Count("id")).order_by())
        shown = rows.filter(severity=severity) if severity else rows
        return FindingList(
            as_of=as_of,
            findings=_StoredPage(shown),
            counts=[(s, counts.get(s, 0)) for s in SEVERITIES],
            refreshing=status.refreshing,
        )
    register, findings = findings_as_of(as_of)
    taxonomy = Taxonomy(register.categories)
    matching = filter_findings(findings, taxonomy, rule=rule, party=party, category=category)
    return FindingList(
        as_of=as_of,
        findings=filter_findings(matching, taxonomy, severity=severity) if severity else matching,
        counts=count_by_severity(matching),
    )


def stored_matching(
    *, rule: str = "", party: str = "", category: str = ""
) -> QuerySet[StoredFinding]:
    """Stored findings of that rule, about that party (source, target or a step of the
    path), carrying that category (the key, an ancestor or a descendant): the SQL twin of
    flows.engine.filters.filter_findings."""
    rows = StoredFinding.objects.all()
    if rule:
        rows = rows.filter(rule=rule)
    if party:
        rows = rows.filter(parties_text__contains=f"|{party}|")
    if category:
        related = related_categories(category)
        if not related:
            return rows.none()
        match = Q()
        for key in sorted(related):
            match |= Q(categories__contains=f"|{key}|")
        rows = rows.filter(match)
    return rows


def party_names(findings: Iterable[Finding]) -> dict[str, str]:
    """Slug -> name of the parties the findings name (as source, target or on a path), in
    one query: a page shows names, never slugs."""
    return names_by_slug(s for f in findings for s in (f.source, f.target, *f.path) if s)


CITING_LIMIT = 500
"""Findings read for an agreement's page: more than any agreement is cited by."""


def findings_citing(reference: str, as_of: date) -> list[Finding]:
    """The findings whose message names the agreement: today's from the store (a substring
    filter in SQL, then the reference matched as a whole word, so that "dpa-1" does not pick
    up "dpa-10"), another day's evaluated."""
    cited = re.compile(rf"(?<![\w-]){re.escape(reference)}(?![\w-])")
    if as_of == date.today() and today_status(as_of).current:
        rows = StoredFinding.objects.filter(message__contains=reference).order_by(*ORDER)
        candidates = as_findings(rows[:CITING_LIMIT])
    else:
        _, candidates = findings_as_of(as_of)
    return [f for f in candidates if cited.search(f.message)]


def category_names(findings: Iterable[Finding]) -> dict[str, str]:
    """Key -> name of the categories the findings carry, in one query."""
    keys = {key for f in findings for key in f.categories}
    if not keys:
        return {}
    return dict(DataCategory.objects.filter(key__in=keys).values_list("key", "name"))


def related_categories(key: str) -> set[str]:
    """The key, its ancestors and its descendants among the data categories; empty for a
    key that is no category."""
    parents = dict(DataCategory.objects.values_list("key", "parent__key"))
    if key not in parents:
        return set()
    taxonomy = Taxonomy({k: CategoryRecord(k, parent=p) for k, p in parents.items()})
    return {k for k in parents if taxonomy.related(k, key)}


@dataclass(frozen=True)
class FindingFacts:
    """A finding with the facts it was computed from, for the reviewer's page."""

    as_of: date
    findings: list[Finding]
    flow: Flow
    agreements: list[AgreementFit]
    """Every agreement naming both the source and the target, whatever its dates, with how it
    stands to the flow: those that cover it first, then those of a fitting kind, then the
    others (flows.selectors.coverage_of)."""
    uncovered: str
    """Why no agreement covers the flow; empty when one does."""
    path: list[Party]


def flow_findings(flow_id: int, as_of: date) -> list[Finding]:
    """The findings on one flow; today's read from the store alone."""
    if not is_row_id(flow_id):
        return []
    if as_of == date.today() and today_status(as_of).current:
        return as_findings(StoredFinding.objects.filter(flow_id=flow_id))
    _, findings = findings_as_of(as_of)
    return [f for f in findings if f.flow == flow_id]


def finding_facts(*, rule: str, flow_id: int, as_of: date) -> FindingFacts | None:
    matching = [f for f in flow_findings(flow_id, as_of) if f.rule == rule]
    flow = flow_detail(pk=flow_id)
    if not matching or flow is None:
        return None
    coverage = coverage_of(flow_ids=[flow_id], as_of=as_of)[flow_id]
    slugs = {slug for f in matching for slug in f.path}
    path = list(Party.objects.filter(slug__in=slugs).order_by("name")) if slugs else []
    return FindingFacts(
        as_of=as_of,
        findings=matching,
        flow=flow,
        agreements=coverage.fits,
        uncovered=coverage.uncovered,
        path=path,
    )


def category_reach_as_of(*, category: str, as_of: date) -> CategoryReach | None:
    """Where a category goes on a date; None when the register has no such category."""
    register = current_register()
    if category not in register.categories:
        return None
    return category_reach(register, category, as_of)


def category_choices() -> list[tuple[str, str]]:
    """(key, name) of every data category, by name: what a person picks from."""
    return [
        (c.key, c.name or c.key)
        for c in sorted(
            current_register().categories.values(), key=lambda c: (c.name or c.key, c.key)
        )
    ]


def category_named(text: str) -> str | None:
    """The key of the category `text` names: its key, or its name in any case."""
    text = text.strip()
    categories = current_register().categories
    if text in categories:
        return text
    folded = text.casefold()
    matches = [c.key for c in categories.values() if (c.name or "").casefold() == folded]
    return matches[0] if len(matches) == 1 else None
