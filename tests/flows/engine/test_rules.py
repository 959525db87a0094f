"""Each rule: a case that fires and the nearest case that does not, built from records.
The transfer rules and the onward-transfer rule are in test_transfers.py.

The demo group (tests/flows/engine/record_builders.py): Acme Voice (own, US) with affiliates in DE,
CH and GB, CloudCo Hosting (US processor), BackupCo (Indian sub-processor engaged by CloudCo)
and Partner Inc (US third party). Flows have a lawful basis unless a test removes it.
"""

from __future__ import annotations

import inspect
from dataclasses import replace
from datetime import timedelta

import pytest

from flows.engine.records import SEVERITIES, Finding, Register
from flows.engine.rules import RULE_IDS, RULES, evaluate, findings_by_flow
from tests.flows.engine.record_builders import (
    AD_SALE,
    AD_SALE_TARGETED,
    AS_OF,
    CARD,
    CHILDRENS,
    CONTACT,
    DPA,
    EMAIL,
    GENETIC,
    HEALTH,
    PHONE,
    USER,
    agreement,
    base_parties,
    d,
    engagement,
    findings,
    flow,
    none_of,
    party,
    register,
    rules_for,
    the,
    with_party,
)

# -- the registry ---------------------------------------------------------------------------


def test_the_sixteen_rules_keep_their_identifiers_and_order():
    assert RULE_IDS == (
        "NO_AGREEMENT",
        "EXPIRED_AGREEMENT",
        "NDA_ONLY",
        "NO_LAWFUL_BASIS",
        "SPECIAL_CATEGORY_NO_ART9_CONDITION",
        "NO_TRANSFER_MECHANISM",
        "INVALID_TRANSFER_MECHANISM",
        "MISSING_TIA",
        "SCC_MODULE_MISMATCH",
        "DEROGATION_MISUSE",
        "TIA_AFTER_TRANSFER_START",
        "SUBPROCESSOR_NOT_AUTHORISED",
        "SUBPROCESSOR_NO_FLOWDOWN",
        "SUBPROCESSOR_AGREEMENT_UNCONFIRMED",
        "ONWARD_TRANSFER_UNCOVERED",
        "CHILD_DATA_NO_PARENTAL_CONSENT",
        "CARD_DATA_TO_NON_PCI_VENDOR",
        "PCI_NO_WRITTEN_ACKNOWLEDGMENT",
        "CRIMINAL_DATA_NO_ART10_AUTHORITY",
        "SALE_OR_SHARE_WITHOUT_CONSENT",
        "FLOW_TO_OFFBOARDED_PARTY",
        "PAST_COVERAGE_GAP",
        "AGREEMENT_EXPIRING",
    )


def test_every_rule_cites_its_legal_basis_in_its_docstring():
    for rule in RULES:
        assert rule.severity in SEVERITIES
        assert "Basis:" in (inspect.getdoc(rule.check) or ""), rule.identifier


def test_an_empty_register_gives_no_findings():
    assert evaluate(Register(parties={}, flows=()), AS_OF) == []
    assert evaluate(register(), AS_OF) == []


def test_a_covered_flow_gives_no_findings():
    assert findings(register([flow(1, "acme", "cloudco")], [DPA])) == []


def test_findings_come_worst_first_then_by_rule_and_flow():
    reg = register(
        [
            flow(2, "acme", "cloudco", lawful_basis=""),
            flow(1, "acme", "partner", role="controller", categories=(HEALTH,)),
        ]
    )
    found = findings(reg)
    assert found == sorted(found, key=Finding.sort_key)
    assert [(f.severity, f.rule, f.flow) for f in found] == [
        ("critical", "NO_AGREEMENT", 1),
        ("critical", "NO_LAWFUL_BASIS", 2),
        ("critical", "SPECIAL_CATEGORY_NO_ART9_CONDITION", 1),
        ("high", "NO_AGREEMENT", 2),
    ]
    assert [f.sort_key()[:3] for f in found] == sorted(f.sort_key()[:3] for f in found)


def test_only_flows_active_on_the_date_are_evaluated():
    reg = register(
        [
            flow(1, "acme", "cloudco", ended_on=AS_OF - timedelta(days=1)),
            flow(2, "acme", "cloudco", started_on=AS_OF + timedelta(days=1)),
            flow(3, "acme", "partner", role="controller", ended_on=AS_OF),
            flow(4, "acme", "partner", role="controller", started_on=AS_OF),
        ]
    )
    assert {f.flow for f in findings(reg)} == {3, 4}


def test_findings_can_be_grouped_by_flow():
    reg = register([flow(1, "acme", "cloudco", lawful_basis=""), flow(2, "acme", "partner")])
    grouped = findings_by_flow(findings(reg))
    assert [f.rule for f in grouped[1]] == ["NO_LAWFUL_BASIS", "NO_AGREEMENT"]
    assert [f.rule for f in grouped[2]] == ["NO_AGREEMENT"]


# -- NO_AGREEMENT, EXPIRED_AGREEMENT, NDA_ONLY ----------------------------------------------


def test_a_processor_flow_without_an_agreement_is_flagged():
    found = the(register([flow(1, "acme", "cloudco")]), "NO_AGREEMENT")
    assert (found.severity, found.flow, found.source, found.target) == (
        "high",
        1,
        "acme",
        "cloudco",
    )
    assert "No agreement binds Acme Voice and CloudCo Hosting" in found.message
    assert "data processing agreement (Art. 28)" in found.message
    assert found.citation.startswith("GDPR Art. 28(3)")
    assert found.remedy


@pytest.mark.parametrize("category", [HEALTH, GENETIC, CHILDRENS, CARD])
def test_no_agreement_is_critical_for_special_childrens_or_card_data(category):
    found = the(register([flow(1, "acme", "cloudco", categories=(category,))]), "NO_AGREEMENT")
    assert found.severity == "critical"
    assert category in found.message


def test_a_parent_category_carries_no_flag_so_no_agreement_stays_high():
    found = the(register([flow(1, "acme", "cloudco", categories=(USER,))]), "NO_AGREEMENT")
    assert found.severity == "high"


def test_an_agreement_of_a_kind_that_does_not_fit_the_role_does_not_count():
    sharing = agreement("sharing", "c2c_sharing", "acme", "cloudco")
    assert rules_for(register([flow(1, "acme", "cloudco")], [sharing]), 1) == {"NO_AGREEMENT"}
    as_controller = flow(1, "acme", "cloudco", role="controller")
    assert rules_for(register([as_controller], [sharing]), 1) == set()


def test_an_agreement_must_name_both_parties():
    other = agreement("dpa-other", "dpa", "acme", "partner")
    assert rules_for(register([flow(1, "acme", "cloudco")], [other]), 1) == {"NO_AGREEMENT"}


def test_an_agreement_covers_the_descendants_of_its_categories_but_no_others():
    contact_only = agreement("dpa-contact", "dpa", "acme", "cloudco", categories=[CONTACT])
    covered = flow(1, "acme", "cloudco", categories=(EMAIL, PHONE))
    assert rules_for(register([covered], [contact_only]), 1) == set()
    partly = flow(2, "acme", "cloudco", categories=(EMAIL, CARD))
    assert "NO_AGREEMENT" in rules_for(register([partly], [contact_only]), 2)


def test_an_intra_group_agreement_covers_controller_flows_inside_the_group_only():
    iga = agreement("iga", "intra_group", "acme", "acme-de", "partner")
    inside = flow(1, "acme", "acme-de", role="controller")
    outside = flow(2, "acme", "partner", role="controller")
    assert rules_for(register([inside, outside], [iga]), 1) == set()
    assert rules_for(register([inside, outside], [iga]), 2) == {"NO_AGREEMENT"}


def test_joint_controllers_need_an_arrangement():
    joint = flow(1, "acme", "partner", role="joint_controller")
    assert rules_for(register([joint]), 1) == {"NO_AGREEMENT"}
    jca = agreement("jca", "joint_controller_arrangement", "acme", "partner")
    assert rules_for(register([joint], [jca]), 1) == set()


def test_an_agreement_that_expired_is_named_with_its_expiry_date():
    expired = agreement("dpa-acme-2019", "dpa", "acme", "cloudco", expires_on=d("2023-01-31"))
    found = the(register([flow(1, "acme", "cloudco")], [expired]), "EXPIRED_AGREEMENT")
    assert found.severity == "high"
    assert "agreement dpa-acme-2019 expired on 2023-01-31" in found.message
    assert none_of(register([flow(1, "acme", "cloudco")], [expired]), "NO_AGREEMENT")


def test_an_agreement_expiring_on_the_date_still_covers_it_and_the_next_day_does_not():
    dpa = agreement("dpa-x", "dpa", "acme", "cloudco", expires_on=AS_OF)
    reg = register([flow(1, "acme", "cloudco")], [dpa])
    assert "EXPIRED_AGREEMENT" not in rules_for(reg, 1, AS_OF)
    assert "EXPIRED_AGREEMENT" in rules_for(reg, 1, AS_OF + timedelta(days=1))


def test_an_agreement_terminated_on_the_date_no_longer_covers_it():
    dpa = agreement("dpa-x", "dpa", "acme", "cloudco", terminated_on=AS_OF)
    reg = register([flow(1, "acme", "cloudco")], [dpa])
    assert "agreement dpa-x was terminated on 2024-06-01" in the(reg, "EXPIRED_AGREEMENT").message
    assert "EXPIRED_AGREEMENT" not in rules_for(reg, 1, AS_OF - timedelta(days=1))


def test_an_agreement_not_yet_effective_is_named_with_its_start():
    dpa = agreement("dpa-x", "dpa", "acme", "cloudco", effective_on=AS_OF + timedelta(days=1))
    found = the(register([flow(1, "acme", "cloudco")], [dpa]), "EXPIRED_AGREEMENT")
    assert "agreement dpa-x takes effect only on 2024-06-02" in found.message


def test_the_signature_date_stands_in_for_a_missing_effective_date():
    dpa = agreement("dpa-x", "dpa", "acme", "cloudco", signed_on=AS_OF)
    # Started with the agreement: no past day without it (PAST_COVERAGE_GAP).
    started = flow(1, "acme", "cloudco", started_on=AS_OF)
    assert rules_for(register([started], [dpa]), 1, AS_OF) == set()
    assert rules_for(
        register([flow(1, "acme", "cloudco")], [dpa]), 1, AS_OF - timedelta(days=1)
    ) == {"EXPIRED_AGREEMENT"}


def test_an_effective_agreement_beats_an_expired_one():
    old = agreement("dpa-old", "dpa", "acme", "cloudco", expires_on=d("2020-01-01"))
    assert rules_for(register([flow(1, "acme", "cloudco")], [old, DPA]), 1) == set()


def test_an_nda_alone_is_flagged_as_nda_only():
    nda = agreement("nda-cloudco", "nda", "acme", "cloudco", expires_on=d("2010-01-01"))
    found = the(register([flow(1, "acme", "cloudco")], [nda]), "NDA_ONLY")
    assert found.severity == "high"
    assert "nda-cloudco" in found.message
    assert none_of(register([flow(1, "acme", "cloudco")], [nda]), "NO_AGREEMENT")


def test_an_nda_next_to_a_qualifying_agreement_is_fine():
    nda = agreement("nda-cloudco", "nda", "acme", "cloudco")
    assert rules_for(register([flow(1, "acme", "cloudco")], [nda, DPA]), 1) == set()


def test_an_expired_agreement_takes_precedence_over_an_nda():
    nda = agreement("nda-cloudco", "nda", "acme", "cloudco")
    expired = agreement("dpa-old", "dpa", "acme", "cloudco", expires_on=d("2020-01-01"))
    assert rules_for(register([flow(1, "acme", "cloudco")], [nda, expired]), 1) == {
        "EXPIRED_AGREEMENT"
    }


# -- lawful basis, special categories, children, card data, sales ---------------------------


def test_a_flow_without_a_lawful_basis_is_flagged():
    found = the(register([flow(1, "acme", "cloudco", lawful_basis="")], [DPA]), "NO_LAWFUL_BASIS")
    assert found.severity == "critical"
    assert "No lawful basis" in found.message
    assert "Art. 6(1)" in found.citation


def test_a_sub_processor_flow_needs_no_lawful_basis_of_its_own():
    sub = flow(1, "cloudco", "backupco", role="subprocessor", lawful_basis="")
    assert none_of(register([sub]), "NO_LAWFUL_BASIS")


def test_special_category_data_without_an_art9_condition_is_flagged():
    reg = register([flow(1, "acme", "cloudco", categories=(GENETIC, EMAIL))], [DPA])
    found = the(reg, "SPECIAL_CATEGORY_NO_ART9_CONDITION")
    assert found.severity == "critical"
    assert found.categories == (GENETIC,)
    assert "Art. 9(2)" in found.message


def test_special_category_data_with_an_art9_condition_is_fine():
    record = flow(1, "acme", "cloudco", categories=(GENETIC,), art9_condition="explicit_consent")
    assert rules_for(register([record], [DPA]), 1) == set()


def test_a_sub_processor_needs_no_art9_condition_and_a_parent_category_is_not_special():
    sub = flow(1, "cloudco", "backupco", role="subprocessor", categories=(HEALTH,))
    parent = flow(2, "acme", "cloudco", categories=(USER,))
    assert none_of(register([sub, parent], [DPA]), "SPECIAL_CATEGORY_NO_ART9_CONDITION")


def test_childrens_data_without_consent_is_flagged():
    record = flow(
        1, "acme", "cloudco", categories=(CHILDRENS,), lawful_basis="legitimate_interests"
    )
    found = the(register([record], [DPA]), "CHILD_DATA_NO_PARENTAL_CONSENT")
    assert found.severity == "critical"
    assert (
        "rests on the lawful basis of legitimate interests (Art. 6(1)(f)), not (parental) consent"
        in (found.message)
    )
    assert found.categories == (CHILDRENS,)


def test_childrens_data_on_consent_or_at_a_sub_processor_is_fine():
    consented = flow(1, "acme", "cloudco", categories=(CHILDRENS,), lawful_basis="consent")
    sub = flow(2, "cloudco", "backupco", role="subprocessor", categories=(CHILDRENS,))
    assert none_of(register([consented, sub], [DPA]), "CHILD_DATA_NO_PARENTAL_CONSENT")


def test_card_data_to_a_vendor_without_an_attestation_is_flagged():
    found = the(
        register([flow(1, "acme", "cloudco", categories=(CARD,))], [DPA]),
        "CARD_DATA_TO_NON_PCI_VENDOR",
    )
    assert found.severity == "critical"
    assert "has no PCI DSS attestation" in found.message


@pytest.mark.parametrize(
    # 366 days before 2024-06-01 is 2023-06-01: exactly 12 calendar months, still counts.
    ("days_before", "flagged"),
    [(0, False), (366, False), (367, True), (-1, True)],
)
def test_a_pci_attestation_counts_for_the_12_months_up_to_the_date(days_before, flagged):
    attested = AS_OF - timedelta(days=days_before)
    parties = with_party(base_parties(), party("cloudco", name="CloudCo", pci_attested_on=attested))
    reg = register([flow(1, "acme", "cloudco", categories=(CARD,))], [DPA], parties=parties)
    assert ("CARD_DATA_TO_NON_PCI_VENDOR" in rules_for(reg, 1)) is flagged
    if flagged:
        assert attested.isoformat() in the(reg, "CARD_DATA_TO_NON_PCI_VENDOR").message


def test_card_data_inside_the_group_needs_no_attestation():
    record = flow(1, "acme", "acme-uk", role="controller", categories=(CARD,))
    assert none_of(register([record]), "CARD_DATA_TO_NON_PCI_VENDOR")


def test_a_sale_without_consent_is_flagged_and_the_flag_passes_to_narrower_purposes():
    sale = flow(1, "acme", "partner", role="controller", purpose=AD_SALE_TARGETED)
    sharing = agreement("share", "c2c_sharing", "acme", "partner")
    found = the(register([sale], [sharing]), "SALE_OR_SHARE_WITHOUT_CONSENT")
    assert found.severity == "critical"
    assert AD_SALE_TARGETED in found.message
    assert "rests on the lawful basis of contract (Art. 6(1)(b)), not consent" in found.message
    unbased = register([replace(sale, lawful_basis="")], [sharing])
    assert "records no lawful basis at all" in the(unbased, "SALE_OR_SHARE_WITHOUT_CONSENT").message


def test_a_sale_on_consent_is_fine():
    sale = flow(1, "acme", "partner", role="controller", purpose=AD_SALE, lawful_basis="consent")
    assert none_of(register([sale]), "SALE_OR_SHARE_WITHOUT_CONSENT")


# -- sub-processors (the dates and chains in detail: test_subprocessors.py) -----------------


def chain(authorisation: str = "none", **kw) -> Register:
    """Acme → CloudCo (processor, DPA) → BackupCo (sub-processor engaged by CloudCo, noticed
    long ago, its agreement evidenced)."""
    dpa = agreement(
        "dpa-cloudco",
        "dpa",
        "acme",
        "cloudco",
        subprocessor_authorisation=authorisation,
        flowdown=True,
    )
    sub_dpa = agreement("dpa-backupco", "dpa", "cloudco", "backupco", flowdown=True)
    parties = with_party(base_parties(), party("backupco", "subprocessor", "US", name="BackupCo"))
    flows = [
        flow(1, "acme", "cloudco"),
        flow(
            2, "cloudco", "backupco", role="subprocessor", categories=kw.pop("categories", (EMAIL,))
        ),
    ]
    engaged = engagement(**kw)
    return register(flows, [dpa, sub_dpa], parties=parties, engagements=[engaged])


def test_a_sub_processor_the_controller_did_not_allow_is_flagged():
    found = the(chain("none"), "SUBPROCESSOR_NOT_AUTHORISED")
    assert (found.severity, found.flow) == ("high", 2)
    assert "Acme Voice's agreement dpa-cloudco with CloudCo Hosting allows no sub-processors" in (
        found.message
    )


def test_a_general_authorisation_allows_the_sub_processor():
    assert none_of(chain("general"), "SUBPROCESSOR_NOT_AUTHORISED")


def test_a_specific_authorisation_needs_the_sub_processor_authorised():
    assert none_of(chain("specific", authorised_on=AS_OF), "SUBPROCESSOR_NOT_AUTHORISED")
    found = the(chain("specific"), "SUBPROCESSOR_NOT_AUTHORISED")
    assert "only with Acme Voice's specific authorisation, and none is recorded" in found.message


def test_an_upstream_flow_carrying_other_data_does_not_restrict_the_sub_processor():
    assert none_of(chain("none", categories=(CARD,)), "SUBPROCESSOR_NOT_AUTHORISED")
    assert "SUBPROCESSOR_NOT_AUTHORISED" in rules_for(chain("none", categories=(USER,)), 2)


def test_an_upstream_flow_without_an_agreement_is_flagged_there_not_downstream():
    flows = [flow(1, "acme", "cloudco"), flow(2, "cloudco", "backupco", role="subprocessor")]
    sub_dpa = agreement("dpa-backupco", "dpa", "cloudco", "backupco", flowdown=True)
    reg = register(flows, [sub_dpa], engagements=[engagement()])
    assert "NO_AGREEMENT" in rules_for(reg, 1)
    assert rules_for(reg, 2) & {"SUBPROCESSOR_NOT_AUTHORISED", "NO_AGREEMENT"} == set()


def test_a_sub_processor_agreement_without_flowdown_is_flagged():
    no_flowdown = agreement("dpa-backupco", "dpa", "cloudco", "backupco")
    sub = flow(1, "cloudco", "backupco", role="subprocessor")
    reg = register([sub], [no_flowdown], engagements=[engagement()])
    found = the(reg, "SUBPROCESSOR_NO_FLOWDOWN")
    assert found.severity == "high"
    assert "(dpa-backupco)" in found.message


def test_flowdown_in_one_qualifying_agreement_is_enough_and_none_is_asked_of_the_customer():
    plain = agreement("dpa-plain", "dpa", "cloudco", "backupco")
    scc = agreement("scc-m3", "scc_2021_m3", "cloudco", "backupco", flowdown=True)
    sub = flow(1, "cloudco", "backupco", role="subprocessor")
    assert none_of(register([sub], [plain, scc]), "SUBPROCESSOR_NO_FLOWDOWN")
    assert rules_for(register([sub], engagements=[engagement()]), 1) == set()


# -- AGREEMENT_EXPIRING ---------------------------------------------------------------------


@pytest.mark.parametrize(("days", "flagged"), [(0, True), (90, True), (91, False)])
def test_an_agreement_expiring_within_90_days_is_a_watch_item(days, flagged):
    dpa = agreement("dpa-x", "dpa", "acme", "cloudco", expires_on=AS_OF + timedelta(days=days))
    reg = register([flow(1, "acme", "cloudco")], [dpa])
    assert ("AGREEMENT_EXPIRING" in rules_for(reg, 1)) is flagged
    if flagged:
        found = the(reg, "AGREEMENT_EXPIRING")
        assert found.severity == "info"
        expires = (AS_OF + timedelta(days=days)).isoformat()
        assert f"Agreement dpa-x between Acme Voice and CloudCo Hosting expires on {expires}" in (
            found.message
        )


def test_an_expired_agreement_is_no_longer_expiring():
    dpa = agreement("dpa-x", "dpa", "acme", "cloudco", expires_on=AS_OF - timedelta(days=1))
    assert none_of(register([flow(1, "acme", "cloudco")], [dpa]), "AGREEMENT_EXPIRING")


# -- every finding can be acted on ----------------------------------------------------------


def test_every_finding_names_a_citation_a_remedy_and_its_flow():
    reg = register(
        [
            flow(1, "acme", "cloudco", categories=(CARD, CHILDRENS, HEALTH), lawful_basis=""),
            flow(2, "cloudco", "backupco", role="subprocessor", categories=(USER,)),
            flow(3, "acme-de", "cloudco", transfer_mechanism="safe_harbor"),
            flow(4, "acme", "partner", role="controller", purpose=AD_SALE),
        ],
        [agreement("dpa-cloudco", "dpa", "acme", "cloudco", expires_on=AS_OF + timedelta(days=5))],
    )
    found = findings(reg)
    assert {f.rule for f in found} >= {
        "NO_AGREEMENT",
        "NO_LAWFUL_BASIS",
        "SPECIAL_CATEGORY_NO_ART9_CONDITION",
        "INVALID_TRANSFER_MECHANISM",
        "ONWARD_TRANSFER_UNCOVERED",
        "CHILD_DATA_NO_PARENTAL_CONSENT",
        "CARD_DATA_TO_NON_PCI_VENDOR",
        "SALE_OR_SHARE_WITHOUT_CONSENT",
        "AGREEMENT_EXPIRING",
    }
    for finding in found:
        assert finding.message.endswith(".")
        assert finding.citation and finding.remedy
        assert finding.flow in {1, 2, 3, 4}
        assert finding.as_dict()["rule"] == finding.rule
