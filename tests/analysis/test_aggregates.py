"""The aggregate layer: networkx reference == numpy == SQLite-loaded arrays, and both agree with
the generator's brute-force figures for the sample world."""

from __future__ import annotations

import pytest

from fixtures.check import segment_metrics
from graph.analysis.aggregates import chain_aggregates
from graph.analysis.arrays import GraphArrays
from graph.analysis.fast import aggregates_from_arrays, derive
from graph.analysis.gaps import _shares
from graph.store.graphview import build_graph
from graph.store.sqlite import SqliteStore
from graph.store.sqlite_aggregates import load_arrays

from .conftest import SZ
from .randworld import random_world

REGIONS = [SZ, f"{SZ}/nanshan", "cn/guangdong", "cn/beijing/beijing", "jp/tokyo", "cn"]


@pytest.mark.parametrize("region", REGIONS)
def test_numpy_equals_networkx_on_the_world(world_graph, world_arrays, region):
    assert aggregates_from_arrays(world_arrays, region) == chain_aggregates(world_graph, region)


def test_numpy_equals_networkx_for_a_segment_subset(world_graph, world_arrays, batch):
    segs = set(batch.chains[2].segments) | {"seg:game_engine"}
    a = aggregates_from_arrays(world_arrays, SZ, segs, cap=3)
    assert a == chain_aggregates(world_graph, SZ, segs, cap=3)
    assert set(a.detail) == segs and all(len(d.local_firm_ids) <= 3 for d in a.detail.values())


@pytest.mark.parametrize("seed", range(6))
def test_numpy_and_sql_equal_networkx_on_random_worlds(seed, tmp_path):
    b = random_world(seed)
    g = build_graph(b.segments, b.segment_edges, b.organisations, b.links)
    with SqliteStore.open(tmp_path / "s.sqlite") as store:
        store.write(b)
        from_sql = load_arrays(store)
    from_graph = GraphArrays.from_graph(g)
    from_batch = GraphArrays.from_batch(b)
    derive(from_sql)
    from_sql.save(tmp_path / "arrays")  # what a large store keeps: columns and derived indexes, memory-mapped back
    from_disk = GraphArrays.load(tmp_path / "arrays")
    assert set(from_disk.derived) == set(from_sql.derived)
    for region in (SZ, f"{SZ}/nanshan", "cn/guangdong", "jp/tokyo"):
        ref = chain_aggregates(g, region, cap=4)
        for arrays in (from_graph, from_batch, from_sql, from_disk):
            assert aggregates_from_arrays(arrays, region, cap=4) == ref, region


def test_arrays_round_trip_through_a_directory(world_arrays, tmp_path):
    world_arrays.save(tmp_path / "a")
    back = GraphArrays.load(tmp_path / "a")
    copy = GraphArrays.load(tmp_path / "a", mmap=False)
    assert aggregates_from_arrays(back, SZ) == aggregates_from_arrays(world_arrays, SZ)
    assert aggregates_from_arrays(copy, SZ) == aggregates_from_arrays(world_arrays, SZ)


def test_world_figures_match_the_generators_brute_force(batch, world_graph):
    aggs = chain_aggregates(world_graph, SZ, cap=10_000)
    ref = segment_metrics(batch)
    for s, m in ref.items():
        d = aggs.detail[s]
        assert d.local_firms == len(m["local_firms"])
        assert sorted(d.local_firm_ids) == m["local_firms"]
        assert sorted(b for b, _ in d.buyer_top) == m["local_buyers"]
        top_local, _hhi, top_ext = _shares(d)
        assert top_local == pytest.approx(m["top_local_share"], abs=5e-5)
        assert top_ext == pytest.approx(m["top_external_share"], abs=5e-5)
        if m["top_external_share"] > 0:
            assert d.top_external[0].supplier == m["top_external_supplier"]


def test_every_cited_org_is_described(world_graph):
    aggs = chain_aggregates(world_graph, SZ)
    for d in aggs.detail.values():
        ids = {*d.local_firm_ids, *d.tier_firm_ids, *d.platform_ids, *(x for x, _ in d.sent_top),
               *(x for x, _ in d.buyer_top), *(f.supplier for f in d.top_external)}
        assert ids <= set(aggs.orgs)


def test_edge_flows_split_local_and_external_supply(world_graph):
    aggs = chain_aggregates(world_graph, SZ)
    f = aggs.edge_flows[("seg:game_engine", "seg:game_dev")]
    assert f.local_weight == 0 and f.external_weight > 0 and f.links > 0  # game engines are missing locally
    assert any(x.local_weight > 0 and x.external_weight > 0 for x in aggs.edge_flows.values())
