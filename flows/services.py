"""Writes to the flows app. Each service validates with full_clean() before it saves; the
rule of the category set, saved after the flow, goes through its rule function too."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify

from flows.models import DataCategory, DataSubject, Flow, Purpose, flow_categories_problems
from registry.choices import PartyStatus
from registry.models import Agreement, Party, raise_problems
from registry.services import apply_changes, save_with_sets, version_check
from registry.web.batches import write_batch


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
    data_subjects: Sequence[DataSubject] = (),
    retention: str = "",
    derogation_justification: str = "",
    art10_authority: str = "",
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
            "retention": retention,
            "derogation_justification": derogation_justification,
            "art10_authority": art10_authority,
        },
    )
    if [c.code for c in flow.processing_countries] != sorted(processing_countries):
        flow.processing_countries = sorted(processing_countries)
        changed = True
    if changed:
        flow.full_clean()
    save_with_sets(
        flow, changed=changed, sets={"categories": categories, "data_subjects": data_subjects}
    )
    return flow


# --- the edit pages: new flows, updates based on a version, ends ------------------------

_REFERENCE_LENGTH = Flow._meta.get_field("reference").max_length or 200


def flow_reference(*, source: Party, target: Party, purpose: Purpose) -> str:
    """A new flow's reference from its parties and purpose ('acme-to-mailer-marketing'),
    with a number after it when that one is taken."""
    stem = slugify(f"{source.slug} to {target.slug} {purpose.key.replace('.', ' ')}")
    stem = stem[: _REFERENCE_LENGTH - 6].rstrip("-")
    taken = set(Flow.objects.filter(reference__startswith=stem).values_list("reference", flat=True))
    reference, number = stem, 1
    while reference in taken:
        number += 1
        reference = f"{stem}-{number}"
    return reference


def flow_create(
    *, reference: str = "", source: Party, target: Party, purpose: Purpose, **fields: Any
) -> Flow:
    """A new live flow; an empty reference is made from its parties and purpose."""
    reference = reference or flow_reference(source=source, target=target, purpose=purpose)
    if Flow.objects.filter(reference=reference).exists():
        raise ValidationError(
            {"reference": f"A flow with the reference “{reference}” exists already."}
        )
    return flow_upsert(reference=reference, source=source, target=target, purpose=purpose, **fields)


def flow_values(flow: Flow) -> dict[str, Any]:
    """What `flow_upsert` takes, as `flow` has it now (its reference apart): the starting
    point of an update that changes a few of them."""
    return {
        "source": flow.source,
        "target": flow.target,
        "categories": list(flow.categories.all()),
        "purpose": flow.purpose,
        "role": flow.role,
        "started_on": flow.started_on,
        "ended_on": flow.ended_on,
        "lawful_basis": flow.lawful_basis,
        "art9_condition": flow.art9_condition,
        "processing_countries": [c.code for c in flow.processing_countries],
        "transfer_mechanism": flow.transfer_mechanism,
        "transfer_agreement": flow.transfer_agreement,
        "tia_on": flow.tia_on,
        "description": flow.description,
        "data_subjects": list(flow.data_subjects.all()),
        "retention": flow.retention,
        "derogation_justification": flow.derogation_justification,
        "art10_authority": flow.art10_authority,
    }


@transaction.atomic
def flow_update(*, flow: Flow, version: int | None = None, **fields: Any) -> Flow:
    """Bring a flow up to date; its reference stays (imports and reports match it)."""
    version_check(instance=flow, version=version)
    return flow_upsert(reference=flow.reference, **fields)


@transaction.atomic
def flow_end(*, flow: Flow, on: date, version: int | None = None) -> Flow:
    """End a flow on `on`, its last day: from the next day the rules leave it out."""
    version_check(instance=flow, version=version)
    if flow.ended_on is not None and flow.ended_on <= on:
        raise ValidationError({"on": f"This flow ended on {flow.ended_on} already."})
    flow.ended_on = on
    try:
        flow.full_clean()
    except ValidationError as error:
        raise ValidationError({"on": error.messages}) from error
    flow.save()
    return flow


@transaction.atomic
def party_offboard(*, party: Party, on: date, version: int | None = None) -> Party:
    """Offboard a party: its status becomes offboarded and each of its live flows ends on
    `on`, all or nothing (a flow that starts after that day is refused, not skipped)."""
    version_check(instance=party, version=version)
    if party.status == PartyStatus.OFFBOARDED:
        raise ValidationError({"on": f"{party.name} was offboarded already."})
    live = list(
        Flow.objects.filter(Q(source=party) | Q(target=party), proposed=False)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))
        .select_related("source", "target")
        .order_by("reference")
    )
    late = [flow for flow in live if flow.started_on > on]
    if late:
        listed = ", ".join(f"{f.reference} (from {f.started_on})" for f in late[:5])
        more = f" and {len(late) - 5} more" if len(late) > 5 else ""
        raise ValidationError(
            {
                "on": f"{len(late)} of its flows start after {on}: {listed}{more}. "
                "Choose a later day, or end those flows first."
            }
        )
    with write_batch():
        for flow in live:
            flow_end(flow=flow, on=on)
        party.status = PartyStatus.OFFBOARDED
        party.full_clean()
        party.save()
    return party
