"""The recommendation pushdown's Cypher, without a database: parameters only, whitelisted names;
and its PageRank equals the index's on a random graph with isolated organisations."""

from __future__ import annotations

import numpy as np
import pytest

from graph.analysis.leaders import pagerank
from graph.store import cypher_recommend as qr
from graph.store.neo4j_recommend import supply_rank

HOSTILE = ["seg:x' RETURN 1 //", "动漫}) DETACH DELETE n", "`Organisation`"]


@pytest.mark.parametrize("q", [
    qr.members(HOSTILE, HOSTILE), qr.org_rows(HOSTILE), qr.links_touching(HOSTILE, HOSTILE[0], HOSTILE), qr.candidate_figures(HOSTILE),
])
def test_input_only_in_parameters(q):
    for h in HOSTILE:
        assert h not in q.text
    assert any(sorted(set(HOSTILE)) == v for v in q.params.values())


def test_fixed_queries_take_no_input():
    for q in (qr.segments(), qr.supply_edges(), qr.org_count(), qr.links_as_of()):
        assert q.params == {}
    assert "SUPPLIES" in qr.supply_edges().text and "Organisation" in qr.org_count().text


def test_closed_organisations_are_left_out_of_every_query():
    for q in (qr.members(["a"], ["b"]), qr.org_rows(["a"]), qr.links_touching(["a"], "cn"), qr.candidate_figures(["a"]),
              qr.supply_edges(), qr.org_count(), qr.links_as_of()):
        assert "<> 'closed'" in q.text, q.text
    assert qr.links_touching(["a"], "cn").text.count("<> 'closed'") >= 4  # both ends, both halves of the union


def test_links_touching_takes_the_region_as_parameters():
    q = qr.links_touching(["b", "a"], "cn/guangdong/shenzhen", ["org:x"])
    assert q.params == {"ids": ["a", "b"], "extra": ["org:x"], "region": "cn/guangdong/shenzhen",
                        "region_prefix": "cn/guangdong/shenzhen/"}
    assert "shenzhen" not in q.text


def test_members_asks_firms_of_focus_and_research_near():
    q = qr.members(["b", "a", "a"], ["c"])
    assert q.params == {"focus": ["a", "b"], "near": ["c"], "research": ["lab", "university"]}
    assert "o.kind = 'firm'" in q.text and "o.kind IN $research" in q.text


def test_supply_rank_equals_pagerank_over_every_organisation():
    rng = np.random.default_rng(3)
    n, m = 40, 90  # orgs 30..39 have no supplies
    src, dst = rng.integers(0, 30, m), rng.integers(0, 30, m)
    w = rng.random(m).astype(np.float32)
    want = pagerank(n, src, dst, w, tol=1e-10)
    rows = [{"src": f"o{a}", "dst": f"o{b}", "weight": float(x)} for a, b, x in zip(src, dst, w, strict=True)]
    got, rest = supply_rank(n, rows)
    for i in range(n):
        assert got.get(f"o{i}", rest) == pytest.approx(want[i], rel=1e-9)
    assert set(got) == {f"o{i}" for i in set(src) | set(dst)}
