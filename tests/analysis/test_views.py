"""Chain map, external dependence and region comparison on the sample world."""

from __future__ import annotations

import pytest

from graph.analysis.chainmap import chain_map
from graph.analysis.common import all_segments_chain
from graph.analysis.compare import compare
from graph.analysis.dependence import dependence
from graph.analysis.fast import aggregates_from_arrays

from .conftest import SZ


@pytest.fixture(scope="module")
def sz(world_arrays):
    return aggregates_from_arrays(world_arrays, SZ)


def test_chain_map_lists_every_segment_with_capacity_tiers_and_platforms(sz, batch, answers):
    for chain in batch.chains:
        m = chain_map(sz, chain)
        assert [s.segment for s in m.segments] == list(chain.segments)
        assert sum(m.status_counts.values()) == len(chain.segments)
        for s in m.segments:
            assert s.local_firms == sz.local_counts[s.segment]
            assert (s.local_firms == 0) == (s.status in ("missing", "extension", "absent"))
            assert set(s.firm_ids) | set(s.tier_firm_ids) | set(s.platforms) <= set(m.orgs)
            if s.local_firms:
                assert s.employees > 0 and sum(s.revenue_bands.values()) <= s.local_firms
    strong = {s.segment for c in batch.chains for s in chain_map(sz, c).segments if s.status == "strong"}
    assert strong == set(answers["strong"])
    assert any(s.platforms for c in batch.chains for s in chain_map(sz, c).segments)
    assert any(s.tier_firm_ids for c in batch.chains for s in chain_map(sz, c).segments)


def test_chain_map_edges_carry_local_and_external_shares(sz, batch):
    m = chain_map(sz, batch.chains[0])
    assert {(e.upstream, e.downstream) for e in m.edges} == {
        (e.upstream, e.downstream) for e in batch.segment_edges
        if e.upstream in batch.chains[0].segments and e.downstream in batch.chains[0].segments}
    engine = [e for e in m.edges if e.upstream == "seg:game_engine"]
    assert engine and all(e.external_share == 1.0 for e in engine if e.links)
    assert all(e.local_share is None or abs(e.local_share + e.external_share - 1) < 1e-9 for e in m.edges)


def test_dependence_finds_the_planted_single_suppliers(sz, batch, answers):
    d = dependence(sz, all_segments_chain(sz.segments))
    by_seg = {s.segment: s for s in d.segments}
    for row in answers["thin"]:
        if row["criterion"] == "single_supplier":
            s = by_seg[row["segment"]]
            assert s.spofs[0].supplier == row["external_supplier"]
            assert s.spofs[0].share == pytest.approx(row["share"], abs=5e-5)
            assert "dominant_share" in s.spofs[0].reasons
    for row in answers["missing"]:
        s = by_seg[row["segment"]]
        assert s.external_share == 1.0 and s.local_firms == 0
        assert s.top_suppliers[0].supplier == row["ideal_target"]["id"]
    links = {x.id: x for x in batch.links}
    for s in d.segments:
        for x in (*s.top_suppliers, *s.spofs):  # cited links exist and are the supplier's own
            assert x.link_ids and all(links[i].src == x.supplier for i in x.link_ids)
    assert 0 < d.external_share < 1
    assert d.received == pytest.approx(sum(s.received for s in d.segments))
    assert [s.received_external for s in d.segments] == sorted((s.received_external for s in d.segments),
                                                               reverse=True)


def test_compare_puts_regions_side_by_side(world_arrays, batch):
    regions = [SZ, "cn/beijing/beijing", "cn/shanghai/shanghai"]
    chain = batch.chains[3]
    c = compare([aggregates_from_arrays(world_arrays, r) for r in regions], chain)
    assert c.regions == tuple(regions) and len(c.rows) == len(chain.segments)
    for row in c.rows:
        assert [cell.region for cell in row.cells] == regions
    sz, bj = c.summaries[0], c.summaries[1]
    assert sz.covered == sum(1 for r in c.rows if r.cells[0].local_firms)
    assert sz.local_firms > bj.local_firms and sz.coverage >= bj.coverage
    assert sum(sz.status_counts.values()) == sz.segments
