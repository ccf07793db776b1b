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

__all__ = ["RankStats", "rank_stats", "summarise", "METRICS"]

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
