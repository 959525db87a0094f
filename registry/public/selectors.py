"""What the public sub-processor list and its feed show: the processors and sub-processors
a reviewer's publication put in effect, the changes still in their notice period, their
purposes and processing countries, and nothing internal.

GDPR Art. 28(2) (general written authorisation): the controller must be told of intended
additions or replacements of sub-processors, and may object before they take effect. The
list and the Atom feed publish exactly that (registry/publication.py), and no notes,
contacts, agreements or findings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from django.core.paginator import Page, Paginator
from django_countries import countries as country_names

from flows.models import Flow, active_on
from registry.choices import PartyStatus
from registry.models import PUBLISHED_RELATIONSHIPS, Party, Publication, PublicationChange
from registry.public.cache import cached, public_list_version
from registry.publication import (
    engagers_by_party,
    first_listed_on,
    listed_parties,
    listed_since,
    publications_for_feed,
    publications_upcoming,
)
from registry.selectors import organisation_name

LISTED = PUBLISHED_RELATIONSHIPS
FEED_LENGTH = 50
PAGE_SIZE = 100
UPCOMING_SHOWN = 100


def _country_name(code: str) -> str:
    return str(country_names.name(code)) or code


@dataclass(frozen=True)
class PublicProcessor:
    slug: str
    name: str
    legal_name: str
    relationship: str
    engaged_by: str
    website: str
    country: str
    processing_countries: list[str]
    purposes: list[str]


def _processor(
    party: Party, purposes: Iterable[str], flow_countries: Iterable[str], engaged_by: str
) -> PublicProcessor:
    codes = {*party.effective_processing_countries, *flow_countries}
    return PublicProcessor(
        slug=party.slug,
        name=party.name,
        legal_name=party.legal_name,
        relationship=party.get_relationship_display(),
        engaged_by=engaged_by,
        website=party.website,
        country=_country_name(party.country.code),
        processing_countries=sorted(_country_name(c) for c in codes),
        purposes=sorted(set(purposes)),
    )


def _page_of_processors(*, today: date, number: int) -> list[PublicProcessor]:
    """One page of the list: the page's parties, then the purposes and processing countries
    of the flows they receive today, each reduced to distinct values by the database (three
    queries, whatever the number of flows)."""
    start = (number - 1) * PAGE_SIZE
    parties = list(listed_parties(today=today)[start : start + PAGE_SIZE])
    # Only processors the list shows themselves: an engager not (or no longer) listed is
    # not named.
    engagers = engagers_by_party(parties=[p.pk for p in parties], today=today, listed_only=True)
    live = Flow.objects.filter(
        active_on(today), proposed=False, target__in=[p.pk for p in parties]
    ).order_by()  # Flow's default ordering would add its column to the SELECT DISTINCT
    purposes: dict[int, list[str]] = {}
    for target, name, key in live.values_list("target", "purpose__name", "purpose__key").distinct():
        purposes.setdefault(target, []).append(name or key)
    countries: dict[int, list[str]] = {}
    for target, stored in live.values_list("target", "processing_countries").distinct():
        countries.setdefault(target, []).extend(_codes(stored))
    return [
        _processor(p, purposes.get(p.pk, ()), countries.get(p.pk, ()), engagers.get(p.pk, ""))
        for p in parties
    ]


@dataclass(frozen=True)
class UpcomingChange:
    """A change told to customers that takes effect later: who, what, and the two dates."""

    slug: str
    name: str
    change: str
    relationship: str
    engaged_by: str
    country: str
    processing_countries: list[str]
    notice_on: date
    effective_on: date
    is_addition: bool


def _upcoming(publication: Publication, engaged_by: str) -> UpcomingChange:
    party = publication.party
    return UpcomingChange(
        slug=party.slug,
        name=party.name,
        change="Addition" if publication.change == PublicationChange.ADDED else "Removal",
        relationship=party.get_relationship_display(),
        engaged_by=engaged_by,
        country=_country_name(party.country.code),
        processing_countries=sorted(_country_name(c) for c in party.effective_processing_countries),
        notice_on=publication.notice_on,
        effective_on=publication.effective_on,
        is_addition=publication.change == PublicationChange.ADDED,
    )


@dataclass(frozen=True)
class Upcoming:
    changes: list[UpcomingChange]
    count: int


@dataclass(frozen=True)
class ListHead:
    """What every page of the list shows above it: whose list it is, and how long it is."""

    organisation: str
    count: int


@dataclass(frozen=True)
class ListPage:
    """Which page of the public list to show, and the cache key its rendering is kept
    under: the key changes with the register (the version) and with the day."""

    today: date
    number: int
    count: int
    cache_key: str
    organisation: str = ""

    def page(self) -> Page[PublicProcessor]:
        """The page's processors, with the purposes of the data they receive today and
        every country where they process it (three queries)."""
        processors = _page_of_processors(today=self.today, number=self.number)
        # The page links need only the count: a range of that length stands for the list.
        paginator: Paginator[Any] = Paginator(range(self.count), PAGE_SIZE)
        return Page(processors, self.number, paginator)

    def upcoming(self) -> Upcoming | None:
        """The changes in their notice period, soonest first, on the first page only (one
        query)."""
        if self.number != 1:
            return None
        rows, count = publications_upcoming(today=self.today, limit=UPCOMING_SHOWN)
        engagers = engagers_by_party(parties=[p.party_id for p in rows], today=self.today)
        return Upcoming([_upcoming(p, engagers.get(p.party_id, "")) for p in rows], count)


def subprocessor_list_page(*, today: date, number: int) -> ListPage:
    """Page `number` of the processors and sub-processors in effect on `today`; a number
    past the last page gives the last page, so that only real pages are ever stored. Two
    cache queries, and the count and the organisation's name when the register changed."""
    prefix = f"public-list:{public_list_version(today)}:{today.isoformat()}"
    head = cached(
        f"{prefix}:head",
        lambda: ListHead(organisation_name(), listed_parties(today=today).count()),
    )
    number = min(max(1, number), max(1, -(-head.count // PAGE_SIZE)))
    return ListPage(today, number, head.count, f"{prefix}:page:{number}", head.organisation)


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One historical version of a party, as the feed needs it."""

    id: int
    slug: str
    name: str
    relationship: str
    status: str
    countries: tuple[str, ...]
    when: datetime
    deleted: bool = False


_TITLES = {
    "added": "Added",
    "removed": "Removed",
    "countries": "Countries changed",
    "notice-added": "Intended addition",
    "notice-removed": "Intended removal",
}


@dataclass(frozen=True, slots=True)
class ListChange:
    """A change of the public list: added, removed, processing countries changed, or the
    notice of an intended addition or removal (with the day it takes effect)."""

    id: int
    kind: str
    slug: str
    name: str
    when: datetime
    countries_before: tuple[str, ...] = ()
    countries_after: tuple[str, ...] = ()
    effective_on: date | None = None
    notice_on: date | None = None
    #: "history" (a party's versions) or "publication" (a reviewer's decision).
    source: str = "history"

    @property
    def title(self) -> str:
        title = f"{_TITLES[self.kind]}: {self.name}"
        if self.kind.startswith("notice-") and self.effective_on:
            title += f", from {self.effective_on.isoformat()}"
        return title

    @property
    def guid(self) -> str:
        if self.source == "publication":
            return f"urn:x-subprocessor-publication:{self.id}:{self.kind}"
        return f"urn:x-subprocessor-change:{self.id}"

    @property
    def description(self) -> str:
        after = ", ".join(_country_name(c) for c in self.countries_after)
        on = f" on {self.effective_on.isoformat()}" if self.effective_on else ""
        if self.kind == "notice-added":
            return (
                f"{self.name} is to be added to our sub-processors{on}, after an objection "
                f"period that started on {self.notice_on}. Processing countries: {after}. "
                "Tell us before then if you object."
            )
        if self.kind == "notice-removed":
            return f"{self.name} is to stop processing personal data for us{on}."
        if self.kind == "added":
            return (
                f"{self.name} was added to our sub-processors{on}. Processing countries: {after}."
            )
        if self.kind == "removed":
            return f"{self.name} no longer processes personal data for us."
        before = ", ".join(_country_name(c) for c in self.countries_before)
        return f"{self.name} processing countries changed from {before} to {after}."


def _listed(row: HistoryRow) -> bool:
    return not row.deleted and row.status == PartyStatus.APPROVED and row.relationship in LISTED


def list_changes(rows: Iterable[HistoryRow]) -> list[ListChange]:
    """The changes of the public list a party's versions imply, newest first. Pure.

    `rows` in any order; each party's versions are read oldest first.
    """
    by_party: dict[str, list[HistoryRow]] = {}
    for row in sorted(rows, key=lambda r: (r.when, r.id)):
        by_party.setdefault(row.slug, []).append(row)
    changes: list[ListChange] = []
    for versions in by_party.values():
        previous: HistoryRow | None = None
        for row in versions:
            was = previous is not None and _listed(previous)
            now = _listed(row)
            if now and not was:
                changes.append(
                    ListChange(row.id, "added", row.slug, row.name, row.when, (), row.countries)
                )
            elif was and not now and previous is not None:
                changes.append(ListChange(row.id, "removed", row.slug, previous.name, row.when))
            elif was and now and previous is not None and previous.countries != row.countries:
                changes.append(
                    ListChange(
                        row.id,
                        "countries",
                        row.slug,
                        row.name,
                        row.when,
                        previous.countries,
                        row.countries,
                    )  # fmt: skip
                )
            previous = row
    changes.sort(key=lambda c: (c.when, c.id), reverse=True)
    return changes


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def publication_changes(publications: Iterable[Publication], *, today: date) -> list[ListChange]:
    """The feed's entries of reviewers' decisions, newest first: each change at notice and
    again on the day it takes effect, once reached. Pure over the rows given. A change in
    effect the day it was noticed (the parties listed before decisions were recorded) has
    one entry, the effect."""
    changes = []
    for p in publications:
        party = p.party
        added = p.change == PublicationChange.ADDED

        def entry(
            kind: str, when: datetime, p: Publication = p, party: Party = party
        ) -> ListChange:
            return ListChange(
                p.pk, kind, party.slug, party.name, when,
                countries_after=tuple(sorted(party.effective_processing_countries)),
                effective_on=p.effective_on, notice_on=p.notice_on, source="publication",
            )  # fmt: skip

        if p.notice_on < p.effective_on:
            told = p.decided_at if p.decided_at.date() == p.notice_on else _midnight(p.notice_on)
            changes.append(entry("notice-added" if added else "notice-removed", told))
        # An addition whose party was rejected before it took effect never happened.
        if p.effective_on <= today and (not added or party.status != PartyStatus.REJECTED):
            changes.append(entry("added" if added else "removed", _midnight(p.effective_on)))
    changes.sort(key=lambda c: (c.when, c.id), reverse=True)
    return changes


def _codes(stored: object) -> tuple[str, ...]:
    """Processing countries as stored: a comma-separated string or a list of countries."""
    if not stored:
        return ()
    if isinstance(stored, str):
        return tuple(sorted(stored.split(",")))
    return tuple(sorted(getattr(c, "code", str(c)) for c in stored))  # type: ignore[attr-defined]


def subprocessor_changes(*, today: date, limit: int = FEED_LENGTH) -> list[ListChange]:
    """The latest changes of the public list on `today`: from the shared cache while the
    register is unchanged, else from the publications and the parties' history (three
    queries)."""
    key = f"public-feed:{public_list_version(today)}:{today.isoformat()}:{limit}"
    return cached(key, lambda: _changes(today=today, limit=limit))


def _changes(*, today: date, limit: int) -> list[ListChange]:
    decided = publication_changes(publications_for_feed(today=today, limit=limit), today=today)
    changes = decided + _changes_from_history(today=today, limit=limit)
    changes.sort(key=lambda c: (c.when, c.source == "publication", c.id), reverse=True)
    return changes[:limit]


def _changes_from_history(*, today: date, limit: int) -> list[ListChange]:
    """Removals and changes of processing countries of the parties the list showed when
    they happened. Additions come from the publications alone: a status is no decision."""
    since = first_listed_on(today=today)
    rows = Party.history.filter(slug__in=listed_since(today=today)).values_list(
        "history_id", "slug", "name", "relationship", "status", "country",
        "processing_countries", "history_date", "history_type",
    )  # fmt: skip
    records = [
        HistoryRow(
            pk,
            slug,
            name,
            relationship,
            status,
            _codes(countries) or (str(country),),
            when,
            kind == "-",
        )  # fmt: skip
        for pk, slug, name, relationship, status, country, countries, when, kind in rows
    ]
    return [
        c for c in list_changes(records) if c.kind != "added" and c.when.date() >= since[c.slug]
    ][:limit]
