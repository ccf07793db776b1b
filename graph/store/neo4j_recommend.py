"""The recommendation scope assembled from Cypher results (the Neo4j pushdown of target ranking).

:meth:`graph.store.neo4j.Neo4jStore.recommend_scope` calls :func:`scope`
with an open read transaction; the queries are in
:mod:`graph.store.cypher_recommend`. A :class:`RecommendScope` holds rows in
the shapes :meth:`matching.recommend.index.ChainIndex._build` takes, so the
ranking (:func:`matching.recommend.targets.recommend_targets`) runs
unchanged on a small index, and the whole-graph figures of the candidates
(``reach``, ``sent``, ``centrality``) and the as-of date, which a small
index could not derive itself.

Examples
--------
>>> s = RecommendScope(segs=[], edges=[], orgs=[], mems=[], links=([],) * 6, as_of=None, reach={},
...                    sent={}, centrality={})
>>> s.n_orgs
0
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import numpy as np

from graph.analysis.leaders import pagerank
from graph.store import cypher_recommend as qr
from graph.store.cypher import LINK_KINDS, Query

__all__ = ["RecommendScope", "scope", "supply_rank"]

Run = Callable[[Query], list[dict[str, Any]]]


@dataclass
class RecommendScope:
    """What one target ranking reads, in :meth:`ChainIndex._build <matching.recommend.index.ChainIndex>` rows.

    ``segs``: ``(id, name_zh, name_en, manufacturing)`` of every segment;
    ``edges``: ``(upstream, downstream)``; ``orgs``: ``(id, kind, region,
    employees, revenue_band, tiers, patents, name_zh, name_en, sites)``;
    ``mems``: ``(org, segment, confidence, confirmed)``; ``links``: columns
    ``(ids, kinds, srcs, dsts, sinces, weights)``; ``reach``, ``sent``,
    ``centrality``: whole-graph figures per organisation id of the scope.
    """

    segs: list[tuple]
    edges: list[tuple[str, str]]
    orgs: list[tuple]
    mems: list[tuple]
    links: tuple[list, ...]
    as_of: str | None
    reach: dict[str, int]
    sent: dict[str, float]
    centrality: dict[str, float]

    @property
    def n_orgs(self) -> int:
        return len(self.orgs)


def supply_rank(n: int, rows: list[dict]) -> tuple[dict[str, float], float]:
    """Supply PageRank (:func:`graph.analysis.leaders.pagerank`) of the organisations with supplies,
    and the rank of one without (all of those are alike).

    ``n`` counts every organisation (those without supplies are the
    isolated rest, which only add teleport and dangling mass).

    >>> r, rest = supply_rank(3, [{"src": "a", "dst": "b", "weight": 1.0}])
    >>> round(r["a"], 6) == round(r["b"], 6), sorted(r), rest < r["a"]
    (True, ['a', 'b'], True)
    """
    pos: dict[str, int] = {}
    src = np.array([pos.setdefault(r["src"], len(pos)) for r in rows], dtype=np.int64)
    dst = np.array([pos.setdefault(r["dst"], len(pos)) for r in rows], dtype=np.int64)
    w = np.array([float(r["weight"]) for r in rows], dtype=np.float32)
    x = pagerank(max(n, len(pos)), src, dst, w, tol=1e-10)
    return {o: float(x[i]) for o, i in pos.items()}, float(x[len(pos)]) if n > len(pos) else 0.0


def scope(run: Run, region: str, focus: Collection[str], extra: Collection[str],
          rank: Callable[[], tuple[dict[str, float], float]], as_of: Callable[[], str | None]) -> RecommendScope:
    """The :class:`RecommendScope` of a ranking in ``region`` for ``focus`` segments, from queries ``run``
    in one transaction; ``extra`` ids count as local (landed firms).

    ``rank()`` gives :func:`supply_rank` of the whole graph and ``as_of()``
    the latest link date (the store keeps both per version).
    """
    seg_rows = run(qr.segments())
    known = {r["id"] for r in seg_rows}
    focus = sorted(set(focus) & known)
    edges = [(u, r["id"]) for r in seg_rows for u in sorted(r["upstream"])]
    near = sorted({*focus, *(u for u, v in edges if v in focus), *(v for u, v in edges if u in focus)})
    rows = run(qr.members(focus, near))
    mems = [(r["org"], r["segment"], float(r["confidence"]), bool(r["confirmed"])) for r in rows]
    extra = set(extra)
    prefix = region + "/"
    outside = sorted({r["org"] for r in rows if r["segment"] in focus and r["org"] not in extra
                      and not (r["region"] == region or (r["region"] or "").startswith(prefix))})
    link_rows = sorted(run(qr.links_touching(outside, region, extra)), key=lambda r: r["id"]) if outside else []
    ids = sorted({m[0] for m in mems} | {r["src"] for r in link_rows} | {r["dst"] for r in link_rows})
    orgs = [(r["id"], r["kind"] or "firm", r["region"], r["employees"], r["revenue_band"],
             tuple(r["tiers"] or ()), r["patents"] or 0, r["name_zh"] or "", r["name_en"] or "",
             tuple(r["sites"] or ())) for r in run(qr.org_rows(ids))] if ids else []
    figures = {r["id"]: r for r in run(qr.candidate_figures(outside))} if outside else {}
    ranks, rest = rank()
    links = ([r["id"] for r in link_rows], [LINK_KINDS[r["type"]].value for r in link_rows],
             [r["src"] for r in link_rows], [r["dst"] for r in link_rows], [r["since"] for r in link_rows],
             [float(r["weight"]) for r in link_rows])
    return RecommendScope(
        segs=[(r["id"], r["name_zh"] or "", r["name_en"] or "", bool(r["manufacturing"])) for r in seg_rows],
        edges=edges, orgs=orgs, mems=mems, links=links, as_of=as_of(),
        reach={i: int(f["reach"]) for i, f in figures.items()},
        sent={i: float(np.asarray(f["sent"], dtype=np.float32).astype(np.float64).sum())
              for i, f in figures.items()},
        centrality={i: ranks.get(i, rest) for i in ids},
    )
