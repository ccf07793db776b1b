"""The graph frozen at a date: sparse matrices the backtest scorers read.

A :class:`Snapshot` keeps only links first observed on or before ``t0``
(``since ≤ t0``; undated links are left out, because nothing says they were
known then). Organisations and their segment memberships are static (the
model has no dates for them).

Matrices (``n`` organisations, ``S`` segments):

- ``by_kind[k]`` — directed link counts of kind ``k``, ``n × n``;
- ``undirected`` — 1 where any link joins two organisations, ``n × n``;
- ``members`` — organisation × segment, each row summing to 1 (an
  organisation spreads its weight over its segments), ``n × S``;
- ``chain`` — segment ``upstream_of`` edges, ``S × S``.

Examples
--------
>>> from fixtures.world import load_world
>>> from matching.recommend.index import ChainIndex
>>> b, _ = load_world()
>>> ix = ChainIndex.from_records(b.segments, b.segment_edges, b.organisations, b.links)
>>> snap = Snapshot.at(ix, "2020-12-31")
>>> int(snap.undirected.sum()) > 0, snap.n == ix.n_orgs
(True, True)
>>> bool(snap.by_kind["supplies"].sum() < (ix.lkind == ix.kind_code("supplies")).sum())
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from matching.recommend.index import LINK_KINDS, NO_DATE, ChainIndex, to_days

__all__ = ["Snapshot"]


@dataclass(eq=False)
class Snapshot:
    """Links known at ``t0`` as sparse matrices (see the module docstring)."""

    ix: ChainIndex
    t0: str
    known: np.ndarray  # bool over links of ix
    by_kind: dict[str, sp.csr_matrix]
    by_kind_t: dict[str, sp.csr_matrix]  # transposes, for "who links to q" rows
    undirected: sp.csr_matrix
    degree: np.ndarray
    members: sp.csr_matrix
    chain: sp.csr_matrix

    @property
    def n(self) -> int:
        return self.ix.n_orgs

    @classmethod
    def at(cls, ix: ChainIndex, t0: str) -> Snapshot:
        day = int(to_days([t0])[0])
        known = (ix.since != NO_DATE) & (ix.since <= day)
        n = ix.n_orgs
        src, dst, kind = ix.src[known], ix.dst[known], ix.lkind[known]
        by_kind = {}
        for code, name in enumerate(LINK_KINDS):
            m = kind == code
            by_kind[name] = sp.csr_matrix((np.ones(int(m.sum())), (src[m], dst[m])), shape=(n, n))
        a = sp.csr_matrix((np.ones(len(src)), (src, dst)), shape=(n, n))
        und = ((a + a.T) > 0).astype(np.float64).tocsr()
        und.setdiag(0)
        und.eliminate_zeros()
        owner = np.repeat(np.arange(n), np.diff(ix.mem_ptr))
        counts = np.diff(ix.mem_ptr).astype(np.float64)
        vals = 1.0 / counts[owner] if len(owner) else np.zeros(0)
        members = sp.csr_matrix((vals, (owner, ix.mem_seg)), shape=(n, len(ix.seg_ids)))
        s_up = [u for u, downs in enumerate(ix.seg_down) for _ in downs]
        s_down = [d for downs in ix.seg_down for d in downs]
        chain = sp.csr_matrix((np.ones(len(s_up)), (s_up, s_down)), shape=(len(ix.seg_ids),) * 2)
        by_kind_t = {k: m.T.tocsr() for k, m in by_kind.items()}
        return cls(ix, t0, known, by_kind, by_kind_t, und, np.asarray(und.sum(axis=1)).ravel(), members, chain)

    def row_of(self, m: sp.csr_matrix, i: int) -> np.ndarray:
        """Dense row ``i`` of a sparse matrix."""
        a, b = m.indptr[i], m.indptr[i + 1]
        out = np.zeros(m.shape[1])
        np.add.at(out, m.indices[a:b], m.data[a:b])
        return out

    def directed(self, kind: str, q: int, direction: str) -> np.ndarray:
        """Counts of ``kind`` links from ``q`` to each organisation (``tail``) or to ``q`` (``head``)."""
        m = self.by_kind[kind] if direction == "tail" else self.by_kind_t[kind]
        return self.row_of(m, q)

    def popularity(self, kind: str, direction: str) -> np.ndarray:
        """How often each organisation sits at the answer end of a ``kind`` link."""
        m = self.by_kind[kind]
        return np.asarray(m.sum(axis=0 if direction == "tail" else 1)).ravel()
