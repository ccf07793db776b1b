"""Recommendation over HTTP: ``/recommendations`` (招商目标), ``/introducers`` (以商招商),
``/partners`` (incubator partners) and ``/outcomes``.

Thin: resolve names to ids, call the use case of the engine room
(:class:`matching.engines.Engines`: targets_page, introducers, partners),
map to the schemas of :mod:`api.schemas.recommend`. Outcomes live in the workspace
(``<data_dir>/workspace.sqlite``); a ``landed`` outcome also gives the firm
its site in the region, so it is local from then on and leaves target lists.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.costly import Costly
from api.deps import Editor, EnginesDep, PageDep, StoreDep, Viewer, WorkspaceDep
from api.routes._common import AUTHED, FieldError, responses
from api.schemas.recommend import (
    BacktestSummary,
    EntriesSummary,
    IntroducerPage,
    OutcomeCreate,
    OutcomePage,
    OutcomePublic,
    OutcomeStatus,
    PartnerPage,
    PartnersRequest,
    TargetPage,
)
from graph.model import LinkKind
from graph.resolve import resolve_org, resolve_region, resolve_segment
from matching.engines import MAX_DEPTH
from matching.recommend.gaptargets import DEFAULT_PER_GAP

__all__ = ["router"]

router = APIRouter(tags=["recommendation"], responses=AUTHED)


Region = Annotated[str, Query(min_length=1, max_length=200, description="Region id or place name "
                              "(cn/guangdong/shenzhen, 深圳, 南山区).", examples=["深圳"])]
OrgRef = Annotated[str, Query(min_length=1, max_length=200, description="Organisation id, USCC or exact name.",
                              examples=["org:f1561"])]




@router.get("/recommendations", summary="Targets to recruit (招商目标) for a gap segment or a chain's gaps, "
            "with score parts, evidence, reasons and attraction form", response_model=TargetPage)
def recommendations(
    store: StoreDep,
    engines: EnginesDep,
    ws: WorkspaceDep,
    _: Viewer,
    region: Region,
    segment: Annotated[str | None, Query(max_length=200, description="Gap segment id or name; absent: every "
                                         "gap of the chain.", examples=["游戏引擎"])] = None,
    chain: Annotated[str | None, Query(max_length=200, description="Chain id or name whose gaps are ranked "
                                       "(absent: every chain); ignored with a segment.",
                                       examples=["动漫游戏"])] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Targets per page.")] = 10,
    offset: Annotated[int, Query(ge=0, le=MAX_DEPTH - 100, description="Targets to skip.")] = 0,
    per_gap: Annotated[int, Query(ge=1, le=100, description="Targets per gap when a chain's gaps are ranked "
                                  "(most severe gap first, a firm listed once; matching.recommend.gaptargets).")]
    = DEFAULT_PER_GAP,
    hide_rejected: Annotated[bool, Query(description="Leave out firms whose latest outcome is rejected.")] = False,
) -> TargetPage:
    rid = resolve_region(region, field="query.region")
    sid = resolve_segment(segment, engines.segments(store), field="query.segment").id if segment is not None else None
    page = engines.targets_page(store, ws, rid, segment=sid, chain=chain, limit=limit, offset=offset,
                                per_gap=per_gap, hide_rejected=hide_rejected)
    return TargetPage(region=page.region, chain=page.chain, focus=list(page.focus), total=page.total,
                      items=[t.as_dict() | {"status": page.status.get(t.org)} for t in page.items],
                      limit=limit, offset=offset)


@router.get("/introducers", summary="Local organisations that can introduce a target (以商招商): direct ties "
            "and two-hop paths, tie strength, recency, weight", response_model=IntroducerPage,
            responses=responses(404))
def list_introducers(store: StoreDep, engines: EnginesDep, ws: WorkspaceDep, _: Viewer, page: PageDep,
                     target: OrgRef, region: Region) -> IntroducerPage:
    rid = resolve_region(region, field="query.region")
    tid = resolve_org(store, target, field="query.target")
    found = engines.introducers(store, ws, tid, rid)
    return IntroducerPage(target=tid, region=rid, items=[x.as_dict() for x in page.slice(found)],
                          total=len(found), limit=page.limit, offset=page.offset)


@router.post("/partners", summary="Local partners for an incubated start-up from its free-text profile: "
             "customers, suppliers, complementors, platforms", response_model=PartnerPage,
             responses=responses(400, 404, 413))
def list_partners(store: StoreDep, engines: EnginesDep, _: Viewer, page: PageDep,
                  body: PartnersRequest) -> PartnerPage:
    rid = resolve_region(body.region, field="body.region")
    segments = store.segments() if body.segments else []
    segs = list(dict.fromkeys(resolve_segment(s, segments, field="body.segments").id for s in body.segments))
    sid = resolve_org(store, body.startup, field="body.startup") if body.startup else None
    chosen, found = engines.partners(store, rid, body.profile, segs, sid)
    return PartnerPage(region=rid, segments=chosen, items=[p.as_dict() for p in page.slice(found)],
                       total=len(found), limit=page.limit, offset=page.offset)


@router.post("/outcomes", summary="Record an outcome of a recommendation (contacted / accepted / rejected / "
             "landed); landed makes the firm local", status_code=201, response_model=OutcomePublic,
             responses=responses(400, 404, 413))
def record(store: StoreDep, ws: WorkspaceDep, who: Editor, body: OutcomeCreate) -> OutcomePublic:
    from matching.recommend.outcomes import record_outcome

    oid = resolve_org(store, body.org, field="body.org")
    rid = resolve_region(body.region, field="body.region")
    seg = resolve_segment(body.segment, store.segments(), field="body.segment").id if body.segment else None
    if body.campaign is not None:
        ws.campaign(body.campaign)  # NotFound for an unknown campaign
    out = record_outcome(ws, store, oid, rid, body.status, segment=seg, form=body.form, campaign=body.campaign,
                         note=body.note, actor=who.key_id)
    return OutcomePublic(**out.as_dict())


@router.get("/outcomes", summary="Outcome history, oldest first", response_model=OutcomePage,
            responses=responses(404))
def outcome_history(
    store: StoreDep,
    ws: WorkspaceDep,
    _: Viewer,
    page: PageDep,
    org: Annotated[str | None, Query(max_length=200, description="Only this organisation (id, USCC or name).",
                                     examples=["org:f1561"])] = None,
    region: Annotated[str | None, Query(max_length=200, description="Only this region (sub-regions "
                                        "included).", examples=["深圳"])] = None,
    status: OutcomeStatus | None = None,
) -> OutcomePage:
    if org is not None and not org.strip():
        raise FieldError("query.org", "empty organisation")
    found = ws.outcomes(org=resolve_org(store, org, field="query.org") if org else None,
                        region=resolve_region(region, field="query.region") if region else None, status=status)
    return OutcomePage(items=[o.as_dict() for o in page.slice(found)], total=len(found), limit=page.limit,
                       offset=page.offset)


@router.get("/eval/backtest", summary="Date-split backtest: Recall@10/50, MRR, nDCG@10 for the engine and every "
            "baseline (seconds; memoised per store version)", response_model=BacktestSummary)
def backtest(
    store: StoreDep,
    engines: EnginesDep,
    _: Costly,  # seconds each: a per-key budget, 429 over it
    t0: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$", description="Freeze date (default: the "
                                    "dataset's train/test boundary, else the quantile).", examples=["2025-06-16"])]
    = None,
    quantile: Annotated[float, Query(ge=0.05, le=0.99, description="Share of dated links before t0 when no "
                                     "boundary applies.")] = 0.8,
    kinds: Annotated[list[LinkKind], Query(min_length=1, max_length=len(LinkKind), description="Link kinds "
                                           "held out (repeat the parameter).")] = [  # noqa: B006
        LinkKind.SUPPLIES, LinkKind.PARTNERS, LinkKind.INVESTS],
) -> BacktestSummary:
    from datetime import date

    if t0 is not None:
        try:
            date.fromisoformat(t0)
        except ValueError:
            raise FieldError("query.t0", f"not a calendar date: {t0!r}") from None
    kind_ids = tuple(dict.fromkeys(k.value for k in kinds))
    return BacktestSummary(**engines.backtest(store, t0, quantile, kind_ids).as_dict())


@router.get("/eval/entries", summary="Date-split entry backtest: MAP, Recall@10/20, AUC-PR of the 补链/延链 ranking "
            "vs random, popularity, relatedness density and demand (about a second; memoised per store version)",
            response_model=EntriesSummary)
def entries(
    store: StoreDep,
    engines: EnginesDep,
    _: Costly,  # seconds each: a per-key budget, 429 over it
    t0: Annotated[str, Query(pattern=r"^\d{4}-\d{2}-\d{2}$", description="Freeze date: firms dated on or before "
                             "it are known.", examples=["2014-12-31"])] = "2014-12-31",
    level: Annotated[Literal["city", "province"], Query(description="Region level compared.")] = "city",
    min_firms: Annotated[int, Query(ge=1, le=100_000, description="Only regions with this many firms at t0.")] = 8,
    tune: Annotated[bool, Query(description="Fit the engine's weights on validation windows ending at t0.")] = False,
) -> EntriesSummary:
    from datetime import date

    try:
        date.fromisoformat(t0)
    except ValueError:
        raise FieldError("query.t0", f"not a calendar date: {t0!r}") from None
    return EntriesSummary(**engines.entries(store, t0, level, min_firms, tune).as_dict())
