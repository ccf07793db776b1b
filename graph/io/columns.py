"""Columnar reading of a CSV file for the importer: whole columns parsed and checked at once.

:func:`column_rows` reads a CSV file that :func:`graph.io.tables.read_rows`
has opened (header found, encoding checked against the allow-list, delimiter
sniffed) with pyarrow's C reader, checks every recognised column as a whole
and yields the same ``(row, cells)`` pairs the row reader would, in two kinds:

- a :class:`CleanCells` — the row's recognised cells already cleaned exactly
  as :meth:`graph.io.cells.RowReader.start` would (stripped, "no value"
  tokens dropped), keyed by field: no cell of the row needs the cell guard;
- a plain ``{header: text}`` dict of the raw cells, for a row with any cell
  the cheap column tests cannot clear (a formula-like start, a
  non-printable character, too long): the row reader checks it cell by cell,
  so every problem is found and named as before.

It returns ``None`` — read the file row by row — for anything the columnar
reader might read differently from :mod:`csv`: a header not on line 1, blank
lines or values spanning lines (the row numbers would differ), quoting the
strict :mod:`csv` reader refuses, rows with the wrong number of fields, or
any parse error. The row reader then reports every structural problem with
its row, as it always has.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from graph.io.tables import read_rows
>>> with tempfile.TemporaryDirectory() as d:
...     p = Path(d) / "firms.csv"
...     _ = p.write_text("企业名称,成立日期\\n光影互动 ,2015-03-02\\n=1+1,暂无\\n", encoding="utf-8")
...     with read_rows(p) as t:
...         rows = list(column_rows(t, [("name_zh", "企业名称"), ("founded", "成立日期")], 1000))
>>> rows
[(2, {'name_zh': '光影互动', 'founded': '2015-03-02'}), (3, {'企业名称': '=1+1', '成立日期': '暂无'})]
>>> type(rows[0][1]).__name__, type(rows[1][1]).__name__
('CleanCells', 'dict')
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator

from graph.io.parse import MISSING
from graph.io.tables import Table

__all__ = ["CleanCells", "ColumnBatch", "column_batches", "column_rows", "valid_usccs", "BATCH_ROWS", "USCC_FIELDS"]

#: Fields holding a USCC: their valid codes are checked column-wise (``Table.valid_usccs``).
USCC_FIELDS = frozenset({"uscc", "src_uscc", "dst_uscc", "parent_uscc"})

#: Rows turned into Python values at a time (the Arrow table holds the whole file).
BATCH_ROWS = 65_536

# the characters that send a cell to the cell guard in RowReader.start (value[0] or text[0])
_GUARD_START = ("=", "+", "-", "@", "\t", "\r", "＝", "﹦", "＋", "﹢", "－", "﹣", "＠", "\u00a0", "\u3000", " ")


class CleanCells(dict):
    """A row's recognised cells, cleaned and keyed by field (see the module docstring)."""

    __slots__ = ()


@functools.cache
def _arrow():
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    return pa, pc, pacsv


def _quoting_the_csv_module_refuses(data: bytes, delimiter: str) -> bool:
    """Whether a quote in ``data`` may be one the strict :mod:`csv` reader refuses (or reads otherwise).

    A run of quotes followed by an ordinary character is fine after a field
    start when odd (the opening quote and escaped pairs) and inside a field
    when even (escaped pairs); otherwise it is a closing quote followed by
    junk, or a quote inside an unquoted field: left to the row reader. An odd
    number of quotes in all may be a quote left open at the end.

    >>> _quoting_the_csv_module_refuses(b'a,"x, ""y"" z",b\\n', ","), _quoting_the_csv_module_refuses(b'"ab"c,d\\n', ",")
    (False, True)
    """
    if b'"' not in data:
        return False
    if data.count(b'"') % 2:
        return True
    # every byte that is not a quote, the delimiter or a line end becomes "a": the patterns are then literal
    shape = bytearray(b"a" * 256)
    shape[ord(delimiter)], shape[ord("\n")], shape[ord("\r")], shape[ord('"')] = ord(","), ord("\n"), ord("\n"), ord('"')
    shape_of = data.translate(bytes(shape))
    if b'a"a' in shape_of.replace(b'""', b""):  # an odd run of quotes between ordinary bytes
        return True
    return b'""' in shape_of and re.search(rb'(?:\A|[,\n])(?:"")+a', shape_of) is not None  # field start, even run


def _read_arrow(table: Table, data: bytes):
    pa, _pc, pacsv = _arrow()
    n = len(table.headers)
    names = [f"c{i}" for i in range(n)]
    try:
        return pacsv.read_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=table.header_row,
                                           block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=table.delimiter, newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()), null_values=[""],
                                                 strings_can_be_null=True, quoted_strings_can_be_null=True),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError):
        return None


def _file_utf8(table: Table) -> bytes | None:
    data = table.path.read_bytes()
    codec = (table.codec or "utf-8").replace("_", "-").lower()
    if codec in ("utf-8", "utf8", "utf-8-sig"):
        return data
    try:
        return data.decode(codec).encode("utf-8")  # the codec detect_file_encoding checked the whole file with
    except (UnicodeError, LookupError):
        return None


def _missing_tokens(pc, short) -> set[str]:
    """The distinct short texts that mean "no value" (``MISSING``, compared case-folded as the row reader does)."""
    return {t for t in pc.unique(short).to_pylist() if t is not None and t.casefold() in MISSING}


def _clean_column(pa, pc, col, max_chars: int):
    """``(clean texts, suspect mask)`` of one column: texts stripped, empty and "no value" cells null."""
    text = pc.utf8_trim(col, " ")
    suspect = pc.or_(pc.is_in(pc.utf8_slice_codeunits(col, 0, 1), value_set=pa.array(_GUARD_START)),
                     pc.is_in(pc.utf8_slice_codeunits(text, 0, 1), value_set=pa.array(_GUARD_START)))
    suspect = pc.or_(suspect, pc.greater(pc.utf8_length(col), max_chars))
    length = pc.utf8_length(text)
    short = pc.filter(text, pc.less_equal(length, 4))
    drop = pc.equal(length, 0)
    missing = _missing_tokens(pc, short)
    if missing:
        drop = pc.or_(drop, pc.and_(pc.less_equal(length, 4), pc.is_in(text, value_set=pa.array(sorted(missing)))))
    text = pc.if_else(pc.fill_null(drop, False), pa.scalar(None, pa.string()), text)
    return text, pc.fill_null(suspect, False)


def _not_printable_rows(column) -> list[int]:
    """Positions (in the whole column) of texts with a non-printable character (Python's own test, as the
    row reader uses). Each chunk of the Arrow column is judged in one pass over its data buffer, and its
    texts are read one by one only when that buffer is not all printable.

    >>> import pyarrow as pa
    >>> _not_printable_rows(pa.chunked_array([["a", None], ["b\\x07", "c"]]))
    [2]
    """
    out: list[int] = []
    offset = 0
    for chunk in column.chunks:
        data = chunk.buffers()[2]
        try:
            clean = data is None or not data.size or data.to_pybytes().decode("utf-8").isprintable()
        except UnicodeDecodeError:
            clean = False
        if not clean:
            out.extend(offset + i for i, v in enumerate(chunk.to_pylist()) if v is not None and not v.isprintable())
        offset += len(chunk)
    return out


def column_rows(table: Table, columns: list[tuple[str, str]], max_chars: int) -> Iterator[tuple[int, dict]] | None:
    """The rows of a CSV ``table`` read column-wise, or ``None`` when the row reader must read it.

    See :func:`column_batches`, whose batches these rows come from.
    """
    batches = column_batches(table, columns, max_chars)
    return None if batches is None else _rows(batches)


def column_batches(table: Table, columns: list[tuple[str, str]], max_chars: int) -> Iterator[ColumnBatch] | None:
    """The rows of a CSV ``table`` read column-wise as :class:`ColumnBatch` es, or ``None`` when the row
    reader must read it (a record builder that works on whole columns takes these).

    Parameters
    ----------
    table : Table
        From :func:`graph.io.tables.read_rows`, not yet read.
    columns : list of (field, header)
        The recognised columns (``HeaderMatch.fields`` items).
    max_chars : int
        ``settings.max_field_chars``.
    """
    if table.format != "csv" or table.header_row != 1 or table.delimiter is None:
        return None
    data = _file_utf8(table)
    if data is None or _quoting_the_csv_module_refuses(data, table.delimiter):
        return None
    arrow = _read_arrow(table, data)
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    del data
    if arrow is None or arrow.num_rows != lines - table.header_row:
        return None  # blank lines or values spanning lines: the row numbers come from the row reader
    pa, pc, _ = _arrow()
    index = {h: i for i, h in enumerate(table.headers) if h}
    cleaned = [(f, h, col, *_clean_column(pa, pc, col, max_chars))
               for f, h in columns if h in index for col in (arrow.column(index[h]),)]
    usccs: set[str] = set()
    for f, _h, _col, text, _suspect in cleaned:
        if f in USCC_FIELDS:
            usccs |= valid_usccs(text.to_pylist())
    table.valid_usccs = frozenset(usccs)
    empty = None  # rows whose every cell is empty: skipped, as csv's reader skips them (their number is used)
    for i in range(arrow.num_columns):
        blank = pc.is_null(arrow.column(i))
        empty = blank if empty is None else pc.and_(empty, blank)
    # each column's non-printable texts found once (its chunks are read whole), kept by the batches they fall in
    unprintable = sorted({i for _f, _h, col, *_ in cleaned for i in _not_printable_rows(col)})
    return _batches(table, arrow.num_rows, cleaned, empty, unprintable)


class ColumnBatch:
    """Up to :data:`BATCH_ROWS` consecutive rows of a column-read file, as Python lists per column.

    ``clean[field]`` holds the cleaned texts (``None`` for empty); ``raw`` the
    ``(header, texts)`` of the recognised columns as written (Arrow arrays, made
    Python lists only when a row's raw cells are asked for); ``bad`` the
    positions of rows the cheap column tests cannot clear (the row reader
    must check them cell by cell); ``skip`` the positions of wholly empty rows.
    Row ``i`` of the batch is row ``first + i`` of the file.
    """

    __slots__ = ("first", "n", "clean", "raw", "bad", "skip", "_raw_lists")

    def __init__(self, first: int, n: int, clean: dict, raw: list, bad: set, skip: set):
        self.first, self.n, self.clean, self.raw, self.bad, self.skip = first, n, clean, raw, bad, skip
        self._raw_lists: list | None = None

    def raw_cells(self, i: int) -> dict:
        """Row ``i``'s cells as the row reader gets them: ``{header: text as written}``."""
        if self._raw_lists is None:
            self._raw_lists = [(h, r if isinstance(r, list) else r.to_pylist()) for h, r in self.raw]
        return {h: r[i] for h, r in self._raw_lists}

    def clean_cells(self, i: int) -> CleanCells:
        """Row ``i``'s cleaned cells (for a row that is not ``bad``)."""
        return CleanCells({f: v[i] for f, v in self.clean.items() if v[i] is not None})

    def rows(self) -> Iterator[tuple[int, dict]]:
        """The ``(row, cells)`` pairs of :func:`column_rows`."""
        bad, skip = self.bad, self.skip
        fields = list(self.clean)
        texts = list(self.clean.values())
        for i, vals in enumerate(zip(*texts, strict=True)) if texts else enumerate([()] * self.n):
            if i in skip:
                continue
            if i in bad:
                yield self.first + i, self.raw_cells(i)
            else:
                yield self.first + i, CleanCells({f: v for f, v in zip(fields, vals, strict=True) if v is not None})


def _batches(table: Table, n: int, cleaned: list, empty, unprintable: list[int]) -> Iterator[ColumnBatch]:
    pc = _arrow()[1]
    first = table.header_row + 1
    for start in range(0, n, BATCH_ROWS):
        stop = min(start + BATCH_ROWS, n)
        clean = {f: text.slice(start, stop - start).to_pylist() for f, _h, _c, text, _s in cleaned}
        raw = [(h, col.slice(start, stop - start)) for _f, h, col, *_ in cleaned]
        bad = {i - start for i in unprintable[bisect.bisect_left(unprintable, start):bisect.bisect_left(unprintable, stop)]}
        for _f, _h, _c, _t, suspect in cleaned:
            s = suspect.slice(start, stop - start)
            if pc.any(s).as_py():
                bad.update(pc.indices_nonzero(s).to_pylist())
        skip = set(pc.indices_nonzero(empty.slice(start, stop - start)).to_pylist()) if empty is not None else set()
        yield ColumnBatch(first + start, stop - start, clean, raw, bad, skip)


def _rows(batches: Iterator[ColumnBatch]) -> Iterator[tuple[int, dict]]:
    for batch in batches:
        yield from batch.rows()


def valid_usccs(values) -> set[str]:
    """The texts among ``values`` that :func:`graph.io.parse.parse_uscc` returns unchanged (valid, upper case,
    no spaces), checked all at once (GB 32100-2015 check digits with numpy).

    >>> sorted(valid_usccs(["91440300708461136T", "91440300708461136A", "91440300708461136t", None]))
    ['91440300708461136T']
    """
    import numpy as np

    from graph.model import _USCC_RE, _USCC_WEIGHTS, USCC_CHARS

    codes = [v for v in set(values) if v is not None and len(v) == 18 and v.isascii() and _USCC_RE.match(v)]
    if not codes:
        return set()
    table = np.zeros(256, dtype=np.int64)
    for i, c in enumerate(USCC_CHARS):
        table[ord(c)] = i
    arr = np.frombuffer("".join(codes).encode("ascii"), dtype=np.uint8).reshape(-1, 18)
    total = table[arr[:, :17]] @ np.array(_USCC_WEIGHTS, dtype=np.int64)
    expected = np.frombuffer(USCC_CHARS.encode("ascii"), dtype=np.uint8)[(31 - total % 31) % 31]
    ok = expected == arr[:, 17]
    return {c for c, good in zip(codes, ok.tolist(), strict=True) if good}
