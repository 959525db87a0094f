"""The whole register as records, and the findings the rules draw from it.

The pure core (rules, graph) works on records; this module turns database rows into records
once, in a fixed handful of queries, and keeps the last few results in memory keyed by a
fingerprint of the tables, so pages that show findings do not re-evaluate an unchanged
register.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import chain
from threading import Lock
from typing import Any

from django.db import connections
from django.db.models import CharField, Model, QuerySet
from django.db.models.functions import Cast

from flows.engine.filters import count_by_severity, filter_findings
from flows.engine.graph import CategoryReach, Taxonomy, category_reach
from flows.engine.records import (
    AdequacyRecord,
    AgreementRecord,
    CategoryRecord,
    Finding,
    FlowRecord,
    MechanismRecord,
    PartyRecord,
    PurposeRecord,
    Register,
    ZoneRecord,
)
from flows.engine.rows import (
    AGREEMENT_COLUMNS,
    AGREEMENT_DATES,
    FLOW_COLUMNS,
    FLOW_DATES,
    agreement_records,
    flow_records,
    grouped_links,
)
from flows.engine.rules import evaluate
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


# Columns in the order of the record's fields, so that rows map onto records positionally:
# over 100,000 rows, keyword arguments and Django's per-value converters cost more than the
# query itself (measured: 3.0 s down to 1.6 s for the whole load).
_PARTY_COLUMNS = (
    "slug", "name", "relationship", "country", "processing_countries", "parent_id",
    "engaged_by_id", "status", "dpf_certified_until", "pci_attested_on", "legal_name", "id",
)  # fmt: skip
_BATCH_ROWS = 5000


def register_load() -> Register:
    """The whole register as records for the rules, in a fixed handful of queries.

    Reads raw rows rather than model instances: over 100,000 flows that is several times
    faster, and the core needs nothing else.
    """
    party_rows = list(_raw_rows(Party.objects.values_list(*_PARTY_COLUMNS)))
    slug_by_id = {row[-1]: row[0] for row in party_rows}
    parties = {
        row[0]: PartyRecord(
            *row[:4], _countries(row[4]), slug_by_id.get(row[5]), slug_by_id.get(row[6]), *row[7:]
        )
        for row in party_rows
    }
    # The taxonomy is small: the ORM's converters (booleans on SQLite) cost nothing here.
    category_rows = DataCategory.objects.values_list(
        "id", "key", "name", "parent__key", "special_category", "criminal", "children",
        "payment_card", "credentials",
    )  # fmt: skip
    key_by_id = {row[0]: row[1] for row in category_rows}
    categories = {row[1]: CategoryRecord(*row[1:]) for row in category_rows}
    purpose_rows = Purpose.objects.values_list("id", "key", "name", "parent__key", "sale_or_share")
    purpose_key_by_id = {row[0]: row[1] for row in purpose_rows}
    purposes = {row[1]: PurposeRecord(*row[1:]) for row in purpose_rows}
    agreements = _agreement_records(slug_by_id, key_by_id)
    reference_by_id = {a.id: a.reference for a in agreements}
    return Register(
        parties=parties,
        flows=_flow_records(slug_by_id, key_by_id, purpose_key_by_id, reference_by_id),
        agreements=agreements,
        categories=categories,
        purposes=purposes,
        zones=tuple(
            ZoneRecord(*row)
            for row in ZoneMembership.objects.values_list(
                "regime", "country", "valid_from", "valid_to"
            )
        ),
        adequacy=tuple(
            AdequacyRecord(*row)
            for row in AdequacyDecision.objects.values_list(
                "regime", "country", "valid_from", "valid_to", "scope", "instrument"
            )
        ),
        mechanisms=tuple(
            MechanismRecord(*row)
            for row in MechanismValidity.objects.values_list(
                "regime", "mechanism", "valid_from", "valid_to", "citation"
            )
        ),
    )


def _countries(stored: str) -> tuple[str, ...]:
    """CountryField(multiple=True) stores codes comma-separated."""
    return tuple(stored.split(",")) if stored else ()


def _raw_rows(queryset: QuerySet[Any]) -> Iterator[tuple[Any, ...]]:
    """The rows of a values_list queryset, without Django's per-value converters.

    Only for columns whose raw values are already what the records hold: integers,
    strings, dates (both the SQLite and the PostgreSQL drivers return dates), booleans
    (SQLite gives 0/1: wrap them in bool()).

    Rows come in batches rather than in one list: each batch is dropped once its records are
    built, so the next reuses its memory (for 100,000 flows, half the page faults). Batches,
    not single rows: psycopg fetches a batch in one call, a row at a time in Python; and
    chain() hands the rows of a batch on in C, where a generator would resume once a row.
    """
    return chain.from_iterable(_raw_batches(queryset))


def _raw_batches(queryset: QuerySet[Any]) -> Iterator[list[tuple[Any, ...]]]:
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(_BATCH_ROWS):
            yield batch


def _links(through: type[Model], owner: str, item: str) -> dict[int, list[int]]:
    return grouped_links(_raw_rows(through.objects.values_list(owner, item)))


def _agreement_records(
    slug_by_id: dict[int, str], key_by_id: dict[int, str]
) -> tuple[AgreementRecord, ...]:
    agreements, columns, text_dates = _with_text_dates(
        Agreement.objects.all(), AGREEMENT_COLUMNS, AGREEMENT_DATES
    )
    return agreement_records(
        _raw_rows(agreements.values_list(*columns)),
        parties=_links(Agreement.parties.through, "agreement_id", "party_id"),
        categories=_links(Agreement.categories.through, "agreement_id", "datacategory_id"),
        slug_by_id=slug_by_id,
        key_by_id=key_by_id,
        text_dates=text_dates,
    )


def _with_text_dates(
    queryset: QuerySet[Any], columns: tuple[str, ...], dates: tuple[str, ...]
) -> tuple[QuerySet[Any], list[str], bool]:
    """On SQLite, the queryset and columns that read `dates` as ISO text, and True.

    SQLite's driver makes each date through a Python callback; casting the dates to text and
    parsing them with date.fromisoformat (in C) is three times faster. PostgreSQL's driver
    returns dates already: the queryset and columns are left as they are, with False.
    """
    if connections[queryset.db].vendor != "sqlite":
        return queryset, list(columns), False
    queryset = queryset.annotate(**{f"{name}_text": Cast(name, CharField()) for name in dates})
    return queryset, [f"{c}_text" if c in dates else c for c in columns], True


def _flow_records(
    slug_by_id: dict[int, str],
    key_by_id: dict[int, str],
    purpose_key_by_id: dict[int, str],
    reference_by_id: dict[int, str],
) -> tuple[FlowRecord, ...]:
    flows, columns, text_dates = _with_text_dates(
        Flow.objects.filter(proposed=False).order_by("id"), FLOW_COLUMNS, FLOW_DATES
    )
    return flow_records(
        _raw_rows(flows.values_list(*columns)),
        categories=_links(Flow.categories.through, "flow_id", "datacategory_id"),
        slug_by_id=slug_by_id,
        key_by_id=key_by_id,
        purpose_key_by_id=purpose_key_by_id,
        reference_by_id=reference_by_id,
        text_dates=text_dates,
    )


# --- What changed, and the findings --------------------------------------------------------

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
