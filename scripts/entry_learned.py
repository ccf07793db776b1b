"""A learned-fit entry part (Albora et al. 2023), scored on validation windows only.

Experiment for issue 16, third round (docs/evaluation.md → "Third round").
A supervised model is trained on one window that ends at the freeze date
``d``: features of every region (any size) from records dated ≤ ``d − Δ``,
label = the region gains a firm in the segment in ``(d − Δ, d]``; it is then
applied to the features at ``d``. Its probability is one more feature,
``learned``, beside the 14 entry parts, and the linear weights are fitted as
``--tune`` does (logistic regression on windows ending at the view's freeze).

Views as in scripts/entry_designs.py: ``v = t0 − h`` (h = 2 or 4 years),
features at ``v``, truth = entries in ``(v, t0]``; nothing after a view's
``t0`` (2014-12-31 or 2016-12-31) is read, so the test windows stay unseen.
Ratios are taken to the best baseline of each cell (popularity, density,
demand), MAP and Recall@20 each.

    OMP_NUM_THREADS=1 python scripts/entry_learned.py --data-dir D [--designs "name;name"] [--test]

(one OpenMP thread: scikit-learn's default threads oversubscribe a shared
2-core machine: 20-60 s a model here instead of about 1 s).
"""

from __future__ import annotations

import argparse
import time
from datetime import date

import numpy as np

from matching.eval.entries import (
    _EPOCH,
    EntryData,
    _cells,
    fit_logistic,
    fit_signed,
)
from matching.eval.metrics import set_metrics

Y = 365
D: dict[str, EntryData] = {}
_FEATS: dict = {}
_LEARN: dict = {}


def DAY(s: str) -> int:
    return (date.fromisoformat(s) - _EPOCH).days


def feats(level: str, day: int):
    k = (level, day)
    if k not in _FEATS:
        _FEATS[k] = D[level].features(day)
    return _FEATS[k]


def _lognorm(v):
    v = np.log1p(np.maximum(v, 0.0))
    t = v.max()
    return v / t if t > 0 else v


def _design_matrix(level: str, day: int, kind: str) -> np.ndarray:
    """regions × segments × k inputs of the learned model at ``day`` (records ≤ day only)."""
    f = feats(level, day).values
    x, nat = D[level].counts(day)
    if kind in ("gbm", "rf", "gbm_small"):
        return f
    if kind == "gbm_pres":  # + the region's presence profile (SVD of the RCA-presence matrix)
        row = x.sum(axis=1, keepdims=True)
        share = np.divide(x, row, out=np.zeros_like(x), where=row > 0)
        u, s, _vt = np.linalg.svd(share - share.mean(axis=0), full_matrices=False)
        comp = u[:, :6] * s[:6]
        return np.concatenate([f, np.broadcast_to(comp[:, None, :], (*x.shape, 6))], axis=2)
    raise ValueError(kind)


def _model(kind: str):
    if kind in ("gbm", "gbm_pres"):
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(max_iter=150, learning_rate=0.05, max_leaf_nodes=15,
                                              min_samples_leaf=40, l2_regularization=1.0, random_state=0)
    if kind == "gbm_small":
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(max_iter=60, learning_rate=0.05, max_depth=3,
                                              min_samples_leaf=80, l2_regularization=3.0, random_state=0)
    if kind == "rf":
        from sklearn.ensemble import RandomForestClassifier

        return RandomForestClassifier(n_estimators=150, min_samples_leaf=20, max_features=0.5,
                                      n_jobs=2, random_state=0)
    raise ValueError(kind)


def learned(level: str, day: int, kind: str, horizon: int = 2 * Y, ends: tuple[int, ...] = (0, Y)) -> np.ndarray:
    """The learned part at ``day``: P(entry) from a model trained on windows ending ≤ ``day``."""
    key = (level, day, kind, horizon, ends)
    if key in _LEARN:
        return _LEARN[key]
    data = D[level]
    if kind in ("albora", "natflow"):
        out = (albora if kind == "albora" else natflow)(level, day, horizon, ends)
        _LEARN[key] = out
        return out
    xs, ys = [], []
    windows = [(e, horizon) for e in ends] if horizon else [(0, c) for c in (730, 1095, 1461)]
    for e, hz in windows:
        stop = day - e
        start = stop - hz
        x0, nat0 = data.counts(start)
        x1, _ = data.counts(stop)
        a = _design_matrix(level, start, kind)
        cand = (x0 == 0) & (nat0[None, :] > 0) & (x0.sum(axis=1) > 0)[:, None]
        xs.append(a[cand])
        ys.append((x1[cand] > 0).astype(int))
    xt, yt = np.concatenate(xs), np.concatenate(ys)
    a = _design_matrix(level, day, kind)
    if yt.sum() < 5:
        out = np.zeros(a.shape[:2])
    else:
        m = _model(kind).fit(xt, yt)
        out = m.predict_proba(a.reshape(-1, a.shape[2]))[:, 1].reshape(a.shape[:2])
    out = out / out.max() if out.max() > 0 else out
    _LEARN[key] = out
    return out


def albora(level: str, day: int, horizon: int, ends: tuple[int, ...]) -> np.ndarray:
    """Per-segment random forests on regions' RCA-presence vectors (Albora et al. 2023)."""
    from sklearn.ensemble import RandomForestClassifier

    data = D[level]

    def pres(x):
        row = x.sum(axis=1, keepdims=True)
        nat = x.sum(axis=0, keepdims=True)
        tot = x.sum()
        rca = np.divide(x * tot, row * nat, out=np.zeros_like(x), where=(row * nat) > 0)
        return (rca >= 1).astype(float)

    xn, _ = data.counts(day)
    pn = pres(xn)
    out = np.zeros(xn.shape)
    tr = []
    for e in ends:
        stop = day - e
        x0, nat0 = data.counts(stop - horizon)
        x1, _ = data.counts(stop)
        tr.append((pres(x0), x0, x1, nat0))
    for s in range(xn.shape[1]):
        xs, ys = [], []
        for p0, x0, x1, nat0 in tr:
            ok = (x0[:, s] == 0) & (x0.sum(axis=1) > 0) & (nat0[s] > 0)
            xs.append(p0[ok])
            ys.append((x1[ok, s] > 0).astype(int))
        y = np.concatenate(ys)
        if y.sum() < 3:
            continue
        m = RandomForestClassifier(n_estimators=60, min_samples_leaf=3, max_features="sqrt", n_jobs=2,
                                   random_state=0).fit(np.concatenate(xs), y)
        out[:, s] = m.predict_proba(pn)[:, 1]
    return out / out.max() if out.max() > 0 else out


def part(level: str, day: int, design: dict) -> np.ndarray:
    p = learned(level, day, design["learned"], design.get("horizon", 2 * Y), design.get("ends", (0, Y)))
    if design.get("transform") == "log":  # log-odds-like: an additive model combines evidence in logs
        p = np.log(p + 1e-3)
        p = (p - p.min()) / (p.max() - p.min()) if p.max() > p.min() else p * 0
    return p


def _seg_inputs(level: str, day: int) -> np.ndarray:
    """Per segment at ``day``: national size, new firms in each of the 4 years before, its groups' size and growth."""
    data = D[level]
    nats = [data.counts(day - k * Y)[1] for k in range(5)]
    years = [nats[k] - nats[k + 1] for k in range(4)]
    par = np.array([-1 if p is None else p for p in data.parents])
    gpar = np.array([par[p] if p >= 0 else -1 for p in par])
    cols = [np.log1p(nats[0]), *(np.log1p(np.maximum(v, 0)) for v in years)]
    for key in (par, gpar):
        g = ((key[:, None] == key[None, :]) & (key[:, None] >= 0)).astype(float)
        cols += [np.log1p(g @ nats[0]), np.log1p(np.maximum(g @ (nats[0] - nats[2]), 0))]
    return np.stack(cols, axis=1)


def natflow(level: str, day: int, horizon: int, ends: tuple[int, ...]) -> np.ndarray:
    """A learned forecast of each segment's national new firms (all firms, with or without a region).

    Trained on windows ending ≤ ``day`` (inputs at the window's start, target = national new member
    firms in the window, Poisson loss), applied to the inputs at ``day``; broadcast to every region.
    """
    from sklearn.ensemble import HistGradientBoostingRegressor

    data = D[level]
    windows = [(e, horizon) for e in ends] if horizon else [(0, c) for c in (730, 1095, 1461)]
    xs, ys = [], []
    for e, hz in windows:
        stop = day - e
        start = stop - hz
        xs.append(_seg_inputs(level, start))
        ys.append(np.maximum(data.counts(stop)[1] - data.counts(start)[1], 0))
    m = HistGradientBoostingRegressor(loss="poisson", max_iter=150, learning_rate=0.05, max_leaf_nodes=15,
                                      min_samples_leaf=20, l2_regularization=1.0, random_state=0)
    m.fit(np.concatenate(xs), np.concatenate(ys))
    pred = _lognorm(m.predict(_seg_inputs(level, day)))
    return np.broadcast_to(pred, (len(data.units), pred.size)).copy()


def inputs(level: str, day: int, design: dict) -> np.ndarray:
    f = feats(level, day)
    cols = [f.values]
    if design.get("learned"):
        cols.append(part(level, day, design)[:, :, None])
    return np.concatenate(cols, axis=2)


def names_of(level, design):
    n = list(feats(level, DAY("2012-12-31")).names)
    return n + (["learned"] if design.get("learned") else [])


def fit(level: str, end: int, design: dict):
    data = D[level]
    cutoffs = design.get("cutoffs", (730, 1095, 1461))
    l2 = design.get("l2", 1.0)
    names = names_of(level, design)
    rows, ys, sws = [], [], []
    for c in cutoffs:
        a = inputs(level, end - c, design)
        for r, cand, truth in _cells(data, end - c, end, 8)[0]:
            rows.append(a[r][cand])
            ys.append(truth[cand].astype(float))
            # balanced: every (region, window) carries the same total weight, as the macro average does
            sws.append(np.full(int(cand.sum()), 1.0 / max(int(truth[cand].sum()), 1)))
    f, y = np.concatenate(rows), np.concatenate(ys)
    sw = np.concatenate(sws)
    sw = sw * len(sw) / sw.sum() if design.get("balanced") else np.ones_like(y)
    keep = np.ones(len(names), bool)
    only = design.get("only")
    if only:
        keep = np.array([n in only for n in names])
    return fit_signed(names, lambda k: fit_logistic(f[:, k], y, l2=l2, sample_weight=sw)[0], keep)


def score(level, day, end, a, w):
    data = D[level]
    f = feats(level, day)
    _, nat = data.counts(day)
    cells, _ = _cells(data, day, end, 8)
    res = {"engine": [], "popularity": [], "density": [], "demand": []}
    for r, cand, truth in cells:
        idx = np.flatnonzero(cand)
        rel = truth[idx]
        res["engine"].append(set_metrics((a[r] @ w)[idx], rel))
        res["popularity"].append(set_metrics(nat[idx], rel))
        res["density"].append(set_metrics(f.figure("density")[r][idx], rel))
        res["demand"].append(set_metrics(f.figure("demand")[r][idx], rel))
    return {k: (np.mean([m["MAP"] for m in v]), np.mean([m["Recall@20"] for m in v])) for k, v in res.items()}


def view(level, t0, h, design):
    end = DAY(t0)
    v = end - h
    if design.get("standalone"):
        a = part(level, v, design)[:, :, None]
        w = np.ones(1)
    else:
        w = fit(design.get("weights_from", level), v, design)
        a = inputs(level, v, design)
    r = score(level, v, end, a, w)
    best = [max(r[b][i] for b in ("popularity", "density", "demand")) for i in (0, 1)]
    return r["engine"][0] / best[0], r["engine"][1] / best[1], r, w


DESIGNS = {
    "base (14 parts, --tune)": {},
    "gbm standalone": {"learned": "gbm", "standalone": True},
    "+ learned gbm": {"learned": "gbm"},
    "+ learned gbm_small": {"learned": "gbm_small"},
    "+ learned gbm_pres": {"learned": "gbm_pres"},
    "+ learned rf": {"learned": "rf"},
    "rf standalone": {"learned": "rf", "standalone": True},
    "albora standalone": {"learned": "albora", "standalone": True},
    "+ learned albora": {"learned": "albora"},
    "+ learned gbm, Δ4y": {"learned": "gbm", "horizon": 4 * Y, "ends": (0,)},
    "city weights everywhere": {"weights_from": "city"},
    "province weights everywhere": {"weights_from": "province"},
    "l2 0.1": {"l2": 0.1},
    "l2 10": {"l2": 10.0},
    "l2 100": {"l2": 100.0},
    "balanced": {"balanced": True},
    "balanced l2 10": {"balanced": True, "l2": 10.0},
    "cutoffs 2-6y": {"cutoffs": (730, 1095, 1461, 1826, 2191)},
    "cutoffs 4-6y": {"cutoffs": (1461, 1826, 2191)},
    "+ learned gbm log": {"learned": "gbm", "transform": "log"},
    "+ learned rf log": {"learned": "rf", "transform": "log"},
    "gbm tune-windows standalone": {"learned": "gbm", "horizon": 0, "standalone": True},
    "+ learned gbm tune-windows": {"learned": "gbm", "horizon": 0},
    "+ learned gbm tune-windows log": {"learned": "gbm", "horizon": 0, "transform": "log"},
    "natflow standalone": {"learned": "natflow", "horizon": 0, "standalone": True},
    "+ learned natflow": {"learned": "natflow", "horizon": 0},
    "natflow 2y standalone": {"learned": "natflow", "standalone": True},
    "+ learned natflow 2y": {"learned": "natflow"},
    "+ learned gbm, 3 ends": {"learned": "gbm", "ends": (0, Y, 2 * Y)},
}


def main() -> None:
    from graph.settings import Settings
    from graph.store import open_store

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--designs", default=";".join(DESIGNS))
    ap.add_argument("--levels", default="city,province")
    ap.add_argument("--test", action="store_true",
                    help="score the designs on the test windows (t0 → end of data), weights fitted as --tune does "
                         "at t0; run once, after the design is fixed on validation")
    args = ap.parse_args()
    store = open_store(Settings(data_dir=args.data_dir))
    levels = args.levels.split(",")
    for level in levels:
        D[level] = EntryData.from_store(store, level=level)
    if args.test:
        for name in args.designs.split(";"):
            for lv in levels:
                for t0 in ("2014-12-31", "2016-12-31"):
                    d = DESIGNS[name]
                    w = fit(lv, DAY(t0), d)
                    r = score(lv, DAY(t0), None, inputs(lv, DAY(t0), d), w)
                    best = [max(r[b][i] for b in ("popularity", "density", "demand")) for i in (0, 1)]
                    print(f"TEST {name:26s} {lv:8s} {t0}: engine MAP {r['engine'][0]:.3f} R@20 {r['engine'][1]:.3f}"
                          f" | best baseline {best[0]:.3f} / {best[1]:.3f}"
                          f" | {r['engine'][0] / best[0]:.2f}x / {r['engine'][1] / best[1]:.2f}x"
                          f" | weights {dict(zip(names_of(lv, d), np.round(w, 3).tolist(), strict=True))}", flush=True)
        return
    for name in args.designs.split(";"):
        t = time.time()
        cells = []
        for lv in levels:
            for t0 in ("2014-12-31", "2016-12-31"):
                for h in (2 * Y, 4 * Y + 1):
                    m, r20, _r, _w = view(lv, t0, h, DESIGNS[name])
                    cells.append((m, r20))
        c = np.array(cells)
        mins = np.minimum(c[:, 0], c[:, 1])
        print(f"{name:26s} MAPx {' '.join(f'{v:.2f}' for v in c[:, 0])} | R20x {' '.join(f'{v:.2f}' for v in c[:, 1])}"
              f" | min {c.min():.2f} mean-min {mins.mean():.3f} gmean {np.exp(np.log(np.maximum(c, 1e-9)).mean()):.3f}"
              f" ({time.time() - t:.0f}s)", flush=True)


if __name__ == "__main__":
    main()
