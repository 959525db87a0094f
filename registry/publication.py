"""Publication on the public sub-processor list: a reviewer's decision, a notice date and an
effective date (GDPR Art. 28(2)).

Under a general written authorisation the controller must be told of any intended addition
or replacement of a (sub-)processor and be given the chance to object before it takes
effect. So no write sets a processor "listed": a reviewer approves it here, which records a
`Publication` with the day customers are told (the notice date) and the day it takes effect
(the notice date plus `PUBLICATION_NOTICE_DAYS`, the objection period). The public page lists
the parties whose latest publication in effect is an addition, shows the changes still in
their notice period apart, and the feed announces each change twice: at notice and when it
takes effect.

Services (writes) and selectors (reads) of publications; the public pages (registry.public)
and the onboarding's approval call them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import (
    Case,
    Exists,
    F,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.utils import timezone

from registry.choices import PartyStatus, Relationship
from registry.models import (
    PUBLISHED_RELATIONSHIPS,
    Engagement,
    Party,
    Publication,
    PublicationChange,
)
from registry.web.batches import write_batch
from registry.web.permissions import CAN_REVIEW

#: Onboarding states in which the onboarding's own page decides on the vendor (by name: the
#: catalog imports nothing of the onboarding).
_UNDECIDED_ONBOARDING = ("open", "submitted", "changes_requested")
#: A party in one of these will not be listed, whatever its publications say.
_NOT_LISTED_STATUSES = (PartyStatus.REJECTED, PartyStatus.OFFBOARDED, PartyStatus.DRAFT)
NOT_A_REVIEWER = "Only a reviewer may decide what the public list shows."
NOTICE_IN_THE_PAST = (
    "The notice date cannot be in the past: customers are told on that day, not before."
)


def publication_notice_days() -> int:
    """The objection period, in days, between notice and effect."""
    return int(getattr(settings, "PUBLICATION_NOTICE_DAYS", 30))


def publication_effective_on(notice_on: date) -> date:
    """The day a change noticed on `notice_on` takes effect."""
    return notice_on + timedelta(days=publication_notice_days())


# --- writes --------------------------------------------------------------------------------


def _check_reviewer(user: Any) -> None:
    if user is None or not user.has_perm(CAN_REVIEW):
        raise PermissionDenied(NOT_A_REVIEWER)


def _check_notice(notice_on: date, today: date) -> None:
    if notice_on < today:
        raise ValidationError({"notice_on": NOTICE_IN_THE_PAST})


def _latest_changes(party_ids: Iterable[int]) -> dict[int, str]:
    """The latest recorded change of each party, whatever its dates (one query)."""
    latest = (
        Publication.objects.filter(party=OuterRef("pk"))
        .order_by("-effective_on", "-id")
        .values("change")[:1]
    )
    rows = Party.objects.filter(pk__in=list(party_ids)).annotate(latest=Subquery(latest))
    return {pk: change for pk, change in rows.values_list("pk", "latest") if change}


def publication_record(
    *,
    party: Party,
    decided_by: Any,
    notice_on: date,
    change: str = PublicationChange.ADDED,
    note: str = "",
    today: date | None = None,
) -> Publication:
    """Record a reviewer's decision that `party` joins (or leaves) the public list, told to
    customers on `notice_on` and in effect after the objection period. `today` is the day of
    the decision (the demo tells its story on fixed days)."""
    _check_reviewer(decided_by)
    today = today or timezone.localdate()
    _check_notice(notice_on, today)
    if party.relationship not in PUBLISHED_RELATIONSHIPS:
        raise ValidationError(
            f"{party.name} is not a processor or a sub-processor: the public list does not show it."
        )
    publication = Publication(
        party=party,
        change=change,
        decided_by=decided_by,
        decided_at=timezone.now(),
        notice_on=notice_on,
        effective_on=publication_effective_on(notice_on),
        note=note.strip(),
    )
    publication.full_clean()
    publication.save()
    return publication


def _set_status(party: Party, status: str, user: Any, note: str = "") -> None:
    if party.status == status:
        return
    party.status = status
    # django-simple-history reads both from the instance for the history row it writes.
    party._history_user = user  # type: ignore[attr-defined]
    party._change_reason = note.strip()[:100]  # type: ignore[attr-defined]
    party.full_clean()
    party.save()


@transaction.atomic
def parties_publish(
    *,
    parties: Sequence[Party],
    decided_by: Any,
    notice_on: date,
    note: str = "",
    today: date | None = None,
) -> list[Publication]:
    """ "Approve for the public list": each party becomes approved (with history, by the
    reviewer) and each processor or sub-processor among them gets one publication, unless
    its latest one already adds it (approving twice announces nothing new). Other parties
    need no publication and are only approved. One batch of writes: the stored findings
    follow once."""
    _check_reviewer(decided_by)
    today = today or timezone.localdate()
    _check_notice(notice_on, today)
    latest = _latest_changes(p.pk for p in parties)
    recorded = []
    with write_batch():
        for party in parties:
            _set_status(party, PartyStatus.APPROVED, decided_by, note)
            if party.relationship not in PUBLISHED_RELATIONSHIPS:
                continue
            if latest.get(party.pk) == PublicationChange.ADDED:
                continue
            recorded.append(
                publication_record(
                    party=party,
                    decided_by=decided_by,
                    notice_on=notice_on,
                    note=note,
                    today=today,
                )  # fmt: skip
            )
    return recorded


@transaction.atomic
def parties_reject(*, parties: Sequence[Party], decided_by: Any, note: str = "") -> int:
    """ "Reject": the parties become rejected (with history, by the reviewer) and stay off
    the public list. A party the list shows or announces already is refused: leaving the
    list is a publication of its own."""
    _check_reviewer(decided_by)
    latest = _latest_changes(p.pk for p in parties)
    published = sorted(p.name for p in parties if latest.get(p.pk) == PublicationChange.ADDED)
    if published:
        raise ValidationError(
            f"{', '.join(published)} {'is' if len(published) == 1 else 'are'} on the public "
            "list or announced for it: offboard instead of rejecting."
        )
    with write_batch():
        for party in parties:
            _set_status(party, PartyStatus.REJECTED, decided_by, note)
    return len(parties)


# --- reads ---------------------------------------------------------------------------------


def _latest_in_effect(today: date, party: str = "pk") -> Subquery:
    """The change of the latest publication in effect on `today` of the party at `party`."""
    return Subquery(
        Publication.objects.filter(party=OuterRef(party), effective_on__lte=today)
        .order_by("-effective_on", "-id")
        .values("change")[:1]
    )


def listed_parties(*, today: date) -> QuerySet[Party]:
    """The processors and sub-processors the public list shows on `today`: approved, and
    their latest publication in effect adds them. An offboarded or rejected party leaves the
    list at once: a removal takes nothing from the customers' protection."""
    return (
        Party.objects.filter(status=PartyStatus.APPROVED, relationship__in=PUBLISHED_RELATIONSHIPS)
        .alias(in_effect=_latest_in_effect(today))
        .filter(in_effect=PublicationChange.ADDED)
        .order_by("name", "slug")
    )


def publications_upcoming(*, today: date, limit: int) -> tuple[list[Publication], int]:
    """The changes told to customers and not yet in effect on `today`, soonest first, and
    how many there are. Additions of parties no longer approved are left out: they will not
    take effect."""
    upcoming = Publication.objects.filter(notice_on__lte=today, effective_on__gt=today).exclude(
        change=PublicationChange.ADDED, party__status__in=_NOT_LISTED_STATUSES
    )
    rows = list(
        upcoming.select_related("party").order_by("effective_on", "party__name", "id")[: limit + 1]
    )
    count = len(rows) if len(rows) <= limit else upcoming.count()
    return rows[:limit], count


def engagers_by_party(
    *, parties: Iterable[int], today: date, listed_only: bool = False
) -> dict[int, str]:
    """Party id -> the names of the processors engaging it on `today`, joined with ", "
    (one query). `listed_only`: only processors the public list shows on `today`."""
    engagements = Engagement.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=today), subprocessor__in=list(parties)
    )
    if listed_only:
        engagements = engagements.filter(
            processor__status=PartyStatus.APPROVED,
            processor__relationship__in=PUBLISHED_RELATIONSHIPS,
        ).alias(processor_in_effect=_latest_in_effect(today, party="processor"))
        engagements = engagements.filter(processor_in_effect=PublicationChange.ADDED)
    names: dict[int, list[str]] = {}
    rows = engagements.order_by("processor__name", "processor__slug").values_list(
        "subprocessor_id", "processor__name"
    )
    for party, name in rows:
        if name not in names.setdefault(party, []):
            names[party].append(name)
    return {party: ", ".join(listed) for party, listed in names.items()}


def publications_for_feed(*, today: date, limit: int) -> list[Publication]:
    """The publications whose latest announcement (the notice, or the effect once reached)
    is among the `limit` newest on `today`: every feed entry they make is there (one query)."""
    latest_entry = Case(
        When(effective_on__lte=today, then=F("effective_on")), default=F("notice_on")
    )
    return list(
        Publication.objects.filter(notice_on__lte=today)
        .select_related("party")
        .alias(latest_entry=latest_entry)
        .order_by("-latest_entry", "-id")[:limit]
    )


def first_listed_on(*, today: date) -> dict[str, date]:
    """The day each party's first addition took effect, by slug, for those reached by
    `today` (one query): the feed's other changes of a party count from then on."""
    rows = (
        Publication.objects.filter(change=PublicationChange.ADDED, effective_on__lte=today)
        .values("party__slug")
        .annotate(first=Min("effective_on"))
        .values_list("party__slug", "first")
    )
    return dict(rows)


def listed_since(*, today: date) -> QuerySet[Publication, Any]:
    """The slugs of the parties an addition listed by `today`, as a subquery."""
    return Publication.objects.filter(
        change=PublicationChange.ADDED, effective_on__lte=today
    ).values("party__slug")


def publication_next_change(*, after: date) -> date | None:
    """The first effective date later than `after`: the day the public list next changes
    by itself (one query)."""
    return (
        Publication.objects.filter(effective_on__gt=after)
        .order_by("effective_on")
        .values_list("effective_on", flat=True)
        .first()
    )


def publication_pending(
    *, search: str = "", relationship: str = "", processor: str = ""
) -> QuerySet[Party]:
    """The processors and sub-processors waiting for a reviewer's decision on the public
    list: submitted (an import, an edit page), or approved without any publication (set in
    the admin, or before this existed elsewhere). Vendors of an onboarding under way are the
    onboarding page's to decide. `processor` matches the party or the processor that engaged
    it, by name or slug."""
    has_publication = Exists(Publication.objects.filter(party=OuterRef("pk")))
    parties = (
        Party.objects.filter(relationship__in=PUBLISHED_RELATIONSHIPS)
        .alias(published=has_publication)
        .filter(Q(status=PartyStatus.SUBMITTED) | Q(status=PartyStatus.APPROVED, published=False))
        .exclude(onboarding__state__in=_UNDECIDED_ONBOARDING)
        .exclude(proposed_in_onboardings__state__in=_UNDECIDED_ONBOARDING)
        .prefetch_related(
            Prefetch(
                "engagements",
                queryset=Engagement.objects.filter(ended_on__isnull=True)
                .select_related("processor")
                .order_by("processor__name", "id"),
                to_attr="open_engagements",
            )
        )
        .order_by("name", "slug")
    )
    if relationship:
        parties = parties.filter(relationship=relationship)
    if processor:
        engaged = Engagement.objects.filter(
            Q(processor__name__icontains=processor) | Q(processor__slug__icontains=processor),
            subprocessor=OuterRef("pk"),
            ended_on__isnull=True,
        )
        parties = parties.filter(
            Q(name__icontains=processor) | Q(slug__icontains=processor) | Exists(engaged)
        )
    if search:
        parties = parties.filter(
            Q(name__icontains=search) | Q(slug__icontains=search) | Q(legal_name__icontains=search)
        )
    return parties


def publication_relationship_choices() -> list[tuple[str, str]]:
    """The relationships the public list shows, as a filter's choices."""
    return [
        (str(r.value), str(r.label)) for r in (Relationship.PROCESSOR, Relationship.SUBPROCESSOR)
    ]
