"""Rows of a :class:`~graph.io.tables.Table` → organisations, links, segments.

Each ``*_from_table`` function returns the records of the rows that are fine,
with their row numbers, and every problem (the table's structural ones
included), sorted by row. A :class:`~graph.errors.Problem` names the row and
the column *as headed in the file* (what the user can find) and says why.

Every cell of a recognised column is checked by
:func:`graph.io.cells.cell_problem` (length, formula injection, control
characters). Ids, when the file has none, are deterministic: ``uscc:<USCC>``,
else ``org:`` + a hash of the normalised name and the city; links hash
``(kind, src, dst, since)``; segments their name. Nothing depends on the
clock, so importing a file twice writes the same records.

Examples
--------
>>> from pathlib import Path
>>> from graph.io.tables import Table
>>> t = Table("f.csv", Path("f.csv"), "csv", ["企业名称", "注册资本"],
...           iter([(2, {"企业名称": "深圳市光影互动科技有限公司", "注册资本": "500万美元"}),
...                 (3, {"企业名称": "=cmd|' /C calc'!A0", "注册资本": None})]))
>>> orgs, problems = organisations_from_table(t)
>>> row, org = orgs[0]
>>> org.region, org.registered_capital_cny_m, org.provenance.estimated
('cn/guangdong/shenzhen', 36.0, ('region', 'registered_capital_cny_m'))
>>> [str(p) for p in problems]
['f.csv:3 [企业名称]: looks like a spreadsheet formula; refused to protect spreadsheet users']
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from graph.display import region_name
from graph.errors import NotFound, Problem
from graph.io.cells import RowReader, chain_id, link_id, org_id, short_hash
from graph.io.headers import FIELDS, capital_unit
from graph.io.parse import (
    ParseError,
    parse_bool,
    parse_capital,
    parse_confidence,
    parse_date,
    parse_employees,
    parse_float,
    parse_format,
    parse_int,
    parse_kind,
    parse_link_kind,
    parse_stage,
    parse_status,
    parse_uscc,
    split_list,
)
from graph.io.tables import Table
from graph.model import (
    TIERS,
    Chain,
    Format,
    Link,
    Membership,
    Organisation,
    OrgKind,
    Provenance,
    RegStatus,
    Segment,
    SegmentEdge,
    normalise_name,
    record_maker,
)
from graph.settings import Settings

__all__ = ["organisations_from_table", "links_from_table", "segments_from_table", "segment_edges_from_table",
           "branches_from_table", "Branch"]

_ORG_FIELDS = frozenset(FIELDS["organisations"])


@functools.cache
def _regions():
    from graph import regions

    return regions


_cached = functools.lru_cache(maxsize=4096)
_date, _capital, _employees, _kind = map(_cached, (parse_date, parse_capital, parse_employees, parse_kind))
# a column holds few distinct texts (link types, weights to 3 places, statuses): each is parsed once.
# lru_cache never caches a raised ParseError, so every bad cell is reported on its own row
_status, _int = _cached(parse_status), _cached(parse_int)


def _region(r: RowReader, name: str, uscc: str | None, estimated: set[str]) -> tuple[str | None, str]:
    """Region and where it came from: the region cells (refined by the address), else the
    address, else the USCC's division code, else the name; all but the cells are estimated.

    The source is ``""`` for region cells, else ``address``, ``uscc`` or ``name``.
    """
    regions = _regions()
    get = r.values.get
    rid = None
    given = [(f, get(f)) for f in ("region", "province", "city", "district") if get(f)]
    if given:
        text = "".join(v for _f, v in given)
        try:
            rid = regions.region(text).id if "/" in text else None
        except NotFound:
            rid = None
        rid = rid or _cached_region(text)
        if rid is None:
            r.problem(given[0][0], f"unknown region {' '.join(v for _f, v in given)!r}",
                      f"未知地区 {' '.join(v for _f, v in given)!r}")
        elif (district := get("district")) and rid.startswith("cn/") and rid.count("/") < 3:
            # the gazetteer holds every county-level division: never widen an unknown one to its city
            r.problem("district", f"unknown district {district!r} in {rid} (not a GB/T 2260 county-level "
                      "division of it); check the spelling or leave the cell empty",
                      f"{region_name(rid)}没有区县 {district!r}（不在 GB/T 2260 县级区划中）：请核对拼写或留空")
    address = get("address")
    from_address = regions.parse_region(address) if address else None
    source = ""
    if rid is None and from_address:
        rid, source = from_address, ("" if given else "address")
    elif rid and from_address and from_address.startswith(rid + "/"):
        rid = from_address  # the address names a district of the given city
    if rid and address and rid.startswith("cn/") and rid.count("/") == 2 and (
            token := regions.unknown_district(address, rid)):
        r.warn("address", f"unknown district {token!r} (not a GB/T 2260 county-level division of "
               f"{regions.display(rid, 'en')}): placed in the city, the address kept as written",
               f"未知的区县 {token!r}（不是{regions.display(rid)}的 GB/T 2260 县级区划）：记在该市，地址保留原样")
    if rid is None and (country := get("country")):
        rid = _cached_region(country)
    if rid is None and not given and uscc:
        rid = regions.region_of_uscc(uscc)
        source = "uscc" if rid else ""
    if rid is None and not given and name:
        rid = regions.infer_region_from_name(name)
        source = "name" if rid else ""
    if source:
        estimated.add("region")
    return rid, source


# rows of one file share a few provenances and memberships: one (immutable) object each, not one per row
_provenance = functools.lru_cache(maxsize=1024)(Provenance)
_membership = functools.lru_cache(maxsize=4096)(Membership)


@functools.lru_cache(maxsize=4096)
def _cached_region(text: str) -> str | None:
    return _regions().parse_region(text)


def _org(r: RowReader, source: str, cap_unit: str, import_date: str | None) -> Organisation:
    estimated: set[str] = set()
    get = r.values.get
    name_zh, name_en = get("name_zh", ""), get("name_en", "")
    kind = r.parse("kind", _kind) or OrgKind.FIRM
    uscc = r.parse("uscc", r.uscc)
    if not (name_zh or name_en):
        r.missing("name_zh", "name_en", reason="missing name", zh="缺少名称")
    elif not name_zh and uscc and r.match.header("name_zh") and "name_zh" not in r.refused:
        # a firm registered in China always has a Chinese name: an English one alone is a blank cell
        r.problem("name_zh", "missing name: a firm with a USCC needs its registered (Chinese) name",
                  "缺少名称：有统一社会信用代码的企业需填写其登记（中文）名称")
    region, region_source = _region(r, name_zh or name_en, uscc, estimated)
    as_of = r.parse("as_of", _date)
    if as_of is None and import_date and "as_of" not in r.refused:
        as_of = import_date  # no date column: the import date, marked estimated
        estimated.add("as_of")
    status = r.parse("status", _status) or RegStatus.UNKNOWN
    if status is RegStatus.MOVED_OUT and region:
        r.warn("status", f"迁出 (moved out): not counted in {_regions().display(region, 'en')}, where it was "
               "registered; stored with no region, its address kept",
               f"迁出：不计入登记地{_regions().display(region)}；存为无地区，地址保留")
    former = tuple(n for n in dict.fromkeys(r.items("former_names")) if n not in (name_zh, name_en))
    capital = r.parse("registered_capital_cny_m", _capital, cap_unit)
    if capital is not None:
        capital, est = capital
        if est:
            estimated.add("registered_capital_cny_m")
    employees = r.parse("employees", _employees)
    if employees is not None:
        employees, est = employees
        if est:
            estimated.add("employees")
    tiers, tagged = _sort_tags(r.items("tiers"))
    keywords = [*r.items("keywords"), *tagged]
    for f in r.items("estimated"):
        if f in _ORG_FIELDS:
            estimated.add(f)
        else:
            r.problem("estimated", f"unknown field {f!r} in the estimated list", f"估算字段列表中有未知字段 {f!r}")
    return Organisation(
        id=get("id") or org_id(name_zh or name_en, uscc, region),
        kind=kind,
        name_zh=name_zh,
        name_en=name_en,
        provenance=_provenance(get("source") or source, as_of, tuple(sorted(estimated))),
        uscc=uscc,
        region=region,
        address=get("address", ""),
        segments=tuple(map(_membership, r.items("segments"))),
        products=r.items("products"),
        description_zh=get("description_zh", ""),
        description_en=get("description_en", ""),
        business_scope=get("business_scope", ""),
        industry=get("industry", ""),
        industry_code=get("industry_code", ""),
        keywords=tuple(dict.fromkeys(keywords)),
        employees=employees,
        revenue_band=get("revenue_band"),
        registered_capital_cny_m=capital,
        founded=r.parse("founded", _date),
        tiers=tuple(dict.fromkeys(tiers)),
        patents=r.parse("patents", _int, "patents"),
        parent_group=get("parent_group"),
        status=status,
        status_detail=get("status", "") if status is not RegStatus.UNKNOWN else "",
        status_date=r.parse("status_date", _date),
        former_names=former,
        legal_rep=get("legal_rep", ""),
        region_source=region_source,
    )


def organisations_from_table(table: Table, *, column_map: dict[str, str | None] | None = None,
                             settings: Settings | None = None, import_date: str | None = None
                             ) -> tuple[list[tuple[int, Organisation]], list[Problem]]:
    """Organisations from a table; rows with any problem are left out.

    Parameters
    ----------
    table : Table
        From :func:`graph.io.tables.read_rows`; its rows are consumed.
    column_map : dict, optional
        File header → canonical field, overriding the built-in aliases.
    settings : Settings, optional
        For ``max_field_chars``.
    import_date : str, optional
        ISO date given to rows without an as-of date cell (marked estimated);
        ``None`` leaves their as-of date unknown.

    Returns
    -------
    orgs : list of (int, Organisation)
        Row number and record of every good row.
    problems : list of Problem
        Every problem, the table's structural ones included, sorted by row.

    Raises
    ------
    InvalidInput
        When the file has no name column at all.
    """
    r = RowReader(table, "organisations", column_map, settings)
    r.require("name_zh", "name_en")
    source = f"file:{table.file}"
    cap_unit = capital_unit(r.match.header("registered_capital_cny_m") or "")
    orgs: list[tuple[int, Organisation]] = []
    ids: dict[str, int] = {}
    usccs: dict[str, int] = {}

    def one(row, cells):
        r.start(row, cells)
        org = _org(r, source, cap_unit, import_date)
        if org.uscc and (first := usccs.setdefault(org.uscc, row)) != row:
            r.problem("uscc", f"duplicate USCC {org.uscc}: same as row {first}",
                      f"统一社会信用代码 {org.uscc} 重复：与第 {first} 行相同")
        elif (first := ids.setdefault(org.id, row)) != row:
            if r.match.header("id"):
                r.problem("id", f"duplicate id {org.id!r}: same as row {first}", f"ID {org.id!r} 重复：与第 {first} 行相同")
            else:
                r.problem("name_zh", f"duplicate organisation: same name and city as row {first}",
                          f"机构重复：名称和城市与第 {first} 行相同")
        orgs.append((row, org))

    if table.batches is not None:
        named_zh = bool(r.match.header("name_zh"))
        for batch in table.batches:
            _org_batch(batch, one, orgs, ids, usccs, source, cap_unit, import_date, table.valid_usccs, named_zh)
    for row, cells in table.rows:
        one(row, cells)
    return r.finish(orgs)


def links_from_table(table: Table, *, column_map: dict[str, str | None] | None = None,
                     settings: Settings | None = None, import_date: str | None = None
                     ) -> tuple[list[tuple[int, Link]], list[Problem]]:
    """Links from a table; ``src``/``dst`` are the cells as written (ids, USCCs
    or names), to be resolved against the store by the importer.

    ``customer_of``/客户 links are turned round into ``supplies``. A link
    without an id gets :func:`link_id` of its cells.

    Examples
    --------
    >>> from pathlib import Path
    >>> from graph.io.tables import Table
    >>> t = Table("l.csv", Path("l.csv"), "csv", ["供应方", "客户方", "关系", "日期"],
    ...           iter([(2, {"供应方": "乙", "客户方": "甲", "关系": "客户", "日期": "2020/1/2"})]))
    >>> [(x.src, x.dst, x.kind.value, x.since) for _, x in links_from_table(t)[0]]
    [('甲', '乙', 'supplies', '2020-01-02')]
    """
    r = RowReader(table, "links", column_map, settings)
    r.require("src", "src_uscc")
    r.require("dst", "dst_uscc")
    r.require("kind")
    source = f"file:{table.file}"
    links: list[tuple[int, Link]] = []
    ids: dict[str, int] = {}
    has = r.match.fields.__contains__  # a field without a column has no cell to read: not asked for
    by_uscc = {f: has(f + "_uscc") for f in ("src", "dst")}
    optional = any(map(has, ("since", "weight", "confidence", "as_of")))
    text, parse = r.text, r.parse
    kind_of, since_of, as_of_of = r.memo("kind", parse_link_kind), r.memo("since", parse_date), r.memo("as_of", parse_date)
    weight_of, confidence_of = r.memo("weight", parse_float, "weight"), r.memo("confidence", parse_confidence)

    def one(row, cells):
        r.start(row, cells)
        # a credit code names a party more surely than a name: it wins when both are given
        ends = {f: (parse(f + "_uscc", r.uscc) or (None if text(f + "_uscc") else text(f))) if uscc else text(f)
                for f, uscc in by_uscc.items()}
        for f, v in ends.items():
            if v is None and text(f + "_uscc") is None:
                r.missing(f, f + "_uscc", reason=f"missing {f}", zh=f"缺少{'上游企业' if f == 'src' else '下游企业'}")
        src, dst = ends["src"], ends["dst"]
        kind = kind_of()
        if kind is None:
            if text("kind") is None:
                r.missing("kind", reason="missing link type", zh="缺少关系类型")
            return
        kind, flipped = kind
        if flipped:
            src, dst = dst, src
        since = weight = confidence = as_of = None
        if optional:
            since, weight, confidence = since_of(), weight_of(), confidence_of()
        if src is None or dst is None:
            return
        if src == dst:
            r.problem("dst", "a link cannot join an organisation to itself", "关系不能连接机构自身")
        lid = text("id") or link_id(kind.value, src, dst, since)
        if (first := ids.setdefault(lid, row)) != row:
            r.problem("id", f"duplicate link {lid!r}: same as row {first}", f"关系 {lid!r} 重复：与第 {first} 行相同")
        if optional:
            as_of = as_of_of()
        prov = (_provenance(text("source") or source, as_of) if as_of or not import_date
                else _provenance(text("source") or source, import_date, ("as_of",)))
        links.append((row, Link(lid, kind, src, dst, prov, since,
                                1.0 if weight is None else weight,
                                1.0 if confidence is None else confidence)))

    if table.batches is not None:
        for batch in table.batches:
            _link_batch(batch, one, links, ids, source, import_date, table.valid_usccs)
    for row, cells in table.rows:
        one(row, cells)
    return r.finish(links)


#: The bulk builders' record constructors (:func:`graph.model.record_maker`: every field, in order).
make_link, make_org = record_maker(Link), record_maker(Organisation)

_BAD = object()  # a text its parser refuses: the row goes to the row reader, which names the problem


def _distinct(values: list, fn, *args) -> dict:
    """Each distinct text of a column parsed once: text → value, or ``_BAD`` when it does not parse."""
    out = {}
    for text in set(values):
        if text is None:
            continue
        try:
            out[text] = fn(text, *args)
        except ParseError:
            out[text] = _BAD
    return out


def _link_batch(batch, one, links: list, ids: dict, source: str, import_date: str | None,
                valid_usccs: frozenset[str]) -> None:
    """The links of one :class:`~graph.io.columns.ColumnBatch`, built from its columns.

    Each column's distinct texts are parsed once; a row whose every cell is
    clear (a known link type, dates and numbers that parse, valid credit
    codes, two different ends, a new id) becomes a record at once. Every
    other row is handed to ``one`` (the row reader), which finds and names
    its problems exactly as for a row-by-row read: same checks, same order,
    same messages.
    """
    n, clean = batch.n, batch.clean
    none = [None] * n

    def col(name):
        return clean.get(name) or none

    kinds, sinces, as_ofs = col("kind"), col("since"), col("as_of")
    weights, confidences, sources = col("weight"), col("confidence"), col("source")
    kind_map = _distinct(kinds, parse_link_kind)
    since_map, as_of_map = _distinct(sinces, parse_date), _distinct(as_ofs, parse_date)
    weight_map, confidence_map = _distinct(weights, parse_float, "weight"), _distinct(confidences, parse_confidence)
    since_map[None] = as_of_map[None] = weight_map[None] = confidence_map[None] = None
    src_u, dst_u, src_t, dst_t, own_ids = col("src_uscc"), col("dst_uscc"), col("src"), col("dst"), col("id")
    bad, skip, first = batch.bad, batch.skip, batch.first
    provs: dict = {}
    append, BAD = links.append, _BAD
    for i, (k, su, du, st, dt_, sn, w, c, a, src_cell, own) in enumerate(zip(
            kinds, src_u, dst_u, src_t, dst_t, sinces, weights, confidences, as_ofs, sources, own_ids, strict=True)):
        if i in skip:
            continue
        row = first + i
        if i in bad:
            one(row, batch.raw_cells(i))
            continue
        kind = kind_map.get(k, BAD)
        src = st if su is None else (su if su in valid_usccs else None)
        dst = dt_ if du is None else (du if du in valid_usccs else None)
        since, weight, confidence, as_of = since_map[sn], weight_map[w], confidence_map[c], as_of_map[a]
        if (kind is BAD or src is None or dst is None or since is BAD or weight is BAD or confidence is BAD
                or as_of is BAD):
            one(row, batch.clean_cells(i))
            continue
        kind, flipped = kind
        if flipped:
            src, dst = dst, src
        lid = own or link_id(kind.value, src, dst, since)
        if src == dst or lid in ids:
            one(row, batch.clean_cells(i))
            continue
        ids[lid] = row
        key = (src_cell, as_of)
        prov = provs.get(key)
        if prov is None:
            prov = provs[key] = (_provenance(src_cell or source, as_of) if as_of or not import_date
                                 else _provenance(src_cell or source, import_date, ("as_of",)))
        append((row, make_link(lid, kind, src, dst, prov, since, 1.0 if weight is None else weight,
                          1.0 if confidence is None else confidence)))


class _Probe:
    """A stand-in row reader for :func:`_region`: it only notes that the row has a problem or a warning."""

    __slots__ = ("values", "flagged")

    def __init__(self, values: dict):
        self.values, self.flagged = values, False

    def problem(self, *_args) -> None:
        self.flagged = True

    warn = problem


_REGION_CELLS = ("region", "province", "city", "district", "address", "country")


@functools.lru_cache(maxsize=65_536)
def _region_cells(cells: tuple) -> tuple[str | None, str, bool]:
    """:func:`_region` of a row's region cells, without its credit code and name: ``(region, source,
    flagged)``; ``flagged`` when the row has a problem or a warning there (the row reader must name it).
    The credit code and the name only matter when this gives no region and there are no region cells."""
    probe = _Probe({f: v for f, v in zip(_REGION_CELLS, cells, strict=True) if v is not None})
    rid, source = _region(probe, "", None, set())  # type: ignore[arg-type]
    return rid, source, probe.flagged


def _memo(fn):
    """``fn`` of each distinct text of a column, once (``None`` and the empty text give ``()``)."""
    out: dict = {None: ()}

    def get(text):
        value = out.get(text, _BAD)
        if value is _BAD:
            value = out[text] = fn(text)
        return value

    return get


def _sort_tags(tags) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A 企业标签 cell's tags as ``(tiers, other tags)``: a tag naming a tier (专精特新 …) counts as that tier,
    any other is kept as a keyword.

    >>> _sort_tags(["国家级专精特新小巨人", "独角兽企业", "文化出口"])[1]
    ('文化出口',)
    """
    tiers, other = [], []
    for tag in tags:
        tier = next((t for t in TIERS if t in tag), None)
        (tiers if tier else other).append(tier or tag)
    return tuple(tiers), tuple(other)


def _tier_split(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A 企业标签 cell as ``(tiers, other tags)``, as :func:`_org` sorts them."""
    return _sort_tags(split_list(text))


def _estimated_split(text: str):
    fields = split_list(text)
    return frozenset(fields) if all(f in _ORG_FIELDS for f in fields) else _BAD


def _org_batch(batch, one, orgs: list, ids: dict, usccs: dict, source: str, cap_unit: str,
               import_date: str | None, valid_usccs: frozenset[str], named_zh: bool) -> None:
    """The organisations of one :class:`~graph.io.columns.ColumnBatch`, built from its columns.

    As :func:`_link_batch` does for links: each column's distinct texts are
    parsed once (kinds, dates, statuses, capitals, staff counts, patents,
    list cells, region cells) and a row whose every cell is clear becomes an
    :class:`~graph.model.Organisation` at once, with the values :func:`_org`
    gives. Every other row — a cell that does not parse, a credit code the
    column check did not clear, a missing name, a region problem or warning,
    a moved-out firm, a repeated credit code or id — is handed to ``one``
    (the row reader), which finds and names its problems as before.
    """
    n, clean = batch.n, batch.clean
    none = [None] * n

    def col(name):
        return clean.get(name) or none

    def parsed(name, fn, *args):
        values = col(name)
        found = _distinct(values, fn, *args)
        found[None] = None
        return values, found

    kinds, kind_map = parsed("kind", parse_kind)
    as_ofs, as_of_map = parsed("as_of", parse_date)
    statuses, status_map = parsed("status", parse_status)
    capitals, capital_map = parsed("registered_capital_cny_m", parse_capital, cap_unit)
    staff, staff_map = parsed("employees", parse_employees)
    foundeds, founded_map = parsed("founded", parse_date)
    patents, patent_map = parsed("patents", parse_int, "patents")
    status_dates, status_date_map = parsed("status_date", parse_date)
    split = _memo(split_list)
    tier_split, estimated_split = _memo(_tier_split), _memo(_estimated_split)
    members = _memo(lambda text: tuple(map(_membership, split_list(text))))
    region_cols = [col(f) for f in _REGION_CELLS]
    has_region = any(v is not none for v in region_cols)
    # each distinct set of region cells once: (region, source, flagged, any region cell given)
    region_keys = list(zip(*region_cols, strict=True)) if has_region else none
    region_of = {k: (*_region_cells(k), any(k[:4])) for k in set(region_keys)} if has_region else {None: (None, "", False, False)}
    names_zh, names_en, own_ids, uscc_col = col("name_zh"), col("name_en"), col("id"), col("uscc")
    sources, formers, keywords_col, tiers_col = col("source"), col("former_names"), col("keywords"), col("tiers")
    estimated_col, segments_col, products_col = col("estimated"), col("segments"), col("products")
    addresses, descs_zh, descs_en, scopes = col("address"), col("description_zh"), col("description_en"), col("business_scope")
    industries, codes, bands, groups, reps = (col("industry"), col("industry_code"), col("revenue_band"),
                                              col("parent_group"), col("legal_rep"))
    bad, skip, first = batch.bad, batch.skip, batch.first
    BAD, FIRM, UNKNOWN, MOVED_OUT = _BAD, OrgKind.FIRM, RegStatus.UNKNOWN, RegStatus.MOVED_OUT
    append = orgs.append
    for i in range(n):
        if i in skip:
            continue
        row = first + i
        if i in bad:
            one(row, batch.raw_cells(i))
            continue
        name_zh, name_en = names_zh[i] or "", names_en[i] or ""
        u = uscc_col[i]
        uscc = None if u is None else (u if u in valid_usccs else BAD)
        kind, as_of, status = kind_map[kinds[i]], as_of_map[as_ofs[i]], status_map[statuses[i]]
        capital, employees = capital_map[capitals[i]], staff_map[staff[i]]
        founded, patent, status_date = founded_map[foundeds[i]], patent_map[patents[i]], status_date_map[status_dates[i]]
        est_cell = estimated_split(estimated_col[i])
        if (uscc is BAD or kind is BAD or as_of is BAD or status is BAD or capital is BAD or employees is BAD
                or founded is BAD or patent is BAD or status_date is BAD or est_cell is BAD
                or not (name_zh or name_en) or (not name_zh and uscc and named_zh)):
            one(row, batch.clean_cells(i))
            continue
        estimated = set(est_cell)
        region, region_source, flagged, given = region_of[region_keys[i]]
        if flagged:
            one(row, batch.clean_cells(i))
            continue
        if region is None and not given:
            probe = _Probe({f: c[i] for f, c in zip(_REGION_CELLS, region_cols, strict=True) if c[i] is not None})
            region, region_source = _region(probe, name_zh or name_en, uscc, set())  # type: ignore[arg-type]
        if region_source:
            estimated.add("region")
        status = status or UNKNOWN
        if status is MOVED_OUT and region:
            one(row, batch.clean_cells(i))
            continue
        oid = own_ids[i] or org_id(name_zh or name_en, uscc, region)
        if (uscc and uscc in usccs) or oid in ids:
            one(row, batch.clean_cells(i))  # a repeat: the row reader names it
            continue
        if uscc:
            usccs[uscc] = row
        ids[oid] = row
        if as_of is None and import_date:
            as_of = import_date
            estimated.add("as_of")
        if capital is not None:
            capital, est = capital
            if est:
                estimated.add("registered_capital_cny_m")
        if employees is not None:
            employees, est = employees
            if est:
                estimated.add("employees")
        tiers, tagged = tier_split(tiers_col[i]) or ((), ())
        keywords = split(keywords_col[i])  # split_list's items are distinct already: only a merge can repeat one
        if tagged:
            keywords = tuple(dict.fromkeys(keywords + tagged))
        if len(tiers) > 1:
            tiers = tuple(dict.fromkeys(tiers))
        former = split(formers[i])
        if former:
            former = tuple(x for x in former if x not in (name_zh, name_en))
        status_cell = statuses[i]
        append((row, make_org(
            oid, kind or FIRM, name_zh,
            _provenance(sources[i] or source, as_of, tuple(sorted(estimated))),
            name_en, uscc, region, addresses[i] or "", members(segments_col[i]), split(products_col[i]),
            descs_zh[i] or "", descs_en[i] or "", scopes[i] or "", industries[i] or "", codes[i] or "",
            keywords, employees, bands[i], capital, founded, tiers, (),
            patent, (), groups[i], status, (status_cell or "") if status is not UNKNOWN else "", status_date,
            former, reps[i] or "", region_source)))


def segments_from_table(
    table: Table, *, column_map: dict[str, str | None] | None = None, settings: Settings | None = None
) -> tuple[list[tuple[int, Segment]], list[tuple[int, SegmentEdge]], list[Chain], list[Problem]]:
    """Segments, their upstream edges and chains from a table.

    ``upstream`` lists the segments (ids or names) that supply this one; the
    ``chain`` column puts the segment in a chain (an id, or a name that the
    importer matches against stored chains), ``chain_en`` (产业链英文名) gives
    the chain its English name and the chain takes the ``source`` of its first
    row (a template names the public chain maps it was drawn from there). ``stage`` is required (产业链位置,
    环节位置, 链位, 上中下游 … are recognised); ``format`` (业态) is optional and
    ``other`` when absent. References are checked by the importer.

    Examples
    --------
    >>> from pathlib import Path
    >>> from graph.io.tables import Table
    >>> t = Table("s.csv", Path("s.csv"), "csv", ["id", "名称", "阶段", "业态", "上游环节", "产业链"],
    ...           iter([(2, {"id": "seg:a", "名称": "游戏引擎", "阶段": "上游", "业态": "技术和设备",
    ...                      "上游环节": None, "产业链": "chain:dc"}),
    ...                 (3, {"id": "seg:b", "名称": "游戏研发", "阶段": "中游", "业态": "内容制作",
    ...                      "上游环节": "seg:a", "产业链": "chain:dc"})]))
    >>> segs, edges, chains, problems = segments_from_table(t)
    >>> [e.upstream + ">" + e.downstream for _, e in edges], chains[0].segments, problems
    (['seg:a>seg:b'], ('seg:a', 'seg:b'), [])
    """
    r = RowReader(table, "segments", column_map, settings)
    r.require("name_zh", "name_en")
    r.require("stage")  # 业态 (format) is the digital-creative sample's attribute: optional, else "other"
    default_source = f"file:{table.file}"
    segs: list[tuple[int, Segment]] = []
    edges: list[tuple[int, SegmentEdge]] = []
    chain_rows: list[tuple[int, str, str]] = []
    chain_about: dict[str, tuple[str, str]] = {}  # chain -> (English name, source) from its first row
    ids: dict[str, int] = {}
    for row, cells in table.rows:
        r.start(row, cells)
        name_zh, name_en = r.text("name_zh") or "", r.text("name_en") or ""
        if not (name_zh or name_en):
            r.missing("name_zh", "name_en", reason="missing name", zh="缺少名称")
        stage, fmt = r.parse("stage", parse_stage), r.parse("format", parse_format)
        if stage is None and r.text("stage") is None:
            r.missing("stage", reason="missing stage", zh="缺少环节位置")
        if fmt is None and r.text("format") is None:
            fmt = Format.OTHER
        manufacturing = r.parse("manufacturing", parse_bool)
        source = r.text("source") or default_source
        sid = r.text("id") or "seg:" + short_hash(normalise_name(name_zh or name_en))
        if (first := ids.setdefault(sid, row)) != row:
            r.problem("id", f"duplicate segment {sid!r}: same as row {first}", f"环节 {sid!r} 重复：与第 {first} 行相同")
        for up in r.items("upstream"):
            if up == sid:
                r.problem("upstream", "a segment cannot be upstream of itself", "环节不能是自身的上游")
            edges.append((row, SegmentEdge(up, sid, source=source)))
        if chain := r.text("chain"):
            chain_rows.append((row, chain, sid))
            chain_about.setdefault(chain, (r.text("chain_en") or "", r.text("source") or default_source))
        if stage is None or fmt is None:
            continue
        segs.append((row, Segment(sid, name_zh, name_en, stage, fmt, r.text("parent"),
                                  r.text("description") or "", r.items("keywords"),
                                  bool(manufacturing), source)))
    segs, problems = r.finish(segs)
    members: dict[str, list[str]] = {}
    for row, chain, sid in chain_rows:
        if row not in r.bad:
            members.setdefault(chain, []).append(sid)
    cjk = re.compile(r"[\u3400-\u9fff]")
    chains = []
    for c, sids in members.items():
        en, source = chain_about[c]
        zh = c if cjk.search(c) else ""
        chains.append(Chain(chain_id(c), zh, en or ("" if zh else c), tuple(dict.fromkeys(sids)), source=source))
    return segs, [(row, e) for row, e in edges if row not in r.bad], chains, problems


def segment_edges_from_table(table: Table, *, column_map: dict[str, str | None] | None = None,
                             settings: Settings | None = None) -> tuple[list[tuple[int, SegmentEdge]], list[Problem]]:
    """A chain template's edge list (上游环节 → 下游环节): ends are segment ids or names as
    written, resolved by the importer; ``weight`` is optional (default 1), ``source``
    (依据/evidence) says where the edge comes from.

    Examples
    --------
    >>> from pathlib import Path
    >>> from graph.io.tables import Table
    >>> t = Table("e.csv", Path("e.csv"), "csv", ["上游环节", "下游环节", "权重"],
    ...           iter([(2, {"上游环节": "电机", "下游环节": "整机", "权重": "0.5"}),
    ...                 (3, {"上游环节": "整机", "下游环节": "整机", "权重": None})]))
    >>> edges, problems = segment_edges_from_table(t)
    >>> [(e.upstream, e.downstream, e.weight) for _, e in edges], [str(p) for p in problems]
    ([('电机', '整机', 0.5)], ['e.csv:3 [下游环节]: a segment cannot be upstream of itself'])
    """
    r = RowReader(table, "segment-edges", column_map, settings)
    r.require("upstream")
    r.require("downstream")
    default_source = f"file:{table.file}"
    edges: list[tuple[int, SegmentEdge]] = []
    for row, cells in table.rows:
        r.start(row, cells)
        up, down = r.text("upstream"), r.text("downstream")
        for f, v in (("upstream", up), ("downstream", down)):
            if v is None:
                r.missing(f, reason=f"missing {f} segment", zh=f"缺少{'上游' if f == 'upstream' else '下游'}环节")
        weight = r.parse("weight", parse_float, "weight")
        if weight is not None and weight <= 0:
            r.problem("weight", f"weight must be positive, got {weight}", f"权重应为正数，实为 {weight}")
        if up is None or down is None:
            continue
        if up == down:
            r.problem("downstream", "a segment cannot be upstream of itself", "环节不能是自身的上游")
        edges.append((row, SegmentEdge(up, down, 1.0 if weight is None else weight,
                                       r.text("source") or default_source)))
    return r.finish(edges)


@dataclass(frozen=True, slots=True)
class Branch:
    """One row of a 分支机构 list: the parent as written (name or USCC), where the branch is, whether it is open."""

    parent: str
    name: str
    region: str
    since: str | None
    closed: bool


def branches_from_table(table: Table, *, column_map: dict[str, str | None] | None = None,
                        settings: Settings | None = None) -> tuple[list[tuple[int, Branch]], list[Problem]]:
    """Branches (总公司名称/信用代码, 分支机构名称, 所属城市/地址, 登记状态, 成立日期); the
    importer turns each open one into a ``branch`` site of its parent.

    Examples
    --------
    >>> from pathlib import Path
    >>> from graph.io.tables import Table
    >>> t = Table("b.csv", Path("b.csv"), "csv", ["总公司名称", "分支机构名称", "所属城市", "登记状态"],
    ...           iter([(2, {"总公司名称": "甲公司", "分支机构名称": "甲公司深圳分公司", "所属城市": "深圳市",
    ...                      "登记状态": "存续"})]))
    >>> [(b.parent, b.region, b.closed) for _, b in branches_from_table(t)[0]]
    [('甲公司', 'cn/guangdong/shenzhen', False)]
    """
    r = RowReader(table, "branches", column_map, settings)
    r.require("parent", "parent_uscc")
    r.require("city", "address")
    out: list[tuple[int, Branch]] = []
    for row, cells in table.rows:
        r.start(row, cells)
        parent = r.parse("parent_uscc", parse_uscc) or (None if r.text("parent_uscc") else r.text("parent"))
        if parent is None and r.text("parent_uscc") is None:
            r.missing("parent", "parent_uscc", reason="missing head office (总公司名称 or 信用代码)",
                      zh="缺少总公司（总公司名称或信用代码）")
        texts = [t for t in (r.text("city"), r.text("address")) if t]
        city = _cached_region(r.text("city")) if r.text("city") else None
        at = _cached_region(r.text("address")) if r.text("address") else None
        region = at if at and (city is None or at.startswith(city + "/")) else city  # the address refines the city
        if region is None:
            r.problem("city" if r.text("city") else "address",
                      f"no region found in {' / '.join(texts)!r}" if texts else "missing city or address",
                      f"无法从 {' / '.join(texts)!r} 识别地区" if texts else "缺少城市或地址")
        status = r.parse("status", parse_status) or RegStatus.UNKNOWN
        since = r.parse("since", _date)
        if parent is None or region is None:
            continue
        gone = status.closed or status is RegStatus.MOVED_OUT  # 注销/吊销 or 迁出: no presence
        out.append((row, Branch(parent, r.text("name") or "", region, since, gone)))
    return r.finish(out)
