"""Attraction form (引进形式): whole firm, regional HQ, R&D centre or production base.

The first rule of :class:`FormRules` that holds chooses the form; each rule
is checked on data alone and reported with the figures and ids behind it:

1. ``production_base`` 生产基地 — the segment is manufacturing and the firm
   already has at least ``production_min_local_customers`` distinct local
   customers (strong local demand for its output);
2. ``rd_centre`` 研发中心 — at least ``rd_min_patents`` patents and a local
   university or lab is a member of the segment or of an adjacent one
   (local research supply);
3. ``regional_hq`` 区域总部 — at least ``rhq_min_employees`` employees, sites
   in at least ``rhq_min_other_cities`` other cities and none in the region's
   macro-area (华南, 华东 …: it has no regional base near us yet);
4. ``headquarters`` 整体引进 — financed recently, more than
   ``hq_min_local_share`` of its supplies weight goes to local customers and
   fewer than ``hq_max_employees`` employees (small enough to move, and its
   market is already here).

When no rule holds the form with the highest soft score (each rule's
conditions as figures in [0, 1], averaged) is chosen and ``rule`` says so.

Examples
--------
>>> from fixtures.world import load_world
>>> from matching.recommend.index import ChainIndex
>>> b, _ = load_world()
>>> ix = ChainIndex.from_records(b.segments, b.segment_edges, b.organisations, b.links)
>>> f = attraction_form(ix, "org:f0140", "seg:optical_module", "cn/guangdong/shenzhen")
>>> f.form, f.form_zh, f.form_en, f.checks["production_base"]
('production_base', '生产基地', 'production base', True)
>>> macro_area("cn/guangdong/shenzhen/nanshan")
('cn/guangdong', 'cn/guangxi', 'cn/hainan', 'cn/hongkong', 'cn/macau')
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from graph.model import OrgKind, city_key
from matching.recommend.explain import months_before
from matching.recommend.index import ORG_KINDS, ChainIndex, gather
from matching.recommend.ties import SUPPLIES, local_ties

__all__ = ["FormRules", "FormChoice", "FORMS", "MACRO_AREAS", "macro_area", "attraction_form"]

FORMS = {"production_base": "生产基地", "rd_centre": "研发中心", "regional_hq": "区域总部",
         "headquarters": "整体引进"}
FORMS_EN = {"production_base": "production base", "rd_centre": "R&D centre",
            "regional_hq": "regional headquarters", "headquarters": "whole-firm relocation (headquarters)"}

#: China's seven geographic macro-areas (七大地理分区), by province slug
MACRO_AREAS = {
    "华北": ("beijing", "tianjin", "hebei", "shanxi", "neimenggu"),
    "东北": ("liaoning", "jilin", "heilongjiang"),
    "华东": ("shanghai", "jiangsu", "zhejiang", "anhui", "fujian", "jiangxi", "shandong", "taiwan"),
    "华中": ("henan", "hubei", "hunan"),
    "华南": ("guangdong", "guangxi", "hainan", "hongkong", "macau"),
    "西南": ("chongqing", "sichuan", "guizhou", "yunnan", "xizang"),
    "西北": ("shaanxi", "gansu", "qinghai", "ningxia", "xinjiang"),
}


def macro_area(region: str) -> tuple[str, ...]:
    """Region-id prefixes of the macro-area around ``region`` (abroad: its country)."""
    parts = region.split("/")
    if parts[0] != "cn" or len(parts) < 2:
        return (parts[0],)
    for provinces in MACRO_AREAS.values():
        if parts[1] in provinces:
            return tuple(f"cn/{p}" for p in provinces)
    return (f"cn/{parts[1]}",)


@dataclass(frozen=True, slots=True)
class FormRules:
    """Thresholds of the form rules (defaults: the sample world's documented rules)."""

    production_min_local_customers: int = 5
    rd_min_patents: int = 200
    rhq_min_employees: int = 3000
    rhq_min_other_cities: int = 4
    hq_min_local_share: float = 0.5
    hq_max_employees: int = 3000


@dataclass(frozen=True)
class FormChoice:
    """The chosen form, the rule (or score) that chose it, every rule's verdict and the evidence."""

    form: str
    form_zh: str
    rule: str
    checks: dict[str, bool]
    scores: dict[str, float]
    facts: dict = field(default_factory=dict)
    evidence: tuple[str, ...] = ()
    rule_zh: str = ""
    form_en: str = ""  # the form's English name (:data:`FORMS_EN`), what people read in English

    def rule_in(self, lang: str = "zh") -> str:
        """The rule sentence in ``lang`` (``rule`` is English, ``rule_zh`` Chinese)."""
        return (self.rule_zh or self.rule) if lang == "zh" else self.rule

    def as_dict(self) -> dict:
        return asdict(self)


def _research(ix: ChainIndex, s: int, local: np.ndarray) -> list[str]:
    """Local universities and labs confirmed in segment ``s`` or next to it (memoised per local mask)."""
    key = ("research", s, id(local))
    hit = ix._local_cache.get(key)
    if hit is not None and hit[0] is local:  # the entry holds its mask, so the id cannot be reused
        return hit[1]
    near = np.array(sorted({s, *ix.seg_up[s], *ix.seg_down[s]}))
    _, pos = gather(ix.seg_ptr, near)
    members, confirmed = ix.seg_owner[pos], ix.mem_confirmed[ix.seg_entries[pos]]
    research = np.isin(ix.kind[members], [ORG_KINDS.index(k.value) for k in (OrgKind.UNIVERSITY, OrgKind.LAB)])
    labs = sorted({ix.org_ids[o] for o in np.unique(members[confirmed & research & local[members]])})
    ix._local_cache[key] = (local, labs)
    return labs


def _in_any(region: str, prefixes) -> bool:
    return any(region == p or region.startswith(p + "/") for p in prefixes)


def attraction_form(ix: ChainIndex, org_id: str, segment: str, region: str, *,
                    rules: FormRules = FormRules(), local: np.ndarray | None = None,
                    recent_months: int = 18, as_of: str | None = None, details=None) -> FormChoice:
    """Choose the attraction form of ``org_id`` for a gap in ``segment`` of ``region``.

    Parameters
    ----------
    ix : ChainIndex
        The index.
    org_id, segment, region : str
        The target, the gap segment it would fill, the attracting region.
    rules : FormRules
        Thresholds.
    local : numpy.ndarray, optional
        Local mask (default: ``ix.local_mask(region)``).
    recent_months : int
        Financing within this many months of ``as_of`` (default the index's) is recent.
    details : Organisation, optional
        The target's record (default: fetched through the index); financing
        and sites come from it.
    """
    r = rules
    row = ix.row(org_id)
    s = ix.segment(segment)
    local = ix.local_mask(region) if local is None else local
    t = local_ties(ix, np.array([row]), local)
    if details is None:
        details = ix.details([org_id]).get(org_id)
    as_of = as_of or ix.as_of or "9999-12-31"
    cutoff = months_before(as_of, recent_months)

    # 1. local customers and manufacturing
    out = ix.out_links(np.array([row]))[1]
    cust_links = out[(ix.lkind[out] == SUPPLIES) & local[ix.dst[out]]]
    n_cust = int(t.customers[0])
    manufacturing = bool(ix.seg_manufacturing[s])
    # 2. patents and local research supply in the segment or next to it
    labs = _research(ix, s, local)
    patents = int(ix.patents[row])
    # 3. size and where its sites are
    employees = float(ix.employees[row])
    home = ix.city(row)
    if details is not None:
        site_regions = [x.region for x in details.sites]
    else:
        site_regions = [ix.regions[c] for c in ix.site_region[ix.site_ptr[row]:ix.site_ptr[row + 1]]]
    other_cities = sorted({city_key(x) for x in site_regions} - {home, ""})
    area = macro_area(region)
    near_sites = sorted(x for x in site_regions if _in_any(x, area))
    # 4. recent financing and the local share of its supplies
    rounds = [f"{f.date} {f.round}" for f in (details.financing if details else ()) if f.date >= cutoff]
    share = float(t.sent_local_weight[0] / t.sent_weight[0]) if t.sent_weight[0] > 0 else 0.0

    checks = {
        "production_base": manufacturing and n_cust >= r.production_min_local_customers,
        "rd_centre": patents >= r.rd_min_patents and bool(labs),
        "regional_hq": employees >= r.rhq_min_employees and len(other_cities) >= r.rhq_min_other_cities
        and not near_sites,
        "headquarters": bool(rounds) and share > r.hq_min_local_share and employees < r.hq_max_employees,
    }
    scores = {
        "production_base": (float(manufacturing) + min(1.0, n_cust / r.production_min_local_customers)) / 2,
        "rd_centre": (min(1.0, patents / r.rd_min_patents) + float(bool(labs))) / 2,
        "regional_hq": (min(1.0, employees / r.rhq_min_employees)
                        + min(1.0, len(other_cities) / r.rhq_min_other_cities) + float(not near_sites)) / 3,
        "headquarters": (float(bool(rounds)) + min(1.0, share / r.hq_min_local_share)
                         + float(employees < r.hq_max_employees)) / 3,
    }
    texts = {
        "production_base": f"manufacturing segment: {manufacturing}; {n_cust} local customers "
                           f"(rule ≥ {r.production_min_local_customers})",
        "rd_centre": f"{patents} patents (rule ≥ {r.rd_min_patents}); local universities/labs in or next to "
                     f"the segment: {len(labs)}",
        "regional_hq": f"{employees:.0f} employees (rule ≥ {r.rhq_min_employees}); sites in {len(other_cities)} "
                       f"other cities (rule ≥ {r.rhq_min_other_cities}); sites near the region: {len(near_sites)}",
        "headquarters": f"{len(rounds)} financing rounds since {cutoff}; {share:.0%} of its supplies weight "
                        f"goes to local customers (rule > {r.hq_min_local_share:.0%}); {employees:.0f} employees "
                        f"(rule < {r.hq_max_employees})",
    }
    texts_zh = {
        "production_base": f"{'属' if manufacturing else '不属'}制造环节；本地客户 {n_cust} 家"
                           f"（规则 ≥ {r.production_min_local_customers}）",
        "rd_centre": f"专利 {patents} 件（规则 ≥ {r.rd_min_patents}）；本环节及相邻环节的本地高校/实验室 {len(labs)} 家",
        "regional_hq": f"从业 {employees:.0f} 人（规则 ≥ {r.rhq_min_employees}）；在其他 {len(other_cities)} 个城市设点"
                       f"（规则 ≥ {r.rhq_min_other_cities}）；本地区附近站点 {len(near_sites)} 个",
        "headquarters": f"{cutoff} 以来融资 {len(rounds)} 轮；供货权重的 {share:.0%} 流向本地客户"
                        f"（规则 > {r.hq_min_local_share:.0%}）；从业 {employees:.0f} 人（规则 < {r.hq_max_employees}）",
    }
    chosen = next((f for f in FORMS if checks[f]), None)
    if chosen is not None:
        rule = f"rule {list(FORMS).index(chosen) + 1} ({FORMS_EN[chosen]}): {texts[chosen]}"
        rule_zh = f"规则 {list(FORMS).index(chosen) + 1}（{FORMS[chosen]}）：{texts_zh[chosen]}"
    else:
        chosen = max(FORMS, key=lambda f: (scores[f], -list(FORMS).index(f)))
        rule = f"no rule held; best score {scores[chosen]:.2f} ({FORMS_EN[chosen]}): {texts[chosen]}"
        rule_zh = f"无规则成立；得分最高 {scores[chosen]:.2f}（{FORMS[chosen]}）：{texts_zh[chosen]}"
    evidence: list[str] = []
    if chosen == "production_base" or chosen == "headquarters":
        evidence += [ix.link_ids[i] for i in cust_links]
    if chosen == "rd_centre":
        evidence += labs
    facts = {"local_customers": n_cust, "manufacturing": manufacturing, "patents": patents,
             "patents_per_100_employees": round(100 * patents / employees, 2) if employees else None,
             "local_research": labs, "employees": employees, "other_site_cities": other_cities,
             "sites_near_region": near_sites, "recent_financing": rounds, "recent_since": cutoff,
             "local_supply_share": round(share, 4)}
    return FormChoice(chosen, FORMS[chosen], rule, checks, {k: round(v, 4) for k, v in scores.items()},
                      facts, tuple(evidence), rule_zh, FORMS_EN[chosen])

