"""The demo's public list: each processor and sub-processor VoIPX works with was announced to
its customers a notice period before its first data flow, and approved by the demo's
reviewer; one more, RelayWave SMS, is still in its notice period, so the public page shows an
upcoming addition whatever day the demo is loaded.

Recorded through registry.publication like any reviewer's decision, on the day it was taken.
Idempotent: a party whose latest publication adds it already is left as it is.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from registry.demo.records import DemoEngagement, DemoRegister
from registry.models import PUBLISHED_RELATIONSHIPS, Party
from registry.publication import parties_publish, publication_notice_days
from registry.roles import REVIEWER

DEMO_REVIEWER = "legal-review-demo"
#: The addition still in its notice period on the day of loading: told this many days ago.
UPCOMING = "relaywave-sms"
UPCOMING_TOLD_DAYS_AGO = 9
#: Parties with no flow of their own: announced with the first flow of the one engaging them.
FIRST_FLOW_FALLBACK = date(2015, 1, 5)


def _reviewer() -> Any:
    user, created = get_user_model().objects.get_or_create(
        username=DEMO_REVIEWER, defaults={"first_name": "Legal", "last_name": "Review"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    group = Group.objects.filter(name=REVIEWER).first()
    if group is not None:
        user.groups.add(group)
    return user


def seed_publications(demo: DemoRegister, parties: dict[str, Party], today: date) -> None:
    """A publication for each approved processor and sub-processor of the demo."""
    reviewer = _reviewer()
    first_flow: dict[str, date] = {}
    for f in demo.flows:
        first_flow[f.target] = min(f.started_on, first_flow.get(f.target, f.started_on))
    days = publication_notice_days()
    engagers: dict[str, list[DemoEngagement]] = {}
    for e in demo.engagements:
        engagers.setdefault(e.subprocessor, []).append(e)
    for p in demo.parties:
        if p.relationship not in PUBLISHED_RELATIONSHIPS or p.status != "approved":
            continue
        if p.slug == UPCOMING:
            told = today - timedelta(days=UPCOMING_TOLD_DAYS_AGO)
            note = "Two-factor codes by SMS; starts when the objection period ends."
        else:
            starts = first_flow.get(p.slug) or next(
                (
                    first_flow[e.processor]
                    for e in engagers.get(p.slug, ())
                    if e.processor in first_flow
                ),
                None,
            )
            told = (starts or FIRST_FLOW_FALLBACK) - timedelta(days=days)
            note = "Announced before its first data flow."
        parties_publish(
            parties=[parties[p.slug]], decided_by=reviewer, notice_on=told, note=note, today=told
        )
