"""One call from a built report to file bytes: ``xlsx`` or ``html``, ``zh`` or ``en``.

Examples
--------
>>> format_for("周报.XLSX", None), format_for("out.bin", "html")
('xlsx', 'html')
>>> format_for("out.pdf", None)
Traceback (most recent call last):
...
graph.errors.InvalidInput: cannot tell the report format from 'out.pdf': use --format xlsx or html
>>> MEDIA_TYPES["html"]
'text/html; charset=utf-8'
"""

from __future__ import annotations

from pathlib import PurePath

from graph.errors import InvalidInput

__all__ = ["FORMATS", "MEDIA_TYPES", "render", "format_for", "check_lang"]

FORMATS = ("xlsx", "html")
MEDIA_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "html": "text/html; charset=utf-8"}


def format_for(path, fmt: str | None) -> str:
    """``fmt`` if given (checked), else the format the path's suffix names."""
    if fmt is None:
        fmt = PurePath(str(path)).suffix.lower().lstrip(".")
        if fmt == "htm":
            fmt = "html"
        if fmt not in FORMATS:
            raise InvalidInput(f"cannot tell the report format from {str(path)!r}: use --format xlsx or html",
                               f"无法从 {str(path)!r} 判断报告格式：请用 --format xlsx 或 html")
    if fmt not in FORMATS:
        raise InvalidInput(f"unknown report format {fmt!r}: use xlsx or html", f"未知报告格式 {fmt!r}：请用 xlsx 或 html")
    return fmt


def check_lang(lang: str) -> str:
    if lang not in ("zh", "en"):
        raise InvalidInput(f"unknown report language {lang!r}: use zh or en", f"未知报告语言 {lang!r}：请用 zh 或 en")
    return lang


def render(report: dict, fmt: str, lang: str = "zh") -> bytes:
    """The report as ``xlsx`` or ``html`` bytes (UTF-8)."""
    fmt, lang = format_for("", fmt), check_lang(lang)
    if fmt == "xlsx":
        from matching.reports.tables import report_tables
        from matching.reports.xlsx import to_xlsx

        return to_xlsx(report_tables(report, lang), lang)
    from matching.reports.html import to_html

    return to_html(report, lang).encode("utf-8")
