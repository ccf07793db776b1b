"""Small helpers shared by the chain analyses: regions as path prefixes, chains by name.

"Local" means a region id equal to the analysed region or under it
(``cn/guangdong/shenzhen/nanshan`` is local to ``cn/guangdong/shenzhen``).
Co-location (relatedness) compares regions *at the analysed region's level*:
cities for a city, districts for a district, provinces for a province.

Examples
--------
>>> is_local("cn/guangdong/shenzhen/nanshan", "cn/guangdong/shenzhen")
True
>>> is_local("cn/guangdong/shenzhen2", "cn/guangdong/shenzhen")
False
>>> level_of("cn/guangdong/shenzhen"), level_of("jp/tokyo"), level_of("cn/guangdong")
('city', 'city', 'province')
>>> unit_at("cn/guangdong/shenzhen/nanshan", "city"), unit_at("us/los-angeles", "city")
('cn/guangdong/shenzhen', 'us/los-angeles')
>>> unit_at("cn/guangdong", "city") is None
True
"""

from __future__ import annotations

from functools import lru_cache

from graph.errors import InvalidInput
from graph.model import Chain

__all__ = [
    "ALL_CHAINS",
    "LEVELS",
    "is_local",
    "level_of",
    "unit_at",
    "all_segments_chain",
    "resolve_chain",
    "resolve_region",
]

#: id of the pseudo chain holding every segment (``--chain`` left out)
ALL_CHAINS = "*"
LEVELS = ("country", "province", "city", "district")
# path depth of each level: China has provinces, other countries go straight to cities
_DEPTH_CN = {"country": 1, "province": 2, "city": 3, "district": 4}
_DEPTH_ABROAD = {"country": 1, "province": None, "city": 2, "district": 3}


def is_local(region_id: str | None, region: str) -> bool:
    """Whether ``region_id`` is ``region`` or lies under it."""
    return region_id is not None and (region_id == region or region_id.startswith(region + "/"))


@lru_cache(maxsize=4096)
def level_of(region_id: str) -> str:
    """The level of a region id: the gazetteer's, else read from the path depth."""
    from graph.errors import NotFound
    from graph.regions import region

    try:
        return region(region_id).level.value
    except NotFound:
        pass
    depth = region_id.count("/") + 1
    table = _DEPTH_CN if region_id.split("/", 1)[0] == "cn" else _DEPTH_ABROAD
    for level, d in table.items():
        if d == depth:
            return level
    return "district"


@lru_cache(maxsize=65536)
def unit_at(region_id: str | None, level: str) -> str | None:
    """The ancestor of ``region_id`` at ``level`` (by path depth); ``None`` if coarser."""
    if not region_id:
        return None
    parts = region_id.split("/")
    depth = (_DEPTH_CN if parts[0] == "cn" else _DEPTH_ABROAD)[level]
    if depth is None or len(parts) < depth:
        return None
    return "/".join(parts[:depth])


def all_segments_chain(segment_ids) -> Chain:
    """The pseudo chain ``*`` holding every segment (analysis of a whole region)."""
    return Chain(ALL_CHAINS, "全部产业链", "All chains", tuple(sorted(segment_ids)))


def resolve_chain(chains: list[Chain], text: str | None, segment_ids=()) -> Chain:
    """A chain by id, zh/en name (case-insensitive) or unique name fragment.

    ``None``, ``""``, ``"*"`` or ``"all"`` give the pseudo chain of all
    ``segment_ids``. Anything else unknown raises ``InvalidInput`` listing the
    chains.

    Examples
    --------
    >>> cs = [Chain("chain:a", "动漫游戏", "Animation & games", ("s1",)),
    ...       Chain("chain:b", "创意设计", "Creative design", ("s2",))]
    >>> resolve_chain(cs, "动漫").id, resolve_chain(cs, "creative design").id
    ('chain:a', 'chain:b')
    >>> resolve_chain(cs, None, ["s2", "s1"]).segments
    ('s1', 's2')
    """
    if text is None or text.strip().lower() in ("", ALL_CHAINS, "all"):
        return all_segments_chain(segment_ids)
    key = text.strip().casefold()
    for c in chains:
        if key in (c.id.casefold(), c.name_zh.casefold(), c.name_en.casefold()):
            return c
    hits = [c for c in chains if key in c.name_zh.casefold() or (c.name_en and key in c.name_en.casefold())]
    if len(hits) == 1:
        return hits[0]
    known = ", ".join(f"{c.id} ({c.name_zh})" for c in chains[:40])
    why = "ambiguous" if hits else "unknown"
    raise InvalidInput(f"{why} chain {text!r}; chains: {known}", f"产业链 {text!r} 无法识别；可选：{known}")


def resolve_region(text: str) -> str:
    """A region id from an id (``cn/guangdong/shenzhen``) or a name (深圳, 南山区, Shenzhen).

    Examples
    --------
    >>> resolve_region("深圳"), resolve_region("南山区")
    ('cn/guangdong/shenzhen', 'cn/guangdong/shenzhen/nanshan')
    >>> resolve_region("cn/guangdong/shenzhen")
    'cn/guangdong/shenzhen'
    """
    from graph.regions import parse_region

    text = text.strip()
    if "/" in text or (text.isascii() and text.islower() and len(text) == 2):
        return text.rstrip("/")
    found = parse_region(text)
    if found is None or found == "cn" and text not in ("中国", "China", "cn"):
        raise InvalidInput(f"unknown region {text!r}", f"无法识别的地区 {text!r}")
    return found
