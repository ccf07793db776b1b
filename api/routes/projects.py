"""The project pipeline (招商项目) over HTTP: create, list, read, move, note, history, monthly statistics.

Thin, as ``chainmatch projects …`` is: resolve the user's words
(:mod:`graph.resolve`), call the project book the engine room opens
(:meth:`matching.engines.Engines.projects`), map to :mod:`api.schemas.projects`.
Viewers read; editors write, and their key id is the history's ``actor``.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import Editor, EnginesDep, PageDep, StoreDep, Viewer, WorkspaceDep
from api.routes._common import AUTHED, located, responses
from api.schemas.projects import (
    ProjectCreate,
    ProjectEventPage,
    ProjectMove,
    ProjectNoteCreate,
    ProjectPage,
    ProjectPublic,
    ProjectStatsPublic,
)
from graph.resolve import resolve_org, resolve_region, resolve_segment
from matching.projects.book import chain_segments

__all__ = ["router"]

router = APIRouter(prefix="/projects", tags=["projects"], responses=AUTHED)

ProjectId = Annotated[int, Path(ge=1, le=2**62, description="Project id.", examples=[1])]
RegionQ = Annotated[str | None, Query(max_length=200, description="Only this region (sub-regions included).",
                                      examples=["深圳"])]
OwnerQ = Annotated[str | None, Query(max_length=200, description="Only this owner agency (id, USCC or name).",
                                     examples=["org:a001"])]
ChainQ = Annotated[str | None, Query(max_length=200, description="Only segments of this chain (id or name).",
                                     examples=["动漫游戏"])]


def _public(p) -> ProjectPublic:
    return ProjectPublic(**p.as_dict())


def _filters(store, region, owner, chain) -> dict:
    return {"region": resolve_region(region, field="query.region") if region else None,
            "owner": resolve_org(store, owner, field="query.owner") if owner else None,
            "segments": chain_segments(store, chain, field="query.chain") if chain else None}


@router.post("", summary="Create a project (firm × region × segment; a second is refused, naming the first)",
             status_code=201, response_model=ProjectPublic, responses=responses(400, 404, 409, 413))
def create(store: StoreDep, engines: EnginesDep, ws: WorkspaceDep, who: Editor, body: ProjectCreate) -> ProjectPublic:
    org = resolve_org(store, body.org, field="body.org")
    region = resolve_region(body.region, field="body.region")
    segment = resolve_segment(body.segment, store.segments(), field="body.segment").id
    owner = resolve_org(store, body.owner, field="body.owner")
    introducer = resolve_org(store, body.introducer, field="body.introducer") if body.introducer else None
    book = engines.projects(store, ws)
    with located("body"):  # the engine names its field (stage, due …): body.stage
        return _public(book.create(org, region, segment, owner=owner, form=body.form, stage=body.stage,
                                   next_step=body.next_step, due=body.due, planned=body.planned, actual=body.actual,
                                   introducer=introducer, note=body.note, actor=who.key_id))


@router.get("", summary="Projects, oldest first, with filters (region, owner agency, stage, chain, overdue)",
            response_model=ProjectPage, responses=responses(404))
def list_projects(
    store: StoreDep, engines: EnginesDep, ws: WorkspaceDep, _: Viewer, page: PageDep,
    region: RegionQ = None, owner: OwnerQ = None, chain: ChainQ = None,
    stage: Annotated[str | None, Query(max_length=40, description="Only this stage (key, 中文 or English).",
                                       examples=["签约"])] = None,
    overdue: Annotated[bool | None, Query(description="Only overdue (true) or only not overdue (false).")] = None,
    org: Annotated[str | None, Query(max_length=200, description="Only this firm (id, USCC or name).")] = None,
) -> ProjectPage:
    where = _filters(store, region, owner, chain)
    firm = resolve_org(store, org, field="query.org") if org else None
    with located("query"):
        found = engines.projects(store, ws).projects(stage=stage, overdue=overdue, org=firm, **where)
    return ProjectPage(items=[_public(p) for p in page.slice(found)], total=len(found), limit=page.limit,
                       offset=page.offset)


@router.get("/stats", summary="Monthly statistics: projects per stage, overdue, and per month created, signed "
            "(with planned investment, 万元) and landed", response_model=ProjectStatsPublic, responses=responses(404))
def stats(store: StoreDep, engines: EnginesDep, ws: WorkspaceDep, _: Viewer, region: RegionQ = None,
          owner: OwnerQ = None, chain: ChainQ = None) -> ProjectStatsPublic:
    return ProjectStatsPublic(**engines.projects(store, ws).stats(**_filters(store, region, owner, chain)).as_dict())


@router.get("/{project_id}", summary="One project", response_model=ProjectPublic, responses=responses(404))
def get_project(store: StoreDep, engines: EnginesDep, ws: WorkspaceDep, _: Viewer,
                project_id: ProjectId) -> ProjectPublic:
    return _public(engines.projects(store, ws).get(project_id))


@router.post("/{project_id}/move", summary="Move a project to a stage and/or change its next step, due date, "
             "investment or introducer; 投产 writes the firm's site into the graph", response_model=ProjectPublic,
             responses=responses(400, 404, 409, 413))
def move(store: StoreDep, engines: EnginesDep, ws: WorkspaceDep, who: Editor, project_id: ProjectId,
         body: ProjectMove) -> ProjectPublic:
    introducer = resolve_org(store, body.introducer, field="body.introducer") if body.introducer else None
    book = engines.projects(store, ws)
    with located("body"):
        return _public(book.move(project_id, body.stage, next_step=body.next_step, due=body.due,
                                 planned=body.planned, actual=body.actual, introducer=introducer,
                                 expect_version=body.version, actor=who.key_id))


@router.post("/{project_id}/notes", summary="Add a note (a leader's instruction, a visit) to a project",
             status_code=201, response_model=ProjectPublic, responses=responses(400, 404, 409, 413))
def note(store: StoreDep, engines: EnginesDep, ws: WorkspaceDep, who: Editor, project_id: ProjectId,
         body: ProjectNoteCreate) -> ProjectPublic:
    return _public(engines.projects(store, ws).note(project_id, body.text, expect_version=body.version,
                                                    actor=who.key_id))


@router.get("/{project_id}/history", summary="Every change of a project (who, when, what), oldest first",
            response_model=ProjectEventPage, responses=responses(404))
def history(store: StoreDep, engines: EnginesDep, ws: WorkspaceDep, _: Viewer, page: PageDep,
            project_id: ProjectId) -> ProjectEventPage:
    events = [asdict(e) for e in engines.projects(store, ws).history(project_id)]
    return ProjectEventPage(project=project_id, items=page.slice(events), total=len(events), limit=page.limit,
                            offset=page.offset)
