"""Target ranking on a Neo4j scope (the recommendation pushdown) equals the ranking on the embedded index.

The sample world is written to SQLite and to a real Neo4j server; for the
gaps of several regions (every chain, and each chain alone) the ranking on
the embedded store's whole :class:`ChainIndex` and on the small index Neo4j
gathers in Cypher (:meth:`ChainIndex.for_ranking`) must name the same
targets with the same scores, parts, forms, evidence and reasons.
"""

from __future__ import annotations

import pytest

from fixtures.world import load_world
from graph.analysis.service import Analyst
from graph.store.protocol import RecommendPushdown
from graph.store.sqlite import SqliteStore
from matching.recommend.index import ChainIndex
from matching.recommend.targets import focus_from_gaps, recommend_targets
from tests.conftest import _neo4j_store

pytestmark = pytest.mark.neo4j

SZ = "cn/guangdong/shenzhen"
REGIONS = [SZ, f"{SZ}/nanshan", "cn/beijing/beijing", "cn/zhejiang/hangzhou"]


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


def _key(targets):
    return [(t.org, t.segment, t.gap, round(t.total, 9), [(p.name, round(p.value, 9), p.note) for p in t.parts],
             t.form.as_dict() if t.form else None, t.evidence, t.reason_zh, t.reason_en) for t in targets]


def _cases(embedded):
    an = Analyst.for_store(embedded)
    for region in REGIONS:
        for chain in [None, *(c.id for c in embedded.chains())]:
            focus = focus_from_gaps(an.gaps(region, chain).gaps)
            if focus:
                yield region, chain, focus


def test_neo4j_is_a_pushdown_store(neo, embedded):
    assert isinstance(neo, RecommendPushdown)
    assert not isinstance(embedded, RecommendPushdown)


def test_same_targets_for_every_regions_gaps(neo, embedded):
    full = ChainIndex.from_store(embedded)
    cases = list(_cases(embedded))
    assert len(cases) >= 8
    for region, chain, focus in cases:
        want = recommend_targets(full, region, focus, k=10)
        small = ChainIndex.for_ranking(neo, region, [f.segment for f in focus])
        got = recommend_targets(small, region, focus, k=10)
        assert want, (region, chain)
        assert _key(got) == _key(want), (region, chain)
        assert small.n_orgs < full.n_orgs  # the scope, not the graph


def test_scope_carries_whole_graph_figures(neo, embedded):
    full = ChainIndex.from_store(embedded)
    small = ChainIndex.for_ranking(neo, SZ, ["seg:game_engine"])
    assert small.as_of == full.as_of
    members = small.members("seg:game_engine")[0]
    assert len(members) == len(full.members("seg:game_engine")[0])
    outside = [r for r in members if not small.local_mask(SZ)[r]]
    assert outside  # seg:game_engine is a planted gap: no member is local
    for r in outside:
        f = full.pos[small.org_ids[r]]
        assert small.reach[r] == full.reach[f]
        assert small.sent[r] == pytest.approx(full.sent[f], abs=1e-9)
        assert small.centrality[r] == pytest.approx(full.centrality[f], rel=1e-9)


def test_excluded_and_landed(neo, embedded):
    full = ChainIndex.from_store(embedded)
    first = recommend_targets(full, SZ, "seg:game_engine", k=3)[0].org
    want = recommend_targets(full, SZ, "seg:game_engine", k=10, exclude=[first], extra_local=[first])
    small = ChainIndex.for_ranking(neo, SZ, ["seg:game_engine"], [first])
    got = recommend_targets(small, SZ, "seg:game_engine", k=10, exclude=[first], extra_local=[first])
    assert first not in [t.org for t in got]
    assert _key(got) == _key(want)


def test_a_closed_firm_is_never_a_target_on_either_store(neo, embedded, world):
    """Writes to both shared stores: after the read-only tests."""
    import dataclasses

    from graph.model import RegStatus
    from graph.store.protocol import Batch

    first = recommend_targets(ChainIndex.from_store(embedded), SZ, "seg:game_engine", k=1)[0].org
    closed = dataclasses.replace(next(o for o in world.organisations if o.id == first), status=RegStatus.CLOSED)
    for store in (neo, embedded):
        store.write(Batch(organisations=[closed]))
    want = recommend_targets(ChainIndex.from_store(embedded), SZ, "seg:game_engine", k=10)
    small = ChainIndex.for_ranking(neo, SZ, ["seg:game_engine"])
    got = recommend_targets(small, SZ, "seg:game_engine", k=10)
    assert first not in small.pos and first not in [t.org for t in got]
    assert _key(got) == _key(want)


def test_supply_rank_is_kept_per_version_and_follows_writes(neo, world):
    """Last in this module: it writes a link to the shared store."""
    import dataclasses

    from graph.store.protocol import Batch

    ChainIndex.for_ranking(neo, SZ, ["seg:game_engine"])
    kept = neo._kept["supply_rank"]
    ChainIndex.for_ranking(neo, SZ, ["seg:optical_module"])
    assert neo._kept["supply_rank"] is kept  # not ranked again for another focus
    link = next(x for x in world.links if x.kind.value == "supplies")
    neo.write(Batch(links=[dataclasses.replace(link, id="link:pushdown-test", weight=9.0)]))
    ChainIndex.for_ranking(neo, SZ, ["seg:game_engine"])
    now = neo._kept["supply_rank"]
    assert now is not kept and now[1][0][link.dst] > kept[1][0][link.dst]  # a heavier supply raised its buyer
