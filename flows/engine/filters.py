"""Narrowing a list of findings down to what a reader asked for. Pure: no ORM."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from flows.engine.graph import Taxonomy
from flows.engine.records import SEVERITIES, Finding, severity_rank


def filter_findings(
    findings: Iterable[Finding],
    taxonomy: Taxonomy,
    *,
    rule: str = "",
    severity: str = "",
    min_severity: str = "",
    party: str = "",
    category: str = "",
) -> list[Finding]:
    """Findings of that rule and severity (or worse than `min_severity`), about that party
    (as source, target or a step of the path), carrying that category (the key, one of its
    ancestors or one of its descendants)."""
    worst_allowed = severity_rank(min_severity) if min_severity else len(SEVERITIES)
    return [
        f
        for f in findings
        if (not rule or f.rule == rule)
        and (not severity or f.severity == severity)
        and severity_rank(f.severity) <= worst_allowed
        and (not party or party in (f.source, f.target) or party in f.path)
        and (not category or taxonomy.carries(f.categories, category))
    ]


def count_by_severity(findings: Iterable[Finding]) -> list[tuple[str, int]]:
    """(severity, count) for every severity, worst first, zeros included."""
    counts = Counter(f.severity for f in findings)
    return [(severity, counts.get(severity, 0)) for severity in SEVERITIES]


def fails(findings: Iterable[Finding], fail_on: str) -> bool:
    """True when a finding is at `fail_on` or worse; `none` never fails."""
    if fail_on == "none":
        return False
    threshold = severity_rank(fail_on)
    return any(severity_rank(f.severity) <= threshold for f in findings)
