"""The register as it stood at the end of a past day, read from the change history.

Each section (parties, agreements, flows) is one paginated query: the historical rows saved
by the end of the day that no later row of the same object (up to that day) replaces, less
the deletions. The database picks them; Python only sees the rows of the page shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Min, OuterRef, Subquery
from django.utils import timezone

from flows.models import Flow
from registry.models import Agreement, Party
from registry.web.listing import PAGE_SIZE

HistoricalRows = Any
"""simple-history's HistoricalQuerySet, which ships no types."""

SECTIONS = ("parties", "agreements", "flows")
"""The sections of the page, each paged by its own `<section>_page` parameter."""


def end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))


def versions_current_at(model: type[models.Model], moment: datetime) -> HistoricalRows:
    """The historical row of each object of `model` that was current at `moment`, deleted
    objects left out, in one query: a row is kept when it is its object's latest by
    `moment`, which a correlated subquery finds through the index on the object's id.

    The subquery alone bounds the date (a later row is never the latest by `moment`): with
    no range on the outer rows, the database can walk the index of the page's order and
    stop after one page instead of sorting every row."""
    history = model.history  # type: ignore[attr-defined]
    latest = (
        history.filter(id=OuterRef("id"), history_date__lte=moment)
        # Two rows saved in the same microsecond (an import) are told apart by their id.
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    return history.filter(history_id=Subquery(latest)).exclude(history_type="-")


@dataclass(frozen=True)
class RegisterAsOf:
    day: date
    history_starts: date | None
    """The day the first record was saved with its history; None when nothing has been."""
    parties: Page
    agreements: Page
    flows: Page
    names: dict[int, str]
    """Party id -> name as it stood on the day, for the parties the flows shown name."""

    @property
    def before_history(self) -> bool:
        return self.history_starts is None or self.day < self.history_starts


def _page(versions: HistoricalRows, number: Any) -> Page:
    # as_instances(): the rows come back as Party, Agreement or Flow objects holding the
    # values of that day, so the template reads them as it reads live ones.
    return Paginator(versions.as_instances(), PAGE_SIZE).get_page(number)


def history_start() -> date | None:
    """The first day any party, agreement or flow was saved with history (three look-ups of
    an indexed minimum)."""
    firsts = [
        model.history.aggregate(first=Min("history_date"))["first"]
        for model in (Party, Agreement, Flow)
    ]
    known = [first for first in firsts if first is not None]
    return timezone.localdate(min(known)) if known else None


def _names(moment: datetime, flows: Iterable[Flow]) -> dict[int, str]:
    ids = {i for f in flows for i in (f.source_id, f.target_id)}
    if not ids:
        return {}
    rows = versions_current_at(Party, moment).filter(id__in=ids).values_list("id", "name")
    return dict(rows)


def register_as_of(*, day: date, pages: dict[str, Any] | None = None) -> RegisterAsOf:
    """The parties, agreements and flows as the register held them at the end of `day`,
    one page of each (`pages`: section -> page number, the first page by default).

    A constant number of queries whatever the size: a count and a page for each section,
    the names of the parties the flows on the page name, and the first day of history.
    """
    pages = pages or {}
    moment = end_of(day)
    parties = versions_current_at(Party, moment).order_by("name", "slug", "id")
    agreements = versions_current_at(Agreement, moment).order_by("reference", "id")
    flows = versions_current_at(Flow, moment).filter(proposed=False).order_by("reference", "id")
    flow_page = _page(flows, pages.get("flows"))
    return RegisterAsOf(
        day=day,
        history_starts=history_start(),
        parties=_page(parties, pages.get("parties")),
        agreements=_page(agreements, pages.get("agreements")),
        flows=flow_page,
        names=_names(moment, flow_page.object_list),
    )
