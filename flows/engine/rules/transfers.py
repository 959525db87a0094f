"""The transfer rules: restricted transfers and their mechanisms (GDPR Chapter V, UK GDPR
Chapter V, FADP Arts. 16-17).

A flow is a restricted transfer under a regime when the regime is an origin regime of its data
at its source (the source is in the regime's zone, or the data came to it from the zone: an
onward transfer, flows.engine.origins) and some country where the data is processed is outside
the zone and not adequate on the date (flows.engine.jurisdictions). Onward hops are judged as
first transfers are, and their messages say "onward transfer of EU-origin data". Such a
transfer needs a mechanism valid on the date
(NO_TRANSFER_MECHANISM, INVALID_TRANSFER_MECHANISM), a transfer impact assessment for the
contractual ones (MISSING_TIA, CJEU C-311/18) and, for the SCCs 2021, the module that fits the
two sides (SCC_MODULE_MISMATCH, Decision (EU) 2021/914). An Art. 49 derogation serves only
occasional transfers (DEROGATION_MISUSE), and the assessment comes before the transfer
(TIA_AFTER_TRANSFER_START). Remedies name only the tools that can be put in place on the date
(RuleContext.tools_needed, from the mechanism table).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from flows.engine.context import RuleContext, flow_finding
from flows.engine.facts import FlowFacts
from flows.engine.origins import transfer_words
from flows.engine.records import Finding
from flows.engine.wording import KIND_LABELS, MECHANISM_LABELS, ROLE_WORDS, TRANSFER_CITATIONS

TIA_MECHANISMS = frozenset({"scc_2021", "uk_idta", "uk_addendum", "bcr"})
SCC_MODULES = {
    ("controller", "controller"): "scc_2021_m1",
    ("controller", "processor"): "scc_2021_m2",
    ("processor", "processor"): "scc_2021_m3",
    ("processor", "controller"): "scc_2021_m4",
}
DEROGATION = "derogation"
DEROGATION_DAYS = 30
SERVICE_ROLES = frozenset({"processor", "subprocessor"})
SCHREMS_II = date(2020, 7, 16)
CONTROLLER_SIDE_SOURCES = frozenset({"own", "affiliate", "third_party", "joint_controller"})
PROCESSOR_SIDE_SOURCES = frozenset({"processor", "subprocessor"})


def no_transfer_mechanism(ctx: RuleContext) -> Iterator[Finding]:
    """A restricted transfer with no transfer mechanism recorded.

    Basis: GDPR Arts. 44-46 and 49; UK GDPR Arts. 44-46 and 49; FADP Arts. 16-17.
    """
    for facts in ctx.restricted:
        if facts.flow.transfer_mechanism:
            continue
        why = "; ".join(ctx.describe_restricted(facts, t) for t in facts.restricted)
        yield flow_finding(
            "NO_TRANSFER_MECHANISM",
            "critical",
            facts,
            f"Restricted transfer with no transfer mechanism: {why}.",
            _transfer_citation(facts),
            f"Put a transfer tool valid on {ctx.as_of.isoformat()} in place "
            f"({ctx.tools_needed(facts)}) and run a transfer impact assessment, or stop the "
            "transfer.",
        )


def invalid_transfer_mechanism(ctx: RuleContext) -> Iterator[Finding]:
    """A restricted transfer on a mechanism that is not valid on the date: Safe Harbor,
    Privacy Shield, repealed SCCs past their transition, adequacy or DPF where the destination
    is not adequate (the DPF: the recipient's certification under the framework of the
    regime, jurisdictions.certified_for), or SCCs (2021 or old), IDTA, Addendum or BCRs without
    an effective transfer agreement of that family naming both parties. The old SCCs also
    need that agreement concluded before 2021-09-27 (EU) or on or before 2022-09-21 (UK); a UK
    Addendum needs the SCCs 2021 it amends (AgreementRecord.amends) in force between the same
    parties.

    Basis: CJEU C-362/14 (Schrems I), C-311/18 (Schrems II); Implementing Decision (EU)
    2021/914 Art. 4(3)-(4); UK transitional provisions; the ICO's International Data Transfer
    Addendum (it amends the SCCs 2021); FDPIC statements; Decision (EU) 2023/1795 Art. 1.
    Unverified: the Privacy Shield start date 2016-07-12 (in the mechanism table); the UK
    cut-off for concluding old SCCs, 2022-09-21 (jurisdictions.CONCLUDED_BY).
    """
    for facts in ctx.restricted:
        problems = ctx.mechanism_problems(facts)
        if not problems:
            continue
        reasons = list(dict.fromkeys(p.reason for p in problems))
        regimes = ", ".join(t.regime_name for t in facts.restricted)
        citation = _transfer_citation(facts)
        for problem in problems:
            rows = ctx.jurisdictions.mechanism_rows(problem.regime, facts.flow.transfer_mechanism)
            citation = "; ".join(
                dict.fromkeys([citation, *(r.citation for r in rows if r.citation)])
            )
        yield flow_finding(
            "INVALID_TRANSFER_MECHANISM",
            "critical",
            facts,
            f"The {transfer_words(facts.restricted)} from {facts.source_name} to "
            f"{facts.target_name} is restricted under "
            f"the {regimes} and its mechanism is not valid on {ctx.as_of.isoformat()}: "
            f"{'; '.join(reasons)}.",
            citation,
            f"Migrate to a tool valid on {ctx.as_of.isoformat()} ({ctx.tools_needed(facts)}), "
            "with a transfer impact assessment, and assess the period of invalid reliance for "
            "remediation.",
        )


def missing_tia(ctx: RuleContext) -> Iterator[Finding]:
    """A restricted transfer on valid SCCs 2021, IDTA, Addendum or BCRs with no transfer
    impact assessment dated on or before the date.

    Basis: CJEU C-311/18 (Schrems II); EDPB Recommendations 01/2020 v2.0; SCCs 2021 Clause 14;
    UK transfer risk assessment for the IDTA and Addendum.
    """
    for facts in ctx.restricted:
        flow = facts.flow
        if flow.transfer_mechanism not in TIA_MECHANISMS:
            continue
        if ctx.mechanism_problems(facts):
            continue
        if flow.tia_on is not None and flow.tia_on <= ctx.as_of:
            continue
        label = MECHANISM_LABELS.get(flow.transfer_mechanism, flow.transfer_mechanism)
        if flow.tia_on is None:
            why = "no transfer impact assessment is recorded"
        else:
            why = (
                f"the transfer impact assessment is dated {flow.tia_on.isoformat()}, after "
                f"{ctx.as_of.isoformat()}"
            )
        yield flow_finding(
            "MISSING_TIA",
            "high",
            facts,
            f"The {transfer_words(facts.restricted)} from {facts.source_name} to "
            f"{facts.target_name} relies on {label} "
            f"but {why}.",
            _transfer_citation(facts, "CJEU C-311/18; EDPB Recommendations 01/2020; SCCs Cl. 14"),
            "Run the transfer impact assessment (destination law and practice, supplementary "
            "measures), record its date, and suspend the transfer if protection cannot be "
            "ensured.",
        )


def derogation_misuse(ctx: RuleContext) -> Iterator[Finding]:
    """A restricted transfer on an Art. 49 derogation that cannot be one: the recipient is a
    processor or sub-processor (a service relationship is regular, not occasional), the flow
    has no end date or lasts more than 30 days, or no justification of the derogation is
    recorded. A flow lasts from its start to its end date, both days counted (records.is_active):
    2026-01-01 to 2026-01-30 is 30 days and passes, to 2026-01-31 is 31 days.

    Basis: GDPR Art. 49(1) and UK GDPR Art. 49(1) (derogations "for specific situations");
    FADP Art. 17; EDPB Guidelines 2/2018 on derogations of Article 49 (restrictive
    interpretation; occasional and not repetitive transfers). Unverified: the 30 days are
    product policy for "occasional", not a figure of the law or the guidelines.
    """
    for facts in ctx.restricted:
        flow = facts.flow
        if flow.transfer_mechanism != DEROGATION:
            continue
        why = []
        if flow.role in SERVICE_ROLES:
            why.append(f"{facts.target_name} receives the data as {ROLE_WORDS[flow.role]}")
        if flow.ended_on is None:
            why.append("the flow has no end date")
        elif (flow.ended_on - flow.started_on).days + 1 > DEROGATION_DAYS:
            days = (flow.ended_on - flow.started_on).days + 1
            why.append(
                f"the flow runs {days} days, from {flow.started_on.isoformat()} to "
                f"{flow.ended_on.isoformat()}, more than {DEROGATION_DAYS}"
            )
        if not flow.derogation_justification.strip():
            why.append("no justification of the derogation is recorded")
        if not why:
            continue
        yield flow_finding(
            "DEROGATION_MISUSE",
            "high",
            facts,
            f"The transfer from {facts.source_name} to {facts.target_name} relies on an Art. 49 "
            f"derogation, which covers only occasional transfers in specific situations, but "
            f"{'; '.join(why)}.",
            _transfer_citation(facts, "EDPB Guidelines 2/2018"),
            f"Put a transfer tool valid on {ctx.as_of.isoformat()} in place "
            f"({ctx.tools_needed(facts)}); keep a derogation only for an occasional transfer, "
            "with the derogation and why it applies recorded.",
        )


def tia_after_transfer_start(ctx: RuleContext) -> Iterator[Finding]:
    """A restricted transfer whose transfer impact assessment is dated after the transfer
    started, for transfers started after 2020-07-16: the data went out unassessed. A TIA dated
    after the date itself is MISSING_TIA's, not this rule's.

    Basis: CJEU C-311/18 (Schrems II), 16 July 2020: the exporter must verify, before the
    transfer, that the destination ensures essentially equivalent protection; SCCs 2021
    Clause 14(a)-(b); EDPB Recommendations 01/2020.
    """
    day = ctx.as_of
    for facts in ctx.restricted:
        flow = facts.flow
        tia, started = flow.tia_on, flow.started_on
        if tia is None or started <= SCHREMS_II or not started < tia <= day:
            continue
        days = (tia - started).days
        yield flow_finding(
            "TIA_AFTER_TRANSFER_START",
            "medium",
            facts,
            f"The transfer impact assessment of the transfer from {facts.source_name} to "
            f"{facts.target_name} is dated {tia.isoformat()}, {days} day{'s' if days != 1 else ''}"
            f" after the transfer started on {started.isoformat()}: the data was transferred "
            "before it was assessed.",
            _transfer_citation(facts, "CJEU C-311/18; SCCs Cl. 14; EDPB Recommendations 01/2020"),
            "Review what was transferred before the assessment and whether supplementary "
            "measures were needed then; assess future transfers before they start.",
        )


def scc_module_mismatch(ctx: RuleContext) -> Iterator[Finding]:
    """The transfer agreement is an SCCs 2021 module other than the one the two sides call
    for: controller to controller M1, to processor M2, processor to processor M3, to
    controller M4. For a UK Addendum, the SCCs 2021 it amends.

    Basis: Implementing Decision (EU) 2021/914, module structure (Modules One to Four); the
    ICO's International Data Transfer Addendum, Table 2 (the modules it amends).
    """
    for facts in ctx.naming_transfer_agreement:
        flow = facts.flow
        agreement = ctx.agreements_by_ref.get(flow.transfer_agreement or "")
        if agreement is not None and agreement.kind == "uk_addendum" and agreement.amends:
            agreement = ctx.agreements_by_ref.get(agreement.amends)
        if agreement is None or not agreement.kind.startswith("scc_2021_m"):
            continue
        sides = _scc_sides(facts)
        if sides is None:
            continue
        needed = SCC_MODULES[sides]
        if agreement.kind == needed:
            continue
        words = transfer_words(facts.restricted)
        onward = f" ({words})" if words.startswith("onward") else ""
        yield flow_finding(
            "SCC_MODULE_MISMATCH",
            "high",
            facts,
            f"Transfer agreement {agreement.reference} is "
            f"{KIND_LABELS.get(agreement.kind, agreement.kind)}, but the flow{onward} goes from "
            f"a {sides[0]} ({facts.source_name}) to a {sides[1]} ({facts.target_name}): "
            f"{KIND_LABELS[needed]} is needed.",
            "Implementing Decision (EU) 2021/914, Modules One to Four",
            "Re-paper the transfer with the right module and complete Annexes I-III.",
        )


def _scc_sides(facts: FlowFacts) -> tuple[str, str] | None:
    """(exporter side, importer side), or None when the source's relationship is unknown."""
    relationship = facts.source.relationship if facts.source else ""
    if relationship in CONTROLLER_SIDE_SOURCES:
        source = "controller"
    elif relationship in PROCESSOR_SIDE_SOURCES:
        source = "processor"
    else:
        return None
    target = "controller" if facts.flow.role in ("controller", "joint_controller") else "processor"
    return source, target


def _transfer_citation(facts: FlowFacts, extra: str = "") -> str:
    parts = [TRANSFER_CITATIONS.get(t.regime, t.regime) for t in facts.restricted]
    return "; ".join(dict.fromkeys([*parts, *([extra] if extra else [])]))
