"""The one bridge from the database to the engine: the whole register as records.

The engine works on records alone; this module reads the rows once, in a fixed handful of
queries, and flows.engine.rows turns them into records. flows.findings decides when to load.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from itertools import chain
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import CharField, Model, QuerySet
from django.db.models.functions import Cast

from flows.engine.records import (
    AdequacyRecord,
    AgreementRecord,
    CategoryRecord,
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
    ENGAGEMENT_COLUMNS,
    FLOW_COLUMNS,
    FLOW_DATES,
    agreement_records,
    engagement_records,
    flow_records,
    grouped_links,
)
from flows.models import (
    AdequacyDecision,
    DataCategory,
    Flow,
    MechanismValidity,
    Purpose,
    ZoneMembership,
)
from registry.models import Agreement, Engagement, Party

# Columns in the order of the record's fields, so that rows map onto records positionally:
# over 100,000 rows, keyword arguments and Django's per-value converters cost more than the
# query itself.
_PARTY_COLUMNS = (
    "slug", "name", "relationship", "country", "processing_countries", "parent_id", "status",
    "dpf_certified_until", "pci_attested_on", "legal_name", "id", "dpf_uk_certified_until",
    "dpf_swiss_certified_until",
)  # fmt: skip
_BATCH_ROWS = 5000


@dataclass(frozen=True)
class Part:
    """A part of the register, for re-evaluating a few flows (flows.findings.scope): those
    flows, and the agreements of their parties and those the flows name. Every party, the
    taxonomy and the jurisdiction tables come whole: they are small, and the rules read the
    group and the own company from all the parties."""

    flow_ids: Collection[int]


def register_load(part: Part | None = None) -> Register:
    """The register (or a part of it) as records for the rules, in a fixed handful of
    queries.

    Reads raw rows rather than model instances: over 100,000 flows that is several times
    faster, and the core needs nothing else.
    """
    party_rows = list(_raw_rows(Party.objects.values_list(*_PARTY_COLUMNS)))
    slug_by_id = {row[10]: row[0] for row in party_rows}
    parties = {
        row[0]: PartyRecord(
            row[0],
            row[1],
            row[2],
            row[3],
            _countries(row[4]),
            slug_by_id.get(row[5]),
            row[6],
            row[7],
            row[8],
            row[9],
            row[10],
            row[11],
            row[12],
        )  # fmt: skip
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
    flows = Flow.objects.filter(proposed=False)
    agreements_qs = Agreement.objects.all()
    flow_ids: list[int] | None = None
    agreement_ids: list[int] | None = None
    if part is not None:
        # Only the agreements that bind both ends of one of these flows, and those the flows
        # name: the rules look no further, and the own company alone is a party to
        # thousands. Ids first, in two plain queries.
        flow_ids = sorted(part.flow_ids)
        flows = flows.filter(id__in=flow_ids)
        partners: dict[int, set[int]] = defaultdict(set)
        chosen: set[int] = set()
        for source, target, transfer in flows.values_list(
            "source_id", "target_id", "transfer_agreement_id"
        ):
            partners[source].add(target)
            partners[target].add(source)
            if transfer is not None:
                chosen.add(transfer)
        members: dict[int, set[int]] = defaultdict(set)
        links = Agreement.parties.through._default_manager.filter(party_id__in=sorted(partners))
        for agreement_id, party_id in links.values_list("agreement_id", "party_id"):
            members[agreement_id].add(party_id)
        chosen.update(
            agreement
            for agreement, parties in members.items()
            if any(not partners[party].isdisjoint(parties) for party in parties)
        )
        # A UK Addendum's rule reads the SCCs it amends, whichever parties they bind (one
        # query over the register's few amendments, however many agreements are chosen).
        amendments = Agreement.objects.filter(amends__isnull=False).values_list("id", "amends_id")
        chosen.update([amended for pk, amended in amendments if pk in chosen])
        agreement_ids = sorted(chosen)
        agreements_qs = agreements_qs.filter(id__in=agreement_ids)
    agreements = _agreement_records(agreements_qs, slug_by_id, key_by_id, agreement_ids)
    reference_by_id = {a.id: a.reference for a in agreements if a.id is not None}
    return Register(
        parties=parties,
        flows=_flow_records(
            flows, slug_by_id, key_by_id, purpose_key_by_id, reference_by_id, flow_ids
        ),
        agreements=agreements,
        categories=categories,
        purposes=purposes,
        # values_list() gives a country field's stored code (a str), not the Country its
        # annotation names: str() says so to the type checker and changes nothing.
        zones=tuple(
            ZoneRecord(regime, str(country), valid_from, valid_to)
            for regime, country, valid_from, valid_to in ZoneMembership.objects.values_list(
                "regime", "country", "valid_from", "valid_to"
            )
        ),
        adequacy=tuple(
            AdequacyRecord(regime, str(country), start, end, scope, instrument)
            for regime, country, start, end, scope, instrument in (
                AdequacyDecision.objects.values_list(
                    "regime", "country", "valid_from", "valid_to", "scope", "instrument"
                )
            )
        ),
        mechanisms=tuple(
            MechanismRecord(*row)
            for row in MechanismValidity.objects.values_list(
                "regime", "mechanism", "valid_from", "valid_to", "citation"
            )
        ),
        # Every engagement, also for a part: they are few, and the chain rules walk them
        # back to the root processor.
        engagements=engagement_records(
            Engagement.objects.order_by("id").values_list(*ENGAGEMENT_COLUMNS),
            slug_by_id=slug_by_id,
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
    built, so the next reuses its memory. Batches,
    not single rows: psycopg fetches a batch in one call, a row at a time in Python; and
    chain() hands the rows of a batch on in C, where a generator would resume once a row.
    """
    return chain.from_iterable(_raw_batches(queryset))


def _raw_batches(queryset: QuerySet[Any]) -> Iterator[list[tuple[Any, ...]]]:
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # a part of the register with no flows: no query to run
        return
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(_BATCH_ROWS):
            yield batch


def _links(
    through: type[Model], owner: str, item: str, owners: list[int] | None = None
) -> dict[int, list[int]]:
    """owner id -> item ids of a many-to-many table, only of `owners` when given."""
    rows = through._default_manager.values_list(owner, item)
    if owners is not None:
        rows = rows.filter(**{f"{owner}__in": owners})
    return grouped_links(_raw_rows(rows))


def _agreement_records(
    queryset: QuerySet[Agreement],
    slug_by_id: dict[int, str],
    key_by_id: dict[int, str],
    owners: list[int] | None,
) -> tuple[AgreementRecord, ...]:
    """The agreements' records; `owners` their ids when they are a part of the register."""
    agreements, columns, text_dates = _with_text_dates(queryset, AGREEMENT_COLUMNS, AGREEMENT_DATES)
    through = Agreement.categories.through
    return agreement_records(
        _raw_rows(agreements.values_list(*columns)),
        parties=_links(Agreement.parties.through, "agreement_id", "party_id", owners),
        categories=_links(through, "agreement_id", "datacategory_id", owners),
        slug_by_id=slug_by_id,
        key_by_id=key_by_id,
        text_dates=text_dates,
    )


def _with_text_dates(
    queryset: QuerySet[Any], columns: tuple[str, ...], dates: tuple[str, ...]
) -> tuple[QuerySet[Any], list[str], bool]:
    """On SQLite, the queryset and columns that read `dates` as ISO text, and True.

    SQLite's driver makes each date through a Python callback; casting the dates to text and
    parsing them with date.fromisoformat (in C) is much quicker. PostgreSQL's driver
    returns dates already: the queryset and columns are left as they are, with False.
    """
    if connections[queryset.db].vendor != "sqlite":
        return queryset, list(columns), False
    queryset = queryset.annotate(**{f"{name}_text": Cast(name, CharField()) for name in dates})
    return queryset, [f"{c}_text" if c in dates else c for c in columns], True


def _flow_records(
    queryset: QuerySet[Flow],
    slug_by_id: dict[int, str],
    key_by_id: dict[int, str],
    purpose_key_by_id: dict[int, str],
    reference_by_id: dict[int, str],
    owners: list[int] | None,
) -> tuple[FlowRecord, ...]:
    """The flows' records; `owners` their ids when they are a part of the register."""
    flows, columns, text_dates = _with_text_dates(queryset.order_by("id"), FLOW_COLUMNS, FLOW_DATES)
    return flow_records(
        _raw_rows(flows.values_list(*columns)),
        categories=_links(Flow.categories.through, "flow_id", "datacategory_id", owners),
        slug_by_id=slug_by_id,
        key_by_id=key_by_id,
        purpose_key_by_id=purpose_key_by_id,
        reference_by_id=reference_by_id,
        text_dates=text_dates,
    )


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
