"""Zones, adequacy and mechanism validity on a date, as seeded (flows/engine/jurisdictions.py)."""

from __future__ import annotations

from datetime import date

import pytest

from flows.engine.jurisdictions import Jurisdictions
from flows.engine.records import AdequacyRecord, MechanismRecord, ZoneRecord
from tests.flows.engine.record_builders import (
    d,
    flow,
    party,
    seeded_adequacy,
    seeded_mechanisms,
    seeded_zones,
)


@pytest.fixture(scope="module")
def tables() -> Jurisdictions:
    return Jurisdictions(seeded_zones(), seeded_adequacy(), seeded_mechanisms())


CERTIFIED_TO_MARCH = party("dpf-co", country="US", dpf_certified_until=d("2024-03-31"))
CERTIFIED = party(
    "dpf-forever",
    country="US",
    dpf_certified_until=d("2099-12-31"),
    dpf_uk_certified_until=d("2099-12-31"),
    dpf_swiss_certified_until=d("2099-12-31"),
)
"""Certified under the three frameworks: the EU-US DPF, its UK Extension, the Swiss-US DPF."""
UNCERTIFIED = party("plain-co", country="US")


# -- zones ----------------------------------------------------------------------------------


@pytest.mark.parametrize("country", ["DE", "IS", "LI", "NO", "AX", "GF", "RE"])
def test_eea_states_and_outermost_regions_are_in_the_eu_zone(tables, country):
    assert tables.in_zone("EU", country, d("2024-06-01"))


@pytest.mark.parametrize("country", ["CH", "US", "FO", "GL", "GB"])
def test_countries_outside_the_eea_are_not_in_the_eu_zone_today(tables, country):
    assert not tables.in_zone("EU", country, d("2024-06-01"))


def test_gb_is_in_the_eu_zone_until_the_end_of_2020_then_in_its_own(tables):
    assert tables.in_zone("EU", "GB", d("2020-12-31"))
    assert not tables.in_zone("UK", "GB", d("2020-12-31"))
    assert not tables.in_zone("EU", "GB", d("2021-01-01"))
    assert tables.in_zone("UK", "GB", d("2021-01-01"))


def test_zone_dates_are_inclusive_and_open_ends_run_forever():
    tables = Jurisdictions([ZoneRecord("EU", "HR", valid_from=d("2013-07-01"))])
    assert not tables.in_zone("EU", "HR", d("2013-06-30"))
    assert tables.in_zone("EU", "HR", d("2013-07-01"))
    assert tables.in_zone("EU", "HR", date(9999, 12, 31))


def test_the_snapshot_lists_which_regime_a_country_belongs_to(tables):
    assert tables.on(d("2019-06-01")).zone_regimes("GB") == ("EU",)
    assert tables.on(d("2024-06-01")).zone_regimes("GB") == ("UK",)
    assert tables.on(d("2024-06-01")).zone_regimes("CH") == ("CH",)
    assert tables.on(d("2024-06-01")).zone_regimes("US") == ()


# -- adequacy -------------------------------------------------------------------------------


def test_gb_is_adequate_for_the_eu_from_2021_06_28_to_2031_12_27(tables):
    assert tables.adequate("EU", "GB", d("2021-06-28"))
    assert tables.adequate("EU", "GB", d("2031-12-27"))
    assert not tables.adequate("EU", "GB", d("2031-12-28"))


def test_the_seeded_bridge_covers_gb_between_brexit_and_the_adequacy_decision(tables):
    assert tables.adequate("EU", "GB", d("2021-01-01"))
    assert tables.adequate("EU", "GB", d("2021-06-27"))


def test_a_dpf_certification_makes_the_us_adequate_only_while_it_runs(tables):
    assert tables.adequate("EU", "US", d("2024-03-31"), CERTIFIED_TO_MARCH)
    assert not tables.adequate("EU", "US", d("2024-04-01"), CERTIFIED_TO_MARCH)
    assert not tables.adequate("EU", "US", d("2024-03-31"), UNCERTIFIED)
    assert not tables.adequate("EU", "US", d("2024-03-31"))


def test_the_dpf_counts_only_from_each_programme_start(tables):
    assert not tables.adequate("EU", "US", d("2023-07-09"), CERTIFIED)
    assert tables.adequate("EU", "US", d("2023-07-10"), CERTIFIED)
    assert not tables.adequate("UK", "US", d("2023-10-11"), CERTIFIED)
    assert tables.adequate("UK", "US", d("2023-10-12"), CERTIFIED)
    assert not tables.adequate("CH", "US", d("2024-09-14"), CERTIFIED)
    assert tables.adequate("CH", "US", d("2024-09-15"), CERTIFIED)


def test_the_eea_is_adequate_for_uk_and_swiss_exporters_but_not_a_third_country(tables):
    assert tables.adequate("UK", "DE", d("2024-06-01"))
    assert tables.adequate("CH", "FR", d("2024-06-01"))
    assert not tables.adequate("EU", "DE", d("2024-06-01"))  # inside, not "adequate"


def test_a_sectoral_decision_counts_as_adequate(tables):
    # The register records nothing about PIPEDA, so the sectoral scope cannot be tested.
    assert tables.adequate("EU", "CA", d("2024-06-01"))


def test_adequacy_begins_on_the_decision_date(tables):
    assert not tables.adequate("EU", "KR", d("2021-12-16"))
    assert tables.adequate("EU", "KR", d("2021-12-17"))
    assert not tables.adequate("UK", "KR", d("2022-12-18"))
    assert tables.adequate("UK", "KR", d("2022-12-19"))


def test_snapshot_answers_match_the_tables(tables):
    snapshot = tables.on(d("2024-03-31"))
    assert snapshot.adequate("EU", "US", CERTIFIED_TO_MARCH)
    assert not snapshot.adequate("EU", "US", UNCERTIFIED)
    assert snapshot.dpf_only("EU", "US")
    assert not snapshot.dpf_only("EU", "CH")


# -- mechanisms -----------------------------------------------------------------------------


def test_safe_harbor_is_valid_on_2015_10_05_and_not_on_2015_10_06(tables):
    assert tables.mechanism_valid("EU", "safe_harbor", d("2015-10-05"))
    assert not tables.mechanism_valid("EU", "safe_harbor", d("2015-10-06"))


def test_swiss_safe_harbor_lasted_until_2015_10_21(tables):
    assert tables.mechanism_valid("CH", "safe_harbor", d("2015-10-21"))
    assert not tables.mechanism_valid("CH", "safe_harbor", d("2015-10-22"))


def test_privacy_shield_is_valid_from_2016_07_12_to_2020_07_15(tables):
    assert not tables.mechanism_valid("EU", "privacy_shield", d("2016-07-11"))
    assert tables.mechanism_valid("EU", "privacy_shield", d("2016-07-12"))
    assert tables.mechanism_valid("EU", "privacy_shield", d("2020-07-15"))
    assert not tables.mechanism_valid("EU", "privacy_shield", d("2020-07-16"))


@pytest.mark.parametrize("mechanism", ["scc_2001", "scc_2004", "scc_2010"])
def test_old_sccs_end_on_2022_12_27_in_the_eu_and_2024_03_21_in_the_uk(tables, mechanism):
    assert tables.mechanism_valid("EU", mechanism, d("2022-12-27"))
    assert not tables.mechanism_valid("EU", mechanism, d("2022-12-28"))
    assert tables.mechanism_valid("UK", mechanism, d("2024-03-21"))
    assert not tables.mechanism_valid("UK", mechanism, d("2024-03-22"))


def test_a_mechanism_with_no_row_under_a_regime_is_not_valid_under_it(tables):
    assert not tables.mechanism_valid("EU", "uk_idta", d("2024-06-01"))
    assert tables.mechanism_valid("UK", "uk_idta", d("2024-06-01"))
    assert not tables.mechanism_valid("UK", "uk_idta", d("2022-03-20"))


def test_open_ended_mechanisms_are_valid_on_any_date(tables):
    assert tables.mechanism_valid("EU", "bcr", date(1990, 1, 1))
    assert tables.mechanism_valid("EU", "bcr", date(2090, 1, 1))


def test_any_of_several_rows_validates_a_mechanism():
    tables = Jurisdictions(
        mechanisms=[
            MechanismRecord("EU", "x", d("2000-01-01"), d("2000-12-31")),
            MechanismRecord("EU", "x", d("2002-01-01"), None),
        ]
    )
    assert tables.mechanism_valid("EU", "x", d("2000-06-01"))
    assert not tables.mechanism_valid("EU", "x", d("2001-06-01"))
    assert tables.mechanism_valid("EU", "x", d("2003-06-01"))
    assert [row.valid_from for row in tables.mechanism_rows("EU", "x")] == [
        d("2000-01-01"),
        d("2002-01-01"),
    ]


# -- restricted transfers -------------------------------------------------------------------

GERMANY = party("acme-de", "affiliate", "DE")


def restricted(tables, source, target, day="2024-06-01", **kw):
    return tables.restricted_transfers(
        flow(1, source.slug, target.slug, **kw), source, target, d(day)
    )


def test_an_eea_exporter_to_an_uncertified_us_processor_makes_a_restricted_transfer(tables):
    [transfer] = restricted(tables, GERMANY, UNCERTIFIED)
    assert (transfer.regime, transfer.source_country, transfer.countries) == ("EU", "DE", ("US",))
    assert transfer.regime_name == "EU GDPR"
    assert transfer.zone_name == "the EEA"


def test_a_certified_us_processor_receives_no_restricted_transfer_until_it_lapses(tables):
    assert restricted(tables, GERMANY, CERTIFIED_TO_MARCH, "2024-03-31") == ()
    [transfer] = restricted(tables, GERMANY, CERTIFIED_TO_MARCH, "2024-04-01")
    assert transfer.countries == ("US",)


def test_a_us_exporter_makes_no_restricted_transfer(tables):
    assert restricted(tables, party("acme", "own", "US"), party("in-co", country="IN")) == ()


def test_flow_processing_countries_override_the_targets(tables):
    assert restricted(tables, GERMANY, UNCERTIFIED, processing_countries=("IE",)) == ()
    german_host = party("host-de", country="DE")
    [transfer] = restricted(tables, GERMANY, german_host, processing_countries=("DE", "IN"))
    assert transfer.countries == ("IN",)


def test_only_the_offending_processing_countries_are_named(tables):
    target = party("multi", country="IE", processing_countries=("US", "IE", "JP", "IN"))
    [transfer] = restricted(tables, GERMANY, target)
    assert transfer.countries == ("IN", "US")


def test_a_uk_exporter_is_judged_under_the_eu_regime_before_2021(tables):
    uk = party("acme-uk", "affiliate", "GB")
    [before] = restricted(tables, uk, UNCERTIFIED, "2020-06-01")
    [after] = restricted(tables, uk, UNCERTIFIED, "2021-06-01")
    assert (before.regime, after.regime) == ("EU", "UK")
    assert restricted(tables, uk, party("eu-host", country="FR"), "2024-06-01") == ()


def test_a_swiss_exporter_to_gb_is_restricted_until_the_fadp_list_takes_effect(tables):
    swiss = party("acme-ch", "affiliate", "CH")
    gb_host = party("gb-host", country="GB")
    [transfer] = restricted(tables, swiss, gb_host, "2023-08-31")
    assert transfer.regime == "CH"
    assert restricted(tables, swiss, gb_host, "2023-09-01") == ()


def test_an_unknown_exporter_or_blank_country_gives_no_transfer(tables):
    snapshot = tables.on(d("2024-06-01"))
    record = flow(1, "ghost", "plain-co")
    assert snapshot.restricted_transfers(record, None, UNCERTIFIED) == ()
    blank = party("blank", country="")
    assert snapshot.restricted_transfers(record, GERMANY, blank) == ()


def test_two_targets_in_the_same_country_get_their_own_dpf_answer(tables):
    snapshot = tables.on(d("2024-06-01"))
    record = flow(1, "acme-de", "x")
    assert snapshot.restricted_transfers(record, GERMANY, CERTIFIED) == ()
    assert snapshot.restricted_transfers(record, GERMANY, UNCERTIFIED) != ()
    assert snapshot.restricted_transfers(record, GERMANY, CERTIFIED) == ()


def test_adequacy_with_an_end_date_stops_covering_the_next_day():
    tables = Jurisdictions(
        zones=[ZoneRecord("EU", "DE")],
        adequacy=[AdequacyRecord("EU", "XX", d("2000-01-01"), d("2010-12-31"))],
    )
    target = party("xx-co", country="XX")
    assert restricted(tables, GERMANY, target, "2010-12-31") == ()
    assert restricted(tables, GERMANY, target, "2011-01-01") != ()
