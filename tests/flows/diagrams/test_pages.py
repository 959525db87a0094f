"""Diagrams on the pages: inline SVG, downloads, who may see them, and the export command."""

from __future__ import annotations

import html as html_module
import shutil
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from flows.diagrams import views as diagram_views
from flows.findings import forget_cached_findings
from tests.factories import make_flow, make_own_party, make_party

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed"),
]


@pytest.fixture
def demo(db):
    call_command("seed_demo", today=date.today())


def test_the_where_page_shows_the_category_diagram_inline(viewer_client, demo):
    page = viewer_client.get(reverse("where_data_goes"), {"category": "user.contact"})
    html = page.content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "<?xml" not in html and "Callbridge Support" in svg and "VoxTranscribe" in svg
    assert "Where Contact Data goes" in svg
    assert "Safe Harbor - invalid since 2015-10-06" in html_module.unescape(svg)
    assert "download.svg?scope=category&amp;as_of=" in html and "category=user.contact" in html


def test_the_party_page_shows_the_party_diagram_inline(viewer_client, demo):
    html = viewer_client.get(reverse("party_detail", args=["callbridge-support"])).content
    html = html.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "Data to and from Callbridge Support" in svg
    assert "VoIPX Schweiz" in svg and "VoxTranscribe" in svg  # a sender, a recipient
    assert "Nimbus Hosting" not in svg


def test_the_register_diagram_page_holds_every_party(viewer_client, demo):
    html = viewer_client.get(reverse("register_diagram")).content.decode()
    for name in ("VoIPX International", "Printmail Services", "Confera Events", "AdReach"):
        assert name in html
    assert "EEA" in html and "Other third countries" in html
    assert "Hide compliant flows" in html and "Show every party" in html


@pytest.mark.parametrize(
    ("fmt", "content_type", "magic"),
    [
        ("svg", "image/svg+xml", b"<?xml"),
        ("png", "image/png", b"\x89PNG"),
        ("pdf", "application/pdf", b"%PDF"),
        ("dot", "text/vnd.graphviz; charset=utf-8", b"digraph"),
    ],
)
def test_downloads_have_their_content_type_and_a_file_name(
    viewer_client, demo, fmt, content_type, magic
):
    url = reverse("diagram_download", args=[fmt])
    response = viewer_client.get(url, {"scope": "party", "party": "voipx", "as_of": "2016-01-01"})
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="dataflows-voipx-2016-01-01.{fmt}"'
    )
    assert response.content.startswith(magic)


def test_unknown_category_party_or_format_is_a_404(viewer_client, demo):
    url = reverse("diagram_download", args=["svg"])
    assert viewer_client.get(url, {"scope": "category", "category": "nope"}).status_code == 404
    assert viewer_client.get(url, {"scope": "party", "party": "nope"}).status_code == 404
    assert viewer_client.get(url, {"scope": "galaxy"}).status_code == 404
    assert viewer_client.get(reverse("diagram_download", args=["gif"])).status_code == 404


def test_the_as_of_date_moves_the_diagram_back_in_time(viewer_client, demo):
    url = reverse("diagram_download", args=["dot"])
    before = viewer_client.get(url, {"as_of": "2015-10-05"}).content.decode()
    after = viewer_client.get(url, {"as_of": "2015-10-06"}).content.decode()
    assert "as of 2015-10-05" in before
    # Safe Harbor fell on 2015-10-06: the Irish flow turns red, and says so in words.
    words = "Safe Harbor - invalid since 2015-10-06"
    assert words not in before and after.count(f"⚠ {words}") == 1
    assert "VoIPX Europe → VoIPX International: " in after


def test_an_outsider_may_not_see_diagrams(client, outsider, demo):
    client.force_login(outsider)
    assert client.get(reverse("register_diagram")).status_code == 403
    assert client.get(reverse("diagram_download", args=["svg"])).status_code == 403


def test_a_visitor_is_sent_to_the_login_page(client, demo):
    response = client.get(reverse("diagram_download", args=["png"]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_hostile_party_name_is_text_in_the_page(viewer_client):
    own = make_own_party()
    evil = make_party("evil", name='<script>alert("x")</script><img src=x onerror=alert(1)>')
    make_flow(own, evil)
    html = viewer_client.get(reverse("register_diagram")).content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert (
        "<script" not in svg
        and "<img" not in svg
        and "onerror=" not in svg.replace("onerror=alert", "")
    )
    assert "&lt;script&gt;" in svg


def test_inline_svg_strips_scripts_and_handlers_whatever_dot_returns():
    raw = (
        b'<?xml version="1.0"?><!DOCTYPE svg><svg onload="x()"><script>x()</script>'
        b"<a xlink:href=\"javascript:x()\"><text onclick='y'>t</text></a></svg>"
    )
    clean = str(diagram_views.inline_svg(raw))
    assert clean.startswith("<svg") and "script" not in clean and "onload" not in clean
    assert "onclick" not in clean and "javascript:" not in clean and ">t</text>" in clean


def test_a_large_register_collapses_and_offers_the_detailed_view(viewer_client):
    own = make_own_party()
    for i in range(diagram_views.diagram.NODE_LIMIT + 5):
        make_flow(own, make_party(f"vendor-{i}", country="FR" if i % 2 else "IN"))
    html = viewer_client.get(reverse("register_diagram")).content.decode()
    assert "collapsed into one node per country" in html
    assert "?as_of=" in html and "country=FR" in html
    part = viewer_client.get(reverse("register_diagram"), {"country": "IN"}).content.decode()
    assert "Vendor 0" in part and "Vendor 1<" not in part


def _grow(n: int) -> None:
    from registry.models import Party

    own = Party.objects.filter(relationship="own").first() or make_own_party()
    for i in range(n):
        make_flow(own, make_party(f"q-{n}-{i}"))


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("register_diagram", {}),
        ("register_diagram", {"compliant": "hide", "all_parties": "1"}),
        ("where_data_goes", {"category": "user.contact"}),
    ],
)
def test_diagram_pages_make_the_same_number_of_queries_for_3_or_30_flows(
    viewer_client, name, params
):
    def queries() -> int:
        forget_cached_findings()
        diagram_views.renders.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert viewer_client.get(reverse(name), params).status_code == 200
        return len(ctx.captured_queries)

    _grow(3)
    small = queries()
    _grow(27)
    assert queries() == small


def test_export_diagram_writes_each_format(demo, tmp_path, capsys):
    for fmt, magic in (("svg", b"<?xml"), ("png", b"\x89PNG"), ("pdf", b"%PDF")):
        target = tmp_path / f"out.{fmt}"
        call_command("export_diagram", "--category", "user.financial", "-o", str(target))
        assert target.read_bytes().startswith(magic)
    target = tmp_path / "party.txt"
    call_command(
        "export_diagram", "--party", "voipx-ireland", "--depth", "1", "--as-of", "2015-10-06",
        "--format", "dot", "-o", str(target),
    )  # fmt: skip
    assert "as of 2015-10-06" in target.read_text()
    assert "Wrote" in capsys.readouterr().out


def test_export_diagram_hides_compliant_flows_and_shows_idle_parties_when_asked(demo, tmp_path):
    def drawn(*flags: str) -> str:
        target = tmp_path / "register.dot"
        call_command("export_diagram", "--as-of", "2015-10-06", *flags, "-o", str(target))
        return target.read_text()

    default = drawn()
    assert "parties with no flow on this date left out" in default
    hidden = drawn("--hide-compliant")
    assert "compliant flows hidden" in hidden
    assert "Safe Harbor - invalid since 2015-10-06" in hidden
    assert hidden.count("->") < default.count("->")  # the compliant flows are not drawn
    everyone = drawn("--all-parties")
    assert "left out" not in everyone
    idle = everyone.count("no flow on this date")  # a mark on each idle party
    assert idle > 1 and idle > default.count("no flow on this date")


def test_export_diagram_explains_bad_input(demo, tmp_path, monkeypatch):
    out = str(tmp_path / "x.svg")
    with pytest.raises(CommandError, match="Did you mean 'user.contact'"):
        call_command("export_diagram", "--category", "user.contct", "-o", out)
    with pytest.raises(CommandError, match="Did you mean 'voipx-ireland'"):
        call_command("export_diagram", "--party", "voipx-irland", "-o", out)
    with pytest.raises(CommandError, match="not a date"):
        call_command("export_diagram", "--as-of", "2015-13-01", "-o", out)
    monkeypatch.setattr("flows.diagrams.drawing.shutil.which", lambda name: None)
    with pytest.raises(CommandError, match="Debian package 'graphviz'"):
        call_command("export_diagram", "-o", out)
