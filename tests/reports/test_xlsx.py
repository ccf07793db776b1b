"""The xlsx report opened with openpyxl: sheets, Chinese headers, planted answers, numbers and their ids."""

from __future__ import annotations

import copy
import io

import openpyxl

from matching.recommend.form import FORMS
from matching.reports.xlsx import display_width

SHEETS = ["概览", "产业链图谱", "缺链补链", "招商目标", "以商招商", "联合招商", "外部依赖", "数据来源", "证据来源"]


def _table(ws) -> tuple[list[str], list[dict]]:
    head = [c.value for c in ws[1]]
    rows = [dict(zip(head, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True) if any(r)]
    return head, rows


def test_sheets_have_chinese_names_frozen_headers_and_cjk_widths(workbook):
    assert workbook.sheetnames == SHEETS
    for ws in workbook:
        assert ws.freeze_panes == "A2", ws.title
        assert all(isinstance(c.value, str) and c.value for c in ws[1]), ws.title
    ws = workbook["产业链图谱"]
    head, rows = _table(ws)
    assert head[:6] == ["位置", "环节", "环节ID", "状态", "判定规则", "本地企业数"] and "本地企业数 依据ID" in head
    widest = max(display_width(r["环节"]) for r in rows)
    assert ws.column_dimensions["B"].width >= widest  # CJK names fit: they count double
    assert {r["位置"] for r in rows} == {"上游", "中游", "下游"}


def test_planted_gaps_in_the_gap_sheet_with_their_class_and_severity(workbook, report, answers):
    head, rows = _table(workbook["缺链补链"])
    for col in ("序号", "类别", "环节", "环节ID", "严重度", "严重度 依据ID", "本地依赖", "下游拉动", "构成说明"):
        assert col in head
    by_seg = {r["环节ID"]: r for r in rows}
    planted = ([(m, "补链") for m in answers["missing"]] + [(x, "强链") for x in answers["thin"]]
               + [(x, "延链") for x in answers["extension"]])
    assert set(by_seg) == {m["segment"] for m, _ in planted}
    severity = {g["segment"]: g["severity"]["value"] for g in report["gaps"]}
    for m, kind in planted:
        r = by_seg[m["segment"]]
        assert (r["类别"], r["环节"]) == (kind, m["name_zh"])
        assert isinstance(r["严重度"], float) and r["严重度"] == severity[m["segment"]]
        assert r["严重度 依据ID"].split()[0] == m["segment"]


def test_planted_target_first_per_missing_segment_with_form_and_introducer(workbook, answers):
    head, rows = _table(workbook["招商目标"])
    assert head[:8] == ["缺口环节", "类别", "序号", "目标企业", "企业ID", "地区", "得分", "得分 依据ID"]
    for m in answers["missing"]:
        ideal = m["ideal_target"]
        first = [r for r in rows if r["缺口环节"] == m["name_zh"]][0]
        assert (first["序号"], first["企业ID"], first["目标企业"]) == (1, ideal["id"], ideal["name_zh"])
        assert first["引进形式"] == FORMS[ideal["form"]]
        assert (first["ID"], first["首选引荐方"]) == (ideal["introducer"], ideal["introducer_name_zh"])
        assert isinstance(first["得分"], float) and isinstance(first["缺口匹配"], int | float)


def test_numbers_are_numbers_and_ids_link_to_the_evidence_sheet(workbook):
    ev = workbook["证据来源"]
    ws = workbook["招商目标"]
    head = [c.value for c in ws[1]]
    score, ids = head.index("得分") + 1, head.index("得分 依据ID") + 1
    assert ws.cell(2, score).number_format == "0.000"
    link = ws.cell(2, ids).hyperlink
    sheet, cell = link.location.split("!")
    assert sheet == "'证据来源'" and ev[cell].value == ws.cell(2, ids).value.split()[0]
    part = ws.cell(2, head.index("缺口匹配") + 1)  # shares the score's ids: links to that ids cell
    assert part.hyperlink.location == f"'招商目标'!{ws.cell(2, ids).coordinate}"
    share = workbook["外部依赖"].cell(2, 7)  # 外部依赖度 of the whole chain
    assert workbook["外部依赖"].cell(1, 7).value == "外部依赖度" and share.number_format == "0.0%"
    assert 0 < share.value < 1


def test_provenance_sheet_states_dates_and_estimated_fields(workbook, report):
    _, rows = _table(workbook["数据来源"])
    got = {r["指标"]: r["数值"] for r in rows}
    p = report["provenance"]
    assert got["最早数据日期"] == p["as_of_min"] and got["最新数据日期"] == p["as_of_max"]
    assert got["估算字段数（非实报）"] == p["estimated_fields"] > 0
    assert got["含估算字段的记录"] == p["estimated_records"]
    assert got["估算字段：从业人数"] == p["estimated_by_field"]["employees"]  # the field named, not its key


def test_text_from_the_data_never_becomes_a_formula(report):
    from matching.reports.render import render

    hostile = copy.deepcopy(report)
    hostile["targets"][0]["name_zh"] = "=HYPERLINK(\"http://x\",\"点我\")"
    wb = openpyxl.load_workbook(io.BytesIO(render(hostile, "xlsx")))
    cell = wb["招商目标"]["D2"]
    assert cell.value == hostile["targets"][0]["name_zh"] and cell.data_type == "s"


def test_english_headers_on_request(report):
    from matching.reports.render import render

    wb = openpyxl.load_workbook(io.BytesIO(render(report, "xlsx", "en")))
    assert wb.sheetnames[:3] == ["Overview", "Chain map", "Gaps"]
    assert [c.value for c in wb["Gaps"][1]][:5] == ["#", "Class", "Segment", "Segment id", "Severity"]
