"""Who sends the vendor data (the own company, its affiliates), and what each sub-processor
row carries (where it processes data, the agreement that binds it): both reach the
proposal, the prediction and, on approval, the register."""

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from flows.models import Flow
from registry.models import Agreement, Party
from registry.onboarding.models import Onboarding
from registry.onboarding.selectors import onboarding_prediction
from tests.factories import make_own_party, make_party, make_user
from tests.registry.onboarding.onboarding_helpers import (
    ATTESTATION,
    START,
    answer_every_step,
    open_link,
    start,
    step_url,
    submit_url,
)

pytestmark = pytest.mark.django_db

SIGNED = (date.today() - timedelta(days=30)).isoformat()


@pytest.fixture
def group(db) -> tuple[Party, Party]:
    """The own company in the US and an affiliate in Ireland (in the EEA)."""
    us = make_own_party("voipx", name="VoIPX", country="US")
    ireland = make_party(
        "voipx-ireland", name="VoIPX Ireland", relationship="affiliate", country="IE", parent=us
    )
    return us, ireland


@pytest.fixture
def reviewer(db):
    return make_user("counsel", role="reviewer")


def _submitted(client, senders: list[str], **overrides) -> Onboarding:
    onboarding = start(senders=senders)
    answer_every_step(client, onboarding, **overrides)
    assert client.post(submit_url(), ATTESTATION).status_code == 200
    onboarding.refresh_from_db()
    return onboarding


def test_the_start_form_offers_the_own_company_and_its_affiliates_only(client, group):
    make_party("some-vendor", name="Some Vendor", country="FR")
    client.force_login(make_user("analyst", role="editor"))
    page = client.get(reverse("onboarding_start")).content.decode()
    assert "VoIPX (United States of America, own company)" in page
    assert "VoIPX Ireland (Ireland, affiliate)" in page
    assert "Some Vendor" not in page
    # The own company is ticked to begin with, the affiliate is not.
    assert re.search(r'<input type="checkbox" name="senders" value="voipx"[^>]* checked>', page)
    assert not re.search(r'value="voipx-ireland"[^>]* checked>', page)
    response = client.post(reverse("onboarding_start"), {**START, "senders": ["some-vendor"]})
    assert "Select a valid choice. some-vendor is not one of the available choices." in (
        response.content.decode()
    )
    assert not Onboarding.objects.exists()


def test_the_service_refuses_a_sender_that_is_not_one_of_our_companies(group):
    make_party("some-vendor", name="Some Vendor", country="FR")
    with pytest.raises(ValidationError, match="Only our own company and its affiliates"):
        start(senders=["some-vendor"])


def test_each_chosen_sender_gets_its_proposed_flow(client, group):
    onboarding = _submitted(client, ["voipx", "voipx-ireland"])
    flows = Flow.objects.filter(proposed=True, role="processor")
    assert sorted(f.source.name for f in flows) == ["VoIPX", "VoIPX Ireland"]
    assert {f.target for f in flows} == {onboarding.party}


def test_an_eu_affiliate_sending_to_a_third_country_vendor_is_predicted(client, group):
    onboarding = _submitted(client, ["voipx-ireland"])
    prediction = onboarding_prediction(onboarding, as_of=date.today())
    transfers = [f for f in prediction.added if f.rule == "NO_TRANSFER_MECHANISM"]
    slug = onboarding.party.slug
    # The Irish affiliate's transfer to India, and the vendor's onward transfer of that
    # EU-origin data to its sub-processor in Singapore.
    assert sorted((f.source, f.target) for f in transfers) == [
        (slug, f"{slug}-cloudy-hosting"),
        ("voipx-ireland", slug),
    ]
    assert "NO_TRANSFER_MECHANISM to Acme Call Analytics (IN)" in prediction.summary
    # The DPA the vendor signed binds the sending affiliate too: no missing agreement.
    assert not [
        f for f in prediction.added if f.rule == "NO_AGREEMENT" and f.source == "voipx-ireland"
    ]
    client.force_login(make_user("counsel", role="reviewer"))
    page = client.get(onboarding.get_absolute_url()).content.decode()
    assert "VoIPX Ireland</a> (Ireland)" in page
    assert "NO_TRANSFER_MECHANISM" in page


def test_on_approval_the_vendors_dpa_binds_every_sender(client, group, reviewer):
    onboarding = _submitted(client, ["voipx-ireland"])
    client.force_login(reviewer)
    client.post(reverse("onboarding_decide", args=[onboarding.pk]), {"decision": "approve"})
    dpa = Agreement.objects.get(reference=f"onboarding-{onboarding.pk}-dpa")
    assert sorted(p.name for p in dpa.parties.all()) == [
        "Acme Call Analytics",
        "VoIPX",
        "VoIPX Ireland",
    ]
    live = Flow.objects.get(proposed=False, source__slug="voipx-ireland")
    assert live.target == onboarding.party


def _row(**fields: object) -> dict[str, object]:
    return {
        "sub-TOTAL_FORMS": "1",
        "sub-INITIAL_FORMS": "0",
        "sub-0-name": "Cloudy Hosting",
        "sub-0-country": "US",
        "sub-0-processing_countries": ["US", "SG"],
        "sub-0-service": "Hosting",
        "sub-0-categories": ["user.contact.email"],
        **{f"sub-0-{key}": value for key, value in fields.items()},
    }


def _eu_vendor() -> dict[str, dict[str, object]]:
    """The vendor in Germany processing there: its sub-processor abroad is a restricted
    transfer of its own."""
    return {"identity": {"country": "DE"}, "countries": {"processing_countries": ["DE"]}}


def _rules_for_sub(onboarding: Onboarding) -> set[str]:
    prediction = onboarding_prediction(onboarding, as_of=date.today())
    sub = onboarding.proposed_subprocessors.get()
    return {f.rule for f in prediction.added if f.target == sub.slug}


def test_a_sub_processor_row_carries_its_countries_to_the_proposal(client, group):
    onboarding = _submitted(client, ["voipx"], subprocessors=_row())
    sub = onboarding.proposed_subprocessors.get()
    assert (sub.country.code, [c.code for c in sub.processing_countries]) == ("US", ["SG", "US"])
    flow = Flow.objects.get(proposed=True, role="subprocessor")
    assert sorted(c.code for c in flow.processing_countries) == ["SG", "US"]


def test_a_sub_processor_abroad_with_no_agreement_predicts_what_the_rules_say(client, group):
    onboarding = _submitted(client, ["voipx"], subprocessors=_row(), **_eu_vendor())
    rules = _rules_for_sub(onboarding)
    # We hold no contract with a sub-processor (GDPR Art. 28(4)): nothing evidences the
    # vendor's sub-processing agreement, which is the finding, never NO_AGREEMENT.
    assert {"SUBPROCESSOR_AGREEMENT_UNCONFIRMED", "NO_TRANSFER_MECHANISM"} <= rules
    assert "NO_AGREEMENT" not in rules


def test_an_agreement_without_flow_down_predicts_no_flowdown(client, group):
    row = _row(agreement="without_flowdown", agreement_signed_on=SIGNED)
    onboarding = _submitted(client, ["voipx"], subprocessors=row, **_eu_vendor())
    rules = _rules_for_sub(onboarding)
    assert "SUBPROCESSOR_NO_FLOWDOWN" in rules
    assert "NO_AGREEMENT" not in rules


def test_a_flow_down_agreement_evidences_the_sub_processing_and_is_recorded_on_approval(
    client, group, reviewer
):
    row = _row(agreement="flowdown", agreement_signed_on=SIGNED)
    onboarding = _submitted(client, ["voipx"], subprocessors=row, **_eu_vendor())
    rules = _rules_for_sub(onboarding)
    assert not rules & {"SUBPROCESSOR_AGREEMENT_UNCONFIRMED", "NO_AGREEMENT"}
    assert "NO_TRANSFER_MECHANISM" in rules  # Germany to the US: still a transfer to cover
    client.force_login(reviewer)
    page = client.get(onboarding.get_absolute_url()).content.decode()
    assert "A sub-processing agreement that flows our data-protection obligations down" in page
    assert "United States of America, Singapore" in page
    client.post(reverse("onboarding_decide", args=[onboarding.pk]), {"decision": "approve"})
    sub = onboarding.proposed_subprocessors.get()
    agreement = Agreement.objects.get(parties=sub)
    assert agreement.flowdown is True
    assert agreement.signed_on == date.fromisoformat(SIGNED)
    assert set(agreement.parties.all()) == {onboarding.party, sub}


def test_a_sub_processor_agreement_needs_its_date(client, group):
    onboarding = start(senders=["voipx"])
    open_link(client, onboarding)
    data = {**_row(agreement="flowdown"), "action": "next"}
    page = client.post(step_url("subprocessors"), data).content.decode()
    assert "Give the date the agreement was signed." in page


def test_adding_a_row_keeps_the_countries_and_agreement_typed_in_the_others(client, group):
    onboarding = start(senders=["voipx"])
    open_link(client, onboarding)
    data = {**_row(agreement="flowdown", agreement_signed_on=SIGNED), "action": "add_row"}
    page = client.post(step_url("subprocessors"), data).content.decode()
    assert 'name="sub-1-name"' in page  # the new row
    assert re.search(r'value="SG"[^>]*id="id_sub-0-processing_countries_\d+"[^>]* checked', page)
    assert re.search(r'value="flowdown"[^>]* checked', page)
    assert f'value="{SIGNED}"' in page
