"""Relatedness density from the co-location of segments (economic-complexity style).

From a region × segment matrix of member-firm counts ``X``:

- revealed comparative advantage ``RCA[r, s] = (X[r, s] / X[r, ·]) / (X[·, s] / X[·, ·])``,
  and ``M[r, s] = 1`` where ``RCA ≥ 1``;
- ubiquity ``u[s] = Σ_r M[r, s]``;
- proximity ``φ(s, t) = Σ_r M[r, s] M[r, t] / max(u[s], u[t])`` — the minimum of
  the two conditional probabilities of co-location (Hidalgo et al. 2007);
- density ``ω[r, s] = Σ_{t≠s} φ(s, t) M[r, t] / Σ_{t≠s} φ(s, t)`` — how much of
  what is related to ``s`` region ``r`` already has (0 when ``s`` is related
  to nothing).

Examples
--------
The hand-computed example of the tests: three regions, three segments.

>>> X = {"A": {"s1": 4}, "B": {"s1": 2, "s2": 2}, "C": {"s2": 2, "s3": 2}}
>>> r = relatedness(X, ["s1", "s2", "s3"])
>>> r.rca["A"]["s1"], r.rca["B"]["s2"], r.rca["C"]["s3"]
(2.0, 1.5, 3.0)
>>> r.proximity("s1", "s2"), r.proximity("s2", "s3"), r.proximity("s1", "s3")
(0.5, 0.5, 0.0)
>>> r.density("A"), r.density("B")["s3"]
({'s1': 0.0, 's2': 0.5, 's3': 0.0}, 1.0)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

__all__ = ["Relatedness", "relatedness", "relatedness_matrix", "rca_presence"]


@dataclass(frozen=True)
class Relatedness:
    """RCA, proximity and density over the regions and segments it was built from."""

    regions: tuple[str, ...]
    segments: tuple[str, ...]
    rca_matrix: np.ndarray  # regions × segments
    m: np.ndarray  # RCA ≥ 1, as 0/1 floats
    phi: np.ndarray  # segments × segments, zero diagonal

    @property
    def rca(self) -> dict[str, dict[str, float]]:
        """RCA values above zero, per region and segment."""
        return {
            r: {s: float(v) for s, v in zip(self.segments, row, strict=True) if v > 0}
            for r, row in zip(self.regions, self.rca_matrix, strict=True)
        }

    def proximity(self, s: str, t: str) -> float:
        i, j = self.segments.index(s), self.segments.index(t)
        return float(self.phi[i, j])

    def density(self, region: str) -> dict[str, float]:
        """Density of every segment for ``region`` (all 0 for a region without firms)."""
        if region in self.regions:
            mr = self.m[self.regions.index(region)]
        else:
            mr = np.zeros(len(self.segments))
        num = self.phi @ mr
        den = self.phi.sum(axis=1)
        out = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
        return {s: float(v) for s, v in zip(self.segments, out, strict=True)}

    def density_matrix(self) -> np.ndarray:
        """Density of every segment for every region, regions × segments (rows in ``regions`` order)."""
        num = self.m @ self.phi.T
        den = self.phi.sum(axis=1)[None, :]
        return np.divide(num, den, out=np.zeros_like(num), where=den > 0)


def relatedness(counts: Mapping[str, Mapping[str, int]], segments: Iterable[str]) -> Relatedness:
    """Build :class:`Relatedness` from member-firm counts per region and segment.

    Parameters
    ----------
    counts : mapping
        ``{region: {segment: member firms}}``; regions are the units compared
        (all cities for a city analysis, …). Segments missing from a region
        count 0; segments not in ``segments`` are ignored.
    segments : iterable of str
        The segment space (all segments of the data).
    """
    segs = tuple(segments)
    regions = tuple(sorted(r for r, c in counts.items() if any(c.values())))
    col = {s: j for j, s in enumerate(segs)}
    x = np.zeros((len(regions), len(segs)))
    for i, r in enumerate(regions):
        for s, n in counts[r].items():
            j = col.get(s)
            if j is not None:
                x[i, j] = n
    return relatedness_matrix(x, regions, segs)


def rca_presence(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(RCA, M)`` of a regions × segments count matrix: Balassa's revealed comparative advantage and
    the presence ``M = RCA ≥ 1`` as 0/1 floats (a region or segment without firms: 0).

    Examples
    --------
    >>> rca, m = rca_presence(np.array([[3, 1], [1, 3]]))  # shares 0.75 / 0.25 against 0.5 / 0.5
    >>> rca.tolist(), m.tolist()
    ([[1.5, 0.5], [0.5, 1.5]], [[1.0, 0.0], [0.0, 1.0]])
    """
    x = np.asarray(x, dtype=np.float64)
    total = x.sum()
    row = x.sum(axis=1, keepdims=True)
    colsum = x.sum(axis=0, keepdims=True)
    share_r = np.divide(x, row, out=np.zeros_like(x), where=row > 0)
    share_w = np.divide(colsum, total, out=np.zeros_like(colsum), where=total > 0) if total else colsum
    rca = np.divide(share_r, share_w, out=np.zeros_like(x), where=share_w > 0)
    return rca, (rca >= 1.0 - 1e-12).astype(float)


def relatedness_matrix(x: np.ndarray, regions: Iterable[str] | None = None,
                       segments: Iterable[str] | None = None) -> Relatedness:
    """:class:`Relatedness` from a regions × segments count matrix (names default to indices).

    Examples
    --------
    >>> r = relatedness_matrix(np.array([[4, 0, 0], [2, 2, 0], [0, 2, 2]]))
    >>> r.density_matrix()[1].tolist()
    [1.0, 0.5, 1.0]
    """
    x = np.asarray(x, dtype=np.float64)
    regions = tuple(regions) if regions is not None else tuple(str(i) for i in range(x.shape[0]))
    segs = tuple(segments) if segments is not None else tuple(str(j) for j in range(x.shape[1]))
    rca, m = rca_presence(x)
    ubiq = m.sum(axis=0)
    co = m.T @ m
    denom = np.maximum(np.maximum.outer(ubiq, ubiq), 1.0)
    phi = co / denom
    np.fill_diagonal(phi, 0.0)
    return Relatedness(regions, segs, rca, m, phi)
