from datetime import date

import pytest
from django.core.management import call_command

from flows.models import Flow
from registry.models import Agreement, Party, Publication

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 28)


def _counts() -> tuple[int, ...]:
    return (
        Party.objects.count(),
        Agreement.objects.count(),
        Flow.objects.count(),
        Party.history.count(),
        Agreement.history.count(),
        Flow.history.count(),
        Publication.objects.count(),
    )


def test_seeding_twice_duplicates_nothing_and_writes_no_new_history():
    call_command("seed_demo", today=TODAY)
    first = _counts()
    call_command("seed_demo", today=TODAY)
    assert _counts() == first
    # 24 parties, 27 agreements and 30 flows of the register (the Swiss transfer in its three
    # tools), plus the demo onboardings' 2 vendors, 1 proposed sub-processor and 3 proposed
    # flows (the vendor awaiting review gets data from the own company and from the Irish
    # affiliate, and passes it to its sub-processor).
    assert first[:3] == (27, 27, 33)


def test_the_demo_company_is_the_us_voip_provider_with_group_companies_in_europe():
    call_command("seed_demo", today=TODAY)
    own = Party.objects.get(relationship="own")
    assert (own.legal_name, own.country.code) == ("VoIPX International Inc.", "US")
    affiliates = Party.objects.filter(relationship="affiliate")
    assert {"IE", "CH"} <= {p.country.code for p in affiliates}
    assert Party.objects.filter(relationship="subprocessor").count() >= 2
    support = Party.objects.get(slug="callbridge-support")
    assert support.country.code == "PH"


def test_the_demo_keeps_its_2014_safe_harbor_agreement_an_expired_one_and_an_nda():
    call_command("seed_demo", today=TODAY)
    safe_harbor = Flow.objects.get(transfer_mechanism="safe_harbor", ended_on=None)
    agreement = safe_harbor.transfer_agreement
    assert agreement is not None and agreement.signed_on is not None
    assert agreement.signed_on.year == 2014
    assert Agreement.objects.filter(expires_on__lt=TODAY).exists()
    assert Agreement.objects.filter(kind="nda").exists()
    years = {f.started_on.year for f in Flow.objects.all()}
    assert min(years) == 2014 and max(years) >= 2024


def test_the_demo_carries_the_data_categories_named_in_the_policy():
    call_command("seed_demo", today=TODAY)
    keys = set(Flow.objects.values_list("categories__key", flat=True))
    assert {
        "user.contact.organization",
        "user.contact.address",
        "user.contact.phone_number",
        "user.contact.email",
        "user.financial.credit_card",
        "user.financial.bank_account",
        "user.government_id.tax_id",
        "user.account.account_number",
        "user.behavior.browsing_history",
        "user.authorization.password",
    } <= keys


def test_the_relative_dates_follow_the_day_of_loading():
    call_command("seed_demo", today=date(2030, 1, 1))
    nimbus = Party.objects.get(slug="nimbus-hosting")
    assert nimbus.dpf_certified_until is not None
    assert nimbus.dpf_certified_until > date(2030, 1, 1)


def test_the_demo_publishes_its_processors_through_a_reviewer_and_announces_one_more():
    call_command("seed_demo", today=TODAY)
    publications = Publication.objects.select_related("party", "decided_by")
    deciders = {p.decided_by.username if p.decided_by else "" for p in publications}
    assert deciders == {"legal-review-demo"}
    assert not publications.filter(party__slug="postbox-relay").exists(), "under review"
    vox = publications.get(party__slug="voxtranscribe")
    # Told a notice period before its first flow (2022-02-01), in effect from that day.
    assert (vox.notice_on, vox.effective_on) == (date(2022, 1, 2), date(2022, 2, 1))
    upcoming = publications.get(party__slug="relaywave-sms")
    assert upcoming.notice_on < TODAY < upcoming.effective_on
    in_effect = publications.filter(effective_on__lte=TODAY).count()
    # Not Feedbackly Surveys, offboarded.
    assert not publications.filter(party__slug="feedbackly-surveys").exists()
    assert in_effect == publications.count() - 1 == 13
