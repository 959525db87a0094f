from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from registry.demo.synthetic import synthetic_register_create
from registry.models import Party


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError
    return value


class Command(BaseCommand):
    help = (
        "Add a large synthetic register (groups, processors with sub-processor chains, many "
        "countries, a share of broken flows) for benchmarks and demos."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--parties", type=_positive, default=500, help="default 500")
        parser.add_argument("--flows", type=_positive, default=10_000, help="default 10,000")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--prefix", default="syn", help="slug prefix, to add several registers (default syn)"
        )

    def handle(self, *args: object, **options: Any) -> None:
        prefix = str(options["prefix"])
        if Party.objects.filter(slug__startswith=f"{prefix}-").exists():
            raise CommandError(
                f"The register already holds synthetic parties with the prefix '{prefix}'; "
                "choose another --prefix."
            )
        summary = synthetic_register_create(
            parties=options["parties"],
            flows=options["flows"],
            seed=options["seed"],
            prefix=prefix,
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {summary.parties} parties, {summary.agreements} agreements and "
                f"{summary.flows} flows."
            )
        )
