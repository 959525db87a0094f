"""The register "as of" a day, page by page: what each section holds on the day, its own
pager, the notice when the history starts later, and the same queries whatever the size."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from flows.models import Flow
from registry.models import Party
from tests.factories import make_flow, make_own_party, make_party

pytestmark = pytest.mark.django_db

URL = reverse("register_as_of")
PAGE = 50
"""Rows a section shows at once (registry.web.listing.PAGE_SIZE)."""


def _page(client, **params) -> str:
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


def _flows_section(page: str) -> str:
    return page.split('<h3 id="flows">')[1].split('<h3 id="parties">')[0]


def _backdate(instance, when: datetime) -> None:
    instance.history.update(history_date=when)


def _flows(count: int) -> None:
    own = make_own_party() if not Party.objects.filter(slug="acme").exists() else None
    source = own or Party.objects.get(slug="acme")
    vendor = make_party(f"vendor-{count}-{Flow.objects.count()}")
    for i in range(count):
        make_flow(source, vendor, reference=f"flow-{Flow.objects.count():03d}-{i:03d}")


def test_each_section_has_its_own_pages_that_keep_the_date(viewer_client):
    _flows(PAGE + 3)
    today = date.today().isoformat()
    first = _page(viewer_client, date=today)
    assert "Flows (53)" in first and "Parties (2)" in first
    references = sorted(Flow.objects.values_list("reference", flat=True))
    flows = _flows_section(first)
    assert references[0] in flows and references[PAGE - 1] in flows
    assert references[PAGE] not in flows
    assert "Page 1 of 2" in flows
    assert f'href="?date={today}&amp;flows_page=2#flows"' in flows
    second = _flows_section(_page(viewer_client, date=today, flows_page=2))
    assert references[PAGE] in second and references[-1] in second
    assert references[0] not in second and "Page 2 of 2" in second
    # The parties' section has one page: no pager of its own, whatever page the flows are on.
    assert "Pages of the parties" not in first


def test_a_page_number_past_the_end_or_not_a_number_shows_a_page_not_an_error(viewer_client):
    _flows(PAGE + 1)
    assert "Page 2 of 2" in _flows_section(_page(viewer_client, flows_page=99))
    assert "Page 1 of 2" in _flows_section(_page(viewer_client, flows_page="x'--"))


def test_the_last_version_of_the_day_counts_and_deletions_and_proposals_do_not_show(
    viewer_client,
):
    own, vendor = make_own_party(), make_party("hoster", name="Hoster Inc")
    make_party("hoster", name="Hoster Renamed")  # same day, a later version wins
    make_flow(own, vendor, reference="kept")
    gone = make_flow(own, vendor, reference="gone")
    proposal = make_flow(own, vendor, reference="proposed-one")
    proposal.proposed = True  # as an onboarding leaves it, awaiting approval
    proposal.save()
    for obj in (own, vendor, gone, proposal, Flow.objects.get(reference="kept")):
        _backdate(obj, datetime(2020, 1, 1, tzinfo=UTC))
    gone.delete()
    then = _page(viewer_client, date="2020-06-30")
    assert "Hoster Renamed" in then and "Hoster Inc" not in then
    assert "gone" in _flows_section(then) and "proposed-one" not in then
    now = _flows_section(_page(viewer_client, date=date.today().isoformat()))
    assert "kept" in now and "<code>gone</code>" not in now
    assert "Flows (1)" in _page(viewer_client)


def test_a_day_before_the_history_starts_is_said_so(viewer_client):
    vendor = make_party("hoster", name="Hoster Inc")
    _backdate(vendor, datetime(2020, 3, 1, 12, tzinfo=UTC))
    before = _page(viewer_client, date="2020-02-29")
    assert "The history begins on 2020-03-01, when records were first saved" in before
    assert "No party was recorded yet." in before
    on_the_day = _page(viewer_client, date="2020-03-01")
    assert "The history begins" not in on_the_day and "Hoster Inc" in on_the_day


def test_an_empty_history_says_it_begins_when_records_are_first_saved(viewer_client):
    Party.objects.bulk_create(
        [Party(slug="bulk", name="Bulk Vendor", relationship="processor", country="US")]
    )
    page = _page(viewer_client)
    assert "No record has been saved with its history yet" in page
    assert "Bulk Vendor" not in page


def test_a_bad_date_is_one_clear_message(viewer_client):
    page = _page(viewer_client, date="2020-13-45")
    assert 'role="alert"' in page and "Traceback" not in page


def _queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL, params).status_code == 200
    return len(ctx.captured_queries)


def test_the_page_makes_the_same_queries_at_two_sizes_and_on_any_page(viewer_client):
    _flows(2)
    small = _queries(viewer_client)
    _flows(2 * PAGE + 5)
    assert Flow.objects.count() > 2 * PAGE
    assert _queries(viewer_client) == small
    assert _queries(viewer_client, flows_page=3, parties_page=1) == small
