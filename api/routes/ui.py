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

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, RedirectResponse

from graph.errors import NotFound

__all__ = ["router", "STATIC_DIR", "safe_path"]

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
