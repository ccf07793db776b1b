"""Read tabular files (CSV/TSV, JSON, JSONL, .xlsx) into rows of text cells.

:func:`read_rows` returns a :class:`Table`: the header and a lazy iterator of
``(row_number, {header: text or None})``. Nothing is interpreted here (that is
:mod:`graph.io.rows`); this module only gets the cells out faithfully:

- row numbers are what a spreadsheet user sees: the header is the first
  non-empty row (usually row 1), so the first data row is row 2. For JSON the
  number is the record's position (1-based); for JSONL it is the line.
- structural trouble in one row (a truncated row, a stray quote, a bad JSONL
  line) becomes a :class:`~graph.errors.Problem` in ``Table.problems`` (filled
  while the rows are read); trouble with the whole file (missing, too large,
  unknown format, undecodable, no header, duplicate headers, invalid JSON)
  raises :class:`~graph.errors.InvalidInput` at once.
- empty cells are ``None``; Excel numbers and dates become text without a
  spurious ``.0`` and as ISO dates.

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as d:
...     p = Path(d) / "firms.csv"
...     _ = p.write_text("企业名称;城市\\n光影互动;深圳\\n星云像素\\n", encoding="utf-8")
...     with read_rows(p) as t:
...         rows = list(t.rows)
>>> t.headers, rows[0]
(['企业名称', '城市'], (2, {'企业名称': '光影互动', '城市': '深圳'}))
>>> [str(p) for p in t.problems]
['firms.csv:3: truncated row: expected 2 fields, got 1']
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import sys
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from graph.errors import InvalidInput, Notice, Problem
from graph.io.encoding import decode_bytes, detect_file_encoding, display_name, iter_chunks
from graph.io.jsonread import loads as json_loads
from graph.settings import Settings

__all__ = ["Table", "read_rows", "FORMATS", "cell_text"]

FORMATS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".xlsx": "xlsx",
}
_KNOWN = ".csv, .tsv, .txt, .json, .jsonl, .ndjson or .xlsx"
_DELIMITERS = (",", ";", "\t")

Row = tuple[int, dict[str, str | None]]


@dataclass
class Table:
    """The cells of one file; ``problems`` fills up while ``rows`` is consumed."""

    file: str
    path: Path
    format: str
    headers: list[str]
    rows: Iterator[Row]
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)
    encoding: str | None = None
    header_row: int = 1
    total: int | None = None  # estimated number of data rows, for progress bars
    delimiter: str | None = None  # CSV: the sniffed delimiter
    codec: str | None = None  # text files: the Python codec the file is read with
    valid_usccs: frozenset[str] = frozenset()  # codes a columnar reader found valid (parse_uscc leaves them as they are)
    batches: Iterator | None = None  # column-read files: ColumnBatch es for a record builder on columns (rows empty)

    def close(self) -> None:
        close = getattr(self.rows, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _fail(file: str, reason: str, reason_zh: str) -> InvalidInput:
    return InvalidInput(f"{file}: {reason}", f"{file}：{reason_zh}", [Problem(file, None, None, reason)])


def cell_text(value) -> str | None:
    """A spreadsheet/JSON value as text; ``None`` for empty.

    >>> cell_text(12.0), cell_text(0.1), cell_text(dt.datetime(2015, 3, 2)), cell_text(True), cell_text("")
    ('12', '0.1', '2015-03-02', 'true', None)
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value if value != "" else None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        parts = [cell_text(v) for v in value]
        return ";".join(p for p in parts if p) or None
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _clean_header(h: str | None) -> str:
    return (h or "").replace("\ufeff", "").strip()


def _check_headers(file: str, headers: list[str], header_row: int) -> list[str]:
    """Refuse duplicate headers; return warnings for blank ones."""
    seen: dict[str, int] = {}
    warnings = []
    for i, h in enumerate(headers, 1):
        if not h:
            continue
        if h in seen:
            reason = f"duplicate column header {h!r} (columns {seen[h]} and {i})"
            raise InvalidInput(
                f"{file}: {reason}",
                f"{file}：表头重复 {h!r}（第 {seen[h]} 列和第 {i} 列）",
                [Problem(file, header_row, h, reason)],
            )
        seen[h] = i
    if not seen:
        raise _fail(file, "no header row (the file has no named columns)", "没有表头行")
    last = max(seen.values())
    blank = [i for i, h in enumerate(headers, 1) if not h and i < last]
    if blank:
        warnings.append(Notice(f"{file}: column(s) {', '.join(map(str, blank))} have no header; their values are ignored",
                               f"{file}：第 {'、'.join(map(str, blank))} 列没有表头，其中的值被忽略"))
    return warnings


# ------------------------------------------------------------------ CSV


def _sniff(line: str, default: str) -> str:
    line = re.sub(r'"[^"]*"', "", line)  # a quoted header may contain any delimiter
    counts = {d: line.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: (counts[d], d == default))
    return best if counts[best] else default


def _csv_reason(e: csv.Error) -> tuple[str, str]:
    """Why a row is unreadable: (English, Chinese)."""
    msg = str(e)
    if "unexpected end of data" in msg:
        return ("unterminated quoted field: the file ends inside quotes (truncated file?)",
                "引号未闭合：文件在引号内结束（文件被截断？）")
    if "expected after" in msg:
        return (f"bad quoting: {msg} (a quote inside a quoted field must be doubled)",
                f"引号有误：{msg}（引号字段内的引号须写两次）")
    return f"unreadable row: {msg}", f"无法读取的行：{msg}"


def _csv(path: Path, file: str, codec: str, delimiter: str, problems: list[Problem]):
    """Yield ``(header_row, headers)`` once, then ``(row, cells)``."""
    limit = min(sys.maxsize, 2**31 - 1)
    if csv.field_size_limit() < limit:
        csv.field_size_limit(limit)  # field length is checked, with a clear reason, in rows.py
    with open(path, encoding=codec, newline="") as f:
        reader = csv.reader(f, delimiter=delimiter, strict=True)
        rownum, headers, n = 0, None, 0
        while True:
            try:
                rec = next(reader)
            except StopIteration:
                break
            except csv.Error as e:
                rownum += 1
                en, zh = _csv_reason(e)
                if headers is None:
                    raise _fail(file, f"unreadable header row: {en}", "表头行无法读取") from e
                problems.append(Problem(file, rownum, None, en, zh))
                continue
            rownum += 1
            if not any(rec):
                continue
            if headers is None:
                headers = [_clean_header(h) for h in rec]
                n = len(headers)
                yield rownum, headers
                continue
            if len(rec) < n:
                problems.append(Problem(file, rownum, None, f"truncated row: expected {n} fields, got {len(rec)}",
                                        f"行不完整：应有 {n} 列，只有 {len(rec)} 列"))
            elif len(rec) > n:
                if any(v.strip() for v in rec[n:]):
                    problems.append(Problem(file, rownum, None, f"too many fields: expected {n}, got {len(rec)}",
                                            f"列数过多：应有 {n} 列，实有 {len(rec)} 列"))
                rec = rec[:n]
            yield rownum, {h: (v if v != "" else None) for h, v in zip(headers, rec, strict=False) if h}
        if headers is None:
            raise _fail(file, "the file is empty: no header row", "文件为空：没有表头行")


def _count_lines(path: Path) -> int:
    return sum(chunk.count(b"\n") for chunk in iter_chunks(path))


def _read_csv(path: Path, file: str, encoding: str | None, suffix: str) -> Table:
    codec = detect_file_encoding(path, file, encoding)
    with open(path, encoding=codec, newline="") as f:
        sample = f.read(65536)
    first = next((line for line in sample.splitlines() if line.strip()), "")
    delimiter = _sniff(first, "\t" if suffix == ".tsv" else ",")
    problems: list[Problem] = []
    gen = _csv(path, file, codec, delimiter, problems)
    header_row, headers = next(gen)
    table = Table(file, path, "csv", headers, gen, problems, encoding=display_name(codec),
                  header_row=header_row, total=max(_count_lines(path) - header_row, 0), delimiter=delimiter,
                  codec=codec)
    table.warnings += _check_headers(file, headers, header_row)
    return table


# ------------------------------------------------------------------ JSON


def _records(doc, file: str) -> list:
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict):
        lists = [k for k, v in doc.items() if isinstance(v, list)]
        if len(lists) == 1:
            return doc[lists[0]]
        found = f"found {len(lists)} list values" + (f": {', '.join(lists)}" if lists else "")
        raise _fail(file, f"expected a list of objects, or an object with one list value ({found})",
                    "应为对象列表，或只含一个列表值的对象")
    raise _fail(file, f"expected a list of objects, got {type(doc).__name__}", "应为对象列表")


def _json_rows(items: list, file: str, headers: list[str], problems: list[Problem]):
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict):
            problems.append(Problem(file, i, None, f"expected an object, got {type(item).__name__}"))
            continue
        yield i, {h: cell_text(item.get(h)) for h in headers}


def _union_keys(items) -> list[str]:
    keys: dict[str, None] = {}
    for item in items:
        if isinstance(item, dict):
            keys.update(dict.fromkeys(item))
    return list(keys)


def _read_json(path: Path, file: str, encoding: str | None) -> Table:
    text, used = decode_bytes(path.read_bytes(), file, encoding)
    try:
        doc = json_loads(text, file)
    except json.JSONDecodeError as e:
        raise _fail(file, f"invalid JSON: {e.msg} (line {e.lineno}, column {e.colno})",
                    f"JSON 格式错误：第 {e.lineno} 行第 {e.colno} 列") from e
    items = _records(doc, file)
    headers = [_clean_header(str(k)) for k in _union_keys(items)]
    problems: list[Problem] = []
    return Table(file, path, "json", headers, _json_rows(items, file, headers, problems), problems,
                 encoding=used, total=len(items))


def _jsonl_rows(path: Path, file: str, codec: str, headers: list[str], problems: list[Problem]):
    with open(path, encoding=codec) as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                item = json_loads(line, file, lineno)
            except json.JSONDecodeError as e:
                problems.append(Problem(file, lineno, None, f"invalid JSON: {e.msg} (column {e.colno})"))
                continue
            except InvalidInput as e:
                problems.extend(e.problems)
                continue
            if not isinstance(item, dict):
                problems.append(Problem(file, lineno, None, f"expected an object, got {type(item).__name__}"))
                continue
            yield lineno, {h: cell_text(item.get(h)) for h in headers}


def _read_jsonl(path: Path, file: str, encoding: str | None) -> Table:
    codec = detect_file_encoding(path, file, encoding)
    keys: dict[str, None] = {}
    total = 0
    with open(path, encoding=codec) as f:
        for line in f:
            if not line.strip():
                continue
            total += 1
            try:
                item = json_loads(line, file, total)
            except (json.JSONDecodeError, InvalidInput):
                continue  # reported with its line number while the rows are read
            if isinstance(item, dict):
                keys.update(dict.fromkeys(item))
    headers = [_clean_header(str(k)) for k in keys]
    problems: list[Problem] = []
    return Table(file, path, "jsonl", headers, _jsonl_rows(path, file, codec, headers, problems),
                 problems, encoding=display_name(codec), total=total)


# ------------------------------------------------------------------ XLSX


# a damaged workbook: bad zip, bad deflate stream, truncated member, bad XML (SyntaxError covers
# ElementTree's and lxml's parse errors), values openpyxl cannot type
_XLSX_BROKEN = (zipfile.BadZipFile, zlib.error, EOFError, KeyError, IndexError, OSError, ValueError, TypeError,
                SyntaxError)


def _sheet_rows(ws, file: str):
    """The sheet's row values; a sheet damaged part way (read lazily) is a whole-file problem."""
    rows = ws.iter_rows(values_only=True)
    n = 0
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except _XLSX_BROKEN as e:
            raise _fail(file, f"not a readable .xlsx workbook: damaged after row {n} ({type(e).__name__}: {e})",
                        f"不是有效的 .xlsx 工作簿：第 {n} 行之后已损坏") from e
        n += 1
        yield values


def _xlsx(path: Path, file: str, sheet: str | None, warnings: list[Notice]):
    """Yield ``(header_row, headers, total)`` once, then ``(row, cells)``."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except _XLSX_BROKEN as e:
        raise _fail(file, f"not a readable .xlsx workbook ({e})", "不是有效的 .xlsx 工作簿") from e
    try:
        if sheet is None:
            ws = wb.worksheets[0]
        elif sheet in wb.sheetnames:
            ws = wb[sheet]
        else:
            raise _fail(file, f"no sheet named {sheet!r}; sheets: {', '.join(wb.sheetnames)}",
                        f"没有名为 {sheet!r} 的工作表；现有：{'、'.join(wb.sheetnames)}")
        try:
            total = ws.max_row
        except _XLSX_BROKEN as e:
            raise _fail(file, f"not a readable .xlsx workbook ({e})", "不是有效的 .xlsx 工作簿") from e
        ws.reset_dimensions()  # some writers store wrong dimensions; read what is there
        headers, n, wide = None, 0, False
        for rownum, values in enumerate(_sheet_rows(ws, file), 1):
            cells = [cell_text(v) for v in values]
            if not any(cells):
                continue
            if headers is None:
                while cells and cells[-1] is None:
                    cells.pop()
                headers = [_clean_header(c) for c in cells]
                n = len(headers)
                yield rownum, headers, max((total or 0) - rownum, 0) or None
                continue
            if len(cells) > n and any(cells[n:]) and not wide:
                wide = True
                warnings.append(Notice(f"{file}: cells right of the last header column are ignored (first at row {rownum})",
                                       f"{file}：最后一个表头列右侧的单元格被忽略（首见于第 {rownum} 行）"))
            yield rownum, {h: v for h, v in zip(headers, cells, strict=False) if h} | {
                h: None for h in headers[len(cells):] if h
            }
        if headers is None:
            raise _fail(file, f"sheet {ws.title!r} is empty: no header row", f"工作表 {ws.title!r} 为空")
    finally:
        wb.close()


#: An .xlsx (a zip) may unpack to at most this many times its size once past :data:`XLSX_SMALL`
#: bytes; real sheets unpack 5-20x, zip bombs 1000x and more.
XLSX_MAX_RATIO = 100
XLSX_SMALL = 50_000_000


def _check_unpacked(path: Path, file: str, size: int, limit: int) -> None:
    """Refuse a workbook that would unpack past ``limit`` bytes or :data:`XLSX_MAX_RATIO` × its size.

    The sizes a zip declares bound what :mod:`zipfile` (and so openpyxl) will inflate.
    """
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            unpacked = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError):
        return  # the reader says what is wrong with it
    if unpacked > limit or (unpacked > XLSX_SMALL and unpacked > XLSX_MAX_RATIO * max(size, 1)):
        raise _fail(file, f"workbook unpacks to {unpacked} bytes from {size} (limit {limit} bytes, "
                    f"{XLSX_MAX_RATIO}x its size): refused as a possible zip bomb",
                    f"工作簿解压后达 {unpacked} 字节（压缩 {size} 字节），超过上限，疑似压缩炸弹，已拒绝")


def _read_xlsx(path: Path, file: str, sheet: str | None) -> Table:
    warnings: list[Notice] = []
    gen = _xlsx(path, file, sheet, warnings)
    header_row, headers, total = next(gen)
    warnings += _check_headers(file, headers, header_row)
    return Table(file, path, "xlsx", headers, gen, [], warnings, header_row=header_row, total=total)


# ------------------------------------------------------------------ entry point


def read_rows(path: Path, *, encoding: str | None = None, sheet: str | None = None,
              settings: Settings | None = None) -> Table:
    """Open a tabular file and return its header and a lazy row iterator.

    Parameters
    ----------
    path : Path
        A ``.csv``, ``.tsv``, ``.txt`` (delimiter sniffed among ``,`` ``;``
        and tab), ``.json`` (a list of objects, or an object with one list
        value), ``.jsonl``/``.ndjson`` or ``.xlsx`` file.
    encoding : str, optional
        Text encoding to use strictly; default: UTF-8, else GBK/GB18030.
    sheet : str, optional
        Worksheet of an ``.xlsx`` file; default the first.
    settings : Settings, optional
        For ``max_file_bytes``.

    Returns
    -------
    Table
        Use it as a context manager (or call ``close()``) when the rows are
        not read to the end.

    Raises
    ------
    InvalidInput
        For problems with the whole file (missing, too large, unknown format,
        undecodable, empty, duplicate headers, invalid JSON).

    Examples
    --------
    >>> read_rows(Path("firms.xls"))
    Traceback (most recent call last):
    ...
    graph.errors.InvalidInput: firms.xls: unsupported file type '.xls'; use .csv, .tsv, .txt, .json, .jsonl, .ndjson or .xlsx (save old .xls workbooks as .xlsx)
      firms.xls: unsupported file type '.xls'; use .csv, .tsv, .txt, .json, .jsonl, .ndjson or .xlsx (save old .xls workbooks as .xlsx)
    """
    path = Path(path)
    file = path.name
    suffix = path.suffix.lower()
    fmt = FORMATS.get(suffix)
    if fmt is None:
        hint = " (save old .xls workbooks as .xlsx)" if suffix in (".xls", ".et", ".wps") else ""
        raise _fail(file, f"unsupported file type {suffix or '(none)'!r}; use {_KNOWN}{hint}",
                    f"不支持的文件类型 {suffix!r}；请使用 CSV、TSV、JSON、JSONL 或 XLSX")
    if not path.is_file():
        raise _fail(file, f"no such file: {path}", f"文件不存在：{path}")
    size = path.stat().st_size
    limit = (settings or Settings()).max_file_bytes
    if size > limit:
        raise _fail(file, f"file too large: {size} bytes, max {limit} (CHAINMATCH_MAX_FILE_BYTES)",
                    f"文件过大：{size} 字节，上限 {limit}")
    if fmt == "xlsx":
        _check_unpacked(path, file, size, limit)
        table = _read_xlsx(path, file, sheet)
        if encoding:
            table.warnings.append(Notice(f"{file}: --encoding is ignored for .xlsx workbooks",
                                         f"{file}：.xlsx 工作簿不使用 --encoding"))
    else:
        if sheet:
            raise _fail(file, f"--sheet applies to .xlsx workbooks only, not {suffix}", "只有 .xlsx 文件可指定工作表")
        reader = {"csv": _read_csv, "json": _read_json, "jsonl": _read_jsonl}[fmt]
        table = reader(path, file, encoding, suffix) if fmt == "csv" else reader(path, file, encoding)
        if encoding is None and table.encoding not in ("utf-8", None):
            table.warnings.append(Notice(f"{file}: not UTF-8; decoded as {table.encoding.upper()} (detected)",
                                         f"{file}：不是 UTF-8；按检测结果以 {table.encoding.upper()} 解码"))
    return table
