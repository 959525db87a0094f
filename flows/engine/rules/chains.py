"""The chain rules: where data goes after its first hop. A processor's sub-processors must be
authorised by the controller (GDPR Art. 28(2)) and bound by the same obligations (Art. 28(4));
data sent onward from a first hop must stay covered by agreements and transfer tools along the
whole chain (Art. 44, onward transfers).

The customer holds no contract with a sub-processor (Art. 28(4) puts it between the
processors): a sub-processor hop is judged by its engagement (flows.engine.engagements)
against the agreement of the group member at the root of its chain with the first processor,
and the chain is followed back to that root at any depth.

ONWARD_TRANSFER_UNCOVERED walks each category's graph by breadth-first search
(graph.chains_to_marked), never by enumerating paths, whose number can grow exponentially.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterator, Mapping

from flows.engine.context import RuleContext, flow_finding
from flows.engine.engagements import (
    ENGAGEMENT_ENDED,
    NO_ENGAGEMENT,
    NO_NOTICE,
    NO_SPECIFIC,
    NONE_ALLOWED,
    OBJECTED,
    SPECIFIC_LATER,
    ChainRoot,
    HopAuthorisation,
    objection_deadline,
    subprocessor_chains,
)
from flows.engine.facts import FlowFacts
from flows.engine.graph import chains_to_marked
from flows.engine.records import Finding, FlowRecord
from flows.engine.rules.agreements import CRITICAL_FLAGS
from flows.engine.wording import FLAG_WORDS, flow_label, party_name, why_not_effective


def subprocessor_not_authorised(ctx: RuleContext) -> Iterator[Finding]:
    """A sub-processor hop (processor S -> sub-processor T) that is not authorised on the
    date: no engagement of T by S is in force; or, for a chain whose data comes from a group
    member C through a first processor P under C's qualifying agreement A (the most
    permissive one governs): A allows no sub-processor; A requires specific authorisation
    and none is dated on or before the date; or A gives general authorisation and the
    notice is missing, the objection period (notice plus A's objection days) runs past the
    date, or we objected. Chains of any depth are followed back to C along flows carrying
    related data; each engagement on the path is judged on its own hop. A root flow with no
    qualifying agreement is flagged there, not here. Critical for special-category,
    children's or card data, and for a hop that is a restricted transfer.

    Basis: GDPR Art. 28(2) (prior specific or general written authorisation; notice of
    changes and the chance to object) and 28(4); SCCs 2021 (Decision (EU) 2021/914) Clause 9;
    Swiss DPO Art. 7. Unverified: the exact wording of SCCs 2021 Clause 9.
    """
    judge = subprocessor_chains(ctx)
    for facts in ctx.subprocessing:
        verdict = judge.authorisation(facts)
        if verdict.gap is None:
            continue
        roots = judge.roots(facts)
        root = verdict.root or (roots[0] if roots else None)
        origin = f" it receives from {_chain_words(ctx, root, facts)}" if root else ""
        message = (
            f"{facts.source_name} passes data{origin} on to sub-processor "
            f"{facts.target_name}, but {_refusal(ctx, facts, verdict)}."
        )
        sensitive = [flag for flag in CRITICAL_FLAGS if flag in facts.flagged]
        if sensitive:
            carried = ", ".join(
                f"{FLAG_WORDS[flag]} ({ctx.category_names(facts.flagged[flag])})"
                for flag in sensitive
            )
            message += f" The hop carries {carried}."
        if facts.restricted:
            regimes = " and the ".join(t.regime_name for t in facts.restricted)
            message += f" It is a restricted transfer under the {regimes}."
        yield flow_finding(
            "SUBPROCESSOR_NOT_AUTHORISED",
            "critical" if sensitive or facts.restricted else "high",
            facts,
            message,
            "GDPR Art. 28(2), 28(4); SCCs 2021 Clause 9",
            _authorisation_remedy(facts, verdict),
        )


def _chain_words(ctx: RuleContext, root: ChainRoot, facts: FlowFacts) -> str:
    """ "Acme Voice (flow 1)", or along a longer chain "Acme Voice (flow 1, by way of
    CloudCo Hosting → BackupCo)"."""
    label = flow_label(root.first.flow)
    if not root.path:
        return f"{root.first.source_name} ({label})"
    names = " → ".join(
        [
            root.first.target_name,
            *(party_name(ctx.parties.get(f.flow.target), f.flow.target) for f in root.path),
        ]
    )
    return f"{root.first.source_name} ({label}, by way of {names})"


def _terms(verdict: HopAuthorisation) -> tuple[str, str, str]:
    """The controller's name, the first processor's and the agreement's reference."""
    assert verdict.root is not None and verdict.agreement is not None
    first = verdict.root.first
    return first.source_name, first.target_name, verdict.agreement.reference


def _refusal(ctx: RuleContext, facts: FlowFacts, verdict: HopAuthorisation) -> str:
    """Why the hop is not authorised, in words naming the parties, the agreement and dates."""
    source, target, day = facts.source_name, facts.target_name, ctx.as_of.isoformat()
    engagement = verdict.engagement
    if verdict.gap == NO_ENGAGEMENT:
        return f"no engagement of {target} by {source} is recorded"
    if verdict.gap == ENGAGEMENT_ENDED:
        assert verdict.ended is not None and verdict.ended.ended_on is not None
        return (
            f"the engagement of {target} by {source} ended on "
            f"{verdict.ended.ended_on.isoformat()}, before {day}"
        )
    assert engagement is not None and verdict.agreement is not None
    controller, processor, reference = _terms(verdict)
    terms = f"{controller}'s agreement {reference} with {processor}"
    gap = verdict.gap
    if gap == NONE_ALLOWED:
        return f"{terms} allows no sub-processors"
    if gap in (NO_SPECIFIC, SPECIFIC_LATER):
        terms += f" allows sub-processors only with {controller}'s specific authorisation"
        if engagement.authorised_on is None:
            return f"{terms}, and none is recorded for {target}"
        return (
            f"{terms}, and {controller} authorised {target} only on "
            f"{engagement.authorised_on.isoformat()}, after {day}"
        )
    terms += " allows sub-processors after notice, with a right to object"
    if gap == OBJECTED:
        assert engagement.objected_on is not None
        return f"{terms}, and {controller} objected to {target} on {engagement.objected_on}"
    if gap == NO_NOTICE:
        return f"{terms}, and no notice of {target} is recorded"
    deadline = objection_deadline(engagement, verdict.agreement)
    assert engagement.noticed_on is not None and deadline is not None
    source_words = f" ({engagement.notice_source})" if engagement.notice_source else ""
    return (
        f"{terms}: notice of {target} was given on {engagement.noticed_on.isoformat()}"
        f"{source_words}, and the objection period runs until {deadline.isoformat()}"
    )


def _authorisation_remedy(facts: FlowFacts, verdict: HopAuthorisation) -> str:
    source, target = facts.source_name, facts.target_name
    gap = verdict.gap
    if gap in (NO_ENGAGEMENT, ENGAGEMENT_ENDED):
        return (
            f"Record {source}'s engagement of {target} with the processor's notice, or stop "
            "the flow."
        )
    controller, processor, reference = _terms(verdict)
    if gap == NONE_ALLOWED:
        return (
            f"Amend {reference} so that {controller} authorises sub-processors (specifically "
            f"or generally), or stop using {target}."
        )
    if gap in (NO_SPECIFIC, SPECIFIC_LATER):
        return (
            f"Obtain {controller}'s specific written authorisation for {target} before it "
            f"receives data and record its date, or stop using {target}."
        )
    if gap == NO_NOTICE:
        return (
            f"Record {processor}'s notice of {target} (its published list or its letter) and "
            f"let the objection period run, or stop using {target}."
        )
    if gap == OBJECTED:
        return f"Stop using {target}, or settle {controller}'s objection and record it."
    return (
        f"Send no data to {target} before the objection period ends, or record "
        f"{controller}'s express authorisation."
    )


def subprocessor_no_flowdown(ctx: RuleContext) -> Iterator[Finding]:
    """A sub-processor hop whose chain does not flow the obligations down: the root agreement
    A of a chain its data comes by (between the group member and the first processor)
    imposes no flow-down, or qualifying agreements recorded between two processors on the
    chain (the hop's own two included) none of which flows the obligations down.

    Basis: GDPR Art. 28(4) (the same data-protection obligations by contract; the initial
    processor stays liable); SCCs 2021 Clause 9(b); CCPA § 1798.140(ag)(2). Unverified: the
    exact wording of SCCs 2021 Clause 9.
    """
    judge = subprocessor_chains(ctx)
    for facts in ctx.subprocessing:
        reasons: list[str] = []
        roots = judge.roots(facts)
        for root in roots:
            terms = root.first.qualifying
            if terms and not any(a.flowdown for a in terms):
                references = ", ".join(a.reference for a in terms)
                reasons.append(
                    f"{root.first.source_name}'s agreement with {root.first.target_name} "
                    f"({references}) does not require the same obligations of sub-processors"
                )
                break
        pairs = {f.flow.id: f for root in roots for f in root.path}
        pairs[facts.flow.id] = facts
        for pair in sorted(pairs):
            hop = pairs[pair]
            if hop.qualifying and not any(a.flowdown for a in hop.qualifying):
                references = ", ".join(a.reference for a in hop.qualifying)
                reasons.append(
                    f"none of the agreements between {hop.source_name} and sub-processor "
                    f"{hop.target_name} ({references}) flows the data-protection obligations "
                    "down"
                )
        if not reasons:
            continue
        text = "; ".join(reasons)
        yield flow_finding(
            "SUBPROCESSOR_NO_FLOWDOWN",
            "high",
            facts,
            f"Sub-processor {facts.target_name} receives data from {facts.source_name}, but "
            f"{text}.",
            "GDPR Art. 28(4); SCCs 2021 Clause 9(b)",
            "Have the processor's contract with each sub-processor impose the same "
            "data-protection obligations, and record the agreements with flow-down.",
        )


EVIDENCE_WORDS = {
    "copy": "a copy we hold",
    "attestation": "the processor's attestation",
    "statement": "the processor's published statement",
}


def subprocessor_agreement_unconfirmed(ctx: RuleContext) -> Iterator[Finding]:
    """Nothing evidences the sub-processing agreement of a hop on the date: its engagement
    records no evidence dated on or before it (a copy, the processor's attestation or its
    published statement), and no qualifying agreement between the two is recorded.

    Basis: GDPR Art. 28(4) (the contract between processor and sub-processor) and Art. 5(2)
    and 24(1) (the controller must be able to demonstrate compliance). Unverified: that a
    processor's attestation or published statement is evidence enough.
    """
    judge = subprocessor_chains(ctx)
    day = ctx.as_of
    for facts in ctx.subprocessing:
        if facts.qualifying:
            continue
        if judge.evidenced(facts):
            continue
        engagement = judge.engagements.current(facts.flow.source, facts.flow.target)
        source, target = facts.source_name, facts.target_name
        if engagement is None:
            why = f"no engagement of {target} by {source} is in force"
        elif not engagement.evidence:
            why = "the engagement records no evidence of it"
        else:
            kind = EVIDENCE_WORDS.get(engagement.evidence, engagement.evidence)
            when = engagement.evidenced_on
            why = (
                f"its evidence ({kind}) is undated"
                if when is None
                else f"its evidence ({kind}) is dated {when.isoformat()}, after {day.isoformat()}"
            )
        yield flow_finding(
            "SUBPROCESSOR_AGREEMENT_UNCONFIRMED",
            "medium",
            facts,
            f"Nothing evidences a sub-processing agreement between {source} and "
            f"sub-processor {target} on {day.isoformat()}: {why}, and no agreement between "
            "them is recorded.",
            "GDPR Art. 28(4), Art. 5(2)",
            f"Obtain from {source} a copy of its agreement with {target}, its attestation or "
            "its published statement, and record it on the engagement.",
        )


def onward_transfer_uncovered(ctx: RuleContext) -> Iterator[Finding]:
    """Data the own party sends on a first hop later travels over a hop that has no
    agreement, an expired one, only an NDA, no transfer mechanism or an invalid one. The first
    hop is flagged, with the path, once per flow for all its categories concerned; each
    category's graph is walked by breadth-first search, never by enumerating paths.

    Basis: GDPR Art. 44 (onward transfers); Decision (EU) 2021/914 recital 1 and Clause 8
    (onward-transfer clauses); EDPB Opinion 22/2024 (the controller answers for its
    processors' chains). Unverified: the wording of Art. 44 as quoted, and the details of
    Clause 8.
    """
    if not ctx.owners:
        return
    bad = {f.flow.id for gap in ctx.with_gap.values() for f in gap}
    judge = subprocessor_chains(ctx)
    bad.update(f.flow.id for f in ctx.subprocessing if judge.authorisation(f).uncovered)
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
            f"Data of {ctx.category_names(keys)} sent to {facts.target_name} travels on "
            f"along {names}; the hop "
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


def _hop_gaps(ctx: RuleContext, facts: FlowFacts) -> list[str]:
    """What leaves a hop uncovered, in words."""
    found: list[str] = []
    if facts.flow.role == "subprocessor":
        verdict = subprocessor_chains(ctx).authorisation(facts)
        if verdict.gap is not None:
            found.append(f"is not authorised ({_refusal(ctx, facts, verdict)})")
        elif verdict.unbound is not None:
            first = verdict.unbound.first
            found.append(
                f"is not authorised in writing ({first.source_name} has no agreement in force "
                f"with {first.target_name})"
            )
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
