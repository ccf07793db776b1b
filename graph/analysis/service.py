"""The chain analyses over a store, cached per store version (what the CLI and API call).

Not an analysis itself: it picks where the aggregates come from, calls the
pure functions and caches their results with
:class:`~graph.analysis.cache.ResultCache` (as JSON, :func:`~graph.analysis.results.to_json`).
Every method returns a dataclass of :mod:`graph.analysis.results`. Sources, best first:

1. a store that computes aggregates itself
   (:class:`~graph.store.protocol.AnalysisPushdown`: methods
   ``analysis_aggregates(region, segments) -> ChainAggregates`` and
   ``analysis_leader_inputs(chain) -> LeaderInputs``, e.g. Cypher on Neo4j);
2. a store that reads the columns straight from storage
   (:class:`~graph.store.protocol.ColumnarArrays`, e.g. the embedded SQLite
   store's tables into numpy, :mod:`graph.store.sqlite_aggregates`), the
   arrays kept as a directory of ``.npy`` files beside the result cache for
   large stores and memory-mapped by the next process;
3. any other store: its networkx view (:func:`graph.analysis.aggregates.chain_aggregates`).

Examples
--------
>>> from fixtures.world import sample_store
>>> an = Analyst.for_store(sample_store())
>>> out = an.gaps("深圳", "动漫游戏")
>>> [(g.kind.zh, g.segment) for g in out.gaps][:1], out.meta.cached
([('补链', 'seg:game_engine')], False)
>>> again = an.gaps("深圳", "动漫游戏")
>>> again.meta.cached, again.gaps == out.gaps
(True, True)
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar

from graph.analysis.aggregates import ChainAggregates, chain_aggregates
from graph.analysis.cache import ResultCache, code_fingerprint
from graph.analysis.chainmap import chain_map
from graph.analysis.compare import compare
from graph.analysis.dependence import dependence
from graph.analysis.entryfeatures import EntryContext, entry_context
from graph.analysis.gaps import gaps, segment_statuses
from graph.analysis.leaders import LeaderInputs, leader_inputs, leader_inputs_from_arrays, leaders
from graph.analysis.results import (
    ChainMapResult,
    ChainRef,
    CompareResult,
    DependenceResult,
    GapsResult,
    LeadersResult,
    RegionRef,
    ResultMeta,
    from_json,
    to_json,
)
from graph.analysis.rules import DEFAULT_RULES, GapRules
from graph.atomic import atomic_file
from graph.errors import InvalidInput
from graph.model import Chain
from graph.resolve import ALL_CHAINS, resolve_chain, resolve_region

__all__ = ["Source", "GraphSource", "ArraySource", "StoreSource", "Analyst", "ARRAYS_CACHE_MIN_ORGS",
           "ENTRY_CONTEXT_MAX_ORGS"]

T = TypeVar("T")

#: stores with at least this many organisations keep their array view on disk (a directory of .npy files)
ARRAYS_CACHE_MIN_ORGS = 20_000
#: firm dates (momentum of the entry parts) are read from stores up to this size; larger ones go without
ENTRY_CONTEXT_MAX_ORGS = 200_000


class Source(Protocol):
    """Where aggregates come from."""

    def chains(self) -> list[Chain]: ...

    def segment_ids(self) -> list[str]: ...

    def edges(self) -> list[tuple[str, str, float]]: ...

    def aggregates(self, region: str, segments: frozenset[str] | None) -> ChainAggregates: ...

    def leader_inputs(self, chain: Chain) -> LeaderInputs: ...


class GraphSource:
    """Aggregates from a networkx view (the reference implementation)."""

    def __init__(self, g, chains: list[Chain]):
        self.g, self._chains = g, chains

    def chains(self) -> list[Chain]:
        return self._chains

    def segment_ids(self) -> list[str]:
        return sorted(n for n, d in self.g.nodes(data=True) if d.get("type") == "segment")

    def edges(self) -> list[tuple[str, str, float]]:
        return [(u, v, d.get("weight", 1.0)) for u, v, d in self.g.edges(data=True) if d.get("kind") == "upstream_of"]

    def aggregates(self, region, segments):
        return chain_aggregates(self.g, region, segments)

    def leader_inputs(self, chain):
        return leader_inputs(self.g, chain)


class ArraySource:
    """Aggregates with numpy over :class:`~graph.analysis.arrays.GraphArrays`."""

    def __init__(self, arrays, chains: list[Chain]):
        self.arrays, self._chains = arrays, chains

    def chains(self) -> list[Chain]:
        return self._chains

    def segment_ids(self) -> list[str]:
        return [m.id for m in self.arrays.segments]

    def edges(self) -> list[tuple[str, str, float]]:
        return list(self.arrays.edges)

    def aggregates(self, region, segments):
        from graph.analysis.fast import aggregates_from_arrays

        return aggregates_from_arrays(self.arrays, region, segments)

    def leader_inputs(self, chain):
        return leader_inputs_from_arrays(self.arrays, chain)


class StoreSource:
    """A store that computes the aggregates itself (pushdown)."""

    def __init__(self, store):
        self.store = store

    def chains(self) -> list[Chain]:
        return self.store.chains()

    def segment_ids(self) -> list[str]:
        return sorted(s.id for s in self.store.segments())

    def edges(self) -> list[tuple[str, str, float]]:
        return [(e.upstream, e.downstream, e.weight) for e in self.store.segment_edges()]

    def aggregates(self, region, segments):
        return self.store.analysis_aggregates(region, segments)

    def leader_inputs(self, chain):
        return self.store.analysis_leader_inputs(chain)


def _array_source(store, cache_dir: Path | None, version: str) -> ArraySource:
    from graph.analysis.arrays import GraphArrays
    from graph.analysis.fast import derive

    # keyed on the code too: arrays saved by older code (another membership rule, other fields) are not reused
    path = cache_dir / f"arrays-{version}-{code_fingerprint()}" if cache_dir is not None else None
    arrays = None
    if path is not None and path.is_dir():
        try:
            arrays = GraphArrays.load(path)  # memory-mapped: pages are read as the aggregates touch them
        except (OSError, ValueError, KeyError, EOFError):
            arrays = None  # damaged or of another shape: rebuilt below
    if arrays is None:
        arrays = store.analysis_arrays()
        if path is not None and len(arrays.org_id) >= ARRAYS_CACHE_MIN_ORGS:
            derive(arrays)  # saved with the columns: the next process starts from them
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                for old in path.parent.glob("arrays-*"):
                    if ".tmp-" in old.name:
                        continue  # another process's save under way (graph.atomic sweeps dead ones)
                    if old.is_dir():
                        shutil.rmtree(old, ignore_errors=True)
                    else:
                        old.unlink(missing_ok=True)  # the .npz files of earlier releases too
                arrays.save(path)
            except OSError:
                pass
    return ArraySource(arrays, store.chains())


def _kept_context(cache_dir: Path | None, version: str, read: Callable[[], EntryContext]) -> EntryContext:
    """The entry context of a store version, read once and kept as JSON beside the arrays.

    It is national (growth of every segment over all firms' dates), so a new
    process on the same version takes it from the file instead of scanning
    every firm again (1M firms: seconds of ``json_extract``).
    """
    if cache_dir is None:
        return read()
    path = cache_dir / f"entry-{version}-{code_fingerprint()}.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return EntryContext.from_doc(doc)
    except (OSError, ValueError, KeyError, TypeError):
        pass  # none yet, or unreadable: read from the store below
    ctx = read()
    doc = ctx.to_doc()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob("entry-*.json"):
            old.unlink(missing_ok=True)
        with atomic_file(path) as tmp:
            tmp.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    except OSError:
        pass  # a cache that cannot be written is only slower
    return ctx


def _region_names(region: str) -> dict:
    from graph.errors import NotFound
    from graph.regions import display

    try:
        return {"region_zh": display(region, "zh"), "region_en": display(region, "en")}
    except NotFound:
        return {"region_zh": region, "region_en": region}


class Analyst:
    """Cached analyses; construct with :meth:`for_store` or :meth:`for_source`.

    Every analysis takes ``region``, a region id or place name
    (``cn/guangdong/shenzhen``, 深圳, 南山区, Shenzhen), and ``chain``, a chain
    id or zh/en name (``None``: every segment), and returns a dataclass of
    :mod:`graph.analysis.results` whose ``meta`` says whether it was cached.
    """

    def __init__(self, version: str, load: Callable[[], Source], cache: ResultCache | None = None,
                 rules: GapRules = DEFAULT_RULES, context: Callable[[], EntryContext | None] | None = None):
        self.version, self._load, self.rules = version, load, rules
        self.cache = cache if cache is not None else ResultCache(None)
        self._context_load = context
        self._context: EntryContext | None = None
        self._src: Source | None = None
        self._aggs: dict[tuple[str, frozenset | None], ChainAggregates] = {}

    @classmethod
    def for_store(cls, store, cache_dir: Path | None = None, rules: GapRules = DEFAULT_RULES) -> Analyst:
        from graph.store.protocol import AnalysisPushdown, ColumnarArrays, GraphStore

        backend = type(store).__name__
        version = f"{backend}-{store.version()}"
        cache_dir = Path(cache_dir) if cache_dir is not None else None
        if isinstance(store, AnalysisPushdown):
            def load():
                return StoreSource(store)
        elif isinstance(store, ColumnarArrays):
            def load():
                return _array_source(store, cache_dir, version)
        else:
            def load():
                return GraphSource(store.graph(), store.chains())
        cache = ResultCache(cache_dir / "analysis" if cache_dir is not None else None)

        def context():
            if not isinstance(store, GraphStore):
                return None
            from graph.store.sqlite import SqliteStore

            if isinstance(store, SqliteStore):  # firm dates for momentum with one query, no records built
                from graph.store.sqlite_aggregates import load_firm_dates

                def read():
                    return entry_context(store.segments(), store.segment_edges(), firm_dates=load_firm_dates(store))

                return _kept_context(cache_dir, version, read)
            segs, edges = store.segments(), store.segment_edges()
            # other stores (Neo4j included): from their records when small, so that both stores rank gaps
            # alike; above the cap the entry parts go without national growth (a Cypher read of the
            # firm dates is the pushdown still to write)
            small = store.counts().get("organisations", 0) <= ENTRY_CONTEXT_MAX_ORGS
            return entry_context(segs, edges, store.organisations() if small else None)

        return cls(version, load, cache, rules, context)

    @classmethod
    def for_source(cls, source: Source, version: str = "0", cache: ResultCache | None = None,
                   rules: GapRules = DEFAULT_RULES) -> Analyst:
        return cls(version, lambda: source, cache, rules)

    # ------------------------------------------------------------ plumbing
    @property
    def entry_context(self) -> EntryContext | None:
        """Hierarchy, edge evidence and national growth for the entry parts (read once)."""
        if self._context is None and self._context_load is not None:
            self._context = self._context_load()
        return self._context

    @property
    def source(self) -> Source:
        """The loaded aggregates source; the entry context is read from the store at the same time,
        so an analyst never goes back to its store after loading (a server reopens its store on
        every start, and an analyst kept for the same version must not read a closed one)."""
        if self._src is None:
            self._src = self._load()
            _ = self.entry_context
        return self._src

    def _chain(self, text: str | None) -> Chain:
        return resolve_chain(text, self.source.chains(), self.source.segment_ids())

    def aggregates(self, region: str, chain: Chain) -> ChainAggregates:
        """Aggregates detailing the chain's segments and their neighbours (memoised)."""
        if chain.id == ALL_CHAINS:
            segs = None
        else:
            inside = set(chain.segments)
            near = {x for u, v, _ in self.source.edges() if u in inside or v in inside for x in (u, v)}
            segs = frozenset(inside | near)
        key = (region, segs)
        if key not in self._aggs:
            self._aggs[key] = self.source.aggregates(region, segs)
        return self._aggs[key]

    def _run(self, cls: type[T], function: str, args: dict, compute: Callable[[], dict]) -> T:
        args = {**args, "rules": dataclasses.asdict(self.rules)}
        hit = self.cache.get(self.version, function, args, read=lambda data: from_json(cls, data))
        if hit is not None:
            return dataclasses.replace(hit, meta=ResultMeta(hit.meta.version, function, True))
        data = {**to_json(compute()), "meta": {"version": self.version, "function": function, "cached": False}}
        value = from_json(cls, data)  # read back from its JSON: a fresh result equals a hit from disk
        self.cache.put(self.version, function, args, value, data)
        return value

    def _head(self, region: str, chain: Chain) -> dict:
        return {"region": region, **_region_names(region),
                "chain": ChainRef(chain.id, chain.name_zh, chain.name_en)}

    # ------------------------------------------------------------ analyses
    def chain_map(self, region: str, chain: str | None = None) -> ChainMapResult:
        """The 群-链-企 map: per segment local firms, capacity, tiers, platforms, status; supply on edges.

        Parameters
        ----------
        region, chain : str
            See :class:`Analyst`.

        Returns
        -------
        ChainMapResult

        Examples
        --------
        >>> from fixtures.world import sample_store
        >>> m = Analyst.for_store(sample_store()).chain_map("深圳", "动漫游戏")
        >>> m.chain.name_zh, [(s.segment, s.status) for s in m.segments[:2]]
        ('动漫游戏', [('seg:game_engine', 'missing'), ('seg:concept_art', 'strong')])
        """
        region = resolve_region(region)

        def compute():
            c = self._chain(chain)
            m = chain_map(self.aggregates(region, c), c, self.rules)
            return {**self._head(region, c), "level": m.level, "status_counts": m.status_counts,
                    "segments": m.segments, "edges": m.edges, "orgs": m.orgs}

        return self._run(ChainMapResult, "chain_map", {"region": region, "chain": chain}, compute)

    def gaps(self, region: str, chain: str | None = None, *, top: int | None = None) -> GapsResult:
        """The 补链 (missing), 强链 (thin) and 延链 (extension) gaps, most severe first.

        Severity is a sum of named :class:`~graph.parts.Part` values, each
        gap cites the firm, link and segment ids behind it.

        Parameters
        ----------
        region, chain : str
            See :class:`Analyst`.
        top : int, optional
            How many gaps to return (``gaps_total`` still counts all).

        Returns
        -------
        GapsResult

        Examples
        --------
        >>> from fixtures.world import sample_store
        >>> out = Analyst.for_store(sample_store()).gaps("深圳", "动漫游戏", top=1)
        >>> g = out.gaps[0]
        >>> g.segment, g.kind.zh, [p.name for p in g.parts][:2], out.gaps_total > 1
        ('seg:game_engine', '补链', ['local_dependence', 'downstream_pull'], True)
        """
        region = resolve_region(region)

        def compute():
            c = self._chain(chain)
            aggs = self.aggregates(region, c)
            found = gaps(aggs, c, self.rules, context=self.entry_context)
            st = segment_statuses(aggs, self.rules)
            counts: dict[str, int] = {}
            for s in c.segments:
                if s in st:
                    counts[st[s].status] = counts.get(st[s].status, 0) + 1
            shown = found if top is None else found[:top]
            cited = {i for g in shown for i in g.firms}
            return {**self._head(region, c), "level": aggs.level, "status_counts": dict(sorted(counts.items())),
                    "supply_observed": any(x.supply_observed for x in st.values()),
                    "gaps_total": len(found), "gaps": shown,
                    "orgs": {i: aggs.orgs[i] for i in sorted(cited) if i in aggs.orgs}}

        return self._run(GapsResult, "gaps", {"region": region, "chain": chain, "top": top}, compute)

    def leaders(self, region: str, chain: str | None = None, *, top: int = 20, scope: str = "all") -> LeadersResult:
        """The chain's leaders (链主): firms ranked by supply centrality, size and tier.

        Parameters
        ----------
        region, chain : str
            See :class:`Analyst` (the region decides which firms are local).
        top : int
            How many leaders.
        scope : {"all", "local", "external"}
            Firms of every region, local ones or external ones.

        Returns
        -------
        LeadersResult

        Examples
        --------
        >>> from fixtures.world import sample_store
        >>> out = Analyst.for_store(sample_store()).leaders("深圳", "动漫游戏", top=3, scope="local")
        >>> len(out.leaders), all(x.local for x in out.leaders), [p.name for p in out.leaders[0].parts]
        (3, True, ['centrality', 'size', 'tier'])
        """
        region = resolve_region(region)

        def compute():
            c = self._chain(chain)
            found = leaders(self.source.leader_inputs(c), region, top=top, scope=scope)
            return {**self._head(region, c), "scope": scope, "leaders": found}

        return self._run(LeadersResult, "leaders", {"region": region, "chain": chain, "top": top, "scope": scope},
                         compute)

    def dependence(self, region: str, chain: str | None = None, *, top: int = 5) -> DependenceResult:
        """External dependence: the share of local supply from outside, top external suppliers, single points of failure.

        Parameters
        ----------
        region, chain : str
            See :class:`Analyst`.
        top : int
            External suppliers listed per segment.

        Returns
        -------
        DependenceResult

        Examples
        --------
        >>> from fixtures.world import sample_store
        >>> d = Analyst.for_store(sample_store()).dependence("深圳", "chain:av_content")
        >>> codec = next(s for s in d.segments if s.segment == "seg:video_codec")
        >>> codec.spofs[0].supplier, codec.spofs[0].reasons, 0 < d.external_share < 1
        ('org:f0462', ('dominant_share', 'sole_supplier'), True)
        """
        region = resolve_region(region)

        def compute():
            c = self._chain(chain)
            d = dependence(self.aggregates(region, c), c, top=top,
                           spof_share=self.rules.thin_max_external_share)
            return {**self._head(region, c), "received": d.received, "received_external": d.received_external,
                    "external_share": d.external_share, "segments": d.segments, "orgs": d.orgs}

        return self._run(DependenceResult, "dependence", {"region": region, "chain": chain, "top": top}, compute)

    def compare(self, regions: list[str], chain: str | None = None) -> CompareResult:
        """One chain's coverage in two or more regions side by side.

        Parameters
        ----------
        regions : list of str
            Two or more region ids or place names.
        chain : str, optional
            See :class:`Analyst`.

        Returns
        -------
        CompareResult

        Examples
        --------
        >>> from fixtures.world import sample_store
        >>> c = Analyst.for_store(sample_store()).compare(["深圳", "北京"], "动漫游戏")
        >>> [(r.region, s.covered, s.segments) for r, s in zip(c.regions, c.summaries)]
        [('cn/guangdong/shenzhen', 10, 12), ('cn/beijing/beijing', 7, 12)]
        """
        ids = [resolve_region(r) for r in regions]
        if len(ids) < 2:
            raise InvalidInput("compare needs two or more regions", "对比至少需要两个地区")

        def compute():
            c = self._chain(chain)
            cmp = compare([self.aggregates(r, c) for r in ids], c, self.rules)
            return {"regions": [RegionRef(r, **_region_names(r)) for r in ids],
                    "chain": ChainRef(c.id, c.name_zh, c.name_en), "rows": cmp.rows, "summaries": cmp.summaries}

        return self._run(CompareResult, "compare", {"regions": ids, "chain": chain}, compute)
