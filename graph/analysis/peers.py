"""Peer parts (issue 16, seventh round): do the regions most like a region foretell its entries?

Similar places diversify alike: a region tends to enter the industries related
to the ones it already has (Neffke, Henning & Boschma 2011, "How do regions
diversify over time?", Economic Geography), so regions with similar portfolios
should enter similar industries. Here the similarity of two regions is the
cosine of their presence profiles over segments (presence = RCA ≥ 1, the
``M`` of Hidalgo et al. 2007, :func:`~graph.analysis.relatedness.rca_presence`); the
*peers* of a region are its :data:`PEER_K` most similar other regions of the
same level that hold at least :data:`PEER_MIN_FIRMS` firms at the freeze,
each weighted by its cosine. Two parts in [0, 1]:

- ``peer_presence`` (相似地区已有) — the cosine-weighted share of the peers
  with a firm in the segment at the freeze;
- ``peer_entries`` (相似地区新增) — the cosine-weighted share of the peers
  that entered the segment in the window before the freeze (no firm at its
  start, at least one at the freeze).

Pure functions of count matrices: the caller passes counts of records dated ≤
the freeze (and ≤ the window's start), so nothing later is read. They are not
engine parts (:data:`graph.analysis.entryfeatures.FEATURES`): the seventh
round did not ship them (docs/evaluation.md → "Seventh round").

Examples
--------
>>> x = np.array([[1, 1, 0], [1, 1, 1], [0, 0, 2]], dtype=float)
>>> w = peer_weights(x, k=1, min_firms=1)
>>> np.round(w, 3).tolist()  # region 1's one firm in segment 2 is below RCA 1: regions 0 and 1 have one profile
[[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
>>> f = peer_features(x, x * 0, k=1, min_firms=1)
>>> f[0, :, 0].tolist(), f[0, :, 1].tolist()  # region 1 holds all three, all new in the window
([1.0, 1.0, 1.0], [1.0, 1.0, 1.0])
"""

from __future__ import annotations

import numpy as np

from graph.analysis.relatedness import rca_presence

__all__ = ["PEER_FEATURES", "PEER_K", "PEER_MIN_FIRMS", "peer_weights", "peer_features"]

#: the peer parts, in the order :func:`peer_features` returns them (not in ``FEATURES``: not shipped)
PEER_FEATURES = ("peer_presence", "peer_entries")
#: how many most similar regions are a region's peers (fixed before the seventh round scored anything)
PEER_K = 5
#: a region can be a peer only with at least this many firms at the freeze (as ``spread``'s sizeable regions)
PEER_MIN_FIRMS = 8


def peer_weights(x: np.ndarray, *, k: int = PEER_K, min_firms: int = PEER_MIN_FIRMS) -> np.ndarray:
    """``W[r, p]``: the cosine of ``p`` to ``r`` if ``p`` is one of ``r``'s ``k`` peers, else 0 (``regions × regions``).

    Candidates for peers: the other regions with at least ``min_firms`` firms. Ties in cosine go to the
    lower index (a stable order); a peer with cosine 0 weighs 0.

    Examples
    --------
    >>> x = np.array([[1, 0], [1, 0], [0, 1]], dtype=float)
    >>> peer_weights(x, k=1, min_firms=1).tolist()
    [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    """
    m = rca_presence(x)[1]
    norm = np.sqrt(m.sum(axis=1))
    cos = np.divide(m @ m.T, norm[:, None] * norm[None, :], out=np.zeros((len(x), len(x))),
                    where=(norm[:, None] * norm[None, :]) > 0)
    ok = (x.sum(axis=1) >= min_firms)[None, :] & ~np.eye(len(x), dtype=bool)
    key = np.where(ok, cos, -1.0)
    order = np.argsort(-key, axis=1, kind="stable")[:, :k]  # the k highest, ties to the lower index
    w = np.zeros_like(cos)
    rows = np.arange(len(x))[:, None]
    w[rows, order] = np.where(ok[rows, order], cos[rows, order], 0.0)
    return w


def peer_features(x: np.ndarray, x_before: np.ndarray, *, k: int = PEER_K,
                  min_firms: int = PEER_MIN_FIRMS) -> np.ndarray:
    """The peer parts, ``regions × segments × 2`` in the order of :data:`PEER_FEATURES`.

    ``x[r, s]``: firms of region ``r`` in segment ``s`` dated ≤ the freeze; ``x_before`` the same ≤ the
    window's start (two years before). Peers and their cosines come from ``x`` alone. A region without
    a peer of positive cosine gets 0 in both parts.

    Examples
    --------
    >>> x = np.array([[1, 1, 0], [1, 0, 1], [0, 1, 1]], dtype=float)  # every firm at RCA 1.5
    >>> xb = np.array([[1, 1, 0], [1, 0, 0], [0, 1, 1]], dtype=float)  # region 1 entered segment 2
    >>> f = peer_features(x, xb, k=2, min_firms=1)
    >>> f[0, :, 0].tolist(), f[0, :, 1].tolist()  # region 0: peers 1 and 2, cosine 1/2 each
    ([0.5, 0.5, 1.0], [0.0, 0.0, 0.5])
    """
    w = peer_weights(x, k=k, min_firms=min_firms)
    total = w.sum(axis=1, keepdims=True)
    has = (x > 0).astype(float)
    new = ((x > 0) & (x_before <= 0)).astype(float)

    def share(v: np.ndarray) -> np.ndarray:
        return np.divide(w @ v, total, out=np.zeros_like(x, dtype=float), where=total > 0)

    return np.stack([share(has), share(new)], axis=2)
