"""The pages legal counsel reads: findings by severity, a finding with its facts."""

import re
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from flows.findings import forget_cached_findings
from flows.models import Flow
from tests.factories import make_flow, make_own_party, make_party

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("seed_demo", today=date.today())


def test_the_dashboard_shows_the_safe_harbor_breach_at_a_glance(viewer_client, demo):
    page = viewer_client.get(reverse("dashboard")).content.decode()
    assert "Safe Harbor was invalidated on 2015-10-06" in page
    assert "critical" in page


def test_findings_are_grouped_by_severity_worst_first(viewer_client, demo):
    page = viewer_client.get(reverse("finding_list")).content.decode()
    table = page[page.index("<table") :]
    assert table.index('<code class="key">SALE_OR_SHARE_WITHOUT_CONSENT</code>') < table.index(
        '<code class="key">MISSING_TIA</code>'
    )
    assert table.index('<code class="key">MISSING_TIA</code>') < table.index(
        '<code class="key">AGREEMENT_EXPIRING</code>'
    )


def test_findings_filter_by_rule_party_category_and_severity(viewer_client, demo):
    url = reverse("finding_list")
    page = viewer_client.get(url, {"rule": "MISSING_TIA"}).content.decode()
    assert "Mailspring" in page and "SCC_MODULE_MISMATCH</code>" not in page
    page = viewer_client.get(url, {"party": "voipx-switzerland"}).content.decode()
    assert "Privacy Shield" in page and "Mailspring" not in page
    page = viewer_client.get(url, {"category": "user.biometric"}).content.decode()
    assert "SPECIAL_CATEGORY_NO_ART9_CONDITION" in page and "NDA_ONLY</code>" not in page
    page = viewer_client.get(url, {"severity": "info"}).content.decode()
    assert "AGREEMENT_EXPIRING" in page and "NO_AGREEMENT</code>" not in page


def test_the_as_of_date_moves_the_findings_back_in_time(viewer_client, demo):
    page = viewer_client.get(reverse("finding_list"), {"as_of": "2015-10-05"}).content.decode()
    assert "Findings as of 2015-10-05" in page
    assert "Safe Harbor was invalidated" not in page


def test_a_bad_date_is_reported_and_today_is_used(viewer_client, demo):
    response = viewer_client.get(reverse("finding_list"), {"as_of": "yesterday"})
    assert response.status_code == 200
    assert "Enter a valid date" in response.content.decode()


def test_a_finding_page_shows_its_facts_and_citation(viewer_client, demo):
    flow = Flow.objects.get(reference="ie-to-hq-customer-records")
    url = reverse("finding_detail", args=["INVALID_TRANSFER_MECHANISM", flow.pk])
    page = viewer_client.get(url).content.decode()
    assert "CJEU C-362/14" in page
    assert "iga-voipx-2014" in page and "Safe Harbor (invalid since 2015-10-06)" in page
    assert "What to do" in page


def test_a_finding_that_does_not_exist_is_a_404(viewer_client, demo):
    flow = Flow.objects.get(reference="hq-to-paywell-cards")
    url = reverse("finding_detail", args=["NO_AGREEMENT", flow.pk])
    assert viewer_client.get(url).status_code == 404


def test_party_and_flow_pages_show_their_findings(viewer_client, demo):
    page = viewer_client.get(reverse("party_detail", args=["clicktrace-analytics"]))
    assert "EXPIRED_AGREEMENT" in page.content.decode()
    flow = Flow.objects.get(reference="hq-to-partnerhub-leads")
    page = viewer_client.get(reverse("flow_detail", args=[flow.pk])).content.decode()
    assert "NDA_ONLY" in page and "SALE_OR_SHARE_WITHOUT_CONSENT" in page


def _grow(n: int) -> None:
    own = make_own_party() if n == 3 else None
    from registry.models import Party

    own = own or Party.objects.get(relationship="own")
    for i in range(n):
        make_flow(own, make_party(f"v-{n}-{i}"), lawful_basis="")


@pytest.mark.parametrize("name", ["finding_list", "dashboard"])
def test_finding_pages_make_the_same_number_of_queries_for_3_or_30_flows(viewer_client, name):
    def queries() -> int:
        forget_cached_findings()
        with CaptureQueriesContext(connection) as ctx:
            assert viewer_client.get(reverse(name)).status_code == 200
        return len(ctx.captured_queries)

    _grow(3)
    small = queries()
    _grow(27)
    assert queries() == small


def test_the_where_page_traces_a_category_through_processors(viewer_client, demo):
    url = reverse("where_data_goes")
    page = viewer_client.get(url, {"category": "user.contact"}).content.decode()
    assert "VoIPX International → VoIPX Europe → Callbridge Support → VoxTranscribe" in page
    assert "Callbridge Support" in page and "PH" in page
    table = re.sub(r"<[^>]+>", " ", page.split("<h2>")[1].split("<table>")[1])
    assert "voipx-ireland" not in table  # names, not slugs
    by_name = viewer_client.get(url, {"category": "contact data"}).content.decode()
    assert "Contact Data" in by_name and "VoIPX Europe → Callbridge Support" in by_name


def test_the_where_page_explains_an_unknown_category(viewer_client, demo):
    page = viewer_client.get(reverse("where_data_goes"), {"category": "user.nothing"})
    assert page.status_code == 200
    assert "No data category has this name or key." in page.content.decode()
