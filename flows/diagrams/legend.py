"""The title block of a diagram: what it shows, as of when, what was left out, and a legend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flows.diagrams.style import (
    DPF_COLOUR,
    EDGE_LABEL_LIMIT,
    EDGE_LIMIT,
    PLAIN_EDGE,
    RELATIONSHIPS,
    SEVERITY_COLOURS,
)
from flows.diagrams.text import html_text


@dataclass(frozen=True, slots=True)
class Omitted:
    """What a diagram leaves out, to be said in its title and on its page."""

    idle: int = 0
    """Parties with no flow active on the date."""
    hidden_flows: int = 0
    """Compliant flows hidden at the reader's request."""
    hidden_parties: int = 0
    """Parties whose only flows on the date were those hidden compliant ones."""


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def omitted_sentences(omitted: Omitted) -> list[str]:
    lines = []
    if omitted.idle:
        lines.append(
            f"{_count(omitted.idle, 'party', 'parties')} with no flow on this date left out."
        )
    if omitted.hidden_flows:
        line = f"{_count(omitted.hidden_flows, 'compliant flow', 'compliant flows')} hidden"
        if omitted.hidden_parties:
            line += f", and {_count(omitted.hidden_parties, 'party', 'parties')} with only those"
        lines.append(line + ".")
    return lines


def title_label(
    title: str,
    as_of: date,
    parties: int,
    nodes: int,
    collapsed_by: str,
    labels: bool,
    limit: int | None,
    omitted: Omitted,
) -> str:
    lines = [f'<FONT POINT-SIZE="16"><B>{html_text(title, 120)}</B></FONT>']
    lines.append(f"as of {as_of.isoformat()} · {_count(parties, 'party', 'parties')} shown")
    lines.extend(html_text(line, 200) for line in omitted_sentences(omitted))
    if collapsed_by:
        lines.append(
            f'<FONT COLOR="#b00020">More than {limit} parties: collapsed into one node '
            f"per {collapsed_by} ({nodes} nodes); open a node for the detailed view.</FONT>"
        )
    if not labels:
        lines.append(
            f"More than {EDGE_LABEL_LIMIT} nodes or {EDGE_LIMIT} edges: edges drawn without "
            "labels (hover over one for its flows and findings)."
        )
    rows = "".join(f'<TR><TD ALIGN="LEFT">{line}</TD></TR>' for line in lines)
    legend = f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="9">{_legend(collapsed_by)}</FONT></TD></TR>'
    return f'<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="1">{rows}{legend}</TABLE>'


def _legend(collapsed_by: str) -> str:
    """Two rows of a table: the parties' styles, then the edges' colours."""
    cell = '<TD ALIGN="LEFT">'
    nodes = ['<TD ALIGN="LEFT"><B>Parties</B></TD>']
    for key, (label, _, shape, fill, style) in RELATIONSHIPS.items():
        mark = {"ellipse": " (oval)", "hexagon": " (hexagon)"}.get(shape, "")
        mark = " (dashed)" if "dashed" in style else mark
        text = f"{label}{mark}"
        if key == "own":
            text = f'<FONT COLOR="white">{text}</FONT>'
        nodes.append(f'<TD BGCOLOR="{fill}" BORDER="1">{text}</TD>')
    nodes.append(f'<TD BORDER="2" COLOR="{DPF_COLOUR}">DPF-certified on the date</TD>')
    if collapsed_by:
        nodes.append(f'<TD BORDER="1">▭ parties of one {collapsed_by}, counted</TD>')
    edges = ['<TD ALIGN="LEFT"><B>Flows</B></TD>']
    for severity in ("critical", "high", "medium"):
        colour = SEVERITY_COLOURS[severity]
        edges.append(f'{cell}<FONT COLOR="{colour}"><B>━━ {severity} finding</B></FONT></TD>')
    edges.append(f'{cell}<FONT COLOR="{PLAIN_EDGE}">── no finding</FONT></TD>')
    edges.append(
        f'<TD ALIGN="LEFT" COLSPAN="{len(nodes) - len(edges)}">'
        "label: ⚠ what is wrong, then the purpose; hover for the categories</TD>"
    )
    return (
        '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="2">'
        f"<TR>{''.join(nodes)}</TR><TR>{''.join(edges)}</TR></TABLE>"
    )
