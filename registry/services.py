"""Writes to the catalog. Each service validates with full_clean() before it saves; the rules
of many-to-many sets, saved after the row, go through the models' rule functions too."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import models, transaction

from registry.choices import PartyStatus, Relationship, SubprocessorAuthorisation
from registry.models import (
    Agreement,
    Party,
    agreement_parties_problems,
    amendment_problems,
    bound_party_messages,
    raise_problems,
    reserved_key_problems,
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
    processing_countries: Sequence[str] = (),
    website: str = "",
    contact_email: str = "",
    dpf_certified_until: date | None = None,
    dpf_uk_certified_until: date | None = None,
    dpf_swiss_certified_until: date | None = None,
    pci_attested_on: date | None = None,
    status: str = PartyStatus.APPROVED,
    notes: str = "",
    security_measures: str = "",
) -> Party:
    """Create the party with this slug, or bring it up to date."""
    party = Party.objects.filter(slug=slug).first() or Party(slug=slug)
    if party.pk is None:
        raise_problems(reserved_key_problems(field="slug", key=slug, noun="party"))
    changed = apply_changes(
        party,
        {
            "name": name,
            "legal_name": legal_name,
            "relationship": relationship,
            "country": country,
            "parent": parent,
            "website": website,
            "contact_email": contact_email,
            "dpf_certified_until": dpf_certified_until,
            "dpf_uk_certified_until": dpf_uk_certified_until,
            "dpf_swiss_certified_until": dpf_swiss_certified_until,
            "pci_attested_on": pci_attested_on,
            "status": status,
            "notes": notes,
            "security_measures": security_measures,
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
    objection_days: int = 30,
    amends: Agreement | None = None,
    notes: str = "",
) -> Agreement:
    """Create the agreement with this reference, or bring it up to date. A UK Addendum
    names the SCCs 2021 it amends, which bind its parties (`amendment_problems`)."""
    raise_problems(agreement_parties_problems({p.pk for p in parties}))
    raise_problems(
        amendment_problems(
            kind=kind,
            amends=str(amends) if amends else None,
            amends_kind=amends.kind if amends else None,
            parties=[p.name for p in parties],
            amends_parties=[p.name for p in amends.parties.all()] if amends else [],
        )
    )
    agreement = Agreement.objects.filter(reference=reference).first() or Agreement(
        reference=reference
    )
    if agreement.pk is None:
        raise_problems(reserved_key_problems(field="reference", key=reference, noun="agreement"))
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
            "objection_days": objection_days,
            "amends": amends,
            "notes": notes,
        },
    )
    if changed:
        agreement.full_clean()
    save_with_sets(agreement, changed=changed, sets={"parties": parties, "categories": categories})
    return agreement


# --- the edit pages: new records, updates based on a version, ends ----------------------

NEEDS_REVIEW = (Relationship.PROCESSOR, Relationship.SUBPROCESSOR)
"""Parties that wait for a reviewer's decision before they count as approved: processors
and sub-processors reach the public sub-processor list (GDPR Art. 28(2))."""


def record_version(instance: models.Model) -> int | None:
    """The version of a record: the id of its latest history row (None before the first)."""
    history = instance.history  # type: ignore[attr-defined]  # simple_history
    return history.order_by("-history_id").values_list("history_id", flat=True).first()


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class Revision:
    """One save of a record by someone, field by field, as people read the values."""

    version: int
    who: str
    when: datetime
    changes: tuple[FieldChange, ...]

    @property
    def summary(self) -> str:
        if not self.changes:
            return "no field changed"
        return "; ".join(f"{c.label}: {c.before} → {c.after}" for c in self.changes)


class VersionConflict(ValidationError):
    """A save based on an older version than the record's latest: someone saved in
    between. Carries what they changed, so that the page can say it."""

    def __init__(self, *, current: int | None, revisions: list[Revision]) -> None:
        self.current = current
        self.revisions = revisions
        super().__init__(self.describe(), code="version_conflict")

    def describe(self) -> str:
        saves = "; then ".join(
            f"{r.who} saved it on {r.when:%Y-%m-%d at %H:%M} UTC ({r.summary})"
            for r in self.revisions
        )
        told = saves or "it was saved by someone else"
        return (
            f"This record changed after you opened it: {told}. Nothing was saved; your input "
            "is kept below. Check it, then save again to keep your values."
        )


_NOT_COMPARED = frozenset({"id", "created_at", "updated_at"})


def _shown(field: Any, value: Any, names: dict[tuple[Any, Any], str]) -> str:
    """A stored value as people read it: the choice's label, the party's name..."""
    if value in (None, "", []):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if field.is_relation:
        return names.get((field.related_model, value), str(value))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, list):  # several countries
        return ", ".join(getattr(v, "name", str(v)) for v in value)
    if hasattr(value, "name") and hasattr(value, "code"):  # a country
        return str(value.name)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _raw(field: Any, row: models.Model) -> Any:
    if field.is_relation:
        return getattr(row, field.attname)
    value = field.value_from_object(row)
    if isinstance(value, list):
        return [c for c in value]
    return value


def revisions_since(instance: models.Model, version: int) -> list[Revision]:
    """The saves of `instance` after `version`, each compared with the one before it."""
    model = type(instance)
    history = instance.history  # type: ignore[attr-defined]  # simple_history
    newer = list(
        history.filter(history_id__gt=version).select_related("history_user").order_by("history_id")
    )
    if not newer:
        return []
    base = history.filter(history_id__lte=version).order_by("-history_id").first()
    fields = [f for f in model._meta.concrete_fields if f.name not in _NOT_COMPARED]
    sets = list(getattr(newer[0], "_history_m2m_fields", ()))
    rows = [base, *newer] if base is not None else [None, *newer]
    raws: list[dict[str, Any]] = []
    for row in rows:
        values: dict[str, Any] = {}
        if row is not None:
            for field in fields:
                values[field.name] = _raw(field, row)
            for field in sets:
                target = field.m2m_reverse_name()
                ids = getattr(row, field.name).values_list(target, flat=True)
                values[field.name] = sorted(ids)
        raws.append(values)
    names = _related_names(fields, sets, raws)
    revisions = []
    for before, after, row in zip(raws, raws[1:], newer, strict=False):
        changes = []
        for field in [*fields, *sets]:
            old, new = before.get(field.name), after.get(field.name)
            if old == new or (not old and not new):
                continue
            if field in sets:
                shown_old = ", ".join(
                    names.get((field.related_model, v), str(v)) for v in old or []
                )
                shown_new = ", ".join(
                    names.get((field.related_model, v), str(v)) for v in new or []
                )
                changes.append(
                    FieldChange(
                        str(field.verbose_name).capitalize(), shown_old or "—", shown_new or "—"
                    )
                )
            else:
                changes.append(
                    FieldChange(
                        str(field.verbose_name).capitalize(),
                        _shown(field, old, names) if before else "—",
                        _shown(field, new, names),
                    )
                )
        user = row.history_user
        who = (
            (user.get_full_name() or user.get_username()) if user else "someone (no user recorded)"
        )
        revisions.append(
            Revision(version=row.history_id, who=who, when=row.history_date, changes=tuple(changes))
        )
    return revisions


def _related_names(
    fields: list[Any], sets: list[Any], raws: list[dict[str, Any]]
) -> dict[tuple[Any, Any], str]:
    """(model, pk) -> the record's name, for every reference the rows hold (a query a model)."""
    wanted: dict[Any, set[Any]] = {}
    for field in fields:
        if field.is_relation:
            wanted.setdefault(field.related_model, set()).update(
                r[field.name] for r in raws if r.get(field.name) is not None
            )
    for field in sets:
        for r in raws:
            wanted.setdefault(field.related_model, set()).update(r.get(field.name, ()))
    names: dict[tuple[Any, Any], str] = {}
    for model, pks in wanted.items():
        for obj in model._default_manager.filter(pk__in=pks):
            label = str(obj)
            key = getattr(obj, "key", None)
            if key is not None and getattr(obj, "name", None):
                label = f"{obj.name} ({key})"
            elif getattr(obj, "name", None):
                label = obj.name
            names[(model, obj.pk)] = label
    return names


def version_check(*, instance: models.Model, version: int | None) -> None:
    """Refuse a write based on `version` when the record has a newer one (no lost update).

    Inside a transaction the record's row is locked first, so that two saves based on the
    same version cannot both pass. None skips the check (imports, the demo)."""
    if version is None or instance.pk is None:
        return
    rows = type(instance)._default_manager.filter(pk=instance.pk)
    if transaction.get_connection().in_atomic_block:
        list(rows.select_for_update().values_list("pk", flat=True))
    current = record_version(instance)
    if current is not None and current != version:
        raise VersionConflict(current=current, revisions=revisions_since(instance, version))


def _refuse_taken(model: type[models.Model], field: str, key: str, noun: str) -> None:
    raise_problems(reserved_key_problems(field=field, key=key, noun=noun))
    if model._default_manager.filter(**{field: key}).exists():
        raise ValidationError({field: f"A {noun} with the {field} “{key}” exists already."})


def party_create(*, slug: str, relationship: str, **fields: Any) -> Party:
    """A new party. A processor or sub-processor starts `submitted`: it waits for a
    reviewer's decision; any other party is `approved`."""
    _refuse_taken(Party, "slug", slug, "party")
    status = PartyStatus.SUBMITTED if relationship in NEEDS_REVIEW else PartyStatus.APPROVED
    return party_upsert(slug=slug, relationship=relationship, status=status, **fields)


@transaction.atomic
def party_update(
    *, party: Party, version: int | None = None, relationship: str, **fields: Any
) -> Party:
    """Bring a party up to date. Its slug stays (imports match it); so does its status,
    which reviewers' decisions and offboarding change, except that a party that becomes a
    processor or sub-processor waits for a reviewer again."""
    version_check(instance=party, version=version)
    status = party.status
    if relationship in NEEDS_REVIEW and party.relationship not in NEEDS_REVIEW:
        status = PartyStatus.SUBMITTED
    return party_upsert(slug=party.slug, relationship=relationship, status=status, **fields)


def agreement_create(*, reference: str, **fields: Any) -> Agreement:
    _refuse_taken(Agreement, "reference", reference, "agreement")
    return agreement_upsert(reference=reference, **fields)


@transaction.atomic
def agreement_update(
    *, agreement: Agreement, version: int | None = None, **fields: Any
) -> Agreement:
    """Bring an agreement up to date; its reference stays (imports and flows match it)."""
    version_check(instance=agreement, version=version)
    return agreement_upsert(reference=agreement.reference, **fields)


@transaction.atomic
def agreement_terminate(*, agreement: Agreement, on: date, version: int | None = None) -> Agreement:
    """End an agreement on `on`: from the next day it no longer binds its parties."""
    version_check(instance=agreement, version=version)
    if agreement.terminated_on is not None and agreement.terminated_on <= on:
        raise ValidationError(
            {"on": f"This agreement was terminated on {agreement.terminated_on} already."}
        )
    agreement.terminated_on = on
    try:
        agreement.full_clean()
    except ValidationError as error:
        raise ValidationError({"on": error.messages}) from error
    agreement.save()
    return agreement


@transaction.atomic
def agreement_document_attach(
    *, agreement: Agreement, document: File, version: int | None = None
) -> Agreement:
    """Store the signed document of an agreement (it replaces any earlier one; the history
    keeps the earlier file's name)."""
    version_check(instance=agreement, version=version)
    agreement.document = document
    agreement.full_clean()
    agreement.save()
    return agreement
