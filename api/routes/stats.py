"""``/stats``: what the store holds, computed once per store version (3 s at 121k firms)."""

from __future__ import annotations

import threading

from fastapi import APIRouter, Request

from api.deps import StoreDep, Viewer
from api.routes._common import AUTHED
from api.schemas.core import StatsPublic
from graph.stats import store_stats

__all__ = ["router"]

router = APIRouter(tags=["stats"], responses=AUTHED)


@router.get("/stats", summary="Counts per entity, kind and city; chains; as-of range",
            response_model=StatsPublic)
def stats(request: Request, store: StoreDep, _: Viewer) -> StatsPublic:
    state = request.app.state
    with _LOCK:
        key = (id(store), store.version())
        cached = getattr(state, "stats_cache", None)
        if cached is None or cached[0] != key:
            cached = state.stats_cache = (key, StatsPublic.model_validate(store_stats(store)))
    return cached[1]


_LOCK = threading.Lock()  # one computation at a time; the others wait for its answer
