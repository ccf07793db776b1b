"""Neo4j's own vector index behind the :class:`~matching.vectors.VectorIndex` seam.

When the store is Neo4j (``settings.backend == "neo4j"``) the search engine
keeps its dense vectors in the database, on the organisation nodes, and asks
Neo4j's HNSW vector index (``db.index.vector.queryNodes``) for neighbours, so
vector search scales out with the database instead of living in one
process's FAISS index. The Cypher is in :mod:`graph.store.cypher_vectors`.

- :meth:`Neo4jVectorIndex.add` queues rows (ids must be stored organisations);
  :meth:`~Neo4jVectorIndex.build` creates the index if needed (cosine, the
  embedder's dimension), writes the vectors whose hash changed, in chunks,
  and waits until the index is online. Vectors are derived data: writing
  them does not change the store version.
- :meth:`~Neo4jVectorIndex.search` asks for ``oversample × k`` neighbours
  (HNSW uses that as its beam), keeps those in this index's id map and
  returns cosine scores (inner products of the unit vectors the engine
  stores), best first, ties by row — the contract of
  :func:`matching.vectors.exact_search`, against which it is tested.
- :meth:`~Neo4jVectorIndex.save` writes only the id map and settings; the
  vectors stay in Neo4j. :func:`load_dense` reattaches a saved index to the
  store (and loads FAISS / brute-force indexes as before).

Needs Neo4j 5.15+ (``CREATE VECTOR INDEX``); on servers before 5.23 the
index is created without the tuning options (quantisation off, wider graph).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from graph.errors import ConfigError, InvalidInput
from graph.store import cypher_vectors as qv
from graph.store.protocol import CypherRunner
from matching.vectors import VectorIndex, load_index

__all__ = ["Neo4jVectorIndex", "neo4j_index_for", "load_dense", "is_neo4j_store"]

_WRITE_CHUNK = 2_000  # vectors per write transaction
_QUERY_CHUNK = 64  # query vectors per round trip


def is_neo4j_store(store) -> bool:
    """Whether ``store`` can host this index: it runs Cypher in its own database
    (:class:`~graph.store.protocol.CypherRunner`, e.g. the Neo4j store)."""
    return isinstance(store, CypherRunner)


def _vector_hash(row: np.ndarray) -> str:
    return hashlib.blake2b(np.ascontiguousarray(row, dtype=np.float32).tobytes(), digest_size=12).hexdigest()


class Neo4jVectorIndex:
    """A :class:`~matching.vectors.VectorIndex` kept in Neo4j (see the module docstring).

    Parameters
    ----------
    store : CypherRunner
        The store whose organisations carry the vectors (the Neo4j store).
    dim : int
        Vector dimension (the embedder's).
    tag : str
        Names the property and the index (:func:`graph.store.cypher_vectors.vector_tag`
        of the model id): one index per embedding model.
    oversample : int
        Neighbours asked of HNSW per result wanted (its search beam).
    """

    name = "neo4j"
    kind = "neo4j"

    def __init__(self, store, dim: int, tag: str, *, oversample: int = 10):
        if dim < 1:
            raise ConfigError(f"vector dimension must be positive, got {dim}")
        qv.index_name(tag)  # validates the tag
        self.store = store
        self.tag = tag
        self.oversample = max(1, int(oversample))
        self._dim = dim
        self.ids: list[str] | None = []
        self.meta: dict = {}
        self._row: dict[str, int] = {}
        self._pending: list[tuple[np.ndarray, list[str]]] = []
        self.written = 0  # vectors written by the last build (unchanged ones are skipped)

    @classmethod
    def for_model(cls, store, dim: int, model_id: str, **kwargs) -> Neo4jVectorIndex:
        return cls(store, dim, qv.vector_tag(model_id, dim), **kwargs)

    # ------------------------------------------------------------ VectorIndex
    @property
    def dim(self) -> int:
        return self._dim

    @property
    def size(self) -> int:
        return len(self.ids) + sum(len(ids) for _, ids in self._pending)

    def add(self, vectors: np.ndarray, ids: Sequence[str] | None = None) -> None:
        x = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        if x.ndim != 2 or x.shape[1] != self._dim:
            raise InvalidInput(f"expected vectors of dimension {self._dim}, got shape {x.shape}")
        if ids is None:
            raise InvalidInput("the Neo4j vector index stores vectors on organisations: pass their ids")
        ids = list(ids)
        if len(ids) != len(x):
            raise InvalidInput(f"{len(x)} vectors but {len(ids)} ids")
        seen = set(self._row) | {i for _, p in self._pending for i in p}
        dup = sorted({i for i in ids if i in seen} | _dups(ids))
        if dup:
            raise InvalidInput(f"ids already in the index: {', '.join(dup[:5])}")
        self._pending.append((x, ids))

    def build(self) -> None:
        """Create the index if needed, write pending vectors that changed, wait until online."""
        self._ensure_index()
        if not self._pending:
            return
        x = np.concatenate([p[0] for p in self._pending])
        ids = [i for _, p in self._pending for i in p]
        written = 0
        for start in range(0, len(ids), _WRITE_CHUNK):
            part = ids[start:start + _WRITE_CHUNK]
            stored = {r["id"]: r["hash"] for r in self.store.run_query(qv.stored_hashes(self.tag, part))}
            missing = [i for i in part if i not in stored]
            if missing:
                raise InvalidInput(
                    f"{len(missing)} id(s) are not organisations in the Neo4j store: {', '.join(missing[:5])}",
                    f"{len(missing)} 个 id 不是 Neo4j 中的机构：{', '.join(missing[:5])}",
                )
            rows = []
            for k, i in enumerate(part, start):
                h = _vector_hash(x[k])
                if stored[i] != h:
                    rows.append({"id": i, "vector": x[k].tolist(), "hash": h})
            if rows:
                written += self.store.run_query(qv.set_vectors(self.tag, rows), write=True)[0]["written"]
        for i in ids:
            self._row[i] = len(self.ids)
            self.ids.append(i)
        self._pending = []
        self.written = written
        self.store.run_query(qv.await_index(self.tag))

    def _ensure_index(self) -> None:
        from neo4j.exceptions import ClientError

        info = self.store.run_query(qv.index_info(self.tag))
        if info:
            have = info[0]["options"].get("indexConfig", {}).get("vector.dimensions")
            if have is not None and int(have) != self._dim:
                raise ConfigError(f"Neo4j vector index {qv.index_name(self.tag)} has {have} dimensions, "
                                  f"not {self._dim}")
            return
        try:
            self.store.run_query(qv.create_index(self.tag, self._dim), write=True)
        except ClientError:  # a server before 5.23: no tuning options
            self.store.run_query(qv.create_index(self.tag, self._dim, tuned=False), write=True)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        if self._pending:
            self.build()
        q = np.atleast_2d(np.asarray(queries, dtype=np.float32))
        if q.ndim != 2 or q.shape[1] != self._dim:
            raise InvalidInput(f"expected vectors of dimension {self._dim}, got shape {q.shape}")
        scores = np.zeros((len(q), k), np.float32)
        rows = np.full((len(q), k), -1, np.int64)
        if not self.ids or k < 1:
            return scores, rows
        ask = min(max(k, k * self.oversample), max(len(self.ids), k))
        found: list[list[tuple[float, int]]] = [[] for _ in range(len(q))]
        for start in range(0, len(q), _QUERY_CHUNK):
            block = q[start:start + _QUERY_CHUNK]
            for r in self.store.run_query(qv.query_nodes(self.tag, block.tolist(), ask)):
                row = self._row.get(r["id"])
                if row is not None:  # vectors of organisations this index does not hold are skipped
                    found[start + int(r["i"])].append((qv.cosine_from_score(r["score"]), row))
        for j, hits in enumerate(found):
            hits.sort(key=lambda h: (-h[0], h[1]))
            for c, (s, row) in enumerate(hits[:k]):
                scores[j, c], rows[j, c] = s, row
        return scores, rows

    def save(self, directory: Path | str) -> None:
        """The id map and settings only: the vectors live in Neo4j."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        if self._pending:
            self.build()
        doc = {"index": self.name, "dim": self._dim, "size": self.size, "meta": self.meta, "tag": self.tag,
               "oversample": self.oversample, "neo4j": self.store.path}
        (directory / "index.json").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
        (directory / "ids.json").write_text(json.dumps(self.ids, ensure_ascii=False), "utf-8")

    @classmethod
    def attach(cls, store, directory: Path | str) -> Neo4jVectorIndex:
        """Reopen a saved index on ``store``; ``InvalidInput`` if Neo4j no longer has it."""
        directory = Path(directory)
        try:
            doc = json.loads((directory / "index.json").read_text("utf-8"))
            ids = json.loads((directory / "ids.json").read_text("utf-8"))
        except (OSError, ValueError) as e:
            raise InvalidInput(f"no vector index at {directory}: {e}", f"{directory} 处没有向量索引") from e
        idx = cls(store, int(doc["dim"]), doc["tag"], oversample=doc.get("oversample", 10))
        if not store.run_query(qv.index_info(idx.tag)):
            raise InvalidInput(f"Neo4j has no vector index {qv.index_name(idx.tag)} any more",
                               f"Neo4j 中已没有向量索引 {qv.index_name(idx.tag)}")
        idx.meta = doc.get("meta", {})
        idx.ids = list(ids)
        idx._row = {i: r for r, i in enumerate(idx.ids)}
        return idx


def _dups(ids: list[str]) -> set[str]:
    seen: set[str] = set()
    out: set[str] = set()
    for i in ids:
        if i in seen:
            out.add(i)
        seen.add(i)
    return out


def neo4j_index_for(store, embedder, **kwargs) -> Neo4jVectorIndex | None:
    """The Neo4j vector index for ``embedder`` when ``store`` is Neo4j, else ``None`` (use FAISS)."""
    if not is_neo4j_store(store):
        return None
    return Neo4jVectorIndex.for_model(store, embedder.dim, embedder.model_id, **kwargs)


def load_dense(directory: Path | str, store=None) -> VectorIndex:
    """Load a saved dense index: a Neo4j one is reattached to ``store``, others as :func:`load_index`."""
    directory = Path(directory)
    try:
        kind = json.loads((directory / "index.json").read_text("utf-8")).get("index")
    except (OSError, ValueError):
        kind = None
    if kind == Neo4jVectorIndex.name:
        if store is None or not is_neo4j_store(store):
            raise InvalidInput(f"the index at {directory} lives in Neo4j: open it with the Neo4j store")
        return Neo4jVectorIndex.attach(store, directory)
    return load_index(directory)
