"""The fine print of transfer tools (issue 17, item 4): old SCCs and their conclusion cut-offs,
the UK Addendum and the SCCs it amends, the three US frameworks, the FDPIC's list before
2023-09-01, advice that names only tools valid on the date, DEROGATION_MISUSE and
TIA_AFTER_TRANSFER_START.

Acme GmbH (DE), Acme Ltd (GB) and Acme AG (CH) send contact data to CloudCo Hosting, a US
processor, unless a test says otherwise; each cut-off is tested on both sides.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.engine.jurisdictions import Jurisdictions, certified_for
from flows.engine.records import AdequacyRecord, AgreementRecord, PartyRecord, Register
from tests.flows.engine.record_builders import (
    agreement,
    d,
    findings,
    flow,
    none_of,
    party,
    register,
    seeded_adequacy,
    seeded_mechanisms,
    seeded_zones,
    the,
)


def parties(**cloudco: Any) -> dict[str, PartyRecord]:
    records = [
        party("acme", "own", "US", name="Acme Voice"),
        party("acme-de", "affiliate", "DE", name="Acme GmbH", parent="acme"),
        party("acme-ch", "affiliate", "CH", name="Acme AG", parent="acme"),
        party("acme-uk", "affiliate", "GB", name="Acme Ltd", parent="acme"),
        party("cloudco", "processor", "US", name="CloudCo Hosting", **cloudco),
        party("partner", "third_party", "US", name="Partner Inc"),
    ]
    return {record.slug: record for record in records}


def transfer(
    source: str,
    mechanism: str,
    agreements: list[AgreementRecord],
    reference: str | None = None,
    cloudco: dict[str, Any] | None = None,
    **kw: Any,
) -> Register:
    """One flow from `source` to CloudCo Hosting under a DPA, on `mechanism`."""
    dpa = agreement(f"dpa-{source}", "dpa", source, "cloudco", signed_on=d("2001-01-01"))
    kw.setdefault("started_on", d("2002-01-01"))
    record = flow(
        1, source, "cloudco", transfer_mechanism=mechanism, transfer_agreement=reference, **kw
    )
    return register([record], [dpa, *agreements], parties=parties(**(cloudco or {})))


def invalid(reg: Register, day: date) -> str:
    return the(reg, "INVALID_TRANSFER_MECHANISM", day).message


# -- old SCCs --------------------------------------------------------------------------------


def old_sccs(source: str, signed: str, kind: str = "scc_2010_c2p", mechanism: str = "scc_2010"):
    sccs = agreement("scc-old", kind, source, "cloudco", signed_on=d(signed))
    return transfer(source, mechanism, [sccs], "scc-old")


def test_old_eu_sccs_concluded_on_2021_09_26_hold_and_on_2021_09_27_do_not():
    assert none_of(old_sccs("acme-de", "2021-09-26"), "INVALID_TRANSFER_MECHANISM", d("2022-06-01"))
    found = the(old_sccs("acme-de", "2021-09-27"), "INVALID_TRANSFER_MECHANISM", d("2022-06-01"))
    assert found.severity == "critical"
    assert (
        "transfer agreement scc-old was concluded on 2021-09-27, but under the EU GDPR "
        "SCCs 2010/87/EU cover only contracts concluded on or before 2021-09-26"
    ) in found.message


def test_old_uk_sccs_concluded_on_2022_09_21_hold_and_on_2022_09_22_do_not():
    assert none_of(old_sccs("acme-uk", "2022-09-21"), "INVALID_TRANSFER_MECHANISM", d("2023-06-01"))
    message = invalid(old_sccs("acme-uk", "2022-09-22"), d("2023-06-01"))
    assert "concluded on 2022-09-22, but under the UK GDPR" in message
    assert "on or before 2022-09-21" in message


def test_old_sccs_concluded_in_time_still_end_with_their_transition():
    reg = old_sccs("acme-de", "2015-01-01")
    assert none_of(reg, "INVALID_TRANSFER_MECHANISM", d("2022-12-27"))
    assert "could be relied on only until 2022-12-27" in invalid(reg, d("2022-12-28"))


@pytest.mark.parametrize(
    ("mechanism", "kind", "label"),
    [
        ("scc_2010", "scc_2010_c2p", "SCCs 2010/87/EU"),
        ("scc_2004", "scc_2004_c2c", "SCCs 2004/915/EC"),
        ("scc_2001", "scc_2001_c2c", "SCCs 2001/497/EC"),
    ],
)
def test_each_old_scc_needs_its_own_transfer_agreement(mechanism, kind, label):
    day = d("2020-06-01")
    reg = old_sccs("acme-de", "2015-01-01", kind, mechanism)
    assert none_of(reg, "INVALID_TRANSFER_MECHANISM", day)
    missing = transfer("acme-de", mechanism, [])
    assert f"{label} needs a transfer agreement, and none is recorded" in invalid(missing, day)
    other = "scc_2001_c2c" if kind != "scc_2001_c2c" else "scc_2004_c2c"
    wrong = old_sccs("acme-de", "2015-01-01", other, mechanism)
    assert "transfer agreement scc-old is a SCCs" in invalid(wrong, day)
    assert f"not {label}" in invalid(wrong, day)


def test_old_sccs_must_name_both_parties_and_be_in_force():
    day = d("2020-06-01")
    others = agreement("scc-old", "scc_2010_c2p", "acme-ch", "cloudco", signed_on=d("2015-01-01"))
    reg = transfer("acme-de", "scc_2010", [others], "scc-old")
    assert "does not name both Acme GmbH and CloudCo Hosting" in invalid(reg, day)
    ended = agreement(
        "scc-old",
        "scc_2010_c2p",
        "acme-de",
        "cloudco",
        signed_on=d("2015-01-01"),
        terminated_on=d("2020-06-01"),
    )
    reg = transfer("acme-de", "scc_2010", [ended], "scc-old")
    assert none_of(reg, "INVALID_TRANSFER_MECHANISM", d("2020-05-31"))
    assert "was terminated on 2020-06-01" in invalid(reg, day)


# -- the UK Addendum -------------------------------------------------------------------------

UK_DAY = d("2024-06-01")


def addendum(amends: str | None = "scc-uk", **sccs_kw: Any) -> Register:
    members = sccs_kw.pop("members", ("acme-uk", "cloudco"))
    kind = sccs_kw.pop("kind", "scc_2021_m2")
    sccs = agreement("scc-uk", kind, *members, signed_on=d("2022-06-01"), **sccs_kw)
    add = agreement(
        "add-uk", "uk_addendum", "acme-uk", "cloudco", signed_on=d("2022-06-01"), amends=amends
    )
    return transfer(
        "acme-uk", "uk_addendum", [sccs, add], "add-uk", started_on=d("2022-07-01"),
        tia_on=d("2022-06-15"),
    )  # fmt: skip


def test_a_uk_addendum_on_effective_sccs_2021_between_the_same_parties_is_valid():
    assert none_of(addendum(), "INVALID_TRANSFER_MECHANISM", UK_DAY)
    assert none_of(addendum(), "MISSING_TIA", UK_DAY)


def test_a_uk_addendum_that_names_no_sccs_is_invalid():
    message = invalid(addendum(amends=None), UK_DAY)
    assert "restricted under the UK GDPR" in message
    assert "UK Addendum add-uk does not say which SCCs 2021 agreement it amends" in message


def test_a_uk_addendum_amending_an_unknown_agreement_is_invalid():
    message = invalid(addendum(amends="scc-nowhere"), UK_DAY)
    assert "UK Addendum add-uk amends scc-nowhere, which is not in the register" in message


def test_a_uk_addendum_amending_something_other_than_sccs_2021_is_invalid():
    message = invalid(addendum(kind="dpa"), UK_DAY)
    assert "amends scc-uk, a data processing agreement (Art. 28), not SCCs 2021" in message


def test_a_uk_addendum_amending_sccs_between_other_parties_is_invalid():
    message = invalid(addendum(members=("acme-de", "cloudco")), UK_DAY)
    assert "amends SCCs 2021 scc-uk, which do not name both Acme Ltd and CloudCo Hosting" in (
        message
    )


def test_a_uk_addendum_stands_only_while_its_sccs_are_in_force():
    reg = addendum(terminated_on=d("2024-06-02"))
    assert none_of(reg, "INVALID_TRANSFER_MECHANISM", UK_DAY)
    message = invalid(reg, d("2024-06-02"))
    assert "amends SCCs 2021 that are not in force: agreement scc-uk was terminated on" in message


# -- the three US frameworks -----------------------------------------------------------------


def cert(**dates: str) -> PartyRecord:
    certified: dict[str, Any] = {k: d(v) for k, v in dates.items()}
    return party("cloudco", **certified)


def test_each_regime_asks_its_own_framework_on_its_own_date():
    eu_only = cert(dpf_certified_until="2025-01-31")
    assert certified_for(eu_only, "EU", d("2025-01-31"))
    assert not certified_for(eu_only, "EU", d("2025-02-01"))
    assert not certified_for(eu_only, "UK", d("2025-01-01"))
    assert not certified_for(eu_only, "CH", d("2025-01-01"))
    swiss = cert(dpf_swiss_certified_until="2025-01-31")
    assert certified_for(swiss, "CH", d("2025-01-31"))
    assert not certified_for(swiss, "CH", d("2025-02-01"))
    assert not certified_for(swiss, "EU", d("2025-01-01"))
    assert not certified_for(None, "EU", d("2025-01-01"))


def test_the_uk_extension_needs_the_eu_us_certification_too():
    both = cert(dpf_certified_until="2025-01-31", dpf_uk_certified_until="2025-06-30")
    assert certified_for(both, "UK", d("2025-01-31"))
    assert not certified_for(both, "UK", d("2025-02-01"))  # the EU-US one lapsed
    assert not certified_for(cert(dpf_uk_certified_until="2030-01-01"), "UK", d("2025-01-01"))


def test_dpf_adequacy_rows_read_the_framework_of_their_regime():
    tables = Jurisdictions(seeded_zones(), seeded_adequacy(), seeded_mechanisms())
    day = d("2025-01-01")
    eu_only = cert(dpf_certified_until="2030-01-01")
    assert tables.adequate("EU", "US", day, eu_only)
    assert not tables.adequate("UK", "US", day, eu_only)
    assert not tables.on(day).adequate("CH", "US", eu_only)
    swiss = cert(dpf_swiss_certified_until="2030-01-01")
    assert tables.on(day).adequate("CH", "US", swiss)
    assert not tables.on(day).adequate("EU", "US", swiss)


def test_the_dpf_for_uk_data_needs_the_uk_extension_and_says_so():
    day = d("2025-01-01")
    eu_only = transfer("acme-uk", "dpf", [], cloudco={"dpf_certified_until": d("2030-01-01")})
    message = invalid(eu_only, day)
    assert (
        "CloudCo Hosting is not certified under the UK Extension to the EU-US Data Privacy "
        "Framework"
    ) in message
    both = {"dpf_certified_until": d("2030-01-01"), "dpf_uk_certified_until": d("2030-01-01")}
    assert none_of(transfer("acme-uk", "dpf", [], cloudco=both), "INVALID_TRANSFER_MECHANISM", day)
    lapsed = {"dpf_certified_until": d("2024-12-31"), "dpf_uk_certified_until": d("2030-01-01")}
    message = invalid(transfer("acme-uk", "dpf", [], cloudco=lapsed), day)
    assert "needs its EU-US Data Privacy Framework certification, which ended on 2024-12-31" in (
        message
    )


def test_the_dpf_for_swiss_data_needs_the_swiss_us_certification():
    day = d("2025-01-01")
    eu_only = transfer("acme-ch", "dpf", [], cloudco={"dpf_certified_until": d("2030-01-01")})
    assert "not certified under the Swiss-US Data Privacy Framework" in invalid(eu_only, day)
    swiss = {"dpf_swiss_certified_until": d("2030-01-01")}
    assert none_of(transfer("acme-ch", "dpf", [], cloudco=swiss), "INVALID_TRANSFER_MECHANISM", day)


def test_eu_data_to_a_recipient_with_only_the_swiss_certification_is_a_restricted_transfer():
    day = d("2025-01-01")
    reg = transfer("acme-de", "", [], cloudco={"dpf_swiss_certified_until": d("2030-01-01")})
    found = the(reg, "NO_TRANSFER_MECHANISM", day)
    assert "not certified under the EU-US Data Privacy Framework" in found.message
    eu = transfer("acme-de", "", [], cloudco={"dpf_certified_until": d("2030-01-01")})
    assert none_of(eu, "NO_TRANSFER_MECHANISM", day)


# -- the FDPIC's list before 2023-09-01 ------------------------------------------------------


def with_fdpic_list(reg: Register) -> Register:
    """The register with the FDPIC list as migration 0014 seeds it."""
    from flows.reference_data import FDPIC_LIST, FDPIC_LIST_UNTIL

    rows = tuple(
        AdequacyRecord("CH", code, start, FDPIC_LIST_UNTIL, scope)
        for code, start, scope in FDPIC_LIST
    )
    return Register(
        parties=reg.parties,
        flows=reg.flows,
        agreements=reg.agreements,
        categories=reg.categories,
        purposes=reg.purposes,
        zones=reg.zones,
        adequacy=reg.adequacy + rows,
        mechanisms=reg.mechanisms,
    )


def swiss_to(country: str) -> Register:
    return with_fdpic_list(transfer("acme-ch", "", [], processing_countries=(country,)))


@pytest.mark.parametrize("day", ["2021-01-01", "2023-08-31", "2023-09-01"])
def test_swiss_transfers_to_the_uk_are_not_restricted_before_or_after_2023_09_01(day):
    assert none_of(swiss_to("GB"), "NO_TRANSFER_MECHANISM", d(day))


def test_without_the_fdpic_list_swiss_transfers_to_the_uk_in_2022_were_flagged():
    reg = transfer("acme-ch", "", [], processing_countries=("GB",))
    assert (
        "GB, which is outside Switzerland"
        in the(reg, "NO_TRANSFER_MECHANISM", d("2022-01-01")).message
    )


def test_a_state_on_the_fdpic_list_only_is_adequate_until_2023_08_31():
    reg = swiss_to("MC")  # Monaco: on the FDPIC list; no Annex 1 row is seeded for it
    assert none_of(reg, "NO_TRANSFER_MECHANISM", d("2023-08-31"))
    assert (
        "MC, which is outside Switzerland"
        in the(reg, "NO_TRANSFER_MECHANISM", d("2023-09-01")).message
    )


def test_the_fdpic_list_does_not_cover_the_us_or_japan():
    assert "US" in the(swiss_to("US"), "NO_TRANSFER_MECHANISM", d("2022-01-01")).message
    assert "JP" in the(swiss_to("JP"), "NO_TRANSFER_MECHANISM", d("2022-01-01")).message


# -- advice that names only tools valid on the date -----------------------------------------


def remedy(reg: Register, day: date, rule: str = "NO_TRANSFER_MECHANISM") -> str:
    return the(reg, rule, day).remedy


def test_in_2026_the_advice_proposes_the_sccs_2021_and_never_the_old_ones():
    found = the(transfer("acme-de", "", []), "NO_TRANSFER_MECHANISM", d("2026-06-01"))
    assert "valid on 2026-06-01" in found.remedy
    assert "the SCCs 2021 module that fits the two sides" in found.remedy
    assert "the recipient's certification under the EU-US Data Privacy Framework" in found.remedy
    for old in ("2010/87", "2004/915", "2001/497", "Privacy Shield", "Safe Harbor", "IDTA"):
        assert old not in found.remedy


def test_in_2020_the_advice_proposes_the_old_sccs_and_never_the_sccs_2021():
    text = remedy(transfer("acme-de", "", []), d("2020-06-01"))
    assert "SCCs 2010/87/EU" in text
    assert "Privacy Shield certification" in text
    assert "SCCs 2021" not in text
    assert "Data Privacy Framework" not in text


def test_privacy_shield_is_proposed_until_2020_07_15_and_not_from_2020_07_16():
    reg = transfer("acme-de", "", [])
    assert "Privacy Shield" in remedy(reg, d("2020-07-15"))
    assert "Privacy Shield" not in remedy(reg, d("2020-07-16"))


def test_old_eu_sccs_are_proposed_until_the_last_day_they_could_be_concluded():
    reg = transfer("acme-de", "", [])
    assert "SCCs 2010/87/EU" in remedy(reg, d("2021-09-26"))
    assert "SCCs 2010/87/EU" not in remedy(reg, d("2021-09-27"))


def test_uk_advice_names_the_uk_tools_and_the_uk_extension():
    text = remedy(transfer("acme-uk", "", []), d("2024-06-01"))
    assert "UK IDTA" in text
    assert "the UK Addendum to SCCs 2021" in text
    assert "the UK Extension to the EU-US Data Privacy Framework" in text
    assert "SCCs 2010/87/EU" not in text


def test_the_invalid_mechanism_remedy_is_date_aware_too():
    reg = transfer("acme-de", "safe_harbor", [])
    text = remedy(reg, d("2026-06-01"), "INVALID_TRANSFER_MECHANISM")
    assert "SCCs 2021" in text and "2010/87" not in text


def test_needed_names_no_sccs_that_cannot_be_concluded_on_the_date():
    record = flow(1, "acme-de", "cloudco")
    reg = register([record], [], parties=parties())
    in_2026 = the(reg, "NO_AGREEMENT", d("2026-06-01")).message
    assert "Needed: data processing agreement (Art. 28) or SCCs 2021 module 2" in in_2026
    assert "2010/87" not in in_2026
    in_2020 = the(reg, "NO_AGREEMENT", d("2020-06-01")).message
    assert "SCCs 2010/87/EU (controller to processor)" in in_2020
    assert "SCCs 2021" not in in_2020


# -- DEROGATION_MISUSE -----------------------------------------------------------------------

DEROGATION_DAY = d("2026-03-10")


def derogation(**kw: Any) -> Register:
    """Acme GmbH passes contact data to Partner Inc (US), a controller, for 30 days on a
    justified derogation: a proper occasional transfer."""
    kw.setdefault("role", "controller")
    kw.setdefault("started_on", d("2026-03-01"))
    kw.setdefault("ended_on", d("2026-03-30"))
    kw.setdefault("derogation_justification", "Art. 49(1)(e): a legal claim in New York.")
    record = flow(1, "acme-de", "partner", transfer_mechanism="derogation", **kw)
    sharing = agreement("c2c", "c2c_sharing", "acme-de", "partner")
    return register([record], [sharing], parties=parties())


def test_an_occasional_justified_derogation_to_a_controller_passes():
    assert none_of(derogation(), "DEROGATION_MISUSE", DEROGATION_DAY)
    assert none_of(derogation(), "INVALID_TRANSFER_MECHANISM", DEROGATION_DAY)


def test_a_derogation_for_a_processor_is_flagged():
    found = the(derogation(role="processor"), "DEROGATION_MISUSE", DEROGATION_DAY)
    assert found.severity == "high"
    assert "relies on an Art. 49 derogation" in found.message
    assert "Partner Inc receives the data as processor" in found.message
    assert "EDPB Guidelines 2/2018" in found.citation
    assert "GDPR Arts. 44-46 and 49" in found.citation
    sub = the(derogation(role="subprocessor"), "DEROGATION_MISUSE", DEROGATION_DAY)
    assert "receives the data as sub-processor" in sub.message


def test_a_derogation_without_an_end_date_is_flagged():
    found = the(derogation(ended_on=None), "DEROGATION_MISUSE", DEROGATION_DAY)
    assert "the flow has no end date" in found.message


def test_a_derogation_of_30_days_passes_and_of_31_days_is_flagged():
    assert none_of(derogation(ended_on=d("2026-03-30")), "DEROGATION_MISUSE", DEROGATION_DAY)
    found = the(derogation(ended_on=d("2026-03-31")), "DEROGATION_MISUSE", DEROGATION_DAY)
    assert "the flow runs 31 days, from 2026-03-01 to 2026-03-31, more than 30" in found.message


@pytest.mark.parametrize("justification", ["", "   "])
def test_a_derogation_without_a_justification_is_flagged(justification):
    found = the(
        derogation(derogation_justification=justification), "DEROGATION_MISUSE", DEROGATION_DAY
    )
    assert "no justification of the derogation is recorded" in found.message


def test_every_reason_is_said_in_one_finding():
    reg = derogation(role="processor", ended_on=None, derogation_justification="")
    message = the(reg, "DEROGATION_MISUSE", DEROGATION_DAY).message
    assert "as processor; the flow has no end date; no justification" in message


def test_a_derogation_on_a_flow_that_is_no_restricted_transfer_is_not_flagged():
    record = flow(1, "acme", "cloudco", transfer_mechanism="derogation", role="processor")
    reg = register([record], [], parties=parties())
    assert none_of(reg, "DEROGATION_MISUSE", DEROGATION_DAY)


# -- TIA_AFTER_TRANSFER_START ----------------------------------------------------------------


def assessed(started: str, tia: str | None) -> Register:
    sccs = agreement("scc-de", "scc_2021_m2", "acme-de", "cloudco", signed_on=d("2020-01-01"))
    return transfer(
        "acme-de",
        "scc_2021",
        [sccs],
        "scc-de",
        started_on=d(started),
        tia_on=d(tia) if tia else None,
    )


def test_a_tia_made_after_the_transfer_started_is_flagged():
    found = the(assessed("2021-07-01", "2022-04-01"), "TIA_AFTER_TRANSFER_START", d("2024-06-01"))
    assert found.severity == "medium"
    assert (
        "is dated 2022-04-01, 274 days after the transfer started on 2021-07-01: the data was "
        "transferred before it was assessed"
    ) in found.message
    assert "CJEU C-311/18" in found.citation


def test_a_tia_on_the_day_the_transfer_started_passes_and_one_a_day_later_does_not():
    assert none_of(
        assessed("2021-07-01", "2021-07-01"), "TIA_AFTER_TRANSFER_START", d("2024-06-01")
    )
    found = the(assessed("2021-07-01", "2021-07-02"), "TIA_AFTER_TRANSFER_START", d("2024-06-01"))
    assert "1 day after" in found.message


def test_only_transfers_started_after_schrems_ii_are_judged():
    late = "2020-09-01"
    assert none_of(assessed("2020-07-16", late), "TIA_AFTER_TRANSFER_START", d("2024-06-01"))
    assert not none_of(assessed("2020-07-17", late), "TIA_AFTER_TRANSFER_START", d("2024-06-01"))


def test_a_tia_dated_after_the_date_is_missing_tia_and_not_this_rule():
    reg = assessed("2021-07-01", "2024-06-02")
    assert none_of(reg, "TIA_AFTER_TRANSFER_START", d("2024-06-01"))
    assert not none_of(reg, "MISSING_TIA", d("2024-06-01"))
    assert not none_of(reg, "TIA_AFTER_TRANSFER_START", d("2024-06-02"))


def test_a_late_tia_on_a_flow_that_is_no_restricted_transfer_is_not_flagged():
    record = flow(1, "acme", "cloudco", started_on=d("2021-07-01"), tia_on=d("2022-01-01"))
    reg = register([record], [], parties=parties())
    assert all(f.rule != "TIA_AFTER_TRANSFER_START" for f in findings(reg, d("2024-06-01")))


# -- a valid tool never adds a finding -------------------------------------------------------

TRANSFER_RULES = frozenset(
    {
        "NO_TRANSFER_MECHANISM",
        "INVALID_TRANSFER_MECHANISM",
        "MISSING_TIA",
        "SCC_MODULE_MISMATCH",
        "DEROGATION_MISUSE",
        "TIA_AFTER_TRANSFER_START",
    }
)
TOOL_FROM = {"acme-de": d("2021-06-27"), "acme-ch": d("2021-08-27"), "acme-uk": d("2022-03-21")}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    source=st.sampled_from(sorted(TOOL_FROM)),
    before=st.sampled_from(["", "scc_2010", "privacy_shield", "dpf", "derogation", "scc_2021"]),
    started=st.dates(date(2021, 9, 1), date(2025, 12, 31)),
    later=st.integers(0, 900),
    certified=st.sampled_from(["", "dpf_certified_until", "dpf_swiss_certified_until"]),
)
def test_putting_a_valid_tool_in_place_never_adds_a_finding_to_the_flow(
    source, before, started, later, certified
):
    """SCCs 2021 module 2 in force from the start (with the UK Addendum amending them for a
    UK exporter) and a TIA on the first day: the transfer rules fall silent, and no rule
    flags the flow that did not flag it before."""
    started = max(started, TOOL_FROM[source])
    day = date.fromordinal(started.toordinal() + later)
    cloudco = {certified: d("2026-06-30")} if certified else {}
    dpa = agreement("dpa", "dpa", source, "cloudco", signed_on=started)
    old = agreement("old", "scc_2010_c2p", source, "cloudco", signed_on=d("2015-01-01"))

    def evaluated(mechanism: str, reference: str | None, tools: list[AgreementRecord], **kw):
        record = flow(
            1,
            source,
            "cloudco",
            started_on=started,
            transfer_mechanism=mechanism,
            transfer_agreement=reference,
            **kw,
        )
        reg = register([record], [dpa, old, *tools], parties=parties(**cloudco))
        return {f.rule for f in findings(reg, day) if f.flow == 1}

    sccs = agreement("scc", "scc_2021_m2", source, "cloudco", signed_on=started)
    without = evaluated(before, "old" if before == "scc_2010" else None, [])
    if source == "acme-uk":
        add = agreement("add", "uk_addendum", source, "cloudco", signed_on=started, amends="scc")
        with_tool = evaluated("uk_addendum", "add", [sccs, add], tia_on=started)
    else:
        with_tool = evaluated("scc_2021", "scc", [sccs], tia_on=started)
    assert not with_tool & TRANSFER_RULES
    assert with_tool <= without


def test_the_usable_tools_follow_the_mechanism_table_day_by_day():
    tables = Jurisdictions(seeded_zones(), seeded_adequacy(), seeded_mechanisms())
    assert "scc_2021" not in tables.on(d("2021-06-26")).usable_mechanisms("EU")
    assert "scc_2021" in tables.on(d("2021-06-27")).usable_mechanisms("EU")
    assert "scc_2010" in tables.on(d("2022-09-21")).usable_mechanisms("UK")
    assert "scc_2010" not in tables.on(d("2022-09-22")).usable_mechanisms("UK")
    assert "dpf" not in tables.on(d("2024-09-14")).usable_mechanisms("CH")
    assert "dpf" in tables.on(d("2024-09-15")).usable_mechanisms("CH")


def test_advice_for_a_transfer_under_two_regimes_names_each_regimes_tools():
    from flows.engine.wording import tools_advice

    text = tools_advice({"EU": ("bcr", "scc_2021"), "UK": ("uk_idta",)})
    assert text == (
        "under the EU GDPR: the SCCs 2021 module that fits the two sides or binding corporate "
        "rules (inside the group that adopted them); under the UK GDPR: the UK IDTA"
    )
    assert tools_advice({"EU": ("bcr",), "CH": ("bcr",)}) == (
        "binding corporate rules (inside the group that adopted them)"
    )


def test_the_module_of_the_sccs_a_uk_addendum_amends_must_fit_the_two_sides():
    assert none_of(addendum(), "SCC_MODULE_MISMATCH", UK_DAY)
    found = the(addendum(kind="scc_2021_m1"), "SCC_MODULE_MISMATCH", UK_DAY)
    assert "Transfer agreement scc-uk is SCCs 2021 module 1 (controller to controller)" in (
        found.message
    )
    assert "SCCs 2021 module 2 (controller to processor) is needed" in found.message


def test_the_eu_sccs_2021_alone_are_no_uk_transfer_tool_and_with_the_addendum_they_are():
    sccs = agreement("scc-uk", "scc_2021_m2", "acme-uk", "cloudco", signed_on=d("2022-06-01"))
    alone = transfer(
        "acme-uk", "scc_2021", [sccs], "scc-uk", started_on=d("2022-07-01"),
        tia_on=d("2022-06-15"),
    )  # fmt: skip
    assert "SCCs 2021 is not a transfer mechanism under the UK GDPR" in invalid(alone, UK_DAY)
    assert none_of(addendum(), "INVALID_TRANSFER_MECHANISM", UK_DAY)
