"""Legal review: each decision path, lapse on a change of facts or a passed review-by date."""

import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from flows.models import Flow
from flows.reviews.models import Review
from flows.reviews.queue import review_counts, review_queue
from flows.reviews.selectors import review_page
from flows.reviews.services import review_confirm, review_decide
from flows.reviews.states import (
    ACCEPTED,
    AWAITING,
    CHANGE_REQUESTED,
    EXPIRED,
    LAPSED,
    OPEN,
    WAIVED,
)
from registry.models import Party
from registry.services import party_upsert
from tests.factories import make_user

pytestmark = pytest.mark.django_db
TODAY = date.today()
CARD_RULE = "CARD_DATA_TO_NON_PCI_VENDOR"


@pytest.fixture
def demo(db):
    call_command("seed_demo", today=TODAY)


@pytest.fixture
def reviewer(db):
    return make_user("rachel-reviewer", role="reviewer")


@pytest.fixture
def editor(db):
    return make_user("eddie-editor", role="editor")


def _billing() -> Flow:
    return Flow.objects.get(reference="hq-to-ledgerline-billing")


def _state(rule: str, flow: Flow, as_of: date = TODAY) -> str:
    page = review_page(rule=rule, flow_id=flow.pk, as_of=as_of)
    assert page is not None, f"no {rule} finding on {flow}"
    return page.item.state


def _attest_pci(on: date) -> None:
    vendor = Party.objects.get(slug="ledgerline-billing")
    fields = {
        f: getattr(vendor, f)
        for f in ("name", "relationship", "legal_name", "website", "contact_email",
                  "dpf_certified_until", "dpf_uk_certified_until", "dpf_swiss_certified_until",
                  "status", "notes")
    }  # fmt: skip
    party_upsert(
        slug=vendor.slug,
        country=vendor.country.code,
        parent=vendor.parent,
        processing_countries=[c.code for c in vendor.processing_countries],
        pci_attested_on=on,
        **fields,
    )


def test_a_finding_without_a_decision_is_open(demo):
    assert _state(CARD_RULE, _billing()) == OPEN


def test_accepting_the_risk_records_who_when_why_and_the_facts(demo, reviewer):
    second = make_user("sam-second", role="reviewer")
    review = review_decide(
        rule=CARD_RULE,
        flow=_billing(),
        decision="accept_risk",
        reason="Tokenisation goes live next quarter.",
        review_by=TODAY + timedelta(days=90),
        decided_by=reviewer,
    )
    assert review.decided_by == reviewer and review.decided_at
    assert review.facts["party ledgerline-billing.pci_attested_on"] == "2024-05-01"
    assert review.facts["flow.categories"].startswith("user.account.account_number")
    assert "agreement dpa-ledgerline-2016.kind" in review.facts
    # The card-data finding is critical: four eyes.
    assert _state(CARD_RULE, _billing()) == AWAITING
    review_confirm(review=review, confirmed=True, decided_by=second)
    assert _state(CARD_RULE, _billing()) == ACCEPTED


def test_an_accepted_risk_needs_a_reason_and_a_future_review_by_date(demo, reviewer):
    with pytest.raises(ValidationError) as error:
        review_decide(
            rule=CARD_RULE, flow=_billing(), decision="accept_risk", reason=" ",
            review_by=TODAY, decided_by=reviewer,
        )  # fmt: skip
    assert set(error.value.message_dict) == {"reason", "review_by"}
    assert not Review.objects.exists()


def test_waiving_a_finding_holds_until_the_facts_change(demo, reviewer):
    review_decide(
        rule=CARD_RULE, flow=_billing(), decision="waive",
        reason="Card data is tokenised before it reaches Ledgerline.", decided_by=reviewer,
    )  # fmt: skip
    assert _state(CARD_RULE, _billing()) == WAIVED


def test_requesting_a_change_assigns_it_to_an_editor(demo, reviewer, editor):
    review = review_decide(
        rule=CARD_RULE, flow=_billing(), decision="request_change",
        reason="Get the 2026 AOC from Ledgerline.", assignee=editor, decided_by=reviewer,
    )  # fmt: skip
    assert review.assignee == editor
    assert _state(CARD_RULE, _billing()) == CHANGE_REQUESTED


def test_a_change_request_cannot_go_to_someone_who_cannot_edit(demo, reviewer, viewer):
    with pytest.raises(ValidationError, match="not an editor"):
        review_decide(
            rule=CARD_RULE, flow=_billing(), decision="request_change", reason="Fix it.",
            assignee=viewer, decided_by=reviewer,
        )  # fmt: skip


def test_only_a_reviewer_decides(demo, editor):
    with pytest.raises(ValidationError, match="Only a reviewer"):
        review_decide(
            rule=CARD_RULE, flow=_billing(), decision="waive", reason="x", decided_by=editor
        )


def test_a_decision_lapses_when_a_fact_it_judged_changes_and_shows_what_changed(demo, reviewer):
    review_decide(
        rule=CARD_RULE, flow=_billing(), decision="waive", reason="Tokenised.",
        decided_by=reviewer,
    )  # fmt: skip
    # A new attestation that is still too old: the finding stays, the facts differ.
    _attest_pci(date(2024, 9, 1))
    page = review_page(rule=CARD_RULE, flow_id=_billing().pk, as_of=TODAY)
    assert page is not None
    assert page.item.state == LAPSED
    [change] = page.changes
    assert change.fact == "party ledgerline-billing.pci_attested_on"
    assert (change.before, change.after) == ("2024-05-01", "2024-09-01")


def test_an_accepted_risk_past_its_review_by_date_is_open_again(demo, reviewer, settings):
    settings.REVIEW_FOUR_EYES = False
    review_decide(
        rule=CARD_RULE, flow=_billing(), decision="accept_risk", reason="Short-term.",
        review_by=TODAY + timedelta(days=10), decided_by=reviewer,
    )  # fmt: skip
    assert _state(CARD_RULE, _billing(), TODAY + timedelta(days=10)) == ACCEPTED
    assert _state(CARD_RULE, _billing(), TODAY + timedelta(days=11)) == EXPIRED


def test_the_latest_decision_wins(demo, reviewer, editor):
    flow = _billing()
    review_decide(rule=CARD_RULE, flow=flow, decision="waive", reason="a", decided_by=reviewer)
    review_decide(
        rule=CARD_RULE, flow=flow, decision="request_change", reason="b", assignee=editor,
        decided_by=reviewer,
    )  # fmt: skip
    assert _state(CARD_RULE, flow) == CHANGE_REQUESTED


def test_the_queue_shows_open_findings_worst_first_and_hides_decided_ones(demo, reviewer):
    queue = review_queue(as_of=TODAY)
    ranks = [item.severity for item in queue.items]
    assert ranks == sorted(ranks, key=["critical", "high", "medium", "low", "info"].index)
    assert any(item.key == (CARD_RULE, _billing().pk) for item in queue.items)
    before = review_counts(as_of=TODAY)
    review_decide(rule=CARD_RULE, flow=_billing(), decision="waive", reason="a",
                  decided_by=reviewer)  # fmt: skip
    queue = review_queue(as_of=TODAY)
    assert all(item.key != (CARD_RULE, _billing().pk) for item in queue.items)
    waived = review_queue(as_of=TODAY, state="waived")
    assert [item.key for item in waived.items] == [(CARD_RULE, _billing().pk)]
    after = review_counts(as_of=TODAY)
    assert after.needs_decision == before.needs_decision - 1 and after.decided == 1


def test_the_queue_filters_by_rule_party_and_category(demo):
    assert {i.first.rule for i in review_queue(as_of=TODAY, rule=CARD_RULE).items} == {CARD_RULE}
    party = review_queue(as_of=TODAY, party="callbridge-support").items
    assert party and all("callbridge-support" in (i.first.source, i.first.target, *i.first.path)
                         for i in party)  # fmt: skip
    cards = review_queue(as_of=TODAY, category="user.financial.credit_card").items
    assert {CARD_RULE, "PCI_NO_WRITTEN_ACKNOWLEDGMENT"} <= {i.first.rule for i in cards}
    assert all("user.financial.credit_card" in i.first.categories for i in cards)


def _check(capsys, *args: str) -> tuple[int, str]:
    try:
        call_command("check_flows", *args)
        status = 0
    except SystemExit as stop:
        status = int(stop.code or 0)
    return status, capsys.readouterr().out


def test_check_flows_marks_decisions_and_fail_on_ignores_accepted_and_waived(
    demo, reviewer, editor, capsys, settings
):
    settings.REVIEW_FOUR_EYES = False  # one reviewer accepts alone (tests/flows/reviews/
    # test_four_eyes.py holds the check to the second reviewer)
    status, out = _check(capsys, "--format", "json", "--party", "ledgerline-billing",
                         "--fail-on", "none")  # fmt: skip
    findings = json.loads(out)
    assert {f["decision"]["state"] for f in findings} == {"open"}
    assert _check(capsys, "--party", "ledgerline-billing", "--fail-on", "info")[0] == 1
    keys = {(f["rule"], f["flow"]) for f in findings}
    flows = {f.pk: f for f in Flow.objects.all()}
    for n, (rule, flow_id) in enumerate(sorted(keys)):
        if n == 0:
            review_decide(rule=rule, flow=flows[flow_id], decision="request_change",
                          reason="fix", assignee=editor, decided_by=reviewer)  # fmt: skip
        else:
            review_decide(rule=rule, flow=flows[flow_id], decision="accept_risk", reason="ok",
                          review_by=TODAY + timedelta(days=30), decided_by=reviewer)  # fmt: skip
    status, out = _check(capsys, "--format", "json", "--party", "ledgerline-billing",
                         "--fail-on", "info")  # fmt: skip
    states = [f["decision"]["state"] for f in json.loads(out)]
    assert states.count("change_requested") >= 1 and "accepted" in states
    accepted = next(f for f in json.loads(out) if f["decision"]["state"] == "accepted")
    assert accepted["decision"]["decided_by"] == "rachel-reviewer"
    assert accepted["decision"]["review_by"] == (TODAY + timedelta(days=30)).isoformat()
    assert status == 1, "a requested change still fails"
    first_rule, first_flow = sorted(keys)[0]
    review_decide(rule=first_rule, flow=flows[first_flow], decision="waive", reason="ok",
                  decided_by=reviewer)  # fmt: skip
    assert _check(capsys, "--party", "ledgerline-billing", "--fail-on", "info")[0] == 0


def test_a_reviewer_decides_through_the_page(demo, client, reviewer):
    client.force_login(reviewer)
    flow = _billing()
    url = reverse("review_detail", args=[CARD_RULE, flow.pk])
    page = client.get(url).content.decode()
    assert "Record the decision" in page and "csrfmiddlewaretoken" in page
    response = client.post(
        reverse("review_decide", args=[CARD_RULE, flow.pk]),
        {"decision": "waive", "reason": "Tokenised upstream."},
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Waived" in page and "Tokenised upstream." in page


def test_a_bad_decision_is_shown_with_its_errors(demo, client, reviewer):
    client.force_login(reviewer)
    flow = _billing()
    response = client.post(
        reverse("review_decide", args=[CARD_RULE, flow.pk]),
        {"decision": "accept_risk", "reason": "ok"},
    )
    assert response.status_code == 400
    assert "needs a review-by date" in response.content.decode()
    assert not Review.objects.exists()


def test_the_queue_page_makes_the_same_number_of_queries_for_3_or_30_findings(client, reviewer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import make_flow, make_own_party, make_party

    client.force_login(reviewer)
    own = make_own_party()

    def grow(n: int, start: int) -> None:
        for i in range(start, start + n):
            flow = make_flow(own, make_party(f"vendor-{i}"), reference=f"no-dpa-{i}")
            review_decide(rule="NO_AGREEMENT", flow=flow, decision="waive", reason="test",
                          decided_by=reviewer)  # fmt: skip

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    grow(3, 0)
    urls = [reverse("review_queue"), reverse("review_queue") + "?state=all", reverse("dashboard")]
    small = [queries(u) for u in urls]
    grow(27, 3)
    assert [queries(u) for u in urls] == small
    page = client.get(urls[1]).content.decode()
    assert page.count("Waived") >= 30
