"""Entry-hazard parts (issue 16, eighth round): how often did sizeable regions lacking a segment enter it?

The empirical base rate of the very event the entry backtest predicts. For a
segment ``s`` and a window ``(start, freeze]``: among the regions of one level
with at least :data:`HAZARD_MIN_FIRMS` firms at ``start`` that had no firm in
``s`` at ``start`` (*lacking*), the share that had at least one at ``freeze``
(*entered*), smoothed by a small fixed prior :data:`HAZARD_PRIOR`:
``(entered + 0.5) / (lacking + 1)``. Two parts in [0, 1], equal for every
region of a level (a national figure per segment, like ``spread``):

- ``hazard`` (近两年地区进入率) — the window is the two years before the freeze;
- ``hazard4`` (近四年地区进入率) — the four years before it.

``spread`` is a level (how many regions hold ``s``), not a change; the waves
count firms (one big region can make them); the seventh round's
``peer_entries`` looks at 5 similar regions only. The hazard counts regions
that *became* holders, among all that could have.

Pure functions of count matrices: :func:`entry_hazard` reads the two matrices
it is given; :func:`hazard_features` asks ``counts(day)`` only for days ≤ the
freeze, so nothing dated later is read. Not engine parts
(:data:`graph.analysis.entryfeatures.FEATURES`) unless the eighth round ships them
(docs/evaluation.md → "Eighth round").

Examples
--------
>>> xb = np.array([[8, 0], [8, 0], [9, 1], [1, 0]], dtype=float)  # 3 sizeable regions at the start
>>> x = np.array([[8, 1], [8, 0], [9, 1], [1, 5]], dtype=float)   # region 0 entered segment 1
>>> entry_hazard(x, xb).tolist()  # segment 0: nobody lacked it, 0.5/1; segment 1: (1 + 0.5)/(2 + 1)
[0.5, 0.5]
>>> entry_hazard(x, xb, prior=(0.0, 0.0)).tolist()  # unsmoothed: 0/0 counts 0; region 3 is too small
[0.0, 0.5]
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from graph.analysis.entryfeatures import GROWTH_WINDOW_DAYS, LONG_WINDOW_DAYS, SPREAD_MIN_FIRMS

__all__ = ["HAZARD_FEATURES", "HAZARD_MIN_FIRMS", "HAZARD_PRIOR", "HAZARD_WINDOWS", "entry_hazard",
           "hazard_features", "lacking_regions"]

#: the hazard parts, in the order :func:`hazard_features` returns them (not in ``FEATURES``: not shipped)
HAZARD_FEATURES = ("hazard", "hazard4")
#: each part's window in days before the freeze: two years (as ``momentum``) and four (as ``growth4``)
HAZARD_WINDOWS = (GROWTH_WINDOW_DAYS, LONG_WINDOW_DAYS)
#: a region counts when it has at least this many firms at the window's start (``spread``'s sizeable regions)
HAZARD_MIN_FIRMS = SPREAD_MIN_FIRMS
#: ``(a, b)`` of the smoothed share ``(entered + a) / (lacking + b)``, fixed before the eighth round scored anything
HAZARD_PRIOR = (0.5, 1.0)


def lacking_regions(x_before: np.ndarray, *, min_firms: int = HAZARD_MIN_FIRMS) -> np.ndarray:
    """``regions × segments``: whether the region is sizeable (at least ``min_firms`` firms in ``x_before``)
    and has no firm in the segment there, the regions :func:`entry_hazard` counts.

    >>> lacking_regions(np.array([[8, 0], [1, 0]], dtype=float)).tolist()
    [[False, True], [False, False]]
    """
    sizeable = x_before.sum(axis=1) >= min_firms
    return sizeable[:, None] & (x_before <= 0)


def entry_hazard(x: np.ndarray, x_before: np.ndarray, *, min_firms: int = HAZARD_MIN_FIRMS,
                 prior: tuple[float, float] = HAZARD_PRIOR) -> np.ndarray:
    """Per segment: the smoothed share of the sizeable regions lacking it at the start that hold it at the end.

    ``x[r, s]``: firms of region ``r`` in segment ``s`` dated ≤ the freeze; ``x_before`` the same ≤ the
    window's start. Sizeable: at least ``min_firms`` firms in ``x_before``. ``prior = (a, b)`` gives
    ``(entered + a) / (lacking + b)``; a segment with ``lacking + b == 0`` gets 0.

    Examples
    --------
    >>> xb = np.array([[8, 0, 0], [0, 8, 0]], dtype=float)
    >>> x = np.array([[8, 1, 1], [0, 8, 0]], dtype=float)
    >>> entry_hazard(x, xb, prior=(0.0, 0.0)).tolist()  # segment 1: region 0 of {0}; segment 2: 1 of {0, 1}
    [0.0, 1.0, 0.5]
    """
    lacking = lacking_regions(x_before, min_firms=min_firms)
    entered = (lacking & (x > 0)).sum(axis=0) + prior[0]
    n = lacking.sum(axis=0) + prior[1]
    return np.divide(entered, n, out=np.zeros(x.shape[1]), where=n > 0)


def hazard_features(counts: Callable[[int], np.ndarray], day: int, *, min_firms: int = HAZARD_MIN_FIRMS,
                    prior: tuple[float, float] = HAZARD_PRIOR) -> np.ndarray:
    """The hazard parts at freeze ``day``, ``regions × segments × 2`` in the order of :data:`HAZARD_FEATURES`.

    ``counts(d)``: the ``regions × segments`` firm counts of records dated ≤ ``d``; it is asked only for
    ``day`` and the windows' starts (:data:`HAZARD_WINDOWS` before it).

    Examples
    --------
    >>> days = {0: np.array([[8, 0], [8, 0]], dtype=float), 1000: np.array([[8, 1], [8, 0]], dtype=float)}
    >>> def counts(d):  # region 0 entered segment 1 on day 1000, three years before day 2095
    ...     return days[1000] if d >= 1000 else days[0]
    >>> f = hazard_features(counts, 2095, prior=(0.0, 0.0))
    >>> f[:, 1].tolist()  # segment 1, two years (from day 1365): 0 of 1; four (from 635): 1 of 2
    [[0.0, 0.5], [0.0, 0.5]]
    """
    x = counts(day)
    parts = [entry_hazard(x, counts(day - w), min_firms=min_firms, prior=prior) for w in HAZARD_WINDOWS]
    return np.broadcast_to(np.stack(parts, axis=1)[None, :, :], (x.shape[0], x.shape[1], len(parts))).copy()
