import json
import sys
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from flows.engine.filters import count_by_severity, fails, filter_findings
from flows.engine.graph import Taxonomy
from flows.engine.records import SEVERITIES, Finding
from flows.findings import findings_as_of, stored_matching, today_status
from flows.findings.store import ORDER, as_findings
from flows.models import DataCategory, Flow
from flows.reviews.queue import decision_states_today
from flows.reviews.selectors import ReviewedFinding, decision_json, decision_states
from flows.reviews.states import SETTLED
from registry.management.bulk import cycle_collector_paused
from registry.models import Party
from registry.web.arguments import iso_date, suggest


class Command(BaseCommand):
    help = (
        "Print the findings of the register as of a date: every flow that lacks an "
        "agreement, a lawful basis or a valid transfer mechanism. Exit status 1 when a "
        "finding at or above --fail-on exists, for CI pipelines; findings a reviewer "
        "accepted or waived (with the facts unchanged) do not count."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of", type=iso_date, default=None, help="YYYY-MM-DD (default: today)"
        )
        parser.add_argument("--format", choices=("text", "json"), default="text")
        parser.add_argument(
            "--fail-on",
            choices=(*SEVERITIES, "none"),
            default="high",
            help="exit 1 when a finding at or above this severity exists (default: high)",
        )
        parser.add_argument("--category", default="", help="only findings carrying this key")
        parser.add_argument("--party", default="", help="only findings about this party slug")

    def handle(self, *args: object, **options: Any) -> None:
        with cycle_collector_paused():
            self._handle(**options)

    def _handle(self, **options: Any) -> None:
        as_of: date = options["as_of"] or date.today()
        category, party = str(options["category"]), str(options["party"])
        categories = set(DataCategory.objects.values_list("key", flat=True))
        names = dict(Party.objects.values_list("slug", "name"))
        if category and category not in categories:
            raise CommandError(
                f"Unknown data category '{category}'.{suggest(category, categories)}"
            )
        if party and party not in names:
            raise CommandError(f"Unknown party '{party}'.{suggest(party, names)}")
        today = date.today()
        states: dict[tuple[str, int], ReviewedFinding]
        if as_of == today and today_status(today).current:
            # Today's findings are stored: read them, never evaluate the register.
            rows = stored_matching(party=party, category=category)
            findings = as_findings(rows.order_by(*ORDER))
            states = decision_states_today(as_of)
        else:
            register, findings = findings_as_of(as_of)
            findings = filter_findings(
                findings, Taxonomy(register.categories), party=party, category=category
            )
            states = decision_states(register, findings, as_of)
        references = dict(Flow.objects.values_list("id", "reference"))
        if options["format"] == "json":
            rows_out = [
                {
                    **f.as_dict(),
                    "flow_reference": references.get(f.flow or 0, ""),
                    "decision": decision_json(states.get((f.rule, f.flow or 0))),
                }
                for f in findings
            ]
            self.stdout.write(_json_lines(rows_out))
        else:
            self.stdout.write(_as_text(findings, names, references, as_of, states))
        unsettled = [f for f in findings if not _settled(states.get((f.rule, f.flow or 0)))]
        if fails(unsettled, str(options["fail_on"])):
            sys.exit(1)


def _json_lines(rows: list[dict[str, object]]) -> str:
    """A JSON list with one finding a line: easy to grep in a CI log, and about three times
    quicker to write than `indent=2` (which json writes in Python, not C) for 50,000
    findings."""
    if not rows:
        return "[]"
    return "[\n" + ",\n".join(json.dumps(row) for row in rows) + "\n]"


def _settled(item: ReviewedFinding | None) -> bool:
    return item is not None and item.state in SETTLED


def _as_text(
    findings: list[Finding],
    names: dict[str, str],
    references: dict[int, str],
    as_of: date,
    states: dict[tuple[str, int], ReviewedFinding],
) -> str:
    counts = ", ".join(f"{n} {severity}" for severity, n in count_by_severity(findings))
    lines = [f"Findings as of {as_of.isoformat()}: {counts}."]
    if not findings:
        lines.append("Nothing to flag.")
    for severity in SEVERITIES:
        group = [f for f in findings if f.severity == severity]
        if not group:
            continue
        lines += ["", f"{severity.upper()} ({len(group)})"]
        for f in group:
            where = (
                f"{names.get(f.source or '', f.source)} -> {names.get(f.target or '', f.target)}"
            )
            flow = f" [flow {references.get(f.flow, f.flow)}]" if f.flow is not None else ""
            lines.append(f"  {f.rule}: {where}{flow}")
            item = states.get((f.rule, f.flow or 0))
            if item is not None and item.decision is not None:
                d = item.decision
                lines.append(
                    f"    Review: {item.state_label} ({d.decided_by}, "
                    f"{d.decided_at.date().isoformat()})"
                )
            lines.append(f"    {f.message}")
            if f.path:
                lines.append(f"    Path: {' -> '.join(f.path)}")
            lines.append(f"    Citation: {f.citation}")
            lines.append(f"    To do: {f.remedy}")
    return "\n".join(lines)
