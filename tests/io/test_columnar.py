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
