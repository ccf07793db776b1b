"""Every Cypher statement of the Neo4j store, as pure functions returning :class:`Query`.

Nothing here talks to a database: each function returns the query text and
its parameters, and ``tests/store/test_cypher.py`` checks both. User input only
ever travels in parameters. The only names interpolated into query text are
labels and relationship types, looked up in the closed whitelists below
(:data:`LABELS`, :data:`LINK_TYPES`) and checked against ``[A-Z][A-Za-z_]*``.

Graph layout
------------
- Nodes ``(:Region)``, ``(:Cluster)``, ``(:Chain)``, ``(:Segment)``,
  ``(:Organisation)``, each with ``id`` (unique), ``doc`` (the record as
  canonical JSON of :mod:`graph.store.canonical`, so a round trip is exact),
  ``hash`` (its content hash: re-writing an unchanged record is a no-op) and the scalar fields
  queries filter or aggregate on (``region``, ``kind``, ``uscc``,
  ``name_key`` + ``city_key`` for dedupe, ``tiers``, ``employees`` ...).
- ``(:Organisation)-[:MEMBER_OF {status, confidence, evidence}]->(:Segment)``
  for segment membership (挂链).
- ``(:Segment)-[:UPSTREAM_OF {id, weight, doc, hash}]->(:Segment)`` for
  segment supply edges.
- Links are typed relationships between organisations, one type per
  :class:`~graph.model.LinkKind` (``SUPPLIES``, ``INVESTS`` ...), carrying
  ``id`` (unique per type), ``doc``, ``hash``, ``since``, ``weight``,
  ``confidence``. Typed relationships let analysis traverse ``:SUPPLIES``
  without reading properties.
- One ``(:ChainmatchMeta {id: 'store'})`` node holds the store ``version``
  and an ``epoch`` (a random id set when the node is created).

Examples
--------
>>> q = read_organisations(region="cn/guangdong/shenzhen", kind=OrgKind.FIRM)
>>> "STARTS WITH $region_prefix" in q.text, q.params["region_prefix"]
(True, 'cn/guangdong/shenzhen/')
>>> link_types()
'SUPPLIES|INVESTS|PARTNERS|JOINT_VENTURE|PARENT_OF|ACQUIRES|COMPETES|LOCATED_IN_PARK|INCUBATED_BY'
>>> label("links")
Traceback (most recent call last):
...
ValueError: no node label for entity 'links'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from graph.analysis.membership import landed_regions
from graph.model import (
    Chain,
    Cluster,
    Link,
    LinkKind,
    Organisation,
    OrgKind,
    Region,
    Segment,
    SegmentEdge,
)
from graph.store.writeplan import Row, identity_key

__all__ = [
    "Query",
    "LABELS",
    "META",
    "MEMBER_OF",
    "UPSTREAM_OF",
    "LINK_TYPES",
    "LINK_KINDS",
    "label",
    "link_type",
    "link_types",
    "node_rows",
    "edge_rows",
    "link_rows",
    "membership_rows",
    "schema",
    "await_indexes",
    "lock_store",
    "read_version",
    "bump_version",
    "holds",
    "existing_ids",
    "stored_hashes",
    "stored_edge_hashes",
    "stored_link_hashes",
    "org_ids_by_uscc",
    "org_ids_by_name_city",
    "org_ids_by_names",
    "upsert_nodes",
    "delete_memberships",
    "create_memberships",
    "upsert_segment_edges",
    "delete_links",
    "create_links",
    "delete_organisation",
    "read_docs",
    "read_segment_edges",
    "read_organisation",
    "read_organisations",
    "read_organisation_page",
    "count_organisations",
    "read_links",
    "lookup",
    "counts",
    "wipe_label",
]


class Query(NamedTuple):
    """A Cypher statement and its parameters."""

    text: str
    params: dict[str, Any]


# ------------------------------------------------------------ whitelists

#: node label per entity (the attribute names of :class:`~graph.store.protocol.Batch`)
LABELS: dict[str, str] = {
    "regions": "Region",
    "clusters": "Cluster",
    "chains": "Chain",
    "segments": "Segment",
    "organisations": "Organisation",
}
META = "ChainmatchMeta"
MEMBER_OF = "MEMBER_OF"
UPSTREAM_OF = "UPSTREAM_OF"
#: relationship type per link kind
LINK_TYPES: dict[LinkKind, str] = {k: k.value.upper() for k in LinkKind}
#: link kind per relationship type
LINK_KINDS: dict[str, LinkKind] = {t: k for k, t in LINK_TYPES.items()}

_NAME_RE = re.compile(r"^[A-Z][A-Za-z_]*$")


def _checked(name: str) -> str:
    if not _NAME_RE.match(name):  # pragma: no cover - the whitelists are constants
        raise ValueError(f"refusing to interpolate {name!r} into Cypher")
    return name


def label(entity: str) -> str:
    """The node label of ``entity`` (``organisations`` → ``Organisation``)."""
    try:
        return _checked(LABELS[entity])
    except KeyError:
        raise ValueError(f"no node label for entity {entity!r}") from None


def link_type(kind: LinkKind | str) -> str:
    """The relationship type of a link kind (``supplies`` → ``SUPPLIES``)."""
    return _checked(LINK_TYPES[LinkKind(kind)])


def link_types() -> str:
    """All link relationship types as a Cypher type alternation."""
    return "|".join(_checked(t) for t in LINK_TYPES.values())


# ------------------------------------------------------------ parameters


def _props(record) -> dict[str, Any]:
    """Properties stored beside ``id``, ``doc`` and ``hash``: what queries filter and aggregate on."""
    if isinstance(record, Organisation):
        name_key, city = identity_key(record)
        return {
            "kind": record.kind.value,
            "uscc": record.uscc,
            "name_zh": record.name_zh,
            "name_en": record.name_en,
            "name_key": name_key,
            "city_key": city,
            "region": record.region,
            "employees": record.employees,
            "revenue_band": record.revenue_band,
            "registered_capital_cny_m": record.registered_capital_cny_m,
            "founded": record.founded,
            "tiers": list(record.tiers),
            "patents": record.patents,
            "sites": [s.region for s in record.sites],
            "landed": list(landed_regions(record.sites)),  # local there too (graph.analysis.membership)
            "parent_group": record.parent_group,
            "former_names": list(record.former_names),
            "status": record.status.value,  # closed organisations are left out of analysis (cypher_analysis.open_)
        }
    if isinstance(record, Segment):
        return {
            "name_zh": record.name_zh,
            "name_en": record.name_en,
            "stage": record.stage.value,
            "format": record.format.value,
            "parent": record.parent,
            "manufacturing": record.manufacturing,
        }
    if isinstance(record, Chain):
        return {
            "name_zh": record.name_zh,
            "name_en": record.name_en,
            "segments": list(record.segments),
            "cluster": record.cluster,
        }
    if isinstance(record, Cluster):
        return {"name_zh": record.name_zh, "name_en": record.name_en, "chains": list(record.chains)}
    if isinstance(record, Region):
        return {"name_zh": record.name_zh, "name_en": record.name_en, "level": record.level.value}
    if isinstance(record, SegmentEdge):
        return {"weight": record.weight}
    if isinstance(record, Link):
        return {"since": record.since, "weight": record.weight, "confidence": record.confidence}
    raise TypeError(f"not a stored record: {type(record).__name__}")


def _row(row: Row, **keys) -> dict[str, Any]:
    props = {"id": row.id, "doc": row.doc, "hash": row.hash, **_props(row.record)}
    return {"id": row.id, "hash": row.hash, **keys, "props": props}


def node_rows(rows: Iterable[Row]) -> list[dict]:
    """One row per planned record (:class:`~graph.store.writeplan.Row`): ``{id, hash, props}``,
    ``props`` holding every property.

    >>> from graph.model import Region, RegionLevel
    >>> from graph.store.writeplan import rows_of
    >>> row = node_rows(rows_of([Region("cn", "中国", "China", RegionLevel.COUNTRY)]))[0]
    >>> row["id"], row["props"]["level"], row["props"]["hash"] == row["hash"]
    ('cn', 'country', True)
    """
    return [_row(r) for r in rows]


def edge_rows(rows: Iterable[Row]) -> list[dict]:
    """Rows for planned segment edges: ``{id, hash, upstream, downstream, props}``."""
    return [_row(r, upstream=r.record.upstream, downstream=r.record.downstream) for r in rows]


def link_rows(rows: Iterable[Row]) -> list[dict]:
    """Rows for planned links: ``{id, hash, kind, src, dst, props}``."""
    return [_row(r, kind=r.record.kind.value, src=r.record.src, dst=r.record.dst) for r in rows]


def membership_rows(orgs: Iterable[Organisation]) -> list[dict]:
    """One row per (organisation, segment); a repeated segment keeps its last membership."""
    out: dict[tuple[str, str], dict] = {}
    for o in orgs:
        for m in o.segments:
            out[(o.id, m.segment)] = {
                "org": o.id,
                "segment": m.segment,
                "status": m.status.value,
                "confidence": m.confidence,
                "evidence": m.evidence.value,
            }
    return list(out.values())


# ------------------------------------------------------------ schema


def schema() -> list[Query]:
    """Constraints and indexes, each idempotent (``IF NOT EXISTS``).

    Needs Neo4j 5.7+ (relationship uniqueness constraints).
    """
    out = []
    for entity, lab in [*LABELS.items(), ("meta", META)]:
        name = f"chainmatch_{entity}_id"
        out.append(f"CREATE CONSTRAINT {name} IF NOT EXISTS FOR (n:{_checked(lab)}) REQUIRE n.id IS UNIQUE")
    org = label("organisations")
    out.append(f"CREATE CONSTRAINT chainmatch_org_uscc IF NOT EXISTS FOR (n:{org}) REQUIRE n.uscc IS UNIQUE")
    out.append(f"CREATE INDEX chainmatch_org_name_city IF NOT EXISTS FOR (n:{org}) ON (n.name_key, n.city_key)")
    for prop in ("region", "kind", "name_zh", "name_en"):
        out.append(f"CREATE INDEX chainmatch_org_{prop} IF NOT EXISTS FOR (n:{org}) ON (n.{prop})")
    out.append(
        f"CREATE CONSTRAINT chainmatch_upstream_of_id IF NOT EXISTS"
        f" FOR ()-[r:{_checked(UPSTREAM_OF)}]-() REQUIRE r.id IS UNIQUE"
    )
    for kind in LinkKind:
        rel = link_type(kind)
        out.append(
            f"CREATE CONSTRAINT chainmatch_link_{kind.value}_id IF NOT EXISTS"
            f" FOR ()-[r:{rel}]-() REQUIRE r.id IS UNIQUE"
        )
    return [Query(text, {}) for text in out]


def await_indexes(seconds: int = 300) -> Query:
    """Wait until every index is online."""
    return Query("CALL db.awaitIndexes($seconds)", {"seconds": seconds})


# ------------------------------------------------------------ version

_META_MATCH = f"MATCH (m:{META} {{id: 'store'}})"


def lock_store() -> Query:
    """First statement of every write: create the meta node if needed and
    write-lock it, so writers are serialised; returns the current version."""
    return Query(
        f"MERGE (m:{META} {{id: 'store'}})"
        " ON CREATE SET m.version = 0, m.epoch = randomUUID()"
        " SET m.writes = coalesce(m.writes, 0) + 1"
        " RETURN m.version AS version, m.epoch AS epoch",
        {},
    )


def read_version() -> Query:
    return Query(f"{_META_MATCH} RETURN m.version AS version, m.epoch AS epoch", {})


def bump_version() -> Query:
    return Query(f"{_META_MATCH} SET m.version = m.version + 1 RETURN m.version AS version", {})


# ------------------------------------------------------------ write planning


def holds(entity: str) -> Query:
    """One row if any ``entity`` record is stored, none otherwise: a node of its label, or for
    ``segment_edges`` and ``links`` a relationship of their type(s) (links: every kind).

    >>> print(holds("organisations").text)
    MATCH (n:Organisation) RETURN 1 AS n LIMIT 1
    >>> print(holds("segment_edges").text)
    MATCH ()-[n:UPSTREAM_OF]->() RETURN 1 AS n LIMIT 1
    >>> holds("links").text.startswith("MATCH ()-[n:SUPPLIES|INVESTS|"), holds("links").params
    (True, {})
    """
    return Query(f"MATCH {_records(entity, 'n')} RETURN 1 AS n LIMIT 1", {})


def _records(entity: str, var: str) -> str:
    """The MATCH pattern binding ``var`` to each stored ``entity`` record: a node, or a relationship.

    >>> _records("segment_edges", "x"), _records("organisations", "x")
    ('()-[x:UPSTREAM_OF]->()', '(x:Organisation)')
    """
    if entity == "segment_edges":
        return f"()-[{var}:{_checked(UPSTREAM_OF)}]->()"
    if entity == "links":
        return f"()-[{var}:{link_types()}]->()"
    return f"({var}:{label(entity)})"


def existing_ids(entity: str, ids: Sequence[str]) -> Query:
    """Which of ``ids`` are stored ``entity`` nodes."""
    return Query(
        f"MATCH (n:{label(entity)}) WHERE n.id IN $ids RETURN n.id AS id",
        {"ids": list(ids)},
    )


def stored_hashes(entity: str, ids: Sequence[str]) -> Query:
    """``(id, hash)`` of the stored ``entity`` nodes among ``ids``."""
    return Query(
        f"MATCH (n:{label(entity)}) WHERE n.id IN $ids RETURN n.id AS id, n.hash AS hash",
        {"ids": list(ids)},
    )


def stored_edge_hashes(ids: Sequence[str]) -> Query:
    return Query(
        f"MATCH ()-[r:{UPSTREAM_OF}]->() WHERE r.id IN $ids RETURN r.id AS id, r.hash AS hash",
        {"ids": list(ids)},
    )


def stored_link_hashes(ids: Sequence[str]) -> Query:
    """``(id, hash, type)`` of stored links among ``ids``, whatever their
    relationship type (one index-backed branch per type; map ``type`` back
    with :data:`LINK_KINDS`)."""
    branches = [
        f"MATCH ()-[r:{link_type(k)}]->() WHERE r.id IN $ids"
        " RETURN r.id AS id, r.hash AS hash, type(r) AS type"
        for k in LinkKind
    ]
    return Query("\nUNION ALL\n".join(branches), {"ids": list(ids)})


def org_ids_by_uscc(usccs: Sequence[str]) -> Query:
    return Query(
        f"MATCH (n:{label('organisations')}) WHERE n.uscc IN $usccs RETURN n.uscc AS uscc, n.id AS id",
        {"usccs": list(usccs)},
    )


def org_ids_by_name_city(keys: Sequence[tuple[str, str]]) -> Query:
    """Stored organisations with the same normalised name and city key (every candidate:
    the tie-break is :func:`graph.store.writeplan.pick_by_name_city`)."""
    return Query(
        "UNWIND $keys AS key"
        f" MATCH (n:{label('organisations')} {{name_key: key.name_key, city_key: key.city_key}})"
        " RETURN n.name_key AS name_key, n.city_key AS city_key, n.id AS id",
        {"keys": [{"name_key": n, "city_key": c} for n, c in keys]},
    )


# ------------------------------------------------------------ writes


def upsert_nodes(entity: str, rows: Sequence[dict]) -> Query:
    """Create or update ``entity`` nodes from :func:`node_rows` rows.

    ``SET n += props`` with a ``None`` value removes that property.
    """
    return Query(
        f"UNWIND $rows AS row MERGE (n:{label(entity)} {{id: row.id}}) SET n += row.props",
        {"rows": [{"id": r["id"], "props": r["props"]} for r in rows]},
    )


def delete_memberships(org_ids: Sequence[str]) -> Query:
    return Query(
        f"UNWIND $ids AS id MATCH (:{label('organisations')} {{id: id}})-[m:{MEMBER_OF}]->() DELETE m",
        {"ids": list(org_ids)},
    )


def create_memberships(rows: Sequence[dict]) -> Query:
    """Membership relationships from :func:`membership_rows` rows."""
    return Query(
        "UNWIND $rows AS row"
        f" MATCH (o:{label('organisations')} {{id: row.org}})"
        f" MATCH (s:{label('segments')} {{id: row.segment}})"
        f" MERGE (o)-[m:{MEMBER_OF}]->(s)"
        " SET m.status = row.status, m.confidence = row.confidence, m.evidence = row.evidence",
        {"rows": list(rows)},
    )


def upsert_segment_edges(rows: Sequence[dict]) -> Query:
    """Create or update segment edges from :func:`edge_rows` rows."""
    seg = label("segments")
    return Query(
        "UNWIND $rows AS row"
        f" MATCH (a:{seg} {{id: row.upstream}})"
        f" MATCH (b:{seg} {{id: row.downstream}})"
        f" MERGE (a)-[r:{UPSTREAM_OF}]->(b)"
        " SET r += row.props",
        {"rows": [{k: r[k] for k in ("upstream", "downstream", "props")} for r in rows]},
    )


def delete_links(kind: LinkKind | str, ids: Sequence[str]) -> Query:
    """Delete stored links of one kind by id (before re-creating changed ones)."""
    return Query(
        f"UNWIND $ids AS id MATCH ()-[r:{link_type(kind)} {{id: id}}]->() DELETE r",
        {"ids": list(ids)},
    )


def create_links(kind: LinkKind | str, rows: Sequence[dict]) -> Query:
    """Create links of one kind from :func:`link_rows` rows."""
    org = label("organisations")
    return Query(
        "UNWIND $rows AS row"
        f" MATCH (a:{org} {{id: row.src}})"
        f" MATCH (b:{org} {{id: row.dst}})"
        f" CREATE (a)-[r:{link_type(kind)}]->(b)"
        " SET r = row.props",
        {"rows": [{k: r[k] for k in ("src", "dst", "props")} for r in rows]},
    )


def delete_organisation(org_id: str) -> Query:
    """Delete one organisation with its links and memberships; returns ``deleted``."""
    return Query(
        f"MATCH (o:{label('organisations')} {{id: $id}}) DETACH DELETE o RETURN count(*) AS deleted",
        {"id": org_id},
    )


def wipe_label(lab: str, batch_size: int = 10_000) -> Query:
    """Delete up to ``batch_size`` nodes of one whitelisted label; returns ``deleted``.

    Run repeatedly until it deletes nothing (portable to every Neo4j 5).
    """
    if lab not in LABELS.values() and lab != META:
        raise ValueError(f"not a chainmatch label: {lab!r}")
    return Query(
        f"MATCH (n:{_checked(lab)}) WITH n LIMIT $batch DETACH DELETE n RETURN count(*) AS deleted",
        {"batch": batch_size},
    )


# ------------------------------------------------------------ reads


def read_docs(entity: str) -> Query:
    """Every ``entity`` document, ordered by id."""
    return Query(f"MATCH (n:{label(entity)}) RETURN n.doc AS doc ORDER BY n.id", {})


def read_segment_edges() -> Query:
    return Query(f"MATCH ()-[r:{UPSTREAM_OF}]->() RETURN r.doc AS doc ORDER BY r.id", {})


def read_organisation(org_id: str) -> Query:
    return Query(
        f"MATCH (o:{label('organisations')} {{id: $id}}) RETURN o.doc AS doc",
        {"id": org_id},
    )


def read_organisations(
    *,
    region: str | None = None,
    segment: str | None = None,
    kind: OrgKind | str | None = None,
    ids: Iterable[str] | None = None,
) -> Query:
    """Organisation documents, filtered; ``region`` includes its sub-regions.

    >>> q = read_organisations(segment="seg:x", ids=["a"])
    >>> print(q.text)
    MATCH (:Segment {id: $segment})<-[:MEMBER_OF]-(o:Organisation)
    WHERE o.id IN $ids
    RETURN o.doc AS doc ORDER BY o.id
    """
    lines, params = _match_organisations(region, segment, kind, ids)
    lines.append("RETURN o.doc AS doc ORDER BY o.id")
    return Query("\n".join(lines), params)


def count_organisations(*, region: str | None = None, segment: str | None = None,
                        kind: OrgKind | str | None = None) -> Query:
    """How many organisations the filters of :func:`read_organisations` match.

    >>> print(count_organisations(region="cn/x").text)
    MATCH (o:Organisation)
    WHERE (o.region = $region OR o.region STARTS WITH $region_prefix)
    RETURN count(o) AS total
    """
    lines, params = _match_organisations(region, segment, kind, None)
    lines.append("RETURN count(o) AS total")
    return Query("\n".join(lines), params)


def read_organisation_page(*, region: str | None = None, segment: str | None = None,
                           kind: OrgKind | str | None = None, offset: int = 0, limit: int = 20) -> Query:
    """One page of :func:`read_organisations` (id order); offset and limit are parameters.

    >>> q = read_organisation_page(kind="park", offset=40, limit=20)
    >>> print(q.text.splitlines()[-1]); q.params["skip"], q.params["limit"]
    RETURN o.doc AS doc ORDER BY o.id SKIP $skip LIMIT $limit
    (40, 20)
    """
    lines, params = _match_organisations(region, segment, kind, None)
    lines.append("RETURN o.doc AS doc ORDER BY o.id SKIP $skip LIMIT $limit")
    return Query("\n".join(lines), {**params, "skip": int(offset), "limit": int(limit)})


def _match_organisations(region, segment, kind, ids) -> tuple[list[str], dict[str, Any]]:
    """The MATCH and WHERE lines (binding ``o``) and parameters of the organisation filters."""
    org = label("organisations")
    params: dict[str, Any] = {}
    if segment is not None:
        lines = [f"MATCH (:{label('segments')} {{id: $segment}})<-[:{MEMBER_OF}]-(o:{org})"]
        params["segment"] = segment
    else:
        lines = [f"MATCH (o:{org})"]
    where = []
    if region is not None:
        # ids are '/'-separated paths: the region itself or anything under "region/"
        where.append("(o.region = $region OR o.region STARTS WITH $region_prefix)")
        params.update(region=region, region_prefix=region + "/")
    if kind is not None:
        where.append("o.kind = $kind")
        params["kind"] = OrgKind(kind).value
    if ids is not None:
        where.append("o.id IN $ids")
        params["ids"] = sorted(set(ids))
    if where:
        lines.append("WHERE " + " AND ".join(where))
    return lines, params


def read_links(*, kind: LinkKind | str | None = None, org: str | None = None) -> Query:
    """Link documents, optionally of one kind or touching one organisation."""
    types = link_type(kind) if kind is not None else link_types()
    if org is None:
        return Query(f"MATCH ()-[r:{types}]->() RETURN r.doc AS doc ORDER BY r.id", {})
    return Query(
        f"MATCH (:{label('organisations')} {{id: $org}})-[r:{types}]-() RETURN r.doc AS doc ORDER BY r.id",
        {"org": org},
    )


def org_ids_by_names(names: Sequence[str]) -> Query:
    """``(name, city_key, id)`` of stored organisations bearing one of ``names`` as their Chinese,
    English or former name (dedupe by 曾用名; the tie-break is
    :func:`graph.store.writeplan.pick_by_name_city`).

    >>> q = org_ids_by_names(["甲公司"])
    >>> q.params, "former_names" in q.text
    ({'names': ['甲公司']}, True)
    """
    org = label("organisations")
    ret = "RETURN {} AS name, o.city_key AS city_key, o.id AS id"
    branches = [
        f"MATCH (o:{org}) WHERE o.name_zh IN $names " + ret.format("o.name_zh"),
        f"MATCH (o:{org}) WHERE o.name_en IN $names " + ret.format("o.name_en"),
        f"MATCH (o:{org}) WHERE o.former_names IS NOT NULL UNWIND o.former_names AS n WITH o, n"
        " WHERE n IN $names " + ret.format("n"),
    ]
    return Query("\nUNION ALL\n".join(branches), {"names": list(names)})


def lookup(keys: Sequence[str]) -> Query:
    """Rows ``(how, key, id)`` for keys that are ids, USCCs or zh/en/former names.

    The caller keeps ids first, then USCCs, then names that match exactly
    one organisation.
    """
    org = label("organisations")
    branches = [
        f"MATCH (o:{org}) WHERE o.id IN $keys RETURN 'id' AS how, o.id AS key, o.id AS id",
        f"MATCH (o:{org}) WHERE o.uscc IN $keys RETURN 'uscc' AS how, o.uscc AS key, o.id AS id",
        f"MATCH (o:{org}) WHERE o.name_zh IN $keys RETURN 'name' AS how, o.name_zh AS key, o.id AS id",
        f"MATCH (o:{org}) WHERE o.name_en IN $keys RETURN 'name' AS how, o.name_en AS key, o.id AS id",
        # former names (曾用名) are names too: a relation file written before a rename still resolves
        f"MATCH (o:{org}) WHERE o.former_names IS NOT NULL UNWIND o.former_names AS n WITH o, n"
        " WHERE n IN $keys RETURN 'name' AS how, n AS key, o.id AS id",
    ]
    return Query("\nUNION ALL\n".join(branches), {"keys": list(keys)})


def counts() -> dict[str, Query]:
    """One count query per entity, keyed like ``GraphStore.counts`` (each a
    plain ``count`` over one label or type, which Neo4j answers from its
    count store)."""
    out = {}
    for name in ("regions", "clusters", "chains", "segments", "segment_edges", "organisations", "links"):
        out[name] = Query(f"MATCH {_records(name, 'x')} RETURN count(x) AS n", {})
    return out


# The pushdown for chain analysis (segment coverage per region, local vs
# external supply, leader inputs) is in graph.store.cypher_analysis, over the
# layout described in the module docstring.
