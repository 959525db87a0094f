"""Writes to the jurisdiction tables: each checked by the model's rules, with its history
row naming who made it. The stored findings follow by themselves: every flow reads these
tables, so a change refreshes them in full (flows.findings.keeping)."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction


def table_entry_save(*, entry: models.Model, user: Any) -> models.Model:
    """Add or change a row of a jurisdiction table (ValidationError when a rule refuses)."""
    entry.full_clean()
    entry._history_user = user  # type: ignore[attr-defined]  # simple_history reads it
    with transaction.atomic():
        entry.save()
    return entry


def table_entry_delete(*, entry: models.Model, user: Any) -> None:
    """Delete a row of a jurisdiction table; its history keeps what it said and who deleted it."""
    entry._history_user = user  # type: ignore[attr-defined]
    with transaction.atomic():
        entry.delete()
