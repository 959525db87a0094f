"""Edges: parallel flows between two nodes merged into one, drawn by what is wrong with them.

An edge with findings is heavy, in the colour of its worst severity, and its label says what
is wrong in words ("Safe Harbor - invalid since 2015-10-06", `flows.diagrams.problems`) before
the purpose; a compliant edge is thin and grey, labelled only in small diagrams. Every edge
has a tooltip naming both parties, the purposes and the categories by name, and, on a page,
links to its worst finding (or to its flow).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from flows.diagrams.problems import problem_words
from flows.diagrams.style import (
    MAX_FLOWS_PER_EDGE,
    MAX_PROBLEMS_PER_EDGE,
    PLAIN_EDGE,
    PLAIN_TEXT,
    SEVERITY_COLOURS,
    SEVERITY_PEN,
)
from flows.diagrams.text import _safe_url, html_text, plain_text
from flows.engine.graph import Taxonomy
from flows.engine.jurisdictions import JurisdictionSnapshot
from flows.engine.records import Finding, FlowRecord, Register, severity_rank

Link = Callable[[str, str], str]
"""link(kind, value) -> URL: kind 'party' (value a slug), 'country', 'relationship', 'flow'
(value a flow's id) or 'finding' (value 'RULE/flow id')."""


@dataclass(frozen=True, slots=True)
class EdgeWords:
    """What edges need to name things: the register's names, the day's legal facts."""

    register: Register
    snapshot: JurisdictionSnapshot
    taxonomy: Taxonomy
    as_of: date
    category: str = ""

    def party(self, slug: str) -> str:
        party = self.register.parties.get(slug)
        return party.name if party else slug

    def purpose(self, key: str) -> str:
        purpose = self.register.purposes.get(key)
        return purpose.name if purpose and purpose.name else key

    def categories(self, flow: FlowRecord) -> list[str]:
        keys = flow.categories
        if self.category:
            keys = tuple(c for c in keys if self.taxonomy.related(c, self.category)) or keys
        found = (self.register.categories.get(k) for k in keys)
        return [c.name if c is not None and c.name else k for c, k in zip(found, keys, strict=True)]

    def problem(self, finding: Finding, flows: Iterable[FlowRecord]) -> str:
        flow = next((f for f in flows if f.id == finding.flow), None)
        source = self.register.parties.get(finding.source or (flow.source if flow else ""))
        return problem_words(finding, flow, source, self.snapshot, self.as_of)


def worst_first(found: Iterable[Finding]) -> list[Finding]:
    return sorted(found, key=lambda f: f.sort_key())


def edge_attributes(
    flows: list[FlowRecord],
    found: list[Finding],
    words: EdgeWords,
    *,
    labels: bool,
    quiet_labels: bool,
    summary: bool,
    link: Link | None,
) -> dict[str, str]:
    """The attributes of one edge: its look, its label, its tooltip and its link."""
    ranked = worst_first(found)
    counted = Counter(words.problem(f, flows) for f in ranked)
    problems = list(counted)  # worst first: a Counter keeps the order of first sight
    if summary:
        # An edge between groups stands for many flows: say how many have each problem.
        problems = [f"{p} ×{n}" if n > 1 else p for p, n in counted.items()]
    attrs: dict[str, str] = {"tooltip": plain_text(_tooltip(flows, problems, words), 400)}
    if ranked:
        worst = ranked[0].severity
        colour = SEVERITY_COLOURS.get(worst, SEVERITY_COLOURS["low"])
        # A heavier weight keeps these edges short and straight: the eye follows them first.
        attrs.update(color=colour, fontcolor=colour, penwidth=SEVERITY_PEN.get(worst, "1.8"))
        attrs.update(weight="4", arrowsize="0.9")
    else:
        attrs.update(color=PLAIN_EDGE, fontcolor=PLAIN_TEXT, penwidth="0.8", arrowsize="0.5")
    url = _edge_url(flows, ranked, link)
    if url:
        attrs.update(URL=_safe_url(url), target="_top")
    if not labels or not (ranked or quiet_labels):
        return attrs
    purposes = f'<FONT POINT-SIZE="8">{_purposes(flows, words, summary)}</FONT>'
    if not ranked:
        attrs["label"] = f"<{purposes}>"
        return attrs
    rows = [f"<B>⚠ {html_text(text, 90, 48)}</B>" for text in problems[:MAX_PROBLEMS_PER_EDGE]]
    if len(problems) > MAX_PROBLEMS_PER_EDGE:
        extra = len(problems) - MAX_PROBLEMS_PER_EDGE
        rows.append(f"+{extra} more problem{'s' if extra > 1 else ''}")
    rows.append(f'<FONT COLOR="{PLAIN_TEXT}">{purposes}</FONT>')
    # A white tag framed in the edge's colour reads over any line it lies on, and `decorate`
    # draws a stroke from it to its edge, so that no label floats free of its edge.
    cells = "".join(f"<TR><TD>{row}</TD></TR>" for row in rows)
    attrs["label"] = (
        f'<<TABLE BORDER="1" COLOR="{attrs["color"]}" BGCOLOR="white" CELLBORDER="0" '
        f'CELLSPACING="0" CELLPADDING="2">{cells}</TABLE>>'
    )
    attrs.update(fontsize="10", decorate="true")
    return attrs


def _purposes(flows: list[FlowRecord], words: EdgeWords, summary: bool) -> str:
    purposes = Counter(words.purpose(f.purpose) for f in flows)
    if summary and len(flows) > 1 or len(purposes) > MAX_FLOWS_PER_EDGE:
        top = ", ".join(f"{p} ×{n}" if n > 1 else p for p, n in purposes.most_common(2))
        return html_text(f"{len(flows)} flows: {top}", 90, 44)
    return html_text(", ".join(purposes), 90, 44)


def _tooltip(flows: list[FlowRecord], problems: list[str], words: EdgeWords) -> str:
    """'VoIPX Europe → VoIPX International: Customer support (Email address, ...)'."""
    pairs = list(dict.fromkeys((f.source, f.target) for f in flows))
    if len(pairs) == 1:
        head = f"{words.party(pairs[0][0])} → {words.party(pairs[0][1])}"
    else:
        head = f"{len(flows)} flows between {len(pairs)} pairs of parties"
    parts = []
    by_purpose: dict[str, list[str]] = defaultdict(list)
    for flow in flows:
        names = by_purpose[words.purpose(flow.purpose)]
        names.extend(n for n in words.categories(flow) if n not in names)
    for purpose, names in list(by_purpose.items())[:MAX_FLOWS_PER_EDGE]:
        shown = ", ".join(names[:4]) + (f", +{len(names) - 4} more" if len(names) > 4 else "")
        parts.append(f"{purpose} ({shown})" if shown else purpose)
    if len(by_purpose) > MAX_FLOWS_PER_EDGE:
        parts.append(f"+{len(by_purpose) - MAX_FLOWS_PER_EDGE} more purposes")
    text = f"{head}: {'; '.join(parts)}"
    if problems:
        text += ". What is wrong: " + "; ".join(problems[:4])
    return text


def _edge_url(flows: list[FlowRecord], ranked: list[Finding], link: Link | None) -> str:
    """The worst finding of a flow if there is one, else the first flow, else nothing."""
    if link is None:
        return ""
    for finding in ranked:
        if finding.flow is not None:
            return link("finding", f"{finding.rule}/{finding.flow}")
    return link("flow", str(flows[0].id)) if flows else ""


def findings_of_edges(
    edges: dict[tuple[str, str], list[FlowRecord]], findings: Iterable[Finding]
) -> dict[tuple[str, str], list[Finding]]:
    """Each edge's findings: those of its flows, and those of the pairs of parties its flows
    join (a party-level finding, such as a sub-processor without flow-down terms)."""
    by_flow: dict[int, list[Finding]] = defaultdict(list)
    by_pair: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.flow is not None:
            by_flow[finding.flow].append(finding)
        elif finding.source and finding.target:
            by_pair[(finding.source, finding.target)].append(finding)
    result: dict[tuple[str, str], list[Finding]] = {}
    for key, flows in edges.items():
        found = [f for flow in flows for f in by_flow.get(flow.id, ())]
        for pair in dict.fromkeys((flow.source, flow.target) for flow in flows):
            found += by_pair.get(pair, ())
        result[key] = found
    return result


def severity_order(found: list[Finding]) -> int:
    """The rank of an edge's worst finding; compliant edges last."""
    return min((severity_rank(f.severity) for f in found), default=99)
