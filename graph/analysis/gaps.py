"""Segment status and chain gaps: 补链 (missing), 强链 (thin), 延链 (extension).

Pure functions over :class:`~graph.analysis.aggregates.ChainAggregates`.
Every segment of the region gets one status (:func:`segment_statuses`):

Local firms are those the one membership rule counts
(:mod:`graph.analysis.membership`: confirmed, or predicted with confidence ≥
0.5, registered in the region or landed there); the few-firms and strong
thresholds compare their *weight* (a predicted firm weighs its confidence).

- ``thin`` — it has local firms and a :class:`~graph.analysis.rules.GapRules`
  thin criterion holds: ``few_firms``, ``concentration`` (top-1 share or HHI
  of the local members' supplies weight) or ``single_supplier`` (one external
  firm dominates what local organisations receive from it);
- ``strong`` — enough local firms and no dominant firm, local or external;
- ``present`` — local firms, neither thin nor strong;
- ``missing`` — no local firm, while local organisations depend on it: at least
  ``missing_min_local_buyers`` of them buy from its firms elsewhere, or, where
  the chain has no firm-to-firm supply data, at least
  ``missing_min_downstream_firms`` local firms sit in segments directly
  downstream of it;
- ``extension`` — no local firm, not missing, adjacent (a segment edge either
  way) to a locally strong segment; ranked by relatedness density;
- ``absent`` — none of these.

:func:`gaps` turns the missing, thin and extension segments of a chain into
:class:`Gap` records whose ``severity`` is the sum of named :class:`~graph.parts.Part`
values (``weight × figure``, figures in [0, 1]), with the firm, link and
segment ids that support them:

- 补链 ``local_dependence`` (local buyers of its firms elsewhere, saturating at
  3 → ½; without supply data: how over-represented the region is among the
  firms of its downstream segments, location quotient 1 → ½),
  ``downstream_pull`` (local firms downstream, 10 → ½), ``single_supplier``
  (top external share), ``relatedness`` (density);
- 强链 ``few_firms``, ``concentration`` (max of top-1 share and HHI),
  ``single_supplier``, ``downstream_pull``;
- 延链 ``relatedness``, ``adjacent_strength`` (adjacent strong segments,
  1 → ½), ``local_dependence``.

Local firms never make a gap worse: a few-firm 强链 segment (local weight
``n`` ≤ ``thin_max_few_firms``) weighs at most ``(1 − n / (few + 1))`` × what it
would weigh as 补链; a negative ``presence_cap`` part brings it down to that
(so one firm predicted at confidence ``c`` or landed in a 补链 segment lowers
its severity, by ``c / 3`` of it or more).

Examples
--------
>>> from fixtures.world import load_world
>>> from graph.store.graphview import build_graph
>>> from graph.analysis.aggregates import chain_aggregates
>>> b, _ = load_world()
>>> aggs = chain_aggregates(build_graph(b.segments, b.segment_edges, b.organisations, b.links),
...                         "cn/guangdong/shenzhen")
>>> st = segment_statuses(aggs)
>>> st["seg:game_engine"].status, st["seg:xr_sensors"].criteria, st["seg:esports"].status
('missing', ('concentration',), 'extension')
>>> top = gaps(aggs, b.chains[0])[0]
>>> top.kind, top.kind.zh, abs(top.severity - sum(p.value for p in top.parts)) < 1e-12
(<GapKind.MISSING: 'missing'>, '补链', True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from graph.analysis.aggregates import ChainAggregates, SegmentAggregate
from graph.analysis.entryfeatures import DATED, FEATURES, EntryContext, entry_figures
from graph.analysis.relatedness import relatedness
from graph.analysis.rules import (
    DEFAULT_RULES,
    ENTRY_SHARE,
    ENTRY_WEIGHTS,
    EXTENSION_WEIGHTS,
    MISSING_WEIGHTS,
    THIN_WEIGHTS,
    GapRules,
)
from graph.labels import FLAG_LABELS, GapKind, label
from graph.model import Chain
from graph.parts import Part, part, saturate

__all__ = ["SegmentStatus", "Gap", "FLAG_LABELS", "segment_statuses", "gaps", "densities"]

LOW_FEASIBILITY_DENSITY = 0.35  # density below this and (almost) no local firm in sibling segments: low feasibility
LOW_FEASIBILITY_RELATIVES = 0.1
RESOURCE_BOUND_FIGURE = 0.3  # immovability figure from which a segment is called resource-bound


@dataclass(frozen=True, slots=True)
class SegmentStatus:
    """A segment's status in the region and the figures that decided it."""

    segment: str
    status: str
    criteria: tuple[str, ...]
    local_firms: int
    local_buyers: int
    top_local_share: float
    hhi: float
    top_external_share: float
    density: float
    downstream_local_firms: int
    adjacent_strong: tuple[str, ...]
    supply_observed: bool
    local_predicted: int = 0  # local firms counted only by a prediction
    local_weight: float = 0.0  # Σ membership weight of the local firms (graph.analysis.membership)

    @property
    def predicted_only(self) -> bool:
        return self.local_firms > 0 and self.local_predicted == self.local_firms


@dataclass(frozen=True, slots=True)
class Gap:
    """A 补链 / 强链 / 延链 gap: class, severity = Σ parts, and its evidence."""

    segment: str
    name_zh: str
    name_en: str
    kind: GapKind
    kind_zh: str  # kind.zh, kept as a field for JSON readers
    severity: float
    parts: tuple[Part, ...]
    criteria: tuple[str, ...]
    firms: tuple[str, ...]
    links: tuple[str, ...]
    segments: tuple[str, ...]
    flags: tuple[str, ...] = ()  # why it ranks low: low_feasibility, resource_bound (FLAG_LABELS)
    local_firms: int = 0
    local_predicted: int = 0  # of local_firms, counted only by a 挂链 prediction
    local_weight: float = 0.0  # Σ membership weight: 1 a confirmed firm, its confidence a predicted one
    predicted_only: bool = False  # present only through predictions


def densities(aggs: ChainAggregates) -> dict[str, float]:
    """Relatedness density of every segment for the aggregates' region."""
    return relatedness(aggs.presence, aggs.segments).density(aggs.region)


def _shares(d: SegmentAggregate) -> tuple[float, float, float]:
    top_local = d.sent_top[0][1] / d.sent_total if d.sent_top and d.sent_total > 0 else 0.0
    hhi = d.sent_sumsq / d.sent_total**2 if d.sent_total > 0 else 0.0
    top_ext = d.top_external[0].weight / d.received_total if d.top_external and d.received_total > 0 else 0.0
    return top_local, hhi, top_ext


def segment_statuses(aggs: ChainAggregates, rules: GapRules = DEFAULT_RULES) -> dict[str, SegmentStatus]:
    """The status of every detailed segment (see the module docstring)."""
    r = rules
    dens = densities(aggs)
    observed = any(d.supply_links_out > 0 for d in aggs.detail.values())
    out: dict[str, SegmentStatus] = {}
    base = {}
    for s, d in aggs.detail.items():
        top_local, hhi, top_ext = _shares(d)
        down = sum(aggs.local_counts.get(v, 0) for v in aggs.downstream(s))
        base[s] = (top_local, hhi, top_ext, down)
        if d.local_firms == 0:
            continue
        crit = []
        n = d.local_weight  # predicted members weigh their confidence (graph.analysis.membership)
        if n <= r.thin_max_few_firms:
            crit.append("few_firms")
        if d.local_firms >= r.thin_concentration_min_firms and (
                top_local > r.thin_max_top_share or hhi > r.thin_max_hhi):
            crit.append("concentration")
        if top_ext > r.thin_max_external_share:
            crit.append("single_supplier")
        if crit:
            status = "thin"
        elif (n >= r.strong_min_firms and top_local <= r.strong_max_top_local_share
              and top_ext <= r.strong_max_top_external_share):
            status = "strong"
        else:
            status = "present"
        out[s] = SegmentStatus(s, status, tuple(crit), d.local_firms, d.local_buyers, top_local, hhi, top_ext,
                               dens.get(s, 0.0), down, (), observed, d.local_predicted, d.local_weight)
    strong = {s for s, x in out.items() if x.status == "strong"}
    for s, d in aggs.detail.items():
        if d.local_firms:
            continue
        top_local, hhi, top_ext, down = base[s]
        adjacent = tuple(sorted((set(aggs.downstream(s)) | set(aggs.upstream(s))) & strong))
        elsewhere = d.members_external >= r.min_members_elsewhere
        if elsewhere and observed and d.local_buyers >= r.missing_min_local_buyers:
            status, crit = "missing", ("local_buyers",)
        elif elsewhere and not observed and down >= r.missing_min_downstream_firms:
            status, crit = "missing", ("local_downstream",)
        elif (elsewhere and adjacent and d.local_buyers <= r.extension_max_local_buyers
              and dens.get(s, 0.0) >= r.extension_min_density):
            status, crit = "extension", ("adjacent_strong",)
        else:
            status, crit = "absent", ()
        out[s] = SegmentStatus(s, status, crit, 0, d.local_buyers, top_local, hhi, top_ext, dens.get(s, 0.0),
                               down, adjacent, observed)
    return dict(sorted(out.items()))


def _ids(*groups, cap: int) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for g in groups:
        for x in list(g)[:cap]:
            seen.setdefault(x, None)
    return tuple(seen)


def gaps(
    aggs: ChainAggregates,
    chain: Chain,
    rules: GapRules = DEFAULT_RULES,
    *,
    weights: dict[str, dict[str, float]] | None = None,
    evidence: int = 20,
    context: EntryContext | None = None,
    entry_weights: dict[str, float] | None = None,
) -> list[Gap]:
    """The gaps of ``chain`` in the aggregates' region, most severe first.

    Parameters
    ----------
    aggs : ChainAggregates
        Aggregates detailing the chain's segments and their neighbours.
    chain : Chain
        The chain (or :func:`~graph.analysis.common.all_segments_chain`).
    rules : GapRules
        Thresholds (defaults: the sample world's documented rules).
    weights : dict, optional
        Part weights per class ``{"missing": {...}, "thin": {...}, "extension": {...}}``;
        defaults :data:`~graph.analysis.rules.MISSING_WEIGHTS` etc.
    evidence : int
        How many ids of each kind of evidence to cite.
    context : EntryContext, optional
        Segment hierarchy, edge evidence and national growth for the entry
        parts (:mod:`~graph.analysis.entryfeatures`); without it relatives and
        momentum count 0 and every chain edge counts as a template edge.
    entry_weights : dict, optional
        Entry part weights (default :data:`~graph.analysis.rules.ENTRY_WEIGHTS`).

    补链 and 延链 severities are ``(1 − share) × (the class's own parts) +
    share × (entry parts)``, ``share`` from :data:`~graph.analysis.rules.ENTRY_SHARE`;
    the entry parts' weights are ``share × w / Σ|w|`` so the severity stays ≤ 1
    (immovability's weight is negative: it lowers the severity and says so).
    """
    w = {"missing": MISSING_WEIGHTS, "thin": THIN_WEIGHTS, "extension": EXTENSION_WEIGHTS, **(weights or {})}
    statuses = segment_statuses(aggs, rules)
    totals = _member_totals(aggs)
    observed = any(x.supply_observed for x in statuses.values())
    share = ENTRY_SHARE["observed" if observed else "unobserved"]
    ew = entry_weights or ENTRY_WEIGHTS
    figures = None
    out = []
    for s in chain.segments:
        st = statuses.get(s)
        if st is None or st.status not in _EXPLAIN:
            continue
        d = aggs.detail[s]
        parts, firms, links, segs = _EXPLAIN[st.status](aggs, d, st, rules, w[st.status], evidence, totals)
        flags: tuple[str, ...] = ()
        if figures is None:
            figures = entry_figures(aggs, context)
        if st.status in ("missing", "extension"):
            parts, flags = _with_entry(parts, figures[s], ew, share, context)
        else:  # local firms never make a gap worse than it would be with none: 强链 ≤ its 补链 severity
            as_missing, _, _, _ = _missing(aggs, d, st, rules, w["missing"], evidence, totals)
            parts = _capped(parts, _with_entry(as_missing, figures[s], ew, share, context)[0], d.local_weight,
                            rules.thin_max_few_firms)
        meta = aggs.segments[s]
        kind = GapKind(st.status)
        # rounded to 12 decimals: the entry parts make 17-digit sums that spreadsheets cut to 16 digits
        out.append(Gap(s, meta.name_zh, meta.name_en, kind, kind.zh,
                       round(math.fsum(p.value for p in parts), 12), parts, st.criteria, firms, links, segs, flags,
                       st.local_firms, st.local_predicted, st.local_weight, st.predicted_only))
    out.sort(key=lambda g: (-g.severity, g.segment))
    return out


def _capped(parts: tuple[Part, ...], as_missing: tuple[Part, ...], n: float, few: int) -> tuple[Part, ...]:
    """``parts`` with a negative ``presence_cap`` part when a few-firm segment (weight ``n`` ≤ ``few``) sums
    above ``(1 − n / (few + 1)) ×`` its 补链 severity (``as_missing``): one firm just predicted (挂链, weight =
    its confidence) or landed in a 补链 segment makes it 强链 and lowers its severity by a third."""
    if n > few:
        return parts
    cap = (1 - n / (few + 1)) * math.fsum(p.value for p in as_missing)
    over = math.fsum(p.value for p in parts) - cap
    if over <= 1e-12:
        return parts
    return (*parts, Part("presence_cap", -over, -over, 1.0,
                         f"{n:.2f} local firm weight of {few + 1}: at most {cap:.3f} "
                         f"({1 - n / (few + 1):.2f} × its missing-segment severity)", (),
                         f"本地企业权重 {n:.2f}（满 {few + 1}）：至多 {cap:.3f}（补链严重度的 {1 - n / (few + 1):.2f} 倍）"))


def _entry_note(name: str, figure: float, context: EntryContext | None, lang: str = "en") -> str:
    """The entry part's note in ``lang``: its figure, or why a dated part counts 0."""
    undated = name in DATED and (context is None or context.growth is None)
    if lang == "zh":
        return f"{label(name, 'zh')}：" + ("无带日期的企业，计 0" if undated else f"{figure:.3f}")
    return f"{label(name, 'en')}: " + ("no dated firms, counts 0" if undated else f"{figure:.3f}")


def _with_entry(parts, fig: dict[str, float], ew: dict[str, float], share: float,
                context: EntryContext | None) -> tuple[tuple[Part, ...], tuple[str, ...]]:
    """The class's parts scaled by ``1 − share``, the entry parts added (density joins ``relatedness``)."""
    z = sum(abs(v) for v in ew.values()) or 1.0
    out = []
    for p in parts:
        wt = p.weight * (1 - share)
        if p.name == "relatedness":
            wt += share * ew.get("density", 0.0) / z
        out.append(Part(p.name, wt * p.figure, wt, p.figure, p.note, p.evidence, p.note_zh))
    for name in (n for n in FEATURES if n != "density"):
        wt = share * ew.get(name, 0.0) / z
        f = min(1.0, max(0.0, fig[name]))
        out.append(Part(name, wt * f, wt, f, _entry_note(name, f, context), (),
                        _entry_note(name, f, context, "zh")))
    flags = []
    if fig["density"] < LOW_FEASIBILITY_DENSITY and fig["relatives"] < LOW_FEASIBILITY_RELATIVES:
        flags.append("low_feasibility")
    if fig["immovability"] >= RESOURCE_BOUND_FIGURE:
        flags.append("resource_bound")
    return tuple(out), tuple(flags)


def _downstream_firms(aggs, segs, cap):
    return [f for v in segs if v in aggs.detail for f in aggs.detail[v].local_firm_ids[:3]][:cap]


def _member_totals(aggs: ChainAggregates) -> dict[str, int]:
    """Member firms per segment over every region unit, plus ``"*"`` (all) and ``"*local"``."""
    totals: dict[str, int] = {}
    for counts in aggs.presence.values():
        for s, n in counts.items():
            totals[s] = totals.get(s, 0) + n
    totals["*"] = sum(totals.values())
    totals["*local"] = sum(aggs.local_counts.values())
    return totals


def _demand_lq(aggs: ChainAggregates, totals: dict[str, int], down: list[str]) -> tuple[float, int, int]:
    """Location quotient of the region among the firms of ``down``: (lq, local, all)."""
    here = sum(aggs.local_counts.get(v, 0) for v in down)
    there = sum(totals.get(v, 0) for v in down)
    base = totals["*local"] / totals["*"] if totals["*"] else 0.0
    return ((here / there) / base if there and base else 0.0), here, there


def _missing(aggs, d, st, rules, w, cap, totals):
    down = [v for v in aggs.downstream(d.segment) if aggs.local_counts.get(v, 0)]
    top = d.top_external[0] if d.top_external else None
    if st.supply_observed:
        dep = part("local_dependence", w, saturate(d.local_buyers, 3),
                   f"{d.local_buyers} local organisations buy from its {d.external_suppliers} suppliers elsewhere",
                   note_zh=f"{d.local_buyers} 家本地机构向其 {d.external_suppliers} 家外地供应商采购")
    else:  # no supply links: how over-represented the region is among the segment's downstream firms
        lq, here, there = _demand_lq(aggs, totals, down)
        dep = part("local_dependence", w, saturate(lq, 1),
                   f"no supply links in the data: {here} of the {there} firms downstream are local "
                   f"(location quotient {lq:.2f})",
                   note_zh=f"数据无供货链接：下游 {there} 家企业中 {here} 家在本地（区位商 {lq:.2f}）")
    parts = (dep, _pull(w, st, down), _single(w, st, top), _related(w, st))
    firms = _ids([b for b, _ in d.buyer_top], [f.supplier for f in d.top_external[:5]],
                 _downstream_firms(aggs, down, cap), cap=cap)
    return parts, firms, d.buyer_link_ids[:cap], tuple(down)


def _thin(aggs, d, st, rules, w, cap, totals):
    n, few = d.local_weight, rules.thin_max_few_firms
    down = [v for v in aggs.downstream(d.segment) if aggs.local_counts.get(v, 0)]
    conc = max(st.top_local_share, st.hhi) if d.local_firms >= rules.thin_concentration_min_firms else 0.0
    top = d.top_external[0] if d.top_external else None
    dominant = d.sent_top[0][0] if d.sent_top else "-"
    parts = (
        part("few_firms", w, min(1.0, (few + 1 - n) / few) if n <= few else 0.0, _firms_note(d),
             note_zh=_firms_note(d, "zh")),
        part("concentration", w, conc,
             f"top local firm {dominant} sends {st.top_local_share:.0%} of local supply (HHI {st.hhi:.2f})",
             note_zh=f"本地最大供应企业 {dominant} 占本地供给的 {st.top_local_share:.0%}（HHI {st.hhi:.2f}）"),
        _single(w, st, top),
        _pull(w, st, down),
    )
    firms = _ids(d.local_firm_ids, [x for x, _ in d.sent_top[:1]], [top.supplier] if top else [], cap=cap)
    links = top.link_ids[:cap] if top else ()
    return parts, firms, links, tuple(down)


def _firms_note(d: SegmentAggregate, lang: str = "en") -> str:
    """``3 local firms``, or with predictions ``2 local firms (1 predicted; weight 1.80)``; in Chinese
    ``本地企业 3 家``."""
    if lang == "zh":
        text = f"本地企业 {d.local_firms} 家"
        if d.local_predicted:
            text += f"（其中 {d.local_predicted} 家为预测挂链；权重 {d.local_weight:.2f}）"
        return text
    text = f"{d.local_firms} local {'firm' if d.local_firms == 1 else 'firms'}"
    if d.local_predicted:
        text += f" ({d.local_predicted} predicted; weight {d.local_weight:.2f})"
    return text


def _pull(w, st, down) -> Part:
    n = st.downstream_local_firms
    return part("downstream_pull", w, saturate(n, 10),
                f"{n} local {'firm' if n == 1 else 'firms'} in {len(down)} downstream "
                f"{'segment' if len(down) == 1 else 'segments'}",
                note_zh=f"{len(down)} 个下游环节有本地企业 {n} 家")


def _single(w, st, top) -> Part:
    who = top.supplier if top else "-"
    return part("single_supplier", w, st.top_external_share,
                f"top external supplier {who} sends {st.top_external_share:.0%} of what local organisations receive",
                note_zh=f"最大外地供应商 {who} 供给本地机构所购的 {st.top_external_share:.0%}")


def _related(w, st) -> Part:
    return part("relatedness", w, st.density, f"relatedness density {st.density:.3f}",
                note_zh=f"关联密度 {st.density:.3f}")


def _extension(aggs, d, st, rules, w, cap, totals):
    k = len(st.adjacent_strong)
    parts = (
        _related(w, st),
        part("adjacent_strength", w, saturate(k, 1),
             f"adjacent to {k} locally strong {'segment' if k == 1 else 'segments'}",
             note_zh=f"相邻 {k} 个本地强环节"),
        part("local_dependence", w, saturate(d.local_buyers, 3),
             f"{d.local_buyers} local organisations buy from it elsewhere",
             note_zh=f"{d.local_buyers} 家本地机构从外地采购该环节"),
    )
    firms = _ids([b for b, _ in d.buyer_top], _downstream_firms(aggs, st.adjacent_strong, cap), cap=cap)
    return parts, firms, d.buyer_link_ids[:cap], st.adjacent_strong


_EXPLAIN = {"missing": _missing, "thin": _thin, "extension": _extension}
