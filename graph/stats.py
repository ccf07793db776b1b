"""Summary figures of a store (pure over the store's read methods).

Examples
--------
>>> from graph.store.sqlite import SqliteStore
>>> store_stats(SqliteStore.memory())["counts"]["organisations"]
0
"""

from __future__ import annotations

from collections import Counter

__all__ = ["store_stats"]


def _city(region: str | None) -> str:
    from graph.model import city_key

    return city_key(region) or "(unknown)"


def store_stats(store) -> dict:
    """Counts per entity and kind, top cities, chains, as-of range, estimated share; where
    regions came from (``reported`` columns, else ``address``, ``uscc`` code, ``name``, or
    ``none``) and organisations per registration status."""
    by_kind: Counter[str] = Counter()
    cities: Counter[str] = Counter()
    seg_orgs: Counter[str] = Counter()
    as_of = []
    estimated = 0
    sources: Counter[str] = Counter()  # where each organisation's region came from
    status: Counter[str] = Counter()
    for o in store.organisations():
        sources[("reported" if not o.region_source else o.region_source) if o.region else "none"] += 1
        status[o.status.value] += 1
        by_kind[o.kind.value] += 1
        cities[_city(o.region)] += 1
        for m in o.segments:
            seg_orgs[m.segment] += 1
        if o.provenance.as_of:
            as_of.append(o.provenance.as_of)
        estimated += bool(o.provenance.estimated)
    chains = [
        {
            "id": c.id,
            "name_zh": c.name_zh,
            "name_en": c.name_en,
            "segments": len(c.segments),
            "organisations": sum(seg_orgs[s] for s in c.segments),
        }
        for c in store.chains()
    ]
    return {
        "version": store.version(),
        "counts": store.counts(),
        "by_kind": dict(by_kind.most_common()),
        "top_cities": cities.most_common(10),
        "chains": chains,
        "as_of_min": min(as_of) if as_of else None,
        "as_of_max": max(as_of) if as_of else None,
        "estimated_records": estimated,
        "region_sources": {k: sources[k] for k in ("reported", "address", "uscc", "name", "none") if sources[k]},
        "by_status": dict(status.most_common()),
    }
