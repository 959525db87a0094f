"""Small factory functions for database tests: each makes a valid row with what you name."""

from __future__ import annotations

from datetime import date
from itertools import count
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from flows.models import DataCategory, Flow, Purpose
from flows.services import flow_upsert
from registry.engagements import engagement_create
from registry.models import Agreement, Engagement, Party
from registry.services import agreement_upsert, party_upsert

_serial = count(1)


def make_user(username: str = "viewer", role: str | None = None, **extra: Any):
    """A user; `role` (viewer, editor, reviewer, admin) puts it in that group."""
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(username=username, password="pw-x9!long", **extra)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def make_party(slug: str | None = None, **fields: Any) -> Party:
    slug = slug or f"party-{next(_serial)}"
    values: dict[str, Any] = {
        "name": slug.replace("-", " ").title(),
        "relationship": "processor",
        "country": "US",
    }
    values.update(fields)
    return party_upsert(slug=slug, **values)


def make_engagement(processor: Party, subprocessor: Party, **fields: Any) -> Engagement:
    """An open engagement of `subprocessor` by `processor` (no notice unless given)."""
    return engagement_create(processor=processor, subprocessor=subprocessor, **fields)


def make_own_party(slug: str = "acme", **fields: Any) -> Party:
    return make_party(slug, relationship="own", **fields)


def category(key: str) -> DataCategory:
    return DataCategory.objects.get(key=key)


def purpose(key: str = "essential.service") -> Purpose:
    return Purpose.objects.get(key=key)


def make_agreement(parties: list[Party], reference: str | None = None, **fields: Any) -> Agreement:
    values: dict[str, Any] = {"kind": "dpa", "signed_on": date(2020, 1, 1)}
    values.update(fields)
    return agreement_upsert(
        reference=reference or f"agreement-{next(_serial)}", parties=parties, **values
    )


def make_flow(source: Party, target: Party, reference: str | None = None, **fields: Any) -> Flow:
    values: dict[str, Any] = {
        "categories": [category("user.contact.email")],
        "purpose": purpose(),
        "role": "processor",
        "started_on": date(2020, 1, 1),
        "lawful_basis": "contract",
    }
    values.update(fields)
    return flow_upsert(
        reference=reference or f"flow-{next(_serial)}", source=source, target=target, **values
    )


def refused_by_the_database(write, **values) -> str | None:
    """The database's error for write(**values), or None when it accepts it (rolled back)."""
    try:
        with transaction.atomic():
            write(**values)
            transaction.set_rollback(True)
    except IntegrityError as exc:
        return str(exc)
    return None
