"""Review at scale: the queue filtered by severity, rule, party, assignee, age and state;
decisions over many findings at once, all or nothing; "assigned to me"; the e-mail to the
editor a change is assigned to."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from flows.reviews.models import Review
from flows.reviews.queue import review_queue
from flows.reviews.services import review_decide, review_decide_many
from tests.factories import make_flow, make_party, make_user
from tests.flows.reviews.conftest import CRITICAL, HIGH

pytestmark = pytest.mark.django_db
TODAY = date.today()
UNTIL = TODAY + timedelta(days=90)


def _keys(queue) -> set[tuple[str, str]]:
    return {(i.first.rule, i.reference) for i in queue.items}


def test_the_queue_filters_by_severity_and_age(small):
    assert _keys(review_queue(as_of=TODAY, severity="critical")) == {(CRITICAL, "de-to-cloudy")}
    assert _keys(review_queue(as_of=TODAY, severity="high")) == {(HIGH, "de-to-mailhaus")}
    own = small.transfer.source
    make_flow(own, make_party("fresh", country="DE"), reference="fresh", started_on=TODAY)
    waited = _keys(review_queue(as_of=TODAY, waiting_days=30))
    assert (HIGH, "fresh") not in waited and (HIGH, "de-to-mailhaus") in waited
    assert (HIGH, "fresh") in _keys(review_queue(as_of=TODAY))


def test_change_requests_are_listed_by_assignee_in_any_state(small, rachel, eddie):
    other = make_user("olga", role="editor")
    review_decide(rule=HIGH, flow=small.local, decision="request_change", reason="Sign a DPA.",
                  assignee=eddie, decided_by=rachel)  # fmt: skip
    review_decide(rule=CRITICAL, flow=small.transfer, decision="request_change",
                  reason="Sign SCCs.", assignee=other, decided_by=rachel)  # fmt: skip
    assert _keys(review_queue(as_of=TODAY, assignee="eddie")) == {(HIGH, "de-to-mailhaus")}
    assert _keys(review_queue(as_of=TODAY, assignee="olga")) == {(CRITICAL, "de-to-cloudy")}
    assert not review_queue(as_of=TODAY, assignee="eddie", state="waived").items


def test_the_assignee_is_told_what_to_change_by_email(
    small, rachel, eddie, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        review_decide(rule=HIGH, flow=small.local, decision="request_change",
                      reason="Sign a DPA with Mailhaus.", assignee=eddie, decided_by=rachel,
                      base_url="https://register.example")  # fmt: skip
    [message] = mail.outbox
    assert message.to == ["eddie@voipx.example"]
    assert message.subject == "VoIPX Europe: change requested on de-to-mailhaus (No agreement)"
    assert "Hello Eddie Editor," in message.body
    assert "Rachel Reviewer reviewed a finding" in message.body
    assert "VoIPX Europe -> Mailhaus GmbH" in message.body
    assert "What to change:\nSign a DPA with Mailhaus." in message.body
    assert "No agreement" in message.body or "agreement" in message.body.lower()
    link = reverse("finding_detail", args=[HIGH, small.local.pk])
    assert f"https://register.example{link}" in message.body


def test_a_decision_rolled_back_sends_no_email(small, rachel, eddie):
    # Without the commit (the test's transaction never commits) nothing leaves.
    review_decide(rule=HIGH, flow=small.local, decision="request_change", reason="x",
                  assignee=eddie, decided_by=rachel)  # fmt: skip
    assert not mail.outbox


def test_a_bulk_acceptance_records_one_decision_a_finding(small, rachel, settings):
    reviews = review_decide_many(
        keys=[(CRITICAL, small.transfer.pk), (HIGH, small.local.pk)],
        decision="accept_risk", reason="Board decision 12.", review_by=UNTIL, decided_by=rachel,
    )  # fmt: skip
    assert len(reviews) == 2
    by_rule = {r.rule: r for r in Review.objects.all()}
    assert by_rule[CRITICAL].needs_second_reviewer, "bulk accepts take four eyes too"
    assert not by_rule[HIGH].needs_second_reviewer
    states = {i.first.rule: i.state for i in review_queue(as_of=TODAY, state="all").items}
    assert states == {CRITICAL: "awaiting_second", HIGH: "accepted"}


def test_a_bulk_decision_is_all_or_nothing_and_names_each_refused_row(small, rachel):
    with pytest.raises(ValidationError) as error:
        review_decide_many(
            keys=[(HIGH, small.local.pk), (CRITICAL, small.local.pk), (HIGH, 999999)],
            decision="waive", reason="Out of scope.", decided_by=rachel,
        )  # fmt: skip
    messages = error.value.messages
    assert messages[0] == "Nothing was recorded. 2 refused:"
    assert (
        "NO_TRANSFER_MECHANISM on de-to-mailhaus: There is no NO_TRANSFER_MECHANISM"
        in (messages[1])
    )
    assert messages[2] == "NO_AGREEMENT on flow 999999: This flow no longer exists."
    assert not Review.objects.exists()


def test_a_bulk_decision_is_accept_or_waive_with_a_reason(small, rachel):
    with pytest.raises(ValidationError, match="only be accepted or waived"):
        review_decide_many(keys=[(HIGH, small.local.pk)], decision="request_change",
                           reason="x", decided_by=rachel)  # fmt: skip
    with pytest.raises(ValidationError) as error:
        review_decide_many(keys=[(HIGH, small.local.pk)], decision="accept_risk", reason="",
                           decided_by=rachel)  # fmt: skip
    assert set(error.value.message_dict) == {"reason", "review_by"}


def test_bulk_decisions_through_the_queue(client, small, rachel):
    client.force_login(rachel)
    queue = client.get(reverse("review_queue")).content.decode()
    assert f'value="{HIGH}:{small.local.pk}"' in queue
    assert "Record for the ticked findings" in queue
    url = reverse("review_bulk") + "?severity=high"
    refused = client.post(url, {"key": [f"{HIGH}:{small.local.pk}", "NOPE:999999"],
                                "decision": "waive", "reason": "x"})  # fmt: skip
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "Nothing was recorded. 1 refused:" in text
    assert "NOPE on flow 999999: This flow no longer exists." in text
    assert f'value="{HIGH}:{small.local.pk}" aria-label' in text and "checked" in text
    assert not Review.objects.exists()
    done = client.post(url, {"key": [f"{HIGH}:{small.local.pk}"], "decision": "waive",
                             "reason": "Intra-group, no DPA needed."})  # fmt: skip
    assert done.status_code == 302 and done["Location"].endswith("?severity=high")
    page = client.get(reverse("review_queue") + "?state=waived").content.decode()
    assert "Waived by Rachel Reviewer" in page


def test_nothing_ticked_is_a_clear_message(client, small, rachel):
    client.force_login(rachel)
    response = client.post(reverse("review_bulk"), {"decision": "waive", "reason": "x"})
    assert response.status_code == 400
    assert "Tick at least one finding." in response.content.decode()


def test_viewers_and_editors_cannot_decide_in_bulk(client, small, eddie, viewer):
    for user in (eddie, viewer):
        client.force_login(user)
        response = client.post(reverse("review_bulk"), {
            "key": [f"{HIGH}:{small.local.pk}"], "decision": "waive", "reason": "x"})  # fmt: skip
        assert response.status_code == 403
        assert (
            "Record for the ticked findings"
            not in client.get(reverse("review_queue")).content.decode()
        )
    assert not Review.objects.exists()


def test_an_editor_opens_what_is_assigned_to_them(client, small, rachel, eddie):
    review_decide(rule=HIGH, flow=small.local, decision="request_change",
                  reason="Sign a DPA.", assignee=eddie, decided_by=rachel)  # fmt: skip
    client.force_login(eddie)
    queue = client.get(reverse("review_queue")).content.decode()
    assert 'href="/reviews/?assignee=me"' in queue
    mine = client.get(reverse("review_queue"), {"assignee": "me"}).content.decode()
    assert "Change requested from Eddie Editor" in mine
    assert "de-to-mailhaus" in mine and "de-to-cloudy" not in mine
    client.force_login(rachel)
    nothing = client.get(reverse("review_queue"), {"assignee": "me"}).content.decode()
    assert "Nothing waits for a decision with these filters." in nothing


def test_a_bad_filter_is_reported_not_obeyed(client, small, rachel):
    client.force_login(rachel)
    response = client.get(reverse("review_queue"), {"waiting_days": "-3", "assignee": "ghost"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Ensure this value is greater than or equal to 0." in text
    assert "Select a valid choice." in text
