"""Segments, chains, clusters, links and regions: the catalogue the analyses run over."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import PageDep, StoreDep, Viewer
from api.routes._common import AUTHED, paged, responses
from api.schemas.core import (
    ChainDetail,
    ChainPublic,
    ClusterPublic,
    LinkPublic,
    Page,
    RegionPublic,
    RegionResolved,
    SegmentPublic,
)
from graph.errors import NotFound
from graph.model import Format, LinkKind, RegionLevel, Stage, to_dict
from graph.resolve import chain_filter, fold, looks_like_region_id, resolve_chain, resolve_region

__all__ = ["router"]

router = APIRouter(tags=["catalogue"], responses=AUTHED)

Q = Annotated[str | None, Query(max_length=200, description="Substring of the Chinese or English name.",
                                examples=["游戏"])]


def _named(records, q: str | None):
    if not q or not q.strip():
        return iter(records)
    needle = fold(q.strip())
    return (r for r in records if needle in fold(r.name_zh) or needle in fold(r.name_en) or needle in r.id)


def _one(records, ident: str, what: str):
    for r in records:
        if r.id == ident:
            return r
    raise NotFound(what, ident)


@router.get("/segments", summary="Chain segments (产业链环节)", response_model=Page[SegmentPublic])
def list_segments(
    store: StoreDep, _: Viewer, page: PageDep, q: Q = None,
    chain: Annotated[str | None, Query(max_length=200, description="Chain id, name or unique name "
                                       "fragment; absent or all: every chain.", examples=["动漫游戏"])] = None,
    stage: Stage | None = None,
    format: Annotated[Format | None, Query(description="One of the four formats (or other).")] = None,
) -> Page[SegmentPublic]:
    segments = store.segments()
    if (cid := chain_filter(chain, store.chains(), field="query.chain")) is not None:
        order = resolve_chain(cid, store.chains()).segments
        by_id = {s.id: s for s in segments}
        segments = [by_id[s] for s in order if s in by_id]
    rows = (s for s in _named(segments, q)
            if (stage is None or s.stage is stage) and (format is None or s.format is format))
    items, total = paged(rows, page)
    return Page[SegmentPublic](items=[SegmentPublic.model_validate(to_dict(s)) for s in items],
                               total=total, limit=page.limit, offset=page.offset)


@router.get("/segments/{segment_id}", summary="One segment", response_model=SegmentPublic,
            responses=responses(404))
def get_segment(segment_id: Annotated[str, Path(examples=["seg:game_engine"])], store: StoreDep,
                _: Viewer) -> SegmentPublic:
    return SegmentPublic.model_validate(to_dict(_one(store.segments(), segment_id, "segment")))


@router.get("/chains", summary="Industry chains (产业链)", response_model=Page[ChainPublic])
def list_chains(
    store: StoreDep, _: Viewer, page: PageDep, q: Q = None,
    cluster: Annotated[str | None, Query(max_length=200, description="Cluster id.")] = None,
) -> Page[ChainPublic]:
    rows = (c for c in _named(store.chains(), q) if cluster is None or c.cluster == cluster)
    items, total = paged(rows, page)
    return Page[ChainPublic](items=[ChainPublic.model_validate(to_dict(c)) for c in items],
                             total=total, limit=page.limit, offset=page.offset)


@router.get("/chains/{chain_id}", summary="One chain with its segments and supply edges",
            response_model=ChainDetail, responses=responses(404))
def get_chain(chain_id: Annotated[str, Path(description="Chain id or exact name.",
                                            examples=["chain:animation_games"])],
              store: StoreDep, _: Viewer) -> ChainDetail:
    chains = store.chains()
    if not any(c.id == chain_id or chain_id in (c.name_zh, c.name_en) for c in chains):
        raise NotFound("chain", chain_id)
    chain = resolve_chain(chain_id, chains, field="path.chain_id")
    members = set(chain.segments)
    by_id = {s.id: s for s in store.segments()}
    edges = [e for e in store.segment_edges() if e.upstream in members and e.downstream in members]
    return ChainDetail.model_validate({
        **to_dict(chain),
        "segment_records": [to_dict(by_id[s]) for s in chain.segments if s in by_id],
        "edges": [to_dict(e) for e in edges],
    })


@router.get("/clusters", summary="Industry clusters (产业集群)", response_model=Page[ClusterPublic])
def list_clusters(store: StoreDep, _: Viewer, page: PageDep, q: Q = None) -> Page[ClusterPublic]:
    items, total = paged(_named(store.clusters(), q), page)
    return Page[ClusterPublic](items=[ClusterPublic.model_validate(to_dict(c)) for c in items],
                               total=total, limit=page.limit, offset=page.offset)


@router.get("/clusters/{cluster_id}", summary="One cluster", response_model=ClusterPublic,
            responses=responses(404))
def get_cluster(cluster_id: Annotated[str, Path(examples=["cluster:digital_creative"])], store: StoreDep,
                _: Viewer) -> ClusterPublic:
    return ClusterPublic.model_validate(to_dict(_one(store.clusters(), cluster_id, "cluster")))


@router.get("/links", summary="Links between organisations", response_model=Page[LinkPublic])
def list_links(
    store: StoreDep, _: Viewer, page: PageDep,
    org: Annotated[str | None, Query(max_length=200, description="Links touching this organisation id.",
                                     examples=["org:f0001"])] = None,
    kind: LinkKind | None = None,
) -> Page[LinkPublic]:
    items, total = paged(store.links(kind=kind, org=org), page)
    return Page[LinkPublic](items=[LinkPublic.model_validate(to_dict(x)) for x in items],
                            total=total, limit=page.limit, offset=page.offset)


@router.get("/regions", summary="Regions the data uses", response_model=Page[RegionPublic])
def list_regions(
    store: StoreDep, _: Viewer, page: PageDep, q: Q = None,
    level: RegionLevel | None = None,
    within: Annotated[str | None, Query(max_length=200, description="Region id or place name: only "
                                        "regions inside it.", examples=["深圳"])] = None,
) -> Page[RegionPublic]:
    inside = resolve_region(within, field="query.within")
    rows = (r for r in _named(store.regions(), q)
            if (level is None or r.level is level)
            and (inside is None or r.id == inside or r.id.startswith(inside + "/")))
    items, total = paged(rows, page)
    return Page[RegionPublic](items=[RegionPublic.model_validate(to_dict(r)) for r in items],
                              total=total, limit=page.limit, offset=page.offset)


@router.get("/regions/resolve", summary="Parse a place name or address into a region",
            response_model=RegionResolved)
def resolve(
    _: Viewer,
    text: Annotated[str, Query(min_length=1, max_length=500, examples=["广东省深圳市南山区科技园"])],
) -> RegionResolved:
    from graph.regions import display, lineage, parse_region, region

    rid = text.strip() if looks_like_region_id(text.strip()) else parse_region(text)
    try:
        found = region(rid) if rid else None
    except NotFound:
        found = None
    return RegionResolved(
        text=text,
        region=RegionPublic.model_validate(to_dict(found)) if found else None,
        lineage=lineage(found.id) if found else [],
        display_zh=display(found.id, "zh") if found else None,
        display_en=display(found.id, "en") if found else None,
    )


@router.get("/regions/{region_id:path}", summary="One region (from the data or the gazetteer)",
            response_model=RegionPublic, responses=responses(404))
def get_region(region_id: Annotated[str, Path(examples=["cn/guangdong/shenzhen"])], store: StoreDep,
               _: Viewer) -> RegionPublic:
    from graph.regions import region

    stored = {r.id: r for r in store.regions()}
    found = stored.get(region_id) or region(region_id)
    return RegionPublic.model_validate(to_dict(found))
