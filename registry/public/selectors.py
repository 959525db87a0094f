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

from django.db.models import Prefetch
from django_countries import countries as country_names

from flows.models import Flow, active_on
from registry.choices import PartyStatus, Relationship
from registry.models import Party

LISTED = (Relationship.PROCESSOR, Relationship.SUBPROCESSOR)
FEED_LENGTH = 50


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


def public_subprocessors(*, today: date) -> list[PublicProcessor]:
    """Approved processors and sub-processors, with the purposes of the data they receive
    today and every country where they process it. Three queries."""
    live = Flow.objects.filter(active_on(today), proposed=False)
    parties = (
        Party.objects.filter(status=PartyStatus.APPROVED, relationship__in=LISTED)
        .select_related("engaged_by")
        .prefetch_related(
            Prefetch("incoming_flows", queryset=live.select_related("purpose").order_by("id"))
        )
        .order_by("name", "slug")
    )
    result = []
    for party in parties:
        flows = list(party.incoming_flows.all())
        codes = set(party.effective_processing_countries)
        for flow in flows:
            codes.update(c.code for c in flow.processing_countries)
        engager = party.engaged_by
        listed_engager = (
            engager is not None
            and engager.status == PartyStatus.APPROVED
            and engager.relationship in LISTED
        )
        result.append(
            PublicProcessor(
                slug=party.slug,
                name=party.name,
                legal_name=party.legal_name,
                relationship=party.get_relationship_display(),
                engaged_by=engager.name if listed_engager and engager else "",
                website=party.website,
                country=_country_name(party.country.code),
                processing_countries=sorted(_country_name(c) for c in codes),
                purposes=sorted({f.purpose.name or f.purpose.key for f in flows}),
            )
        )
    return result


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
    """The latest changes of the public list, from the parties' history, in one query."""
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
