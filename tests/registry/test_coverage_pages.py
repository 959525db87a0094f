"""Pages that answer the next question: which agreement covers a flow (or why none does), the
flows an agreement covers and the findings that name it, a finding's agreements in the order
that matters, and party filters that take names."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_agreement, make_flow, make_own_party, make_party, make_user

pytestmark = pytest.mark.django_db


def text(response) -> str:
    """The page as a person reads it: tags dropped, spaces collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.fixture
def viewer(client):
    client.force_login(make_user("viewer", role="viewer"))
    return client


@pytest.fixture
def register():
    acme = make_own_party("acme", name="Acme Voice")
    cloud = make_party("cloudco", name="CloudCo Hosting")
    mail = make_party("mailco", name="MailCo")
    current = make_agreement([acme, cloud], "dpa-cloudco")
    nda = make_agreement([acme, cloud], "nda-cloudco", kind="nda")
    lapsed = make_agreement([acme, mail], "dpa-mailco", expires_on=date(2024, 5, 31))
    return {
        "hosting": make_flow(acme, cloud, "acme-to-cloudco"),
        "mailing": make_flow(acme, mail, "acme-to-mailco"),
        "current": current,
        "nda": nda,
        "lapsed": lapsed,
    }


def test_a_flows_page_names_the_agreement_that_covers_it(viewer, register):
    page = text(viewer.get(register["hosting"].get_absolute_url()))
    assert "dpa-cloudco (Data processing agreement (GDPR Art. 28)) covers this flow on" in page
    assert (
        "nda-cloudco (Non-disclosure agreement): a non-disclosure agreement sets none of the "
        "terms Art. 28(3) requires." in page
    )


def test_a_flows_page_says_why_no_agreement_covers_it(viewer, register):
    page = text(viewer.get(register["mailing"].get_absolute_url()))
    assert "No agreement covers this flow on" in page
    assert "dpa-mailco expired on 2024-05-31." in page


def test_an_agreements_page_lists_the_flows_it_covers_and_the_findings_that_name_it(
    viewer, register
):
    page = text(viewer.get(register["lapsed"].get_absolute_url()))
    assert "acme-to-mailco Acme Voice → MailCo Processor Expired on 2024-05-31" in page
    assert "Findings that name it" in page
    assert "Agreement not in force" in page  # EXPIRED_AGREEMENT's title, with its message
    assert "dpa-mailco" in page.split("Findings that name it")[1]

    page = text(viewer.get(register["current"].get_absolute_url()))
    assert "acme-to-cloudco Acme Voice → CloudCo Hosting Processor covers it" in page
    assert "No finding." in page.split("Findings that name it")[1]


def test_a_findings_page_lists_the_agreements_that_bear_on_the_flow_first(viewer, register):
    acme, mail = register["mailing"].source, register["mailing"].target
    make_agreement([acme, mail], "a-nda-mailco", kind="nda")
    url = reverse("finding_detail", args=["EXPIRED_AGREEMENT", register["mailing"].pk])
    page = text(viewer.get(url))
    table = page.split("Agreements that bear on this flow")[1]
    # The lapsed DPA is of a fitting kind: it comes before the NDA, whatever the references.
    assert table.index("dpa-mailco") < table.index("a-nda-mailco")
    assert "Expired on 2024-05-31" in table


def test_the_agreements_page_makes_a_constant_number_of_queries(viewer, register):
    acme, cloud = register["hosting"].source, register["hosting"].target

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert viewer.get(register["current"].get_absolute_url()).status_code == 200
        return len(ctx.captured_queries)

    before = queries()
    for i in range(6):
        make_flow(acme, cloud, f"more-{i}")
    assert queries() == before


def test_the_agreements_flows_are_paged(viewer, register):
    acme, cloud = register["hosting"].source, register["hosting"].target
    for i in range(30):
        make_flow(acme, cloud, f"more-{i:02}")
    url = register["current"].get_absolute_url()
    first = text(viewer.get(url))
    assert "Page 1 of 2" in first
    second = text(viewer.get(url + "?flows=2"))
    assert "Page 2 of 2" in second and "more-29" in second


def test_party_filters_take_a_name_and_refuse_an_unknown_one_with_a_suggestion(viewer, register):
    by_name = text(viewer.get(reverse("flow_list") + "?party=cloudco+hosting"))
    assert "acme-to-cloudco" in by_name and "acme-to-mailco" not in by_name
    by_slug = text(viewer.get(reverse("flow_list") + "?party=cloudco"))
    assert "acme-to-cloudco" in by_slug and "acme-to-mailco" not in by_slug
    unknown = text(viewer.get(reverse("flow_list") + "?party=CloudCo+Hostin"))
    assert "No party is named “CloudCo Hostin”. Did you mean “CloudCo Hosting”?" in unknown
    findings = text(viewer.get(reverse("finding_list") + "?party=MailCo"))
    assert "Agreement not in force" in findings and "Party (slug)" not in findings


def test_a_partys_agreements_and_flows_are_paged_in_constant_queries(viewer, register):
    acme, cloud = register["hosting"].source, register["hosting"].target

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert viewer.get(url).status_code == 200
        return len(ctx.captured_queries)

    url = acme.get_absolute_url()
    before = queries(url)
    for i in range(30):
        make_flow(acme, cloud, f"more-{i:02}")
        make_agreement([acme, cloud], f"dpa-more-{i:02}")
    assert queries(url) == before
    page = text(viewer.get(url))
    assert page.count("Page 1 of 2") == 2  # its agreements and the data it sends
    sends = text(viewer.get(url + "?sends=2"))
    assert "more-29" in sends.split("Data it sends")[1].split("Data it receives")[0]
