"""The one spreadsheet writer (CSV and .xlsx): every cell through the one formula guard.

Text a spreadsheet would evaluate (:func:`graph.io.cells.formula_like`:
``= + - @``, tab, CR, also behind invisible or full-width prefixes) is
written as text: in CSV with a leading apostrophe, in .xlsx as a string
cell with Excel's quote prefix (so it stays text even when the cell is
edited). Header labels, titles and notes go through the same cell writer as
data. Numbers stay numbers. :func:`check_size` caps cells per row and in
total, for writers fed by a request.

Examples
--------
>>> csv_text(["名称", "=1+1"], [["\\u3000=HYPERLINK(1)", -12.5], ["光影", None]]).splitlines()
["\\ufeff名称,'=1+1", "'\\u3000=HYPERLINK(1),-12.5", '光影,']
>>> import io, openpyxl
>>> ws = openpyxl.load_workbook(io.BytesIO(xlsx_bytes([("目标/Targets", ["=名称"], [["-1+cmd|x", 7]])]))).active
>>> ws.title, ws["A1"].value, ws["A1"].data_type, ws["A2"].quotePrefix, ws["B2"].value
('目标 Targets', '=名称', 's', True, 7)
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import IO

from graph.errors import InvalidInput, Problem
from graph.io.cells import formula_like

__all__ = ["MAX_CELL", "csv_cell", "csv_text", "write_csv", "put_cell", "sheet_title", "xlsx_bytes",
           "check_size", "MAX_CELLS", "MAX_ROW_CELLS"]

MAX_CELL = 32_000  # Excel holds 32,767 characters in a cell
MAX_CELLS = 2_000_000  # cells in one export (header rows included): ~100 MB of openpyxl memory at most
MAX_ROW_CELLS = 200  # cells in one row


def csv_cell(value) -> str:
    """One CSV cell: formula-like text gets a leading apostrophe; floats keep their digits.

    >>> csv_cell("=1+1"), csv_cell("-12.5"), csv_cell(0.1), csv_cell(None), csv_cell("\\ufeff@x")
    ("'=1+1", '-12.5', '0.1', '', "'\\ufeff@x")
    """
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    text = str(value)
    return "'" + text if formula_like(text) else text


def write_csv(f: IO[str], header: Sequence, rows: Iterable[Sequence]) -> int:
    """Write ``header`` and ``rows`` to the text file ``f`` (CRLF lines); return the rows written."""
    w = csv.writer(f, lineterminator="\r\n")
    w.writerow([csv_cell(h) for h in header])
    n = 0
    for row in rows:
        w.writerow([csv_cell(v) for v in row])
        n += 1
    return n


def csv_text(header: Sequence, rows: Iterable[Sequence]) -> str:
    """The CSV as text with a UTF-8 BOM first (so spreadsheet programs read the Chinese)."""
    out = io.StringIO()
    out.write("\ufeff")
    write_csv(out, header, rows)
    return out.getvalue()


def put_cell(ws, row: int, col: int, value):
    """Write ``value`` to the openpyxl sheet ``ws`` at (row, col): text always as text, numbers as numbers."""
    if value is None or isinstance(value, (bool, int, float)):
        return ws.cell(row, col, value)
    text = str(value)[:MAX_CELL]
    cell = ws.cell(row, col)
    cell.value = text  # set after creation: openpyxl would read "=…" given to ws.cell() as a formula
    cell.data_type = "s"
    if formula_like(text):
        cell.quotePrefix = True
    return cell


def sheet_title(title: str, used: set[str]) -> str:
    """A valid, unique sheet name (≤ 31 characters, none of ``[]:*?/\\``).

    >>> sheet_title("证据/来源", set()), sheet_title("概览", {"概览"})
    ('证据 来源', '概览 2')
    """
    base = re.sub(r"[\\\[\]:*?/]", " ", title).strip()[:28] or "Sheet"
    name, n = base, 1
    while name in used:
        n += 1
        name = f"{base} {n}"
    used.add(name)
    return name


def _streamed(ws, value):
    """A write-only cell for ``value``, guarded like :func:`put_cell`."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    from openpyxl.cell import WriteOnlyCell

    text = str(value)[:MAX_CELL]
    cell = WriteOnlyCell(ws, text)
    cell.data_type = "s"
    if formula_like(text):
        cell.quotePrefix = True
    return cell


def xlsx_bytes(sheets: Sequence[tuple[str, Sequence, Iterable[Sequence]]]) -> bytes:
    """Sheets of ``(title, header, rows)`` as an .xlsx file; the header row frozen.

    Written in openpyxl's write-only mode: rows stream to the file instead of
    living as cell objects (~0.5 KB each) until the end.
    """
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    used: set[str] = set()
    for title, header, rows in sheets:
        ws = wb.create_sheet(sheet_title(title, used))
        ws.freeze_panes = "A2"
        ws.append([_streamed(ws, h) for h in header])
        for row in rows:
            ws.append([_streamed(ws, v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def check_size(rows_per_sheet: Iterable[Sequence[Sequence]], *, max_cells: int = MAX_CELLS,
               max_row: int = MAX_ROW_CELLS, what: str = "export") -> None:
    """Refuse (``InvalidInput``) an export with a row over ``max_row`` cells or over ``max_cells`` in all.

    >>> check_size([[[1, 2], [3]]], max_cells=3)
    >>> check_size([[[1, 2], [3, 4]]], max_cells=3)
    Traceback (most recent call last):
    ...
    graph.errors.InvalidInput: export too large: more than 3 cells (4 so far); export fewer rows or columns
      export [rows]: more than 3 cells (4 so far); export fewer rows or columns
    """
    total = 0
    for s, rows in enumerate(rows_per_sheet):
        for r, row in enumerate(rows):
            if len(row) > max_row:
                reason = f"row {r + 1} of sheet {s + 1} has {len(row)} cells, max {max_row}"
                raise InvalidInput(f"{what} too large: {reason}", f"导出过大：第 {s + 1} 个表第 {r + 1} 行有 "
                                   f"{len(row)} 个单元格，上限 {max_row}", [Problem(what, None, "rows", reason)])
            total += len(row)
            if total > max_cells:
                reason = f"more than {max_cells} cells ({total} so far); export fewer rows or columns"
                raise InvalidInput(f"{what} too large: {reason}", f"导出过大：超过 {max_cells} 个单元格",
                                   [Problem(what, None, "rows", reason)])
