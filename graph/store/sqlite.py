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

import networkx as nx

from graph import sqlitedb
from graph.errors import BackendUnavailable, Conflict, InvalidInput, NotFound
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
    city_key,
    from_dict,
    normalise_name,
)
from graph.store.graphview import build_graph
from graph.store.protocol import Batch, WriteResult
from graph.store.sqlite_bulk import bulk_indexes, is_empty, plan_chunks
from graph.store.validate import check_batch, remap_batch

__all__ = ["SqliteStore"]

_CHUNK = 500  # parameters per IN (...) query, well under SQLite's limit
_CACHE_KIB = 262_144  # page cache per connection: 256 MiB keeps a 1M-firm store's indexes in memory


def _chunks(items: list, size: int = _CHUNK) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# simple entities: (batch attribute, table, class, id of a record)
_SIMPLE = (
    ("regions", "regions", Region, lambda r: r.id),
    ("clusters", "clusters", Cluster, lambda r: r.id),
    ("chains", "chains", Chain, lambda r: r.id),
    ("segments", "segments", Segment, lambda r: r.id),
)


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
        with self._lock:
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
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")

    # ------------------------------------------------------------ version
    def version(self) -> int:
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE key='version'").fetchone()
        return int(row[0])

    def _bump(self, conn: sqlite3.Connection) -> int:
        conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key='version'")
        return int(conn.execute("SELECT value FROM meta WHERE key='version'").fetchone()[0])

    # ------------------------------------------------------------ writes
    def write(self, batch: Batch) -> WriteResult:
        """Write ``batch`` in one transaction (see the module docstring)."""
        try:
            return self._write(batch)
        except sqlite3.IntegrityError as e:
            raise Conflict(
                f"the batch contradicts stored data: {e}", f"数据与已存储的记录冲突：{e}"
            ) from e
        except sqlite3.OperationalError as e:
            raise BackendUnavailable(f"embedded store error: {e}", f"本地数据库错误：{e}") from e

    def _write(self, batch: Batch) -> WriteResult:
        with self._tx() as conn:
            merged = self._dedupe(conn, batch)
            if merged:
                stored = {
                    o.id: o
                    for o in self._select_orgs_in(conn, sorted(set(merged.values())))
                }
                batch = remap_batch(batch, merged, stored)
            problems = check_batch(batch, self._known(conn, batch))
            if problems:
                raise InvalidInput(
                    f"{len(problems)} problem(s) in the batch; nothing written",
                    f"批量数据有 {len(problems)} 处问题，未写入任何数据",
                    problems,
                )
            result = WriteResult(merged=merged)
            for attr, table, _cls, ident in _SIMPLE:
                self._upsert_simple(conn, table, attr, getattr(batch, attr), ident, result)
            self._upsert_edges(conn, batch.segment_edges, result)
            self._upsert_orgs(conn, batch.organisations, result)
            self._upsert_links(conn, batch.links, result)
            result.version = self._bump(conn) if result.changed else self._version_in(conn)
        return result

    def _version_in(self, conn: sqlite3.Connection) -> int:
        return int(conn.execute("SELECT value FROM meta WHERE key='version'").fetchone()[0])

    def _plan(self, conn, table, attr, records, ident, result, empty=False) -> Iterator[list[tuple]]:
        """Chunks of rows to write; counts inserted/updated/unchanged into ``result``."""
        counts = [0, 0, 0]
        yield from plan_chunks(conn, table, records, ident, counts, empty=empty)
        for counter, n in zip((result.inserted, result.updated, result.unchanged), counts, strict=True):
            if n:
                counter[attr] = counter.get(attr, 0) + n

    def _upsert_simple(self, conn, table, attr, records, ident, result) -> None:
        if not records:
            return
        sql = f"INSERT OR REPLACE INTO {table}(id, doc, hash) VALUES (?, ?, ?)"  # noqa: S608
        for rows in self._plan(conn, table, attr, records, ident, result):
            conn.executemany(sql, [(rid, text, h) for rid, _r, text, h in rows])

    def _upsert_edges(self, conn, edges: list[SegmentEdge], result) -> None:
        if not edges:
            return

        def ident(e):
            return f"{e.upstream}>{e.downstream}"

        for rows in self._plan(conn, "segment_edges", "segment_edges", edges, ident, result):
            conn.executemany(
                "INSERT OR REPLACE INTO segment_edges(id, upstream, downstream, doc, hash)"
                " VALUES (?, ?, ?, ?, ?)",
                [(rid, e.upstream, e.downstream, text, h) for rid, e, text, h in rows],
            )

    def _upsert_orgs(self, conn, orgs: list[Organisation], result) -> None:
        if not orgs:
            return
        empty = is_empty(conn, "orgs")
        with bulk_indexes(conn, "orgs", len(orgs), empty), \
                bulk_indexes(conn, "org_segments", len(orgs), empty and is_empty(conn, "org_segments")):
            for rows in self._plan(conn, "orgs", "organisations", orgs, lambda o: o.id, result, empty):
                self._write_orgs(conn, rows, empty)

    def _write_orgs(self, conn, rows: list[tuple], empty: bool) -> None:
        if not empty:
            ids = [rid for rid, *_ in rows]
            for part in _chunks(ids):
                marks = ",".join("?" * len(part))
                conn.execute(f"DELETE FROM org_segments WHERE org_id IN ({marks})", part)  # noqa: S608
                conn.execute(f"DELETE FROM org_names WHERE org_id IN ({marks})", part)  # noqa: S608
        conn.executemany(
            "INSERT OR REPLACE INTO orgs(id, kind, uscc, name_key, city_key, region, doc, hash)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    o.id,
                    o.kind.value,
                    o.uscc,
                    normalise_name(o.name_zh or o.name_en),
                    city_key(o.region),
                    o.region,
                    text,
                    h,
                )
                for _rid, o, text, h in rows
            ],
        )
        conn.executemany(
            "INSERT OR REPLACE INTO org_segments(org_id, segment_id, status) VALUES (?, ?, ?)",
            [(o.id, m.segment, m.status.value) for _rid, o, _t, _h in rows for m in o.segments],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO org_names(name, org_id) VALUES (?, ?)",
            [(n, o.id) for _rid, o, _t, _h in rows for n in {o.name_zh, o.name_en} if n],
        )

    def _upsert_links(self, conn, links: list[Link], result) -> None:
        if not links:
            return
        empty = is_empty(conn, "links")
        with bulk_indexes(conn, "links", len(links), empty):
            for rows in self._plan(conn, "links", "links", links, lambda x: x.id, result, empty):
                conn.executemany(
                    "INSERT OR REPLACE INTO links(id, kind, src, dst, since, doc, hash)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [(x.id, x.kind.value, x.src, x.dst, x.since, text, h) for _rid, x, text, h in rows],
                )

    def _dedupe(self, conn, batch: Batch) -> dict[str, str]:
        """Incoming org ids that denote an already stored org (by USCC, else name+city)."""
        new = [o for o in batch.organisations]
        if not new:
            return {}
        existing = set()
        for part in _chunks([o.id for o in new]):
            marks = ",".join("?" * len(part))
            existing.update(
                r[0]
                for r in conn.execute(f"SELECT id FROM orgs WHERE id IN ({marks})", part)  # noqa: S608
            )
        candidates = [o for o in new if o.id not in existing]
        merged: dict[str, str] = {}
        by_uscc = [o for o in candidates if o.uscc]
        for part in _chunks(by_uscc):
            marks = ",".join("?" * len(part))
            found = dict(
                conn.execute(
                    f"SELECT uscc, id FROM orgs WHERE uscc IN ({marks})",  # noqa: S608
                    [o.uscc for o in part],
                ).fetchall()
            )
            for o in part:
                if o.uscc in found:
                    merged[o.id] = found[o.uscc]
        by_name = [o for o in candidates if not o.uscc]
        for part in _chunks(by_name):
            keys = [(normalise_name(o.name_zh or o.name_en), city_key(o.region)) for o in part]
            marks = ",".join("?" * len(part))
            found = {
                (nk, ck): oid
                for oid, nk, ck in conn.execute(
                    f"SELECT id, name_key, city_key FROM orgs WHERE name_key IN ({marks})",  # noqa: S608
                    [k[0] for k in keys],
                )
            }
            for o, k in zip(part, keys, strict=True):
                if k in found:
                    merged[o.id] = found[k]
        return merged

    def _known(self, conn, batch: Batch):
        """Ids referenced by the batch that exist in the store."""
        wanted_orgs = {x for link in batch.links for x in (link.src, link.dst)}
        wanted_segs = {m.segment for o in batch.organisations for m in o.segments}
        wanted_segs |= {x for e in batch.segment_edges for x in (e.upstream, e.downstream)}
        wanted_segs |= {s for c in batch.chains for s in c.segments}
        wanted_segs |= {s.parent for s in batch.segments if s.parent}
        owners: dict[str, str] = {}
        usccs = sorted({o.uscc for o in batch.organisations if o.uscc})
        for part in _chunks(usccs):
            marks = ",".join("?" * len(part))
            sql = f"SELECT uscc, id FROM orgs WHERE uscc IN ({marks})"  # noqa: S608
            owners.update(conn.execute(sql, part).fetchall())
        return {
            "organisations": self._existing(conn, "orgs", wanted_orgs),
            "segments": self._existing(conn, "segments", wanted_segs),
            "uscc_owners": owners,
        }

    def _select_orgs_in(self, conn, ids: list[str]) -> Iterator[Organisation]:
        for part in _chunks(ids):
            marks = ",".join("?" * len(part))
            sql = f"SELECT doc FROM orgs WHERE id IN ({marks})"  # noqa: S608
            for (doc,) in conn.execute(sql, part):
                yield from_dict(Organisation, json.loads(doc))

    def _existing(self, conn, table: str, ids: set[str]) -> set[str]:
        out: set[str] = set()
        for part in _chunks(sorted(ids)):
            marks = ",".join("?" * len(part))
            sql = f"SELECT id FROM {table} WHERE id IN ({marks})"  # noqa: S608
            out.update(r[0] for r in conn.execute(sql, part))
        return out

    def delete_organisation(self, org_id: str) -> None:
        with self._tx() as conn:
            if conn.execute("SELECT 1 FROM orgs WHERE id = ?", (org_id,)).fetchone() is None:
                raise NotFound("organisation", org_id)
            conn.execute("DELETE FROM orgs WHERE id = ?", (org_id,))
            conn.execute("DELETE FROM org_segments WHERE org_id = ?", (org_id,))
            conn.execute("DELETE FROM org_names WHERE org_id = ?", (org_id,))
            conn.execute("DELETE FROM links WHERE src = ? OR dst = ?", (org_id, org_id))
            self._bump(conn)

    # ------------------------------------------------------------ reads
    def _rows(self, sql: str, params: Iterable = ()) -> list[tuple]:
        with self._lock:
            return self._conn.execute(sql, tuple(params)).fetchall()

    def lookup(self, keys: Iterable[str]) -> dict[str, str]:
        keys = sorted({k for k in keys if k})
        out: dict[str, str] = {}
        for part in _chunks(keys):
            marks = ",".join("?" * len(part))
            for (oid,) in self._rows(f"SELECT id FROM orgs WHERE id IN ({marks})", part):  # noqa: S608
                out[oid] = oid
            for uscc, oid in self._rows(
                f"SELECT uscc, id FROM orgs WHERE uscc IN ({marks})", part  # noqa: S608
            ):
                out.setdefault(uscc, oid)
            names: dict[str, set[str]] = {}
            for name, oid in self._rows(
                f"SELECT name, org_id FROM org_names WHERE name IN ({marks})", part  # noqa: S608
            ):
                names.setdefault(name, set()).add(oid)
            for name, oids in names.items():
                if len(oids) == 1:
                    out.setdefault(name, next(iter(oids)))
        return out

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
    ) -> tuple[list[Organisation], int]:
        where, params = _org_filters(region, segment, kind)
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
        tables = {
            "regions": "regions",
            "clusters": "clusters",
            "chains": "chains",
            "segments": "segments",
            "segment_edges": "segment_edges",
            "organisations": "orgs",
            "links": "links",
        }
        return {
            name: self._rows(f"SELECT COUNT(*) FROM {table}")[0][0]  # noqa: S608
            for name, table in tables.items()
        }

    def graph(self) -> nx.MultiDiGraph:
        v = self.version()
        if self._graph is None or self._graph[0] != v:
            g = build_graph(self.segments(), self.segment_edges(), self.organisations(), self.links())
            self._graph = (v, g)
        return self._graph[1]



