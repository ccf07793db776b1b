"""The 群-链-企 map of a chain in a region: segments with their local firms, edges with supply shares.

Local firms are those the one membership rule counts (:mod:`graph.analysis.membership`);
a segment says how many of them are there only by a 挂链 prediction
(``local_predicted``, ``predicted_only``) and their summed weight (``local_weight``).

Examples
--------
>>> from fixtures.world import load_world
>>> from graph.analysis.arrays import GraphArrays
>>> from graph.analysis.fast import aggregates_from_arrays
>>> b, _ = load_world()
>>> m = chain_map(aggregates_from_arrays(GraphArrays.from_batch(b), "cn/guangdong/shenzhen"), b.chains[0])
>>> [(s.segment, s.status) for s in m.segments[:2]]
[('seg:game_engine', 'missing'), ('seg:concept_art', 'strong')]
>>> e = next(e for e in m.edges if e.links)
>>> abs(e.local_share + e.external_share - 1) < 1e-9
True
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from graph.analysis.aggregates import ChainAggregates, FirmInfo
from graph.analysis.gaps import segment_statuses
from graph.analysis.rules import DEFAULT_RULES, GapRules
from graph.model import Chain

__all__ = ["MapSegment", "MapEdge", "ChainMap", "chain_map"]


@dataclass(frozen=True, slots=True)
class MapSegment:
    """One segment of the chain in the region."""

    segment: str
    name_zh: str
    name_en: str
    stage: str
    format: str
    status: str
    criteria: tuple[str, ...]
    local_firms: int
    firm_ids: tuple[str, ...]  # largest first (capped)
    employees: int  # local head count (known values)
    revenue_bands: dict[str, int]
    tier_firms: int
    tier_firm_ids: tuple[str, ...]
    platforms: tuple[str, ...]
    members_elsewhere: int
    received_local_share: float | None  # of what local orgs receive from it, share from local firms
    density: float
    local_predicted: int = 0  # of local_firms, counted only by a 挂链 prediction (graph.analysis.membership)
    local_weight: float = 0.0  # Σ membership weight: 1 a confirmed firm, its confidence a predicted one
    predicted_only: bool = False  # present only through predictions


@dataclass(frozen=True, slots=True)
class MapEdge:
    """A segment edge with the supply local members of ``downstream`` get from ``upstream`` members."""

    upstream: str
    downstream: str
    local_weight: float
    external_weight: float
    local_share: float | None  # None when no supply was observed on the edge
    external_share: float | None
    links: int


@dataclass(frozen=True)
class ChainMap:
    region: str
    level: str
    chain: str
    name_zh: str
    name_en: str
    segments: tuple[MapSegment, ...]
    edges: tuple[MapEdge, ...]
    status_counts: dict[str, int]
    orgs: dict[str, FirmInfo]


def chain_map(aggs: ChainAggregates, chain: Chain, rules: GapRules = DEFAULT_RULES) -> ChainMap:
    """The map of ``chain`` in the aggregates' region (segments in chain order)."""
    st = segment_statuses(aggs, rules)
    rows = []
    for s in chain.segments:
        if s not in aggs.detail:
            continue
        d, meta, x = aggs.detail[s], aggs.segments[s], st[s]
        share = d.received_local / d.received_total if d.received_total > 0 else None
        rows.append(MapSegment(s, meta.name_zh, meta.name_en, meta.stage, meta.format, x.status, x.criteria,
                               d.local_firms, d.local_firm_ids, d.local_employees, d.revenue_bands, d.tier_firms,
                               d.tier_firm_ids, d.platform_ids, d.members_external, share, x.density,
                               d.local_predicted, d.local_weight, d.predicted_only))
    inside = set(chain.segments)
    edges = []
    for (u, v), f in sorted(aggs.edge_flows.items()):
        if u in inside and v in inside:
            tot = f.local_weight + f.external_weight
            edges.append(MapEdge(u, v, f.local_weight, f.external_weight, f.local_weight / tot if tot > 0 else None,
                                 f.external_weight / tot if tot > 0 else None, f.links))
    cited = {i for r in rows for i in (*r.firm_ids, *r.tier_firm_ids, *r.platforms)}
    return ChainMap(aggs.region, aggs.level, chain.id, chain.name_zh, chain.name_en, tuple(rows), tuple(edges),
                    dict(Counter(r.status for r in rows)), {i: aggs.orgs[i] for i in sorted(cited) if i in aggs.orgs})
