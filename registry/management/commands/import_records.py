"""Import parties, agreements, flows, data categories or purposes from a spreadsheet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from registry.importing.engine import DatabaseBusy, kind_names, records_import
from registry.importing.tabular import MAX_FILE_BYTES
from registry.management.bulk import cycle_collector_paused


class Command(BaseCommand):
    help = (
        "Import a CSV (UTF-8, or Latin-1 with a warning), XLSX or JSON file of one kind. "
        "Every row is checked first; a file with any bad row writes nothing, prints each "
        "problem (line, column, value, reason) and exits with status 1. "
        f"Files up to {MAX_FILE_BYTES // 1024 // 1024} MB."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=kind_names(), help="what the file holds")
        parser.add_argument("file", help="a .csv, .xlsx or .json file")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and count, but write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with cycle_collector_paused():
            self._handle(**options)

    def _handle(self, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"There is no file '{path}'.")
        if path.stat().st_size > MAX_FILE_BYTES:
            size = path.stat().st_size / 1024 / 1024
            raise CommandError(
                f"'{path}' is {size:.1f} MB; the limit is {MAX_FILE_BYTES // 1024 // 1024} MB. "
                "Split it into smaller files."
            )
        try:
            report = records_import(
                kind=options["kind"],
                filename=path.name,
                data=path.read_bytes(),
                dry_run=options["dry_run"],
                progress=self._progress if self.stderr.isatty() else None,
            )
        except DatabaseBusy as exc:  # nothing was written: the lock is taken at BEGIN
            raise CommandError(str(exc), returncode=1) from None
        for warning in report.warnings:
            self.stderr.write(f"warning: {warning}")
        for error in report.errors:
            self.stderr.write(f"{path.name}: {error}")
        if report.errors:
            raise CommandError(report.summary(), returncode=1)
        self.stdout.write(report.summary())

    def _progress(self, stage: str, done: int, total: int) -> None:
        """A bar on the terminal for files over a few thousand rows."""
        if total < 2000:
            return
        if stage == "writing":
            self.stderr.write(f"\rchecked {total:,} rows; writing them in one transaction...")
            return
        width = 30
        filled = int(width * done / total)
        bar = "#" * filled + " " * (width - filled)
        self.stderr.write(f"\rchecking [{bar}] {done:,}/{total:,}", ending="")
