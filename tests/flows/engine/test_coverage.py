"""Which agreement covers a flow, and why the others do not: each reason, and the nearest
case where the agreement covers the flow."""

from __future__ import annotations

from dataclasses import replace

from flows.engine.context import RuleContext
from flows.engine.coverage import agreement_fit, flow_coverage, uncovered_reason
from flows.engine.records import AgreementRecord
from flows.engine.rules import evaluate
from tests.flows.engine.record_builders import (
    AS_OF,
    DPA,
    EMAIL,
    HEALTH,
    agreement,
    d,
    flow,
    register,
)

TO_CLOUDCO = flow(1, "acme", "cloudco", categories=(EMAIL,))


def fit_of(a: AgreementRecord, f=TO_CLOUDCO, as_of=AS_OF):
    reg = register([f], [a])
    return agreement_fit(RuleContext(reg, as_of), f, a)


def test_a_dpa_in_force_naming_both_covers_a_processor_flow():
    fit = fit_of(DPA)
    assert (fit.covers, fit.fitting_kind, fit.reason) == (
        True,
        True,
        "covers this flow on 2024-06-01",
    )


def test_an_expired_dpa_fits_but_does_not_cover_and_says_since_when():
    fit = fit_of(replace(DPA, expires_on=d("2024-05-31")))
    assert (fit.covers, fit.fitting_kind, fit.reason) == (False, True, "expired on 2024-05-31")
    assert fit_of(replace(DPA, expires_on=AS_OF)).covers  # the last day still counts


def test_a_dpa_limited_to_other_categories_names_the_ones_it_leaves_out():
    narrow = replace(DPA, categories=frozenset({EMAIL}))
    health = replace(TO_CLOUDCO, categories=(EMAIL, HEALTH))
    fit = fit_of(narrow, health)
    assert not fit.covers and fit.fitting_kind
    assert fit.reason == f"does not cover {HEALTH}"  # the builders' categories have no names
    assert fit_of(narrow).covers


def test_an_nda_and_a_kind_that_does_not_fit_are_told_apart():
    nda = fit_of(agreement("nda-cloudco", "nda", "acme", "cloudco"))
    assert not nda.fitting_kind
    assert nda.reason.startswith("a non-disclosure agreement sets none of the terms Art. 28(3)")
    c2c = fit_of(agreement("c2c-cloudco", "c2c_sharing", "acme", "cloudco"))
    assert c2c.reason == (
        "its kind (controller-to-controller data sharing agreement) does not fit a flow to a "
        "processor"
    )


def test_the_flows_own_transfer_tool_is_named_as_such():
    scc = agreement("scc-m1-cloudco", "scc_2021_m1", "acme", "cloudco")
    naming = replace(TO_CLOUDCO, transfer_mechanism="scc_2021", transfer_agreement="scc-m1-cloudco")
    assert fit_of(scc, naming).reason.startswith("the transfer tool this flow names;")


def test_covering_agreements_come_first_then_fitting_ones_then_the_rest():
    lapsed = agreement("a-lapsed", "dpa", "acme", "cloudco", expires_on=d("2020-01-01"))
    nda = agreement("b-nda", "nda", "acme", "cloudco")
    current = replace(DPA, reference="z-current")
    elsewhere = agreement("c-elsewhere", "dpa", "acme", "partner")
    reg = register([TO_CLOUDCO], [nda, lapsed, current, elsewhere])
    context = RuleContext(reg, AS_OF)
    fits = flow_coverage(context, TO_CLOUDCO)
    assert [f.agreement.reference for f in fits] == ["z-current", "a-lapsed", "b-nda"]
    assert uncovered_reason(context, TO_CLOUDCO, fits) == ""


def test_why_nothing_covers_the_flow_in_one_sentence():
    context = RuleContext(register([TO_CLOUDCO], []), AS_OF)
    assert uncovered_reason(context, TO_CLOUDCO, ()) == (
        "No agreement names both parties of this flow."
    )
    lapsed = agreement("dpa-old", "dpa", "acme", "cloudco", terminated_on=d("2023-03-01"))
    reg = register([TO_CLOUDCO], [lapsed])
    context = RuleContext(reg, AS_OF)
    assert uncovered_reason(context, TO_CLOUDCO, flow_coverage(context, TO_CLOUDCO)) == (
        "No agreement covers this flow on 2024-06-01: dpa-old was terminated on 2023-03-01."
    )
    nda = agreement("nda-cloudco", "nda", "acme", "cloudco")
    reg = register([TO_CLOUDCO], [nda])
    context = RuleContext(reg, AS_OF)
    assert uncovered_reason(context, TO_CLOUDCO, flow_coverage(context, TO_CLOUDCO)) == (
        "No agreement of a kind that fits this flow names both parties on 2024-06-01."
    )


def test_coverage_agrees_with_the_agreement_rules():
    """Where a page says an agreement covers the flow, no agreement rule fires on it, and
    where it says none does, one does."""
    cases = [
        [DPA],
        [replace(DPA, expires_on=d("2020-01-01"))],
        [agreement("nda-cloudco", "nda", "acme", "cloudco")],
        [],
    ]
    for agreements in cases:
        reg = register([TO_CLOUDCO], agreements)
        context = RuleContext(reg, AS_OF)
        covered = any(f.covers for f in flow_coverage(context, TO_CLOUDCO))
        flagged = {f.rule for f in evaluate(reg, AS_OF)} & {
            "NO_AGREEMENT",
            "EXPIRED_AGREEMENT",
            "NDA_ONLY",
        }
        assert covered == (not flagged), agreements
