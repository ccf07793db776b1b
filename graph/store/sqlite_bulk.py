"""Bulk-write helpers of the embedded store: canonical documents, content hashes, chunked plans.

A record is stored as its canonical JSON document (sorted keys, compact,
UTF-8 unescaped) and the hash of that document. :func:`canonical` builds both
with orjson (dataclass → plain JSON → sorted JSON; about 4× faster than
``json.dumps(to_dict(...))`` and byte-identical to it, so hashes written by
older versions still match and re-imports stay no-ops).

:func:`plan_chunks` turns a list of records into chunks of rows to write,
comparing hashes with the stored ones a chunk at a time, so a million-row
import never holds every document in memory at once. :func:`bulk_indexes`
drops a table's secondary indexes while an empty table is bulk-loaded and
builds them once at the end (sorting once beats a million random inserts);
it runs inside the caller's transaction, so a crash leaves the old store,
indexes included.

Examples
--------
>>> import json
>>> from graph.model import Link, LinkKind, Provenance, to_dict
>>> x = Link("l1", LinkKind.SUPPLIES, "甲", "乙", Provenance("t"), "2020-01-01", 0.5)
>>> text, h = canonical(x)
>>> text == json.dumps(to_dict(x), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
True
>>> len(h)
24
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import orjson

__all__ = ["canonical", "plan_chunks", "bulk_indexes", "is_empty", "PLAN_CHUNK", "BULK_ROWS"]

#: Records planned (serialised, hashed, compared, written) per step.
PLAN_CHUNK = 20_000
#: Below this many rows into an empty table, indexes are kept as they are.
BULK_ROWS = 20_000
_IN = 500  # parameters per IN (...) query, well under SQLite's limit
_SORTED = orjson.OPT_SORT_KEYS


def canonical(record) -> tuple[str, str]:
    """The canonical JSON document of a model record and its content hash."""
    raw = orjson.dumps(orjson.loads(orjson.dumps(record)), option=_SORTED)
    return raw.decode("utf-8"), hashlib.blake2b(raw, digest_size=12).hexdigest()


def is_empty(conn: sqlite3.Connection, table: str) -> bool:
    """Whether ``table`` (a constant of this package) has no rows."""
    return conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is None  # noqa: S608


def _stored_hashes(conn: sqlite3.Connection, table: str, ids: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for i in range(0, len(ids), _IN):
        part = ids[i : i + _IN]
        sql = f"SELECT id, hash FROM {table} WHERE id IN ({','.join('?' * len(part))})"  # noqa: S608
        out.update(conn.execute(sql, part).fetchall())
    return out


def plan_chunks(conn: sqlite3.Connection, table: str, records: list, ident: Callable,
                counts: list[int], *, empty: bool = False) -> Iterator[list[tuple]]:
    """Yield, chunk by chunk, the ``(id, record, doc, hash)`` rows that differ from the store.

    ``counts`` (``[inserted, updated, unchanged]``) is updated as chunks are
    planned. With ``empty=True`` the caller knows the table holds nothing, so
    no stored hashes are read.

    >>> conn = sqlite3.connect(":memory:")
    >>> _ = conn.execute("CREATE TABLE t (id TEXT PRIMARY KEY, doc TEXT, hash TEXT)")
    >>> counts = [0, 0, 0]
    >>> rows = [r for part in plan_chunks(conn, "t", ["a", "b"], str, counts) for r in part]
    >>> [r[0] for r in rows], counts
    (['a', 'b'], [2, 0, 0])
    """
    for start in range(0, len(records), PLAN_CHUNK):
        docs = [(ident(rec), rec, *canonical(rec)) for rec in records[start : start + PLAN_CHUNK]]
        stored = {} if empty else _stored_hashes(conn, table, [d[0] for d in docs])
        rows = []
        for rid, rec, text, h in docs:
            old = stored.get(rid)
            if old == h:
                counts[2] += 1
                continue
            counts[0 if old is None else 1] += 1
            stored[rid] = h
            rows.append((rid, rec, text, h))
        del docs
        if rows:
            yield rows


@contextmanager
def bulk_indexes(conn: sqlite3.Connection, table: str, rows: int, empty: bool):
    """Drop ``table``'s secondary indexes for a bulk load into an empty table; rebuild on exit.

    Only when ``empty`` and ``rows >= BULK_ROWS``; otherwise a no-op. The
    indexes' own SQL (from ``sqlite_master``) rebuilds them, so the schema
    lives in ``schema.sql`` only. Call it inside a transaction: if the load
    fails, the rollback restores the indexes.
    """
    indexes = []
    if empty and rows >= BULK_ROWS:
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            (table,),
        ).fetchall()
        for name, _sql in indexes:
            conn.execute(f'DROP INDEX "{name}"')  # the name comes from sqlite_master, not input
    yield
    for _name, sql in indexes:
        conn.execute(sql)
