"""An embedding cache keyed by (model id, content hash): unchanged text is never re-encoded.

The cache is a small SQLite file (``<data_dir>/embeddings/cache.sqlite`` by
default), beside the store. Vectors are stored as raw float32 bytes.

Examples
--------
>>> from matching.embedder import HashingEmbedder
>>> cache = EmbeddingCache.memory()
>>> emb = HashingEmbedder(dim=16, use_jieba=False)
>>> vecs, n = encode_cached(emb, ["alpha", "beta", "alpha"], cache)
>>> vecs.shape, n
((3, 16), 2)
>>> vecs2, n2 = encode_cached(emb, ["beta", "alpha", "gamma"], cache)
>>> n2, bool((vecs2[0] == vecs[1]).all())
(1, True)
>>> len(cache)
3
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from graph import sqlitedb
from matching.embedder import Embedder, Progress, normalise_rows

__all__ = ["EmbeddingCache", "content_hash", "encode_cached", "org_vectors", "default_cache_path"]

_CHUNK = 500


def content_hash(text: str) -> str:
    """A stable hash of a text (the cache key with the model id).

    >>> content_hash("abc") == content_hash("abc"), len(content_hash("abc"))
    (True, 32)
    """
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def default_cache_path(data_dir: Path | str) -> Path:
    """Where the cache lives for a data directory."""
    return Path(data_dir) / "embeddings" / "cache.sqlite"


class EmbeddingCache:
    """Vectors by ``(model_id, content_hash)`` in SQLite."""

    def __init__(self, conn: sqlite3.Connection, path: str):
        self._conn = conn
        self.path = path
        self._lock = threading.Lock()
        conn.execute(
            "CREATE TABLE IF NOT EXISTS vectors ("
            " model TEXT NOT NULL, hash TEXT NOT NULL, dim INTEGER NOT NULL, vec BLOB NOT NULL,"
            " PRIMARY KEY (model, hash)) WITHOUT ROWID"
        )

    @classmethod
    def open(cls, path: Path | str) -> EmbeddingCache:
        conn = sqlitedb.connect(path, "the embedding cache", "向量缓存", synchronous="NORMAL")
        return cls(conn, str(path))

    @classmethod
    def memory(cls) -> EmbeddingCache:
        return cls(sqlitedb.memory(), ":memory:")

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> EmbeddingCache:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __len__(self) -> int:
        with self._lock:
            return self._conn.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]

    def count(self, model_id: str) -> int:
        with self._lock:
            return self._conn.execute("SELECT COUNT(*) FROM vectors WHERE model = ?", (model_id,)).fetchone()[0]

    def get_many(self, model_id: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        """The cached vectors among ``hashes`` (missing ones are left out)."""
        out: dict[str, np.ndarray] = {}
        keys = list(dict.fromkeys(hashes))
        with self._lock:
            for i in range(0, len(keys), _CHUNK):
                part = keys[i : i + _CHUNK]
                marks = ",".join("?" * len(part))
                sql = f"SELECT hash, vec FROM vectors WHERE model = ? AND hash IN ({marks})"  # noqa: S608
                for h, blob in self._conn.execute(sql, [model_id, *part]):
                    out[h] = np.frombuffer(blob, dtype=np.float32)
        return out

    def put_many(self, model_id: str, items: dict[str, np.ndarray]) -> None:
        rows = [
            (model_id, h, int(v.shape[0]), np.ascontiguousarray(v, dtype=np.float32).tobytes())
            for h, v in items.items()
        ]
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                self._conn.executemany(
                    "INSERT OR REPLACE INTO vectors(model, hash, dim, vec) VALUES (?, ?, ?, ?)", rows
                )
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def models(self) -> dict[str, int]:
        """Cached vectors per model id."""
        with self._lock:
            return dict(self._conn.execute("SELECT model, COUNT(*) FROM vectors GROUP BY model").fetchall())


def encode_cached(
    embedder: Embedder,
    texts: Sequence[str],
    cache: EmbeddingCache | None,
    *,
    progress: Progress | None = None,
) -> tuple[np.ndarray, int]:
    """Vectors for ``texts`` (row per text) and how many texts had to be encoded.

    Duplicate texts are encoded once; texts cached for ``embedder.model_id``
    are not encoded at all. Without a cache every distinct text is encoded.
    """
    texts = list(texts)
    hashes = [content_hash(t) for t in texts]
    have = cache.get_many(embedder.model_id, hashes) if cache is not None else {}
    todo: dict[str, str] = {}
    for h, t in zip(hashes, texts, strict=True):
        if h not in have and h not in todo:
            todo[h] = t
    if todo:
        fresh = embedder.encode(list(todo.values()), progress=progress)
        new = dict(zip(todo.keys(), fresh, strict=True))
        if cache is not None:
            cache.put_many(embedder.model_id, new)
        have.update(new)
    elif progress is not None:
        progress(0, 0)
    dim = embedder.dim
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for i, h in enumerate(hashes):
        out[i] = have[h]
    return out, len(todo)


def org_vectors(
    embedder: Embedder,
    orgs: list,
    cache: EmbeddingCache | None = None,
    *,
    english_only: bool = True,
    progress: Progress | None = None,
) -> tuple[np.ndarray, int]:
    """One unit vector per organisation: the normalised mean of its field embeddings.

    Returns the vectors and how many texts had to be encoded (0 when the
    cache holds them all).
    """
    from matching.documents import dense_fields

    fields = [dense_fields(o, english_only=english_only) for o in orgs]
    flat = [t for f in fields for t in f]
    vecs, n_encoded = encode_cached(embedder, flat, cache, progress=progress)
    owner = np.repeat(np.arange(len(orgs)), [len(f) for f in fields])
    out = np.zeros((len(orgs), embedder.dim), dtype=np.float32)
    np.add.at(out, owner, vecs)
    return normalise_rows(out), n_encoded
