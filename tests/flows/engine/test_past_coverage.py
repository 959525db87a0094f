"""PAST_COVERAGE_GAP: the periods of the six years before the date on which an active flow had
no qualifying agreement, or relied on a transfer mechanism that could not be relied on that
day; only periods that ended before the date. Both sides of every edge: the day the gap
ends, the start of the look-back, the flow's start, the tables' dates.

The demo group is described in tests/flows/engine/record_builders.py; the date is 2024-06-01,
so the look-back starts on 2018-06-01.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from flows.engine.records import AdequacyRecord
from flows.engine.rules import RULES_BY_ID
from flows.engine.rules.past import Gap, _periods
from tests.flows.engine.record_builders import (
    AS_OF,
    agreement,
    base_parties,
    d,
    findings,
    flow,
    party,
    register,
    with_party,
)

RULE = "PAST_COVERAGE_GAP"


def _gaps(reg, as_of=AS_OF):
    return [f for f in findings(reg, as_of) if f.rule == RULE]


def _dpa(reference: str, start: str, end: str | None = None, **kw):
    return agreement(
        reference,
        "dpa",
        "acme",
        "cloudco",
        signed_on=d(start),
        expires_on=d(end) if end else None,
        **kw,
    )


# -- agreements ------------------------------------------------------------------------------


def test_a_month_without_an_agreement_is_listed_with_its_dates():
    record = flow(1, "acme", "cloudco", started_on=d("2019-01-01"))
    reg = register(
        [record], [_dpa("dpa-1", "2019-01-01", "2020-06-30"), _dpa("dpa-2", "2020-08-01")]
    )
    [found] = _gaps(reg)
    assert found.severity == "medium" == RULES_BY_ID[RULE].severity
    assert found.flow == 1
    assert found.message == (
        "The flow of user.contact.email to CloudCo Hosting as processor from Acme Voice was "
        "not covered on days of the six years before 2024-06-01: from 2020-07-01 to "
        "2020-07-31: no agreement in force."
    )
    assert "GDPR Art. 5(2) and 24" in found.citation and "Art. 28(3)" in found.citation


def test_agreements_that_follow_each_other_leave_no_gap():
    record = flow(1, "acme", "cloudco", started_on=d("2019-01-01"))
    reg = register(
        [record], [_dpa("dpa-1", "2019-01-01", "2020-06-30"), _dpa("dpa-2", "2020-07-01")]
    )
    assert _gaps(reg) == []


def test_a_termination_ends_cover_the_day_before():
    record = flow(1, "acme", "cloudco", started_on=d("2019-01-01"))
    first = _dpa("dpa-1", "2019-01-01", terminated_on=d("2020-07-01"))
    reg = register([record], [first, _dpa("dpa-2", "2020-07-02")])
    [found] = _gaps(reg)
    assert "from 2020-07-01 to 2020-07-01: no agreement in force" in found.message
    assert _gaps(register([record], [first, _dpa("dpa-2", "2020-07-01")])) == []


@pytest.mark.parametrize(
    ("renewed", "listed"),
    [("2024-06-01", "from 2023-01-01 to 2024-05-31"), ("2024-06-02", None)],
)
def test_a_gap_that_ends_the_day_before_the_date_is_listed_one_still_running_is_not(
    renewed, listed
):
    record = flow(1, "acme", "cloudco", started_on=d("2019-01-01"))
    reg = register([record], [_dpa("dpa-1", "2019-01-01", "2022-12-31"), _dpa("dpa-2", renewed)])
    found = _gaps(reg)
    if listed is None:
        assert found == []  # today's EXPIRED_AGREEMENT says so
        assert {f.rule for f in findings(reg)} >= {"EXPIRED_AGREEMENT"}
    else:
        assert f"{listed}: no agreement in force" in found[0].message


@pytest.mark.parametrize(
    ("signed", "listed"),
    [("2018-06-02", "from 2018-06-01 to 2018-06-01"), ("2018-06-01", None)],
)
def test_the_look_back_starts_six_years_before_the_date(signed, listed):
    record = flow(1, "acme", "cloudco", started_on=d("2010-01-01"))
    found = _gaps(register([record], [_dpa("dpa", signed)]))
    if listed is None:
        assert found == []
    else:
        assert f"{listed}: no agreement in force." in found[0].message


@pytest.mark.parametrize(("started", "gap"), [("2020-07-31", True), ("2020-08-01", False)])
def test_only_days_since_the_flow_started_count(started, gap):
    record = flow(1, "acme", "cloudco", started_on=d(started))
    reg = register(
        [record], [_dpa("dpa-1", "2019-01-01", "2020-06-30"), _dpa("dpa-2", "2020-08-01")]
    )
    found = _gaps(reg)
    assert bool(found) is gap
    if gap:
        assert "from 2020-07-31 to 2020-07-31: no agreement in force" in found[0].message


def test_an_agreement_of_the_wrong_kind_or_short_of_a_category_is_no_cover():
    record = flow(1, "acme", "cloudco", started_on=d("2019-01-01"))
    nda = agreement("nda", "nda", "acme", "cloudco", signed_on=d("2019-01-01"))
    narrow = _dpa("dpa-narrow", "2019-01-01", categories=("user.contact.phone_number",))
    reg = register([record], [nda, narrow, _dpa("dpa", "2020-01-01")])
    [found] = _gaps(reg)
    assert "from 2019-01-01 to 2019-12-31: no agreement in force" in found.message


def test_sub_processor_hops_are_not_judged_by_agreements():
    hop = flow(2, "cloudco", "backupco", role="subprocessor", started_on=d("2019-01-01"))
    late = agreement("dpa-sub", "dpa", "cloudco", "backupco", signed_on=d("2020-01-01"))
    assert _gaps(register([hop], [late])) == []


def test_a_flow_that_started_on_the_date_has_no_past():
    record = flow(1, "acme", "cloudco", started_on=AS_OF)
    assert _gaps(register([record], [_dpa("dpa", "2024-06-01")])) == []


# -- transfer mechanisms ---------------------------------------------------------------------

EU_DPA = agreement("dpa-de", "dpa", "acme-de", "cloudco", signed_on=d("2019-01-01"))


def _certified(until: str) -> dict:
    return with_party(
        base_parties(), party("cloudco", name="CloudCo Hosting", dpf_certified_until=d(until))
    )


@pytest.mark.parametrize("started", ["2019-01-01", "2021-06-27"])
def test_a_transfer_moved_onto_a_newer_tool_is_not_said_to_have_lacked_it_before(started):
    # The register records the tool the flow rests on now, not the one it replaced: days
    # before the SCCs 2021 existed are no gap.
    sccs = agreement("scc-de", "scc_2021_m2", "acme-de", "cloudco", signed_on=d("2021-06-27"))
    record = flow(
        1,
        "acme-de",
        "cloudco",
        started_on=d(started),
        transfer_mechanism="scc_2021",
        transfer_agreement="scc-de",
    )
    assert _gaps(register([record], [EU_DPA, sccs])) == []


def test_the_dpf_is_not_said_to_have_failed_before_the_us_adequacy_decision():
    record = flow(1, "acme-de", "cloudco", started_on=d("2019-01-01"), transfer_mechanism="dpf")
    assert _gaps(register([record], [EU_DPA], _certified("2025-01-01"))) == []


def _lapsing_adequacy(reg):
    """A country "ZZ" adequate for the EU GDPR until 2020-12-31 and again from 2022-01-01."""
    rows = (
        AdequacyRecord("EU", "ZZ", d("2001-01-01"), d("2020-12-31")),
        AdequacyRecord("EU", "ZZ", d("2022-01-01")),
    )
    return replace(reg, adequacy=reg.adequacy + rows)


@pytest.mark.parametrize(
    ("renewed", "listed"),
    [
        ("2022-01-01", "from 2021-01-01 to 2021-12-31"),
        ("2024-06-01", "from 2021-01-01 to 2024-05-31"),
        ("2024-06-02", None),
    ],
)
def test_a_lapse_of_the_adequacy_a_flow_relies_on_is_listed_once_it_ended(renewed, listed):
    parties = with_party(base_parties(), party("host-zz", "processor", "ZZ", name="Host ZZ"))
    record = flow(
        1, "acme-de", "host-zz", started_on=d("2019-01-01"), transfer_mechanism="adequacy"
    )
    dpa = agreement("dpa-zz", "dpa", "acme-de", "host-zz", signed_on=d("2019-01-01"))
    reg = _lapsing_adequacy(register([record], [dpa], parties))
    reg = replace(
        reg,
        adequacy=tuple(
            replace(row, valid_from=d(renewed)) if row.valid_from == d("2022-01-01") else row
            for row in reg.adequacy
        ),
    )
    found = _gaps(reg)
    if listed is None:
        assert found == []
        assert "INVALID_TRANSFER_MECHANISM" in {f.rule for f in findings(reg)}
    else:
        assert found[0].message.endswith(
            f"{listed}: an adequacy decision did not cover the transfer under the EU GDPR."
        )


def test_privacy_shield_periods_are_listed_until_the_us_became_adequate():
    record = flow(
        1, "acme-de", "cloudco", started_on=d("2019-01-01"), transfer_mechanism="privacy_shield"
    )
    [found] = _gaps(register([record], [EU_DPA], _certified("2025-01-01")))
    assert "from 2020-07-16 to 2023-07-09: Privacy Shield invalid under the EU GDPR" in (
        found.message
    )
    assert "2019-01-01" not in found.message  # valid until 2020-07-15


def test_a_transfer_gap_still_running_on_the_date_is_left_to_todays_rules():
    record = flow(
        1, "acme-de", "cloudco", started_on=d("2021-01-01"), transfer_mechanism="privacy_shield"
    )
    reg = register([record], [EU_DPA])  # not certified: still restricted on the date
    assert _gaps(reg) == []
    assert "INVALID_TRANSFER_MECHANISM" in {f.rule for f in findings(reg)}


def test_data_going_to_the_uk_while_it_was_in_the_eu_then_adequate_was_always_covered():
    parties = with_party(base_parties(), party("host-uk", "processor", "GB", name="Host UK"))
    record = flow(
        1, "acme-de", "host-uk", started_on=d("2019-01-01"), transfer_mechanism="adequacy"
    )
    dpa = agreement("dpa-uk", "dpa", "acme-de", "host-uk", signed_on=d("2019-01-01"))
    assert _gaps(register([record], [dpa], parties)) == []


def test_agreement_and_transfer_periods_are_listed_together_in_date_order():
    record = flow(
        1, "acme-de", "cloudco", started_on=d("2019-01-01"), transfer_mechanism="privacy_shield"
    )
    late = agreement("dpa-de", "dpa", "acme-de", "cloudco", signed_on=d("2019-03-01"))
    [found] = _gaps(register([record], [late], _certified("2025-01-01")))
    assert found.message.endswith(
        "from 2019-01-01 to 2019-02-28: no agreement in force; from 2020-07-16 to 2023-07-09: "
        "Privacy Shield invalid under the EU GDPR."
    )
    assert "Art. 28(3)" in found.citation and "Arts. 44-46" in found.citation


def test_the_look_back_from_29_february_starts_on_28_february():
    day = d("2028-02-29")
    record = flow(1, "acme", "cloudco", started_on=d("2010-01-01"))
    found = _gaps(register([record], [_dpa("dpa", "2022-03-01")]), day)
    assert "from 2022-02-28 to 2022-02-28: no agreement in force" in found[0].message
    assert _gaps(register([record], [_dpa("dpa", "2022-02-28")]), day) == []


def test_the_finding_for_many_periods_names_the_first_six_and_counts_the_rest():
    record = flow(1, "acme", "cloudco", started_on=d("2019-01-01"))
    years = [_dpa(f"dpa-{year}", f"{year}-01-01", f"{year}-12-30") for year in range(2019, 2024)]
    years.append(_dpa("dpa-2024", "2024-01-01"))
    [found] = _gaps(register([record], years))
    assert found.message.count("no agreement in force") == 5
    assert "from 2019-12-31 to 2019-12-31" in found.message
    assert _gaps(register([record], years), AS_OF + timedelta(days=1))  # still there


def test_a_uk_exporter_is_judged_under_the_eu_gdpr_until_2020_then_under_the_uk_gdpr():
    parties = with_party(
        base_parties(),
        party(
            "cloudco",
            name="CloudCo Hosting",
            dpf_certified_until=d("2025-01-01"),
            dpf_uk_certified_until=d("2025-01-01"),
        ),
    )
    record = flow(
        1, "acme-uk", "cloudco", started_on=d("2019-01-01"), transfer_mechanism="privacy_shield"
    )
    dpa = agreement("dpa-uk", "dpa", "acme-uk", "cloudco", signed_on=d("2019-01-01"))
    [found] = _gaps(register([record], [dpa], parties))
    assert found.message.endswith(
        "from 2020-07-16 to 2020-12-31: Privacy Shield invalid under the EU GDPR; "
        "from 2021-01-01 to 2023-10-11: Privacy Shield invalid under the UK GDPR."
    )
    assert "UK GDPR Arts. 44-46 and 49" in found.citation


def test_one_period_under_two_regimes_is_listed_once_naming_both():
    gaps = [
        Gap(d("2020-07-16"), d("2021-02-01"), "Privacy Shield invalid", "UK"),
        Gap(d("2020-07-16"), d("2021-02-01"), "Privacy Shield invalid", "EU"),
        Gap(d("2019-03-01"), d("2020-06-30"), "no agreement in force"),
    ]
    assert _periods(gaps) == (
        "from 2019-03-01 to 2020-06-30: no agreement in force; from 2020-07-16 to 2021-02-01: "
        "Privacy Shield invalid under the UK GDPR and the EU GDPR"
    )
