"""The onboarding journey through the pages: start, the vendor's steps, submit, decide."""

import re
from datetime import date

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from flows.loading import register_load
from flows.models import Flow
from registry.models import Party
from registry.onboarding.models import Onboarding, OnboardingEvent
from registry.onboarding.selectors import onboarding_prediction
from registry.onboarding.services import onboarding_submit
from tests.factories import make_own_party, make_user
from tests.registry.onboarding.onboarding_helpers import (
    ATTESTATION,
    START,
    answer_every_step,
    home_url,
    link_url,
    open_link,
    start,
    step_answers,
    step_url,
    submit_url,
)

pytestmark = pytest.mark.django_db


def _mailed_link() -> str:
    """The vendor's link in the last e-mail (a fresh signature each time, all valid)."""
    found = re.search(r"http://testserver(/onboarding/\S+/)", str(mail.outbox[-1].body))
    assert found is not None, "no link in the last e-mail"
    return found.group(1)


@pytest.fixture
def editor_client(client):
    client.force_login(make_user("analyst", role="editor"))
    return client


@pytest.fixture
def reviewer(db):
    return make_user("counsel", role="reviewer")


def test_analyst_starts_an_onboarding_and_the_vendor_gets_its_link_by_mail(editor_client):
    make_own_party("voipx")
    response = editor_client.post(reverse("onboarding_start"), START)
    onboarding = Onboarding.objects.get()
    assert response.status_code == 302
    assert response["Location"] == onboarding.get_absolute_url()
    assert onboarding.party.status == "draft"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["privacy@acme-analytics.example"]
    page = editor_client.get(onboarding.get_absolute_url()).content.decode()
    shown = re.search(r'id="vendor-link" type="text" readonly value="([^"]+)"', page)
    assert shown is not None, "no vendor link on the page"
    for link in [_mailed_link(), shown.group(1)]:
        editor_client.logout()
        page = editor_client.get(link, follow=True).content.decode()
        assert "Acme Call Analytics" in page
    assert list(onboarding.events.values_list("action", flat=True)) == ["started", "link_sent"]


def test_the_analyst_chooses_how_long_the_link_lasts(editor_client):
    make_own_party("voipx")
    editor_client.post(reverse("onboarding_start"), {**START, "valid_days": "3"})
    onboarding = Onboarding.objects.get()
    days = (onboarding.link_expires_at - onboarding.created_at).days
    assert days == 2 or days == 3


def test_a_step_with_errors_shows_them_next_to_the_fields_and_keeps_what_was_typed(client):
    onboarding = start()
    open_link(client, onboarding)
    data = {**step_answers()["identity"], "dpo_email": "not-an-address", "action": "next"}
    response = client.post(step_url("identity"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid email address." in page
    assert 'id="id_dpo_email_error_1"' in page
    assert 'value="not-an-address"' in page
    assert 'value="Priya Rao"' in page
    onboarding.refresh_from_db()
    assert onboarding.answers["identity"]["contact_name"] == ["Priya Rao"]


def test_a_draft_is_saved_and_shown_again_when_the_vendor_comes_back(client):
    onboarding = start()
    open_link(client, onboarding)
    client.post(step_url("identity"), {"legal_name": "Half Done Ltd", "action": "save"})
    page = client.get(step_url("identity")).content.decode()
    assert 'value="Half Done Ltd"' in page


def test_a_sub_processor_row_can_be_added(client):
    onboarding = start()
    open_link(client, onboarding)
    data = {"sub-TOTAL_FORMS": "0", "sub-INITIAL_FORMS": "0", "action": "add_row"}
    page = client.post(step_url("subprocessors"), data).content.decode()
    assert 'name="sub-0-name"' in page
    assert 'for="id_sub-0-name"' in page


def test_an_empty_new_sub_processor_row_may_stay_empty(client):
    onboarding = start()
    open_link(client, onboarding)
    data = {"sub-TOTAL_FORMS": "1", "sub-INITIAL_FORMS": "0", "action": "next"}
    response = client.post(step_url("subprocessors"), data)
    assert response.status_code == 302


def test_dpf_frameworks_need_an_end_date(client):
    onboarding = start()
    open_link(client, onboarding)
    data = {"dpf_frameworks": ["eu_us"], "action": "next"}
    page = client.post(step_url("certifications"), data).content.decode()
    assert "Give the end date of your DPF certification." in page


def test_submit_creates_proposed_flows_left_out_of_the_live_register(client):
    onboarding = start()
    answer_every_step(client, onboarding)
    response = client.post(submit_url(), ATTESTATION)
    assert response.status_code == 200
    onboarding.refresh_from_db()
    assert onboarding.state == "submitted"
    assert onboarding.party.status == "submitted"
    assert onboarding.party.processing_countries == ["IN"]
    flows = Flow.objects.filter(proposed=True)
    assert {(f.source.slug, f.target.slug) for f in flows} == {
        ("voipx", onboarding.party.slug),
        (onboarding.party.slug, f"{onboarding.party.slug}-cloudy-hosting"),
    }
    # The vendor engages what it named, noticed on the day it submitted.
    (engagement,) = Party.objects.get(
        slug=f"{onboarding.party.slug}-cloudy-hosting"
    ).engagements.all()
    assert engagement.processor == onboarding.party
    assert onboarding.submitted_at is not None
    assert (engagement.noticed_on, engagement.notice_source) == (
        onboarding.submitted_at.date(),
        "onboarding questionnaire",
    )
    assert register_load().flows == ()


def test_submit_is_refused_while_a_step_is_incomplete(client):
    onboarding = start()
    open_link(client, onboarding)
    response = client.post(submit_url(), ATTESTATION, follow=True)
    assert "Complete these steps first" in response.content.decode()
    onboarding.refresh_from_db()
    assert onboarding.state == "open"


def test_the_reviewer_sees_which_findings_approving_would_add(client, reviewer):
    onboarding = start()
    answer_every_step(client, onboarding)
    onboarding_submit(onboarding=onboarding)
    onboarding.refresh_from_db()
    prediction = onboarding_prediction(onboarding, as_of=date.today())
    rules = {(f.rule, f.target) for f in prediction.added}
    vendor = onboarding.party.slug
    assert ("NO_TRANSFER_MECHANISM", vendor) not in rules  # US to IN: no EU transfer rule
    # The hop to its sub-processor is judged as one (GDPR Art. 28(4)): nothing evidences
    # the sub-processing agreement yet.
    assert ("SUBPROCESSOR_AGREEMENT_UNCONFIRMED", f"{vendor}-cloudy-hosting") in rules
    assert ("NO_AGREEMENT", f"{vendor}-cloudy-hosting") not in rules
    assert prediction.summary.startswith("approving adds ")
    client.force_login(reviewer)
    page = client.get(onboarding.get_absolute_url()).content.decode()
    assert "What approving would add" in page
    assert "SUBPROCESSOR_AGREEMENT_UNCONFIRMED" in page


def test_a_transfer_from_the_eea_without_mechanism_is_predicted(client):
    onboarding = start()
    Party.objects.filter(relationship="own").update(country="DE")
    answer_every_step(client, onboarding)
    onboarding_submit(onboarding=onboarding)
    onboarding.refresh_from_db()
    prediction = onboarding_prediction(onboarding, as_of=date.today())
    assert "critical" in dict(prediction.counts)
    assert "NO_TRANSFER_MECHANISM to Acme Call Analytics (IN)" in prediction.summary


def test_approving_makes_the_party_and_its_flows_live(client, reviewer):
    onboarding = start()
    answer_every_step(client, onboarding)
    client.post(submit_url(), ATTESTATION)
    client.force_login(reviewer)
    response = client.post(
        reverse("onboarding_decide", args=[onboarding.pk]), {"decision": "approve"}
    )
    assert response.status_code == 302
    onboarding.refresh_from_db()
    assert onboarding.state == "approved"
    assert onboarding.party.status == "approved"
    assert not Flow.objects.filter(proposed=True).exists()
    assert onboarding.party.agreements.filter(kind="dpa").exists()
    assert len(register_load().flows) == 2
    last = OnboardingEvent.objects.filter(onboarding=onboarding).last()
    assert last is not None
    assert (last.action, last.actor) == ("approve", reviewer)
    client.force_login(make_user("reader", role="viewer"))
    page = client.get(reverse("party_list")).content.decode()
    assert "Acme Call Analytics" in page


def test_request_changes_reopens_the_link_with_the_comment(client, reviewer):
    onboarding = start()
    answer_every_step(client, onboarding)
    client.post(submit_url(), ATTESTATION)
    assert client.get(home_url()).status_code == 410
    client.force_login(reviewer)
    client.post(
        reverse("onboarding_decide", args=[onboarding.pk]),
        {"decision": "request_changes", "comment": "Please sign our SCCs."},
    )
    client.logout()
    page = client.get(link_url(onboarding), follow=True)  # the link it already had
    assert page.status_code == 200
    assert "Please sign our SCCs." in page.content.decode()
    assert "Please sign our SCCs." in mail.outbox[-1].body
    assert client.get(_mailed_link(), follow=True).status_code == 200
    onboarding.refresh_from_db()
    assert onboarding.party.status == "draft"
    # The vendor submits again: the earlier proposal is replaced, not duplicated.
    client.post(submit_url(), ATTESTATION)
    assert Flow.objects.filter(proposed=True).count() == 2


def test_request_changes_needs_a_comment(client, reviewer):
    onboarding = start()
    answer_every_step(client, onboarding)
    client.post(submit_url(), ATTESTATION)
    client.force_login(reviewer)
    client.post(reverse("onboarding_decide", args=[onboarding.pk]), {"decision": "request_changes"})
    onboarding.refresh_from_db()
    assert onboarding.state == "submitted"


def test_rejecting_leaves_the_flows_out_of_the_register(client, reviewer):
    onboarding = start()
    answer_every_step(client, onboarding)
    client.post(submit_url(), ATTESTATION)
    client.force_login(reviewer)
    client.post(reverse("onboarding_decide", args=[onboarding.pk]), {"decision": "reject"})
    onboarding.refresh_from_db()
    assert onboarding.party.status == "rejected"
    assert register_load().flows == ()


def test_every_step_is_recorded_with_who_and_when(client, reviewer):
    onboarding = start()
    answer_every_step(client, onboarding)
    client.post(submit_url(), ATTESTATION)
    client.force_login(reviewer)
    client.post(reverse("onboarding_decide", args=[onboarding.pk]), {"decision": "approve"})
    events = list(onboarding.events.all())
    assert [e.action for e in events][0] == "started"
    assert events[0].actor is not None and events[0].actor.username == "analyst"
    assert sum(e.action == "step_saved" for e in events) == 7
    assert [e.action for e in events][-3:] == ["submitted", "reviewers_not_notified", "approve"]
    assert all(e.at is not None for e in events)


def test_the_demo_has_a_vendor_mid_onboarding_and_one_awaiting_review():
    from django.core.management import call_command

    call_command("seed_demo", today=date(2026, 11, 28))
    call_command("seed_demo", today=date(2026, 11, 28))
    states = dict(Onboarding.objects.values_list("party__slug", "state"))
    assert states == {"parla-transcribe": "open", "bharat-dialer-support": "submitted"}
    parla = Onboarding.objects.get(party__slug="parla-transcribe")
    assert set(parla.answers) == {"identity", "services"}
    bharat = Onboarding.objects.get(party__slug="bharat-dialer-support")
    prediction = onboarding_prediction(bharat, as_of=date.today())
    assert "SUBPROCESSOR_AGREEMENT_UNCONFIRMED to Manila Overflow Desk (PH)" in prediction.summary
    # The Irish affiliate sends too: its transfer to India is what the reviewer must see.
    irish = [f for f in prediction.added if f.source == "voipx-ireland"]
    assert [f.rule for f in irish] == ["NO_TRANSFER_MECHANISM"]
    client = Client()
    client.force_login(make_user("counsel", role="reviewer"))
    page = client.get(bharat.get_absolute_url()).content.decode()
    assert "Anil Kumar" in page and "Head of compliance" in page  # the vendor's attestation
    assert "Manila Overflow Desk" in page
