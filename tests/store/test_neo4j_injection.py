"""Hostile strings in every text field and every filter, against a real Neo4j.

They must round-trip unchanged and never change a query: the same records
come back, the counts stay, no extra nodes, labels or relationship types
appear, and nothing raises.
"""

from __future__ import annotations

import dataclasses
import unicodedata

import pytest

from graph.errors import InvalidInput, NotFound
from graph.model import (
    Chain,
    Cluster,
    EvidenceGrade,
    Financing,
    Format,
    Link,
    LinkKind,
    Membership,
    Organisation,
    OrgKind,
    Provenance,
    Region,
    RegionLevel,
    Segment,
    SegmentEdge,
    Site,
    SiteKind,
    Stage,
)
from graph.store import cypher
from graph.store.protocol import Batch
from tests.store.test_contract import small_world
from tests.store.test_cypher import HOSTILE

pytestmark = [
    pytest.mark.neo4j,
    pytest.mark.parametrize("store", [pytest.param("neo4j")], indirect=True),
]

EXTRA = [
    "}) RETURN 1 //",
    "' OR 1=1 OR n.id = '",
    "\\",
    "${id}",
    "x'}) DETACH DELETE (n) WITH 1 AS x MATCH (m {id:'",
    "\u200f\u202bمرحبا\u202c Robert'); DROP",
    "CALL dbms.components() YIELD name RETURN name",
]


def hostile_world(h: str) -> tuple[Batch, Organisation]:
    """The small world plus one record of every entity made of ``h``."""
    world = small_world()
    seg = Segment(h, h, h, Stage.DOWNSTREAM, Format.OTHER, parent="seg:engine", description=h,
                  keywords=(h, h + "2"), source=h)
    org = Organisation(
        id=h, kind=OrgKind.FIRM, name_zh=h, name_en=h + " en", provenance=Provenance(h, h, (h,)),
        region=f"cn/guangdong/shenzhen/{h}", address=h,
        segments=(Membership(h, 0.5, EvidenceGrade.WEAK), Membership("seg:games")),
        products=(h, h + " 2"), description_zh=h, description_en=h, business_scope=h,
        industry=h, industry_code=h, keywords=(h,), revenue_band=h, founded=h, tiers=(h,),
        sites=(Site(h, SiteKind.RD_CENTRE, h),), financing=(Financing(h, h, 1.5),), parent_group=h,
    )
    links = [
        Link(h, LinkKind.SUPPLIES, h, "org:firm", Provenance(h, h), since=h),
        Link(h + "-in", LinkKind.PARTNERS, "org:firm2", h, Provenance(h)),
    ]
    world.regions.append(Region(h, h, h, RegionLevel.DISTRICT))
    world.clusters.append(Cluster(h, h, h, (h,), source=h))
    world.chains.append(Chain(h, h, h, ("seg:engine", h), cluster=h, source=h))
    world.segments.append(seg)
    world.segment_edges.append(SegmentEdge("seg:games", h, 0.5, source=h))
    world.organisations.append(org)
    world.links.extend(links)
    return world, org


def _database_shape(store) -> tuple[int, int, set[str], set[str]]:
    """Raw node/relationship totals and the labels and types in use."""
    with store._driver.session(database=store._database) as s:
        nodes = s.run("MATCH (n) RETURN count(n) AS c").single()["c"]
        rels = s.run("MATCH ()-[r]->() RETURN count(r) AS c").single()["c"]
        labels = {r["label"] for r in s.run("MATCH (n) UNWIND labels(n) AS label RETURN DISTINCT label")}
        types = {r["t"] for r in s.run("MATCH ()-[r]->() RETURN DISTINCT type(r) AS t")}
    return nodes, rels, labels, types


def _expected_shape(world: Batch) -> tuple[int, int]:
    nodes = 1 + sum(len(getattr(world, e)) for e in cypher.LABELS)  # + the meta node
    members = len(cypher.membership_rows(world.organisations))
    return nodes, len(world.segment_edges) + len(world.links) + members


@pytest.mark.parametrize("h", HOSTILE + EXTRA)
def test_hostile_text_round_trips_and_never_changes_a_query(store, h):
    world, org = hostile_world(h)
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in h):
        # control characters (CR, NUL, ESC …) are refused at the write, naming the fields: nothing lands
        before = (store.version(), store.counts())
        with pytest.raises(InvalidInput, match="control character"):
            store.write(world)
        assert (store.version(), store.counts()) == before
        return
    result = store.write(world)
    assert result.inserted["organisations"] == len(world.organisations)
    v = store.version()

    # round trip: every record comes back exactly
    assert store.organisation(h) == org
    assert store.regions() == sorted(world.regions, key=lambda r: r.id)
    assert store.clusters() == sorted(world.clusters, key=lambda r: r.id)
    assert store.chains() == sorted(world.chains, key=lambda r: r.id)
    assert store.segments() == sorted(world.segments, key=lambda r: r.id)
    assert sorted(store.segment_edges(), key=lambda e: e.upstream + ">" + e.downstream) == sorted(
        world.segment_edges, key=lambda e: e.upstream + ">" + e.downstream)
    assert sorted(store.links(), key=lambda x: x.id) == sorted(world.links, key=lambda x: x.id)

    # the database holds exactly the records, with whitelisted labels and types only
    nodes, rels, labels, types = _database_shape(store)
    assert (nodes, rels) == _expected_shape(world)
    assert labels <= {*cypher.LABELS.values(), cypher.META}
    assert types <= {*cypher.LINK_TYPES.values(), cypher.MEMBER_OF, cypher.UPSTREAM_OF}

    # hostile values as filters select exactly what they name
    assert [o.id for o in store.organisations(region=org.region)] == [h]
    assert [o.id for o in store.organisations(region=h)] == []
    assert [o.id for o in store.organisations(segment=h)] == [h]
    assert [o.id for o in store.organisations(ids=[h, h + "'"])] == [h]
    assert {x.id for x in store.links(org=h)} == {h, h + "-in"}
    assert store.lookup([h, h + " en", h + "'"]) == {h: h, h + " en": h}
    assert "seg:games" in store.graph().successors(h)

    # unknown hostile keys: nothing found, nothing changed
    before = (store.counts(), _database_shape(store))
    for bad in (h + "'", h + "}) RETURN 1 //"):
        with pytest.raises(NotFound):
            store.organisation(bad)
        with pytest.raises(NotFound):
            store.delete_organisation(bad)
        assert list(store.organisations(region=bad, segment=bad, kind=OrgKind.FIRM, ids=[bad])) == []
        assert list(store.links(org=bad)) == []
        assert store.lookup([bad]) == {}
    assert (store.counts(), _database_shape(store)) == before
    assert store.version() == v

    # re-writing the same hostile records is a no-op; deleting removes exactly one
    assert store.write(world).changed == 0 and store.version() == v
    store.delete_organisation(h)
    counts = store.counts()
    assert counts["organisations"] == len(world.organisations) - 1
    assert counts["links"] == len(world.links) - 2
    assert store.organisation("org:firm") == next(o for o in world.organisations if o.id == "org:firm")


def test_hostile_updates_change_only_their_record(store):
    world, org = hostile_world(HOSTILE[0])
    store.write(world)
    before = {o.id: o for o in store.organisations()}
    for h in EXTRA:
        edited = dataclasses.replace(org, description_en=h, products=(h,), keywords=(h, h))
        r = store.write(Batch(organisations=[edited]))
        assert r.updated == {"organisations": 1}
        assert store.organisation(org.id) == edited
    after = {o.id: o for o in store.organisations()}
    assert {k: v for k, v in after.items() if k != org.id} == {
        k: v for k, v in before.items() if k != org.id}
