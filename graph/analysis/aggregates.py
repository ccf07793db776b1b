"""The aggregate layer: the small figures every chain analysis needs, per region.

A :class:`ChainAggregates` is what a store must compute for one region (and
optionally a subset of segments) so that the analyses
(:mod:`~graph.analysis.gaps`, :mod:`~graph.analysis.chainmap`,
:mod:`~graph.analysis.dependence`, :mod:`~graph.analysis.compare`) never see the
graph. Three implementations compute the same thing:

- :func:`chain_aggregates` here, plain loops over the networkx view — the
  readable reference;
- :func:`graph.analysis.fast.aggregates_from_arrays`, numpy over a columnar
  view (:mod:`graph.analysis.arrays`) — what runs at 1M firms;
- a store's own method (Cypher on Neo4j), tested equal on the sample world.

Definitions (region ``R``; "local" = registered in ``R`` or under it, or with
a landed site there): member firms are open ``kind='firm'`` organisations with
a membership that counts under :mod:`graph.analysis.membership` (confirmed, or
predicted with confidence ≥ 0.5; never rejected); supplies are
``kind='supplies'`` links, weight = the supplier's share of the buyer's
sourcing. For a segment ``s``:

- ``local_firms`` — local member firms; ``local_predicted`` — how many of
  them count only by a prediction; ``local_weight`` — their summed membership
  weights (1 each confirmed, the confidence each predicted);

- ``sent`` — per local member firm, the weight of all supplies it sends (to
  anyone); ``received`` — the weight local organisations receive from member
  firms of ``s`` (from local ones: ``received_local``);
- a *flow* — one external member's supplies into local organisations; its
  ``sole_buyers`` are the local organisations it is the only ``s`` supplier of;
- ``local_buyers`` — distinct local organisations receiving from external members.

Lists are capped (``cap``, heaviest or largest first, ties by id); the counts
beside them are not. Sums are rounded to 9 decimals so every implementation
orders ties the same way.

Examples
--------
>>> from fixtures.world import load_world
>>> from graph.store.graphview import build_graph
>>> b, _ = load_world()
>>> g = build_graph(b.segments, b.segment_edges, b.organisations, b.links)
>>> a = chain_aggregates(g, "cn/guangdong/shenzhen")
>>> a.level, a.detail["seg:game_engine"].local_firms, a.detail["seg:game_engine"].local_buyers
('city', 0, 10)
>>> a.detail["seg:xr_sensors"].sent_top[0][0]
'org:f0531'
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from graph.analysis.common import is_local, level_of, unit_at
from graph.analysis.membership import is_predicted, weight

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["FirmInfo", "SegmentMeta", "Flow", "SegmentAggregate", "EdgeFlow", "ChainAggregates",
           "chain_aggregates", "CAP"]

CAP = 25  # default length of capped id lists


def _r(x: float) -> float:
    return float(round(x, 9))


@dataclass(frozen=True, slots=True)
class FirmInfo:
    """What the analyses show of an organisation."""

    id: str
    kind: str
    region: str | None
    name_zh: str = ""
    name_en: str = ""
    employees: int | None = None
    revenue_band: str | None = None
    tiers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SegmentMeta:
    id: str
    name_zh: str
    name_en: str
    stage: str
    format: str


@dataclass(frozen=True, slots=True)
class Flow:
    """One external supplier's supplies into local organisations, within a segment."""

    supplier: str
    weight: float
    links: int
    buyers: int
    sole_buyers: int
    link_ids: tuple[str, ...]  # heaviest first, capped


@dataclass(frozen=True, slots=True)
class SegmentAggregate:
    """One segment seen from the region (see the module docstring)."""

    segment: str
    local_firms: int = 0
    local_predicted: int = 0  # of local_firms, members by prediction only
    local_weight: float = 0.0  # Σ membership weight of the local firms (graph.analysis.membership)
    local_firm_ids: tuple[str, ...] = ()  # largest (employees) first, capped
    local_employees: int = 0  # sum of known head counts
    revenue_bands: dict[str, int] = field(default_factory=dict)
    tier_firms: int = 0
    tier_firm_ids: tuple[str, ...] = ()  # largest first, capped
    platforms: int = 0
    platform_ids: tuple[str, ...] = ()
    members_total: int = 0  # member firms in every region
    members_external: int = 0
    supply_links_out: int = 0  # supplies links sent by member firms anywhere
    sent_total: float = 0.0
    sent_sumsq: float = 0.0
    sent_top: tuple[tuple[str, float], ...] = ()  # (local firm, weight), heaviest first
    received_total: float = 0.0
    received_local: float = 0.0
    external_suppliers: int = 0
    top_external: tuple[Flow, ...] = ()
    local_buyers: int = 0
    buyer_top: tuple[tuple[str, float], ...] = ()  # (local buyer, weight received)
    buyer_link_ids: tuple[str, ...] = ()  # external member → local buyer, heaviest first

    @property
    def received_external(self) -> float:
        return _r(self.received_total - self.received_local)

    @property
    def predicted_only(self) -> bool:
        """Present only through predictions (every local member firm is predicted)."""
        return self.local_firms > 0 and self.local_predicted == self.local_firms


@dataclass(frozen=True, slots=True)
class EdgeFlow:
    """Supplies from members of ``upstream`` to local members of ``downstream``."""

    upstream: str
    downstream: str
    local_weight: float
    external_weight: float
    links: int


@dataclass(frozen=True)
class ChainAggregates:
    """Everything the analyses of one region read.

    ``presence`` counts member firms per region *unit* at the analysed
    level (the relatedness input); ``local_counts`` covers every segment;
    ``detail`` and ``edge_flows`` the requested segments (all when none were
    named); ``orgs`` describes every organisation id cited anywhere here.
    """

    region: str
    level: str
    segments: dict[str, SegmentMeta]
    edges: tuple[tuple[str, str, float], ...]
    local_counts: dict[str, int]
    presence: dict[str, dict[str, int]]
    detail: dict[str, SegmentAggregate]
    edge_flows: dict[tuple[str, str], EdgeFlow]
    orgs: dict[str, FirmInfo]

    def downstream(self, s: str) -> list[str]:
        return [v for u, v, _ in self.edges if u == s]

    def upstream(self, s: str) -> list[str]:
        return [u for u, v, _ in self.edges if v == s]


def _top(pairs, cap: int) -> tuple[tuple[str, float], ...]:
    return tuple(sorted(((k, _r(w)) for k, w in pairs), key=lambda kw: (-kw[1], kw[0]))[:cap])


def _largest(ids, info, cap: int) -> tuple[str, ...]:
    return tuple(sorted(ids, key=lambda i: (-(info[i].employees or -1), i))[:cap])


def chain_aggregates(
    g: nx.MultiDiGraph, region: str, segments: Collection[str] | None = None, *, cap: int = CAP
) -> ChainAggregates:
    """Compute :class:`ChainAggregates` for ``region`` from the networkx view (reference).

    Parameters
    ----------
    g : networkx.MultiDiGraph
        The store's view (:func:`graph.store.graphview.build_graph`).
    region : str
        Region id; its level sets the relatedness units.
    segments : collection of str, optional
        Segments to detail (default: all).
    cap : int
        Length of capped id lists.
    """
    level = level_of(region)
    seg_meta = {
        n: SegmentMeta(n, d.get("name_zh", ""), d.get("name_en", ""), d.get("stage", ""), d.get("format", ""))
        for n, d in sorted(g.nodes(data=True)) if d.get("type") == "segment"
    }
    edges = tuple(sorted((u, v, float(d.get("weight", 1.0))) for u, v, d in g.edges(data=True)
                         if d.get("kind") == "upstream_of"))
    wanted = set(seg_meta) if segments is None else set(segments) & set(seg_meta)
    info, local, members, firm, units = {}, {}, defaultdict(list), {}, {}
    for n, d in g.nodes(data=True):
        if d.get("type") != "org":
            continue
        info[n] = FirmInfo(n, d.get("kind", "firm"), d.get("region"), d.get("name_zh", ""), d.get("name_en", ""),
                           d.get("employees"), d.get("revenue_band"), tuple(d.get("tiers") or ()))
        landed = tuple(d.get("landed") or ())
        local[n] = is_local(d.get("region"), region) or any(is_local(x, region) for x in landed)
        firm[n] = d.get("kind", "firm") == "firm"
        units[n] = {u for u in (unit_at(x, level) for x in (d.get("region"), *landed)) if u is not None}
    mem_of = defaultdict(list)
    supplies = []
    mweight, mpred = {}, set()
    for u, v, k, d in g.edges(keys=True, data=True):
        kind = d.get("kind")
        if kind == "member_of" and u in info:
            status, conf = d.get("status", "confirmed"), d.get("confidence", 1.0)
            if (wt := weight(status, conf)) <= 0:
                continue  # the one rule: rejected and weak predictions count nowhere
            members[v].append(u)
            mem_of[u].append(v)
            mweight[(u, v)] = wt
            if is_predicted(status, conf):
                mpred.add((u, v))
        elif kind == "supplies":
            supplies.append((k, u, v, float(d.get("weight", 1.0))))
    supplies.sort()
    local_counts = {s: sum(1 for o in members.get(s, ()) if firm[o] and local[o]) for s in seg_meta}
    presence: dict[str, Counter] = defaultdict(Counter)
    for s, orgs in members.items():
        for o in orgs:
            if firm[o]:
                for unit in units[o]:
                    presence[unit][s] += 1
    out_w, out_n = Counter(), Counter()
    into_local = defaultdict(list)  # src -> [(link id, dst, w)] with a local dst
    for lid, u, v, w in supplies:
        out_w[u] += w
        out_n[u] += 1
        if local.get(v):
            into_local[u].append((lid, v, w))
    cited: set[str] = set()
    detail = {}
    for s in sorted(wanted):
        detail[s] = agg = _segment(s, members.get(s, ()), info, local, firm, out_w, out_n, into_local,
                                   mweight, mpred, cap)
        cited.update(agg.local_firm_ids, agg.tier_firm_ids, agg.platform_ids)
        cited.update(x for x, _ in agg.sent_top + agg.buyer_top)
        cited.update(f.supplier for f in agg.top_external)
    flows = _edge_flows(edges, wanted, members, mem_of, local, firm, into_local)
    return ChainAggregates(
        region, level, seg_meta, edges, local_counts,
        {u: dict(sorted(c.items())) for u, c in sorted(presence.items())},
        detail, flows, {i: info[i] for i in sorted(cited)},
    )


def _segment(s, member_ids, info, local, firm, out_w, out_n, into_local, mweight, mpred, cap) -> SegmentAggregate:
    firms = [o for o in member_ids if firm[o]]
    loc = [o for o in firms if local[o]]
    ext = [o for o in firms if not local[o]]
    platforms = sorted(o for o in member_ids if not firm[o] and local[o])
    bands = Counter(info[o].revenue_band for o in loc if info[o].revenue_band)
    tiered = [o for o in loc if info[o].tiers]
    sent = [(o, _r(out_w[o])) for o in loc]
    recv = {o: _r(sum(w for _, _, w in into_local[o])) for o in firms if into_local[o]}
    # suppliers (members of s) of each local buyer, to find sole suppliers
    suppliers_of = defaultdict(set)
    for o in firms:
        for _, v, _ in into_local[o]:
            suppliers_of[v].add(o)
    sole = Counter(next(iter(ss)) for ss in suppliers_of.values() if len(ss) == 1)
    flows = []
    for o, w in _top(((o, recv[o]) for o in ext if o in recv), cap):
        links = sorted(into_local[o], key=lambda x: (-_r(x[2]), x[0]))
        flows.append(Flow(o, w, len(links), len({v for _, v, _ in links}), sole[o],
                          tuple(lid for lid, _, _ in links[:cap])))
    buyer_w, buyer_links = Counter(), []
    for o in ext:
        for lid, v, w in into_local[o]:
            buyer_w[v] += w
            buyer_links.append((lid, w))
    return SegmentAggregate(
        segment=s,
        local_firms=len(loc),
        local_predicted=sum(1 for o in loc if (o, s) in mpred),
        local_weight=_r(sum(mweight[(o, s)] for o in loc)),
        local_firm_ids=_largest(loc, info, cap),
        local_employees=sum(info[o].employees or 0 for o in loc),
        revenue_bands=dict(sorted(bands.items())),
        tier_firms=len(tiered),
        tier_firm_ids=_largest(tiered, info, cap),
        platforms=len(platforms),
        platform_ids=tuple(platforms[:cap]),
        members_total=len(firms),
        members_external=len(ext),
        supply_links_out=sum(out_n[o] for o in firms),
        sent_total=_r(sum(w for _, w in sent)),
        sent_sumsq=_r(sum(w * w for _, w in sent)),
        sent_top=tuple(x for x in _top(sent, cap) if x[1] > 0),
        received_total=_r(sum(recv.values())),
        received_local=_r(sum(w for o, w in recv.items() if local[o])),
        external_suppliers=sum(1 for o in ext if o in recv),
        top_external=tuple(flows),
        local_buyers=len(buyer_w),
        buyer_top=_top(buyer_w.items(), cap),
        buyer_link_ids=tuple(lid for lid, _ in sorted(buyer_links, key=lambda x: (-_r(x[1]), x[0]))[:cap]),
    )


def _edge_flows(edges, wanted, members, mem_of, local, firm, into_local) -> dict[tuple[str, str], EdgeFlow]:
    out = {}
    for u, v, _ in edges:
        if u not in wanted or v not in wanted:
            continue
        lw = ew = 0.0
        n = 0
        for o in members.get(u, ()):
            if not firm[o]:
                continue
            for _, dst, w in into_local[o]:
                if firm.get(dst) and v in mem_of.get(dst, ()):
                    n += 1
                    if local[o]:
                        lw += w
                    else:
                        ew += w
        out[(u, v)] = EdgeFlow(u, v, _r(lw), _r(ew), n)
    return out
