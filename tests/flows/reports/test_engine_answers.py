"""The registers read the engine's answers (agreement state, activity, the taxonomy) rather
than their own: built from records, no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from flows.engine.records import AgreementState, PurposeRecord, agreement_state
from flows.reports import lookups
from flows.reports import registers as reports
from tests.flows.engine.record_builders import (
    AS_OF,
    GENETIC,
    agreement,
    flow,
    purposes,
    register,
)

WORDS = {
    AgreementState.IN_FORCE: "in effect",
    AgreementState.UNDATED: "undated",
    AgreementState.NOT_YET_EFFECTIVE: "not yet effective",
    AgreementState.TERMINATED: "terminated",
    AgreementState.EXPIRED: "expired",
}
maybe_day = st.none() | st.integers(min_value=-3, max_value=3).map(
    lambda n: AS_OF + timedelta(days=n)
)


@given(maybe_day, maybe_day, maybe_day, maybe_day)
def test_the_agreement_status_is_the_engine_state_in_words(signed, effective, expires, ended):
    record = agreement(
        "a",
        "dpa",
        "acme",
        "cloudco",
        signed_on=signed,
        effective_on=effective,
        expires_on=expires,
        terminated_on=ended,
    )
    assert lookups.agreement_status(record, AS_OF) == WORDS[agreement_state(record, AS_OF)]


def test_an_agreement_that_expired_before_it_was_terminated_reads_expired():
    record = agreement(
        "a",
        "dpa",
        "acme",
        "cloudco",
        expires_on=AS_OF - timedelta(days=30),
        terminated_on=AS_OF - timedelta(days=10),
    )
    assert lookups.agreement_status(record, AS_OF) == "expired"


def _controller_rows(reg):
    table = reports.controller_record(lookups.ReportInput(register=reg, as_of=AS_OF))
    return [dict(zip(table.columns, row, strict=True)) for row in table.rows]


def test_the_controller_record_lists_only_active_flows_and_inherited_special_data():
    genetic = flow(1, "acme", "cloudco", categories=(GENETIC,), reference="genetic")
    ended = flow(2, "acme", "partner", role="controller", ended_on=AS_OF - timedelta(days=1))
    [row] = _controller_rows(register([genetic, ended]))
    assert row["Register flow reference"] == genetic.reference
    # GENETIC inherits the special-category flag from its parent, user.health_and_medical.
    assert row["Article 9 condition for processing special category data"] == (
        "None recorded, although special category data is processed"
    )


def test_the_business_function_is_the_root_of_the_purpose_in_the_taxonomy():
    # The parent links decide, not the dots of the key.
    names = {
        **purposes(),
        "care": PurposeRecord("care", name="Customer care"),
        "support": PurposeRecord("support", name="Support", parent="care"),
    }
    reg = replace(register([flow(1, "acme", "cloudco", purpose="support")]), purposes=names)
    [row] = _controller_rows(reg)
    assert row["Business function"] == "Customer care"
    assert row["Purpose of processing"] == "Support"


def test_under_essential_the_business_function_is_the_purposes_own_name():
    # "Essential" says the service needs the processing, not which function does it.
    names = {
        **purposes(),
        "essential": PurposeRecord("essential", name="Essential"),
        "essential.billing": PurposeRecord(
            "essential.billing", name="Essential for Billing", parent="essential"
        ),
        "essential.service": PurposeRecord(
            "essential.service", name="Essential for Service", parent="essential"
        ),
    }
    flows = [
        flow(1, "acme", "cloudco", purpose="essential.billing", reference="billing"),
        flow(2, "acme", "partner", purpose="essential.service", reference="service"),
    ]
    rows = _controller_rows(replace(register(flows), purposes=names))
    functions = {r["Register flow reference"]: r["Business function"] for r in rows}
    assert functions == {"billing": "Billing", "service": "Service delivery"}
