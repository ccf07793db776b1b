"""The one error tree of chainmatch.

::

    ChainmatchError          code          where
     ├── InvalidInput        invalid_input         bad file, row, field or argument (carries ``problems``)
     │    ├── EncodingError  bad_encoding          a file that is neither UTF-8 nor GB18030
     │    └── FieldError     invalid_input         one bad request field, named (api.routes._common)
     ├── NotFound            not_found             an unknown id
     ├── Conflict            conflict              a write that contradicts stored data
     ├── ConfigError         config_error          a setting that makes no sense
     ├── BackendUnavailable  backend_unavailable   the store (e.g. Neo4j) or a model cannot be reached
     ├── Unauthorized        unauthorized          no API key, or an unknown / revoked one (api.errors)
     ├── Forbidden           forbidden             a key whose role does not allow it (api.errors)
     └── RateLimited         rate_limited          too many failed key attempts (api.errors)

Every error carries a stable ``code`` and a message in Chinese and English, so
the CLI and the HTTP API can show the same thing. What a code means on the
wire — its HTTP status — is stated once, in :data:`api.errors.CODES`; the CLI
maps the tree to exit codes in :func:`api.cli.main.main`. A test checks that
this drawing names every subclass there is.

Examples
--------
>>> e = NotFound("organisation", "org:x")
>>> e.code, str(e)
('not_found', 'unknown organisation: org:x')
>>> e.message_zh
'未找到机构：org:x'
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

__all__ = [
    "ChainmatchError",
    "InvalidInput",
    "EncodingError",
    "NotFound",
    "Conflict",
    "ConfigError",
    "BackendUnavailable",
    "Problem",
    "Notice",
    "MAX_PROBLEMS",
    "bounded",
    "by_reason",
    "pydantic_reason_zh",
]

#: Problems a report lists one by one; the rest are counted per field and reason.
MAX_PROBLEMS = 1000


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input: where (file, row, field) and why.

    ``row`` is 1-based over data rows as a user counts them in a spreadsheet
    (the header is row 1, so the first data row is row 2); ``None`` when the
    problem concerns the whole file.
    """

    file: str
    row: int | None
    field: str | None
    reason: str
    reason_zh: str = ""

    def as_dict(self) -> dict:
        """The problem as JSON: ``reason_zh`` only when there is one."""
        d = asdict(self)
        if not d["reason_zh"]:
            del d["reason_zh"]
        return d

    def reason_in(self, lang: str = "en") -> str:
        """The reason in ``lang`` (``reason`` is English; ``reason_zh``, when given, Chinese)."""
        return (self.reason_zh or self.reason) if lang == "zh" else self.reason

    def text(self, lang: str = "en") -> str:
        """``file:row [field]: reason`` with the reason in ``lang``."""
        return str(Problem(self.file, self.row, self.field, self.reason_in(lang)))

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f":{self.row}"
        if self.field:
            where += f" [{self.field}]"
        return f"{where}: {self.reason}"


class Notice(str):
    """A warning: the input was read, but not quite as written. The English text, with its Chinese in ``zh``.

    A ``str`` (the English), so reports, marks and JSON keep warnings as text;
    :meth:`text` gives the one a person reads.

    >>> n = Notice("f.csv: not UTF-8; decoded as GBK (detected)", "f.csv：不是 UTF-8；按检测结果以 GBK 解码")
    >>> n.text("zh"), n.text("en") == n, "GBK" in n
    ('f.csv：不是 UTF-8；按检测结果以 GBK 解码', True, True)
    >>> Notice.of("plain text").text("zh")
    'plain text'
    >>> import copy, pickle
    >>> pickle.loads(pickle.dumps(n)).text("zh") == copy.deepcopy(n).zh == n.zh
    True
    """

    zh: str

    def __new__(cls, en: str, zh: str = "") -> Notice:
        out = super().__new__(cls, en)
        out.zh = zh or en
        return out

    @classmethod
    def of(cls, text: str, zh: str = "") -> Notice:
        """``text`` as a notice (a plain string's Chinese is itself, or ``zh`` when given)."""
        return text if isinstance(text, Notice) and not zh else cls(text, zh)

    @classmethod
    def at(cls, problem: Problem) -> Notice:
        """A row's notice: ``file:row [field]: reason``, in both languages."""
        return cls(str(problem), problem.text("zh"))

    def text(self, lang: str = "en") -> str:
        """The notice in ``lang``."""
        return self.zh if lang == "zh" else str(self)


def _kind(reason: str) -> str:
    """A reason without its particulars (quoted values, numbers), for counting."""
    for i, ch in enumerate(reason):
        if ch in ":'\"(":
            reason = reason[:i]
            break
    return "".join("#" if c.isdigit() else c for c in reason[:80]).strip()


def bounded(problems: list[Problem], limit: int = MAX_PROBLEMS) -> list[Problem]:
    """The first ``limit`` problems, then one summary problem per (field, reason) among the rest.

    A file with a million bad rows gave an 88.9 MB 422; now the report is at
    most ``limit`` problems plus the counts (at most 100 groups).

    >>> ps = [Problem("f.csv", r, "uscc", f"bad check digit {r}") for r in range(2, 7)]
    >>> [str(p) for p in bounded(ps, 2)]
    ['f.csv:2 [uscc]: bad check digit 2', 'f.csv:3 [uscc]: bad check digit 3', 'f.csv [uscc]: 3 more problems like: bad check digit 4']
    """
    if len(problems) <= limit:
        return list(problems)
    groups: dict[tuple, list] = {}
    for p in problems[limit:]:
        g = groups.setdefault((p.file, p.field, _kind(p.reason)), [0, p.reason])
        g[0] += 1
    rest = sorted(groups.items(), key=lambda kv: -kv[1][0])
    out = list(problems[:limit])
    out += [Problem(f, None, field, f"{n} more problem{'s' if n != 1 else ''} like: {example}")
            for (f, field, _), (n, example) in rest[:100]]
    if len(rest) > 100:
        n = sum(v[0] for _, v in rest[100:])
        out.append(Problem(problems[0].file, None, None, f"{n} more problems of {len(rest) - 100} other kinds"))
    return out


#: pydantic's error types in Chinese (the English is pydantic's own ``msg``); ``{ctx key}`` from the error's ctx
_PYDANTIC_ZH = {
    "missing": "缺少此字段", "extra_forbidden": "不接受此字段", "string_type": "应为文本", "int_type": "应为整数",
    "int_parsing": "应为整数", "float_type": "应为数字", "float_parsing": "应为数字", "bool_type": "应为是/否",
    "bool_parsing": "应为是/否（true/false）", "string_too_short": "文本过短（至少 {min_length} 个字符）",
    "string_too_long": "文本过长（最多 {max_length} 个字符）", "too_short": "项数过少（至少 {min_length} 项）",
    "too_long": "项数过多（最多 {max_length} 项）", "greater_than": "应大于 {gt}",
    "greater_than_equal": "应不小于 {ge}", "less_than": "应小于 {lt}", "less_than_equal": "应不大于 {le}",
    "literal_error": "应为 {expected} 之一", "enum": "应为 {expected} 之一", "list_type": "应为列表",
    "dict_type": "应为对象", "json_invalid": "不是有效的 JSON", "model_attributes_type": "应为对象",
    "string_pattern_mismatch": "格式不符", "date_parsing": "日期无效（YYYY-MM-DD）", "date_from_datetime_parsing":
    "日期无效（YYYY-MM-DD）", "url_parsing": "网址无效", "value_error": "取值无效：{error}",
}


def pydantic_reason_zh(error: dict) -> str:
    """A pydantic validation error's reason in Chinese (the English ``msg`` when its type is not known).

    >>> pydantic_reason_zh({"type": "less_than_equal", "msg": "Input should be less than or equal to 100",
    ...                     "ctx": {"le": 100}})
    '应不大于 100'
    >>> pydantic_reason_zh({"type": "something_new", "msg": "odd"})
    'odd'
    """
    template = _PYDANTIC_ZH.get(str(error.get("type", "")))
    if template is None:
        return str(error.get("msg", "invalid"))
    try:
        return template.format(**{k: v for k, v in (error.get("ctx") or {}).items()})
    except (KeyError, IndexError):
        return template.split("（")[0].split("：")[0]


def by_reason(problems: list[Problem], lang: str = "en") -> list[tuple[str | None, str, int]]:
    """``(field, example reason in lang, count)`` per kind of problem, most frequent first (an import's summary).

    >>> ps = [Problem("f.csv", r, "uscc", f"bad check digit {r}") for r in range(2, 5)]
    >>> by_reason(ps + [Problem("f.csv", 9, "name_zh", "empty")])
    [('uscc', 'bad check digit 2', 3), ('name_zh', 'empty', 1)]
    """
    groups: dict[tuple, list] = {}
    for p in problems:
        g = groups.setdefault((p.field, _kind(p.reason)), [p.reason_in(lang), 0])
        g[1] += 1
    return [(f, example, n) for (f, _), (example, n) in sorted(groups.items(), key=lambda kv: -kv[1][1])]


class ChainmatchError(Exception):
    """Base of every error chainmatch raises on purpose.

    ``field`` names the argument or request field at fault and ``suggestions``
    the near misses a user may have meant (:mod:`graph.resolve`); with either,
    :meth:`details` carries one ``{"field", "reason", "suggestions"}`` entry.
    """

    code = "error"
    field: str | None = None
    suggestions: tuple[str, ...] = ()

    def __init__(self, message: str, message_zh: str | None = None):
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh or message

    def details(self) -> list[dict]:
        return self._named()

    def _named(self) -> list[dict]:
        if self.field is None and not self.suggestions:
            return []
        out = {"field": self.field, "reason": self.message}
        if self.suggestions:
            out["suggestions"] = list(self.suggestions)
        return [out]


class InvalidInput(ChainmatchError):
    """Input that cannot be accepted; ``problems`` lists every bad row/field."""

    code = "invalid_input"

    def __init__(
        self,
        message: str,
        message_zh: str | None = None,
        problems: list[Problem] | None = None,
    ):
        super().__init__(message, message_zh or f"输入无效：{message}")
        self.problems = list(problems or [])

    def details(self) -> list[dict]:
        return [p.as_dict() for p in bounded(self.problems)] or self._named()

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        shown = "\n".join(f"  {p}" for p in self.problems[:50])
        more = len(self.problems) - 50
        tail = f"\n  … and {more} more" if more > 0 else ""
        return f"{self.message}\n{shown}{tail}"


class EncodingError(InvalidInput):
    """A file in an encoding outside the allow-list (UTF-8, GB18030)."""

    code = "bad_encoding"


#: what :class:`NotFound` names, in Chinese (a kind not listed shows as written)
WHAT_ZH = {"organisation": "机构", "segment": "环节", "region": "地区", "chain": "产业链", "list entry": "清单条目",
           "campaign": "联合招商活动", "API key": "API 密钥", "file": "文件", "outcome": "招商结果"}


class NotFound(ChainmatchError):
    """An id, name or file that does not exist.

    >>> NotFound("list entry", "21").message_zh
    '未找到清单条目：21'
    """

    code = "not_found"

    def __init__(self, what: str, ident: str, suggestions=(), field: str | None = None):
        hint = f"; did you mean: {', '.join(suggestions)}?" if suggestions else ""
        hint_zh = f"；是否要找：{'、'.join(suggestions)}？" if suggestions else ""
        super().__init__(f"unknown {what}: {ident}{hint}", f"未找到{WHAT_ZH.get(what, what)}：{ident}{hint_zh}")
        self.what = what
        self.ident = ident
        self.suggestions = tuple(suggestions)
        self.field = field


class Conflict(ChainmatchError):
    """A write that contradicts stored data."""

    code = "conflict"


class ConfigError(ChainmatchError):
    """A setting (or combination) that makes no sense."""

    code = "config_error"


class BackendUnavailable(ChainmatchError):
    """A store, server, file or model that cannot be reached or opened."""

    code = "backend_unavailable"
