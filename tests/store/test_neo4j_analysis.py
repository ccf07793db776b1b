"""Chain analysis pushed down into Cypher equals the embedded store's, on a real Neo4j server.

The sample world is written once to Neo4j and to SQLite; every analysis of
the Analyst (chain map, gaps, leaders, dependence, compare) must give the
same JSON for Shenzhen and every chain, and the aggregates underneath must
equal the numpy ones field by field — also on random worlds full of
awkward cases (multi-memberships, platforms, missing regions, zero weights).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from fixtures.world import load_world
from graph.analysis.arrays import GraphArrays
from graph.analysis.common import ALL_CHAINS
from graph.analysis.fast import aggregates_from_arrays
from graph.analysis.leaders import leader_inputs_from_arrays
from graph.analysis.service import Analyst, StoreSource
from graph.store.sqlite import SqliteStore
from tests.analysis.randworld import random_world
from tests.conftest import _neo4j_store

pytestmark = pytest.mark.neo4j

SZ = "cn/guangdong/shenzhen"
REGIONS = [SZ, f"{SZ}/nanshan", "cn/guangdong", "cn/beijing/beijing", "jp/tokyo", "cn"]


@pytest.fixture(scope="module")
def world():
    return load_world()[0]


@pytest.fixture(scope="module")
def neo(world):
    store = _neo4j_store()
    store.write(world)
    yield store
    store.close()


@pytest.fixture(scope="module")
def embedded(world, tmp_path_factory):
    store = SqliteStore.open(tmp_path_factory.mktemp("embedded") / "store.sqlite")
    store.write(world)
    yield store
    store.close()


def _strip(out) -> str:
    from graph.analysis.results import to_json

    return json.dumps({k: v for k, v in to_json(out).items() if k != "meta"}, sort_keys=True, ensure_ascii=False)


def _same_leader_inputs(a, b) -> bool:
    return (a.chain == b.chain and a.firms == b.firms and a.firm_segments == b.firm_segments
            and all(np.array_equal(getattr(a, f), getattr(b, f)) for f in ("src", "dst", "weight", "link_ids")))


@pytest.mark.parametrize("region", REGIONS)
def test_aggregates_equal_numpy_on_the_world(neo, world, region):
    assert neo.analysis_aggregates(region) == aggregates_from_arrays(GraphArrays.from_batch(world), region)


def test_aggregates_for_a_segment_subset_and_a_small_cap(neo, world):
    segs = set(world.chains[2].segments) | {"seg:game_engine", "seg:not-a-segment"}
    got = neo.analysis_aggregates(SZ, segs, cap=3)
    assert got == aggregates_from_arrays(GraphArrays.from_batch(world), SZ, segs, cap=3)
    assert set(got.detail) == segs - {"seg:not-a-segment"}


def test_leader_inputs_equal_numpy_for_every_chain(neo, world):
    arrays = GraphArrays.from_batch(world)
    for chain in world.chains:
        assert _same_leader_inputs(neo.analysis_leader_inputs(chain), leader_inputs_from_arrays(arrays, chain))


def test_every_analysis_equals_the_embedded_store_for_shenzhen_and_every_chain(neo, embedded, world, monkeypatch):
    def no_graph():
        raise AssertionError("analysis on Neo4j must not pull the graph")

    monkeypatch.setattr(neo, "graph", no_graph)
    on_neo, on_embedded = Analyst.for_store(neo), Analyst.for_store(embedded)
    assert isinstance(on_neo.source, StoreSource)
    for chain in [ALL_CHAINS, *(c.id for c in world.chains)]:
        calls = {
            "chain_map": lambda a, c=chain: a.chain_map(SZ, c),
            "gaps": lambda a, c=chain: a.gaps(SZ, c),
            "leaders": lambda a, c=chain: a.leaders(SZ, c, top=50),
            "leaders_local": lambda a, c=chain: a.leaders(SZ, c, scope="local"),
            "dependence": lambda a, c=chain: a.dependence(SZ, c, top=10),
            "compare": lambda a, c=chain: a.compare(["深圳", "北京", "上海", "南山区"], c),
        }
        for name, call in calls.items():
            mine, theirs = call(on_neo), call(on_embedded)
            assert not mine.meta.cached
            assert _strip(mine) == _strip(theirs), (chain, name)
    # the planted gaps are found through Neo4j too
    assert [g.segment for g in on_neo.gaps("深圳", "动漫游戏").gaps][:1] == ["seg:game_engine"]


def test_member_counts_are_kept_per_store_version(neo, world):
    first = neo.analysis_aggregates(SZ, ["seg:game_engine"])
    kept = neo._kept.get("member_counts")
    assert kept is not None
    neo.analysis_aggregates("cn/beijing/beijing", ["seg:game_engine"])
    assert neo._kept.get("member_counts") is kept  # region-independent: not queried again
    assert first.local_counts == aggregates_from_arrays(GraphArrays.from_batch(world), SZ).local_counts


@pytest.mark.parametrize("seed", range(3))
def test_aggregates_and_leader_inputs_equal_numpy_on_random_worlds(seed):
    batch = random_world(seed)
    store = _neo4j_store()
    try:
        store.write(batch)
        arrays = GraphArrays.from_batch(batch)
        for region in (SZ, f"{SZ}/nanshan", "cn/guangdong", "jp/tokyo", "cn"):
            for segs in (None, {"s1", "s2", "s5"}):
                assert store.analysis_aggregates(region, segs, cap=4) == aggregates_from_arrays(
                    arrays, region, segs, cap=4), (region, segs)
        for chain in batch.chains:
            assert _same_leader_inputs(store.analysis_leader_inputs(chain), leader_inputs_from_arrays(arrays, chain))
    finally:
        store.close()


def test_predicted_rejected_closed_and_landed_give_equal_gaps_on_both_stores(world, tmp_path):
    """The one membership rule on both stores (issue 16, item 3): a prediction at 0.9 and one at 0.4, a rejected
    one, a closed member and a landed target give the same chain map, gaps and dependence."""
    import dataclasses

    from graph.model import EvidenceGrade, Membership, MembershipStatus, RegStatus, Site, SiteKind
    from graph.store.protocol import Batch

    orgs = {o.id: o for o in world.organisations}
    local = [o for o in world.organisations if o.region and o.region.startswith(SZ) and o.kind.value == "firm"
             and "seg:game_engine" not in {m.segment for m in o.segments}]

    def with_member(o, conf, status=MembershipStatus.PREDICTED):
        return dataclasses.replace(o, segments=(*o.segments, Membership("seg:game_engine", conf,
                                                                        EvidenceGrade.MEDIUM, status)))
    ideal = orgs["org:f1561"]
    closed = next(o for o in world.organisations if "seg:concept_art" in o.confirmed_segments()
                  and o.region and o.region.startswith(SZ) and o.id not in {x.id for x in local[:3]})
    edits = [with_member(local[0], 0.9), with_member(local[1], 0.4),
             with_member(local[2], 0.95, MembershipStatus.REJECTED),
             dataclasses.replace(closed, status=RegStatus.CLOSED),
             dataclasses.replace(ideal, sites=(*ideal.sites, Site(f"{SZ}/nanshan", SiteKind.RD_CENTRE, "2026-07-01",
                                                                  landed=True)))]
    neo = _neo4j_store()
    try:
        with SqliteStore.open(tmp_path / "store.sqlite") as embedded:
            for store in (neo, embedded):
                store.write(world)
                store.write(Batch(organisations=edits))
            on_neo, on_embedded = Analyst.for_store(neo), Analyst.for_store(embedded)
            for chain in ("动漫游戏", ALL_CHAINS):
                for name in ("chain_map", "gaps", "dependence"):
                    mine, theirs = getattr(on_neo, name)(SZ, chain), getattr(on_embedded, name)(SZ, chain)
                    assert _strip(mine) == _strip(theirs), (chain, name)
            seg = next(s for s in on_neo.chain_map(SZ, "动漫游戏").segments if s.segment == "seg:game_engine")
            assert (seg.local_firms, seg.local_predicted, seg.local_weight) == (2, 1, 1.9)
            assert set(seg.firm_ids) == {local[0].id, ideal.id}
    finally:
        neo.close()
