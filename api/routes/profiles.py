"""``/organisations/{id}/profile``: a firm profile (企业画像) in one call, for the workbench's profile page.

Thin: resolve the region, ask the analyst for the region's gaps (of the chain,
or of every chain), rank the firm's gap segments with the targets ranking the
targets table uses (:meth:`matching.engines.Engines.targets_page`) and hand
everything to :func:`matching.profile.firm_profile`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import EnginesDep, StoreDep, Viewer, WorkspaceDep
from api.routes._common import AUTHED, responses
from api.routes.organisations import public
from api.schemas.profile import ProfilePublic
from graph.resolve import resolve_region
from matching.engines import MAX_DEPTH
from matching.profile import firm_profile

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
    org = store.organisation(org_id)  # 404 before any analysis
    rid = resolve_region(region, field="query.region") if region else None
    gaps, rank, landed = (), None, ()
    if rid is not None and org.segments:
        found = engines.analyse(store, lambda a: a.gaps(rid, chain or None))
        gaps = {g.segment: g.kind.value if hasattr(g.kind, "value") else g.kind for g in found.gaps}
        landed = ws.landed(rid)

        def rank(segment):
            return engines.targets_page(store, ws, rid, segment=segment, limit=MAX_DEPTH).items

    data = firm_profile(store, org_id, region=rid, gaps=gaps, rank=rank, landed=landed)
    data["organisation"] = public(org)
    return ProfilePublic.model_validate(data)
