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
from matching.recommend.index import LINK_KINDS, ChainIndex

__all__ = ["Ties", "local_ties", "tie_links", "BUSINESS_TIES", "SUPPLIES"]

SUPPLIES = LINK_KINDS.index(LinkKind.SUPPLIES.value)
#: link kinds that make two organisations know each other (competitors and parks do not)
BUSINESS_TIES = tuple(LINK_KINDS.index(k.value) for k in (
    LinkKind.SUPPLIES, LinkKind.INVESTS, LinkKind.PARTNERS, LinkKind.JOINT_VENTURE,
    LinkKind.PARENT_OF, LinkKind.ACQUIRES, LinkKind.INCUBATED_BY))
_IS_OTHER = np.zeros(len(LINK_KINDS), bool)
_IS_OTHER[[k for k in BUSINESS_TIES if k != SUPPLIES]] = True


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


def local_ties(ix: ChainIndex, rows: np.ndarray, local: np.ndarray) -> Ties:
    """Tie figures of each organisation of ``rows`` with the organisations marked ``local``."""
    rows = np.asarray(rows, dtype=np.int64)
    n = len(rows)
    o_out, l_out = ix.out_links(rows)
    o_in, l_in = ix.in_links(rows)
    k_out, k_in = ix.lkind[l_out], ix.lkind[l_in]
    d_out, s_in = ix.dst[l_out], ix.src[l_in]
    loc_out, loc_in = local[d_out], local[s_in]
    # supplies: a (src, dst) pair counts once (ix.first marks the first link of each triple)
    sup_local = (k_out == SUPPLIES) & loc_out
    cust = sup_local & ix.first[l_out]
    supl = (k_in == SUPPLIES) & loc_in & ix.first[l_in]
    # other ties may join a pair several ways (partners and invests, both directions): dedupe
    oth_out, oth_in = _IS_OTHER[k_out] & loc_out, _IS_OTHER[k_in] & loc_in
    owner = np.concatenate([o_out[oth_out], o_in[oth_in]]).astype(np.int64)
    other = np.concatenate([d_out[oth_out], s_in[oth_in]])
    if len(owner):
        key = np.unique(owner * ix.n_orgs + other)
        owner, other = key // ix.n_orgs, key % ix.n_orgs
    w = ix.weight[l_out[sup_local]].astype(np.float64)
    return Ties(
        customers=np.bincount(o_out[cust], minlength=n),
        customer_imp=np.bincount(o_out[cust], weights=ix.imp[d_out[cust]], minlength=n),
        suppliers=np.bincount(o_in[supl], minlength=n),
        supplier_imp=np.bincount(o_in[supl], weights=ix.imp[s_in[supl]], minlength=n),
        other=np.bincount(owner, minlength=n),
        other_imp=np.bincount(owner, weights=ix.imp[other], minlength=n),
        sent_weight=ix.sent[rows],
        sent_local_weight=np.bincount(o_out[sup_local], weights=w, minlength=n),
        reach=ix.reach[rows],
    )


def tie_links(ix: ChainIndex, row: int, local: np.ndarray, kinds=BUSINESS_TIES) -> list[int]:
    """Indices of the links between ``row`` and local organisations (either direction), by kind;
    heaviest first, then by link id."""
    r = np.array([row])
    _, l_out = ix.out_links(r)
    _, l_in = ix.in_links(r)
    hit_out = l_out[local[ix.dst[l_out]] & np.isin(ix.lkind[l_out], kinds)]
    hit_in = l_in[local[ix.src[l_in]] & np.isin(ix.lkind[l_in], kinds)]
    both = np.concatenate([hit_out, hit_in])
    # heaviest first, ties by link id: the same order whatever order the index holds its links in
    return sorted(both.tolist(), key=lambda i: (-float(ix.weight[i]), ix.link_ids[i]))
