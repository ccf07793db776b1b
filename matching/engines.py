"""The engine room: every engine of chainmatch composed in one place, for the CLI and the HTTP API alike.

:class:`Engines` holds, per store version, the search engine (embedding
model, FAISS + lexical index, built under the cross-process index lock), the
chain analyst, the recommendation index, the 挂链 classifier and the backtest
memo. The API keeps one for its lifetime (:func:`api.app.create_app`); a CLI
command makes one for its run (:func:`api.cli.common.engine_room`). Both ask
it the same use cases, so a command and its route cannot drift apart:

- :meth:`Engines.targets_page` — targets for a segment or a chain's gaps,
  with the landed / rejected rule and a total (招商目标);
- :meth:`Engines.partners` — local partners for a start-up profile, its
  segments from :meth:`Engines.profile_segments`;
- :meth:`Engines.introducers`, :meth:`Engines.campaign` — 以商招商 and 联合招商;
- :meth:`Engines.report` — the gap-and-target report;
- :meth:`Engines.list_drafts` — drafts of a generated 六个一 list;
- :meth:`Engines.classify` — 挂链 predictions; :meth:`Engines.review` — confirm or reject one;
- :meth:`Engines.projects` — the project pipeline (招商项目), its landings replayed and outcomes migrated.

How targets for several gaps are ranked is decided once, in
:mod:`matching.recommend.gaptargets`. Handlers and commands parse their
input, call one of these and map the result to their output.

Examples
--------
>>> import tempfile
>>> from fixtures.world import load_world
>>> from graph.settings import Settings
>>> from graph.store.sqlite import SqliteStore
>>> from matching.workspace import Workspace
>>> store, ws = SqliteStore.memory(), Workspace.memory()
>>> _ = store.write(load_world()[0])
>>> with tempfile.TemporaryDirectory() as d:
...     engines = Engines(Settings(_env_file=None, data_dir=d, embedding_model="hashing:64"))
...     page = engines.targets_page(store, ws, "cn/guangdong/shenzhen", segment="seg:game_engine", limit=2)
>>> [t.rank for t in page.items], page.items[0].org, page.total > 2
([1, 2], 'org:f1561', True)
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from graph.errors import BackendUnavailable, ChainmatchError
from graph.settings import Settings
from graph.store.protocol import GraphStore
from matching.answers import Answers

__all__ = ["Engines", "TargetsPage", "settled", "MAX_DEPTH"]

#: Deepest rank a target page reaches.
MAX_DEPTH = 1000
#: Every result of a list the engine ranks in full (introducers, partners).
ALL = 10**9


@contextmanager
def settled() -> Iterator[None]:
    """Build long-lived engine state inside; afterwards keep the garbage collector off it.

    A search engine over 100k firms is millions of objects that live until
    the next write; every full collection walked them all (a request paid
    0.3-0.7 s now and then). Unfrozen first so a replaced engine's cycles are
    freed, then collected and frozen (``gc.freeze``) once built.

    >>> with settled():
    ...     kept = [[i] for i in range(3)]
    >>> gc.get_freeze_count() > 0
    True
    """
    gc.unfreeze()
    try:
        yield
    finally:
        gc.collect()
        gc.freeze()


@dataclass(frozen=True)
class TargetsPage:
    """A page of targets (招商目标): ``items`` ranked 1…, ``total`` targets in all, ``status`` of each in the
    workspace (latest outcome, or absent); ``chain`` is the chain whose gaps were ranked (None for a segment)."""

    region: str
    chain: str | None
    focus: tuple[str, ...]
    items: tuple
    status: dict[str, str]
    total: int
    limit: int
    offset: int


class Engines:
    """The matching engines, built lazily on first use and kept per store version.

    The embedding model loads once (first search); the search index is
    loaded from ``<data_dir>/index`` when it matches the store version and
    model, else rebuilt (only texts missing from the embedding cache are
    encoded) and saved, under a lock shared with other processes
    (``<data_dir>/index.lock``). A call arriving during a rebuild waits.
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        self._lock = threading.Lock()
        self._embedder = None
        self._search = None
        self._analyst = None
        self._analyst_store = None
        self._analysis_lock = threading.Lock()
        self._chain_index = None
        self._recommend_lock = threading.Lock()
        self._scopes: dict = {}  # (store id, version, focus segments) -> scoped index (RecommendPushdown stores)
        self._classifier = None
        self._classifier_lock = threading.Lock()
        self._backtests: dict = {}
        self._entries: dict = {}
        self._backtest_lock = threading.Lock()
        self.answers = Answers(settings.answers_kept)

    # ------------------------------------------------------------ the engines

    def embedder(self):
        """The embedding model of ``settings.embedding_model``, loaded once."""
        if self._embedder is None:
            from matching.embedder import make_embedder

            try:
                self._embedder = make_embedder(self.settings.embedding_model,
                                                query_encoder=self.settings.query_encoder,
                                                onnx_cache=self.settings.data_dir / "cache")
            except ChainmatchError:
                raise
            except Exception as e:
                raise BackendUnavailable(
                    f"cannot load the embedding model {self.settings.embedding_model!r}: {type(e).__name__}: {e}",
                    f"无法加载向量模型 {self.settings.embedding_model!r}",
                ) from e
        return self._embedder

    def embedding_cache(self):
        """The embedding cache of ``<data_dir>`` (open; the caller closes it)."""
        from matching.embcache import EmbeddingCache, default_cache_path

        return EmbeddingCache.open(default_cache_path(self.settings.data_dir))

    def search(self, store: GraphStore, *, rebuild: bool = False, progress=None):
        """The search engine for the store's current version; ``progress(done, total)`` while encoding.

        Without a callback (the server's warm start, a first search over
        HTTP) the encoding is logged every 10 s at INFO (``chainmatch.progress``).
        """
        from graph.atomic import exclusive
        from matching.progress import log_progress
        from matching.search import SearchConfig, SearchEngine, index_dir

        current = self._search
        if not rebuild and current is not None and current.meta.get("store_version") == store.version():
            return current  # the common case: no lock, so searches never queue behind each other here
        with self._lock:
            current = self._search
            if rebuild or current is None or current.meta.get("store_version") != store.version():
                embedder = self.embedder()
                # another process (API worker, CLI) may be building the same index: one builds and saves,
                # the next loads
                with exclusive(self.settings.data_dir / "index.lock"), self.embedding_cache() as cache, settled():
                    self._search = SearchEngine.open(
                        store, embedder, index_dir(self.settings.data_dir), cache=cache, rebuild=rebuild,
                        progress=progress or log_progress("search index: encoding 编码"),
                        config=SearchConfig.from_settings(self.settings))
            return self._search

    def analyse(self, store: GraphStore, call):
        """Run ``call(analyst)`` on the chain analyst of the store's current version.

        Results are cached per store version under ``<data_dir>/cache``. The
        analyst is built (and its source loaded) under a lock; calls then run
        concurrently: its memo of aggregates is a dict written with single
        ``set`` calls (a race computes an aggregate twice, never a wrong one)
        and the result cache locks itself. Serialised calls queued under
        load (gaps p50 1.1 s at 50 clients on 100k firms, 4 ms alone).
        """
        from graph.analysis.service import Analyst

        version = f"{type(store).__name__}-{store.version()}"
        analyst, built_on = self._analyst, self._analyst_store
        # the analyst may read through the store it was built from (entry context): same store object too
        if analyst is None or analyst.version != version or built_on is not store:
            with self._analysis_lock:
                version = f"{type(store).__name__}-{store.version()}"
                analyst = self._analyst
                if analyst is None or analyst.version != version or self._analyst_store is not store:
                    with settled():
                        analyst = Analyst.for_store(store, self.settings.data_dir / "cache")
                        _ = analyst.source  # loaded here, once, not by racing requests
                    self._analyst, self._analyst_store = analyst, store
        return call(analyst)

    def answer(self, store: GraphStore, key, compute):
        """``compute()`` once per store version (and store object) and ``key`` (:class:`Answers`).

        ``key`` must hold every argument the answer depends on; the store's
        version is read here, before ``compute`` runs, so a write invalidates every answer.
        """
        return self.answers.get(self.answers.source(store), store.version(), key, compute)

    def segments(self, store: GraphStore) -> tuple:
        """The store's segments, read once per store version (the routes resolve a segment query against them)."""
        return self.answer(store, ("segments",), lambda: tuple(store.segments()))

    def analysis_json(self, store: GraphStore, key, call):
        """The JSON data (:func:`graph.analysis.results.to_json`) of ``call(analyst)``, kept per store version.

        The analyst caches its results, but writing a chain map of 47 segments
        out as JSON again took about 5 ms of each repeated request at 100k firms.
        The data returned is shared: callers must not change it. A kept answer
        says so in ``meta.cached``, as the analyst's own cache does (a shallow
        copy: the kept data is not changed).
        """
        from graph.analysis.results import to_json

        computed = []

        def compute():
            computed.append(True)
            return to_json(self.analyse(store, call))

        data = self.answer(store, ("analysis",) + tuple(key), compute)
        if computed or data.get("meta", {}).get("cached", True):
            return data
        return {**data, "meta": {**data["meta"], "cached": True}}

    def prepare_analysis(self, store: GraphStore, announce=None) -> bool:
        """Build and keep the analysis view of the store's current version now, not on the first query.

        Called after an import (CLI and HTTP): a store large enough to keep its
        columnar view on disk (:data:`graph.analysis.service.ARRAYS_CACHE_MIN_ORGS`
        organisations or more) gets the view and the entry context of its new
        version built and saved, so the analyst's next ``gaps`` — in this process
        or another — starts from them (at 1M firms the build is about a minute of
        the import, instead of the first query's). Smaller stores build their view
        in well under a second on first use: nothing is done for them.
        ``announce()``, if given, is called just before the work starts (the CLI
        says so on stderr). Returns whether a view was prepared.

        >>> import tempfile
        >>> from graph.store.sqlite import SqliteStore
        >>> from fixtures.world import load_world
        >>> store = SqliteStore.memory()
        >>> _ = store.write(load_world()[0])
        >>> with tempfile.TemporaryDirectory() as d:
        ...     Engines(Settings(_env_file=None, data_dir=d)).prepare_analysis(store)
        False
        """
        from graph.analysis.service import ARRAYS_CACHE_MIN_ORGS
        from graph.store.protocol import AnalysisPushdown, ColumnarArrays

        if isinstance(store, AnalysisPushdown) or not isinstance(store, ColumnarArrays):
            return False  # aggregates computed by the store itself: no view to keep
        if store.counts().get("organisations", 0) < ARRAYS_CACHE_MIN_ORGS:
            return False
        if announce is not None:
            announce()
        self.analyse(store, lambda analyst: analyst.entry_context)  # the view with the analyst, the context read
        return True

    def recommend(self, store: GraphStore, call):
        """Run ``call(index)`` on the recommendation index of the store's current version.

        The :class:`matching.recommend.index.ChainIndex` is built on first use
        and again after a write, under a lock; calls then run concurrently.
        The index is read-only after its build except its memo of local masks,
        a dict written with single atomic ``get``/``set``/``clear`` calls (a
        race computes a mask twice, never a wrong one). Serialising the calls
        made recommendations queue behind each other under load (p50 2.6 s
        at 50 clients on 100k firms).
        """
        from matching.recommend.index import ChainIndex

        version = store.version()
        cached = self._chain_index
        if cached is not None and cached[0] is store and cached[1] == version:
            return call(cached[2])
        with self._recommend_lock:
            version = store.version()
            cached = self._chain_index
            # the index reads full records through the store it was built from: same store object too
            if cached is None or cached[0] is not store or cached[1] != version:
                with settled():
                    self._chain_index = cached = (store, version, ChainIndex.from_store(store))
        return call(cached[2])

    def rank(self, store: GraphStore, region: str, segments, extra_local, call):
        """Run ``call(index)`` on an index that can rank targets in ``region`` for ``segments``.

        A :class:`~graph.store.protocol.RecommendPushdown` store (Neo4j) gives
        that ranking's scope, gathered in Cypher (:meth:`ChainIndex.for_ranking
        <matching.recommend.index.ChainIndex.for_ranking>`), kept per store
        version, region, focus and ``extra_local`` (at most 64); any other store, its whole index
        (:meth:`recommend`).
        """
        from graph.store.protocol import RecommendPushdown
        from matching.recommend.index import ChainIndex

        if not isinstance(store, RecommendPushdown):
            return self.recommend(store, call)
        segments = tuple(sorted(set(segments)))
        extra = frozenset(extra_local)
        key = (id(store), store.version(), region, segments, extra)
        ix = self._scopes.get(key)
        if ix is None:
            with settled():
                ix = ChainIndex.for_ranking(store, region, segments, extra)
            if len(self._scopes) >= 64:
                self._scopes.clear()
            self._scopes[key] = ix
        return call(ix)

    def backtest(self, store: GraphStore, t0: str | None, quantile: float, kinds: tuple[str, ...]):
        """The date-split backtest (:func:`matching.eval.backtest.run_backtest`), memoised per store
        version and arguments (seconds on the sample world); one runs at a time."""
        from matching.eval.backtest import default_t0, run_backtest

        ix = self.recommend(store, lambda ix: ix)
        with self._backtest_lock:
            key = (t0, quantile, kinds)
            if self._backtests.get("version") != (id(ix), store.version()):
                self._backtests = {"version": (id(ix), store.version())}
            if key not in self._backtests:
                rule = "given"
                if t0 is None:
                    t0, rule = default_t0(ix, store.links(), quantile=quantile)
                if len(self._backtests) > 16:  # bounded: one result per t0 would grow with every new date asked
                    self._backtests.pop(next(k for k in self._backtests if k != "version"))
                self._backtests[key] = run_backtest(ix, t0, kinds=kinds, settings=self.settings, t0_rule=rule)
            return self._backtests[key]

    def entries(self, store: GraphStore, t0: str, level: str, min_firms: int, tune: bool):
        """The entry backtest (:func:`matching.eval.entries.run_entries`), memoised per store version and
        arguments (about a second on chainkg); one runs at a time."""
        from matching.eval.entries import EntryData, run_entries

        with self._backtest_lock:
            version = ("entries", store.version())
            if self._entries.get("version") != version:
                self._entries = {"version": version}
            key = (t0, level, min_firms, tune)
            if key not in self._entries:
                if ("data", level) not in self._entries:
                    self._entries[("data", level)] = EntryData.from_store(store, level=level)
                self._entries[key] = run_entries(self._entries[("data", level)], t0, min_firms=min_firms, tune=tune)
            return self._entries[key]

    def classifier(self, store: GraphStore):
        """The 挂链 segment classifier fitted on the store's confirmed members (per store version), or None."""
        from matching.classify import fit_store_classifier

        with self._classifier_lock:
            version = store.version()
            if self._classifier is None or self._classifier[0] != version:
                self._classifier = (version, fit_store_classifier(store))
            return self._classifier[1]

    def warm(self, store: GraphStore) -> dict[str, str]:
        """Load the model and build (or load) every engine now, so no request pays for it.

        With several worker processes each has its own engines: a request
        reaching a cold worker used to wait for its builds (30 s time-outs at
        100k firms). Failures are reported, not raised: the server still
        starts and the endpoint that needs the engine answers with the error.
        """
        done: dict[str, str] = {}
        # the search step also encodes one text twice: the second builds a model's one-text path (OnnxQuery or
        # TracedQuery; a process's first one text goes the model's own way, see SentenceTransformerEmbedder.encode)
        for name, step in (("search", lambda: [self.search(store).embedder.encode([t]) for t in ("warm", "start")]),
                           ("recommend", lambda: self.recommend(store, lambda ix: ix)),
                           ("analysis", lambda: self.analyse(store, lambda a: a.source))):
            try:
                step()
                done[name] = "ready"
            except Exception as e:  # noqa: BLE001 - said in the log; the first request gets the error
                done[name] = f"{type(e).__name__}: {e}"
                logging.getLogger("chainmatch.api").warning("warm start: %s failed: %s", name, done[name])
        return done

    def status(self, version: int) -> dict[str, dict[str, str]]:
        """Model and index state, without loading or building anything."""
        from matching.search import index_dir, read_manifest

        model = {"state": "loaded" if self._embedder is not None else "not_loaded",
                 "detail": self.settings.embedding_model}
        engine = self._search
        if engine is not None and engine.meta.get("store_version") == version:
            index = {"state": "ready", "detail": f"{engine.size} organisations, {engine.meta.get('dense_kind')}"}
        else:
            manifest = read_manifest(index_dir(self.settings.data_dir))
            if manifest is None:
                index = {"state": "not_built", "detail": "built on the first search"}
            elif manifest.get("store_version") != version:
                index = {"state": "stale", "detail": f"built for store version {manifest.get('store_version')}, "
                         f"store is at {version}; rebuilt on the next search"}
            else:
                index = {"state": "on_disk", "detail": "loaded on the first search"}
        return {"model": model, "index": index}

    # ------------------------------------------------------------ use cases

    def targets_page(self, store: GraphStore, ws, region: str, *, segment: str | None = None,
                     chain: str | None = None, limit: int = 10, offset: int = 0, per_gap: int | None = None,
                     hide_rejected: bool = False) -> TargetsPage:
        """Targets for ``segment`` (an id), else for the gaps of ``chain`` (id or name; None: every chain).

        ``region`` is a region id. Landed firms (anywhere in the region, even
        if a later outcome followed) are local and never targets; firms whose
        latest outcome is rejected are left out with ``hide_rejected``. A
        segment's targets are its whole ranking, paged; a chain's are the top
        ``per_gap`` of each gap under :mod:`matching.recommend.gaptargets`.
        """
        from matching.recommend.gaptargets import DEFAULT_PER_GAP, flat_targets, rank_gap_targets
        from matching.recommend.targets import Focus, candidate_count, recommend_targets

        per_gap = per_gap or DEFAULT_PER_GAP
        chain_id, gaps = None, None
        if segment is None:
            found = self.analyse(store, lambda a: a.gaps(region, chain))
            chain_id, gaps = found.chain.id, found.gaps
        current = ws.current(region)
        landed = ws.landed(region)
        exclude = landed | ({o for o, x in current.items() if x.status == "rejected"} if hide_rejected else set())

        def run(ix):
            if segment is not None:
                top = recommend_targets(ix, region, [Focus(segment)], k=offset + limit, settings=self.settings,
                                        exclude=exclude, extra_local=landed)
                return (segment,), top, candidate_count(ix, region, segment, exclude=exclude, extra_local=landed)
            groups = rank_gap_targets(ix, region, gaps, per_gap=per_gap, settings=self.settings, exclude=exclude,
                                      extra_local=landed)
            flat = flat_targets(groups)
            return tuple(g.segment for g in groups), flat, len(flat)

        # one ranking per index (store version) and everything it depends on: repeated under load
        key = ("targets", region, segment, chain_id, tuple(g.segment for g in gaps or ()),
               offset + limit if segment else per_gap, frozenset(exclude), frozenset(landed))
        wanted = [segment] if segment is not None else [g.segment for g in gaps]
        focus, top, total = self.rank(store, region, wanted, landed, lambda ix: ix.memo(key, lambda: run(ix)))
        items = tuple(top[offset:offset + limit])
        status = {t.org: current[t.org].status for t in items if t.org in current}
        return TargetsPage(region, chain_id, focus, items, status, total, limit, offset)

    def profile_segments(self, store: GraphStore, ix, profile: str, startup: str | None, similarity) -> list[str]:
        """A start-up's own segments, else the 挂链 classifier's guess for its profile (one classifier per
        store version), else those of the most similar firms."""
        from matching.recommend.partners import profile_segments

        return profile_segments(ix, profile, startup, similarity, classifier=lambda: self.classifier(store))

    def partners(self, store: GraphStore, region: str, profile: str, segments: Sequence[str] = (),
                 startup: str | None = None, k: int = ALL) -> tuple[list[str], list]:
        """Local partners for a start-up profile: ``(segments used, partners)``; ``segments`` given, or the
        profile's (:meth:`profile_segments`)."""
        from matching.documents import lexical_text
        from matching.recommend.partners import partners, search_similarity

        engine = self.search(store)

        def run(ix):
            def texts(ids):
                return {i: lexical_text(o) for i, o in ix.details(ids).items()}

            sim = search_similarity(engine, profile, region, exclude=[startup] if startup else (), texts=texts)
            chosen = list(segments) or self.profile_segments(store, ix, profile, startup, sim)
            return chosen, partners(ix, region, chosen, similarity=sim, startup=startup, k=k, settings=self.settings)

        return self.recommend(store, run)

    def introducers(self, store: GraphStore, ws, target: str, region: str, k: int = ALL) -> list:
        """Local organisations that can introduce ``target`` (以商招商); landed firms count as local."""
        from matching.recommend.introducers import introducers

        landed = ws.landed(region)
        return self.recommend(store, lambda ix: introducers(ix, target, region, k=k, settings=self.settings,
                                                            extra_local=landed))

    def campaign(self, store: GraphStore, ws, targets: Sequence[str], region: str):
        """A joint-campaign plan (联合招商) for ``targets``; landed firms count as local."""
        from matching.recommend.campaigns import propose_campaign

        landed = ws.landed(region)
        return self.recommend(store, lambda ix: propose_campaign(ix, list(targets), region, extra_local=landed))

    def report(self, store: GraphStore, ws, region: str, chain: str | None = None, *,
               targets_per_gap: int | None = None) -> dict:
        """The gap-and-target report (:mod:`matching.reports.build`) of ``region`` (an id); landed firms are
        local and never targets. The analyses and the index are asked one after the other, never nested."""
        from matching.recommend.gaptargets import DEFAULT_PER_GAP
        from matching.reports.build import analyse, assemble
        from matching.reports.provenance import store_records

        landed = ws.landed(region)
        found = self.analyse(store, lambda a: analyse(a, region, chain))
        return self.recommend(store, lambda ix: assemble(
            found, ix, store_records(store), settings=self.settings, exclude=landed, extra_local=landed,
            targets_per_gap=targets_per_gap or DEFAULT_PER_GAP))

    def list_drafts(self, store: GraphStore, ws, kind: str, region: str, chain: str | None, *, top: int) -> list:
        """Drafts of a generated 六个一 list (:func:`matching.worklists.generate.generate`)."""
        from matching.worklists.generate import generate

        return generate(kind, store=store, region=region, chain=chain, top=top, settings=self.settings,
                        analyse=lambda f: self.analyse(store, f), recommend=lambda f: self.recommend(store, f),
                        landed=ws.landed(region))

    def classify(self, store: GraphStore, *, top: int = 3, dense: bool = False, progress=None) -> list:
        """挂链 predictions for the store's organisations without confirmed segments (with embedding
        features when ``dense``); ``progress(done, total)`` over organisations (logged without one)."""
        from matching.classify import classify_store
        from matching.progress import log_progress

        progress = progress or log_progress("classify 挂链")
        if not dense:
            return classify_store(store, top=top, progress=progress)
        with self.embedding_cache() as cache:
            return classify_store(store, embedder=self.embedder(), cache=cache, top=top, progress=progress)

    def review(self, store: GraphStore, org: str, segment: str, decision: str):
        """Confirm or reject ``org``'s membership of ``segment`` (ids; :func:`matching.review.review`): the
        store version moves, so every analysis and index cached here is rebuilt on its next use."""
        from matching.review import review

        with self._classifier_lock:  # a confirmed membership is evidence the classifier is fitted on
            self._classifier = None
        return review(store, org, segment, decision)

    def projects(self, store: GraphStore, ws, *, today: str | None = None):
        """The project book (:class:`matching.projects.book.ProjectBook`) of ``ws``, opened: landings a crash
        interrupted are finished and outcomes not yet migrated are folded in. An introducer's tie path is
        :meth:`introducers`' (landed firms count as local)."""
        from matching.projects.book import ProjectBook

        def tie(target: str, region: str, introducer: str):
            return next((x for x in self.introducers(store, ws, target, region) if x.org == introducer), None)

        book = ProjectBook(ws, store, tie=tie, today=today)
        book.recover()
        book.migrate()
        return book
