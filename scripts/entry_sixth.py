"""Geographic spillover (issue 16, sixth round): do a region's neighbours foretell its entries?

docs/evaluation.md → "Sixth round". Basis: Bahar, Hausmann & Hidalgo 2014,
"Neighbors and the evolution of the comparative advantage of nations"
(J. Int. Econ. 92(1)): a place is more likely to gain a product its
neighbours already have. Two parts in [0, 1]
(:func:`graph.analysis.entryfeatures.neighbour_features`), from records dated
≤ the view's freeze date only:

* ``neighbours`` — the share of the region's neighbours with a firm in the
  segment. Neighbours of a city: the other cities of its province with ≥ 1
  firm; of a province: the other provinces of its macro region
  (graph/templates/macro_regions.json, the seven geographic regions);
* ``neighbour_growth`` — the share of the same neighbours that entered the
  segment in the 2 years before the freeze.

Protocol, fixed before any design was scored (this docstring was committed
first), the fourth round's harness and objective (scripts/entry_fourth.py):

* designs: ``base`` (the 14 parts, ``--tune``'s pointwise fit on the 2, 3 and
  4-year windows ending at the view's freeze date), ``base + neighbours``
  (the same fit, one more column) and ``base + neighbours + neighbour_growth``
  (two more columns); sign rule of ``fit_signed``: the new parts' weights
  ≥ 0 (a column fitted negative is dropped and the rest refitted);
* objective: val-H ``mean-min`` (the 4 horizon-matched cells; mean of
  min(MAP ratio, R@20 ratio) to the best baseline of the cell), with the
  old-8 mean-min (val-2y, val-4y) beside it. A design is chosen only if it
  has the highest val-H mean-min of the three, at least 0.01 above base's,
  and its old-8 mean-min is not more than 0.02 below base's (the fourth and
  fifth rounds' rule);
* test, only if chosen: once, ``--test``; ship rule (the fifth round's): the
  chosen design's fit at t0 2014-12-31, city, as candidate ``ENTRY_WEIGHTS``;
  it ships only if in every one of the 4 test cells its MAP and its R@20 are
  each ≥ the shipped weights' (3 decimals).

    OMP_NUM_THREADS=1 python scripts/entry_sixth.py --data-dir D [--test "design"]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import entry_fourth as E  # noqa: E402  (the fourth round's harness: views, fits, metrics)

from graph.analysis.entryfeatures import GROWTH_WINDOW_DAYS, neighbour_features, neighbour_groups  # noqa: E402


def spill(level: str, day: int) -> np.ndarray:
    d = E.D[level]
    x, _ = d.counts(day)
    xb, _ = d.counts(day - GROWTH_WINDOW_DAYS)
    return neighbour_features(x, xb, neighbour_groups(d.units, level))


E.add_parts("spill", ("neighbours", "neighbour_growth"), spill)
DESIGNS = {"base (--tune: 2,3,4y)": {}, "base + neighbours": {"spill": ("neighbours",)},
           "base + neighbours + neighbour_growth": {"spill": ("neighbours", "neighbour_growth")}}


def main() -> None:
    E.round_cli(__doc__, DESIGNS, "spill")


if __name__ == "__main__":
    main()
