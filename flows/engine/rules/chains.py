"""The chain rules: where data goes after its first hop. A processor's sub-processors must be
authorised by the controller (GDPR Art. 28(2)) and bound by the same obligations (Art. 28(4));
data sent onward from a first hop must stay covered by agreements and transfer tools along the
whole chain (Art. 44, onward transfers).

ONWARD_TRANSFER_UNCOVERED walks each category's graph by breadth-first search
(graph.chains_to_marked), never by enumerating paths, whose number can grow exponentially.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterator, Mapping

from flows.engine.context import FlowFacts, RuleContext, flow_finding
from flows.engine.graph import chains_to_marked
from flows.engine.records import Finding, FlowRecord
from flows.engine.wording import flow_label, party_name, why_not_effective


def subprocessor_not_authorised(ctx: RuleContext) -> Iterator[Finding]:
    """A sub-processor engaged although the agreement of a group member that sends the
    processor some of the same data allows no sub-processors, or allows them only with
    specific authorisation and the sub-processor is not approved. Upstream flows with no
    qualifying agreement are already flagged themselves, so they are skipped here.

    Basis: GDPR Art. 28(2) and 28(3)(d); SCCs 2021 (Decision (EU) 2021/914) Clause 9; Swiss
    DPO Art. 7.
    """
    index = _UpstreamRefusals(ctx)
    # One upstream flow often refuses many sub-processors: word its terms once per status.
    wording: dict[tuple[int, str], tuple[str, str]] = {}
    for facts in ctx.subprocessing:
        flow = facts.flow
        if flow.source not in index.by_processor:
            continue
        status = facts.target.status if facts.target else "unknown"
        upstream = index.first_refusal(flow.source, flow.categories, status == "approved")
        if upstream is None:
            continue
        upstream_words = wording.get((upstream.flow.id, status))
        if upstream_words is None:
            terms = "; ".join(
                f"{a.reference} {_authorisation_words(a.subprocessor_authorisation, status)}"
                for a in upstream.qualifying
            )
            upstream_words = wording[(upstream.flow.id, status)] = (
                f"{upstream.source_name} ({flow_label(upstream.flow)})",
                terms,
            )
        source_words, terms = upstream_words
        yield flow_finding(
            "SUBPROCESSOR_NOT_AUTHORISED",
            "high",
            facts,
            f"{facts.source_name} passes data it receives from {source_words} on to "
            f"sub-processor {facts.target_name}, but {terms}.",
            "GDPR Art. 28(2), 28(3)(d); SCCs 2021 Clause 9",
            f"Obtain {upstream.source_name}'s written authorisation for {facts.target_name} "
            "(and approve its onboarding), or stop using it.",
        )


_Refusals = dict[str, list[FlowFacts]]


class _UpstreamRefusals:
    """Flows from group members into each processor whose qualifying agreements refuse
    sub-processors: outright (every one says "none") or unless the sub-processor is approved
    (the best one says "specific"). One agreement with a general authorisation is enough:
    the most permissive agreement in force governs.

    Indexed by category, so that a sub-processor flow looks up only its own categories,
    their ancestors and the used categories below them.
    """

    def __init__(self, ctx: RuleContext) -> None:
        self.by_processor: dict[str, tuple[_Refusals, _Refusals]] = {}
        engaging = {facts.flow.source for facts in ctx.subprocessing}
        for upstream in ctx.flows:
            if upstream.flow.target not in engaging or not upstream.qualifying:
                continue
            if upstream.flow.source not in ctx.group:
                continue
            terms = {a.subprocessor_authorisation for a in upstream.qualifying}
            if "general" in terms:
                continue
            pair = self.by_processor.get(upstream.flow.target)
            if pair is None:
                pair = self.by_processor[upstream.flow.target] = ({}, {})
            refusals = pair[1] if "specific" in terms else pair[0]
            for key in set(upstream.flow.categories):
                refusals.setdefault(key, []).append(upstream)
        self._ctx = ctx
        self._related: dict[tuple[str, ...], frozenset[str]] = {}

    def first_refusal(
        self, processor: str, categories: tuple[str, ...], approved: bool
    ) -> FlowFacts | None:
        """The lowest-numbered upstream flow sharing a category that refuses the
        sub-processor, or None."""
        outright, unless_approved = self.by_processor[processor]
        related = self._related.get(categories)
        if related is None:  # flows share a few combinations of categories: compute each once
            related = self._related[categories] = frozenset(
                key
                for category in categories
                for key in (*self._ctx.taxonomy.lineage(category), *self._ctx.under(category))
            )
        # Each list was filled in flow id order (ctx.flows is sorted), so its first entry
        # is its lowest-numbered flow.
        found: FlowFacts | None = None
        for table in (outright,) if approved else (outright, unless_approved):
            for key in related.intersection(table):
                first = table[key][0]
                if found is None or first.flow.id < found.flow.id:
                    found = first
        return found


def _authorisation_words(authorisation: str, status: str) -> str:
    if authorisation == "specific":
        return (
            f"allows sub-processors only with specific authorisation, and this one's status "
            f"is '{status}', not approved"
        )
    return "allows no sub-processors"


def subprocessor_no_flowdown(ctx: RuleContext) -> Iterator[Finding]:
    """A sub-processor bound by qualifying agreements none of which flows the processor's
    obligations down.

    Basis: GDPR Art. 28(4) (same obligations by contract; the initial processor stays
    liable); CCPA § 1798.140(ag)(2).
    """
    for facts in ctx.subprocessing:
        if not facts.qualifying or any(a.flowdown for a in facts.qualifying):
            continue
        references = ", ".join(a.reference for a in facts.qualifying)
        yield flow_finding(
            "SUBPROCESSOR_NO_FLOWDOWN",
            "high",
            facts,
            f"None of the agreements between {facts.source_name} and sub-processor "
            f"{facts.target_name} ({references}) flows the data-protection obligations down.",
            "GDPR Art. 28(4)",
            "Ask the processor for a sub-processing contract with the same data-protection "
            "obligations, and record it with flow-down.",
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
