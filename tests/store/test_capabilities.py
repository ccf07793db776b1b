"""Optional store capabilities are runtime-checkable protocols: callers test ``isinstance``, not classes."""

from __future__ import annotations

from graph.analysis.service import Analyst, ArraySource, StoreSource
from graph.store.protocol import (
    AnalysisPushdown,
    ColumnarArrays,
    CypherRunner,
    GraphStore,
    RecommendPushdown,
)
from matching.embedder import HashingEmbedder
from matching.neo4j_vectors import is_neo4j_store, neo4j_index_for


def test_each_store_declares_what_it_can_do(store):
    caps = {c.__name__ for c in (ColumnarArrays, AnalysisPushdown, RecommendPushdown, CypherRunner)
            if isinstance(store, c)}
    assert isinstance(store, GraphStore)
    if type(store).__name__ == "SqliteStore":
        assert caps == {"ColumnarArrays"}
    else:
        assert caps == {"AnalysisPushdown", "RecommendPushdown", "CypherRunner"}


def test_the_analyst_picks_its_source_by_capability(store, world):
    store.write(world[0])
    source = Analyst.for_store(store).source
    expected = StoreSource if isinstance(store, AnalysisPushdown) else ArraySource
    assert type(source) is expected


def test_the_recommender_picks_its_index_by_capability(store, world):
    from matching.recommend.index import ChainIndex

    store.write(world[0])
    ix = ChainIndex.for_ranking(store, "cn/guangdong/shenzhen", ["seg:game_engine"])
    whole = store.counts()["organisations"]
    # a pushdown store hands out the ranking's scope, any other its whole index
    assert (ix.n_orgs < whole) if isinstance(store, RecommendPushdown) else (ix.n_orgs == whole)


class _Runner:
    """Not the Neo4j store, yet it runs Cypher: the vector index may live on it."""

    path = "bolt://elsewhere"

    def run_query(self, q, *, write=False):
        return []


def test_vector_index_hosting_is_a_capability_not_a_class_name():
    assert is_neo4j_store(_Runner())
    idx = neo4j_index_for(_Runner(), HashingEmbedder(dim=8))
    assert idx is not None and idx.dim == 8

