"""The backtest protocol, its metrics and baselines; the engine against the baselines on ICKG."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest

from graph.model import (
    Format,
    Link,
    LinkKind,
    Membership,
    Organisation,
    OrgKind,
    Provenance,
    Segment,
    SegmentEdge,
    Stage,
)
from matching.eval.backtest import default_t0, format_table, held_out_queries, run_backtest
from matching.eval.baselines import AdamicAdar, Popularity
from matching.eval.linkpred import Engine
from matching.eval.metrics import rank_stats, summarise
from matching.eval.snapshot import Snapshot
from matching.recommend.index import ChainIndex, to_days
from tests.conftest import shared_data


def test_metrics_are_the_expectation_over_tie_orders():
    """Brute force: average each metric over every order of the tied candidates."""
    scores = np.array([5.0, 3.0, 3.0, 3.0, 3.0, 1.0, 0.0])
    answer = 2
    rs = rank_stats(scores, answer)
    tied = [i for i in range(len(scores)) if scores[i] == scores[answer]]
    ranks = []
    for order in itertools.permutations(tied):
        ranks.append(int((scores > scores[answer]).sum()) + order.index(answer) + 1)
    ranks = np.array(ranks, dtype=float)
    assert rs.recall(2) == pytest.approx(np.mean(ranks <= 2))
    assert rs.recall(4) == pytest.approx(np.mean(ranks <= 4))
    assert rs.reciprocal_rank() == pytest.approx(np.mean(1 / ranks))
    assert rs.ndcg(3) == pytest.approx(np.mean(np.where(ranks <= 3, 1 / np.log2(ranks + 1), 0)))
    assert summarise([rs])["n"] == 1


def _tiny() -> ChainIndex:
    p = Provenance("t")
    segs = [Segment(s, s, s, Stage.MIDSTREAM, Format.OTHER) for s in ("up", "down")]
    orgs = [Organisation(f"o{i}", OrgKind.FIRM, f"公司{i}", p, segments=(Membership("up" if i < 3 else "down"),))
            for i in range(6)]
    raw = [("o0", "o3", "2020-01-01", "supplies"), ("o1", "o3", "2020-02-01", "supplies"),
           ("o1", "o4", "2020-03-01", "supplies"), ("o2", "o4", "2021-01-01", "supplies"),
           ("o0", "o1", "2020-01-05", "partners"), ("o1", "o0", "2021-02-01", "partners"),
           ("o2", "o5", "2021-03-01", "partners"), ("o0", "o4", None, "supplies")]
    links = [Link(f"l{i}", LinkKind(k), s, d, p, since=t) for i, (s, d, t, k) in enumerate(raw)]
    return ChainIndex.from_records(segs, [SegmentEdge("up", "down")], orgs, links)


def test_held_out_queries_are_new_filtered_and_both_directions():
    ix = _tiny()
    queries, truths, held, skipped = held_out_queries(ix, "2020-12-31", ("supplies", "partners"))
    # o1→o0 partners is the reverse of a pair linked in 2020: not new
    assert held == {"supplies": 1, "partners": 1} and skipped["pair_already_linked"] == 1
    assert skipped["undated"] == 1
    assert {(ix.org_ids[q.q], q.direction, ix.org_ids[q.answer]) for q in queries} == {
        ("o2", "tail", "o4"), ("o4", "head", "o2"), ("o2", "tail", "o5"), ("o5", "head", "o2")}
    # filter sets hold answers of every period, symmetric kinds both ways
    assert truths[(ix.row("o4"), "supplies", "head")] == {ix.row("o1"), ix.row("o2"), ix.row("o0")}
    assert ix.row("o1") in truths[(ix.row("o0"), "partners", "tail")]


def test_the_snapshot_holds_nothing_after_t0():
    ix = _tiny()
    snap = Snapshot.at(ix, "2020-12-31")
    day = int(to_days(["2020-12-31"])[0])
    assert snap.known.sum() == ((ix.since <= day) & (ix.since > -2**31)).sum() == 4
    assert snap.by_kind["supplies"][ix.row("o2"), ix.row("o4")] == 0


def test_adamic_adar_equals_networkx(world_index):
    snap = Snapshot.at(world_index, "2023-12-31")
    g = nx.Graph()
    g.add_nodes_from(range(snap.n))
    coo = snap.undirected.tocoo()
    g.add_edges_from(zip(coo.row.tolist(), coo.col.tolist(), strict=True))
    aa = AdamicAdar().fit(snap)
    q = world_index.row("org:f1343")
    s = aa.scores(q, "supplies", "tail")
    others = [c for c in range(0, snap.n, 7) if c != q]
    expected = {v: p for _, v, p in nx.adamic_adar_index(g, [(q, c) for c in others])}
    assert np.allclose([s[c] for c in others], [expected[c] for c in others])


def test_popularity_counts_the_answer_end():
    ix = _tiny()
    snap = Snapshot.at(ix, "2021-12-31")
    pop = Popularity().fit(snap).scores(0, "supplies", "tail")
    assert pop[ix.row("o3")] > pop[ix.row("o4")] - 1 and int(pop[ix.row("o4")]) == 2


def test_engine_parts_add_up(world_index):
    snap = Snapshot.at(world_index, "2024-12-31")
    eng = Engine().fit(snap)
    q = world_index.row("org:f1561")
    s = eng.scores(q, "partners", "head")
    for c in (world_index.row("org:f1345"), world_index.row("org:f0001")):
        parts = eng.parts(q, "partners", "head", c)
        assert sum(p.value for p in parts) == pytest.approx(s[c])
        assert all(0 <= p.figure <= 1 for p in parts)


def test_backtest_on_the_sample_world_runs_every_scorer(world_index):
    res = run_backtest(world_index, "2026-01-31", kinds=("supplies", "partners"))
    assert set(res.table) == {"engine", "popularity", "memorise", "adamic_adar", "text", "relatedness"}
    assert res.queries == 2 * sum(res.held_out.values())
    assert len(format_table(res)) == 6
    assert res.table["engine"]["all"]["Recall@50"] > res.table["popularity"]["all"]["Recall@50"]


@pytest.fixture(scope="module")
def ickg():
    from graph.io.ickg import load_ickg
    from graph.store.sqlite import SqliteStore

    batch, _ = load_ickg(shared_data("ickg-subset"))
    store = SqliteStore.memory()
    store.write(batch)
    yield store
    store.close()


def test_ickg_engine_beats_popularity_and_adamic_adar(ickg):
    ix = ChainIndex.from_store(ickg)
    t0, rule = default_t0(ix, ickg.links())
    assert "overlap" in rule  # the ICKG subset's split files are not separated in time
    res = run_backtest(ix, t0, t0_rule=rule)
    table = res.table
    assert sum(res.held_out.values()) > 200
    for baseline in ("popularity", "adamic_adar"):
        assert table["engine"]["all"]["Recall@50"] > table[baseline]["all"]["Recall@50"], format_table(res)
        assert table["engine"]["all"]["MRR"] > table[baseline]["all"]["MRR"]
