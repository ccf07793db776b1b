"""Introducers (以商招商): local organisations that can introduce a target firm.

For a target and a region every local organisation with a business tie to
the target — directly (it buys from, supplies, invests in, partners with or
belongs to the same group as the target) or through one intermediary
(target — X — local) — is scored by named parts (setting
``introducer_weights``), each figure in [0, 1]:

- ``tie`` — the summed weight of its direct links with the target (either
  direction; competitors and parks excluded);
- ``paths`` — its best two-hop path, ``½ × min(weight of both links)``;

  both relative to the strongest tie or path of any local organisation;
- ``recency`` — ``0.5 ** (years since its latest direct tie, or the older link
  of its path, / 3)``;
- ``weight`` — the introducer's own standing: ``0.6 saturate(employees, 300) + 0.4 tier``.

Each result names its relation to the target (客户 customer, 供应商 supplier,
投资方 investor …) and the path as link ids.

Examples
--------
>>> from fixtures.world import load_world
>>> from matching.recommend.index import ChainIndex
>>> b, _ = load_world()
>>> ix = ChainIndex.from_records(b.segments, b.segment_edges, b.organisations, b.links)
>>> best = introducers(ix, "org:f1561", "cn/guangdong/shenzhen", k=3)[0]
>>> best.org, best.relations
('org:f1345', ('partner', 'customer'))
>>> best.path
('link:004782', 'link:002225')
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

import numpy as np

from graph.display import pick
from matching.recommend.explain import Part, part, saturate, total, weights_from
from matching.recommend.index import LINK_KINDS, NO_DATE, ChainIndex, to_days
from matching.recommend.ties import BUSINESS_TIES

__all__ = ["Introducer", "introducers", "RELATION_ZH", "relation"]

RELATION_ZH = {"customer": "客户", "supplier": "供应商", "investor": "投资方", "investee": "被投企业",
               "partner": "合作伙伴", "parent": "母公司", "subsidiary": "子公司", "joint_venture": "合资方",
               "acquirer": "收购方", "acquired": "被收购方", "incubator": "孵化器", "incubatee": "在孵企业"}
PATH_DISCOUNT = 0.5
HALF_LIFE_YEARS = 3.0


def relation(kind: str, target_is_src: bool) -> str:
    """What the other end of a link is to the target.

    >>> relation("supplies", True), relation("invests", False)
    ('customer', 'investor')
    """
    table = {"supplies": ("customer", "supplier"), "invests": ("investee", "investor"),
             "partners": ("partner", "partner"), "joint_venture": ("joint_venture", "joint_venture"),
             "parent_of": ("subsidiary", "parent"), "acquires": ("acquired", "acquirer"),
             "incubated_by": ("incubator", "incubatee")}
    return table[kind][0 if target_is_src else 1]


@dataclass(frozen=True)
class Introducer:
    """A local organisation that can introduce the target, with its score parts and path."""

    rank: int
    org: str
    name_zh: str
    name_en: str
    region: str | None
    kind: str  # "direct" or "two_hop"
    relations: tuple[str, ...]
    via: str | None  # intermediary of a two-hop path
    total: float
    parts: tuple[Part, ...]
    path: tuple[str, ...]  # link ids, target side first
    evidence: tuple[str, ...]
    reason_zh: str
    reason_en: str

    def as_dict(self) -> dict:
        return asdict(self)


def _neighbours(ix: ChainIndex, row: int) -> list[tuple[int, int, bool]]:
    """``(other row, link index, row is src)`` over business ties of ``row``."""
    r = np.array([row])
    _, lo = ix.out_links(r)
    _, li = ix.in_links(r)
    kinds = np.array(BUSINESS_TIES)
    lo = lo[np.isin(ix.lkind[lo], kinds)]
    li = li[np.isin(ix.lkind[li], kinds)]
    return [(int(ix.dst[i]), int(i), True) for i in lo] + [(int(ix.src[i]), int(i), False) for i in li]


def introducers(
    ix: ChainIndex,
    target: str,
    region: str,
    *,
    k: int = 10,
    settings=None,
    weights: Mapping[str, float] | None = None,
    extra_local: Iterable[str] = (),
    as_of: str | None = None,
) -> list[Introducer]:
    """Rank local organisations that can introduce ``target`` to ``region``."""
    w = {**weights_from(settings, "introducer_weights"), **(weights or {})}
    local = ix.local_mask(region, extra_local)
    t = ix.row(target)
    today = int(to_days([as_of or ix.as_of or "2100-01-01"])[0])
    direct: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    hop: dict[int, tuple[float, int, int, int]] = {}  # local -> (strength, via, link1, link2)
    for x, l1, t_src in _neighbours(ix, t):
        if x == t:
            continue
        if local[x]:
            direct[x].append((l1, t_src))
        for y, l2, _ in _neighbours(ix, x):
            if y == t or y == x or not local[y]:
                continue
            s = PATH_DISCOUNT * min(float(ix.weight[l1]), float(ix.weight[l2]))
            if y not in hop or (s, -l1, -l2) > (hop[y][0], -hop[y][2], -hop[y][3]):
                hop[y] = (s, x, l1, l2)
    cands = sorted(set(direct) | set(hop))
    if not cands:
        return []
    tie = {y: sum(float(ix.weight[i]) for i, _ in direct.get(y, ())) for y in cands}
    scale = max([*tie.values(), *(h[0] for h in hop.values())]) or 1.0
    rows = np.array(cands)
    standing = 0.6 * saturate(ix.employees[rows], 300.0) + 0.4 * ix.tier[rows]
    results = []
    for n, y in enumerate(cands):
        # a direct tie is as fresh as its latest link, a path as its older link
        links = [i for i, _ in direct.get(y, ())] or [hop[y][2], hop[y][3]]
        days = [int(ix.since[i]) for i in links if ix.since[i] != NO_DATE]
        age = (today - (max(days) if y in direct else min(days))) / 365.25 if days else None
        rec = 0.5 ** (max(age, 0.0) / HALF_LIFE_YEARS) if age is not None else 0.0
        h = hop.get(y)
        parts = (
            part("tie", w, tie[y] / scale, f"direct ties of summed weight {tie[y]:.2f}",
                 note_zh=f"直接关系权重合计 {tie[y]:.2f}"),
            part("paths", w, (h[0] / scale) if h else 0.0,
                 f"best two-hop path via {ix.org_ids[h[1]]} strength {h[0]:.2f}" if h else "no two-hop path",
                 note_zh=f"最强两跳路径经由 {ix.org_ids[h[1]]}，强度 {h[0]:.2f}" if h else "无两跳路径"),
            part("recency", w, rec, f"latest tie {age:.1f} years before the as-of date" if age is not None
                 else "tie dates unknown",
                 note_zh=f"最近关系早于数据日期 {age:.1f} 年" if age is not None else "关系日期未知"),
            part("weight", w, standing[n], f"{ix.employees[y]:.0f} employees, tier value {ix.tier[y]:.1f}",
                 note_zh=f"从业 {ix.employees[y]:.0f} 人，梯队值 {ix.tier[y]:.1f}"),
        )
        results.append((total(parts), y, parts))
    results.sort(key=lambda r: (-r[0], ix.org_ids[r[1]]))
    out = []
    for rank, (score, y, parts) in enumerate(results[:k], 1):
        out.append(_introducer(ix, rank, t, y, score, parts, direct.get(y, []), hop.get(y)))
    return out


def _en(ix, row) -> str:
    """A row's name for an English sentence (a Chinese-only name marked, graph.display.pick)."""
    return pick(ix.name_zh[row], ix.name_en[row], "en") or ix.org_ids[row]


def _introducer(ix, rank, t, y, score, parts, direct, hop) -> Introducer:
    name = ix.label(y)
    if direct:
        direct = sorted(direct, key=lambda d: (-float(ix.weight[d[0]]), ix.link_ids[d[0]]))
        rels = tuple(dict.fromkeys(relation(LINK_KINDS[ix.lkind[i]], t_src) for i, t_src in direct))
        path = tuple(ix.link_ids[i] for i, _ in direct)
        kind, via = "direct", None
        zh_rel = "、".join(RELATION_ZH[r] for r in rels)
        zh = f"{name}是目标企业的{zh_rel}（{len(path)}条直接关系），可直接引荐。"
        en = (f"{_en(ix, y)} is the target's {' and '.join(r.replace('_', ' ') for r in rels)} "
              f"({len(path)} direct {'tie' if len(path) == 1 else 'ties'}).")
    else:
        _, x, l1, l2 = hop
        rels = (relation(LINK_KINDS[ix.lkind[l1]], int(ix.src[l1]) == t),)
        path = (ix.link_ids[l1], ix.link_ids[l2])
        kind, via = "two_hop", ix.org_ids[x]
        zh = f"{name}经由{ix.label(x)}与目标企业间接相连（二度关系）。"
        en = f"{_en(ix, y)} reaches the target through {_en(ix, x)} (two hops)."
    evidence = path + ((via,) if via else ()) + (ix.org_ids[y],)
    return Introducer(rank, ix.org_ids[y], ix.name_zh[y], ix.name_en[y], ix.regions[ix.region[y]] or None, kind,
                      rels, via, score, parts, path, evidence, zh, en)
