"""Target recommendation (招商目标): which firms elsewhere to recruit for a gap or a chain.

Candidates are member firms of the focus segments registered outside the
region (landed or excluded ids left out). Each gets a score made of named
parts (weights: setting ``recommend_weights``), every figure in [0, 1]:

- ``gap_fit`` — membership confidence in the segment (predicted 挂链
  memberships count ``PREDICTED_FACTOR``), times the gap's weight when several
  gaps are ranked together (severity ÷ the largest severity);
- ``chain_pull`` — local demand for the firm: ``saturate(C + ½ S + ½ O, 3)``
  where C, S, O sum the importance of distinct local customers, local
  suppliers and other local business ties (investors, partners …);
- ``leadership`` — ``0.35 size + 0.25 tier + 0.2 revenue band + 0.2 centrality``
  (employees saturating at 1,000; best tier tag; band ÷ 4; supply PageRank,
  both ways, :func:`graph.analysis.leaders.pagerank`, relative to the most
  central candidate of the same segment);
- ``expansion`` — ``0.6`` for financing and ``0.4`` for a new site within
  ``recent_months`` of the data's as-of date;
- ``local_site`` (penalty) — the firm already has a site in the region;
- ``stale`` (penalty) — its record is older than ``stale_months``.

Every part is computed for every candidate at once when the index holds the
record dates (:meth:`ChainIndex.add_details`); otherwise ``expansion`` and
``stale`` come from full records fetched in score order, only until no
remaining candidate could enter the top ``k`` (the expansion weight bounds
what a record can add).

Examples
--------
>>> from fixtures.world import load_world
>>> from matching.recommend.index import NO_DATE, ChainIndex, from_days, to_days
>>> b, _ = load_world()
>>> ix = ChainIndex.from_records(b.segments, b.segment_edges, b.organisations, b.links)
>>> top = recommend_targets(ix, "cn/guangdong/shenzhen", "seg:game_engine", k=3)
>>> top[0].org, top[0].form.form
('org:f1561', 'rd_centre')
>>> abs(top[0].total - sum(p.value for p in top[0].parts)) < 1e-9
True
>>> [p.name for p in top[0].parts]
['gap_fit', 'chain_pull', 'leadership', 'expansion', 'local_site', 'stale']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, is_dataclass

import numpy as np

from graph.display import region_name
from graph.labels import gap_zh as gap_zh_of
from graph.model import city_key
from matching.recommend.explain import (
    Part,
    months_before,
    part,
    penalty,
    saturate,
    total,
    weights_from,
)
from matching.recommend.form import FORMS_EN, FormChoice, FormRules, attraction_form
from matching.recommend.index import NO_DATE, ChainIndex, from_days, to_days
from matching.recommend.ties import local_ties, tie_links

__all__ = ["Focus", "Target", "recommend_targets", "candidate_count", "focus_from_gaps", "PREDICTED_FACTOR"]

PREDICTED_FACTOR = 0.8


@dataclass(frozen=True, slots=True)
class Focus:
    """A segment to recruit for, with the gap it is (if known) and its weight in [0, 1]."""

    segment: str
    gap: str | None = None
    factor: float = 1.0


@dataclass(frozen=True)
class Target:
    """One recommended firm: score = Σ parts, with evidence ids, reasons and attraction form."""

    rank: int
    org: str
    name_zh: str
    name_en: str
    region: str | None
    segment: str
    gap: str | None
    total: float
    parts: tuple[Part, ...]
    evidence: tuple[str, ...]
    reason_zh: str
    reason_en: str
    form: FormChoice | None = None

    def as_dict(self) -> dict:
        """``dataclasses.asdict(self)``: the same dict, without its deep copy of every leaf.

        The leaves are str, numbers, bools and None, which ``asdict`` copies by
        ``copy.deepcopy`` one by one: about a third of a repeated
        ``/recommendations`` request's CPU at 100k firms.
        """
        return _plain(self)


def _plain(obj):
    """``asdict``'s conversion for dataclasses, tuples, lists and dicts of immutable leaves (fresh containers)."""
    names = _FIELDS.get(type(obj))
    if names is None and is_dataclass(obj) and not isinstance(obj, type):
        names = _FIELDS[type(obj)] = tuple(f.name for f in fields(obj))
    if names is not None:
        return {n: _plain(getattr(obj, n)) for n in names}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_plain(x) for x in obj)
    if isinstance(obj, dict):
        return {_plain(k): _plain(v) for k, v in obj.items()}
    return obj


_FIELDS: dict[type, tuple[str, ...]] = {}


def focus_from_gaps(gaps: Iterable) -> list[Focus]:
    """Focus segments from chain-analysis gaps (objects or dicts with ``segment``, ``kind``, ``severity``).

    >>> from types import SimpleNamespace as G
    >>> focus_from_gaps([G(segment="a", kind="missing", severity=0.8), G(segment="b", kind="thin", severity=0.4)])
    [Focus(segment='a', gap='missing', factor=1.0), Focus(segment='b', gap='thin', factor=0.5)]
    """
    rows = [(g["segment"], g["kind"], g["severity"]) if isinstance(g, Mapping) else (g.segment, g.kind, g.severity)
            for g in gaps]
    top = max((r[2] for r in rows), default=0.0)
    return [Focus(s, k, (v / top) if top > 0 else 1.0) for s, k, v in rows]


def _as_focus(segments) -> list[Focus]:
    if isinstance(segments, str):
        return [Focus(segments)]
    if isinstance(segments, Mapping):
        return [Focus(s, None, float(f)) for s, f in segments.items()]
    return [s if isinstance(s, Focus) else Focus(s) for s in segments]


def candidate_count(ix: ChainIndex, region: str, segments, *, exclude: Iterable[str] = (),
                    extra_local: Iterable[str] = ()) -> int:
    """How many distinct firms :func:`recommend_targets` ranks for ``segments`` (a page's ``total``).

    >>> from fixtures.world import sample_index
    >>> ix = sample_index()
    >>> n = candidate_count(ix, "cn/guangdong/shenzhen", "seg:game_engine")
    >>> n == len(recommend_targets(ix, "cn/guangdong/shenzhen", "seg:game_engine", k=10**6, forms=False))
    True
    """
    focus = _as_focus(segments)
    rows = np.unique(np.concatenate([ix.members(f.segment)[0] for f in focus] or [np.zeros(0, np.int64)]))
    keep = ix.is_firm()[rows] & ~ix.local_mask(region, extra_local)[rows]
    skip = [ix.pos[e] for e in exclude if e in ix.pos]
    if skip:
        keep &= ~np.isin(rows, skip)
    return int(keep.sum())


def recommend_targets(
    ix: ChainIndex,
    region: str,
    segments,
    *,
    k: int = 10,
    settings=None,
    weights: Mapping[str, float] | None = None,
    exclude: Iterable[str] = (),
    extra_local: Iterable[str] = (),
    forms: bool = True,
    rules: FormRules | None = None,
) -> list[Target]:
    """Rank firms outside ``region`` to recruit for ``segments``.

    Parameters
    ----------
    ix : ChainIndex
        The index.
    region : str
        The attracting region id (its sub-regions are local too).
    segments : str, list of str or Focus, or mapping segment -> factor
        The gap segment(s); see :func:`focus_from_gaps` for a whole chain.
    k : int
        How many targets.
    settings : Settings, optional
        Weights and recent/stale windows (defaults when ``None``).
    weights : mapping, optional
        Overrides ``settings.recommend_weights``.
    exclude : iterable of str
        Organisation ids never to return (e.g. landed, rejected).
    extra_local : iterable of str
        Ids that count as local although registered elsewhere (landed firms).
    forms : bool
        Choose the attraction form of each result.
    """
    w = {**weights_from(settings, "recommend_weights"), **(weights or {})}
    recent = getattr(settings, "recent_months", 18)
    stale_m = getattr(settings, "stale_months", 24)
    as_of = ix.as_of or "9999-12-31"
    local = ix.local_mask(region, extra_local)
    excluded = {ix.pos[e] for e in exclude if e in ix.pos}
    firm = ix.is_firm()
    rows_l, fit_l, seg_l, foc_l = [], [], [], []
    focus = _as_focus(segments)
    for i, f in enumerate(focus):
        rows, conf, confirmed = ix.members(f.segment)
        keep = firm[rows] & ~local[rows]
        if excluded:
            keep &= ~np.isin(rows, list(excluded))
        rows_l.append(rows[keep])
        fit_l.append(conf[keep] * np.where(confirmed[keep], 1.0, PREDICTED_FACTOR) * f.factor)
        seg_l.append(np.full(int(keep.sum()), ix.segment(f.segment)))
        foc_l.append(np.full(int(keep.sum()), i))
    rows = np.concatenate(rows_l) if rows_l else np.zeros(0, np.int64)
    if len(rows) == 0:
        return []
    fit = np.concatenate(fit_l).astype(np.float64)
    seg = np.concatenate(seg_l)
    foc = np.concatenate(foc_l)
    # one entry per firm: its best-fitting focus segment
    order = np.lexsort((-fit, rows))
    first = np.ones(len(order), bool)
    first[1:] = rows[order][1:] != rows[order][:-1]
    pick = order[first]
    rows, fit, seg, foc = rows[pick], fit[pick], seg[pick], foc[pick]

    t = local_ties(ix, rows, local)
    pull = saturate(t.customer_imp + 0.5 * t.supplier_imp + 0.5 * t.other_imp, 3.0)
    pr = ix.centrality[rows]
    top_pr = np.zeros(len(focus))
    np.maximum.at(top_pr, foc, pr)
    central = np.divide(pr, top_pr[foc], out=np.zeros_like(pr), where=top_pr[foc] > 0)
    lead = (0.35 * saturate(ix.employees[rows], 1000.0) + 0.25 * ix.tier[rows]
            + 0.2 * ix.revenue[rows] / 4.0 + 0.2 * central)
    site = ix.has_site_in(rows, region).astype(np.float64)
    stage1 = w["gap_fit"] * fit + w["chain_pull"] * pull + w["leadership"] * lead - w["local_site"] * site
    recent_day, stale_day = (int(x) for x in to_days([months_before(as_of, recent), months_before(as_of, stale_m)]))
    cuts = (recent_day, stale_day)
    done: list[tuple[float, int, list[Part]]] = []
    if ix.last_financing is not None:
        # record dates are in the index: every part of every candidate at once
        fin, new_site, rec_day = ix.last_financing[rows], ix.last_site[rows], ix.record_as_of[rows]
        exp = 0.6 * (fin >= recent_day) + 0.4 * (new_site >= recent_day)
        stale = ((rec_day != NO_DATE) & (rec_day < stale_day)).astype(np.float64)
        totals = stage1 + w["expansion"] * exp - w["stale"] * stale
        for j in np.lexsort((rows, -totals))[:k]:
            dates = (int(fin[j]), int(new_site[j]), int(rec_day[j]))
            parts = _parts(ix, int(rows[j]), j, dates, w, fit, pull, lead, central, site, t, focus[foc[j]], cuts)
            done.append((total(parts), j, parts))
    else:
        # fetch full records in score order until no one left can enter the top k
        ranked = np.lexsort((rows, -stage1))
        step = max(2 * k, 16)
        for start in range(0, len(ranked), step):
            chunk = ranked[start:start + step]
            if len(done) >= k and sorted(d[0] for d in done)[-k] >= stage1[chunk[0]] + w["expansion"]:
                break
            recs = ix.details([ix.org_ids[rows[j]] for j in chunk])
            for j in chunk:
                r = int(rows[j])
                dates = _record_dates(recs.get(ix.org_ids[r]))
                parts = _parts(ix, r, j, dates, w, fit, pull, lead, central, site, t, focus[foc[j]], cuts)
                done.append((total(parts), j, parts))
    done.sort(key=lambda d: (-d[0], rows[d[1]]))
    out = []
    for rank, (score, j, parts) in enumerate(done[:k], 1):
        r = int(rows[j])
        f = focus[foc[j]]
        sid = ix.seg_ids[seg[j]]
        form = attraction_form(ix, ix.org_ids[r], sid, region, rules=rules or FormRules(), local=local,
                               recent_months=recent, as_of=as_of) if forms else None
        links = tie_links(ix, r, local)[:10]
        partners = sorted({ix.org_ids[x] for i in links for x in (ix.src[i], ix.dst[i]) if x != r})
        evidence = tuple([ix.org_ids[r], sid] + [ix.link_ids[i] for i in links] + partners
                         + list(form.evidence if form else ()))
        zh, en = _reasons(ix, r, sid, f.gap, t, j, parts, form)
        out.append(Target(rank, ix.org_ids[r], ix.name_zh[r], ix.name_en[r], ix.regions[ix.region[r]] or None,
                          sid, f.gap, score, tuple(parts), tuple(dict.fromkeys(evidence)), zh, en, form))
    return out


def _record_dates(rec) -> tuple[int, int, int] | None:
    """(latest financing, latest new site, record as-of) in days, or ``None`` without a record."""
    if rec is None:
        return None
    days = to_days([max((f.date for f in rec.financing), default=None),
                    max((x.since for x in rec.sites if x.since), default=None), rec.provenance.as_of])
    return int(days[0]), int(days[1]), int(days[2])


def _parts(ix, r, j, dates, w, fit, pull, lead, central, site, t, f, cuts) -> list[Part]:
    recent_day, stale_day = cuts
    conf_note = f"member of {f.segment}" + (f" ({f.gap} gap, weight {f.factor:.2f})" if f.gap else "")
    conf_zh = f"属于 {f.segment}" + (f"（{gap_zh_of(f.gap, f.gap)}缺口，权重 {f.factor:.2f}）" if f.gap else "")
    parts = [
        part("gap_fit", w, fit[j], conf_note, note_zh=conf_zh),
        part("chain_pull", w, pull[j], f"{int(t.customers[j])} local customers, {int(t.suppliers[j])} local "
             f"suppliers, {int(t.other[j])} other local ties",
             note_zh=f"本地客户 {int(t.customers[j])} 家、本地供应商 {int(t.suppliers[j])} 家、"
                     f"其他本地关系 {int(t.other[j])} 条"),
        part("leadership", w, lead[j], f"{ix.employees[r]:.0f} employees, tier value {ix.tier[r]:.1f}, "
             f"revenue band {int(ix.revenue[r])}/4, {int(t.reach[j])} customers overall, supply centrality "
             f"{central[j]:.2f} of the segment's best",
             note_zh=f"从业 {ix.employees[r]:.0f} 人，梯队值 {ix.tier[r]:.1f}，营收档 {int(ix.revenue[r])}/4，"
                     f"客户共 {int(t.reach[j])} 家，供应链中心度为本环节最高者的 {central[j]:.2f}"),
    ]
    if dates is None:
        parts.append(part("expansion", w, 0.0, "no record details available", note_zh="无企业详情记录"))
        stale_fig, stale_note, stale_zh = 0.0, "no record details available", "无企业详情记录"
    else:
        fin, new_site, rec_day = dates
        fig = 0.6 * (fin >= recent_day) + 0.4 * (new_site >= recent_day)
        parts.append(part("expansion", w, fig, f"latest financing {from_days(fin) or 'none'}, latest new site "
                          f"{from_days(new_site) or 'none'} (recent since {from_days(recent_day)})",
                          note_zh=f"最近融资 {from_days(fin) or '无'}，最近新设站点 {from_days(new_site) or '无'}"
                                  f"（{from_days(recent_day)} 起算近期）"))
        stale_fig = 1.0 if rec_day != NO_DATE and rec_day < stale_day else 0.0
        stale_note = f"record as of {from_days(rec_day) or 'unknown'} (stale before {from_days(stale_day)})"
        stale_zh = f"数据日期 {from_days(rec_day) or '未知'}（早于 {from_days(stale_day)} 视为陈旧）"
    parts.append(penalty("local_site", w, site[j], "already has a site in the region" if site[j]
                         else "no site in the region yet",
                         note_zh="已在本地区设点" if site[j] else "尚未在本地区设点"))
    parts.append(penalty("stale", w, stale_fig, stale_note, note_zh=stale_zh))
    return parts


def _reasons(ix, r, sid, gap, t, j, parts, form) -> tuple[str, str]:
    s = ix.segment(sid)
    p = {x.name: x for x in parts}
    city = city_key(ix.regions[ix.region[r]])
    city_zh, city_en = (region_name(city, "zh") or "地区不详"), (region_name(city, "en") or "region unknown")
    gap_zh = gap_zh_of(gap)
    n = int(t.customers[j])
    zh = [f"{ix.label(r)}（{city_zh}）属{ix.seg_name_zh[s]}环节{'（' + gap_zh + '）' if gap_zh else ''}",
          f"已向{n}家本地企业供货" if n else "暂无本地客户"]
    en = [f"{ix.name_en[r] or ix.label(r)} ({city_en}) is in {ix.seg_name_en[s] or sid}"
          + (f" ({gap} gap)" if gap else ""),
          (f"supplies {n} local firm{'s' if n > 1 else ''}") if n else "no local customers yet"]
    if ix.tier[r] > 0:
        zh.append("重点梯队企业")
        en.append("a tiered firm")
    if p["expansion"].figure > 0:
        zh.append("近期融资或扩张")
        en.append("recently financed or expanding")
    if p["local_site"].figure > 0:
        zh.append("已在本地设点（扣分）")
        en.append("already has a local site (penalised)")
    if form is not None:
        zh.append(f"建议引进形式：{form.form_zh}")
        en.append(f"suggested form: {FORMS_EN[form.form]}")
    return "，".join(zh) + "。", "; ".join(en) + "."
