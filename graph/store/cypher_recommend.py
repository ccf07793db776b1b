"""The Cypher of target recommendation on Neo4j (the pushdown), as pure functions returning :class:`Query`.

:meth:`graph.store.neo4j.Neo4jStore.recommend_scope` runs these in one read
transaction; :mod:`graph.store.neo4j_recommend` assembles their rows into a
:class:`~graph.store.neo4j_recommend.RecommendScope`: the part of the graph
one target ranking reads (the focus segments' member firms, every link
between those outside the region and local organisations, those local
organisations, the universities and
labs of the focus segments and their neighbours), plus the figures of the
candidates that depend on the whole graph — distinct supply customers
anywhere, supplies weight sent, supply PageRank — and the data's as-of date.
What travels is proportional to the candidates and their ties, never to the
graph; the one exception is PageRank's input (:func:`supply_edges`: ids and
weights of the supplies, no records), kept per store version by the store,
because a Neo4j without the Graph Data Science plugin cannot rank on the
server.

Like :mod:`graph.store.cypher`, nothing here talks to a database and user
input (segment ids, organisation ids) only travels in parameters; labels and
relationship types come from that module's whitelists. Closed organisations
(:func:`graph.store.cypher_analysis.open_`) and their links are left out
everywhere, as in the store's graph view.

Examples
--------
>>> q = members(["seg:b", "seg:a"], ["seg:c"])
>>> q.params["focus"], q.params["near"], q.params["research"]
(['seg:a', 'seg:b'], ['seg:c'], ['lab', 'university'])
>>> "$focus" in q.text and "'seg:a'" not in q.text
True
"""

from __future__ import annotations

from collections.abc import Iterable

from graph.analysis.membership import cypher_counted
from graph.model import LinkKind, OrgKind
from graph.store.cypher import MEMBER_OF, UPSTREAM_OF, Query, label, link_type, link_types
from graph.store.cypher_analysis import local, open_

__all__ = ["segments", "members", "org_rows", "links_touching", "candidate_figures", "supply_edges",
           "org_count", "links_as_of"]

_ORG = label("organisations")
_SEG = label("segments")
_SUP = link_type(LinkKind.SUPPLIES)
_OPEN_AB = f"{open_('a')} AND {open_('b')}"
#: organisation kinds that count as local research supply (:func:`matching.recommend.form.attraction_form`)
RESEARCH = sorted(k.value for k in (OrgKind.UNIVERSITY, OrgKind.LAB))


def _ids(xs: Iterable[str]) -> list[str]:
    return sorted(set(xs))


def segments() -> Query:
    """Every segment (id, names, manufacturing) and its upstream segments."""
    return Query(
        f"MATCH (s:{_SEG}) OPTIONAL MATCH (u:{_SEG})-[:{UPSTREAM_OF}]->(s)"
        " RETURN s.id AS id, s.name_zh AS name_zh, s.name_en AS name_en,"
        " coalesce(s.manufacturing, false) AS manufacturing, collect(u.id) AS upstream ORDER BY id",
        {},
    )


def members(focus: Iterable[str], near: Iterable[str]) -> Query:
    """Memberships the ranking reads: firms of the ``focus`` segments, universities and labs of ``near`` ones.

    Rows ``(org, segment, region, confidence, confirmed)``; only memberships the one rule counts
    (:mod:`graph.analysis.membership`: never rejected, predictions from confidence 0.5).
    """
    return Query(
        f"MATCH (s:{_SEG})<-[m:{MEMBER_OF}]-(o:{_ORG})"
        " WHERE ((s.id IN $focus AND o.kind = 'firm') OR (s.id IN $near AND o.kind IN $research))"
        f" AND {open_('o')} AND {cypher_counted('m')}"
        " RETURN o.id AS org, s.id AS segment, o.region AS region, coalesce(m.confidence, 1.0) AS confidence,"
        " coalesce(m.status, 'confirmed') = 'confirmed' AS confirmed ORDER BY org, segment",
        {"focus": _ids(focus), "near": _ids(near), "research": RESEARCH},
    )


def org_rows(ids: Iterable[str]) -> Query:
    """The index columns of organisations ``ids`` (stored properties, no documents)."""
    return Query(
        f"MATCH (o:{_ORG}) WHERE o.id IN $ids AND {open_('o')}"
        " RETURN o.id AS id, o.kind AS kind, o.region AS region, o.employees AS employees,"
        " o.revenue_band AS revenue_band, o.tiers AS tiers, o.patents AS patents,"
        " o.name_zh AS name_zh, o.name_en AS name_en, o.sites AS sites ORDER BY id",
        {"ids": _ids(ids)},
    )


def links_touching(ids: Iterable[str], region: str, extra: Iterable[str] = ()) -> Query:
    """Every link between an organisation of ``ids`` (none of them local) and a local one —
    registered in ``region`` or under it, or one of ``extra`` (landed firms) — once:
    ``(id, type, src, dst, since, weight)``. Ties elsewhere never count for a ranking in ``region``."""
    types = link_types()
    ret = " RETURN r.id AS id, type(r) AS type, a.id AS src, b.id AS dst, r.since AS since," \
          " coalesce(r.weight, 1.0) AS weight"
    return Query(
        f"MATCH (a:{_ORG})-[r:{types}]->(b:{_ORG}) WHERE a.id IN $ids AND ({local('b')} OR b.id IN $extra)"
        f" AND {_OPEN_AB}{ret}"
        f" UNION ALL MATCH (a:{_ORG})-[r:{types}]->(b:{_ORG}) WHERE b.id IN $ids AND ({local('a')} OR a.id IN $extra)"
        f" AND {_OPEN_AB}{ret}",
        {"ids": _ids(ids), "extra": _ids(extra), "region": region, "region_prefix": region + "/"},
    )


def candidate_figures(ids: Iterable[str]) -> Query:
    """Per organisation of ``ids`` with supplies: distinct supply customers anywhere and the weights sent
    (a list: the index sums them as float32 values, as it stores weights)."""
    return Query(
        f"MATCH (a:{_ORG})-[r:{_SUP}]->(b:{_ORG}) WHERE a.id IN $ids AND {_OPEN_AB}"
        " RETURN a.id AS id, count(DISTINCT b) AS reach, collect(coalesce(r.weight, 1.0)) AS sent",
        {"ids": _ids(ids)},
    )


def supply_edges() -> Query:
    """PageRank's input: every supply as ``(src, dst, weight)`` ids (no records; unordered, which moves
    a rank only in its last bits)."""
    return Query(
        f"MATCH (a:{_ORG})-[r:{_SUP}]->(b:{_ORG}) WHERE {_OPEN_AB}"
        " RETURN a.id AS src, b.id AS dst, coalesce(r.weight, 1.0) AS weight",
        {},
    )


def org_count() -> Query:
    """How many open organisations (PageRank's ``n``)."""
    return Query(f"MATCH (o:{_ORG}) WHERE {open_('o')} RETURN count(o) AS n", {})


def links_as_of() -> Query:
    """The latest link date (the data's as-of date, as the index derives it)."""
    return Query(f"MATCH (a:{_ORG})-[r:{link_types()}]->(b:{_ORG}) WHERE {_OPEN_AB} RETURN max(r.since) AS as_of",
                 {})
