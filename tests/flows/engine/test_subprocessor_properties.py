"""Properties of the sub-processor rules, on registers that hypothesis makes up: chains of
processors and sub-processors among a few parties, random agreements and engagements.

Making a hop better never adds a finding to it (nor an onward-transfer finding anywhere):
- evidencing its sub-processing agreement (on the engagements in force, or on a new one);
- a specific authorisation dated before the date;
- a valid transfer tool: SCCs 2021 module 3 effective on the date naming the hop's two
  parties, with the flow's mechanism scc_2021.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from flows.engine.engagements import engagement_in_force
from flows.engine.records import AgreementRecord, EngagementRecord, FlowRecord, Register
from flows.engine.rules import evaluate
from tests.flows.engine.record_builders import (
    CARD,
    CONTACT,
    EMAIL,
    HEALTH,
    SERVICE,
    USER,
    base_parties,
    party,
    register,
    with_party,
)

GROUP = ("acme", "acme-de", "acme-uk")
PROCESSORS = ("cloudco", "host-de", "backupco", "mailco")
CATEGORIES = (USER, CONTACT, EMAIL, HEALTH, CARD)
KINDS = ("dpa", "scc_2021_m3", "scc_2021_m2", "nda")

dates = st.dates(min_value=date(2018, 1, 1), max_value=date(2027, 12, 31))
maybe_date = st.none() | dates


@st.composite
def flows(draw, flow_id: int) -> FlowRecord:
    if draw(st.booleans()):
        source, role = draw(st.sampled_from(GROUP)), "processor"
        target = draw(st.sampled_from(PROCESSORS))
    else:
        source, target = draw(
            st.lists(st.sampled_from(PROCESSORS), min_size=2, max_size=2, unique=True)
        )
        role = "subprocessor"
    started = draw(st.dates(min_value=date(2018, 1, 1), max_value=date(2025, 1, 1)))
    return FlowRecord(
        id=flow_id,
        source=source,
        target=target,
        categories=tuple(
            draw(st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=2, unique=True))
        ),
        purpose=SERVICE,
        role=role,
        started_on=started,
        ended_on=draw(st.none() | st.dates(min_value=started, max_value=date(2028, 1, 1))),
        lawful_basis="contract",
        art9_condition="explicit_consent",
        transfer_mechanism=draw(st.sampled_from(("", "scc_2021", "dpf"))),
        tia_on=draw(maybe_date),
    )


@st.composite
def agreements(draw, reference: str) -> AgreementRecord:
    members = draw(
        st.lists(st.sampled_from(GROUP + PROCESSORS), min_size=2, max_size=2, unique=True)
    )
    return AgreementRecord(
        reference=reference,
        kind=draw(st.sampled_from(KINDS)),
        parties=frozenset(members),
        signed_on=draw(dates),
        expires_on=draw(maybe_date),
        flowdown=draw(st.booleans()),
        subprocessor_authorisation=draw(st.sampled_from(("none", "general", "specific"))),
        objection_days=draw(st.sampled_from((0, 14, 30, 60))),
    )


@st.composite
def engagements(draw, engagement_id: int) -> EngagementRecord:
    processor, subprocessor = draw(
        st.lists(st.sampled_from(PROCESSORS), min_size=2, max_size=2, unique=True)
    )
    return EngagementRecord(
        processor,
        subprocessor,
        noticed_on=draw(maybe_date),
        objected_on=draw(st.none() | st.none() | dates),
        authorised_on=draw(maybe_date),
        evidence=draw(st.sampled_from(("", "copy", "attestation", "statement"))),
        evidenced_on=draw(maybe_date),
        ended_on=draw(st.none() | st.none() | dates),
        id=engagement_id,
    )


@st.composite
def registers(draw) -> Register:
    parties = with_party(base_parties(), party("host-de", "processor", "DE", name="Host GmbH"))
    parties = with_party(parties, party("mailco", "processor", "IN", name="MailCo"))
    return register(
        [draw(flows(i + 1)) for i in range(draw(st.integers(min_value=1, max_value=10)))],
        [draw(agreements(f"a{i}")) for i in range(draw(st.integers(min_value=0, max_value=6)))],
        parties=parties,
        engagements=[
            draw(engagements(i + 1)) for i in range(draw(st.integers(min_value=0, max_value=6)))
        ],
    )


PROPERTY = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _hop(reg: Register, data: st.DataObject) -> FlowRecord | None:
    hops = [f for f in reg.flows if f.role == "subprocessor"]
    return data.draw(st.sampled_from(hops)) if hops else None


def _judged(reg: Register, hop: FlowRecord, as_of: date) -> tuple[set[str], set[int]]:
    """The rules that flag the hop, and the flows that ONWARD_TRANSFER_UNCOVERED flags."""
    found = evaluate(reg, as_of)
    rules = {f.rule for f in found if f.flow == hop.id}
    onward = {f.flow for f in found if f.rule == "ONWARD_TRANSFER_UNCOVERED" and f.flow}
    return rules, onward


def _improved(reg: Register, hop: FlowRecord, as_of: date, **fields) -> Register:
    """The hop's engagements in force on the date get `fields`; with none, one is added."""
    pair = (hop.source, hop.target)
    changed: list[EngagementRecord] = []
    touched = False
    for e in reg.engagements:
        if (e.processor, e.subprocessor) == pair and engagement_in_force(e, as_of):
            e = replace(e, **fields)
            touched = True
        changed.append(e)
    if not touched:
        changed.append(EngagementRecord(hop.source, hop.target, id=99, **fields))
    return replace(reg, engagements=tuple(changed))


def _never_worse(before: Register, after: Register, hop: FlowRecord, as_of: date) -> None:
    rules_before, onward_before = _judged(before, hop, as_of)
    rules_after, onward_after = _judged(after, hop, as_of)
    assert rules_after <= rules_before
    assert onward_after <= onward_before
    assert not rules_after & {"NO_AGREEMENT", "EXPIRED_AGREEMENT", "NDA_ONLY"}
    event("the hop improved" if rules_after < rules_before else "no change on the hop")


@PROPERTY
@given(registers(), dates, st.data())
def test_evidencing_the_engagement_never_adds_a_finding_to_the_hop(reg, as_of, data):
    hop = _hop(reg, data)
    if hop is None:
        return
    after = _improved(reg, hop, as_of, evidence="copy", evidenced_on=as_of)
    _never_worse(reg, after, hop, as_of)


@PROPERTY
@given(registers(), dates, st.data())
def test_a_specific_authorisation_before_the_date_never_adds_a_finding_to_the_hop(reg, as_of, data):
    hop = _hop(reg, data)
    if hop is None:
        return
    after = _improved(reg, hop, as_of, authorised_on=as_of - timedelta(days=1))
    _never_worse(reg, after, hop, as_of)


@PROPERTY
@given(registers(), st.dates(min_value=date(2022, 1, 1), max_value=date(2027, 12, 31)), st.data())
def test_a_valid_transfer_tool_never_adds_a_finding_to_the_hop(reg, as_of, data):
    hop = _hop(reg, data)
    if hop is None:
        return
    scc = AgreementRecord(
        reference="added-scc",
        kind="scc_2021_m3",
        parties=frozenset((hop.source, hop.target)),
        signed_on=date(2021, 10, 1),
        flowdown=True,
        subprocessor_authorisation="general",
    )
    tooled = replace(
        hop, transfer_mechanism="scc_2021", transfer_agreement="added-scc", tia_on=hop.started_on
    )
    after = replace(
        reg,
        flows=tuple(tooled if f.id == hop.id else f for f in reg.flows),
        agreements=(*reg.agreements, scc),
    )
    before = replace(
        reg,
        flows=tuple(replace(f, tia_on=f.started_on) if f.id == hop.id else f for f in reg.flows),
    )
    _never_worse(before, after, hop, as_of)
