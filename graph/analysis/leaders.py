"""Chain leaders (链主): firms of a chain ranked by supply centrality, size and tier.

The chain subgraph is the member firms of the chain's segments (every region)
and the ``supplies`` links among them. Centrality is weighted PageRank on that
subgraph taken both ways (a leader anchors suppliers and customers alike),
scaled so the most central firm has 1 and a firm without chain supply links
has 0. The score is a sum of named :class:`~graph.parts.Part` values
(weights :data:`~graph.analysis.rules.LEADER_WEIGHTS`): ``centrality``,
``size`` (log head count over the chain's largest) and ``tier`` (the best tier
tag, :data:`~graph.analysis.rules.TIER_VALUE`).

:class:`LeaderInputs` is the aggregate a store provides: the chain's member
firms and its supply edge list (never the whole graph).

Examples
--------
>>> import networkx as nx, numpy as np
>>> src, dst, w = np.array([0, 0, 1]), np.array([1, 2, 2]), np.array([1.0, 1.0, 2.0])
>>> pr = pagerank(3, src, dst, w)
>>> g = nx.DiGraph()
>>> g.add_weighted_edges_from([(0, 1, 1.0), (1, 0, 1.0), (0, 2, 1.0), (2, 0, 1.0), (1, 2, 2.0), (2, 1, 2.0)])
>>> ref = nx.pagerank(g, tol=1e-12)
>>> bool(np.allclose(pr, [ref[i] for i in range(3)]))
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from graph.analysis.aggregates import FirmInfo
from graph.analysis.common import is_local
from graph.analysis.membership import counts
from graph.analysis.rules import LEADER_WEIGHTS, TIER_VALUE
from graph.display import word
from graph.model import Chain
from graph.parts import Part

__all__ = ["LeaderInputs", "Leader", "leader_inputs", "leader_inputs_from_arrays", "leaders", "pagerank"]


@dataclass(frozen=True)
class LeaderInputs:
    """A chain's member firms (id order), their chain segments, and supplies among them."""

    chain: str
    firms: tuple[FirmInfo, ...]
    firm_segments: tuple[tuple[str, ...], ...]
    src: np.ndarray  # index into firms
    dst: np.ndarray
    weight: np.ndarray
    link_ids: np.ndarray  # str


@dataclass(frozen=True, slots=True)
class Leader:
    id: str
    name_zh: str
    name_en: str
    region: str | None
    local: bool
    segments: tuple[str, ...]
    tiers: tuple[str, ...]
    employees: int | None
    score: float
    parts: tuple[Part, ...]
    pagerank: float
    customers: int  # chain firms it supplies
    suppliers: int  # chain firms supplying it
    links: tuple[str, ...]  # its heaviest chain supply links


def leader_inputs(g, chain: Chain) -> LeaderInputs:
    """:class:`LeaderInputs` from the networkx view (reference)."""
    wanted = set(chain.segments)
    segs: dict[str, list[str]] = {}
    for u, v, d in g.edges(data=True):
        if (d.get("kind") == "member_of" and v in wanted and counts(d.get("status", "confirmed"), d.get("confidence"))
                and g.nodes[u].get("kind", "firm") == "firm"):
            segs.setdefault(u, []).append(v)
    ids = sorted(segs)
    pos = {i: k for k, i in enumerate(ids)}
    firms = []
    for i in ids:
        d = g.nodes[i]
        firms.append(FirmInfo(i, d.get("kind", "firm"), d.get("region"), d.get("name_zh", ""), d.get("name_en", ""),
                              d.get("employees"), d.get("revenue_band"), tuple(d.get("tiers") or ())))
    links = sorted((k, pos[u], pos[v], float(d.get("weight", 1.0))) for u, v, k, d in g.edges(keys=True, data=True)
                   if d.get("kind") == "supplies" and u in pos and v in pos)
    return LeaderInputs(chain.id, tuple(firms), tuple(tuple(sorted(segs[i])) for i in ids),
                        np.array([x[1] for x in links], dtype=np.int64), np.array([x[2] for x in links], dtype=np.int64),
                        np.array([x[3] for x in links], dtype=float), np.array([x[0] for x in links], dtype=str))


def leader_inputs_from_arrays(a, chain: Chain) -> LeaderInputs:
    """:class:`LeaderInputs` from :class:`~graph.analysis.arrays.GraphArrays` (numpy)."""
    seg_ids = [m.id for m in a.segments]
    want = np.isin(seg_ids, list(chain.segments))
    firm = a.org_kind == a.firm_code
    keep = want[a.mem_seg] & firm[a.mem_org]
    mo, ms = a.mem_org[keep], a.mem_seg[keep]
    order = np.lexsort((ms, mo))
    mo, ms = mo[order], ms[order]
    ids = np.unique(mo)
    remap = np.full(len(a.org_id), -1, dtype=np.int64)
    remap[ids] = np.arange(ids.size)
    s, d = remap[a.sup_src], remap[a.sup_dst]
    ok = (s >= 0) & (d >= 0)
    cuts = np.searchsorted(mo, ids, side="right")
    seg_lists, start = [], 0
    for c in cuts.tolist():
        seg_lists.append(tuple(seg_ids[j] for j in ms[start:c].tolist()))
        start = c
    firms = tuple(
        FirmInfo(str(a.org_id[i]), a.kinds[int(a.org_kind[i])],
                 a.regions[int(a.org_region[i])] if a.org_region[i] >= 0 else None,
                 str(a.org_name_zh[i]), str(a.org_name_en[i]),
                 None if np.isnan(a.org_employees[i]) else int(a.org_employees[i]),
                 a.bands[int(a.org_band[i])] if a.org_band[i] >= 0 else None, a.tiers.get(int(i), ()))
        for i in ids.tolist()
    )
    return LeaderInputs(chain.id, firms, tuple(seg_lists), s[ok], d[ok], a.sup_w[ok], a.sup_id[ok])


def pagerank(n: int, src: np.ndarray, dst: np.ndarray, weight: np.ndarray, *, damping: float = 0.85,
             tol: float = 1e-12, max_iter: int = 500) -> np.ndarray:
    """Weighted PageRank of the graph with every edge taken both ways (as ``networkx.pagerank``)."""
    if n == 0:
        return np.zeros(0)
    s, t = np.concatenate([src, dst]), np.concatenate([dst, src])
    w = np.concatenate([weight, weight]).astype(float)
    out = np.bincount(s, w, minlength=n)
    dangling = out == 0
    share = np.divide(w, out[s], out=np.zeros_like(w), where=out[s] > 0)
    x = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        y = damping * (np.bincount(t, x[s] * share, minlength=n) + x[dangling].sum() / n) + (1 - damping) / n
        done = np.abs(y - x).sum() < n * tol
        x = y
        if done:
            break
    return x


def leaders(
    inputs: LeaderInputs,
    region: str,
    *,
    top: int = 20,
    scope: str = "all",
    weights: dict[str, float] | None = None,
    evidence: int = 5,
) -> list[Leader]:
    """Rank the chain's firms; ``scope`` is ``all``, ``local`` or ``external`` to ``region``.

    Parameters
    ----------
    inputs : LeaderInputs
        The chain's member firms and supply edges.
    region : str
        Region id that decides which firms are local.
    top : int
        How many leaders to return.
    scope : {"all", "local", "external"}
        Which firms to rank.
    weights : dict, optional
        Part weights (default :data:`~graph.analysis.rules.LEADER_WEIGHTS`).
    evidence : int
        How many of each leader's heaviest chain supply links to cite.

    Examples
    --------
    >>> from graph.analysis.aggregates import FirmInfo
    >>> firms = (FirmInfo("a", "firm", "cn/guangdong/shenzhen", employees=3000, tiers=("链主",)),
    ...          FirmInfo("b", "firm", "cn/beijing/beijing", employees=200),
    ...          FirmInfo("c", "firm", "cn/guangdong/shenzhen/nanshan", employees=50))
    >>> inputs = LeaderInputs("chain:x", firms, (("s1",), ("s2",), ("s2",)), np.array([1, 2]),
    ...                       np.array([0, 0]), np.array([1.0, 0.5]), np.array(["l1", "l2"]))
    >>> [(x.id, x.local, x.links) for x in leaders(inputs, "cn/guangdong/shenzhen", scope="local")]
    [('a', True, ('l1', 'l2')), ('c', True, ('l2',))]
    """
    if scope not in ("all", "local", "external"):
        from graph.errors import InvalidInput

        raise InvalidInput(f"scope must be all, local or external, not {scope!r}")
    w = {**LEADER_WEIGHTS, **(weights or {})}
    n = len(inputs.firms)
    pr = pagerank(n, inputs.src, inputs.dst, inputs.weight)
    deg = np.bincount(inputs.src, minlength=n) + np.bincount(inputs.dst, minlength=n)
    central = np.where(deg > 0, pr / pr.max(), 0.0) if n and deg.any() else np.zeros(n)
    emp = np.array([f.employees or 0 for f in inputs.firms], dtype=float)
    big = math.log1p(emp.max()) if n and emp.max() > 0 else 1.0
    rows = []
    for k, f in enumerate(inputs.firms):
        loc = is_local(f.region, region)
        if (scope == "local" and not loc) or (scope == "external" and loc):
            continue
        tier = max((TIER_VALUE.get(t, 0.0) for t in f.tiers), default=0.0)
        parts = (
            Part("centrality", float(w["centrality"] * central[k]), w["centrality"], float(central[k]),
                 f"supply PageRank {pr[k]:.2e} ({int(deg[k])} chain supply links)", (),
                 f"供应 PageRank {pr[k]:.2e}（链上供货关系 {int(deg[k])} 条）"),
            Part("size", w["size"] * math.log1p(emp[k]) / big, w["size"], math.log1p(emp[k]) / big,
                 f"{f.employees if f.employees is not None else 'unknown'} employees", (),
                 f"从业 {f.employees if f.employees is not None else '未知'} 人"),
            Part("tier", w["tier"] * tier, w["tier"], tier, ", ".join(word(x, "en") for x in f.tiers) or "no tier",
                 (), "、".join(f.tiers) or "无梯队标签"),
        )
        rows.append((math.fsum(p.value for p in parts), k, parts))
    rows.sort(key=lambda r: (-r[0], inputs.firms[r[1]].id))
    out = []
    for score, k, parts in rows[:top]:
        f = inputs.firms[k]
        touch = np.flatnonzero((inputs.src == k) | (inputs.dst == k))
        touch = touch[np.lexsort((inputs.link_ids[touch], -inputs.weight[touch]))][:evidence]
        out.append(Leader(f.id, f.name_zh, f.name_en, f.region, is_local(f.region, region),
                          inputs.firm_segments[k], f.tiers, f.employees, score, parts, float(pr[k]),
                          len(set(inputs.dst[inputs.src == k].tolist())), len(set(inputs.src[inputs.dst == k].tolist())),
                          tuple(inputs.link_ids[touch].tolist())))
    return out
