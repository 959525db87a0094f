"""The transfer rules (flows/engine/rules/transfers.py) and the onward-transfer chain rule
(flows/engine/rules/chains.py).

Acme GmbH (DE) sends contact data to CloudCo Hosting (US processor) unless a test says
otherwise; the date edges follow the seeded mechanism table.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from flows.engine.records import Register
from tests.flows.engine.record_builders import (
    AS_OF,
    CARD,
    DPA,
    EMAIL,
    USER,
    agreement,
    base_parties,
    d,
    engagement,
    flow,
    none_of,
    party,
    register,
    rules_for,
    the,
    with_party,
)

# -- transfers ------------------------------------------------------------------------------

DE_DPA = agreement("dpa-de", "dpa", "acme-de", "cloudco", flowdown=True)
SCC_M2 = agreement("scc-de-cloudco", "scc_2021_m2", "acme-de", "cloudco")


def transfer(mechanism: str = "", **kw) -> Register:
    """Acme GmbH (DE) sends contact data to CloudCo Hosting (US) under a DPA."""
    agreements = kw.pop("agreements", [DE_DPA, SCC_M2])
    parties = kw.pop("parties", None)
    record = flow(1, "acme-de", "cloudco", transfer_mechanism=mechanism, **kw)
    return register([record], agreements, parties=parties)


def test_a_transfer_without_a_mechanism_is_flagged_naming_the_country():
    found = the(transfer(), "NO_TRANSFER_MECHANISM")
    assert found.severity == "critical"
    assert "Acme GmbH (DE) is in the EEA" in found.message
    assert "processes the data in US" in found.message
    assert "EU GDPR" in found.message
    assert "not certified under the EU-US Data Privacy Framework" in found.message
    assert "Arts. 44-46" in found.citation


def test_a_flow_from_the_us_or_inside_the_eea_is_no_restricted_transfer():
    assert none_of(register([flow(1, "acme", "cloudco")], [DPA]), "NO_TRANSFER_MECHANISM")
    assert none_of(transfer(processing_countries=("IE",)), "NO_TRANSFER_MECHANISM")


def test_a_dpf_certification_that_lapses_turns_the_flow_into_a_restricted_transfer():
    certified = party("cloudco", name="CloudCo Hosting", dpf_certified_until=d("2024-03-31"))
    parties = with_party(base_parties(), certified)
    reg = transfer(parties=parties)
    assert none_of(reg, "NO_TRANSFER_MECHANISM", d("2024-03-31"))
    found = the(reg, "NO_TRANSFER_MECHANISM", d("2024-04-01"))
    assert (
        "CloudCo Hosting's certification under the EU-US Data Privacy Framework ended on 2024-03-31"
    ) in found.message


def test_the_dpf_as_mechanism_is_invalid_once_the_certification_lapses():
    certified = party("cloudco", name="CloudCo Hosting", dpf_certified_until=d("2024-03-31"))
    reg = transfer("dpf", parties=with_party(base_parties(), certified))
    assert none_of(reg, "INVALID_TRANSFER_MECHANISM", d("2024-03-31"))
    found = the(reg, "INVALID_TRANSFER_MECHANISM", d("2024-04-01"))
    assert "The Data Privacy Framework cannot cover this transfer" in found.message
    assert "Data Privacy Framework ended on 2024-03-31" in found.message


def test_adequacy_cannot_be_the_mechanism_of_a_restricted_transfer():
    found = the(transfer("adequacy"), "INVALID_TRANSFER_MECHANISM")
    assert "An adequacy decision cannot cover this transfer: US is not adequate" in found.message


def test_safe_harbor_is_fine_on_2015_10_05_and_invalid_from_2015_10_06():
    dpa = agreement("dpa-de", "dpa", "acme-de", "cloudco", signed_on=d("2010-01-01"))
    reg = transfer("safe_harbor", agreements=[dpa], started_on=d("2010-01-01"))
    assert rules_for(reg, 1, d("2015-10-05")) == set()
    found = the(reg, "INVALID_TRANSFER_MECHANISM", d("2015-10-06"))
    assert found.severity == "critical"
    assert "Safe Harbor was invalidated on 2015-10-06 (CJEU C-362/14, Schrems I)" in found.message


def test_swiss_safe_harbor_stopped_being_a_valid_basis_on_2015_10_22():
    dpa = agreement("dpa-ch", "dpa", "acme-ch", "cloudco", signed_on=d("2010-01-01"))
    record = flow(
        1, "acme-ch", "cloudco", transfer_mechanism="safe_harbor", started_on=d("2010-01-01")
    )
    reg = register([record], [dpa])
    assert rules_for(reg, 1, d("2015-10-21")) == set()
    found = the(reg, "INVALID_TRANSFER_MECHANISM", d("2015-10-22"))
    assert "restricted under the Swiss FADP" in found.message
    assert "Safe Harbor stopped being a valid basis on 2015-10-22 (FDPIC statement" in found.message
    assert "FADP Arts. 16-17" in found.citation


def test_a_uk_exporter_relies_on_the_dpf_only_from_the_uk_extension_of_2023_10_12():
    certified = party(
        "cloudco",
        name="CloudCo Hosting",
        dpf_certified_until=d("2030-01-01"),
        dpf_uk_certified_until=d("2030-01-01"),
    )
    dpa = agreement("dpa-uk", "dpa", "acme-uk", "cloudco")
    reg = register(
        [flow(1, "acme-uk", "cloudco", transfer_mechanism="dpf")],
        [dpa],
        parties=with_party(base_parties(), certified),
    )
    assert (
        "not adequate for the UK GDPR on 2023-10-11"
        in the(reg, "INVALID_TRANSFER_MECHANISM", d("2023-10-11")).message
    )
    assert rules_for(reg, 1, d("2023-10-12")) == set()


def test_privacy_shield_is_invalid_from_2020_07_16():
    reg = transfer("privacy_shield", agreements=[DE_DPA], started_on=d("2016-08-01"))
    assert none_of(reg, "INVALID_TRANSFER_MECHANISM", d("2020-07-15"))
    found = the(reg, "INVALID_TRANSFER_MECHANISM", d("2020-07-16"))
    assert "Privacy Shield was invalidated on 2020-07-16 (CJEU C-311/18, Schrems II)" in (
        found.message
    )


def test_old_sccs_are_fine_on_2022_12_27_and_invalid_from_2022_12_28():
    old = agreement("scc-2010", "scc_2010_c2p", "acme-de", "cloudco")
    reg = transfer("scc_2010", agreements=[DE_DPA, old], transfer_agreement="scc-2010")
    assert none_of(reg, "INVALID_TRANSFER_MECHANISM", d("2022-12-27"))
    found = the(reg, "INVALID_TRANSFER_MECHANISM", d("2022-12-28"))
    assert "SCCs 2010/87/EU could be relied on only until 2022-12-27" in found.message


def test_old_sccs_last_until_2024_03_21_for_a_uk_exporter():
    uk = flow(1, "acme-uk", "cloudco", transfer_mechanism="scc_2010", transfer_agreement="scc-2010")
    old = agreement("scc-2010", "scc_2010_c2p", "acme-uk", "cloudco")
    reg = register([uk], [agreement("dpa-uk", "dpa", "acme-uk", "cloudco"), old])
    assert none_of(reg, "INVALID_TRANSFER_MECHANISM", d("2024-03-21"))
    found = the(reg, "INVALID_TRANSFER_MECHANISM", d("2024-03-22"))
    assert "UK GDPR" in found.message
    assert "until 2024-03-21" in found.message


def test_a_uk_transfer_tool_is_no_mechanism_for_an_eu_exporter():
    found = the(transfer("uk_idta"), "INVALID_TRANSFER_MECHANISM")
    assert "The UK IDTA is not a transfer mechanism under the EU GDPR" in found.message


def test_sccs_2021_need_an_effective_transfer_agreement_naming_both_parties():
    assert (
        "needs a transfer agreement"
        in the(transfer("scc_2021"), "INVALID_TRANSFER_MECHANISM").message
    )
    unknown = transfer("scc_2021", transfer_agreement="scc-missing")
    assert (
        "scc-missing is not in the register" in the(unknown, "INVALID_TRANSFER_MECHANISM").message
    )
    wrong = transfer("scc_2021", transfer_agreement="dpa-de")
    assert (
        "dpa-de is a data processing agreement" in the(wrong, "INVALID_TRANSFER_MECHANISM").message
    )
    other = agreement("scc-other", "scc_2021_m2", "acme-ch", "cloudco")
    stranger = transfer("scc_2021", transfer_agreement="scc-other", agreements=[DE_DPA, other])
    assert "does not name both" in the(stranger, "INVALID_TRANSFER_MECHANISM").message


def test_sccs_2021_whose_agreement_expired_are_invalid_from_the_next_day():
    scc = agreement("scc-de", "scc_2021_m2", "acme-de", "cloudco", expires_on=AS_OF)
    reg = transfer(
        "scc_2021", transfer_agreement="scc-de", tia_on=d("2022-01-01"), agreements=[DE_DPA, scc]
    )
    # The SCCs are also the flow's Art. 28 terms (module 2), hence the watch item.
    assert rules_for(reg, 1, AS_OF) == {"AGREEMENT_EXPIRING"}
    found = the(reg, "INVALID_TRANSFER_MECHANISM", AS_OF + timedelta(days=1))
    assert "transfer agreement scc-de expired on 2024-06-01" in found.message


def test_sccs_2021_with_their_agreement_and_a_tia_are_fine():
    reg = transfer("scc_2021", transfer_agreement="scc-de-cloudco", tia_on=d("2023-01-01"))
    assert rules_for(reg, 1) == set()


def test_a_transfer_on_valid_sccs_without_a_tia_is_flagged():
    found = the(transfer("scc_2021", transfer_agreement="scc-de-cloudco"), "MISSING_TIA")
    assert found.severity == "high"
    assert "no transfer impact assessment is recorded" in found.message


def test_a_tia_dated_after_the_date_does_not_count_yet():
    reg = transfer(
        "scc_2021", transfer_agreement="scc-de-cloudco", tia_on=AS_OF + timedelta(days=1)
    )
    assert "dated 2024-06-02, after 2024-06-01" in the(reg, "MISSING_TIA").message
    assert none_of(reg, "MISSING_TIA", AS_OF + timedelta(days=1))


def test_an_invalid_mechanism_is_not_also_asked_for_a_tia():
    reg = transfer("scc_2021")
    assert "INVALID_TRANSFER_MECHANISM" in rules_for(reg, 1)
    assert "MISSING_TIA" not in rules_for(reg, 1)


def test_a_transfer_to_an_adequate_country_needs_no_mechanism_or_tia():
    parties = with_party(base_parties(), party("cloudco", name="CloudCo", country="JP"))
    assert rules_for(transfer(parties=parties), 1) == set()


def test_a_wrong_scc_module_is_flagged_with_the_one_needed():
    m1 = agreement("scc-m1", "scc_2021_m1", "acme-de", "cloudco")
    reg = transfer(
        "scc_2021", transfer_agreement="scc-m1", tia_on=d("2023-01-01"), agreements=[DE_DPA, m1]
    )
    found = the(reg, "SCC_MODULE_MISMATCH")
    assert found.severity == "high"
    assert "scc-m1 is SCCs 2021 module 1 (controller to controller)" in found.message
    assert "SCCs 2021 module 2 (controller to processor) is needed" in found.message


@pytest.mark.parametrize(
    ("source", "role", "module"),
    [
        ("acme-de", "controller", "scc_2021_m1"),
        ("acme-de", "processor", "scc_2021_m2"),
        ("cloudco", "subprocessor", "scc_2021_m3"),
        ("cloudco", "controller", "scc_2021_m4"),
    ],
)
def test_the_module_that_fits_the_two_sides_is_not_flagged(source, role, module):
    scc = agreement("scc", module, source, "backupco")
    record = flow(
        1, source, "backupco", role=role, transfer_mechanism="scc_2021", transfer_agreement="scc"
    )
    assert none_of(register([record], [scc]), "SCC_MODULE_MISMATCH")


def test_a_processor_sending_to_a_sub_processor_on_module_2_is_flagged():
    scc = agreement("scc", "scc_2021_m2", "cloudco", "backupco")
    record = flow(1, "cloudco", "backupco", role="subprocessor", transfer_agreement="scc")
    assert "module 3" in the(register([record], [scc]), "SCC_MODULE_MISMATCH").message


# -- onward transfers -----------------------------------------------------------------------

GENERAL_DPA = agreement(
    "dpa-cloudco", "dpa", "acme", "cloudco", flowdown=True, subprocessor_authorisation="general"
)
"""Acme's DPA with CloudCo Hosting, allowing sub-processors after notice."""


def test_a_message_names_another_flow_by_its_reference_when_it_has_one():
    reg = register(
        [
            flow(1, "acme", "cloudco"),
            flow(2, "cloudco", "backupco", role="subprocessor", reference="cloudco-to-backupco"),
        ],
        [DPA],
    )
    assert (
        "(flow cloudco-to-backupco) is not authorised (no engagement of BackupCo by CloudCo "
        "Hosting is recorded)" in the(reg, "ONWARD_TRANSFER_UNCOVERED").message
    )


def test_an_uncovered_hop_further_down_flags_the_first_hop_with_its_path():
    reg = register(
        [flow(1, "acme", "cloudco"), flow(2, "cloudco", "backupco", role="subprocessor")], [DPA]
    )
    found = the(reg, "ONWARD_TRANSFER_UNCOVERED")
    assert (found.severity, found.flow) == ("high", 1)
    assert found.path == ("acme", "cloudco", "backupco")
    assert found.categories == (EMAIL,)
    assert found.message.startswith("Data of user.contact.email sent to CloudCo Hosting")
    assert "CloudCo Hosting → BackupCo (flow 2) is not authorised" in found.message


def test_a_covered_chain_is_fine():
    """An authorised sub-processor: engaged, noticed, the objection period run."""
    flows = [flow(1, "acme", "cloudco"), flow(2, "cloudco", "backupco", role="subprocessor")]
    reg = register(flows, [GENERAL_DPA], engagements=[engagement()])
    assert none_of(reg, "ONWARD_TRANSFER_UNCOVERED")


@pytest.mark.parametrize(
    ("downstream", "words"),
    [
        ({}, "is not authorised (no engagement of BackupCo by Host GmbH is recorded)"),
        ({"ended": True}, "the engagement of BackupCo by Host GmbH ended on 2020-01-01"),
        ({"objected": True}, "Acme Voice objected to BackupCo on 2024-05-01"),
        ({"mechanism": ""}, "is a restricted transfer with no transfer mechanism"),
        ({"mechanism": "safe_harbor"}, "Safe Harbor was invalidated on 2015-10-06"),
    ],
)
def test_each_kind_of_uncovered_hop_counts_for_the_chain(downstream, words):
    agreements = [GENERAL_DPA, agreement("dpa-de", "dpa", "cloudco", "host-de", flowdown=True)]
    engagements = [engagement("cloudco", "host-de")]
    if downstream.get("ended"):
        engagements.append(engagement("host-de", "backupco", ended_on=d("2020-01-01")))
    elif downstream.get("objected"):
        engagements.append(engagement("host-de", "backupco", objected_on=d("2024-05-01")))
    elif "mechanism" in downstream:
        engagements.append(engagement("host-de", "backupco"))
    parties = with_party(base_parties(), party("host-de", "processor", "DE", name="Host GmbH"))
    reg = register(
        [
            flow(1, "acme", "cloudco"),
            flow(2, "cloudco", "host-de", role="subprocessor"),
            flow(
                3,
                "host-de",
                "backupco",
                role="subprocessor",
                transfer_mechanism=downstream.get("mechanism", ""),
            ),
        ],
        agreements,
        parties=parties,
        engagements=engagements,
    )
    found = the(reg, "ONWARD_TRANSFER_UNCOVERED")
    assert found.path == ("acme", "cloudco", "host-de", "backupco")
    assert words in found.message


def test_the_data_must_be_the_same_category_all_along_the_chain():
    unrelated = register(
        [
            flow(1, "acme", "cloudco"),
            flow(2, "cloudco", "backupco", role="subprocessor", categories=(CARD,)),
        ],
        [DPA],
    )
    assert none_of(unrelated, "ONWARD_TRANSFER_UNCOVERED")
    broader = register(
        [
            flow(1, "acme", "cloudco"),
            flow(2, "cloudco", "backupco", role="subprocessor", categories=(USER,)),
        ],
        [DPA],
    )
    assert the(broader, "ONWARD_TRANSFER_UNCOVERED").categories == (EMAIL,)


def test_a_chain_starting_at_another_group_member_is_not_an_onward_transfer_of_ours():
    reg = register(
        [flow(1, "acme-de", "cloudco"), flow(2, "cloudco", "backupco", role="subprocessor")],
        [DE_DPA, SCC_M2],
    )
    assert none_of(reg, "ONWARD_TRANSFER_UNCOVERED")


def test_a_hop_back_to_the_own_party_is_not_an_onward_transfer():
    back = flow(2, "cloudco", "acme", role="controller")
    assert none_of(register([flow(1, "acme", "cloudco"), back], [DPA]), "ONWARD_TRANSFER_UNCOVERED")


def test_an_onward_chain_through_a_cycle_still_ends():
    reg = register(
        [
            flow(1, "acme", "cloudco"),
            flow(2, "cloudco", "partner", role="controller"),
            flow(3, "partner", "cloudco", role="processor"),
        ],
        [DPA, agreement("share", "c2c_sharing", "cloudco", "partner")],
    )
    found = the(reg, "ONWARD_TRANSFER_UNCOVERED")
    assert found.path == ("acme", "cloudco", "partner", "cloudco")
