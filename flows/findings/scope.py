"""Which flows a write can change the findings of, and which flows their rules must see.

A write changes the facts of a few flows directly: the flow edited, the flows of an edited
party, the flows between the parties an agreement binds and those naming it as their
transfer agreement. Findings reach further than the flow they are about:

- ONWARD_TRANSFER_UNCOVERED on a first hop reads every hop downstream of it, so the first
  hops (and the hops between) upstream of a changed flow are affected: a walk backwards
  along the flows, stopping at the own company, where chains start;
- SUBPROCESSOR_NOT_AUTHORISED on a sub-processor flow reads the flows that reach its
  processor from the group, so a changed flow into a party affects the sub-processor flows
  leaving it.

Re-evaluating the affected flows needs their context: every hop downstream of them (the
chain rules walk it) and the flows into the processors of affected sub-processor flows.
The walks run in SQL, one query a step; they ignore categories and dates, which can only
make the sets larger than needed, never miss a flow. A property test (tests/flows/findings)
holds the result to a full evaluation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from flows.choices import Role
from flows.models import Flow
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
    everything: bool = False
    """A change no walk can follow (the taxonomy, the jurisdiction tables, the group)."""

    def __bool__(self) -> bool:
        return bool(
            self.flows or self.ends or self.parties or self.agreements or self.everything
            or self.agreement_parties
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


def scope_of(changes: Changes) -> Scope | None:
    """The flows to evaluate again for `changes`; None when they are too many (or the change
    is one no walk follows): then the whole register is evaluated, in the background."""
    if changes.everything:
        return None
    from_agreements = [
        frozenset(Party.objects.filter(agreements=pk).values_list("id", flat=True))
        for pk in changes.agreements
    ]
    direct = Q(pk__in=list(changes.flows))
    direct |= Q(source_id__in=list(changes.parties)) | Q(target_id__in=list(changes.parties))
    direct |= _flows_between([*from_agreements, *changes.agreement_parties])
    direct |= Q(transfer_agreement_id__in=list(changes.agreements))
    rows = _ids_and_ends(direct)
    if len(rows) > INLINE_LIMIT:
        return None
    owners = set(Party.objects.filter(relationship=Relationship.OWN).values_list("id", flat=True))
    # The changed flows themselves even when they left the live register (proposed again,
    # deleted): their stored findings go.
    affected = {row[0] for row in rows} | changes.flows
    sources = {row[1] for row in rows} | changes.ends
    targets = {row[2] for row in rows} | changes.ends
    # Upstream: every flow that leads to a changed flow, back to the own company.
    seen: set[int] = set()
    frontier = sources - owners
    while frontier and len(affected) <= INLINE_LIMIT:
        seen |= frontier
        step = _ids_and_ends(Q(target_id__in=list(frontier)))
        affected.update(row[0] for row in step)
        frontier = {row[1] for row in step} - owners - seen
    # Sub-processor flows leaving a party that a changed flow reaches.
    step = _ids_and_ends(Q(source_id__in=list(targets), role=Role.SUBPROCESSOR))
    affected.update(row[0] for row in step)
    if len(affected) > INLINE_LIMIT:
        return None
    return _with_context(frozenset(affected), owners)


def _with_context(affected: frozenset[int], owners: set[int]) -> Scope | None:
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
    # The flows into each processor of an affected sub-processor flow.
    processors = [row[1] for row in rows if row[3] == Role.SUBPROCESSOR]
    if processors:
        context.update(row[0] for row in _ids_and_ends(Q(target_id__in=processors)))
    if len(context) > CONTEXT_LIMIT:
        return None
    return Scope(affected=affected, context=frozenset(context))
