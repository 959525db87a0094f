"""Hostile party names never change the diagram's structure nor put markup into its SVG."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.diagrams import drawing as diagram
from flows.diagrams.views import inline_svg
from tests.flows.engine.record_builders import AS_OF, flow, party, register

pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")

FRAGMENTS = (
    '"', "\\", "\\\"", "<", ">", "{", "}", "[", "]", ";", "->", "--", "\n", "\r", "\t", "&",
    "&amp;", "&#60;", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
    '" onload="alert(1)', "]]>", "<!--", "-->", "<B>", "</TABLE>", "<BR/>", "label=<x>",
    "\\N", "\\G", "\\l", "%s", "{{ x }}", "javascript:alert(1)", "\x00", "\x1b", "\u202e",
    "\u2028", "\ufeff", "\ufffe", "\uffff", "😀", "中文", "ـــ", "\u0301", "x" * 300, "]", "]]",
)  # fmt: skip

hostile = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=20)), min_size=1, max_size=6
).map("".join)

SVG_ELEMENTS = {"svg", "g", "title", "text", "path", "polygon", "polyline", "ellipse", "a"}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(names=st.lists(hostile, min_size=1, max_size=5), purpose=hostile, country=hostile)
def test_hostile_names_give_one_node_per_party_and_no_injected_svg(names, purpose, country):
    parties = {"acme": party("acme", "own", "US", name="Acme")}
    for i, name in enumerate(names):
        parties[f"v{i}"] = party(f"v{i}", "processor", country[:2], name=name, legal_name=name)
    flows = [flow(i + 1, "acme", f"v{i}", purpose=purpose) for i in range(len(names))]
    drawn = diagram.register_diagram(
        register(flows, [], parties), [], AS_OF, link=lambda kind, value: f"/{kind}/{value}/"
    )

    done = subprocess.run(
        ["dot", "-Tjson0"], input=drawn.source.encode(), capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stderr.decode()
    graph = json.loads(done.stdout)
    nodes = [o for o in graph["objects"] if "nodes" not in o]
    assert len(nodes) == len(parties)
    assert len(graph.get("edges", [])) == len(flows)

    svg = diagram.render(drawn.source, "svg")
    root = ET.fromstring(svg)  # well-formed XML
    for element in root.iter():
        assert _local(element.tag) in SVG_ELEMENTS, element.tag
        for attribute, value in element.attrib.items():
            assert not _local(attribute).lower().startswith("on")
            assert "javascript:" not in value.lower() or _local(attribute) not in ("href",)
    page = str(inline_svg(svg))
    assert "<script" not in page.lower() and "<img" not in page.lower()
