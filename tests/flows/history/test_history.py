"""History on the party, agreement and flow pages, and the register as it stood on a date."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import category, make_agreement, make_flow, make_own_party, make_party

pytestmark = pytest.mark.django_db


def _backdate(instance, when: datetime) -> None:
    instance.history.update(history_date=when)


def test_the_party_page_shows_who_changed_what_with_old_and_new_values(viewer_client, viewer):
    vendor = make_party("hoster", name="Hoster Inc", country="US")
    make_party("hoster", name="Hoster Inc", country="DE", processing_countries=["DE", "FR"])
    latest = vendor.history.order_by("-history_date").first()
    latest.history_user = viewer
    latest.save()
    page = viewer_client.get(reverse("party_detail", args=["hoster"])).content.decode()
    assert "<h2>History</h2>" in page
    assert "country of establishment</strong>: US → DE" in page
    assert "processing countries</strong>: — → DE, FR" in page
    assert ">viewer<" in page and "created" in page


def test_agreement_and_flow_pages_show_changes_of_their_links(viewer_client):
    own, vendor, other = make_own_party(), make_party("vendor"), make_party("other")
    agreement = make_agreement([own, vendor], reference="dpa-1")
    make_agreement([own, vendor, other], reference="dpa-1")
    flow = make_flow(own, vendor, reference="f-1")
    make_flow(own, vendor, reference="f-1", categories=[category("user.contact.phone_number")],
              lawful_basis="consent")  # fmt: skip
    page = viewer_client.get(reverse("agreement_detail", args=[agreement.reference]))
    assert "Other" in page.content.decode().split("<h2>History</h2>")[1]
    page = viewer_client.get(reverse("flow_detail", args=[flow.pk])).content.decode()
    history = page.split("<h2>History</h2>")[1]
    assert "lawful basis</strong>: contract → consent" in history
    assert "user.contact.phone_number" in history


def test_the_register_as_of_a_past_date_shows_what_it_held_then(viewer_client):
    own = make_own_party()
    vendor = make_party("hoster", name="Hoster Inc", country="US")
    make_flow(own, vendor, reference="old-flow")
    for obj in (own, vendor):
        _backdate(obj, datetime(2020, 1, 1, tzinfo=UTC))
    from flows.models import Flow

    _backdate(Flow.objects.get(reference="old-flow"), datetime(2020, 1, 1, tzinfo=UTC))
    make_party("hoster", name="Hoster Inc", country="DE")
    make_party("newcomer", name="Newcomer Ltd")
    url = reverse("register_as_of")
    then = viewer_client.get(url, {"date": "2021-06-30"}).content.decode()
    assert "Hoster Inc" in then and "Newcomer Ltd" not in then and "old-flow" in then
    assert "established in US" in then
    now = viewer_client.get(url, {"date": date.today().isoformat()}).content.decode()
    assert "Newcomer Ltd" in now and "established in DE" in now
    before = viewer_client.get(url, {"date": "2019-01-01"}).content.decode()
    assert "No party was recorded yet." in before


def test_the_as_of_page_makes_the_same_number_of_queries_for_more_records(viewer_client):
    own = make_own_party()

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert viewer_client.get(reverse("register_as_of")).status_code == 200
        return len(ctx.captured_queries)

    make_flow(own, make_party("v0"))
    small = queries()
    for i in range(1, 12):
        make_flow(own, make_party(f"v{i}"))
    assert queries() == small


def test_a_party_written_in_bulk_without_history_still_has_a_page(viewer_client):
    """Regression: the history section failed on parties that have no history rows."""
    from django.urls import reverse

    from registry.models import Party

    Party.objects.bulk_create(
        [Party(slug="bulk-vendor", name="Bulk Vendor", relationship="processor", country="US")]
    )
    response = viewer_client.get(reverse("party_detail", args=["bulk-vendor"]))
    assert response.status_code == 200
    assert "Bulk Vendor" in response.content.decode()
