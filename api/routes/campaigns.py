"""Joint campaigns (联合招商) over HTTP: propose, store, add, close, list, conflicts, history.

A plan comes from :func:`matching.recommend.campaigns.propose_campaign`;
stored campaigns live in the workspace (:mod:`matching.workspace`)
with an owner agency and partner agencies. A target claimed by open
campaigns of two agencies that do not coordinate is a conflict (各自为战),
reported by every write and by ``/campaigns/conflicts``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from api.deps import Editor, EnginesDep, PageDep, StoreDep, Viewer, WorkspaceDep
from api.routes._common import AUTHED, FieldError, responses
from api.schemas.recommend import (
    CampaignAdd,
    CampaignClose,
    CampaignCreate,
    CampaignEventPage,
    CampaignPage,
    CampaignPlanPublic,
    CampaignProposal,
    CampaignPublic,
    CampaignWritten,
    ConflictPage,
)
from graph.resolve import resolve_org, resolve_region
from matching.workspace import campaigns_in

__all__ = ["router"]

router = APIRouter(prefix="/campaigns", tags=["campaigns"], responses=AUTHED)

CampaignId = Annotated[int, Path(ge=1, le=2**62, description="Campaign id.", examples=[1])]


def _written(ws, campaign_id: int, targets) -> CampaignWritten:
    c = ws.campaign(campaign_id)
    return CampaignWritten(campaign=c.as_dict(), conflicts=[x.as_dict() for x in ws.conflicts(targets)])


@router.post("/propose", summary="Plan a joint campaign: lead district and agency, co-pitch firms, "
             "platforms, targets to pitch together", response_model=CampaignPlanPublic, responses=responses(400, 404, 413))
def propose(store: StoreDep, engines: EnginesDep, ws: WorkspaceDep, _: Viewer,
            body: CampaignProposal) -> CampaignPlanPublic:
    rid = resolve_region(body.region, field="body.region")
    ids = list(dict.fromkeys(resolve_org(store, t, field="body.targets") for t in body.targets))
    plan = engines.campaign(store, ws, ids, rid)
    return CampaignPlanPublic(**plan.as_dict(), conflicts=[c.as_dict() for c in ws.conflicts(ids)])


@router.post("", summary="Store a campaign with its owner agency, partner agencies and targets; "
             "report conflicts", status_code=201, response_model=CampaignWritten, responses=responses(400, 404, 413))
def create(store: StoreDep, ws: WorkspaceDep, _: Editor, body: CampaignCreate) -> CampaignWritten:
    ids = [resolve_org(store, t, field="body.targets") for t in body.targets]
    owner = resolve_org(store, body.owner, field="body.owner")
    partners = [resolve_org(store, p, field="body.partners") for p in body.partners]
    region = resolve_region(body.region, field="body.region") if body.region else None
    c = ws.create_campaign(body.name.strip(), owner, ids, partners=partners, region=region, note=body.note)
    return _written(ws, c.id, ids)


@router.get("", summary="Stored campaigns", response_model=CampaignPage)
def list_campaigns(store: StoreDep, ws: WorkspaceDep, _: Viewer, page: PageDep,
                   status: Annotated[Literal["open", "closed"] | None, Query(description="Only open or closed.")]
                   = None,
                   region: Annotated[str | None, Query(max_length=200, description="Only campaigns of this region "
                                                       "or a place inside it (id or place name): those recruiting "
                                                       "for it, and those whose owner or a partner agency sits "
                                                       "there (a campaign stored without a region belongs where "
                                                       "its agencies are).", examples=["深圳"])] = None) -> CampaignPage:
    found = campaigns_in(ws, store, status=status,
                         region=resolve_region(region, field="query.region") if region else None)
    return CampaignPage(items=[c.as_dict() for c in page.slice(found)], total=len(found), limit=page.limit,
                        offset=page.offset)


@router.get("/conflicts", summary="Targets claimed by open campaigns of agencies that do not coordinate "
            "(各自为战)", response_model=ConflictPage)
def conflicts(ws: WorkspaceDep, _: Viewer, page: PageDep) -> ConflictPage:
    found = ws.conflicts()
    return ConflictPage(items=[c.as_dict() for c in page.slice(found)], total=len(found), limit=page.limit,
                        offset=page.offset)


@router.get("/{campaign_id}", summary="One campaign", response_model=CampaignPublic, responses=responses(404))
def get_campaign(ws: WorkspaceDep, _: Viewer, campaign_id: CampaignId) -> CampaignPublic:
    return CampaignPublic(**ws.campaign(campaign_id).as_dict())


@router.post("/{campaign_id}/add", summary="Add targets or partner agencies to a campaign; report conflicts",
             response_model=CampaignWritten, responses=responses(400, 404, 413))
def add(store: StoreDep, ws: WorkspaceDep, _: Editor, campaign_id: CampaignId, body: CampaignAdd) -> CampaignWritten:
    if not body.targets and not body.partners:
        raise FieldError("body", "nothing to add: give targets or partners")
    ws.campaign(campaign_id)  # NotFound before resolving names
    ids = [resolve_org(store, t, field="body.targets") for t in body.targets]
    partners = [resolve_org(store, p, field="body.partners") for p in body.partners]
    if ids:
        ws.add_targets(campaign_id, ids)
    if partners:
        ws.add_partners(campaign_id, partners)
    return _written(ws, campaign_id, ws.campaign(campaign_id).targets)


@router.post("/{campaign_id}/close", summary="Close a campaign (its targets no longer count for conflicts)",
             response_model=CampaignPublic, responses=responses(400, 404, 413))
def close(ws: WorkspaceDep, _: Editor, campaign_id: CampaignId, body: CampaignClose | None = None) -> CampaignPublic:
    ws.close_campaign(campaign_id, body.note if body else "")
    return CampaignPublic(**ws.campaign(campaign_id).as_dict())


@router.get("/{campaign_id}/history", summary="Every change of a campaign, oldest first",
            response_model=CampaignEventPage, responses=responses(404))
def history(ws: WorkspaceDep, _: Viewer, page: PageDep, campaign_id: CampaignId) -> CampaignEventPage:
    ws.campaign(campaign_id)
    events = [{"at": a, "event": e, "detail": d} for a, e, d in ws.history(campaign_id)]
    return CampaignEventPage(campaign=campaign_id, items=page.slice(events), total=len(events), limit=page.limit,
                             offset=page.offset)
