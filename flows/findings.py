"""The findings of the register on a date, and what the pages read of them.

The register is loaded (flows.loading) and evaluated (flows.engine) again only when a table
the rules read has changed; the last few results are kept in this process's memory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from threading import Lock
from typing import Any

from django.db import connections
from django.db.models import Model

from flows.engine.filters import count_by_severity, filter_findings
from flows.engine.graph import CategoryReach, Taxonomy, category_reach
from flows.engine.records import Finding, Register
from flows.engine.rules import evaluate
from flows.loading import register_load
from flows.models import (
    AdequacyDecision,
    DataCategory,
    Flow,
    MechanismValidity,
    Purpose,
    ZoneMembership,
)
from flows.selectors import flow_detail
from registry.models import Agreement, Party

_TRACKED_MODELS: tuple[type[Model], ...] = (
    Party, Agreement, Flow, DataCategory, Purpose, ZoneMembership, AdequacyDecision,
    MechanismValidity,
)  # fmt: skip


def register_version() -> tuple[Any, ...]:
    """A fingerprint of everything the rules read, in one query.

    Row counts catch inserts and deletes, the latest `updated_at` catches edits (services
    and the admin save the owner of a changed many-to-many set, which touches it).
    """
    parts = []
    for model in _TRACKED_MODELS:
        table = connections["default"].ops.quote_name(model._meta.db_table)
        parts.append(f"(SELECT COUNT(*) FROM {table}), (SELECT MAX(updated_at) FROM {table})")
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        return tuple(cursor.fetchone())


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
    """The register and every finding on `as_of`, recomputed only when the register changed."""
    version = register_version()
    register = _registers.get_or_compute(version, register_load)
    findings = _findings.get_or_compute((version, as_of), lambda: evaluate(register, as_of))
    return register, findings


def forget_cached_findings() -> None:
    """Drop what is kept in memory (tests that compare fresh evaluations use it)."""
    for memo in (_registers, _findings):
        with memo.lock:
            memo.values.clear()


@dataclass(frozen=True)
class FindingList:
    as_of: date
    register: Register
    findings: list[Finding]
    """Filtered by every criterion."""
    counts: list[tuple[str, int]]
    """By severity, filtered by every criterion but the severity, so the tabs stay useful."""


def finding_list(
    *, as_of: date, rule: str = "", severity: str = "", party: str = "", category: str = ""
) -> FindingList:
    register, findings = findings_as_of(as_of)
    taxonomy = Taxonomy(register.categories)
    matching = filter_findings(findings, taxonomy, rule=rule, party=party, category=category)
    return FindingList(
        as_of=as_of,
        register=register,
        findings=filter_findings(matching, taxonomy, severity=severity) if severity else matching,
        counts=count_by_severity(matching),
    )


@dataclass(frozen=True)
class FindingFacts:
    """A finding with the facts it was computed from, for the reviewer's page."""

    as_of: date
    findings: list[Finding]
    flow: Flow
    agreements: list[Agreement]
    """Every agreement that binds both the source and the target, whatever its dates."""
    path: list[Party]


def finding_facts(*, rule: str, flow_id: int, as_of: date) -> FindingFacts | None:
    _, findings = findings_as_of(as_of)
    matching = [f for f in findings if f.rule == rule and f.flow == flow_id]
    flow = flow_detail(pk=flow_id)
    if not matching or flow is None:
        return None
    agreements = list(
        Agreement.objects.filter(parties=flow.source_id)
        .filter(parties=flow.target_id)
        .prefetch_related("parties", "categories")
        .order_by("reference")
    )
    slugs = {slug for f in matching for slug in f.path}
    path = list(Party.objects.filter(slug__in=slugs).order_by("name")) if slugs else []
    return FindingFacts(as_of=as_of, findings=matching, flow=flow, agreements=agreements, path=path)


def category_reach_as_of(*, category: str, as_of: date) -> CategoryReach | None:
    """Where a category goes on a date; None when the register has no such category."""
    register = current_register()
    if category not in register.categories:
        return None
    return category_reach(register, category, as_of)


def category_keys() -> list[str]:
    return sorted(current_register().categories)
