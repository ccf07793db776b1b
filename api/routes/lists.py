"""The six 六个一 lists over HTTP: overview, entries, generate, add, edit, hide, export, import, history.

A list is a kind (``key_firms`` 重点企业, ``targets`` 招商引资目标, ``projects``
重点项目, ``platforms`` 创新平台, ``policies`` 政策工具包, ``advisors``
战略咨询支撑机构; the Chinese names work too) for a region and optionally a
chain. Viewers read; editors generate, add, edit, hide and import.

Scopes are the CLI's (:mod:`api.cli.lists`): ``chain`` absent or ``all``
writes to the region's list of every chain; reading without ``chain`` is the
region view (every list of the region, each entry naming its chain),
``chain=all`` the every-chain list only.
Regenerating keeps every hand-curated entry (:mod:`matching.worklists.store`).
Lists live in the workspace (``<data_dir>/workspace.sqlite``).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path as FsPath
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Path, Query, Response, UploadFile

from api.deps import Editor, EnginesDep, PageDep, SettingsDep, StoreDep, Viewer, WorkspaceDep
from api.routes._common import AUTHED, FieldError, responses
from api.routes.imports import safe_filename
from api.routes.reports import content_disposition
from api.schemas.lists import (
    EntryCreate,
    EntryEdit,
    EntryPage,
    EntryPublic,
    GenerateRequest,
    GenerateResult,
    ListEventPage,
    ListImportResult,
    ListsOverview,
)
from matching.worklists.store import ListStore

__all__ = ["router"]

router = APIRouter(prefix="/lists", tags=["lists"], responses=AUTHED)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EntryId = Annotated[int, Path(ge=1, le=2**62, description="Entry id (编号).", examples=[1])]
KindPath = Annotated[str, Path(max_length=40, description="key_firms, targets, projects, platforms, policies, "
                               "advisors, or the Chinese name (重点企业 …).", examples=["key_firms"])]
Region = Annotated[str, Query(min_length=1, max_length=200, description="Region id or place name.",
                              examples=["深圳"])]
Chain = Annotated[str | None, Query(max_length=200, description="Chain id or name; all: the list of every "
                                    "chain; absent: every list of the region (the region view).",
                                    examples=["动漫游戏"])]


def get_lists(ws: WorkspaceDep) -> ListStore:
    return ListStore(ws)


ListsDep = Annotated[ListStore, Depends(get_lists)]


def _kind(text: str) -> str:
    from graph.errors import InvalidInput
    from matching.worklists.kinds import resolve_kind

    try:
        return resolve_kind(text)
    except InvalidInput as e:
        raise FieldError("path.kind", e.message, e.message_zh) from e


def _scope(store, region: str, chain: str | None, where: str) -> tuple[str, str | None, bool]:
    """Region id, chain id (``None``: every chain) and whether a read is the region view (no chain)."""
    from graph.resolve import chain_filter, resolve_region

    return (resolve_region(region, field=f"{where}.region"),
            chain_filter(chain, store.chains(), field=f"{where}.chain"), chain is None)


@router.get("", summary="The six lists of a region (and chain), counted", response_model=ListsOverview)
def overview(store: StoreDep, lists: ListsDep, _: Viewer, region: Region, chain: Chain = None) -> ListsOverview:
    rid, cid, view = _scope(store, region, chain, "query")
    return ListsOverview(region=rid, chain=cid, every_chain=view, lists=lists.summary(rid, cid, every_chain=view))


@router.get("/entries/{entry_id}", summary="One list entry", response_model=EntryPublic, responses=responses(404))
def get_entry(lists: ListsDep, _: Viewer, entry_id: EntryId) -> EntryPublic:
    return EntryPublic(**lists.entry(entry_id).as_dict())


@router.patch("/entries/{entry_id}", summary="Edit an entry (it becomes curated: regeneration keeps it)",
              response_model=EntryPublic, responses=responses(400, 404, 413))
def edit_entry(store: StoreDep, lists: ListsDep, who: Editor, entry_id: EntryId, body: EntryEdit) -> EntryPublic:
    from matching.worklists.io import org_resolver, resolve_subject
    from matching.worklists.store import Draft

    lists.entry(entry_id)  # 404 before resolving names
    subject, title = body.subject, body.title
    if subject:  # another organisation: its name is the title unless one is sent
        found = resolve_subject(Draft(subject, title or ""), org_resolver(store), "body.subject")
        subject, title = found.subject, found.title
    e = lists.edit(entry_id, subject=subject, title=title, fields=body.fields, note=body.note,
                   hidden=body.hidden, actor=who.key_id)
    return EntryPublic(**e.as_dict())


@router.delete("/entries/{entry_id}", summary="Hide an entry (kept as curated; never re-added by regeneration)",
               response_model=EntryPublic, responses=responses(404))
def hide_entry(lists: ListsDep, who: Editor, entry_id: EntryId) -> EntryPublic:
    return EntryPublic(**lists.hide(entry_id, actor=who.key_id).as_dict())


@router.get("/{kind}", summary="A list's entries in order", response_model=EntryPage)
def entries(store: StoreDep, lists: ListsDep, _: Viewer, page: PageDep, kind: KindPath, region: Region,
            chain: Chain = None,
            hidden: Annotated[bool, Query(description="Include hidden entries.")] = False) -> EntryPage:
    kind = _kind(kind)
    rid, cid, view = _scope(store, region, chain, "query")
    found = lists.entries(kind, rid, cid, hidden=None if hidden else False, every_chain=view)
    return EntryPage(kind=kind, region=rid, chain=cid, every_chain=view,
                     version=lists.version(kind, rid, cid, every_chain=view),
                     items=[e.as_dict() for e in page.slice(found)], total=len(found), limit=page.limit,
                     offset=page.offset)


@router.post("/{kind}/generate", summary="(Re)generate key firms, targets or platforms from the data; "
             "hand-curated entries stay as they are", response_model=GenerateResult, responses=responses(400, 413))
def generate(store: StoreDep, engines: EnginesDep, lists: ListsDep, who: Editor, kind: KindPath,
             body: GenerateRequest) -> GenerateResult:
    kind = _kind(kind)
    rid, cid, _view = _scope(store, body.region, body.chain, "body")
    drafts = engines.list_drafts(store, lists.ws, kind, rid, cid, top=body.top)
    return GenerateResult(**lists.regenerate(kind, rid, cid, drafts, actor=who.key_id).as_dict())


@router.post("/{kind}/entries", summary="Add an entry by hand (curated)", status_code=201,
             response_model=EntryPublic, responses=responses(400, 413))
def add_entry(store: StoreDep, lists: ListsDep, who: Editor, kind: KindPath, body: EntryCreate) -> EntryPublic:
    from matching.worklists.io import org_resolver, resolve_subject
    from matching.worklists.store import Draft

    kind = _kind(kind)
    rid, cid, _view = _scope(store, body.region, body.chain, "body")
    draft = resolve_subject(Draft(body.subject, body.title, body.fields, body.note), org_resolver(store),
                            "body.subject")
    return EntryPublic(**lists.add(kind, rid, cid, draft, actor=who.key_id).as_dict())


@router.get("/{kind}/export", summary="A list as CSV (UTF-8 with BOM) or xlsx, with Chinese headers",
            response_class=Response, responses={200: {"description": "The file.", "content": {
                "text/csv": {"schema": {"type": "string"}}, XLSX: {"schema": {"type": "string", "format": "binary"}}}}})
def export(store: StoreDep, lists: ListsDep, _: Viewer, kind: KindPath, region: Region, chain: Chain = None,
           format: Annotated[Literal["csv", "xlsx"], Query(description="File format.")] = "csv",  # noqa: A002
           hidden: Annotated[bool, Query(description="Include hidden entries.")] = False) -> Response:
    from matching.worklists.io import to_csv, to_xlsx

    kind = _kind(kind)
    rid, cid, view = _scope(store, region, chain, "query")
    found = lists.entries(kind, rid, cid, hidden=None if hidden else False, every_chain=view)
    headers = {"Content-Disposition": content_disposition(*export_names(store, kind, rid, cid, view, format))}
    if format == "csv":
        return Response(to_csv(kind, found), media_type="text/csv; charset=utf-8", headers=headers)
    return Response(to_xlsx(kind, found), media_type=XLSX, headers=headers)


def export_names(store, kind: str, region: str, chain: str | None, region_view: bool, fmt: str) -> tuple[str, str]:
    """The export's file name in Chinese (list_region_chain) and its ASCII fallback, so a download says what it holds.

    The region view (no chain asked) is 地区全部清单 / region-view; the every-chain list (chain=all) is 全部产业链 / all.

    >>> export_names(None, "key_firms", "cn/guangdong/shenzhen", None, False, "csv")
    ('重点企业_深圳市_全部产业链.csv', 'chainmatch-list-key_firms-cn-guangdong-shenzhen-all.csv')
    """
    import re

    from graph.display import region_name
    from matching.worklists.kinds import KINDS

    if chain:
        found = next((c for c in store.chains() if c.id == chain), None)
        chain_zh = (found.name_zh or found.name_en or chain) if found else chain
    else:
        chain_zh = "地区全部清单" if region_view else "全部产业链"
    chain_ascii = chain or ("region-view" if region_view else "all")
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f\s]+', "_", f"{KINDS[kind].zh}_{region_name(region)}_{chain_zh}.{fmt}")
    ascii_ = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"chainmatch-list-{kind}-{region}-{chain_ascii}").strip("-")
    return name, f"{ascii_}.{fmt}"


@router.post("/{kind}/import", summary="Import a list file (.csv or .xlsx), all or nothing",
             response_model=ListImportResult, responses=responses(400, 413),
             description="Multipart upload (`file`). Rows with 编号 (id) edit those entries; other rows are matched "
             "by organisation or title, else added as curated. Any bad row: 422 naming file, row and column, "
             "and nothing is written.")
def import_list(store: StoreDep, settings: SettingsDep, lists: ListsDep, who: Editor, kind: KindPath,
                file: Annotated[UploadFile, File(description="The .csv or .xlsx file.")], region: Region,
                chain: Chain = None,
                sheet: Annotated[str | None, Query(max_length=100, description="Worksheet of an .xlsx file.")] = None
                ) -> ListImportResult:
    from matching.worklists.io import org_resolver, read_import

    kind = _kind(kind)
    rid, cid, view = _scope(store, region, chain, "query")
    with tempfile.TemporaryDirectory(prefix="chainmatch-list-") as tmp:
        path = FsPath(tmp) / safe_filename(file.filename)
        with open(path, "wb") as out:
            shutil.copyfileobj(file.file, out)
        rows = read_import(path, kind, org_resolver(store), sheet=sheet, settings=settings)
    result = lists.import_rows(kind, rid, cid, rows, file=path.name, actor=who.key_id, every_chain=view)
    return ListImportResult(**result.as_dict())


@router.get("/{kind}/history", summary="Every write to a list, oldest first (each write is a version)",
            response_model=ListEventPage)
def history(store: StoreDep, lists: ListsDep, _: Viewer, page: PageDep, kind: KindPath, region: Region,
            chain: Chain = None) -> ListEventPage:
    kind = _kind(kind)
    rid, cid, view = _scope(store, region, chain, "query")
    events = lists.history(kind, rid, cid, every_chain=view)
    return ListEventPage(items=page.slice(events), total=len(events), limit=page.limit, offset=page.offset)
