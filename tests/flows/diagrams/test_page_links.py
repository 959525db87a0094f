"""The diagram page leads with what is wrong: its toggles, what it leaves out, its links, and
the downloads (names in tooltips, one A4 page of PDF, the PNG the review pack embeds)."""

from __future__ import annotations

import html
import re
import shutil
from datetime import date

import pytest
from django.urls import reverse

from flows.diagrams import views as diagram_views
from tests.factories import make_agreement, make_flow, make_own_party, make_party

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed"),
]


@pytest.fixture
def small(db):
    """Acme sends emails to Tidy Hosting under a DPA (compliant) and to Sloppy Mail with no
    agreement (a finding); Idle Storage has no flow at all."""
    own = make_own_party(name="Acme Voice")
    tidy = make_party("tidy", name="Tidy Hosting")
    sloppy = make_party("sloppy", name="Sloppy Mail")
    make_party("idle", name="Idle Storage")
    make_agreement([own, tidy], kind="dpa")
    return {"tidy": make_flow(own, tidy), "sloppy": make_flow(own, sloppy)}


def svg_of(page) -> str:
    text = page.content.decode()
    return text[text.index("<svg") : text.index("</svg>")]


def text_of(page) -> str:
    """The page's words outside the diagram, as a reader sees them."""
    body = page.content.decode()
    body = body[: body.index("<svg")] + body[body.index("</svg>") :]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def test_the_page_leaves_out_idle_parties_says_how_many_and_shows_them_on_request(
    viewer_client, small
):
    page = viewer_client.get(reverse("register_diagram"))
    assert "Idle Storage" not in svg_of(page) and "Tidy Hosting" in svg_of(page)
    assert "1 party with no flow on this date left out." in text_of(page)
    every = viewer_client.get(reverse("register_diagram"), {"all_parties": "1"})
    assert "Idle Storage" in svg_of(every) and "left out" not in text_of(every)
    assert "Leave out parties with no flow on this date" in text_of(every)


def test_the_toggle_hides_compliant_flows_and_links_back(viewer_client, small):
    page = viewer_client.get(reverse("register_diagram"))
    hide = re.search(
        r'href="([^"]*compliant=hide[^"]*)">Hide compliant flows<', page.content.decode()
    )
    assert hide is not None
    hidden = viewer_client.get(html.unescape(hide[1]))
    assert "Tidy Hosting" not in svg_of(hidden) and "Sloppy Mail" in svg_of(hidden)
    assert "1 compliant flow hidden, and 1 party with only those." in text_of(hidden)
    assert "Show compliant flows too" in text_of(hidden)
    assert "No agreement" in svg_of(hidden)


def test_every_node_and_edge_links_to_a_page_the_viewer_may_open(viewer_client, small):
    today = date.today().isoformat()
    svg = svg_of(viewer_client.get(reverse("register_diagram")))
    links = set(html.unescape(u) for u in re.findall(r'xlink:href="([^"]*)"', svg))
    finding = reverse("finding_detail", args=["NO_AGREEMENT", small["sloppy"].pk])
    expected = {
        reverse("party_detail", args=["acme"]),
        reverse("party_detail", args=["tidy"]),
        reverse("party_detail", args=["sloppy"]),
        reverse("flow_detail", args=[small["tidy"].pk]),
        f"{finding}?as_of={today}",
    }
    assert expected <= links
    for url in links:
        assert viewer_client.get(url).status_code == 200, url


def test_the_downloaded_svg_names_parties_and_categories_in_its_tooltips(viewer_client, small):
    svg = viewer_client.get(reverse("diagram_download", args=["svg"])).content.decode()
    titles = [html.unescape(t) for t in re.findall(r"<title>([^<]*)</title>", svg)]
    assert not [t for t in titles if re.search(r"\b[pg]\d+\b", t)], titles
    assert any(t.startswith("Acme Voice → Sloppy Mail: ") and "What is wrong: No agreement" in t
               for t in titles)  # fmt: skip
    assert "Acme Voice (Own company · US)" in titles
    assert "xlink:href" not in svg  # a file on its own has no site to link to


def test_the_pdf_download_is_one_a4_landscape_page(viewer_client, small):
    page = viewer_client.get(reverse("register_diagram")).content.decode()
    assert ">PDF (A4)</a>" in page
    pdf = viewer_client.get(reverse("diagram_download", args=["pdf"])).content
    [box] = re.findall(rb"/MediaBox \[\s*([\d.\s]+)\]", pdf)
    width, height = (float(v) for v in box.split()[2:])
    assert abs(width - 841.89) < 2 and abs(height - 595.28) < 2
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1


def test_register_png_is_the_whole_register_as_a_png(small):
    png = diagram_views.register_png(date.today())
    assert png.startswith(b"\x89PNG") and len(png) > 5000
