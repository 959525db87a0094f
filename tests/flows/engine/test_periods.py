"""Periods of days (flows.engine.periods) against a day-by-day reckoning, and the in-force
period of an agreement (rules.past.in_force_days) against records.agreement_state."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from flows.engine.periods import add_months, complement, intersection, period, union
from flows.engine.records import AgreementRecord, AgreementState, agreement_state
from flows.engine.rules.past import in_force_days

BASE = date(2024, 1, 1)
days_st = st.integers(min_value=0, max_value=40).map(lambda n: BASE + timedelta(days=n))
periods_st = st.lists(st.tuples(days_st, days_st), max_size=5)


def _days(periods) -> set[date]:
    found: set[date] = set()
    for start, end in periods:
        n = 0
        while start + timedelta(days=n) <= end:
            found.add(start + timedelta(days=n))
            n += 1
    return found


def _clip(periods) -> list[tuple[date, date]]:
    """Open ends cut to the test's range, to count days."""
    low, high = BASE - timedelta(days=2), BASE + timedelta(days=42)
    return [(max(s, low), min(e, high)) for s, e in periods]


@given(periods_st, periods_st)
def test_union_intersection_and_complement_agree_with_counting_days(a, b):
    ua, ub = union(a), union(b)
    assert _days(ua) == _days(a)
    # Sorted, disjoint, not touching.
    for (_, end), (start, _) in zip(ua, ua[1:], strict=False):
        assert end + timedelta(days=1) < start
    assert _days(intersection(ua, ub)) == _days(a) & _days(b)
    everything = _days(_clip(((date.min, date.max),)))
    assert _days(_clip(complement(ua))) == everything - _days(a)
    assert complement(complement(ua)) == ua


def test_open_periods_merge_and_complement_without_overflow():
    assert union([(date(2020, 1, 1), date.max), (date(2021, 1, 1), date(2022, 1, 1))]) == (
        (date(2020, 1, 1), date.max),
    )
    assert complement(((date.min, date.max),)) == ()
    assert complement(()) == ((date.min, date.max),)
    assert period(date(2020, 1, 2), date(2020, 1, 1)) == ()


def test_calendar_months_keep_the_day_or_take_the_last_day_of_a_shorter_month():
    assert add_months(date(2025, 3, 1), 12) == date(2026, 3, 1)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2028, 2, 29), -72) == date(2022, 2, 28)
    assert add_months(date(2024, 3, 31), 1) == date(2024, 4, 30)
    assert add_months(date(2024, 1, 15), -1) == date(2023, 12, 15)


maybe_day = st.none() | days_st


@given(maybe_day, maybe_day, maybe_day, maybe_day, days_st)
def test_the_in_force_period_of_an_agreement_is_where_agreement_state_says_in_force(
    signed, expires, terminated, effective, day
):
    agreement = AgreementRecord(
        "a",
        "dpa",
        frozenset({"x", "y"}),
        signed_on=signed,
        effective_on=effective,
        expires_on=expires,
        terminated_on=terminated,
    )
    in_force = agreement_state(agreement, day) is AgreementState.IN_FORCE
    assert (day in _days(_clip(in_force_days(agreement)))) is in_force
