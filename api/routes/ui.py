"""The web workbench: ``/ui/`` serves the single page and its files from ``api/static/``.

Plain files, no build step: HTML, ES modules, CSS and the vendored ECharts
(``api/static/vendor/echarts/``, Apache-2.0, its licence beside it). The page
needs no key to load; it asks for one and sends it as ``Authorization:
Bearer`` on every API call. ``/`` redirects to ``/ui/``. None of this is in
the OpenAPI document.

Examples
--------
>>> safe_path("js/main.js").name, safe_path("../app.py"), safe_path("")
('main.js', None, None)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from api.deps import Viewer
from graph.errors import InvalidInput, NotFound
from graph.io.sheets import check_size, xlsx_bytes

__all__ = ["router", "STATIC_DIR", "safe_path", "Sheet", "Workbook", "to_xlsx"]

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"

#: Content types the page uses (the platform's mimetypes table may lack .mjs or map .js oddly).
_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png",
          ".ico": "image/x-icon", ".txt": "text/plain; charset=utf-8", ".json": "application/json"}

router = APIRouter(include_in_schema=False)


def safe_path(rel: str) -> Path | None:
    """The file under :data:`STATIC_DIR` that ``rel`` names, or None if it is outside it or absent."""
    if not rel or "\\" in rel or "\x00" in rel:
        return None
    root = STATIC_DIR.resolve()
    path = (root / rel).resolve()
    if root not in path.parents or not path.is_file():
        return None
    return path


def _file(path: Path) -> FileResponse:
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}
    media = _TYPES.get(path.suffix, "application/octet-stream")
    if path.name.upper().startswith(("LICENSE", "NOTICE")):
        media = _TYPES[".txt"]
    return FileResponse(path, media_type=media, headers=headers)


Cell = str | float | int | None
Text = Annotated[str, StringConstraints(max_length=200)]
#: cells in one export, header rows included (the page's largest table, 20,000 rows × 10, is 200,000)
MAX_EXPORT_CELLS = 500_000
MAX_COLUMNS = 100


class Sheet(BaseModel):
    """One on-screen table: a title, column labels and rows of cells."""

    model_config = ConfigDict(extra="forbid")
    title: Text = ""
    columns: list[Text] = Field(max_length=MAX_COLUMNS)
    rows: list[Annotated[list[Cell], Field(max_length=MAX_COLUMNS)]] = Field(max_length=20_000)


class Workbook(BaseModel):
    """What the page shows, for ``POST /ui/export.xlsx``."""

    model_config = ConfigDict(extra="forbid")
    filename: Annotated[str, StringConstraints(max_length=100)] = "chainmatch.xlsx"
    sheets: list[Sheet] = Field(min_length=1, max_length=20)

    @model_validator(mode="before")
    @classmethod
    def _bounded(cls, data):
        """Count the cells before any is validated: 9 M cells took 112 s and 4.2 GB."""
        sheets = data.get("sheets") if isinstance(data, dict) else None
        if isinstance(sheets, list):
            rows = [s.get("rows") for s in sheets if isinstance(s, dict)]
            rows = [[r for r in rs if isinstance(r, list)] for rs in rows if isinstance(rs, list)]
            try:
                check_size(rows, max_cells=MAX_EXPORT_CELLS, max_row=MAX_COLUMNS, what="export.xlsx")
            except InvalidInput as e:
                raise ValueError(e.problems[0].reason) from None
        return data


def to_xlsx(book: Workbook) -> bytes:
    """The sheets as an .xlsx file through the one writer (:mod:`graph.io.sheets`): text stays text.

    Examples
    --------
    >>> data = to_xlsx(Workbook(sheets=[Sheet(title="目标/Targets", columns=["=名称", "得分"],
    ...                                       rows=[["=HYPERLINK(1)", 7.01]])]))
    >>> import io, openpyxl
    >>> ws = openpyxl.load_workbook(io.BytesIO(data)).active
    >>> ws.title, ws["A1"].data_type, ws["A2"].value, ws["A2"].data_type, ws["B2"].value
    ('目标 Targets', 's', '=HYPERLINK(1)', 's', 7.01)
    """
    return xlsx_bytes([(s.title or f"Sheet{i}", s.columns, s.rows) for i, s in enumerate(book.sheets, 1)])


@router.post("/ui/export.xlsx")
def export_xlsx(book: Workbook, _: Viewer) -> Response:
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", book.filename)
    name = name if name.endswith(".xlsx") else name + ".xlsx"
    return Response(to_xlsx(book), headers={"Content-Disposition": f'attachment; filename="{name}"'},
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


_DOCS_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>chainmatch API</title></head>
<body><h1>chainmatch API</h1><p>The API is described by its OpenAPI document:
<a href="/openapi.json">/openapi.json</a>. Open it in any OpenAPI viewer or client generator.
(The interactive Swagger UI is not served: it would load its scripts from a third-party CDN.)</p>
<p>接口说明见 OpenAPI 文档 <a href="/openapi.json">/openapi.json</a>。</p></body></html>"""


@router.get("/docs")
def docs() -> HTMLResponse:
    """A local page instead of Swagger UI (whose scripts come from a CDN): no script, a strict CSP."""
    return HTMLResponse(_DOCS_PAGE, headers={"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'"})


@router.get("/")
def root() -> RedirectResponse:
    return RedirectResponse("/ui/", status_code=307)


@router.get("/ui")
def ui_bare() -> RedirectResponse:
    return RedirectResponse("/ui/", status_code=307)


@router.get("/ui/{rel:path}")
def ui(rel: str) -> FileResponse:
    path = safe_path(rel or "index.html")
    if path is None:
        raise NotFound("file", rel)
    return _file(path)
