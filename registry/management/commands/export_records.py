"""Export parties, agreements, flows, data categories or purposes as CSV, XLSX or JSON."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from registry.importing.engine import DatabaseBusy, kind_names
from registry.importing.exporting import records_export
from registry.importing.tabular import FORMATS
from registry.web.progress import Progress, terminal_progress


class Command(BaseCommand):
    help = (
        "Export one kind of record with the import columns, so that the file imports back "
        "unchanged. Cells that a spreadsheet would run as formulae are escaped with a leading "
        "apostrophe (removed again on import). A progress bar is drawn when standard error "
        "is a terminal."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=kind_names(), help="what to export")
        parser.add_argument("--format", choices=FORMATS, default="csv")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        fmt, kind = options["format"], options["kind"]
        if not options["output"] and fmt == "xlsx" and sys.stdout.isatty():
            raise CommandError("An XLSX file is binary: name a file with -o FILE.xlsx.")
        # The raw stream: Django's wrapper would end every redraw of the bar with a newline.
        progress = terminal_progress(getattr(self.stderr, "_out", sys.stderr), f"exporting {kind}")
        try:
            if options["output"]:
                rows = self._to_file(Path(options["output"]), kind, fmt, progress)
                self.stderr.write(f"{rows} {kind} written to {options['output']}.")
            else:
                self._to_stdout(kind, fmt, progress)
        except DatabaseBusy as exc:
            raise CommandError(str(exc), returncode=1) from None

    def _to_file(self, path: Path, kind: str, fmt: str, progress: Progress) -> int:
        # Written beside the target and renamed at the end, so that a failed export never
        # leaves a half-written file under the name asked for.
        partial = path.with_name(f".{path.name}.part")
        try:
            with partial.open("wb") as out:
                rows = records_export(kind=kind, fmt=fmt, out=out, progress=progress)
            os.replace(partial, path)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(f"Cannot write '{path}': {exc.strerror}.") from None
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return rows

    def _to_stdout(self, kind: str, fmt: str, progress: Progress) -> None:
        out = getattr(self.stdout, "_out", sys.stdout)
        binary: IO[bytes] | None = getattr(out, "buffer", None)
        if binary is not None:
            out.flush()
            records_export(kind=kind, fmt=fmt, out=binary, progress=progress)
            binary.flush()
            return
        # A text stream without bytes underneath (call_command's StringIO): the text, no BOM.
        data = io.BytesIO()
        records_export(kind=kind, fmt=fmt, out=data, progress=progress)
        out.write(data.getvalue().decode("utf-8-sig"))
