"""read_rows (CSV/TSV/JSON/JSONL/XLSX) and header recognition."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest

from graph.errors import EncodingError, InvalidInput
from graph.io.headers import capital_unit, header_key, match_headers
from graph.io.tables import read_rows
from graph.settings import Settings


def rows_of(path, **kw):
    with read_rows(path, **kw) as t:
        rows = list(t.rows)
    return t, rows


def write(tmp_path, name, text, encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


# ----------------------------------------------------------------- CSV


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_delimiter_is_sniffed(tmp_path, sep):
    p = write(tmp_path, "f.csv", sep.join(["名称", "城市", "行业"]) + "\n" + sep.join(["甲", "深圳", "游戏"]) + "\n")
    t, rows = rows_of(p)
    assert t.headers == ["名称", "城市", "行业"]
    assert rows == [(2, {"名称": "甲", "城市": "深圳", "行业": "游戏"})]
    assert t.problems == []


def test_quoted_header_with_a_comma(tmp_path):
    t, rows = rows_of(write(tmp_path, "f.csv", '"名称,全称";城市\n甲;深圳\n'))
    assert t.headers == ["名称,全称", "城市"]


def test_tsv_and_txt(tmp_path):
    for name in ("f.tsv", "f.txt"):
        t, rows = rows_of(write(tmp_path, name, "a\tb\n1\t2, 3\n"))
        assert rows == [(2, {"a": "1", "b": "2, 3"})]


def test_gbk_csv_with_chinese_headers(tmp_path):
    p = write(tmp_path, "gbk.csv", "企业名称,所属行业\n深圳市光影互动科技有限公司,软件和信息技术服务业\n", "gbk")
    t, rows = rows_of(p)
    assert t.encoding == "gbk" and t.headers == ["企业名称", "所属行业"]
    assert rows[0][1]["所属行业"] == "软件和信息技术服务业"
    assert any("GBK" in w for w in t.warnings)
    with pytest.raises(EncodingError, match="gbk.csv"):
        read_rows(p, encoding="utf-8")


def test_row_numbers_count_records_like_a_spreadsheet(tmp_path):
    p = write(tmp_path, "f.csv", 'a,b\n1,"two\nlines"\n\n3,4\n,\n5,6\n')
    t, rows = rows_of(p)
    assert [r for r, _ in rows] == [2, 4, 6]
    assert rows[0][1]["b"] == "two\nlines"


def test_truncated_and_overlong_rows(tmp_path):
    p = write(tmp_path, "f.csv", "a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12,,\n")
    t, rows = rows_of(p)
    assert [(x.row, x.reason) for x in t.problems] == [
        (3, "truncated row: expected 3 fields, got 2"),
        (4, "too many fields: expected 3, got 4"),
    ]
    assert rows[-1] == (5, {"a": "10", "b": "11", "c": "12"})  # empty trailing fields are fine


def test_unterminated_quote_at_end_of_file(tmp_path):
    p = write(tmp_path, "f.csv", 'a,b\n1,2\n3,"unfinished\n4,5\n')
    t, rows = rows_of(p)
    assert rows == [(2, {"a": "1", "b": "2"})]
    assert [(x.row, x.field) for x in t.problems] == [(3, None)]
    assert "unterminated quoted field" in t.problems[0].reason


def test_stray_quote_is_a_row_problem(tmp_path):
    t, rows = rows_of(write(tmp_path, "f.csv", 'a,b\n1,"x"y\n3,4\n'))
    assert [x.row for x in t.problems] == [2] and "bad quoting" in t.problems[0].reason
    assert rows == [(3, {"a": "3", "b": "4"})]


def test_huge_field_is_read_whole(tmp_path):
    t, rows = rows_of(write(tmp_path, "f.csv", "a,b\n1," + "x" * 300_000 + "\n"))
    assert len(rows[0][1]["b"]) == 300_000


def test_whole_file_problems_raise(tmp_path):
    with pytest.raises(InvalidInput, match="empty"):
        read_rows(write(tmp_path, "e.csv", "\n\n"))
    with pytest.raises(InvalidInput) as e:
        read_rows(write(tmp_path, "d.csv", "名称,城市,名称\n1,2,3\n"))
    assert (e.value.problems[0].row, e.value.problems[0].field) == (1, "名称")
    assert "duplicate column header" in e.value.problems[0].reason
    with pytest.raises(InvalidInput, match="unsupported file type '.xls'"):
        read_rows(write(tmp_path, "old.xls", "x"))
    with pytest.raises(InvalidInput, match="no such file"):
        read_rows(tmp_path / "missing.csv")
    with pytest.raises(InvalidInput, match="file too large: 12 bytes, max 5"):
        read_rows(write(tmp_path, "big.csv", "a,b\n1,2\n3,4\n"), settings=Settings(max_file_bytes=5))


def test_blank_header_column_is_ignored_with_warning(tmp_path):
    t, rows = rows_of(write(tmp_path, "f.csv", "a,,b\n1,x,2\n"))
    assert rows == [(2, {"a": "1", "b": "2"})]
    assert any("column(s) 2 have no header" in w for w in t.warnings)


# ----------------------------------------------------------------- JSON / JSONL


def test_json_list_and_wrapped_list(tmp_path):
    recs = [{"name": "甲", "employees": 150, "founded": None, "tags": ["a", "b"]}, {"name": "乙", "x": 1.5}]
    for doc in (recs, {"organisations": recs, "meta": {"v": 1}}):
        t, rows = rows_of(write(tmp_path, "f.json", json.dumps(doc, ensure_ascii=False)))
        assert t.headers == ["name", "employees", "founded", "tags", "x"]
        assert rows[0] == (1, {"name": "甲", "employees": "150", "founded": None, "tags": "a;b", "x": None})
        assert rows[1][1]["x"] == "1.5"


def test_json_structure_errors(tmp_path):
    with pytest.raises(InvalidInput, match="invalid JSON.*line 2"):
        read_rows(write(tmp_path, "f.json", '[\n{"a": }]'))
    with pytest.raises(InvalidInput, match="one list value"):
        read_rows(write(tmp_path, "f.json", '{"a": [], "b": []}'))
    t, rows = rows_of(write(tmp_path, "f.json", '[{"a": 1}, 7]'))
    assert [(x.row, x.reason) for x in t.problems] == [(2, "expected an object, got int")]


def test_jsonl_bad_line_is_a_problem_with_its_line_number(tmp_path):
    p = write(tmp_path, "f.jsonl", '{"name": "甲"}\n\n{"name": \n{"name": "乙", "city": "深圳"}\n')
    t, rows = rows_of(p)
    assert t.headers == ["name", "city"]
    assert rows == [(1, {"name": "甲", "city": None}), (4, {"name": "乙", "city": "深圳"})]
    assert [(x.row, x.reason.split(":")[0]) for x in t.problems] == [(3, "invalid JSON")]
    assert rows_of(p.rename(tmp_path / "f.ndjson"))[1] == rows


# ----------------------------------------------------------------- XLSX


def make_xlsx(path, rows, title="企业", start_row=1, extra_sheet=False):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for i, row in enumerate(rows):
        for j, v in enumerate(row, 1):
            ws.cell(row=start_row + i, column=j, value=v)
    if extra_sheet:
        wb.create_sheet("其他")["A1"] = "名称"
    wb.save(path)
    return path


def test_xlsx_cells_become_text(tmp_path):
    p = make_xlsx(tmp_path / "f.xlsx", [
        ["企业名称", "成立日期", "参保人数", "注册资本", "空"],
        ["甲", dt.datetime(2015, 3, 2), 150, 1000.0, None],
        [None, None, None, None, None],
        ["乙", dt.date(2020, 1, 2), 12.5, "500万美元", True],
    ], start_row=3, extra_sheet=True)
    t, rows = rows_of(p)
    assert t.header_row == 3 and t.headers[:2] == ["企业名称", "成立日期"]
    assert rows[0] == (4, {"企业名称": "甲", "成立日期": "2015-03-02", "参保人数": "150", "注册资本": "1000", "空": None})
    assert rows[1] == (6, {"企业名称": "乙", "成立日期": "2020-01-02", "参保人数": "12.5", "注册资本": "500万美元", "空": "true"})
    t, rows = rows_of(p, sheet="其他")
    assert t.headers == ["名称"] and rows == []
    with pytest.raises(InvalidInput, match="no sheet named 'nope'; sheets: 企业, 其他"):
        read_rows(p, sheet="nope")


def test_not_an_xlsx(tmp_path):
    with pytest.raises(InvalidInput, match="not a readable .xlsx"):
        read_rows(write(tmp_path, "f.xlsx", "a,b\n"))


# ----------------------------------------------------------------- headers


def test_header_keys_ignore_case_width_bom_and_units():
    assert header_key("\ufeff Company_Name ") == header_key("ＣＯＭＰＡＮＹ－ＮＡＭＥ") == "companyname"
    assert header_key("*注册资本（万元）") == "注册资本"


def test_enterprise_platform_headers():
    headers = ["企业名称", "英文名称", "统一社会信用代码", "注册地址", "所属省份", "所属城市", "所属区县",
               "国标行业", "行业代码", "经营范围", "注册资本", "成立日期", "参保人数", "主营产品",
               "企业简介", "标签", "产业链环节", "企业标签", "专利数量", "所属集团", "数据来源", "更新日期",
               "序号", "备注"]
    m = match_headers(headers, "organisations")
    assert m.fields == {
        "name_zh": "企业名称", "name_en": "英文名称", "uscc": "统一社会信用代码", "address": "注册地址",
        "province": "所属省份", "city": "所属城市", "district": "所属区县", "industry": "国标行业",
        "industry_code": "行业代码", "business_scope": "经营范围", "registered_capital_cny_m": "注册资本",
        "founded": "成立日期", "employees": "参保人数", "products": "主营产品", "description_zh": "企业简介",
        "keywords": "标签", "segments": "产业链环节", "tiers": "企业标签", "patents": "专利数量",
        "parent_group": "所属集团", "source": "数据来源", "as_of": "更新日期",
    }
    assert m.unknown == ["备注"]  # 序号 is silently ignored
    assert any("备注" in w for w in m.warnings)


def test_english_headers_and_duplicates():
    m = match_headers(["Company", "Credit Code", "Scope", "Capital", "Name"], "organisations")
    assert m.fields == {"name_zh": "Company", "uscc": "Credit Code", "business_scope": "Scope",
                        "registered_capital_cny_m": "Capital"}
    assert any("'Name' also maps to name_zh" in w for w in m.warnings)


def test_column_map_overrides():
    m = match_headers(["客户名称", "企业名称", "备注"], "organisations", {"客户名称": "name_zh", "企业名称": None})
    assert m.fields == {"name_zh": "客户名称"} and m.unknown == ["备注"]
    with pytest.raises(InvalidInput, match="unknown organisations field 'colour'"):
        match_headers(["x"], "organisations", {"x": "colour"})


def test_link_and_segment_headers():
    assert match_headers(["源", "目标", "类型", "开始日期", "权重", "置信度"], "links").fields == {
        "src": "源", "dst": "目标", "kind": "类型", "since": "开始日期", "weight": "权重", "confidence": "置信度"}
    m = match_headers(["id", "环节名称", "阶段", "业态", "产业链", "上游环节", "是否制造业"], "segments")
    assert set(m.fields) == {"id", "name_zh", "stage", "format", "chain", "upstream", "manufacturing"}


def test_capital_units():
    assert [capital_unit(h) for h in ("注册资本", "registered_capital_cny_m", "注册资本(万元)", "capital (yuan)")] == [
        "wan", "million", "wan", "yuan"]
