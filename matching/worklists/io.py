"""Export a list to CSV (UTF-8 with BOM) or xlsx with Chinese headers; read an import file back, checked.

Columns: 编号 (id), 机构编号 (subject), 名称 (title), the kind's fields
(:data:`~matching.worklists.kinds.KINDS`), 备注 (note), 已隐藏 (hidden:
是/否), then read-only 产业链 (chain: the list the entry is in, 全部 for the
list of every chain — a region view's export mixes them), 来源 (origin),
序号 (rank), 更新时间, 版本. An import
file may use the Chinese headers or the English names (``subject``,
``score`` …); read-only columns are ignored, unknown ones refused.

:func:`read_import` checks every row — ids, organisations (through a
``resolve`` callable: id, USCC or exact name → ``(id, name)``), numbers,
score parts, spreadsheet-formula and control-character text — and raises one
:class:`~graph.errors.InvalidInput` listing every problem by file, row and
column, so the caller writes nothing; :meth:`ListStore.import_rows` then
applies all rows in one transaction. Text is always written as text (never a
formula) and the import refuses formula-like cells, so an exported list is
safe to open in a spreadsheet.

Examples
--------
>>> from matching.worklists.store import ListStore, Draft
>>> ls = ListStore.memory()
>>> e = ls.add("policies", "cn/guangdong/shenzhen", None, Draft(None, "数字创意产业集群若干措施", {"issuer": "深圳市"}))
>>> data = to_csv("policies", [e])
>>> data[:3] == "\\ufeff".encode(), data.decode("utf-8-sig").splitlines()[0]
(True, '编号,名称,政策工具,发布机构,文号或出处,备注,已隐藏,产业链,来源,序号,更新时间,版本')
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from graph.errors import InvalidInput, Problem
from graph.io.headers import header_key
from graph.io.sheets import csv_text, xlsx_bytes
from graph.io.tables import read_rows
from graph.settings import Settings
from matching.worklists.kinds import KINDS, format_parts
from matching.worklists.store import Draft, Entry, ImportRow, check_draft

__all__ = ["columns", "export_rows", "to_csv", "to_xlsx", "read_import", "org_resolver", "resolve_subject",
           "MAX_ROWS", "ORIGIN_ZH"]

MAX_ROWS = 10_000
ORIGIN_ZH = {"generated": "自动生成", "curated": "人工维护"}
_YES, _NO = ("是", "true", "yes", "y", "1", "隐藏"), ("否", "false", "no", "n", "0")
_READ_ONLY = ("chain", "origin", "rank", "updated_at", "version")
#: how the 产业链 column names the list of every chain
EVERY_CHAIN_ZH = "全部"


def columns(kind: str) -> list[tuple[str, str]]:
    """``(name, Chinese header)`` of the kind's columns, in file order."""
    spec = KINDS[kind]
    head = [("id", "编号")] + ([("subject", "机构编号")] if spec.subject != "none" else []) + [("title", "名称")]
    return head + [(f.name, f.zh) for f in spec.fields] + [
        ("note", "备注"), ("hidden", "已隐藏"), ("chain", "产业链"), ("origin", "来源"), ("rank", "序号"), ("updated_at", "更新时间"),
        ("version", "版本")]


def _cell(kind: str, e: Entry, name: str):
    spec = KINDS[kind]
    if spec.field(name) is not None:
        v = e.fields.get(name)
        return format_parts(v) if isinstance(v, dict) else v
    return {"hidden": "是" if e.hidden else "否", "origin": ORIGIN_ZH[e.origin],
            "chain": e.chain or EVERY_CHAIN_ZH}.get(name, getattr(e, name, None))


def export_rows(kind: str, entries: Sequence[Entry]) -> tuple[list[str], list[list]]:
    """The Chinese header row and one row of cells per entry."""
    cols = columns(kind)
    return [zh for _, zh in cols], [[_cell(kind, e, name) for name, _ in cols] for e in entries]


def to_csv(kind: str, entries: Sequence[Entry]) -> bytes:
    """The list as CSV, UTF-8 with a BOM (so spreadsheet programs read the Chinese)."""
    header, rows = export_rows(kind, entries)
    return csv_text(header, rows).encode("utf-8")  # csv_text starts with the BOM


def to_xlsx(kind: str, entries: Sequence[Entry], *, title: str | None = None) -> bytes:
    """The list as an .xlsx workbook: one sheet named after the list; text stored as text, never a formula.

    >>> import io, openpyxl
    >>> from matching.worklists.store import ListStore, Draft
    >>> e = ListStore.memory().add("advisors", "cn", None, Draft(None, "数字创意研究院", {"expertise": "XR"}))
    >>> ws = openpyxl.load_workbook(io.BytesIO(to_xlsx("advisors", [e]))).active
    >>> ws.title, ws["A1"].value, ws["C2"].value
    ('战略咨询支撑机构', '编号', '数字创意研究院')
    """
    header, rows = export_rows(kind, entries)
    return xlsx_bytes([((title or KINDS[kind].zh)[:31], header, rows)])


def _header_map(kind: str, headers: list[str], file: str) -> tuple[dict[str, str], list[Problem]]:
    """File header → column name; problems for unknown or repeated columns."""
    known = {}
    for name, zh in columns(kind):
        known[header_key(zh)] = known[header_key(name)] = name
    out, problems, seen = {}, [], {}
    for h in headers:
        name = known.get(header_key(h))
        if name is None:
            problems.append(Problem(file, None, h, f"unknown column for the {kind} list; known: "
                                    + ", ".join(zh for _, zh in columns(kind))))
        elif name in seen:
            problems.append(Problem(file, None, h, f"the same column as {seen[name]!r}"))
        else:
            seen[name] = h
            out[h] = name
    spec = KINDS[kind]
    need = "subject" if spec.subject == "required" else "title"
    if need not in out.values() and not ({"subject", "title"} & set(out.values()) and spec.subject == "optional"):
        problems.append(Problem(file, None, need, f"the file needs a {dict(columns(kind))[need]} ({need}) column"))
    return out, problems


def _row(kind: str, n: int, cells: dict[str, str | None], names: dict[str, str], file: str,
         resolve: Callable[[str], tuple[str, str] | None]) -> tuple[ImportRow | None, list[Problem]]:
    header = {v: k for k, v in names.items()}
    values = {names[h]: v for h, v in cells.items() if h in names}
    problems: list[Problem] = []

    def bad(name: str, reason: str) -> None:
        problems.append(Problem(file, n, header.get(name.removeprefix("fields."), name), reason))

    rid = None
    if (raw := (values.get("id") or "").strip()):
        if raw.isdigit() and 0 < int(raw) < 2**62:
            rid = int(raw)
        else:
            bad("id", f"not an entry id: {raw!r}")
    subject, title = (values.get("subject") or "").strip(), (values.get("title") or "").strip()
    if subject:
        found = resolve(subject)
        if found is None:  # reported once: not again as a missing title
            bad("subject", f"unknown organisation {subject!r} (give an id, USCC or exact name)")
            title = title or subject
        else:
            subject, title = found[0], title or found[1]
    hidden = None
    if "hidden" in values:
        h = (values["hidden"] or "").strip().casefold()
        if not h:
            hidden = None  # an empty cell leaves the flag as it is
        elif h in _YES or h in _NO:
            hidden = h in _YES
        else:
            bad("hidden", f"want 是 or 否, got {values['hidden']!r}")
    fields = {f.name: values.get(f.name) for f in KINDS[kind].fields if f.name in values}
    draft, why = check_draft(kind, Draft(subject or None, title, fields, values.get("note") or ""))
    for name, reason in why:
        bad(name, reason)
    return (None if problems else ImportRow(n, rid, draft, hidden, frozenset(values))), problems


def read_import(path: Path, kind: str, resolve: Callable[[str], tuple[str, str] | None], *,
                file: str | None = None, sheet: str | None = None, settings: Settings | None = None
                ) -> list[ImportRow]:
    """Every row of a CSV/xlsx list file, checked; ``InvalidInput`` listing every problem otherwise.

    Parameters
    ----------
    path : Path
        A ``.csv`` (UTF-8, with or without BOM, or GB18030) or ``.xlsx`` file.
    kind : str
        The list the rows belong to.
    resolve : callable
        Organisation id, USCC or exact name → ``(id, name)``, or ``None`` if unknown.
    file : str, optional
        The name problems cite (default: the path's name).
    """
    path = Path(path)
    file = file or path.name
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise InvalidInput(f"{file}: a list imports from .csv or .xlsx, not {path.suffix or '(none)'!r}",
                           f"{file}：清单仅支持导入 .csv 或 .xlsx 文件",
                           [Problem(file, None, None, "unsupported file type; use .csv or .xlsx")])
    with read_rows(path, sheet=sheet, settings=settings) as table:
        names, problems = _header_map(kind, table.headers, file)
        if problems:
            raise InvalidInput(f"{file}: bad columns; nothing imported", f"{file}：列名有误，未导入任何数据", problems)
        rows: list[ImportRow] = []
        for n, cells in table.rows:
            if all(v is None or not str(v).strip() for v in cells.values()):
                continue
            if len(rows) + len(problems) >= MAX_ROWS:
                problems.append(Problem(file, n, None, f"more than {MAX_ROWS} rows"))
                break
            row, bad = _row(kind, n, cells, names, file, resolve)
            problems += bad
            if row is not None:
                rows.append(row)
        problems = table.problems + problems
    if problems:
        raise InvalidInput(f"{file}: {len(problems)} problem(s); nothing imported",
                           f"{file}：{len(problems)} 处错误，未导入任何数据", problems)
    return rows


def org_resolver(store) -> Callable[[str], tuple[str, str] | None]:
    """Organisation id, USCC or exact name → ``(id, name)`` in ``store``, or ``None``."""
    def resolve(key: str) -> tuple[str, str] | None:
        found = store.lookup([key]).get(key)
        if found is None:
            return None
        o = store.organisation(found)
        return found, o.name_zh or o.name_en or found

    return resolve


def resolve_subject(draft: Draft, resolve: Callable[[str], tuple[str, str] | None],
                    field: str = "subject") -> Draft:
    """The draft with its subject resolved to an organisation id (its name the default title).

    ``InvalidInput`` naming ``field`` when the organisation is unknown.

    >>> resolve_subject(Draft("光影", ""), lambda k: ("org:a", "光影互动") if k == "光影" else None).title
    '光影互动'
    """
    key = (draft.subject or "").strip()
    if not key:
        return draft
    found = resolve(key)
    if found is None:
        raise InvalidInput(f"{field}: unknown organisation {key!r} (give an id, USCC or exact name)",
                           f"{field}：未找到机构 {key!r}", [Problem("entry", None, field, f"unknown organisation {key!r}")])
    return Draft(found[0], draft.title or found[1], draft.fields, draft.note, draft.rank)
