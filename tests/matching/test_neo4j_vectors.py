"""Neo4j's vector index behind the VectorIndex seam, checked against exact (brute-force) search."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from fixtures.world import load_world
from graph.errors import InvalidInput
from graph.store import cypher_vectors as qv
from graph.store.sqlite import SqliteStore
from matching.embedder import HashingEmbedder
from matching.neo4j_vectors import Neo4jVectorIndex, is_neo4j_store, load_dense, neo4j_index_for
from matching.search import SearchEngine
from matching.vectors import BruteForceIndex, VectorIndex, recall_at_k
from tests.conftest import _neo4j_store
from tests.store.test_cypher import HOSTILE, _in_params

QUERIES = Path(__file__).with_name("queries.json")


# ------------------------------------------------------------ without a database


@pytest.mark.parametrize("hostile", HOSTILE)
def test_ids_and_vectors_only_ever_travel_in_params(hostile):
    tag = qv.vector_tag("model", 4)
    for build in (lambda s: qv.stored_hashes(tag, [s]),
                  lambda s: qv.set_vectors(tag, [{"id": s, "vector": [0.0] * 4, "hash": s}])):
        q, benign = build(hostile), build("benign")
        assert q.text == benign.text and hostile not in q.text and _in_params(hostile, q.params)


def test_names_come_from_a_checked_tag():
    tag = qv.vector_tag("st:all-MiniLM-L6-v2@abc", 384)
    assert len(tag) == 12 and tag == qv.vector_tag("st:all-MiniLM-L6-v2@abc", 384)
    assert qv.vector_tag("st:all-MiniLM-L6-v2@abc", 256) != tag
    assert qv.index_name(tag) == f"chainmatch_vectors_{tag}" and qv.vector_property(tag) == f"emb_{tag}"
    for bad in ("", "X", "a b", "a) DETACH DELETE (n", "a`", "0" * 33):
        with pytest.raises(ValueError):
            qv.index_name(bad)


def test_index_is_cosine_with_the_embedders_dimension():
    tag = qv.vector_tag("m", 384)
    q = qv.create_index(tag, 384)
    assert q.text.startswith(f"CREATE VECTOR INDEX chainmatch_vectors_{tag} IF NOT EXISTS FOR (n:Organisation)")
    assert "`vector.similarity_function`: 'cosine'" in q.text and "`vector.quantization.enabled`: false" in q.text
    assert q.params == {"dim": 384, "m": 32, "ef_construction": 200}
    plain = qv.create_index(tag, 384, tuned=False)
    assert "quantization" not in plain.text and plain.params == {"dim": 384}
    with pytest.raises(ValueError):
        qv.create_index(tag, 0)
    q = qv.query_nodes(tag, np.eye(2).tolist(), 5)
    assert "db.index.vector.queryNodes($name, $k, q.vector)" in q.text
    assert q.params["queries"] == [{"i": 0, "vector": [1.0, 0.0]}, {"i": 1, "vector": [0.0, 1.0]}]
    assert qv.cosine_from_score(1.0) == 1.0 and qv.cosine_from_score(0.0) == -1.0


def test_other_stores_keep_faiss(tmp_path):
    store = SqliteStore.memory()
    assert not is_neo4j_store(store) and neo4j_index_for(store, HashingEmbedder(dim=8)) is None
    idx = BruteForceIndex(2)
    idx.add(np.eye(2, dtype=np.float32), ["a", "b"])
    idx.save(tmp_path / "dense")
    assert load_dense(tmp_path / "dense").ids == ["a", "b"]
    (tmp_path / "n").mkdir()
    (tmp_path / "n" / "index.json").write_text(json.dumps({"index": "neo4j"}))
    with pytest.raises(InvalidInput, match="lives in Neo4j"):
        load_dense(tmp_path / "n", store)


# ------------------------------------------------------------ on a real server


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
def embedder():
    return HashingEmbedder(dim=256)


@pytest.fixture(scope="module")
def reference(world, embedder):
    """The engine on the embedded store: FAISS, exact at this size."""
    embedded = SqliteStore.memory()
    embedded.write(world)
    return SearchEngine.build(embedded, embedder)


@pytest.fixture(scope="module")
def vectors(reference):
    return np.asarray(reference.vectors), [c.id for c in reference.cards]


def _fresh_index(store, embedder) -> Neo4jVectorIndex:
    idx = Neo4jVectorIndex.for_model(store, embedder.dim, embedder.model_id)
    store.run_query(qv.drop_index(idx.tag), write=True)
    return idx


def _queries(embedder) -> np.ndarray:
    texts = [q["text"] for q in json.loads(QUERIES.read_text("utf-8"))["queries"]]
    return embedder.encode(texts)


@pytest.mark.neo4j
def test_recall_at_10_against_exact_search(neo, embedder, vectors):
    x, ids = vectors
    idx = _fresh_index(neo, embedder)
    version = neo.version()
    idx.add(x[:700], ids[:700])
    idx.add(x[700:], ids[700:])  # in two parts, across the write chunks
    idx.build()
    assert isinstance(idx, VectorIndex) and idx.size == len(ids) and idx.kind == "neo4j"
    assert neo.version() == version  # vectors are derived data
    exact = BruteForceIndex(embedder.dim)
    exact.add(x, ids)
    q = _queries(embedder)
    s1, r1 = idx.search(q, 10)
    s0, r0 = exact.search(q, 10)
    assert recall_at_k(r1, r0, 10) >= 0.95
    # scores are the exact cosine of the rows returned, best first
    for i in range(len(q)):
        got = r1[i][r1[i] >= 0]
        assert np.allclose(s1[i][: got.size], x[got] @ q[i], atol=1e-5)
        assert (np.diff(s1[i][: got.size]) <= 1e-7).all()
    # a stored row as its own query comes back first
    s, r = idx.search(x[[5, 900]], 3)
    assert r[:, 0].tolist() == [5, 900] and np.allclose(s[:, 0], 1.0, atol=1e-5)


@pytest.mark.neo4j
def test_rebuilding_writes_only_changed_vectors(neo, embedder, vectors):
    x, ids = vectors
    first = Neo4jVectorIndex.for_model(neo, embedder.dim, embedder.model_id)
    first.add(x, ids)
    first.build()
    again = Neo4jVectorIndex.for_model(neo, embedder.dim, embedder.model_id)
    again.add(x, ids)
    again.build()
    assert again.written == 0
    y = x.copy()
    y[3] = -y[3]
    changed = Neo4jVectorIndex.for_model(neo, embedder.dim, embedder.model_id)
    changed.add(y, ids)
    changed.build()
    assert changed.written == 1
    assert changed.search(y[[3]], 1)[1][0, 0] == 3
    first.add(x[:1] * 0 + y[3], ["org:not-there"])
    with pytest.raises(InvalidInput, match="not organisations"):
        first.build()


@pytest.mark.neo4j
def test_bad_input_is_refused(neo, embedder, vectors):
    x, ids = vectors
    idx = Neo4jVectorIndex.for_model(neo, embedder.dim, embedder.model_id)
    with pytest.raises(InvalidInput, match="dimension"):
        idx.add(x[:2, :10], ids[:2])
    with pytest.raises(InvalidInput, match="ids"):
        idx.add(x[:2])
    with pytest.raises(InvalidInput, match="already"):
        idx.add(x[:2], [ids[0], ids[0]])
    empty = _fresh_index(neo, HashingEmbedder(dim=32))
    s, r = empty.search(np.ones((2, 32), np.float32), 4)
    assert (r == -1).all() and (s == 0).all()


@pytest.mark.neo4j
def test_the_search_engine_uses_the_neo4j_index_and_reattaches_it(neo, world, embedder, reference, tmp_path):
    engine = SearchEngine.open(neo, embedder, tmp_path / "index")
    assert isinstance(engine.dense, Neo4jVectorIndex) and engine.meta["dense_kind"] == "neo4j"
    assert reference.meta["dense_kind"] == "flat"
    assert np.allclose(reference.vectors, engine.vectors)  # the same vectors, searched two ways
    texts = [q["text"] for q in json.loads(QUERIES.read_text("utf-8"))["queries"]][::6]
    overlap = []
    for text in texts:
        mine, theirs = engine.search(text, k=10, mode="dense"), reference.search(text, k=10, mode="dense")
        overlap.append(len(set(mine.ids) & set(theirs.ids)) / max(len(theirs.ids), 1))
    assert np.mean(overlap) >= 0.95
    hybrid = engine.search("游戏引擎", k=5)
    assert hybrid.ids and all(h.dense_rank or h.lexical_rank for h in hybrid)
    # a second process opens the saved engine: the index is reattached, not rebuilt
    again = SearchEngine.open(neo, embedder, tmp_path / "index")
    assert again.meta["rebuilt"] is False and isinstance(again.dense, Neo4jVectorIndex)
    assert again.dense.ids == engine.dense.ids
    assert again.search(texts[0], k=10, mode="dense").ids == engine.search(texts[0], k=10, mode="dense").ids
    # a write changes the version: rebuilt, and only the changed organisation's vector is rewritten
    org = neo.organisation(engine.cards[0].id)
    neo.write(type(world)(organisations=[dataclasses.replace(org, description_en="A brand new description.")]))
    rebuilt = SearchEngine.open(neo, embedder, tmp_path / "index")
    assert rebuilt.meta["rebuilt"] is True and rebuilt.dense.written == 1
