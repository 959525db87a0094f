"""The questions asked of a record on a date, answered in one place: is a flow active, where
does an agreement stand. No database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.engine.context import RuleContext
from flows.engine.records import AgreementRecord, AgreementState, agreement_state, is_active
from flows.engine.wording import why_not_effective
from tests.flows.engine.record_builders import agreement, d, flow, register

DAY = d("2024-06-01")
BEFORE, AFTER = DAY - timedelta(days=1), DAY + timedelta(days=1)


@pytest.mark.parametrize(
    ("started_on", "ended_on", "active"),
    [
        (DAY, None, True),
        (AFTER, None, False),
        (BEFORE, DAY, True),
        (BEFORE, BEFORE, False),
        (DAY, DAY, True),
    ],
)
def test_a_flow_is_active_from_its_first_day_through_its_last(started_on, ended_on, active):
    record = flow(1, "acme", "cloudco", started_on=started_on, ended_on=ended_on)
    assert is_active(record, DAY) is active


@pytest.mark.parametrize(
    ("dates", "state"),
    [
        ({}, AgreementState.IN_FORCE),
        ({"signed_on": None}, AgreementState.UNDATED),
        ({"signed_on": None, "effective_on": DAY}, AgreementState.IN_FORCE),
        ({"effective_on": AFTER}, AgreementState.NOT_YET_EFFECTIVE),
        ({"expires_on": DAY}, AgreementState.IN_FORCE),
        ({"expires_on": BEFORE}, AgreementState.EXPIRED),
        ({"terminated_on": AFTER}, AgreementState.IN_FORCE),
        ({"terminated_on": DAY}, AgreementState.TERMINATED),
        # Terminated the day after it expired: the termination is the reason given.
        (
            {"expires_on": d("2024-01-01"), "terminated_on": d("2024-01-02")},
            AgreementState.TERMINATED,
        ),
        # Expired long before a later termination: the expiry came first.
        ({"expires_on": d("2024-01-01"), "terminated_on": d("2024-03-01")}, AgreementState.EXPIRED),
    ],
)
def test_an_agreement_is_in_force_from_its_start_through_its_expiry(dates, state):
    assert agreement_state(agreement("a", "dpa", "acme", "cloudco", **dates), DAY) == state


maybe_day = st.none() | st.integers(min_value=-3, max_value=3).map(lambda n: DAY + timedelta(n))


@st.composite
def agreements(draw: st.DrawFn) -> AgreementRecord:
    return agreement(
        "a",
        "dpa",
        "acme",
        "cloudco",
        signed_on=draw(maybe_day),
        effective_on=draw(maybe_day),
        expires_on=draw(maybe_day),
        terminated_on=draw(maybe_day),
    )


@given(agreements())
def test_in_force_means_started_not_expired_and_not_terminated(record):
    start = record.effective_on or record.signed_on
    in_force = (
        start is not None
        and start <= DAY
        and (record.expires_on is None or record.expires_on >= DAY)
        and (record.terminated_on is None or record.terminated_on > DAY)
    )
    assert (agreement_state(record, DAY) is AgreementState.IN_FORCE) is in_force


@given(agreements())
def test_the_rules_and_the_messages_read_the_same_state(record):
    state = agreement_state(record, DAY)
    context = RuleContext(register(agreements=[record]), DAY)
    assert context.is_effective(record) is (state is AgreementState.IN_FORCE)
    words = {
        AgreementState.IN_FORCE: "is in force",
        AgreementState.UNDATED: "has no signature or effective date",
        AgreementState.NOT_YET_EFFECTIVE: "takes effect only on",
        AgreementState.TERMINATED: "was terminated on",
        AgreementState.EXPIRED: "expired on",
    }
    assert words[state] in why_not_effective(record, DAY)
