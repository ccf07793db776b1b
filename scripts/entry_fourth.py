"""Horizon-matched validation, a pairwise ranker, firm-portfolio relatedness (issue 16, fourth round).

docs/evaluation.md → "Fourth round". The test windows of ``chainmatch eval
entries`` run from ``t0`` to the last dated record (2021-07-30): H = 6.58
years at t0 2014-12-31, 4.58 years at 2016-12-31. Earlier rounds validated
on 2- and 4-year windows. Here:

* **val-H views** (the objective): for each level (city, province) and test
  ``t0``, ``v = t0 − H`` with H the test horizon of that ``t0``; features at
  ``v``, truth = entries in ``(v, t0]``, weights fitted on windows ending at
  ``v`` (nothing after ``t0`` is read; the test windows stay unseen).
* **old views** (reported beside, as in the third round): ``v = t0 − 2y``
  and ``t0 − 4y``, 8 cells.

Objective, fixed before any design was scored: ``mean-min`` over the 4 val-H
cells = mean of min(MAP ratio, R@20 ratio), each ratio engine / best
baseline of the cell (popularity, density, demand). Rule: a design is
chosen if it has the highest val-H mean-min, at least 0.01 above base's, and
its mean-min over the 8 old cells is not more than 0.02 below base's.

Designs differ in how the weights are fitted (which windows, pointwise or
pairwise) and, for the literature idea, by one more named part.
``horizon`` fitting uses the cutoff equal to the view's own horizon (for a
val-H view: features at ``v − H``, truth in ``(v − H, v]``); at a test
``t0`` that is the val-H view itself.

    OMP_NUM_THREADS=1 python scripts/entry_fourth.py --data-dir D [--designs "a;b"] [--test]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date

import numpy as np

from graph.analysis.rules import ENTRY_WEIGHTS
from matching.eval.entries import (
    _EPOCH,
    EntryData,
    _cells,
    fit_logistic,
    fit_signed,
)
from matching.eval.metrics import set_metrics

Y = 365
T0S = ("2014-12-31", "2016-12-31")
BASELINES = ("popularity", "density", "demand")
D: dict[str, EntryData] = {}
FIRM_SEGS: list[tuple[int, list[str]]] = []  # (firm day, its confirmed segment ids), dated firms only
_FEATS: dict = {}
_EXTRA: dict = {}


def DAY(s: str) -> int:
    return (date.fromisoformat(s) - _EPOCH).days


def last_day() -> int:
    return int(D["city"].mem_day.max())


def horizon(t0: str) -> int:
    """The test horizon of ``t0``: days from ``t0`` to the last dated record."""
    return last_day() - DAY(t0)


def feats(level: str, day: int):
    k = (level, day)
    if k not in _FEATS:
        _FEATS[k] = D[level].features(day)
    return _FEATS[k]


def firm_density(level: str, day: int, mode: str) -> np.ndarray:
    """Relatedness density with proximity from firm portfolios (Li & Neffke 2024; Neffke & Henning 2013).

    φ(s, s') from the co-occurrence of segments in the portfolios of single firms dated ≤ ``day``
    (firms with ≥ 2 segments): ``mode`` "minp" = min of the two conditional probabilities
    (Hidalgo's form on firms instead of regions); "lift" = observed / expected co-occurrence,
    log1p-transformed. Density of (r, s) = Σ φ(s, s') p(r, s') / Σ φ(s, s'), p = the region has a
    firm in s' (presence, not RCA: most region × segment cells hold 1–2 firms).
    """
    key = (level, day, mode)
    if key in _EXTRA:
        return _EXTRA[key]
    data = D[level]
    sid = {s: j for j, s in enumerate(data.segments)}
    n_s = len(sid)
    co = np.zeros((n_s, n_s))
    occ = np.zeros(n_s)
    nf = 0
    for d, segs in FIRM_SEGS:
        if d > day:
            continue
        js = sorted({sid[s] for s in segs if s in sid})
        if not js:
            continue
        nf += 1
        occ[js] += 1
        if len(js) > 1:
            idx = np.array(js)
            co[np.ix_(idx, idx)] += 1
    np.fill_diagonal(co, 0)
    if mode == "corr":
        return corr_density(level, day)
    if mode == "minp":
        denom = np.maximum(occ[:, None], occ[None, :])
        phi = np.divide(co, denom, out=np.zeros_like(co), where=denom > 0)
    else:
        exp = np.outer(occ, occ) / max(nf, 1)
        phi = np.log1p(np.divide(co, exp, out=np.zeros_like(co), where=exp > 0))
    x, _ = data.counts(day)
    pres = (x > 0).astype(float)
    tot = phi.sum(axis=1)
    dens = np.divide(pres @ phi.T, tot[None, :], out=np.zeros_like(x), where=tot[None, :] > 0)
    m = dens.max()
    out = dens / m if m > 0 else dens
    _EXTRA[key] = out
    return out


def corr_density(level: str, day: int) -> np.ndarray:
    """Relatedness density with a correlation proximity over regions (a co-location specification of the
    kind Li & Neffke 2024 compare): RCA of every region with a firm, transformed to (RCA − 1)/(RCA + 1)
    in [−1, 1); φ(s, s') = max(0, Pearson correlation of the two segments' columns); density of (r, s)
    = Σ φ(s, s') p(r, s') / Σ φ(s, s'), p = the region has a firm in s'. Records dated ≤ ``day`` only.
    """
    key = (level, day, "corr")
    if key in _EXTRA:
        return _EXTRA[key]
    x, _ = D[level].counts(day)
    live = x.sum(axis=1) > 0
    xl = x[live]
    row, col, tot = xl.sum(axis=1, keepdims=True), xl.sum(axis=0, keepdims=True), xl.sum()
    rca = np.divide(xl * tot, row * col, out=np.zeros_like(xl), where=(row * col) > 0)
    t = (rca - 1) / (rca + 1)
    t = t - t.mean(axis=0)
    sd = np.sqrt((t * t).sum(axis=0))
    phi = np.divide(t.T @ t, np.outer(sd, sd), out=np.zeros((x.shape[1], x.shape[1])), where=np.outer(sd, sd) > 0)
    phi = np.maximum(phi, 0)
    np.fill_diagonal(phi, 0)
    pres = (x > 0).astype(float)
    s = phi.sum(axis=1)
    dens = np.divide(pres @ phi.T, s[None, :], out=np.zeros_like(x), where=s[None, :] > 0)
    out = dens / dens.max() if dens.max() > 0 else dens
    _EXTRA[key] = out
    return out


def inputs(level: str, day: int, design: dict) -> tuple[np.ndarray, list[str]]:
    f = feats(level, day)
    cols, names = [f.values], list(f.names)
    for ex in design.get("extra", ()):
        cols.append(firm_density(level, day, ex)[:, :, None])
        names.append("firm_" + ex)
    return np.concatenate(cols, axis=2), names


def add_parts(key: str, names: tuple[str, ...], make) -> None:
    """Extend :func:`inputs` (the harness's fit() and view() look it up here) for a later round: a design's
    ``design[key]`` names columns of ``names``, taken from ``make(level, day)`` (an R × S × len(names)
    array, made once per view) and appended after the fourth round's columns."""
    base, made = inputs, {}

    def extended(level: str, day: int, design: dict) -> tuple[np.ndarray, list[str]]:
        a, cols = base(level, day, {k: v for k, v in design.items() if k != key})
        parts = design.get(key, ())
        if parts:
            if (level, day) not in made:
                made[level, day] = make(level, day)
            a = np.concatenate([a, made[level, day][:, :, [names.index(p) for p in parts]]], axis=2)
            cols = [*cols, *parts]
        return a, cols

    globals()["inputs"] = extended


def run_round(designs: dict, key: str, data_dir: str, test: str | None) -> None:
    """A later round's validation run (or its single test look, ``test`` = the chosen design): the
    fourth round's rows for ``designs``, then the val-H weights the fits gave the new parts."""
    DESIGNS.update(designs)
    if test:
        sys.argv = [sys.argv[0], "--data-dir", data_dir, "--designs", test, "--test"]
        main()
        return
    sys.argv = [sys.argv[0], "--data-dir", data_dir, "--designs", ";".join(designs)]
    main()  # loads the data and prints each design's row
    for name, des in list(designs.items())[1:]:  # the fitted weights of the new parts, for the record
        t = time.time()
        ws = []
        for lv in ("city", "province"):
            for t0 in T0S:
                _, _, w = view(lv, t0, horizon(t0), des)
                ws.append(f"{lv[:4]} {t0[:4]} " + " ".join(f"{p} {v:.3f}" for p, v in
                                                         zip(des[key], w[-len(des[key]):], strict=True)))
        print(f"{name}: val-H weights of the new parts: {'; '.join(ws)} ({time.time() - t:.0f}s)", flush=True)


def cutoffs_of(design: dict, h: int) -> tuple[int, ...]:
    c = design.get("cutoffs", "tune")
    if c == "tune":
        return (730, 1095, 1461)
    if c == "horizon":
        return (h,)
    if c == "band":  # the view's horizon ± 1 year
        return tuple(x for x in (h - Y, h, h + Y) if x >= Y)
    if c == "upto":  # 2 years, 3, …, up to the view's horizon
        return tuple(sorted({*range(2 * Y, h, Y), h}))
    if c == "tune+horizon":
        return tuple(sorted({730, 1095, 1461, h}))
    raise ValueError(c)


def _pairs(a: np.ndarray, y: np.ndarray, cap: int, rng) -> np.ndarray:
    """Differences (entered − not entered) within one region-window; at most ``cap`` negatives a positive."""
    pos, neg = a[y > 0], a[y == 0]
    if not len(pos) or not len(neg):
        return np.zeros((0, a.shape[1]))
    out = []
    for p in pos:
        nn = neg if len(neg) <= cap else neg[rng.choice(len(neg), cap, replace=False)]
        out.append(p[None, :] - nn)
    return np.concatenate(out)


def fit(level: str, end: int, h: int, design: dict) -> tuple[np.ndarray, list[str]]:
    """Weights fitted on windows ending at ``end`` (cutoffs by the design; ``h`` = the view's horizon)."""
    data = D[level]
    l2 = design.get("l2", 1.0)
    rows, ys, sws = [], [], []
    names = None
    rng = np.random.default_rng(0)
    for c in cutoffs_of(design, h):
        a, names = inputs(level, end - c, design)
        for r, cand, truth in _cells(data, end - c, end, 8)[0]:
            ar, yr = a[r][cand], truth[cand].astype(float)
            if design.get("pairwise"):
                d = _pairs(ar, yr, design.get("cap", 200), rng)
                if not len(d):
                    continue
                # both orientations, so the intercept is 0 and the fit is a within-region order
                rows.append(np.concatenate([d, -d]))
                ys.append(np.r_[np.ones(len(d)), np.zeros(len(d))])
                # every region-window counts the same (the macro average's weighting) or every pair
                sws.append(np.full(2 * len(d), 1.0 / len(d) if design.get("region_equal", True) else 1.0))
            else:
                rows.append(ar)
                ys.append(yr)
                sws.append(np.ones(len(yr)))
    f, y, sw = np.concatenate(rows), np.concatenate(ys), np.concatenate(sws)
    sw = sw * len(sw) / sw.sum()
    w = fit_signed(names, lambda keep: fit_logistic(f[:, keep], y, l2=l2, sample_weight=sw)[0])
    return w, names


def score(level: str, day: int, end: int | None, a: np.ndarray, w: np.ndarray) -> dict:
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
    out = {k: (float(np.mean([m["MAP"] for m in v])), float(np.mean([m["Recall@20"] for m in v])))
           for k, v in res.items()}
    out["regions"] = len(cells)
    return out


def ratios(r: dict) -> tuple[float, float]:
    best = [max(r[b][i] for b in BASELINES) for i in (0, 1)]
    return r["engine"][0] / best[0], r["engine"][1] / best[1]


def view(level: str, t0: str, h: int, design: dict):
    end = DAY(t0)
    v = end - h
    if design.get("shipped"):
        a, names = inputs(level, v, design)
        w = np.array([ENTRY_WEIGHTS.get(n, 0.0) for n in names])
    elif design.get("oracle"):  # the future national flow in (v, t0]: a ceiling for region-blind scorers
        _, n0 = D[level].counts(v)
        _, n1 = D[level].counts(end)
        a = np.broadcast_to(np.log1p(np.maximum(n1 - n0, 0)), (len(D[level].units), n0.size))[:, :, None]
        w = np.ones(1)
    elif design.get("alone"):
        a = firm_density(level, v, design["alone"])[:, :, None]
        w = np.ones(1)
    else:
        w, _names = fit(level, v, h, design)
        a, _ = inputs(level, v, design)
    r = score(level, v, end, a, w)
    return ratios(r), r, w


DESIGNS = {
    "base (--tune: 2,3,4y)": {},
    "shipped weights (leak at val-H)": {"shipped": True},
    "horizon cutoff": {"cutoffs": "horizon"},
    "horizon ±1y": {"cutoffs": "band"},
    "2y … horizon": {"cutoffs": "upto"},
    "2,3,4y + horizon": {"cutoffs": "tune+horizon"},
    "pairwise, 2,3,4y": {"pairwise": True},
    "pairwise, horizon": {"pairwise": True, "cutoffs": "horizon"},
    "pairwise, horizon ±1y": {"pairwise": True, "cutoffs": "band"},
    "pairwise, 2y … horizon": {"pairwise": True, "cutoffs": "upto"},
    "pairwise, 2,3,4y + horizon": {"pairwise": True, "cutoffs": "tune+horizon"},
    "pairwise, 2,3,4y, per pair": {"pairwise": True, "region_equal": False},
    "pairwise, 2,3,4y, l2 10": {"pairwise": True, "l2": 10.0},
    "firm minp alone": {"alone": "minp"},
    "firm lift alone": {"alone": "lift"},
    "base + firm minp": {"extra": ("minp",)},
    "base + firm lift": {"extra": ("lift",)},
    "pairwise + firm lift": {"pairwise": True, "extra": ("lift",)},
    "pairwise per pair, horizon ±1y": {"pairwise": True, "region_equal": False, "cutoffs": "band"},
    "pairwise per pair, 2y … horizon": {"pairwise": True, "region_equal": False, "cutoffs": "upto"},
    "pairwise per pair, 2,3,4y + horizon": {"pairwise": True, "region_equal": False, "cutoffs": "tune+horizon"},
    "pairwise per pair, 2,3,4y, l2 10": {"pairwise": True, "region_equal": False, "l2": 10.0},
    "pairwise per pair, 2,3,4y, all negatives": {"pairwise": True, "region_equal": False, "cap": 100000},
    "corr density alone": {"alone": "corr"},
    "oracle: future national flow (diagnostic)": {"oracle": True},
    "base + corr density": {"extra": ("corr",)},
    "pairwise per pair + corr density": {"pairwise": True, "region_equal": False, "extra": ("corr",)},
}


def load(data_dir: str) -> None:
    """Read the store once: each level's dated memberships (``D``) and the firms' segments (``FIRM_SEGS``)."""
    from graph.analysis.entryfeatures import firm_date
    from graph.settings import Settings
    from graph.store import open_store

    store = open_store(Settings(data_dir=data_dir))
    for level in ("city", "province"):
        D[level] = EntryData.from_store(store, level=level)
    for o in store.organisations():
        if o.kind.value != "firm":
            continue
        d = firm_date(o.founded, o.provenance.as_of if o.provenance else None)
        if d is not None:
            FIRM_SEGS.append(((d - _EPOCH).days, list(o.confirmed_segments())))
    print(f"test horizons: {', '.join(f'{t0} {horizon(t0) / 365.25:.2f}y' for t0 in T0S)}", flush=True)


def round_cli(doc: str, designs: dict, key: str, detail=None) -> None:
    """A later round's command line: ``--data-dir D [--test DESIGN]`` runs :func:`run_round`; with ``detail``
    (a function of no arguments, validation diagnostics) also ``--detail``, which loads the data and calls it."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--test", metavar="DESIGN", help="the single test look, for the design validation chose")
    if detail is not None:
        ap.add_argument("--detail", action="store_true",
                        help="validation diagnostics (added after the validation run; they choose nothing)")
    args = ap.parse_args()
    if detail is not None and args.detail:
        DESIGNS.update(designs)
        load(args.data_dir)
        detail()
        return
    run_round(designs, key, args.data_dir, args.test)


def old8_lines(designs: dict) -> None:
    """Validation only: each design's MAP× / R@20× in the 8 old cells (val-2y, val-4y)."""
    for name, des in designs.items():
        cells = []
        for lv in ("city", "province"):
            for t0 in T0S:
                for h, tag in ((2 * Y, "2y"), (4 * Y + 1, "4y")):
                    (m, r20), _r, _w = view(lv, t0, h, des)
                    cells.append(f"{lv[:4]} {t0[:4]}-{tag} {m:.2f}/{r20:.2f}")
        print(f"old-8 MAPx/R20x {name}: {'; '.join(cells)}", flush=True)


def alone_lines(names: tuple[str, ...], make) -> None:
    """Validation only: each new part alone as a scorer on the 4 val-H cells (``make`` as in :func:`add_parts`)."""
    for i, part in enumerate(names):
        cells = []
        for lv in ("city", "province"):
            for t0 in T0S:
                end = DAY(t0)
                v = end - horizon(t0)
                r = score(lv, v, end, make(lv, v)[:, :, [i]], np.ones(1))
                m, r20 = ratios(r)
                cells.append(f"{lv[:4]} {t0[:4]} {r['engine'][0]:.3f}/{r['engine'][1]:.3f} ({m:.2f}x/{r20:.2f}x)")
        print(f"val-H {part} alone: {'; '.join(cells)}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--designs", default=";".join(DESIGNS))
    ap.add_argument("--test", action="store_true",
                    help="score the named designs on the test windows (t0 → end of data), fitted at t0 as the "
                         "design says, and as one fixed set (the 2014 city fit) beside the shipped weights; "
                         "run once, after the design is fixed on validation")
    args = ap.parse_args()
    load(args.data_dir)
    if args.test:
        test(args.designs.split(";"))
        return
    for name in args.designs.split(";"):
        t = time.time()
        des = DESIGNS[name]
        new, old, detail = [], [], []
        for lv in ("city", "province"):
            for t0 in T0S:
                (m, r20), r, _w = view(lv, t0, horizon(t0), des)
                new.append((m, r20))
                detail.append(f"{lv[:4]} {t0[:4]} {r['engine'][0]:.3f}/{r['engine'][1]:.3f}")
                for h in (2 * Y, 4 * Y + 1):
                    (m, r20), _r, _w = view(lv, t0, h, des)
                    old.append((m, r20))
        c, o = np.array(new), np.array(old)
        mm = np.minimum(c[:, 0], c[:, 1]).mean()
        om = np.minimum(o[:, 0], o[:, 1]).mean()
        print(f"{name:38s} val-H MAPx {' '.join(f'{v:.2f}' for v in c[:, 0])} R20x {' '.join(f'{v:.2f}' for v in c[:, 1])}"
              f" | mean-min {mm:.3f} min {c.min():.2f} | old-8 mean-min {om:.3f} min {o.min():.2f}"
              f" | {'; '.join(detail)} ({time.time() - t:.0f}s)", flush=True)


def baselines_line(r):
    return " ".join(f"{b} {r[b][0]:.3f}/{r[b][1]:.3f}" for b in BASELINES)


def test(names: list[str]) -> None:
    for lv in ("city", "province"):
        for t0 in T0S:
            end = DAY(t0)
            a, an = inputs(lv, end, {})
            r = score(lv, end, None, a, np.array([ENTRY_WEIGHTS.get(n, 0.0) for n in an]))
            m, r20 = ratios(r)
            print(f"TEST shipped weights {lv:8s} {t0}: {r['engine'][0]:.3f}/{r['engine'][1]:.3f} ({m:.2f}x/{r20:.2f}x)"
                  f" | {baselines_line(r)}", flush=True)
    for name in names:
        des = DESIGNS[name]
        fixed, fnames = fit("city", DAY("2014-12-31"), horizon("2014-12-31"), des)
        print(f"  {name}: the 2014 city fit: {dict(zip(fnames, np.round(fixed, 3).tolist(), strict=True))}")
        for lv in ("city", "province"):
            for t0 in T0S:
                end = DAY(t0)
                a, _ = inputs(lv, end, des)
                w, wn = fit(lv, end, horizon(t0), des)
                r = score(lv, end, None, a, w)
                rf = score(lv, end, None, a, fixed)
                m, r20 = ratios(r)
                fm, fr = ratios(rf)
                print(f"TEST {name} {lv:8s} {t0}: fitted at t0 {r['engine'][0]:.3f}/{r['engine'][1]:.3f}"
                      f" ({m:.2f}x/{r20:.2f}x) | 2014 city fit {rf['engine'][0]:.3f}/{rf['engine'][1]:.3f}"
                      f" ({fm:.2f}x/{fr:.2f}x) | weights at t0 {dict(zip(wn, np.round(w, 3).tolist(), strict=True))}",
                      flush=True)


if __name__ == "__main__":
    main()
