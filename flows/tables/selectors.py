"""Reads of the jurisdiction tables: a table's rows a page at a time, one row, its history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Q, QuerySet
from django_countries import countries
from django_countries.fields import Country

from flows.tables.tables import Table

HISTORY_PAGE = 20
_SKIPPED = {"id", "updated_at"}


def table_entries(table: Table, *, regime: str = "", search: str = "") -> QuerySet[Any]:
    """The table's rows in its order, of one regime, matching a word: of a country's name
    or code, or of the text columns."""
    rows = table.model._default_manager.all()
    if regime:
        rows = rows.filter(regime=regime)
    if search:
        word = search.strip()
        matches = Q()
        for name in table.search:
            field: Any = table.model._meta.get_field(name)
            choices = field.flatchoices
            if name == "country":
                codes = [code for code, label in countries if word.lower() in label.lower()]
                matches |= Q(country__in=[*codes, word.upper()])
            elif choices:  # a mechanism by its label ("safe harbor") or its code
                codes = [c for c, label in choices if word.lower() in f"{c} {label}".lower()]
                matches |= Q(**{f"{name}__in": codes})
            else:
                matches |= Q(**{f"{name}__icontains": word})
        rows = rows.filter(matches)
    return rows


def table_sizes(tables: Any) -> list[tuple[Table, int]]:
    """Each table with its number of rows (one count a table)."""
    return [(table, table.model._default_manager.count()) for table in tables]


def table_entry(table: Table, pk: int) -> models.Model | None:
    return table.model._default_manager.filter(pk=pk).first()


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class Version:
    """One change of a row: when, by whom, what it did, and the fields it changed."""

    at: datetime
    by: str
    action: str
    changes: tuple[Change, ...]
    note: str = ""


_ACTIONS = {"+": "Added", "~": "Changed", "-": "Deleted"}


def shown_value(field: Any, value: Any) -> str:
    """A value as a person reads it: a choice's label, a country's name, a date."""
    if value in (None, ""):
        return "—"
    if isinstance(value, Country):
        return f"{value.name} ({value.code})" if value.code else "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def table_entry_history(table: Table, entry: models.Model, number: Any) -> Page:
    """The row's changes, newest first, a page at a time; each compared with the version
    before it (one query for the page and the version just older than it)."""
    versions = entry.history.select_related("history_user").order_by(  # type: ignore[attr-defined]
        "-history_date", "-history_id"
    )
    page = Paginator(versions, HISTORY_PAGE).get_page(number)
    start = page.start_index() - 1 if page.paginator.count else 0
    rows = list(versions[start : start + HISTORY_PAGE + 1])
    fields = [f for f in table.model._meta.concrete_fields if f.name not in _SKIPPED]
    shown = []
    for at, version in enumerate(rows[:HISTORY_PAGE]):
        older = rows[at + 1] if at + 1 < len(rows) else None
        changes = []
        for field in fields:
            after = getattr(version, field.attname)
            before = getattr(older, field.attname) if older is not None else None
            if older is None or before != after:
                if older is None and after in (None, ""):
                    continue
                after_value = getattr(version, field.name)
                before_value = getattr(older, field.name) if older is not None else None
                label = str(field.verbose_name).capitalize()
                before_text = shown_value(field, before_value)
                changes.append(Change(label, before_text, shown_value(field, after_value)))
        user = version.history_user
        shown.append(
            Version(
                at=version.history_date,
                by=user.get_username() if user else "the system",
                action=_ACTIONS.get(version.history_type, version.history_type),
                changes=tuple(changes) if version.history_type != "-" else (),
                note=version.history_change_reason or "",
            )
        )
    page.object_list = shown
    return page
