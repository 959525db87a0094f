"""Sub-processor hops judged as GDPR Art. 28(2) and 28(4) frame them: the engagement of the
sub-processor by the processor, against the controller's agreement with the first processor
(SUBPROCESSOR_NOT_AUTHORISED, SUBPROCESSOR_NO_FLOWDOWN, SUBPROCESSOR_AGREEMENT_UNCONFIRMED),
and what an unauthorised hop means for the chain (ONWARD_TRANSFER_UNCOVERED).

The chain: Acme Voice → CloudCo Hosting (processor, Acme's DPA dpa-cloudco) → BackupCo
(sub-processor, here in the US unless a test moves it), on 2024-06-01 (AS_OF).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from flows.engine.engagements import objection_deadline
from flows.engine.records import EngagementRecord, Register
from tests.flows.engine.record_builders import (
    AS_OF,
    CARD,
    CHILDRENS,
    EMAIL,
    HEALTH,
    USER,
    agreement,
    base_parties,
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

NOT_AUTHORISED = "SUBPROCESSOR_NOT_AUTHORISED"
NO_FLOWDOWN = "SUBPROCESSOR_NO_FLOWDOWN"
UNCONFIRMED = "SUBPROCESSOR_AGREEMENT_UNCONFIRMED"
CHAIN_RULES = {NOT_AUTHORISED, NO_FLOWDOWN, UNCONFIRMED}
DAY = timedelta(days=1)


def parties(backupco_country: str = "US"):
    found = with_party(
        base_parties(), party("backupco", "subprocessor", backupco_country, name="BackupCo")
    )
    return with_party(found, party("host-de", "processor", "DE", name="Host GmbH"))


def hop(
    *engagements: EngagementRecord,
    authorisation: str = "general",
    flowdown: bool = True,
    categories: tuple[str, ...] = (EMAIL,),
    upstream: tuple[str, ...] | None = None,
    extra: tuple = (),
    **dpa,
) -> Register:
    """Acme → CloudCo (DPA with the given terms) → BackupCo, with the given engagements."""
    terms = agreement(
        "dpa-cloudco",
        "dpa",
        "acme",
        "cloudco",
        flowdown=flowdown,
        subprocessor_authorisation=authorisation,
        **dpa,
    )
    flows = [
        flow(1, "acme", "cloudco", categories=upstream or categories),
        flow(2, "cloudco", "backupco", role="subprocessor", categories=categories),
    ]
    return register(flows, [terms, *extra], parties=parties(), engagements=engagements)


def chain_findings(reg: Register, flow_id: int = 2, as_of=AS_OF) -> dict[str, str]:
    """Rule -> message of the chain rules' findings on one flow."""
    return {
        f.rule: f.message
        for f in findings(reg, as_of)
        if f.flow == flow_id and f.rule in CHAIN_RULES
    }


# -- a hop with everything in order --------------------------------------------------------


def test_an_engaged_noticed_evidenced_sub_processor_under_general_authorisation_is_fine():
    assert rules_for(hop(engagement()), 2) == set()
    assert rules_for(hop(engagement()), 1) == set()


def test_no_agreement_kind_is_asked_of_a_sub_processor_hop():
    """The customer holds no contract with the sub-processor (Art. 28(4)): the three
    agreement rules do not apply to the hop, whatever is recorded between the two."""
    nda = agreement("nda-b", "nda", "cloudco", "backupco")
    expired = agreement("dpa-b", "dpa", "cloudco", "backupco", expires_on=AS_OF - DAY)
    for extra in ((), (nda,), (expired,)):
        found = rules_for(hop(engagement(), extra=extra), 2)
        assert not found & {"NO_AGREEMENT", "EXPIRED_AGREEMENT", "NDA_ONLY"}


# -- SUBPROCESSOR_NOT_AUTHORISED: the engagement -------------------------------------------


def test_a_hop_without_an_engagement_is_not_authorised():
    found = the(hop(), NOT_AUTHORISED)
    assert (found.severity, found.flow) == ("high", 2)
    assert found.message == (
        "CloudCo Hosting passes data it receives from Acme Voice (flow 1) on to sub-processor "
        "BackupCo, but no engagement of BackupCo by CloudCo Hosting is recorded."
    )
    assert "Record CloudCo Hosting's engagement of BackupCo" in found.remedy
    assert "Art. 28(2)" in found.citation


def test_an_engagement_of_the_sub_processor_by_another_processor_does_not_count():
    assert NOT_AUTHORISED in rules_for(hop(engagement("host-de", "backupco")), 2)


@pytest.mark.parametrize(("ended", "flagged"), [(-1, True), (0, False), (1, False)])
def test_an_engagement_runs_through_the_day_it_ends(ended, flagged):
    reg = hop(engagement(ended_on=AS_OF + ended * DAY))
    assert (NOT_AUTHORISED in rules_for(reg, 2)) is flagged
    if flagged:
        assert "the engagement of BackupCo by CloudCo Hosting ended on 2024-05-31, before " in (
            the(reg, NOT_AUTHORISED).message
        )


def test_a_current_engagement_counts_though_an_earlier_one_ended():
    earlier = engagement(ended_on=AS_OF - 100 * DAY, id=1)
    assert NOT_AUTHORISED not in rules_for(hop(earlier, engagement(id=2)), 2)


# -- SUBPROCESSOR_NOT_AUTHORISED: the controller's agreement --------------------------------


def test_an_agreement_that_allows_no_sub_processors_refuses_the_hop():
    found = the(hop(engagement(), authorisation="none"), NOT_AUTHORISED)
    assert (
        "but Acme Voice's agreement dpa-cloudco with CloudCo Hosting allows no sub-processors."
        in found.message
    )
    assert "Amend dpa-cloudco" in found.remedy


def test_the_most_permissive_agreement_of_the_root_flow_governs():
    general = agreement(
        "dpa-general", "dpa", "acme", "cloudco", flowdown=True, subprocessor_authorisation="general"
    )
    reg = hop(engagement(), authorisation="none", extra=(general,))
    assert NOT_AUTHORISED not in rules_for(reg, 2)


def test_specific_authorisation_needs_a_recorded_authorisation():
    found = the(hop(engagement(), authorisation="specific"), NOT_AUTHORISED)
    assert (
        "allows sub-processors only with Acme Voice's specific authorisation, and none is "
        "recorded for BackupCo." in found.message
    )


@pytest.mark.parametrize(("days", "flagged"), [(-1, False), (0, False), (1, True)])
def test_a_specific_authorisation_counts_from_its_date(days, flagged):
    reg = hop(engagement(authorised_on=AS_OF + days * DAY), authorisation="specific")
    assert (NOT_AUTHORISED in rules_for(reg, 2)) is flagged
    if flagged:
        assert "Acme Voice authorised BackupCo only on 2024-06-02, after 2024-06-01" in (
            the(reg, NOT_AUTHORISED).message
        )


def test_general_authorisation_needs_the_processors_notice():
    found = the(hop(engagement(noticed_on=None)), NOT_AUTHORISED)
    assert (
        "Acme Voice's agreement dpa-cloudco with CloudCo Hosting allows sub-processors after "
        "notice, with a right to object, and no notice of BackupCo is recorded." in found.message
    )
    assert "Record CloudCo Hosting's notice of BackupCo" in found.remedy


@pytest.mark.parametrize(("deadline", "flagged"), [(-1, False), (0, False), (1, True)])
def test_the_objection_period_must_have_run_by_the_date(deadline, flagged):
    """Notice plus the agreement's objection days (30 by default): a deadline on the date
    has run; one the day after has not."""
    noticed = AS_OF + deadline * DAY - 30 * DAY
    reg = hop(engagement(noticed_on=noticed, notice_source="published list"))
    assert (NOT_AUTHORISED in rules_for(reg, 2)) is flagged
    if flagged:
        assert (
            f"notice of BackupCo was given on {noticed.isoformat()} (published list), and the "
            "objection period runs until 2024-06-02." in the(reg, NOT_AUTHORISED).message
        )


def test_the_objection_period_is_the_agreements():
    noticed = AS_OF - 20 * DAY
    assert NOT_AUTHORISED in rules_for(hop(engagement(noticed_on=noticed)), 2)
    assert NOT_AUTHORISED not in rules_for(
        hop(engagement(noticed_on=noticed), objection_days=14), 2
    )
    reg = hop(engagement(noticed_on=noticed), objection_days=60)
    assert "objection period runs until 2024-07-11" in the(reg, NOT_AUTHORISED).message


def test_the_objection_deadline_helper_gives_the_date_pages_show():
    dpa = agreement("dpa", "dpa", "acme", "cloudco", objection_days=30)
    assert objection_deadline(engagement(noticed_on=AS_OF), dpa) == AS_OF + 30 * DAY
    assert objection_deadline(engagement(noticed_on=None), dpa) is None


@pytest.mark.parametrize(("objected", "flagged"), [(-1, True), (0, True), (1, False)])
def test_an_objection_refuses_the_sub_processor_from_its_date(objected, flagged):
    when = AS_OF + objected * DAY
    reg = hop(engagement(objected_on=when))
    assert (NOT_AUTHORISED in rules_for(reg, 2)) is flagged
    if flagged:
        assert f"and Acme Voice objected to BackupCo on {when.isoformat()}." in (
            the(reg, NOT_AUTHORISED).message
        )


def test_an_express_authorisation_after_an_objection_settles_it():
    settled = engagement(objected_on=AS_OF - 10 * DAY, authorised_on=AS_OF - 5 * DAY)
    assert NOT_AUTHORISED not in rules_for(hop(settled), 2)


def test_a_root_flow_without_a_qualifying_agreement_is_flagged_there_not_on_the_hop():
    reg = register(
        [flow(1, "acme", "cloudco"), flow(2, "cloudco", "backupco", role="subprocessor")],
        parties=parties(),
        engagements=[engagement()],
    )
    assert rules_for(reg, 1) == {"NO_AGREEMENT", "ONWARD_TRANSFER_UNCOVERED"}
    assert rules_for(reg, 2) == set()
    assert (
        "CloudCo Hosting → BackupCo (flow 2) is not authorised in writing (Acme Voice has no "
        "agreement in force with CloudCo Hosting)" in the(reg, "ONWARD_TRANSFER_UNCOVERED").message
    )


def test_upstream_data_of_another_category_does_not_govern_the_hop():
    assert NOT_AUTHORISED not in rules_for(
        hop(engagement(), authorisation="none", upstream=(CARD,)), 2
    )
    assert NOT_AUTHORISED in rules_for(hop(engagement(), authorisation="none", upstream=(USER,)), 2)


def test_every_group_member_whose_data_reaches_the_hop_must_authorise_it():
    de_dpa = agreement(
        "dpa-de", "dpa", "acme-de", "cloudco", flowdown=True, subprocessor_authorisation="none"
    )
    reg = register(
        [
            flow(1, "acme", "cloudco"),
            flow(2, "cloudco", "backupco", role="subprocessor"),
            flow(3, "acme-de", "cloudco", transfer_mechanism="dpf"),
        ],
        [
            agreement("dpa-cloudco", "dpa", "acme", "cloudco", flowdown=True,
                      subprocessor_authorisation="general"),
            de_dpa,
        ],
        parties=parties(),
        engagements=[engagement()],
    )  # fmt: skip
    found = the(reg, NOT_AUTHORISED)
    assert "it receives from Acme GmbH (flow 3)" in found.message
    assert "Acme GmbH's agreement dpa-de with CloudCo Hosting allows no sub-processors" in (
        found.message
    )


# -- SUBPROCESSOR_NOT_AUTHORISED: severity -------------------------------------------------


@pytest.mark.parametrize(
    ("category", "words"),
    [
        (HEALTH, "special-category data"),
        (CHILDRENS, "children's data"),
        (CARD, "payment card data"),
    ],
)
def test_an_unauthorised_hop_with_sensitive_data_is_critical(category, words):
    found = the(hop(categories=(category,)), NOT_AUTHORISED)
    assert found.severity == "critical"
    assert f"The hop carries {words}" in found.message
    assert the(hop(categories=(EMAIL,)), NOT_AUTHORISED).severity == "high"


def test_an_unauthorised_hop_that_is_a_restricted_transfer_is_critical():
    """EU-origin data sent on by a US processor to India: an onward restricted transfer."""
    dpa = agreement("dpa-de", "dpa", "acme-de", "cloudco", flowdown=True,
                    subprocessor_authorisation="general")  # fmt: skip
    scc = agreement("scc-de", "scc_2021_m2", "acme-de", "cloudco")

    def reg(*engagements: EngagementRecord, country: str = "IN") -> Register:
        flows = [
            flow(1, "acme-de", "cloudco", transfer_mechanism="scc_2021",
                 transfer_agreement="scc-de", tia_on=AS_OF),
            flow(2, "cloudco", "backupco", role="subprocessor"),
        ]  # fmt: skip
        return register(flows, [dpa, scc], parties=parties(country), engagements=engagements)

    found = the(reg(engagement(noticed_on=None)), NOT_AUTHORISED)
    assert found.severity == "critical"
    assert "It is a restricted transfer under the EU GDPR." in found.message
    assert the(reg(engagement(noticed_on=None), country="DE"), NOT_AUTHORISED).severity == "high"
    assert NOT_AUTHORISED not in rules_for(reg(engagement()), 2)


# -- chains of any depth -------------------------------------------------------------------


def deep(*engagements: EngagementRecord, sub_flowdown: bool = True, **dpa) -> Register:
    """Acme → CloudCo → Host GmbH (sub-processor of CloudCo, with a DPA) → BackupCo (of Host
    GmbH, in Germany too)."""
    dpa.setdefault("subprocessor_authorisation", "general")
    return register(
        [
            flow(1, "acme", "cloudco"),
            flow(2, "cloudco", "host-de", role="subprocessor"),
            flow(3, "host-de", "backupco", role="subprocessor"),
        ],
        [
            agreement("dpa-cloudco", "dpa", "acme", "cloudco", flowdown=True, **dpa),
            agreement("dpa-host", "dpa", "cloudco", "host-de", flowdown=sub_flowdown),
        ],
        parties=parties("DE"),
        engagements=engagements,
    )


def test_a_chain_of_depth_three_judges_each_engagement_against_the_root_agreement():
    assert {f.rule for f in findings(deep(engagement("cloudco", "host-de"),
                                          engagement("host-de", "backupco")))} == set()  # fmt: skip
    late = engagement("host-de", "backupco", noticed_on=AS_OF - 5 * DAY)
    reg = deep(engagement("cloudco", "host-de"), late)
    assert chain_findings(reg, 2) == {}
    message = chain_findings(reg, 3)[NOT_AUTHORISED]
    assert message.startswith(
        "Host GmbH passes data it receives from Acme Voice (flow 1, by way of CloudCo Hosting "
        "→ Host GmbH) on to sub-processor BackupCo, but Acme Voice's agreement dpa-cloudco "
        "with CloudCo Hosting allows sub-processors after notice"
    )
    assert "the objection period runs until 2024-06-26" in message


def test_a_missing_engagement_deep_in_the_chain_is_flagged_on_its_own_hop():
    reg = deep(engagement("host-de", "backupco"))
    assert set(chain_findings(reg, 2)) == {NOT_AUTHORISED}
    assert chain_findings(reg, 3) == {}


def test_the_root_agreement_governs_every_depth():
    reg = deep(engagement("cloudco", "host-de"), engagement("host-de", "backupco"),
               subprocessor_authorisation="none")  # fmt: skip
    assert NOT_AUTHORISED in chain_findings(reg, 2)
    assert NOT_AUTHORISED in chain_findings(reg, 3)


def test_a_sub_processor_engaged_by_several_processors_is_judged_on_each_hop():
    both = register(
        [
            flow(1, "acme", "cloudco"),
            flow(2, "acme", "host-de"),
            flow(3, "cloudco", "backupco", role="subprocessor"),
            flow(4, "host-de", "backupco", role="subprocessor"),
        ],
        [
            agreement("dpa-cloudco", "dpa", "acme", "cloudco", flowdown=True,
                      subprocessor_authorisation="general"),
            agreement("dpa-host", "dpa", "acme", "host-de", flowdown=True,
                      subprocessor_authorisation="specific"),
        ],
        parties=parties(),
        engagements=[engagement("cloudco", "backupco"), engagement("host-de", "backupco")],
    )  # fmt: skip
    assert chain_findings(both, 3) == {}
    assert set(chain_findings(both, 4)) == {NOT_AUTHORISED}
    assert (
        "Acme Voice's agreement dpa-host with Host GmbH allows sub-processors only"
        in (chain_findings(both, 4)[NOT_AUTHORISED])
    )


# -- SUBPROCESSOR_NO_FLOWDOWN --------------------------------------------------------------


def test_a_root_agreement_without_flowdown_is_flagged_on_the_hop():
    found = the(hop(engagement(), flowdown=False), NO_FLOWDOWN)
    assert (found.severity, found.flow) == ("high", 2)
    assert (
        "Sub-processor BackupCo receives data from CloudCo Hosting, but Acme Voice's agreement "
        "with CloudCo Hosting (dpa-cloudco) does not require the same obligations of "
        "sub-processors." == found.message
    )
    assert none_of(hop(engagement(), flowdown=True), NO_FLOWDOWN)


def test_an_agreement_between_the_processors_without_flowdown_is_flagged():
    plain = agreement("dpa-backupco", "dpa", "cloudco", "backupco")
    found = the(hop(engagement(), extra=(plain,)), NO_FLOWDOWN)
    assert (
        "none of the agreements between CloudCo Hosting and sub-processor BackupCo "
        "(dpa-backupco) flows the data-protection obligations down" in found.message
    )
    scc = agreement("scc-m3", "scc_2021_m3", "cloudco", "backupco", flowdown=True)
    assert none_of(hop(engagement(), extra=(plain, scc)), NO_FLOWDOWN)


def test_a_break_in_flowdown_higher_up_the_chain_reaches_the_hops_below():
    reg = deep(engagement("cloudco", "host-de"), engagement("host-de", "backupco"),
               sub_flowdown=False)  # fmt: skip
    assert NO_FLOWDOWN in chain_findings(reg, 2)
    assert (
        "between CloudCo Hosting and sub-processor Host GmbH (dpa-host)"
        in (chain_findings(reg, 3)[NO_FLOWDOWN])
    )


# -- SUBPROCESSOR_AGREEMENT_UNCONFIRMED ----------------------------------------------------


def test_a_hop_whose_sub_processing_agreement_nothing_evidences_is_flagged():
    found = the(hop(engagement(evidence="", evidenced_on=None)), UNCONFIRMED)
    assert (found.severity, found.flow) == ("medium", 2)
    assert found.message == (
        "Nothing evidences a sub-processing agreement between CloudCo Hosting and "
        "sub-processor BackupCo on 2024-06-01: the engagement records no evidence of it, and "
        "no agreement between them is recorded."
    )


@pytest.mark.parametrize(("days", "flagged"), [(-1, False), (0, False), (1, True)])
def test_evidence_counts_from_its_date(days, flagged):
    reg = hop(engagement(evidence="attestation", evidenced_on=AS_OF + days * DAY))
    assert (UNCONFIRMED in rules_for(reg, 2)) is flagged
    if flagged:
        assert (
            "its evidence (the processor's attestation) is dated 2024-06-02, after 2024-06-01"
            in the(reg, UNCONFIRMED).message
        )


def test_undated_evidence_or_no_engagement_leaves_the_agreement_unconfirmed():
    undated = the(hop(engagement(evidence="statement", evidenced_on=None)), UNCONFIRMED)
    assert "its evidence (the processor's published statement) is undated" in undated.message
    missing = the(hop(), UNCONFIRMED)
    assert "no engagement of BackupCo by CloudCo Hosting is in force" in missing.message


def test_a_qualifying_agreement_between_the_processors_confirms_it():
    sub_dpa = agreement("dpa-backupco", "dpa", "cloudco", "backupco", flowdown=True)
    reg = hop(engagement(evidence="", evidenced_on=None), extra=(sub_dpa,))
    assert UNCONFIRMED not in rules_for(reg, 2)
    lapsed = agreement(
        "dpa-backupco", "dpa", "cloudco", "backupco", flowdown=True, expires_on=AS_OF - DAY
    )
    assert UNCONFIRMED in rules_for(hop(engagement(evidence=""), extra=(lapsed,)), 2)


# -- ONWARD_TRANSFER_UNCOVERED -------------------------------------------------------------


def test_an_unauthorised_hop_leaves_the_chain_uncovered():
    found = the(hop(engagement(noticed_on=AS_OF - 10 * DAY)), "ONWARD_TRANSFER_UNCOVERED")
    assert (found.flow, found.path) == (1, ("acme", "cloudco", "backupco"))
    assert (
        "the hop CloudCo Hosting → BackupCo (flow 2) is not authorised (Acme Voice's agreement "
        "dpa-cloudco with CloudCo Hosting allows sub-processors after notice" in found.message
    )


def test_an_authorised_hop_with_no_agreement_of_ours_leaves_the_chain_covered():
    assert none_of(hop(engagement()), "ONWARD_TRANSFER_UNCOVERED")
    # Unconfirmed or without flow-down, the hop is still authorised: the chain is covered.
    assert none_of(hop(engagement(evidence=""), flowdown=False), "ONWARD_TRANSFER_UNCOVERED")
