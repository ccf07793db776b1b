"""The region gazetteer: China down to prefectures (and some districts), plus a few countries.

Ids are slug paths of toneless pinyin: ``cn``, ``cn/guangdong``,
``cn/guangdong/shenzhen``, ``cn/guangdong/shenzhen/nanshan``. Municipalities
(北京, 上海, 天津, 重庆, 香港, 澳门) have a city level equal to themselves
(``cn/beijing/beijing``). Well-known county-level cities sit at city level
directly under their province (``cn/jiangsu/kunshan``);
:data:`COUNTY_CITY_PARENT` maps them to their prefecture. Foreign cities sit
directly under their country (``jp/tokyo``). The tables are literals in
:mod:`graph.regions_data`; the name index is built on first use.

Examples
--------
>>> parse_region("广东省深圳市南山区粤海街道科技园")
'cn/guangdong/shenzhen/nanshan'
>>> infer_region_from_name("邵阳维克液压股份有限公司")
'cn/hunan/shaoyang'
>>> display("cn/guangdong/shenzhen/nanshan", "en")
'Nanshan, Shenzhen, Guangdong'
"""

from __future__ import annotations

from functools import cache

from graph import regions_data as _data
from graph.errors import InvalidInput, NotFound
from graph.model import Region, RegionLevel

__all__ = [
    "COUNTY_CITY_PARENT",
    "region",
    "all_regions",
    "lineage",
    "at_level",
    "prefecture_of",
    "parse_region",
    "infer_region_from_name",
    "display",
    "regions_for",
    "region_names",
]

#: County-level city id -> its prefecture id (``None``: administered by the province).
COUNTY_CITY_PARENT: dict[str, str | None] = {row[0]: row[4] for row in _data.COUNTY_CITIES}

# How strongly a name points at a region: a full name (深圳市, "Shenzhen City"),
# a short name (深圳, "Shenzhen"), or a weak one (南山: only with its city nearby).
_FULL, _SHORT, _WEAK = 2, 1, 0

_Hits = tuple[tuple[str, int], ...]


@cache
def _build() -> tuple[dict[str, Region], dict[str, _Hits], dict[str, tuple[int, ...]]]:
    """Regions by id, names (lowercased) -> ((region id, strength), ...), name lengths by first char."""
    regions: dict[str, Region] = {}
    names: dict[str, dict[str, int]] = {}
    province_names: set[str] = set()  # a province's names outrank other regions' short names

    def name(text: str, rid: str, strength: int) -> str:
        key = text.lower()
        if strength == _FULL or key not in province_names:
            hits = names.setdefault(key, {})
            hits[rid] = max(hits.get(rid, _WEAK), strength)
        return key

    def add(rid, zh, short, en, level, suffix="", short_strength=_SHORT, target=None):
        regions[rid] = Region(rid, zh, en, level)
        target = target or rid
        keys = [name(zh, target, _FULL)]
        if short:
            keys.append(name(short, target, short_strength))
            if zh.endswith("自治州"):
                keys.append(name(short + "州", target, _FULL))
        for e in dict.fromkeys((en, en.replace("'", ""))):
            keys.append(name(e, target, short_strength))
            if suffix:
                keys.append(name(f"{e} {suffix}", target, _FULL))
        return keys

    for code, zh, en in _data.COUNTRIES:
        add(code, zh, None, en, RegionLevel.COUNTRY, short_strength=_FULL)
    for slug, zh, short, en in _data.PROVINCES:
        pid = f"cn/{slug}"
        city = f"{pid}/{slug}" if slug in _data.MUNICIPALITIES else None
        province_names.update(
            add(pid, zh, short, en, RegionLevel.PROVINCE, "province", target=city)
        )
        if city:
            regions[city] = Region(city, zh, en, RegionLevel.CITY)
    for province, rows in _data.PREFECTURES.items():
        for slug, zh, short, en in rows:
            add(f"cn/{province}/{slug}", zh, short, en, RegionLevel.CITY, "city")
    for rid, zh, short, en, _parent in _data.COUNTY_CITIES:
        add(rid, zh, short, en, RegionLevel.CITY, "city")
    for city, rows in _data.DISTRICTS.items():
        for slug, zh, short, en in rows:
            add(f"{city}/{slug}", zh, short, en, RegionLevel.DISTRICT, "district", _WEAK)
    for rid, zh, en in _data.FOREIGN_CITIES:
        add(rid, zh, None, en, RegionLevel.CITY, short_strength=_FULL)
    for rid, extra in _data.EXTRA_ALIASES.items():
        for text in extra:
            name(text, rid, _FULL)
    for word in _data.NOT_REGIONS:
        names.setdefault(word.lower(), {})
    table = {k: tuple(v.items()) for k, v in names.items()}
    lengths: dict[str, set[int]] = {}
    for key in table:
        lengths.setdefault(key[0], set()).add(len(key))
    firsts = {c: tuple(sorted(ls, reverse=True)) for c, ls in lengths.items()}
    return regions, table, firsts


def region(region_id: str) -> Region:
    """The region with this id; :class:`~graph.errors.NotFound` if there is none.

    Examples
    --------
    >>> region("cn/guangdong/shenzhen").name_zh
    '深圳市'
    """
    try:
        return _build()[0][region_id]
    except KeyError:
        raise NotFound("region", region_id) from None


def region_names() -> dict[str, tuple[str, ...]]:
    """Every name the gazetteer reads (lowercased) -> the region ids it may denote.

    What :mod:`graph.resolve` suggests from when a place name is not found.

    Examples
    --------
    >>> region_names()["深圳"], region_names()["shenzhen"]
    (('cn/guangdong/shenzhen',), ('cn/guangdong/shenzhen',))
    """
    return {name: tuple(rid for rid, _ in hits) for name, hits in _build()[1].items() if hits}


def all_regions() -> list[Region]:
    """Every region of the gazetteer, parents before children.

    Examples
    --------
    >>> sum(r.level is RegionLevel.PROVINCE for r in all_regions())
    34
    """
    return list(_build()[0].values())


def lineage(region_id: str) -> list[str]:
    """Ids from the country down to ``region_id`` itself.

    Examples
    --------
    >>> lineage("cn/guangdong/shenzhen/nanshan")
    ['cn', 'cn/guangdong', 'cn/guangdong/shenzhen', 'cn/guangdong/shenzhen/nanshan']
    """
    region(region_id)
    parts = region_id.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]


def regions_for(region_ids) -> list[Region]:
    """The gazetteer records of these regions and all their ancestors.

    Ids the gazetteer does not know are left out (they still work as path
    prefixes in queries).

    Examples
    --------
    >>> [r.id for r in regions_for(["cn/guangdong/shenzhen/nanshan", "xx/nowhere", None])]
    ['cn', 'cn/guangdong', 'cn/guangdong/shenzhen', 'cn/guangdong/shenzhen/nanshan']
    """
    known = _build()[0]
    wanted: dict[str, Region] = {}
    for rid in region_ids:
        if rid in known:
            parts = rid.split("/")
            for i in range(1, len(parts) + 1):
                anc = "/".join(parts[:i])
                if anc in known:
                    wanted.setdefault(anc, known[anc])
    return sorted(wanted.values(), key=lambda r: r.id)


def at_level(region_id: str, level: RegionLevel | str) -> str | None:
    """The region at ``level`` on the lineage of ``region_id`` (``None`` if none).

    Examples
    --------
    >>> at_level("cn/beijing/beijing/haidian", "province")
    'cn/beijing'
    >>> at_level("cn/jiangsu/kunshan", RegionLevel.CITY)
    'cn/jiangsu/kunshan'
    >>> at_level("cn/guangdong", RegionLevel.CITY) is None
    True
    """
    level = RegionLevel(level)
    regions = _build()[0]
    return next((rid for rid in lineage(region_id) if regions[rid].level is level), None)


def prefecture_of(region_id: str) -> str | None:
    """The prefecture-level city containing ``region_id``, county-level cities mapped up.

    Examples
    --------
    >>> prefecture_of("cn/jiangsu/kunshan")
    'cn/jiangsu/suzhou'
    >>> prefecture_of("cn/guangdong/shenzhen/futian")
    'cn/guangdong/shenzhen'
    """
    city = at_level(region_id, RegionLevel.CITY)
    return COUNTY_CITY_PARENT.get(city, city) if city else None


@cache
def _above(rid: str) -> frozenset[str]:
    """Proper ancestors of ``rid``, with a county-level city's prefecture and its ancestors."""
    parts = rid.split("/")
    above = {"/".join(parts[:i]) for i in range(1, len(parts))}
    parent = COUNTY_CITY_PARENT.get(rid)
    return frozenset(above | ({parent} | _above(parent) if parent else set()))


def _word(ch: str) -> bool:  # a character that continues a Latin-script word
    return ch.isascii() and ch.isalnum()


def _common(ids) -> str | None:
    """The deepest region containing all of ``ids``."""
    split = [rid.split("/") for rid in ids]  # may be empty: then None
    common = []
    for parts in zip(*split, strict=False):
        if len(set(parts)) > 1:
            break
        common.append(parts[0])
    return "/".join(common) or None


def parse_region(text: str) -> str | None:
    """The most specific region named in free text (an address, a 所属地区 cell).

    Names are scanned left to right, longest first. Each candidate is scored by
    how many of the names found lie on its lineage, then by depth, then by
    full over short name, then by position. A district's short name (南山)
    counts only next to its city; a name shared by several regions with no
    tie-breaker gives their common ancestor.

    Examples
    --------
    >>> parse_region("广东省-深圳市-南山区")
    'cn/guangdong/shenzhen/nanshan'
    >>> parse_region("Nanshan District, Shenzhen")
    'cn/guangdong/shenzhen/nanshan'
    >>> parse_region("广州市越秀区北京路")
    'cn/guangdong/guangzhou/yuexiu'
    >>> parse_region("Suzhou, Jiangsu"), parse_region("Suzhou")  # two Suzhous
    ('cn/jiangsu/suzhou', 'cn')
    """
    _, table, firsts = _build()
    t = text.lower()
    n, i, found = len(t), 0, []
    while i < n:
        c = t[i]
        lens = firsts.get(c)
        if lens is not None and not (c < "\x80" and i and _word(t[i - 1])):
            for size in lens:
                j = i + size
                if j > n:
                    continue
                hits = table.get(t[i:j])
                if hits is not None and not (c < "\x80" and j < n and _word(t[j])):
                    if hits:
                        found.append((i, hits))
                    i = j - 1
                    break
        i += 1
    return _resolve(found) if found else None


def _resolve(found: list[tuple[int, _Hits]]) -> str | None:
    spans = [frozenset(rid for rid, _ in hits) for _, hits in found]
    best, tied = None, set()
    for k, (start, hits) in enumerate(found):
        for rid, strength in hits:
            above = _above(rid)
            if strength == _WEAK and not any(
                j != k and not s.isdisjoint(above) for j, s in enumerate(spans)
            ):
                continue
            support = sum(1 for s in spans if rid in s or not s.isdisjoint(above))
            score = (support, rid.count("/"), strength, -start)
            if best is None or score > best:
                best, tied = score, {rid}
            elif score == best:
                tied.add(rid)
    return _common(tied)


def infer_region_from_name(company_name: str) -> str | None:
    """The region a company name starts with (深圳市… / 深圳… / 浙江省杭州市…), else ``None``.

    Only a prefix counts, and it must be a province or city name followed by
    more characters; a province may be refined by one of its cities, a city by
    one of its districts' full names.

    Examples
    --------
    >>> infer_region_from_name("深圳鸿富瀚科技股份有限公司")
    'cn/guangdong/shenzhen'
    >>> infer_region_from_name("北京同益中新材料科技股份有限公司")
    'cn/beijing/beijing'
    >>> infer_region_from_name("湖南华联瓷业股份有限公司")
    'cn/hunan'
    >>> infer_region_from_name("浙江省杭州市某某科技有限公司")
    'cn/zhejiang/hangzhou'
    >>> infer_region_from_name("中山大洋电机股份有限公司")
    'cn/guangdong/zhongshan'
    >>> [infer_region_from_name(n) for n in ("中国平安", "东方电气", "长城汽车", "华为技术")]
    [None, None, None, None]
    """
    regions, table, firsts = _build()
    name = company_name.strip().lower()
    found, i = None, 0
    while i < len(name):
        step = None
        for size in firsts.get(name[i], ()):
            j = i + size
            hits = table.get(name[i:j]) if j < len(name) else None
            if not hits or (name[i] < "\x80" and _word(name[j])):
                continue
            common = _common(rid for rid, st in hits if st and _refines(regions[rid], found))
            if common and common not in ("cn", found):
                step = (common, j)
                break
        if step is None:
            break
        found, i = step
    return found


def _refines(r: Region, found: str | None) -> bool:
    if found is None:
        return r.id.startswith("cn/") and r.level in (RegionLevel.PROVINCE, RegionLevel.CITY)
    return r.id.startswith(found + "/")


def display(region_id: str, lang: str = "zh") -> str:
    """A readable name: ``"广东省 深圳市 南山区"`` or ``"Nanshan, Shenzhen, Guangdong"``.

    China is left out below the country level; a municipality is named once.

    Examples
    --------
    >>> display("cn/guangdong/shenzhen/nanshan")
    '广东省 深圳市 南山区'
    >>> display("cn/beijing/beijing/haidian", "en")
    'Haidian, Beijing'
    >>> display("jp/tokyo"), display("jp/tokyo", "en")
    ('日本 东京', 'Tokyo, Japan')
    """
    chain = [region(rid) for rid in lineage(region_id)]
    if chain[0].id == "cn" and len(chain) > 1:
        chain = chain[1:]
    if lang == "zh":
        names, sep = [r.name_zh for r in chain], " "
    elif lang == "en":
        names, sep = [r.name_en for r in reversed(chain)], ", "
    else:
        raise InvalidInput(f"unknown display language {lang!r}; expected 'zh' or 'en'")
    return sep.join(n for k, n in enumerate(names) if k == 0 or n != names[k - 1])
