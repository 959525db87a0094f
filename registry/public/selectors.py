"""What the public sub-processor list and its feed show: approved processors and
sub-processors, their purposes and processing countries, and nothing internal.

GDPR Art. 28(2) (general written authorisation): the controller must be told of intended
additions or replacements of sub-processors. The list and the Atom feed publish exactly that,
and no notes, contacts, agreements or findings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django_countries import countries as country_names

from flows.models import Flow, active_on
from registry.choices import PartyStatus, Relationship
from registry.models import Party
from registry.public.cache import cached, public_list_version

LISTED = (Relationship.PROCESSOR, Relationship.SUBPROCESSOR)
FEED_LENGTH = 50
PAGE_SIZE = 100


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


def _listed_parties() -> QuerySet[Party]:
    return Party.objects.filter(status=PartyStatus.APPROVED, relationship__in=LISTED).order_by(
        "name", "slug"
    )


def _processor(
    party: Party, purposes: Iterable[str], flow_countries: Iterable[str]
) -> PublicProcessor:
    engager = party.engaged_by
    listed_engager = (
        engager is not None
        and engager.status == PartyStatus.APPROVED
        and engager.relationship in LISTED
    )
    codes = {*party.effective_processing_countries, *flow_countries}
    return PublicProcessor(
        slug=party.slug,
        name=party.name,
        legal_name=party.legal_name,
        relationship=party.get_relationship_display(),
        engaged_by=engager.name if listed_engager and engager else "",
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
    parties = list(_listed_parties().select_related("engaged_by")[start : start + PAGE_SIZE])
    live = Flow.objects.filter(
        active_on(today), proposed=False, target__in=[p.pk for p in parties]
    ).order_by()  # Flow's default ordering would add its column to the SELECT DISTINCT
    purposes: dict[int, list[str]] = {}
    for target, name, key in live.values_list("target", "purpose__name", "purpose__key").distinct():
        purposes.setdefault(target, []).append(name or key)
    countries: dict[int, list[str]] = {}
    for target, stored in live.values_list("target", "processing_countries").distinct():
        countries.setdefault(target, []).extend(_codes(stored))
    return [_processor(p, purposes.get(p.pk, ()), countries.get(p.pk, ())) for p in parties]


@dataclass(frozen=True)
class ListPage:
    """Which page of the public list to show, and the cache key its rendering is kept
    under: the key changes with the register (the version) and with the day."""

    today: date
    number: int
    count: int
    cache_key: str

    def page(self) -> Page[PublicProcessor]:
        """The page's processors, with the purposes of the data they receive today and
        every country where they process it (three queries)."""
        processors = _page_of_processors(today=self.today, number=self.number)
        # The page links need only the count: a range of that length stands for the list.
        paginator: Paginator[Any] = Paginator(range(self.count), PAGE_SIZE)
        return Page(processors, self.number, paginator)


def subprocessor_list_page(*, today: date, number: int) -> ListPage:
    """Page `number` of the approved processors and sub-processors; a number past the last
    page gives the last page, so that only real pages are ever stored. Two cache queries,
    and a count of the listed parties when the register changed."""
    prefix = f"public-list:{public_list_version()}:{today.isoformat()}"
    count = cached(f"{prefix}:count", lambda: _listed_parties().count())
    number = min(max(1, number), max(1, -(-count // PAGE_SIZE)))
    return ListPage(today, number, count, f"{prefix}:page:{number}")


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


@dataclass(frozen=True, slots=True)
class ListChange:
    """A change of the public list: added, removed, or processing countries changed."""

    id: int
    kind: str
    slug: str
    name: str
    when: datetime
    countries_before: tuple[str, ...] = ()
    countries_after: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        verb = {"added": "Added", "removed": "Removed", "countries": "Countries changed"}
        return f"{verb[self.kind]}: {self.name}"

    @property
    def description(self) -> str:
        after = ", ".join(_country_name(c) for c in self.countries_after)
        if self.kind == "added":
            return f"{self.name} was added to our sub-processors. Processing countries: {after}."
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


def _codes(stored: object) -> tuple[str, ...]:
    """Processing countries as stored: a comma-separated string or a list of countries."""
    if not stored:
        return ()
    if isinstance(stored, str):
        return tuple(sorted(stored.split(",")))
    return tuple(sorted(getattr(c, "code", str(c)) for c in stored))  # type: ignore[attr-defined]


def subprocessor_changes(*, limit: int = FEED_LENGTH) -> list[ListChange]:
    """The latest changes of the public list: from the shared cache while the register is
    unchanged, else from the parties' history in one query."""
    key = f"public-feed:{public_list_version()}:{limit}"
    return cached(key, lambda: _changes_from_history(limit=limit))


def _changes_from_history(*, limit: int) -> list[ListChange]:
    ever_listed = Party.history.filter(relationship__in=LISTED).values("slug")
    rows = Party.history.filter(slug__in=ever_listed).values_list(
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
    return list_changes(records)[:limit]
