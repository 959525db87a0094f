"""The party picker's search, and the edit pages' queries, which stay the same however
large the register grows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_agreement, make_flow, make_party

pytestmark = pytest.mark.django_db


def test_the_search_puts_names_that_start_with_the_words_first(viewer_client, voipx, acme):
    make_party("zz-acme-reseller", name="Reseller of Acme")
    make_party("acmeish", name="Other", legal_name="Acme Holdings Ltd")
    answer = viewer_client.get("/parties/search/", {"q": "acme"}).json()
    assert [r["name"] for r in answer["results"]] == ["Acme Support", "Reseller of Acme", "Other"]
    assert answer["results"][0] == {
        "slug": "acme",
        "name": "Acme Support",
        "country": "IN",
        "relationship": "Processor (vendor)",
    }
    assert answer["more"] is False


def test_the_search_answers_twenty_at_a_time(viewer_client):
    for number in range(45):
        make_party(f"vendor-{number:02d}", name=f"Vendor {number:02d}")
    first = viewer_client.get("/parties/search/", {"q": "vendor"}).json()
    third = viewer_client.get("/parties/search/", {"q": "vendor", "page": "3"}).json()
    assert len(first["results"]) == 20 and first["more"] is True
    assert [r["name"] for r in third["results"]] == [f"Vendor {n}" for n in range(40, 45)]
    assert third["more"] is False
    assert viewer_client.get("/parties/search/", {"page": "x"}).status_code == 200


def test_the_search_is_for_users_with_a_role(client, outsider):
    client.force_login(outsider)
    assert client.get("/parties/search/", {"q": "a"}).status_code == 403


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _grow(voipx, size: int) -> None:
    for number in range(size):
        vendor = make_party(f"grown-{size}-{number}", name=f"Grown {number}")
        make_agreement([voipx, vendor])
        make_flow(voipx, vendor)


def test_the_edit_pages_make_the_same_queries_at_two_sizes(editor_client, voipx, acme):
    flow = make_flow(voipx, acme)
    agreement = make_agreement([voipx, acme], reference="dpa-acme")
    urls = [
        "/parties/new/",
        "/parties/acme/edit/",
        "/parties/acme/offboard/",
        "/agreements/new/",
        f"/agreements/{agreement.reference}/edit/",
        "/flows/new/",
        f"/flows/{flow.pk}/edit/",
        f"/flows/{flow.pk}/end/",
        "/parties/search/?q=grown",
    ]
    for url in urls:
        _queries(editor_client, url)  # warm: the day's findings, the session
    small = {url: _queries(editor_client, url) for url in urls}
    _grow(voipx, 12)
    large = {url: _queries(editor_client, url) for url in urls}
    assert large == small


def test_a_check_makes_the_same_queries_at_two_sizes(editor_client, voipx, acme):
    data = {
        "source": "voipx",
        "target": "acme",
        "categories": ["user.contact.email"],
        "purpose": "essential.service",
        "role": "processor",
        "started_on": "2024-01-01",
    }

    def check() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert editor_client.post("/flows/new/", data).status_code == 200
        return len(captured)

    # The scope walks make one query a step, as deep as the graph goes: both sizes have the
    # same depth (a fan-out of vendors), so only the number of flows differs between them.
    _grow(voipx, 2)
    check()
    small = check()
    _grow(voipx, 12)
    check()
    assert check() == small
