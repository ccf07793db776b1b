"""Matching core over HTTP: ``/search`` (hybrid), ``/index`` (status, build), ``/classify`` (挂链),
``/classify/confirm`` and ``/classify/reject`` (review a prediction).

The embedding model and the search index are built lazily on first use
(:class:`matching.engines.Engines`, the CLI's too) and kept until the store version changes.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.deps import Editor, EnginesDep, PageDep, StoreDep, Viewer
from api.routes._common import AUTHED, paged, responses
from api.schemas.core import (
    ClassifyResult,
    ComponentState,
    IndexStatus,
    PredictionPublic,
    ReviewCreate,
    ReviewPublic,
    SearchHit,
    SearchResults,
)
from graph.model import OrgKind
from graph.resolve import resolve_org, resolve_region, resolve_segment

__all__ = ["router"]

router = APIRouter(tags=["matching"], responses=AUTHED)

#: Deepest rank a search page reaches (the engine's candidate lists are sized by it).
MAX_SEARCH_DEPTH = 1000


@router.get("/search", summary="Hybrid search: dense + Chinese-aware lexical, fused and explained",
            response_model=SearchResults)
def search(
    store: StoreDep,
    engines: EnginesDep,
    _: Viewer,
    q: Annotated[str, Query(min_length=1, max_length=200, description="What to look for, Chinese or English "
                            "(at most 200 characters: a 450-character query took 3.5 s).",
                            examples=["动作捕捉设备"])],
    limit: Annotated[int, Query(ge=1, le=100, description="Hits per page.")] = 10,
    offset: Annotated[int, Query(ge=0, le=MAX_SEARCH_DEPTH - 100,
                                 description=f"Hits to skip (search ranks at most {MAX_SEARCH_DEPTH}).")] = 0,
    mode: Literal["hybrid", "dense", "lexical"] = "hybrid",
    region: Annotated[str | None, Query(max_length=200, description="Region id or place name.",
                                        examples=["深圳"])] = None,
    segment: Annotated[str | None, Query(max_length=200, description="Segment id or exact name "
                                         "(confirmed or predicted members).", examples=["游戏引擎"])] = None,
    kind: OrgKind | None = None,
    tier: Annotated[str | None, Query(max_length=50, examples=["专精特新"])] = None,
    min_employees: Annotated[int | None, Query(ge=0, le=10_000_000)] = None,
    max_employees: Annotated[int | None, Query(ge=0, le=10_000_000)] = None,
) -> SearchResults:
    from matching.search import Filters

    rid = resolve_region(region, field="query.region")
    sid = resolve_segment(segment, store.segments(), field="query.segment").id if segment else None
    filters = Filters(region=rid, segment=sid, kind=kind.value if kind else None, tier=tier,
                      min_employees=min_employees, max_employees=max_employees)
    engine = engines.search(store)
    result = engine.search(q, k=offset + limit, mode=mode, filters=filters)
    hits = [SearchHit(**h.as_dict()) for h in result.hits[offset:]]
    return SearchResults(query=result.query, mode=mode, weights=result.weights, region=rid, segment=sid,
                         items=hits, limit=limit, offset=offset)


def _index_status(store, engines) -> IndexStatus:
    from matching.search import index_dir, read_manifest

    version = store.version()
    state = engines.status(version)
    return IndexStatus(store_version=version, model=ComponentState(**state["model"]),
                       index=ComponentState(**state["index"]),
                       manifest=read_manifest(index_dir(engines.settings.data_dir)))


@router.get("/index", summary="Search index and model state", response_model=IndexStatus)
def index_status(store: StoreDep, engines: EnginesDep, _: Viewer) -> IndexStatus:
    return _index_status(store, engines)


@router.post("/index/build", summary="Build the search index now (else built on the first search)",
             response_model=IndexStatus)
def index_build(store: StoreDep, engines: EnginesDep, _: Editor,
                rebuild: Annotated[bool, Query(description="Rebuild even if current.")] = False) -> IndexStatus:
    engines.search(store, rebuild=rebuild)
    return _index_status(store, engines)


@router.post("/classify", summary="挂链: predict segments for firms without confirmed ones",
             response_model=ClassifyResult)
def classify(
    store: StoreDep,
    engines: EnginesDep,
    _: Editor,
    page: PageDep,
    dry_run: Annotated[bool, Query(description="Predict only; write nothing.")] = True,
    top: Annotated[int, Query(ge=1, le=10, description="Predictions per organisation.")] = 3,
    keep: Annotated[int, Query(ge=1, le=5, description="Predictions written per organisation.")] = 1,
    min_confidence: Annotated[float, Query(ge=0.0, le=1.0, description="Write only predictions this confident.")] = 0.5,
    dense: Annotated[bool, Query(description="Use embedding features too.")] = False,
) -> ClassifyResult:
    from matching.classify import apply_predictions

    preds = engines.classify(store, top=top, dense=dense)
    written = None if dry_run else apply_predictions(store, preds, max_per_org=keep,
                                                     min_confidence=min_confidence).changed
    items, total = paged((p for ps in preds for p in ps), page)
    return ClassifyResult(organisations=len(preds), written=written, total=total, limit=page.limit,
                          offset=page.offset, items=[PredictionPublic(**p.as_dict()) for p in items])


def _review(store, engines, body: ReviewCreate, decision: str) -> ReviewPublic:
    org = resolve_org(store, body.org, field="body.org")
    segment = resolve_segment(body.segment, store.segments(), field="body.segment").id
    return ReviewPublic(**asdict(engines.review(store, org, segment, decision)))


@router.post("/classify/confirm", summary="Confirm a 挂链 membership: it counts as confirmed everywhere",
             response_model=ReviewPublic, responses=responses(400, 404, 413))
def classify_confirm(store: StoreDep, engines: EnginesDep, _: Editor, body: ReviewCreate) -> ReviewPublic:
    return _review(store, engines, body, "confirm")


@router.post("/classify/reject", summary="Reject a 挂链 prediction: it counts nowhere and is never predicted again",
             response_model=ReviewPublic, responses=responses(400, 404, 413))
def classify_reject(store: StoreDep, engines: EnginesDep, _: Editor, body: ReviewCreate) -> ReviewPublic:
    return _review(store, engines, body, "reject")
