"""``/stats``: what the store holds."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import StoreDep, Viewer
from api.routes._common import AUTHED
from api.schemas.core import StatsPublic
from graph.stats import store_stats

__all__ = ["router"]

router = APIRouter(tags=["stats"], responses=AUTHED)


@router.get("/stats", summary="Counts per entity, kind and city; chains; as-of range",
            response_model=StatsPublic)
def stats(store: StoreDep, _: Viewer) -> StatsPublic:
    return StatsPublic.model_validate(store_stats(store))
