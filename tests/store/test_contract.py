"""The store contract: written once, run against every backend (``store`` fixture)."""

from __future__ import annotations

import dataclasses

import pytest

from graph.errors import Conflict, InvalidInput, NotFound
from graph.model import (
    Chain,
    Cluster,
    EvidenceGrade,
    Financing,
    Format,
    Link,
    LinkKind,
    Membership,
    MembershipStatus,
    Organisation,
    OrgKind,
    Provenance,
    Region,
    RegionLevel,
    RegStatus,
    Segment,
    SegmentEdge,
    Site,
    SiteKind,
    Stage,
    uscc_check_char,
)
from graph.store.protocol import Batch, GraphStore

P = Provenance("test", "2026-01-01")
SZ = "cn/guangdong/shenzhen"


def uscc(body: str) -> str:
    return body + uscc_check_char(body)


def small_world() -> Batch:
    """Two segments, one of every organisation kind, one link of every kind."""
    segs = [
        Segment("seg:engine", "游戏引擎", "Game engines", Stage.UPSTREAM, Format.TECHNOLOGY_EQUIPMENT,
                keywords=("引擎", "engine")),
        Segment("seg:games", "游戏研发", "Game studios", Stage.MIDSTREAM, Format.CONTENT_PRODUCTION,
                parent=None, description="研发与发行", manufacturing=False),
    ]
    orgs = []
    for i, kind in enumerate(OrgKind):
        region = f"{SZ}/nanshan" if i % 2 == 0 else "cn/beijing/beijing/haidian"
        orgs.append(
            Organisation(
                id=f"org:{kind.value}",
                kind=kind,
                name_zh=f"测试{kind.value}机构",
                name_en=f"Test {kind.value}",
                provenance=Provenance("test", "2026-01-01", ("employees",)),
                uscc=uscc(f"9144030000000{i:04d}") if kind is OrgKind.FIRM else None,
                region=region,
                segments=(Membership("seg:engine" if i % 2 else "seg:games", 0.9, EvidenceGrade.STRONG),),
                products=("引擎", "SDK"),
                description_zh="虚拟人与动作捕捉",
                description_en="virtual humans & motion capture",
                employees=100 + i,
                tiers=("专精特新",) if i == 0 else (),
                sites=(Site("jp/tokyo", SiteKind.RD_CENTRE, "2024-05-01"),),
                financing=(Financing("2025-06-01", "B", 120.0),),
                patents=i,
            )
        )
    orgs.append(dataclasses.replace(orgs[0], id="org:firm2", name_zh="第二家公司", name_en="Second",
                                    uscc=uscc("91440300000099999"), region=f"{SZ}/futian",
                                    segments=(Membership("seg:engine", 0.4, EvidenceGrade.WEAK,
                                                         MembershipStatus.PREDICTED),)))
    links = [
        Link(f"link:{k.value}", k, "org:firm", "org:firm2" if k is not LinkKind.LOCATED_IN_PARK else "org:park",
             P, since="2020-01-01", weight=0.5)
        for k in LinkKind
    ]
    return Batch(
        regions=[Region(SZ, "深圳市", "Shenzhen", RegionLevel.CITY)],
        clusters=[Cluster("cl:dc", "数字创意", "Digital creative", ("ch:games",))],
        chains=[Chain("ch:games", "动漫游戏", "Games", ("seg:engine", "seg:games"), "cl:dc")],
        segments=segs,
        segment_edges=[SegmentEdge("seg:engine", "seg:games", 2.0)],
        organisations=orgs,
        links=links,
    )


def snapshot(store: GraphStore):
    return (
        store.version(),
        store.counts(),
        list(store.organisations()),
        list(store.links()),
        store.segments(),
        store.segment_edges(),
    )


def test_is_a_graph_store(store):
    assert isinstance(store, GraphStore)


def test_round_trip_of_every_entity_and_link_kind(store):
    world = small_world()
    result = store.write(world)
    assert result.inserted["organisations"] == len(world.organisations)
    assert store.segments() == sorted(world.segments, key=lambda s: s.id)
    assert store.segment_edges() == world.segment_edges
    assert store.chains() == world.chains
    assert store.clusters() == world.clusters
    assert store.regions() == world.regions
    for o in world.organisations:
        assert store.organisation(o.id) == o
    assert {x.kind for x in store.links()} == set(LinkKind)
    for x in world.links:
        assert [y for y in store.links(org=x.src) if y.id == x.id] == [x]
    assert store.counts()["links"] == len(LinkKind)


def test_region_queries_include_sub_regions_only(store):
    store.write(small_world())
    sz = {o.id for o in store.organisations(region=SZ)}
    expected = {o.id for o in small_world().organisations if o.region.startswith(SZ + "/")}
    assert sz == expected and sz
    assert {o.id for o in store.organisations(region=SZ + "/futian")} == {"org:firm2"}
    # a prefix that is not a path component must not match
    assert list(store.organisations(region="cn/guangdong/shen")) == []
    assert {o.id for o in store.organisations(region="cn")} == {o.id for o in small_world().organisations}


def test_filters_by_segment_kind_and_ids(store):
    store.write(small_world())
    engine = {o.id for o in store.organisations(segment="seg:engine")}
    assert "org:firm2" in engine and "org:firm" not in engine
    assert [o.id for o in store.organisations(kind=OrgKind.PARK)] == ["org:park"]
    assert [o.id for o in store.organisations(ids=["org:fund", "nope"])] == ["org:fund"]
    assert {x.kind for x in store.links(kind=LinkKind.SUPPLIES)} == {LinkKind.SUPPLIES}


def test_organisation_pages_equal_slices_of_the_filtered_list(store):
    store.write(small_world())
    filters = [{}, {"region": SZ}, {"region": "cn"}, {"segment": "seg:engine"}, {"kind": OrgKind.FIRM},
               {"region": SZ, "segment": "seg:engine"}, {"region": "cn/guangdong/shen"}, {"segment": "seg:none"}]
    for f in filters:
        every = list(store.organisations(**f))
        assert [o.id for o in every] == sorted(o.id for o in every)
        for offset, limit in ((0, 2), (1, 3), (0, 500), (len(every), 5), (len(every) + 3, 5), (2, 0)):
            page, total = store.organisation_page(**f, offset=offset, limit=limit)
            assert total == len(every), f
            assert page == every[offset:offset + limit], (f, offset, limit)


def test_version_changes_on_every_write_and_only_then(store):
    v0 = store.version()
    store.write(small_world())
    v1 = store.version()
    assert v1 != v0
    again = store.write(small_world())
    assert again.changed == 0 and store.version() == v1
    o = small_world().organisations[0]
    store.write(Batch(organisations=[dataclasses.replace(o, employees=999)]))
    assert store.version() != v1
    assert store.organisation(o.id).employees == 999


def test_a_bad_record_in_the_middle_leaves_the_store_unchanged(store):
    store.write(small_world())
    before = snapshot(store)
    good = small_world().organisations[:3]
    bad = dataclasses.replace(good[1], id="org:bad", uscc=None,
                              segments=(Membership("seg:nope"),))
    batch = Batch(organisations=[dataclasses.replace(good[0], name_zh="改名"), bad,
                                 dataclasses.replace(good[2], employees=1)])
    with pytest.raises(InvalidInput) as err:
        store.write(batch)
    assert [(p.row, p.field) for p in err.value.problems] == [(2, "segments")]
    assert "seg:nope" in err.value.problems[0].reason
    assert snapshot(store) == before


def test_unknown_link_endpoint_is_refused(store):
    store.write(small_world())
    before = snapshot(store)
    link = Link("l:x", LinkKind.SUPPLIES, "org:firm", "org:ghost", P)
    with pytest.raises(InvalidInput) as err:
        store.write(Batch(links=[link]))
    assert err.value.problems[0].field == "dst"
    assert snapshot(store) == before


def test_dedupe_by_uscc_then_by_name_and_city(store):
    world = small_world()
    store.write(world)
    firm = world.organisations[0]
    same_uscc = dataclasses.replace(firm, id="org:other-id", employees=5)
    r = store.write(Batch(organisations=[same_uscc]))
    assert r.merged == {"org:other-id": "org:firm"}
    assert store.organisation("org:firm").employees == 5
    with pytest.raises(NotFound):
        store.organisation("org:other-id")
    park = next(o for o in world.organisations if o.kind is OrgKind.PARK)
    renamed = dataclasses.replace(park, id="org:park-dup", name_zh=park.name_zh + "有限公司")
    r = store.write(Batch(organisations=[renamed],
                          links=[Link("l:p", LinkKind.LOCATED_IN_PARK, "org:firm2", "org:park-dup", P)]))
    assert r.merged == {"org:park-dup": park.id}
    assert [x.dst for x in store.links(org="org:firm2") if x.id == "l:p"] == [park.id]


def test_an_ambiguous_name_and_city_merges_onto_the_smallest_id(store):
    """Two stored firms share a name and a city; a USCC-less newcomer with that name merges onto
    the smallest id (graph.store.writeplan.pick_by_name_city), whatever the insertion order."""
    store.write(small_world())
    twin = Organisation("org:twin-a", OrgKind.FIRM, "光影知音科技有限公司", P, region=f"{SZ}/nanshan",
                        uscc=uscc("91440300000055551"))
    store.write(Batch(organisations=[twin]))
    later = dataclasses.replace(twin, id="org:twin-z", uscc=uscc("91440300000055552"), region=f"{SZ}/futian")
    store.write(Batch(organisations=[later]))  # inserted last, larger id
    newcomer = Organisation("org:incoming", OrgKind.FIRM, "光影知音科技", P, region=f"{SZ}/longgang",
                            employees=42)
    r = store.write(Batch(organisations=[newcomer],
                          links=[Link("l:tw", LinkKind.SUPPLIES, "org:incoming", "org:firm", P)]))
    assert r.merged == {"org:incoming": "org:twin-a"}
    assert store.organisation("org:twin-a").employees == 42
    assert store.organisation("org:twin-z").employees is None
    assert [x.src for x in store.links(org="org:firm") if x.id == "l:tw"] == ["org:twin-a"]


def test_lookup_by_id_uscc_and_unique_name(store):
    world = small_world()
    store.write(world)
    firm = world.organisations[0]
    found = store.lookup([firm.id, firm.uscc, firm.name_zh, "Test park", "nobody"])
    assert found == {firm.id: firm.id, firm.uscc: firm.id, firm.name_zh: firm.id, "Test park": "org:park"}


def test_delete_removes_links_and_unknown_ids_raise(store):
    store.write(small_world())
    store.delete_organisation("org:firm2")
    with pytest.raises(NotFound):
        store.organisation("org:firm2")
    assert all("org:firm2" not in (x.src, x.dst) for x in store.links())
    with pytest.raises(NotFound):
        store.delete_organisation("org:firm2")


def test_hostile_strings_round_trip_unchanged(store):
    hostile = "'); DROP TABLE orgs; -- \" } RETURN 1 // 深圳 \\ %_ \u202e"
    world = small_world()
    org = dataclasses.replace(world.organisations[1], name_zh=hostile, description_en=hostile,
                              products=(hostile,))
    store.write(Batch(segments=world.segments, organisations=[org]))
    assert store.organisation(org.id) == org
    assert [o.id for o in store.organisations(region=hostile)] == []
    assert store.lookup([hostile]) == {hostile: org.id}
    assert store.counts()["organisations"] == 1


def test_graph_view_follows_the_version(store):
    store.write(small_world())
    g = store.graph()
    assert g.nodes["org:firm"]["type"] == "org" and g.nodes["seg:engine"]["type"] == "segment"
    assert g.has_edge("seg:engine", "seg:games")
    assert g.number_of_edges("org:firm", "org:firm2") == len(LinkKind) - 1
    assert store.graph() is g
    store.delete_organisation("org:firm2")
    assert "org:firm2" not in store.graph()


def test_records_deduplicated_onto_a_stored_one_are_merged_not_replaced(store):
    world = small_world()
    store.write(world)
    firm = world.organisations[0]
    short = Organisation("org:short", OrgKind.FIRM, "测试firm", P, uscc=firm.uscc,
                         tiers=("瞪羚",), employees=None, region=None)
    again = dataclasses.replace(short, id="org:short2", name_zh="测试firm机构简称", patents=77)
    result = store.write(Batch(organisations=[short, again]))
    assert result.merged == {"org:short": firm.id, "org:short2": firm.id}
    got = store.organisation(firm.id)
    assert got.name_zh == firm.name_zh and got.region == firm.region
    assert got.tiers == firm.tiers + ("瞪羚",)
    assert got.employees == firm.employees and got.patents == 77
    assert set(got.keywords) >= {"测试firm", "测试firm机构简称"}
    assert got.segments == firm.segments
    assert store.counts()["organisations"] == len(world.organisations)


def _csv(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_a_file_with_one_bad_row_in_the_middle_imports_nothing(store, tmp_path):
    from graph.io.importer import import_file

    store.write(small_world())
    before = snapshot(store)
    good1, good2 = uscc("91440300000077771"), uscc("91440300000077772")
    bad = uscc("91440300000077773")[:-1] + ("0" if uscc("91440300000077773")[-1] != "0" else "1")
    f = _csv(tmp_path / "firms.csv",
             "企业名称,统一社会信用代码,产业链环节\n"
             f"甲公司,{good1},seg:engine\n乙公司,{bad},seg:engine\n丙公司,{good2},seg:games\n")
    with pytest.raises(InvalidInput) as err:
        import_file(store, f, "organisations")
    assert [(p.row, p.field) for p in err.value.problems] == [(3, "统一社会信用代码")]
    assert snapshot(store) == before


def test_reimporting_the_same_files_is_idempotent(store, tmp_path):
    from graph.io.importer import import_file

    store.write(small_world())
    f = _csv(tmp_path / "firms.csv",
             "企业名称,统一社会信用代码,注册地址,产业链环节\n"
             f"甲公司,{uscc('91440300000077771')},深圳市南山区粤海街道,seg:engine\n"
             f"乙公司,{uscc('91440300000077772')},北京市海淀区,seg:games\n")
    links = _csv(tmp_path / "links.csv", "kind,src,dst,since\nsupplies,甲公司,乙公司,2024-01-01\n"
                                         "customer_of,乙公司,org:firm,2025-02-01\n")
    first = import_file(store, f, "organisations")
    import_file(store, links, "links")
    after_first = snapshot(store)
    assert first.imported.inserted == {"organisations": 2}
    again = import_file(store, f, "organisations")
    again_links = import_file(store, links, "links")
    assert again.imported.changed == 0 and again_links.imported.changed == 0
    assert snapshot(store) == after_first
    jia = store.lookup(["甲公司"])["甲公司"]
    assert store.organisation(jia).region == "cn/guangdong/shenzhen/nanshan"
    # customer_of is stored as supplies in the other direction
    assert any(x.kind is LinkKind.SUPPLIES and x.dst == store.lookup(["乙公司"])["乙公司"]
               and x.src == "org:firm" for x in store.links())


def test_giving_an_organisation_another_ones_uscc_is_refused(store):
    world = small_world()
    store.write(world)
    before = snapshot(store)
    firm, firm2 = store.organisation("org:firm"), store.organisation("org:firm2")
    with pytest.raises((InvalidInput, Conflict)) as err:
        store.write(Batch(organisations=[dataclasses.replace(firm2, uscc=firm.uscc)]))
    assert "org:firm" in str(err.value) or firm.uscc in str(err.value)
    assert snapshot(store) == before


def test_registration_status_former_names_and_unknown_patents_round_trip(store):
    """Issue 17's optional organisation fields survive both stores' JSON documents."""
    world = small_world()
    firm = dataclasses.replace(world.organisations[0], status=RegStatus.CLOSED, former_names=("旧名称有限公司", "Old Co"),
                               legal_rep="张三", patents=None, region_source="uscc")
    world.organisations[0] = firm
    store.write(world)
    assert store.organisation(firm.id) == firm
    assert store.organisation("org:firm2").status is RegStatus.UNKNOWN


def test_closed_organisations_count_nowhere_in_analysis(store):
    """The store's graph view and its pushed-down aggregates leave a closed firm out alike."""
    from graph.analysis.aggregates import chain_aggregates

    world = small_world()
    world.organisations = [dataclasses.replace(o, status=RegStatus.CLOSED) if o.id == "org:firm" else o
                           for o in world.organisations]
    store.write(world)
    g = store.graph()
    assert "org:firm" not in g and "org:firm2" in g
    aggs = chain_aggregates(g, SZ)
    assert aggs.local_counts.get("seg:games", 0) == 0  # org:firm was the one local member firm of seg:games
    if hasattr(store, "analysis_aggregates"):  # Neo4j: pushed down into Cypher
        assert store.analysis_aggregates(SZ) == aggs
    else:  # SQLite: the arrays path
        from graph.analysis.fast import aggregates_from_arrays
        from graph.store.sqlite_aggregates import load_arrays

        assert aggregates_from_arrays(load_arrays(store), SZ) == aggs


def test_lookup_finds_a_firm_by_its_former_name(store):
    world = small_world()
    world.organisations[0] = dataclasses.replace(world.organisations[0], former_names=("旧名称有限公司",))
    store.write(world)
    assert store.lookup(["旧名称有限公司", "测试firm机构"]) == {"旧名称有限公司": "org:firm", "测试firm机构": "org:firm"}


def test_dedupe_by_former_name_either_way(store):
    """A firm known by its old name in one file and its new name in another is one firm: an incoming
    record under a stored former name merges onto it (the stored name kept); an incoming record whose
    曾用名 is a stored name merges onto it and renames it (the old name becomes a former name); the
    same names in another city are another firm. ``lookup`` finds the merged firm by every name."""
    renamed = Organisation("org:new-name", OrgKind.FIRM, "深圳新名称科技有限公司", P, region=f"{SZ}/nanshan",
                           former_names=("深圳旧名称科技有限公司",))
    plain = Organisation("org:old-only", OrgKind.FIRM, "深圳老字号科技有限公司", P, region=f"{SZ}/futian")
    store.write(Batch(organisations=[renamed, plain]))
    old_export = Organisation("qcc:1", OrgKind.FIRM, "深圳旧名称科技有限公司", P, region=SZ, employees=77)
    new_export = Organisation("qcc:2", OrgKind.FIRM, "深圳新字号科技有限公司", P, region=f"{SZ}/futian",
                              former_names=("深圳老字号科技有限公司",), employees=55)
    elsewhere = Organisation("qcc:3", OrgKind.FIRM, "深圳旧名称科技有限公司", P, region="cn/beijing/beijing")
    r = store.write(Batch(organisations=[old_export, new_export, elsewhere],
                          links=[Link("l:ren", LinkKind.SUPPLIES, "qcc:1", "qcc:2", P)]))
    assert r.merged == {"qcc:1": "org:new-name", "qcc:2": "org:old-only"}
    kept = store.organisation("org:new-name")
    assert (kept.name_zh, kept.former_names, kept.employees) == (
        "深圳新名称科技有限公司", ("深圳旧名称科技有限公司",), 77)
    moved = store.organisation("org:old-only")
    assert (moved.name_zh, moved.former_names, moved.employees) == (
        "深圳新字号科技有限公司", ("深圳老字号科技有限公司",), 55)
    assert store.organisation("qcc:3").region == "cn/beijing/beijing"  # another city: another firm
    assert [(x.src, x.dst) for x in store.links() if x.id == "l:ren"] == [("org:new-name", "org:old-only")]
    found = store.lookup(["深圳新名称科技有限公司", "深圳新字号科技有限公司", "深圳老字号科技有限公司"])
    assert found == {"深圳新名称科技有限公司": "org:new-name", "深圳新字号科技有限公司": "org:old-only",
                     "深圳老字号科技有限公司": "org:old-only"}
    # 深圳旧名称… is borne by org:new-name (former) and qcc:3 (current): ambiguous, so left out
    assert "深圳旧名称科技有限公司" not in store.lookup(["深圳旧名称科技有限公司"])


def test_a_moved_out_organisation_is_written_without_a_region(store):
    """迁出: whatever path the record comes by, every store writes it with no region, so it is never
    local capacity where it was registered (the pushed-down aggregates agree with the graph view)."""
    from graph.analysis.aggregates import chain_aggregates

    world = small_world()
    world.organisations = [dataclasses.replace(o, status=RegStatus.MOVED_OUT, address="深圳市南山区")
                           if o.id == "org:firm" else o for o in world.organisations]
    store.write(world)
    moved = store.organisation("org:firm")
    assert (moved.region, moved.status, moved.address) == (None, RegStatus.MOVED_OUT, "深圳市南山区")
    assert "org:firm" not in {o.id for o in store.organisations(region=SZ)}
    aggs = chain_aggregates(store.graph(), SZ)
    assert aggs.local_counts.get("seg:games", 0) == 0  # org:firm was the one local member firm of seg:games
    if hasattr(store, "analysis_aggregates"):
        assert store.analysis_aggregates(SZ) == aggs
