"""The HTTP API: ``create_app(settings)`` builds a FastAPI app; nothing happens at import.

The lifespan opens the store (:func:`graph.store.open_store`) and the API
key file once and keeps them on ``app.state``; handlers reach them through
the dependencies in :mod:`api.deps`. Every error has one JSON shape
(:mod:`api.errors`). Without API keys (``auth="off"``) the app refuses to be
built unless the host is loopback, and says so in the log when it starts.

Examples
--------
>>> from graph.settings import Settings
>>> app = create_app(Settings(_env_file=None))
>>> app.title, "/organisations" in app.openapi()["paths"]
('chainmatch', True)
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import KeyStore, Throttle, keys_path
from api.authgate import AuthGate
from api.errors import PayloadTooLarge, http_error_body, install_error_handlers
from api.headers import SecurityHeaders
from api.routes import TAGS, include_routes
from api.uploads import sweep as sweep_uploads
from graph.errors import ChainmatchError, ConfigError
from graph.fsperms import exposed_bits, owner_only
from graph.settings import LOOPBACK_HOSTS, Settings
from matching.engines import Engines

__all__ = ["create_app", "BodyLimit", "DESCRIPTION"]

log = logging.getLogger("chainmatch.api")

DESCRIPTION = """\
Investment-attraction (招商引资) matchmaking on industry-chain graphs.

**Auth.** Send an API key as `Authorization: Bearer cmk_…` or `X-API-Key: cmk_…`.
Roles: `viewer` reads, `editor` also writes, `admin` also manages keys.
`chainmatch keys init` prints the first admin key once; `/health` and `/ready` need no key.

**Errors.** Every error, validation included, has one shape:
`{"error": {"code", "message", "message_zh", "details": [{"field", "reason"} | {"file", "row", "field", "reason"}]}}`
with a stable `code`: invalid_input, bad_encoding, unauthorized, forbidden, not_found,
method_not_allowed, conflict, payload_too_large, unsupported_media_type, rate_limited,
internal_error, config_error, backend_unavailable.

**Lists** are paginated with `limit` / `offset` and say their `total`.
"""


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413 (declared or streamed)."""

    def __init__(self, app: ASGIApp, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            exc = PayloadTooLarge(self.limit)
            response = JSONResponse(http_error_body(exc), status_code=413, headers={"Connection": "close"})
            await response(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise PayloadTooLarge(self.limit)
            return message

        await self.app(scope, limited, send)


async def warm(engines: Engines, store, settings: Settings) -> None:
    """Warm the engines in a thread, saying first for about how long and then how long it took."""
    import time

    import anyio

    from api import warmup

    organisations = store.counts().get("organisations", 0)
    warmup.log.info("warming up (≈%d s): loading the model and the search, recommendation and analysis "
                    "engines for %d organisations; requests wait and are answered when they are ready",
                    warmup.estimate_s(settings.data_dir, organisations), organisations)
    started = time.perf_counter()
    done = await anyio.to_thread.run_sync(engines.warm, store)
    took = time.perf_counter() - started
    warmup.record(settings.data_dir, took, organisations)
    warmup.log.info("warm in %.0f s (%s): answering requests", took,
                    ", ".join(f"{name} {state}" for name, state in done.items()))


def settle_landings(store, settings: Settings) -> int:
    """Finish the project landings a crash interrupted (:mod:`matching.projects.landing`) before serving.

    Every ``/projects`` request does it too; doing it at start means the
    analyses of a restarted server never see a landed site whose project is
    not yet in 投产. A store that cannot be written is logged, not raised.
    """
    from matching.projects.book import ProjectBook
    from matching.workspace import Workspace, workspace_path

    try:
        with Workspace.open(workspace_path(settings)) as ws:
            done = ProjectBook(ws, store).recover()
    except ChainmatchError as e:
        log.warning("could not finish interrupted project landings: %s", e)
        return 0
    if done:
        log.warning("finished %d project landing(s) interrupted by a crash", done)
    return done


def app_from_env() -> FastAPI:
    """The app for the settings in the environment: the factory each ``serve --workers N`` process calls."""
    return create_app(Settings())


def create_app(settings: Settings) -> FastAPI:
    """Build the API for ``settings``; the store opens when the app starts (lifespan)."""
    if settings.auth == "off" and settings.host not in LOOPBACK_HOSTS:
        raise ConfigError(f"auth 'off' is allowed only on a loopback host, not {settings.host!r}",
                          f"仅在本机回环地址上允许关闭鉴权，当前地址 {settings.host!r}")

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        from graph.store import open_store

        owner_only()  # index, caches, workspace, exports: 0600/0700 under any umask (also for --workers)
        swept = sweep_uploads(settings.data_dir)
        if swept:
            log.warning("removed %d upload(s) left by a server that was killed mid-import", swept)
        store = open_store(settings)
        try:
            keys = KeyStore.open(keys_path(settings.data_dir))
        except BaseException:
            store.close()
            raise
        app.state.store, app.state.keys = store, keys
        settle_landings(store, settings)
        if settings.auth == "off":
            log.warning("auth is OFF: every request may read, write and manage keys "
                        "(allowed because the host %s is loopback)", settings.host)
        elif keys.count() == 0:
            log.warning("no API keys yet: create one with `chainmatch keys init`")
        if settings.warm_start:  # before the first request is accepted (workers: before this one accepts)
            await warm(app.state.engines, store, settings)
        loose = exposed_bits(settings.data_dir)
        if loose:
            log.warning("the data directory %s can be read by other users (group/other bits %s): "
                        "run `chmod 700 %s`", settings.data_dir, oct(loose), settings.data_dir)
        try:
            yield
        finally:
            store.close()
            keys.close()

    import importlib.metadata

    try:
        version = importlib.metadata.version("chainmatch")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        version = "0"
    app = FastAPI(
        title="chainmatch",
        version=version,
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        # FastAPI's /docs and /redoc load Swagger UI / ReDoc from a CDN without integrity checks: off;
        # /docs is a local page pointing at /openapi.json (api/routes/ui.py), docs/security.md says why
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.throttle = Throttle(settings.auth_failures_per_minute)
    app.state.engines = Engines(settings)  # model and indexes load lazily, on first use
    install_error_handlers(app)
    app.add_middleware(AuthGate)  # inside the body limit, before any handler reads the body
    app.add_middleware(BodyLimit, limit=settings.max_request_bytes)
    app.add_middleware(SecurityHeaders)  # outermost: errors from the body limit get the headers too
    include_routes(app)
    return app
