"""A policy-priority part (issue 16, fifth round): do the national plans for strategic emerging industries foretell entries?

docs/evaluation.md → "Fifth round". The part (:mod:`graph.analysis.policy`)
is, for a view frozen at day ``d``, the share of the plans published on or
before ``d`` (graph/templates/strategic_emerging.json: the State Council
decision of 2010-10-18, the 12th plan of 2012-07-09, the 13th plan of
2016-12-19) whose keywords name the segment; 0 everywhere before 2010-10-18.
The keywords and the segment map were committed before anything was scored
(docs/strategic_emerging_matches.md lists the matches).

Protocol, fixed before any design was scored (this docstring was written
first), the fourth round's harness and objective (scripts/entry_fourth.py):

* designs: ``base`` (the 14 parts, ``--tune``'s pointwise fit on the 2, 3 and
  4-year windows ending at the view's freeze date) and ``base + policy`` (the
  same fit with the policy part as a 15th column, sign rule: weight ≥ 0);
* objective: val-H ``mean-min`` (the 4 horizon-matched cells; mean of
  min(MAP ratio, R@20 ratio) to the best baseline of the cell), with the
  old-8 mean-min (val-2y, val-4y) beside it. ``base + policy`` is chosen only
  if its val-H mean-min is at least 0.01 above base's and its old-8 mean-min
  not more than 0.02 below base's (the fourth round's rule);
* said before scoring, from the dates alone: every val-H view fits its weights
  on windows ending at ``v`` = 2008-06-02 or 2012-06-03, whose features are
  frozen at ``v − 2y … v − 4y`` ≤ 2010-06-03, before the first plan. The part is
  0 in all those fits, its weight 0, so val-H equals base by construction and
  the rule cannot choose the part. The old-8 cells whose fits see the part
  (some fitting window frozen after 2010-10-18) are marked ``live`` in the
  output; they are reported as a diagnostic, not as a second chance for the
  rule;
* test, only if chosen: once, ``--test``; ship rule: the ``base + policy`` fit
  at t0 2014-12-31, city, as candidate ``ENTRY_WEIGHTS``; it ships only if in
  every one of the 4 test cells its MAP and its R@20 are each ≥ the shipped
  weights' (3 decimals).

    OMP_NUM_THREADS=1 python scripts/entry_fifth.py --data-dir D [--test]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import entry_fourth as E  # noqa: E402  (the fourth round's harness: views, fits, metrics)

from graph.analysis.policy import load_plans, policy_priority  # noqa: E402

PLANS = load_plans()
_fourth_inputs = E.inputs


def inputs(level: str, day: int, design: dict) -> tuple[np.ndarray, list[str]]:
    a, names = _fourth_inputs(level, day, {k: v for k, v in design.items() if k != "policy"})
    if design.get("policy"):
        d = E.D[level]
        p = policy_priority(d.names, d.parents, day, PLANS)
        a = np.concatenate([a, np.broadcast_to(p, a.shape[:2])[:, :, None]], axis=2)
        names = [*names, "policy"]
    return a, names


E.inputs = inputs  # the harness's fit() and view() look inputs up in their module
DESIGNS = {"base (--tune: 2,3,4y)": {}, "base + policy": {"policy": True}}


def alone(level: str, t0: str, h: int) -> tuple[tuple[float, float], dict]:
    """Diagnostic, not a design: the part alone at the view's freeze date, ties broken by national size
    (policy first, then popularity within each policy level), scored like the engine."""
    end = E.DAY(t0)
    v = end - h
    a, names = inputs(level, v, {"policy": True})
    w = np.zeros(len(names))
    w[-1], w[names.index("popularity")] = 1.0, 1e-3
    r = E.score(level, v, end, a, w)
    return E.ratios(r), r


def live(t0: str, h: int) -> bool:
    """Does some fitting window of this view freeze after the first plan?"""
    v = E.DAY(t0) - h
    first = E.DAY(PLANS[0]["published"])
    return any(v - c >= first for c in (730, 1095, 1461))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--test", action="store_true", help="the single test look (only if validation chose the part)")
    args = ap.parse_args()
    sys.argv = [sys.argv[0], "--data-dir", args.data_dir, "--designs", "base (--tune: 2,3,4y)"]
    E.DESIGNS.update(DESIGNS)
    if args.test:
        sys.argv += ["--test"]
        sys.argv[4] = "base + policy"
        E.main()
        return
    E.main()  # loads the data and prints base's row as the fourth round did
    for name, des in DESIGNS.items():
        t = time.time()
        new, old, detail, lv_cells = [], [], [], []
        for lv in ("city", "province"):
            for t0 in E.T0S:
                (m, r20), r, w = E.view(lv, t0, E.horizon(t0), des)
                new.append((m, r20))
                pw = f" w_policy {w[-1]:.3f}" if des.get("policy") else ""
                detail.append(f"{lv[:4]} {t0[:4]} {r['engine'][0]:.3f}/{r['engine'][1]:.3f}{pw}")
                for h in (2 * E.Y, 4 * E.Y + 1):
                    (m, r20), r, w = E.view(lv, t0, h, des)
                    old.append((m, r20))
                    if live(t0, h):
                        pw = f" w_policy {w[-1]:.3f}" if des.get("policy") else ""
                        lv_cells.append(f"{lv[:4]} {t0[:4]} -{h // 365}y {m:.2f}/{r20:.2f}"
                                        f" ({r['engine'][0]:.3f}/{r['engine'][1]:.3f}){pw}")
        c, o = np.array(new), np.array(old)
        mm = np.minimum(c[:, 0], c[:, 1]).mean()
        om = np.minimum(o[:, 0], o[:, 1]).mean()
        print(f"{name:24s} val-H MAPx {' '.join(f'{v:.2f}' for v in c[:, 0])} R20x {' '.join(f'{v:.2f}' for v in c[:, 1])}"
              f" | mean-min {mm:.3f} min {c.min():.2f} | old-8 mean-min {om:.3f} min {o.min():.2f}"
              f" | {'; '.join(detail)} ({time.time() - t:.0f}s)", flush=True)
        print(f"    old-8 cells whose fit sees the part (MAPx/R20x, engine MAP/R@20): {'; '.join(lv_cells)}", flush=True)
    rows = []
    for lv in ("city", "province"):
        for t0 in E.T0S:
            for h, tag in ((E.horizon(t0), "H"), (2 * E.Y, "2y"), (4 * E.Y + 1, "4y")):
                v = E.DAY(t0) - h
                if v < E.DAY(PLANS[0]["published"]):
                    continue
                (m, r20), r = alone(lv, t0, h)
                rows.append(f"{lv[:4]} {t0[:4]} -{tag} {m:.2f}/{r20:.2f} ({r['engine'][0]:.3f}/{r['engine'][1]:.3f})")
    print(f"diagnostic, policy alone (then popularity) where the view sees a plan: {'; '.join(rows)}", flush=True)


if __name__ == "__main__":
    main()
