"""Properties of the whole engine, on registers that hypothesis makes up.

- findings do not depend on the order of flows, agreements or parties;
- evaluating twice gives the same result;
- adding an effective qualifying agreement never adds a finding to that flow;
- the onward-transfer search, which looks only at what the first hops reach, finds the same
  chains as a search of every flow.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from flows.engine.context import FITTING_KINDS, RuleContext
from flows.engine.graph import chains_to_marked
from flows.engine.records import AgreementRecord, FlowRecord, Register
from flows.engine.rules import RULE_IDS, evaluate
from flows.engine.rules.chains import _edges_reachable
from tests.flows.engine.record_builders import (
    AD_SALE,
    CARD,
    CHILDRENS,
    CONTACT,
    EMAIL,
    GENETIC,
    PHONE,
    SERVICE,
    USER,
    base_parties,
    engagement,
    party,
    register,
    with_party,
)

SLUGS = ("acme", "acme-de", "acme-ch", "acme-uk", "cloudco", "backupco", "partner", "host-de")
CATEGORIES = (USER, CONTACT, EMAIL, PHONE, GENETIC, CHILDRENS, CARD)
ROLES = tuple(sorted(FITTING_KINDS))
KINDS = (
    "dpa",
    "scc_2021_m1",
    "scc_2021_m2",
    "scc_2021_m3",
    "scc_2021_m4",
    "scc_2010_c2p",
    "intra_group",
    "joint_controller_arrangement",
    "c2c_sharing",
    "uk_idta",
    "bcr",
    "nda",
)
MECHANISMS = (
    "",
    "scc_2021",
    "scc_2010",
    "safe_harbor",
    "privacy_shield",
    "dpf",
    "adequacy",
    "uk_idta",
    "bcr",
)
REFERENCES = tuple(f"a{i}" for i in range(6))

dates = st.dates(min_value=date(2012, 1, 1), max_value=date(2027, 12, 31))
maybe_date = st.none() | dates


@st.composite
def flows(draw, flow_id: int) -> FlowRecord:
    source, target = draw(st.lists(st.sampled_from(SLUGS), min_size=2, max_size=2, unique=True))
    started = draw(dates)
    return FlowRecord(
        id=flow_id,
        source=source,
        target=target,
        categories=tuple(
            draw(st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=2, unique=True))
        ),
        purpose=draw(st.sampled_from((SERVICE, AD_SALE))),
        role=draw(st.sampled_from(ROLES)),
        started_on=started,
        ended_on=draw(st.none() | st.dates(min_value=started, max_value=date(2028, 1, 1))),
        lawful_basis=draw(st.sampled_from(("", "consent", "contract"))),
        art9_condition=draw(st.sampled_from(("", "explicit_consent"))),
        processing_countries=tuple(
            draw(st.lists(st.sampled_from(("DE", "US", "IN", "JP")), max_size=2))
        ),
        transfer_mechanism=draw(st.sampled_from(MECHANISMS)),
        transfer_agreement=draw(st.none() | st.sampled_from(REFERENCES)),
        tia_on=draw(maybe_date),
    )


@st.composite
def agreements(draw, reference: str) -> AgreementRecord:
    members = draw(st.lists(st.sampled_from(SLUGS), min_size=2, max_size=3, unique=True))
    return AgreementRecord(
        reference=reference,
        kind=draw(st.sampled_from(KINDS)),
        parties=frozenset(members),
        signed_on=draw(dates),
        effective_on=draw(maybe_date),
        expires_on=draw(maybe_date),
        terminated_on=draw(maybe_date),
        categories=frozenset(draw(st.lists(st.sampled_from(CATEGORIES), max_size=2))),
        flowdown=draw(st.booleans()),
        subprocessor_authorisation=draw(st.sampled_from(("none", "general", "specific"))),
    )


@st.composite
def registers(draw) -> Register:
    parties = with_party(base_parties(), party("host-de", "processor", "DE", name="Host GmbH"))
    parties = with_party(
        parties,
        party(
            "cloudco",
            name="CloudCo Hosting",
            dpf_certified_until=draw(maybe_date),
            pci_attested_on=draw(maybe_date),
        ),
    )
    parties = with_party(
        parties,
        party(
            "backupco",
            "subprocessor",
            "IN",
            name="BackupCo",
            status=draw(st.sampled_from(("approved", "under_review"))),
        ),
    )
    flow_count = draw(st.integers(min_value=0, max_value=12))
    agreement_count = draw(st.integers(min_value=0, max_value=len(REFERENCES)))
    return register(
        [draw(flows(i + 1)) for i in range(flow_count)],
        [draw(agreements(REFERENCES[i])) for i in range(agreement_count)],
        parties=parties,
        engagements=[engagement("cloudco", "backupco")],
    )


def shuffled(reg: Register, seed: int) -> Register:
    rng = random.Random(seed)
    parties = list(reg.parties.items())
    rng.shuffle(parties)
    return replace(
        reg,
        parties=dict(parties),
        flows=tuple(rng.sample(reg.flows, len(reg.flows))),
        agreements=tuple(rng.sample(reg.agreements, len(reg.agreements))),
    )


# No example database: the suite leaves nothing behind in the working tree.
PROPERTY = settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@PROPERTY
@given(registers(), dates, st.integers(min_value=0, max_value=2**32))
def test_findings_do_not_depend_on_the_order_of_the_input(reg, as_of, seed):
    assert evaluate(shuffled(reg, seed), as_of) == evaluate(reg, as_of)


@PROPERTY
@given(registers(), dates)
def test_evaluating_twice_gives_the_same_findings(reg, as_of):
    first = evaluate(reg, as_of)
    assert evaluate(reg, as_of) == first
    assert all(f.rule in RULE_IDS for f in first)
    active = {f.id for f in reg.flows if f.started_on <= as_of and (f.ended_on or as_of) >= as_of}
    assert {f.flow for f in first} <= active


@PROPERTY
@given(registers(), dates, st.data())
def test_an_effective_qualifying_agreement_never_adds_a_finding_to_its_flow(reg, as_of, data):
    if not reg.flows:
        return
    target = data.draw(st.sampled_from(reg.flows))
    kind = sorted(FITTING_KINDS[target.role])[0]
    covering = AgreementRecord(
        reference="added-qualifying-agreement",
        kind=kind,
        parties=frozenset((target.source, target.target)),
        signed_on=date(2000, 1, 1),
        flowdown=True,
        subprocessor_authorisation="general",
    )
    before = {f.rule for f in evaluate(reg, as_of) if f.flow == target.id}
    after_reg = replace(reg, agreements=(*reg.agreements, covering))
    after = {f.rule for f in evaluate(after_reg, as_of) if f.flow == target.id}
    assert after <= before
    assert not after & {"NO_AGREEMENT", "EXPIRED_AGREEMENT", "NDA_ONLY"}


@st.composite
def chains(draw) -> Register:
    """Many flows, all active, between few parties: chains of several hops are common."""
    hops = draw(st.lists(st.tuples(*[st.sampled_from(SLUGS)] * 2), min_size=1, max_size=30))
    return register(
        [
            FlowRecord(
                id=i + 1,
                source=source,
                target=target,
                categories=tuple(
                    draw(st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=2, unique=True))
                ),
                purpose=SERVICE,
                role="processor",
                started_on=date(2000, 1, 1),
            )
            for i, (source, target) in enumerate(hops)
            if source != target
        ],
        [],
        parties=base_parties(),
    )


@PROPERTY
@given(chains(), st.data())
def test_the_onward_search_finds_the_chains_a_search_of_every_flow_finds(reg, data):
    """ONWARD_TRANSFER_UNCOVERED searches only what the first hops reach: the same chains
    as searching every flow of the category, whichever flows are uncovered."""
    ctx = RuleContext(reg, date(2026, 1, 1))
    marks = data.draw(st.lists(st.booleans(), min_size=len(reg.flows), max_size=len(reg.flows)))
    uncovered = {f.id for f, marked in zip(reg.flows, marks, strict=True) if marked}
    found = 0
    for key in CATEGORIES:
        related = {*ctx.taxonomy.lineage(key), *ctx.under(key)}
        every = [
            (f.flow.source, f.flow.target, f.flow.id)
            for f in ctx.flows
            if not related.isdisjoint(f.flow.categories)
        ]
        first = [e for e in every if e[0] in ctx.owners and e[1] not in ctx.owners]
        reached = _edges_reachable(ctx.onward_hops, {t for _, t, _ in first}, related)
        searched = chains_to_marked([*first, *reached], ctx.owners, uncovered)
        assert searched == chains_to_marked(every, ctx.owners, uncovered)
        found += len(searched)
    event("chains found" if found else "no chain")
