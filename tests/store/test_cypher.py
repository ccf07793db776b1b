"""The Neo4j store's Cypher, checked without a database: text and parameters."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.model import (
    Link,
    LinkKind,
    Membership,
    MembershipStatus,
    Organisation,
    OrgKind,
    Provenance,
    SegmentEdge,
    from_dict,
)
from graph.store import cypher
from graph.store.canonical import content_hash
from graph.store.sqlite import SqliteStore
from graph.store.writeplan import rows_of
from tests.store.test_contract import small_world

HOSTILE = [
    "'); MATCH (n) DETACH DELETE n; //",
    '"}) RETURN 1 UNION MATCH (x) RETURN x //',
    "` DETACH DELETE n `",
    "\\' \\\" \\\\ \\u0027",
    "$ids $param {id: $id}",
    "MERGE CREATE DELETE REMOVE SET CALL LOAD CSV FROM 'file:///etc/passwd'",
    "/* comment */ -- ; \n\r\t",
    "深圳 \u202e\u200f RTL \u2066isolate\u2069",
]


def _strings(value) -> list[str]:
    """Every string inside a parameter structure."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []


def _in_params(text: str, params: dict) -> bool:
    return any(text in s for s in _strings(params))


def _org(name: str = "甲公司", **kw) -> Organisation:
    base = dict(id="org:a", kind=OrgKind.FIRM, name_zh=name, provenance=Provenance("t"),
                region="cn/guangdong/shenzhen/nanshan")
    base.update(kw)
    return Organisation(**base)


def _link(ident: str = "l1", src: str = "a", dst: str = "b") -> Link:
    return Link(ident, LinkKind.SUPPLIES, src, dst, Provenance("t"))


def _builders(s: str):
    """Every statement that takes user data, built around the value ``s``."""
    org = _org(s, id=s, name_en=s, uscc=s, region=s, products=(s,), description_zh=s,
               segments=(Membership(s),), tiers=(s,))
    link = _link(s, s, s)
    edge = SegmentEdge(s, s)
    return {
        "existing_ids": cypher.existing_ids("organisations", [s]),
        "stored_hashes": cypher.stored_hashes("segments", [s]),
        "stored_edge_hashes": cypher.stored_edge_hashes([s]),
        "stored_link_hashes": cypher.stored_link_hashes([s]),
        "org_ids_by_uscc": cypher.org_ids_by_uscc([s]),
        "org_ids_by_name_city": cypher.org_ids_by_name_city([(s, s)]),
        "upsert_nodes": cypher.upsert_nodes("organisations", cypher.node_rows(rows_of([org]))),
        "delete_memberships": cypher.delete_memberships([s]),
        "create_memberships": cypher.create_memberships(cypher.membership_rows([org])),
        "upsert_segment_edges": cypher.upsert_segment_edges(cypher.edge_rows(rows_of([edge]))),
        "delete_links": cypher.delete_links(LinkKind.SUPPLIES, [s]),
        "create_links": cypher.create_links(LinkKind.SUPPLIES, cypher.link_rows(rows_of([link]))),
        "delete_organisation": cypher.delete_organisation(s),
        "read_organisation": cypher.read_organisation(s),
        "read_organisations": cypher.read_organisations(region=s, segment=s, ids=[s]),
        "read_links": cypher.read_links(org=s),
        "lookup": cypher.lookup([s]),
    }


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_strings_only_ever_travel_in_params(hostile):
    benign = _builders("benign-value")
    for name, q in _builders(hostile).items():
        assert q.text == benign[name].text, name
        assert hostile not in q.text, name
        assert _in_params(hostile, q.params), name


@given(st.text(min_size=1, max_size=40))
def test_no_value_ever_changes_a_query(value):
    benign = _builders("x")
    for name, q in _builders(value).items():
        assert q.text == benign[name].text, name
        assert _in_params(value, q.params), name


def test_labels_and_types_come_from_closed_whitelists():
    names = set(cypher.LABELS.values()) | set(cypher.LINK_TYPES.values())
    names |= {cypher.META, cypher.MEMBER_OF, cypher.UPSTREAM_OF}
    assert all(re.fullmatch(r"[A-Z][A-Za-z_]*", n) for n in names)
    assert set(cypher.LINK_TYPES) == set(LinkKind)
    assert {cypher.LINK_KINDS[t] for t in cypher.LINK_TYPES.values()} == set(LinkKind)
    with pytest.raises(ValueError):
        cypher.label("Organisation) DETACH DELETE (n")
    with pytest.raises(ValueError):
        cypher.link_type("SUPPLIES]->() DELETE r //")
    with pytest.raises(ValueError):
        cypher.read_links(kind="nope")
    with pytest.raises(ValueError):
        cypher.read_organisations(kind="firm' OR 1=1")
    with pytest.raises(ValueError):
        cypher.wipe_label("User")
    with pytest.raises(ValueError):
        cypher.holds("Organisation) DETACH DELETE (n")


def test_holds_asks_one_row_of_each_entitys_label_or_types():
    from graph.store.writeplan import WRITE_ORDER

    texts = {e: cypher.holds(e).text for e in WRITE_ORDER}
    assert all(cypher.holds(e).params == {} and t.endswith(" RETURN 1 AS n LIMIT 1") for e, t in texts.items())
    assert texts["regions"].startswith("MATCH (n:Region) ")
    assert texts["segment_edges"].startswith("MATCH ()-[n:UPSTREAM_OF]->() ")
    assert texts["links"].startswith(f"MATCH ()-[n:{cypher.link_types()}]->() ")


def test_schema_is_idempotent_and_covers_every_label_and_link_type():
    texts = [q.text for q in cypher.schema()]
    assert all(" IF NOT EXISTS " in t for t in texts)
    assert all(q.params == {} for q in cypher.schema())
    for lab in [*cypher.LABELS.values(), cypher.META]:
        assert any(f"(n:{lab}) REQUIRE n.id IS UNIQUE" in t for t in texts), lab
    for rel in [*cypher.LINK_TYPES.values(), cypher.UPSTREAM_OF]:
        assert any(f"()-[r:{rel}]-() REQUIRE r.id IS UNIQUE" in t for t in texts), rel
    assert any("REQUIRE n.uscc IS UNIQUE" in t for t in texts)
    assert any("ON (n.name_key, n.city_key)" in t for t in texts)
    names = [t.split()[2] for t in texts]
    assert len(names) == len(set(names))


def test_organisation_filters():
    q = cypher.read_organisations()
    assert q.text == "MATCH (o:Organisation)\nRETURN o.doc AS doc ORDER BY o.id" and q.params == {}
    q = cypher.read_organisations(region="cn/guangdong/shenzhen", kind="park", ids=["b", "a", "b"])
    assert "(o.region = $region OR o.region STARTS WITH $region_prefix)" in q.text
    assert q.params == {"region": "cn/guangdong/shenzhen", "region_prefix": "cn/guangdong/shenzhen/",
                        "kind": "park", "ids": ["a", "b"]}
    q = cypher.read_organisations(segment="seg:engine")
    assert q.text.startswith("MATCH (:Segment {id: $segment})<-[:MEMBER_OF]-(o:Organisation)")
    assert q.params == {"segment": "seg:engine"}


def test_link_reads_use_typed_relationships():
    q = cypher.read_links()
    assert f"[r:{cypher.link_types()}]" in q.text and q.params == {}
    q = cypher.read_links(kind=LinkKind.INVESTS, org="org:a")
    assert "[r:INVESTS]-()" in q.text and q.params == {"org": "org:a"}
    q = cypher.stored_link_hashes(["l1"])
    assert q.text.count("UNION ALL") == len(LinkKind) - 1
    assert q.params == {"ids": ["l1"]}


def test_rows_carry_the_exact_document_and_its_hash():
    world = small_world()
    for rec, row in zip(world.organisations, cypher.node_rows(rows_of(world.organisations)), strict=True):
        assert from_dict(Organisation, json.loads(row["props"]["doc"])) == rec
        assert row["hash"] == content_hash(row["props"]["doc"]) == row["props"]["hash"]
        assert row["props"]["city_key"] == "/".join(rec.region.split("/")[:3])
    firm = cypher.node_rows(rows_of([world.organisations[0]]))[0]["props"]
    assert firm["tiers"] == ["专精特新"] and firm["sites"] == ["jp/tokyo"] and firm["kind"] == "firm"
    park = next(o for o in world.organisations if o.kind is OrgKind.PARK)
    assert cypher.node_rows(rows_of([park]))[0]["props"]["uscc"] is None  # SET += null removes it
    (edge,) = cypher.edge_rows(rows_of(world.segment_edges))
    assert edge["id"] == "seg:engine>seg:games" and edge["props"]["weight"] == 2.0
    rows = cypher.link_rows(rows_of(world.links))
    assert {r["kind"] for r in rows} == {k.value for k in LinkKind}
    assert all(from_dict(Link, json.loads(r["props"]["doc"])) in world.links for r in rows)


def test_equal_content_equal_hash_and_any_change_changes_it():
    org = _org()
    (a,) = cypher.node_rows(rows_of([org]))
    (b,) = cypher.node_rows(rows_of([dataclasses.replace(org)]))
    (c,) = cypher.node_rows(rows_of([dataclasses.replace(org, employees=1)]))
    assert a["hash"] == b["hash"] != c["hash"]


def test_membership_rows_keep_one_row_per_segment():
    org = _org(segments=(Membership("s1"), Membership("s1", 0.3, status=MembershipStatus.PREDICTED),
                         Membership("s2")))
    rows = cypher.membership_rows([org])
    assert [(r["segment"], r["status"], r["confidence"]) for r in rows] == [
        ("s1", "predicted", 0.3), ("s2", "confirmed", 1.0)]


def test_counts_are_keyed_like_the_embedded_store():
    queries = cypher.counts()
    assert list(queries) == list(SqliteStore.memory().counts())
    assert queries["links"].text == f"MATCH ()-[x:{cypher.link_types()}]->() RETURN count(x) AS n"
    assert queries["organisations"].text == "MATCH (x:Organisation) RETURN count(x) AS n"


def test_writes_and_deletes_are_parameterised_batches():
    q = cypher.upsert_nodes("segments", [])
    assert q.text.startswith("UNWIND $rows AS row MERGE (n:Segment {id: row.id})")
    q = cypher.create_links("partners", cypher.link_rows(rows_of([_link()])))
    assert "CREATE (a)-[r:PARTNERS]->(b)" in q.text
    assert q.params["rows"][0]["src"] == "a" and q.params["rows"][0]["props"]["id"] == "l1"
    q = cypher.wipe_label("Organisation", 500)
    assert q.params == {"batch": 500} and "LIMIT $batch" in q.text
    assert "ON CREATE SET m.version = 0" in cypher.lock_store().text
