"""Entry-backtest design grid on validation windows only (docs/evaluation.md → "Second round").

Every view freezes features at ``v = t0 − h`` (h = 2 or 4 years) and scores
entries in ``(v, t0]``; weights are fitted on windows ending at ``v``. Nothing
after a view's ``t0`` (2014-12-31 or 2016-12-31) is read, so the test windows
of ``chainmatch eval entries`` stay unseen. Prints, per design, the 16 ratios
engine / popularity (MAP and Recall@20 in 8 cells), their minimum and their
geometric mean.

    python scripts/entry_designs.py --data-dir D    # D: chainmatch import chainkg … --data-dir D

Experiment code, not part of the engine: the designs it found worth keeping
are features of graph/analysis/entryfeatures.py.
"""

import argparse
from datetime import date

import numpy as np

from matching.eval.entries import (
    _EPOCH,
    NEGATIVE_PARTS,
    EntryData,
    _cells,
    fit_logistic,
    fit_signed,
)
from matching.eval.metrics import set_metrics


def DAY(s):
    return (date.fromisoformat(s) - _EPOCH).days


Y = 365

MACRO = {  # 7 geographic regions (华北 华东 华南 华中 西南 西北 东北)
    "north": "beijing tianjin hebei shanxi neimenggu inner_mongolia neimengu".split(),
    "east": "shanghai jiangsu zhejiang anhui fujian jiangxi shandong taiwan".split(),
    "south": "guangdong guangxi hainan hongkong macau macao".split(),
    "central": "henan hubei hunan".split(),
    "southwest": "chongqing sichuan guizhou yunnan tibet xizang".split(),
    "northwest": "shaanxi gansu qinghai ningxia xinjiang".split(),
    "northeast": "liaoning jilin heilongjiang".split(),
}


def group_presence(x, groups):
    """x: units × segs counts; groups: per unit group id. returns presence of s in the unit's group, others only."""
    g = np.asarray(groups)
    out = np.zeros_like(x)
    tot = np.zeros(x.shape[0])
    for k in set(g.tolist()):
        m = g == k
        out[m] = x[m].sum(axis=0)[None, :] - x[m]
        tot[m] = x[m].sum() - x[m].sum(axis=1)
    return out, tot


def sat_lq(local, row, nat, total):
    base = nat / total
    share = np.divide(local, row[:, None], out=np.zeros_like(local), where=row[:, None] > 0)
    lq = np.divide(share, base[None, :], out=np.zeros_like(share), where=base[None, :] > 0)
    return lq / (lq + 1.0)


D: dict[str, EntryData] = {}


def macro_of(prov_unit):
    p = prov_unit.split("/")[1]
    for k, v in MACRO.items():
        if p in v:
            return k
    return "other:" + p


def extra(level, day):
    """Extra candidate features at ``day``: units × segs each, in [0,1]."""
    data = D[level]
    x, nat = data.counts(day)
    out = {}
    if level == "city":
        pd = D["province"]
        xp, _ = pd.counts(day)
        pidx = {u: i for i, u in enumerate(pd.units)}
        rows = np.array([pidx.get("/".join(u.split("/")[:2]), -1) for u in data.units])
        prov = (
            np.where(rows[:, None] >= 0, xp[np.maximum(rows, 0)], 0.0) - x
        )  # rest of own province
        prow = prov.sum(axis=1)
        groups = rows
    else:
        groups = np.array([hash(macro_of(u)) % 10007 for u in data.units])
        prov, prow = group_presence(x, groups)
    out["neigh_lq"] = sat_lq(prov, prow, np.maximum(nat, 1e-9), nat.sum())
    out["neigh_any"] = (prov > 0).astype(float)
    out["neigh_log"] = np.log1p(prov) / max(np.log1p(prov).max(), 1e-9)
    # peer presence: cosine-similar regions (by industry mix) that have s
    share = x / np.maximum(x.sum(axis=1, keepdims=True), 1)
    nrm = np.linalg.norm(share, axis=1, keepdims=True)
    sim = (share @ share.T) / np.maximum(nrm @ nrm.T, 1e-12)
    np.fill_diagonal(sim, 0)
    big = x.sum(axis=1) >= 8
    simb = sim * big[None, :]
    out["peer"] = (simb @ (x > 0)) / np.maximum(simb.sum(axis=1, keepdims=True), 1e-12)
    return out


def features(level, day, names):
    data = D[level]
    f = data.features(day)
    ex = None
    cols = []
    for n in names:
        if n in f.names:
            cols.append(f.figure(n))
        else:
            ex = ex or extra(level, day)
            cols.append(ex[n])
    return np.stack(cols, axis=2)


def fit(level, end, names, cutoffs=(730, 1095, 1461), l2=1.0, method="logit", min_firms=8):
    data = D[level]
    rows, ys, grp = [], [], []
    for c in cutoffs:
        F = features(level, end - c, names)
        for r, cand, truth in _cells(data, end - c, end, min_firms)[0]:
            rows.append(F[r][cand])
            ys.append(truth[cand].astype(float))
            grp.append(len(grp))
    f, y = np.concatenate(rows), np.concatenate(ys)

    def one(keep):
        if method == "logit":
            return fit_logistic(f[:, keep], y, l2=l2)[0]
        return fit_clogit([r[:, keep] for r in rows], ys, l2=l2)

    return fit_signed(names, one)


def fit_clogit(rows, ys, l2=1.0):
    from scipy.optimize import minimize

    k = rows[0].shape[1]

    def nll(w):
        tot = 0.0
        g = np.zeros(k)
        for F, y in zip(rows, ys, strict=True):
            s = F @ w
            m = s.max()
            e = np.exp(s - m)
            Z = e.sum()
            p = e / Z
            tot -= (y * (s - m - np.log(Z))).sum()
            g -= (y[:, None] * (F - (p @ F)[None, :])).sum(axis=0)
        return tot + 0.5 * l2 * w @ w, g + l2 * w

    return minimize(nll, np.zeros(k), jac=True, method="L-BFGS-B").x


def score(level, day, end, names, w, min_firms=8):
    data = D[level]
    F = features(level, day, names)
    _, nat = data.counts(day)
    cells, _ = _cells(data, day, end, min_firms)
    res = {"engine": [], "popularity": []}
    for r, cand, truth in cells:
        idx = np.flatnonzero(cand)
        rel = truth[idx]
        res["engine"].append(set_metrics((F[r] @ w)[idx], rel))
        res["popularity"].append(set_metrics(nat[idx], rel))
    return {
        k: (np.mean([m["MAP"] for m in v]), np.mean([m["Recall@20"] for m in v]))
        for k, v in res.items()
    }


def view(level, t0, h, names, **kw):
    end = DAY(t0)
    v = end - h
    w = fit(level, v, names, **kw)
    return score(level, v, end, names, w), w


BASE = [
    "popularity",
    "momentum",
    "spread",
    "density",
    "relatives",
    "demand",
    "size",
    "immovability",
]


def grid(
    designs,
    views=((730,), (1461,)),
    levels=("city", "province"),
    t0s=("2014-12-31", "2016-12-31"),
    **kw,
):
    for name, names in designs.items():
        cells = []
        for lv in levels:
            for t0 in t0s:
                for (h,) in views:
                    r, w = view(lv, t0, h, names, **kw)
                    cells.append(
                        (r["engine"][0] / r["popularity"][0], r["engine"][1] / r["popularity"][1])
                    )
        c = np.array(cells)
        print(
            f"{name:28s} MAPx {' '.join(f'{v:.2f}' for v in c[:, 0])} | R20x {' '.join(f'{v:.2f}' for v in c[:, 1])} | min {c.min():.2f} gmean {np.exp(np.log(c).mean()):.3f}",
            flush=True,
        )


def diag(level, t0, h, scorers_fn):
    data = D[level]
    end = DAY(t0)
    v = end - h
    cells, _ = _cells(data, v, end, 8)
    out = {}
    S = scorers_fn(level, v, end)
    for name, M in S.items():
        ms = [
            set_metrics((M[r] if M.ndim == 2 else M)[np.flatnonzero(c)], t[np.flatnonzero(c)])
            for r, c, t in cells
        ]
        out[name] = (
            round(np.mean([m["MAP"] for m in ms]), 3),
            round(np.mean([m["Recall@20"] for m in ms]), 3),
        )
    return out


def basic_scorers(level, v, end):
    data = D[level]
    x0, nat0 = data.counts(v)
    x1, nat1 = data.counts(end)
    f = data.features(v)
    _, natb = data.counts(v - 730)
    _, natb4 = data.counts(v - 1461)
    return {
        "pop": nat0,
        "future_flow": nat1 - nat0,
        "flow2y": nat0 - natb,
        "flow4y": nat0 - natb4,
        "spread": f.figure("spread")[0],
        "pop+flow": np.log1p(nat0) + np.log1p(nat0 - natb),
        "sqrtpop": np.sqrt(nat0),
    }


def combo_scorers(level, v, end):
    data = D[level]
    x0, nat0 = data.counts(v)
    x1, nat1 = data.counts(end)
    f = data.features(v)
    ex = extra(level, v)
    ff = np.log1p(nat1 - nat0)[None, :]
    out = {"oracle": np.broadcast_to(ff, x0.shape)}
    for n in ("density", "relatives", "demand", "spread", "immovability"):
        for b in (1.0, 3.0):
            out[f"oracle+{b}{n}"] = ff + b * f.figure(n) * (-1 if n == "immovability" else 1)
    for n in ("neigh_lq", "neigh_log", "peer"):
        for b in (1.0, 3.0):
            out[f"oracle+{b}{n}"] = ff + b * ex[n]
    return out


def parent_share(level, vec):
    """Spread a per-segment vector's parent totals back: value of its parent group (siblings incl. itself)."""
    data = D[level]
    par = np.array([-1 if p is None else p for p in data.parents])
    out = np.zeros_like(vec)
    for p in set(par.tolist()):
        if p < 0:
            continue
        m = par == p
        out[m] = vec[m].sum()
    return out, par


def grand(level, vec):
    data = D[level]
    par = np.array([-1 if p is None else p for p in data.parents])
    gp = np.array([par[p] if p >= 0 else -1 for p in par])
    out = np.zeros_like(vec)
    for g in set(gp.tolist()):
        if g < 0:
            continue
        m = gp == g
        out[m] = vec[m].sum()
    return out


def nat_scorers(level, v, end):
    data = D[level]
    _, nat0 = data.counts(v)
    _, nat1 = data.counts(end)
    fl = {k: nat0 - data.counts(v - k * 365)[1] for k in (1, 2, 3, 4, 6)}
    out = {"pop": nat0, "oracle": nat1 - nat0}
    p2, par = parent_share(level, fl[2])
    pp, _ = parent_share(level, nat0)
    g2 = grand(level, fl[2])
    gp = grand(level, nat0)
    rate_p = np.divide(p2, pp, out=np.zeros_like(p2), where=pp > 0)  # parent group growth rate
    rate_g = np.divide(g2, gp, out=np.zeros_like(g2), where=gp > 0)
    for k, f in fl.items():
        out[f"flow{k}"] = f
    out["pop*rate_p"] = nat0 * (rate_p + 0.05)
    out["pop*rate_g"] = nat0 * (rate_g + 0.05)
    out["pop*(rate_p+rate_g)"] = nat0 * (rate_p + rate_g + 0.05)
    out["pop+flow4"] = nat0 + fl[4]
    out["pop+2flow4"] = nat0 + 2 * fl[4]
    out["pop+flow6"] = nat0 + fl[6]
    out["(pop+1)*(rate_g+.1)"] = (nat0 + 1) * (rate_g + 0.1)
    return out


def lognorm(v):
    v = np.log1p(np.maximum(v, 0))
    t = v.max()
    return v / t if t > 0 else v


_extra_orig = extra


def extra(level, day):
    out = _extra_orig(level, day)
    data = D[level]
    x, nat0 = data.counts(day)
    n_r = x.shape[0]
    fl4 = nat0 - data.counts(day - 4 * 365)[1]
    fl2 = nat0 - data.counts(day - 2 * 365)[1]
    p2, _ = parent_share(level, fl2)
    pp, _ = parent_share(level, nat0)
    g2 = grand(level, fl2)
    gp = grand(level, nat0)
    rate = np.divide(p2, pp, out=np.zeros_like(p2), where=pp > 0) + np.divide(
        g2, gp, out=np.zeros_like(g2), where=gp > 0
    )
    def B(v):
        return np.broadcast_to(v, (n_r, v.size))
    out["flow4"] = B(lognorm(fl4))
    out["grouprate"] = B(lognorm(nat0 * (rate + 0.05)))
    out["rate"] = B(rate / max(rate.max(), 1e-9))
    return out


def group_mat(level, kind):
    data = D[level]
    par = np.array([-1 if p is None else p for p in data.parents])
    key = par if kind == "p" else np.array([par[p] if p >= 0 else -1 for p in par])
    G = ((key[:, None] == key[None, :]) & (key[:, None] >= 0)).astype(float)
    return G


_extra2 = extra


def extra(level, day):
    out = _extra2(level, day)
    data = D[level]
    x, nat0 = data.counts(day)
    xb, natb = data.counts(day - 4 * 365)
    dx = x - xb  # local new firms in 4y
    row = dx.sum(axis=1)
    for kind in ("p", "g"):
        G = group_mat(level, kind)
        loc = dx @ G  # r's recent new firms in s's group
        natg = (nat0 - natb) @ G
        out[f"localmom_{kind}"] = sat_lq(
            loc, np.maximum(row, 0), np.maximum(natg, 0) + 1e-9, max((nat0 - natb).sum(), 1)
        )
        out[f"localmomlog_{kind}"] = np.log1p(loc) / max(np.log1p(loc).max(), 1e-9)
        stock = x @ G
        out[f"groupstock_{kind}"] = np.log1p(stock) / max(np.log1p(stock).max(), 1e-9)
    out["localgrowth"] = np.broadcast_to((lognorm(np.maximum(row, 0)))[:, None], x.shape)
    return out


def _obj(rows, ys, w):
    maps, r20 = [], []
    for F, y in zip(rows, ys, strict=True):
        if not y.any():
            continue
        m = set_metrics(F @ w, y.astype(bool), draws=1)
        maps.append(m["MAP"])
        r20.append(m["Recall@20"])
    return np.mean(maps), np.mean(r20)


def fit_search(
    level, end, names, cutoffs=(730, 1095, 1461), l2=1.0, iters=300, seed=0, min_firms=8
):
    data = D[level]
    rows, ys = [], []
    for c in cutoffs:
        F = features(level, end - c, names)
        for r, cand, truth in _cells(data, end - c, end, min_firms)[0]:
            rows.append(F[r][cand])
            ys.append(truth[cand])
    w0 = fit(level, end, names, cutoffs=cutoffs, l2=l2)
    pm = np.mean(
        [_obj([np.c_[F[:, names.index("popularity")]]], [y], np.ones(1)) for F, y in zip(rows, ys, strict=True)],
        axis=0,
    )
    best = w0.copy()
    bm = _obj(rows, ys, best)
    bo = bm[0] / pm[0] + bm[1] / pm[1]
    rng = np.random.default_rng(seed)
    for _i in range(iters):
        cand = best + rng.normal(0, 0.3, best.size) * (rng.random(best.size) < 0.3)
        cand = np.array(
            [min(v, 0) if n in NEGATIVE_PARTS else max(v, 0) for n, v in zip(names, cand, strict=True)]
        )
        m = _obj(rows, ys, cand)
        o = m[0] / pm[0] + m[1] / pm[1]
        if o > bo:
            best, bo = cand, o
    return best


def view2(level, t0, h, names, method, **kw):
    end = DAY(t0)
    v = end - h
    w = (
        fit_search(level, v, names, **kw)
        if method == "search"
        else fit(level, v, names, method=method, **kw)
    )
    return score(level, v, end, names, w), w


def grid2(designs, methods=("logit",), **kw):
    for name, names in designs.items():
        for meth in methods:
            cells = []
            for lv in ("city", "province"):
                for t0 in ("2014-12-31", "2016-12-31"):
                    for h in (730, 1461):
                        r, w = view2(lv, t0, h, names, meth, **kw)
                        cells.append(
                            (
                                r["engine"][0] / r["popularity"][0],
                                r["engine"][1] / r["popularity"][1],
                            )
                        )
            c = np.array(cells)
            print(
                f"{name:16s}{meth:7s} MAPx {' '.join(f'{v:.2f}' for v in c[:, 0])} | R20x {' '.join(f'{v:.2f}' for v in c[:, 1])} | min {c.min():.2f} gmean {np.exp(np.log(c).mean()):.3f}",
                flush=True,
            )


DESIGNS = {
    "base": BASE,
    "+neigh_log": BASE + ["neigh_log"],
    "+peer": BASE + ["peer"],
    "second round (shipped)": BASE + ["growth4", "sector_growth", "sector_presence"],
    "second round + neighbours": BASE
    + ["growth4", "sector_growth", "sector_presence", "neigh_log"],
}


def main() -> None:
    from graph.settings import Settings
    from graph.store import open_store

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--method", default="logit", choices=("logit", "clogit", "search"))
    args = ap.parse_args()
    store = open_store(Settings(data_dir=args.data_dir))
    for level in ("city", "province"):
        D[level] = EntryData.from_store(store, level=level)
    grid2(DESIGNS, methods=(args.method,))


if __name__ == "__main__":
    main()
