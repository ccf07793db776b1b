"""The gap-and-target report over HTTP: ``GET /reports`` returns the xlsx or HTML file.

Thin: resolve the region, ask the engine room for the report
(:meth:`matching.engines.Engines.report`, the same call ``chainmatch report``
makes), render and return the file as an attachment whose name is UTF-8 encoded
(``filename*``). Landed firms from the workspace count as local, as in
``/recommendations``.

Examples
--------
>>> print(content_disposition("报告_深圳.xlsx", "report-cn-guangdong-shenzhen.xlsx"))
attachment; filename="report-cn-guangdong-shenzhen.xlsx"; filename*=UTF-8''%E6%8A%A5%E5%91%8A_%E6%B7%B1%E5%9C%B3.xlsx
"""

from __future__ import annotations

import re
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import EnginesDep, StoreDep, Viewer, WorkspaceDep
from api.routes._common import AUTHED, responses
from graph.resolve import resolve_region
from matching.reports.render import MEDIA_TYPES

__all__ = ["router", "content_disposition"]

router = APIRouter(tags=["reports"], responses=AUTHED)

Region = Annotated[str, Query(min_length=1, max_length=200, description="Region id or place name "
                              "(cn/guangdong/shenzhen, 深圳, 南山区).", examples=["深圳"])]
ChainQ = Annotated[str | None, Query(max_length=200, description="Chain id or zh/en name; absent: every "
                                     "segment.", examples=["动漫游戏"])]
_FILE = {200: {"description": "The report file (attachment).",
               "content": {MEDIA_TYPES["xlsx"]: {}, "text/html": {}}}}
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def content_disposition(name: str, fallback: str) -> str:
    """An attachment header with an ASCII ``filename`` and the UTF-8 ``filename*`` (RFC 6266 / 5987)."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _file_names(report: dict, fmt: str, lang: str) -> tuple[str, str]:
    from matching.reports.labels import t

    key = "name_zh" if lang == "zh" else "name_en"
    name = f"{t('title', lang)}_{report['region'][key]}_{report['chain'][key]}.{fmt}"
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", name).replace(" ", "_")
    ascii_ = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"chainmatch-report-{report['region']['id']}-{report['chain']['id']}")
    return name, f"{ascii_.strip('-')}.{fmt}"


@router.get("/reports", summary="Gap-and-target report (缺链补链与招商目标报告) as an xlsx or HTML file: chain map, "
            "gaps, targets with form, introducers, campaign, external dependence, provenance",
            response_class=Response, responses={**_FILE, **responses(404)})
def report(store: StoreDep, engines: EnginesDep, ws: WorkspaceDep, _: Viewer, region: Region, chain: ChainQ = None,
           fmt: Annotated[Literal["xlsx", "html"], Query(alias="format", description="File format.")] = "xlsx",
           lang: Annotated[Literal["zh", "en"], Query(description="Header language.")] = "zh") -> Response:
    from matching.reports.render import render

    built = engines.report(store, ws, resolve_region(region, field="query.region"), chain)
    name, fallback = _file_names(built, fmt, lang)
    headers = {"Content-Disposition": content_disposition(name, fallback), "X-Content-Type-Options": "nosniff"}
    if fmt == "html":
        headers["Content-Security-Policy"] = _CSP
    return Response(render(built, fmt, lang), media_type=MEDIA_TYPES[fmt], headers=headers)
