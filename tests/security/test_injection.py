"""Hostile names in every free-text field, then every page that shows them: markup is
escaped everywhere, and exports neutralise spreadsheet formulae with a leading apostrophe."""

from __future__ import annotations

import csv
import io
from xml.etree import ElementTree

import openpyxl
import pytest
from django.test import Client

from tests.security.conftest import FORMULA, MARKUP, TEMPLATE, World

pytestmark = pytest.mark.django_db


def _pages(world: World) -> list[str]:
    return [
        "/",
        "/parties/",
        f"/parties/{world.party}/",
        "/agreements/",
        f"/agreements/{world.agreement}/",
        "/flows/",
        f"/flows/{world.flow}/",
        "/findings/",
        f"/findings/{world.rule}/{world.finding_flow}/",
        "/reviews/",
        f"/reviews/{world.rule}/{world.finding_flow}/",
        "/where/?category=user.contact.email",
        "/diagram/",
        f"/diagram/?scope=party&party={world.party}",
        "/register/as-of/",
    ]


@pytest.fixture
def admin_client(personas) -> Client:
    client = Client()
    client.force_login(personas["admin"])
    return client


def _assert_escaped(text: str, where: str) -> None:
    for markup in MARKUP:
        assert markup not in text, f"{where} shows {markup!r} unescaped"


def test_every_page_escapes_hostile_names(world, admin_client):
    shown = 0
    for url in _pages(world):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        _assert_escaped(text, url)
        shown += "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    # The names were on the pages (escaped), so the test looked at something.
    assert shown >= 8


def test_a_template_in_a_name_is_shown_as_text_not_run(world, admin_client):
    text = admin_client.get(f"/parties/{world.party}/").content.decode()
    assert TEMPLATE in text


def test_the_diagram_file_escapes_hostile_names(world, admin_client):
    response = admin_client.get("/diagram/download.svg")
    assert response.status_code == 200
    svg = response.content.decode()
    _assert_escaped(svg, "the SVG download")
    assert "&lt;script&gt;" in svg
    assert "script-src" not in response["Content-Security-Policy"]


@pytest.mark.parametrize("kind", ["controller", "processor"])
def test_the_csv_register_escapes_formulae(world, admin_client, kind):
    response = admin_client.get(f"/registers/?kind={kind}&format=csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()  # the register is streamed
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "@")]
    if kind == "controller":
        assert any(c.startswith("'" + FORMULA) for c in cells)


@pytest.mark.parametrize("kind", ["controller", "processor", "pack"])
def test_the_xlsx_register_escapes_formulae(world, admin_client, kind):
    response = admin_client.get(f"/registers/?kind={kind}&format=xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = [str(c.value) for c in cells if c.value is not None]
    assert not [v for v in values if v[:1] in ("=", "+", "@")]
    assert any(v.startswith("'" + FORMULA) for v in values)


def test_the_public_list_escapes_hostile_names(world):
    response = Client().get("/subprocessors/")
    assert response.status_code == 200
    text = response.content.decode()
    _assert_escaped(text, "the public list")
    assert "&lt;script&gt;" in text


def test_the_feed_escapes_hostile_names_for_the_reader_too(world):
    response = Client().get("/subprocessors/feed/")
    assert response.status_code == 200
    _assert_escaped(response.content.decode(), "the feed")
    # A reader unescapes the XML, then renders an RSS description or an Atom text of
    # type html as HTML: what it would render must hold no markup of ours.
    elements = list(ElementTree.fromstring(response.content).iter())
    local = [(e.tag.rsplit("}", 1)[-1], e) for e in elements]
    assert [e for tag, e in local if tag in ("item", "entry")], "the feed lists the vendors"
    rendered = [
        e.text or ""
        for tag, e in local
        if tag in ("description", "summary", "content", "title")
        and e.get("type", "html" if tag == "description" else "text") != "text"
    ]
    for text in rendered:
        _assert_escaped(text, "a feed entry read as HTML")
