"""`python manage.py sweep_imports [--hours N]`: delete the files of import previews that
nobody confirmed or discarded (every upload also does it), for a daily cron."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from registry.jobs.imports import PENDING_HOURS, imports_sweep


class Command(BaseCommand):
    help = "Delete the files of import previews left unconfirmed for more than --hours hours."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--hours",
            type=int,
            default=PENDING_HOURS,
            help=f"Age in hours after which a preview's file goes (default {PENDING_HOURS}).",
        )

    def handle(self, *args: Any, hours: int, **options: Any) -> None:
        if hours < 0:
            self.stderr.write("--hours must be 0 or more.")
            raise SystemExit(2)
        deleted = imports_sweep(older_than=timedelta(hours=hours))
        self.stdout.write(
            f"Deleted {deleted} unconfirmed import file{'s' if deleted != 1 else ''}."
        )
