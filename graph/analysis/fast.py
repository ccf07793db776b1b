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


def _runs_inv(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_uniq_inv` of an already sorted ``x``: its values come in runs."""
    flag = np.r_[True, x[1:] != x[:-1]] if x.size else np.zeros(0, bool)
    return x[flag], np.cumsum(flag) - 1


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


_DERIVED = {"firm", "fo", "fs", "fw", "fp", "csr_start", "csr_deg", "csr_seg", "out_w", "out_n",
            "e1_link", "e1_seg", "e1_dst", "e2_row", "e2_edge", "e2_src", "e2_w"}


def derive(a: GraphArrays) -> dict:
    """Region-independent indexes of an array view, computed once and kept in ``a.derived``.

    Firm memberships in organisation order (``fo``, ``fs``, ``fw``, ``fp``), their
    CSR offsets (``csr_start``, ``csr_deg``, ``csr_seg``) and out-degrees
    (``out_w``, ``out_n``): what every region's aggregates share. And the two
    national expansions a whole-graph analysis (every segment) would otherwise
    redo per region: every supplies link once per counted segment of its
    supplier (``e1_*``: link, supplier segment, buyer; sorted by segment and buyer), and every such row once
    per counted segment of its buyer where the two segments form a chain edge
    (``e2_*``: the ``e1`` row, the edge's index in ``a.edges``, the supplier
    and the weight). A region then selects the rows whose buyer is local
    instead of expanding its links again. Saved with the view
    (:meth:`GraphArrays.save`), so a loaded view skips this work.
    """
    d = a.derived
    if set(d) != _DERIVED:  # none yet, or an incomplete set read from disk: computed whole
        d.clear()
        n, nseg = len(a.org_id), len(a.segments)
        firm = a.org_kind == a.firm_code
        mf = firm[a.mem_org]
        fo, fs, fw, fp = a.mem_org[mf], a.mem_seg[mf], a.mem_w[mf], a.mem_pred[mf]
        if fo.size and not np.all(fo[1:] >= fo[:-1]):
            order = np.argsort(fo, kind="stable")
            fo, fs, fw, fp = fo[order], fs[order], fw[order], fp[order]
        start, deg, seg = _csr(fo, fs, n)
        csr = start, deg, seg
        e1_link, e1_seg = _expand(a.sup_src, csr)
        e1_dst = a.sup_dst[e1_link]
        # rows by (supplier segment, buyer, link): a region's rows come with their (segment, buyer) keys in
        # runs, so grouping them needs no sort; within a key the rows keep the links' order
        order = np.lexsort((e1_link, e1_dst, e1_seg))
        e1_link, e1_seg, e1_dst = e1_link[order], e1_seg[order], e1_dst[order]
        table = _edge_table(a, np.ones(nseg, bool), [m.id for m in a.segments])[0]
        rep2, dseg = _expand(e1_dst, csr)
        e = table[e1_seg[rep2] * nseg + dseg] if rep2.size else rep2
        hit = np.flatnonzero(e >= 0)
        e2_row = rep2[hit]
        d.update(firm=firm, fo=fo, fs=fs, fw=fw, fp=fp, csr_start=start, csr_deg=deg, csr_seg=seg,
                 out_w=_r(np.bincount(a.sup_src, a.sup_w, minlength=n)),
                 out_n=np.bincount(a.sup_src, minlength=n),
                 e1_link=e1_link.astype(np.intp), e1_seg=e1_seg.astype(np.intp), e1_dst=e1_dst,
                 e2_row=e2_row.astype(np.intp), e2_edge=e[hit].astype(np.intp),
                 e2_src=a.sup_src[e1_link[e2_row]], e2_w=a.sup_w[e1_link[e2_row]])
    return d


def _edge_table(a: GraphArrays, want: np.ndarray, seg_ids: list[str]):
    """The chain edges inside the wanted segments, as (segment pairs, a code table: u * nseg + v -> edge)."""
    nseg = len(seg_ids)
    sidx = {s: j for j, s in enumerate(seg_ids)}
    edges = [(sidx[u], sidx[v]) for u, v, _ in a.edges if u in sidx and v in sidx and want[sidx[u]] and want[sidx[v]]]
    table = np.full(nseg * nseg, -1, dtype=np.int64)
    for k, (u, v) in enumerate(edges):
        table[u * nseg + v] = k
    return table, edges


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
    ldst = local[dst]
    li = np.flatnonzero(ldst)  # links into local organisations, in id order
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

    # supplies into local orgs, one row per (link, segment of its supplier); lk: the row's link
    if segments is None:  # the national expansion, its rows into local orgs (same rows, same order)
        kept1 = local[der["e1_dst"]]
        rows1 = np.flatnonzero(kept1)
        lk, rseg = der["e1_link"][rows1], der["e1_seg"][rows1]
    else:
        rep, rseg = _expand(l_src, csr)
        lk = li[rep]
    r_src, r_dst, r_w = src[lk], dst[lk], w[lk]
    # buyers of external members
    ext_rows = np.flatnonzero(~local[r_src])
    bkey, binv = (_runs_inv if segments is None else _uniq_inv)(rseg[ext_rows].astype(np.int64) * n + r_dst[ext_rows])
    bw = _r(np.bincount(binv, r_w[ext_rows], minlength=bkey.size))
    local_buyers = np.bincount(bkey // n, minlength=nseg)
    top_b = _by_group(_ranked(bkey // n, bw, bkey % n, cap), bkey // n, nseg)
    top_bl = _by_group(ext_rows[_ranked(rseg[ext_rows], _r(r_w[ext_rows]), lk[ext_rows], cap)], rseg, nseg)

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
    platforms: dict[int, list[int]] = {}  # segment -> platform org indices (id order is index order)
    for o, s in zip(a.mem_org[plat].tolist(), a.mem_seg[plat].tolist(), strict=True):
        platforms.setdefault(s, []).append(o)

    cited: set[int] = set()
    detail = {}
    for j in np.flatnonzero(want).tolist():
        eo = wo[tops_ext[j]]  # the segment's top external suppliers: their figures gathered at once
        k = np.minimum(np.searchsorted(sole_key, j * n + eo), max(sole_key.size - 1, 0))
        sole = np.where(sole_key[k] == j * n + eo, sole_cnt[k], 0) if sole_key.size else np.zeros(eo.size, int)
        flows = [Flow(oid, rv, rn, buyers_n[o], so, tuple(a.sup_id[links_of[o]].tolist()))
                 for o, oid, rv, rn, so in zip(eo.tolist(), a.org_id[eo].tolist(), recv[eo].tolist(),
                                               recv_n[eo].tolist(), sole.tolist(), strict=True)]
        idx = [int(wo[r]) for r in np.concatenate([tops_loc[j], tops_tier[j], tops_sent[j], tops_ext[j]])]
        bsel = top_b[j]
        cited.update(idx, (bkey[bsel] % n).tolist())
        plat_idx = sorted(platforms.get(j, []))
        cited.update(plat_idx[:cap])
        plats = [str(x) for x in a.org_id[plat_idx].tolist()] if plat_idx else []
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
            buyer_link_ids=tuple(a.sup_id[lk[top_bl[j]]].tolist()),
        )
    if segments is None:
        flows = _edge_flows_national(a, der, seg_ids, kept1, local)
    else:
        flows = _edge_flows(a, want, seg_ids, rseg, r_src, r_dst, r_w, local, csr)
    ci = np.array(sorted(cited), dtype=np.intp)  # the cited organisations' columns gathered at once
    orgs = {
        oid: FirmInfo(oid, a.kinds[k], a.regions[r] if r >= 0 else None, zh, en,
                      None if emp_i != emp_i else int(emp_i), a.bands[b] if b >= 0 else None, a.tiers.get(i, ()))
        for i, oid, k, r, zh, en, emp_i, b in zip(
            ci.tolist(), a.org_id[ci].tolist(), a.org_kind[ci].tolist(), a.org_region[ci].tolist(),
            a.org_name_zh[ci].tolist(), a.org_name_en[ci].tolist(), a.org_employees[ci].tolist(),
            a.org_band[ci].tolist(), strict=True)
    }
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
        pairs = _uniq(s.astype(np.int64) * n + l_dst[sel])  # distinct (supplier, buyer), sorted by supplier
        who, nb = _uniq(pairs // n, counts=True)
        buyers = dict(zip(who.tolist(), nb.tolist(), strict=True))
        for a, b in zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True):
            links_of[int(s[a])] = li[sel[a:b][:cap]]
    return links_of, buyers, bought


def _edge_flows(a, want, seg_ids, rseg, r_src, r_dst, r_w, local, csr):
    """Supplies from members of u to local member firms of v, for edges inside the wanted set."""
    nseg = len(seg_ids)
    table, edges = _edge_table(a, want, seg_ids)
    if not edges:
        return {}
    rep2, dseg = _expand(r_dst, csr)
    e = table[rseg[rep2] * nseg + dseg]
    hit = np.flatnonzero(e >= 0)
    rows = rep2[hit]
    return _flows_out(seg_ids, edges, e[hit] * 2 + local[r_src[rows]], r_w[rows])


def _edge_flows_national(a, der, seg_ids, kept1, local):
    """:func:`_edge_flows` for every segment, from the national expansion: its rows into local orgs."""
    edges = _edge_table(a, np.ones(len(seg_ids), bool), seg_ids)[1]
    if not edges:
        return {}
    hit = np.flatnonzero(kept1[der["e2_row"]])
    return _flows_out(seg_ids, edges, der["e2_edge"][hit] * 2 + local[der["e2_src"][hit]], der["e2_w"][hit])


def _flows_out(seg_ids, edges, code, weight):
    """:class:`EdgeFlow` per edge from row codes (edge * 2 + supplier is local) and weights."""
    sums = _r(np.bincount(code, weight, minlength=2 * len(edges))).reshape(len(edges), 2)
    cnt = np.bincount(code, minlength=2 * len(edges)).reshape(len(edges), 2).sum(axis=1)
    lw, ew = sums[:, 1], sums[:, 0]
    return {(seg_ids[u], seg_ids[v]): EdgeFlow(seg_ids[u], seg_ids[v], float(lw[k]), float(ew[k]), int(cnt[k]))
            for k, (u, v) in enumerate(edges)}
