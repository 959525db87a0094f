"""Data-flow diagrams: records and findings in, DOT out; `render` alone needs the `dot` program.

Three scopes, each as of a date:
- `category_diagram`: every party a data category reaches from the own party;
- `party_diagram`: who sends a party data, and whom it passes data to, `depth` hops onward;
- `register_diagram`: the whole register, or one part of it (a country, a relationship).

Parties are drawn by relationship and grouped in clusters by jurisdiction (the EEA, adequate
for the EU, the US with DPF-certified recipients marked, other third countries); parallel flows
between two parties merge into one edge labelled with purposes and categories; an edge with
findings is drawn in the colour of its worst severity and labelled with the rule identifiers.

Readability: past NODE_LIMIT parties, every party but the own one (and the party a party
diagram is about) collapses into one node per country (or per relationship), with counts;
the title says so, and each collapsed node links to the detailed view of its part. Past
EDGE_LABEL_LIMIT nodes edge labels are dropped: Graphviz takes about a minute to lay out
3,000 labelled nodes, ten seconds without labels.

Safety: names are user input. Node identifiers are generated (`p0`, `g0`), every label is an
HTML-like label whose text is entity-escaped, stripped of control characters and clipped
(`flows.diagrams.text`), and only tooltips and URLs, made safe there too, carry user text in
other attributes, so no name can change the DOT structure or put markup into the SVG.
What each scope shows (parties, active flows) is chosen in `flows.diagrams.scopes`.
"""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date

import graphviz

from flows.diagrams.scopes import Selection, select_category, select_party, select_register
from flows.diagrams.text import (
    MAX_TEXT,
    _escape,
    _html,
    _safe_url,
    clean_text,
    html_text,
    plain_text,
)
from flows.engine.graph import Taxonomy
from flows.engine.jurisdictions import Jurisdictions, JurisdictionSnapshot, dpf_active
from flows.engine.records import Finding, FlowRecord, PartyRecord, Register, severity_rank

__all__ = [
    "Diagram", "DiagramError", "DotMissing", "Selection", "category_diagram", "clean_text",
    "compact_categories", "draw", "html_text", "party_diagram", "plain_text", "register_diagram",
    "render", "select_category", "select_party", "select_register", "MAX_TEXT",
]  # fmt: skip

NODE_LIMIT = 120
"""Past this many parties, a diagram collapses them into one node per country or relationship."""

EDGE_LABEL_LIMIT = 300
"""Past this many nodes, edges are drawn without labels (layout time grows sixfold with them)."""

EDGE_LIMIT = 150
"""Past this many edges (after merging parallel flows), edges lose their labels too, and a
collapsed diagram groups by relationship rather than country: with labels, dot lays out 30
country nodes joined by 800 edges in about a minute."""

COLLAPSE_ORDER = ("country", "relationship")

FORMATS: dict[str, str] = {
    "svg": "image/svg+xml",
    "png": "image/png",
    "pdf": "application/pdf",
    "dot": "text/vnd.graphviz; charset=utf-8",
}

# key: (label, plural, shape, fill colour, style)
RELATIONSHIPS: dict[str, tuple[str, str, str, str, str]] = {
    "own": ("Own company", "own company", "box", "#1f3b73", "filled,bold"),
    "affiliate": ("Affiliate", "affiliates", "box", "#cfe0f7", "filled,rounded"),
    "processor": ("Processor", "processors", "box", "#d7efd2", "filled"),
    "subprocessor": ("Sub-processor", "sub-processors", "box", "#f0f4c3", "filled,dashed"),
    "third_party": ("Third party", "third parties", "ellipse", "#f8d7e3", "filled"),
    "joint_controller": ("Joint controller", "joint controllers", "hexagon", "#e3d7f5", "filled"),
}
UNKNOWN_RELATIONSHIP = ("Not in the register", "unknown parties", "box", "#eeeeee", "filled")

SEVERITY_COLOURS: dict[str, str] = {
    "critical": "#c62828",
    "high": "#e65100",
    "medium": "#b8860b",
    "low": "#546e7a",
    "info": "#546e7a",
}
PLAIN_EDGE = "#5f6368"
DPF_COLOUR = "#1b7f3b"

ZONES: dict[str, str] = {
    "eea": "EEA",
    "adequate": "Adequate for the EU",
    "us": "United States (DPF-certified recipients marked)",
    "other": "Other third countries",
}
ZONE_COLOURS = {"eea": "#eef4fb", "adequate": "#eef8f0", "us": "#fdf6e9", "other": "#fbeeee"}

FONT = "Helvetica,Arial,sans-serif"
WRAP = 28
MAX_FLOWS_PER_EDGE = 3
MAX_CATEGORY_GROUPS = 3


class DiagramError(Exception):
    """A diagram cannot be rendered; the message says why in words a user can act on."""


class DotMissing(DiagramError):
    pass


# --- Drawing -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Diagram:
    source: str
    """The DOT text."""
    title: str
    parties: int
    nodes: int
    collapsed_by: str = ""
    """'' when every party has its own node, else 'country' or 'relationship'."""
    edge_labels: bool = True
    groups: tuple[tuple[str, int], ...] = ()
    """(country or relationship, number of parties) of each collapsed node, largest first."""


Link = Callable[[str, str], str]
"""link(kind, value) -> URL: kind 'party' (value a slug), 'country' or 'relationship'."""


def category_diagram(
    register: Register, findings: Iterable[Finding], category: str, as_of: date, **options: object
) -> Diagram:
    title = f"Where {category} goes from the own company"
    selection = select_category(register, category, as_of)
    return draw(register, findings, selection, as_of=as_of, title=title, **options)  # type: ignore[arg-type]


def party_diagram(
    register: Register,
    findings: Iterable[Finding],
    slug: str,
    as_of: date,
    depth: int = 2,
    **options: object,
) -> Diagram:
    party = register.parties.get(slug)
    name = party.name if party else slug
    title = f"Data to and from {name} ({depth} hop{'s' if depth != 1 else ''} onward)"
    selection = select_party(register, slug, as_of, depth)
    return draw(register, findings, selection, as_of=as_of, title=title, **options)  # type: ignore[arg-type]


def register_diagram(
    register: Register,
    findings: Iterable[Finding],
    as_of: date,
    country: str = "",
    relationship: str = "",
    **options: object,
) -> Diagram:
    part = " · ".join(
        x
        for x in (country, relationship and _relationship(relationship)[1] if relationship else "")
        if x
    )
    title = "The whole register" + (f": {part} and their counterparts" if part else "")
    selection = select_register(register, as_of, country, relationship)
    return draw(register, findings, selection, as_of=as_of, title=title, **options)  # type: ignore[arg-type]


def _relationship(key: str) -> tuple[str, str, str, str, str]:
    return RELATIONSHIPS.get(key, UNKNOWN_RELATIONSHIP)


def zone_of(country: str, snapshot: JurisdictionSnapshot) -> str:
    """The cluster of a country: the US first (DPF makes it a case of its own), then the EEA,
    then countries wholly adequate for the EU on the day, then the rest."""
    if country == "US":
        return "us"
    if snapshot.in_zone("EU", country):
        return "eea"
    if snapshot.adequate("EU", country):
        return "adequate"
    return "other"


def draw(
    register: Register,
    findings: Iterable[Finding],
    selection: Selection,
    *,
    as_of: date,
    title: str,
    node_limit: int | None = NODE_LIMIT,
    collapse: str = "auto",
    link: Link | None = None,
) -> Diagram:
    """The DOT of a selection: parties (or groups of them), flows merged per pair, findings."""
    snapshot = Jurisdictions.from_register(register).on(as_of)
    taxonomy = Taxonomy(register.categories)
    parties = register.parties
    collapsed_by = ""
    node_of = {slug: f"p{index}" for index, slug in enumerate(selection.parties)}
    members: dict[str, list[str]] = {}
    group_key: dict[str, str] = {}
    if node_limit is not None and len(selection.parties) > node_limit:
        # Per country unless that leaves a hairball that dot needs minutes to lay out (it
        # does with 30 countries and 800 edges): then per relationship, a handful of nodes.
        order = [collapse] if collapse in ("country", "relationship") else COLLAPSE_ORDER
        for collapsed_by in order:
            node_of, members, group_key = _grouped(selection, parties, collapsed_by)
            pairs = {(node_of[f.source], node_of[f.target]) for f in selection.flows}
            if len(pairs) <= EDGE_LIMIT:
                break
    node_count = len(set(node_of.values()))
    edge_count = len({(node_of[f.source], node_of[f.target]) for f in selection.flows})
    labels = node_count <= EDGE_LABEL_LIMIT and edge_count <= EDGE_LIMIT

    graph = graphviz.Digraph("dataflows", format="svg")
    graph.attr(
        rankdir="LR",
        fontname=FONT,
        labelloc="t",
        labeljust="l",
        nodesep="0.5",
        ranksep="0.9",
        label=_html(
            _title(
                title, as_of, len(selection.parties), node_count, collapsed_by, labels, node_limit
            )
        ),
    )
    if not labels:
        # Cheaper crossing minimisation and ranking: minutes become seconds past a few
        # hundred edges, for a layout that is hardly worse.
        graph.attr(searchsize="10", mclimit="0.1", nslimit="1", nslimit1="1")
    graph.attr("node", fontname=FONT, fontsize="11", margin="0.12,0.06")
    graph.attr("edge", fontname=FONT, fontsize="9", color=PLAIN_EDGE, arrowsize="0.7")

    # A certification date alone says nothing before the framework existed (2023-07-10):
    # the mark follows the EU DPF row of the mechanism table.
    dpf_exists = snapshot.mechanism_valid("EU", "dpf") or not register.mechanisms
    with_flows = {s for flow in selection.flows for s in (flow.source, flow.target)}
    clusters: dict[str, list[tuple[str, dict[str, str]]]] = defaultdict(list)
    for slug in selection.parties:
        node = node_of[slug]
        if not node.startswith("p"):
            continue
        party = parties.get(slug)
        idle = slug not in with_flows
        attrs = _party_attributes(slug, party, as_of, link, dpf_exists, idle)
        zone = zone_of(party.country, snapshot) if party and party.country else "other"
        clusters[zone].append((node, attrs))
    for key, slugs in members.items():
        node = group_key[key]
        attrs = _group_attributes(key, slugs, parties, collapsed_by, link)
        if collapsed_by == "country":
            clusters[zone_of(key, snapshot) if key else "other"].append((node, attrs))
        else:
            clusters[""].append((node, attrs))
    for zone in (*ZONES, ""):
        if zone not in clusters:
            continue
        if not zone:
            for node, attrs in clusters[zone]:
                graph.node(node, **attrs)
            continue
        with graph.subgraph(name=f"cluster_{zone}") as sub:
            sub.attr(
                label=_html(f"<B>{_escape(ZONES[zone])}</B>"),
                style="filled,rounded",
                fillcolor=ZONE_COLOURS[zone],
                color="#c8ccd2",
                fontsize="12",
            )
            for node, attrs in clusters[zone]:
                sub.node(node, **attrs)

    by_flow: dict[int, list[Finding]] = defaultdict(list)
    by_pair: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.flow is not None:
            by_flow[finding.flow].append(finding)
        elif finding.source and finding.target:
            by_pair[(finding.source, finding.target)].append(finding)
    edges: dict[tuple[str, str], list[FlowRecord]] = defaultdict(list)
    for flow in selection.flows:
        edges[(node_of[flow.source], node_of[flow.target])].append(flow)
    for (tail, head), flows in sorted(edges.items()):
        found = [f for flow in flows for f in by_flow.get(flow.id, ())]
        found += [f for flow in flows for f in by_pair.pop((flow.source, flow.target), ())]
        graph.edge(
            tail,
            head,
            **_edge_attributes(
                flows, found, taxonomy, selection.category, labels, summary=bool(collapsed_by)
            ),
        )
    return Diagram(
        source=graph.source,
        title=title,
        parties=len(selection.parties),
        nodes=node_count,
        collapsed_by=collapsed_by,
        edge_labels=labels,
        groups=tuple(
            sorted(((k, len(v)) for k, v in members.items()), key=lambda kv: (-kv[1], kv[0]))
        ),
    )


def _grouped(
    selection: Selection, parties: Mapping[str, PartyRecord], by: str
) -> tuple[dict[str, str], dict[str, list[str]], dict[str, str]]:
    """Each party's node: its own for focus parties, else its group's (`g0`...), with the
    members of each group key and each key's node."""
    node_of: dict[str, str] = {}
    members: dict[str, list[str]] = defaultdict(list)
    group_key: dict[str, str] = {}
    for index, slug in enumerate(selection.parties):
        if slug in selection.focus:
            node_of[slug] = f"p{index}"
            continue
        party = parties.get(slug)
        key = (party.country if by == "country" else party.relationship) if party else ""
        node_of[slug] = group_key.setdefault(key, f"g{len(group_key)}")
        members[key].append(slug)
    return node_of, dict(members), group_key


def _title(
    title: str,
    as_of: date,
    parties: int,
    nodes: int,
    collapsed_by: str,
    labels: bool,
    limit: int | None,
) -> str:
    lines = [f'<FONT POINT-SIZE="16"><B>{html_text(title, 120)}</B></FONT>']
    lines.append(f"as of {as_of.isoformat()} · {parties} part{'y' if parties == 1 else 'ies'}")
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


def _party_attributes(
    slug: str,
    party: PartyRecord | None,
    as_of: date,
    link: Link | None,
    dpf_exists: bool = True,
    idle: bool = False,
) -> dict[str, str]:
    relationship = party.relationship if party else ""
    label, _, shape, fill, style = _relationship(relationship) if party else UNKNOWN_RELATIONSHIP
    font = "white" if relationship == "own" else "black"
    lines = [f"<B>{html_text(party.name if party else slug, wrap=WRAP)}</B>"]
    facts = label + (f" · {party.country}" if party and party.country else "")
    lines.append(f'<FONT POINT-SIZE="9">{html_text(facts)}</FONT>')
    attrs = {"shape": shape, "style": style, "fillcolor": fill, "fontcolor": font}
    if party:
        if party.processing_countries and party.processing_countries != (party.country,):
            where = "processes in " + ", ".join(party.processing_countries)
            lines.append(f'<FONT POINT-SIZE="9">{html_text(where)}</FONT>')
        if dpf_exists and dpf_active(party, as_of):
            until = party.dpf_certified_until.isoformat() if party.dpf_certified_until else ""
            lines.append(
                f'<FONT POINT-SIZE="9" COLOR="{DPF_COLOUR}">'
                f"<B>DPF certified until {until}</B></FONT>"
            )
            attrs.update(color=DPF_COLOUR, penwidth="2.5")
        elif dpf_exists and party.dpf_certified_until is not None:
            lapsed = f"DPF lapsed {party.dpf_certified_until.isoformat()}"
            lines.append(f'<FONT POINT-SIZE="9" COLOR="#b00020">{lapsed}</FONT>')
        if party.status not in ("approved", ""):
            lines.append(f'<FONT POINT-SIZE="9"><I>{html_text(party.status)}</I></FONT>')
    if idle:
        # Parties with no flow on the date stay in the picture, greyed, so the register is
        # complete without drawing the eye.
        lines.append('<FONT POINT-SIZE="9"><I>no flow on this date</I></FONT>')
        attrs.update(color="#9aa0a6", fontcolor="#5f6368", fillcolor="#f5f5f5")
    attrs["label"] = _html("<BR/>".join(lines))
    url = link("party", slug) if link is not None and party is not None else ""
    if url:
        tooltip = plain_text(f"{party.name if party else slug} ({facts})", 160)
        attrs.update(URL=_safe_url(url), target="_top", tooltip=tooltip)
    return attrs


def _group_attributes(
    key: str,
    slugs: list[str],
    parties: Mapping[str, PartyRecord],
    collapsed_by: str,
    link: Link | None,
) -> dict[str, str]:
    kinds = Counter(parties[s].relationship if s in parties else "" for s in slugs)
    count = len(slugs)
    if collapsed_by == "country":
        heading = f"{key or 'No country'}: {count} part{'y' if count == 1 else 'ies'}"
        breakdown = ", ".join(
            f"{n} {_relationship(kind)[1] if n > 1 else _relationship(kind)[0].lower()}"
            for kind, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))
        )
        attrs = {"shape": "folder", "style": "filled", "fillcolor": "#ffffff"}
    else:
        label, plural, shape, fill, style = _relationship(key)
        heading = f"{count} {plural if count > 1 else label.lower()}"
        countries = Counter(parties[s].country for s in slugs if s in parties)
        top = ", ".join(f"{c} {n}" for c, n in countries.most_common(4))
        breakdown = f"in {len(countries)} countries: {top}" + (", …" if len(countries) > 4 else "")
        attrs = {"shape": shape, "style": style.replace("dashed", ""), "fillcolor": fill}
    lines = [
        f"<B>{html_text(heading)}</B>",
        f'<FONT POINT-SIZE="9">{html_text(breakdown, 120, 36)}</FONT>',
    ]
    attrs["label"] = _html("<BR/>".join(lines))
    attrs["penwidth"] = "1.5"
    url = link(collapsed_by, key) if link is not None and key else ""
    if url:
        tooltip = plain_text(f"{heading}: open the detailed view", 160)
        attrs.update(URL=_safe_url(url), target="_top", tooltip=tooltip)
    return attrs


def compact_categories(keys: Iterable[str]) -> list[str]:
    """`contact.{address, email}`: keys grouped under their parent, without the `user.` that
    begins nearly every key of the taxonomy (the legend says so)."""
    groups: dict[str, list[str]] = defaultdict(list)
    for key in sorted({k.removeprefix("user.") for k in keys}):
        head, dot, leaf = key.rpartition(".")
        groups[head if dot else ""].append(leaf if dot else key)
    parts = []
    for head, leaves in groups.items():
        if not head:
            parts.extend(leaves)
        elif len(leaves) == 1:
            parts.append(f"{head}.{leaves[0]}")
        else:
            parts.append(f"{head}.{{{', '.join(leaves)}}}")
    return parts


def _edge_attributes(
    flows: list[FlowRecord],
    found: list[Finding],
    taxonomy: Taxonomy,
    category: str,
    labels: bool,
    summary: bool = False,
) -> dict[str, str]:
    attrs: dict[str, str] = {}
    worst = min(found, key=lambda f: severity_rank(f.severity)).severity if found else ""
    if worst:
        attrs.update(color=SEVERITY_COLOURS[worst], fontcolor=SEVERITY_COLOURS[worst])
        attrs["penwidth"] = "2.2" if severity_rank(worst) <= 1 else "1.5"
    if len(flows) > 1:
        attrs["penwidth"] = attrs.get("penwidth", "1.2")
    if not labels:
        rules = Counter(f.rule for f in found)
        summary_text = f"{len(flows)} flow{'s' if len(flows) > 1 else ''}" + "".join(
            f"; {rule} ×{n}" for rule, n in rules.most_common(5)
        )
        attrs["tooltip"] = plain_text(summary_text, 300)
        if len(flows) > 1:
            attrs["penwidth"] = str(min(6.0, 1.0 + len(flows) ** 0.5 / 3))[:4]
        return attrs
    lines: list[str] = []
    if len(flows) > MAX_FLOWS_PER_EDGE * 2 or (summary and len(flows) > 1):
        # A collapsed edge stands for many flows: count them, name the commonest purposes.
        purposes = Counter(f.purpose for f in flows)
        lines.append(f"<B>{len(flows)} flows</B>")
        lines.extend(
            html_text(f"{purpose} ×{n}", 60)
            for purpose, n in purposes.most_common(MAX_FLOWS_PER_EDGE)
        )
    else:
        for flow in flows[:MAX_FLOWS_PER_EDGE]:
            cats = flow.categories
            if category:
                cats = tuple(c for c in cats if taxonomy.related(c, category)) or cats
            parts = compact_categories(cats)
            shown = "; ".join(parts[:MAX_CATEGORY_GROUPS])
            if len(parts) > MAX_CATEGORY_GROUPS:
                shown += f"; +{len(parts) - MAX_CATEGORY_GROUPS} more"
            lines.append(f"<B>{html_text(flow.purpose, 60)}</B>")
            lines.append(html_text(shown, 160, 44))
        if len(flows) > MAX_FLOWS_PER_EDGE:
            lines.append(f"+{len(flows) - MAX_FLOWS_PER_EDGE} more flows")
    if found:
        rules = Counter(f.rule for f in found)
        ranked = sorted(
            rules, key=lambda r: (min(severity_rank(f.severity) for f in found if f.rule == r), r)
        )
        text = ", ".join(f"{r} ×{rules[r]}" if rules[r] > 1 else r for r in ranked[:4])
        if len(ranked) > 4:
            text += f", +{len(ranked) - 4} more"
        lines.append(f"<B>⚠ {html_text(text, 200, 44)}</B>")
    attrs["label"] = _html("<BR/>".join(lines))
    return attrs


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
    edges.append(f'{cell}<FONT COLOR="{PLAIN_EDGE}">━━ no finding</FONT></TD>')
    edges.append(
        f'<TD ALIGN="LEFT" COLSPAN="{len(nodes) - len(edges)}">'
        "label: purpose, categories (user. omitted), ⚠ rule ids</TD>"
    )
    return (
        '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="2">'
        f"<TR>{''.join(nodes)}</TR><TR>{''.join(edges)}</TR></TABLE>"
    )


# --- Rendering (needs the `dot` program) -------------------------------------------------

RENDER_TIMEOUT = 120


def render(source: str, fmt: str) -> bytes:
    """The diagram in `fmt` (svg, png, pdf; dot returns the source), laid out by `dot`."""
    if fmt not in FORMATS:
        raise DiagramError(f"Unknown format '{fmt}': choose one of {', '.join(FORMATS)}.")
    if fmt == "dot":
        return source.encode("utf-8")
    program = shutil.which("dot")
    if program is None:
        raise DotMissing(
            "The Graphviz 'dot' program is not installed: install the Debian package "
            "'graphviz' (apt-get install graphviz), or export the DOT format instead."
        )
    done = _run_dot(program, fmt, source, ())
    if done.returncode != 0 and b"trouble in init_rank" in done.stderr:
        # dot's classic ranking fails on some graphs with clusters (Graphviz 2.43 and later);
        # the newer ranking always lays them out, with more crowded edge labels, so it is
        # only the fallback.
        done = _run_dot(program, fmt, source, ("-Gnewrank=true",))
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()[:500]
        raise DiagramError(f"Graphviz could not draw the diagram: {message}")
    return done.stdout


def _run_dot(
    program: str, fmt: str, source: str, extra: tuple[str, ...]
) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            [program, f"-T{fmt}", *extra],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=RENDER_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise DiagramError(
            f"Graphviz took more than {RENDER_TIMEOUT} s; draw a smaller part of the register."
        ) from None
