"""Card data (the 12-month attestation, the written acknowledgment), criminal-offence data and
flows with offboarded parties: each rule fires, the nearest case does not, on both sides of
every date edge. The demo group is described in tests/flows/engine/record_builders.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from flows.engine.records import CategoryRecord, Register
from flows.engine.rules import RULES_BY_ID
from flows.engine.rules.lawfulness import pci_attestation_fresh
from tests.flows.engine.record_builders import (
    AS_OF,
    CARD,
    DPA,
    EMAIL,
    agreement,
    base_parties,
    d,
    flow,
    none_of,
    party,
    register,
    rules_for,
    the,
    with_party,
)

CARD_RULE = "CARD_DATA_TO_NON_PCI_VENDOR"
ACK_RULE = "PCI_NO_WRITTEN_ACKNOWLEDGMENT"
CRIMINAL_RULE = "CRIMINAL_DATA_NO_ART10_AUTHORITY"
OFFBOARDED_RULE = "FLOW_TO_OFFBOARDED_PARTY"
CRIMINAL = "user.criminal_history"
CONVICTIONS = "user.criminal_history.convictions"


def _attested(on: date) -> dict:
    return with_party(base_parties(), party("cloudco", name="CloudCo Hosting", pci_attested_on=on))


def _card_register(attested: date | None = None, *agreements) -> Register:
    parties = _attested(attested) if attested is not None else None
    card = flow(1, "acme", "cloudco", categories=(CARD,))
    return register([card], [DPA, *agreements], parties=parties)


# -- CARD_DATA_TO_NON_PCI_VENDOR: 12 calendar months ----------------------------------------


@pytest.mark.parametrize(
    ("attested", "day", "fresh"),
    [
        ("2025-03-01", "2026-03-01", True),
        ("2025-03-01", "2026-03-02", False),
        ("2025-03-01", "2025-03-01", True),
        ("2025-03-01", "2025-02-28", False),
        # 29 February: 12 months later is 28 February, the last day of the shorter month.
        ("2024-02-29", "2025-02-28", True),
        ("2024-02-29", "2025-03-01", False),
        ("2023-02-28", "2024-02-28", True),
        ("2023-02-28", "2024-02-29", False),
    ],
)
def test_an_attestation_counts_for_12_calendar_months(attested, day, fresh):
    assert pci_attestation_fresh(d(attested), d(day)) is fresh
    reg = _card_register(d(attested))
    assert (CARD_RULE in rules_for(reg, 1, d(day))) is not fresh


def test_a_stale_attestation_is_said_to_be_more_than_12_months_old():
    found = the(_card_register(d("2025-03-01")), CARD_RULE, d("2026-03-02"))
    assert found.severity == "critical"
    assert (
        "CloudCo Hosting receives payment card data (user.financial.credit_card) from Acme "
        "Voice but was last attested PCI DSS compliant on 2025-03-01, more than 12 months "
        "before 2026-03-02." == found.message
    )


# -- PCI_NO_WRITTEN_ACKNOWLEDGMENT ----------------------------------------------------------


def _ack(**kw) -> object:
    return agreement("pci-cloudco", "pci_responsibility", "acme", "cloudco", **kw)


def test_card_data_to_a_service_provider_without_an_acknowledgment_is_critical():
    found = the(_card_register(AS_OF), ACK_RULE)
    assert found.severity == "critical" == RULES_BY_ID[ACK_RULE].severity
    assert found.flow == 1 and found.categories == (CARD,)
    assert found.message.startswith(
        "CloudCo Hosting receives payment card data (user.financial.credit_card) from Acme "
        "Voice as a service provider, but no written acknowledgment of its responsibility for "
        "the security of that data (PCI DSS responsibility acknowledgment) binds them on "
        "2024-06-01"
    )
    # A fresh attestation clears the attestation rule, not this one.
    assert "an attestation of compliance does not count as one." in found.message
    assert none_of(_card_register(AS_OF), CARD_RULE)
    assert found.citation == "PCI DSS v4.0.1 Req. 12.8.2"


def test_an_acknowledgment_in_force_on_the_date_clears_the_finding():
    assert none_of(_card_register(AS_OF, _ack()), ACK_RULE)


@pytest.mark.parametrize(
    ("kw", "flagged", "words"),
    [
        ({"expires_on": AS_OF}, False, ""),
        ({"expires_on": AS_OF - timedelta(days=1)}, True, "expired on 2024-05-31"),
        ({"signed_on": AS_OF}, False, ""),
        ({"signed_on": AS_OF + timedelta(days=1)}, True, "takes effect only on 2024-06-02"),
        ({"terminated_on": AS_OF + timedelta(days=1)}, False, ""),
        ({"terminated_on": AS_OF}, True, "was terminated on 2024-06-01"),
    ],
)
def test_an_acknowledgment_counts_only_while_in_force(kw, flagged, words):
    reg = _card_register(AS_OF, _ack(**kw))
    assert (ACK_RULE in rules_for(reg, 1)) is flagged
    if flagged:
        assert f"agreement pci-cloudco {words}" in the(reg, ACK_RULE).message


def test_an_acknowledgment_between_other_parties_or_another_kind_does_not_count():
    other = agreement("pci-de", "pci_responsibility", "acme-de", "cloudco")
    assert ACK_RULE in rules_for(_card_register(AS_OF, other), 1)
    assert ACK_RULE in rules_for(_card_register(AS_OF), 1)  # the DPA is no acknowledgment


def test_no_acknowledgment_is_asked_inside_the_group_of_a_sub_processor_or_without_card_data():
    inside = flow(1, "acme", "acme-uk", role="controller", categories=(CARD,))
    sub = flow(2, "cloudco", "backupco", role="subprocessor", categories=(CARD,))
    email = flow(3, "acme", "cloudco", categories=(EMAIL,))
    assert none_of(register([inside, sub, email], [DPA]), ACK_RULE)


# -- CRIMINAL_DATA_NO_ART10_AUTHORITY -------------------------------------------------------


def _with_convictions(reg: Register) -> Register:
    categories = {**reg.categories, CONVICTIONS: CategoryRecord(CONVICTIONS, parent=CRIMINAL)}
    return replace(reg, categories=categories)


def test_criminal_offence_data_without_an_authority_is_critical():
    record = flow(1, "acme", "cloudco", categories=(EMAIL, CRIMINAL))
    found = the(register([record], [DPA]), CRIMINAL_RULE)
    assert found.severity == "critical" == RULES_BY_ID[CRIMINAL_RULE].severity
    assert found.categories == (CRIMINAL,)
    assert found.message == (
        "The flow from Acme Voice to CloudCo Hosting carries criminal-offence data "
        "(user.criminal_history) but records no legal authority for it (official authority, "
        "or the law that authorises it)."
    )
    assert "GDPR Art. 10" in found.citation


def test_the_criminal_flag_passes_to_narrower_categories_not_to_broader_ones():
    narrower = flow(1, "acme", "cloudco", categories=(CONVICTIONS,))
    broader = flow(2, "acme", "cloudco", categories=("user",))
    reg = _with_convictions(register([narrower, broader], [DPA]))
    assert CRIMINAL_RULE in rules_for(reg, 1)
    assert CRIMINAL_RULE not in rules_for(reg, 2)


@pytest.mark.parametrize(("authority", "flagged"), [("", True), ("  ", True), ("DBS Act", False)])
def test_a_recorded_authority_clears_the_finding(authority, flagged):
    record = flow(1, "acme", "cloudco", categories=(CRIMINAL,), art10_authority=authority)
    assert (CRIMINAL_RULE in rules_for(register([record], [DPA]), 1)) is flagged


def test_a_sub_processor_is_not_asked_for_an_authority():
    sub = flow(1, "cloudco", "backupco", role="subprocessor", categories=(CRIMINAL,))
    assert none_of(register([sub], [DPA]), CRIMINAL_RULE)


# -- FLOW_TO_OFFBOARDED_PARTY ---------------------------------------------------------------


def _offboarded(slug: str, name: str, **kw) -> dict:
    return with_party(base_parties(), party(slug, name=name, status="offboarded", **kw))


def test_an_active_flow_to_an_offboarded_party_is_flagged():
    parties = _offboarded("cloudco", "CloudCo Hosting")
    found = the(register([flow(1, "acme", "cloudco")], [DPA], parties), OFFBOARDED_RULE)
    assert found.severity == "high" == RULES_BY_ID[OFFBOARDED_RULE].severity
    assert found.message == (
        "CloudCo Hosting is offboarded, but the flow of user.contact.email from Acme Voice to "
        "CloudCo Hosting is still recorded as active on 2024-06-01."
    )
    assert "Art. 28(3)(g)" in found.citation and "returned or deleted" in found.remedy


def test_an_active_flow_from_an_offboarded_party_is_flagged_too():
    parties = _offboarded("cloudco", "CloudCo Hosting")
    sub = flow(2, "cloudco", "backupco", role="subprocessor")
    found = the(register([sub], [], parties), OFFBOARDED_RULE)
    assert found.message.startswith("CloudCo Hosting is offboarded, but the flow")
    assert found.flow == 2


def test_both_ends_offboarded_are_named_once_in_one_finding():
    parties = {
        **_offboarded("cloudco", "CloudCo Hosting"),
        "backupco": party("backupco", "subprocessor", "IN", name="BackupCo", status="offboarded"),
    }
    sub = flow(2, "cloudco", "backupco", role="subprocessor")
    found = the(register([sub], [], parties), OFFBOARDED_RULE)
    assert found.message.startswith("CloudCo Hosting and BackupCo are offboarded")


@pytest.mark.parametrize(("ended", "flagged"), [(AS_OF, True), (AS_OF - timedelta(days=1), False)])
def test_a_flow_ended_before_the_date_is_no_longer_flagged(ended, flagged):
    parties = _offboarded("cloudco", "CloudCo Hosting")
    record = flow(1, "acme", "cloudco", ended_on=ended)
    reg = register([record], [DPA], parties)
    assert (OFFBOARDED_RULE in rules_for(reg, 1)) is flagged


@pytest.mark.parametrize("status", ["approved", "submitted", "rejected", "draft"])
def test_a_party_in_any_other_status_gives_no_such_finding(status):
    parties = with_party(base_parties(), party("cloudco", name="CloudCo", status=status))
    assert none_of(register([flow(1, "acme", "cloudco")], [DPA], parties), OFFBOARDED_RULE)
