"""Where data came from: the origin regimes of each category at each party, on one day.

A category's origin regimes at a party are the zones (EU, UK, CH) of every party it came from
along the active flows carrying it, the party's own zone included. A flow is then a restricted
transfer under each origin regime of its categories at its source, whether or not the source
itself is in the zone: GDPR Art. 44 (and UK GDPR Art. 44, FADP Art. 16) applies "including for
onward transfers of personal data from the third country ... to another third country".

A flow carries a category when one of its categories is the category, an ancestor or a
descendant of it (Taxonomy.lineage and the used categories below it), as the chain rules
relate them. The origins are computed once per evaluation by a forward propagation over the
active flows, one breadth-first walk per regime over the graph of flows, never by enumerating
paths: each party keeps the categories (as bits of an int) known to have reached it with data
of the regime's origin, and a party is walked again only for the categories newly reached, so
each (party, category) is walked at most once per regime.

Unverified: that data keeps an origin regime along every later hop however far from the zone
(the regulators' guidance speaks of onward transfers without a limit of hops).
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping
from datetime import date
from operator import attrgetter

from flows.engine.graph import Taxonomy
from flows.engine.jurisdictions import JurisdictionSnapshot, RestrictedTransfer
from flows.engine.records import AgreementRecord, EngagementRecord, FlowRecord, PartyRecord


class Origins:
    """The origin regimes of the categories of the active flows, party by party."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        jurisdictions: JurisdictionSnapshot,
        parties: Mapping[str, PartyRecord],
        flows: Iterable[FlowRecord],
    ) -> None:
        flows = tuple(flows)
        self.regimes: tuple[str, ...] = jurisdictions.regimes
        # Flows share a few combinations of categories: each is worked out once.
        combinations = set(map(attrgetter("categories"), flows))
        keys = sorted({key for combination in combinations for key in combination})
        self._bits: dict[str, int] = {key: 1 << i for i, key in enumerate(keys)}
        below: dict[str, int] = defaultdict(int)
        """Category -> the used categories that are it or below it, as bits."""
        for key, bit in self._bits.items():
            for ancestor in taxonomy.lineage(key):
                below[ancestor] |= bit
        self._related: dict[str, int] = {
            key: below[key] | self._lineage_bits(taxonomy, key) for key in keys
        }
        self._own: dict[tuple[str, ...], int] = {}
        self._carried: dict[tuple[str, ...], int] = {}
        carried = {combination: self.carried(combination) for combination in combinations}
        by_country = {
            country: jurisdictions.zone_regimes(country)
            for country in {party.country for party in parties.values()}
        }
        self.zones: dict[str, tuple[str, ...]] = {
            slug: by_country[party.country] for slug, party in parties.items()
        }
        # Party -> target -> the categories the flows between them carry, as bits: parallel
        # flows merge into one edge.
        edges: dict[str, dict[str, int]] = defaultdict(dict)
        for flow in flows:
            leaving = edges[flow.source]
            target = flow.target
            leaving[target] = leaving.get(target, 0) | carried[flow.categories]
        self.reached: dict[str, dict[str, int]] = self._propagate(edges)
        """Regime -> party outside its zone -> the categories of that origin it holds."""
        self._held: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for regime in self.regimes:
            for party, bits in self.reached[regime].items():
                self._held[party].append((regime, bits))

    def _lineage_bits(self, taxonomy: Taxonomy, key: str) -> int:
        bits = 0
        for ancestor in taxonomy.lineage(key):
            bits |= self._bits.get(ancestor, 0)
        return bits

    def carried(self, categories: tuple[str, ...]) -> int:
        """The used categories a flow of `categories` carries (related to one of them)."""
        cached = self._carried.get(categories)
        if cached is None:
            cached = 0
            for key in categories:
                cached |= self._related.get(key, 0)
            self._carried[categories] = cached
        return cached

    def _own_bits(self, categories: tuple[str, ...]) -> int:
        cached = self._own.get(categories)
        if cached is None:
            cached = 0
            for key in categories:
                cached |= self._bits.get(key, 0)
            self._own[categories] = cached
        return cached

    def _propagate(self, edges: Mapping[str, dict[str, int]]) -> dict[str, dict[str, int]]:
        """For each regime, breadth-first from the parties in its zone, which hold every
        category of that origin; only parties outside the zone are recorded. A party is
        walked again only with the categories newly reached since it was last walked."""
        zones = self.zones
        inside = {r: {s for s, z in zones.items() if r in z} for r in self.regimes}
        found: dict[str, dict[str, int]] = {regime: {} for regime in self.regimes}
        # The first step, for every regime in one pass: the flows leaving each zone.
        for source, leaving in edges.items():
            for regime in zones.get(source, ()):
                first, zone = found[regime], inside[regime]
                for target, bits in leaving.items():
                    if target not in zone:
                        first[target] = first.get(target, 0) | bits
        no_edges: dict[str, int] = {}
        for regime in self.regimes:
            reached, zone = found[regime], inside[regime]
            pending = dict(reached)
            queue = deque(reached)
            while queue:
                party = queue.popleft()
                delta = pending.pop(party)
                for target, carried in edges.get(party, no_edges).items():
                    new = delta & carried
                    if not new or target in zone:
                        continue
                    held = reached.get(target, 0)
                    new &= ~held
                    if not new:
                        continue
                    reached[target] = held | new
                    if target in pending:
                        pending[target] |= new
                    else:
                        pending[target] = new
                        queue.append(target)
        return found

    def at(self, party: str, categories: tuple[str, ...]) -> tuple[str, ...]:
        """The origin regimes, in the usual order, of data of `categories` at `party`: its own
        zone's, and those of the zones any of the categories came to it from."""
        own = self.zones.get(party, ())
        held = self._held.get(party)
        if held is None:
            return own
        bits = self._own_bits(categories)
        came = [regime for regime, reached in held if reached & bits]
        if not came:
            return own
        return tuple(regime for regime in self.regimes if regime in own or regime in came)


def evidenced_subprocessing(
    engagements: Iterable[EngagementRecord], day: date
) -> frozenset[tuple[str, str]]:
    """(processor, sub-processor) of the engagements in force on `day` (not ended before it)
    whose sub-processing agreement is evidenced on or before it."""
    return frozenset(
        (e.processor, e.subprocessor)
        for e in engagements
        if e.evidence
        and e.evidenced_on is not None
        and e.evidenced_on <= day
        and (e.ended_on is None or e.ended_on >= day)
    )


def onward_covered(
    restricted: tuple[RestrictedTransfer, ...],
    certified: frozenset[str],
    evidenced: bool,
    qualifying: tuple[AgreementRecord, ...],
) -> tuple[RestrictedTransfer, ...]:
    """The transfers left once the onward-transfer principle of the US frameworks covers the
    hops it can: an onward transfer under regime R from a source certified on the date under
    R's framework (`certified`: EU-US DPF, UK Extension, Swiss-US DPF) is covered when a
    sub-processing agreement with flow-down is evidenced: a qualifying agreement between the
    two that imposes flow-down, or an engagement of the target by the source whose agreement
    is evidenced on or before the date (`evidenced`: a sub-processing contract under GDPR
    Art. 28(4) carries the same obligations), unless a qualifying agreement recorded between
    the two says it imposes none.

    Basis: EU-US DPF Principles, II.3 (Accountability for Onward Transfer), and the same
    principle of the UK Extension and of the Swiss-US DPF.
    Unverified: that the processor's attestation or published statement is evidence enough
    of the contract the principle requires.
    """
    flowdown = any(a.flowdown for a in qualifying)
    if not (flowdown or (evidenced and not qualifying)):
        return restricted
    return tuple(t for t in restricted if not (t.onward and t.regime in certified))


def transfer_words(restricted: tuple[RestrictedTransfer, ...]) -> str:
    """The transfer in words: "transfer"; "onward transfer of EU-origin data" when every
    regime under which the flow is restricted is one of an onward transfer; "transfer (an
    onward transfer of UK-origin data)" when only some are."""
    onward = [t.origin_name for t in restricted if t.onward]
    if not onward:
        return "transfer"
    origins = " and ".join(onward)
    if len(onward) == len(restricted):
        return f"onward transfer of {origins} data"
    return f"transfer (an onward transfer of {origins} data)"
