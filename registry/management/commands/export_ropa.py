import sys
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from flows.reports.selectors import KINDS, build_register
from flows.reports.writing import write_csv, write_xlsx
from registry.web.arguments import iso_date
from registry.web.progress import terminal_progress


class Command(BaseCommand):
    help = (
        "Write a register: the controller record of GDPR Art. 30(1), the processor record of "
        "Art. 30(2) (UK ICO template columns), or the review pack for a date (XLSX only). "
        "A progress bar shows on a terminal (standard error), nothing otherwise."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", choices=KINDS, default="controller")
        parser.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
        parser.add_argument(
            "--as-of", type=iso_date, default=None, help="YYYY-MM-DD (default: today)"
        )
        parser.add_argument("-o", "--output", required=True, help="the file to write")

    def handle(self, *args: object, **options: Any) -> None:
        kind, fmt = str(options["kind"]), str(options["format"])
        if kind == "pack" and fmt == "csv":
            raise CommandError("The review pack has several sheets: write it as xlsx.")
        as_of = options["as_of"] or date.today()
        output = Path(str(options["output"]))
        if not output.parent.is_dir():
            raise CommandError(f"No such folder: {output.parent}")
        # The stream under Django's OutputWrapper, which would end each redraw of the bar
        # with a new line (and colour it as an error on a terminal).
        stream = getattr(self.stderr, "_out", sys.stderr)
        progress = terminal_progress(stream, f"Writing the {kind} register")
        report = build_register(kind=kind, as_of=as_of, progress=progress)
        # Written beside the output and renamed at the end, so that a failure halfway
        # never leaves half a register under the name asked for.
        partial = output.with_name(output.name + ".part")
        try:
            with partial.open("wb") as out:
                if fmt == "csv":
                    rows = write_csv(report.table, out)
                else:
                    rows = sum(write_xlsx(report, out).values())
            partial.replace(output)
        finally:
            partial.unlink(missing_ok=True)
        self.stdout.write(f"Wrote {output}: {kind} register, {rows} rows.")
