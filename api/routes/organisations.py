"""``/organisations``: search and list with filters, read, create, replace, patch, delete.

Writes go through ``store.write(Batch(...))``: validation (names, USCCs,
segment references) and dedupe (same USCC, or same name in the same city)
are the store's, exactly as for imports.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from api.deps import Editor, EnginesDep, PageDep, StoreDep, Viewer
from api.routes._common import AUTHED, FieldError, paged, responses
from api.schemas.core import (
    OrganisationCreate,
    OrganisationPage,
    OrganisationPublic,
    OrganisationUpdate,
)
from graph.display import status_note
from graph.errors import Conflict, InvalidInput, NotFound
from graph.io.cells import org_id as derived_org_id
from graph.model import Organisation, OrgKind, from_dict, to_dict
from graph.regions import parse_region, regions_for
from graph.resolve import chain_filter, fold, resolve_chain, resolve_region, resolve_segment
from graph.store.protocol import Batch, GraphStore

__all__ = ["router"]

router = APIRouter(prefix="/organisations", tags=["organisations"], responses=AUTHED)

#: Ids one ``GET /organisations?id=…`` takes.
MAX_IDS = 200

OrgIdPath = Annotated[str, Path(description="Organisation id.", examples=["org:f0001"])]


def public(org: Organisation) -> OrganisationPublic:
    notes = {f"status_note_{lang}": status_note(org.status.value, org.status_detail, org.status_date, lang)
             for lang in ("zh", "en")}
    return OrganisationPublic.model_validate(to_dict(org) | notes)


def _matches(org: Organisation, q: str) -> bool:
    texts = (org.name_zh, org.name_en, org.id, org.uscc or "", *org.keywords)
    return any(q in fold(t) for t in texts)


def _search(store: GraphStore, *, q, region, segment, chain, kind, tier) -> Iterator[Organisation]:
    segments = store.segments() if segment or chain else []
    seg_id = resolve_segment(segment, segments, field="query.segment").id if segment else None
    cid = chain_filter(chain, store.chains(), field="query.chain")
    chain_segs = set(resolve_chain(cid, store.chains()).segments) if cid is not None else None
    needle = fold(q.strip()) if q and q.strip() else None
    for org in store.organisations(region=region, segment=seg_id, kind=kind):
        if needle and not _matches(org, needle):
            continue
        if tier and tier not in org.tiers:
            continue
        if chain_segs is not None and chain_segs.isdisjoint(m.segment for m in org.segments):
            continue
        yield org


@router.get("", summary="Search and list organisations", response_model=OrganisationPage)
def list_organisations(
    store: StoreDep,
    engines: EnginesDep,
    _: Viewer,
    page: PageDep,
    q: Annotated[str | None, Query(max_length=200, description="Substring of the Chinese or English name, "
                                   "an alias keyword, the id or the USCC (case- and width-insensitive).",
                                   examples=["光影"])] = None,
    region: Annotated[str | None, Query(max_length=200, description="Region id (a path prefix: "
                                        "cn/guangdong/shenzhen includes its districts) or a place name "
                                        "(深圳市南山区, Shenzhen).", examples=["深圳市南山区"])] = None,
    segment: Annotated[str | None, Query(max_length=200, description="Segment id or exact name.",
                                         examples=["游戏引擎"])] = None,
    chain: Annotated[str | None, Query(max_length=200, description="Chain id, name or unique "
                                       "name fragment: organisations in any of its segments (all: no filter).", examples=["动漫游戏"])] = None,
    kind: Annotated[OrgKind | None, Query(description="Firm or kind of platform.")] = None,
    tier: Annotated[str | None, Query(max_length=50, description="Tier tag (链主, 专精特新, 瞪羚 …).",
                                      examples=["专精特新"])] = None,
    ids: Annotated[list[str] | None, Query(alias="id", max_length=MAX_IDS, description=f"Organisation ids "
                                           f"(repeat id=, at most {MAX_IDS}): those organisations in the order "
                                           "asked, unknown ids left out, the other filters and paging ignored "
                                           "(a page naming the firms it shows in one call).")] = None,
) -> OrganisationPage:
    if ids:
        found = {o.id: o for o in store.organisations(ids=list(dict.fromkeys(ids)))}
        items = [found[i] for i in dict.fromkeys(ids) if i in found]
        return OrganisationPage(items=[public(o) for o in items], total=len(items), limit=len(ids), offset=0)
    rid = resolve_region(region, field="query.region")
    if q is None and chain is None and tier is None:  # filters the store can count and page itself
        seg_id = resolve_segment(segment, engines.segments(store), field="query.segment").id if segment else None
        # the count is most of the request (~8 ms of SQLite for a segment of a district at 100k firms) and
        # the same on every page until the next write: kept per store version
        total = engines.answer(store, ("organisation_count", rid, seg_id, kind),
                               lambda: store.organisation_page(region=rid, segment=seg_id, kind=kind, limit=0)[1])
        items, total = store.organisation_page(region=rid, segment=seg_id, kind=kind, offset=page.offset,
                                               limit=page.limit, total=total)
    else:
        items, total = paged(_search(store, q=q, region=rid, segment=segment, chain=chain, kind=kind,
                                     tier=tier), page)
    return OrganisationPage(items=[public(o) for o in items], total=total, limit=page.limit,
                            offset=page.offset, region=rid)


@router.get("/{org_id}", summary="One organisation", response_model=OrganisationPublic,
            responses=responses(404))
def get_organisation(org_id: OrgIdPath, store: StoreDep, _: Viewer) -> OrganisationPublic:
    return public(store.organisation(org_id))


def _domain(body: OrganisationCreate | OrganisationUpdate, org_id: str, store: GraphStore,
            base: dict | None = None) -> Organisation:
    """The domain record of a request body (over ``base``, the stored record, for a patch)."""
    data = body.model_dump(mode="json", exclude={"id"})
    if base is not None:  # a patch: only the top-level fields sent (a nested object is sent whole)
        data = {k: v for k, v in data.items() if k in body.model_fields_set}
    if data.get("region") is not None:
        data["region"] = resolve_region(data["region"], field="body.region")
    if data.get("segments"):
        known = store.segments()
        ids = {s.id for s in known}
        for m in data["segments"]:
            if m["segment"] not in ids:  # a name resolves; an unknown id is the store's to report
                try:
                    m["segment"] = resolve_segment(m["segment"], known, field="body.segments").id
                except InvalidInput:
                    pass
    merged = {**(base or {}), **data, "id": org_id}
    if "region" not in body.model_fields_set and not merged.get("region") and merged.get("address"):
        merged["region"] = parse_region(merged["address"])
    return from_dict(Organisation, merged)


def _write(store: GraphStore, org: Organisation, *, edit: bool = False):
    if edit and org.uscc:  # the embedded store would replace the other holder of the USCC
        owner = store.lookup([org.uscc]).get(org.uscc)
        if owner is not None and owner != org.id:
            raise Conflict(f"USCC {org.uscc} belongs to organisation {owner}",
                           f"统一社会信用代码 {org.uscc} 已属于机构 {owner}")
    return store.write(Batch(organisations=[org], regions=regions_for([org.region])))


def _exists(store: GraphStore, org_id: str) -> bool:
    try:
        store.organisation(org_id)
    except NotFound:
        return False
    return True


@router.post("", summary="Create an organisation", status_code=201, response_model=OrganisationPublic,
             responses={200: {"model": OrganisationPublic,
                              "description": "Deduplicated onto a stored organisation (same USCC, or same "
                                             "name in the same city) and merged into it."},
                        **responses(400, 409, 413)})
def create_organisation(body: OrganisationCreate, store: StoreDep, _: Editor,
                        response: Response) -> OrganisationPublic:
    region = resolve_region(body.region, field="body.region") if body.region else None
    org_id = body.id or derived_org_id(body.name_zh or body.name_en, body.uscc, region)
    if _exists(store, org_id):
        raise Conflict(f"organisation {org_id} already exists; change it with PUT or PATCH",
                       f"机构 {org_id} 已存在；请用 PUT 或 PATCH 修改")
    result = _write(store, _domain(body, org_id, store))
    stored = result.merged.get(org_id, org_id)
    response.status_code = 201 if stored == org_id else 200
    response.headers["Location"] = f"/organisations/{stored}"
    return public(store.organisation(stored))


@router.put("/{org_id}", summary="Replace an organisation", response_model=OrganisationPublic,
            responses=responses(400, 404, 409, 413))
def replace_organisation(org_id: OrgIdPath, body: OrganisationCreate, store: StoreDep,
                         _: Editor) -> OrganisationPublic:
    store.organisation(org_id)
    if body.id is not None and body.id != org_id:
        raise FieldError("body.id", f"id {body.id!r} differs from the path's {org_id!r}")
    _write(store, _domain(body, org_id, store), edit=True)
    return public(store.organisation(org_id))


@router.patch("/{org_id}", summary="Change some fields of an organisation",
              response_model=OrganisationPublic, responses=responses(400, 404, 409, 413))
def patch_organisation(org_id: OrgIdPath, body: OrganisationUpdate, store: StoreDep,
                       _: Editor) -> OrganisationPublic:
    base = to_dict(store.organisation(org_id))
    _write(store, _domain(body, org_id, store, base), edit=True)
    return public(store.organisation(org_id))


@router.delete("/{org_id}", summary="Delete an organisation and its links", status_code=204,
               responses=responses(404))
def delete_organisation(org_id: OrgIdPath, store: StoreDep, _: Editor) -> Response:
    store.delete_organisation(org_id)
    return Response(status_code=204)
