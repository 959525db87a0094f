"""The vendor's token leaves the address: its link opens a session scoped to its onboarding,
and every vendor page is token-free, never cached and sends no Referer."""

import pytest
from django.test import Client

from registry.onboarding.forms import STEP_NAMES
from registry.onboarding.links import onboarding_token
from registry.onboarding.services import onboarding_revoke
from tests.factories import make_user
from tests.registry.onboarding.onboarding_helpers import (
    ATTESTATION,
    answer_every_step,
    home_url,
    link_url,
    open_link,
    start,
    step_url,
    submit_url,
)

pytestmark = pytest.mark.django_db


def _assert_private(response, referrer_policy: str = "no-referrer") -> None:
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == referrer_policy


def test_the_link_leads_to_addresses_without_the_token(client):
    onboarding = start()
    token = onboarding_token(onboarding)
    response = client.get(link_url(onboarding))
    assert response.status_code == 302
    assert response["Location"] == "/onboarding/vendor/"
    for url in [home_url(), *(step_url(step) for step in STEP_NAMES)]:
        page = client.get(url)
        assert page.status_code == 200
        assert token not in page.content.decode()
        assert token.split(":")[0] not in page.content.decode()
        assert url.startswith("/onboarding/vendor/")


def test_no_vendor_page_is_cached_or_sends_a_referrer_elsewhere(client):
    onboarding = start()
    _assert_private(client.get(link_url(onboarding)))
    # Pages with a form send a Referer to this site only: with `no-referrer` the browser's
    # POST would carry `Origin: null` and fail the CSRF check.
    _assert_private(client.get(home_url()), "same-origin")
    _assert_private(client.get(step_url("identity")), "same-origin")
    _assert_private(client.post(step_url("identity"), {"action": "next"}), "same-origin")
    _assert_private(client.post(step_url("identity"), {"action": "save"}))  # a redirect
    _assert_private(client.post(submit_url(), ATTESTATION))
    _assert_private(client.get(submit_url()))  # refused: POST only
    onboarding_revoke(onboarding=onboarding, actor=onboarding.started_by)
    _assert_private(client.get(home_url()))  # the refusal page
    _assert_private(client.get(link_url(onboarding)))


def test_without_the_link_the_vendor_pages_say_to_open_it():
    client = Client()
    start()
    for response in [client.get(home_url()), client.get(step_url("identity"))]:
        assert response.status_code == 403
        page = response.content.decode()
        assert "Open the link from your e-mail again" in page
        assert "Acme" not in page


def test_a_session_for_one_onboarding_never_reaches_another():
    first = start()
    second = start(name="Other Vendor", editor=make_user("analyst2", role="editor"))
    vendor_a, vendor_b = Client(), Client()
    open_link(vendor_a, first)
    open_link(vendor_b, second)
    vendor_a.post(step_url("identity"), {"legal_name": "Written by A", "action": "save"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.answers["identity"]["legal_name"] == ["Written by A"]
    assert "identity" not in second.answers
    page = vendor_a.get(home_url()).content.decode()
    assert "Acme Call Analytics" in page and "Other Vendor" not in page
    # Following another link replaces the session's onboarding; it never holds two.
    open_link(vendor_a, second)
    page = vendor_a.get(home_url()).content.decode()
    assert "Other Vendor" in page and "Acme Call Analytics" not in page


def test_a_session_is_refused_once_its_link_is_revoked(client):
    onboarding = start()
    open_link(client, onboarding)
    onboarding_revoke(onboarding=onboarding, actor=onboarding.started_by)
    response = client.get(home_url())
    assert response.status_code == 403
    assert "withdrawn" in response.content.decode()


def test_the_mailed_link_keeps_working_on_every_visit(client):
    onboarding = start()
    open_link(client, onboarding)
    client.post(step_url("identity"), {"legal_name": "Half Done Ltd", "action": "save"})
    fresh = Client()  # another day, another browser: the same link
    open_link(fresh, onboarding)
    assert 'value="Half Done Ltd"' in fresh.get(step_url("identity")).content.decode()
    open_link(fresh, onboarding)  # and again
    assert fresh.get(home_url()).status_code == 200


def test_the_link_gives_a_new_session_rather_than_trusting_one_planted_before(client):
    onboarding = start()
    client.get(home_url())
    session = client.session
    session["planted"] = "yes"
    session.save()
    planted = client.cookies["sessionid"].value
    open_link(client, onboarding)
    assert client.cookies["sessionid"].value != planted


def test_the_vendor_submits_through_its_session(client):
    onboarding = start()
    answer_every_step(client, onboarding)
    response = client.post(submit_url(), ATTESTATION)
    assert response.status_code == 200
    _assert_private(response)
    onboarding.refresh_from_db()
    assert onboarding.state == "submitted"
