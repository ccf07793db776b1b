"""Mutated import files derived from the sample world, drawn with hypothesis.

A case is: an entity (organisations, links, segments), a format (CSV, TSV,
JSON, JSONL, xlsx), a handful of the sample world's own records flattened to
rows under platform-style headers (Chinese or English aliases), then
row-level mutations (drop/duplicate/swap columns, empty cells, wrong types,
huge fields, formula cells, hostile strings, duplicate ids, unknown regions
and segments, fresh ids) and, for the text formats, byte-level mutations
(bit flips, truncation, NUL, BOM, CR, invalid UTF-8, GBK re-encoding).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import openpyxl
from hypothesis import strategies as st

from graph.io.headers import _ALIASES as ALIASES  # canonical field -> header aliases

WORLD = Path(__file__).resolve().parents[2] / "fixtures" / "shenzhen_digital_creative"
ENTITIES = ("organisations", "links", "segments")
FIXED_TIME = dt.datetime(2026, 1, 1)
FORMATS = ("csv", "tsv", "json", "jsonl", "xlsx")

ORG_FIELDS = ("id", "kind", "name_zh", "name_en", "uscc", "region", "address", "industry", "industry_code",
              "business_scope", "registered_capital_cny_m", "founded", "employees", "products",
              "description_zh", "description_en", "keywords", "segments", "tiers", "revenue_band", "patents")
LINK_FIELDS = ("id", "kind", "src", "dst", "since", "weight", "confidence")
SEGMENT_FIELDS = ("id", "name_zh", "name_en", "stage", "format", "chain", "parent", "description", "keywords",
                  "manufacturing", "upstream")

HOSTILE = (
    "'; DROP TABLE orgs; --", "\" OR 1=1 --", "Robert'); DELETE FROM links;--", "<script>alert(1)</script>",
    "${jndi:ldap://x/a}", "../../etc/passwd", "\x00", "a\x00b", "\u202e反转文本", "\u200b零宽\u200d", "\ufeff",
    "😀🀄️", "\ud7ff\ue000", "\ud800", "甲\udfff乙", "\r\n", "\"", "''", "\\", "NULL", "None", "nan", "inf", "-0", "1e309",
    "％", "　", "深圳市\t南山区", "=1+1", "+cmd", "-2", "@SUM(A1)", "\t=1", " " * 50, "ｓｅｇ：ｇａｍｅ",
)
FORMULAS = ("=cmd|' /C calc'!A0", "=HYPERLINK(\"http://x\",\"点我\")", "+1+1", "-1+1", "@SUM(1,1)", "=1/0")
WRONG_TYPES = ("abc", "十二", "-5", "1e999", "NaN", "2020-13-45", "0000-00-00", "true", "[1, 2]", "{}", "１２",
               "12.5.3", "3万", "--", "N/A")


def _flat(value) -> str | None:
    if value is None or value == [] or value == "":
        return None
    if isinstance(value, list):
        return ";".join(v["segment"] if isinstance(v, dict) else str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _read(name: str) -> list[dict]:
    with open(WORLD / name, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@cache
def seed_rows(entity: str) -> tuple[dict[str, str | None], ...]:
    """The sample world's records of ``entity`` as flat rows keyed by canonical field."""
    if entity == "organisations":
        return tuple({f: _flat(r.get(f)) for f in ORG_FIELDS} for r in _read("organisations.jsonl")[:400])
    if entity == "links":
        return tuple({f: _flat(r.get(f)) for f in LINK_FIELDS} for r in _read("links.jsonl")[:400])
    chain_of = {s: c["name_zh"] for c in _read("chains.jsonl") for s in c["segments"]}
    ups: dict[str, list[str]] = {}
    for e in _read("segment_edges.jsonl"):
        ups.setdefault(e["downstream"], []).append(e["upstream"])
    rows = []
    for r in _read("segments.jsonl"):
        row = {f: _flat(r.get(f)) for f in SEGMENT_FIELDS}
        row["chain"], row["upstream"] = chain_of.get(r["id"]), _flat(ups.get(r["id"], []))
        rows.append(row)
    return tuple(rows)


@dataclass
class Case:
    """One generated file: what it is and what was done to it (shown when a property fails)."""

    entity: str
    fmt: str
    headers: list[str]
    rows: list[list[object]]
    ops: list[str] = field(default_factory=list)
    data: bytes = b""

    @property
    def suffix(self) -> str:
        return "." + self.fmt


# ------------------------------------------------------------------ row level

_CELL_OPS = frozenset(("empty", "wrong_type", "huge", "formula", "hostile", "any_text"))
# any code point at all, surrogates and controls included (st.text leaves surrogates out)
# (each odd class its own branch: one_of would merge plain character strategies into one
# code-point range where the 2,048 surrogates are almost never drawn)
ANY_TEXT = st.lists(st.one_of(st.characters(), *(st.characters(categories=[c]).map(str) for c in ("Cs", "Cc", "Cf"))),
                    min_size=1, max_size=12).map("".join)


def _row_ops(draw, case: Case) -> None:
    n_ops = draw(st.integers(0, 4))
    for _ in range(n_ops):
        width = len(case.headers)
        op = draw(st.sampled_from(("drop_col", "dup_col", "swap_cols", "empty", "wrong_type", "huge", "formula",
                                   "hostile", "dup_row", "unknown_region", "unknown_segment", "fresh_id",
                                   "unknown_col", "blank_row", "short_row", "shuffle", "any_text")))
        r = draw(st.integers(0, max(len(case.rows) - 1, 0)))
        c = draw(st.integers(0, max(width - 1, 0)))
        case.ops.append(f"{op}(row={r}, col={c})")
        if op == "drop_col" and width > 1:
            del case.headers[c]
            for row in case.rows:
                if c < len(row):
                    del row[c]
        elif op == "dup_col":
            case.headers.append(case.headers[c])
            for row in case.rows:
                row.append(row[c] if c < len(row) else None)
        elif op == "swap_cols" and width > 1:
            c2 = (c + 1) % width
            case.headers[c], case.headers[c2] = case.headers[c2], case.headers[c]
        elif op == "unknown_col":
            case.headers.append(draw(st.sampled_from(("备注", "remark", "", "  ", "企业名称 ", "ID"))))
            for row in case.rows:
                row.append(draw(st.sampled_from(HOSTILE)))
        elif not case.rows or (op in _CELL_OPS and c >= len(case.rows[r])):
            continue  # nothing to mutate (no rows, or a row cut short before this column)
        elif op == "empty":
            case.rows[r][c] = draw(st.sampled_from((None, "", " ", "　", "-", "无")))
        elif op == "wrong_type":
            case.rows[r][c] = draw(st.sampled_from(WRONG_TYPES + (3.5, -1, 10**20, True, [1, "a"], {"k": 1})))
        elif op == "huge":
            case.rows[r][c] = "长" * draw(st.sampled_from((5000, 100_001)))
        elif op == "formula":
            case.rows[r][c] = draw(st.sampled_from(FORMULAS))
        elif op == "hostile":
            case.rows[r][c] = draw(st.sampled_from(HOSTILE)) + draw(st.sampled_from(("", str(case.rows[r][c]))))
        elif op == "any_text":
            case.rows[r][c] = draw(ANY_TEXT)
        elif op == "dup_row":
            case.rows.append(list(case.rows[r]))
        elif op == "blank_row":
            case.rows.insert(r, [None] * width)
        elif op == "short_row":
            case.rows[r] = case.rows[r][: draw(st.integers(0, width))]
        elif op == "shuffle":
            case.rows.reverse()
        else:
            _targeted(draw, case, op, r)


def _col(case: Case, canonical: str) -> int | None:
    aliases = {h.lower() for h in ALIASES[case.entity].get(canonical, ())}
    for i, h in enumerate(case.headers):
        if str(h).lower() in aliases:
            return i
    return None


def _targeted(draw, case: Case, op: str, r: int) -> None:
    """Mutations aimed at one field: ids, regions, segments."""
    if op == "unknown_region":
        target, value = "region", draw(st.sampled_from(("火星/奥林匹斯山", "cn/guangdong/shenzhen/nowhere", "xx",
                                                      "深圳市不存在区", "cn//shenzhen", "/", "Atlantis")))
    elif op == "unknown_segment":
        target = {"organisations": "segments", "segments": "parent", "links": "kind"}[case.entity]
        value = draw(st.sampled_from(("seg:nope", "不存在的环节", "seg:game_engine;seg:nope", ";;", "SEG:GAME_ENGINE")))
    else:  # fresh_id / dup id
        target = {"organisations": "id", "segments": "id", "links": "src"}[case.entity]
        value = draw(st.sampled_from(("org:fuzz-new", "seg:fuzz_new", "org:f0001", "link:000001", "", "org:x" * 40)))
    c = _col(case, target)
    if c is not None and r < len(case.rows) and c < len(case.rows[r]):
        case.rows[r][c] = value


# ------------------------------------------------------------------ serialise


_INT = re.compile(r"-?[0-9]{1,14}")


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, list | dict):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def _json_value(v):
    if isinstance(v, str) and _INT.fullmatch(v):
        return int(v)  # numbers as JSON numbers, like real exports
    return v


def serialise(case: Case, draw) -> bytes:
    """The file's bytes in ``case.fmt``."""
    if case.fmt in ("csv", "tsv"):
        buf = io.StringIO()
        w = csv.writer(buf, delimiter="," if case.fmt == "csv" else "\t", lineterminator=draw(st.sampled_from(("\n", "\r\n"))))
        w.writerow([_text(h) for h in case.headers])
        for row in case.rows:
            w.writerow([_text(v) for v in row])
        return buf.getvalue().encode("utf-8", errors="surrogatepass")
    if case.fmt in ("json", "jsonl"):
        records = [{str(h): _json_value(v) for h, v in zip(case.headers, row, strict=False)} for row in case.rows]
        if case.fmt == "jsonl":
            text = "".join(json.dumps(r, ensure_ascii=draw(st.booleans())) + "\n" for r in records)
        else:
            shape = draw(st.sampled_from(("list", "wrapped", "scalar")))
            doc = records if shape == "list" else {"data": records} if shape == "wrapped" else (records[:1] or [{}])[0]
            text = json.dumps(doc, ensure_ascii=draw(st.booleans()), indent=draw(st.sampled_from((None, 1))))
        return text.encode("utf-8", errors="surrogatepass")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = draw(st.sampled_from(("Sheet1", "企业名单", "导出数据")))
    for row in [case.headers, *case.rows]:
        ws.append([_xlsx_cell(v) for v in row])
    wb.properties.created = wb.properties.modified = FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    return _fixed_zip_times(buf.getvalue())


def _fixed_zip_times(data: bytes) -> bytes:
    """The same zip with fixed member times, so one case always gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, FIXED_TIME.timetuple()[:6])
            member.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(member, src.read(info))
    return out.getvalue()


def _xlsx_cell(v):
    if isinstance(v, list | dict):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, str):
        # characters XML cannot hold are what openpyxl refuses; a real export has none either
        v = "".join(ch for ch in v if ch in "\t\n\r" or (ord(ch) >= 0x20 and not 0xD800 <= ord(ch) <= 0xDFFF))
        if _INT.fullmatch(v):
            return int(v)
    return v


# ------------------------------------------------------------------ byte level


def _byte_ops(draw, case: Case, data: bytes) -> bytes:
    n_ops = draw(st.integers(0, 3)) if case.fmt != "xlsx" else draw(st.sampled_from((0, 0, 0, 1)))
    for _ in range(n_ops):
        op = draw(st.sampled_from(("flip", "truncate", "nul", "bom", "cr", "bad_utf8", "gbk", "utf16", "crlf_mix")))
        # a position as a fraction of the length: xlsx bytes (zip timestamps) vary from run to run
        pos = draw(st.integers(0, 10**6)) * max(len(data) - 1, 0) // 10**6
        case.ops.append(f"{op}(at={pos})")
        if op == "flip" and data:
            data = data[:pos] + bytes([data[pos] ^ (1 << draw(st.integers(0, 7)))]) + data[pos + 1:]
        elif op == "truncate":
            data = data[:pos]
        elif op == "nul":
            data = data[:pos] + b"\x00" + data[pos:]
        elif op == "bom":
            data = (b"\xef\xbb\xbf" + data) if draw(st.booleans()) else data[:pos] + b"\xef\xbb\xbf" + data[pos:]
        elif op == "cr":
            data = data[:pos] + b"\r" + data[pos:]
        elif op == "crlf_mix":
            data = data.replace(b"\n", b"\r", 1)
        elif op == "bad_utf8":
            data = data[:pos] + draw(st.sampled_from((b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80",
                                                      b"\xe4\xb8"))) + data[pos:]
        elif op in ("gbk", "utf16"):
            text = data.decode("utf-8", errors="replace")
            data = text.encode("gbk" if op == "gbk" else "utf-16", errors="replace")
    return data


@st.composite
def cases(draw) -> Case:
    """A mutated file (see the module docstring)."""
    entity = draw(st.sampled_from(ENTITIES))
    fmt = draw(st.sampled_from(FORMATS))
    pool = seed_rows(entity)
    start = draw(st.integers(0, len(pool) - 1))
    rows = [pool[(start + i) % len(pool)] for i in range(draw(st.integers(1, 10)))]
    canon = list(rows[0])
    headers = [draw(st.sampled_from(ALIASES[entity][f])) for f in canon]
    case = Case(entity, fmt, headers, [[r[f] for f in canon] for r in rows])
    _row_ops(draw, case)
    case.data = _byte_ops(draw, case, serialise(case, draw))
    return case
