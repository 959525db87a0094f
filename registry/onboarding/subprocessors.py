"""The sub-processors a vendor names: proposed as new parties, matched by a reviewer.

What the vendor types is data until a reviewer decides (GDPR Art. 28(2) and (4): the
controller authorises each sub-processor). So an onboarding writes only to parties it created
itself: a named sub-processor becomes a NEW party under a slug no other party has, and only
the reviewer may say that it is in fact a party the register already knows. Nothing that
has agreements, flows or history outside the onboarding is ever changed or deleted by it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils.text import slugify

from flows.models import Flow
from registry.choices import PartyStatus, Relationship
from registry.engagements import engagement_record
from registry.models import Engagement, Party
from registry.onboarding.models import Onboarding, OnboardingEvent


def free_slug(name: str, *, taken: set[str] | None = None) -> str:
    """A slug for `name` that no party has (nor any in `taken`, reserved by the caller)."""
    taken = taken or set()
    base = (slugify(name) or "vendor")[:90]
    slug, n = base, 1
    while slug in taken or Party.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


NOTICE_SOURCE = "onboarding questionnaire"
"""The notice source of the engagements a vendor's onboarding records."""


def submitted_on(onboarding: Onboarding) -> date:
    """The day the vendor submitted its answers: the notice of the sub-processors it names."""
    return onboarding.submitted_at.date() if onboarding.submitted_at else date.today()


def _engaged_by_vendor(onboarding: Onboarding, party: Party) -> bool:
    return Engagement.objects.filter(processor_id=onboarding.party_id, subprocessor=party).exists()


def created_here(onboarding: Onboarding, party: Party) -> bool:
    """The party was created by this onboarding for its vendor: engaged by the vendor, and
    with no history from before the onboarding started."""
    return (
        _engaged_by_vendor(onboarding, party)
        and not party.history.filter(history_date__lt=onboarding.created_at).exists()
    )


def _deletable(onboarding: Onboarding, party: Party) -> bool:
    """Created here and untouched since: no change by anyone, no agreement, no flow, no
    subsidiary, sub-processor or onboarding outside this one."""
    return (
        created_here(onboarding, party)
        and party.status != PartyStatus.APPROVED
        and not party.history.exclude(history_type="+").exists()
        and not party.agreements.exists()
        and not Flow.objects.filter(Q(source=party) | Q(target=party))
        .exclude(onboardings=onboarding)
        .exists()
        and not party.subsidiaries.exists()
        and not party.engagements_made.exists()
        and not party.engagements.exclude(processor_id=onboarding.party_id).exists()
        and not Onboarding.objects.filter(party=party).exists()
        and not party.proposed_in_onboardings.exclude(pk=onboarding.pk).exists()
    )


def _set_status(party: Party, status: str) -> None:
    if party.status != status:
        party.status = status
        party.save(update_fields=["status", "updated_at"])


def subprocessors_set_status(*, onboarding: Onboarding, status: str) -> None:
    """Follow the reviewer's decision on the parties this onboarding created, and no other."""
    for party in onboarding.proposed_subprocessors.all():
        if created_here(onboarding, party):
            _set_status(party, status)


def _release(onboarding: Onboarding, party: Party) -> None:
    onboarding.proposed_subprocessors.remove(party)
    if not _deletable(onboarding, party):
        return  # someone else relies on it: leave it exactly as it is
    try:
        with transaction.atomic():
            # Its one engagement, by the vendor, goes with it (PROTECT would refuse).
            for engagement in party.engagements.all():
                engagement.delete()
            party.delete()
    except ProtectedError:
        pass


def proposals_release(*, onboarding: Onboarding) -> None:
    """Remove what an earlier submission proposed, before proposing again: its proposed
    flows, and the parties it created that nothing else relies on."""
    for flow in onboarding.proposed_flows.filter(proposed=True):
        flow.delete()
    for party in list(onboarding.proposed_subprocessors.all()):
        _release(onboarding, party)


def subprocessor_propose(
    *,
    onboarding: Onboarding,
    slug: str,
    name: str,
    country: str,
    service: str,
    processing_countries: Sequence[str] = (),
) -> Party:
    """Record a sub-processor the vendor named as a new party waiting for review. Never an
    upsert: a slug already taken is refused, so no existing party is touched."""
    party = Party(
        slug=slug,
        name=name,
        relationship=Relationship.SUBPROCESSOR,
        country=country,
        processing_countries=list(processing_countries),
        status=PartyStatus.SUBMITTED,
        notes=f"Service: {service}\nNamed by {onboarding.party.name} in its onboarding.",
    )
    party.full_clean()
    party.save()
    _engage(onboarding, party)
    onboarding.proposed_subprocessors.add(party)
    return party


def _engage(onboarding: Onboarding, party: Party) -> None:
    """The vendor engages the party it named, as of its submission (GDPR Art. 28(2))."""
    engagement_record(
        processor=onboarding.party,
        subprocessor=party,
        noticed_on=submitted_on(onboarding),
        notice_source=NOTICE_SOURCE,
    )


def parse_matches(onboarding: Onboarding, raw: Mapping[int, int]) -> dict[int, Party]:
    """The reviewer's matches, proposed party pk -> existing party, checked."""
    proposed = {p.pk: p for p in onboarding.proposed_subprocessors.all()}
    wanted = {k: v for k, v in raw.items() if v}
    existing = Party.objects.in_bulk(set(wanted.values()))
    matches: dict[int, Party] = {}
    for proposed_pk, existing_pk in wanted.items():
        if proposed_pk not in proposed:
            raise ValidationError("A match names a sub-processor this onboarding did not propose.")
        party = existing.get(existing_pk)
        if party is None or existing_pk in proposed or existing_pk == onboarding.party_id:
            raise ValidationError(
                f"Choose an existing party other than the vendor for {proposed[proposed_pk].name}."
            )
        matches[proposed_pk] = party
    return matches


def subprocessors_match(
    *, onboarding: Onboarding, matches: Mapping[int, Party], actor: Any
) -> None:
    """Point the proposed flows at the existing parties the reviewer chose, and withdraw the
    new parties they replace. The existing parties themselves are not changed."""
    if not matches:
        return
    proposed = {p.pk: p for p in onboarding.proposed_subprocessors.all()}
    for proposed_pk, existing in matches.items():
        new = proposed[proposed_pk]
        _engage(onboarding, existing)
        for flow in onboarding.proposed_flows.filter(target=new):
            flow.target = existing
            flow.full_clean()
            flow.save()
        OnboardingEvent.objects.create(
            onboarding=onboarding,
            actor=actor,
            action="subprocessor_matched",
            detail=f"{new.name} is the existing party {existing.name} ({existing.slug}).",
        )
        _release(onboarding, new)
