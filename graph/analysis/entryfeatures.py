"""Entry features: why a region might gain firms in a segment it lacks (补链/延链 signal).

Pure functions over region × segment member-firm count matrices (``X[r, s]``,
firms of unit ``r`` in segment ``s``) at a freeze date and at the start of the
window before it. Every feature is a figure in [0, 1] (immovability too), so a
severity is a sum of named parts ``weight × figure``:

- ``popularity`` — national size of the segment, ``log1p(N_s) / log1p(max N)``;
- ``momentum`` — national growth of the segment in the window before the
  freeze, ``log1p(ΔN_s) / log1p(max ΔN)`` (IPO and founding waves by industry);
- ``spread`` — the share of sizeable regions (at least :data:`SPREAD_MIN_FIRMS`
  firms) that have a firm in the segment: what most peers have, a region
  lacking it is likely to gain;
- ``density`` — relatedness density (Hidalgo et al. 2007,
  :mod:`~graph.analysis.relatedness`);
- ``relatives`` — the region's relative presence in the segment's siblings
  (same parent in the segment hierarchy): location quotient saturating at 1 → ½;
- ``demand`` — local downstream demand: the location quotient of the region
  among the firms of the segment's downstream segments, per evidence class of
  the chain edges and scaled by that class's trust (:data:`EDGE_EVIDENCE`:
  observed supplies ≫ curated template ≫ text co-occurrence);
- ``size`` — the region's size, ``log1p(X_r) / log1p(max X_r)`` (a control:
  equal for every segment of one region);
- ``immovability`` — resource- or infrastructure-bound segments: geographic
  concentration in excess of all firms' (HHI), times how unrelated the segment
  is to anything (``1 − max φ``), shrunk for segments with few firms;
- ``wave1``, ``wave2``, ``wave3`` — national new firms of the segment in each
  of the three years before the freeze, ``log1p(n) / log1p(max n)`` (IPO
  waves persist; a year each, so the fit can weigh recent years apart from the
  two-year ``momentum``);
- ``growth4`` — national new firms of the segment in the four years before
  the freeze, ``log1p(n) / log1p(max n)`` (a longer window than
  ``momentum``: one two-year window can fall into an IPO freeze);
- ``sector_growth`` — the segment's national size times the growth rate of
  its sector (new firms in the momentum window over the firms of its parent's
  group, plus the same for its grandparent's group, e.g. Shenwan level 2 and
  level 1), ``log1p(N_s × (rate + 0.05))`` normalised: a sector that is
  growing lifts each of its segments by their size, which sparse segment
  counts alone cannot show;
- ``sector_presence`` — the region's firms in the segment's top-level sector
  (all segments under its grandparent, or its parent where there is no
  grandparent), ``log1p(n) / log1p(max n)``: a region strong in electronics
  gains the electronics segments it lacks.

Examples
--------
>>> x = np.array([[4, 0, 0], [2, 2, 0], [0, 2, 2]], dtype=float)
>>> f = entry_features(x, x * 0, parents=[None, None, None], edges=[])
>>> f.names[:8]
('popularity', 'momentum', 'spread', 'density', 'relatives', 'demand', 'size', 'immovability')
>>> f.names[8:]
('wave1', 'wave2', 'wave3', 'growth4', 'sector_growth', 'sector_presence')
>>> [round(float(v), 3) for v in f.figure("density")[0]]
[0.0, 0.5, 0.0]
>>> round(float(f.figure("momentum")[0, 0]), 3), round(float(f.figure("popularity")[0, 1]), 3)
(1.0, 0.827)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from graph.analysis.relatedness import relatedness_matrix

__all__ = ["FEATURES", "WAVES", "DATED", "YEAR_DAYS", "EDGE_EVIDENCE", "EntryFeatures", "EntryContext", "edge_evidence",
           "entry_features", "entry_context", "entry_figures", "firm_date", "GROWTH_WINDOW_DAYS", "LONG_WINDOW_DAYS",
           "NEIGHBOUR_FEATURES", "neighbour_groups", "neighbour_features", "load_macro_regions"]

#: feature names; their zh/en labels are part labels (graph.labels.PART_LABELS)
FEATURES = ("popularity", "momentum", "spread", "density", "relatives", "demand", "size", "immovability",
            "wave1", "wave2", "wave3", "growth4", "sector_growth", "sector_presence")
#: the yearly national-growth features, newest first: ``wave{k}`` counts the k-th year before the freeze
WAVES = ("wave1", "wave2", "wave3")
#: the parts that count dated firms only (0 when the firms carry no dates)
DATED = ("momentum", *WAVES, "growth4")
YEAR_DAYS = 365
#: the long national-growth window of ``growth4``, in days
LONG_WINDOW_DAYS = 4 * YEAR_DAYS
#: the base growth rate of ``sector_growth``: a sector with no new firms still counts its size
SECTOR_RATE_BASE = 0.05
#: regions with at least this many firms are the peers ``spread`` counts
SPREAD_MIN_FIRMS = 8
#: trust in a chain edge by its evidence: observed supplies ≫ curated template ≫ text co-occurrence
EDGE_EVIDENCE = {"observed": 1.0, "template": 0.3, "text": 0.05}


def edge_evidence(source: str) -> str:
    """The evidence class of a segment edge from its ``source``.

    Examples
    --------
    >>> edge_evidence("chainkg:industry_up"), edge_evidence("observed"), edge_evidence("user")
    ('text', 'observed', 'template')
    """
    s = source.lower()
    if s == "observed":
        return "observed"
    if "industry_up" in s or "cooccur" in s or "text" in s:
        return "text"
    return "template"


@dataclass(frozen=True)
class EntryFeatures:
    """Feature figures ``values[r, s, k]`` for feature ``names[k]``."""

    names: tuple[str, ...]
    values: np.ndarray  # regions × segments × features

    def figure(self, name: str) -> np.ndarray:
        """The regions × segments matrix of one feature."""
        return self.values[:, :, self.names.index(name)]

    def score(self, weights: dict[str, float]) -> np.ndarray:
        """``Σ_k weights[k] × figure_k`` (features without a weight count 0)."""
        w = np.array([weights.get(n, 0.0) for n in self.names])
        return self.values @ w


def _lognorm(v: np.ndarray) -> np.ndarray:
    v = np.log1p(np.maximum(v, 0.0))
    top = v.max() if v.size else 0.0
    return v / top if top > 0 else np.zeros_like(v)


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.divide(a, b, out=np.zeros_like(a), where=b > 0)


def _groups(par: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Segment × segment membership of (the parent's group, the top-level group), each segment in its own.

    The parent group is every segment with the same parent; the top-level
    group every segment with the same grandparent (the parent's group where a
    segment has no grandparent). A segment without a parent is in neither.

    Examples
    --------
    >>> p, t = _groups(np.array([-1, 0, 1, 1, 0]))
    >>> p.astype(int).tolist()
    [[0, 0, 0, 0, 0], [0, 1, 0, 0, 1], [0, 0, 1, 1, 0], [0, 0, 1, 1, 0], [0, 1, 0, 0, 1]]
    >>> t[2].astype(int).tolist(), t[1].astype(int).tolist()
    ([0, 0, 1, 1, 0], [0, 1, 0, 0, 1])
    """
    grand = np.array([par[p] if p >= 0 else -1 for p in par], dtype=np.int64)
    top = np.where(grand >= 0, grand, par)
    lift = np.where(grand >= 0, 1, 0)  # a grandparent group and a parent group with the same id differ
    key = top * 2 + lift
    return _same_key(par, par >= 0), _same_key(key, top >= 0)


def _same_key(key: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """1.0 where two segments both count (``ok``) and share ``key``, else 0.0; segment × segment."""
    return ((key[:, None] == key[None, :]) & ok[:, None] & ok[None, :]).astype(np.float64)


def _sat_lq(local: np.ndarray, national: np.ndarray, row: np.ndarray, total: float) -> np.ndarray:
    """``saturate(LQ, 1)`` with ``LQ = (local / row) / (national / total)``; regions × segments."""
    base = np.divide(national, total, out=np.zeros_like(national), where=total > 0)
    share = np.divide(local, row[:, None], out=np.zeros_like(local), where=row[:, None] > 0)
    lq = np.divide(share, base[None, :], out=np.zeros_like(share), where=base[None, :] > 0)
    return lq / (lq + 1.0)


def entry_features(
    x: np.ndarray,
    x_before: np.ndarray | None = None,
    *,
    parents: Sequence[int | None],
    edges: Sequence[tuple[int, int, float, str]],
    observed: np.ndarray | None = None,
    national: np.ndarray | None = None,
    national_before: np.ndarray | None = None,
    waves: Sequence[np.ndarray] | None = None,
    national_long_before: np.ndarray | None = None,
) -> EntryFeatures:
    """Entry features for every region × segment (see the module docstring).

    Parameters
    ----------
    x, x_before : ndarray
        Member-firm counts, regions × segments, at the freeze date and at the
        start of the momentum window.
    parents : sequence
        Per segment, the index of its parent segment (``None`` at the top).
    edges : sequence of (upstream, downstream, weight, source)
        Chain edges between segment indices; ``source`` gives the evidence
        class (:func:`edge_evidence`).
    observed : ndarray, optional
        Segment × segment counts of observed firm-to-firm supplies
        (upstream row, downstream column), the strongest evidence of demand.
    national, national_before : ndarray, optional
        National firm counts per segment now and at the start of the window
        (default: column sums of ``x`` and ``x_before``; pass them when some
        firms have no region).
    waves : sequence of ndarray, optional
        National new firms per segment in each year before the freeze, newest
        first (one array per :data:`WAVES`; default: zeros).
    national_long_before : ndarray, optional
        National firm counts per segment :data:`LONG_WINDOW_DAYS` before the
        freeze (``growth4``; default: ``national_before``).
    """
    x = np.asarray(x, dtype=np.float64)
    n_r, n_s = x.shape
    nat = x.sum(axis=0) if national is None else np.asarray(national, dtype=np.float64)
    row = x.sum(axis=1)
    total = float(x.sum())
    nat_r = x.sum(axis=0)  # firms with a region: the base of location quotients
    popularity = np.broadcast_to(_lognorm(nat), (n_r, n_s))
    before = np.asarray(x_before, dtype=np.float64).sum(axis=0) if national_before is None else national_before
    growth = nat - before
    momentum = np.broadcast_to(_lognorm(growth), (n_r, n_s))
    rel = relatedness_matrix(x)
    density = rel.density_matrix()

    # relatives: siblings under the same parent, the segment itself left out
    par = np.array([-1 if p is None else p for p in parents], dtype=np.int64)
    group = ((par[:, None] == par[None, :]) & (par[:, None] >= 0)).astype(np.float64)
    np.fill_diagonal(group, 0.0)
    relatives = _sat_lq(x @ group.T, group @ nat_r, row, total)
    relatives = np.where((group.sum(axis=1) > 0)[None, :], relatives, 0.0)

    # demand, per evidence class: location quotient among the downstream firms
    mats = {k: np.zeros((n_s, n_s)) for k in EDGE_EVIDENCE}
    for u, v, w, source in edges:
        if u != v:
            mats[edge_evidence(source)][u, v] += max(float(w), 0.0)
    if observed is not None:
        mats["observed"] += np.asarray(observed, dtype=np.float64)
    demand = np.zeros((n_r, n_s))
    for k, m in mats.items():
        if not m.any():
            continue
        rs = m.sum(axis=1, keepdims=True)
        m = np.divide(m, rs, out=np.zeros_like(m), where=rs > 0)
        demand += EDGE_EVIDENCE[k] * np.where((rs.ravel() > 0)[None, :], _sat_lq(x @ m.T, m @ nat_r, row, total), 0.0)
    demand /= max(EDGE_EVIDENCE.values())

    size = np.broadcast_to(_lognorm(row)[:, None], (n_r, n_s))

    # immovability: concentrated beyond all firms' concentration, and related to nothing
    shares = np.divide(x, nat_r[None, :], out=np.zeros_like(x), where=nat_r[None, :] > 0)
    hhi = (shares**2).sum(axis=0)
    hhi_all = float(((row / total) ** 2).sum()) if total else 0.0
    excess = np.clip((hhi - hhi_all) / (1.0 - hhi_all), 0.0, 1.0) if hhi_all < 1 else np.zeros(n_s)
    reach = rel.phi.max(axis=1) if n_s else np.zeros(0)
    immov = excess * (1.0 - reach) * nat_r / (nat_r + 5.0)
    immov = np.broadcast_to(immov, (n_r, n_s))

    peers = row >= SPREAD_MIN_FIRMS
    if not peers.any():
        peers = row > 0
    spread = (x[peers] > 0).mean(axis=0) if peers.any() else np.zeros(n_s)
    spread = np.broadcast_to(spread, (n_r, n_s))
    yearly = [np.broadcast_to(_lognorm(np.asarray(w, dtype=np.float64)), (n_r, n_s))
              for w in (waves or ())][: len(WAVES)]
    yearly += [np.zeros((n_r, n_s))] * (len(WAVES) - len(yearly))
    long_before = before if national_long_before is None else np.asarray(national_long_before, dtype=np.float64)
    growth4 = np.broadcast_to(_lognorm(nat - long_before), (n_r, n_s))
    parent_g, top_g = _groups(par)
    rate = sum(_ratio(g @ np.maximum(growth, 0.0), g @ nat) for g in (parent_g, top_g))
    sector_growth = np.broadcast_to(_lognorm(nat * (rate + SECTOR_RATE_BASE)), (n_r, n_s))
    sector_presence = _lognorm(x @ top_g.T)
    values = np.stack([popularity, momentum, spread, density, relatives, demand, size, immov, *yearly,
                       growth4, sector_growth, sector_presence], axis=2)
    return EntryFeatures(FEATURES, values)


#: the momentum window: national growth over the two years before the latest dated firm
GROWTH_WINDOW_DAYS = 730


@dataclass(frozen=True)
class EntryContext:
    """What the aggregates lack for the entry features: hierarchy, edge evidence, national growth.

    ``growth`` (new member firms per segment in the window before ``as_of``) is
    ``None`` when the firms carry no dates; momentum then counts 0. ``waves``:
    new member firms per segment in each year before ``as_of``, newest first
    (one mapping per :data:`WAVES`).
    """

    parents: Mapping[str, str | None] = field(default_factory=dict)
    evidence: Mapping[tuple[str, str], str] = field(default_factory=dict)
    growth: Mapping[str, int] | None = None
    as_of: str | None = None
    waves: tuple[Mapping[str, int], ...] = ()
    growth_long: Mapping[str, int] | None = None  # new member firms in the LONG_WINDOW_DAYS before as_of

    def to_doc(self) -> dict:
        """A JSON-ready dict of every field (:meth:`from_doc` reads it back).

        Examples
        --------
        >>> c = EntryContext({"s": None}, {("a", "b"): "text"}, {"s": 2}, "2020-01-01", ({"s": 1},), {"s": 3})
        >>> EntryContext.from_doc(c.to_doc()) == c
        True
        """
        return {"parents": dict(self.parents), "evidence": [[u, v, e] for (u, v), e in self.evidence.items()],
                "growth": None if self.growth is None else dict(self.growth), "as_of": self.as_of,
                "waves": [dict(w) for w in self.waves],
                "growth_long": None if self.growth_long is None else dict(self.growth_long)}

    @classmethod
    def from_doc(cls, doc: Mapping) -> EntryContext:
        """The context :meth:`to_doc` wrote (``KeyError``/``TypeError`` on a document of another shape)."""
        return cls(dict(doc["parents"]), {(u, v): e for u, v, e in doc["evidence"]}, doc["growth"], doc["as_of"],
                   tuple(doc["waves"]), doc["growth_long"])


def firm_date(founded: str | None, as_of: str | None) -> date | None:
    """A firm's date: its founding date (a bare year counts as 1 January), else its record's as-of date.

    Examples
    --------
    >>> firm_date("1999", "2020-01-01"), firm_date(None, "2010-06-30"), firm_date("n/a", None)
    (datetime.date(1999, 1, 1), datetime.date(2010, 6, 30), None)
    """
    for t in (founded, as_of):
        if not t:
            continue
        t = str(t).strip()
        try:
            return date.fromisoformat(t[:10]) if len(t) >= 10 else date(int(t[:4]), 1, 1)
        except ValueError:
            continue
    return None


def entry_context(segments: Iterable, segment_edges: Iterable, organisations: Iterable | None = None, *,
                  firm_dates: Iterable | None = None, window_days: int = GROWTH_WINDOW_DAYS) -> EntryContext:
    """An :class:`EntryContext` from model records (organisations optional: without them, no momentum).

    ``firm_dates`` — ``(founded, as_of, segments)`` per firm — may stand in for
    ``organisations`` (the embedded store reads them with one query).

    Examples
    --------
    >>> from fixtures.world import load_world
    >>> b, _ = load_world()
    >>> c = entry_context(b.segments, b.segment_edges, b.organisations)
    >>> c.as_of is not None and sum(c.growth.values()) > 0
    True
    """
    parents = {s.id: s.parent for s in segments}
    evidence = {(e.upstream, e.downstream): edge_evidence(e.source) for e in segment_edges}
    if firm_dates is None and organisations is not None:
        firm_dates = ((o.founded, o.provenance.as_of if o.provenance else None, o.confirmed_segments())
                      for o in organisations if o.kind.value == "firm")
    if firm_dates is None:
        return EntryContext(parents, evidence)
    dated = []
    seen: dict[tuple, date | None] = {}  # a million firms share some thousands of (founded, as-of) pairs
    for founded, as_of, segs in firm_dates:
        key = (founded, as_of)
        d = seen[key] if key in seen else seen.setdefault(key, firm_date(founded, as_of))
        if d is not None:
            dated.append((d, segs))
    if not dated:
        return EntryContext(parents, evidence)
    last = max(d for d, _ in dated)
    start = date.fromordinal(last.toordinal() - window_days)
    start_long = date.fromordinal(last.toordinal() - LONG_WINDOW_DAYS)
    growth: dict[str, int] = {}
    growth_long: dict[str, int] = {}
    waves: tuple[dict[str, int], ...] = tuple({} for _ in WAVES)
    for d, segs in dated:
        ago = last.toordinal() - d.toordinal()
        year = ago // YEAR_DAYS if ago < len(WAVES) * YEAR_DAYS else None
        for x in segs:
            if d > start:
                growth[x] = growth.get(x, 0) + 1
            if d > start_long:
                growth_long[x] = growth_long.get(x, 0) + 1
            if year is not None:
                waves[year][x] = waves[year].get(x, 0) + 1
    return EntryContext(parents, evidence, growth, last.isoformat(), waves, growth_long)


def entry_figures(aggs, context: EntryContext | None = None) -> dict[str, dict[str, float]]:
    """Entry feature figures of every segment for the aggregates' region, from ``aggs.presence``.

    The region units at the aggregates' level are the rows; observed supplies
    between segments (``aggs.edge_flows``) are the strongest demand evidence,
    the chain edges count as ``context.evidence`` says (``template`` when
    unknown).
    """
    ctx = context or EntryContext()
    segs = sorted(aggs.segments)
    col = {s: j for j, s in enumerate(segs)}
    units = sorted(set(aggs.presence) | {aggs.region})
    x = np.zeros((len(units), len(segs)))
    for i, u in enumerate(units):
        for s, n in aggs.presence.get(u, {}).items():
            if s in col:
                x[i, col[s]] = n
    nat = x.sum(axis=0)
    growth = np.array([float((ctx.growth or {}).get(s, 0)) for s in segs])
    growth_long = np.array([float((ctx.growth_long or {}).get(s, 0)) for s in segs])
    edges = [(col[u], col[v], w, ctx.evidence.get((u, v), "template")) for u, v, w in aggs.edges
             if u in col and v in col]
    observed = np.zeros((len(segs), len(segs)))
    for (u, v), f in aggs.edge_flows.items():
        if u in col and v in col:
            observed[col[u], col[v]] += f.links
    f = entry_features(x, None, parents=[col.get(ctx.parents.get(s) or "") for s in segs], edges=edges,
                       observed=observed, national=nat, national_before=nat - growth, national_long_before=nat - growth_long,
                       waves=[np.array([float(w.get(s, 0)) for s in segs]) for w in ctx.waves])
    row = f.values[units.index(aggs.region)]
    return {s: dict(zip(f.names, (float(v) for v in row[j]), strict=True)) for j, s in enumerate(segs)}


#: the geographic-spillover parts (sixth round, docs/evaluation.md): not in :data:`FEATURES` (not shipped)
NEIGHBOUR_FEATURES = ("neighbours", "neighbour_growth")


def load_macro_regions(path: str | None = None) -> dict[str, str]:
    """Province id → macro region (graph/templates/macro_regions.json: the seven geographic regions).

    Examples
    --------
    >>> m = load_macro_regions()
    >>> m["cn/guangdong"], m["cn/beijing"], m["cn/xinjiang"]
    ('华南', '华北', '西北')
    """
    import json
    from pathlib import Path

    f = Path(path) if path else Path(__file__).resolve().parents[1] / "templates" / "macro_regions.json"
    regions = json.loads(f.read_text(encoding="utf-8"))["regions"]
    return {f"cn/{p}": name for name, provs in regions.items() for p in provs}


def neighbour_groups(units: Sequence[str], level: str, macro: Mapping[str, str] | None = None) -> list[str | None]:
    """The neighbour group of each unit: a city's province; a province's macro region (``None``: no group).

    Examples
    --------
    >>> neighbour_groups(["cn/guangdong/shenzhen", "cn/guangdong/foshan"], "city")
    ['cn/guangdong', 'cn/guangdong']
    >>> neighbour_groups(["cn/guangdong", "cn/hunan", "us/ca"], "province")
    ['华南', '华中', None]
    """
    if level == "city":
        return ["/".join(u.split("/")[:2]) if u.count("/") >= 2 else None for u in units]
    m = load_macro_regions() if macro is None else macro
    return [m.get(u) for u in units]


def neighbour_features(x: np.ndarray, x_before: np.ndarray, groups: Sequence[str | None]) -> np.ndarray:
    """Geographic spillover (Bahar, Hausmann & Hidalgo 2014): what a region's neighbours have and gained.

    ``x[r, s]``: member firms of region ``r`` in segment ``s`` at the freeze date; ``x_before`` the same
    at the start of the window (two years before). The neighbours of ``r`` are the *other* regions of its
    group with at least one firm at the freeze. Returns ``regions × segments × 2``:

    - ``neighbours`` — the share of the neighbours with a firm in ``s`` (同省其他城市已有);
    - ``neighbour_growth`` — the share of the neighbours that entered ``s`` in the window
      (none before, some at the freeze; 邻近地区新增).

    Both are 0 for a region without neighbours (a municipality, a province without a group).

    Examples
    --------
    >>> x = np.array([[1, 0], [1, 1], [0, 1], [5, 5]], dtype=float)
    >>> xb = np.array([[1, 0], [0, 1], [0, 0], [5, 5]], dtype=float)
    >>> f = neighbour_features(x, xb, ["a", "a", "a", None])
    >>> f[0, :, 0].tolist(), f[0, :, 1].tolist()  # region 0: neighbours 1 and 2
    ([0.5, 1.0], [0.5, 0.5])
    >>> f[3].tolist()
    [[0.0, 0.0], [0.0, 0.0]]
    """
    live = x.sum(axis=1) > 0
    g = np.array([k if k is not None else "" for k in groups], dtype=object)
    same = (g[:, None] == g[None, :]) & (g[:, None] != "") & live[None, :]
    np.fill_diagonal(same, False)
    m = same.astype(float)
    n = m.sum(axis=1, keepdims=True)
    has = (x > 0).astype(float)
    new = ((x > 0) & (x_before <= 0)).astype(float)
    return np.stack([_ratio(m @ has, n), _ratio(m @ new, n)], axis=2)  # n: one column, broadcast
