"""Diagrams drawn from plain records: what the DOT text holds, and what `dot` makes of it."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date

import pytest

from flows.diagrams import drawing as diagram
from flows.engine.records import Finding
from tests.flows.engine.record_builders import (
    AS_OF,
    BANK,
    CARD,
    DPA,
    EMAIL,
    PHONE,
    base_parties,
    d,
    findings,
    flow,
    party,
    register,
    with_party,
)

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")


def demo_register():
    parties = with_party(
        base_parties(),
        party(
            "cloudco",
            "processor",
            "US",
            name="CloudCo Hosting",
            dpf_certified_until=d("2030-01-01"),
        ),  # fmt: skip
    )
    flows = [
        flow(1, "acme", "cloudco", categories=(EMAIL, PHONE)),
        flow(2, "cloudco", "backupco", categories=(EMAIL,), role="subprocessor"),
        flow(3, "acme-de", "acme", categories=(EMAIL, BANK), role="controller"),
        flow(4, "acme", "partner", categories=(CARD,), role="controller", lawful_basis=""),
        flow(5, "acme-uk", "acme-ch", categories=(PHONE,), role="controller"),
    ]
    return register(flows, [DPA], parties)


def node_ids(source: str) -> list[str]:
    return re.findall(r"^\s*((?:p|g)\d+) \[", source, re.M)


def edge_line(source: str, tail: str, head: str) -> str:
    [line] = [ln for ln in source.splitlines() if re.match(rf"\s*{tail} -> {head} ", ln)]
    return line


def node_of(source: str, text: str) -> str:
    """The id of the node whose label holds `text`."""
    [node] = [m.group(1) for m in re.finditer(r"^\s*(\w+) \[.*$", source, re.M) if text in m[0]]
    return node


def layout(source: str) -> dict:
    done = subprocess.run(
        ["dot", "-Tjson0"], input=source.encode(), capture_output=True, check=True, timeout=60
    )
    return json.loads(done.stdout)


def test_the_register_diagram_has_a_node_per_party_in_jurisdiction_clusters():
    reg = demo_register()
    drawn = diagram.register_diagram(reg, findings(reg), AS_OF)
    source = drawn.source
    assert len(node_ids(source)) == len(reg.parties) == drawn.parties == drawn.nodes
    clusters = {"eea": "EEA", "adequate": "Adequate for the EU", "us": "United States",
                "other": "Other third countries"}  # fmt: skip
    for cluster, label in clusters.items():
        assert f"subgraph cluster_{cluster} {{" in source and label in source
    eea = source[source.index("cluster_eea") : source.index("}", source.index("cluster_eea"))]
    assert "Acme GmbH" in eea and "Acme Voice" not in eea
    assert "as of 2024-06-01" in source and "Parties" in source and "critical finding" in source


def test_relationships_have_their_own_styles_and_dpf_certification_is_marked():
    reg = demo_register()
    source = diagram.register_diagram(reg, [], AS_OF).source
    own = source[source.index(node_of(source, "Acme Voice") + " [") :].splitlines()[0]
    assert 'fillcolor="#1f3b73"' in own and "fontcolor=white" in own
    sub = source[source.index(node_of(source, "BackupCo") + " [") :].splitlines()[0]
    assert "dashed" in sub and "Sub-processor · IN" in sub
    third = source[source.index(node_of(source, "Partner Inc") + " [") :].splitlines()[0]
    assert "shape=ellipse" in third
    cloud = source[source.index(node_of(source, "CloudCo Hosting") + " [") :].splitlines()[0]
    assert "DPF certified until 2030-01-01" in cloud and f'color="{diagram.DPF_COLOUR}"' in cloud


def test_edges_with_findings_are_heavy_in_their_worst_colour_and_compliant_ones_thin_grey():
    reg = demo_register()
    found = findings(reg)
    source = diagram.register_diagram(reg, found, AS_OF).source
    acme, uk, partner = (node_of(source, n) for n in ("Acme Voice", "Acme Ltd", "Partner Inc"))
    flagged = edge_line(source, acme, partner)
    assert "NO_LAWFUL_BASIS" in {f.rule for f in found if f.flow == 4}
    assert f'color="{diagram.SEVERITY_COLOURS["critical"]}"' in flagged
    assert "penwidth=4" in flagged and "⚠ Card data to a vendor without a PCI" in flagged
    assert "+1 more problem" in flagged and "What is wrong: Card data" in flagged  # tooltip
    assert "decorate=true" in flagged  # the label is tied to its edge by a stroke
    unflagged = diagram.register_diagram(reg, [], AS_OF).source
    plain = edge_line(unflagged, uk, node_of(source, "Acme AG"))
    assert f'color="{diagram.PLAIN_EDGE}"' in plain and "penwidth=0.8" in plain
    assert "⚠" not in plain


def test_a_high_finding_is_orange_and_a_party_level_finding_colours_its_pair():
    reg = demo_register()
    high = Finding("SCC_MODULE_MISMATCH", "high", "m", "c", "r", flow=1)
    pair = Finding("NDA_ONLY", "medium", "m", "c", "r", source="cloudco", target="backupco")
    source = diagram.register_diagram(reg, [high, pair], AS_OF).source
    acme, cloud, backup = (node_of(source, n) for n in ("Acme Voice", "CloudCo", "BackupCo"))
    assert f'color="{diagram.SEVERITY_COLOURS["high"]}"' in edge_line(source, acme, cloud)
    assert "⚠ Wrong SCC module" in edge_line(source, acme, cloud)
    assert f'color="{diagram.SEVERITY_COLOURS["medium"]}"' in edge_line(source, cloud, backup)
    assert "⚠ Only an NDA" in edge_line(source, cloud, backup)


def test_the_category_diagram_shows_only_where_the_category_goes():
    reg = demo_register()
    drawn = diagram.category_diagram(reg, [], "user.contact", AS_OF)
    assert "Where user.contact goes" in drawn.source
    names = {"Acme Voice", "CloudCo Hosting", "BackupCo"}
    assert all(n in drawn.source for n in names)
    assert "Partner Inc" not in drawn.source and "Acme AG" not in drawn.source
    assert drawn.parties == 3


def test_the_party_diagram_shows_senders_and_recipients_to_a_depth():
    reg = demo_register()
    one = diagram.party_diagram(reg, [], "acme", AS_OF, depth=1)
    assert "Acme GmbH" in one.source  # it sends data to acme
    assert "CloudCo Hosting" in one.source and "BackupCo" not in one.source
    two = diagram.party_diagram(reg, [], "acme", AS_OF, depth=2)
    assert "BackupCo" in two.source and "Acme AG" not in two.source


def test_flows_not_active_on_the_date_are_left_out():
    reg = demo_register()
    reg = replace(reg, flows=(*reg.flows, flow(9, "acme", "acme-uk", started_on=d("2030-01-01"))))
    source = diagram.register_diagram(reg, [], AS_OF).source
    acme, uk = node_of(source, "Acme Voice"), node_of(source, "Acme Ltd")
    assert f"{acme} -> {uk}" not in source
    later = diagram.register_diagram(reg, [], date(2031, 1, 1)).source
    assert f"{acme} -> {uk}" in later and "as of 2031-01-01" in later


def test_past_the_node_limit_parties_collapse_per_country_with_counts_and_say_so():
    parties = dict(base_parties())
    flows = []
    for i in range(30):
        slug = f"vendor-{i}"
        parties[slug] = party(slug, "processor", "FR" if i % 3 else "JP")
        flows.append(flow(100 + i, "acme", slug))
    reg = register(flows, [], parties)
    drawn = diagram.register_diagram(reg, [], AS_OF, node_limit=10, link=lambda k, v: f"/{k}/{v}")
    assert drawn.collapsed_by == "country"
    assert "collapsed into one node per country" in drawn.source
    assert "FR: 20 parties" in drawn.source and "JP: 10 parties" in drawn.source
    assert "Acme Voice" in drawn.source  # the own party keeps its node
    assert 'URL="/country/FR"' in drawn.source
    assert ("FR", 20) in drawn.groups
    assert drawn.nodes == len(node_ids(drawn.source)) < drawn.parties
    by_role = diagram.register_diagram(reg, [], AS_OF, node_limit=10, collapse="relationship")
    assert "30 processors" in by_role.source and "cluster_eea" not in by_role.source


def test_a_part_of_the_register_shows_its_parties_and_their_counterparts():
    reg = demo_register()
    drawn = diagram.register_diagram(reg, [], AS_OF, country="IN")
    assert "BackupCo" in drawn.source and "CloudCo Hosting" in drawn.source
    assert "Acme AG" not in drawn.source


def test_labels_are_escaped_and_never_change_the_dot_structure():
    nasty = 'Evil "Co" \\ <script>alert(1)</script> {x} [y]; a -> b\nnext line & co' + "x" * 200
    parties = with_party(base_parties(), party("cloudco", "processor", "US", name=nasty))
    reg = register([flow(1, "acme", "cloudco", purpose='p"\\<b>')], [], parties)
    source = diagram.register_diagram(reg, [], AS_OF, all_parties=True).source
    assert "<script>" not in source and "&lt;script&gt;" in source
    assert "&quot;Co&quot;" in source and "\n next" not in source
    assert "…" in source  # clipped
    assert len(node_ids(source)) == len(parties)


@needs_dot
def test_dot_reads_the_diagram_with_one_node_per_party_and_renders_the_legend():
    reg = demo_register()
    drawn = diagram.register_diagram(reg, findings(reg), AS_OF)
    graph = layout(drawn.source)
    nodes = [o for o in graph["objects"] if "nodes" not in o]
    assert len(nodes) == len(reg.parties)
    svg = html.unescape(diagram.render(drawn.source, "svg").decode())
    for record in reg.parties.values():
        assert record.name in svg
    assert "Parties" in svg and "critical finding" in svg and "2024-06-01" in svg
    assert diagram.render(drawn.source, "png").startswith(b"\x89PNG")
    assert diagram.render(drawn.source, "pdf").startswith(b"%PDF")


def test_render_names_the_package_when_dot_is_missing(monkeypatch):
    monkeypatch.setattr(diagram.shutil, "which", lambda name: None)
    with pytest.raises(diagram.DotMissing, match="graphviz"):
        diagram.render("digraph {}", "svg")
    assert diagram.render("digraph {}", "dot") == b"digraph {}"
    with pytest.raises(diagram.DiagramError, match="Unknown format"):
        diagram.render("digraph {}", "gif")


def test_category_keys_are_grouped_under_their_parent():
    keys = ["user.contact.email", "user.contact.phone_number", "user.name", "system"]
    assert diagram.compact_categories(keys) == ["contact.{email, phone_number}", "name", "system"]


@needs_dot
def test_a_closing_bracket_in_a_label_still_renders():
    """Regression: Graphviz's HTML-label lexer refused `<B>]</B>` (found by hypothesis)."""
    parties = with_party(base_parties(), party("cloudco", "processor", "US", name="]"))
    reg = register([flow(1, "acme", "cloudco", purpose="]")], [], parties)
    svg = diagram.render(diagram.register_diagram(reg, [], AS_OF).source, "svg").decode()
    assert ">]</text>" in svg
