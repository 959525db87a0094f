"""The register as networkx graphs, the category tree and "where does it go".

- `register_graph`: one MultiDiGraph, nodes are party slugs, edges are flows keyed by id.
- `category_graph`: for one data category, a DiGraph of the active flows carrying it, parallel
  flows merged into one edge that keeps their ids. Transitive questions (onward transfers,
  reach) walk it by breadth-first search: the number of simple paths grows exponentially with
  the register, so nothing enumerates them.
- `category_reach`: every party a category reaches from the own party, the shortest paths and
  the countries where it is processed.
- `chains_to_marked`: for ONWARD_TRANSFER_UNCOVERED, the shortest chain from each first hop
  to an uncovered hop in one category's graph, by one backward breadth-first search.
- `Taxonomy`: a tree of dotted keys, data categories or purposes (ancestors, inherited
  flags); the one place that walks from a key up to its root. `group_members`: the group.

The walks use `MergedGraph` (plain dicts) rather than networkx objects: building a networkx
graph costs several microseconds an edge here, seconds over 100,000 flows and dozens of
categories; `MergedGraph.to_networkx()` gives the DiGraph to pages and exports.

Node and edge attributes are plain values (str, int, date, tuples), never records or ORM
objects, so graphs can be pickled, exported or drawn.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Protocol

import networkx as nx

from flows.engine.records import FlowRecord, PartyRecord, Register, is_active

FLAGS: tuple[str, ...] = ("special_category", "criminal", "children", "payment_card", "credentials")
"""Category flags, named as the CategoryRecord fields that set them."""

MAX_PATHS_PER_PARTY = 5
"""Shortest paths can be exponentially many; a reader needs a few examples, not all."""

OWN = "own"


def own_parties(parties: Mapping[str, PartyRecord]) -> tuple[str, ...]:
    """Slugs of the own company (the database allows one; records do not insist)."""
    return tuple(sorted(slug for slug, p in parties.items() if p.relationship == OWN))


def group_members(parties: Mapping[str, PartyRecord]) -> frozenset[str]:
    """The own party and every party whose parent chain reaches it.

    A parent chain that loops, or names a party that is not in the register, ends without
    reaching the own party; the database forbids loops but imported records might not.
    """
    roots = set(own_parties(parties))
    verdict: dict[str, bool] = {slug: True for slug in roots}
    for slug in parties:
        chain: list[str] = []
        seen: set[str] = set()
        current: str | None = slug
        result = False
        while current is not None:
            if current in verdict:
                result = verdict[current]
                break
            if current in seen or current not in parties:
                break
            seen.add(current)
            chain.append(current)
            current = parties[current].parent
        for member in chain:
            verdict[member] = result
    return frozenset(slug for slug, member in verdict.items() if member and slug in parties)


class TaxonomyNode(Protocol):
    """A node of a taxonomy: a CategoryRecord or a PurposeRecord."""

    @property
    def parent(self) -> str | None: ...


class Taxonomy:
    """A tree of dotted keys (the data categories, or the purposes): ancestors, and the flags
    a key inherits from them (FLAGS, for data categories)."""

    def __init__(self, nodes: Mapping[str, TaxonomyNode]) -> None:
        self._nodes = nodes
        self._lineage: dict[str, tuple[str, ...]] = {}
        self._flags: dict[str, frozenset[str]] = {}

    def parent(self, key: str) -> str | None:
        record = self._nodes.get(key)
        if record is not None:
            return record.parent or None
        # Keys missing from the table (an import ahead of the taxonomy) still follow the
        # dotted fideslang convention, so the prefix is the best guess of the parent.
        head, dot, _ = key.rpartition(".")
        return head if dot else None

    def lineage(self, key: str) -> tuple[str, ...]:
        """`key` then its ancestors, nearest first; a looping parent chain stops at the loop."""
        cached = self._lineage.get(key)
        if cached is not None:
            return cached
        chain: list[str] = []
        current: str | None = key
        while current is not None and current not in chain:
            chain.append(current)
            current = self.parent(current)
        result = tuple(chain)
        self._lineage[key] = result
        return result

    def ancestors(self, key: str) -> tuple[str, ...]:
        return self.lineage(key)[1:]

    def related(self, a: str, b: str) -> bool:
        """Same category, or one is an ancestor of the other."""
        return a in self.lineage(b) or b in self.lineage(a)

    def flags(self, key: str) -> frozenset[str]:
        """Flags set on the category or on any ancestor: descendants inherit, parents do not."""
        cached = self._flags.get(key)
        if cached is None:
            found: set[str] = set()
            for node in self.lineage(key):
                record = self._nodes.get(node)
                if record is not None:
                    found.update(flag for flag in FLAGS if getattr(record, flag, False))
            cached = frozenset(found)
            self._flags[key] = cached
        return cached

    def covers(self, covered: frozenset[str], key: str) -> bool:
        """An agreement listing `covered` (empty: every category) covers `key` when it lists
        the key or one of its ancestors: a category covers its descendants."""
        if not covered:
            return True
        return any(node in covered for node in self.lineage(key))

    def carries(self, categories: Iterable[str], key: str) -> bool:
        """A flow carries `key` when one of its categories is the key, an ancestor or a
        descendant of it."""
        return any(self.related(category, key) for category in categories)


def register_graph(register: Register, as_of: date | None = None) -> nx.MultiDiGraph:
    """One MultiDiGraph of the register (only flows active on `as_of` when it is given)."""
    group = group_members(register.parties)
    graph = nx.MultiDiGraph()
    for slug in sorted(register.parties):
        party = register.parties[slug]
        graph.add_node(
            slug,
            name=party.name,
            relationship=party.relationship,
            country=party.country,
            countries=party.countries,
            status=party.status,
            in_group=slug in group,
        )
    for flow in sorted(register.flows, key=lambda f: f.id):
        if as_of is not None and not is_active(flow, as_of):
            continue
        for slug in (flow.source, flow.target):
            if slug not in graph:
                # A flow naming an unknown party still shows; its node has no facts.
                graph.add_node(slug, name=slug, relationship="", country="", in_group=False)
        graph.add_edge(flow.source, flow.target, key=flow.id, **_flow_attributes(flow))
    return graph


def _flow_attributes(flow: FlowRecord) -> dict[str, object]:
    return {
        "flow": flow.id,
        "categories": flow.categories,
        "purpose": flow.purpose,
        "role": flow.role,
        "lawful_basis": flow.lawful_basis,
        "processing_countries": flow.processing_countries,
        "transfer_mechanism": flow.transfer_mechanism,
        "transfer_agreement": flow.transfer_agreement or "",
        "started_on": flow.started_on,
        "ended_on": flow.ended_on,
    }


class MergedGraph:
    """Flows merged into one edge per (source, target), as plain dicts of successors and
    predecessors whose values are the lists of flow ids.

    Rules walk one such graph per data category; building a networkx DiGraph costs several
    microseconds an edge, which adds up to seconds over 100,000 flows and dozens of
    categories, so the walk uses these dicts and `to_networkx` serves everyone else.
    """

    __slots__ = ("pred", "succ")

    def __init__(self, flows: Iterable[FlowRecord] = ()) -> None:
        self.succ: dict[str, dict[str, list[int]]] = {}
        self.pred: dict[str, dict[str, list[int]]] = {}
        self.add_edges((flow.source, flow.target, flow.id) for flow in flows)

    def add_edges(self, edges: Iterable[tuple[str, str, int]]) -> None:
        """Add (source, target, flow id) triples; the caller passes each flow once."""
        succ, pred = self.succ, self.pred
        for source, target, flow_id in edges:
            targets = succ.get(source)
            if targets is None:
                targets = succ[source] = {}
            ids = targets.get(target)
            if ids is None:
                ids = targets[target] = []
                pred.setdefault(target, {})[source] = ids
            ids.append(flow_id)

    def __contains__(self, node: object) -> bool:
        return node in self.succ or node in self.pred

    def edges(self) -> Iterator[tuple[str, str, list[int]]]:
        for source, targets in self.succ.items():
            for target, ids in targets.items():
                yield source, target, ids

    def to_networkx(self) -> nx.DiGraph:
        """The DiGraph with a `flows` attribute on each edge, ids in increasing order, so it
        is the same whatever order the flows came in."""
        graph = nx.DiGraph()
        graph.add_edges_from(
            (source, target, {"flows": sorted(ids)}) for source, target, ids in sorted(self.edges())
        )
        return graph


def merged_digraph(flows: Iterable[FlowRecord]) -> nx.DiGraph:
    """A DiGraph with one edge per (source, target) listing the ids of the flows merged."""
    return MergedGraph(flows).to_networkx()


def category_flows(register: Register, category_key: str, as_of: date) -> list[FlowRecord]:
    """Active flows carrying the category (itself, an ancestor or a descendant of it)."""
    taxonomy = Taxonomy(register.categories)
    return [
        flow
        for flow in register.flows
        if is_active(flow, as_of) and taxonomy.carries(flow.categories, category_key)
    ]


def category_graph(register: Register, category_key: str, as_of: date) -> nx.DiGraph:
    """The DiGraph of the active flows carrying `category_key`, parallel flows merged."""
    return merged_digraph(category_flows(register, category_key, as_of))


@dataclass(frozen=True, slots=True)
class PartyReach:
    """One party a category reaches: how far, by which shortest paths, processed where."""

    party: str
    name: str
    relationship: str
    hops: int
    paths: tuple[tuple[str, ...], ...]
    countries: tuple[str, ...]
    flows: tuple[int, ...]
    """Flows delivering the category to this party from a party that the category reaches."""


@dataclass(frozen=True, slots=True)
class CategoryReach:
    """Where a data category goes from the own party on a date."""

    category: str
    as_of: date
    origin: str | None
    parties: tuple[PartyReach, ...]

    @property
    def countries(self) -> tuple[str, ...]:
        return tuple(sorted({c for reach in self.parties for c in reach.countries}))


def category_reach(register: Register, category_key: str, as_of: date) -> CategoryReach:
    """Every party that `category_key` reaches from the own party on `as_of`.

    Breadth-first search gives each party's distance and its shortest-path predecessors; the
    paths are read back from those (at most MAX_PATHS_PER_PARTY each, in slug order).
    """
    owners = own_parties(register.parties)
    origin = owners[0] if owners else None
    if origin is None:
        return CategoryReach(category_key, as_of, None, ())
    flows = category_flows(register, category_key, as_of)
    graph = MergedGraph(flows)
    if origin not in graph:
        return CategoryReach(category_key, as_of, origin, ())
    distance, predecessors = _bfs(graph, origin)
    by_id = {flow.id: flow for flow in flows}
    reached: list[PartyReach] = []
    for slug in sorted(distance, key=lambda s: (distance[s], s)):
        if slug == origin:
            continue
        party = register.parties.get(slug)
        incoming = sorted(
            flow_id
            for source, ids in graph.pred.get(slug, {}).items()
            if source in distance
            for flow_id in ids
        )
        countries: set[str] = set()
        for flow_id in incoming:
            flow = by_id[flow_id]
            countries.update(flow.processing_countries or (party.countries if party else ()))
        reached.append(
            PartyReach(
                party=slug,
                name=party.name if party else slug,
                relationship=party.relationship if party else "",
                hops=distance[slug],
                paths=_shortest_paths(predecessors, origin, slug),
                countries=tuple(sorted(c for c in countries if c)),
                flows=tuple(incoming),
            )
        )
    return CategoryReach(category_key, as_of, origin, tuple(reached))


def _bfs(graph: MergedGraph, origin: str) -> tuple[dict[str, int], dict[str, list[str]]]:
    distance = {origin: 0}
    predecessors: dict[str, list[str]] = defaultdict(list)
    queue = deque([origin])
    while queue:
        node = queue.popleft()
        for successor in sorted(graph.succ.get(node, ())):
            if successor not in distance:
                distance[successor] = distance[node] + 1
                queue.append(successor)
            if distance[successor] == distance[node] + 1:
                predecessors[successor].append(node)
    return distance, predecessors


def _shortest_paths(
    predecessors: Mapping[str, list[str]], origin: str, slug: str
) -> tuple[tuple[str, ...], ...]:
    """Walk the predecessor DAG back from `slug`, depth first, stopping at the cap."""
    paths: list[tuple[str, ...]] = []
    stack: list[tuple[str, tuple[str, ...]]] = [(slug, (slug,))]
    while stack and len(paths) < MAX_PATHS_PER_PARTY:
        node, suffix = stack.pop()
        if node == origin:
            paths.append(suffix)
            continue
        for previous in sorted(predecessors.get(node, ()), reverse=True):
            stack.append((previous, (previous, *suffix)))
    return tuple(sorted(paths))


def chains_to_marked(
    edges: Iterable[tuple[str, str, int]], origins: frozenset[str], marked: set[int]
) -> dict[int, tuple[tuple[str, ...], int]]:
    """In the merged graph of `edges` (source, target, flow id), for each flow leaving an
    origin: the shortest path from its origin through the edge of a marked flow further on,
    and that marked flow's id (the lowest one on the edge). Flows whose target reaches no
    marked edge are left out.

    Paths start at an origin once: no later hop enters or leaves one (data coming home is
    no onward transfer). One pass builds the predecessors and the marked edges, then one
    breadth-first search runs backwards from all marked edges at once, so the cost is linear
    in the edges however many first hops ask; nothing enumerates paths. Neighbours are taken
    in slug order, so the result does not depend on the order of the edges.
    """
    pred: dict[str, set[str]] = defaultdict(set)
    tails: dict[str, dict[str, int]] = {}
    first: list[tuple[str, str, int]] = []
    for source, target, flow_id in edges:
        if source in origins:
            if target not in origins:
                first.append((source, target, flow_id))
            continue
        if target in origins:
            continue
        pred[target].add(source)
        if flow_id in marked:
            row = tails.setdefault(source, {})
            if flow_id < row.get(target, flow_id + 1):
                row[target] = flow_id
    if not tails or not first:
        return {}
    toward: dict[str, str | None] = {tail: None for tail in tails}
    queue = deque(sorted(tails))
    while queue:
        node = queue.popleft()
        for previous in sorted(pred.get(node, ())):
            if previous not in toward:
                toward[previous] = node
                queue.append(previous)
    found: dict[int, tuple[tuple[str, ...], int]] = {}
    for origin, start, flow_id in first:
        if start not in toward:
            continue
        walk = [origin, start]
        step = toward[start]
        while step is not None:
            walk.append(step)
            step = toward[step]
        ends = sorted(tails[walk[-1]].items())
        # Prefer a marked edge that leads somewhere new, so that the path stays simple.
        end, marked_id = next(((t, f) for t, f in ends if t not in walk), ends[0])
        found[flow_id] = ((*walk, end), marked_id)
    return found
