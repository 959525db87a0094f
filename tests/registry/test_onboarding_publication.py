"""Approving an onboarding approves the vendor and announces it (and the sub-processors it
created) on the public list with notice: listed after the objection period, not at once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from registry.models import Party, Publication
from registry.onboarding.models import Onboarding
from tests.factories import make_user
from tests.registry.onboarding.onboarding_helpers import (
    ATTESTATION,
    answer_every_step,
    start,
    submit_url,
)

pytestmark = pytest.mark.django_db
TODAY = date.today()


def _approved(client, **subprocessors: str) -> tuple[Onboarding, object]:
    onboarding = start()
    answer_every_step(
        client, onboarding, **({"subprocessors": subprocessors} if subprocessors else {})
    )
    assert client.post(submit_url(), ATTESTATION).status_code == 200
    counsel = make_user("counsel", role="reviewer")
    client.force_login(counsel)
    response = client.post(
        reverse("onboarding_decide", args=[onboarding.pk]), {"decision": "approve"}
    )
    assert response.status_code == 302
    onboarding.refresh_from_db()
    return onboarding, counsel


def test_approving_an_onboarding_announces_the_vendor_and_lists_it_after_notice(client):
    onboarding, counsel = _approved(client)
    vendor = onboarding.party
    assert vendor.status == "approved"
    publication = Publication.objects.get(party=vendor)
    effective = TODAY + timedelta(days=30)
    assert (publication.notice_on, publication.effective_on) == (TODAY, effective)
    assert publication.decided_by == counsel
    assert publication.note == f"Approved with the onboarding of {vendor.name}."
    client.logout()
    page = client.get(reverse("subprocessors")).content.decode()
    upcoming, in_effect = page.split("Upcoming changes")[1].split("</table>", 1)
    assert vendor.name in upcoming and effective.isoformat() in upcoming
    assert vendor.name not in in_effect
    feed = client.get(reverse("subprocessor_feed")).content.decode()
    assert f"Intended addition: {vendor.name}, from {effective}" in feed
    assert f"Added: {vendor.name}" not in feed


def test_the_sub_processors_an_onboarding_created_are_announced_with_it(client):
    onboarding, _ = _approved(client, **{"sub-0-name": "Hosting", "sub-0-country": "SG"})
    [sub] = onboarding.proposed_subprocessors.all()
    assert sub.status == "approved"
    assert set(Publication.objects.values_list("party__name", "effective_on")) == {
        (onboarding.party.name, TODAY + timedelta(days=30)),
        ("Hosting", TODAY + timedelta(days=30)),
    }
    assert not Party.objects.filter(status="submitted").exists()


def test_a_submitted_onboardings_vendor_is_not_on_the_reviewers_publication_page(client):
    onboarding = start()
    answer_every_step(client, onboarding)
    assert client.post(submit_url(), ATTESTATION).status_code == 200
    client.force_login(make_user("counsel", role="reviewer"))
    page = client.get(reverse("subprocessor_decisions")).content.decode()
    assert onboarding.party.name not in page.split("<tbody>")[1]
