"""Parties on the public list, the way they get there: a reviewer's publication, recorded
through registry.publication on a day far enough back that it is in effect today."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model

from registry.models import Party
from registry.publication import parties_publish, publication_notice_days
from tests.factories import make_party, make_user

REVIEWER = "publication-reviewer"


def reviewer() -> Any:
    existing = get_user_model().objects.filter(username=REVIEWER).first()
    return existing or make_user(REVIEWER, role="reviewer")


def publish(party: Party, *, noticed: date | None = None) -> Party:
    """Record the party's addition as noticed on `noticed` (default: one notice period ago,
    so that it takes effect today)."""
    if noticed is None:
        noticed = date.today() - timedelta(days=publication_notice_days())
    parties_publish(parties=[party], decided_by=reviewer(), notice_on=noticed, today=noticed)
    party.refresh_from_db()
    return party


def make_listed(slug: str | None = None, *, noticed: date | None = None, **fields: Any) -> Party:
    """An approved processor (or what `fields` say) on the public list today."""
    return publish(make_party(slug, **{"status": "approved", **fields}), noticed=noticed)
