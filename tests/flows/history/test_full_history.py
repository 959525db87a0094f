"""The full history of a party, agreement or flow: every version page by page, linked from
its page, in the same number of queries however long the history is; the section on the
object's own page keeps to its latest versions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from flows.history.changes import HISTORY_LENGTH, history_of
from tests.factories import make_agreement, make_flow, make_own_party, make_party

pytestmark = pytest.mark.django_db

PAGE = 50


def _renamed(times: int):
    party = make_party("hoster", name="Name 000")
    for i in range(1, times):
        party = make_party("hoster", name=f"Name {i:03d}")
    return party


def test_the_full_history_shows_every_version_page_by_page(viewer_client):
    _renamed(PAGE + 5)
    url = reverse("party_history", args=["hoster"])
    first = viewer_client.get(url).content.decode()
    assert "Full history of Name 054" in first and "55 versions" in first
    assert "name</strong>: Name 053 → Name 054" in first
    # The last entry of a page is still compared with the version before it, on the next page.
    assert "name</strong>: Name 004 → Name 005" in first
    assert "Name 003 → Name 004" not in first and 'page=2" rel="next"' in first
    second = viewer_client.get(url, {"page": 2}).content.decode()
    assert "name</strong>: Name 003 → Name 004" in second and "Page 2 of 2" in second
    assert "<td>created</td>" in second


def test_the_sections_on_object_pages_keep_their_limit_and_link_the_full_history(viewer_client):
    _renamed(HISTORY_LENGTH + 5)
    page = viewer_client.get(reverse("party_detail", args=["hoster"])).content.decode()
    section = page.split("<h2>History</h2>")[1]
    assert section.count("<tr><td>") == HISTORY_LENGTH
    assert f'href="{reverse("party_history", args=["hoster"])}"' in section


def test_agreement_and_flow_pages_link_their_full_history(viewer_client):
    own, vendor = make_own_party(), make_party("vendor", name="Vendor")
    make_agreement([own, vendor], reference="dpa-1")
    flow = make_flow(own, vendor, reference="f-1")
    agreement_page = viewer_client.get(reverse("agreement_detail", args=["dpa-1"]))
    assert reverse("agreement_history", args=["dpa-1"]) in agreement_page.content.decode()
    flow_page = viewer_client.get(reverse("flow_detail", args=[flow.pk])).content.decode()
    assert reverse("flow_history", args=[flow.pk]) in flow_page
    history = viewer_client.get(reverse("flow_history", args=[flow.pk])).content.decode()
    assert "Full history of the flow f-1" in history and "<td>created</td>" in history


def test_an_unknown_object_has_no_history_page(viewer_client):
    assert viewer_client.get(reverse("party_history", args=["nobody"])).status_code == 404
    assert viewer_client.get(reverse("flow_history", args=[999999])).status_code == 404


def test_the_full_history_is_for_viewers(client, outsider):
    make_party("hoster")
    client.force_login(outsider)
    assert client.get(reverse("party_history", args=["hoster"])).status_code == 403


def _agreement_with_versions(count: int) -> None:
    own = make_own_party()
    others = [make_party(f"p-{i}", name=f"P {i}") for i in range(count + 1)]
    for i in range(count):
        make_agreement([own, others[i], others[i + 1]], reference="dpa-1", title=f"v{i}")


def _queries(client, url: str, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def test_the_full_history_makes_the_same_queries_at_two_sizes(viewer_client):
    url = reverse("agreement_history", args=["dpa-1"])
    _agreement_with_versions(2)
    small = _queries(viewer_client, url)
    page = viewer_client.get(url).content.decode()
    assert "parties</strong>: Acme, P 0, P 1 → Acme, P 1, P 2" in page
    for i in range(2, PAGE + 10):
        make_agreement([make_own_party(), make_party(f"q-{i}", name=f"Q {i}")], reference="dpa-1")
    assert _queries(viewer_client, url) == small
    assert _queries(viewer_client, url, page=2) == small


def test_the_section_reads_the_history_in_the_same_queries_at_two_sizes(
    django_assert_num_queries,
):
    _agreement_with_versions(2)
    from registry.models import Agreement

    agreement = Agreement.objects.get(reference="dpa-1")
    with CaptureQueriesContext(connection) as small:
        history_of(agreement)
    for i in range(HISTORY_LENGTH + 5):
        make_agreement([make_own_party(), make_party(f"q-{i}")], reference="dpa-1")
    with django_assert_num_queries(len(small.captured_queries)):
        entries = history_of(agreement)
    assert len(entries) == HISTORY_LENGTH
