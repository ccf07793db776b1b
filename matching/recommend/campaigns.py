"""Joint campaigns (联合招商): who leads, who co-pitches, who supports, what goes together.

:func:`propose_campaign` plans one campaign for a set of targets in a region:

- **co-pitch firms** — local organisations tied to the targets (their local
  customers, suppliers, investors, partners), ranked by how many targets
  they are tied to and the demand they represent (supplies weight they
  receive from the targets);
- **lead unit and agency** — the sub-region (district of a city) with the
  highest score: Σ co-pitch firms' importance × targets they are tied to,
  + ``PLATFORM_WEIGHT`` per supporting platform, + ``DOWNSTREAM_WEIGHT`` per
  local member of a downstream segment; its investment-promotion agency
  (an ``agency`` organisation there, preferring one named after the unit);
- **supporting platforms** — local parks, incubators, labs, universities,
  funds and associations in or next to the targets' segments or tied to the
  targets or co-pitch firms;
- **groups** — :func:`group_targets`: targets worth pitching together, with the
  relation that joins them (``supply_pair``: one supplies the other;
  ``shared_introducer``: the same best local introducer; ``shared_local_buyers``:
  at least two common local customers).

Stored campaigns and their conflicts live in :mod:`~matching.workspace`.

Examples
--------
>>> from fixtures.world import load_world
>>> from matching.recommend.index import ChainIndex
>>> b, _ = load_world()
>>> ix = ChainIndex.from_records(b.segments, b.segment_edges, b.organisations, b.links)
>>> [(g.kind, g.targets) for g in group_targets(ix, ["org:f1054", "org:f1510"], "cn/guangdong/shenzhen")]
[('supply_pair', ('org:f1054', 'org:f1510'))]
>>> plan = propose_campaign(ix, ["org:f0140", "org:f0846"], "cn/guangdong/shenzhen")
>>> plan.co_pitch[0].org, plan.lead_agency is not None
('org:f1343', True)
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from graph.display import region_name
from graph.model import OrgKind
from matching.recommend.explain import importance
from matching.recommend.index import ORG_KINDS, ChainIndex
from matching.recommend.introducers import introducers
from matching.recommend.ties import BUSINESS_TIES, SUPPLIES

__all__ = ["CoPitch", "Platform", "TargetGroup", "CampaignPlan", "propose_campaign", "group_targets"]

PLATFORM_KINDS = tuple(ORG_KINDS.index(k.value) for k in OrgKind if k.is_platform and k is not OrgKind.AGENCY)
AGENCY = ORG_KINDS.index(OrgKind.AGENCY.value)
#: lead-unit score: Σ co-pitch firms' importance × targets tied, + these per platform / downstream member
PLATFORM_WEIGHT = 0.5
DOWNSTREAM_WEIGHT = 0.1
GROUP_ZH = {"supply_pair": "上下游配套", "shared_introducer": "同一引荐企业", "shared_local_buyers": "共同本地客户"}


@dataclass(frozen=True, slots=True)
class CoPitch:
    org: str
    name: str
    unit: str
    targets: tuple[str, ...]
    demand: float  # supplies weight received from the targets
    links: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Platform:
    org: str
    name: str
    kind: str
    unit: str
    why: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TargetGroup:
    kind: str
    kind_zh: str
    targets: tuple[str, ...]
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class CampaignPlan:
    """A proposed joint campaign for ``targets`` in ``region``."""

    region: str
    targets: tuple[str, ...]
    lead_unit: str | None
    lead_agency: str | None
    unit_scores: dict[str, float]
    co_pitch: tuple[CoPitch, ...]
    platforms: tuple[Platform, ...]
    groups: tuple[TargetGroup, ...]
    reason_zh: str
    reason_en: str

    def as_dict(self) -> dict:
        return asdict(self)


def _unit(ix: ChainIndex, row: int, region: str) -> str:
    r = ix.regions[ix.region[row]]
    depth = region.count("/") + 2
    parts = r.split("/")
    return "/".join(parts[:depth]) if len(parts) >= depth else region


def _ties(ix: ChainIndex, row: int) -> list[tuple[int, int]]:
    """(other row, link index) over business ties of ``row``, either direction."""
    r = np.array([row])
    _, lo = ix.out_links(r)
    _, li = ix.in_links(r)
    kinds = np.array(BUSINESS_TIES)
    lo, li = lo[np.isin(ix.lkind[lo], kinds)], li[np.isin(ix.lkind[li], kinds)]
    return [(int(ix.dst[i]), int(i)) for i in lo] + [(int(ix.src[i]), int(i)) for i in li]


def group_targets(ix: ChainIndex, targets: Sequence[str], region: str, *, extra_local: Iterable[str] = (),
                  min_shared_buyers: int = 2) -> list[TargetGroup]:
    """Pairs of targets to pitch together and why (see the module docstring)."""
    local = ix.local_mask(region, extra_local)
    rows = [ix.row(t) for t in targets]
    buyers, best_intro = {}, {}
    for t, r in zip(targets, rows, strict=True):
        _, lo = ix.out_links(np.array([r]))
        sup = lo[(ix.lkind[lo] == SUPPLIES) & local[ix.dst[lo]]]
        buyers[t] = {int(ix.dst[i]) for i in sup}
        top = introducers(ix, t, region, k=1, extra_local=extra_local)
        best_intro[t] = top[0].org if top and top[0].kind == "direct" else None
    out = []
    for i, a in enumerate(targets):
        for b in targets[i + 1:]:
            ra, rb = ix.row(a), ix.row(b)
            pair = tuple(sorted((a, b)))
            between = [ix.link_ids[li] for x, li in _ties(ix, ra) if x == rb and ix.lkind[li] == SUPPLIES]
            if between:
                out.append(TargetGroup("supply_pair", GROUP_ZH["supply_pair"], pair, tuple(sorted(between))))
            if best_intro[a] is not None and best_intro[a] == best_intro[b]:
                out.append(TargetGroup("shared_introducer", GROUP_ZH["shared_introducer"], pair, (best_intro[a],)))
            shared = buyers[a] & buyers[b]
            if len(shared) >= min_shared_buyers:
                out.append(TargetGroup("shared_local_buyers", GROUP_ZH["shared_local_buyers"], pair,
                                       tuple(sorted(ix.org_ids[x] for x in shared))))
    return out


def propose_campaign(ix: ChainIndex, targets: Sequence[str], region: str, *, extra_local: Iterable[str] = (),
                     k: int = 10) -> CampaignPlan:
    """Plan a joint campaign for ``targets`` in ``region`` (see the module docstring)."""
    targets = list(dict.fromkeys(targets))
    local = ix.local_mask(region, extra_local)
    rows = [ix.row(t) for t in targets]
    tied: dict[int, set[str]] = defaultdict(set)
    demand: Counter = Counter()
    links: dict[int, list[str]] = defaultdict(list)
    for t, r in zip(targets, rows, strict=True):
        for x, li in _ties(ix, r):
            if local[x] and x not in rows:
                tied[x].add(t)
                links[x].append(ix.link_ids[li])
                if ix.lkind[li] == SUPPLIES and int(ix.src[li]) == r:
                    demand[x] += float(ix.weight[li])
    firms = sorted(tied, key=lambda x: (-len(tied[x]), -demand[x], ix.org_ids[x]))
    co = tuple(CoPitch(ix.org_ids[x], ix.label(x), _unit(ix, x, region), tuple(sorted(tied[x])),
                       round(demand[x], 4), tuple(sorted(links[x]))) for x in firms)
    segs = {s for r in rows for s in ix.mem_seg[ix.mem_ptr[r]:ix.mem_ptr[r + 1]]}
    near = segs | {n for s in segs for n in (*ix.seg_up[s], *ix.seg_down[s])}
    downstream = {n for s in segs for n in ix.seg_down[s]}
    unit_score: Counter = Counter()
    imp = dict(zip(firms, importance(ix, np.array(firms, dtype=np.int64)), strict=True)) if firms else {}
    for x in firms:
        unit_score[_unit(ix, x, region)] += float(imp[x]) * len(tied[x])
    why: dict[int, list[str]] = defaultdict(list)
    for s in sorted(near):
        a, b = ix.seg_ptr[s], ix.seg_ptr[s + 1]
        for o in ix.seg_owner[a:b]:
            o = int(o)
            if not local[o]:
                continue
            if int(ix.kind[o]) in PLATFORM_KINDS:
                why[o].append(ix.seg_ids[s])
            elif s in downstream:
                unit_score[_unit(ix, o, region)] += DOWNSTREAM_WEIGHT
    for x in [*firms, *rows]:
        for y, li in _ties(ix, x):
            if local[y] and int(ix.kind[y]) in PLATFORM_KINDS:
                why[y].append(ix.link_ids[li])
    for p in why:
        unit_score[_unit(ix, p, region)] += PLATFORM_WEIGHT
    plats = sorted(why, key=lambda p: (-len(why[p]), ix.org_ids[p]))
    platforms = tuple(Platform(ix.org_ids[p], ix.label(p), ORG_KINDS[ix.kind[p]], _unit(ix, p, region),
                               tuple(dict.fromkeys(why[p]))) for p in plats[:k])
    lead = max(sorted(unit_score), key=lambda u: unit_score[u]) if unit_score else None
    agency = _agency(ix, local, lead, region) if lead else None
    groups = tuple(group_targets(ix, targets, region, extra_local=extra_local)) if len(targets) > 1 else ()
    agency_row = ix.row(agency) if agency else None
    agency_zh = ix.label(agency_row) if agency else "无对应招商机构"
    agency_en = (ix.name_en[agency_row] or ix.label(agency_row)) if agency else "no agency found"
    n_co = min(len(co), k)
    zh = (f"建议由{region_name(lead or region, 'zh')}牵头（{agency_zh}），联合{n_co}家本地关联企业"
          f"与{len(platforms)}个平台共同推介{len(targets)}家目标企业。")
    en = (f"Lead: {region_name(lead or region, 'en')} ({agency_en}); co-pitch with {n_co} related "
          f"local firm{'s' if n_co != 1 else ''} and {len(platforms)} platform{'s' if len(platforms) != 1 else ''} "
          f"for {len(targets)} target{'s' if len(targets) != 1 else ''}.")
    return CampaignPlan(region, tuple(targets), lead, agency,
                        {u: round(v, 4) for u, v in unit_score.most_common()}, co[:k], platforms, groups, zh, en)


def _name(region: str) -> str:
    try:
        from graph.regions import region as gazetteer

        return gazetteer(region).name_zh
    except Exception:  # noqa: BLE001 - a region outside the gazetteer is shown by id
        return region


def _agency(ix: ChainIndex, local: np.ndarray, unit: str, region: str) -> str | None:
    rows = np.flatnonzero((ix.kind == AGENCY) & local)
    if len(rows) == 0:
        return None
    name = _name(unit) if unit != region else ""
    name = "" if name == unit else name
    in_unit = [r for r in rows if _unit(ix, int(r), region) == unit]
    named = [r for r in in_unit if name and name in ix.name_zh[r]]
    pick = named or in_unit or list(rows)
    return ix.org_ids[int(sorted(pick, key=lambda r: ix.org_ids[r])[0])]
