"""Chain leaders: numpy PageRank against networkx, the same inputs from graph and arrays, named parts."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest

from graph.analysis.arrays import GraphArrays
from graph.analysis.leaders import leader_inputs, leader_inputs_from_arrays, leaders, pagerank
from graph.store.graphview import build_graph

from .conftest import SZ
from .randworld import random_world


@pytest.mark.parametrize("seed", range(4))
def test_pagerank_matches_networkx_on_random_weighted_graphs(seed):
    rng = np.random.default_rng(seed)
    n, m = 40, 90
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    keep = src != dst
    src, dst = src[keep], dst[keep]
    w = rng.choice([0.0, 0.2, 1.0, 3.0], src.size)
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    for a, b, x in zip(src.tolist(), dst.tolist(), w.tolist(), strict=True):
        for u, v in ((a, b), (b, a)):
            g.add_edge(u, v, weight=g.get_edge_data(u, v, {"weight": 0.0})["weight"] + x)
    ref = nx.pagerank(g, alpha=0.85, weight="weight", tol=1e-13, max_iter=1000)
    ours = pagerank(n, src, dst, w)
    assert np.allclose(ours, [ref[i] for i in range(n)], atol=1e-9)
    assert ours.sum() == pytest.approx(1.0)


def _same(a, b):
    assert a.chain == b.chain and a.firms == b.firms and a.firm_segments == b.firm_segments
    for name in ("src", "dst", "weight", "link_ids"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


def test_inputs_from_graph_and_arrays_are_equal(world_graph, world_arrays, batch):
    for chain in batch.chains:
        _same(leader_inputs(world_graph, chain), leader_inputs_from_arrays(world_arrays, chain))


@pytest.mark.parametrize("seed", range(3))
def test_inputs_equal_on_random_worlds(seed):
    b = random_world(seed)
    g = build_graph(b.segments, b.segment_edges, b.organisations, b.links)
    a = GraphArrays.from_batch(b)
    for chain in b.chains:
        _same(leader_inputs(g, chain), leader_inputs_from_arrays(a, chain))


def test_scores_are_sums_of_named_parts_and_sorted(world_arrays, batch):
    for chain in batch.chains:
        ranked = leaders(leader_inputs_from_arrays(world_arrays, chain), SZ, top=30)
        assert [x.score for x in ranked] == sorted((x.score for x in ranked), reverse=True)
        for x in ranked:
            assert [p.name for p in x.parts] == ["centrality", "size", "tier"]
            assert x.score == pytest.approx(math.fsum(p.value for p in x.parts))
            assert all(isinstance(p.value, float) for p in x.parts)


def test_leaders_are_central_tiered_firms_and_scope_filters(world_arrays, batch, world_store):
    chain = batch.chains[0]
    inputs = leader_inputs_from_arrays(world_arrays, chain)
    local = leaders(inputs, SZ, top=10, scope="local")
    external = leaders(inputs, SZ, top=10, scope="external")
    assert local and all(x.local for x in local) and external and not any(x.local for x in external)
    assert "链主" in local[0].tiers  # the planted chain leaders rise to the top
    stored = {x.id for x in world_store.links()}
    assert all(set(x.links) <= stored and x.links for x in local)


def test_a_chain_without_supply_links_ranks_by_size_and_tier():
    from graph.analysis.aggregates import FirmInfo
    from graph.analysis.leaders import LeaderInputs

    firms = (FirmInfo("a", "firm", SZ, employees=10), FirmInfo("b", "firm", SZ, employees=1000, tiers=("上市公司",)))
    empty = np.zeros(0, dtype=np.int64)
    inputs = LeaderInputs("c", firms, (("s",), ("s",)), empty, empty, np.zeros(0), np.zeros(0, dtype=str))
    ranked = leaders(inputs, SZ)
    assert [x.id for x in ranked] == ["b", "a"] and all(x.parts[0].value == 0 for x in ranked)


def test_bad_scope_is_invalid_input(world_arrays, batch):
    from graph.errors import InvalidInput

    with pytest.raises(InvalidInput):
        leaders(leader_inputs_from_arrays(world_arrays, batch.chains[0]), SZ, scope="nearby")
