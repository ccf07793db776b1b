"""Cell checks, deterministic ids and the per-row cell reader of the importer.

A cell is refused when it is longer than ``settings.max_field_chars``, looks
like a spreadsheet formula (:func:`formula_like`: starts with ``= + - @``, tab
or CR — also after invisible or full-width prefixes such as NBSP, U+3000,
zero-width space, BOM, or written full-width ``＝ ﹦ ＋ － ＠`` — and is not a
plain number: CSV/formula injection), or holds control characters other than
new line and tab. :func:`formula_like` is the one spreadsheet-cell guard:
the importer refuses such cells and every writer
(:mod:`graph.io.sheets`) stores them as text. Ids of records without one in the file are hashes of their
content, never of the clock, so re-importing a file writes the same records.

Examples
--------
>>> cell_problem("=cmd|' /C calc'!A0", 100_000)
'looks like a spreadsheet formula; refused to protect spreadsheet users'
>>> org_id("深圳市光影互动科技有限公司", None, "cn/guangdong/shenzhen/nanshan").startswith("org:")
True
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterator
from typing import Any

import orjson

from graph.errors import InvalidInput, Notice, Problem
from graph.io.columns import CleanCells
from graph.io.headers import HeaderMatch, match_headers
from graph.io.parse import MISSING, ParseError, parse_uscc, split_list
from graph.io.tables import Table
from graph.model import city_key, normalise_name
from graph.settings import Settings

_blake2b = hashlib.blake2b

__all__ = [
    "FORMULA_REASON",
    "MAX_DOCUMENT_CHARS",
    "cell_problem_zh",
    "RowReader",
    "cell_problem",
    "formula_like",
    "record_problems",
    "clean_json_text",
    "short_hash",
    "org_id",
    "link_id",
    "chain_id",
]

# first characters that make a cheap check look further: the formula starts, their full-width and
# small forms, and what is stripped before them (spaces, NBSP, U+3000; invisible format characters are
# not printable, so they are caught by the isprintable() half of the cheap check)
_FORMULA_START = frozenset("=+-@\t\r＝﹦＋﹢－﹣＠\u00a0\u3000 ")
_FORMULAS = frozenset("=+-@")
FORMULA_REASON = "looks like a spreadsheet formula; refused to protect spreadsheet users"
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d[\d,]*(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_ID_LIKE = re.compile(r"^[a-z0-9][a-z0-9_:/.\-]*$")


def _visible(value: str) -> str:
    """``value`` without leading white space (NBSP, U+3000 …) and invisible format characters (ZWSP, BOM …)."""
    for i, ch in enumerate(value):
        if not (ch.isspace() or unicodedata.category(ch) == "Cf"):
            return value[i:]
    return ""


def formula_like(value: str) -> bool:
    r"""Whether a spreadsheet would evaluate ``value`` as a formula: the one cell guard.

    It starts with ``= + - @``, tab or CR, also after stripping white space
    and invisible characters, or with their full-width / small forms
    (``＝ ﹦ ＋ － ＠`` …); a plain number (``-12.5``, ``+86``) is not a formula.

    >>> [formula_like(v) for v in ("=1+1", "-1+HYPERLINK(1)", "+1-cmd|x", "\u00a0=1", "\u200b@SUM(A1)")]
    [True, True, True, True, True]
    >>> [formula_like(v) for v in ("\ufeff+1+1", "＝1+1", "﹦1", "\u3000－1+1", "\tx", "\rx")]
    [True, True, True, True, True, True]
    >>> [formula_like(v) for v in ("-12.5", "+86", "光影 = 1", "C++", "", "  ", "－12")]
    [False, False, False, False, False, False, False]
    """
    if not value:
        return False
    if value[0] in "\t\r":
        return True
    rest = _visible(value)
    if not rest:
        return False
    head = rest[0] if rest[0] in _FORMULAS else unicodedata.normalize("NFKC", rest[0])[:1]
    if head not in _FORMULAS:
        return False
    return not _PLAIN_NUMBER.match(unicodedata.normalize("NFKC", rest).strip())


def cell_problem(value: str, max_chars: int) -> str | None:
    """Why a cell is refused (too long, formula-like, control characters, lone surrogates), or ``None``.

    >>> cell_problem("=1+1", 100), cell_problem("-12.5", 100), cell_problem("a\\x07b", 100)
    ('looks like a spreadsheet formula; refused to protect spreadsheet users', None, 'control character U+0007 at position 2; only new lines and tabs are allowed')
    >>> cell_problem("x" * 11, 10)
    'field too long: 11 characters, max 10'
    >>> cell_problem("甲\\ud800", 10)  # JSON "\\ud800" decodes to a lone surrogate, which no store can hold
    'invalid text: lone surrogate U+D800 at position 2 (a JSON \\\\u escape without its pair); not Unicode text'
    """
    if len(value) > max_chars:
        return f"field too long: {len(value)} characters, max {max_chars}"
    if not value:
        return None
    if formula_like(value):
        return FORMULA_REASON
    if not value.isprintable() and (m := _CONTROL.search(value)):
        return (f"control character U+{ord(m.group()):04X} at position {m.start() + 1}; "
                "only new lines and tabs are allowed")
    if not value.isprintable() and (m := _SURROGATE.search(value)):
        return (f"invalid text: lone surrogate U+{ord(m.group()):04X} at position {m.start() + 1} "
                "(a JSON \\u escape without its pair); not Unicode text")
    return None


_ZH_REASONS: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"field too long: (\d+) characters, max (\d+)"), r"内容过长：\1 个字符，上限 \2"),
    (re.compile(re.escape(FORMULA_REASON)), "形似电子表格公式，为保护表格使用者已拒收"),
    (re.compile(r"control character (U\+[0-9A-F]{4}) at position (\d+); only new lines and tabs are allowed"),
     r"第 \2 个字符是控制字符 \1；只允许换行和制表符"),
    (re.compile(r"invalid text: lone surrogate (U\+[0-9A-F]{4}) at position (\d+) .*"),
     r"无效文本：第 \2 个字符是孤立代理码位 \1（缺少配对的 JSON \\u 转义），不是 Unicode 文本"),
)


def cell_problem_zh(reason: str) -> str:
    """The Chinese of a :func:`cell_problem` reason (the reason itself when it is not one).

    >>> cell_problem_zh(cell_problem("=1+1", 100))
    '形似电子表格公式，为保护表格使用者已拒收'
    >>> cell_problem_zh(cell_problem("a\\x07b", 100)), cell_problem_zh(cell_problem("x" * 11, 10))
    ('第 2 个字符是控制字符 U+0007；只允许换行和制表符', '内容过长：11 个字符，上限 10')
    """
    for pattern, zh in _ZH_REASONS:
        if pattern.fullmatch(reason):
            return pattern.sub(zh, reason)
    return reason


_FIELDS: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def _suspect_texts(value) -> Iterator[tuple[tuple, str]]:
    """(path parts, text) for the texts in a record a cheap test cannot clear; nested records, lists, dicts."""
    stack: list[tuple[tuple, object]] = [((), value)]
    while stack:
        where, v = stack.pop()
        if isinstance(v, str):
            if v and (v[0] in _FORMULA_START or not v.isprintable()):
                yield where, v
        elif isinstance(v, (list, tuple)):
            stack.extend((where + (i,), x) for i, x in enumerate(v) if not isinstance(x, (int, float)))
        elif isinstance(v, dict):
            stack.extend((where + (str(k),), x) for k, x in v.items())
        elif dataclasses.is_dataclass(v) and not isinstance(v, type):
            for name in _field_names(type(v)):
                x = getattr(v, name)
                if x is not None and not isinstance(x, (bool, int, float)):
                    stack.append((where + (name,), x))


def _dotted(parts: tuple) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
    return out


# in a record's JSON text, where a suspect string shows: a value starting with a formula character, a
# space or an escape (a tab) — NBSP, U+3000 and invisible characters are raw, non-printable — and, only
# when there is a backslash at all, an escaped control character other than new line and tab
_SUSPECT_START = re.compile(r'"[=+\-@＝﹦＋﹢－﹣＠ \\]')
_SUSPECT_ESCAPE = re.compile(r"\\[rbfu]")


def _clean_document(record, max_chars: int) -> bool:
    """Whether no text in ``record`` can be refused, judged from its JSON text in one pass.

    A sound shortcut for :func:`_suspect_texts`: every text that walk would
    look at starts right after a quote in the JSON text with one of the
    characters above, or holds a character that is escaped as above or left
    raw and non-printable. ``False`` only means "look closer".
    """
    try:
        text = orjson.dumps(record).decode()
    except TypeError:  # lone surrogates, or something orjson cannot write: the slow walk says what
        return False
    return clean_json_text(text, max_chars)


#: The longest record document the cell guard reads as a whole (:func:`clean_json_text`, :func:`record_problems`).
MAX_DOCUMENT_CHARS = 1_000_000


def clean_json_text(text: str, max_chars: int = MAX_DOCUMENT_CHARS) -> bool:
    """Whether no text in the record whose JSON text (orjson's, any key order) is ``text`` can be refused.

    The shortcut of :func:`record_problems` for a caller that has the JSON
    text anyway (the write pipeline checks each record's canonical document
    as it makes it): ``False`` only means "look closer" with
    :func:`record_problems`.

    >>> clean_json_text('{"name":"光影"}'), clean_json_text('{"name":"=1+1"}'), clean_json_text('{"n":"\\u0007"}')
    (True, False, False)
    """
    return (len(text) <= max_chars and text.isprintable() and _SUSPECT_START.search(text) is None
            and ("\\" not in text or _SUSPECT_ESCAPE.search(text) is None))


def record_problems(record, max_chars: int = MAX_DOCUMENT_CHARS) -> list[tuple[str, str]]:
    """``(field, reason)`` for every text anywhere in ``record`` that :func:`cell_problem` refuses.

    Walks nested records (``financing[0].round``, ``sites[1].address``,
    ``provenance.source``), so a world file or an API body gets the same
    check as a spreadsheet cell. (Length is the importer's business: only
    texts over ``max_chars`` are refused for it here.)

    >>> from graph.model import Provenance
    >>> record_problems(Provenance("=1+1"))
    [('source', 'looks like a spreadsheet formula; refused to protect spreadsheet users')]
    """
    if _clean_document(record, max_chars):
        return []
    out = []
    for where, text in _suspect_texts(record):
        why = cell_problem(text, max_chars)
        if why:
            out.append((_dotted(where), why))
    return sorted(out)


def short_hash(*parts: str) -> str:
    """A short stable hash (16 hex digits) of ``parts``.

    >>> short_hash("a", "b") == short_hash("a", "b") != short_hash("ab", "")
    True
    """
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=8).hexdigest()



def org_id(name: str, uscc: str | None, region: str | None) -> str:
    """The id of an organisation that has none in the file.

    >>> org_id("光影互动", "91440300708461136T", None)
    'uscc:91440300708461136T'
    >>> org_id("光影互动有限公司", None, "cn/guangdong/shenzhen/nanshan") == org_id("光影互动", None, "cn/guangdong/shenzhen")
    True
    """
    if uscc:
        return f"uscc:{uscc}"
    return "org:" + short_hash(normalise_name(name), city_key(region))


def link_id(kind: str, src: str, dst: str, since: str | None) -> str:
    """The id of a link that has none in the file.

    >>> link_id("supplies", "a", "b", None) == "link:" + short_hash("supplies", "a", "b", "")
    True
    """
    # short_hash(kind, src, dst, since or ""), written out: one per row of a links file without ids
    return "link:" + _blake2b(f"{kind}\x1f{src}\x1f{dst}\x1f{since or ''}".encode(), digest_size=8).hexdigest()


def chain_id(text: str) -> str:
    """A chain id from a chain cell: the cell itself when it looks like an id.

    >>> chain_id("chain:digital-creative"), chain_id("数字创意").startswith("chain:")
    ('chain:digital-creative', True)
    """
    return text if _ID_LIKE.match(text) else "chain:" + short_hash(normalise_name(text))


_NONE_REFUSED: frozenset[str] = frozenset()
_UNSEEN = object()
#: Distinct texts a :meth:`RowReader.memo` reader remembers per column (a column of distinct values
#: gains nothing from it and must not hold them all).
MEMO_TEXTS = 65_536


class RowReader:
    """Reads the cells of recognised columns for one table, collecting problems.

    ``uscc`` parses a USCC cell: :func:`~graph.io.parse.parse_uscc`, or a
    shortcut for codes a columnar reader has already validated.
    """

    def __init__(self, table: Table, entity: str, column_map, settings: Settings | None):
        self.table = table
        self.file = table.file
        self.max_chars = (settings or Settings()).max_field_chars
        self.match: HeaderMatch = match_headers(table.headers, entity, column_map, file=table.file)
        self.problems: list[Problem] = []
        self.bad: set[int] = set()
        self.columns = list(self.match.fields.items())
        self.row = 0
        self.values: dict[str, str] = {}
        self.refused: set[str] | frozenset[str] = set()
        self.uscc: Callable[[str], str] = parse_uscc
        if table.valid_usccs:
            valid = table.valid_usccs
            self.uscc = lambda text: text if text in valid else parse_uscc(text)

    def require(self, *fields: str) -> None:
        """Refuse the whole file when none of ``fields`` has a column."""
        if not any(self.match.header(f) for f in fields):
            aliases = ", ".join(dict.fromkeys(a for f in fields for a in _ALIAS_HINTS.get(f, (f,))))
            reason = f"no {' or '.join(fields)} column; expected a header such as {aliases}"
            raise InvalidInput(f"{self.file}: {reason}", f"{self.file}：缺少必需的列 {'/'.join(fields)}",
                               [Problem(self.file, None, fields[0], reason)])

    def start(self, row: int, cells: dict[str, str | None]) -> None:
        """Take the next row: check every recognised cell once, keep the clean ones.

        A :class:`~graph.io.columns.CleanCells` row was cleaned and cleared column-wise already.
        """
        self.row = row
        if type(cells) is CleanCells:
            self.values, self.refused = cells, _NONE_REFUSED
            return
        values: dict[str, str] = {}
        self.refused = set()
        for name, header in self.columns:
            value = cells.get(header)
            if value is None:
                continue
            text = value.strip()
            if not text or (len(text) <= 4 and text.casefold() in MISSING):
                continue
            if "\r" in value:
                value = value.replace("\r\n", "\n")
                text = value.strip()
            if (len(value) > self.max_chars or value[0] in _FORMULA_START or text[0] in _FORMULA_START
                    or not value.isprintable()):
                why = cell_problem(value, self.max_chars)
                if why:
                    self.problem(name, why, cell_problem_zh(why))
                    self.refused.add(name)
                    continue
            values[name] = text
        self.values = values

    def problem(self, field: str, reason: str, zh: str = "") -> None:
        """Record a problem with ``field`` (named by its header) in this row; ``zh``: the reason in Chinese."""
        self.problems.append(Problem(self.file, self.row, self.match.header(field) or field, reason, zh))
        self.bad.add(self.row)

    def warn(self, field: str, reason: str, zh: str = "") -> None:
        """Record a warning about ``field`` in this row: the row is kept, the report says why (``zh``: in Chinese)."""
        self.table.warnings.append(Notice.at(Problem(self.file, self.row, self.match.header(field) or field,
                                                     reason, zh)))

    def missing(self, *fields: str, reason: str, zh: str = "") -> None:
        """Report a required value as missing, unless its cell was already refused."""
        if not self.refused.intersection(fields):
            self.problem(next((f for f in fields if self.match.header(f)), fields[0]), reason, zh)

    def text(self, field: str) -> str | None:
        """The clean text of ``field`` in this row, or ``None``."""
        return self.values.get(field)

    def parse(self, field: str, fn: Callable, *args):
        """``fn(text, *args)`` for ``field``; ``None`` when empty or unreadable (a problem)."""
        value = self.values.get(field)
        if value is None:
            return None
        try:
            return fn(value, *args)
        except ParseError as e:
            self.problem(field, str(e), e.zh)
            return None

    def memo(self, field: str, fn: Callable, *args) -> Callable[[], Any]:
        """A reader of ``field`` that does :meth:`parse` once per distinct text of the column.

        For columns of few distinct texts (link types, dates, weights): a text
        that parses is remembered (up to ``MEMO_TEXTS`` of them), one that
        does not is parsed again, so its problem is named on every row.
        """
        cache: dict[str, Any] = {}

        def read():
            text = self.values.get(field)
            if text is None:
                return None
            value = cache.get(text, _UNSEEN)
            if value is _UNSEEN:
                value = self.parse(field, fn, *args)
                if value is not None and len(cache) < MEMO_TEXTS:
                    cache[text] = value
            return value

        return read

    def items(self, field: str) -> tuple[str, ...]:
        """The list in ``field`` (see :func:`graph.io.parse.split_list`)."""
        value = self.text(field)
        return split_list(value) if value else ()

    def finish(self, records: list) -> tuple[list, list[Problem]]:
        """The records of rows without problems, and all problems (the table's too) by row."""
        self.bad.update(p.row for p in self.table.problems)
        problems = sorted(self.table.problems + self.problems, key=lambda p: p.row or 0)
        if not self.bad:  # every row is good (a clean bulk file): the list as it is
            return records, problems
        return [(row, rec) for row, rec in records if row not in self.bad], problems


_ALIAS_HINTS = {
    "name_zh": ("企业名称", "公司名称", "名称", "name"),
    "name_en": ("英文名称", "name_en"),
    "src": ("src", "供应方", "from"),
    "dst": ("dst", "客户方", "to"),
    "kind": ("kind", "类型", "关系"),
    "stage": ("stage", "阶段"),
    "format": ("format", "业态"),
}
