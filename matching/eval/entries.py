"""The date-split entry backtest (docs/evaluation.md → Entries): does the gap ranking predict growth?

1. Date every firm: its founding date, else its record's as-of date (chainkg:
   the listing date). Undated firms are left out and counted.
2. Freeze at ``t0``: the region × segment counts of firms dated on or before
   ``t0`` (regions at ``level``: city or province).
3. For every region with at least ``min_firms`` firms at ``t0``, rank the
   candidate segments it lacks at ``t0`` (segments with at least one firm
   nationally at ``t0``); truth = those in which it gains at least one firm
   after ``t0``. Regions without any entry are counted, not scored.
4. Metrics per region (MAP, Recall@10/20, AUC-PR; :func:`~matching.eval.metrics.set_metrics`),
   macro-averaged. Scorers: the engine (a weighted sum of the named entry
   features of :mod:`graph.analysis.entryfeatures`, the 补链/延链 severity's
   parts) and the baselines random (averaged over seeds), national popularity
   at ``t0``, relatedness density, and local downstream demand alone.
5. ``tune``: the engine's weights are fitted by logistic regression on
   validation windows that end at ``t0``: features frozen at ``t0 − 2y``,
   ``t0 − 3y`` and ``t0 − 4y`` (momentum over the two years before each),
   truth = entries between that date and ``t0``. Nothing after ``t0`` is read.

Examples
--------
>>> from fixtures.world import load_world
>>> b, _ = load_world()
>>> data = EntryData.from_records(b.segments, b.segment_edges, b.organisations, b.links, level="district")
>>> res = run_entries(data, "2018-12-31", min_firms=5)
>>> sorted(res.table) == sorted(SCORERS) and res.regions > 0
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from graph.analysis.common import unit_at
from graph.analysis.entryfeatures import (
    LONG_WINDOW_DAYS,
    WAVES,
    YEAR_DAYS,
    EntryFeatures,
    entry_features,
    firm_date,
)
from graph.analysis.rules import ENTRY_WEIGHTS
from graph.errors import InvalidInput
from matching.eval.metrics import SET_METRICS, set_metrics

__all__ = ["EntryData", "EntriesResult", "run_entries", "tune_entry_weights", "format_entries", "SCORERS",
           "firm_day", "fit_logistic", "fit_signed"]

SCORERS = ("engine", "random", "popularity", "density", "demand")
WINDOW_DAYS = 730  # two years: the momentum window
#: validation freeze dates, in days before t0 (2, 3 and 4 years)
VALIDATION_CUTOFFS = (730, 1095, 1461)
RANDOM_SEEDS = 10
#: entry parts whose weight must be ≤ 0 (every other one ≥ 0)
NEGATIVE_PARTS = frozenset({"immovability"})
_EPOCH = date(1970, 1, 1)


def _day(text: str) -> int:
    return (date.fromisoformat(text) - _EPOCH).days


def firm_day(founded: str | None, as_of: str | None) -> int | None:
    """Days since 1970 of a firm's date: founding date (a bare year counts as 1 January), else as-of.

    Examples
    --------
    >>> firm_day("1970-01-11", None), firm_day("1971", None), firm_day(None, "1970-01-02"), firm_day(None, None)
    (10, 365, 1, None)
    """
    d = firm_date(founded, as_of)
    return None if d is None else (d - _EPOCH).days


@dataclass(eq=False)
class EntryData:
    """Dated firm memberships at one region level, as arrays."""

    level: str
    units: tuple[str, ...]
    segments: tuple[str, ...]
    names: tuple[str, ...]
    parents: tuple[int | None, ...]
    edges: tuple[tuple[int, int, float, str], ...]
    mem_unit: np.ndarray  # per membership: unit index, -1 when the firm has no region at this level
    mem_seg: np.ndarray
    mem_day: np.ndarray
    sup_src_seg: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    sup_dst_seg: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    sup_day: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    firms: int = 0
    undated: int = 0
    without_region: int = 0

    @classmethod
    def from_records(cls, segments, segment_edges, organisations, links=(), *, level: str = "city") -> EntryData:
        """From model records: confirmed memberships of dated firms; supplies links dated by ``since``."""
        segs = sorted(segments, key=lambda s: s.id)
        sid = {s.id: j for j, s in enumerate(segs)}
        units: dict[str, int] = {}
        mu, ms, md, seg_of = [], [], [], {}
        firms = undated = no_region = 0
        for o in organisations:
            if o.kind.value != "firm":
                continue
            firms += 1
            d = firm_day(o.founded, o.provenance.as_of if o.provenance else None)
            mine = [sid[x] for x in o.confirmed_segments() if x in sid]
            seg_of[o.id] = mine
            if d is None:
                undated += 1
                continue
            u = unit_at(o.region, level)
            if u is None:
                no_region += 1
            ui = units.setdefault(u, len(units)) if u is not None else -1
            for j in mine:
                mu.append(ui)
                ms.append(j)
                md.append(d)
        order = sorted(units, key=lambda u: units[u])
        remap = np.array([sorted(order).index(u) for u in order] + [-1], dtype=np.int64)
        mu_a = np.asarray(mu, dtype=np.int64)
        mu_a = remap[mu_a] if mu_a.size else mu_a
        ss, sd, sday = [], [], []
        for k in links:
            if getattr(k.kind, "value", k.kind) != "supplies" or not k.since:
                continue
            for a in seg_of.get(k.src, ()):
                for b in seg_of.get(k.dst, ()):
                    ss.append(a)
                    sd.append(b)
                    sday.append(firm_day(None, k.since[:10]) or 0)
        edges = tuple((sid[e.upstream], sid[e.downstream], float(e.weight), e.source)
                      for e in segment_edges if e.upstream in sid and e.downstream in sid)
        return cls(level, tuple(sorted(order)), tuple(s.id for s in segs), tuple(s.name_zh for s in segs),
                   tuple(sid.get(s.parent) if s.parent else None for s in segs), edges, mu_a,
                   np.asarray(ms, dtype=np.int64), np.asarray(md, dtype=np.int64),
                   np.asarray(ss, dtype=np.int64), np.asarray(sd, dtype=np.int64), np.asarray(sday, dtype=np.int64),
                   firms, undated, no_region)

    @classmethod
    def from_store(cls, store, *, level: str = "city") -> EntryData:
        return cls.from_records(store.segments(), store.segment_edges(), store.organisations(),
                                store.links(), level=level)

    def counts(self, day: int) -> tuple[np.ndarray, np.ndarray]:
        """(regions × segments counts, national counts incl. firms without region) of memberships dated ≤ ``day``."""
        keep = self.mem_day <= day
        n_s = len(self.segments)
        nat = np.bincount(self.mem_seg[keep], minlength=n_s).astype(np.float64)
        k = keep & (self.mem_unit >= 0)
        x = np.bincount(self.mem_unit[k] * n_s + self.mem_seg[k], minlength=len(self.units) * n_s)
        return x.reshape(len(self.units), n_s).astype(np.float64), nat

    def observed(self, day: int) -> np.ndarray:
        n_s = len(self.segments)
        k = self.sup_day <= day
        m = np.zeros((n_s, n_s))
        np.add.at(m, (self.sup_src_seg[k], self.sup_dst_seg[k]), 1.0)
        return m

    def features(self, day: int, window: int = WINDOW_DAYS) -> EntryFeatures:
        """Entry features frozen at ``day`` (momentum over the ``window`` days before it)."""
        x, nat = self.counts(day)
        _, nat_before = self.counts(day - window)
        _, nat_long = self.counts(day - LONG_WINDOW_DAYS)
        years = [self.counts(day - k * YEAR_DAYS)[1] for k in range(len(WAVES) + 1)]
        waves = [years[k] - years[k + 1] for k in range(len(WAVES))]
        return entry_features(x, None, parents=self.parents, edges=self.edges, observed=self.observed(day),
                              national=nat, national_before=nat_before, waves=waves,
                              national_long_before=nat_long)


@dataclass
class EntriesResult:
    """Macro-averaged metrics per scorer, with the counts behind them."""

    t0: str
    level: str
    min_firms: int
    regions: int  # scored (≥ min_firms at t0 and ≥ 1 entry)
    regions_without_entries: int
    candidates: int  # (region, lacking segment) pairs scored
    entries: int  # true entries among them
    firms: int
    undated: int
    without_region: int
    weights: dict[str, float]
    table: dict[str, dict[str, float]] = field(default_factory=dict)
    per_region: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    tuned: dict | None = None

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _cells(data: EntryData, day: int, end: int | None, min_firms: int):
    """Per scored region: (unit index, candidate mask, truth mask); plus regions without entries."""
    x0, nat0 = data.counts(day)
    x1, _ = data.counts(end if end is not None else int(data.mem_day.max(initial=day)))
    out, empty = [], 0
    for r in np.flatnonzero(x0.sum(axis=1) >= min_firms):
        cand = (x0[r] == 0) & (nat0 > 0)
        truth = cand & (x1[r] > 0)
        if not truth.any():
            empty += 1
            continue
        out.append((int(r), cand, truth))
    return out, empty


def fit_logistic(f: np.ndarray, y: np.ndarray, *, l2: float = 1.0, iters: int = 50,
                 sample_weight: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """Logistic regression by Newton's method with an L2 penalty on the weights: (weights, intercept).

    ``sample_weight``: a weight per row (all 1 when ``None``).

    Examples
    --------
    >>> f = np.array([[0.0], [0.2], [0.8], [1.0]]); y = np.array([0, 0, 1, 1])
    >>> w, b = fit_logistic(f, y, l2=0.1)
    >>> bool(w[0] > 0)
    True
    """
    n, k = f.shape
    sw = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    a = np.c_[f, np.ones(n)]
    theta = np.zeros(k + 1)
    pen = np.r_[np.full(k, l2), 0.0]
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-np.clip(a @ theta, -30, 30)))
        grad = a.T @ (sw * (p - y)) + pen * theta
        hess = (a * (sw * p * (1 - p))[:, None]).T @ a + np.diag(pen) + 1e-9 * np.eye(k + 1)
        step = np.linalg.solve(hess, grad)
        theta -= step
        if np.abs(step).max() < 1e-8:
            break
    return theta[:k], float(theta[k])


def fit_signed(names: list[str], fit, keep: np.ndarray | None = None) -> np.ndarray:
    """Weights whose signs read the way the parts are named: ``fit(keep)`` gives the weights of the kept columns.

    A part that should raise severity never lowers it, and an immovability part
    (:data:`NEGATIVE_PARTS`) never raises it: a column fitted with the wrong sign
    is dropped and the rest refitted, until every sign is right. ``keep``: the
    columns to start from (all by default). What ``--tune`` and the experiment
    scripts under ``scripts/`` use, whatever the fit (logistic, pairwise, …).

    Examples
    --------
    >>> f = np.array([[0.0, 1.0], [0.2, 1.0], [0.8, 0.0], [1.0, 0.0]]); y = np.array([0, 0, 1, 1])
    >>> w = fit_signed(["need", "size"], lambda k: fit_logistic(f[:, k], y, l2=0.1)[0])
    >>> bool(w[0] > 0), float(w[1])   # size came out negative on this data: dropped
    (True, 0.0)
    """
    keep = np.ones(len(names), bool) if keep is None else keep.copy()
    w = np.zeros(len(names))
    for _ in range(len(names)):
        w[:] = 0.0
        w[keep] = fit(keep)
        wrong = np.array([(v > 0) if n in NEGATIVE_PARTS else (v < 0) for n, v in zip(names, w, strict=True)])
        if not wrong.any():
            break
        keep &= ~wrong
    return w


def _check_t0(t0: str) -> int:
    """Days since 1970 of ``t0``; ``InvalidInput`` unless a calendar date in 1900-2200."""
    try:
        d = date.fromisoformat(t0)
    except (TypeError, ValueError):
        raise InvalidInput(f"not a calendar date: {t0!r}", f"不是有效日期：{t0!r}") from None
    if not 1900 <= d.year <= 2200:
        raise InvalidInput(f"t0 {t0} is outside 1900-2200", f"t0 {t0} 超出 1900-2200")
    return (d - _EPOCH).days


def tune_entry_weights(data: EntryData, t0: str, *, min_firms: int = 8, window: int = WINDOW_DAYS,
                       l2: float = 1.0, cutoffs: tuple[int, ...] = VALIDATION_CUTOFFS) -> dict:
    """Engine weights fitted on validation windows ending at ``t0`` (nothing after ``t0`` is read).

    For each cutoff ``c`` (days before ``t0``; default 2, 3 and 4 years):
    features frozen at ``t0 − c`` (momentum over the ``window`` before it),
    truth = entries in ``(t0 − c, t0]``, rows = every candidate cell of the
    regions with ``min_firms`` firms at ``t0 − c``. The rows of all cutoffs are
    pooled into one logistic regression (several cutoffs, because a single
    two-year window can fall into an IPO freeze such as China's 2012–2014).
    A feature fitted with the wrong sign (:data:`NEGATIVE_PARTS`) is dropped
    and the rest refitted, so every part reads the way its name says.
    Returns the weights (one per feature, rounded to 3 decimals), the
    validation dates, and the rows and positives used.
    """
    end = _check_t0(t0)
    rows, ys, dates = [], [], []
    names = None
    for c in cutoffs:
        feats = data.features(end - c, window)
        names = feats.names
        dates.append(str(date.fromordinal(_EPOCH.toordinal() + end - c)))
        for r, cand, truth in _cells(data, end - c, end, min_firms)[0]:
            rows.append(feats.values[r][cand])
            ys.append(truth[cand].astype(np.float64))
    if not rows or not np.concatenate(ys).any():
        raise InvalidInput(f"no region with {min_firms} firms and entries in the validation windows before {t0}",
                           f"{t0} 之前的验证窗口内没有符合条件的地区")
    f, y = np.concatenate(rows), np.concatenate(ys)
    w = fit_signed(names, lambda keep: fit_logistic(f[:, keep], y, l2=l2)[0])
    weights = {n: round(float(v), 3) for n, v in zip(names, w, strict=True)}
    return {"validation_from": dates, "until": t0, "weights": weights, "rows": int(len(y)),
            "positives": int(y.sum())}


def run_entries(
    data: EntryData,
    t0: str,
    *,
    min_firms: int = 8,
    weights: dict[str, float] | None = None,
    tune: bool = False,
    window: int = WINDOW_DAYS,
    seeds: int = RANDOM_SEEDS,
    progress: Callable[[int, int], None] | None = None,
) -> EntriesResult:
    """Rank each region's lacking segments at ``t0`` and score against the entries after it.

    ``weights`` default to :data:`~graph.analysis.rules.ENTRY_WEIGHTS` (the
    shipped severity); with ``tune`` they are fitted on the validation window
    ending at ``t0`` (:func:`tune_entry_weights`) and the shipped defaults are
    reported as ``engine (defaults)`` beside them.
    """
    day = _check_t0(t0)
    tuned = tune_entry_weights(data, t0, min_firms=min_firms, window=window) if tune else None
    w = dict(tuned["weights"] if tuned else (weights or ENTRY_WEIGHTS))
    feats = data.features(day, window)
    _, nat0 = data.counts(day)
    cells, empty = _cells(data, day, None, min_firms)
    if not cells:
        raise InvalidInput(f"no {data.level} with {min_firms} firms at {t0} gains a firm after it",
                           f"没有在 {t0} 拥有 {min_firms} 家企业且之后有新进入的地区")
    scorers: dict[str, Callable[[int], np.ndarray]] = {
        "engine": lambda r: feats.score(w)[r],
        "popularity": lambda r: nat0,
        "density": lambda r: feats.figure("density")[r],
        "demand": lambda r: feats.figure("demand")[r],
    }
    if tuned:
        scorers["engine (defaults)"] = lambda r: feats.score(weights or ENTRY_WEIGHTS)[r]
    per: dict[str, dict[str, dict[str, float]]] = {}
    for n, (r, cand, truth) in enumerate(cells):
        idx = np.flatnonzero(cand)
        rel = truth[idx]
        row = {name: set_metrics(fn(r)[idx], rel) for name, fn in scorers.items()}
        rnd = [set_metrics(np.random.default_rng(s).random(idx.size), rel) for s in range(seeds)]
        row["random"] = {m: float(np.mean([x[m] for x in rnd])) for m in SET_METRICS}
        per[data.units[r]] = row
        if progress is not None:
            progress(n + 1, len(cells))
    table = {name: {m: float(np.mean([per[u][name][m] for u in per])) if per else float("nan")
                    for m in SET_METRICS} for name in (*scorers, "random")}
    order = [s for s in ("engine", "engine (defaults)", *SCORERS[1:]) if s in table]
    return EntriesResult(t0, data.level, min_firms, len(cells), empty, int(sum(c.sum() for _, c, _ in cells)),
                         int(sum(t.sum() for _, _, t in cells)), data.firms, data.undated, data.without_region,
                         w, {k: table[k] for k in order}, per, tuned)


def format_entries(res: EntriesResult) -> list[list[str]]:
    """Table rows: scorer, each metric, and the ratio of the engine to the best baseline."""
    rows = []
    for name, m in res.table.items():
        rows.append([name, *(f"{m[k]:.3f}" for k in SET_METRICS)])
    base = [n for n in res.table if not n.startswith("engine")]
    if base and "engine" in res.table:
        ratio = []
        for k in SET_METRICS:
            best = max(res.table[b][k] for b in base)
            ratio.append(f"{res.table['engine'][k] / best:.2f}×" if best > 0 else "-")
        rows.append(["engine / best baseline", *ratio])
    return rows

