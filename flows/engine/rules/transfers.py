"""The transfer rules: restricted transfers and their mechanisms (GDPR Chapter V, UK GDPR
Chapter V, FADP Arts. 16-17).

A flow is a restricted transfer under a regime when its source is in the regime's zone and
some country where the data is processed is outside the zone and not adequate on the date
(flows.engine.jurisdictions). Such a transfer needs a mechanism valid on the date
(NO_TRANSFER_MECHANISM, INVALID_TRANSFER_MECHANISM), a transfer impact assessment for the
contractual ones (MISSING_TIA, CJEU C-311/18) and, for the SCCs 2021, the module that fits the
two sides (SCC_MODULE_MISMATCH, Decision (EU) 2021/914).
"""

from __future__ import annotations

from collections.abc import Iterator

from flows.engine.context import FlowFacts, RuleContext, flow_finding
from flows.engine.records import Finding
from flows.engine.wording import KIND_LABELS, MECHANISM_LABELS, TRANSFER_CITATIONS

TIA_MECHANISMS = frozenset({"scc_2021", "uk_idta", "uk_addendum", "bcr"})
SCC_MODULES = {
    ("controller", "controller"): "scc_2021_m1",
    ("controller", "processor"): "scc_2021_m2",
    ("processor", "processor"): "scc_2021_m3",
    ("processor", "controller"): "scc_2021_m4",
}
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
            "Put a valid transfer tool in place (SCCs 2021 module, UK IDTA or Addendum, BCRs, "
            "or the recipient's DPF certification) and run a transfer impact assessment, or "
            "stop the transfer.",
        )


def invalid_transfer_mechanism(ctx: RuleContext) -> Iterator[Finding]:
    """A restricted transfer on a mechanism that is not valid on the date: Safe Harbor,
    Privacy Shield, repealed SCCs past their transition, adequacy or DPF where the destination
    is not adequate, or SCCs 2021, IDTA, Addendum or BCRs without an effective transfer
    agreement of that family naming both parties.

    Basis: CJEU C-362/14 (Schrems I), C-311/18 (Schrems II); Implementing Decision (EU)
    2021/914; UK transitional provisions; FDPIC statements; Decision (EU) 2023/1795 Art. 1.
    Unverified: the Privacy Shield start date 2016-07-12 (in the mechanism table).
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
            f"The transfer from {facts.source_name} to {facts.target_name} is restricted under "
            f"the {regimes} and its mechanism is not valid on {ctx.as_of.isoformat()}: "
            f"{'; '.join(reasons)}.",
            citation,
            "Migrate to a valid tool (SCCs 2021 with a TIA, UK IDTA or Addendum, or a verified "
            "DPF certification) and assess the period of invalid reliance for remediation.",
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
            f"The transfer from {facts.source_name} to {facts.target_name} relies on {label} "
            f"but {why}.",
            _transfer_citation(facts, "CJEU C-311/18; EDPB Recommendations 01/2020; SCCs Cl. 14"),
            "Run the transfer impact assessment (destination law and practice, supplementary "
            "measures), record its date, and suspend the transfer if protection cannot be "
            "ensured.",
        )


def scc_module_mismatch(ctx: RuleContext) -> Iterator[Finding]:
    """The transfer agreement is an SCCs 2021 module other than the one the two sides call
    for: controller to controller M1, to processor M2, processor to processor M3, to
    controller M4.

    Basis: Implementing Decision (EU) 2021/914, module structure (Modules One to Four).
    """
    for facts in ctx.naming_transfer_agreement:
        flow = facts.flow
        agreement = ctx.agreements_by_ref.get(flow.transfer_agreement or "")
        if agreement is None or not agreement.kind.startswith("scc_2021_m"):
            continue
        sides = _scc_sides(facts)
        if sides is None:
            continue
        needed = SCC_MODULES[sides]
        if agreement.kind == needed:
            continue
        yield flow_finding(
            "SCC_MODULE_MISMATCH",
            "high",
            facts,
            f"Transfer agreement {agreement.reference} is "
            f"{KIND_LABELS.get(agreement.kind, agreement.kind)}, but the flow goes from a "
            f"{sides[0]} ({facts.source_name}) to a {sides[1]} ({facts.target_name}): "
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
