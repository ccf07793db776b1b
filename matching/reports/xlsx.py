"""The report as an Excel workbook (openpyxl): one sheet per section, Chinese sheet names and headers.

Numbers are stored as numbers (with a number format); each figure column is
followed by an ids column (``… 依据ID``) whose cell links to the first id's row
on the evidence sheet, and a figure column whose ids equal an earlier one's
links its numbers to that ids cell. The header row is frozen; column widths
count CJK characters double. Text from the data is always stored as text,
never as a formula.

Examples
--------
>>> import io, openpyxl
>>> from matching.reports.build import fig
>>> from matching.reports.tables import Table
>>> ev = Table("evidence", "证据来源", ["ID", "名称"], [["org:a", "=cmd|' /C calc'!A0"]])
>>> data = to_xlsx([Table("gaps", "缺链补链", ["环节", "严重度"], [["游戏引擎", fig(0.8, ["org:a"], "score")]]), ev])
>>> wb = openpyxl.load_workbook(io.BytesIO(data))
>>> ws = wb["缺链补链"]
>>> [c.value for c in ws[1]], ws["B2"].value, ws["C2"].value, ws["C2"].hyperlink.location
(['环节', '严重度', '严重度 依据ID'], 0.8, 'org:a', "'证据来源'!A2")
>>> ws.freeze_panes, wb["证据来源"]["B2"].data_type
('A2', 's')
"""

from __future__ import annotations

import io

from graph.display import cells as display_width  # display columns: CJK two, combining marks none
from graph.io.sheets import MAX_CELL, put_cell, sheet_title
from matching.reports.labels import t
from matching.reports.tables import Table, ids_columns, is_fig

__all__ = ["to_xlsx", "display_width", "sheet_title", "FORMATS"]

FORMATS = {"int": "0", "float": "0.00", "score": "0.000", "pct": "0.0%"}
MAX_WIDTH = 60


def _text(value) -> str:
    return "" if value is None else str(value)


def to_xlsx(tables: list[Table], lang: str = "zh") -> bytes:
    """The tables as an .xlsx file (the ``evidence`` table, if any, is the link target)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.hyperlink import Hyperlink

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    titles = {tab.key: sheet_title(tab.title, used) for tab in tables}
    ev = next((tab for tab in tables if tab.key == "evidence"), None)
    ev_row = {row[0]: r for r, row in enumerate(ev.rows, 2)} if ev else {}
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE7F3")
    link_font = Font(color="1F4E9A", underline="single")
    for tab in tables:
        ws = wb.create_sheet(titles[tab.key])
        own = ids_columns(tab)
        pos, col = {}, 1  # table column -> sheet column
        header = []
        for j, name in enumerate(tab.columns):
            pos[j] = col
            header.append(name)
            col += 1
            if own.get(j) == j:
                header.append(f"{name} {t('ids', lang)}")
                col += 1
        widths = [display_width(h) for h in header]
        for c, h in enumerate(header, 1):
            cell = put_cell(ws, 1, c, h)
            cell.font, cell.fill = bold, fill
            cell.alignment = Alignment(vertical="center")
        for r, row in enumerate(tab.rows, 2):
            for j, value in enumerate(row):
                c = pos[j]
                if is_fig(value):
                    cell = put_cell(ws, r, c, value["value"])
                    cell.number_format = FORMATS.get(value["fmt"], "General")
                    shown = f"{value['value']:.3f}" if isinstance(value["value"], float) else _text(value["value"])
                    if own.get(j) == j:
                        ids = " ".join(value["ids"])[:MAX_CELL]
                        idc = put_cell(ws, r, c + 1, ids)
                        first = next((i for i in value["ids"] if i in ev_row), None)
                        if first is not None and ev is not None:
                            idc.hyperlink = Hyperlink(ref=idc.coordinate,
                                                      location=f"'{titles['evidence']}'!A{ev_row[first]}")
                            idc.font = link_font
                        widths[c] = max(widths[c], min(display_width(ids), 40))
                    elif j in own:
                        target = get_column_letter(pos[own[j]] + 1)
                        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{titles[tab.key]}'!{target}{r}")
                        cell.font = link_font
                else:
                    put_cell(ws, r, c, value)  # "=…" from the data never becomes a formula
                    shown = _text(value)
                widths[c - 1] = max(widths[c - 1], display_width(shown))
        if tab.note:
            put_cell(ws, len(tab.rows) + 3, 1, tab.note)
        for c, w in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(c)].width = min(max(w, 4) + 2, MAX_WIDTH)
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
