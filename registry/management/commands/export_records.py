"""Export parties, agreements, flows, data categories or purposes as CSV, XLSX or JSON."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from registry.importing.engine import exporter_named, kind_names
from registry.importing.tabular import FORMATS, write_table


class Command(BaseCommand):
    help = (
        "Export one kind of record with the import columns, so that the file imports back "
        "unchanged. Cells that a spreadsheet would run as formulae are escaped with a leading "
        "apostrophe (removed again on import)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=kind_names(), help="what to export")
        parser.add_argument("--format", choices=FORMATS, default="csv")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        fmt = options["format"]
        if not options["output"] and fmt == "xlsx" and sys.stdout.isatty():
            raise CommandError("An XLSX file is binary: name a file with -o FILE.xlsx.")
        header, rows = exporter_named(options["kind"]).export_rows()
        data = write_table(header, rows, fmt)
        if options["output"]:
            path = Path(options["output"])
            try:
                path.write_bytes(data)
            except OSError as exc:
                raise CommandError(f"Cannot write '{path}': {exc.strerror}.") from None
            self.stderr.write(f"{len(rows)} {options['kind']} written to {path}.")
        else:
            out = getattr(self.stdout, "_out", sys.stdout)
            if hasattr(out, "buffer"):
                out.flush()
                out.buffer.write(data)
                out.buffer.flush()
            else:
                out.write(data.decode("utf-8-sig"))
