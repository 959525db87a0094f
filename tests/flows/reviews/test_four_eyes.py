"""Four eyes: the accepted risk of a critical finding holds once a second reviewer, another
person, confirms it; until then it is not settled, and a refusal opens it again."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from flows.reviews.models import Review, ReviewConfirmation
from flows.reviews.queue import review_queue
from flows.reviews.selectors import review_page
from flows.reviews.services import review_confirm, review_decide
from flows.reviews.states import ACCEPTED, AWAITING, REFUSED
from tests.flows.reviews.conftest import CRITICAL, HIGH

pytestmark = pytest.mark.django_db
TODAY = date.today()
UNTIL = TODAY + timedelta(days=60)


def _accept(flow, by, rule=CRITICAL) -> Review:
    return review_decide(
        rule=rule, flow=flow, decision="accept_risk", reason="SCCs are being signed.",
        review_by=UNTIL, decided_by=by, base_url="http://register.example",
    )  # fmt: skip


def _state(rule, flow) -> str:
    page = review_page(rule=rule, flow_id=flow.pk, as_of=TODAY)
    assert page is not None
    return page.item.state


def _check(capsys) -> tuple[int, list[dict]]:
    try:
        call_command("check_flows", "--format", "json", "--fail-on", "critical")
        status = 0
    except SystemExit as stop:
        status = int(stop.code or 0)
    return status, json.loads(capsys.readouterr().out)


def test_a_critical_acceptance_awaits_a_second_reviewer_and_still_fails_ci(small, rachel, capsys):
    review = _accept(small.transfer, rachel)
    assert review.needs_second_reviewer
    assert _state(CRITICAL, small.transfer) == AWAITING
    status, findings = _check(capsys)
    [critical] = [f for f in findings if f["rule"] == CRITICAL]
    assert critical["decision"]["state"] == "awaiting_second"
    assert status == 1, "an acceptance without its second reviewer does not settle"


def test_the_second_reviewer_confirms_and_the_risk_is_accepted(small, rachel, sam, capsys):
    review = _accept(small.transfer, rachel)
    answer = review_confirm(review=review, confirmed=True, decided_by=sam)
    assert answer.decided_by == sam and answer.decided_at
    assert Review.objects.count() == 1, "the acceptance itself is not edited"
    assert _state(CRITICAL, small.transfer) == ACCEPTED
    status, findings = _check(capsys)
    assert status == 0
    [critical] = [f for f in findings if f["rule"] == CRITICAL]
    assert critical["decision"]["second_reviewer"] == "sam"


def test_the_first_reviewer_cannot_confirm_their_own_acceptance(small, rachel):
    review = _accept(small.transfer, rachel)
    with pytest.raises(ValidationError, match="a second reviewer, another person"):
        review_confirm(review=review, confirmed=True, decided_by=rachel)
    assert not ReviewConfirmation.objects.exists()
    assert _state(CRITICAL, small.transfer) == AWAITING


def test_an_editor_cannot_confirm(small, rachel, eddie):
    review = _accept(small.transfer, rachel)
    with pytest.raises(ValidationError, match="Only a reviewer"):
        review_confirm(review=review, confirmed=True, decided_by=eddie)


def test_a_refusal_needs_a_reason_and_opens_the_finding_again(small, rachel, sam):
    review = _accept(small.transfer, rachel)
    with pytest.raises(ValidationError, match="Say why you refuse"):
        review_confirm(review=review, confirmed=False, reason=" ", decided_by=sam)
    review_confirm(review=review, confirmed=False, reason="No SCCs in sight.", decided_by=sam)
    assert _state(CRITICAL, small.transfer) == REFUSED
    queue = review_queue(as_of=TODAY)  # the default queue: what needs a decision
    [item] = [i for i in queue.items if i.key == (CRITICAL, small.transfer.pk)]
    assert item.state_words == "Open again: risk acceptance refused by Sam Second"
    with pytest.raises(ValidationError, match="already answered"):
        review_confirm(review=review, confirmed=True, decided_by=sam)


def test_a_newer_decision_cannot_be_confirmed_through_an_older_one(small, rachel, sam):
    old = _accept(small.transfer, rachel)
    review_decide(rule=CRITICAL, flow=small.transfer, decision="waive", reason="Out of scope.",
                  decided_by=rachel)  # fmt: skip
    with pytest.raises(ValidationError):
        review_confirm(review=old, confirmed=True, decided_by=sam)


def test_only_critical_findings_take_a_second_reviewer(small, rachel):
    review = _accept(small.local, rachel, rule=HIGH)
    assert not review.needs_second_reviewer
    assert _state(HIGH, small.local) == ACCEPTED
    assert not mail.outbox


def test_the_setting_lets_one_reviewer_accept_a_critical_risk(small, rachel, settings):
    settings.REVIEW_FOUR_EYES = False
    review = _accept(small.transfer, rachel)
    assert not review.needs_second_reviewer
    assert _state(CRITICAL, small.transfer) == ACCEPTED


def test_the_other_reviewers_are_asked_by_email(
    small, rachel, sam, eddie, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _accept(small.transfer, rachel)
    [message] = mail.outbox
    assert message.to == ["sam@voipx.example"], "the first reviewer and editors are not asked"
    assert message.subject == (
        "VoIPX Europe: risk accepted on de-to-cloudy (No transfer mechanism) awaits a "
        "second reviewer"
    )
    assert "Hello Sam Second," in message.body
    assert "Rachel Reviewer accepted the risk of a critical finding" in message.body
    assert "Restricted transfer with no transfer mechanism" in message.body
    assert "SCCs are being signed." in message.body
    link = reverse("review_detail", args=[CRITICAL, small.transfer.pk])
    assert f"http://register.example{link}" in message.body


def test_a_second_reviewer_confirms_through_the_page(client, small, rachel, sam):
    _accept(small.transfer, rachel)
    url = reverse("review_detail", args=[CRITICAL, small.transfer.pk])
    client.force_login(rachel)
    page = client.get(url).content.decode()
    assert "Risk acceptance awaiting a second reviewer (accepted by Rachel Reviewer)" in page
    assert "You accepted this risk: another reviewer confirms" in page
    assert "Record my answer" not in page
    confirm = reverse("review_confirm", args=[CRITICAL, small.transfer.pk])
    refused = client.post(confirm, {"answer": "confirm"})
    assert refused.status_code == 400
    assert "a second reviewer, another person" in refused.content.decode()
    client.force_login(sam)
    assert "Record my answer" in client.get(url).content.decode()
    assert client.post(confirm, {"answer": "confirm"}).status_code == 302
    page = client.get(url).content.decode()
    assert f"Risk accepted until {UNTIL.isoformat()} by Rachel Reviewer, confirmed by Sam" in page
    assert "Confirmed by Sam Second" in page


def test_a_refusal_through_the_page_says_why(client, small, rachel, sam):
    _accept(small.transfer, rachel)
    client.force_login(sam)
    confirm = reverse("review_confirm", args=[CRITICAL, small.transfer.pk])
    bad = client.post(confirm, {"answer": "refuse", "reason": ""})
    assert bad.status_code == 400 and "Say why you refuse" in bad.content.decode()
    client.post(confirm, {"answer": "refuse", "reason": "No SCCs in sight."})
    page = client.get(reverse("review_detail", args=[CRITICAL, small.transfer.pk]))
    text = page.content.decode()
    assert "Open again: risk acceptance refused by Sam Second" in text
    assert "No SCCs in sight." in text


def test_confirming_needs_a_reviewer(client, small, rachel, eddie):
    _accept(small.transfer, rachel)
    client.force_login(eddie)
    confirm = reverse("review_confirm", args=[CRITICAL, small.transfer.pk])
    assert client.post(confirm, {"answer": "confirm"}).status_code == 403
    assert not ReviewConfirmation.objects.exists()
