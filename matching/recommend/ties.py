"""Ties between organisations and a region, vectorised over many organisations.

"Local" is a boolean mask over index rows (:meth:`ChainIndex.local_mask`).
For each organisation of ``rows`` :func:`local_ties` counts the *distinct*
local organisations it supplies (customers), buys from (suppliers) or has any
other business tie with (partners, investors, joint ventures, parent or
subsidiary, acquisitions), each also weighted by the local side's
:func:`~matching.recommend.explain.importance`; plus its supplies weight in
total and to local customers, and its reach (distinct customers anywhere).

Examples
--------
>>> from fixtures.world import load_world
>>> from matching.recommend.index import ChainIndex
>>> b, _ = load_world()
>>> ix = ChainIndex.from_records(b.segments, b.segment_edges, b.organisations, b.links)
>>> t = local_ties(ix, np.array([ix.row("org:f1561")]), ix.local_mask("cn/guangdong/shenzhen"))
>>> int(t.customers[0])
6
>>> len(tie_links(ix, ix.row("org:f1561"), ix.local_mask("cn/guangdong/shenzhen"))) >= 6
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from graph.model import LinkKind
from matching.recommend.explain import importance
from matching.recommend.index import LINK_KINDS, ChainIndex

__all__ = ["Ties", "local_ties", "tie_links", "BUSINESS_TIES", "SUPPLIES"]

SUPPLIES = LINK_KINDS.index(LinkKind.SUPPLIES.value)
#: link kinds that make two organisations know each other (competitors and parks do not)
BUSINESS_TIES = tuple(LINK_KINDS.index(k.value) for k in (
    LinkKind.SUPPLIES, LinkKind.INVESTS, LinkKind.PARTNERS, LinkKind.JOINT_VENTURE,
    LinkKind.PARENT_OF, LinkKind.ACQUIRES, LinkKind.INCUBATED_BY))
_OTHER = np.array([k for k in BUSINESS_TIES if k != SUPPLIES])


@dataclass(frozen=True)
class Ties:
    """Per organisation of ``rows``: distinct local counterparts and their weight."""

    customers: np.ndarray
    customer_imp: np.ndarray
    suppliers: np.ndarray
    supplier_imp: np.ndarray
    other: np.ndarray
    other_imp: np.ndarray
    sent_weight: np.ndarray
    sent_local_weight: np.ndarray
    reach: np.ndarray


def _distinct(owner: np.ndarray, other: np.ndarray, n_rows: int, ix: ChainIndex) -> tuple[np.ndarray, np.ndarray]:
    if len(owner) == 0:
        return np.zeros(n_rows, np.int64), np.zeros(n_rows)
    key = np.unique(owner.astype(np.int64) * ix.n_orgs + other)
    o, x = key // ix.n_orgs, key % ix.n_orgs
    return np.bincount(o, minlength=n_rows), np.bincount(o, weights=importance(ix, x), minlength=n_rows)


def local_ties(ix: ChainIndex, rows: np.ndarray, local: np.ndarray) -> Ties:
    """Tie figures of each organisation of ``rows`` with the organisations marked ``local``."""
    rows = np.asarray(rows, dtype=np.int64)
    n = len(rows)
    o_out, l_out = ix.out_links(rows)
    o_in, l_in = ix.in_links(rows)
    k_out, k_in = ix.lkind[l_out], ix.lkind[l_in]
    d_out, s_in = ix.dst[l_out], ix.src[l_in]
    sup_out = k_out == SUPPLIES
    cust = sup_out & local[d_out]
    customers, customer_imp = _distinct(o_out[cust], d_out[cust], n, ix)
    supl = (k_in == SUPPLIES) & local[s_in]
    suppliers, supplier_imp = _distinct(o_in[supl], s_in[supl], n, ix)
    oth_out = np.isin(k_out, _OTHER) & local[d_out]
    oth_in = np.isin(k_in, _OTHER) & local[s_in]
    other, other_imp = _distinct(np.concatenate([o_out[oth_out], o_in[oth_in]]),
                                 np.concatenate([d_out[oth_out], s_in[oth_in]]), n, ix)
    w = ix.weight[l_out].astype(np.float64)
    sent = np.bincount(o_out[sup_out], weights=w[sup_out], minlength=n)
    sent_local = np.bincount(o_out[cust], weights=w[cust], minlength=n)
    reach, _ = _distinct(o_out[sup_out], d_out[sup_out], n, ix) if sup_out.any() else (np.zeros(n), None)
    return Ties(customers, customer_imp, suppliers, supplier_imp, other, other_imp, sent, sent_local,
                np.asarray(reach))


def tie_links(ix: ChainIndex, row: int, local: np.ndarray, kinds=BUSINESS_TIES) -> list[int]:
    """Indices of the links between ``row`` and local organisations (either direction), by kind."""
    r = np.array([row])
    _, l_out = ix.out_links(r)
    _, l_in = ix.in_links(r)
    hit_out = l_out[local[ix.dst[l_out]] & np.isin(ix.lkind[l_out], kinds)]
    hit_in = l_in[local[ix.src[l_in]] & np.isin(ix.lkind[l_in], kinds)]
    both = np.concatenate([hit_out, hit_in])
    order = np.lexsort((both, -ix.weight[both]))
    return both[order].tolist()
