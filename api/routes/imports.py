"""``/imports/{entity}``: upload a CSV/TSV/JSON/JSONL/XLSX file, get the validation report.

The upload is written to a private temporary directory under its own base
name (so problems name the file the user sent) and handed to
:func:`graph.io.importer.import_file`: all or nothing, every problem listed
(422) and nothing written, unless ``skip_invalid`` writes the good rows.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path as FsPath
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, File, Path, Query, UploadFile

from api.deps import Editor, EnginesDep, SettingsDep, StoreDep
from api.routes._common import AUTHED, FieldError, responses
from api.schemas.core import ImportReportPublic
from api.uploads import save_upload, upload_dir
from graph.io.importer import Entity, import_file

__all__ = ["router", "safe_filename", "parse_column_map", "report_public"]

router = APIRouter(prefix="/imports", tags=["imports"], responses=AUTHED)

_UNSAFE = re.compile(r"[\\/\x00-\x1f\x7f:*?\"<>|]+")


def safe_filename(name: str | None) -> str:
    """A base name safe to create in a temporary directory (the extension kept).

    >>> safe_filename("../../etc/企业名单.csv"), safe_filename(None), safe_filename("..")
    ('企业名单.csv', 'upload', 'upload')
    """
    base = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    base = _UNSAFE.sub("_", base).strip(" .")
    if not base:
        return "upload"
    stem, dot, ext = base.rpartition(".")
    if dot and len(ext) <= 10:
        return stem[:100] + "." + ext
    return base[:100]


def parse_column_map(items: list[str] | None) -> dict[str, str] | None:
    """``["公司=name_zh"]`` → ``{"公司": "name_zh"}``.

    >>> parse_column_map(["公司=name_zh"]), parse_column_map([])
    ({'公司': 'name_zh'}, None)
    """
    if not items:
        return None
    out = {}
    for item in items:
        header, eq, field = item.partition("=")
        if not eq or not header.strip() or not field.strip():
            raise FieldError("query.map", f"want HEADER=FIELD, got {item!r}")
        out[header.strip()] = field.strip()
    return out


@router.post(
    "/{entity}",
    summary="Bulk import a file",
    response_model=ImportReportPublic,
    responses=responses(400, 413),
    description="Multipart upload (`file`). The format comes from the file name's extension "
    "(.csv .tsv .txt .json .jsonl .ndjson .xlsx); Chinese platform headers (企业名称, "
    "统一社会信用代码 …) are recognised; GBK/GB18030 is detected. Any bad row: 422 listing every "
    "problem (file, row, field, reason) and nothing is written.\n\n"
    "`curl -H 'Authorization: Bearer KEY' -F file=@firms.csv URL/imports/organisations`",
)
def import_upload(
    entity: Annotated[Entity,
                      Path(description="What the file holds: the entities `chainmatch import` takes "
                           "(segment-edges: a chain template's 上游环节 → 下游环节 list; branches: a "
                           "分支机构 list).")],
    file: Annotated[UploadFile, File(description="The file to import.")],
    store: StoreDep,
    settings: SettingsDep,
    engines: EnginesDep,
    background: BackgroundTasks,
    _: Editor,
    dry_run: Annotated[bool, Query(description="Check everything, write nothing.")] = False,
    skip_invalid: Annotated[bool, Query(description="Write the good rows; list the bad ones.")] = False,
    encoding: Annotated[str | None, Query(max_length=40, description="Force a text encoding.",
                                          examples=["gb18030"])] = None,
    sheet: Annotated[str | None, Query(max_length=100, description="Worksheet of an .xlsx file.")] = None,
    column_map: Annotated[list[str] | None, Query(alias="map", max_length=200,
                                                  description="HEADER=FIELD, repeatable.",
                                                  examples=[["公司=name_zh"]])] = None,
) -> ImportReportPublic:
    mapping = parse_column_map(column_map)
    with upload_dir(settings.data_dir) as tmp:  # owner-only; swept at start if a kill -9 left it
        path = save_upload(file.file, tmp / safe_filename(file.filename))
        report = import_file(store, path, entity, column_map=mapping, encoding=encoding, sheet=sheet,
                             skip_invalid=skip_invalid, reject_path=FsPath(tmp) / "_rejects.csv",
                             dry_run=dry_run, settings=settings)
    if report.imported is not None and not dry_run:
        # the new version's analysis view, built after the answer is sent (large stores only), not by the next query
        background.add_task(engines.prepare_analysis, store)
    return report_public(report)


def report_public(report) -> ImportReportPublic:
    """The HTTP shape of an :class:`~graph.io.importer.ImportReport` (merged organisations counted)."""
    data = report.as_dict()
    if report.imported is not None:
        w = report.imported
        data["imported"] = {"inserted": w.inserted, "updated": w.updated, "unchanged": w.unchanged,
                            "merged": len(w.merged), "version": w.version}
    return ImportReportPublic.model_validate(data)
