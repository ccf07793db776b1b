"""Recognise column headers: 企查查/天眼查/启信宝-style Chinese exports and English.

Each entity (organisations, links, segments) has canonical fields; a file's
headers are matched to them ignoring case, spaces, ``_``/``-``, a BOM, a
leading ``*`` (required-field marker in templates), a trailing unit in
brackets (``注册资本(万元)``) and full-/half-width differences. A user column
map (file header → canonical field) overrides the built-in aliases; an empty
target ignores that column. Unknown headers are ignored and reported as
warnings.

Examples
--------
>>> m = match_headers(["企业名称", "统一社会信用代码", "ＣＩＴＹ", "注册资本(万元)", "备注"], "organisations")
>>> m.fields
{'name_zh': '企业名称', 'uscc': '统一社会信用代码', 'city': 'ＣＩＴＹ', 'registered_capital_cny_m': '注册资本(万元)'}
>>> m.unknown
['备注']
>>> match_headers(["供应方", "客户方", "关系"], "links").fields
{'src': '供应方', 'dst': '客户方', 'kind': '关系'}
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from graph.errors import InvalidInput, Notice, Problem

__all__ = ["ENTITIES", "FIELDS", "HeaderMatch", "header_key", "match_headers", "capital_unit"]

ENTITIES = ("organisations", "links", "segments", "segment-edges", "branches")

_ORG: dict[str, tuple[str, ...]] = {
    "id": ("id", "org_id", "企业ID", "机构ID"),
    "kind": ("kind", "type", "org_kind", "类型", "机构类型", "主体类型"),
    "name_zh": ("name_zh", "name", "company", "company_name", "firm", "organisation", "organization",
                "org_name", "企业名称", "公司名称", "名称", "中文名称", "机构名称", "单位名称"),
    "name_en": ("name_en", "english_name", "英文名称", "英文名"),
    "former_names": ("former_names", "former_name", "曾用名", "历史名称", "原名称", "曾用名称"),
    "status": ("status", "registration_status", "登记状态", "经营状态", "企业状态", "存续状态"),
    "status_date": ("status_date", "deregistered_on", "revoked_on", "注销日期", "吊销日期", "注吊销日期",
                    "注销/吊销日期", "状态日期"),
    "legal_rep": ("legal_rep", "legal_representative", "法定代表人", "法人代表", "法人"),
    "uscc": ("uscc", "credit_code", "unified_social_credit_code", "social_credit_code",
             "统一社会信用代码", "信用代码", "社会信用代码"),
    "region": ("region", "所属地区", "地区", "区域"),
    "country": ("country", "国家", "国别"),
    "province": ("province", "所属省份", "省份"),
    "city": ("city", "所属城市", "城市"),
    "district": ("district", "所属区县", "区县"),
    "address": ("address", "registered_address", "注册地址", "企业地址", "通信地址", "地址", "办公地址"),
    "industry": ("industry", "所属行业", "国标行业", "行业"),
    "industry_code": ("industry_code", "行业代码", "国标行业代码"),
    "business_scope": ("business_scope", "scope", "经营范围"),
    "registered_capital_cny_m": ("registered_capital_cny_m", "registered_capital", "capital",
                                 "注册资本", "注册资金"),
    "founded": ("founded", "founded_date", "founding_date", "established", "incorporation_date",
                "成立日期", "成立时间"),
    "employees": ("employees", "staff", "headcount", "employee_count", "参保人数", "员工人数",
                  "人员规模", "员工数"),
    "products": ("products", "product", "main_products", "主营产品", "产品", "主要产品"),
    "description_zh": ("description_zh", "description", "desc", "about", "profile", "企业简介",
                       "简介", "公司简介", "描述"),
    "description_en": ("description_en", "english_description", "英文简介"),
    "keywords": ("keywords", "keyword", "tags", "关键词", "标签"),
    "segments": ("segments", "segment", "chain_segments", "产业链环节", "环节", "所属环节"),
    "tiers": ("tiers", "tier", "企业标签", "资质", "企业资质"),
    "revenue_band": ("revenue_band", "revenue", "营收规模", "营业收入", "营收"),
    "patents": ("patents", "patent_count", "专利数", "专利数量"),
    "parent_group": ("parent_group", "parent", "group", "母公司", "所属集团"),
    "source": ("source", "数据来源", "来源"),
    "as_of": ("as_of", "updated", "数据日期", "更新日期", "更新时间", "导出日期"),
    "estimated": ("estimated", "估算字段"),
}
_LINK: dict[str, tuple[str, ...]] = {
    "id": ("id", "link_id"),
    "kind": ("kind", "type", "relation", "relationship", "类型", "关系", "关系类型"),
    "src": ("src", "from", "supplier", "源", "源企业", "供应方", "供应商", "企业", "企业名称", "公司",
            "投资方", "投资人", "股东", "母公司", "总公司"),
    "dst": ("dst", "to", "target", "customer", "目标", "目标企业", "客户方", "客户", "关联企业",
            "关联企业名称", "关联方", "被投资方", "被投资企业", "子公司"),
    "src_uscc": ("src_uscc", "企业信用代码", "企业统一社会信用代码", "统一社会信用代码", "信用代码",
                 "供应商信用代码", "投资方信用代码"),
    "dst_uscc": ("dst_uscc", "关联企业信用代码", "关联企业统一社会信用代码", "关联方信用代码",
                 "客户信用代码", "被投资方信用代码"),
    "since": ("since", "date", "start_date", "日期", "开始日期", "起始日期"),
    "weight": ("weight", "权重"),
    "confidence": ("confidence", "置信度"),
    "source": ("source", "数据来源", "来源"),
    "as_of": ("as_of", "数据日期", "更新日期"),
}
_SEGMENT: dict[str, tuple[str, ...]] = {
    "id": ("id", "segment_id", "环节编号", "编号"),
    "name_zh": ("name_zh", "name", "名称", "环节名称", "中文名称", "环节"),
    "name_en": ("name_en", "english_name", "英文名称", "英文名"),
    "stage": ("stage", "阶段", "上中下游", "链位", "产业链位置", "环节位置", "链条位置", "所处位置",
              "产业链环节位置", "位置", "上下游"),
    "format": ("format", "业态"),
    "chain": ("chain", "产业链", "所属产业链"),
    "chain_en": ("chain_en", "chain_name_en", "产业链英文名", "产业链英文名称"),
    "parent": ("parent", "上级环节", "父环节"),
    "description": ("description", "描述", "简介", "说明"),
    "keywords": ("keywords", "关键词"),
    "manufacturing": ("manufacturing", "制造业", "是否制造业"),
    "upstream": ("upstream", "上游环节", "上游"),
    "source": ("source", "数据来源", "来源"),
}
_EDGE: dict[str, tuple[str, ...]] = {
    "upstream": ("upstream", "from", "src", "上游环节", "上游", "上游环节名称", "上游环节编号", "供给环节"),
    "downstream": ("downstream", "to", "dst", "下游环节", "下游", "下游环节名称", "下游环节编号", "需求环节"),
    "weight": ("weight", "权重", "强度", "关联强度"),
    "source": ("source", "evidence", "依据", "证据", "数据来源", "来源"),
}
_BRANCH: dict[str, tuple[str, ...]] = {
    "parent": ("parent", "总公司", "总公司名称", "总机构", "总机构名称", "所属企业", "母公司", "企业名称"),
    "parent_uscc": ("parent_uscc", "总公司信用代码", "总公司统一社会信用代码", "总机构信用代码", "统一社会信用代码", "信用代码"),
    "name": ("name", "branch", "分支机构", "分支机构名称", "分公司", "分公司名称", "名称"),
    "city": ("city", "所属城市", "城市", "所属地区", "地区", "所属区县"),
    "address": ("address", "地址", "企业地址", "注册地址", "经营场所"),
    "status": ("status", "登记状态", "经营状态", "状态"),
    "since": ("since", "成立日期", "成立时间", "注册日期"),
}
_ALIASES = {"organisations": _ORG, "links": _LINK, "segments": _SEGMENT, "segment-edges": _EDGE,
            "branches": _BRANCH}
FIELDS: dict[str, tuple[str, ...]] = {e: tuple(a) for e, a in _ALIASES.items()}

# columns spreadsheets and our own reject files add; silently ignored
_IGNORED = ("序号", "no", "#", "index", "行号", "_row", "_field", "_reason")

_UNIT_RE = re.compile(r"[(\[][^()\[\]]*[)\]]$")
_DROP_RE = re.compile(r"[\s_\-.·]+")


def header_key(text: str) -> str:
    """The matching key of a header.

    >>> header_key(" ＮＡＭＥ_ZH "), header_key("*注册资本（万元）"), header_key("\\ufeffName-En")
    ('namezh', '注册资本', 'nameen')
    """
    key = unicodedata.normalize("NFKC", text).replace("\ufeff", "").strip().lstrip("*").casefold()
    while True:
        stripped = _UNIT_RE.sub("", key).strip()
        if stripped == key or not stripped:
            break
        key = stripped
    return _DROP_RE.sub("", key)


_LOOKUP = {
    entity: {header_key(a): f for f, aliases in table.items() for a in aliases}
    for entity, table in _ALIASES.items()
}
_IGNORED_KEYS = frozenset(header_key(h) for h in _IGNORED)


def capital_unit(header: str) -> str:
    """The unit of a bare number in a registered-capital column.

    Chinese registries state capital in 万元, so ``注册资本``/``capital`` mean
    10,000 CNY; ``registered_capital_cny_m`` (and headers naming 百万 or
    million) mean millions; a header naming 元/yuan alone means yuan.

    >>> capital_unit("注册资本"), capital_unit("registered_capital_cny_m"), capital_unit("注册资本(元)")
    ('wan', 'million', 'yuan')
    """
    raw = unicodedata.normalize("NFKC", header).casefold()
    if "cny_m" in raw or "million" in raw or "百万" in raw:
        return "million"
    if "万" in raw:
        return "wan"
    if re.search(r"\((元|yuan|cny)\)", raw):
        return "yuan"
    return "wan"


@dataclass
class HeaderMatch:
    """Which file header feeds each canonical field, and what was ignored."""

    fields: dict[str, str] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        """The file header mapped to canonical field ``name``, if any."""
        return self.fields.get(name)


def match_headers(headers: list[str], entity: str, column_map: dict[str, str | None] | None = None,
                  *, file: str = "") -> HeaderMatch:
    """Map ``headers`` to the canonical fields of ``entity``.

    Parameters
    ----------
    headers : list of str
        The file's headers, in column order.
    entity : {"organisations", "links", "segments"}
    column_map : dict, optional
        File header → canonical field (or ``None``/``""`` to ignore the
        column); overrides the built-in aliases. Keys are matched like headers.
    file : str
        For messages.

    Returns
    -------
    HeaderMatch

    Raises
    ------
    InvalidInput
        When ``column_map`` names a field ``entity`` does not have.

    Examples
    --------
    >>> m = match_headers(["公司", "名称"], "organisations", {"公司": "name_zh", "名称": None})
    >>> m.fields, m.unknown
    ({'name_zh': '公司'}, [])
    >>> match_headers(["x"], "links", {"x": "colour"})
    Traceback (most recent call last):
    ...
    graph.errors.InvalidInput: column map: unknown links field 'colour' for column 'x'
      column map [x]: unknown links field 'colour'; expected one of id, kind, src, dst, src_uscc, dst_uscc, since, weight, confidence, source, as_of
    """
    if entity not in _ALIASES:
        raise ValueError(f"unknown entity {entity!r}; expected one of {', '.join(ENTITIES)}")
    lookup = _LOOKUP[entity]
    user: dict[str, str | None] = {}
    problems = []
    for src, target in (column_map or {}).items():
        if target and target not in _ALIASES[entity]:
            problems.append(Problem(file or "column map", None, src, f"unknown {entity} field {target!r}; expected one of "
                                    f"{', '.join(_ALIASES[entity])}"))
        user[header_key(src)] = target or None
    if problems:
        first = problems[0]
        raise InvalidInput(
            f"column map: unknown {entity} field {column_map[first.field]!r} for column {first.field!r}",
            f"列映射：{entity} 没有字段 {column_map[first.field]!r}", problems)
    out = HeaderMatch()
    keys = {header_key(h): h for h in headers if h}
    for src in column_map or {}:
        if header_key(src) not in keys:
            out.warnings.append(Notice(f"{file}: column map names {src!r}, which is not a column of the file",
                                       f"{file}：列映射中的 {src!r} 不是该文件的列"))
    for h in headers:
        if not h:
            continue
        key = header_key(h)
        target = user[key] if key in user else lookup.get(key)
        if target is None:
            if key not in user and key not in _IGNORED_KEYS:
                out.unknown.append(h)
            continue
        if target in out.fields:
            out.warnings.append(Notice(f"{file}: column {h!r} also maps to {target}; "
                                       f"using {out.fields[target]!r} and ignoring {h!r}",
                                       f"{file}：列 {h!r} 也对应字段 {target}；采用 {out.fields[target]!r}，忽略 {h!r}"))
            continue
        out.fields[target] = h
    if out.unknown:
        heads = [h[:100] for h in out.unknown[:50]]  # bounded: a file may have a million columns
        extra = len(out.unknown) - 50
        out.warnings.append(Notice(f"{file}: unknown column(s) ignored: {', '.join(heads)}"
                                   f"{f' … and {extra} more' if extra > 0 else ''}",
                                   f"{file}：忽略未知的列：{'、'.join(heads)}{f' …另有 {extra} 列' if extra > 0 else ''}"))
    return out
