"""The sub-processors a vendor names are data until a reviewer decides: proposed as new
parties, never written over (nor deleted from) the live register, matched by the reviewer."""

import pytest
from django.urls import reverse

from flows.loading import register_load
from flows.models import Flow
from registry.models import Agreement, Party
from registry.onboarding.models import Onboarding
from tests.factories import make_agreement, make_own_party, make_party, make_user
from tests.registry.onboarding.onboarding_helpers import (
    ATTESTATION,
    answer_every_step,
    start,
    submit_url,
)

pytestmark = pytest.mark.django_db

HOSTING = {"sub-0-name": "Hosting", "sub-0-country": "SG"}


@pytest.fixture
def live_hosting(db) -> Party:
    """An approved party already in the register, whose slug the old code would have
    derived from vendor "Nimbus" naming a sub-processor "Hosting"."""
    make_own_party("voipx", country="US")
    return make_party("nimbus-hosting", name="Nimbus Hosting", country="DE")


@pytest.fixture
def reviewer(db):
    return make_user("counsel", role="reviewer")


def _submit_as_nimbus(client, **subprocessors: str) -> Onboarding:
    onboarding = start(name="Nimbus")
    answer_every_step(client, onboarding, subprocessors={**HOSTING, **subprocessors})
    assert client.post(submit_url(), ATTESTATION).status_code == 200
    onboarding.refresh_from_db()
    return onboarding


def _decide(client, reviewer, onboarding: Onboarding, **data: str):
    client.force_login(reviewer)
    return client.post(reverse("onboarding_decide", args=[onboarding.pk]), data, follow=True)


def _shown(client, party: Party) -> str:
    client.force_login(make_user("reader", role="viewer"))
    return client.get(party.get_absolute_url()).content.decode()


def test_a_sub_processor_named_like_a_live_party_does_not_overwrite_it(client, live_hosting):
    onboarding = _submit_as_nimbus(client)
    live_hosting.refresh_from_db()
    assert (live_hosting.country.code, live_hosting.status) == ("DE", "approved")
    assert not live_hosting.engagements.exists()
    page = _shown(client, live_hosting)
    assert "Germany" in page or "DE" in page
    assert "Approved" in page
    proposed = onboarding.proposed_subprocessors.get()
    assert proposed != live_hosting
    assert (proposed.name, proposed.country.code, proposed.status) == ("Hosting", "SG", "submitted")
    flow = Flow.objects.get(proposed=True, role="subprocessor")
    assert flow.target == proposed


def test_a_resubmission_does_not_delete_a_party_with_a_signed_dpa(client, live_hosting, reviewer):
    us = Party.objects.get(slug="voipx")
    dpa = make_agreement([us, live_hosting], reference="dpa-nimbus-hosting")
    onboarding = _submit_as_nimbus(client)
    _decide(client, reviewer, onboarding, decision="request_changes", comment="Add your SCCs.")
    client.logout()
    answer_every_step(client, onboarding, subprocessors={"sub-TOTAL_FORMS": "0"})
    assert client.post(submit_url(), ATTESTATION).status_code == 200
    live_hosting.refresh_from_db()
    assert live_hosting.status == "approved"
    assert set(Agreement.objects.get(pk=dpa.pk).parties.all()) == {us, live_hosting}
    page = _shown(client, live_hosting)
    assert "dpa-nimbus-hosting" in page or "DPA" in page


def test_a_resubmission_never_deletes_a_live_party_an_older_submission_wrote_to(
    client, live_hosting, reviewer
):
    """Onboardings submitted before the fix hold live parties among their proposals."""
    us = Party.objects.get(slug="voipx")
    make_agreement([us, live_hosting], reference="dpa-nimbus-hosting")
    onboarding = _submit_as_nimbus(client)
    Party.objects.filter(pk=live_hosting.pk).update(status="submitted")  # as the upsert did
    onboarding.proposed_subprocessors.add(live_hosting)
    _decide(client, reviewer, onboarding, decision="request_changes", comment="Again, please.")
    client.logout()
    answer_every_step(client, onboarding)
    assert client.post(submit_url(), ATTESTATION).status_code == 200
    assert Party.objects.filter(pk=live_hosting.pk).exists()
    assert Agreement.objects.get(reference="dpa-nimbus-hosting").parties.count() == 2
    onboarding.refresh_from_db()
    assert live_hosting not in onboarding.proposed_subprocessors.all()


def test_a_resubmission_replaces_the_new_parties_it_proposed(client, live_hosting, reviewer):
    onboarding = _submit_as_nimbus(client)
    first = onboarding.proposed_subprocessors.get()
    count = Party.objects.count()
    _decide(client, reviewer, onboarding, decision="request_changes", comment="Check it.")
    client.logout()
    answer_every_step(client, onboarding, subprocessors=HOSTING)
    client.post(submit_url(), ATTESTATION)
    assert Party.objects.count() == count
    assert not Party.objects.filter(pk=first.pk).exists()
    assert onboarding.proposed_subprocessors.get().name == "Hosting"


def test_the_reviewer_is_offered_the_live_party_as_a_likely_match(client, live_hosting, reviewer):
    onboarding = _submit_as_nimbus(client)
    proposed = onboarding.proposed_subprocessors.get()
    client.force_login(reviewer)
    page = client.get(onboarding.get_absolute_url()).content.decode()
    assert f'name="match-{proposed.pk}"' in page
    assert "Likely the same as: Nimbus Hosting." in page
    assert f"proposed as <code>{proposed.slug}</code>" in page


def test_the_reviewer_matches_a_sub_processor_to_the_live_party(client, live_hosting, reviewer):
    onboarding = _submit_as_nimbus(client)
    proposed = onboarding.proposed_subprocessors.get()
    page = _decide(
        client,
        reviewer,
        onboarding,
        decision="approve",
        **{f"match-{proposed.pk}": str(live_hosting.pk)},
    ).content.decode()
    assert "Decision recorded: the vendor is approved." in page
    assert "Hosting is the existing party Nimbus Hosting (nimbus-hosting)." in page
    assert not Party.objects.filter(pk=proposed.pk).exists()
    live = {(f.source, f.target) for f in register_load().flows}
    assert ("nimbus", "nimbus-hosting") in live
    live_hosting.refresh_from_db()
    assert (live_hosting.country.code, live_hosting.status) == ("DE", "approved")
    # The vendor's engagement moves to the live party; the withdrawn one's goes with it.
    (engagement,) = live_hosting.engagements.all()
    assert (engagement.processor.slug, engagement.notice_source) == (
        "nimbus",
        "onboarding questionnaire",
    )


def test_without_a_match_the_new_party_is_approved_beside_the_live_one(
    client, live_hosting, reviewer
):
    onboarding = _submit_as_nimbus(client)
    proposed = onboarding.proposed_subprocessors.get()
    _decide(client, reviewer, onboarding, decision="approve")
    proposed.refresh_from_db()
    live_hosting.refresh_from_db()
    assert proposed.status == "approved"
    assert live_hosting.country.code == "DE"
    assert not live_hosting.engagements.exists()


def test_a_match_to_the_vendor_itself_is_refused_with_a_message(client, live_hosting, reviewer):
    onboarding = _submit_as_nimbus(client)
    proposed = onboarding.proposed_subprocessors.get()
    for value in [str(onboarding.party_id), "999999", "not-a-number"]:
        response = _decide(
            client, reviewer, onboarding, decision="approve", **{f"match-{proposed.pk}": value}
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert "Choose" in page
        onboarding.refresh_from_db()
        assert onboarding.state == "submitted"
    assert Party.objects.filter(pk=proposed.pk, status="submitted").exists()


def test_rejecting_leaves_the_live_party_alone(client, live_hosting, reviewer):
    onboarding = _submit_as_nimbus(client)
    _decide(client, reviewer, onboarding, decision="reject")
    live_hosting.refresh_from_db()
    assert live_hosting.status == "approved"
    assert onboarding.proposed_subprocessors.get().status == "rejected"
