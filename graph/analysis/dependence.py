"""External dependence of a region: how much of its firms' supply comes from outside, and from whom.

Per segment: the supplies weight local organisations receive from the
segment's member firms, the share from outside the region, the top external
suppliers and the single points of failure — external suppliers that send
more than ``spof_share`` of it, or that are the only supplier in the segment of
at least ``spof_sole_buyers`` local organisations.

Examples
--------
>>> from fixtures.world import load_world
>>> from graph.analysis.arrays import GraphArrays
>>> from graph.analysis.fast import aggregates_from_arrays
>>> b, _ = load_world()
>>> aggs = aggregates_from_arrays(GraphArrays.from_batch(b), "cn/guangdong/shenzhen")
>>> d = dependence(aggs, b.chains[1])
>>> codec = next(s for s in d.segments if s.segment == "seg:video_codec")
>>> codec.spofs[0].supplier, round(codec.spofs[0].share, 2)
('org:f0462', 0.89)
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.analysis.aggregates import ChainAggregates, FirmInfo
from graph.model import Chain

__all__ = ["SupplierShare", "SegmentDependence", "Dependence", "dependence"]


@dataclass(frozen=True, slots=True)
class SupplierShare:
    supplier: str
    weight: float
    share: float  # of what local organisations receive from the segment
    links: int
    buyers: int
    sole_buyers: int
    link_ids: tuple[str, ...]
    reasons: tuple[str, ...] = ()  # why it is a single point of failure


@dataclass(frozen=True, slots=True)
class SegmentDependence:
    segment: str
    name_zh: str
    name_en: str
    local_firms: int
    received: float
    received_external: float
    external_share: float | None
    external_suppliers: int
    top_suppliers: tuple[SupplierShare, ...]
    spofs: tuple[SupplierShare, ...]


@dataclass(frozen=True)
class Dependence:
    region: str
    chain: str
    received: float
    received_external: float
    external_share: float | None
    segments: tuple[SegmentDependence, ...]  # most external weight first
    orgs: dict[str, FirmInfo]


def dependence(aggs: ChainAggregates, chain: Chain, *, top: int = 5, spof_share: float = 0.60,
               spof_sole_buyers: int = 3) -> Dependence:
    """External dependence of the aggregates' region on ``chain``'s segments."""
    rows = []
    for s in chain.segments:
        d = aggs.detail.get(s)
        if d is None:
            continue
        tot = d.received_total
        shares = []
        for f in d.top_external:
            share = f.weight / tot if tot > 0 else 0.0
            why = tuple(r for r, ok in (("dominant_share", share > spof_share),
                                        ("sole_supplier", f.sole_buyers >= spof_sole_buyers)) if ok)
            shares.append(SupplierShare(f.supplier, f.weight, share, f.links, f.buyers, f.sole_buyers, f.link_ids,
                                        why))
        meta = aggs.segments[s]
        ext = d.received_external
        rows.append(SegmentDependence(s, meta.name_zh, meta.name_en, d.local_firms, tot, ext,
                                      ext / tot if tot > 0 else None, d.external_suppliers, tuple(shares[:top]),
                                      tuple(x for x in shares if x.reasons)))
    rows.sort(key=lambda r: (-r.received_external, r.segment))
    total = sum(r.received for r in rows)
    ext = sum(r.received_external for r in rows)
    cited = {x.supplier for r in rows for x in (*r.top_suppliers, *r.spofs)}
    return Dependence(aggs.region, chain.id, total, ext, ext / total if total > 0 else None, tuple(rows),
                      {i: aggs.orgs[i] for i in sorted(cited) if i in aggs.orgs})
