"""The Cypher of chain analysis on Neo4j (the pushdown), as pure functions returning :class:`Query`.

:meth:`graph.store.neo4j.Neo4jStore.analysis_aggregates` runs these in one
read transaction and assembles a
:class:`~graph.analysis.aggregates.ChainAggregates` from their small results;
the definitions are those of :mod:`graph.analysis.aggregates` (member firms:
open ``kind = 'firm'`` organisations with a membership the one rule of
:mod:`graph.analysis.membership` counts — :func:`graph.analysis.membership.cypher_counted`;
local: registered in the region or with a landed site there; supplies:
``:SUPPLIES`` relationships, weight default 1.0). Every count, sum and capped top list is
computed by the server, so what travels is per segment (or per region and
segment), never per organisation or link — except the leader inputs, which
are by definition the chain's member firms and the supplies among them.

Like :mod:`graph.store.cypher`, nothing here talks to a database and user
input (region ids, segment ids, organisation ids) only travels in
parameters; the labels and relationship types come from that module's
whitelists. "Local" is the same path-prefix rule as
:func:`graph.analysis.common.is_local`, null-safe (an organisation without a
region is never local)::

    coalesce(o.region = $region OR o.region STARTS WITH $region_prefix, false)

Sums are rounded to 9 decimals in Cypher before anything is ordered by
them, as the Python implementations do, so ties break the same way (by id).

Examples
--------
>>> q = local_firms("cn/guangdong/shenzhen", ["seg:a"], cap=3)
>>> q.params["region_prefix"], q.params["segments"], q.params["cap"]
('cn/guangdong/shenzhen/', ['seg:a'], 3)
>>> "o.kind = 'firm'" in q.text and "m.status = 'confirmed' OR (m.status = 'predicted'" in q.text
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from graph.analysis.membership import cypher_counted, cypher_predicted, cypher_weight
from graph.model import LinkKind
from graph.store.cypher import MEMBER_OF, UPSTREAM_OF, Query, label, link_type

__all__ = [
    "open_",
    "local",
    "segment_meta",
    "segment_edges",
    "member_counts",
    "local_firms",
    "local_senders",
    "local_platforms",
    "revenue_bands",
    "member_totals",
    "received",
    "flow_links",
    "sole_buyers",
    "external_buyers",
    "external_buyer_links",
    "edge_flows",
    "firm_info",
    "leader_firms",
    "leader_links",
]

_ORG = label("organisations")
_SEG = label("segments")
_SUP = link_type(LinkKind.SUPPLIES)
_W = "coalesce(r.weight, 1.0)"


def open_(var: str) -> str:
    """The "``var`` is not closed (注销/吊销/撤销)" expression: closed organisations count nowhere.

    >>> open_("o")
    "coalesce(o.status, '') <> 'closed'"
    """
    if not var.isidentifier():  # pragma: no cover - only called with constants
        raise ValueError(f"not a variable name: {var!r}")
    return f"coalesce({var}.status, '') <> 'closed'"


def local(var: str) -> str:
    """The null-safe "is ``var`` a local, open organisation" expression (``var`` is a variable name of this module):
    registered in the region or under it, or with a landed site there (``landed``: their regions).

    >>> local("b")  # doctest: +NORMALIZE_WHITESPACE
    "((coalesce(b.region = $region OR b.region STARTS WITH $region_prefix, false) OR any(x IN coalesce(b.landed, [])
    WHERE x = $region OR x STARTS WITH $region_prefix)) AND coalesce(b.status, '') <> 'closed')"
    """
    if not var.isidentifier():  # pragma: no cover - only called with constants
        raise ValueError(f"not a variable name: {var!r}")
    return (f"((coalesce({var}.region = $region OR {var}.region STARTS WITH $region_prefix, false)"
            f" OR any(x IN coalesce({var}.landed, []) WHERE x = $region OR x STARTS WITH $region_prefix))"
            f" AND {open_(var)})")


def _region(region: str) -> dict[str, Any]:
    return {"region": region, "region_prefix": region + "/"}


def _members(firm: bool | None = True) -> str:
    """``(s)<-[m]-(o)`` for the segments in ``$segments``, counted memberships; firms, non-firms or both."""
    kind = {True: " AND o.kind = 'firm'", False: " AND o.kind <> 'firm'", None: ""}[firm]
    return (
        f"MATCH (s:{_SEG})<-[m:{MEMBER_OF}]-(o:{_ORG})"
        f" WHERE s.id IN $segments AND {cypher_counted('m')} AND {open_('o')}{kind}"
    )


def _segments(segments: Iterable[str]) -> list[str]:
    return sorted(set(segments))


# ------------------------------------------------------------ the chain itself


def segment_meta() -> Query:
    """Every segment's names, stage and format."""
    return Query(
        f"MATCH (s:{_SEG}) RETURN s.id AS id, s.name_zh AS name_zh, s.name_en AS name_en,"
        " s.stage AS stage, s.format AS format",
        {},
    )


def segment_edges() -> Query:
    """Every segment supply edge ``(upstream, downstream, weight)``."""
    return Query(
        f"MATCH (a:{_SEG})-[r:{UPSTREAM_OF}]->(b:{_SEG})"
        " RETURN a.id AS upstream, b.id AS downstream, coalesce(r.weight, 1.0) AS weight",
        {},
    )


def member_counts() -> Query:
    """Member firms per ``(region, landed site regions, segment)``, for every region: the caller derives
    local counts and co-location (presence) per region unit from these few rows."""
    return Query(
        f"MATCH (o:{_ORG})-[m:{MEMBER_OF}]->(s:{_SEG})"
        f" WHERE {cypher_counted('m')} AND o.kind = 'firm' AND {open_('o')}"
        " RETURN o.region AS region, coalesce(o.landed, []) AS landed, s.id AS segment, count(*) AS n",
        {},
    )


# ------------------------------------------------------------ per segment, local side


def local_firms(region: str, segments: Sequence[str], cap: int) -> Query:
    """Per segment: local member firms (count, how many predicted, their membership weight, largest first
    capped, head count) and the tiered ones."""
    return Query(
        f"{_members()} AND {local('o')}"
        f" WITH s.id AS segment, o, {cypher_predicted('m')} AS pred, {cypher_weight('m')} AS w"
        " ORDER BY coalesce(o.employees, -1) DESC, o.id"
        " WITH segment, collect({id: o.id, tiered: size(coalesce(o.tiers, [])) > 0}) AS firms,"
        " sum(coalesce(o.employees, 0)) AS employees, sum(CASE WHEN pred THEN 1 ELSE 0 END) AS predicted,"
        " sum(w) AS weight"
        " RETURN segment, size(firms) AS firms, predicted, weight, employees, [f IN firms | f.id][..$cap] AS top,"
        " size([f IN firms WHERE f.tiered]) AS tier_firms, [f IN firms WHERE f.tiered | f.id][..$cap] AS tier_top",
        {**_region(region), "segments": _segments(segments), "cap": cap},
    )


def local_senders(region: str, segments: Sequence[str], cap: int) -> Query:
    """Per segment: what local member firms send (all their supplies, to anyone):
    total, sum of squares, and the heaviest senders (capped, weight > 0)."""
    return Query(
        f"{_members()} AND {local('o')}"
        f" WITH s.id AS segment, o.id AS id,"
        f" round(reduce(t = 0.0, w IN [(o)-[r:{_SUP}]->(x:{_ORG}) WHERE {open_('x')} | {_W}] | t + w), 9) AS sent"
        " ORDER BY sent DESC, id"
        " RETURN segment, sum(sent) AS total, sum(sent * sent) AS sumsq,"
        " collect(CASE WHEN sent > 0 THEN [id, sent] END)[..$cap] AS top",
        {**_region(region), "segments": _segments(segments), "cap": cap},
    )


def local_platforms(region: str, segments: Sequence[str], cap: int) -> Query:
    """Per segment: local members that are not firms (incubators, parks, labs …), by id."""
    return Query(
        f"{_members(firm=False)} AND {local('o')}"
        " WITH s.id AS segment, o.id AS id ORDER BY id"
        " RETURN segment, count(id) AS platforms, collect(id)[..$cap] AS top",
        {**_region(region), "segments": _segments(segments), "cap": cap},
    )


def revenue_bands(region: str, segments: Sequence[str]) -> Query:
    """Per segment and revenue band: local member firms with that band."""
    return Query(
        f"{_members()} AND {local('o')} AND o.revenue_band IS NOT NULL AND o.revenue_band <> ''"
        " RETURN s.id AS segment, o.revenue_band AS band, count(*) AS n",
        {**_region(region), "segments": _segments(segments)},
    )


def member_totals(region: str, segments: Sequence[str]) -> Query:
    """Per segment: member firms everywhere, how many are external, and the supplies they send."""
    return Query(
        f"{_members()}"
        f" RETURN s.id AS segment, count(o) AS members,"
        f" sum(CASE WHEN {local('o')} THEN 0 ELSE 1 END) AS external,"
        f" sum(COUNT {{ (o)-[:{_SUP}]->(x:{_ORG}) WHERE {open_('x')} }}) AS links_out",  # closed firms: no links
        {**_region(region), "segments": _segments(segments)},
    )


# ------------------------------------------------------------ per segment, supply into the region


def received(region: str, segments: Sequence[str], cap: int) -> Query:
    """Per segment: supplies member firms send into local organisations.

    Totals (all members, local members), the number of external members that
    supply the region, and the heaviest external suppliers (capped) with
    their weight, links and distinct local buyers.
    """
    return Query(
        f"{_members()}"
        f" MATCH (o)-[r:{_SUP}]->(b:{_ORG}) WHERE {local('b')}"
        f" WITH s.id AS segment, o, round(sum({_W}), 9) AS recv, count(r) AS links, count(DISTINCT b) AS buyers"
        f" WITH segment, o.id AS id, {local('o')} AS loc, recv, links, buyers"
        " ORDER BY recv DESC, id"
        " WITH segment, sum(recv) AS total, sum(CASE WHEN loc THEN recv ELSE 0.0 END) AS local_total,"
        " collect(CASE WHEN NOT loc THEN [id, recv, links, buyers] END) AS ext"
        " RETURN segment, total, local_total, size(ext) AS external_suppliers, ext[..$cap] AS top",
        {**_region(region), "segments": _segments(segments), "cap": cap},
    )


def _flows(flows: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"segment": s, "supplier": o} for s, o in sorted(set(flows))]


def flow_links(region: str, flows: Iterable[tuple[str, str]], cap: int) -> Query:
    """For ``(segment, supplier)`` flows: the supplier's heaviest links into the region (capped)."""
    return Query(
        "UNWIND $flows AS f"
        f" MATCH (o:{_ORG} {{id: f.supplier}})-[r:{_SUP}]->(b:{_ORG}) WHERE {local('b')}"
        f" WITH f, r.id AS id, round({_W}, 9) AS w ORDER BY w DESC, id"
        " RETURN f.segment AS segment, f.supplier AS supplier, collect(id)[..$cap] AS links",
        {**_region(region), "flows": _flows(flows), "cap": cap},
    )


def sole_buyers(region: str, flows: Iterable[tuple[str, str]]) -> Query:
    """For ``(segment, supplier)`` flows: local buyers for which the supplier is the only
    member firm of the segment supplying them.

    The other suppliers of a buyer are a pattern comprehension from the bound
    buyer, so the plan cannot start anywhere else whatever the statistics.
    """
    return Query(
        "UNWIND $flows AS f"
        f" MATCH (:{_ORG} {{id: f.supplier}})-[:{_SUP}]->(b:{_ORG}) WHERE {local('b')}"
        " WITH DISTINCT f, b"
        f" WITH f, [(x:{_ORG})-[:{_SUP}]->(b) WHERE x.kind = 'firm' AND {open_('x')}"
        f" AND EXISTS {{ MATCH (x)-[m:{MEMBER_OF}]->(t:{_SEG}) WHERE t.id = f.segment AND {cypher_counted('m')} }}"
        " | x.id] AS suppliers"
        " RETURN f.segment AS segment, f.supplier AS supplier,"
        " sum(CASE WHEN all(x IN suppliers WHERE x = f.supplier) THEN 1 ELSE 0 END) AS sole",
        {**_region(region), "flows": _flows(flows)},
    )


def _external_supply() -> str:
    return (
        f"{_members()} AND NOT {local('o')}"
        f" MATCH (o)-[r:{_SUP}]->(b:{_ORG}) WHERE {local('b')}"
    )


def external_buyers(region: str, segments: Sequence[str], cap: int) -> Query:
    """Per segment: distinct local buyers of external member firms, heaviest first (capped)."""
    return Query(
        f"{_external_supply()}"
        f" WITH s.id AS segment, b.id AS id, round(sum({_W}), 9) AS w ORDER BY w DESC, id"
        " RETURN segment, count(id) AS buyers, collect([id, w])[..$cap] AS top",
        {**_region(region), "segments": _segments(segments), "cap": cap},
    )


def external_buyer_links(region: str, segments: Sequence[str], cap: int) -> Query:
    """Per segment: the heaviest links from external member firms into the region (capped)."""
    return Query(
        f"{_external_supply()}"
        f" WITH s.id AS segment, r.id AS id, round({_W}, 9) AS w ORDER BY w DESC, id"
        " RETURN segment, collect(id)[..$cap] AS links",
        {**_region(region), "segments": _segments(segments), "cap": cap},
    )


def edge_flows(region: str, edges: Iterable[tuple[str, str]]) -> Query:
    """Per segment edge ``(u, v)``: supplies from member firms of ``u`` to local member
    firms of ``v``, their weight split by whether the supplier is local, and their number.

    One pass over the supplies leaving the upstream segments' members (each
    link is read once, not once per edge it may count for); ``$downstream``
    maps each upstream segment to its downstream segments.
    """
    down: dict[str, list[str]] = {}
    for u, v in sorted(set(edges)):
        down.setdefault(u, []).append(v)
    return Query(
        f"MATCH (su:{_SEG})<-[m1:{MEMBER_OF}]-(o:{_ORG})-[r:{_SUP}]->(b:{_ORG})-[m2:{MEMBER_OF}]->(sv:{_SEG})"
        f" WHERE su.id IN $upstream AND {cypher_counted('m1')} AND o.kind = 'firm' AND {open_('o')} AND b.kind = 'firm'"
        f" AND {local('b')} AND {cypher_counted('m2')} AND sv.id IN $downstream[su.id]"
        f" WITH su.id AS upstream, sv.id AS downstream, {local('o')} AS loc, {_W} AS w"
        " RETURN upstream, downstream,"
        " sum(CASE WHEN loc THEN w ELSE 0.0 END) AS local_weight,"
        " sum(CASE WHEN loc THEN 0.0 ELSE w END) AS external_weight, count(*) AS links",
        {**_region(region), "upstream": sorted(down), "downstream": down},
    )


# ------------------------------------------------------------ descriptions and leaders

_INFO = (
    "o.id AS id, o.kind AS kind, o.region AS region, o.name_zh AS name_zh, o.name_en AS name_en,"
    " o.employees AS employees, o.revenue_band AS revenue_band, o.tiers AS tiers"
)


def firm_info(ids: Iterable[str]) -> Query:
    """What the analyses show of the given organisations."""
    return Query(f"MATCH (o:{_ORG}) WHERE o.id IN $ids RETURN {_INFO}", {"ids": sorted(set(ids))})


def leader_firms(segments: Sequence[str]) -> Query:
    """The chain's member firms (every region) with their chain segments."""
    return Query(
        f"{_members()}"
        f" WITH o, collect(s.id) AS segments RETURN {_INFO}, segments",
        {"segments": _segments(segments)},
    )


def leader_links(segments: Sequence[str]) -> Query:
    """Supplies between member firms of the chain: ``(id, src, dst, weight)``."""
    return Query(
        f"{_members()}"
        " WITH DISTINCT o"
        f" MATCH (o)-[r:{_SUP}]->(b:{_ORG})"
        f" WHERE b.kind = 'firm' AND {open_('b')} AND EXISTS {{ MATCH (b)-[m2:{MEMBER_OF}]->(t:{_SEG})"
        f" WHERE t.id IN $segments AND {cypher_counted('m2')} }}"
        f" RETURN r.id AS id, o.id AS src, b.id AS dst, {_W} AS weight",
        {"segments": _segments(segments)},
    )
