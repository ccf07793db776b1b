"""Issue 17 acceptance: a 企查查-style export, a chain template without 业态 and relations by
credit code import with no column map, and closed firms count nowhere."""

from __future__ import annotations

import dataclasses

import pytest

from graph.analysis.aggregates import chain_aggregates
from graph.analysis.fast import aggregates_from_arrays
from graph.analysis.gaps import gaps
from graph.analysis.rules import GapRules
from graph.errors import InvalidInput
from graph.io.importer import import_file
from graph.model import LinkKind, RegStatus
from graph.store.protocol import Batch
from graph.store.sqlite import SqliteStore
from graph.store.sqlite_aggregates import load_arrays
from matching.embedder import HashingEmbedder
from matching.recommend.index import ChainIndex
from matching.recommend.introducers import introducers
from matching.recommend.targets import recommend_targets
from matching.search import SearchEngine
from tests.io.export_world import SZ, write_export


@pytest.fixture
def world(tmp_path):
    files = write_export(tmp_path)
    store = SqliteStore.memory()
    for entity, key in (("segments", "segments"), ("segment-edges", "segment_edges"), ("organisations", "firms"),
                        ("links", "relations"), ("branches", "branches")):
        report = import_file(store, files[key], entity, import_date="2026-06-30")
        assert report.problems == [], report.problems
    return store, files["codes"]


#: the gap rules with one local buyer enough for 补链: the export world has one buyer (鹏城整机)
RULES = GapRules(missing_min_local_buyers=1)


def by_name(store, name):
    return next(o for o in store.organisations() if o.name_zh == name)


def test_the_export_imports_with_no_column_map(world):
    store, codes = world
    assert {s.id: s.stage.value for s in store.segments()} == {
        "seg:motor": "upstream", "seg:fc": "upstream", "seg:uav": "midstream"}
    assert {(e.upstream, e.downstream, e.weight) for e in store.segment_edges()} == {
        ("seg:motor", "seg:uav", 1.0), ("seg:fc", "seg:uav", 2.0)}
    hz = by_name(store, "杭州飞图科技有限公司")
    assert (hz.status, hz.former_names, hz.name_en, hz.legal_rep) == (
        RegStatus.ACTIVE, ("杭州老鹰航空科技有限公司",), "Feitu Tech", "张三")
    old = by_name(store, "深圳市旧飞控科技有限公司")
    assert (old.status, old.status_detail, old.status_date) == (RegStatus.CLOSED, "注销", "2021-03-01")
    top = by_name(store, "天翼飞控科技有限公司")
    assert top.closed and (top.status_detail, top.status_date) == ("吊销，未注销", "2022-08-15")  # revoked
    assert (hz.status_detail, hz.status_date) == ("迁入", None)
    # no date column: every record dated the import day and says so
    assert hz.provenance.as_of == "2026-06-30" and "as_of" in hz.provenance.estimated
    kinds = {(x.src, x.dst): x.kind for x in store.links()}
    # 采购: the buyer buys from 苏州云翼, stored as 苏州云翼 supplies the buyer
    assert kinds[(f"uscc:{codes['suzhou']}", f"uscc:{codes['buyer']}")] is LinkKind.SUPPLIES
    assert kinds[(f"uscc:{codes['buyer']}", f"uscc:{codes['hangzhou']}")] is LinkKind.PARTNERS
    assert kinds[(f"uscc:{codes['chengdu']}", f"uscc:{codes['hangzhou']}")] is LinkKind.INVESTS


def test_regionless_firms_land_in_the_right_city(world):
    store, _ = world
    sz = by_name(store, "苏州云翼飞控科技有限公司")
    assert (sz.region, sz.region_source) == ("cn/jiangsu/suzhou/wuzhong", "address")
    cd = by_name(store, "成都凌空飞控科技有限公司")
    assert (cd.region, cd.region_source) == ("cn/sichuan/chengdu/wuhou", "uscc")
    assert "region" in cd.provenance.estimated
    assert by_name(store, "杭州飞图科技有限公司").region_source == ""  # the columns: reported


def test_a_closed_firm_is_never_recommended_nor_an_introducer(world):
    store, codes = world
    ix = ChainIndex.from_store(store)
    top = recommend_targets(ix, SZ, "seg:fc", k=10)
    listed = [t.org for t in top]
    assert f"uscc:{codes['closed_top']}" not in listed
    assert f"uscc:{codes['old_local']}" not in listed
    assert listed and set(listed) <= {f"uscc:{codes['suzhou']}", f"uscc:{codes['chengdu']}"}
    # with the closed firm open again it would rank first: the planted answer is not vacuous
    reopened = dataclasses.replace(by_name(store, "天翼飞控科技有限公司"), status=RegStatus.ACTIVE)
    store.write(Batch(organisations=[reopened]))
    again = recommend_targets(ChainIndex.from_store(store), SZ, "seg:fc", k=10)
    assert again[0].org == f"uscc:{codes['closed_top']}"
    for t in top:
        ids = [i.org for i in introducers(ix, t.org, SZ, k=10)]
        assert f"uscc:{codes['old_local']}" not in ids


def test_closed_local_firms_do_not_fill_a_missing_segment(world):
    store, codes = world
    nx_aggs = chain_aggregates(store.graph(), SZ)
    arr_aggs = aggregates_from_arrays(load_arrays(store), SZ)
    assert nx_aggs == arr_aggs  # both paths apply the same rule
    fc = nx_aggs.detail["seg:fc"]
    assert fc.local_firms == 0 and nx_aggs.local_counts.get("seg:fc", 0) == 0
    assert f"uscc:{codes['closed_top']}" not in {f.supplier for f in fc.top_external}
    assert fc.members_total == 2  # 苏州云翼 and 成都凌空; the two closed firms count nowhere
    assert nx_aggs.detail["seg:uav"].local_firms == 1
    # the gap analysis users read: 飞控系统 is a missing (补链) gap with no local firm, the closed one not
    # cited (one local buyer suffices in this small world: RULES)
    (chain,) = store.chains()
    fc_gap = {g.segment: g for g in gaps(nx_aggs, chain, RULES)}["seg:fc"]
    assert (fc_gap.kind.value, fc_gap.local_firms) == ("missing", 0)
    assert f"uscc:{codes['old_local']}" not in fc_gap.firms
    # the control: the same local firm 存续 makes the segment present (thin, one firm), no longer missing
    reopened = dataclasses.replace(by_name(store, "深圳市旧飞控科技有限公司"), status=RegStatus.ACTIVE)
    store.write(Batch(organisations=[reopened]))
    fc_gap = {g.segment: g for g in gaps(chain_aggregates(store.graph(), SZ), chain, RULES)}["seg:fc"]
    assert (fc_gap.kind.value, fc_gap.local_firms) == ("thin", 1)


@pytest.mark.parametrize("status", ["注销", "吊销，未注销", "撤销"])
def test_a_deregistered_firm_that_would_rank_first_is_never_listed(tmp_path, status):
    """天翼飞控 deregistered (注销), revoked or cancelled, through the one rule the API, CLI, report and lists
    use for a region's gaps (:func:`rank_gap_targets`): never listed, under any gap; 存续 it is first."""
    from matching.recommend.gaptargets import flat_targets, rank_gap_targets

    def listed(word):
        files = write_export(tmp_path / word)
        firms = files["firms"].read_text(encoding="utf-8")
        files["firms"].write_text(firms.replace("吊销，未注销", word), encoding="utf-8")
        store = SqliteStore.memory()
        for entity, key in (("segments", "segments"), ("segment-edges", "segment_edges"),
                            ("organisations", "firms"), ("links", "relations"), ("branches", "branches")):
            import_file(store, files[key], entity, import_date="2026-06-30")
        (chain,) = store.chains()
        found = [{"segment": g.segment, "kind": g.kind.value, "severity": g.severity}
                 for g in gaps(chain_aggregates(store.graph(), SZ), chain, RULES)]
        assert "seg:fc" in {g["segment"] for g in found}
        groups = rank_gap_targets(ChainIndex.from_store(store), SZ, found, per_gap=10)
        return [t.org for t in flat_targets(groups) if t.segment == "seg:fc"], files["codes"]

    closed, codes = listed(status)
    assert closed and f"uscc:{codes['closed_top']}" not in closed
    assert f"uscc:{codes['old_local']}" not in closed
    active, _ = listed("存续")
    assert active[0] == f"uscc:{codes['closed_top']}"


def test_a_former_name_finds_the_firm(world):
    store, codes = world
    engine = SearchEngine.build(store, HashingEmbedder(dim=32))
    hits = engine.search("杭州老鹰航空", k=3, mode="lexical")
    assert hits.ids[0] == f"uscc:{codes['hangzhou']}"
    card = next(h for h in engine.search("旧飞控", k=3, mode="lexical"))
    assert card.id == f"uscc:{codes['old_local']}"
    # found, and told why it counts nowhere
    assert (card.status, card.status_note_zh, card.status_note_en) == (
        "closed", "已注销（2021-03-01）", "deregistered 2021-03-01")
    assert (hits[0].status, hits[0].status_note_zh) == ("active", "")


def test_looking_up_a_closed_firm_says_why_it_is_absent(tmp_path, monkeypatch):
    """``chainmatch search`` and the HTTP API show a deregistered firm with its status and date: it is
    found (by name), but neither a target nor local capacity, and the user is told so."""
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from api.app import create_app
    from api.cli.main import app
    from graph.settings import Settings

    monkeypatch.setenv("CHAINMATCH_EMBEDDING_MODEL", "hashing:64")
    monkeypatch.setenv("COLUMNS", "200")
    files = write_export(tmp_path / "in")
    d = tmp_path / "data"
    runner = CliRunner()
    for entity, key in (("segments", "segments"), ("segment-edges", "segment_edges"), ("organisations", "firms")):
        assert runner.invoke(app, ["import", entity, str(files[key]), "--data-dir", str(d)]).exit_code == 0
    out = runner.invoke(app, ["search", "旧飞控", "--mode", "lexical", "--data-dir", str(d)])
    assert out.exit_code == 0, out.output
    assert "已注销（2021-03-01）" in out.output and "不作为招商目标" in out.output
    out = runner.invoke(app, ["--lang", "en", "search", "天翼飞控", "--mode", "lexical", "--data-dir", str(d)])
    assert "revoked 2022-08-15" in out.output and "never counted as targets" in out.output

    settings = Settings(_env_file=None, data_dir=d, backend="embedded", embedding_model="hashing:64",
                        auth="off")
    with TestClient(create_app(settings)) as api:
        hit = api.get("/search", params={"q": "旧飞控", "mode": "lexical", "limit": 3}).json()["items"][0]
        assert (hit["id"], hit["status"], hit["status_note_zh"], hit["status_note_en"]) == (
            f"uscc:{files['codes']['old_local']}", "closed", "已注销（2021-03-01）", "deregistered 2021-03-01")
        org = api.get(f"/organisations/{hit['id']}").json()
        assert (org["status"], org["status_detail"], org["status_date"], org["status_note_en"]) == (
            "closed", "注销", "2021-03-01", "deregistered 2021-03-01")
        active = api.get("/organisations", params={"q": "鹏城整机"}).json()["items"][0]
        assert (active["status"], active["status_note_zh"]) == ("active", "")


def test_an_empty_name_and_an_unknown_status_are_row_errors(tmp_path):
    p = tmp_path / "f.csv"
    p.write_text("企业名称,英文名,统一社会信用代码,登记状态\n"
                 ",Ghost Co,91440300708461136T,存续\n"
                 "深圳甲公司,,,休眠中\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as e:
        import_file(SqliteStore.memory(), p, "organisations")
    rows = {(x.row, x.field) for x in e.value.problems}
    assert rows == {(2, "企业名称"), (3, "登记状态")}


def test_unknown_link_types_name_the_accepted_ones(world, tmp_path):
    store, codes = world
    p = tmp_path / "r.csv"
    p.write_text(f"企业信用代码,关联企业信用代码,关系类型\n{codes['buyer']},{codes['suzhou']},联姻\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as e:
        import_file(store, p, "links")
    (problem,) = e.value.problems
    assert problem.row == 2 and "采购" in problem.reason and "战略合作" in problem.reason


def test_dry_run_reports_which_column_fed_which_field(tmp_path):
    files = write_export(tmp_path)
    store = SqliteStore.memory()
    import_file(store, files["segments"], "segments")
    report = import_file(store, files["firms"], "organisations", dry_run=True)
    assert report.columns["status"] == "登记状态" and report.columns["former_names"] == "曾用名"
    assert report.columns["uscc"] == "统一社会信用代码" and report.ignored == []
    assert store.counts()["organisations"] == 0


def test_an_unknown_district_is_a_row_error_not_the_city(tmp_path):
    p = tmp_path / "f.csv"
    p.write_text("企业名称,所属省份,所属城市,所属区县\n"
                 "甲公司,江苏省,南京市,江宁区\n"
                 "乙公司,江苏省,南京市,不存在区\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as e:
        import_file(SqliteStore.memory(), p, "organisations")
    assert [(x.row, x.field) for x in e.value.problems] == [(3, "所属区县")]


@pytest.mark.parametrize("name", ["吴中区", "江宁区", "松江区", "思明区", "洪山区", "渝北区", "武侯区"])
def test_districts_the_issue_found_missing_are_known(name):
    from graph.regions import parse_region, region

    rid = parse_region(name)
    assert rid and region(rid).name_zh == name and region(rid).level.value == "district"


def test_a_relation_by_former_name_resolves(world, tmp_path):
    store, codes = world
    p = tmp_path / "r.csv"
    p.write_text("企业,关联企业,关系类型\n深圳市鹏城整机科技有限公司,杭州老鹰航空科技有限公司,合作\n", encoding="utf-8")
    import_file(store, p, "links")
    assert any(x.dst == f"uscc:{codes['hangzhou']}" and x.kind is LinkKind.PARTNERS and x.since is None
               for x in store.links())


def test_cli_dry_run_prints_the_column_map(tmp_path):
    from typer.testing import CliRunner

    from api.cli.main import app

    files = write_export(tmp_path / "in")
    d = tmp_path / "data"
    runner = CliRunner()
    assert runner.invoke(app, ["import", "segments", str(files["segments"]), "--data-dir", str(d)]).exit_code == 0
    out = runner.invoke(app, ["import", "organisations", str(files["firms"]), "--dry-run", "--data-dir", str(d)])
    assert out.exit_code == 0, out.output
    mapped = {tuple(c.strip() for c in line.strip("│ ").split("│")) for line in out.output.splitlines() if "│" in line}
    assert {("登记状态", "status"), ("注销日期", "status_date"), ("曾用名", "former_names")} <= mapped
    assert "未写入任何内容" in out.output  # the dry run: nothing written


def test_unknown_segments_in_an_edge_list_are_row_errors(world, tmp_path):
    store, _ = world
    p = tmp_path / "e.csv"
    p.write_text("上游环节,下游环节\n电机电调,无人机整机\n电池,无人机整机\n飞控系统,飞控系统\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as e:
        import_file(store, p, "segment-edges")
    assert [(x.row, x.field) for x in e.value.problems] == [(3, "上游环节"), (4, "下游环节")]


def test_a_firm_with_a_branch_in_the_region_ranks_below_an_equal_one(world):
    store, codes = world
    a, b = f"uscc:{codes['wuhan_a']}", f"uscc:{codes['wuhan_b']}"
    assert [(s.region, s.kind.value, s.since) for s in store.organisation(a).sites] == [
        ("cn/guangdong/shenzhen/baoan", "branch", "2023-05-01")]
    assert store.organisation(b).sites == ()  # a closed (注销) branch is no presence
    ranked = [t.org for t in recommend_targets(ChainIndex.from_store(store), SZ, "seg:motor", k=10)]
    assert ranked.index(b) < ranked.index(a)
    site = {t.org: next(p for p in t.parts if p.name == "local_site") for t in
            recommend_targets(ChainIndex.from_store(store), SZ, "seg:motor", k=10)}
    assert site[a].value < 0 == site[b].value


def test_a_branch_of_an_unknown_head_office_is_a_row_error(world, tmp_path):
    store, _ = world
    p = tmp_path / "b.csv"
    p.write_text("总公司名称,分支机构名称,所属城市\n不存在的公司,某分公司,深圳市\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as e:
        import_file(store, p, "branches")
    assert [(x.row, x.field) for x in e.value.problems] == [(2, "总公司名称")]


def test_an_export_under_a_former_name_merges_onto_the_firm(world, tmp_path):
    """An older export lists 杭州飞图 under its 曾用名 and without a credit code; a newer one lists
    武汉乙 under a new name with the stored name as 曾用名: both merge (dedupe), nothing new is stored,
    and ``lookup`` finds each firm by every name."""
    store, codes = world
    before = store.counts()["organisations"]
    p = tmp_path / "old.csv"
    p.write_text("企业名称,曾用名,所属省份,所属城市,参保人数\n"
                 "杭州老鹰航空科技有限公司,,浙江省,杭州市,260\n"
                 "武汉乙驱动科技有限公司,武汉乙电机有限公司,湖北省,武汉市,310\n"
                 "杭州老鹰航空科技有限公司,,江苏省,苏州市,10\n", encoding="utf-8")
    report = import_file(store, p, "organisations", import_date="2026-07-01")
    hz, wb = f"uscc:{codes['hangzhou']}", f"uscc:{codes['wuhan_b']}"
    assert set(report.imported.merged.values()) == {hz, wb} and len(report.imported.merged) == 2
    assert store.counts()["organisations"] == before + 1  # the 苏州 namesake is another firm
    assert (store.organisation(hz).name_zh, store.organisation(hz).employees) == ("杭州飞图科技有限公司", 260)
    renamed = store.organisation(wb)
    assert (renamed.name_zh, renamed.former_names) == ("武汉乙驱动科技有限公司", ("武汉乙电机有限公司",))
    assert store.lookup(["武汉乙电机有限公司", "武汉乙驱动科技有限公司"]) == {
        "武汉乙电机有限公司": wb, "武汉乙驱动科技有限公司": wb}


def test_an_unknown_district_in_an_address_is_a_warning_that_keeps_the_text(tmp_path):
    """An address naming a district the gazetteer does not know (不存在区) is not silently widened: the
    firm is placed in the city it names and the row is warned about, the address kept as written; a known
    district and a development zone (高新区, not a county-level division) give no warning."""
    p = tmp_path / "f.csv"
    p.write_text("企业名称,企业地址\n"
                 "甲公司,江苏省南京市不存在区木渎镇18号\n"
                 "乙公司,江苏省南京市江宁区秣陵街道\n"
                 "丙公司,南京市高新区星火路\n", encoding="utf-8")
    store = SqliteStore.memory()
    report = import_file(store, p, "organisations", import_date="2026-06-30")
    (warning,) = [w for w in report.warnings if "district" in w]
    assert warning.startswith("f.csv:2 [企业地址]") and "不存在区" in warning
    # people read the city's name, not its id, and read it in Chinese when they work in Chinese
    assert "cn/jiangsu" not in warning and "Nanjing" in warning
    assert warning.text("zh").startswith("f.csv:2 [企业地址]: 未知的区县 '不存在区'") and "南京市" in warning.text("zh")
    got = {o.name_zh: (o.region, o.address) for o in store.organisations()}
    assert got == {"甲公司": ("cn/jiangsu/nanjing", "江苏省南京市不存在区木渎镇18号"),
                   "乙公司": ("cn/jiangsu/nanjing/jiangning", "江苏省南京市江宁区秣陵街道"),
                   "丙公司": ("cn/jiangsu/nanjing", "南京市高新区星火路")}


def test_a_moved_out_firm_is_not_local_in_its_old_region(world, tmp_path):
    """深圳 lacks 飞控系统; a 迁出 flight-control firm registered in 南山区 does not fill it (both analysis
    paths), is stored with no region (its address kept) and the import warns; the same firm 存续 would."""
    store, _ = world
    p = tmp_path / "moved.csv"
    row = "深圳市迁走飞控科技有限公司,{},广东省,深圳市,深圳市南山区科技园,seg:fc\n"
    p.write_text("企业名称,登记状态,所属省份,所属城市,企业地址,产业链环节\n" + row.format("迁出"), encoding="utf-8")
    report = import_file(store, p, "organisations", import_date="2026-06-30")
    assert any(w.startswith("moved.csv:2 [登记状态]") and "迁出" in w for w in report.warnings)
    (zh,) = [w.text("zh") for w in report.warnings if "迁出" in w]
    assert "不计入登记地广东省 深圳市" in zh and "cn/" not in zh and "moved out" not in zh
    moved = by_name(store, "深圳市迁走飞控科技有限公司")
    assert (moved.status, moved.region, moved.address) == (RegStatus.MOVED_OUT, None, "深圳市南山区科技园")
    for aggs in (chain_aggregates(store.graph(), SZ), aggregates_from_arrays(load_arrays(store), SZ)):
        assert aggs.detail["seg:fc"].local_firms == 0
    p.write_text("企业名称,登记状态,所属省份,所属城市,企业地址,产业链环节\n" + row.format("存续"), encoding="utf-8")
    import_file(store, p, "organisations", import_date="2026-06-30")  # the control: back, it is local
    assert chain_aggregates(store.graph(), SZ).detail["seg:fc"].local_firms == 1


def test_imported_branches_are_the_form_rules_sites_in_other_cities(world, tmp_path):
    """The attraction form reads the sites imported from a 分支机构 list: a 4,000-employee flight-control
    firm in 西安 with open branches in four other cities outside 华南 is a regional-HQ (区域总部) target for
    深圳 by rule 3, the rule text and facts naming those cities; its closed branch and a branch in its own
    city are no other city. A fifth branch, in 广州 (华南), is a site near the region: rule 3 fails."""
    from matching.recommend.form import attraction_form

    store, _ = world
    firm, xian = "西安大翼飞控科技有限公司", "cn/shaanxi/xian"
    (tmp_path / "f.csv").write_text("企业名称,登记状态,所属省份,所属城市,产业链环节,参保人数\n"
                                    f"{firm},存续,陕西省,西安市,seg:fc,4000\n", encoding="utf-8")
    import_file(store, tmp_path / "f.csv", "organisations", import_date="2026-06-30")
    rows = [("北京市", "北京市海淀区", "存续"), ("上海市", "上海市浦东新区", "存续"), ("武汉市", "武汉市洪山区", "在业"),
            ("成都市", "成都市武侯区", "存续"), ("南京市", "南京市江宁区", "注销"), ("西安市", "西安市雁塔区", "存续")]
    b = tmp_path / "b.csv"
    b.write_text("总公司名称,分支机构名称,所属城市,企业地址,登记状态,成立日期\n" + "".join(
        f"{firm},{firm}{city}分公司,{city},{addr},{status},2024-0{i}-01\n" for i, (city, addr, status) in enumerate(rows, 1)),
        encoding="utf-8")
    assert import_file(store, b, "branches").problems == []
    oid = by_name(store, firm).id
    want = ["cn/beijing/beijing", "cn/hubei/wuhan", "cn/shanghai/shanghai", "cn/sichuan/chengdu"]

    def form():
        ix = ChainIndex.from_store(store)
        (target,) = [t for t in recommend_targets(ix, SZ, "seg:fc", k=10) if t.org == oid]
        return target.form, attraction_form(ix, oid, "seg:fc", SZ)

    listed, direct = form()
    assert listed == direct  # the ranking's form is the rule's
    assert (listed.form, listed.checks["regional_hq"]) == ("regional_hq", True)
    assert listed.facts["other_site_cities"] == want and listed.facts["sites_near_region"] == []
    assert "sites in 4 other cities" in listed.rule
    assert xian not in listed.facts["other_site_cities"]  # its own city is no other city
    b.write_text("总公司名称,分支机构名称,所属城市,登记状态\n" f"{firm},{firm}广州分公司,广州市,存续\n", encoding="utf-8")
    import_file(store, b, "branches")
    listed, _ = form()
    assert not listed.checks["regional_hq"] and listed.facts["sites_near_region"] == ["cn/guangdong/guangzhou"]
    assert len(listed.facts["other_site_cities"]) == 5


@pytest.mark.parametrize("header", ["产业链位置", "环节位置", "链位", "上中下游"])
def test_the_usual_stage_headers_feed_the_stage(tmp_path, header):
    """A chain template's stage column under any of its usual headers, with no 业态 (format) column."""
    p = tmp_path / "s.csv"
    p.write_text(f"环节名称,{header}\n电池,上游\n整车,中游\n充电,下游\n", encoding="utf-8")
    store = SqliteStore.memory()
    report = import_file(store, p, "segments")
    assert report.columns["stage"] == header and report.ignored == []
    assert {s.name_zh: s.stage.value for s in store.segments()} == {
        "电池": "upstream", "整车": "midstream", "充电": "downstream"}


@pytest.mark.parametrize(("src", "dst", "kind", "stored"), [
    ("供应商", "客户", "供货", ("a", "b", LinkKind.SUPPLIES)),
    ("企业", "关联企业", "采购", ("b", "a", LinkKind.SUPPLIES)),  # A buys from B: B supplies A
    ("投资方", "被投资方", "参股", ("a", "b", LinkKind.INVESTS)),
    ("企业信用代码", "关联企业信用代码", "战略合作", ("a", "b", LinkKind.PARTNERS)),
])
def test_link_parties_under_the_usual_column_names(world, tmp_path, src, dst, kind, stored):
    """Parties by exact name (or credit code) under the column names exports use, and each type's direction."""
    store, codes = world
    names = {"a": ("杭州飞图科技有限公司", codes["hangzhou"]), "b": ("深圳市鹏城整机科技有限公司", codes["buyer"])}
    pick = 1 if "信用代码" in src else 0
    p = tmp_path / "r.csv"
    p.write_text(f"{src},{dst},关系类型,日期\n{names['a'][pick]},{names['b'][pick]},{kind},2025-05-01\n", encoding="utf-8")
    report = import_file(store, p, "links")
    assert report.problems == [] and {src, dst} <= set(report.columns.values()) and report.ignored == []
    ids = {k: f"uscc:{v[1]}" for k, v in names.items()}
    assert any((x.src, x.dst, x.kind, x.since) == (ids[stored[0]], ids[stored[1]], stored[2], "2025-05-01")
               for x in store.links())


def test_stats_count_where_each_region_came_from(world):
    """``stats`` says how many regions were reported and how many inferred from the address, the USCC or the name."""
    from graph.stats import store_stats

    store, _ = world
    sources = store_stats(store)["region_sources"]
    assert sources["address"] == 1 and sources["uscc"] == 1  # 苏州云翼, 成都凌空
    assert sources["reported"] == sum(1 for o in store.organisations() if o.region and not o.region_source)
