"""Small helpers shared by the chain analyses: regions as path prefixes.

A user's words (region and chain names) are resolved by :mod:`graph.resolve`;
``ALL_CHAINS`` and ``all_segments_chain`` are re-exported from there.

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

from graph.resolve import ALL_CHAINS, all_segments_chain

__all__ = [
    "ALL_CHAINS",
    "LEVELS",
    "is_local",
    "level_of",
    "unit_at",
    "all_segments_chain",
]

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
