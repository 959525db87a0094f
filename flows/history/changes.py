"""Reads of the change history (django-simple-history) of parties, agreements and flows:
who changed what and when, with old and new values, and the register as it stood on a date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone

from flows.models import Flow
from registry.models import Agreement, Party

HISTORY_LENGTH = 30
_SKIPPED = {"id", "created_at", "updated_at", "document"}
_KINDS = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    who: str
    kind: str
    changes: list[FieldChange]
    reason: str = ""


def _show(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    if isinstance(value, Iterable):
        shown = []
        for item in value:
            if isinstance(item, dict):
                # A many-to-many row: {"agreement": <owner>, "party": <related>}: keep the
                # related side, which is the last key.
                item = list(item.values())[-1]
            shown.append(str(getattr(item, "code", item)))
        return ", ".join(sorted(shown)) or "—"
    return str(getattr(value, "code", value))


def _label(model: type[models.Model], name: str) -> str:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:  # a field that no longer exists keeps its name
        return name
    # A reverse relation has no verbose name of its own.
    return str(getattr(field, "verbose_name", name))


def history_of(instance: models.Model, limit: int = HISTORY_LENGTH) -> list[HistoryEntry]:
    """The latest `limit` versions of a party, agreement or flow, newest first, each with
    what changed from the version before it."""
    manager = instance.history  # type: ignore[attr-defined]
    versions = list(
        manager.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    model = type(instance)
    entries: list[HistoryEntry] = []
    # Rows written in bulk (synthetic registers) may have no history at all.
    for newer, older in zip(versions, [*versions[1:], None][: len(versions)], strict=True):
        if len(entries) == limit:
            break
        changes: list[FieldChange] = []
        if older is not None and newer.history_type == "~":
            delta = newer.diff_against(older, foreign_keys_are_objs=True)
            changes = [
                FieldChange(_label(model, c.field), _show(c.old), _show(c.new))
                for c in delta.changes
                if c.field not in _SKIPPED
            ]
        user = newer.history_user
        entries.append(
            HistoryEntry(
                when=newer.history_date,
                who=user.get_username() if user else "system (command or import)",
                kind=_KINDS.get(newer.history_type, newer.history_type),
                changes=changes,
                reason=newer.history_change_reason or "",
            )
        )
    return entries


@dataclass(frozen=True)
class RegisterAsOf:
    day: date
    parties: list[Party]
    agreements: list[Agreement]
    flows: list[Flow]
    names: dict[int, str]
    """Party id -> name as it stood on the day."""


def register_as_of(*, day: date) -> RegisterAsOf:
    """The parties, agreements and flows as the register held them at the end of `day`."""
    moment = timezone.make_aware(datetime.combine(day, time.max))
    parties = sorted(Party.history.as_of(moment), key=lambda p: (p.name, p.slug))
    agreements = sorted(Agreement.history.as_of(moment), key=lambda a: a.reference)
    flows = sorted(
        (f for f in Flow.history.as_of(moment) if not f.proposed), key=lambda f: f.reference
    )
    return RegisterAsOf(
        day=day,
        parties=parties,
        agreements=agreements,
        flows=flows,
        names={p.pk: p.name for p in parties},
    )
