"""The Neo4j store: the same :class:`~graph.store.protocol.GraphStore` on a Neo4j 5 server.

Semantics equal :class:`~graph.store.sqlite.SqliteStore`'s, so one contract
suite runs on both: every :meth:`Neo4jStore.write` is one managed transaction
that locks the store's meta node and runs the one write pipeline of both
stores, :func:`graph.store.writeplan.execute` (dedupe by USCC, else
normalised name + city; reference checks; nothing written if anything is
wrong; content hashes make re-writing unchanged records a no-op that keeps
the version) over :class:`~graph.store.neo4j_write.Neo4jTarget`. The graph
layout and every Cypher statement live in :mod:`graph.store.cypher`
(chain-analysis aggregates, computed on the server:
:mod:`graph.store.cypher_analysis`). :meth:`Neo4jStore.write_chunked` writes
batches too large for one transaction, giving up all-or-nothing.

The driver retries managed transactions on transient errors and lost
connections for up to ``retry_seconds``; after that, and whenever the server
cannot be reached, calls raise :class:`~graph.errors.BackendUnavailable`. The
driver reconnects by itself, so the same store works again once the server
is back.

A server for development and tests: ``eval "$(scripts/neo4j-start.sh)"``.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from neo4j import Driver, GraphDatabase, ManagedTransaction
from neo4j.exceptions import (
    AuthError,
    ClientError,
    ConfigurationError,
    ConnectionPoolError,
    ConstraintError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

from graph.errors import BackendUnavailable, ConfigError, Conflict, InvalidInput, NotFound
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
from graph.settings import Settings
from graph.store import cypher, writeplan
from graph.store.cypher import Query
from graph.store.graphview import build_graph
from graph.store.neo4j_write import Neo4jTarget
from graph.store.protocol import Batch, WriteResult

if TYPE_CHECKING:
    import networkx as nx

    from graph.analysis.aggregates import ChainAggregates
    from graph.analysis.leaders import LeaderInputs
    from graph.store.neo4j_recommend import RecommendScope

__all__ = ["Neo4jStore"]

_CHUNK = 5_000  # rows per UNWIND statement
_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
_UNAVAILABLE = (ServiceUnavailable, SessionExpired, ConnectionPoolError, TransientError)


def _chunks(items: list, size: int = _CHUNK) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _run(tx: ManagedTransaction, q: Query) -> list[dict[str, Any]]:
    return [r.data() for r in tx.run(q.text, q.params)]


def _guarded(method: Callable) -> Callable:
    """Map the driver's connection errors to ``BackendUnavailable`` and
    constraint violations to ``Conflict``."""

    @functools.wraps(method)
    def wrapper(self: Neo4jStore, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except _UNAVAILABLE as e:
            raise self._unavailable(e) from e
        except ConstraintError as e:
            raise Conflict(
                f"the batch contradicts stored data: {e.message}",
                f"数据与已存储的记录冲突：{e.message}",
            ) from e

    return wrapper


class Neo4jStore:
    """A :class:`~graph.store.protocol.GraphStore` on Neo4j; build with :meth:`connect`."""

    def __init__(self, driver: Driver, database: str, uri: str):
        self._driver = driver
        self._database = database
        self._uri = uri
        self._lock = threading.Lock()
        self._graph: tuple[tuple[str, int], nx.MultiDiGraph] | None = None
        self._kept: dict[str, tuple[tuple[str, int], Any]] = {}  # figures kept per version (_per_version)

    # ------------------------------------------------------------ lifecycle
    @classmethod
    def connect(
        cls,
        settings: Settings,
        *,
        retry_seconds: float = 5.0,
        connect_timeout: float = 5.0,
    ) -> Neo4jStore:
        """Connect to ``settings.neo4j_uri``, check it answers, create the schema.

        Raises ``BackendUnavailable`` when the server cannot be reached and
        ``ConfigError`` for a bad URI, refused credentials or a missing database.
        """
        uri = settings.neo4j_uri
        if not uri:
            raise ConfigError("no Neo4j URI: set CHAINMATCH_NEO4J_URI", "未设置 CHAINMATCH_NEO4J_URI")
        scheme = uri.split("://", 1)[0].lower() if "://" in uri else ""
        if scheme not in _SCHEMES:
            raise ConfigError(
                f"bad Neo4j URI {uri!r}: expected one of {', '.join(s + '://' for s in _SCHEMES)}",
                f"Neo4j 地址无效 {uri!r}：应以 {', '.join(s + '://' for s in _SCHEMES)} 开头",
            )
        try:
            driver = GraphDatabase.driver(
                uri,
                auth=(settings.neo4j_user, settings.neo4j_password.get_secret_value()),
                max_transaction_retry_time=retry_seconds,
                connection_timeout=connect_timeout,
                connection_acquisition_timeout=connect_timeout * 2,
                # "unknown label/property" warnings only mean an empty database
                notifications_disabled_classifications=["UNRECOGNIZED"],
            )
        except (ValueError, ConfigurationError) as e:
            raise ConfigError(f"bad Neo4j URI {uri!r}: {e}", f"Neo4j 地址无效 {uri!r}：{e}") from e
        store = cls(driver, settings.neo4j_database, uri)
        try:
            driver.verify_connectivity()
            store._ensure_schema()
        except _UNAVAILABLE as e:
            driver.close()
            raise store._unavailable(e) from e
        except AuthError as e:
            driver.close()
            raise ConfigError(
                f"Neo4j at {uri} refused the credentials of user {settings.neo4j_user!r}"
                " (CHAINMATCH_NEO4J_USER / CHAINMATCH_NEO4J_PASSWORD)",
                f"Neo4j 服务器 {uri} 拒绝了用户 {settings.neo4j_user!r} 的凭据"
                "（CHAINMATCH_NEO4J_USER / CHAINMATCH_NEO4J_PASSWORD）",
            ) from e
        except ClientError as e:
            driver.close()
            raise ConfigError(
                f"Neo4j at {uri} refused to set up database {settings.neo4j_database!r}"
                f" (CHAINMATCH_NEO4J_DATABASE; Neo4j 5.7+ is needed): {e.message}",
                f"Neo4j 服务器 {uri} 无法初始化数据库 {settings.neo4j_database!r}"
                f"（CHAINMATCH_NEO4J_DATABASE；需要 Neo4j 5.7 及以上）：{e.message}",
            ) from e
        return store

    def _unavailable(self, e: Exception) -> BackendUnavailable:
        why = " ".join(str(e).split()) or type(e).__name__
        if isinstance(e, TransientError):  # the server answered but could not finish
            message = getattr(e, "message", None) or why
            return BackendUnavailable(
                f"Neo4j at {self._uri} could not complete the request after retrying: {message}"
                " (for a memory limit: write smaller batches or give the server more heap)",
                f"Neo4j 服务器 {self._uri} 重试后仍无法完成请求：{message}"
                "（若是内存上限：请分批写入或增加服务器堆内存）",
            )
        return BackendUnavailable(
            f"Neo4j at {self._uri} is unavailable ({why}); is the server running?"
            " (scripts/neo4j-start.sh starts a local one; CHAINMATCH_NEO4J_URI points elsewhere)",
            f"无法连接 Neo4j 服务器 {self._uri}（{why}）：服务器是否已启动？"
            "（scripts/neo4j-start.sh 可启动本地服务器；CHAINMATCH_NEO4J_URI 指定其他服务器）",
        )

    def _ensure_schema(self) -> None:
        with self._driver.session(database=self._database) as session:
            for q in cypher.schema():
                session.run(q.text, q.params).consume()
            q = cypher.await_indexes()
            session.run(q.text, q.params).consume()
            session.execute_write(lambda tx: _run(tx, cypher.lock_store()))

    def close(self) -> None:
        self._driver.close()

    def __enter__(self) -> Neo4jStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def path(self) -> str:
        """Where the store lives: the server's URI."""
        return self._uri

    def _read(self, fn: Callable[[ManagedTransaction], Any]) -> Any:
        with self._driver.session(database=self._database) as session:
            return session.execute_read(fn)

    def _write_tx(self, fn: Callable[[ManagedTransaction], Any]) -> Any:
        with self._driver.session(database=self._database) as session:
            return session.execute_write(fn)

    def _docs(self, q: Query) -> list[str]:
        return self._read(lambda tx: [r["doc"] for r in _run(tx, q)])

    @_guarded
    def wipe(self) -> None:
        """Delete every chainmatch record (tests); the version moves on."""
        with self._driver.session(database=self._database) as session:
            for lab in cypher.LABELS.values():
                q = cypher.wipe_label(lab)
                while session.execute_write(lambda tx, q=q: _run(tx, q)[0]["deleted"]):
                    pass

            def bump(tx):
                _run(tx, cypher.lock_store())
                _run(tx, cypher.bump_version())

            session.execute_write(bump)
        self._graph = None

    # ------------------------------------------------------------ version
    def _stamp(self, tx: ManagedTransaction) -> tuple[str, int]:
        rows = _run(tx, cypher.read_version())
        if not rows:
            return ("", 0)
        return (rows[0]["epoch"] or "", int(rows[0]["version"]))

    @_guarded
    def version(self) -> int:
        return self._read(self._stamp)[1]

    # ------------------------------------------------------------ writes
    @_guarded
    def write(self, batch: Batch) -> WriteResult:
        """Write ``batch`` in one transaction (see the module docstring)."""
        return self._write_tx(lambda tx: writeplan.execute(batch, Neo4jTarget(functools.partial(_run, tx))))

    def write_chunked(self, batch: Batch, chunk: int = 20_000,
                      progress: Callable[[int, int], None] | None = None) -> WriteResult:
        """Write a large ``batch`` as several transactions; NOT all-or-nothing.

        For imports and benchmarks whose one transaction would exceed the
        server's transaction memory (100k firms with 500k links do, on the
        1 GiB heap of ``scripts/neo4j-start.sh``). The catalogue (regions,
        clusters, chains, segments, segment edges) is written first in one
        transaction, then organisations and then links, ``chunk`` records per
        transaction, each validated and deduplicated like :meth:`write`
        against what is stored by then (links are re-pointed at organisations
        merged by an earlier chunk). If a chunk fails, the chunks before it
        stay written and the error is raised; writing the same batch again
        finishes the job (unchanged records are no-ops). ``progress(done,
        total)`` is called after each chunk.
        """
        if chunk < 1:
            raise InvalidInput(f"chunk must be positive, got {chunk}", f"分块大小必须为正数，当前为 {chunk}")
        head = Batch(regions=batch.regions, clusters=batch.clusters, chains=batch.chains,
                     segments=batch.segments, segment_edges=batch.segment_edges)
        parts = [head] if len(head) else []
        parts += [Batch(organisations=p) for p in _chunks(batch.organisations, chunk)]
        parts += [Batch(links=p) for p in _chunks(batch.links, chunk)]
        total = WriteResult(version=self.version())
        done = 0
        for part in parts:
            if total.merged and part.links:
                part = Batch(links=[
                    dataclasses.replace(x, src=total.merged.get(x.src, x.src), dst=total.merged.get(x.dst, x.dst))
                    for x in part.links
                ])
            result = self.write(part)
            for mine, theirs in ((total.inserted, result.inserted), (total.updated, result.updated),
                                 (total.unchanged, result.unchanged)):
                for k, n in theirs.items():
                    mine[k] = mine.get(k, 0) + n
            total.merged.update(result.merged)
            total.version = result.version
            done += len(part)
            if progress is not None:
                progress(done, len(batch))
        return total

    @_guarded
    def delete_organisation(self, org_id: str) -> None:
        def work(tx: ManagedTransaction) -> None:
            _run(tx, cypher.lock_store())
            if not _run(tx, cypher.delete_organisation(org_id))[0]["deleted"]:
                raise NotFound("organisation", org_id)
            _run(tx, cypher.bump_version())

        self._write_tx(work)

    # ------------------------------------------------------------ reads
    @_guarded
    def lookup(self, keys: Iterable[str]) -> dict[str, str]:
        wanted = sorted({k for k in keys if k})
        if not wanted:
            return {}
        rows = self._read(lambda tx: _run(tx, cypher.lookup(wanted)))
        return writeplan.choose_lookup((r["how"], r["key"], r["id"]) for r in rows)

    @_guarded
    def organisation(self, org_id: str) -> Organisation:
        docs = self._docs(cypher.read_organisation(org_id))
        if not docs:
            raise NotFound("organisation", org_id)
        return from_dict(Organisation, json.loads(docs[0]))

    @_guarded
    def organisations(
        self,
        *,
        region: str | None = None,
        segment: str | None = None,
        kind: OrgKind | None = None,
        ids: Iterable[str] | None = None,
    ) -> Iterator[Organisation]:
        q = cypher.read_organisations(region=region, segment=segment, kind=kind, ids=ids)
        return iter([from_dict(Organisation, json.loads(d)) for d in self._docs(q)])

    @_guarded
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
        if total is None:
            count = cypher.count_organisations(region=region, segment=segment, kind=kind)
            total = int(self._read(lambda tx: _run(tx, count)[0]["total"]))
        if limit <= 0 or offset >= total:
            return [], total
        q = cypher.read_organisation_page(region=region, segment=segment, kind=kind, offset=offset, limit=limit)
        return [from_dict(Organisation, json.loads(d)) for d in self._docs(q)], total

    @_guarded
    def links(self, *, kind: LinkKind | None = None, org: str | None = None) -> Iterator[Link]:
        docs = self._docs(cypher.read_links(kind=kind, org=org))
        return iter([from_dict(Link, json.loads(d)) for d in docs])

    def _all(self, entity: str, cls) -> list:
        return [from_dict(cls, json.loads(d)) for d in self._docs(cypher.read_docs(entity))]

    @_guarded
    def segments(self) -> list[Segment]:
        return self._all("segments", Segment)

    @_guarded
    def segment_edges(self) -> list[SegmentEdge]:
        docs = self._docs(cypher.read_segment_edges())
        return [from_dict(SegmentEdge, json.loads(d)) for d in docs]

    @_guarded
    def chains(self) -> list[Chain]:
        return self._all("chains", Chain)

    @_guarded
    def clusters(self) -> list[Cluster]:
        return self._all("clusters", Cluster)

    @_guarded
    def regions(self) -> list[Region]:
        return self._all("regions", Region)

    @_guarded
    def counts(self) -> dict[str, int]:
        queries = cypher.counts()
        return self._read(lambda tx: {k: _run(tx, q)[0]["n"] for k, q in queries.items()})

    @_guarded
    def graph(self) -> nx.MultiDiGraph:
        """The networkx view, rebuilt when the version (or epoch) changes.

        Pulls every record. Chain analysis does not use it: it asks
        :meth:`analysis_aggregates` and :meth:`analysis_leader_inputs`.
        """
        stamp = self._read(self._stamp)
        with self._lock:
            if self._graph is not None and self._graph[0] == stamp:
                return self._graph[1]

        def snapshot(tx: ManagedTransaction):
            def docs(q: Query) -> list[dict]:
                return [json.loads(r["doc"]) for r in _run(tx, q)]

            return (
                self._stamp(tx),
                [from_dict(Segment, d) for d in docs(cypher.read_docs("segments"))],
                [from_dict(SegmentEdge, d) for d in docs(cypher.read_segment_edges())],
                [from_dict(Organisation, d) for d in docs(cypher.read_organisations())],
                [from_dict(Link, d) for d in docs(cypher.read_links())],
            )

        stamp, segs, edges, orgs, links = self._read(snapshot)
        g = build_graph(segs, edges, orgs, links)
        with self._lock:
            self._graph = (stamp, g)
        return g

    # ------------------------------------------------------------ analysis pushdown
    @_guarded
    def analysis_aggregates(
        self, region: str, segments: Iterable[str] | None = None, *, cap: int | None = None
    ) -> ChainAggregates:
        """Chain-analysis aggregates for ``region``, computed in Cypher in one read transaction.

        The pushdown seam of :class:`graph.analysis.service.Analyst`: counts,
        sums and capped top lists per segment come from the server
        (:mod:`graph.store.cypher_analysis`), never the whole graph. Equal to
        :func:`graph.analysis.fast.aggregates_from_arrays` on the same data;
        ``cap`` (default :data:`graph.analysis.aggregates.CAP`) bounds the id lists.
        """
        from graph.analysis.aggregates import CAP
        from graph.store import neo4j_analysis

        segs = None if segments is None else frozenset(segments)

        def work(tx: ManagedTransaction):
            run = functools.partial(_run, tx)
            return neo4j_analysis.aggregates(run, region, segs, self._counts_by_region(tx),
                                             cap=CAP if cap is None else cap)

        return self._read(work)

    def _per_version(self, tx: ManagedTransaction, name: str, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per store version (and epoch) under ``name``: region-independent figures."""
        stamp = self._stamp(tx)
        with self._lock:
            hit = self._kept.get(name)
            if hit is not None and hit[0] == stamp:
                return hit[1]
        value = compute()
        with self._lock:
            self._kept[name] = (stamp, value)
        return value

    def _counts_by_region(self, tx: ManagedTransaction) -> list:
        """Member firms per (region, segment): region-independent, kept per store version."""
        from graph.store import cypher_analysis

        return self._per_version(tx, "member_counts", lambda: [
            (r["region"], tuple(r["landed"] or ()), r["segment"], int(r["n"]))
            for r in _run(tx, cypher_analysis.member_counts())])

    @_guarded
    def recommend_scope(self, region: str, segments: Iterable[str], extra_local: Iterable[str] = ()) -> RecommendScope:
        """What a target ranking in ``region`` for ``segments`` reads, gathered in Cypher in one read transaction.

        The recommendation seam (:class:`~graph.store.protocol.RecommendPushdown`):
        the focus segments' member firms, their ties and the whole-graph
        figures they need (:mod:`graph.store.neo4j_recommend`); no records.
        """
        from graph.store import cypher_recommend, neo4j_recommend

        focus, extra = frozenset(segments), frozenset(extra_local)

        def work(tx: ManagedTransaction):
            def as_of():
                return self._per_version(tx, "as_of", lambda: _run(tx, cypher_recommend.links_as_of())[0]["as_of"])

            return neo4j_recommend.scope(functools.partial(_run, tx), region, focus, extra, lambda: self._rank(tx),
                                         as_of)

        return self._read(work)

    def _rank(self, tx: ManagedTransaction) -> tuple:
        """Supply PageRank of the whole graph (:func:`~graph.store.neo4j_recommend.supply_rank`), kept per version."""
        from graph.store import cypher_recommend, neo4j_recommend

        def compute():
            n = int(_run(tx, cypher_recommend.org_count())[0]["n"])
            return neo4j_recommend.supply_rank(n, _run(tx, cypher_recommend.supply_edges()))

        return self._per_version(tx, "supply_rank", compute)

    @_guarded
    def analysis_leader_inputs(self, chain: Chain) -> LeaderInputs:
        """The chain's member firms and the supplies among them (for leader ranking), from Cypher."""
        from graph.store import neo4j_analysis

        return self._read(lambda tx: neo4j_analysis.leader_inputs(functools.partial(_run, tx), chain))

    @_guarded
    def run_query(self, q: Query, *, write: bool = False) -> list[dict[str, Any]]:
        """Run one statement built by a ``cypher*`` module in a managed transaction.

        For companions that keep derived data in the same database (the
        vector index of :mod:`matching.neo4j_vectors`); never bumps the
        store version. Connection errors raise ``BackendUnavailable``.
        """
        return (self._write_tx if write else self._read)(lambda tx: _run(tx, q))
