"""Everything the rules share, computed once per evaluation.

Rules read a `RuleContext`: the active flows with their facts (parties, inherited category
flags, the agreements that qualify or lapsed, the regimes under which the flow is a restricted
transfer) and indexes built in one pass over the register. Agreements are looked up by the
unordered pair of parties they bind, so no rule compares every flow with every agreement.

An agreement qualifies for a flow when it is in force on the date (records.agreement_state),
it names source and target, it covers all the flow's categories (a listed category covers its
descendants; none listed covers all) and its kind fits the flow's role (FITTING_KINDS: GDPR
Art. 28(3) and 28(4) for processors and sub-processors, Art. 26(1) for joint controllers;
intra_group also for controllers inside the group).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from operator import attrgetter

from flows.engine.facts import FlowFacts, MechanismProblem
from flows.engine.graph import Taxonomy, group_members, own_parties
from flows.engine.jurisdictions import (
    Jurisdictions,
    JurisdictionSnapshot,
    RestrictedTransfer,
)
from flows.engine.mechanisms import Mechanisms
from flows.engine.origins import Origins, evidenced_subprocessing, onward_covered
from flows.engine.records import (
    AgreementRecord,
    AgreementState,
    Finding,
    FlowRecord,
    Register,
    agreement_state,
    is_active,
)
from flows.engine.wording import (
    KIND_MECHANISMS,
    flow_words,
    plural,
    tools_advice,
)

FITTING_KINDS: dict[str, frozenset[str]] = {
    "processor": frozenset({"dpa", "scc_2021_m2", "scc_2010_c2p"}),
    "subprocessor": frozenset({"dpa", "scc_2021_m3"}),
    "controller": frozenset({"c2c_sharing", "scc_2021_m1", "scc_2004_c2c", "scc_2001_c2c"}),
    "joint_controller": frozenset({"joint_controller_arrangement"}),
}
INTRA_GROUP = "intra_group"
NDA = "nda"


class RuleContext:
    """The register indexed for one evaluation date."""

    def __init__(self, register: Register, as_of: date) -> None:
        self.register = register
        self.as_of = as_of
        self.parties = register.parties
        self.taxonomy = Taxonomy(register.categories)
        self.purposes = Taxonomy(register.purposes)
        self.group = group_members(register.parties)
        self.owners = frozenset(own_parties(register.parties))
        self.jurisdictions: JurisdictionSnapshot = Jurisdictions.from_register(register).on(as_of)
        self._exporters = self.jurisdictions.exporters
        agreements = sorted(register.agreements, key=attrgetter("reference", "kind"))
        self.agreements_by_ref: dict[str, AgreementRecord] = {}
        for agreement in agreements:
            self.agreements_by_ref.setdefault(agreement.reference, agreement)
        self._pairs: dict[tuple[str, str], list[AgreementRecord]] = defaultdict(list)
        for agreement in agreements:
            if len(agreement.parties) == 2:  # nearly always: skip sorting and the loop
                a, b = agreement.parties
                self._pairs[(a, b) if a < b else (b, a)].append(agreement)
                continue
            members = sorted(agreement.parties)
            for i, first in enumerate(members):
                for second in members[i + 1 :]:
                    self._pairs[(first, second)].append(agreement)
        in_force = AgreementState.IN_FORCE
        self._effective = {id(a): agreement_state(a, as_of) is in_force for a in agreements}
        self.mechanisms = Mechanisms(self.jurisdictions, self.agreements_by_ref, self.is_effective)
        self._kinds = {
            (role, inside): kinds | {INTRA_GROUP} if inside else kinds
            for role, kinds in FITTING_KINDS.items()
            for inside in (False, True)
        }
        self._covers: dict[tuple[int, tuple[str, ...]], bool] = {}
        self._flags: dict[tuple[str, ...], dict[str, tuple[str, ...]]] = {}
        self._category_flags: dict[str, frozenset[str]] = {}
        self._tools: dict[tuple[str, ...], str] = {}
        self._sale: dict[str, bool] = {}
        self._under: dict[str, set[str]] | None = None
        # Most rules concern a small share of the flows; the pass that builds the facts also
        # sorts them out, in flow id order, so that no rule walks all 100,000 to find its few
        # hundred.
        self.with_gap: dict[str, list[FlowFacts]] = defaultdict(list)
        self.with_flag: dict[str, list[FlowFacts]] = defaultdict(list)
        self.restricted: list[FlowFacts] = []
        self.subprocessing: list[FlowFacts] = []
        self.naming_transfer_agreement: list[FlowFacts] = []
        self.sales: list[FlowFacts] = []
        self.without_basis: list[FlowFacts] = []
        """Flows that record no lawful basis."""
        self.from_owners: list[FlowFacts] = []
        """First hops: flows that leave the own company."""
        self.onward_hops: dict[str, list[FlowRecord]] = defaultdict(list)
        """Party -> the flows leaving it, leaving out flows from or to the own company (data
        coming home is no onward transfer)."""
        active = [f for f in register.flows if is_active(f, as_of)]
        active.sort(key=attrgetter("id"))
        self.origins = Origins(self.taxonomy, self.jurisdictions, register.parties, active)
        """The origin regimes of each category at each party (flows.engine.origins)."""
        self._covered_onward = evidenced_subprocessing(register.engagements, as_of)
        self.flows: tuple[FlowFacts, ...] = self._facts_of(active)
        ids = map(attrgetter("id"), active)
        self.by_id: dict[int, FlowFacts] = dict(zip(ids, self.flows, strict=True))

    # -- agreements ---------------------------------------------------------------------------

    def fitting_kinds(self, flow: FlowRecord) -> frozenset[str]:
        """Agreement kinds that fit the flow's role; intra_group too between group members
        for a controller flow."""
        inside = flow.role == "controller" and flow.source in self.group
        inside = inside and flow.target in self.group
        return self._kinds.get((flow.role, inside), frozenset())

    def covers(self, agreement: AgreementRecord, categories: tuple[str, ...]) -> bool:
        key = (id(agreement), categories)
        cached = self._covers.get(key)
        if cached is None:
            cached = all(self.taxonomy.covers(agreement.categories, c) for c in categories)
            self._covers[key] = cached
        return cached

    def binding(self, a: str, b: str) -> tuple[AgreementRecord, ...]:
        """Every agreement naming both parties, whatever its kind and dates."""
        return tuple(self._pairs.get((a, b) if a < b else (b, a), ()))

    def category_name(self, key: str) -> str:
        """A category's name for a sentence; the key when the taxonomy gives none."""
        record = self.register.categories.get(key)
        return record.name if record is not None and record.name else key

    def purpose_name(self, key: str) -> str:
        """A purpose's name for a sentence; the key when the taxonomy gives none."""
        record = self.register.purposes.get(key)
        return record.name if record is not None and record.name else key

    def category_names(self, keys: Iterable[str]) -> str:
        """Categories in a sentence, by name, in the order of their keys: messages name
        what people read, and the finding keeps the keys for filters and exports."""
        return ", ".join(self.category_name(key) for key in sorted(set(keys)))

    def words(self, facts: FlowFacts) -> str:
        """The flow in words: "the flow of Email Address to CloudCo as processor"."""
        categories = self.category_names(facts.flow.categories)
        return flow_words(facts.flow, facts.target_name, categories)

    def is_effective(self, agreement: AgreementRecord) -> bool:
        """In force on the date (records.agreement_state)."""
        cached = self._effective.get(id(agreement))
        if cached is None:
            return agreement_state(agreement, self.as_of) is AgreementState.IN_FORCE
        return cached

    # -- flows --------------------------------------------------------------------------------

    def flagged(self, categories: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
        """Flag name -> the given categories that carry it, themselves or by inheritance."""
        cached = self._flags.get(categories)
        if cached is None:
            found: dict[str, list[str]] = {}
            for category in sorted(set(categories)):
                flags = self._category_flags.get(category)
                if flags is None:
                    flags = self._category_flags[category] = self.taxonomy.flags(category)
                for flag in flags:
                    found.setdefault(flag, []).append(category)
            cached = {flag: tuple(keys) for flag, keys in found.items()}
            self._flags[categories] = cached
        return cached

    def _facts_of(self, flows: list[FlowRecord]) -> tuple[FlowFacts, ...]:
        """The facts of each flow, in order, each also filed in the lists the rules walk.

        The hot loop of an evaluation, once per active flow: look-ups are bound to locals
        and inlined, and the common case (one agreement between the two) allocates no lists.
        """
        parties, pairs, group, kinds_for = self.parties, self._pairs, self.group, self._kinds
        effective, flags = self._effective, self._flags
        owners, sale = self.owners, self._sale
        with_gap, with_flag, restricted_flows = self.with_gap, self.with_flag, self.restricted
        subprocessing, sales = self.subprocessing, self.sales
        naming = self.naming_transfer_agreement
        without_basis, from_owners, onward = self.without_basis, self.from_owners, self.onward_hops
        transfers_from = self.jurisdictions.transfers_from
        names = {slug: party.name or slug for slug, party in parties.items()}
        # Where each party processes data, and the regimes under whose US framework it is
        # certified on the day.
        countries_of = {slug: party.countries for slug, party in parties.items()}
        certified_regimes = self.jurisdictions.certified_regimes
        certified = {slug: certified_regimes(party) for slug, party in parties.items()}
        uncertified: frozenset[str] = frozenset()
        origins_at = self.origins.at
        covered_onward = self._covered_onward
        no_kinds: frozenset[str] = frozenset()
        found = []
        for flow in flows:
            s, t = flow.source, flow.target
            role = flow.role
            source = parties.get(s)
            target = parties.get(t)
            candidates = pairs.get((s, t) if s < t else (t, s))
            qualifying: tuple[AgreementRecord, ...] = ()
            lapsed: tuple[AgreementRecord, ...] = ()
            ndas: tuple[AgreementRecord, ...] = ()
            if candidates:
                inside = role == "controller" and s in group and t in group
                kinds = kinds_for.get((role, inside), no_kinds)
                for agreement in candidates:
                    if agreement.kind == NDA:
                        ndas += (agreement,)
                    elif agreement.kind in kinds and (
                        not agreement.categories or self.covers(agreement, flow.categories)
                    ):
                        if effective[id(agreement)]:
                            qualifying += (agreement,)
                        else:
                            lapsed += (agreement,)
            flagged = flags.get(flow.categories)
            if flagged is None:
                flagged = self.flagged(flow.categories)
            restricted: tuple[RestrictedTransfer, ...] = ()
            origins = origins_at(s, flow.categories) if source is not None else ()
            if origins:  # restricted_transfers(), with the origins of the data at the source
                restricted = transfers_from(
                    source.country,  # type: ignore[union-attr]
                    flow.processing_countries or countries_of.get(t, ()),
                    certified.get(t, uncertified),
                    origins,
                )
                if restricted and certified.get(s):
                    restricted = onward_covered(
                        restricted, certified[s], (s, t) in covered_onward, qualifying
                    )
            gap: str | None = None  # the three exclusive agreement rules, in their order
            # Not for a sub-processor: we hold no contract with it (Art. 28(4) puts it
            # between the processors); the chain rules judge its engagement instead.
            if not qualifying and role != "subprocessor":
                gap = "EXPIRED_AGREEMENT" if lapsed else "NDA_ONLY" if ndas else "NO_AGREEMENT"
            facts = FlowFacts(
                flow,
                source,
                target,
                flagged,
                qualifying,
                lapsed,
                ndas,
                restricted,
                names.get(s, s),
                names.get(t, t),
                gap,
            )
            found.append(facts)
            if gap is not None:
                with_gap[gap].append(facts)
            if flagged:
                for flag in flagged:
                    with_flag[flag].append(facts)
            if restricted:
                restricted_flows.append(facts)
            if role == "subprocessor":
                subprocessing.append(facts)
            if flow.transfer_agreement:
                naming.append(facts)
            if not flow.lawful_basis:
                without_basis.append(facts)
            for_sale = sale.get(flow.purpose)
            if for_sale is None:
                for_sale = self.is_sale_or_share(flow.purpose)
            if for_sale:
                sales.append(facts)
            if s in owners:
                from_owners.append(facts)
            elif t not in owners:  # data coming home is no onward transfer
                onward[s].append(flow)
        return tuple(found)

    def is_sale_or_share(self, purpose: str) -> bool:
        """The purpose, or one it descends from, is flagged as a sale or sharing of data."""
        cached = self._sale.get(purpose)
        if cached is None:
            records = self.register.purposes
            cached = any(
                record is not None and record.sale_or_share
                for record in map(records.get, self.purposes.lineage(purpose))
            )
            self._sale[purpose] = cached
        return cached

    def under(self, key: str) -> set[str]:
        """Categories used by active flows that are `key` or below it."""
        if self._under is None:
            self._under = defaultdict(set)
            # Flows share a few combinations of categories: walk each combination once.
            combinations = set(map(attrgetter("categories"), map(attrgetter("flow"), self.flows)))
            for category in {c for combination in combinations for c in combination}:
                for ancestor in self.taxonomy.lineage(category):
                    self._under[ancestor].add(category)
        return self._under.get(key, set())

    # -- transfers ----------------------------------------------------------------------------

    def describe_restricted(self, facts: FlowFacts, transfer: RestrictedTransfer) -> str:
        """Why the flow is a restricted transfer under one regime, naming the countries."""
        countries = transfer.countries
        verb = plural(countries, "is", "are")
        if transfer.onward:
            where = (
                f"onward transfer of {transfer.origin_name} data: {facts.source_name} "
                f"({transfer.source_country or 'country not recorded'}) holds data that came "
                f"from {transfer.zone_name}, and"
            )
        else:
            where = (
                f"{facts.source_name} ({transfer.source_country}) is in {transfer.zone_name} and"
            )
        text = (
            f"{where} "
            f"{facts.target_name} processes the data in {', '.join(countries)}, which {verb} "
            f"outside {transfer.zone_name} and not adequate for the {transfer.regime_name} "
            f"on {self.as_of.isoformat()}"
        )
        if any(self.jurisdictions.dpf_only(transfer.regime, c) for c in countries):
            text += f" ({self.dpf_status(facts, transfer.regime)})"
        return text

    def dpf_status(self, facts: FlowFacts, regime: str = "EU") -> str:
        """Why the recipient is not certified under the US framework serving `regime`."""
        return self.mechanisms.dpf_status(facts, regime)

    def mechanism_problems(self, facts: FlowFacts) -> tuple[MechanismProblem, ...]:
        """For a restricted transfer with a mechanism: the regimes under which the mechanism
        is not valid on the date, each with the reason in plain words."""
        return self.mechanisms.problems(facts)

    def tools_needed(self, facts: FlowFacts) -> str:
        """The transfer tools that can be put in place on the date under the regimes of the
        flow's restricted transfers, from the mechanism table (never a fixed list)."""
        snapshot = self.jurisdictions
        regimes = tuple(t.regime for t in facts.restricted) or snapshot.regimes
        cached = self._tools.get(regimes)
        if cached is None:
            cached = tools_advice({r: snapshot.usable_mechanisms(r) for r in regimes})
            self._tools[regimes] = cached
        return cached

    def kind_usable(self, kind: str, facts: FlowFacts) -> bool:
        """An agreement kind that implements a transfer tool (wording.KIND_MECHANISMS) can
        be proposed only when that tool can be put in place on the date under a regime of
        the flow's restricted transfers (any regime when the flow is none)."""
        mechanism = KIND_MECHANISMS.get(kind)
        if mechanism is None:
            return True
        snapshot = self.jurisdictions
        regimes = [t.regime for t in facts.restricted] or list(snapshot.regimes)
        return any(mechanism in snapshot.usable_mechanisms(r) for r in regimes)

    def transfer_gap(self, facts: FlowFacts) -> str | None:
        """NO_TRANSFER_MECHANISM, INVALID_TRANSFER_MECHANISM or None, for chain rules."""
        if not facts.restricted:
            return None
        if not facts.flow.transfer_mechanism:
            return "NO_TRANSFER_MECHANISM"
        return "INVALID_TRANSFER_MECHANISM" if self.mechanism_problems(facts) else None


@lru_cache(maxsize=4096)
def sorted_keys(categories: tuple[str, ...]) -> tuple[str, ...]:
    """The keys sorted, without repeats: one shared tuple per combination, however many
    findings name it."""
    return tuple(sorted(set(categories)))


def flow_finding(
    rule: str,
    severity: str,
    facts: FlowFacts,
    message: str,
    citation: str,
    remedy: str,
    categories: tuple[str, ...] | None = None,
    path: tuple[str, ...] = (),
) -> Finding:
    """A finding about one flow; categories default to the flow's, sorted."""
    flow = facts.flow
    return Finding(  # positionally, in the order of Finding's fields: it runs 50,000 times
        rule,
        severity,
        message,
        citation,
        remedy,
        flow.id,
        flow.source,
        flow.target,
        sorted_keys(flow.categories) if categories is None else categories,
        path,
    )
