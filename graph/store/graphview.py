"""Build the networkx view of a store's records (pure).

Closed organisations (:attr:`~graph.model.Organisation.closed`) and their links
are left out: every analysis and recommender reads this view or one built by
the same rule (``sqlite_aggregates``, ``cypher_analysis.open_``,
``ChainIndex.from_records``).

Nodes: organisations (``type='org'``, ``landed`` = the regions of their landed
sites) and segments (``type='segment'``).
Edges (keyed, so a MultiDiGraph holds parallel ties):

- link edges ``src → dst`` keyed by link id, ``kind`` = the link kind;
- membership edges ``org → segment`` keyed ``member``, ``kind='member_of'``
  (every status: which count is :mod:`graph.analysis.membership`'s rule);
- segment edges ``upstream → downstream`` keyed ``upstream_of``.

Examples
--------
>>> from graph.model import Segment, Stage, Format
>>> g = build_graph([Segment("s", "环节", "Seg", Stage.UPSTREAM, Format.OTHER)], [], [], [])
>>> g.nodes["s"]["type"], g.nodes["s"]["stage"]
('segment', 'upstream')
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from graph.analysis.membership import landed_regions
from graph.model import Link, Organisation, Segment, SegmentEdge

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["build_graph"]


def build_graph(
    segments: Iterable[Segment],
    segment_edges: Iterable[SegmentEdge],
    organisations: Iterable[Organisation],
    links: Iterable[Link],
) -> nx.MultiDiGraph:
    import networkx as nx  # imported on use: the analyses over arrays never need it

    g = nx.MultiDiGraph()
    for s in segments:
        g.add_node(
            s.id,
            type="segment",
            name_zh=s.name_zh,
            name_en=s.name_en,
            stage=s.stage.value,
            format=s.format.value,
            manufacturing=s.manufacturing,
            parent=s.parent,
        )
    for e in segment_edges:
        g.add_edge(e.upstream, e.downstream, key="upstream_of", kind="upstream_of", weight=e.weight)
    closed: set[str] = set()
    for o in organisations:
        if o.closed:  # 注销/吊销/撤销: never local capacity, a target, an introducer or a partner
            closed.add(o.id)
            continue
        g.add_node(
            o.id,
            type="org",
            kind=o.kind.value,
            name_zh=o.name_zh,
            name_en=o.name_en,
            region=o.region,
            employees=o.employees,
            revenue_band=o.revenue_band,
            tiers=o.tiers,
            patents=o.patents,
            sites=tuple(s.region for s in o.sites),
            landed=landed_regions(o.sites),  # local there too (graph.analysis.membership)
        )
        for m in o.segments:
            g.add_edge(
                o.id,
                m.segment,
                key="member",
                kind="member_of",
                status=m.status.value,
                confidence=m.confidence,
                evidence=m.evidence.value,
            )
    for x in links:
        if closed and (x.src in closed or x.dst in closed):
            continue
        g.add_edge(
            x.src,
            x.dst,
            key=x.id,
            kind=x.kind.value,
            since=x.since,
            weight=x.weight,
            confidence=x.confidence,
        )
    return g
