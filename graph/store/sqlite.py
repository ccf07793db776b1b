"""The embedded store: SQLite (WAL) as the record of truth, networkx for analysis.

Every :meth:`SqliteStore.write` is one transaction: references are checked
first and, if anything is wrong, nothing is written. Content hashes make a
re-import of unchanged records a no-op that leaves the version alone.

Examples
--------
>>> from graph.model import Organisation, OrgKind, Provenance
>>> store = SqliteStore.memory()
>>> org = Organisation("org:a", OrgKind.FIRM, "甲公司", Provenance("doc"))
>>> store.write(Batch(organisations=[org])).inserted
{'organisations': 1}
>>> v = store.version()
>>> store.write(Batch(organisations=[org])).changed, store.version() == v
(0, True)
>>> store.organisation("org:a").name_zh
'甲公司'
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from graph import sqlitedb
from graph.errors import BackendUnavailable, Conflict, NotFound
from graph.model import (
    Chain,
    Cluster,
    Link,
    LinkKind,
    Organisation,
    OrgKind,
    Region,
    Segment,
    SegmentEdge,
    from_dict,
)
from graph.store import writeplan
from graph.store.graphview import build_graph
from graph.store.protocol import Batch, WriteResult
from graph.store.sqlite_write import TABLES, SqliteTarget, stored_version

if TYPE_CHECKING:
    import networkx as nx

    from graph.analysis.arrays import GraphArrays

__all__ = ["SqliteStore"]

_CHUNK = 500  # parameters per IN (...) query, well under SQLite's limit
#: lookup reads every stored id instead of probing the index once per key from one key per this many
#: organisations (a probe costs several times what reading one id does)
_SCAN_PER_KEY = 8
_CACHE_KIB = 262_144  # page cache per connection: 256 MiB keeps a 1M-firm store's indexes in memory
#: read-only connections beside the writer, so concurrent reads (the server's threads) run in parallel
#: instead of queueing on one connection's lock (WAL: readers never block the writer or each other)
_READERS = 4
_READER_CACHE_KIB = 32_768


def _chunks(items: list, size: int = _CHUNK) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _org_filters(region: str | None, segment: str | None, kind: OrgKind | None) -> tuple[list[str], list]:
    """SQL conditions (on ``orgs o``) and their parameters for the organisation filters."""
    where, params = [], []
    if region is not None:
        # ids are '/'-separated paths; '0' sorts right after '/', so the
        # half-open range is exactly "region/..." without LIKE escaping
        where.append("(o.region = ? OR (o.region >= ? AND o.region < ?))")
        params += [region, region + "/", region + "0"]
    if kind is not None:
        where.append("o.kind = ?")
        params.append(OrgKind(kind).value)
    if segment is not None:
        where.append("o.id IN (SELECT org_id FROM org_segments WHERE segment_id = ?)")
        params.append(segment)
    return where, params


class SqliteStore:
    """The embedded :class:`~graph.store.protocol.GraphStore`."""

    def __init__(self, conn: sqlite3.Connection, path: str):
        self._conn = conn
        self._path = path
        self._lock = threading.RLock()
        self._graph: tuple[int, nx.MultiDiGraph] | None = None
        self._readers: list[sqlite3.Connection] = []  # every reader opened (closed with the store)
        self._idle: list[sqlite3.Connection] = []  # readers not in use (list.pop/append are atomic)
        self._readers_lock = threading.Lock()
        self._in_tx = threading.local()
        self._closed = False
        self._firm_dates: tuple[int, list] | None = None  # (version, dates) read with the last analysis arrays

    # ------------------------------------------------------------ lifecycle
    @classmethod
    def open(cls, path: Path | str) -> SqliteStore:
        """Open (creating if needed) the store file at ``path``."""
        conn = sqlitedb.connect(path, "the embedded store", "本地数据库", synchronous="NORMAL", cache_kib=_CACHE_KIB)
        return cls._init(conn, str(path))

    @classmethod
    def memory(cls) -> SqliteStore:
        """A throw-away in-memory store (tests, doctests)."""
        return cls._init(sqlitedb.memory(), ":memory:")

    @classmethod
    def _init(cls, conn: sqlite3.Connection, path: str) -> SqliteStore:
        conn.execute("PRAGMA foreign_keys=OFF")
        schema = resources.files("graph.store").joinpath("schema.sql").read_text("utf-8")
        conn.executescript(schema)
        conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('version', '0')")
        return cls(conn, path)

    def close(self) -> None:
        with self._lock, self._readers_lock:
            self._closed = True
            for conn in self._readers:
                conn.close()
            self._readers.clear()
            self._idle.clear()
            self._conn.close()

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def path(self) -> str:
        return self._path

    @contextmanager
    def _tx(self):
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            self._in_tx.on = True  # reads of this thread see its own uncommitted writes: the writer's connection
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
            finally:
                self._in_tx.on = False

    def _open_reader(self) -> sqlite3.Connection | None:
        """A new read-only connection to the file, or None (in memory, closed, or all readers open)."""
        with self._readers_lock:
            if self._closed or self._path == ":memory:" or len(self._readers) >= _READERS:
                return None
            try:
                conn = sqlite3.connect(Path(self._path).resolve().as_uri() + "?mode=ro", uri=True,
                                       isolation_level=None, check_same_thread=False)
                conn.execute("PRAGMA busy_timeout=10000")
                conn.execute(f"PRAGMA cache_size=-{_READER_CACHE_KIB}")
            except sqlite3.Error:
                return None  # e.g. no -shm beside a read-only file: the writer's connection serves
            self._readers.append(conn)
            return conn

    @contextmanager
    def _reading(self):
        """A connection to read with: an idle reader, a new one, or the writer's under its lock.

        Readers see the last committed state, as a read under the lock did
        after the write it waited for; a thread inside :meth:`_tx` reads
        through the writer's connection, so it sees what it wrote.
        """
        conn = None
        if not getattr(self._in_tx, "on", False):
            try:
                conn = self._idle.pop()
            except IndexError:
                conn = self._open_reader()
        if conn is None:
            with self._lock:
                yield self._conn
            return
        try:
            yield conn
        finally:
            with self._readers_lock:
                if not self._closed:
                    self._idle.append(conn)

    # ------------------------------------------------------------ version
    def version(self) -> int:
        with self._reading() as conn:
            return stored_version(conn)

    # ------------------------------------------------------------ writes
    def write(self, batch: Batch) -> WriteResult:
        """Write ``batch`` in one transaction through :func:`graph.store.writeplan.execute`."""
        return self._write(batch, None)

    def write_marked(self, batch: Batch, name: str, mark: dict, entities) -> WriteResult:
        """Write ``batch`` and its import mark in one transaction (see :class:`~graph.store.protocol.ImportMarks`)."""
        return self._write(batch, (name, mark, tuple(entities)))

    def _write(self, batch: Batch, marked: tuple[str, dict, tuple[str, ...]] | None) -> WriteResult:
        try:
            with self._tx() as conn:
                result = writeplan.execute(batch, SqliteTarget(conn))
                if marked is not None and result.changed and not result.merged:
                    name, mark, entities = marked
                    mark = {**mark, "versions": self.entity_versions(entities)}  # this thread reads its own writes
                    conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                                 ("import:" + name, json.dumps(mark, ensure_ascii=False, sort_keys=True)))
                return result
        except sqlite3.IntegrityError as e:
            raise Conflict(
                f"the batch contradicts stored data: {e}", f"数据与已存储的记录冲突：{e}"
            ) from e
        except sqlite3.OperationalError as e:
            raise BackendUnavailable(f"embedded store error: {e}", f"本地数据库错误：{e}") from e

    def import_mark(self, name: str) -> dict | None:
        rows = self._rows("SELECT value FROM meta WHERE key = ?", ("import:" + name,))
        return json.loads(rows[0][0]) if rows else None

    def entity_versions(self, entities) -> dict[str, int]:
        """The change counter of each of ``entities`` (0 before its first change)."""
        keys = [f"version:{e}" for e in entities]
        rows = dict(self._rows(f"SELECT key, value FROM meta WHERE key IN ({','.join('?' * len(keys))})", keys))  # noqa: S608
        return {e: int(rows.get(f"version:{e}", 0)) for e in entities}

    def delete_organisation(self, org_id: str) -> None:
        with self._tx() as conn:
            if conn.execute("SELECT 1 FROM orgs WHERE id = ?", (org_id,)).fetchone() is None:
                raise NotFound("organisation", org_id)
            conn.execute("DELETE FROM orgs WHERE id = ?", (org_id,))
            conn.execute("DELETE FROM org_segments WHERE org_id = ?", (org_id,))
            conn.execute("DELETE FROM org_names WHERE org_id = ?", (org_id,))
            conn.execute("DELETE FROM links WHERE src = ? OR dst = ?", (org_id, org_id))
            target = SqliteTarget(conn)
            target.touched("organisations", "links")
            target.bump_version()

    # ------------------------------------------------------------ reads
    def _rows(self, sql: str, params: Iterable = ()) -> list[tuple]:
        with self._reading() as conn:
            return conn.execute(sql, tuple(params)).fetchall()

    def lookup(self, keys: Iterable[str]) -> dict[str, str]:
        keys = {k for k in keys if k}
        # a stored id answers for itself before any USCC or name (choose_lookup): ask about the rest only
        ids = self._stored_ids(keys)
        rows: list[tuple[str, str, str]] = []
        for part in _chunks(sorted(keys - ids)):
            marks = ",".join("?" * len(part))
            rows += [("uscc", u, oid) for u, oid in self._rows(f"SELECT uscc, id FROM orgs WHERE uscc IN ({marks})", part)]  # noqa: S608
            rows += [("name", n, oid) for n, oid in self._rows(f"SELECT name, org_id FROM org_names WHERE name IN ({marks})", part)]  # noqa: S608
        found = writeplan.choose_lookup(rows)
        found.update(zip(ids, ids, strict=True))  # no key of these rows is among ids
        return found

    def _stored_ids(self, keys: set[str]) -> set[str]:
        """Which of ``keys`` are stored organisation ids: an index probe per key, or, when the keys are
        many next to the organisations (an import's link ends, ~1M at 1M firms: 7.6 s of probes), one
        read of every stored id (the id index alone)."""
        if not keys:
            return set()
        with self._reading() as conn:
            top = conn.execute("SELECT max(rowid) FROM orgs").fetchone()[0] or 0  # >= the count, in a few page reads
            if len(keys) * _SCAN_PER_KEY >= top:
                return {oid for (oid,) in conn.execute("SELECT id FROM orgs") if oid in keys}
        found: set[str] = set()
        for part in _chunks(sorted(keys)):
            marks = ",".join("?" * len(part))
            found.update(oid for (oid,) in self._rows(f"SELECT id FROM orgs WHERE id IN ({marks})", part))  # noqa: S608
        return found

    def organisation(self, org_id: str) -> Organisation:
        rows = self._rows("SELECT doc FROM orgs WHERE id = ?", (org_id,))
        if not rows:
            raise NotFound("organisation", org_id)
        return from_dict(Organisation, json.loads(rows[0][0]))

    def organisations(
        self,
        *,
        region: str | None = None,
        segment: str | None = None,
        kind: OrgKind | None = None,
        ids: Iterable[str] | None = None,
    ) -> Iterator[Organisation]:
        where, params = _org_filters(region, segment, kind)
        if ids is not None:
            wanted = sorted(set(ids))
            for part in _chunks(wanted):
                yield from self._select_orgs(where + [f"o.id IN ({','.join('?' * len(part))})"], params + part)
            return
        yield from self._select_orgs(where, params)

    def organisation_page(
        self,
        *,
        region: str | None = None,
        segment: str | None = None,
        kind: OrgKind | None = None,
        offset: int = 0,
        limit: int = 20,
        total: int | None = None,
    ) -> tuple[list[Organisation], int]:
        where, params = _org_filters(region, segment, kind)
        if total is None:
            sql = "SELECT COUNT(*) FROM orgs o" + (" WHERE " + " AND ".join(where) if where else "")  # noqa: S608 - constant conditions, values are parameters
            total = int(self._rows(sql, params)[0][0])
        if limit <= 0 or offset >= total:
            return [], total
        return list(self._select_orgs(where, params, (int(limit), int(offset)))), total

    def _select_orgs(self, where: list[str], params: list,
                     page: tuple[int, int] | None = None) -> Iterator[Organisation]:
        sql = "SELECT o.doc FROM orgs o"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY o.id"
        if page is not None:
            sql += " LIMIT ? OFFSET ?"
            params = [*params, *page]
        for (doc,) in self._rows(sql, params):
            yield from_dict(Organisation, json.loads(doc))

    def links(self, *, kind: LinkKind | None = None, org: str | None = None) -> Iterator[Link]:
        where, params = [], []
        if kind is not None:
            where.append("kind = ?")
            params.append(LinkKind(kind).value)
        if org is not None:
            where.append("(src = ? OR dst = ?)")
            params += [org, org]
        sql = "SELECT doc FROM links"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id"
        for (doc,) in self._rows(sql, params):
            yield from_dict(Link, json.loads(doc))

    def _all(self, table: str, cls):
        sql = f"SELECT doc FROM {table} ORDER BY id"  # noqa: S608 - table is a constant
        return [from_dict(cls, json.loads(doc)) for (doc,) in self._rows(sql)]

    def segments(self) -> list[Segment]:
        return self._all("segments", Segment)

    def segment_edges(self) -> list[SegmentEdge]:
        return self._all("segment_edges", SegmentEdge)

    def chains(self) -> list[Chain]:
        return self._all("chains", Chain)

    def clusters(self) -> list[Cluster]:
        return self._all("clusters", Cluster)

    def regions(self) -> list[Region]:
        return self._all("regions", Region)

    def counts(self) -> dict[str, int]:
        return {
            name: self._rows(f"SELECT COUNT(*) FROM {table}")[0][0]  # noqa: S608 - tables are constants
            for name, table in TABLES.items()
        }

    def analysis_arrays(self) -> GraphArrays:
        """The columnar view for analysis, read with SQL (:mod:`graph.store.sqlite_aggregates`);
        the :class:`~graph.store.protocol.ColumnarArrays` capability."""
        from graph.store.sqlite_aggregates import load_view

        with self._lock:
            v = stored_version(self._conn)
            arrays, dates = load_view(self._conn)
            self._firm_dates = (v, dates)  # the entry context's, from the same scan (load_firm_dates)
            return arrays

    def take_firm_dates(self) -> list | None:
        """The firm dates read with the last :meth:`analysis_arrays` if the store has not changed since
        (handed out once, then dropped); ``None`` otherwise."""
        with self._lock:
            kept, self._firm_dates = self._firm_dates, None
            if kept is None or kept[0] != stored_version(self._conn):
                return None
            return kept[1]

    def graph(self) -> nx.MultiDiGraph:
        v = self.version()
        if self._graph is None or self._graph[0] != v:
            g = build_graph(self.segments(), self.segment_edges(), self.organisations(), self.links())
            self._graph = (v, g)
        return self._graph[1]



