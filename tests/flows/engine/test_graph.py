"""Graphs of the register, the category tree, the group and "where does it go"."""

from __future__ import annotations

import random
import time

from flows.engine.graph import (
    MergedGraph,
    Taxonomy,
    category_graph,
    category_reach,
    chains_to_marked,
    group_members,
    register_graph,
)
from flows.engine.records import CategoryRecord
from tests.flows.engine.record_builders import (
    AS_OF,
    CARD,
    CONTACT,
    EMAIL,
    GENETIC,
    HEALTH,
    PHONE,
    USER,
    base_parties,
    categories,
    d,
    flow,
    party,
    register,
    with_party,
)

# -- the group ------------------------------------------------------------------------------


def test_the_group_is_the_own_party_and_everyone_whose_parents_lead_to_it():
    parties = with_party(base_parties(), party("acme-de-sub", "affiliate", "DE", parent="acme-de"))
    assert group_members(parties) == {"acme", "acme-de", "acme-ch", "acme-uk", "acme-de-sub"}


def test_a_loop_of_parents_or_an_unknown_parent_keeps_a_party_out_of_the_group():
    parties = base_parties()
    parties = with_party(parties, party("loop-a", "affiliate", parent="loop-b"))
    parties = with_party(parties, party("loop-b", "affiliate", parent="loop-a"))
    parties = with_party(parties, party("orphan", "affiliate", parent="nobody"))
    members = group_members(parties)
    assert "loop-a" not in members and "loop-b" not in members and "orphan" not in members
    assert "acme-de" in members


def test_a_register_without_an_own_party_has_no_group():
    parties = {"x": party("x", "affiliate", parent="y"), "y": party("y", "affiliate")}
    assert group_members(parties) == frozenset()


# -- the category tree ----------------------------------------------------------------------


def test_descendants_inherit_a_flag_and_parents_do_not():
    taxonomy = Taxonomy(categories())
    assert taxonomy.flags(GENETIC) == {"special_category"}
    assert taxonomy.flags(HEALTH) == {"special_category"}
    assert taxonomy.flags(USER) == frozenset()
    assert taxonomy.flags(CARD) == {"payment_card"}


def test_keys_missing_from_the_table_follow_the_dotted_convention():
    taxonomy = Taxonomy(categories())
    assert taxonomy.lineage("user.health_and_medical.genetic.markers") == (
        "user.health_and_medical.genetic.markers",
        GENETIC,
        HEALTH,
        USER,
    )
    assert taxonomy.flags("user.health_and_medical.genetic.markers") == {"special_category"}


def test_a_looping_parent_chain_stops_at_the_loop():
    taxonomy = Taxonomy(
        {"a": CategoryRecord("a", parent="b"), "b": CategoryRecord("b", parent="a")}
    )
    assert taxonomy.lineage("a") == ("a", "b")


def test_an_agreement_category_covers_its_descendants_only():
    taxonomy = Taxonomy(categories())
    assert taxonomy.covers(frozenset({CONTACT}), EMAIL)
    assert not taxonomy.covers(frozenset({EMAIL}), CONTACT)
    assert not taxonomy.covers(frozenset({CONTACT}), CARD)
    assert taxonomy.covers(frozenset(), CARD)


def test_a_flow_carries_a_category_its_ancestors_and_its_descendants():
    taxonomy = Taxonomy(categories())
    assert taxonomy.carries([EMAIL], CONTACT)
    assert taxonomy.carries([USER], EMAIL)
    assert taxonomy.carries([EMAIL], EMAIL)
    assert not taxonomy.carries([PHONE], EMAIL)


# -- the register graph ---------------------------------------------------------------------


def test_the_register_graph_has_parties_as_nodes_and_flows_as_keyed_edges():
    reg = register(
        [
            flow(1, "acme", "cloudco"),
            flow(2, "acme", "cloudco", categories=(CARD,)),
            flow(3, "cloudco", "backupco", role="subprocessor"),
        ]
    )
    graph = register_graph(reg)
    assert graph.nodes["acme-de"] == {
        "name": "Acme GmbH",
        "relationship": "affiliate",
        "country": "DE",
        "countries": ("DE",),
        "status": "approved",
        "in_group": True,
    }
    assert graph.nodes["cloudco"]["in_group"] is False
    assert set(graph["acme"]["cloudco"]) == {1, 2}
    edge = graph.edges["acme", "cloudco", 2]
    assert edge["categories"] == (CARD,)
    assert edge["role"] == "processor"
    assert edge["started_on"] == d("2019-01-01")


def test_the_register_graph_can_keep_only_flows_active_on_a_date():
    reg = register(
        [flow(1, "acme", "cloudco", ended_on=d("2020-01-01")), flow(2, "acme", "partner")]
    )
    assert graph_edges(register_graph(reg)) == {1, 2}
    assert graph_edges(register_graph(reg, as_of=AS_OF)) == {2}


def test_a_flow_to_an_unknown_party_still_shows_as_a_bare_node():
    graph = register_graph(register([flow(1, "acme", "ghost")]))
    assert graph.nodes["ghost"]["relationship"] == ""


def graph_edges(graph) -> set[int]:
    return {key for _, _, key in graph.edges(keys=True)}


# -- per-category graphs --------------------------------------------------------------------


def test_the_category_graph_keeps_flows_carrying_it_its_ancestors_or_descendants():
    reg = register(
        [
            flow(1, "acme", "cloudco", categories=(EMAIL,)),
            flow(2, "cloudco", "backupco", categories=(USER,), role="subprocessor"),
            flow(3, "acme", "partner", categories=(PHONE,), role="controller"),
            flow(4, "acme-de", "cloudco", categories=("user.contact.email.work",)),
        ]
    )
    graph = category_graph(reg, EMAIL, AS_OF)
    assert sorted(graph.edges) == [
        ("acme", "cloudco"),
        ("acme-de", "cloudco"),
        ("cloudco", "backupco"),
    ]


def test_parallel_flows_merge_into_one_edge_that_lists_them():
    reg = register(
        [flow(7, "acme", "cloudco"), flow(3, "acme", "cloudco"), flow(5, "acme", "cloudco")]
    )
    graph = category_graph(reg, EMAIL, AS_OF)
    assert graph.edges["acme", "cloudco"]["flows"] == [3, 5, 7]


def test_inactive_flows_are_left_out_of_the_category_graph():
    reg = register(
        [flow(1, "acme", "cloudco", started_on=d("2030-01-01")), flow(2, "acme", "partner")]
    )
    assert list(category_graph(reg, EMAIL, AS_OF).edges) == [("acme", "partner")]


def test_merged_graphs_do_not_depend_on_the_order_of_the_flows():
    flows = [flow(i, f"p{i % 4}", f"p{(i * 7) % 5}") for i in range(1, 30)]
    flows = [f for f in flows if f.source != f.target]
    shuffled = random.Random(3).sample(flows, len(flows))
    first = MergedGraph(flows).to_networkx()
    second = MergedGraph(shuffled).to_networkx()
    assert list(first.edges(data=True)) == list(second.edges(data=True))


# -- where does it go -----------------------------------------------------------------------


def test_category_reach_lists_each_party_with_its_shortest_path_and_countries():
    parties = with_party(base_parties(), party("backupco", "subprocessor", "IN", name="BackupCo"))
    reg = register(
        [
            flow(1, "acme", "cloudco"),
            flow(2, "cloudco", "backupco", role="subprocessor", processing_countries=("IN", "SG")),
            flow(3, "acme", "acme-de", role="controller"),
            flow(4, "acme-de", "cloudco"),
            flow(5, "acme", "partner", categories=(CARD,), role="controller"),
        ],
        parties=parties,
    )
    reach = category_reach(reg, EMAIL, AS_OF)
    assert reach.origin == "acme"
    by_party = {r.party: r for r in reach.parties}
    assert set(by_party) == {"cloudco", "backupco", "acme-de"}
    assert by_party["backupco"].hops == 2
    assert by_party["backupco"].paths == (("acme", "cloudco", "backupco"),)
    assert by_party["backupco"].countries == ("IN", "SG")
    assert by_party["cloudco"].countries == ("US",)
    assert by_party["cloudco"].flows == (1, 4)
    assert reach.countries == ("DE", "IN", "SG", "US")


def test_category_reach_gives_every_shortest_path_when_there_are_several():
    reg = register(
        [
            flow(1, "acme", "acme-de", role="controller"),
            flow(2, "acme", "acme-ch", role="controller"),
            flow(3, "acme-de", "cloudco"),
            flow(4, "acme-ch", "cloudco"),
        ]
    )
    [cloud] = [r for r in category_reach(reg, EMAIL, AS_OF).parties if r.party == "cloudco"]
    assert cloud.paths == (("acme", "acme-ch", "cloudco"), ("acme", "acme-de", "cloudco"))


def test_category_reach_survives_cycles_and_is_empty_without_an_own_party():
    reg = register([flow(1, "acme", "cloudco"), flow(2, "cloudco", "acme", role="controller")])
    assert [r.party for r in category_reach(reg, EMAIL, AS_OF).parties] == ["cloudco"]
    parties = {slug: p for slug, p in base_parties().items() if slug != "acme"}
    empty = category_reach(register([flow(1, "acme-de", "cloudco")], parties=parties), EMAIL, AS_OF)
    assert (empty.origin, empty.parties) == (None, ())


def test_category_reach_stays_fast_when_paths_multiply():
    # Ten layers of ten parties, every layer wired to the next: 10**10 simple paths.
    flows = [flow(i, "acme", f"l0-{i}") for i in range(10)]
    next_id = 100
    for layer in range(9):
        for a in range(10):
            for b in range(10):
                flows.append(flow(next_id, f"l{layer}-{a}", f"l{layer + 1}-{b}"))
                next_id += 1
    started = time.perf_counter()
    reach = category_reach(register(flows), EMAIL, AS_OF)
    assert time.perf_counter() - started < 5
    deepest = [r for r in reach.parties if r.party == "l9-0"][0]
    assert deepest.hops == 10
    assert len(deepest.paths) == 5  # capped, not 10**9


# -- chains to uncovered hops ---------------------------------------------------------------


def test_a_chain_runs_from_the_first_hop_to_the_far_end_of_a_marked_flow():
    edges = [("own", "a", 1), ("a", "b", 2), ("b", "c", 3), ("c", "d", 4)]
    assert chains_to_marked(edges, frozenset({"own"}), {4}) == {1: (("own", "a", "b", "c", "d"), 4)}


def test_a_marked_first_hop_alone_makes_no_chain():
    edges = [("own", "a", 1), ("a", "b", 2)]
    assert chains_to_marked(edges, frozenset({"own"}), {1}) == {}


def test_chains_never_pass_through_the_origin_again():
    edges = [("own", "a", 1), ("a", "own", 2), ("own", "b", 3), ("b", "c", 4)]
    assert chains_to_marked(edges, frozenset({"own"}), {4}) == {3: (("own", "b", "c"), 4)}


def test_the_shortest_chain_wins_and_ties_go_to_slug_order():
    edges = [
        ("own", "a", 1),
        ("a", "z", 2),
        ("a", "m", 3),
        ("z", "x", 4),
        ("m", "x", 5),
        ("x", "y", 6),
        ("a", "q", 7),
        ("q", "r", 8),
        ("r", "s", 9),
        ("s", "x", 10),
    ]
    chains = chains_to_marked(edges, frozenset({"own"}), {6})
    assert chains == {1: (("own", "a", "m", "x", "y"), 6)}
    assert chains_to_marked(list(reversed(edges)), frozenset({"own"}), {6}) == chains
