"""Entry hazard (issue 16, eighth round): does the observed regional entry rate of a segment foretell entries?

docs/evaluation.md → "Eighth round". Idea: the empirical base rate of the
very event the backtest predicts. For a segment, among the regions of the
same level with ≥ ``HAZARD_MIN_FIRMS`` = 8 firms at the window's start that
had no firm in it then, the share that held at least one at the freeze. Two
parts in [0, 1] (:func:`graph.analysis.hazard.hazard_features`), from records
dated ≤ the view's freeze date only, one national figure per segment:

* ``hazard`` (近两年地区进入率) — window: the 2 years before the freeze;
* ``hazard4`` (近四年地区进入率) — window: the 4 years before the freeze.

Smoothing, fixed before scoring (``HAZARD_PRIOR``): ``(entered + 0.5) /
(lacking + 1)``; a segment that no sizeable region lacked gets 0.5. All
regions of the level count, the scored region included. Not peer_entries (5
similar peers only), not spread (a level, not a change), not the waves (firm
counts, which one big region can dominate).

Protocol, fixed before any design was scored (this docstring was committed
first), the fourth round's harness and objective (scripts/entry_fourth.py),
as rounds 6–7:

* designs: ``base`` (the 14 parts, ``--tune``'s pointwise fit on the 2, 3 and
  4-year windows ending at the view's freeze date), ``base + hazard`` (the
  same fit, one more column) and ``base + hazard + hazard4`` (two more
  columns); sign rule of ``fit_signed``: the new parts' weights ≥ 0 (a
  column fitted negative is dropped and the rest refitted);
* objective: val-H ``mean-min`` (the 4 horizon-matched cells; mean of
  min(MAP ratio, R@20 ratio) to the best baseline of the cell), with the
  old-8 mean-min (val-2y, val-4y) beside it. A design is chosen only if it
  has the highest val-H mean-min of the three, at least 0.01 above base's,
  and its old-8 mean-min is not more than 0.02 below base's (rounds 4–7);
* test, only if chosen: once, ``--test``; ship rule (rounds 5–7): the chosen
  design's fit at t0 2014-12-31, city, as candidate ``ENTRY_WEIGHTS``; it
  ships only if in every one of the 4 test cells its MAP and its R@20 are
  each ≥ the shipped weights' (3 decimals).

    OMP_NUM_THREADS=1 nice -n 10 python scripts/entry_eighth.py --data-dir D [--test "design"]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import entry_fourth as E  # noqa: E402  (the fourth round's harness: views, fits, metrics)

from graph.analysis.hazard import (  # noqa: E402
    HAZARD_FEATURES,
    HAZARD_MIN_FIRMS,
    HAZARD_WINDOWS,
    hazard_features,
    lacking_regions,
)


def hazards(level: str, day: int) -> np.ndarray:
    return hazard_features(lambda d: E.D[level].counts(d)[0], day)


E.add_parts("hazard", HAZARD_FEATURES, hazards)
DESIGNS = {"base (--tune: 2,3,4y)": {}, "base + hazard": {"hazard": ("hazard",)},
           "base + hazard + hazard4": {"hazard": ("hazard", "hazard4")}}


def detail() -> None:
    """Validation only (added after the validation run; chooses nothing): old-8 cells per design, each hazard
    part alone on the val-H cells, and per val-H view how many regions the hazard counts and how it ranks
    beside spread, popularity and growth4 over the scored regions' candidates (Spearman)."""
    from scipy.stats import spearmanr

    E.old8_lines(DESIGNS)
    E.alone_lines(HAZARD_FEATURES, hazards)
    for lv in ("city", "province"):
        for t0 in E.T0S:
            v = E.DAY(t0) - E.horizon(t0)
            f, h = E.feats(lv, v), hazards(lv, v)
            cand = np.zeros(h.shape[:2], bool)
            for r, c, _truth in E._cells(E.D[lv], v, E.DAY(t0), 8)[0]:
                cand[r] = c
            out = []
            for i, (part, w) in enumerate(zip(HAZARD_FEATURES, HAZARD_WINDOWS, strict=True)):
                xb = E.D[lv].counts(v - w)[0]
                sizeable = xb.sum(axis=1) >= HAZARD_MIN_FIRMS
                lacking = lacking_regions(xb).sum(axis=0)
                segs = cand.any(axis=0)
                rho = [spearmanr(h[:, :, i][cand], f.figure(o)[cand])[0] for o in ("spread", "popularity", "growth4")]
                out.append(f"{part}: {int(sizeable.sum())} sizeable regions, median lacking {np.median(lacking[segs]):.0f}, "
                           f"{np.mean(h[0, segs, i] <= 0.5 / (lacking[segs] + 1) + 1e-12):.0%} of candidate segments "
                           f"entered by none, rho spread/popularity/growth4 {' '.join(f'{x:.2f}' for x in rho)}")
            print(f"val-H {lv} {t0[:4]}: {'; '.join(out)}", flush=True)


def main() -> None:
    E.round_cli(__doc__, DESIGNS, "hazard", detail)


if __name__ == "__main__":
    main()
