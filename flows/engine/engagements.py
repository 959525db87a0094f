"""Engagements of sub-processors, judged against the controller's agreement with the first
processor: the dates and terms the rules, the pages and the reports share. Pure: records in,
plain values out; `subprocessor_chains(ctx)` adds, once per evaluation, the chains by which
each sub-processor hop's data comes from the group and whether each hop is authorised.

Under GDPR Art. 28(2) a processor engages another processor only with the controller's prior
written authorisation, specific or general; under a general one, the processor informs the
controller of the new sub-processor and the controller may object within the period the
agreement sets (here `AgreementRecord.objection_days`, 30 unless the agreement says otherwise).
Art. 28(4) puts the sub-processing contract between the processor and the sub-processor: the
controller does not hold it, it can only see it evidenced (a copy, the processor's attestation
or its published statement).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from weakref import WeakKeyDictionary

from flows.engine.context import RuleContext
from flows.engine.facts import FlowFacts
from flows.engine.records import AgreementRecord, EngagementRecord

NO_ENGAGEMENT = "no engagement"
ENGAGEMENT_ENDED = "engagement ended"
NONE_ALLOWED = "none allowed"
NO_SPECIFIC = "no specific authorisation"
SPECIFIC_LATER = "specific authorisation later"
NO_NOTICE = "no notice"
OBJECTION_OPEN = "objection period open"
OBJECTED = "objected"
"""Why a sub-processor is not authorised on a day (authorisation_gap)."""

_PERMISSIVE = {"general": 0, "specific": 1}
"""Authorisation terms from the most permissive; anything else allows none."""


def objection_deadline(engagement: EngagementRecord, agreement: AgreementRecord) -> date | None:
    """The last day on which the controller may object to the sub-processor: the processor's
    notice plus the agreement's objection period; None when no notice is recorded."""
    if engagement.noticed_on is None:
        return None
    return engagement.noticed_on + timedelta(days=agreement.objection_days)


def engagement_in_force(engagement: EngagementRecord, day: date) -> bool:
    """The engagement runs on `day`: it did not end before it (one ending on a day still
    runs that day)."""
    return engagement.ended_on is None or engagement.ended_on >= day


def evidenced(engagement: EngagementRecord | None, day: date) -> bool:
    """The sub-processing agreement is evidenced on `day`: by a copy, an attestation or a
    published statement dated on or before it."""
    return (
        engagement is not None
        and bool(engagement.evidence)
        and engagement.evidenced_on is not None
        and engagement.evidenced_on <= day
    )


def authorisation_gap(
    engagement: EngagementRecord, agreement: AgreementRecord, day: date
) -> str | None:
    """Why `agreement` does not authorise the engagement on `day`, or None when it does.

    Specific authorisation: the engagement's authorisation must be dated on or before the day.
    General authorisation: the processor's notice must be recorded, the objection period
    (objection_deadline) must have run by the day, and we must not have objected by then; a
    specific authorisation dated on or before the day (after any objection) also suffices.
    Any other term allows no sub-processor.
    """
    terms = agreement.subprocessor_authorisation
    authorised = engagement.authorised_on
    if terms == "specific":
        if authorised is None:
            return NO_SPECIFIC
        return SPECIFIC_LATER if authorised > day else None
    if terms != "general":
        return NONE_ALLOWED
    objected = engagement.objected_on
    if objected is not None and objected <= day:
        if authorised is not None and objected <= authorised <= day:
            return None  # the objection was settled by an express authorisation
        return OBJECTED
    if authorised is not None and authorised <= day:
        return None
    deadline = objection_deadline(engagement, agreement)
    if deadline is None:
        return NO_NOTICE
    return OBJECTION_OPEN if deadline > day else None


def most_permissive(agreements: Iterable[AgreementRecord]) -> AgreementRecord | None:
    """The agreement whose sub-processor terms are the most permissive (general, then
    specific, then none), by reference within each: the one a refusal is worded from."""
    ranked = sorted(
        agreements,
        key=lambda a: (_PERMISSIVE.get(a.subprocessor_authorisation, 2), a.reference, a.kind),
    )
    return ranked[0] if ranked else None


def _order(engagement: EngagementRecord) -> tuple[date, date, int]:
    """The latest first: an open engagement, then by end date, then by notice date, then id."""
    return (
        engagement.ended_on or date.max,
        engagement.noticed_on or date.min,
        engagement.id if engagement.id is not None else -1,
    )


class EngagementIndex:
    """Engagements by (processor, sub-processor), built once for an evaluation date."""

    def __init__(self, engagements: Iterable[EngagementRecord], day: date) -> None:
        pairs: dict[tuple[str, str], list[EngagementRecord]] = defaultdict(list)
        for engagement in engagements:
            pairs[(engagement.processor, engagement.subprocessor)].append(engagement)
        self._in_force: dict[tuple[str, str], tuple[EngagementRecord, ...]] = {}
        self._ended: dict[tuple[str, str], EngagementRecord] = {}
        for pair, found in pairs.items():
            found.sort(key=lambda e: (_order(e), repr(e)), reverse=True)
            running = tuple(e for e in found if engagement_in_force(e, day))
            if running:
                self._in_force[pair] = running
            else:
                self._ended[pair] = found[0]

    def in_force(self, processor: str, subprocessor: str) -> tuple[EngagementRecord, ...]:
        """The engagements of `subprocessor` by `processor` in force on the date, the latest
        first (nearly always one: one can be open at a time, and one ending later may
        overlap it)."""
        return self._in_force.get((processor, subprocessor), ())

    def current(self, processor: str, subprocessor: str) -> EngagementRecord | None:
        """The latest engagement in force on the date, if any."""
        running = self._in_force.get((processor, subprocessor))
        return running[0] if running else None

    def last_ended(self, processor: str, subprocessor: str) -> EngagementRecord | None:
        """When none is in force: the engagement that ended last, if any."""
        return self._ended.get((processor, subprocessor))


@dataclass(frozen=True, slots=True)
class ChainRoot:
    """Where the data of a sub-processor hop comes from: the flow from a group member to the
    first processor, and the sub-processor flows from there to the hop's source (none when
    the hop leaves the first processor)."""

    first: FlowFacts
    path: tuple[FlowFacts, ...]


@dataclass(frozen=True, slots=True)
class HopAuthorisation:
    """Whether a sub-processor hop is authorised on the date (GDPR Art. 28(2)), and if not,
    why: `gap` is one of the reasons above, with the root whose agreement refuses the hop
    (none when no engagement is in force); `unbound` is the first root with no qualifying
    agreement at all (flagged on that flow; it leaves the hop without written
    authorisation)."""

    engagement: EngagementRecord | None
    ended: EngagementRecord | None
    gap: str | None
    root: ChainRoot | None
    agreement: AgreementRecord | None
    unbound: ChainRoot | None

    @property
    def uncovered(self) -> bool:
        return self.gap is not None or self.unbound is not None


class Chains:
    """The sub-processor hops of one evaluation with their chains and authorisations,
    computed on demand and kept (`subprocessor_chains(ctx)` builds one per context)."""

    def __init__(self, ctx: RuleContext) -> None:
        self._ctx = ctx
        self.engagements = EngagementIndex(ctx.register.engagements, ctx.as_of)
        self._into: dict[str, dict[str, list[FlowFacts]]] | None = None
        self._gaps: dict[tuple[int, str, int], str | None] = {}
        self._related: dict[tuple[str, ...], frozenset[str]] = {}
        self._roots: dict[tuple[str, tuple[str, ...]], tuple[ChainRoot, ...]] = {}
        self._authorisations: dict[int, HopAuthorisation] = {}

    def related_keys(self, categories: tuple[str, ...]) -> frozenset[str]:
        """The categories whose flows carry data related to `categories`: each of them, its
        ancestors and the used categories below it."""
        related = self._related.get(categories)
        if related is None:  # flows share a few combinations of categories: compute each once
            ctx = self._ctx
            related = self._related[categories] = frozenset(
                key
                for category in categories
                for key in (*ctx.taxonomy.lineage(category), *ctx.under(category))
            )
        return related

    def _incoming(self) -> dict[str, dict[str, list[FlowFacts]]]:
        """Party engaging a sub-processor -> category -> the flows into it that a chain can
        come by, in flow id order: a group member's flow to it as processor, or another
        processor's flow to it as sub-processor."""
        if self._into is None:
            into: dict[str, dict[str, list[FlowFacts]]] = {}
            engaging = {facts.flow.source for facts in self._ctx.subprocessing}
            group = self._ctx.group
            for facts in self._ctx.flows:
                flow = facts.flow
                target = flow.target
                if target not in engaging:
                    continue
                role = flow.role
                if role == "processor" if flow.source in group else role == "subprocessor":
                    table = into.get(target)
                    if table is None:
                        table = into[target] = {}
                    for key in flow.categories:
                        found = table.get(key)
                        if found is None:
                            table[key] = [facts]
                        elif found[-1] is not facts:  # a category listed twice
                            found.append(facts)
            self._into = into
        return self._into

    def roots(self, facts: FlowFacts) -> tuple[ChainRoot, ...]:
        """For a sub-processor hop: the chains its data comes by, back to a group member, by
        breadth-first search along flows carrying related data (related_keys): one chain a
        first hop (the shortest), in the order of the first hops' ids."""
        flow = facts.flow
        key = (flow.source, flow.categories)
        cached = self._roots.get(key)
        if cached is not None:
            return cached
        into = self._incoming()
        related = self.related_keys(flow.categories)
        found: dict[int, ChainRoot] = {}
        seen = {flow.source}
        level: list[tuple[str, tuple[FlowFacts, ...]]] = [(flow.source, ())]
        while level:
            following: list[tuple[str, tuple[FlowFacts, ...]]] = []
            for node, path in level:
                table = into.get(node)
                if not table:
                    continue
                arriving = {f.flow.id: f for k in related.intersection(table) for f in table[k]}
                for flow_id in sorted(arriving):
                    upstream = arriving[flow_id]
                    if upstream.flow.role == "processor":
                        if flow_id not in found:
                            found[flow_id] = ChainRoot(upstream, path)
                    elif upstream.flow.source not in seen:
                        seen.add(upstream.flow.source)
                        following.append((upstream.flow.source, (upstream, *path)))
            level = following
        cached = self._roots[key] = tuple(found[i] for i in sorted(found))
        return cached

    def authorisation(self, facts: FlowFacts) -> HopAuthorisation:
        """Whether the sub-processor hop is authorised on the date: an engagement of the
        target by the source in force, that the root agreement of every chain its data comes
        by authorises (authorisation_gap; the most permissive qualifying agreement of the
        root flow governs, and its first refusing chain is reported)."""
        flow = facts.flow
        cached = self._authorisations.get(flow.id)
        if cached is not None:
            return cached
        day = self._ctx.as_of
        running = self.engagements.in_force(flow.source, flow.target)
        engagement = running[0] if running else None
        ended = None
        if engagement is None:
            ended = self.engagements.last_ended(flow.source, flow.target)
        roots = self.roots(facts)
        unbound = next((root for root in roots if not root.first.qualifying), None)
        gap: str | None = None
        refusing: ChainRoot | None = None
        agreement: AgreementRecord | None = None
        if engagement is None:
            gap = ENGAGEMENT_ENDED if ended is not None else NO_ENGAGEMENT
        else:
            gaps = self._gaps
            for root in roots:
                terms = root.first.qualifying
                if not terms:
                    continue
                if self._allowed(running, terms, gaps, day):
                    continue
                refusing, agreement = root, most_permissive(terms)
                assert agreement is not None  # terms is not empty
                gap = authorisation_gap(engagement, agreement, day)
                break
        cached = HopAuthorisation(engagement, ended, gap, refusing, agreement, unbound)
        self._authorisations[flow.id] = cached
        return cached

    @staticmethod
    def _allowed(
        running: tuple[EngagementRecord, ...],
        terms: tuple[AgreementRecord, ...],
        gaps: dict[tuple[int, str, int], str | None],
        day: date,
    ) -> bool:
        """Some engagement in force is authorised by some of the agreements."""
        for engagement in running:
            for a in terms:  # the verdict depends on the agreement's terms alone
                key = (id(engagement), a.subprocessor_authorisation, a.objection_days)
                if key not in gaps:
                    gaps[key] = authorisation_gap(engagement, a, day)
                if gaps[key] is None:
                    return True
        return False

    def evidenced(self, facts: FlowFacts) -> bool:
        """Some engagement of the hop in force evidences its sub-processing agreement."""
        day = self._ctx.as_of
        running = self.engagements.in_force(facts.flow.source, facts.flow.target)
        return any(evidenced(engagement, day) for engagement in running)


_CHAINS: WeakKeyDictionary[RuleContext, Chains] = WeakKeyDictionary()


def subprocessor_chains(ctx: RuleContext) -> Chains:
    """The chains of `ctx`, built on first use and kept as long as the context lives."""
    found = _CHAINS.get(ctx)
    if found is None:
        found = _CHAINS[ctx] = Chains(ctx)
    return found
