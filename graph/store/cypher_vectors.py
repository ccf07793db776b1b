"""The Cypher of the Neo4j vector index, as pure functions returning :class:`Query`.

Used by :class:`matching.neo4j_vectors.Neo4jVectorIndex`. One index per
embedding model: organisation vectors are a property of the
``(:Organisation)`` nodes themselves, ``emb_<tag>`` (plus ``emb_<tag>_hash``,
a hash of the vector, so re-writing an unchanged vector is skipped), and the
vector index ``chainmatch_vectors_<tag>`` covers that property with cosine
similarity. ``<tag>`` is derived from the model id (:func:`vector_tag`) and
checked against ``[a-z0-9]+``: it is the only name interpolated into query
text besides the whitelisted label; vectors, ids and the index name in
procedure calls travel in parameters.

Neo4j reports cosine similarity as ``(1 + cos) / 2``; callers convert back
with :func:`cosine_from_score`.

Examples
--------
>>> tag = vector_tag("hashing-256-x", 256)
>>> index_name(tag).startswith("chainmatch_vectors_"), vector_property(tag).startswith("emb_")
(True, True)
>>> q = query_nodes(tag, [[1.0, 0.0]], 3)
>>> q.params["name"] == index_name(tag), q.params["k"], q.params["queries"]
(True, 3, [{'i': 0, 'vector': [1.0, 0.0]}])
>>> cosine_from_score(0.5)
0.0
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from graph.store.cypher import Query, label

__all__ = [
    "vector_tag",
    "index_name",
    "vector_property",
    "cosine_from_score",
    "create_index",
    "await_index",
    "index_info",
    "drop_index",
    "stored_hashes",
    "set_vectors",
    "count_vectors",
    "query_nodes",
]

_ORG = label("organisations")
_TAG_RE = re.compile(r"^[a-z0-9]{1,32}$")


def vector_tag(model_id: str, dim: int) -> str:
    """A short name for one embedding model and dimension (hex of a hash).

    >>> vector_tag("m", 4) == vector_tag("m", 4) != vector_tag("m", 8)
    True
    """
    return hashlib.blake2b(f"{model_id}\x00{int(dim)}".encode(), digest_size=6).hexdigest()


def _tag(tag: str) -> str:
    if not _TAG_RE.match(tag):
        raise ValueError(f"refusing to interpolate vector tag {tag!r} into Cypher")
    return tag


def index_name(tag: str) -> str:
    return f"chainmatch_vectors_{_tag(tag)}"


def vector_property(tag: str) -> str:
    return f"emb_{_tag(tag)}"


def cosine_from_score(score: float) -> float:
    """Neo4j's cosine score ``(1 + cos) / 2`` back to ``cos``."""
    return 2.0 * float(score) - 1.0


def create_index(tag: str, dim: int, *, tuned: bool = True) -> Query:
    """Create the index if it does not exist (cosine, ``dim`` dimensions).

    ``tuned`` also turns quantisation off (exact scores, better recall) and
    widens the HNSW graph; servers before 5.23 do not know those keys, so the
    caller retries with ``tuned=False``.
    """
    if int(dim) < 1:
        raise ValueError(f"vector dimension must be positive, got {dim}")
    config = "`vector.dimensions`: $dim, `vector.similarity_function`: 'cosine'"
    params: dict = {"dim": int(dim)}
    if tuned:
        config += (", `vector.quantization.enabled`: false, `vector.hnsw.m`: $m,"
                   " `vector.hnsw.ef_construction`: $ef_construction")
        params.update(m=32, ef_construction=200)
    return Query(
        f"CREATE VECTOR INDEX {index_name(tag)} IF NOT EXISTS"
        f" FOR (n:{_ORG}) ON (n.{vector_property(tag)}) OPTIONS {{indexConfig: {{{config}}}}}",
        params,
    )


def await_index(tag: str, seconds: int = 600) -> Query:
    return Query("CALL db.awaitIndex($name, $seconds)", {"name": index_name(tag), "seconds": seconds})


def index_info(tag: str) -> Query:
    """The index's state and configuration (no row when it does not exist)."""
    return Query(
        "SHOW VECTOR INDEXES YIELD name, state, labelsOrTypes, properties, options"
        " WHERE name = $name RETURN name, state, labelsOrTypes, properties, options",
        {"name": index_name(tag)},
    )


def drop_index(tag: str) -> Query:
    return Query(f"DROP INDEX {index_name(tag)} IF EXISTS", {})


def stored_hashes(tag: str, ids: Sequence[str]) -> Query:
    """``(id, hash)`` of the vectors stored on the organisations among ``ids``."""
    return Query(
        f"MATCH (o:{_ORG}) WHERE o.id IN $ids RETURN o.id AS id, o.{vector_property(tag)}_hash AS hash",
        {"ids": list(ids)},
    )


def set_vectors(tag: str, rows: Sequence[dict]) -> Query:
    """Store vectors on organisations from rows ``{id, vector, hash}``; returns ``written``.

    ``db.create.setNodeVectorProperty`` keeps them as 32-bit floats.
    """
    return Query(
        "UNWIND $rows AS row"
        f" MATCH (o:{_ORG} {{id: row.id}})"
        " CALL db.create.setNodeVectorProperty(o, $property, row.vector)"
        f" SET o.{vector_property(tag)}_hash = row.hash"
        " RETURN count(o) AS written",
        {"rows": [{"id": r["id"], "vector": list(r["vector"]), "hash": r["hash"]} for r in rows],
         "property": vector_property(tag)},
    )


def count_vectors(tag: str) -> Query:
    return Query(f"MATCH (o:{_ORG}) WHERE o.{vector_property(tag)} IS NOT NULL RETURN count(o) AS n", {})


def query_nodes(tag: str, vectors: Sequence[Sequence[float]], k: int) -> Query:
    """The ``k`` nearest organisations of each query vector: rows ``(i, id, score)``."""
    return Query(
        "UNWIND $queries AS q"
        " CALL db.index.vector.queryNodes($name, $k, q.vector) YIELD node, score"
        " RETURN q.i AS i, node.id AS id, score",
        {"name": index_name(tag), "k": int(k),
         "queries": [{"i": i, "vector": [float(x) for x in v]} for i, v in enumerate(vectors)]},
    )
