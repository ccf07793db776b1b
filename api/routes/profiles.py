"""``/organisations/{id}/profile``: a firm profile (企业画像) in one call, for the workbench's profile page.

Thin: resolve the region and call :func:`matching.profile.profile` (the
region's gaps, the firm's gap segments ranked by the targets table's ranking),
as ``chainmatch profile`` does.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import EnginesDep, StoreDep, Viewer, WorkspaceDep
from api.routes._common import AUTHED, responses
from api.schemas.profile import ProfilePublic
from graph.resolve import resolve_region
from matching.profile import profile as profile_of

__all__ = ["router"]

router = APIRouter(prefix="/organisations", tags=["organisations"], responses=AUTHED)


@router.get("/{org_id}/profile", summary="Firm profile (企业画像): segments, suppliers and customers, sites, "
            "financing, tiers, registration, sources, and why it is a target for a region (score parts)",
            response_model=ProfilePublic, responses=responses(404))
def profile(
    org_id: Annotated[str, Path(description="Organisation id.", examples=["org:f1561"])],
    store: StoreDep, engines: EnginesDep, ws: WorkspaceDep, _: Viewer,
    region: Annotated[str | None, Query(max_length=200, description="Region id or place name the firm would be "
                                        "recruited to; absent: no target section.", examples=["深圳"])] = None,
    chain: Annotated[str | None, Query(max_length=200, description="Chain id or name whose gaps count "
                                       "(absent: every chain).", examples=["动漫游戏"])] = None,
) -> ProfilePublic:
    rid = resolve_region(region, field="query.region") if region else None
    return ProfilePublic.model_validate(profile_of(engines, store, ws, org_id, region=rid, chain=chain))
