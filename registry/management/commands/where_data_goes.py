import json
from dataclasses import asdict
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from flows.engine.graph import category_reach
from flows.findings import current_register
from registry.web.arguments import iso_date, suggest


class Command(BaseCommand):
    help = (
        "Where does a data category go? Every party it reaches from the own company on a "
        "date, through which paths, processed in which countries."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--category", required=True, help="a data category key, e.g. user.financial"
        )
        parser.add_argument(
            "--as-of", type=iso_date, default=None, help="YYYY-MM-DD (default: today)"
        )
        parser.add_argument("--format", choices=("text", "json"), default="text")

    def handle(self, *args: object, **options: Any) -> None:
        register = current_register()
        key = str(options["category"])
        if key not in register.categories:
            raise CommandError(f"Unknown data category '{key}'.{suggest(key, register.categories)}")
        as_of: date = options["as_of"] or date.today()
        reach = category_reach(register, key, as_of)
        if options["format"] == "json":
            data = asdict(reach)
            data["countries"] = list(reach.countries)
            self.stdout.write(json.dumps(data, indent=2, default=str))
            return
        if not reach.parties:
            self.stdout.write(f"On {as_of.isoformat()}, {key} goes nowhere from the own company.")
            return
        self.stdout.write(
            f"On {as_of.isoformat()}, {key} reaches {len(reach.parties)} "
            f"part{'y' if len(reach.parties) == 1 else 'ies'} in "
            f"{', '.join(reach.countries)}:"
        )
        for party in reach.parties:
            self.stdout.write(
                f"  {party.name} ({party.relationship}, {party.hops} hop"
                f"{'s' if party.hops > 1 else ''}; processed in {', '.join(party.countries)})"
            )
            for path in party.paths:
                self.stdout.write(f"      via {' -> '.join(path)}")
