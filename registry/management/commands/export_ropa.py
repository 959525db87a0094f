from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from flows.reports import registers as reports
from flows.reports.selectors import KINDS, build_register
from registry.web.arguments import iso_date


class Command(BaseCommand):
    help = (
        "Write a register: the controller record of GDPR Art. 30(1), the processor record of "
        "Art. 30(2) (UK ICO template columns), or the review pack for a date (XLSX only)."
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
        sheets, preambles = build_register(kind=kind, as_of=as_of)
        if fmt == "csv":
            content = reports.to_csv(next(iter(sheets.values())))
        else:
            content = reports.to_xlsx(sheets, preambles)
        Path(str(options["output"])).write_bytes(content)
        rows = sum(len(frame) for frame in sheets.values())
        self.stdout.write(f"Wrote {options['output']}: {kind} register, {rows} rows.")
