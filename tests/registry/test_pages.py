"""The pages a logged-in user browses: content, filters, and a constant number of queries."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from flows.models import Flow
from tests.factories import make_agreement, make_flow, make_own_party, make_party

pytestmark = pytest.mark.django_db

LIST_PAGES = ["party_list", "agreement_list", "flow_list"]


def _grow_register(n: int) -> None:
    own = Party_own()
    for i in range(n):
        vendor = make_party(f"vendor-{n}-{i}", parent=None)
        make_agreement([own, vendor], reference=f"dpa-{n}-{i}")
        make_flow(own, vendor, reference=f"flow-{n}-{i}")


def Party_own():
    from registry.models import Party

    return Party.objects.filter(relationship="own").first() or make_own_party()


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", LIST_PAGES + ["dashboard"])
def test_pages_need_a_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", LIST_PAGES)
def test_list_pages_make_the_same_number_of_queries_for_3_or_30_rows(viewer_client, name):
    _grow_register(3)
    small = _queries(viewer_client, reverse(name))
    _grow_register(27)
    large = _queries(viewer_client, reverse(name))
    assert large == small


def test_detail_pages_make_the_same_number_of_queries_however_many_flows(viewer_client):
    _grow_register(2)
    own = Party_own()
    flow = Flow.objects.first()
    assert flow is not None
    agreement = flow.target.agreements.first()
    assert agreement is not None
    urls = [
        reverse("party_detail", args=[own.slug]),
        reverse("flow_detail", args=[flow.pk]),
        reverse("agreement_detail", args=[agreement.reference]),
        reverse("dashboard"),
    ]
    small = [_queries(viewer_client, u) for u in urls]
    _grow_register(20)
    assert [_queries(viewer_client, u) for u in urls] == small


def test_the_party_list_filters_by_relationship_and_search(viewer_client):
    make_own_party("acme", name="Acme Corp")
    make_party("hoster", name="Hoster Inc")
    make_party("affiliate-eu", name="Acme Europe", relationship="affiliate", country="IE")
    page = viewer_client.get(reverse("party_list"), {"relationship": "affiliate"}).content.decode()
    assert "Acme Europe" in page and "Hoster Inc" not in page
    page = viewer_client.get(reverse("party_list"), {"q": "hoster"}).content.decode()
    assert "Hoster Inc" in page and "Acme Europe" not in page


def test_a_bad_filter_value_is_reported_and_ignored(viewer_client):
    make_party("hoster", name="Hoster Inc")
    response = viewer_client.get(reverse("party_list"), {"relationship": "nonsense"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Select a valid choice" in page
    assert "Hoster Inc" in page


def test_the_list_is_paginated_and_keeps_the_filters_in_the_links(viewer_client):
    own = make_own_party()
    for i in range(55):
        make_party(f"vendor-{i:02d}", name=f"Vendor {i:02d}")
    page = viewer_client.get(reverse("party_list"), {"relationship": "processor"}).content.decode()
    assert "Page 1 of 2" in page
    assert "relationship=processor&amp;page=2" in page
    second = viewer_client.get(reverse("party_list"), {"relationship": "processor", "page": 2})
    assert "Vendor 54" in second.content.decode()
    assert own.name not in second.content.decode()


def test_the_flow_list_filters_by_category_including_its_descendants(viewer_client):
    from tests.factories import category

    own, vendor = make_own_party(), make_party("vendor")
    make_flow(own, vendor, reference="cards", categories=[category("user.financial.credit_card")])
    make_flow(own, vendor, reference="emails", categories=[category("user.contact.email")])
    page = viewer_client.get(reverse("flow_list"), {"category": "user.financial"}).content.decode()
    assert "cards" in page and ">emails<" not in page


def test_the_dashboard_counts_parties_and_agreements_expiring_soon(viewer_client):
    own, vendor = make_own_party(), make_party("vendor")
    make_agreement([own, vendor], reference="soon", expires_on=date.today() + timedelta(days=30))
    make_agreement([own, vendor], reference="later", expires_on=date.today() + timedelta(days=400))
    page = viewer_client.get(reverse("dashboard")).content.decode()
    assert "soon" in page and ">later<" not in page
    assert "agreements expiring within 90 days" in page


def test_a_missing_party_is_a_404(viewer_client):
    assert viewer_client.get(reverse("party_detail", args=["nobody"])).status_code == 404


def test_static_css_is_served_by_the_project(client):
    from django.contrib.staticfiles import finders

    assert finders.find("registry/site.css")
    page = client.get(reverse("login")).content.decode()
    assert "/static/registry/site.css" in page
    assert "cdn" not in page.lower()


def test_the_dashboard_does_not_count_proposed_flows(viewer_client):
    own, vendor = make_own_party(), make_party("vendor")
    make_flow(own, vendor, reference="live")
    proposed = make_flow(own, vendor, reference="proposed")
    Flow.objects.filter(pk=proposed.pk).update(proposed=True)
    summary = viewer_client.get(reverse("dashboard")).context["summary"]
    assert (summary.active_flow_count, summary.flow_count) == (1, 1)
