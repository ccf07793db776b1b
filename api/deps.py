"""Dependencies of the HTTP handlers, as ``Annotated`` aliases.

Handlers say what they need — ``store: StoreDep``, ``_: Editor``,
``page: PageDep`` — and never reach into ``app.state`` themselves. Everything
here reads what the lifespan built (:func:`api.app.create_app`).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.auth import KeyStore, Principal, Role
from api.authgate import authenticate
from api.errors import Forbidden
from graph.errors import BackendUnavailable, ChainmatchError
from graph.settings import Settings
from graph.store.protocol import GraphStore
from matching.workspace import Workspace, workspace_path

__all__ = [
    "Engines",
    "EnginesDep",
    "SettingsDep",
    "StoreDep",
    "KeysDep",
    "WorkspaceDep",
    "PageDep",
    "PageParams",
    "Viewer",
    "Editor",
    "Admin",
    "MAX_LIMIT",
]

MAX_LIMIT = 500

_bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer cmk_…`")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="`X-API-Key: cmk_…`")


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_store(request: Request) -> GraphStore:
    return request.app.state.store


def get_keys(request: Request) -> KeyStore:
    return request.app.state.keys


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


class Engines:
    """The matching engines, built lazily on first use and kept per store version.

    The embedding model loads once (first search); the search index is
    loaded from ``<data_dir>/index`` when it matches the store version and
    model, else rebuilt (only texts missing from the embedding cache are
    encoded) and saved. One lock: a request arriving during a rebuild waits.
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        self._lock = threading.Lock()
        self._embedder = None
        self._search = None
        self._analyst = None
        self._analysis_lock = threading.Lock()
        self._chain_index = None
        self._recommend_lock = threading.Lock()
        self._scopes: dict = {}  # (store id, version, region, focus, extra local) -> scoped index (RecommendPushdown stores)
        self._classifier = None
        self._classifier_lock = threading.Lock()
        self._backtests: dict = {}
        self._entries: dict = {}
        self._backtest_lock = threading.Lock()

    def embedder(self):
        if self._embedder is None:
            from matching.embedder import make_embedder

            try:
                self._embedder = make_embedder(self.settings.embedding_model)
            except ChainmatchError:
                raise
            except Exception as e:
                raise BackendUnavailable(
                    f"cannot load the embedding model {self.settings.embedding_model!r}: {type(e).__name__}: {e}",
                    f"无法加载向量模型 {self.settings.embedding_model!r}",
                ) from e
        return self._embedder

    def search(self, store: GraphStore, *, rebuild: bool = False):
        """The search engine for the store's current version."""
        from graph.atomic import exclusive
        from matching.embcache import EmbeddingCache, default_cache_path
        from matching.search import SearchConfig, SearchEngine, index_dir

        current = self._search
        if not rebuild and current is not None and current.meta.get("store_version") == store.version():
            return current  # the common case: no lock, so searches never queue behind each other here
        with self._lock:
            current = self._search
            if rebuild or current is None or current.meta.get("store_version") != store.version():
                embedder = self.embedder()
                # another worker process may be building the same index: one builds and saves, the next loads
                with exclusive(self.settings.data_dir / "index.lock"), \
                        EmbeddingCache.open(default_cache_path(self.settings.data_dir)) as cache, settled():
                    self._search = SearchEngine.open(
                        store, embedder, index_dir(self.settings.data_dir), cache=cache, rebuild=rebuild,
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
        analyst = self._analyst
        if analyst is None or analyst.version != version:
            with self._analysis_lock:
                version = f"{type(store).__name__}-{store.version()}"
                analyst = self._analyst
                if analyst is None or analyst.version != version:
                    with settled():
                        analyst = Analyst.for_store(store, self.settings.data_dir / "cache")
                        _ = analyst.source  # loaded here, once, not by racing requests
                    self._analyst = analyst
        return call(analyst)

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
        from matching.classify import SegmentClassifier

        with self._classifier_lock:
            version = store.version()
            if self._classifier is None or self._classifier[0] != version:
                labelled = [o for o in store.organisations() if o.confirmed_segments()]
                clf = SegmentClassifier.fit(store.segments(), labelled) if labelled else None
                self._classifier = (version, clf)
            return self._classifier[1]

    def warm(self, store: GraphStore) -> dict[str, str]:
        """Load the model and build (or load) every engine now, so no request pays for it.

        With several worker processes each has its own engines: a request
        reaching a cold worker used to wait for its builds (30 s time-outs at
        100k firms). Failures are reported, not raised: the server still
        starts and the endpoint that needs the engine answers with the error.
        """
        import logging

        done: dict[str, str] = {}
        for name, step in (("search", lambda: self.search(store)),
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


def get_engines(request: Request) -> Engines:
    return request.app.state.engines


def get_workspace(request: Request) -> Iterator[Workspace]:
    """The workspace (outcomes, campaigns) of ``<data_dir>/workspace.sqlite``, open for one request."""
    with Workspace.open(workspace_path(request.app.state.settings)) as ws:
        yield ws


SettingsDep = Annotated[Settings, Depends(get_settings)]
EnginesDep = Annotated[Engines, Depends(get_engines)]
StoreDep = Annotated[GraphStore, Depends(get_store)]
KeysDep = Annotated[KeyStore, Depends(get_keys)]
WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]


@dataclass(frozen=True, slots=True)
class PageParams:
    limit: int
    offset: int

    def slice(self, items: list) -> list:
        return items[self.offset : self.offset + self.limit]


def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9, description="Items to skip.")] = 0,
) -> PageParams:
    return PageParams(limit, offset)


PageDep = Annotated[PageParams, Depends(page_params)]


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _authenticate(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    api_key: Annotated[str | None, Depends(_api_key)],
) -> Principal:
    admitted = request.scope.get("state", {}).get("principal")  # checked by api.authgate before the body
    if admitted is not None:
        return admitted
    token = bearer.credentials if bearer else api_key
    return authenticate(request.app.state, token, _client(request))


def _require(role: Role):
    def dependency(principal: Annotated[Principal, Depends(_authenticate)]) -> Principal:
        if not principal.role.allows(role):
            raise Forbidden(
                f"this needs the {role.value} role; key {principal.key_id} has {principal.role.value}",
                f"此操作需要 {role.value} 角色；密钥 {principal.key_id} 的角色是 {principal.role.value}",
            )
        return principal

    dependency.__name__ = f"require_{role.value}"
    return dependency


Viewer = Annotated[Principal, Depends(_require(Role.VIEWER))]
Editor = Annotated[Principal, Depends(_require(Role.EDITOR))]
Admin = Annotated[Principal, Depends(_require(Role.ADMIN))]
