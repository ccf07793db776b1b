"""Peer regions (issue 16, seventh round): do the regions most like a region foretell its entries?

docs/evaluation.md → "Seventh round". Idea: similar places diversify alike. A
region tends to enter industries related to the ones it has (Neffke, Henning
& Boschma 2011, "How do regions diversify over time?", Economic Geography
87(3)), so the regions whose portfolios are most like its own should enter
what it will enter. Two parts in [0, 1] (:func:`graph.analysis.peers.peer_features`),
from records dated ≤ the view's freeze date only:

* ``peer_presence`` — the cosine-weighted share of the region's peers with a
  firm in the segment. Peers: its ``PEER_K`` = 5 most similar other regions
  of the same level (city or province) with ≥ ``PEER_MIN_FIRMS`` = 8 firms at
  the freeze; similarity = cosine of the presence profiles over segments
  (presence = RCA ≥ 1 at the freeze); ties to the lower region index;
* ``peer_entries`` — the cosine-weighted share of the same peers that entered
  the segment in the 2 years before the freeze (no firm dated ≤ freeze − 2y,
  at least one dated ≤ freeze).

Protocol, fixed before any design was scored (this docstring was committed
first), the fourth round's harness and objective (scripts/entry_fourth.py),
as the sixth round:

* designs: ``base`` (the 14 parts, ``--tune``'s pointwise fit on the 2, 3 and
  4-year windows ending at the view's freeze date), ``base + peer_presence``
  (the same fit, one more column) and ``base + peer_presence + peer_entries``
  (two more columns); sign rule of ``fit_signed``: the new parts' weights
  ≥ 0 (a column fitted negative is dropped and the rest refitted);
* objective: val-H ``mean-min`` (the 4 horizon-matched cells; mean of
  min(MAP ratio, R@20 ratio) to the best baseline of the cell), with the
  old-8 mean-min (val-2y, val-4y) beside it. A design is chosen only if it
  has the highest val-H mean-min of the three, at least 0.01 above base's,
  and its old-8 mean-min is not more than 0.02 below base's (rounds 4–6);
* test, only if chosen: once, ``--test``; ship rule (rounds 5–6): the chosen
  design's fit at t0 2014-12-31, city, as candidate ``ENTRY_WEIGHTS``; it
  ships only if in every one of the 4 test cells its MAP and its R@20 are
  each ≥ the shipped weights' (3 decimals).

    OMP_NUM_THREADS=1 nice -n 5 python scripts/entry_seventh.py --data-dir D [--test "design"]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import entry_fourth as E  # noqa: E402  (the fourth round's harness: views, fits, metrics)

from graph.analysis.entryfeatures import GROWTH_WINDOW_DAYS  # noqa: E402
from graph.analysis.peers import PEER_FEATURES, PEER_MIN_FIRMS, peer_features, peer_weights  # noqa: E402

_PEER: dict = {}


def peers(level: str, day: int) -> np.ndarray:
    k = (level, day)
    if k not in _PEER:
        d = E.D[level]
        x, _ = d.counts(day)
        xb, _ = d.counts(day - GROWTH_WINDOW_DAYS)
        _PEER[k] = peer_features(x, xb)
    return _PEER[k]


E.add_parts("peer", PEER_FEATURES, peers)
DESIGNS = {"base (--tune: 2,3,4y)": {}, "base + peer_presence": {"peer": ("peer_presence",)},
           "base + peer_presence + peer_entries": {"peer": ("peer_presence", "peer_entries")}}


def detail() -> None:
    """Validation only: old-8 ratios per cell, the peer parts alone on the val-H cells, the peers' cosines."""
    E.old8_lines(DESIGNS)
    E.alone_lines(PEER_FEATURES, peers)
    for lv in ("city", "province"):  # how alike the peers are
        for t0 in E.T0S:
            v = E.DAY(t0) - E.horizon(t0)
            x, _ = E.D[lv].counts(v)
            w = peer_weights(x)
            scored = np.flatnonzero(x.sum(axis=1) >= PEER_MIN_FIRMS)
            cos = [w[r][w[r] > 0].mean() for r in scored if (w[r] > 0).any()]
            print(f"val-H {lv} {t0[:4]} (v {E.date.fromordinal(E._EPOCH.toordinal() + v)}): {len(scored)} regions "
                  f"with >= {PEER_MIN_FIRMS} firms, mean cosine to their peers {np.mean(cos):.3f}, segments held "
                  f"{np.mean([(x[r] > 0).sum() for r in scored]):.1f} of {x.shape[1]}", flush=True)


def main() -> None:
    E.round_cli(__doc__, DESIGNS, "peer", detail)

if __name__ == "__main__":
    main()
