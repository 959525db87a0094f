"""Reads of the change history (django-simple-history) of parties, agreements and flows:
who changed what and when, with old and new values.

The differences between versions are worked out here from rows fetched together (the
versions with their users and related objects in one query, the many-to-many sets of all of
them in one query per set), rather than with simple-history's `diff_against`, which asks the
database again for every pair of versions and every related object.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page, Paginator
from django.db import models

from flows.models import Flow
from registry.models import Agreement, Party
from registry.web.listing import PAGE_SIZE

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
        shown = [str(getattr(item, "code", item)) for item in value]
        return ", ".join(sorted(shown)) or "—"
    return str(getattr(value, "code", value))


def _label(model: type[models.Model], name: str) -> str:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:  # a field that no longer exists keeps its name
        return name
    # A reverse relation has no verbose name of its own.
    return str(getattr(field, "verbose_name", name))


class _Shape:
    """What of a model's history is compared: its plain fields, its foreign keys and its
    many-to-many sets (each with the historical table that keeps it and the name of the
    related side in that table)."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        historical = model.history.model  # type: ignore[attr-defined]
        tracked = [f for f in historical.tracked_fields if f.editable and f.name not in _SKIPPED]
        self.foreign_keys = [f for f in tracked if isinstance(f, models.ForeignKey)]
        self.plain = [f for f in tracked if not isinstance(f, models.ForeignKey)]
        self.sets = [
            (m2m.name, getattr(historical, m2m.name).model, m2m.m2m_reverse_field_name())
            for m2m in historical._history_m2m_fields
        ]

    def versions(self, instance: models.Model) -> models.QuerySet[Any]:
        """The object's versions, newest first, with their users and related objects."""
        manager = instance.history  # type: ignore[attr-defined]
        return manager.select_related(
            "history_user", *(f.name for f in self.foreign_keys)
        ).order_by("-history_date", "-history_id")

    def sets_of(self, versions: Sequence[Any]) -> dict[tuple[str, int], dict[Any, Any]]:
        """(set name, history id) -> {related id: related object}, one query per set."""
        sets: dict[tuple[str, int], dict[Any, Any]] = {}
        ids = [v.history_id for v in versions]
        for name, table, related in self.sets:
            rows = table.objects.filter(history_id__in=ids).select_related(related)
            for row in rows:
                key = getattr(row, f"{related}_id")
                # A related object deleted since keeps its id, as simple-history shows it.
                value = getattr(row, related) or f"deleted #{key}"
                sets.setdefault((name, row.history_id), {})[key] = value
        return sets

    def changes(
        self, newer: Any, older: Any, sets: dict[tuple[str, int], dict[Any, Any]]
    ) -> list[FieldChange]:
        found: list[tuple[str, str, str]] = []
        for field in self.plain:
            old, new = field.value_from_object(older), field.value_from_object(newer)
            if old != new:
                found.append((field.name, _show(old), _show(new)))
        for field in self.foreign_keys:
            old_id, new_id = getattr(older, field.attname), getattr(newer, field.attname)
            if old_id != new_id:
                found.append((field.name, _related(older, field), _related(newer, field)))
        for name, _table, _related_name in self.sets:
            old_set = sets.get((name, older.history_id), {})
            new_set = sets.get((name, newer.history_id), {})
            if old_set.keys() != new_set.keys():
                found.append((name, _show(old_set.values()), _show(new_set.values())))
        # By field name, the order simple-history's own comparison gives.
        return [FieldChange(_label(self.model, n), old, new) for n, old, new in sorted(found)]

    def entries(self, versions: Sequence[Any], shown: int) -> list[HistoryEntry]:
        """The first `shown` of `versions` (newest first) as entries; the one after them,
        when fetched, is only the base of the last entry's changes."""
        sets = self.sets_of(versions) if self.sets else {}
        entries = []
        for index, newer in enumerate(versions[:shown]):
            older = versions[index + 1] if index + 1 < len(versions) else None
            changes: list[FieldChange] = []
            if older is not None and newer.history_type == "~":
                changes = self.changes(newer, older, sets)
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


def _related(version: Any, field: models.ForeignKey[Any, Any]) -> str:
    key = getattr(version, field.attname)
    if key is None:
        return "—"
    value = getattr(version, field.name)
    return _show(value) if value is not None else f"deleted #{key}"


_SHAPES: dict[type[models.Model], _Shape] = {}


def _shape(model: type[models.Model]) -> _Shape:
    if model not in _SHAPES:
        _SHAPES[model] = _Shape(model)
    return _SHAPES[model]


def history_of(instance: models.Model, limit: int = HISTORY_LENGTH) -> list[HistoryEntry]:
    """The latest `limit` versions of a party, agreement or flow, newest first, each with
    what changed from the version before it; two to four queries whatever the history."""
    shape = _shape(type(instance))
    # Rows written in bulk (synthetic registers) may have no history at all.
    versions = list(shape.versions(instance)[: limit + 1])
    return shape.entries(versions, limit)


def history_page(instance: models.Model, number: Any) -> Page:
    """One page of the whole history of a party, agreement or flow, newest first: a Page
    whose items are HistoryEntry, in a fixed number of queries (the count, the versions of
    the page and the one before them, and one per many-to-many set)."""
    shape = _shape(type(instance))
    page = Paginator(shape.versions(instance), PAGE_SIZE).get_page(number)
    first = page.start_index() - 1 if page.paginator.count else 0
    versions = list(shape.versions(instance)[first : first + PAGE_SIZE + 1])
    page.object_list = shape.entries(versions, PAGE_SIZE)
    return page


def history_subject(*, kind: str, key: str | int) -> models.Model | None:
    """The party (by slug), agreement (by reference) or live flow (by number) whose full
    history is asked for, or None."""
    if kind == "party":
        return Party.objects.filter(slug=key).first()
    if kind == "agreement":
        return Agreement.objects.filter(reference=key).first()
    return Flow.objects.filter(proposed=False, pk=key).first()
