"""One "as of": a date shows its findings and the register as recorded by then, each saying
which it is, linked to each other; on the demo the Safe Harbor flip shows in both halves."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from html import unescape

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from flows.models import Flow
from tests.factories import make_flow, make_own_party, make_party

pytestmark = pytest.mark.django_db

URL = reverse("register_as_of")
TODAY = date(2026, 11, 28)
SAFE_HARBOR_FELL = "Safe Harbor was invalidated on 2015-10-06"


@pytest.fixture
def demo(db):
    call_command("seed_demo", today=TODAY)


def _page(client, **params) -> str:
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


def _halves(page: str) -> tuple[str, str]:
    """The findings' half and the register's half of the page."""
    findings = page.split('<h2 id="findings">')[1]
    findings, register = findings.split('<h2 id="register">')
    return findings, register


def _text(html: str) -> str:
    """What a reader sees: no tags, one space between words."""
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    return re.sub(r" ([,.:])", r"\1", text)


def _flow_row(register: str, reference: str) -> str:
    row = register.split(f"<code>{reference}</code>")[1]
    return row.split("</tr>")[0]


def test_each_half_says_which_meaning_of_as_of_it_shows(viewer_client, demo):
    findings, register = map(_text, _halves(_page(viewer_client, date="2015-10-06")))
    assert "Findings on 2015-10-06" in findings
    assert "Today's records judged by the law of 2015-10-06" in findings
    assert "The register as recorded by 2015-10-06" in register
    assert "from its change history: records entered or corrected later" in register


def test_the_demo_on_the_day_before_safe_harbor_fell_shows_content_and_no_breach(
    viewer_client, demo
):
    findings, register = _halves(_page(viewer_client, date="2015-10-05"))
    assert SAFE_HARBOR_FELL not in findings
    # The Swiss transfer used Safe Harbor then: no word of a Privacy Shield it did not use yet.
    assert "Privacy Shield" not in findings
    assert "Only an NDA" in findings and "VoIPX International → PartnerHub Resellers" in findings
    assert "4 parties · 2 agreements · 4 flows" in register
    assert "VoIPX Europe → VoIPX International" in _flow_row(register, "ie-to-hq-customer-records")
    assert "Invalid transfer mechanism" not in _flow_row(register, "ie-to-hq-customer-records")
    swiss = _flow_row(register, "ch-to-hq-customer-records-2014")
    assert "Safe Harbor" in swiss and "from 2014-06-01 to 2015-12-31" in swiss
    assert "<code>ch-to-hq-customer-records</code>" not in register, "began in 2017"


def test_the_demo_on_the_day_safe_harbor_fell_shows_the_flip_in_both_halves(viewer_client, demo):
    findings, register = _halves(_page(viewer_client, date="2015-10-06"))
    assert SAFE_HARBOR_FELL in findings
    assert "Invalid transfer mechanism" in findings and "recorded by then" in findings
    row = _flow_row(register, "ie-to-hq-customer-records")
    assert "Safe Harbor" in row and "critical" in row and "Invalid transfer mechanism" in row
    flow = Flow.objects.get(reference="ie-to-hq-customer-records")
    finding = reverse("finding_detail", args=["INVALID_TRANSFER_MECHANISM", flow.pk])
    assert f'href="{finding}?as_of=2015-10-06"' in row
    # The Swiss Safe Harbor held under Swiss law until the FDPIC's statement of 2015-10-22.
    assert "Invalid" not in _flow_row(register, "ch-to-hq-customer-records-2014")


def test_each_half_links_to_the_findings_list_and_the_findings_list_back(viewer_client, demo):
    findings, _ = _halves(_page(viewer_client, date="2015-10-06"))
    assert f'href="{reverse("finding_list")}?as_of=2015-10-06"' in findings
    listing = viewer_client.get(reverse("finding_list"), {"as_of": "2015-10-06"}).content.decode()
    assert f'href="{URL}?date=2015-10-06"' in listing


def test_a_finding_on_a_flow_entered_later_says_it_was_not_recorded_then(viewer_client):
    own, vendor = make_own_party(), make_party("hoster", name="Hoster Inc", country="IN")
    make_flow(own, vendor, reference="late-entry", started_on=date(2015, 1, 1))
    findings, register = map(_text, _halves(_page(viewer_client, date="2015-10-06")))
    assert "No agreement" in findings and "Acme → Hoster Inc" in findings
    assert "recorded later, not in the register of 2015-10-06" in findings
    assert "No flow was recorded yet." in register


def test_a_bad_date_says_so_in_one_line_and_shows_today(viewer_client):
    page = _page(viewer_client, date="2015-13-40")
    assert "Enter a valid date" in page
    assert f"As of {date.today().isoformat()}" in page


def _register(size: int) -> None:
    first = Flow.objects.select_related("source").first()
    own = first.source if first is not None else make_own_party()
    for i in range(size):
        vendor = make_party(f"vendor-{size}-{i}", country="IN")
        make_flow(own, vendor, reference=f"flow-{size}-{i:03d}", started_on=date(2015, 1, 1))
    Flow.history.update(history_date=datetime(2015, 2, 1, tzinfo=UTC))


@pytest.mark.parametrize("day", ["2015-10-06", date.today().isoformat()])
def test_the_page_makes_the_same_queries_whatever_the_size(viewer_client, day):
    counts = []
    for size in (2, 12):
        _register(size)
        viewer_client.get(URL, {"date": day})  # the first look of a register loads it
        with CaptureQueriesContext(connection) as queries:
            page = _page(viewer_client, date=day)
        assert "No agreement" in page
        counts.append(len(queries))
    assert counts[0] == counts[1]
