"""Today's findings in the database: rows from findings, findings from rows, and the one
state row. Written by flows.findings.refresh only; read by every page and every worker.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from datetime import date, datetime
from itertools import islice
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from flows.engine.fingerprint import AgreementIndex, facts_snapshot, fingerprint
from flows.engine.records import Finding, FlowRecord, Register, severity_rank
from flows.models import FindingsState, StoredFinding

_BATCH = 2000
"""Rows per INSERT or DELETE: well under SQLite's limit on bound variables."""

_COMPARED = (
    "rule", "severity", "flow_id", "source", "target", "categories", "path", "message",
    "citation", "remedy", "fingerprint", "flow_started_on",
)  # fmt: skip
"""The columns that make two stored findings the same."""

ORDER = ("severity_rank", "rule", "flow_id", "id")
"""The engine's order of findings (Finding.sort_key), as the rows are written."""

GroupKey = tuple[str, int]
"""(rule, flow id): the findings a review decision covers, written and compared together."""


def state() -> FindingsState:
    found, _ = FindingsState.objects.get_or_create(pk=1)
    return found


def state_locked() -> FindingsState:
    """The state row, locked until the transaction ends: on PostgreSQL, writers of stored
    findings take turns, each then reading what the one before committed (SQLite lets one
    writer at a time in any case)."""
    state()
    return FindingsState.objects.select_for_update().get(pk=1)


def group_fingerprint(
    register: Register, flow: FlowRecord, group: Iterable[Finding], index: AgreementIndex
) -> str:
    """The fingerprint of the facts behind the findings of one (rule, flow): what a review
    decision stores and compares (flows.reviews)."""
    path = {slug for finding in group for slug in finding.path}
    return fingerprint(facts_snapshot(flow, register.parties, index, path))


def _grouped(findings: Iterable[Finding]) -> dict[GroupKey, list[Finding]]:
    groups: dict[GroupKey, list[Finding]] = {}
    for finding in sorted(findings, key=Finding.sort_key):
        if finding.flow is not None:  # every rule reports on a flow
            groups.setdefault((finding.rule, finding.flow), []).append(finding)
    return groups


def _row_values(finding: Finding, print_: str, started_on: date) -> tuple[Any, ...]:
    """The compared columns of a finding's row, in the order of _COMPARED."""
    return (
        finding.rule,
        finding.severity,
        finding.flow,
        finding.source or "",
        finding.target or "",
        joined(finding.categories),
        joined(finding.path),
        finding.message,
        finding.citation,
        finding.remedy,
        print_,
        started_on,
    )


def store_replace(
    *,
    register: Register,
    findings: Iterable[Finding],
    flow_ids: Collection[int] | None,
    now: datetime | None = None,
) -> tuple[int, int]:
    """Make the stored findings of `flow_ids` (of every flow when None) the given ones.

    Only the (rule, flow) groups that differ are rewritten, so that a daily refresh of a
    quiet register writes little. Returns (groups written, groups removed).
    """
    now = now or timezone.now()
    new = _grouped(findings)
    flows = {flow.id: flow for flow in register.flows} if new else {}
    index = AgreementIndex(register.agreements, register.engagements)
    wanted: dict[GroupKey, list[tuple[Any, ...]]] = {}
    for key, group in new.items():
        flow = flows[key[1]]
        print_ = group_fingerprint(register, flow, group, index)
        wanted[key] = [_row_values(finding, print_, flow.started_on) for finding in group]
    stored = StoredFinding.objects.all()
    if flow_ids is not None:
        stored = _for_flows(stored, flow_ids)
    existing: dict[GroupKey, list[tuple[Any, ...]]] = {}
    ids: dict[GroupKey, list[int]] = {}
    for row in stored.order_by("id").values_list("id", *_COMPARED):
        key = (row[1], row[3])
        existing.setdefault(key, []).append(row[1:])
        ids.setdefault(key, []).append(row[0])
    stale = [key for key, rows in existing.items() if wanted.get(key) != rows]
    fresh = [key for key, rows in wanted.items() if existing.get(key) != rows]
    for batch in _batches(row_id for key in stale for row_id in ids[key]):
        StoredFinding.objects.filter(id__in=batch).delete()
    rows = (
        _stored(values, now, leads=position == 0)
        for key in sorted(fresh, key=lambda k: new[k][0].sort_key())
        for position, values in enumerate(wanted[key])
    )
    for batch in _batches(rows):
        StoredFinding.objects.bulk_create(batch)
    return len(fresh), len(set(stale) - set(fresh))


def _stored(values: tuple[Any, ...], now: datetime, *, leads: bool) -> StoredFinding:
    row = StoredFinding(
        **dict(zip(_COMPARED, values, strict=True)), computed_at=now, leads_group=leads
    )
    row.severity_rank = severity_rank(row.severity)
    row.parties_text = joined(sorted({row.source, row.target, *split(row.path)}))
    return row


def joined(keys: Iterable[str]) -> str:
    """Keys as `|a|b|` (in their order), "" for none."""
    text = "|".join(keys)
    return f"|{text}|" if text else ""


def split(text: str) -> tuple[str, ...]:
    """The keys of a `joined` text."""
    return tuple(text[1:-1].split("|")) if text else ()


def _for_flows(rows: QuerySet[StoredFinding], flow_ids: Collection[int]) -> QuerySet[StoredFinding]:
    return rows.filter(flow_id__in=list(flow_ids))


def _batches(items: Iterable[Any]) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(islice(iterator, _BATCH)):
        yield batch


_FINDING_COLUMNS = (
    "rule", "severity", "message", "citation", "remedy", "flow_id", "source", "target",
    "categories", "path",
)  # fmt: skip
"""The columns of a Finding, in the order of its fields."""


def as_findings(rows: QuerySet[StoredFinding]) -> list[Finding]:
    """Stored rows back as the engine's findings, in the rows' order (read as values: tens of
    thousands of model instances would cost more than the query)."""
    return [
        Finding(rule, severity, message, citation, remedy, flow, source, target,
                split(categories), split(path))
        for rule, severity, message, citation, remedy, flow, source, target, categories, path
        in rows.values_list(*_FINDING_COLUMNS)
    ]  # fmt: skip


def stored_findings() -> list[Finding]:
    """Every stored finding, in the engine's order."""
    return as_findings(StoredFinding.objects.order_by(*ORDER))


def stored_day() -> date | None:
    """The day the stored findings are for; None before the first refresh."""
    return FindingsState.objects.filter(pk=1).values_list("as_of", flat=True).first()
