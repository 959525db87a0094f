"""The transfer rules and the chain rule: restricted transfers and where data travels on.

Each function is one rule of flows/engine/rules/__init__.py's RULES (see there for the shared conventions).
A flow is a restricted transfer under a regime when its source is in the regime's zone and
some country where the data is processed is outside the zone and not adequate on the date
(flows/engine/jurisdictions.py). Citations come from the legal rulebook, sections 3, 4 and 7.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterator, Mapping

from flows.engine.context import FlowFacts, RuleContext, flow_finding
from flows.engine.graph import chains_to_marked
from flows.engine.records import Finding, FlowRecord
from flows.engine.wording import (
    KIND_LABELS,
    MECHANISM_LABELS,
    TRANSFER_CITATIONS,
    flow_label,
    party_name,
    why_not_effective,
)

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

    Basis: GDPR Arts. 44-46 and 49; UK GDPR equivalents; FADP Arts. 16-17 (rulebook R-18).
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
    2021/914; UK transitional provisions; FDPIC statements; Decision (EU) 2023/1795 Art. 1
    (rulebook R-19, table 7.3). The Privacy Shield start date 2016-07-12 is [U].
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
    UK transfer risk assessment for the IDTA and Addendum (rulebook R-20, 3.7).
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

    Basis: Implementing Decision (EU) 2021/914, module structure (rulebook 3.4.1, R-23).
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


def onward_transfer_uncovered(ctx: RuleContext) -> Iterator[Finding]:
    """Data the own party sends on a first hop later travels over a hop that has no
    agreement, an expired one, only an NDA, no transfer mechanism or an invalid one. The first
    hop is flagged, with the path, once per flow for all its categories concerned; each
    category's graph is walked by breadth-first search, never by enumerating paths.

    Basis: GDPR Art. 44 (onward transfers; its wording is [U] in the rulebook, 3.2); Decision
    (EU) 2021/914 recital 1 and Clause 8 (onward-transfer clauses; details [U]); EDPB Opinion
    22/2024 (the controller answers for its processors' chains) (rulebook R-22).
    """
    if not ctx.owners:
        return
    bad = {f.flow.id for gap in ctx.with_gap.values() for f in gap}
    bad.update(f.flow.id for f in ctx.restricted if ctx.transfer_gap(f) is not None)
    first_hops = [f.flow for f in ctx.from_owners]
    best: dict[int, tuple[int, tuple[str, ...], int]] = {}
    categories: dict[int, list[str]] = defaultdict(list)
    for key in sorted({c for flow in first_hops for c in flow.categories}):
        # The graph of this key: flows carrying it, an ancestor or a descendant of it.
        related = {*ctx.taxonomy.lineage(key), *ctx.under(key)}
        first = [
            (flow.source, flow.target, flow.id)
            for flow in first_hops
            if flow.target not in ctx.owners and not related.isdisjoint(flow.categories)
        ]
        onward = _edges_reachable(ctx.onward_hops, {t for _, t, _ in first}, related)
        chains = chains_to_marked([*first, *onward], ctx.owners, bad)
        for flow_id, (path, bad_flow) in chains.items():
            # A first hop listing only a broader or narrower category is judged under its own
            # keys, where the chain must carry data related to what it actually sends.
            if key not in ctx.by_id[flow_id].flow.categories:
                continue
            categories[flow_id].append(key)
            candidate = (len(path), path, bad_flow)
            if flow_id not in best or candidate < best[flow_id]:
                best[flow_id] = candidate
    for flow_id in sorted(best):
        facts = ctx.by_id[flow_id]
        _, path, bad_flow = best[flow_id]
        names = " → ".join(party_name(ctx.parties.get(s), s) for s in path)
        hop = ctx.by_id[bad_flow]
        keys = tuple(sorted(categories[flow_id]))
        yield flow_finding(
            "ONWARD_TRANSFER_UNCOVERED",
            "high",
            facts,
            f"Data of {', '.join(keys)} sent to {facts.target_name} travels on along {names}; "
            "the hop "
            f"{hop.source_name} → {hop.target_name} ({flow_label(hop.flow)}) "
            f"{'; '.join(_hop_gaps(ctx, hop))}.",
            "GDPR Art. 44 (onward transfers), Art. 28(4); Decision (EU) 2021/914 Clause 8",
            f"Obtain from {facts.target_name} the agreements and transfer tools for its onward "
            "flows and extend the TIA to the chain, or stop sending this data.",
            categories=keys,
            path=path,
        )


def _edges_reachable(
    hops: Mapping[str, list[FlowRecord]], starts: set[str], related: set[str]
) -> list[tuple[str, str, int]]:
    """(source, target, flow id) of the onward hops carrying a related category that can be
    reached from `starts`, walking forward.

    Only this part of a category's graph can lead a first hop to an uncovered hop, and it is
    usually a small share of the register: chains_to_marked then searches it alone (same
    result, since every path from a start stays inside it), not every flow of the category.
    """
    edges: list[tuple[str, str, int]] = []
    seen = set(starts)
    queue = deque(starts)
    while queue:
        node = queue.popleft()
        for flow in hops.get(node, ()):
            if related.isdisjoint(flow.categories):
                continue
            edges.append((node, flow.target, flow.id))
            if flow.target not in seen:
                seen.add(flow.target)
                queue.append(flow.target)
    return edges


def _transfer_citation(facts: FlowFacts, extra: str = "") -> str:
    parts = [TRANSFER_CITATIONS.get(t.regime, t.regime) for t in facts.restricted]
    return "; ".join(dict.fromkeys([*parts, *([extra] if extra else [])]))


def _hop_gaps(ctx: RuleContext, facts: FlowFacts) -> list[str]:
    """What leaves a hop uncovered, in words."""
    found: list[str] = []
    gap = facts.agreement_gap
    if gap == "NO_AGREEMENT":
        found.append("has no agreement")
    elif gap == "EXPIRED_AGREEMENT":
        found.append(f"has no agreement in force ({why_not_effective(facts.lapsed[0], ctx.as_of)})")
    elif gap == "NDA_ONLY":
        found.append("is covered only by an NDA")
    transfer = ctx.transfer_gap(facts)
    if transfer == "NO_TRANSFER_MECHANISM":
        found.append("is a restricted transfer with no transfer mechanism")
    elif transfer == "INVALID_TRANSFER_MECHANISM":
        found.append(f"relies on an invalid mechanism ({ctx.mechanism_problems(facts)[0].reason})")
    return found
