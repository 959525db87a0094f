from datetime import date
from pathlib import Path
from typing import Any, TypedDict

from django.core.management.base import BaseCommand, CommandError, CommandParser

from flows.diagrams import drawing as diagram
from flows.findings import findings_as_of
from registry.web.arguments import iso_date, suggest


class Layout(TypedDict, total=False):
    """How the diagram functions group parties; what is left out keeps their default."""

    node_limit: int | None
    collapse: str
    compliant: bool
    all_parties: bool


class Command(BaseCommand):
    help = (
        "Write a data-flow diagram: one data category (--category), one party (--party, with "
        "--depth hops onward) or the whole register, as of a date, in SVG, PNG, PDF or DOT. "
        f"Past {diagram.NODE_LIMIT} parties, parties collapse into one node per country."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--category", help="a data category key, e.g. user.financial")
        parser.add_argument("--party", help="a party's slug, e.g. voipx-ireland")
        parser.add_argument(
            "--depth", type=int, default=2, help="hops onward from --party (default 2)"
        )
        parser.add_argument(
            "--as-of", type=iso_date, default=None, help="YYYY-MM-DD (default: today)"
        )
        parser.add_argument("--format", choices=tuple(diagram.FORMATS), default=None,
                            help="default: the extension of -o, else svg")  # fmt: skip
        parser.add_argument(
            "--collapse",
            choices=("auto", "country", "relationship", "never"),
            default="auto",
            help=f"how to group parties past {diagram.NODE_LIMIT} of them (default auto: by "
            "country, or by relationship when that still leaves too many edges)",
        )
        parser.add_argument(
            "--hide-compliant",
            action="store_true",
            help="draw only the flows with findings (the page's 'hide compliant flows')",
        )
        parser.add_argument(
            "--all-parties",
            action="store_true",
            help="also draw the parties with no flow on the date (left out by default)",
        )
        parser.add_argument("-o", "--output", required=True, help="the file to write")

    def handle(self, *args: object, **options: Any) -> None:
        category, party = options["category"], options["party"]
        if category and party:
            raise CommandError("Choose --category or --party, not both.")
        depth = int(options["depth"])
        if depth < 1:
            raise CommandError("--depth must be 1 or more.")
        output = Path(str(options["output"]))
        fmt = options["format"] or output.suffix.lstrip(".").lower() or "svg"
        if fmt not in diagram.FORMATS:
            raise CommandError(
                f"Cannot tell the format from '{output.name}': "
                f"pass --format {'|'.join(diagram.FORMATS)}."
            )
        as_of: date = options["as_of"] or date.today()
        register, findings = findings_as_of(as_of)
        collapse = str(options["collapse"])
        extra: Layout = {"collapse": collapse}
        if collapse == "never":
            extra = {"node_limit": None}
        extra["compliant"] = not options["hide_compliant"]
        extra["all_parties"] = bool(options["all_parties"])
        if category:
            key = str(category)
            if key not in register.categories:
                raise CommandError(
                    f"Unknown data category '{key}'.{suggest(key, register.categories)}"
                )
            drawn = diagram.category_diagram(register, findings, key, as_of, **extra)
        elif party:
            slug = str(party)
            if slug not in register.parties:
                raise CommandError(f"Unknown party '{slug}'.{suggest(slug, register.parties)}")
            drawn = diagram.party_diagram(register, findings, slug, as_of, depth, **extra)
        else:
            drawn = diagram.register_diagram(register, findings, as_of, **extra)
        try:
            content = diagram.render(drawn.source, fmt)
        except diagram.DiagramError as error:
            raise CommandError(str(error)) from None
        try:
            output.write_bytes(content)
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from None
        note = (
            f", collapsed by {drawn.collapsed_by} into {drawn.nodes} nodes"
            if drawn.collapsed_by
            else ""
        )
        self.stdout.write(
            f"Wrote {output} ({fmt}): {drawn.title}, as of {as_of.isoformat()}, "
            f"{drawn.parties} part{'y' if drawn.parties == 1 else 'ies'}{note}."
        )
