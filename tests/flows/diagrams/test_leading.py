"""Diagrams that lead with what is wrong: problems in words on their edges, flagged edges
first, compliant ones hidden on request, idle parties left out and counted, names (never
node ids) in tooltips, links to the pages, one A4 page of PDF."""

from __future__ import annotations

import html
import re
import shutil
from dataclasses import replace
from datetime import date

import pytest

from flows.diagrams import drawing as diagram
from flows.engine.records import CategoryRecord, Finding, PurposeRecord, Register
from tests.flows.engine.record_builders import (
    EMAIL,
    PHONE,
    SERVICE,
    agreement,
    base_parties,
    d,
    findings,
    flow,
    party,
    register,
    with_party,
)

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")

BREACH = date(2015, 10, 6)


def named(reg: Register) -> Register:
    """The test register with names on its categories and purposes, as the taxonomy has."""
    names = {EMAIL: "Email address", PHONE: "Telephone number"}
    categories = {k: replace(c, name=names.get(k, "")) for k, c in reg.categories.items()}
    purposes: dict[str, PurposeRecord] = {
        k: replace(p, name="Provide the service" if k == SERVICE else "")
        for k, p in reg.purposes.items()
    }
    categories.setdefault(EMAIL, CategoryRecord(EMAIL, name="Email address"))
    return replace(reg, categories=categories, purposes=purposes)


def safe_harbor_register() -> Register:
    """Acme GmbH (DE) sends customer emails to Acme Voice (US) under Safe Harbor; Acme Ltd
    (GB) sends phone numbers to Acme AG (CH), which is adequate: compliant."""
    parties = with_party(base_parties(), party("idle-co", "processor", "FR", name="Idle SARL"))
    flows = [
        flow(1, "acme-de", "acme", role="controller", transfer_mechanism="safe_harbor",
             started_on=d("2010-01-01")),
        flow(2, "acme-uk", "acme-ch", categories=(PHONE,), role="controller",
             started_on=d("2010-01-01")),
    ]  # fmt: skip
    group = agreement("igta", "intra_group", "acme", "acme-de", "acme-uk", "acme-ch",
                      signed_on=d("2009-01-01"))  # fmt: skip
    return named(register(flows, [group], parties))


def edge_of(source: str, tail_name: str, head_name: str) -> str:
    ids = {}
    for name in (tail_name, head_name):
        [ids[name]] = [m[1] for m in re.finditer(r"^\s*(p\d+) \[.*$", source, re.M) if name in m[0]]
    [line] = [
        ln
        for ln in source.splitlines()
        if re.match(rf"\s*{ids[tail_name]} -> {ids[head_name]} ", ln)
    ]
    return line


def test_the_safe_harbor_edge_says_in_words_since_when_it_is_invalid():
    reg = safe_harbor_register()
    before = diagram.register_diagram(reg, findings(reg, d("2015-10-05")), d("2015-10-05"))
    after = diagram.register_diagram(reg, findings(reg, BREACH), BREACH)
    assert "Safe Harbor" not in before.source.split("label=<", 2)[-1]
    line = edge_of(after.source, "Acme GmbH", "Acme Voice")
    assert "⚠ Safe Harbor - invalid since 2015-10-06" in line
    assert f'color="{diagram.SEVERITY_COLOURS["critical"]}"' in line
    assert "INVALID_TRANSFER_MECHANISM" not in after.source  # words, not rule identifiers
    assert after.flagged_edges == 1 and before.flagged_edges == 0


def test_a_tool_used_before_it_existed_says_so():
    reg = safe_harbor_register()
    reg = replace(reg, flows=(replace(reg.flows[0], transfer_mechanism="dpf"), *reg.flows[1:]))
    day = d("2020-01-01")
    source = diagram.register_diagram(reg, findings(reg, day), day).source
    assert "Data Privacy Framework - not valid before 2023-07-10" in source


def test_flagged_edges_come_first_and_compliant_edges_after_them():
    reg = safe_harbor_register()
    source = diagram.register_diagram(reg, findings(reg, BREACH), BREACH).source
    edges = [ln for ln in source.splitlines() if " -> " in ln]
    assert "⚠" in edges[0] and "⚠" not in edges[-1]
    assert "weight=4" in edges[0] and "penwidth=0.8" in edges[-1]


def test_hiding_compliant_flows_leaves_the_problems_and_says_what_was_hidden():
    reg = safe_harbor_register()
    found = findings(reg, BREACH)
    drawn = diagram.register_diagram(reg, found, BREACH, compliant=False)
    assert "Acme Ltd" not in drawn.source and "Acme AG" not in drawn.source
    assert "Acme GmbH" in drawn.source and "Safe Harbor - invalid since" in drawn.source
    assert drawn.omitted.hidden_flows == 1 and drawn.omitted.hidden_parties == 2
    assert "1 compliant flow hidden, and 2 parties with only those." in drawn.source


def test_parties_with_no_flow_on_the_date_are_left_out_unless_asked_for_and_counted():
    reg = safe_harbor_register()
    found = findings(reg, BREACH)
    drawn = diagram.register_diagram(reg, found, BREACH)
    idle = {"Idle SARL", "CloudCo Hosting", "BackupCo", "Partner Inc"}
    assert not any(name in drawn.source for name in idle)
    assert drawn.omitted.idle == 4 and drawn.parties == 4
    assert "4 parties with no flow on this date left out." in drawn.source
    every = diagram.register_diagram(reg, found, BREACH, all_parties=True)
    assert all(name in every.source for name in idle) and every.omitted.idle == 0
    assert "no flow on this date" in every.source and every.parties == 8


def test_the_own_company_stays_even_on_a_day_before_any_flow():
    reg = safe_harbor_register()
    drawn = diagram.register_diagram(reg, [], d("2005-01-01"))
    assert "Acme Voice" in drawn.source and drawn.parties == 1 and drawn.omitted.idle == 7


def test_edges_link_to_the_worst_finding_or_the_flow_and_nodes_to_the_party():
    reg = safe_harbor_register()
    drawn = diagram.register_diagram(
        reg, findings(reg, BREACH), BREACH, link=lambda kind, value: f"/{kind}/{value}/"
    )
    flagged = edge_of(drawn.source, "Acme GmbH", "Acme Voice")
    assert 'URL="/finding/INVALID_TRANSFER_MECHANISM/1/"' in flagged
    assert 'URL="/flow/2/"' in edge_of(drawn.source, "Acme Ltd", "Acme AG")
    assert 'URL="/party/acme-de/"' in drawn.source and 'URL="/party/acme/"' in drawn.source


def test_a_pair_level_finding_links_its_edge_to_the_flow():
    reg = safe_harbor_register()
    pair = Finding("NDA_ONLY", "high", "m", "c", "r", source="acme-uk", target="acme-ch")
    drawn = diagram.register_diagram(reg, [pair], BREACH, link=lambda k, v: f"/{k}/{v}/")
    line = edge_of(drawn.source, "Acme Ltd", "Acme AG")
    assert 'URL="/flow/2/"' in line and "⚠ Only an NDA" in line


@needs_dot
def test_tooltips_name_the_parties_and_categories_never_node_ids():
    reg = safe_harbor_register()
    drawn = diagram.register_diagram(reg, findings(reg, BREACH), BREACH)
    svg = html.unescape(diagram.render(drawn.source, "svg").decode())
    titles = re.findall(r"<title>([^<]*)</title>", svg)
    assert not [t for t in titles if re.search(r"\b[pg]\d+\b", t)], titles
    assert (
        "Acme GmbH → Acme Voice: Provide the service (Email address). What is wrong: "
        "Safe Harbor - invalid since 2015-10-06" in titles
    )
    assert "Acme Ltd → Acme AG: Provide the service (Telephone number)" in titles
    assert "Acme GmbH (Affiliate · DE)" in titles
    assert 'xlink:title="Acme GmbH → Acme Voice' in svg


@needs_dot
def test_the_pdf_is_one_a4_landscape_page():
    reg = safe_harbor_register()
    for drawn in (
        diagram.register_diagram(reg, findings(reg, BREACH), BREACH),
        diagram.register_diagram(reg, findings(reg, BREACH), BREACH, all_parties=True),
    ):
        pdf = diagram.render(drawn.source, "pdf")
        assert pdf.startswith(b"%PDF")
        boxes = re.findall(rb"/MediaBox \[\s*([\d.\s]+)\]", pdf)
        assert len(boxes) == 1 and len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
        x0, y0, width, height = (float(v) for v in boxes[0].split())
        # A4 is 841.89 x 595.28 points; dot rounds to whole points.
        assert (x0, y0) == (0, 0) and abs(width - 841.89) < 2 and abs(height - 595.28) < 2


def test_a_part_of_the_register_leaves_out_its_idle_parties_too():
    reg = safe_harbor_register()
    drawn = diagram.register_diagram(reg, findings(reg, BREACH), BREACH, country="FR")
    assert "Idle SARL" not in drawn.source and drawn.omitted.idle == 1
    every = diagram.register_diagram(
        reg, findings(reg, BREACH), BREACH, country="FR", all_parties=True
    )
    assert "Idle SARL" in every.source and "no flow on this date" in every.source


def test_a_party_whose_flows_are_hidden_as_compliant_is_not_called_idle():
    reg = safe_harbor_register()
    drawn = diagram.register_diagram(
        reg, findings(reg, BREACH), BREACH, compliant=False, all_parties=True
    )
    acme_ltd = next(ln for ln in drawn.source.splitlines() if "<B>Acme Ltd</B>" in ln)
    assert "no flow on this date" not in acme_ltd
    idle = next(ln for ln in drawn.source.splitlines() if "<B>Idle SARL</B>" in ln)
    assert "no flow on this date" in idle
