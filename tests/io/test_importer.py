"""import_file end to end against the embedded store: all or nothing, rejects, idempotence."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import json
import re
import time

import openpyxl
import pytest

from graph.errors import InvalidInput
from graph.io.cells import FORMULA_REASON
from graph.io.importer import import_file
from graph.model import LinkKind, OrgKind, to_dict, uscc_check_char
from graph.settings import Settings
from graph.store.sqlite import SqliteStore

FORMULA = "=cmd|' /C calc'!A0"
SEGMENTS = (
    "id,名称,英文名称,阶段,业态,产业链,上游环节\n"
    "seg:engine,游戏引擎,Game engines,上游,技术和设备,数字创意,\n"
    "seg:dev,游戏研发,Game development,中游,内容制作,数字创意,seg:engine\n"
    "seg:ops,游戏运营,Game operations,下游,融合服务,数字创意,游戏研发\n"
)


def uscc(n: int) -> str:
    first17 = f"91440300MA5{n:06d}"
    return first17 + uscc_check_char(first17)


def bad_uscc(n: int) -> str:
    code = uscc(n)
    return code[:17] + ("0" if code[17] != "0" else "1")


def write(tmp_path, name, text, encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def snapshot(store):
    return (
        store.version(),
        store.counts(),
        sorted((to_dict(o) for o in store.organisations()), key=lambda d: d["id"]),
        sorted((to_dict(x) for x in store.links()), key=lambda d: d["id"]),
        sorted(to_dict(s)["id"] for s in store.segments()),
    )


@pytest.fixture
def db(tmp_path):
    store = SqliteStore.open(tmp_path / "store.sqlite")
    yield store
    store.close()


@pytest.fixture
def seeded(db, tmp_path):
    """A store holding the sample segments and three organisations."""
    import_file(db, write(tmp_path, "segments.csv", SEGMENTS), "segments")
    orgs = (
        "企业名称,统一社会信用代码,注册地址,产业链环节\n"
        f"深圳市甲科技有限公司,{uscc(1)},深圳市南山区科技园,seg:engine\n"
        f"深圳市乙科技有限公司,{uscc(2)},深圳市福田区,游戏研发\n"
        "深圳市丙科技有限公司,,深圳市宝安区,\n"
    )
    import_file(db, write(tmp_path, "seed.csv", orgs), "organisations")
    return db


def rows_fields(err):
    return {(p.row, p.field) for p in err.problems}


# ------------------------------------------------------------------ happy paths


def test_csv_import_and_reimport_changes_nothing(db, tmp_path):
    p = write(tmp_path, "firms.csv",
              "企业名称,统一社会信用代码,注册地址,注册资本,成立日期,参保人数,企业标签\n"
              f"深圳市光影互动科技有限公司,{uscc(1)},深圳市南山区科技园,1000万人民币,2015年3月2日,100-499人,"
              "专精特新小巨人企业、高新技术企业\n"
              "星云像素有限公司,,广东省深圳市福田区,500万美元,2019/6/1,150人,链主\n")
    report = import_file(db, p, "organisations")
    assert (report.rows_read, report.rejected, report.problems) == (2, 0, [])
    assert report.imported.inserted == {"organisations": 2}
    a = db.organisation(f"uscc:{uscc(1)}")
    assert (a.region, a.registered_capital_cny_m, a.founded, a.employees) == (
        "cn/guangdong/shenzhen/nanshan", 10.0, "2015-03-02", 300)
    assert a.tiers == ("专精特新",) and a.keywords == ("高新技术企业",)
    # no date column: the import date, marked estimated; the region read from the address is estimated too
    assert a.provenance.source == "file:firms.csv" and a.provenance.as_of == dt.date.today().isoformat()
    assert a.provenance.estimated == ("as_of", "employees", "region") and a.region_source == "address"
    b = next(o for o in db.organisations() if o.name_zh == "星云像素有限公司")
    assert b.id.startswith("org:") and b.region == "cn/guangdong/shenzhen/futian"
    assert b.provenance.estimated == ("as_of", "region", "registered_capital_cny_m")
    assert b.registered_capital_cny_m == 36.0 and b.patents is None  # no patent column: unknown, not 0
    before = snapshot(db)
    again = import_file(db, p, "organisations")
    assert again.imported.changed == 0 and snapshot(db) == before


def test_gbk_csv_with_chinese_headers(db, tmp_path):
    p = write(tmp_path, "gbk.csv",
              "企业名称,统一社会信用代码,注册地址,所属行业,经营范围\n"
              f"深圳市光影互动科技有限公司,{uscc(7)},深圳市南山区,软件和信息技术服务业,动漫设计；游戏软件开发\n",
              "gbk")
    report = import_file(db, p, "organisations")
    assert report.encoding == "gbk" and any("GBK" in w for w in report.warnings)
    org = db.organisation(f"uscc:{uscc(7)}")
    assert org.industry == "软件和信息技术服务业" and org.business_scope == "动漫设计；游戏软件开发"


def test_xlsx_with_enterprise_platform_headers(db, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["企业名称", "统一社会信用代码", "注册地址", "所属行业", "经营范围", "注册资本", "成立日期",
               "参保人数", "主营产品"])
    ws.append(["深圳市光影互动科技有限公司", uscc(3), "广东省深圳市南山区粤海街道科技园", "软件和信息技术服务业",
               "动漫设计；游戏软件开发", "1000万人民币", dt.datetime(2015, 3, 2), 150, "游戏引擎、虚拟人"])
    ws.append(["北京星云像素科技有限公司", None, None, "互联网和相关服务", None, "500万美元", "2018/6/1",
               "100-499人", None])
    p = tmp_path / "企业名单.xlsx"
    wb.save(p)
    report = import_file(db, p, "organisations")
    assert report.imported.inserted == {"organisations": 2} and report.encoding is None
    a = db.organisation(f"uscc:{uscc(3)}")
    assert (a.region, a.founded, a.employees, a.products, a.registered_capital_cny_m) == (
        "cn/guangdong/shenzhen/nanshan", "2015-03-02", 150, ("游戏引擎", "虚拟人"), 10.0)
    b = next(o for o in db.organisations() if o.name_zh.startswith("北京"))
    assert b.region == "cn/beijing/beijing" and b.founded == "2018-06-01"
    assert b.provenance.estimated == ("as_of", "employees", "region", "registered_capital_cny_m")
    version = db.version()
    assert import_file(db, p, "organisations").imported.version == version


def test_region_parts_and_address(db, tmp_path):
    p = write(tmp_path, "f.csv", "企业名称,所属省份,所属城市,注册地址,国家\n"
              "甲公司,广东省,深圳市,深圳市南山区科技园,\n"
              "乙公司,广东省,深圳市,广州市天河区,\n"
              "丙公司,,,,美国\n"
              "深圳市丁科技有限公司,,,,\n")
    report = import_file(db, p, "organisations")
    got = {o.name_zh: (o.region, o.region_source, o.provenance.estimated) for o in db.organisations()}
    assert got == {"甲公司": ("cn/guangdong/shenzhen/nanshan", "", ("as_of",)),
                   "乙公司": ("cn/guangdong/shenzhen", "", ("as_of",)),  # the address disagrees: the cells win
                   "丙公司": ("us", "", ("as_of",)),
                   "深圳市丁科技有限公司": ("cn/guangdong/shenzhen", "name", ("as_of", "region"))}
    assert report.as_dict()["imported"]["inserted"] == {"organisations": 4}
    json.dumps(report.as_dict(), ensure_ascii=False)


def test_reject_file_never_overwrites_the_input(seeded, tmp_path):
    p = write(tmp_path, "f.csv", "名称\n甲\n")
    with pytest.raises(InvalidInput, match="overwrite the input"):
        import_file(seeded, p, "organisations", skip_invalid=True, reject_path=p)
    assert p.read_text(encoding="utf-8") == "名称\n甲\n"


def test_json_and_column_map(db, tmp_path):
    recs = {"organisations": [{"客户名称": "光影互动", "city": "深圳", "kind": "孵化器", "patents": 3,
                               "products": ["引擎", "动捕"]}]}
    p = write(tmp_path, "orgs.json", json.dumps(recs, ensure_ascii=False))
    report = import_file(db, p, "organisations", column_map={"客户名称": "name_zh"})
    org = next(db.organisations())
    assert (org.name_zh, org.kind, org.region, org.patents, org.products) == (
        "光影互动", OrgKind.INCUBATOR, "cn/guangdong/shenzhen", 3, ("引擎", "动捕"))
    assert report.rows_read == 1


def test_unknown_headers_are_warnings(db, tmp_path):
    report = import_file(db, write(tmp_path, "f.csv", "名称,法定代表人,备注,序号\n甲公司,张三,x,1\n"), "organisations")
    assert report.imported.inserted == {"organisations": 1}
    assert any("备注" in w for w in report.warnings) and not any("序号" in w for w in report.warnings)
    assert next(db.organisations()).legal_rep == "张三"  # 法定代表人 is kept
    assert report.columns == {"name_zh": "名称", "legal_rep": "法定代表人"} and report.ignored == ["备注", "序号"]


def test_segments_chain_and_edges(db, tmp_path):
    report = import_file(db, write(tmp_path, "segments.csv", SEGMENTS), "segments")
    assert report.imported.inserted == {"segments": 3, "segment_edges": 2, "chains": 1}
    (chain,) = db.chains()
    assert chain.name_zh == "数字创意" and chain.segments == ("seg:engine", "seg:dev", "seg:ops")
    assert {(e.upstream, e.downstream) for e in db.segment_edges()} == {
        ("seg:engine", "seg:dev"), ("seg:dev", "seg:ops")}
    more = write(tmp_path, "more.csv", "id,名称,阶段,业态,产业链\nseg:vh,虚拟人,中游,内容制作,数字创意\n")
    import_file(db, more, "segments")
    assert db.chains()[0].segments == ("seg:engine", "seg:dev", "seg:ops", "seg:vh")
    assert import_file(db, more, "segments").imported.changed == 0


def test_links_resolve_ids_usccs_and_names(seeded, tmp_path):
    p = write(tmp_path, "links.csv",
              "供应方,客户方,关系,日期\n"
              f"{uscc(1).lower()},深圳市乙科技有限公司,供应,2020/1/2\n"
              f"深圳市丙科技有限公司,uscc:{uscc(2)},customer_of,\n")
    report = import_file(seeded, p, "links")
    assert report.imported.inserted == {"links": 2}
    got = {(x.kind, x.src, x.dst, x.since) for x in seeded.links()}
    c_id = next(o.id for o in seeded.organisations() if o.name_zh.startswith("深圳市丙"))
    assert got == {(LinkKind.SUPPLIES, f"uscc:{uscc(1)}", f"uscc:{uscc(2)}", "2020-01-02"),
                   (LinkKind.SUPPLIES, f"uscc:{uscc(2)}", c_id, None)}
    # the same link written with other keys (same file name, so same source) is the same link
    (tmp_path / "again").mkdir()
    same = write(tmp_path / "again", "links.csv", f"src,dst,kind,since\nuscc:{uscc(1)},{uscc(2)},supplies,2020-01-02\n")
    version = seeded.version()
    assert import_file(seeded, same, "links").imported.changed == 0 and seeded.version() == version


def test_orgs_name_segments_by_name_and_progress(seeded, tmp_path):
    lines = ["企业名称,注册地址,产业链环节"] + [f"测试{i}科技有限公司,深圳市南山区,游戏引擎" for i in range(2500)]
    calls = []
    report = import_file(seeded, write(tmp_path, "many.csv", "\n".join(lines) + "\n"), "organisations",
                         progress=lambda done, total: calls.append((done, total)))
    assert report.imported.inserted == {"organisations": 2500}
    # read column-wise, the rows count by batch (of up to 65,536): the count only grows and ends at the total
    done = [c[0] for c in calls]
    assert done == sorted(done) and calls[-1] == (2500, 2500)
    assert calls[0][1] == 2500  # estimated from the line count
    assert len(list(seeded.organisations(segment="seg:engine"))) == 2501


def test_dry_run_writes_nothing(seeded, tmp_path):
    before = snapshot(seeded)
    p = write(tmp_path, "f.csv", f"企业名称,统一社会信用代码\n新公司,{uscc(9)}\n坏公司,{bad_uscc(10)}\n")
    report = import_file(seeded, p, "organisations", dry_run=True, skip_invalid=True)
    assert report.imported is None and report.rejected == 1 and report.reject_path is None
    assert snapshot(seeded) == before and not (tmp_path / "f.rejects.csv").exists()


# ------------------------------------------------------------------ bad input: nothing written

TEN_MB = "x" * 10_485_760
BAD_ORG_FILES = {
    "truncated": (
        f"企业名称,统一社会信用代码,注册地址\n好公司,{uscc(20)},深圳市南山区\n断公司,{uscc(21)}",
        {(3, None)}, "truncated row: expected 3 fields, got 2"),
    "unterminated quote": (
        f'企业名称,统一社会信用代码,注册地址\n好公司,{uscc(20)},深圳市南山区\n断公司,{uscc(21)},"深圳市',
        {(3, None)}, "unterminated quoted field"),
    "invalid uscc": (
        f"企业名称,统一社会信用代码\n好公司,{uscc(20)}\n坏公司,{bad_uscc(21)}\n",
        {(3, "统一社会信用代码")}, "check digit is"),
    "unknown segment": (
        "企业名称,产业链环节\n好公司,seg:engine\n坏公司,seg:engin;seg:nope\n",
        {(3, "产业链环节")}, "unknown segment 'seg:nope'"),
    "duplicate ids": (
        "id,企业名称\norg:a,好公司\norg:a,又一个公司\n",
        {(3, "id")}, "duplicate id 'org:a': same as row 2"),
    "duplicate uscc": (
        f"企业名称,统一社会信用代码\n好公司,{uscc(20)}\n坏公司,{uscc(20)}\n",
        {(3, "统一社会信用代码")}, f"duplicate USCC {uscc(20)}: same as row 2"),
    "10 MB field": (
        f"企业名称,企业简介\n好公司,正常\n坏公司,{TEN_MB}\n",
        {(3, "企业简介")}, "field too long: 10485760 characters, max 100000"),
    "formula": (
        f'企业名称,主营产品\n好公司,引擎\n"{FORMULA}",引擎\n',
        {(3, "企业名称")}, FORMULA_REASON),
    "control character": (
        "企业名称,经营范围\n好公司,开发\n坏公司,开\x07发\n",
        {(3, "经营范围")}, "control character U+0007"),
    "bad date and number": (
        "企业名称,成立日期,专利数\n好公司,2015-03-02,3\n坏公司,2015-02-30,很多\n",
        {(3, "成立日期"), (3, "专利数")}, "no such date"),
    "unknown region": (
        "企业名称,所属城市\n好公司,深圳\n坏公司,火星\n",
        {(3, "所属城市")}, "unknown region '火星'"),
    "missing name beside a refused cell": (
        "企业名称,经营范围\n好公司,开发\n,=1+1\n",
        {(3, "企业名称"), (3, "经营范围")}, "missing name"),
    "missing name": (
        "企业名称,注册地址\n好公司,深圳\n,深圳市南山区\n",
        {(3, "企业名称")}, "missing name"),
}


@pytest.mark.parametrize("case", list(BAD_ORG_FILES))
def test_bad_rows_refuse_the_whole_file(seeded, tmp_path, case):
    text, where, reason = BAD_ORG_FILES[case]
    p = write(tmp_path, "bad.csv", text)
    before = snapshot(seeded)
    with pytest.raises(InvalidInput) as e:
        import_file(seeded, p, "organisations")
    assert snapshot(seeded) == before
    assert e.value.message.endswith("in bad.csv; nothing imported")
    assert where <= rows_fields(e.value), e.value.problems
    assert {p.row for p in e.value.problems} == {3}
    assert any(reason in p.reason for p in e.value.problems), e.value.problems
    assert all(p.file == "bad.csv" for p in e.value.problems)


@pytest.mark.parametrize("case", list(BAD_ORG_FILES))
def test_skip_invalid_lands_good_rows_and_writes_rejects(seeded, tmp_path, case):
    text, where, reason = BAD_ORG_FILES[case]
    p = write(tmp_path, "bad.csv", text)
    report = import_file(seeded, p, "organisations", skip_invalid=True)
    assert report.rejected == 1 and report.imported.changed == 1
    assert any(o.name_zh == "好公司" for o in seeded.organisations())
    assert not any(o.name_zh in ("坏公司", "断公司", "又一个公司") for o in seeded.organisations())
    assert sum(1 for o in seeded.organisations() if o.name_zh == "") == 0
    assert report.reject_path == tmp_path / "bad.rejects.csv"
    raw = report.reject_path.read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    with open(report.reject_path, encoding="utf-8-sig", newline="") as f:
        rejects = list(csv.DictReader(f))
    assert [r["_row"] for r in rejects] == ["3"]
    assert reason in rejects[0]["_reason"]
    # the Chinese beside the English, for the person fixing the row: the reason after the field is Chinese
    assert re.search(r"[\u4e00-\u9fff]", rejects[0]["_reason_zh"].split("：", 1)[-1]), rejects[0]["_reason_zh"]
    assert {f for _row, f in where if f} <= set(rejects[0]["_field"].split("; ")) | {""}
    # importing the same file again changes nothing
    version = seeded.version()
    import_file(seeded, p, "organisations", skip_invalid=True)
    assert seeded.version() == version


def test_reject_file_escapes_formulas(seeded, tmp_path):
    p = write(tmp_path, "f.csv", f'企业名称,主营产品\n"{FORMULA}",@SUM(A1)\n好公司,引擎\n')
    out = tmp_path / "out" / "rejects.csv"
    out.parent.mkdir()
    report = import_file(seeded, p, "organisations", skip_invalid=True, reject_path=out)
    assert report.reject_path == out
    with open(out, encoding="utf-8-sig", newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert row["企业名称"] == "'" + FORMULA and row["主营产品"] == "'@SUM(A1)"
    assert row["_field"] == "企业名称; 主营产品"


def test_xlsx_text_cell_that_looks_like_a_formula(seeded, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["企业名称", "主营产品"])
    ws.append(["好公司", "引擎"])
    ws.append(["坏公司", "x"])
    ws["B3"].value, ws["B3"].data_type = FORMULA, "s"  # text, not a formula
    wb.save(tmp_path / "f.xlsx")
    before = snapshot(seeded)
    with pytest.raises(InvalidInput) as e:
        import_file(seeded, tmp_path / "f.xlsx", "organisations")
    assert [(p.row, p.field, p.reason) for p in e.value.problems] == [(3, "主营产品", FORMULA_REASON)]
    assert snapshot(seeded) == before


def test_every_problem_is_listed(seeded, tmp_path):
    p = write(tmp_path, "f.csv", "id,企业名称,统一社会信用代码,成立日期\n"
              f"a,甲公司,{bad_uscc(1)},2015\nb,,,\nc,=1+1,,昨天\n")
    before = snapshot(seeded)
    with pytest.raises(InvalidInput) as e:
        import_file(seeded, p, "organisations")
    assert rows_fields(e.value) == {(2, "统一社会信用代码"), (3, "企业名称"), (4, "企业名称"), (4, "成立日期")}
    assert e.value.message == "4 problems in f.csv; nothing imported"
    assert snapshot(seeded) == before


def test_unresolved_link_endpoint(seeded, tmp_path):
    p = write(tmp_path, "links.csv", "供应方,客户方,关系\n"
              f"{uscc(1)},{uscc(2)},供应\n{uscc(1)},不存在的公司,供应\n{uscc(1)},{uscc(1)},合作\n乙,甲,爱慕\n")
    before = snapshot(seeded)
    with pytest.raises(InvalidInput) as e:
        import_file(seeded, p, "links")
    assert rows_fields(e.value) == {(3, "客户方"), (4, "客户方"), (5, "关系")}
    assert snapshot(seeded) == before
    report = import_file(seeded, p, "links", skip_invalid=True)
    assert report.imported.inserted == {"links": 1} and report.rejected == 3


def test_unknown_segment_references_cascade(seeded, tmp_path):
    p = write(tmp_path, "segs.csv", "id,名称,阶段,业态,上游环节,上级环节\n"
              "seg:a,甲环节,上游,技术和设备,seg:nope,\n"
              "seg:b,乙环节,中游,内容制作,seg:a,\n"
              "seg:c,丙环节,下游,融合服务,游戏研发,seg:engine\n"
              "seg:d,丁环节,侧游,融合服务,,\n")
    before = snapshot(seeded)
    with pytest.raises(InvalidInput) as e:
        import_file(seeded, p, "segments")
    assert rows_fields(e.value) == {(2, "上游环节"), (3, "上游环节"), (5, "阶段")}
    reasons = {p.row: p.reason for p in e.value.problems}
    assert reasons[3] == "upstream segment 'seg:a' is rejected (row 2)"
    assert snapshot(seeded) == before
    report = import_file(seeded, p, "segments", skip_invalid=True)
    assert report.imported.inserted == {"segments": 1, "segment_edges": 1}
    assert ("seg:dev", "seg:c") in {(x.upstream, x.downstream) for x in seeded.segment_edges()}


def test_whole_file_problems(seeded, tmp_path):
    before = snapshot(seeded)
    with pytest.raises(InvalidInput, match="no name_zh or name_en column"):
        import_file(seeded, write(tmp_path, "f.csv", "城市,行业\n深圳,游戏\n"), "organisations", skip_invalid=True)
    with pytest.raises(InvalidInput, match="file too large"):
        import_file(seeded, write(tmp_path, "g.csv", "名称\n甲\n"), "organisations",
                    settings=Settings(max_file_bytes=3))
    with pytest.raises(InvalidInput, match="unknown entity"):
        import_file(seeded, write(tmp_path, "h.csv", "名称\n甲\n"), "firms")
    assert snapshot(seeded) == before


def test_jsonl_bad_line(seeded, tmp_path):
    p = write(tmp_path, "f.jsonl", '{"name": "甲公司"}\n{"name": \n')
    with pytest.raises(InvalidInput) as e:
        import_file(seeded, p, "organisations")
    assert rows_fields(e.value) == {(2, None)}


@pytest.mark.slow
def test_100k_rows(db, tmp_path):
    p = tmp_path / "big.csv"
    with open(p, "w", encoding="utf-8") as f:
        f.write("企业名称,统一社会信用代码,注册地址,注册资本,成立日期,参保人数,主营产品\n")
        for i in range(100_000):
            f.write(f"深圳市光影{i}科技有限公司,{uscc(i)},深圳市南山区科技园{i}号,{100 + i}万人民币,"
                    "2015-03-02,100-499人,游戏引擎;动作捕捉\n")
    start = time.perf_counter()
    report = import_file(db, p, "organisations")
    elapsed = time.perf_counter() - start
    assert report.imported.inserted == {"organisations": 100_000}
    assert elapsed < 120, f"100k rows took {elapsed:.1f}s"
