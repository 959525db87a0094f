"""Decisions everywhere: the findings list, a finding's page, the party and flow pages and
the dashboard say where each finding stands, in words, with the findings list filtered by
state and counted open / decided; each page makes the same queries at two sizes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from flows.reviews.services import review_confirm, review_decide
from flows.reviews.states import STATE_LABELS, DecisionRecord, state_words
from flows.services import flow_upsert
from tests.factories import make_flow, make_party
from tests.flows.reviews.conftest import CRITICAL, HIGH

TODAY = date.today()
UNTIL = TODAY + timedelta(days=60)


def _accepted(small, rachel, sam) -> None:
    review = review_decide(
        rule=CRITICAL, flow=small.transfer, decision="accept_risk",
        reason="SCCs being signed.", review_by=UNTIL, decided_by=rachel,
    )  # fmt: skip
    review_confirm(review=review, confirmed=True, decided_by=sam)


def _page(client, name: str, *args, **params) -> str:
    response = client.get(reverse(name, args=args), params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_the_findings_list_says_who_accepted_a_risk_until_when(viewer_client, small, rachel, sam):
    page = _page(viewer_client, "finding_list")
    assert "<strong>2</strong> open, need a decision" in page
    _accepted(small, rachel, sam)
    page = _page(viewer_client, "finding_list")
    words = f"Risk accepted until {UNTIL.isoformat()} by Rachel Reviewer, confirmed by Sam Second"
    assert words in page
    assert "<strong>1</strong> open, need a decision" in page
    assert "<strong>1</strong> decided" in page
    open_only = _page(viewer_client, "finding_list", state="open")
    assert "NO_AGREEMENT</code>" in open_only and f"{CRITICAL}</code>" not in open_only
    decided = _page(viewer_client, "finding_list", state="decided")
    assert f"{CRITICAL}</code>" in decided and "NO_AGREEMENT</code>" not in decided
    accepted = _page(viewer_client, "finding_list", state="accepted", severity="critical")
    assert words in accepted


@pytest.mark.django_db
def test_each_state_reads_in_words(viewer_client, small, rachel, eddie):
    review_decide(rule=CRITICAL, flow=small.transfer, decision="accept_risk", reason="x",
                  review_by=UNTIL, decided_by=rachel)  # fmt: skip
    review_decide(rule=HIGH, flow=small.local, decision="request_change", reason="Sign a DPA.",
                  assignee=eddie, decided_by=rachel)  # fmt: skip
    page = _page(viewer_client, "finding_list")
    assert "Risk acceptance awaiting a second reviewer (accepted by Rachel Reviewer)" in page
    assert "Change requested from Eddie Editor" in page
    awaiting = _page(viewer_client, "finding_list", state="awaiting_second")
    assert f"{CRITICAL}</code>" in awaiting and "NO_AGREEMENT</code>" not in awaiting
    review_decide(rule=HIGH, flow=small.local, decision="waive", reason="Intra-group.",
                  decided_by=rachel)  # fmt: skip
    assert "Waived by Rachel Reviewer" in _page(viewer_client, "finding_list")


@pytest.mark.django_db
def test_a_change_of_facts_opens_the_finding_again_on_the_list(viewer_client, small, rachel):
    review_decide(rule=HIGH, flow=small.local, decision="waive", reason="Intra-group.",
                  decided_by=rachel)  # fmt: skip
    flow = small.local
    flow_upsert(reference=flow.reference, source=flow.source, target=flow.target,
                categories=list(flow.categories.all()), purpose=flow.purpose, role=flow.role,
                started_on=flow.started_on, lawful_basis="legitimate_interests")  # fmt: skip
    page = _page(viewer_client, "finding_list")
    assert "Open again: facts changed" in page and "Waived by" not in page


@pytest.mark.django_db
def test_the_finding_flow_party_pages_and_dashboard_show_the_state(
    viewer_client, small, rachel, sam
):
    _accepted(small, rachel, sam)
    words = f"Risk accepted until {UNTIL.isoformat()} by Rachel Reviewer"
    finding = _page(viewer_client, "finding_detail", CRITICAL, small.transfer.pk)
    assert words in finding and "SCCs being signed." in finding
    assert words in _page(viewer_client, "flow_detail", small.transfer.pk)
    assert words in _page(viewer_client, "party_detail", "cloudy")
    dashboard = _page(viewer_client, "dashboard")
    assert words in dashboard
    local = _page(viewer_client, "flow_detail", small.local.pk)
    assert '<span class="tag ">Open</span>' in local


@pytest.mark.django_db
def test_another_days_findings_carry_their_states_too(viewer_client, small, rachel):
    review_decide(rule=HIGH, flow=small.local, decision="waive", reason="Intra-group.",
                  decided_by=rachel)  # fmt: skip
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    page = _page(viewer_client, "finding_list", as_of=tomorrow)
    assert f"Findings as of {tomorrow}" in page and "Waived by Rachel Reviewer" in page
    assert f"{CRITICAL}</code>" in _page(viewer_client, "finding_list", as_of=tomorrow,
                                          state="open")  # fmt: skip


def test_state_words_name_who_and_until_when():
    when = TODAY + timedelta(days=5)
    record = DecisionRecord(
        id=1, rule="R", flow=1, decision="accept_risk", reason="r", decided_by="rachel",
        decided_at=__import__("datetime").datetime(2026, 1, 1), fingerprint="x",
        review_by=when, decided_by_name="Rachel Reviewer", assignee="eddie",
        assignee_name="Eddie Editor",
    )  # fmt: skip
    assert state_words("accepted", record) == f"Risk accepted until {when} by Rachel Reviewer"
    assert state_words("waived", record) == "Waived by Rachel Reviewer"
    assert state_words("change_requested", record) == "Change requested from Eddie Editor"
    assert state_words("lapsed", record) == "Open again: facts changed"
    assert state_words("open", None) == "Open"
    assert set(STATE_LABELS) >= {"awaiting_second", "refused"}


def _grow(small, rachel, n: int, start: int) -> None:
    own = small.transfer.source
    for i in range(start, start + n):
        vendor = make_party(f"us-{i}", name=f"US Vendor {i}", country="US")
        flow = make_flow(own, vendor, reference=f"us-{i}")
        review_decide(rule="NO_AGREEMENT", flow=flow, decision="waive", reason="test",
                      decided_by=rachel)  # fmt: skip


def _queries(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_the_pages_with_states_make_the_same_queries_at_two_sizes(viewer_client, small, rachel):
    urls = [
        reverse("finding_list"),
        reverse("finding_list") + "?state=decided",
        reverse("finding_list") + "?state=open&severity=critical",
        reverse("dashboard"),
        reverse("party_detail", args=["voipx"]),
        reverse("flow_detail", args=[small.transfer.pk]),
        reverse("finding_detail", args=[CRITICAL, small.transfer.pk]),
        reverse("review_queue") + "?state=all&severity=high&waiting_days=1",
    ]
    _grow(small, rachel, 3, 0)
    few = [_queries(viewer_client, url) for url in urls]
    _grow(small, rachel, 27, 3)
    assert [_queries(viewer_client, url) for url in urls] == few
    assert _page(viewer_client, "finding_list", state="decided").count("Waived by Rachel") == 30
