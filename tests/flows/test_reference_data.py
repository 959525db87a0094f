"""The data migration seeds the taxonomy and the jurisdiction tables reviewers edit."""

from datetime import date

import pytest

from flows.models import (
    AdequacyDecision,
    DataCategory,
    DataSubject,
    MechanismValidity,
    Purpose,
    ZoneMembership,
)
from flows.reference_data import retire_mechanism_rows

pytestmark = pytest.mark.django_db


def test_the_fideslang_taxonomy_is_seeded_with_the_keys_unchanged():
    parent = DataCategory.objects.get(key="user.financial.bank_account").parent
    assert parent is not None and parent.key == "user.financial"
    assert Purpose.objects.filter(key="marketing.communications.email").exists()
    assert DataSubject.objects.filter(key="customer").exists()


def test_the_demo_policy_keys_missing_from_fideslang_are_added():
    parent = DataCategory.objects.get(key="user.government_id.tax_id").parent
    assert parent is not None and parent.key == "user.government_id"
    assert DataCategory.objects.filter(key="user.account.account_number").exists()


def test_the_special_category_and_other_flags_are_set_on_the_named_keys():
    flagged = set(DataCategory.objects.filter(special_category=True).values_list("key", flat=True))
    assert {"user.health_and_medical", "user.biometric", "user.authorization.biometric"} <= flagged
    assert "user" not in flagged
    assert DataCategory.objects.get(key="user.criminal_history").criminal
    assert DataCategory.objects.get(key="user.childrens").children
    assert DataCategory.objects.get(key="user.financial.credit_card").payment_card
    assert DataCategory.objects.get(key="user.authorization.password").credentials


def test_purposes_under_third_party_sharing_are_sales_or_shares():
    assert Purpose.objects.get(key="third_party_sharing").sale_or_share
    assert Purpose.objects.get(key="marketing.advertising.third_party.targeted").sale_or_share
    assert not Purpose.objects.get(key="marketing.communications.email").sale_or_share


def test_the_eea_zone_holds_the_thirty_countries_and_the_uk_until_2021():
    eu = ZoneMembership.objects.filter(regime="EU")
    assert eu.filter(valid_to__isnull=True, country__in=["DE", "IE", "NO", "IS", "LI"]).count() == 5
    assert eu.get(country="GB").valid_to == date(2020, 12, 31)
    assert not eu.filter(country="CH").exists()


def test_adequacy_for_the_us_depends_on_dpf_certification_from_the_programme_start():
    starts = dict(
        AdequacyDecision.objects.filter(country="US", scope="dpf").values_list(
            "regime", "valid_from"
        )
    )
    assert starts == {
        "EU": date(2023, 7, 10),
        "UK": date(2023, 10, 12),
        "CH": date(2024, 9, 15),
    }


def test_safe_harbor_is_valid_until_the_day_before_schrems_one():
    safe_harbor = MechanismValidity.objects.get(regime="EU", mechanism="safe_harbor")
    assert safe_harbor.valid_to == date(2015, 10, 5)
    old_sccs = MechanismValidity.objects.get(regime="UK", mechanism="scc_2010")
    assert old_sccs.valid_to == date(2024, 3, 21)


def test_the_eu_sccs_2021_are_not_seeded_as_a_uk_tool_and_an_old_seed_row_is_retired():
    assert not MechanismValidity.objects.filter(regime="UK", mechanism="scc_2021").exists()
    assert MechanismValidity.objects.filter(regime="EU", mechanism="scc_2021").exists()
    seeded = "UK GDPR Art. 46; see uk_addendum [S]"
    MechanismValidity.objects.create(regime="UK", mechanism="scc_2021", citation=seeded)
    retire_mechanism_rows(MechanismValidity)
    assert not MechanismValidity.objects.filter(regime="UK", mechanism="scc_2021").exists()
    MechanismValidity.objects.create(regime="UK", mechanism="scc_2021", citation="our counsel")
    retire_mechanism_rows(MechanismValidity)
    assert MechanismValidity.objects.filter(regime="UK", mechanism="scc_2021").exists()
