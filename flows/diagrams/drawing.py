"""Data-flow diagrams: records and findings in, DOT out; `render` alone needs the `dot` program.

Three scopes, each as of a date:
- `category_diagram`: every party a data category reaches from the own party;
- `party_diagram`: who sends a party data, and whom it passes data to, `depth` hops onward;
- `register_diagram`: the whole register, or one part of it (a country, a relationship).

Diagrams lead with what is wrong. Parties are drawn by relationship and grouped in clusters
by jurisdiction (the EEA, adequate for the EU, the US with DPF-certified recipients marked,
other third countries); parallel flows between two parties merge into one edge
(`flows.diagrams.edges`). Edges with findings come first, heavy, in the colour of their worst
severity and labelled with what is wrong in words; compliant edges are thin and grey, and may
be hidden (`compliant=False`). Parties with no flow on the date are left out unless asked for
(`all_parties=True`); the title says how many.

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

import re
import shutil
import subprocess
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date

import graphviz

from flows.diagrams.edges import (
    EdgeWords,
    Link,
    edge_attributes,
    findings_of_edges,
    severity_order,
)
from flows.diagrams.legend import Omitted, omitted_sentences, title_label
from flows.diagrams.scopes import Selection, select_category, select_party, select_register
from flows.diagrams.style import (
    DPF_COLOUR,
    EDGE_LABEL_LIMIT,
    EDGE_LIMIT,
    FONT,
    NODE_LIMIT,
    PLAIN_EDGE,
    QUIET_LABEL_LIMIT,
    READABLE_GROUP_EDGES,
    RELATIONSHIPS,
    SEVERITY_COLOURS,
    UNKNOWN_RELATIONSHIP,
    WRAP,
    ZONE_COLOURS,
    ZONES,
    relationship_style,
)
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
from flows.engine.records import Finding, FlowRecord, PartyRecord, Register

__all__ = [
    "DPF_COLOUR", "Diagram", "DiagramError", "DotMissing", "EDGE_LABEL_LIMIT", "EDGE_LIMIT",
    "Link", "MAX_TEXT", "NODE_LIMIT", "Omitted", "PLAIN_EDGE", "RELATIONSHIPS",
    "SEVERITY_COLOURS", "Selection", "category_diagram", "clean_text", "compact_categories",
    "draw", "html_text", "omitted_sentences", "party_diagram", "plain_text", "register_diagram",
    "render", "select_category", "select_party", "select_register",
]  # fmt: skip

COLLAPSE_ORDER = ("country", "relationship")

FORMATS: dict[str, str] = {
    "svg": "image/svg+xml",
    "png": "image/png",
    "pdf": "application/pdf",
    "dot": "text/vnd.graphviz; charset=utf-8",
}

A4_LANDSCAPE = (11.69, 8.27)
"""Inches. The PDF is one A4 page in landscape: the drawing is scaled to fit inside margins."""
PDF_MARGIN = 0.35


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
    """Parties shown (in their own node or in a collapsed one)."""
    nodes: int
    collapsed_by: str = ""
    """'' when every party has its own node, else 'country' or 'relationship'."""
    edge_labels: bool = True
    groups: tuple[tuple[str, int], ...] = ()
    """(country or relationship, number of parties) of each collapsed node, largest first."""
    omitted: Omitted = Omitted()
    """What was left out: idle parties, hidden compliant flows and their parties."""
    flagged_edges: int = 0
    """Edges with at least one finding."""


def category_diagram(
    register: Register, findings: Iterable[Finding], category: str, as_of: date, **options: object
) -> Diagram:
    record = register.categories.get(category)
    name = record.name if record is not None and record.name else category
    title = f"Where {name} goes from the own company"
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
    return relationship_style(key)


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


def _pruned(
    selection: Selection, findings: list[Finding], compliant: bool, all_parties: bool
) -> tuple[Selection, Omitted, frozenset[str]]:
    """The selection without the compliant flows if they are hidden, and without the parties
    left with no flow, unless every party is asked for; the selection's kept parties (the own
    company, the party a diagram is about) always stay."""
    flagged_flows = {f.flow for f in findings if f.flow is not None}
    flagged_pairs = {(f.source, f.target) for f in findings if f.flow is None and f.source}
    flows = selection.flows
    if not compliant:
        flows = tuple(
            f for f in flows if f.id in flagged_flows or (f.source, f.target) in flagged_pairs
        )
    active = {s for f in selection.flows for s in (f.source, f.target)}
    shown = {s for f in flows for s in (f.source, f.target)} | selection.always
    if all_parties:
        parties = selection.parties
    else:
        parties = tuple(s for s in selection.parties if s in shown)
    omitted = Omitted(
        idle=0 if all_parties else sum(1 for s in selection.parties if s not in active | shown),
        hidden_flows=len(selection.flows) - len(flows),
        hidden_parties=0 if all_parties else sum(1 for s in active if s not in shown),
    )
    return replace(selection, parties=parties, flows=flows), omitted, frozenset(active)


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
    compliant: bool = True,
    all_parties: bool = False,
) -> Diagram:
    """The DOT of a selection: parties (or groups of them), flows merged per pair, findings."""
    findings = list(findings)
    snapshot = Jurisdictions.from_register(register).on(as_of)
    taxonomy = Taxonomy(register.categories)
    parties = register.parties
    selection, omitted, active = _pruned(selection, findings, compliant, all_parties)
    collapsed_by = ""
    node_of = {slug: f"p{index}" for index, slug in enumerate(selection.parties)}
    members: dict[str, list[str]] = {}
    group_key: dict[str, str] = {}
    if node_limit is not None and len(selection.parties) > node_limit:
        # Per country unless that leaves a hairball that dot needs minutes to lay out (it
        # does with 30 countries and 800 edges): then per relationship, a handful of nodes.
        order = [collapse] if collapse in ("country", "relationship") else COLLAPSE_ORDER
        # Chosen for the reader, the groups go by country up to what dot can draw; chosen
        # for them, only while the picture stays one that can be read without zooming.
        most = EDGE_LIMIT if len(order) == 1 else READABLE_GROUP_EDGES
        for collapsed_by in order:
            node_of, members, group_key = _grouped(selection, parties, collapsed_by)
            pairs = {(node_of[f.source], node_of[f.target]) for f in selection.flows}
            if len(pairs) <= most:
                break
    node_count = len(set(node_of.values()))
    edges: dict[tuple[str, str], list[FlowRecord]] = defaultdict(list)
    for flow in selection.flows:
        edges[(node_of[flow.source], node_of[flow.target])].append(flow)
    labels = node_count <= EDGE_LABEL_LIMIT and len(edges) <= EDGE_LIMIT
    found = findings_of_edges(edges, findings)

    graph = graphviz.Digraph("dataflows", format="svg")
    heading = title_label(
        title, as_of, len(selection.parties), node_count, collapsed_by, labels, node_limit, omitted
    )
    graph.attr(
        rankdir="LR",
        fontname=FONT,
        labelloc="t",
        labeljust="l",
        nodesep="0.45",
        ranksep="1.1",
        label=_html(heading),
        tooltip=plain_text(f"{title}, as of {as_of.isoformat()}", 160),
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
    clusters: dict[str, list[tuple[str, dict[str, str]]]] = defaultdict(list)
    for slug in selection.parties:
        node = node_of[slug]
        if not node.startswith("p"):
            continue
        party = parties.get(slug)
        idle = slug not in active  # not merely without a shown flow: with none at all
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
                tooltip=plain_text(ZONES[zone]),
                # At the bottom: in a left-to-right layout dot reserves no room above the
                # nodes for a cluster's title, and edge labels near the top covered it.
                labelloc="b",
                style="filled,rounded",
                fillcolor=ZONE_COLOURS[zone],
                color="#c8ccd2",
                fontsize="12",
            )
            for node, attrs in clusters[zone]:
                sub.node(node, **attrs)

    words = EdgeWords(register, snapshot, taxonomy, as_of, selection.category)
    quiet = len(edges) <= QUIET_LABEL_LIMIT
    # The edges with findings first, worst first: dot orders each rank from the edges it
    # reads first, so they take the top of the picture.
    worst_first = sorted(edges, key=lambda pair: (severity_order(found[pair]), pair))
    for tail, head in worst_first:
        attrs = edge_attributes(
            edges[(tail, head)],
            found[(tail, head)],
            words,
            labels=labels,
            quiet_labels=quiet,
            summary=bool(collapsed_by),
            link=link,
        )
        if all(_to_affiliate(flow, parties) for flow in edges[(tail, head)]):
            # Data flows back from the own company to its affiliates as well as to it: left to
            # rank those edges, dot put the affiliates after the own company, so that their
            # transfers to it (the Safe Harbor one) ran backwards with labels piled up.
            # Drawn without ranking, the affiliates where data is collected come first.
            attrs["constraint"] = "false"
        graph.edge(tail, head, **attrs)
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
        omitted=omitted,
        flagged_edges=sum(1 for pair in edges if found[pair]),
    )


def _to_affiliate(flow: FlowRecord, parties: Mapping[str, PartyRecord]) -> bool:
    source, target = parties.get(flow.source), parties.get(flow.target)
    return (
        source is not None
        and target is not None
        and source.relationship == "own"
        and target.relationship == "affiliate"
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
            status = party.status.replace("_", " ")
            lines.append(f'<FONT POINT-SIZE="9"><I>{html_text(status)}</I></FONT>')
    if idle:
        # Drawn only when every party is asked for: greyed, so that the register is complete
        # without drawing the eye.
        lines.append('<FONT POINT-SIZE="9"><I>no flow on this date</I></FONT>')
        attrs.update(color="#9aa0a6", fontcolor="#5f6368", fillcolor="#f5f5f5")
    attrs["label"] = _html("<BR/>".join(lines))
    # Always a tooltip: without one, the SVG's hover text is the node's identifier.
    attrs["tooltip"] = plain_text(f"{party.name if party else slug} ({facts})", 160)
    url = link("party", slug) if link is not None and party is not None else ""
    if url:
        attrs.update(URL=_safe_url(url), target="_top")
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
    attrs["tooltip"] = plain_text(f"{heading} ({breakdown})", 160)
    url = link(collapsed_by, key) if link is not None and key else ""
    if url:
        attrs.update(URL=_safe_url(url), target="_top")
        attrs["tooltip"] = plain_text(f"{heading}: open the detailed view", 160)
    return attrs


def compact_categories(keys: Iterable[str]) -> list[str]:
    """`contact.{address, email}`: keys grouped under their parent, without the `user.` that
    begins nearly every key of the taxonomy."""
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
    page: tuple[str, ...] = ()
    if fmt == "pdf":
        page = _a4_page(program, source)
    done = _run_dot(program, fmt, source, page)
    if done.returncode != 0 and b"trouble in init_rank" in done.stderr:
        # dot's classic ranking fails on some graphs with clusters (Graphviz 2.43 and later);
        # the newer ranking always lays them out, with more crowded edge labels, so it is
        # only the fallback.
        done = _run_dot(program, fmt, source, (*page, "-Gnewrank=true"))
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()[:500]
        raise DiagramError(f"Graphviz could not draw the diagram: {message}")
    return _titled(done.stdout) if fmt == "svg" else done.stdout


def _a4_page(program: str, source: str) -> tuple[str, ...]:
    """dot's options for one A4 page in landscape. dot sizes a PDF page to its drawing, so a
    first run scales the drawing (up or down, "!") to fit the page less its margins, and the
    second widens the margins to fill the rest of the page, centring the drawing."""
    width, height = (x - 2 * PDF_MARGIN for x in A4_LANDSCAPE)
    size = f"-Gsize={width:.2f},{height:.2f}!"
    first = _run_dot(program, "pdf", source, (size, f"-Gmargin={PDF_MARGIN}"))
    box = _MEDIA_BOX.search(first.stdout) if first.returncode == 0 else None
    if box is None:
        return (size, f"-Gmargin={PDF_MARGIN}")
    drawn_width, drawn_height = (float(x) / 72 for x in box.group(1).split()[2:4])
    x = PDF_MARGIN + max(0.0, A4_LANDSCAPE[0] - drawn_width) / 2
    y = PDF_MARGIN + max(0.0, A4_LANDSCAPE[1] - drawn_height) / 2
    return (size, f"-Gmargin={x:.3f},{y:.3f}")


_MEDIA_BOX = re.compile(rb"/MediaBox \[\s*([-\d.]+\s+[-\d.]+\s+[-\d.]+\s+[-\d.]+)\s*\]")

_TITLE_THEN_TOOLTIP = re.compile(
    rb'<title>[^<]*</title>(\s*<g id="a_[^"]*"><a\b[^>]*?xlink:title="([^"]*)")'
)


def _titled(svg: bytes) -> bytes:
    """Each node's and edge's <title> (what a browser shows on hover) made its tooltip: dot
    writes the DOT identifiers there, `p22&#45;&gt;p9`, which say nothing to a reader."""
    return _TITLE_THEN_TOOLTIP.sub(rb"<title>\2</title>\1", svg)


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
