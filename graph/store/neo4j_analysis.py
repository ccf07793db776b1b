"""Chain-analysis aggregates assembled from Cypher results (the Neo4j pushdown).

:meth:`graph.store.neo4j.Neo4jStore.analysis_aggregates` and
:meth:`~graph.store.neo4j.Neo4jStore.analysis_leader_inputs` call these with
an open read transaction, so every figure of one call comes from one
snapshot. The queries (:mod:`graph.store.cypher_analysis`) do the counting,
summing and top-``cap`` selection on the server; this module only turns
their per-segment rows into :class:`~graph.analysis.aggregates.ChainAggregates`
and :class:`~graph.analysis.leaders.LeaderInputs`, equal to what
:func:`graph.analysis.fast.aggregates_from_arrays` computes from the
embedded store (tested on the sample world and on random worlds).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection
from typing import Any

import numpy as np

from graph.analysis.aggregates import (
    CAP,
    ChainAggregates,
    EdgeFlow,
    FirmInfo,
    Flow,
    SegmentAggregate,
    SegmentMeta,
)
from graph.analysis.common import is_local, level_of, unit_at
from graph.analysis.leaders import LeaderInputs
from graph.model import Chain
from graph.store import cypher_analysis as qa
from graph.store.cypher import Query

__all__ = ["aggregates", "leader_inputs", "MemberCounts"]

Run = Callable[[Query], list[dict[str, Any]]]
#: ``(region, landed site regions, segment, member firms)`` rows of :func:`graph.store.cypher_analysis.member_counts`
MemberCounts = list[tuple[str | None, tuple[str, ...], str, int]]


def _r(x) -> float:
    return float(round(float(x), 9))


def _info(row: dict) -> FirmInfo:
    emp = row["employees"]
    return FirmInfo(
        row["id"], row["kind"] or "firm", row["region"] or None, row["name_zh"] or "", row["name_en"] or "",
        None if emp is None else int(emp), row["revenue_band"] or None, tuple(row["tiers"] or ()),
    )


def _by_segment(rows: list[dict]) -> dict[str, dict]:
    return {r["segment"]: r for r in rows}


def aggregates(
    run: Run,
    region: str,
    segments: Collection[str] | None,
    member_counts: MemberCounts,
    *,
    cap: int = CAP,
) -> ChainAggregates:
    """:class:`ChainAggregates` for ``region`` from queries ``run`` in one transaction.

    ``member_counts`` are the rows of :func:`~graph.store.cypher_analysis.member_counts`
    (region-independent: the store keeps them per version).
    """
    level = level_of(region)
    meta = sorted(run(qa.segment_meta()), key=lambda r: r["id"])
    seg_meta = {r["id"]: SegmentMeta(r["id"], r["name_zh"] or "", r["name_en"] or "", r["stage"] or "",
                                      r["format"] or "") for r in meta}
    edges = tuple(sorted((r["upstream"], r["downstream"], float(r["weight"])) for r in run(qa.segment_edges())))
    wanted = sorted(set(seg_meta) if segments is None else set(segments) & set(seg_meta))

    local_counts = dict.fromkeys(seg_meta, 0)
    presence: dict[str, Counter] = defaultdict(Counter)
    for reg, landed, seg, n in member_counts:
        if seg not in seg_meta:
            continue
        if is_local(reg, region) or any(is_local(x, region) for x in landed):  # a landed firm is local
            local_counts[seg] += n
        for unit in {u for u in (unit_at(x or None, level) for x in (reg, *landed)) if u is not None}:
            presence[unit][seg] += n

    firms = _by_segment(run(qa.local_firms(region, wanted, cap)))
    senders = _by_segment(run(qa.local_senders(region, wanted, cap)))
    platforms = _by_segment(run(qa.local_platforms(region, wanted, cap)))
    bands: dict[str, dict[str, int]] = defaultdict(dict)
    for r in run(qa.revenue_bands(region, wanted)):
        bands[r["segment"]][r["band"]] = int(r["n"])
    totals = _by_segment(run(qa.member_totals(region, wanted)))
    recv = _by_segment(run(qa.received(region, wanted, cap)))
    flows = [(s, row[0]) for s, r in recv.items() for row in r["top"]]
    flow_links = {(r["segment"], r["supplier"]): tuple(r["links"]) for r in run(qa.flow_links(region, flows, cap))}
    sole = {(r["segment"], r["supplier"]): int(r["sole"]) for r in run(qa.sole_buyers(region, flows))}
    buyers = _by_segment(run(qa.external_buyers(region, wanted, cap)))
    buyer_links = _by_segment(run(qa.external_buyer_links(region, wanted, cap)))

    detail: dict[str, SegmentAggregate] = {}
    cited: set[str] = set()
    empty: dict = {}
    for s in wanted:
        f, sd, p = firms.get(s, empty), senders.get(s, empty), platforms.get(s, empty)
        t, rc, b = totals.get(s, empty), recv.get(s, empty), buyers.get(s, empty)
        top_external = tuple(
            Flow(o, _r(w), int(n_links), int(n_buyers), sole.get((s, o), 0), flow_links.get((s, o), ()))
            for o, w, n_links, n_buyers in rc.get("top", ())
        )
        detail[s] = agg = SegmentAggregate(
            segment=s,
            local_firms=int(f.get("firms", 0)),
            local_predicted=int(f.get("predicted", 0)),
            local_weight=_r(f.get("weight", 0.0)),
            local_firm_ids=tuple(f.get("top", ())),
            local_employees=int(f.get("employees", 0)),
            revenue_bands=dict(sorted(bands.get(s, {}).items())),
            tier_firms=int(f.get("tier_firms", 0)),
            tier_firm_ids=tuple(f.get("tier_top", ())),
            platforms=int(p.get("platforms", 0)),
            platform_ids=tuple(p.get("top", ())),
            members_total=int(t.get("members", 0)),
            members_external=int(t.get("external", 0)),
            supply_links_out=int(t.get("links_out", 0)),
            sent_total=_r(sd.get("total", 0.0)),
            sent_sumsq=_r(sd.get("sumsq", 0.0)),
            sent_top=tuple((o, _r(w)) for o, w in sd.get("top", ())),
            received_total=_r(rc.get("total", 0.0)),
            received_local=_r(rc.get("local_total", 0.0)),
            external_suppliers=int(rc.get("external_suppliers", 0)),
            top_external=top_external,
            local_buyers=int(b.get("buyers", 0)),
            buyer_top=tuple((o, _r(w)) for o, w in b.get("top", ())),
            buyer_link_ids=tuple(buyer_links.get(s, empty).get("links", ())),
        )
        cited.update(agg.local_firm_ids, agg.tier_firm_ids, agg.platform_ids)
        cited.update(x for x, _ in agg.sent_top + agg.buyer_top)
        cited.update(fl.supplier for fl in agg.top_external)

    inside = set(wanted)
    pairs = [(u, v) for u, v, _ in edges if u in inside and v in inside]
    found = {(r["upstream"], r["downstream"]): r for r in run(qa.edge_flows(region, pairs))} if pairs else {}
    edge_flows = {}
    for u, v in pairs:
        r = found.get((u, v), empty)
        edge_flows[(u, v)] = EdgeFlow(u, v, _r(r.get("local_weight", 0.0)), _r(r.get("external_weight", 0.0)),
                                      int(r.get("links", 0)))
    orgs = {r["id"]: _info(r) for r in run(qa.firm_info(cited))} if cited else {}
    return ChainAggregates(
        region, level, seg_meta, edges, local_counts,
        {u: dict(sorted(c.items())) for u, c in sorted(presence.items())},
        detail, edge_flows, dict(sorted(orgs.items())),
    )


def leader_inputs(run: Run, chain: Chain) -> LeaderInputs:
    """:class:`LeaderInputs` of ``chain``: its member firms and the supplies among them.

    Ordered in Python (firms and links by id, as the array path orders
    them), so PageRank sums in the same order on every backend.
    """
    segments = sorted(set(chain.segments))
    rows = sorted(run(qa.leader_firms(segments)), key=lambda r: r["id"]) if segments else []
    pos = {r["id"]: k for k, r in enumerate(rows)}
    links = sorted(
        (r["id"], pos[r["src"]], pos[r["dst"]], float(r["weight"]))
        for r in (run(qa.leader_links(segments)) if segments else [])
        if r["src"] in pos and r["dst"] in pos
    )
    return LeaderInputs(
        chain.id,
        tuple(_info(r) for r in rows),
        tuple(tuple(sorted(r["segments"])) for r in rows),
        np.array([x[1] for x in links], dtype=np.int64),
        np.array([x[2] for x in links], dtype=np.int64),
        np.array([x[3] for x in links], dtype=float),
        np.array([x[0] for x in links], dtype=str),
    )
