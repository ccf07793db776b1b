"""The columnar CSV reader (graph.io.columns) gives the same stores, reports and problems as the row reader.

The row reader (csv module, one row at a time) is the oracle: every import
here runs twice, once with the columnar reader switched off.
"""

from __future__ import annotations

import dataclasses
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import graph.io.columns as columns
import graph.io.importer as importer
from fixtures.synth import sample_shape, write_synthetic_world
from graph.errors import InvalidInput
from graph.io.columns import column_rows
from graph.io.importer import import_file
from graph.io.tables import read_rows
from graph.store.protocol import Batch
from graph.store.sqlite import SqliteStore
from graph.store.transfer import dump
from tests.io.export_world import write_export


def _snapshot(store) -> str:
    out = io.StringIO()
    dump(store, out)
    return out.getvalue()


def _outcome(store, path, entity, **kw):
    """The report (or the refusal) of one import, as comparable data."""
    try:
        report = import_file(store, path, entity, import_date="2026-06-30", **kw)
    except InvalidInput as e:
        return "refused", str(e), [p.as_dict() for p in e.problems]
    d = report.as_dict()
    d["problems"] = [p.as_dict() for p in report.problems]
    d.pop("reject_path")
    return "imported", d


def _both(monkeypatch, prepare, steps):
    """Run ``steps`` (entity, path, kwargs) on a store from ``prepare()`` with each reader; return both runs."""
    runs = []
    for columnar in (False, True):
        with monkeypatch.context() as m:
            if not columnar:
                m.setattr(importer, "_COLUMNAR", frozenset())
            store = prepare()
            outcomes = [_outcome(store, path, entity, **kw) for entity, path, kw in steps]
            runs.append((outcomes, _snapshot(store)))
    return runs


def _used_columns(path, fields):
    with read_rows(path) as t:
        return column_rows(t, fields, 1_000_000) is not None


def test_real_export_fixtures_give_identical_stores(tmp_path, monkeypatch):
    files = write_export(tmp_path)
    steps = [("segments", files["segments"], {}), ("segment-edges", files["segment_edges"], {}),
             ("organisations", files["firms"], {}), ("links", files["relations"], {}),
             ("branches", files["branches"], {})]
    rows, cols = _both(monkeypatch, SqliteStore.memory, steps)
    assert rows == cols
    assert _used_columns(files["firms"], [("name_zh", "企业名称")])


def test_synthetic_world_gives_identical_stores(tmp_path, monkeypatch):
    orgs, links = write_synthetic_world(tmp_path, 3000, 9000, seed=11)
    shape = sample_shape()

    def prepare():
        store = SqliteStore.memory()
        store.write(Batch(segments=list(shape.segments), segment_edges=list(shape.edges)))
        return store

    rows, cols = _both(monkeypatch, prepare, [("organisations", orgs, {}), ("links", links, {})])
    assert rows == cols
    assert rows[0][0][1]["imported"]["inserted"] == {"organisations": 3000}
    assert _used_columns(orgs, [("name_zh", "企业名称")]) and _used_columns(links, [("src", "src")])


HEADER = "企业名称,统一社会信用代码,所属地区,成立日期,参保人数,曾用名,企业标签"
CELLS = ["光影互动科技有限公司", "星云像素有限公司", "91440300708461136T", "91440300708461136A",
         "91440300708461136t", "深圳市", "cn/guangdong/shenzhen", "杭州市滨江区", "火星", "2015-03-02", "2015/3/2",
         "2015-02-30", "暂无", "NULL", "-", "100-499人", "12", "lots", "=1+1", " 甲 ", "\u00a0乙", "a\x07b",
         "甲、乙", "专精特新;瞪羚", "", '"q,uo""te"', "-12", "＝1", "\u200b@x"]


@st.composite
def csv_files(draw):
    n = len(HEADER.split(","))
    rows = draw(st.lists(st.lists(st.sampled_from(CELLS), min_size=n, max_size=n), min_size=1, max_size=8))
    lines = [HEADER] + [",".join(c if not c or c[0] == '"' or "," not in c else f'"{c}"' for c in r) for r in rows]
    tail = draw(st.sampled_from(["\n", "", "\r\n", "\n\n", "\n,,,,,,\n"]))
    return ("\r\n" if tail == "\r\n" else "\n").join(lines) + tail


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=csv_files(), skip=st.booleans())
def test_random_files_give_identical_outcomes(tmp_path_factory, monkeypatch, text, skip):
    d = tmp_path_factory.mktemp("f")
    path = d / "firms.csv"
    path.write_text(text, encoding="utf-8")
    rows, cols = _both(monkeypatch, SqliteStore.memory, [("organisations", path, {"skip_invalid": skip})])
    assert rows == cols


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=csv_files())
def test_batches_of_a_few_rows_give_identical_outcomes(tmp_path_factory, monkeypatch, text):
    # a file's non-printable texts are found once per column, then shared out to the batches they fall in
    monkeypatch.setattr(columns, "BATCH_ROWS", 3)
    d = tmp_path_factory.mktemp("f")
    path = d / "firms.csv"
    path.write_text(text, encoding="utf-8")
    rows, cols = _both(monkeypatch, SqliteStore.memory, [("organisations", path, {"skip_invalid": True})])
    assert rows == cols


@pytest.mark.parametrize("text", [
    'a,b\n"abc"x,2\n',  # junk after a closing quote: csv refuses it, pyarrow would not
    'a,b\nab"c,2\n',  # a quote inside an unquoted field
    'a,b\n1,2\n\n3,4\n',  # a blank line: the row numbers must come from the row reader
    'a,b\n"x\ny",2\n',  # a value spanning lines
    'a,b\n1\n',  # too few fields
    'a,b\n1,2,\n',  # one field too many, blank
    '\na,b\n1,2\n',  # the header on line 2
])
def test_files_the_row_reader_must_read(tmp_path, text):
    p = tmp_path / "f.csv"
    p.write_text(text, encoding="utf-8")
    with read_rows(p) as t:
        assert column_rows(t, [("name_zh", "a")], 100) is None


def test_gbk_files_are_read_column_wise(tmp_path, monkeypatch):
    p = tmp_path / "gbk.csv"
    p.write_bytes("企业名称,所属地区\n深圳市光影科技有限公司,深圳市\n杭州星云有限公司,杭州市\n".encode("gbk"))
    assert _used_columns(p, [("name_zh", "企业名称")])
    rows, cols = _both(monkeypatch, SqliteStore.memory, [("organisations", p, {})])
    assert rows == cols and rows[0][0][1]["encoding"] == "gbk"


def test_clean_cells_are_what_the_row_reader_keeps(tmp_path):
    p = tmp_path / "f.csv"
    p.write_text("企业名称,成立日期,参保人数\n甲公司 ,暂无,\n乙公司,n/a,12\n", encoding="utf-8")
    with read_rows(p) as t:
        rows = list(column_rows(t, [("name_zh", "企业名称"), ("founded", "成立日期"), ("employees", "参保人数")], 100))
    assert [(r, dict(c)) for r, c in rows] == [(2, {"name_zh": "甲公司"}), (3, {"name_zh": "乙公司", "employees": "12"})]
    assert dataclasses.is_dataclass(t)


# ------------------------------------------------------------------ links: the record builder on columns

FIRMS = ("企业名称,统一社会信用代码,所属地区\n甲科技有限公司,91440300708461136T,深圳市\n乙科技有限公司,,深圳市\n"
         "丙科技有限公司,,杭州市\n")
LINK_HEADER = "id,src,src_uscc,dst,dst_uscc,kind,since,weight,confidence,as_of,source"
LINK_CELLS = {
    "id": ["", "", "", "l1", "l2", "l1", "=1+1"],
    "src": ["甲科技有限公司", "乙科技有限公司", "丙科技有限公司", "丁公司", "", " 乙科技有限公司 ", "@x"],
    "src_uscc": ["", "", "", "91440300708461136T", "91440300708461136t", "91440300708461136A", "暂无"],
    "dst": ["甲科技有限公司", "乙科技有限公司", "丙科技有限公司", "", "NULL", "\u00a0丙科技有限公司"],
    "dst_uscc": ["", "", "", "91440300708461136T", "91440300708461136a"],
    "kind": ["supplies", "客户", "供应", "partner", "invests", "", "nonsense", "-supplies"],
    "since": ["", "2020-01-02", "2020/1/2", "2015-02-30", "暂无", "2021"],
    "weight": ["", "0.5", "1", "lots", "-1", "0.275"],
    "confidence": ["", "0.9", "2", "high", "1"],
    "as_of": ["", "2024-06-01", "not a date"],
    "source": ["", "年报", "\ttab"],
}


@st.composite
def link_files(draw):
    cols = LINK_HEADER.split(",")
    rows = draw(st.lists(st.tuples(*[st.sampled_from(LINK_CELLS[c]) for c in cols]), min_size=1, max_size=10))
    keep = draw(st.sets(st.sampled_from(cols[5:]), max_size=6))  # which optional columns the file has
    use = [c for c in cols if c in ("src", "dst", "kind") or c in keep or (c in ("id", "src_uscc", "dst_uscc")
                                                                          and draw(st.booleans()))]
    lines = [",".join(use)] + [",".join(v for c, v in zip(cols, r, strict=True) if c in use) for r in rows]
    return "\n".join(lines) + "\n"


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=link_files(), skip=st.booleans())
def test_random_link_files_give_identical_outcomes(tmp_path_factory, monkeypatch, text, skip):
    """The link builder on columns (graph.io.rows._link_batch) against the row reader: same links, same problems."""
    d = tmp_path_factory.mktemp("l")
    firms, links = d / "firms.csv", d / "links.csv"
    firms.write_text(FIRMS, encoding="utf-8")
    links.write_text(text, encoding="utf-8")
    steps = [("organisations", firms, {}), ("links", links, {"skip_invalid": skip})]
    rows, cols = _both(monkeypatch, SqliteStore.memory, steps)
    assert rows == cols


def test_link_builder_takes_the_columns(tmp_path, monkeypatch):
    """A clean links file goes through the builder on columns (no row of it through the row reader)."""
    import graph.io.rows as rows_mod

    p = tmp_path / "links.csv"
    p.write_text("src,dst,kind,since\n甲,乙,supplies,2020-01-02\n乙,丙,客户,2021/3/4\n甲,甲,supplies,\n"
                 "甲,乙,supplies,2020/1/2\n", encoding="utf-8")
    calls = []
    real = rows_mod._link_batch
    monkeypatch.setattr(rows_mod, "_link_batch", lambda batch, one, *a: (calls.append(batch.n), real(
        batch, lambda row, cells: (calls.append(row), one(row, cells))[1], *a)))
    with read_rows(p) as t:
        t.batches = importer.column_batches(t, [("src", "src"), ("dst", "dst"), ("kind", "kind"), ("since", "since")], 100)
        t.rows = iter(())
        links, problems = rows_mod.links_from_table(t, import_date="2026-06-30")
    assert calls == [4, 4, 5]  # one batch of four rows; only the self-link and the repeat went to the row reader
    assert [(x.src, x.dst, x.since) for _, x in links] == [("甲", "乙", "2020-01-02"), ("丙", "乙", "2021-03-04")]
    lid = links[0][1].id
    assert [str(p) for p in problems] == ["links.csv:4 [dst]: a link cannot join an organisation to itself",
                                          f"links.csv:5 [id]: duplicate link {lid!r}: same as row 2"]


def test_link_files_with_repeats_and_credit_codes_give_identical_outcomes(tmp_path, monkeypatch):
    firms, links = tmp_path / "firms.csv", tmp_path / "links.csv"
    firms.write_text(FIRMS, encoding="utf-8")
    links.write_text("id,src,src_uscc,dst,kind,since\n,,91440300708461136T,乙科技有限公司,supplies,2020-01-02\n"
                     ",,91440300708461136t,乙科技有限公司,supplies,2020/1/2\nl1,丙科技有限公司,,乙科技有限公司,客户,\n"
                     "l1,甲科技有限公司,,丙科技有限公司,supplies,\n,乙科技有限公司,,乙科技有限公司,supplies,\n",
                     encoding="utf-8")
    for skip in (False, True):
        steps = [("organisations", firms, {}), ("links", links, {"skip_invalid": skip})]
        rows, cols = _both(monkeypatch, SqliteStore.memory, steps)
        assert rows == cols
    assert rows[0][1][1]["rejected"] == 3 and rows[0][1][1]["imported"]["inserted"] == {"links": 2}


def test_a_store_written_row_by_row_reimports_as_unchanged(tmp_path, monkeypatch):
    """A store imported by the row reader and the generic documents (before the builder on columns) sees every
    row of the same files as unchanged when they are imported again by the new path (the import mark off, so
    every row is read, built, documented and hashed)."""
    import graph.store.canonical as canon

    orgs, links = write_synthetic_world(tmp_path, 400, 2000, seed=3)
    shape = sample_shape()
    store = SqliteStore.open(tmp_path / "store.sqlite")
    store.write(Batch(segments=list(shape.segments), segment_edges=list(shape.edges)))

    with monkeypatch.context() as m:
        m.setattr(importer, "_COLUMNAR", frozenset())
        m.setattr(canon, "Link", type("NotALink", (), {}))  # every record through the generic path
        first = [import_file(store, p, e, import_date="2026-06-30") for e, p in (("organisations", orgs),
                                                                                 ("links", links))]
    assert [r.imported.inserted for r in first] == [{"organisations": 400}, {"links": 2000}]
    monkeypatch.setattr(importer, "unchanged_mark", lambda *a: False)
    again = [import_file(store, p, e, import_date="2026-06-30") for e, p in (("organisations", orgs),
                                                                             ("links", links))]
    assert [r.imported.unchanged for r in again] == [{"organisations": 400}, {"links": 2000}]
    assert [r.imported.changed for r in again] == [0, 0]


# ------------------------------------------------------------------ organisations: the record builder on columns

ORG_HEADER = ("企业ID,企业名称,英文名称,统一社会信用代码,机构类型,登记状态,注册资本,参保人数,成立日期,专利数,注册地址,所属区县,"
              "国家,企业标签,关键词,产业链环节,估算字段,曾用名,数据来源,数据日期,所属地区,经营范围,企业简介,英文简介,行业,行业代码,"
              "营收规模,所属集团,法定代表人,主营产品,注销日期,省份,城市")
ORG_CELLS = {
    "企业ID": ["", "", "", "o1", "o2", "o1"],
    "企业名称": ["光影互动科技有限公司", "星云像素有限公司", "", "光影互动科技有限公司", "=1+1", "星云像素有限公司 "],
    "英文名称": ["", "", "Nebula Pixel Co., Ltd."],
    "统一社会信用代码": ["", "", "91440300708461136T", "91440300708461136t", "91440300708461136A", "暂无"],
    "机构类型": ["", "firm", "园区", "nonsense"],
    "登记状态": ["", "存续", "注销", "迁出", "whatever"],
    "注册资本": ["", "500万美元", "1000", "lots"],
    "参保人数": ["", "12", "100-499人", "-12"],
    "成立日期": ["", "2015-03-02", "2015/3/2", "2015-02-30"],
    "专利数": ["", "3", "many"],
    "注册地址": ["", "深圳市南山区科技园", "杭州市火星区某路1号", "北京市"],
    "所属区县": ["", "南山区", "火星区"],
    "国家": ["", "日本"],
    "企业标签": ["", "专精特新;瞪羚", "国家级专精特新小巨人、独角兽", "好公司"],
    "关键词": ["", "游戏、引擎", "引擎"],
    "产业链环节": ["", "seg:a", "seg:a、seg:b"],
    "估算字段": ["", "employees", "founded;nonsense"],
    "曾用名": ["", "老光影有限公司", "光影互动科技有限公司"],
    "数据来源": ["", "年报"],
    "数据日期": ["", "2024-06-01", "not a date"],
    "所属地区": ["", "深圳市", "cn/guangdong/shenzhen", "火星", "杭州市滨江区"],
    "经营范围": ["", "软件开发"], "企业简介": ["", "做游戏"], "英文简介": ["", "games"], "行业": ["", "软件业"],
    "行业代码": ["", "I65"], "营收规模": ["", "1亿以上"], "所属集团": ["", "光影集团"], "法定代表人": ["", "张三"],
    "主营产品": ["", "引擎、编辑器"], "注销日期": ["", "2020-01-01", "昨天"], "省份": ["", "广东省"], "城市": ["", "深圳市", "东京"],
}


@st.composite
def org_files(draw):
    cols = ORG_HEADER.split(",")
    use = [c for c in cols if c == "企业名称" or draw(st.booleans())]
    rows = draw(st.lists(st.tuples(*[st.sampled_from(ORG_CELLS[c]) for c in use]), min_size=1, max_size=10))
    lines = [",".join(use)] + [",".join(f'"{v}"' if "," in v else v for v in r) for r in rows]
    return "\n".join(lines) + "\n"


def _segment_store():
    from graph.model import Format, Segment, Stage

    store = SqliteStore.memory()
    store.write(Batch(segments=[Segment(s, s, "", Stage.UPSTREAM, Format.OTHER) for s in ("seg:a", "seg:b")]))
    return store


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=org_files(), skip=st.booleans())
def test_random_organisation_files_give_identical_outcomes(tmp_path_factory, monkeypatch, text, skip):
    """The organisation builder on columns (graph.io.rows._org_batch) against the row reader: same records,
    same problems, warnings and reject files."""
    d = tmp_path_factory.mktemp("o")
    path = d / "firms.csv"
    path.write_text(text, encoding="utf-8")
    rows, cols = _both(monkeypatch, _segment_store, [("organisations", path, {"skip_invalid": skip})])
    assert rows == cols


def test_organisation_builder_takes_the_columns(tmp_path, monkeypatch):
    """A clean firms file goes through the builder on columns; only rows with a problem (here a repeated
    credit code and a date that does not parse) or a warning go through the row reader."""
    import graph.io.rows as rows_mod

    p = tmp_path / "firms.csv"
    p.write_text("企业名称,统一社会信用代码,所属地区,成立日期\n甲科技有限公司,91440300708461136T,深圳市,2015/3/2\n"
                 "乙科技有限公司,,杭州市,\n丙科技有限公司,91440300708461136T,深圳市,\n丁科技有限公司,,深圳市,2015-02-30\n",
                 encoding="utf-8")
    calls = []
    real = rows_mod._org_batch
    monkeypatch.setattr(rows_mod, "_org_batch", lambda batch, one, *a: (calls.append(batch.n), real(
        batch, lambda row, cells: (calls.append(row), one(row, cells))[1], *a)))
    fields = [("name_zh", "企业名称"), ("uscc", "统一社会信用代码"), ("region", "所属地区"), ("founded", "成立日期")]
    with read_rows(p) as t:
        t.batches = importer.column_batches(t, fields, 100)
        t.rows = iter(())
        orgs, problems = rows_mod.organisations_from_table(t, import_date="2026-06-30")
    assert calls == [4, 4, 5]
    assert [(o.name_zh, o.region, o.founded) for _, o in orgs] == [
        ("甲科技有限公司", "cn/guangdong/shenzhen", "2015-03-02"), ("乙科技有限公司", "cn/zhejiang/hangzhou", None)]
    assert [p.row for p in problems] == [4, 5]
