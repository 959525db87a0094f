"""Which flows a write can change the findings of, and which flows their rules must see.

A write changes the facts of a few flows directly: the flow edited, the flows of an edited
party, the flows between the parties an agreement binds and those naming it as their
transfer agreement. Findings reach further than the flow they are about:

- ONWARD_TRANSFER_UNCOVERED on a first hop reads every hop downstream of it, so the first
  hops (and the hops between) upstream of a changed flow are affected: a walk backwards
  along the flows, stopping at the own company, where chains start;
- the SUBPROCESSOR_ rules on a sub-processor flow read its chain back to the group (the
  flows into its processor, on through the processors that engaged it, and the agreement of
  the group member with the first processor) and its engagements, so a changed flow into a
  party, or a changed engagement, affects the sub-processor flows below it at any depth, and
  the first hops above those (ONWARD_TRANSFER_UNCOVERED reads whether each is authorised);
- whether a flow is a restricted transfer depends on the origin regimes of its data at its
  source, which flow in along every flow upstream of it (flows.engine.origins), so a change
  affects the flows downstream of it: a walk forwards, one per regime, that passes through
  the parties outside the regime's zone only (a party inside it holds data of that origin
  whatever reaches it), and then the first hops upstream of those flows as above.

Re-evaluating the affected flows needs their context: every hop downstream of them (the
chain rules walk it), the chains of the sub-processor flows among them back to the group,
and for each of those the flows upstream that bring it data of an origin (the same walk per
regime, backwards).
The walks run in SQL, one query a step; they ignore categories and dates, which can only
make the sets larger than needed, never miss a flow. A property test (tests/flows/findings)
holds the result to a full evaluation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q

from flows.choices import Role
from flows.models import Flow, ZoneMembership
from registry.choices import Relationship
from registry.models import Party

INLINE_LIMIT = 2_000
"""More affected flows than this are refreshed in the background, with the whole register."""
CONTEXT_LIMIT = 20_000
"""The same for the flows their evaluation must read."""


@dataclass
class Changes:
    """What writes changed since the last refresh, as database ids."""

    flows: set[int] = field(default_factory=set)
    """Flows whose own facts changed (saved, categories set)."""
    ends: set[int] = field(default_factory=set)
    """Parties at either end of a changed, moved or deleted flow, before and after."""
    parties: set[int] = field(default_factory=set)
    """Parties whose facts changed: every flow from or to them changed."""
    agreements: set[int] = field(default_factory=set)
    """Agreements saved or relinked: the flows between their parties and naming them."""
    agreement_parties: list[frozenset[int]] = field(default_factory=list)
    """The party sets of agreements as they were before a relink or a deletion."""
    engagements: set[tuple[int, int]] = field(default_factory=set)
    """(processor, sub-processor) of engagements saved or deleted: the flows between them."""
    everything: bool = False
    """A change no walk can follow (the taxonomy, the jurisdiction tables, the group)."""

    def __bool__(self) -> bool:
        return bool(
            self.flows or self.ends or self.parties or self.agreements or self.everything
            or self.agreement_parties or self.engagements
        )  # fmt: skip


@dataclass(frozen=True)
class Scope:
    affected: frozenset[int]
    """Flows whose findings are computed again and replaced."""
    context: frozenset[int]
    """Flows the evaluation reads: the affected ones and what their rules look at."""


def _flows_between(parties: Iterable[frozenset[int]]) -> Q:
    """Flows whose two ends are both among the parties of one agreement."""
    condition = Q(pk__in=[])
    for members in parties:
        if len(members) >= 2:
            condition |= Q(source_id__in=members, target_id__in=members)
    return condition


def _ids_and_ends(condition: Q) -> list[tuple[int, int, int, str]]:
    return list(
        Flow.objects.filter(condition, proposed=False).values_list(
            "id", "source_id", "target_id", "role"
        )
    )


def _zone_parties(today: date) -> dict[str, set[int]]:
    """Regime -> the parties whose country is in its zone on `today`, for the regimes whose
    zone holds some party (no other regime is the origin of any data)."""
    valid = Q(valid_from__isnull=True) | Q(valid_from__lte=today)
    valid &= Q(valid_to__isnull=True) | Q(valid_to__gte=today)
    regimes: dict[str, set[str]] = {}
    for regime, country in ZoneMembership.objects.filter(valid).values_list("regime", "country"):
        regimes.setdefault(regime, set()).add(str(country))
    countries = {country for members in regimes.values() for country in members}
    zones: dict[str, set[int]] = {}
    for pk, country in Party.objects.filter(country__in=countries).values_list("id", "country"):
        for regime, members in regimes.items():
            if str(country) in members:
                zones.setdefault(regime, set()).add(pk)
    return zones


def _origin_walk(
    starts: set[int],
    zones: Mapping[str, set[int]],
    found: set[int],
    limit: int,
    *,
    forward: bool,
) -> list[tuple[int, int, int, str]]:
    """The flows along which data of some origin regime passes from `starts` (forward) or
    to them (backwards), added to `found`: one walk per regime, one query a step for all,
    through the parties outside the regime's zone; the start parties are walked whatever
    their zone (a change to one may be the change of its zone)."""
    frontier = {regime: set(starts) for regime in zones}
    seen: dict[str, set[int]] = {regime: set() for regime in zones}
    column = "source_id__in" if forward else "target_id__in"
    rows: list[tuple[int, int, int, str]] = []
    while any(frontier.values()) and len(found) <= limit:
        for regime, parties in frontier.items():
            seen[regime] |= parties
        step = _ids_and_ends(Q(**{column: list(set().union(*frontier.values()))}))
        found.update(row[0] for row in step)
        rows.extend(step)
        following: dict[str, set[int]] = {regime: set() for regime in zones}
        for row in step:
            here, there = (row[1], row[2]) if forward else (row[2], row[1])
            for regime, parties in frontier.items():
                if here in parties and there not in zones[regime] and there not in seen[regime]:
                    following[regime].add(there)
        frontier = following
    return rows


def scope_of(changes: Changes, today: date | None = None) -> Scope | None:
    """The flows to evaluate again for `changes`; None when they are too many (or the change
    is one no walk follows): then the whole register is evaluated, in the background."""
    if changes.everything:
        return None
    zones = _zone_parties(today or date.today())
    from_agreements = [
        frozenset(Party.objects.filter(agreements=pk).values_list("id", flat=True))
        for pk in changes.agreements
    ]
    direct = Q(pk__in=list(changes.flows))
    direct |= Q(source_id__in=list(changes.parties)) | Q(target_id__in=list(changes.parties))
    direct |= _flows_between([*from_agreements, *changes.agreement_parties])
    direct |= Q(transfer_agreement_id__in=list(changes.agreements))
    for processor, subprocessor in changes.engagements:
        direct |= Q(source_id=processor, target_id=subprocessor)
    rows = _ids_and_ends(direct)
    if len(rows) > INLINE_LIMIT:
        return None
    owners = set(Party.objects.filter(relationship=Relationship.OWN).values_list("id", flat=True))
    # The changed flows themselves even when they left the live register (proposed again,
    # deleted): their stored findings go.
    affected = {row[0] for row in rows} | changes.flows
    # Downstream: the flows after a changed flow or party, whose data's origins it can change.
    starts = {row[2] for row in rows} | changes.ends | changes.parties
    downstream = _origin_walk(starts, zones, affected, INLINE_LIMIT, forward=True)
    sources = {row[1] for row in [*rows, *downstream]} | changes.ends
    targets = {row[2] for row in rows} | changes.ends
    # Sub-processor flows below a party that a changed flow reaches, at any depth: whether
    # each is authorised reads its chain back to the group; and the first hops above them
    # read that (ONWARD_TRANSFER_UNCOVERED), so the upstream walk starts from them too.
    sources |= {row[1] for row in _subprocessor_walk(targets, affected)}
    # Upstream: every flow that leads to a changed flow, back to the own company.
    seen: set[int] = set()
    frontier = sources - owners
    while frontier and len(affected) <= INLINE_LIMIT:
        seen |= frontier
        step = _ids_and_ends(Q(target_id__in=list(frontier)))
        affected.update(row[0] for row in step)
        frontier = {row[1] for row in step} - owners - seen
    if len(affected) > INLINE_LIMIT:
        return None
    return _with_context(frozenset(affected), owners, zones)


def _subprocessor_walk(starts: set[int], found: set[int]) -> list[tuple[int, int, int, str]]:
    """The sub-processor flows leaving `starts` and, on from their targets, the ones below
    them, added to `found`."""
    rows: list[tuple[int, int, int, str]] = []
    seen: set[int] = set()
    frontier = set(starts)
    while frontier and len(found) <= INLINE_LIMIT:
        seen |= frontier
        step = _ids_and_ends(Q(source_id__in=list(frontier), role=Role.SUBPROCESSOR))
        found.update(row[0] for row in step)
        rows.extend(step)
        frontier = {row[2] for row in step} - seen
    return rows


def _with_context(
    affected: frozenset[int], owners: set[int], zones: Mapping[str, set[int]]
) -> Scope | None:
    rows = _ids_and_ends(Q(pk__in=list(affected)))
    context = set(affected)
    # Downstream: every hop after an affected flow (the chain rules walk them).
    seen: set[int] = set()
    frontier = {row[2] for row in rows} - owners
    while frontier and len(context) <= CONTEXT_LIMIT:
        seen |= frontier
        step = _ids_and_ends(Q(source_id__in=list(frontier)))
        context.update(row[0] for row in step)
        frontier = {row[2] for row in step} - owners - seen
    # The chains of every sub-processor flow read, back to the group: the flows into its
    # processor, and on through the processors that engaged that one.
    processors = {
        row[1] for row in _ids_and_ends(Q(pk__in=list(context))) if row[3] == Role.SUBPROCESSOR
    }
    seen = set()
    while processors and len(context) <= CONTEXT_LIMIT:
        seen |= processors
        step = _ids_and_ends(Q(target_id__in=list(processors)))
        context.update(row[0] for row in step)
        processors = {row[1] for row in step if row[3] == Role.SUBPROCESSOR} - seen
    # Upstream of every flow read: the flows that bring its source data of an origin.
    if len(context) <= CONTEXT_LIMIT:
        read = {row[1] for row in _ids_and_ends(Q(pk__in=list(context)))}
        _origin_walk(read, zones, context, CONTEXT_LIMIT, forward=False)
    if len(context) > CONTEXT_LIMIT:
        return None
    return Scope(affected=affected, context=frozenset(context))
