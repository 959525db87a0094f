"""The one bridge from the database to the engine: the whole register as records.

The engine works on records alone; this module reads the rows once, in a fixed handful of
queries, and flows.engine.rows turns them into records. flows.findings decides when to load.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain
from typing import Any

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
    FLOW_COLUMNS,
    FLOW_DATES,
    agreement_records,
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
from registry.models import Agreement, Party

# Columns in the order of the record's fields, so that rows map onto records positionally:
# over 100,000 rows, keyword arguments and Django's per-value converters cost more than the
# query itself.
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
            row[0],
            row[1],
            row[2],
            row[3],
            _countries(row[4]),
            slug_by_id.get(row[5]),
            slug_by_id.get(row[6]),
            row[7],
            row[8],
            row[9],
            row[10],
            row[11],
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
    agreements = _agreement_records(slug_by_id, key_by_id)
    reference_by_id = {a.id: a.reference for a in agreements if a.id is not None}
    return Register(
        parties=parties,
        flows=_flow_records(slug_by_id, key_by_id, purpose_key_by_id, reference_by_id),
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
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(_BATCH_ROWS):
            yield batch


def _links(through: type[Model], owner: str, item: str) -> dict[int, list[int]]:
    return grouped_links(_raw_rows(through._default_manager.values_list(owner, item)))


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
    parsing them with date.fromisoformat (in C) is much quicker. PostgreSQL's driver
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
