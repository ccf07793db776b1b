"""``/health`` (the process answers) and ``/ready`` (the store answers; model and index state); no key needed."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import EnginesDep, SettingsDep, StoreDep
from api.routes._common import responses
from api.schemas.core import ComponentState, Health, Readiness
from graph.errors import BackendUnavailable, ChainmatchError

__all__ = ["router"]

router = APIRouter(tags=["health"])


@router.get("/health", summary="Liveness", response_model=Health, responses=responses(500))
def health() -> Health:
    return Health()


@router.get("/ready", summary="Readiness: the store is reachable", response_model=Readiness,
            responses=responses(500, 503))
def ready(store: StoreDep, settings: SettingsDep, engines: EnginesDep) -> Readiness:
    try:
        version = store.version()
    except ChainmatchError:
        raise
    except Exception as e:  # a closed or broken connection is "not ready", not a crash
        raise BackendUnavailable(f"the store does not answer: {type(e).__name__}",
                                 f"数据存储无响应：{type(e).__name__}") from e
    components = {"store": ComponentState(state="ready", detail=settings.backend)}
    components.update({k: ComponentState(**v) for k, v in engines.status(version).items()})
    return Readiness(backend=settings.backend, store_version=version, auth=settings.auth,
                     components=components)
