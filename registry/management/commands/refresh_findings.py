"""Evaluate the whole register again and store today's findings."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from flows.findings.refresh import findings_refresh_all
from registry.web.progress import terminal_progress


class Command(BaseCommand):
    help = (
        "Evaluate every flow of the register on today's date and store the findings that "
        "every page and worker reads. Writes keep them current by themselves; run this once "
        "a day (the first request of a new day also starts it) or after changing the "
        "database behind the application's back."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        progress = terminal_progress(self.stderr, "Evaluating the register")
        refreshed = findings_refresh_all(progress=progress)
        self.stdout.write(
            f"Findings for {refreshed.as_of.isoformat()}: {refreshed.written} groups of "
            f"findings written, {refreshed.removed} removed."
        )
