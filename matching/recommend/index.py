"""The columnar view the recommenders read: organisations, memberships, links as arrays.

A :class:`ChainIndex` is built once per store version (from the networkx view
or straight from records) and then answers every query with numpy: who is
local to a region, the members of a segment, the links of a set of firms.
Nothing in it depends on a region, so one index serves every district.
Its memberships are those the one rule of :mod:`graph.analysis.membership`
counts (confirmed, or predicted with confidence ≥ 0.5; never rejected), as
in the chain analyses; a member's fit still ranks by its confidence.

Organisation *details* that the networkx view does not carry (financing
rounds, site kinds and dates, provenance) are fetched only for short lists,
through :meth:`ChainIndex.details`.

Examples
--------
>>> from fixtures.world import load_world
>>> b, _ = load_world()
>>> ix = ChainIndex.from_records(b.segments, b.segment_edges, b.organisations, b.links)
>>> ix.n_orgs, ix.as_of
(1670, '2026-06-30')
>>> local = ix.local_mask("cn/guangdong/shenzhen")
>>> int(local.sum()) >= 743
True
>>> ix.org_ids[ix.members("seg:game_engine")[0][0]].startswith("org:")
True
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import networkx as nx
import numpy as np

from graph.analysis.membership import counts
from graph.model import Link, LinkKind, Organisation, OrgKind, Segment, SegmentEdge, city_key
from matching.recommend.columns import (
    LINK_KINDS,
    NO_DATE,
    ORG_KINDS,
    REVENUE_RANK,
    TIER_VALUE,
    csr,
    from_days,
    gather,
    to_days,
)

__all__ = ["ChainIndex", "DETAILS_KEPT", "MEMO_KEPT", "ORG_KINDS", "LINK_KINDS", "REVENUE_RANK", "TIER_VALUE", "NO_DATE",
           "gather", "to_days", "from_days"]

Fetch = Callable[[Sequence[str]], Mapping[str, Organisation]]

#: How many results :meth:`ChainIndex.memo` keeps.
MEMO_KEPT = 1024
_MISSING = object()
T = TypeVar("T")


def _kept(table: dict, cap: int, key: Hashable, compute: Callable[[], T]) -> T:
    """``table[key]``, computed and stored when absent; a full table (``cap`` entries) is emptied first.

    Single ``get``/``set``/``clear`` calls: threads may race to compute a
    value twice, never read a wrong one.
    """
    hit = table.get(key, _MISSING)
    if hit is _MISSING:
        hit = compute()
        if len(table) >= cap:
            table.clear()
        table[key] = hit
    return hit

#: How many organisations' full records a :class:`ChainIndex` keeps (see :meth:`ChainIndex.details`).
DETAILS_KEPT = 4096


@dataclass(eq=False)
class ChainIndex:
    """Arrays over organisations (rows), segments and links; see the module docstring."""

    org_ids: list[str]
    kind: np.ndarray  # int8 code into ORG_KINDS
    region: np.ndarray  # int32 code into regions
    regions: list[str]
    employees: np.ndarray  # float64, 0 = unknown
    revenue: np.ndarray  # int8 REVENUE_RANK, 0 = unknown
    tier: np.ndarray  # float32 best TIER_VALUE
    patents: np.ndarray  # int32
    name_zh: list[str]
    name_en: list[str]
    site_ptr: np.ndarray
    site_region: np.ndarray  # int32 code into regions
    mem_ptr: np.ndarray
    mem_seg: np.ndarray  # int32 code into seg_ids
    mem_conf: np.ndarray  # float32 confidence
    mem_confirmed: np.ndarray  # bool
    seg_ids: list[str]
    seg_name_zh: list[str]
    seg_name_en: list[str]
    seg_manufacturing: np.ndarray  # bool
    seg_up: list[tuple[int, ...]]  # upstream segments of each segment
    seg_down: list[tuple[int, ...]]
    seg_ptr: np.ndarray  # segment -> membership entries (indices into mem_*)
    seg_entries: np.ndarray
    seg_owner: np.ndarray  # org row of each membership entry
    link_ids: list[str]
    src: np.ndarray  # int32 org rows
    dst: np.ndarray
    lkind: np.ndarray  # int8 code into LINK_KINDS
    weight: np.ndarray  # float32
    since: np.ndarray  # int32 days, NO_DATE unknown
    out_ptr: np.ndarray
    out_idx: np.ndarray
    in_ptr: np.ndarray
    in_idx: np.ndarray
    as_of: str | None
    fetch: Fetch | None = None
    # record details as days (NO_DATE: none/unknown); None when the index was built without them
    last_financing: np.ndarray | None = None
    last_site: np.ndarray | None = None
    record_as_of: np.ndarray | None = None
    # derived once in _derive(): per link "first of its (src, dst, kind)"; per org importance,
    # distinct supply customers anywhere, supplies weight sent, supply centrality
    first: np.ndarray | None = None
    imp: np.ndarray | None = None
    reach: np.ndarray | None = None
    sent: np.ndarray | None = None
    centrality: np.ndarray | None = None  # PageRank of supplies taken both ways
    pos: dict[str, int] = field(default_factory=dict)
    seg_pos: dict[str, int] = field(default_factory=dict)
    _local_cache: dict = field(default_factory=dict, repr=False)
    _details: dict = field(default_factory=dict, repr=False)
    _memo: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        if not self.pos:
            self.pos = {o: i for i, o in enumerate(self.org_ids)}
        if not self.seg_pos:
            self.seg_pos = {s: i for i, s in enumerate(self.seg_ids)}

    # ------------------------------------------------------------ building
    @classmethod
    def from_graph(cls, g: nx.MultiDiGraph, *, fetch: Fetch | None = None,
                   as_of: str | None = None) -> ChainIndex:
        """Build from the networkx view (:func:`graph.store.graphview.build_graph`)."""
        segs, orgs, mems, edges, links = [], [], [], [], []
        for n, d in g.nodes(data=True):
            if d.get("type") == "segment":
                segs.append((n, d.get("name_zh", ""), d.get("name_en", ""), bool(d.get("manufacturing"))))
            elif d.get("type") == "org":
                orgs.append((n, d.get("kind", "firm"), d.get("region"), d.get("employees"),
                             d.get("revenue_band"), tuple(d.get("tiers") or ()), d.get("patents") or 0,
                             d.get("name_zh", ""), d.get("name_en", ""), tuple(d.get("sites") or ())))
        for u, v, k, d in g.edges(keys=True, data=True):
            kind = d.get("kind")
            if kind == "member_of":
                status, conf = d.get("status", "confirmed"), float(d.get("confidence", 1.0))
                if counts(status, conf):  # the one membership rule: rejected and weak predictions are no members
                    mems.append((u, v, conf, status == "confirmed"))
            elif kind == "upstream_of":
                edges.append((u, v))
            else:
                links.append((k, kind, u, v, d.get("since"), float(d.get("weight", 1.0))))
        cols = tuple(list(c) for c in zip(*links, strict=True)) if links else ([],) * 6
        return cls._build(segs, edges, orgs, mems, cols, fetch=fetch, as_of=as_of)

    @classmethod
    def from_records(cls, segments: Iterable[Segment], segment_edges: Iterable[SegmentEdge],
                     organisations: Iterable[Organisation], links: Iterable[Link], *,
                     as_of: str | None = None) -> ChainIndex:
        """Build from domain records (a :class:`~graph.store.protocol.Batch`); details come along.

        Closed organisations and their links are left out, as in the store's graph view.
        """
        organisations = [o for o in organisations if not o.closed]
        kept = {o.id for o in organisations}
        segs = [(s.id, s.name_zh, s.name_en, s.manufacturing) for s in segments]
        edges = [(e.upstream, e.downstream) for e in segment_edges]
        orgs = [(o.id, o.kind.value, o.region, o.employees, o.revenue_band, o.tiers, o.patents,
                 o.name_zh, o.name_en, tuple(s.region for s in o.sites)) for o in organisations]
        mems = [(o.id, m.segment, m.confidence, m.status.value == "confirmed")
                for o in organisations for m in o.segments if counts(m.status, m.confidence)]
        links = [x for x in links if x.src in kept and x.dst in kept]
        cols = ([x.id for x in links], [x.kind.value for x in links], [x.src for x in links],
                [x.dst for x in links], [x.since for x in links], [x.weight for x in links])
        by_id = {o.id: o for o in organisations}

        def fetch(ids: Sequence[str]) -> dict[str, Organisation]:
            return {i: by_id[i] for i in ids if i in by_id}

        ix = cls._build(segs, edges, orgs, mems, cols, fetch=fetch, as_of=as_of)
        ix.add_details(organisations)
        return ix

    @classmethod
    def from_store(cls, store, *, as_of: str | None = None, details: bool = True) -> ChainIndex:
        """Build from a :class:`~graph.store.protocol.GraphStore`.

        With ``details`` the dates of financing, sites and records are read
        once for every organisation (one more pass over the records);
        otherwise full records are fetched for short lists when needed.
        """

        def fetch(ids: Sequence[str]) -> dict[str, Organisation]:
            return {o.id: o for o in store.organisations(ids=list(ids))}

        ix = cls.from_graph(store.graph(), fetch=fetch, as_of=as_of)
        if details:
            ix.add_details(store.organisations())
        return ix

    @classmethod
    def for_ranking(cls, store, region: str, segments: Iterable[str], extra_local: Iterable[str] = ()) -> ChainIndex:
        """The index a target ranking in ``region`` for ``segments`` needs, built the cheapest way the store allows.

        A :class:`~graph.store.protocol.RecommendPushdown` store (Neo4j)
        gathers just that ranking's part of the graph on the server
        (:meth:`from_scope`; it answers rankings in that region, with those
        ``extra_local`` ids, for those segments only); any other store gives
        its whole index (:meth:`from_store`). Either ranks the targets the
        same (``tests/recommend/test_pushdown.py``).
        """
        from graph.store.protocol import RecommendPushdown

        if not isinstance(store, RecommendPushdown):
            return cls.from_store(store)
        segments = sorted(set(segments))

        def fetch(ids: Sequence[str]) -> dict[str, Organisation]:
            return {o.id: o for o in store.organisations(ids=list(ids))}

        return cls.from_scope(store.recommend_scope(region, segments, extra_local), fetch=fetch)

    @classmethod
    def from_scope(cls, scope, *, fetch: Fetch | None = None) -> ChainIndex:
        """A small index over a :class:`~graph.store.neo4j_recommend.RecommendScope`.

        It holds the focus segments' member firms, the local organisations
        tied to those outside the region (and those ties), and the research
        organisations near the segments; ``reach`` and
        ``sent`` (exact for the focus segments' members), ``centrality`` and
        the as-of date are the whole graph's, as the store computed them. It
        answers rankings for those segments only; records come through
        ``fetch`` for short lists.
        """
        as_of = None
        if scope.as_of is not None:
            day = int(to_days([scope.as_of])[0])
            as_of = None if day == NO_DATE else from_days(day)
        ix = cls._build(scope.segs, scope.edges, scope.orgs, scope.mems, scope.links, fetch=fetch,
                        as_of=as_of or "")
        ix.as_of = as_of
        ix.reach = np.array([scope.reach.get(o, 0) for o in ix.org_ids], dtype=np.int64)
        ix.sent = np.array([scope.sent.get(o, 0.0) for o in ix.org_ids], dtype=np.float64)
        ix.centrality = np.array([scope.centrality.get(o, 0.0) for o in ix.org_ids], dtype=np.float64)
        return ix

    def add_details(self, organisations: Iterable[Organisation]) -> None:
        """Keep the latest financing, site and record dates of every organisation as day arrays."""
        n = self.n_orgs
        fin, site, rec = ([None] * n for _ in range(3))
        for o in organisations:
            r = self.pos.get(o.id)
            if r is not None:
                fin[r] = max((f.date for f in o.financing), default=None)
                site[r] = max((x.since for x in o.sites if x.since), default=None)
                rec[r] = o.provenance.as_of
        self.last_financing, self.last_site, self.record_as_of = to_days(fin), to_days(site), to_days(rec)

    @classmethod
    def _build(cls, segs, edges, orgs, mems, links, *, fetch, as_of) -> ChainIndex:
        seg_ids = [s[0] for s in segs]
        seg_pos = {s: i for i, s in enumerate(seg_ids)}
        org_ids = [o[0] for o in orgs]
        pos = {o: i for i, o in enumerate(org_ids)}
        n, ns = len(org_ids), len(seg_ids)
        region_code: dict[str, int] = {"": 0}

        def code(r):
            return region_code.setdefault(r or "", len(region_code))

        kind_code = {k: i for i, k in enumerate(ORG_KINDS)}
        region = np.fromiter((code(o[2]) for o in orgs), np.int32, n)
        site_lists = [[code(r) for r in o[9]] for o in orgs]
        site_ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum([len(s) for s in site_lists], out=site_ptr[1:])
        site_region = np.fromiter((c for s in site_lists for c in s), np.int32, int(site_ptr[-1]))

        m_org = np.fromiter((pos.get(m[0], -1) for m in mems), np.int64, len(mems))
        m_seg = np.fromiter((seg_pos.get(m[1], -1) for m in mems), np.int64, len(mems))
        ok = (m_org >= 0) & (m_seg >= 0)
        m_conf = np.fromiter((m[2] for m in mems), np.float32, len(mems))[ok]
        m_cnf = np.fromiter((m[3] for m in mems), bool, len(mems))[ok]
        m_org, m_seg = m_org[ok], m_seg[ok]
        order, mem_ptr = csr(m_org, n)
        m_org, m_seg, m_conf, m_cnf = m_org[order], m_seg[order], m_conf[order], m_cnf[order]
        seg_entries, seg_ptr = csr(m_seg, ns)

        up: list[list[int]] = [[] for _ in range(ns)]
        down: list[list[int]] = [[] for _ in range(ns)]
        for u, v in edges:
            if u in seg_pos and v in seg_pos:
                down[seg_pos[u]].append(seg_pos[v])
                up[seg_pos[v]].append(seg_pos[u])

        link_code = {k: i for i, k in enumerate(LINK_KINDS)}
        l_ids, l_kind, l_src, l_dst, l_since, l_weight = links  # columns
        get = pos.get
        src = np.array([get(x, -1) for x in l_src], dtype=np.int64)
        dst = np.array([get(x, -1) for x in l_dst], dtype=np.int64)
        kind = np.array([link_code.get(x, -1) for x in l_kind], dtype=np.int64)
        keep = (src >= 0) & (dst >= 0) & (kind >= 0)
        every = bool(keep.all())
        idx = None if every else np.flatnonzero(keep)
        src, dst, kind = (a.astype(np.int32) if every else a[keep].astype(np.int32) for a in (src, dst, kind))
        nl = len(src)
        link_ids = l_ids if every else [l_ids[i] for i in idx]
        since = to_days(l_since if every else [l_since[i] for i in idx]) if nl else np.zeros(0, np.int32)
        weight = np.array(l_weight if every else [l_weight[i] for i in idx], dtype=np.float32)
        out_idx, out_ptr = csr(src, n)
        in_idx, in_ptr = csr(dst, n)
        if as_of is None and nl and (since != NO_DATE).any():
            as_of = from_days(int(since.max()))
        regions = [""] * len(region_code)
        for r, c in region_code.items():
            regions[c] = r
        ix = cls(
            org_ids=org_ids,
            kind=np.fromiter((kind_code.get(o[1], 0) for o in orgs), np.int8, n),
            region=region,
            regions=regions,
            employees=np.fromiter((o[3] or 0 for o in orgs), np.float64, n),
            revenue=np.fromiter((REVENUE_RANK.get(o[4] or "", 0) for o in orgs), np.int8, n),
            tier=np.fromiter((max((TIER_VALUE.get(t, 0.3) for t in o[5]), default=0.0) for o in orgs),
                             np.float32, n),
            patents=np.fromiter((o[6] or 0 for o in orgs), np.int32, n),
            name_zh=[o[7] or "" for o in orgs],
            name_en=[o[8] or "" for o in orgs],
            site_ptr=site_ptr, site_region=site_region,
            mem_ptr=mem_ptr, mem_seg=m_seg.astype(np.int32), mem_conf=m_conf, mem_confirmed=m_cnf,
            seg_ids=seg_ids,
            seg_name_zh=[s[1] for s in segs], seg_name_en=[s[2] for s in segs],
            seg_manufacturing=np.array([bool(s[3]) for s in segs], dtype=bool),
            seg_up=[tuple(x) for x in up], seg_down=[tuple(x) for x in down],
            seg_ptr=seg_ptr, seg_entries=seg_entries, seg_owner=m_org[seg_entries],
            link_ids=list(link_ids), src=src, dst=dst, lkind=kind.astype(np.int8), weight=weight,
            since=since, out_ptr=out_ptr, out_idx=out_idx, in_ptr=in_ptr, in_idx=in_idx,
            as_of=as_of, fetch=fetch, pos=pos, seg_pos=seg_pos,
        )
        ix._derive()
        return ix

    def _derive(self) -> None:
        from matching.recommend.explain import importance

        n = self.n_orgs
        key = (self.src.astype(np.int64) * n + self.dst) * len(LINK_KINDS) + self.lkind
        _, first_at = np.unique(key, return_index=True)
        self.first = np.zeros(len(key), bool)
        self.first[first_at] = True
        sup = self.lkind == LINK_KINDS.index(LinkKind.SUPPLIES.value)
        self.reach = np.bincount(self.src[sup & self.first], minlength=n)
        self.sent = np.bincount(self.src[sup], weights=self.weight[sup].astype(np.float64), minlength=n)
        self.imp = importance(self, np.arange(n))
        from graph.analysis.leaders import pagerank

        self.centrality = pagerank(n, self.src[sup], self.dst[sup], self.weight[sup], tol=1e-10)

    # ------------------------------------------------------------ queries
    @property
    def n_orgs(self) -> int:
        return len(self.org_ids)

    def row(self, org_id: str) -> int:
        """The row of an organisation id; ``NotFound`` if unknown."""
        try:
            return self.pos[org_id]
        except KeyError:
            from graph.errors import NotFound

            raise NotFound("organisation", org_id) from None

    def segment(self, seg_id: str) -> int:
        """The code of a segment id; ``NotFound`` if unknown."""
        try:
            return self.seg_pos[seg_id]
        except KeyError:
            from graph.errors import NotFound

            raise NotFound("segment", seg_id) from None

    def local_regions(self, region: str) -> np.ndarray:
        """Boolean over region codes: the region itself or under it."""
        key = ("regions", region)
        hit = self._local_cache.get(key)
        if hit is None:
            pre = region + "/"
            hit = np.fromiter((r == region or r.startswith(pre) for r in self.regions), bool, len(self.regions))
            self._local_cache[key] = hit
        return hit

    def local_mask(self, region: str, extra: Iterable[str] = ()) -> np.ndarray:
        """Boolean over organisations registered in ``region`` (or under it), plus ``extra`` ids."""
        extra = tuple(sorted(e for e in extra if e in self.pos))

        def compute() -> np.ndarray:
            hit = self.local_regions(region)[self.region]
            if extra:
                hit = hit.copy()
                hit[[self.pos[e] for e in extra]] = True
            return hit

        return _kept(self._local_cache, 65, ("orgs", region, extra), compute)

    def has_site_in(self, rows: np.ndarray, region: str) -> np.ndarray:
        """Whether each organisation of ``rows`` has a site (branch, R&D …) in ``region``."""
        owner, p = gather(self.site_ptr, rows)
        hit = self.local_regions(region)[self.site_region[p]]
        return np.bincount(owner[hit], minlength=len(rows)) > 0

    def members(self, seg_id: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Rows of the segment's members, their confidence, and whether confirmed."""
        s = self.segment(seg_id)
        e = self.seg_entries[self.seg_ptr[s]:self.seg_ptr[s + 1]]
        return self.seg_owner[self.seg_ptr[s]:self.seg_ptr[s + 1]], self.mem_conf[e], self.mem_confirmed[e]

    def segments_of(self, row: int, *, confirmed_only: bool = False) -> list[str]:
        """Segment ids of one organisation."""
        a, b = self.mem_ptr[row], self.mem_ptr[row + 1]
        keep = self.mem_confirmed[a:b] if confirmed_only else np.ones(b - a, bool)
        return [self.seg_ids[s] for s in self.mem_seg[a:b][keep]]

    def out_links(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(owner, link index)`` of links sent by ``rows``."""
        owner, p = gather(self.out_ptr, rows)
        return owner, self.out_idx[p]

    def in_links(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(owner, link index)`` of links received by ``rows``."""
        owner, p = gather(self.in_ptr, rows)
        return owner, self.in_idx[p]

    def kind_code(self, kind: str | LinkKind) -> int:
        return LINK_KINDS.index(LinkKind(kind).value)

    def is_firm(self) -> np.ndarray:
        return self.kind == ORG_KINDS.index(OrgKind.FIRM.value)

    def city(self, row: int) -> str:
        return city_key(self.regions[self.region[row]])

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()`` once per ``key`` for this index (at most :data:`MEMO_KEPT` results kept).

        The index is one store version, so a result computed from it and from
        everything in ``key`` cannot go stale; the caller puts in ``key``
        whatever else the result depends on (region, focus, exclusions, depth).
        Concurrent first calls may both compute; both get a correct result.

        >>> ix = ChainIndex.from_graph(__import__("networkx").MultiDiGraph())
        >>> calls = []
        >>> ix.memo(("k", 1), lambda: calls.append(1) or 42), ix.memo(("k", 1), lambda: 0), len(calls)
        (42, 42, 1)
        """
        return _kept(self._memo, MEMO_KEPT, key, compute)

    def details(self, ids: Sequence[str]) -> dict[str, Organisation]:
        """Full records of a few organisations (``{}`` when the index has no source for them).

        Records of short lists are kept (at most :data:`DETAILS_KEPT`; the
        index lives for one store version, so they cannot go stale): a
        recommendation reads the same leading firms' records call after call.
        """
        if self.fetch is None or not ids:
            return {}
        ids = list(ids)
        kept = self._details
        out = {i: rec for i in ids if (rec := kept.get(i)) is not None}  # .get: another thread may clear
        missing = [i for i in ids if i not in out]
        if missing:
            got = dict(self.fetch(missing))
            out.update(got)
            if len(missing) <= DETAILS_KEPT // 8:  # a bulk read (every record) is not worth keeping
                if len(kept) + len(got) > DETAILS_KEPT:
                    kept.clear()
                kept.update(got)
        return out

    def label(self, row: int) -> str:
        return self.name_zh[row] or self.name_en[row] or self.org_ids[row]
