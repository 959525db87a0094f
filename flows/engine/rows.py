"""Database rows -> records: the loops that run once per flow and per agreement of a load.

Pure: the selector (flows/loading.py) runs the queries and hands the raw rows
here, with the id -> key maps the rows refer to. Kept apart from the selector so that it
imports no ORM and can be tested without a database.

Rows come in the column order of FLOW_COLUMNS and AGREEMENT_COLUMNS. Dates are `date`
objects, or ISO strings when `text_dates` is true (SQLite: see the selector).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from flows.engine.records import AgreementRecord, EngagementRecord, FlowRecord

FLOW_COLUMNS = (
    "id", "source_id", "target_id", "purpose_id", "role", "started_on", "ended_on",
    "lawful_basis", "art9_condition", "processing_countries", "transfer_mechanism",
    "transfer_agreement_id", "tia_on", "reference", "derogation_justification",
    "art10_authority",
)  # fmt: skip
AGREEMENT_COLUMNS = (
    "id", "reference", "kind", "signed_on", "effective_on", "expires_on", "terminated_on",
    "flowdown", "subprocessor_authorisation", "objection_days", "amends__reference",
)  # fmt: skip
ENGAGEMENT_COLUMNS = (
    "processor_id", "subprocessor_id", "noticed_on", "notice_source", "objected_on",
    "authorised_on", "evidence", "evidenced_on", "ended_on", "id",
)  # fmt: skip
FLOW_DATES = ("started_on", "ended_on", "tia_on")
AGREEMENT_DATES = ("signed_on", "effective_on", "expires_on", "terminated_on")

_NO_IDS: list[int] = []

# The loops below run 100,000 times: helpers are inlined, each would cost a call per row.


def grouped_links(rows: Iterable[tuple[int, int]]) -> dict[int, list[int]]:
    """Rows of a many-to-many table, (owner id, item id), as owner id -> item ids."""
    links: dict[int, list[int]] = {}
    for owner, item in rows:
        items = links.get(owner)
        if items is None:
            links[owner] = [item]
        else:
            items.append(item)
    return links


def agreement_records(
    rows: Iterable[tuple[Any, ...]],
    *,
    parties: Mapping[int, list[int]],
    categories: Mapping[int, list[int]],
    slug_by_id: Mapping[int, str],
    key_by_id: Mapping[int, str],
    text_dates: bool,
) -> tuple[AgreementRecord, ...]:
    """One record per agreement row; `parties` and `categories` map an agreement's id to the
    ids it links to."""
    parse = date.fromisoformat
    # Agreements share a few sets of categories: build each frozenset once.
    covered_sets: dict[tuple[int, ...], frozenset[str]] = {}
    records = []
    for (
        pk, reference, kind, signed, effective, expires, terminated, flowdown, other,
        objection_days, amends,
    ) in rows:  # fmt: skip
        if text_dates:  # None stays None
            signed = signed and parse(signed)
            effective = effective and parse(effective)
            expires = expires and parse(expires)
            terminated = terminated and parse(terminated)
        covered = tuple(categories.get(pk, _NO_IDS))
        keys = covered_sets.get(covered)
        if keys is None:
            keys = covered_sets[covered] = frozenset([key_by_id[c] for c in covered])
        records.append(
            AgreementRecord(
                reference,
                kind,
                frozenset([slug_by_id[p] for p in parties.get(pk, _NO_IDS)]),
                signed,
                effective,
                expires,
                terminated,
                keys,
                bool(flowdown),
                other,
                pk,
                objection_days,
                amends,
            )  # fmt: skip
        )
    return tuple(records)


def engagement_records(
    rows: Iterable[tuple[Any, ...]], *, slug_by_id: Mapping[int, str]
) -> tuple[EngagementRecord, ...]:
    """One record per engagement row, in the column order of ENGAGEMENT_COLUMNS (dates as
    `date` objects: engagements are few, the ORM converts them)."""
    return tuple(
        EngagementRecord(slug_by_id[processor], slug_by_id[subprocessor], *rest)
        for processor, subprocessor, *rest in rows
    )


def flow_records(
    rows: Iterable[tuple[Any, ...]],
    *,
    categories: Mapping[int, list[int]],
    slug_by_id: Mapping[int, str],
    key_by_id: Mapping[int, str],
    purpose_key_by_id: Mapping[int, str],
    reference_by_id: Mapping[int, str],
    text_dates: bool,
) -> tuple[FlowRecord, ...]:
    """One record per flow row; `categories` maps a flow's id to its category ids."""
    parse = date.fromisoformat
    # Most flows share a few combinations of categories: build each sorted tuple once.
    combos: dict[tuple[int, ...], tuple[str, ...]] = {}
    records = []
    for (
        pk, source, target, purpose, role, started, ended, basis, art9, countries, mechanism,
        agreement, tia, reference, justification, art10,
    ) in rows:  # fmt: skip
        ids = tuple(categories.get(pk, _NO_IDS))
        keys = combos.get(ids)
        if keys is None:
            keys = combos[ids] = tuple(sorted([key_by_id[c] for c in ids]))
        if text_dates:  # None stays None
            started = parse(started)
            ended = ended and parse(ended)
            tia = tia and parse(tia)
        records.append(
            FlowRecord(
                pk,
                slug_by_id[source],
                slug_by_id[target],
                keys,
                purpose_key_by_id[purpose],
                role,
                started,
                ended,
                basis,
                art9,
                tuple(countries.split(",")) if countries else (),
                mechanism,
                reference_by_id.get(agreement) if agreement else None,
                tia,
                reference,
                justification,
                art10,
            )
        )
    return tuple(records)
