"""What a diagram shows: the parties and active flows of a category, a party or the register."""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import date

from flows.engine.graph import category_flows, category_reach, own_parties
from flows.engine.records import FlowRecord, Register, is_active


@dataclass(frozen=True, slots=True)
class Selection:
    """The parties and active flows a diagram shows; `focus` parties never collapse, and
    `kept` parties (by default the focus) are drawn even with no flow on the date."""

    parties: tuple[str, ...]
    flows: tuple[FlowRecord, ...]
    focus: frozenset[str]
    category: str = ""
    kept: frozenset[str] | None = None

    @property
    def always(self) -> frozenset[str]:
        return self.focus if self.kept is None else self.kept


def select_category(register: Register, category: str, as_of: date) -> Selection:
    """The own party and every party the category reaches from it, with the flows between."""
    reach = category_reach(register, category, as_of)
    if reach.origin is None:
        return Selection((), (), frozenset(), category)
    reached = {reach.origin, *(p.party for p in reach.parties)}
    flows = tuple(
        f
        for f in category_flows(register, category, as_of)
        if f.source in reached and f.target in reached
    )
    return Selection(tuple(sorted(reached)), flows, frozenset({reach.origin}), category)


def select_party(register: Register, slug: str, as_of: date, depth: int = 2) -> Selection:
    """Who sends data to `slug`, and the parties it passes data to, `depth` hops onward."""
    active = [f for f in register.flows if is_active(f, as_of)]
    onward: dict[str, list[FlowRecord]] = defaultdict(list)
    for flow in active:
        onward[flow.source].append(flow)
    chosen: dict[int, FlowRecord] = {f.id: f for f in active if f.target == slug}
    distance = {slug: 0}
    queue = deque([slug])
    while queue:
        node = queue.popleft()
        if distance[node] >= depth:
            continue
        for flow in onward.get(node, ()):
            chosen[flow.id] = flow
            if flow.target not in distance:
                distance[flow.target] = distance[node] + 1
                queue.append(flow.target)
    parties = {slug, *(f.source for f in chosen.values()), *(f.target for f in chosen.values())}
    flows = tuple(sorted(chosen.values(), key=lambda f: f.id))
    return Selection(tuple(sorted(parties)), flows, frozenset({slug}))


def select_register(
    register: Register, as_of: date, country: str = "", relationship: str = ""
) -> Selection:
    """Every party (or those of one country and/or relationship, with the parties they
    exchange data with) and every active flow among them."""
    owners = frozenset(own_parties(register.parties))
    active = [f for f in register.flows if is_active(f, as_of)]
    if not country and not relationship:
        parties = set(register.parties).union(*((f.source, f.target) for f in active))
        return Selection(tuple(sorted(parties)), tuple(active), owners)

    def in_part(slug: str) -> bool:
        party = register.parties.get(slug)
        return (
            party is not None
            and (not country or party.country == country)
            and (not relationship or party.relationship == relationship)
        )

    part = {slug for slug in register.parties if in_part(slug)}
    flows = tuple(f for f in active if f.source in part or f.target in part)
    parties = part | {s for f in flows for s in (f.source, f.target)}
    # The part's parties keep their own nodes, but like any other are left out with no flow.
    return Selection(tuple(sorted(parties)), flows, owners | part, kept=owners)
