"""Ranking metrics for one relevant answer, exact under random tie-breaking.

A scorer that gives many candidates the same score (a popularity count, a
zero for "no common neighbour") must not be credited with the best place
among its ties, nor punished with the worst. So every metric here is the
*expectation* over a uniformly random order of the tied candidates: with
``g`` candidates scored strictly above the answer and ``e`` others tied with
it, the answer's rank is uniform on ``g+1 … g+e+1``.

Examples
--------
>>> s = np.array([0.9, 0.5, 0.5, 0.5, 0.1])
>>> rs = rank_stats(s, answer=2)
>>> rs
RankStats(greater=1, ties=2, candidates=5)
>>> rs.rank, round(rs.recall(2), 4), round(rs.recall(4), 4)
(3.0, 0.3333, 1.0)
>>> round(rs.reciprocal_rank(), 4), round(rs.ndcg(10), 4)
(0.3611, 0.5205)
>>> rank_stats(s, answer=2, mask=np.array([True, True, True, False, True])).ties
1
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

__all__ = ["RankStats", "rank_stats", "summarise", "METRICS", "SET_METRICS", "set_metrics"]

METRICS = ("Recall@10", "Recall@50", "MRR", "nDCG@10")


@dataclass(frozen=True, slots=True)
class RankStats:
    """Where one answer lands: ``greater`` candidates above it, ``ties`` tied with it."""

    greater: int
    ties: int
    candidates: int

    @property
    def rank(self) -> float:
        """Expected rank (1-based)."""
        return self.greater + 1 + self.ties / 2

    def _ranks(self) -> np.ndarray:
        return np.arange(self.greater + 1, self.greater + self.ties + 2, dtype=np.float64)

    def recall(self, k: int) -> float:
        """Probability that the answer is in the top ``k``."""
        return float(min(1.0, max(0.0, (k - self.greater) / (self.ties + 1))))

    def reciprocal_rank(self) -> float:
        return float(np.mean(1.0 / self._ranks()))

    def ndcg(self, k: int = 10) -> float:
        """nDCG@k with one relevant item (ideal DCG = 1)."""
        r = self._ranks()
        return float(np.mean(np.where(r <= k, 1.0 / np.log2(r + 1.0), 0.0)))


def rank_stats(scores: np.ndarray, answer: int, mask: np.ndarray | None = None) -> RankStats:
    """Rank of ``answer`` among the candidates ``mask`` allows (all when ``None``; it is always one).

    Scores are compared after rounding to 9 decimals, so floating noise does not break ties.
    """
    s = np.round(np.asarray(scores, dtype=np.float64), 9)
    allowed = np.ones(len(s), bool) if mask is None else mask.copy()
    allowed[answer] = True
    a = s[answer]
    greater = int(((s > a) & allowed).sum())
    ties = int(((s == a) & allowed).sum()) - 1
    return RankStats(greater, ties, int(allowed.sum()))


def summarise(stats: Iterable[RankStats]) -> dict[str, float]:
    """Mean Recall@10, Recall@50, MRR and nDCG@10 (and the number of queries ``n``)."""
    stats = list(stats)
    if not stats:
        return {m: float("nan") for m in METRICS} | {"n": 0}
    return {
        "Recall@10": float(np.mean([s.recall(10) for s in stats])),
        "Recall@50": float(np.mean([s.recall(50) for s in stats])),
        "MRR": float(np.mean([s.reciprocal_rank() for s in stats])),
        "nDCG@10": float(np.mean([s.ndcg(10) for s in stats])),
        "n": len(stats),
    }


# ------------------------------------------------------------------ many relevant answers (entries)

#: the entry backtest's metrics (several relevant answers per query)
SET_METRICS = ("MAP", "Recall@10", "Recall@20", "AUC-PR")


def _set_once(order: np.ndarray, rel: np.ndarray) -> tuple[float, float, float, float]:
    hits = rel[order].astype(np.float64)
    n_rel = hits.sum()
    cum = np.cumsum(hits)
    ranks = np.arange(1, len(hits) + 1)
    precision = cum / ranks
    ap = float((precision * hits).sum() / n_rel)
    recall = cum / n_rel
    # trapezoid under the precision-recall curve, starting at (0, precision at the first hit)
    r = np.r_[0.0, recall]
    p = np.r_[precision[np.argmax(hits > 0)], precision]
    auc = float(np.sum(np.diff(r) * (p[1:] + p[:-1]) / 2))
    return ap, float(cum[min(9, len(cum) - 1)] / n_rel), float(cum[min(19, len(cum) - 1)] / n_rel), auc


def set_metrics(scores: np.ndarray, relevant: np.ndarray, *, draws: int = 16, seed: int = 0) -> dict[str, float]:
    """MAP (average precision), Recall@10/20 and AUC-PR of one ranking with several relevant answers.

    Ties are broken at random and the metrics averaged over ``draws`` orders
    (one order when no score is tied), so a scorer is neither credited nor
    punished for its ties. Scores are compared after rounding to 9 decimals.
    ``relevant`` is a boolean mask with at least one ``True``.

    Examples
    --------
    >>> m = set_metrics(np.array([0.9, 0.8, 0.7, 0.1]), np.array([True, False, True, False]))
    >>> round(m["MAP"], 4), m["Recall@10"]
    (0.8333, 1.0)
    >>> m = set_metrics(np.zeros(4), np.array([True, False, False, False]), draws=4000)
    >>> abs(m["MAP"] - (1 + 1/2 + 1/3 + 1/4) / 4) < 0.02
    True
    """
    s = np.round(np.asarray(scores, dtype=np.float64), 9)
    rel = np.asarray(relevant, dtype=bool)
    if not rel.any():
        raise ValueError("set_metrics needs at least one relevant answer")
    tied = np.unique(s).size < s.size
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(draws if tied else 1):
        order = np.lexsort((rng.random(s.size), -s))
        out.append(_set_once(order, rel))
    return dict(zip(SET_METRICS, (float(v) for v in np.mean(out, axis=0)), strict=True))
