"""Cell parsers and the per-cell safety checks."""

from __future__ import annotations

import pytest

from graph.io.cells import FORMULA_REASON, cell_problem
from graph.io.parse import (
    FX_TO_CNY,
    ParseError,
    is_missing,
    parse_bool,
    parse_capital,
    parse_confidence,
    parse_date,
    parse_employees,
    parse_format,
    parse_int,
    parse_kind,
    parse_link_kind,
    parse_stage,
    parse_uscc,
    split_list,
)
from graph.model import Format, LinkKind, OrgKind, Stage, uscc_check_char


@pytest.mark.parametrize("text, unit, expected", [
    ("1000万人民币", "wan", (10.0, False)),
    ("1,000万元", "wan", (10.0, False)),
    ("1.2亿", "wan", (120.0, False)),
    ("1.2亿元人民币", "wan", (120.0, False)),
    ("5000000元", "wan", (5.0, False)),
    ("１０００万元", "wan", (10.0, False)),
    ("1000", "wan", (10.0, False)),
    ("300", "million", (300.0, False)),
    ("2000000", "yuan", (2.0, False)),
    ("500万美元", "wan", (500 * 1e4 * FX_TO_CNY["USD"] / 1e6, True)),
    ("US$2 million", "wan", (14.4, True)),
    ("100万港元", "wan", (0.92, True)),
])
def test_capital(text, unit, expected):
    assert parse_capital(text, unit) == pytest.approx(expected)


def test_usd_rate_is_the_documented_fixed_rate():
    assert FX_TO_CNY["USD"] == 7.2


@pytest.mark.parametrize("text", ["lots", "-5万", "1000万卢布", "万元"])
def test_capital_errors(text):
    with pytest.raises(ParseError, match="registered capital"):
        parse_capital(text)


@pytest.mark.parametrize("text, expected", [
    ("2015-03-02", "2015-03-02"),
    ("2015/3/2", "2015-03-02"),
    ("2015.3.2", "2015-03-02"),
    ("2015年3月2日", "2015-03-02"),
    ("2015 年 3 月 2 日", "2015-03-02"),
    ("20150302", "2015-03-02"),
    ("2015-03-02 00:00:00", "2015-03-02"),
    ("2015-03-02T10:30:00+08:00", "2015-03-02"),
    ("42065", "2015-03-02"),  # Excel serial day number
    ("42065.5", "2015-03-02"),
    ("2015年3月", "2015-03"),
    ("2015", "2015"),
])
def test_dates(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text, reason", [
    ("2015-02-30", "no such date"),
    ("2015-13", "no such month"),
    ("3/2/2015", "use YYYY-MM-DD"),
    ("1066-10-14", "out of range"),
    ("yesterday", "cannot read date"),
])
def test_date_errors(text, reason):
    with pytest.raises(ParseError, match=reason):
        parse_date(text)


@pytest.mark.parametrize("text, expected", [
    ("150", (150, False)),
    ("150人", (150, False)),
    ("1,200", (1200, False)),
    ("100-499人", (300, True)),
    ("100~499", (300, True)),
    ("50至99人", (75, True)),
    ("少于50人", (25, True)),
    ("10000人以上", (10000, True)),
    ("1000+", (1000, True)),
])
def test_employees(text, expected):
    assert parse_employees(text) == expected


@pytest.mark.parametrize("text", ["many", "12.5", "499-100"])
def test_employee_errors(text):
    with pytest.raises(ParseError):
        parse_employees(text)


def test_lists_and_missing_tokens():
    assert split_list("游戏引擎、动作捕捉,AIGC;虚拟人，数字孪生；XR|元宇宙") == (
        "游戏引擎", "动作捕捉", "AIGC", "虚拟人", "数字孪生", "XR", "元宇宙")
    assert split_list(" ; 、") == ()
    assert all(is_missing(t) for t in ("", " ", "-", "--", "—", "暂无", "未公开", "N/A", None))
    assert not is_missing("0")


def test_numbers_booleans_confidence():
    assert parse_int("1,200") == 1200
    with pytest.raises(ParseError, match="whole number"):
        parse_int("-3")
    assert [parse_bool(t) for t in ("是", "否", "yes", "FALSE", "1", "0", "√")] == [
        True, False, True, False, True, False, True]
    with pytest.raises(ParseError, match="yes/no"):
        parse_bool("maybe")
    assert parse_confidence("0.8") == 0.8 and parse_confidence("80%") == 0.8
    with pytest.raises(ParseError, match="outside 0..1"):
        parse_confidence("1.5")


def test_uscc():
    first17 = "91440300MA5000001"
    code = first17 + uscc_check_char(first17)
    assert parse_uscc(" " + code.lower() + " ") == code
    assert parse_uscc("９１４４０３００ＭＡ５０００００１" + code[-1]) == code  # full-width
    wrong = "A" if code[-1] != "A" else "B"
    with pytest.raises(ParseError, match=f"check digit is '{wrong}', expected '{code[-1]}'"):
        parse_uscc(first17 + wrong)
    with pytest.raises(ParseError, match="must be 18 characters.*format the column as text"):
        parse_uscc("9.14403E+17")


@pytest.mark.parametrize("text, kind", [
    ("firm", OrgKind.FIRM), ("企业", OrgKind.FIRM), ("公司", OrgKind.FIRM),
    ("孵化器", OrgKind.INCUBATOR), ("众创空间", OrgKind.INCUBATOR), ("Incubator", OrgKind.INCUBATOR),
    ("园区", OrgKind.PARK), ("基地", OrgKind.PARK), ("大学科技园", OrgKind.PARK),
    ("高校", OrgKind.UNIVERSITY), ("大学", OrgKind.UNIVERSITY),
    ("实验室", OrgKind.LAB), ("研究院", OrgKind.LAB),
    ("协会", OrgKind.ASSOCIATION), ("商会", OrgKind.ASSOCIATION),
    ("基金", OrgKind.FUND), ("投资机构", OrgKind.FUND),
    ("招商局", OrgKind.AGENCY), ("投资推广署", OrgKind.AGENCY), ("投促中心", OrgKind.AGENCY),
])
def test_kinds(text, kind):
    assert parse_kind(text) is kind


def test_stage_format_link_kind_errors_are_clear():
    assert parse_stage("下游") is Stage.DOWNSTREAM and parse_stage("Upstream") is Stage.UPSTREAM
    assert parse_format("设计服务") is Format.DESIGN_SERVICES
    assert parse_link_kind("customer_of") == (LinkKind.SUPPLIES, True)
    for fn, text, reason in ((parse_kind, "外星人", "unknown organisation kind"),
                             (parse_stage, "侧游", "unknown stage"),
                             (parse_format, "音乐", "unknown format"),
                             (parse_link_kind, "爱慕", "unknown link type")):
        with pytest.raises(ParseError, match=reason):
            fn(text)


@pytest.mark.parametrize("cell", ["=cmd|' /C calc'!A0", "+SUM(A1)", "-2+3", "@SUM(A1)", "\t=1", "\r=1",
                                  " =1+1"])
def test_formula_cells_are_refused(cell):
    assert cell_problem(cell, 100_000) == FORMULA_REASON


@pytest.mark.parametrize("cell", ["-12.5", "+86", "-1,200", "12%", "光影互动", "a=b", "e-mail"])
def test_plain_cells_pass(cell):
    assert cell_problem(cell, 100_000) is None


def test_length_and_control_characters():
    assert cell_problem("x" * 10_485_760, 100_000) == "field too long: 10485760 characters, max 100000"
    assert "U+0000" in cell_problem("a\x00b", 100)
    assert "U+001B" in cell_problem("a\x1bb", 100)
    assert cell_problem("a\nb\tc", 100) is None
