"""Writes to the catalog. Each service validates with full_clean() before it saves; the rules
of many-to-many sets, saved after the row, go through the models' rule functions too."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from registry.choices import PartyStatus, SubprocessorAuthorisation
from registry.models import (
    Agreement,
    Party,
    agreement_parties_problems,
    bound_party_messages,
    raise_problems,
)
from registry.web.batches import write_batch


def apply_changes(instance: models.Model, values: dict[str, Any]) -> bool:
    """Set the values that differ on the instance; True when anything changed.

    Saving only what changed keeps re-runs (seed, re-import) from writing empty history rows.
    """
    is_new = instance.pk is None
    changed = is_new
    for name, value in values.items():
        if is_new or getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def touch(instance: models.Model) -> None:
    """Record that a many-to-many set changed: bumps `updated_at`, which the findings
    cache watches, and writes a history row."""
    instance.save(update_fields=["updated_at"])


def sync_m2m(manager: Any, wanted: Iterable[models.Model]) -> bool:
    """Bring a many-to-many set to `wanted`; True when it changed.

    Writes no history of its own: simple_history would write a row for the removal and
    another for the addition, the first with a set the record never had. The caller writes
    one row with the sets as they end up (`save_with_sets`, `sets_history_record`)."""
    wanted_ids = {obj.pk for obj in wanted}
    if set(manager.values_list("pk", flat=True)) == wanted_ids:
        return False
    with history_paused(manager.instance):
        manager.set(wanted_ids)
    return True


@contextmanager
def history_paused(instance: models.Model) -> Iterator[None]:
    """Saves of `instance` and of its sets inside write no history row (simple_history's
    `skip_history_when_saving`); the caller writes the one row that counts."""
    instance.skip_history_when_saving = True  # type: ignore[attr-defined]  # simple_history
    try:
        yield
    finally:
        del instance.skip_history_when_saving  # type: ignore[attr-defined]


def sets_history_record(instance: models.Model, *, created: bool) -> None:
    """The history row for sets changed without one (sync_m2m, the admin's form): a new
    record's "created" row gets the sets it was created with; an existing record gets one
    "changed" row with its fields and sets as they are now."""
    if not created:
        touch(instance)
        return
    latest = instance.history.latest()  # type: ignore[attr-defined]  # simple_history
    for field in latest._history_m2m_fields:
        rows = getattr(latest, field.name)  # the history rows of this set
        through = field.remote_field.through
        names = [f.attname for f in through._meta.concrete_fields]
        current = through._default_manager.filter(**{field.m2m_field_name(): instance.pk})
        rows.filter(history=latest).delete()
        rows.model.objects.bulk_create(
            rows.model(history=latest, **dict(zip(names, values, strict=True)))
            for values in current.values_list(*names)
        )


def save_with_sets(
    instance: models.Model, *, changed: bool, sets: dict[str, Iterable[models.Model]]
) -> None:
    """Save `instance` (when `changed`) and bring its many-to-many sets to `sets`, leaving
    one history row that holds the fields and the sets as they end up: one batch of writes,
    so that what follows writes (the stored findings) follows this one once."""
    with write_batch():
        created = instance.pk is None
        if created:
            instance.save()
        links_changed = False
        for name, wanted in sets.items():
            links_changed = sync_m2m(getattr(instance, name), wanted) or links_changed
        if created:
            sets_history_record(instance, created=True)
        elif changed:
            instance.save()
        elif links_changed:
            touch(instance)


def party_upsert(
    *,
    slug: str,
    name: str,
    relationship: str,
    country: str,
    legal_name: str = "",
    parent: Party | None = None,
    engaged_by: Party | None = None,
    processing_countries: Sequence[str] = (),
    website: str = "",
    contact_email: str = "",
    dpf_certified_until: date | None = None,
    pci_attested_on: date | None = None,
    status: str = PartyStatus.APPROVED,
    notes: str = "",
) -> Party:
    """Create the party with this slug, or bring it up to date."""
    party = Party.objects.filter(slug=slug).first() or Party(slug=slug)
    changed = apply_changes(
        party,
        {
            "name": name,
            "legal_name": legal_name,
            "relationship": relationship,
            "country": country,
            "parent": parent,
            "engaged_by": engaged_by,
            "website": website,
            "contact_email": contact_email,
            "dpf_certified_until": dpf_certified_until,
            "pci_attested_on": pci_attested_on,
            "status": status,
            "notes": notes,
        },
    )
    # CountryField(multiple=True) compares as Country objects; compare the codes instead.
    if [c.code for c in party.processing_countries] != sorted(processing_countries):
        party.processing_countries = sorted(processing_countries)
        changed = True
    if changed:
        party.full_clean()
        party.save()
    return party


@transaction.atomic
def party_delete(*, party: Party) -> None:
    """Delete a party nothing refers to. A party bound by agreements is refused (its
    agreements would be left with one side): offboard it instead (`status` offboarded).
    A party with flows is refused by the database (ProtectedError)."""
    messages = bound_party_messages([party])
    if messages:
        raise ValidationError(messages, code="bound_by_agreements")
    party.delete()


@transaction.atomic
def agreement_upsert(
    *,
    reference: str,
    kind: str,
    parties: Sequence[Party],
    title: str = "",
    signed_on: date | None = None,
    effective_on: date | None = None,
    expires_on: date | None = None,
    terminated_on: date | None = None,
    categories: Sequence[models.Model] = (),
    flowdown: bool = False,
    subprocessor_authorisation: str = SubprocessorAuthorisation.NONE,
    notes: str = "",
) -> Agreement:
    """Create the agreement with this reference, or bring it up to date."""
    raise_problems(agreement_parties_problems({p.pk for p in parties}))
    agreement = Agreement.objects.filter(reference=reference).first() or Agreement(
        reference=reference
    )
    changed = apply_changes(
        agreement,
        {
            "kind": kind,
            "title": title,
            "signed_on": signed_on,
            "effective_on": effective_on,
            "expires_on": expires_on,
            "terminated_on": terminated_on,
            "flowdown": flowdown,
            "subprocessor_authorisation": subprocessor_authorisation,
            "notes": notes,
        },
    )
    if changed:
        agreement.full_clean()
    save_with_sets(agreement, changed=changed, sets={"parties": parties, "categories": categories})
    return agreement
