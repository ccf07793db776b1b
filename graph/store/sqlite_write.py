"""The embedded store's side of the write pipeline: a :class:`~graph.store.writeplan.WriteTarget` on SQLite.

:class:`SqliteTarget` answers the pipeline's lookups with ``IN (...)``
queries of constant text (values are parameters, at most :data:`_IN` per
query) and writes the planned rows with ``executemany``. Its
:meth:`~SqliteTarget.entity` scope is the bulk path: when an import goes into
an empty table, no stored hashes are read and :func:`bulk_indexes` drops the
table's secondary indexes and builds them once at the end (sorting once beats
a million random inserts); it runs inside the caller's transaction, so a crash
leaves the old store, indexes included.

Examples
--------
>>> from graph.model import Organisation, OrgKind, Provenance
>>> from graph.store.protocol import Batch
>>> from graph.store.sqlite import SqliteStore
>>> from graph.store.writeplan import execute
>>> store = SqliteStore.memory()
>>> with store._tx() as conn:
...     r = execute(Batch(organisations=[Organisation("o", OrgKind.FIRM, "甲", Provenance("t"))]), SqliteTarget(conn))
>>> r.inserted, store.organisation("o").name_zh
({'organisations': 1}, '甲')
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager

from graph.model import Organisation, from_dict
from graph.store.writeplan import Row, identity_key

__all__ = ["SqliteTarget", "OrgRows", "TABLES", "bulk_indexes", "is_empty", "BULK_ROWS", "stored_version"]

#: Below this many rows into an empty table, indexes are kept as they are.
BULK_ROWS = 20_000
_IN = 500  # parameters per IN (...) query, well under SQLite's limit
#: table per entity (the Batch attribute names)
TABLES = {
    "regions": "regions",
    "clusters": "clusters",
    "chains": "chains",
    "segments": "segments",
    "segment_edges": "segment_edges",
    "organisations": "orgs",
    "links": "links",
}

# makers of the rows executemany takes, from a chunk's (id, record, document, hash) (SqliteTarget.prepared)
def _link_rows(docs, _new):
    return [(rid, x.kind._value_, x.src, x.dst, x.since, doc, h) for rid, x, doc, h in docs]


def _edge_rows(docs, _new):
    return [(rid, e.upstream, e.downstream, doc, h) for rid, e, doc, h in docs]


def _doc_rows(docs, _new):
    return [(rid, doc, h) for rid, _rec, doc, h in docs]


class OrgRows:
    """A chunk of organisations as :meth:`SqliteTarget.write_rows` writes them: the rows of ``orgs``,
    ``org_segments`` and ``org_names``, and the ids of stored organisations they replace (whose
    memberships and names go first). Made in one pass over the chunk's documents (:func:`_org_rows`).

    >>> from graph.model import Organisation, OrgKind, Provenance
    >>> o = Organisation("o", OrgKind.FIRM, "甲科技有限公司", Provenance("t"), name_en="Jia", region="cn/x/y/z")
    >>> rows = _org_rows([("o", o, "{}", "h")], [False])
    >>> len(rows), rows.orgs[0][:6], rows.names, rows.replaced
    (1, ('o', 'firm', None, '甲科技', 'cn/x/y', 'cn/x/y/z'), [('甲科技有限公司', 'o'), ('Jia', 'o')], ['o'])
    """

    __slots__ = ("orgs", "segments", "names", "replaced")

    def __init__(self) -> None:
        self.orgs: list[tuple] = []
        self.segments: list[tuple[str, str, str]] = []
        self.names: list[tuple[str, str]] = []
        self.replaced: list[str] = []

    def __len__(self) -> int:
        return len(self.orgs)


def _org_rows(docs, new) -> OrgRows:
    out = OrgRows()
    orgs, segments, names = out.orgs.append, out.segments.extend, out.names.extend
    for rid, o, doc, h in docs:
        orgs((rid, o.kind._value_, o.uscc, *identity_key(o), o.region, doc, h))
        if o.segments:
            segments([(rid, m.segment, m.status._value_) for m in o.segments])
        names([(n, rid) for n in o.names])  # zh, en and former names (曾用名)
    if new is not None:
        out.replaced = [d[0] for d, n in zip(docs, new, strict=True) if not n]
    return out


#: per entity, the maker of its rows and its INSERT
_PREPARED = {"links": _link_rows, "segment_edges": _edge_rows, "organisations": _org_rows,
             **{e: _doc_rows for e in ("regions", "clusters", "chains", "segments")}}
_INSERT = {
    "links": "INSERT OR REPLACE INTO links(id, kind, src, dst, since, doc, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
    "segment_edges": "INSERT OR REPLACE INTO segment_edges(id, upstream, downstream, doc, hash) VALUES (?, ?, ?, ?, ?)",
}
# tables bulk-loaded with their indexes dropped, per entity
_BULK = {"organisations": ("orgs", "org_segments"), "links": ("links",)}


def _parts(items: Sequence) -> Iterator[list]:
    items = list(items)
    for i in range(0, len(items), _IN):
        yield items[i : i + _IN]


def _marks(part: list) -> str:
    return ",".join("?" * len(part))


def is_empty(conn: sqlite3.Connection, table: str) -> bool:
    """Whether ``table`` (a constant of this package) has no rows."""
    return conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is None  # noqa: S608


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
    if indexes:
        with _sort_cache(conn):
            for _name, sql in indexes:
                conn.execute(sql)


#: page cache (KiB) while bulk indexes are built: SQLite's sorter sizes its in-memory runs by the cache,
#: and one run the size of the store's 256 MiB cache sorts about half as fast as SQLite's default
#: 2 MiB runs merged (5M links' three indexes, in the load's transaction: 16.7-17.4 s -> 8.8-8.9 s)
SORT_CACHE_KIB = 2_000


@contextmanager
def _sort_cache(conn: sqlite3.Connection):
    """``conn``'s page cache at :data:`SORT_CACHE_KIB` inside, as it was after (the pages it holds spill
    to the write-ahead log, as they would at the commit).

    >>> conn = sqlite3.connect(":memory:")
    >>> _ = conn.execute("PRAGMA cache_size=-65536")
    >>> with _sort_cache(conn):
    ...     inside = conn.execute("PRAGMA cache_size").fetchone()[0]
    >>> inside, conn.execute("PRAGMA cache_size").fetchone()[0]
    (-2000, -65536)
    """
    before = int(conn.execute("PRAGMA cache_size").fetchone()[0])
    conn.execute(f"PRAGMA cache_size=-{SORT_CACHE_KIB:d}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size={before:d}")


def stored_version(conn: sqlite3.Connection) -> int:
    """The store version that ``conn`` sees (the ``meta`` row every write bumps)."""
    return int(conn.execute("SELECT value FROM meta WHERE key='version'").fetchone()[0])


class SqliteTarget:
    """The pipeline's primitives inside one open SQLite write transaction on ``conn``."""

    def __init__(self, conn: sqlite3.Connection):
        self._conn = conn
        self._written: set[str] = set()  # entities with rows written: their change counters move with the version

    # ------------------------------------------------------------ lookups
    def _column(self, sql: str, values: Sequence[str]) -> Iterator[tuple]:
        for part in _parts(values):
            yield from self._conn.execute(sql.format(marks=_marks(part)), part)

    def holds(self, entity: str) -> bool:
        """Whether any ``entity`` record is stored (:func:`~graph.store.writeplan.holds`)."""
        return not is_empty(self._conn, TABLES[entity])

    def existing_ids(self, entity: str, ids: Sequence[str]) -> set[str]:
        sql = f"SELECT id FROM {TABLES[entity]} WHERE id IN ({{marks}})"  # noqa: S608 - table is a constant
        return {r[0] for r in self._column(sql, ids)}

    def uscc_owners(self, usccs: Sequence[str]) -> dict[str, str]:
        return dict(self._column("SELECT uscc, id FROM orgs WHERE uscc IN ({marks})", usccs))

    def name_city_candidates(self, keys: Sequence[tuple[str, str]]) -> list[tuple[str, str, str]]:
        wanted = set(keys)
        names = sorted({n for n, _ in keys})
        sql = "SELECT name_key, city_key, id FROM orgs WHERE name_key IN ({marks})"
        return [r for r in self._column(sql, names) if (r[0], r[1]) in wanted]

    def name_holders(self, names: Sequence[str]) -> list[tuple[str, str, str]]:
        sql = ("SELECT n.name, o.city_key, o.id FROM org_names n JOIN orgs o ON o.id = n.org_id"
               " WHERE n.name IN ({marks})")
        return list(self._column(sql, names))

    def stored_organisations(self, ids: Sequence[str]) -> list[Organisation]:
        sql = "SELECT doc FROM orgs WHERE id IN ({marks})"
        return [from_dict(Organisation, json.loads(doc)) for (doc,) in self._column(sql, ids)]

    def stored_hashes(self, entity: str, ids: Sequence[str]) -> dict[str, str]:
        sql = f"SELECT id, hash FROM {TABLES[entity]} WHERE id IN ({{marks}})"  # noqa: S608 - table is a constant
        return dict(self._column(sql, ids))

    # ------------------------------------------------------------ writes
    @contextmanager
    def entity(self, entity: str, n: int):
        """While ``entity`` is written: bulk-load a big one into an empty table (its indexes rebuilt after)."""
        fresh = is_empty(self._conn, TABLES[entity])
        with ExitStack() as stack:
            for table in _BULK.get(entity, ()):
                stack.enter_context(bulk_indexes(self._conn, table, n, fresh and is_empty(self._conn, table)))
            yield

    def prepared(self, entity: str):
        """The maker of ``entity``'s rows as :meth:`write_rows` hands them to ``executemany`` (the pipeline
        makes each where it makes the document, :func:`~graph.store.writeplan.plan`); organisations,
        which fill three tables, as an :class:`OrgRows`."""
        return _PREPARED.get(entity)

    def write_rows(self, entity: str, rows) -> None:
        """Insert or replace ``rows``: what :meth:`prepared` made, or :class:`~graph.store.writeplan.Row` s."""
        self._written.add(entity)
        if rows and isinstance(rows, list) and isinstance(rows[0], Row):
            rows = _PREPARED[entity]([(r.id, r.record, r.doc, r.hash) for r in rows], [r.new for r in rows])
        if entity == "organisations":
            self._write_orgs(rows)
            return
        self._conn.executemany(_INSERT.get(entity) or (
            f"INSERT OR REPLACE INTO {TABLES[entity]}(id, doc, hash) VALUES (?, ?, ?)"), rows)  # noqa: S608

    def _write_orgs(self, rows: OrgRows) -> None:
        conn = self._conn
        for part in _parts(rows.replaced):
            conn.execute(f"DELETE FROM org_segments WHERE org_id IN ({_marks(part)})", part)  # noqa: S608
            conn.execute(f"DELETE FROM org_names WHERE org_id IN ({_marks(part)})", part)  # noqa: S608
        conn.executemany("INSERT OR REPLACE INTO orgs(id, kind, uscc, name_key, city_key, region, doc, hash)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows.orgs)
        conn.executemany("INSERT OR REPLACE INTO org_segments(org_id, segment_id, status) VALUES (?, ?, ?)",
                         rows.segments)
        conn.executemany("INSERT OR IGNORE INTO org_names(name, org_id) VALUES (?, ?)", rows.names)

    # ------------------------------------------------------------ version
    def version(self) -> int:
        return stored_version(self._conn)

    def touched(self, *entities: str) -> None:
        """Count ``entities`` as changed by this transaction (for writes outside :meth:`write_rows`)."""
        self._written.update(entities)

    def bump_version(self) -> int:
        """Move the store version on, and the change counter (``version:<entity>``) of each entity written."""
        self._conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key='version'")
        self._conn.executemany(
            "INSERT INTO meta(key, value) VALUES (?, '1') ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
            [(f"version:{e}",) for e in sorted(self._written)])
        return self.version()
