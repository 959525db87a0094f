from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from registry.demo.company import seed_demo


class Command(BaseCommand):
    help = (
        "Load the demo register (VoIPX International, a US VoIP provider). Idempotent: "
        "running it again updates the demo rows and duplicates nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="Date the relative demo dates count from (YYYY-MM-DD; default: today).",
        )

    def handle(self, *args: object, **options: Any) -> None:
        today = options["today"] or date.today()
        demo = seed_demo(today)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo register loaded: {len(demo.parties)} parties, "
                f"{len(demo.agreements)} agreements, {len(demo.flows)} flows."
            )
        )
