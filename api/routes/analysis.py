"""Chain analysis over HTTP: chain map (群-链-企), gaps (补链/强链/延链), leaders (链主), dependence, compare.

Thin: resolve the query, ask :class:`graph.analysis.service.Analyst`
(cached per store version), return its result as JSON
(:func:`graph.analysis.results.to_json`), validated by its response model
(:mod:`api.schemas.analysis`). Region: an id or a Chinese /
English place name; chain: an id or a zh/en name (absent: every segment).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.deps import EnginesDep, StoreDep, Viewer
from api.routes._common import AUTHED, located
from api.schemas.analysis import (
    ChainMapPublic,
    ComparisonPublic,
    DependencePublic,
    GapsPublic,
    LeadersPublic,
)
from graph.analysis.results import to_json

__all__ = ["router"]

router = APIRouter(prefix="/analysis", tags=["analysis"], responses=AUTHED)

Region = Annotated[str, Query(min_length=1, max_length=200, description="Region id or place name "
                              "(cn/guangdong/shenzhen, 深圳, 南山区, Shenzhen).", examples=["深圳"])]
ChainQ = Annotated[str | None, Query(max_length=200, description="Chain id or zh/en name; absent: every "
                                     "segment.", examples=["动漫游戏"])]


@router.get("/chain-map", summary="Chain map: per segment local firms, capacity, tiers, platforms, status",
            response_model=ChainMapPublic)
def chain_map(store: StoreDep, engines: EnginesDep, _: Viewer, region: Region, chain: ChainQ = None) -> dict:
    with located("query"):
        return engines.analysis_json(store, ("chain_map", region, chain), lambda a: a.chain_map(region, chain))


@router.get("/gaps", summary="Gaps: 补链 missing, 强链 thin, 延链 extension, with severity parts and evidence",
            response_model=GapsPublic)
def gaps(store: StoreDep, engines: EnginesDep, _: Viewer, region: Region, chain: ChainQ = None,
         top: Annotated[int | None, Query(ge=1, le=1000, description="Gaps to return (default all).")] = None,
         ) -> dict:
    with located("query"):
        return engines.analysis_json(store, ("gaps", region, chain, top), lambda a: a.gaps(region, chain, top=top))


@router.get("/leaders", summary="Chain leaders (链主): supply centrality, size and tier",
            response_model=LeadersPublic)
def leaders(store: StoreDep, engines: EnginesDep, _: Viewer, region: Region, chain: ChainQ = None,
            top: Annotated[int, Query(ge=1, le=1000)] = 20,
            scope: Annotated[Literal["all", "local", "external"], Query(description="Firms local to the "
                                                                        "region, external, or all.")] = "all",
            ) -> dict:
    with located("query"):
        return to_json(engines.analyse(store, lambda a: a.leaders(region, chain, top=top, scope=scope)))


@router.get("/dependence", summary="External dependence: share of supply from outside, top external "
            "suppliers, single points of failure", response_model=DependencePublic)
def dependence(store: StoreDep, engines: EnginesDep, _: Viewer, region: Region, chain: ChainQ = None,
               top: Annotated[int, Query(ge=1, le=100)] = 5) -> dict:
    with located("query"):
        return to_json(engines.analyse(store, lambda a: a.dependence(region, chain, top=top)))


@router.get("/compare", summary="One chain's coverage for two or more regions side by side",
            response_model=ComparisonPublic)
def compare(store: StoreDep, engines: EnginesDep, _: Viewer,
            regions: Annotated[list[str], Query(min_length=2, max_length=20, description="Two or more "
                                                "regions (repeat the parameter).",
                                                examples=[["深圳", "广州"]])],
            chain: ChainQ = None) -> dict:
    with located("query"):
        return to_json(engines.analyse(store, lambda a: a.compare(regions, chain)))
