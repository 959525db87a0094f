"""What makes an onboarding one a reviewer can rely on: the vendor reviews every answer and
attests them; the reviewer sees them all; a dead link can be re-issued; every page and
e-mail names the organisation and comes from its configured sender; reviewers are told
when a vendor submits."""

import re
from datetime import date

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from registry.onboarding.models import Onboarding
from registry.onboarding.services import onboarding_revoke
from tests.factories import make_own_party, make_user
from tests.registry.onboarding.onboarding_helpers import (
    ATTESTATION,
    START,
    answer_every_step,
    home_url,
    link_url,
    open_link,
    start,
    step_url,
    submit_url,
)

pytestmark = pytest.mark.django_db

REVIEW_URL = "/onboarding/vendor/review/"


@pytest.fixture
def own(db):
    return make_own_party("voipx", name="VoIPX", country="US")


@pytest.fixture
def reviewer(db):
    return make_user("counsel", role="reviewer", email="counsel@voipx.example")


def _mailed_link() -> str:
    found = re.search(r"http://testserver(/onboarding/\S+/)", str(mail.outbox[-1].body))
    assert found is not None, "no link in the last e-mail"
    return found.group(1)


# --- Searchable pickers -------------------------------------------------------------------


def test_the_start_form_and_every_step_use_searchable_pickers(client, own):
    client.force_login(make_user("ops", role="editor"))
    page = client.get(reverse("onboarding_start")).content.decode()
    for label in ["Search the countries", "Search the categories", "Search the purposes"]:
        assert label in page
    assert page.count("<select") == 1  # only the lawful basis (a short list) is a drop-down
    onboarding = start()
    open_link(client, onboarding)
    searched = {
        "identity": 'data-filter-for="id_country"',
        "services": 'data-filter-for="id_purposes"',
        "categories": 'data-filter-for="id_categories"',
        "countries": 'data-filter-for="id_processing_countries"',
    }
    for step, marker in searched.items():
        page = client.get(step_url(step)).content.decode()
        assert marker in page, step
        assert "multiple" not in page, step  # no Ctrl-click list left
    data = {"sub-TOTAL_FORMS": "0", "sub-INITIAL_FORMS": "0", "action": "add_row"}
    page = client.post(step_url("subprocessors"), data).content.decode()
    for marker in ["id_sub-0-country", "id_sub-0-processing_countries", "id_sub-0-categories"]:
        assert f'data-filter-for="{marker}"' in page
    assert "registry/picker.js" in page


# --- Review and attestation ---------------------------------------------------------------


def test_the_last_step_leads_to_a_page_with_every_answer_in_words(client, own):
    onboarding = start()
    answer_every_step(client, onboarding)
    page = client.get(REVIEW_URL).content.decode()
    for shown in [
        "Review your answers and submit",
        "Acme Call Analytics Pvt Ltd",
        "India",  # a country's name, not its code
        "Dev Mehta",
        "dpo@acme-analytics.example",
        "Email (user.contact.email)",
        "Cloudy Hosting",
        "Singapore",
        "No written agreement with it",
        "A DPA is signed with you",
        "Attest and submit for review",
        f"{date.today():%Y-%m-%d} (today's date, recorded with your submission)",
    ]:
        assert shown in page, shown


def test_submitting_without_the_attestation_is_refused_with_what_is_missing(client, own):
    onboarding = start()
    answer_every_step(client, onboarding)
    response = client.post(submit_url(), {"name": "Priya Rao"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Complete the attestation to submit" in page
    assert page.count("This field is required.") == 2  # the role and the confirmation
    onboarding.refresh_from_db()
    assert onboarding.state == "open"
    assert onboarding.attested_on is None


def test_the_attestation_is_recorded_with_todays_date_and_shown_to_the_reviewer(
    client, own, reviewer
):
    onboarding = start()
    answer_every_step(client, onboarding)
    client.post(submit_url(), {**ATTESTATION, "date": "2001-01-01"})  # a typed date is ignored
    onboarding.refresh_from_db()
    assert (onboarding.attested_name, onboarding.attested_role, onboarding.attested_on) == (
        "Priya Rao",
        "Head of compliance",
        date.today(),
    )
    client.force_login(reviewer)
    page = client.get(onboarding.get_absolute_url()).content.decode()
    assert f"Priya Rao (Head of compliance), {date.today():%Y-%m-%d}" in page
    assert f"Attested by Priya Rao (Head of compliance) on {date.today()}." in page  # history


def test_the_reviewer_sees_every_answer_next_to_the_prediction(client, own, reviewer):
    onboarding = start()
    answer_every_step(
        client,
        onboarding,
        certifications={"iso27001": "on", "iso27001_until": "2099-01-01"},
    )
    client.post(submit_url(), ATTESTATION)
    client.force_login(reviewer)
    page = client.get(onboarding.get_absolute_url()).content.decode()
    answers, side = page.split('class="review-side"')
    for shown in [
        "Acme Call Analytics Pvt Ltd",  # identity
        "We analyse call quality.",  # services
        "Dev Mehta",  # DPO
        "ISO/IEC 27001 certificate valid until</dt><dd>2099-01-01",  # certifications
        "A DPA is signed with you",  # DPA status
        "Countries where you process or store our data</dt><dd>India",
        "Sub-processor 1: Cloudy Hosting",
        "Country of establishment</dt><dd>Singapore",
        "No written agreement with it",
        "Priya Rao",  # the attestation
    ]:
        assert shown in answers, shown
    assert "What approving would add" in side
    assert "SUBPROCESSOR_AGREEMENT_UNCONFIRMED" in side  # "No written agreement with it"


# --- Links re-issued ----------------------------------------------------------------------


def test_a_revoked_link_is_reissued_the_old_one_stays_dead_and_it_is_logged(client, own):
    editor = make_user("ops", role="editor")
    onboarding = start(editor=editor)
    old = link_url(onboarding)
    onboarding_revoke(onboarding=onboarding, actor=editor)
    client.force_login(editor)
    page = client.get(onboarding.get_absolute_url()).content.decode()
    assert "Issue a new link and e-mail it" in page
    response = client.post(
        reverse("onboarding_reissue", args=[onboarding.pk]), {"valid_days": "5"}, follow=True
    )
    page = response.content.decode()
    assert "A new link was e-mailed to privacy@acme-analytics.example" in page
    assert "link_reissued" in page
    assert "the earlier link (revoked) no longer works" in page
    new = _mailed_link()
    client.logout()
    assert client.get(old).status_code == 403
    assert client.get(new, follow=True).status_code == 200
    onboarding.refresh_from_db()
    assert onboarding.revoked_at is None
    assert 4 <= (onboarding.link_expires_at - onboarding.updated_at).days <= 5


def test_only_editors_reissue_and_only_while_the_vendor_may_answer(client, own, reviewer):
    onboarding = start()
    client.force_login(make_user("reader", role="viewer"))
    assert client.post(reverse("onboarding_reissue", args=[onboarding.pk])).status_code == 403
    answer_every_step(client, onboarding)
    client.post(submit_url(), ATTESTATION)
    client.force_login(make_user("analyst2", role="editor"))
    page = client.get(onboarding.get_absolute_url()).content.decode()
    assert "Issue a new link" not in page
    response = client.post(reverse("onboarding_reissue", args=[onboarding.pk]), follow=True)
    assert "A new link can be issued only while the vendor may answer" in (
        response.content.decode()
    )
    response = client.post(
        reverse("onboarding_reissue", args=[onboarding.pk]), {"valid_days": "many"}, follow=True
    )
    assert "Give the number of days the new link lasts, from 1 to 90." in (
        response.content.decode()
    )


def test_after_request_changes_a_revoked_vendor_gets_a_working_link(client, own, reviewer):
    onboarding = start()
    answer_every_step(client, onboarding)
    client.post(submit_url(), ATTESTATION)
    onboarding_revoke(onboarding=onboarding, actor=onboarding.started_by)
    client.force_login(reviewer)
    client.post(
        reverse("onboarding_decide", args=[onboarding.pk]),
        {"decision": "request_changes", "comment": "Sign our SCCs, please."},
    )
    client.logout()
    page = client.get(_mailed_link(), follow=True)
    assert page.status_code == 200
    assert "Sign our SCCs, please." in page.content.decode()
    actions = list(onboarding.events.values_list("action", flat=True))
    assert actions[-3:] == ["request_changes", "link_reissued", "link_sent"]


# --- The organisation's name and sender ---------------------------------------------------


def test_vendor_pages_name_the_organisation_never_the_product(client, own):
    onboarding = start()
    open_link(client, onboarding)
    for url in [home_url(), step_url("identity"), REVIEW_URL]:
        page = client.get(url).content.decode()
        assert "VoIPX" in page
        assert "Data-flow register" not in page, url
    assert "VoIPX asks you to tell it how you will handle personal data" in (
        client.get(home_url()).content.decode()
    )
    onboarding_revoke(onboarding=onboarding, actor=onboarding.started_by)
    page = client.get(link_url(onboarding)).content.decode()
    assert "ask your contact at VoIPX for a new link" in page
    assert "Data-flow register" not in page


@override_settings(DEFAULT_FROM_EMAIL="privacy@voipx.example")
def test_the_link_email_names_the_organisation_and_comes_from_its_sender(client, own):
    client.force_login(make_user("ops", role="editor"))
    client.post(reverse("onboarding_start"), START)
    message = mail.outbox[-1]
    assert message.from_email == "privacy@voipx.example"
    assert message.subject == (
        "VoIPX asks you to complete its vendor onboarding (Acme Call Analytics)"
    )
    assert "VoIPX asks you to tell it about Acme Call Analytics" in message.body


def test_the_development_sender_is_not_webmaster_at_localhost():
    from django.conf import settings

    assert settings.DEFAULT_FROM_EMAIL != "webmaster@localhost"


@override_settings(DEFAULT_FROM_EMAIL="privacy@voipx.example")
def test_reviewers_are_emailed_a_link_when_a_vendor_submits(client, own, reviewer):
    make_user("counsel2", role="reviewer", email="counsel2@voipx.example")
    editor = make_user("ops", role="editor", email="ops@voipx.example")
    onboarding = start(editor=editor)
    answer_every_step(client, onboarding)
    sent = len(mail.outbox)
    client.post(submit_url(), ATTESTATION)
    assert len(mail.outbox) == sent + 1
    message = mail.outbox[-1]
    assert sorted(message.to) == ["counsel2@voipx.example", "counsel@voipx.example"]
    assert message.from_email == "privacy@voipx.example"
    assert message.subject == ("VoIPX: Acme Call Analytics submitted its onboarding for review")
    assert f"http://testserver/onboardings/{onboarding.pk}/" in message.body
    assert "Attested by Priya Rao (Head of compliance)" in message.body
    assert Onboarding.objects.get().events.filter(action="reviewers_notified").exists()
