"""Evaluating the register again and storing today's findings: all of it, or the part that a
write can affect (flows.findings.scope).

A part is evaluated on a register holding only the flows its rules read, so that one edited
flow in a register of 100,000 costs milliseconds; everything else (the taxonomy, the
jurisdiction tables, every party) is loaded whole, as the rules read it.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from flows.engine.rules import evaluate
from flows.findings.scope import Changes, scope_of
from flows.findings.store import state_locked, store_replace
from flows.loading import Part, register_load, register_version
from registry.web.progress import Progress, no_progress

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Refreshed:
    """What a refresh did, for commands and logs."""

    as_of: date
    flows: int | None
    """Flows evaluated again; None for the whole register."""
    written: int
    """(rule, flow) groups of findings written anew."""
    removed: int
    """Groups that no longer hold."""


ATTEMPTS = 3
"""Evaluations of the whole register tried outside the write lock before one is made
inside it (see findings_refresh_all)."""


def findings_refresh_all(
    *, today: date | None = None, progress: Progress = no_progress
) -> Refreshed:
    """Evaluate the whole register on `today` and store its findings (python manage.py
    refresh_findings; the first request of a new day; changes too large to follow).

    The register is loaded and evaluated outside any transaction, so that writers are not
    held up for seconds (SQLite has one writer at a time); the findings are stored only if
    nothing the rules read changed meanwhile (`register_version`, checked under the lock),
    else it starts again, and the last attempt runs whole under the lock."""
    today = today or date.today()
    for attempt in range(1, ATTEMPTS + 1):
        last = attempt == ATTEMPTS
        with transaction.atomic() if last else nullcontext():
            if last:
                state_locked()
            version = register_version()
            progress(0, 3)
            register = register_load()
            progress(1, 3)
            findings = evaluate(register, today)
            progress(2, 3)
            with transaction.atomic():
                row = state_locked()
                if not last and register_version() != version:
                    logger.info("register changed while it was evaluated: again")
                    continue
                written, removed = store_replace(
                    register=register, findings=findings, flow_ids=None
                )
                row.as_of = today
                row.computed_at = timezone.now()
                row.refresh_requested_at = None
                row.save()
        break
    progress(3, 3)
    logger.info("findings refreshed for %s: %d written, %d removed", today, written, removed)
    return Refreshed(today, None, written, removed)


def findings_refresh_part(changes: Changes, *, today: date | None = None) -> Refreshed | None:
    """Evaluate again the flows that `changes` can affect, and store their findings; None
    when they are too many to do now, or the stored findings are for another day: the
    whole register must then be evaluated (flows.findings.keeping decides where)."""
    today = today or date.today()
    with transaction.atomic():
        if state_locked().as_of != today:
            return None
        scope = scope_of(changes)
        if scope is None:
            return None
        register = register_load(Part(flow_ids=scope.context))
        affected = scope.affected
        findings = [f for f in evaluate(register, today) if f.flow in affected]
        written, removed = store_replace(register=register, findings=findings, flow_ids=affected)
    return Refreshed(today, len(affected), written, removed)
