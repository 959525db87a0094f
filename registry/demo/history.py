"""The demo's history told with its real dates.

Loading the demo saves every record today, so its change history would begin on the day of
loading and the register "as recorded" on any earlier day would be empty. A real register
was written as the business went: a party when the first agreement or flow with it began, an
agreement when it was signed, a flow when it started. The demo's first version of each record
is dated so (on that day, parties before agreements before flows); later versions (a
re-loading that moves a relative date, an onboarding's approval) keep the day they were
made.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import models
from django.utils import timezone

from flows.models import Flow
from registry.choices import PartyStatus
from registry.demo.records import DemoRegister
from registry.models import Agreement, Party

PARTY_HOUR, AGREEMENT_HOUR, FLOW_HOUR = time(9), time(10), time(11)
"""Records of one day are written in that order, so a flow never precedes its parties."""


def agreement_day(signed_on: date, effective_on: date | None) -> date:
    return min(d for d in (signed_on, effective_on) if d is not None)


def real_dates(demo: DemoRegister) -> tuple[dict[str, date], dict[str, date], dict[str, date]]:
    """The day each demo party, agreement and flow entered the register: a party's is the
    first day of an agreement or flow it takes part in, or of one its engaging processor
    signed for it."""
    agreements = {a.reference: agreement_day(a.signed_on, a.effective_on) for a in demo.agreements}
    flows = {f.reference: f.started_on for f in demo.flows}
    parties: dict[str, date] = {}

    def note(slug: str, day: date) -> None:
        parties[slug] = min(day, parties.get(slug, day))

    for a in demo.agreements:
        for slug in a.parties:
            note(slug, agreements[a.reference])
    for f in demo.flows:
        note(f.source, f.started_on)
        note(f.target, f.started_on)
    for p in demo.parties:
        # A parent is recorded with (or before) the first affiliate under it.
        if p.slug in parties and p.parent:
            note(p.parent, parties[p.slug])
    return parties, agreements, flows


def _moment(day: date, hour: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, hour))


def _backdate(model: type[models.Model], key: str, days: dict[str, date], hour: time) -> int:
    """Date the first version of each record (by its natural key) on its real day; a record
    whose first version was saved earlier still keeps it."""
    history = model.history  # type: ignore[attr-defined]
    ids = dict(model._default_manager.filter(**{f"{key}__in": days}).values_list(key, "id"))
    changed = 0
    for natural_key, day in days.items():
        if natural_key not in ids:
            continue
        moment = _moment(day, hour)
        changed += history.filter(
            id=ids[natural_key], history_type="+", history_date__gt=moment
        ).update(history_date=moment)
    return changed


def offboarding_days(demo: DemoRegister) -> dict[str, date]:
    """The day each offboarded demo party was offboarded: the day after the last of its
    agreements ended (a party offboarded with none ended is left as it is)."""
    offboarded = {p.slug for p in demo.parties if p.status == PartyStatus.OFFBOARDED}
    days: dict[str, date] = {}
    for a in demo.agreements:
        end = a.terminated_on or a.expires_on
        if end is None:
            continue
        for slug in offboarded.intersection(a.parties):
            days[slug] = max(end + timedelta(days=1), days.get(slug, end))
    return days


def _offboard(days: dict[str, date]) -> int:
    """Tell an offboarding as it happened: the party's first version approved, then a
    change to offboarded on its day; the number of history rows written. Running it again
    writes none."""
    history = Party.history
    ids = dict(Party._default_manager.filter(slug__in=days).values_list("slug", "id"))
    fields = [f.attname for f in history.model._meta.fields if f.attname != "history_id"]
    changed = 0
    for slug, day in days.items():
        if slug not in ids:
            continue
        moment = _moment(day, PARTY_HOUR)
        rows = history.filter(id=ids[slug])
        first = rows.filter(history_type="+").first()
        if first is None or first.history_date >= moment or rows.filter(history_date=moment):
            continue
        values = {name: getattr(first, name) for name in fields}
        rows.filter(history_type="+").update(status=PartyStatus.APPROVED)
        history.model.objects.create(
            **{
                **values,
                "history_type": "~",
                "history_date": moment,
                "status": PartyStatus.OFFBOARDED,
                "history_change_reason": "Offboarded",
            }
        )
        changed += 2
    return changed


def demo_history_backdate(demo: DemoRegister) -> int:
    """Give the demo's records their real dates in the change history; the number of
    history rows moved. Running it again moves none."""
    parties, agreements, flows = real_dates(demo)
    return (
        _backdate(Party, "slug", parties, PARTY_HOUR)
        + _backdate(Agreement, "reference", agreements, AGREEMENT_HOUR)
        + _backdate(Flow, "reference", flows, FLOW_HOUR)
        + _offboard(offboarding_days(demo))
    )
