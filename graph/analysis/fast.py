"""The aggregates with numpy over :class:`~graph.analysis.arrays.GraphArrays`.

Computes exactly what :func:`graph.analysis.aggregates.chain_aggregates`
computes from the networkx view (a test checks they are equal on the sample
world and on random worlds), with group-bys as ``bincount`` and sorts, so one
city of a 1M-firm / 5M-link graph aggregates in a fraction of a second.

Examples
--------
>>> from fixtures.world import load_world
>>> from graph.analysis.arrays import GraphArrays
>>> b, _ = load_world()
>>> aggs = aggregates_from_arrays(GraphArrays.from_batch(b), "cn/guangdong/shenzhen")
>>> aggs.detail["seg:game_engine"].local_buyers, aggs.detail["seg:xr_sensors"].sent_top[0][0]
(10, 'org:f0531')
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from graph.analysis.aggregates import (
    CAP,
    ChainAggregates,
    EdgeFlow,
    FirmInfo,
    Flow,
    SegmentAggregate,
)
from graph.analysis.arrays import GraphArrays
from graph.analysis.common import is_local, level_of, unit_at

__all__ = ["aggregates_from_arrays", "derive"]


def _r(x):
    return np.round(x, 9)


def _uniq(x: np.ndarray, counts: bool = False):
    """Sorted distinct values (and their counts): sort-based, far faster than hashing here."""
    s = np.sort(x)
    first = np.flatnonzero(np.r_[True, s[1:] != s[:-1]]) if s.size else np.zeros(0, dtype=np.int64)
    if not counts:
        return s[first]
    return s[first], np.diff(np.r_[first, s.size])


def _uniq_inv(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct values and, per element, the index of its value."""
    order = np.argsort(x)
    s = x[order]
    flag = np.r_[True, s[1:] != s[:-1]] if s.size else np.zeros(0, bool)
    inv = np.empty(x.size, dtype=np.int64)
    inv[order] = np.cumsum(flag) - 1
    return s[flag], inv


def _ranked(group: np.ndarray, value: np.ndarray, tie: np.ndarray, cap: int) -> np.ndarray:
    """Positions sorted by (group, value desc, tie), at most ``cap`` per group."""
    if group.size == 0:
        return np.zeros(0, dtype=np.int64)
    if group.max() < 32767:  # small codes sort by radix: linear time
        group = group.astype(np.int16)
    order = np.argsort(group, kind="stable")
    g = group[order]
    cuts = np.flatnonzero(np.r_[True, g[1:] != g[:-1], True])
    out = []
    for a, b in zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True):
        rows = order[a:b]
        if rows.size > cap:  # keep every row tied with the cap-th largest, then sort exactly
            v = value[rows]
            rows = rows[v >= np.partition(v, rows.size - cap)[rows.size - cap]]
        out.append(rows[np.lexsort((tie[rows], -value[rows]))][:cap])
    return np.concatenate(out)


_DERIVED = {"firm", "fo", "fs", "fw", "fp", "csr_start", "csr_deg", "csr_seg", "out_w", "out_n"}


def derive(a: GraphArrays) -> dict:
    """Region-independent indexes of an array view, computed once and kept in ``a.derived``.

    Firm memberships in organisation order (``fo``, ``fs``, ``fw``, ``fp``), their
    CSR offsets (``csr_start``, ``csr_deg``, ``csr_seg``) and out-degrees
    (``out_w``, ``out_n``): what every region's aggregates share. Saved with the
    view (:meth:`GraphArrays.save`), so a loaded view skips this work.
    """
    d = a.derived
    if set(d) != _DERIVED:  # none yet, or an incomplete set read from disk: computed whole
        d.clear()
        n = len(a.org_id)
        firm = a.org_kind == a.firm_code
        mf = firm[a.mem_org]
        fo, fs, fw, fp = a.mem_org[mf], a.mem_seg[mf], a.mem_w[mf], a.mem_pred[mf]
        if fo.size and not np.all(fo[1:] >= fo[:-1]):
            order = np.argsort(fo, kind="stable")
            fo, fs, fw, fp = fo[order], fs[order], fw[order], fp[order]
        start, deg, seg = _csr(fo, fs, n)
        d.update(firm=firm, fo=fo, fs=fs, fw=fw, fp=fp, csr_start=start, csr_deg=deg, csr_seg=seg,
                 out_w=_r(np.bincount(a.sup_src, a.sup_w, minlength=n)),
                 out_n=np.bincount(a.sup_src, minlength=n))
    return d


def _csr(m_org: np.ndarray, m_seg: np.ndarray, n: int):
    """Memberships grouped by organisation: (start, degree, segments in org order)."""
    if m_org.size and np.all(m_org[1:] >= m_org[:-1]):
        ss = m_seg
    else:
        order = np.argsort(m_org, kind="stable")
        ss = m_seg[order]
    deg = np.bincount(m_org, minlength=n)
    return np.concatenate(([0], np.cumsum(deg)[:-1])), deg, ss


def _expand(rows_org: np.ndarray, csr):
    """For each row's organisation, one output row per membership: (row index, segment)."""
    start, deg, ss = csr
    cnt = deg[rows_org]
    if cnt.size and cnt.max() <= 1:  # one membership each (the common case): no repeat needed
        rep = np.flatnonzero(cnt)
        return rep, ss[start[rows_org[rep]]]
    rep = np.repeat(np.arange(rows_org.size), cnt)
    offs = np.arange(rep.size) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    return rep, ss[start[rows_org[rep]] + offs] if rep.size else ss[:0]


def _by_group(rows: np.ndarray, group: np.ndarray, size: int) -> list[np.ndarray]:
    """Split already-sorted positions ``rows`` by ``group[rows]`` into ``size`` lists."""
    out = [rows[:0]] * size
    if rows.size:
        g = group[rows]
        cuts = np.flatnonzero(np.r_[True, g[1:] != g[:-1], True])
        for a, b in zip(cuts[:-1], cuts[1:], strict=True):
            out[int(g[a])] = rows[a:b]
    return out


def aggregates_from_arrays(
    a: GraphArrays, region: str, segments: Collection[str] | None = None, *, cap: int = CAP
) -> ChainAggregates:
    """Compute :class:`~graph.analysis.aggregates.ChainAggregates` for ``region`` with numpy."""
    level = level_of(region)
    n, nseg = len(a.org_id), len(a.segments)
    seg_ids = [m.id for m in a.segments]
    region_local = np.array([is_local(r, region) for r in a.regions] + [False])
    local = region_local[a.org_region]
    local[a.land_org[region_local[a.land_region]]] = True  # a landed site makes the firm local
    units = sorted({u for r in a.regions if (u := unit_at(r, level))})
    ucode = {u: i for i, u in enumerate(units)}
    region_unit = np.array([ucode.get(unit_at(r, level), -1) for r in a.regions] + [-1])
    org_unit = region_unit[a.org_region]
    der = derive(a)
    firm, fo, fs, fw, fp = der["firm"], der["fo"], der["fs"], der["fw"], der["fp"]
    fcsr = der["csr_start"], der["csr_deg"], der["csr_seg"]
    floc = local[fo]
    local_counts = np.bincount(fs[floc], minlength=nseg)
    local_pred = np.bincount(fs[floc & fp], minlength=nseg)
    local_w = _r(np.bincount(fs[floc], fw[floc], minlength=nseg))
    u = org_unit[fo]
    pres = np.bincount(u[u >= 0] * nseg + fs[u >= 0], minlength=len(units) * nseg).reshape(len(units), nseg)
    if a.land_org.size:  # a firm counts once in each further unit it landed in
        lu = region_unit[a.land_region]
        pairs = _uniq(a.land_org[lu >= 0].astype(np.int64) * (len(units) + 1) + lu[lu >= 0])
        po, pu = pairs // (len(units) + 1), pairs % (len(units) + 1)
        po, pu = po[pu != org_unit[po]], pu[pu != org_unit[po]]
        rep, seg = _expand(po, fcsr)
        if rep.size:
            pres += np.bincount(pu[rep] * nseg + seg, minlength=len(units) * nseg).reshape(len(units), nseg)
    if segments is None:
        want = np.ones(nseg, bool)
        wo, ws, wl, csr = fo, fs, floc, fcsr
    else:
        want = np.isin(seg_ids, list(segments))
        keep = want[fs]
        wo, ws, wl = fo[keep], fs[keep], floc[keep]
        csr = _csr(wo, ws, n)

    src, dst, w = a.sup_src, a.sup_dst, a.sup_w
    out_w, out_n = der["out_w"], der["out_n"]
    li = np.flatnonzero(local[dst])  # links into local organisations, in id order
    l_src, l_dst, l_w = src[li], dst[li], w[li]
    recv = _r(np.bincount(l_src, l_w, minlength=n))
    recv_n = np.bincount(l_src, minlength=n)

    members_total = np.bincount(ws, minlength=nseg)
    members_ext = np.bincount(ws[~wl], minlength=nseg)
    links_out = np.bincount(ws, weights=out_n[wo], minlength=nseg)
    sent = out_w[wo]
    sent_total = _r(np.bincount(ws[wl], sent[wl], minlength=nseg))
    sent_sumsq = _r(np.bincount(ws[wl], sent[wl] ** 2, minlength=nseg))
    recv_total = _r(np.bincount(ws, recv[wo], minlength=nseg))
    recv_local = _r(np.bincount(ws[wl], recv[wo][wl], minlength=nseg))
    ext_sup = ~wl & (recv_n[wo] > 0)
    n_ext_sup = np.bincount(ws[ext_sup], minlength=nseg)

    # supplies into local orgs, one row per (link, segment of its supplier)
    rep, rseg = _expand(l_src, csr)
    r_src, r_dst, r_w = l_src[rep], l_dst[rep], l_w[rep]
    # buyers of external members
    ext_rows = np.flatnonzero(~local[r_src])
    bkey, binv = _uniq_inv(rseg[ext_rows].astype(np.int64) * n + r_dst[ext_rows])
    bw = _r(np.bincount(binv, r_w[ext_rows], minlength=bkey.size))
    local_buyers = np.bincount(bkey // n, minlength=nseg)
    top_b = _by_group(_ranked(bkey // n, bw, bkey % n, cap), bkey // n, nseg)
    top_bl = _by_group(ext_rows[_ranked(rseg[ext_rows], _r(r_w[ext_rows]), li[rep[ext_rows]], cap)], rseg, nseg)

    wrows = np.arange(ws.size)
    tops_sent = _by_group(wrows[wl][_ranked(ws[wl], sent[wl], wo[wl], cap)], ws, nseg)
    tops_sent = [x[sent[x] > 0] for x in tops_sent]
    er = wrows[ext_sup]
    tops_ext = _by_group(er[_ranked(ws[er], recv[wo[er]], wo[er], cap)], ws, nseg)
    links_of, buyers_n, bought = _supplier_links(wo[np.concatenate([np.zeros(0, np.intp), *tops_ext])], l_src, l_dst, l_w, li, n, cap)
    # sole suppliers: local buyers with exactly one supplier within a segment (only the flows' buyers matter)
    sub = np.flatnonzero(bought[r_dst])
    trip = _uniq((r_dst[sub].astype(np.int64) * nseg + rseg[sub]) * n + r_src[sub])
    _key, cnt = _uniq(trip // n, counts=True)  # trip is sorted: its keys come in runs
    sole_trip = trip[np.repeat(cnt == 1, cnt)]
    sole_key, sole_cnt = _uniq((sole_trip // n % nseg) * n + sole_trip % n, counts=True)
    emp = np.nan_to_num(a.org_employees, nan=-1.0)
    lr = wrows[wl]
    tops_loc = _by_group(lr[_ranked(ws[lr], emp[wo[lr]], wo[lr], cap)], ws, nseg)
    loc_emp = np.bincount(ws[wl], np.nan_to_num(a.org_employees)[wo[wl]], minlength=nseg)
    tiered = np.zeros(n, bool)
    tiered[list(a.tiers)] = True
    tr = lr[tiered[wo[lr]]]
    n_tier = np.bincount(ws[tr], minlength=nseg)
    tops_tier = _by_group(tr[_ranked(ws[tr], emp[wo[tr]], wo[tr], cap)], ws, nseg)
    band = a.org_band[wo]
    hb = wl & (band >= 0)
    bands = np.bincount(ws[hb] * max(len(a.bands), 1) + band[hb], minlength=nseg * max(len(a.bands), 1))
    bands = bands.reshape(nseg, max(len(a.bands), 1))
    plat = ~firm[a.mem_org] & local[a.mem_org] & want[a.mem_seg]
    platforms: dict[int, list[str]] = {}
    for o, s in zip(a.mem_org[plat].tolist(), a.mem_seg[plat].tolist(), strict=True):
        platforms.setdefault(s, []).append(str(a.org_id[o]))

    cited: set[int] = set()
    detail = {}
    for j in np.flatnonzero(want).tolist():
        flows = []
        for row in tops_ext[j]:
            o = int(wo[row])
            k = min(int(np.searchsorted(sole_key, j * n + o)), max(sole_key.size - 1, 0))
            sole = int(sole_cnt[k]) if sole_key.size and sole_key[k] == j * n + o else 0
            flows.append(Flow(str(a.org_id[o]), float(recv[o]), int(recv_n[o]), buyers_n[o], sole,
                              tuple(a.sup_id[links_of[o]].tolist())))
        idx = [int(wo[r]) for r in np.concatenate([tops_loc[j], tops_tier[j], tops_sent[j], tops_ext[j]])]
        bsel = top_b[j]
        cited.update(idx, (bkey[bsel] % n).tolist())
        plats = sorted(platforms.get(j, []))
        detail[seg_ids[j]] = SegmentAggregate(
            segment=seg_ids[j],
            local_firms=int(local_counts[j]),
            local_predicted=int(local_pred[j]),
            local_weight=float(local_w[j]),
            local_firm_ids=tuple(a.org_id[wo[tops_loc[j]]].tolist()),
            local_employees=int(loc_emp[j]),
            revenue_bands={a.bands[k]: int(c) for k, c in enumerate(bands[j]) if c and a.bands},
            tier_firms=int(n_tier[j]),
            tier_firm_ids=tuple(a.org_id[wo[tops_tier[j]]].tolist()),
            platforms=len(plats),
            platform_ids=tuple(plats[:cap]),
            members_total=int(members_total[j]),
            members_external=int(members_ext[j]),
            supply_links_out=int(links_out[j]),
            sent_total=float(sent_total[j]),
            sent_sumsq=float(sent_sumsq[j]),
            sent_top=tuple(zip(a.org_id[wo[tops_sent[j]]].tolist(), sent[tops_sent[j]].tolist(), strict=True)),
            received_total=float(recv_total[j]),
            received_local=float(recv_local[j]),
            external_suppliers=int(n_ext_sup[j]),
            top_external=tuple(flows),
            local_buyers=int(local_buyers[j]),
            buyer_top=tuple(zip(a.org_id[bkey[bsel] % n].tolist(), bw[bsel].tolist(), strict=True)),
            buyer_link_ids=tuple(a.sup_id[li[rep[top_bl[j]]]].tolist()),
        )
    flows = _edge_flows(a, want, seg_ids, rep, rseg, r_src, r_dst, r_w, local, csr)
    orgs = {}
    for i in sorted(cited):
        emp_i = a.org_employees[i]
        b = int(a.org_band[i])
        orgs[str(a.org_id[i])] = FirmInfo(
            str(a.org_id[i]), a.kinds[int(a.org_kind[i])],
            a.regions[int(a.org_region[i])] if a.org_region[i] >= 0 else None,
            str(a.org_name_zh[i]), str(a.org_name_en[i]), None if np.isnan(emp_i) else int(emp_i),
            a.bands[b] if b >= 0 else None, a.tiers.get(i, ()))
    for p in (x for d in detail.values() for x in d.platform_ids):
        orgs.setdefault(p, _info(a, p))
    presence = {units[i]: {seg_ids[j]: int(pres[i, j]) for j in np.flatnonzero(pres[i])}
                for i in range(len(units)) if pres[i].any()}
    return ChainAggregates(
        region, level, {m.id: m for m in a.segments}, tuple(a.edges),
        {s: int(c) for s, c in zip(seg_ids, local_counts.tolist(), strict=True)},
        presence, detail, flows, dict(sorted(orgs.items())),
    )


def _supplier_links(suppliers, l_src, l_dst, l_w, li, n, cap):
    """For a few suppliers: their heaviest links into local orgs (link indices), their number of
    distinct local buyers, and a mask of all those buyers."""
    mark = np.zeros(n, bool)
    mark[suppliers] = True
    sel = np.flatnonzero(mark[l_src])
    bought = np.zeros(n, bool)
    bought[l_dst[sel]] = True
    sel = sel[np.lexsort((li[sel], -_r(l_w[sel]), l_src[sel]))]
    links_of, buyers = {}, {}
    if sel.size:
        s = l_src[sel]
        cuts = np.flatnonzero(np.r_[True, s[1:] != s[:-1], True])
        for a, b in zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True):
            o = int(s[a])
            links_of[o] = li[sel[a:b][:cap]]
            buyers[o] = int(np.unique(l_dst[sel[a:b]]).size)
    return links_of, buyers, bought


def _info(a: GraphArrays, org_id: str) -> FirmInfo:
    i = int(np.searchsorted(a.org_id, org_id))
    emp = a.org_employees[i]
    b = int(a.org_band[i])
    return FirmInfo(org_id, a.kinds[int(a.org_kind[i])],
                    a.regions[int(a.org_region[i])] if a.org_region[i] >= 0 else None,
                    str(a.org_name_zh[i]), str(a.org_name_en[i]), None if np.isnan(emp) else int(emp),
                    a.bands[b] if b >= 0 else None, a.tiers.get(i, ()))


def _edge_flows(a, want, seg_ids, rep, rseg, r_src, r_dst, r_w, local, csr):
    """Supplies from members of u to local member firms of v, for edges inside the wanted set."""
    nseg = len(seg_ids)
    sidx = {s: j for j, s in enumerate(seg_ids)}
    edges = [(sidx[u], sidx[v]) for u, v, _ in a.edges if u in sidx and v in sidx and want[sidx[u]] and want[sidx[v]]]
    out = {}
    if not edges:
        return out
    table = np.full(nseg * nseg, -1, dtype=np.int64)
    for k, (u, v) in enumerate(edges):
        table[u * nseg + v] = k
    rep2, dseg = _expand(r_dst, csr)
    e = table[rseg[rep2] * nseg + dseg]
    hit = np.flatnonzero(e >= 0)
    rows = rep2[hit]
    code = e[hit] * 2 + local[r_src[rows]]  # (edge, supplier is local)
    sums = _r(np.bincount(code, r_w[rows], minlength=2 * len(edges))).reshape(len(edges), 2)
    cnt = np.bincount(code, minlength=2 * len(edges)).reshape(len(edges), 2).sum(axis=1)
    lw, ew = sums[:, 1], sums[:, 0]
    for k, (u, v) in enumerate(edges):
        out[(seg_ids[u], seg_ids[v])] = EdgeFlow(seg_ids[u], seg_ids[v], float(lw[k]), float(ew[k]), int(cnt[k]))
    return out
