"""Writes to the flows app. Each service validates with full_clean() before it saves; the
rule of the category set, saved after the flow, goes through its rule function too."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db import transaction

from flows.models import DataCategory, Flow, Purpose, flow_categories_problems
from registry.models import Agreement, Party, raise_problems
from registry.services import apply_changes, save_with_sets


@transaction.atomic
def flow_upsert(
    *,
    reference: str,
    source: Party,
    target: Party,
    categories: Sequence[DataCategory],
    purpose: Purpose,
    role: str,
    started_on: date,
    ended_on: date | None = None,
    lawful_basis: str = "",
    art9_condition: str = "",
    processing_countries: Sequence[str] = (),
    transfer_mechanism: str = "",
    transfer_agreement: Agreement | None = None,
    tia_on: date | None = None,
    description: str = "",
) -> Flow:
    """Record the flow with this reference, or bring it up to date."""
    raise_problems(flow_categories_problems(categories))
    flow = Flow.objects.filter(reference=reference).first() or Flow(reference=reference)
    changed = apply_changes(
        flow,
        {
            "source": source,
            "target": target,
            "purpose": purpose,
            "role": role,
            "started_on": started_on,
            "ended_on": ended_on,
            "lawful_basis": lawful_basis,
            "art9_condition": art9_condition,
            "transfer_mechanism": transfer_mechanism,
            "transfer_agreement": transfer_agreement,
            "tia_on": tia_on,
            "description": description,
        },
    )
    if [c.code for c in flow.processing_countries] != sorted(processing_countries):
        flow.processing_countries = sorted(processing_countries)
        changed = True
    if changed:
        flow.full_clean()
    save_with_sets(flow, changed=changed, sets={"categories": categories})
    return flow
