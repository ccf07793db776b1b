"""Export and import: CSV (UTF-8 with BOM) and xlsx with Chinese headers, round trips, all-or-nothing imports."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from graph.errors import InvalidInput
from matching.worklists.io import columns, org_resolver, read_import, to_csv, to_xlsx
from matching.worklists.kinds import KINDS
from matching.worklists.store import Draft

from .conftest import SZ

CHAIN = "chain:xr_equipment"
NAMES = {"org:f1343": "深圳市某某XR科技有限公司", "org:f0140": "光学模组公司", "org:p013": "南岭XR硬件孵化器"}


def _resolve(key):
    """Ids or exact names, as :func:`org_resolver` does against a store."""
    by_name = {v: k for k, v in NAMES.items()}
    key = by_name.get(key, key)
    return (key, NAMES[key]) if key in NAMES else None


def _world_list(lists):
    """A list with generated, edited, hidden and hand-added entries full of Chinese, quotes and new lines."""
    lists.regenerate("targets", SZ, CHAIN, [
        Draft("org:f0140", "光学模组公司", {"segment": "光学模组", "gap": "补链", "form": "生产基地", "score": 7.0135,
                                      "score_parts": {"gap_fit": 3.0, "chain_pull": 2.2187654321, "stale": -0.5},
                                      "introducer": "org:f1343", "introducer_name": "深圳市某某XR科技有限公司",
                                      "reason": "本地 5 家整机厂向其采购；\n\"以商招商\"，由头显整机厂引荐"}),
        Draft("org:f1343", "深圳市某某XR科技有限公司", {"segment": "XR头显整机", "score": 1.5})])
    first, second = lists.entries("targets", SZ, CHAIN)
    lists.edit(first.id, note="已对接，约 12 月拜访, 龙岗区")
    lists.hide(second.id)
    lists.add("targets", SZ, CHAIN, Draft("org:p013", "南岭XR硬件孵化器", {"reason": "孵化器，＝全角等号开头也可"}))
    return lists.entries("targets", SZ, CHAIN, hidden=None)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_round_trip_changes_nothing(lists, tmp_path, fmt):
    entries = _world_list(lists)
    path = tmp_path / f"招商目标.{fmt}"
    path.write_bytes((to_csv if fmt == "csv" else to_xlsx)("targets", entries))
    rows = read_import(path, "targets", _resolve)
    assert [r.id for r in rows] == [e.id for e in entries]
    v = lists.version("targets", SZ, CHAIN)
    r = lists.import_rows("targets", SZ, CHAIN, rows, file=path.name)
    assert (r.added, r.updated, r.unchanged, r.version) == (0, 0, 3, v)
    assert lists.entries("targets", SZ, CHAIN, hidden=None) == entries  # generated stays generated, floats exact
    # into an empty list of another region: the same entries, curated, ids left behind
    for row in rows:
        object.__setattr__(row, "id", None)
    lists.import_rows("targets", "cn/zhejiang/hangzhou", None, rows)
    copied = lists.entries("targets", "cn/zhejiang/hangzhou", hidden=None)
    assert [(e.subject, e.title, e.fields, e.note, e.hidden) for e in copied] == [
        (e.subject, e.title, e.fields, e.note, e.hidden) for e in entries]
    assert {e.origin for e in copied} == {"curated"}


def test_csv_is_utf8_with_bom_and_chinese_headers(lists):
    entries = _world_list(lists)
    data = to_csv("targets", entries)
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0] == [zh for _, zh in columns("targets")]
    assert table[0][:3] == ["编号", "机构编号", "名称"] and "引进形式" in table[0] and "推荐理由" in table[0]
    row = dict(zip(table[0], table[1], strict=True))
    assert row["名称"] == "光学模组公司" and row["来源"] == "人工维护" and row["已隐藏"] == "否"
    assert row["得分构成"] == "gap_fit=3.0;chain_pull=2.2187654321;stale=-0.5"
    assert "\n\"以商招商\"" in row["推荐理由"]


def test_xlsx_has_the_list_sheet_chinese_headers_and_text_cells(lists):
    entries = _world_list(lists)
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx("targets", entries)))
    ws = wb.active
    assert ws.title == "招商引资目标"
    assert [c.value for c in ws[1]] == [zh for _, zh in columns("targets")]
    assert ws.cell(2, 3).value == "光学模组公司" and ws.cell(2, 3).data_type == "s"
    assert ws.max_row == 4


def _write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def test_every_bad_row_is_named_and_nothing_is_written(lists, tmp_path):
    _world_list(lists)
    first = lists.entries("targets", SZ, CHAIN)[0]
    before = lists.entries("targets", SZ, CHAIN, hidden=None), lists.version("targets", SZ, CHAIN)
    path = tmp_path / "bad.csv"
    _write_csv(path, ["编号", "机构编号", "名称", "得分", "得分构成", "备注", "已隐藏"], [
        [first.id, "org:f0140", "", "8", "", "good edit", ""],
        ["", "org:nope", "", "", "", "", ""],
        ["", "org:f1343", "", "abc", "", "", ""],
        ["", "org:f1343", "", "", "gap_fit=x", "=1+1", "也许"],
        ["x7", "org:f0140", "", "", "", "", ""],
    ])
    with pytest.raises(InvalidInput) as err:
        read_import(path, "targets", _resolve)
    got = {(p.row, p.field) for p in err.value.problems}
    assert got == {(3, "机构编号"), (4, "得分"), (5, "得分构成"), (5, "备注"), (5, "已隐藏"), (6, "编号")}
    assert all(p.file == "bad.csv" and p.reason for p in err.value.problems)
    assert (lists.entries("targets", SZ, CHAIN, hidden=None), lists.version("targets", SZ, CHAIN)) == before


def test_rows_that_clash_with_each_other_or_another_list_import_nothing(lists, tmp_path):
    _world_list(lists)
    other = lists.add("targets", SZ, None, Draft("org:f0140", "别的清单"))
    before = lists.entries("targets", SZ, CHAIN, hidden=None), lists.version("targets", SZ, CHAIN)
    path = tmp_path / "clash.csv"
    _write_csv(path, ["编号", "机构编号", "备注"], [
        ["", "org:f1343", "新的备注"],  # fine alone: matches the hidden entry by organisation
        [other.id, "org:f0140", ""],  # an id of another list
        ["", "org:f1343", "again"],  # the same entry twice
    ])
    rows = read_import(path, "targets", _resolve)
    with pytest.raises(InvalidInput) as err:
        lists.import_rows("targets", SZ, CHAIN, rows, file="clash.csv")
    assert {(p.row, p.field) for p in err.value.problems} == {(3, "id"), (4, "subject")}
    assert (lists.entries("targets", SZ, CHAIN, hidden=None), lists.version("targets", SZ, CHAIN)) == before


def test_import_edits_mark_entries_curated_and_regeneration_keeps_them(lists, tmp_path):
    lists.regenerate("key_firms", SZ, None, [Draft("org:f1343", "XR", {"score": 1.0}), Draft("org:f0140", "光学")])
    lists.add("key_firms", SZ, None, Draft("org:p013", "南岭XR硬件孵化器", {"segment": "XR头显整机"}, "旧备注"))
    path = tmp_path / "key.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["subject", "入选理由", "备注"])  # English and Chinese headers mixed
    wb.active.append(["深圳市某某XR科技有限公司", "人工补充：链主", "导入"])
    wb.active.append(["南岭XR硬件孵化器", "新增", ""])
    wb.active.append(["org:f0140", "", ""])  # empty cells of a generated entry: nothing to clear, unchanged
    wb.save(path)
    r = lists.import_rows("key_firms", SZ, None, read_import(path, "key_firms", _resolve))
    assert (r.added, r.updated, r.unchanged) == (0, 2, 1)
    lists.regenerate("key_firms", SZ, None, [Draft("org:f0140", "光学"), Draft("org:f1343", "XR", {"score": 9.0})])
    e = {x.subject: x for x in lists.entries("key_firms", SZ)}
    # the file had no 得分 column: the score stays; its 入选理由 and 备注 cells are written
    assert e["org:f1343"].curated and e["org:f1343"].fields == {"score": 1.0, "reason": "人工补充：链主"}
    assert (e["org:f1343"].title, e["org:f1343"].note) == ("XR", "导入")
    assert e["org:p013"].fields == {"segment": "XR头显整机", "reason": "新增"} and e["org:p013"].note == ""
    assert e["org:f0140"].origin == "generated"


@pytest.mark.parametrize("header,problem", [
    (["名称", "颜色"], "颜色"),  # unknown column
    (["名称", "title"], "title"),  # the same column twice
    (["备注"], "subject"),  # key firms need the organisation column
])
def test_bad_columns_are_refused(tmp_path, header, problem):
    path = tmp_path / "cols.csv"
    _write_csv(path, header, [["x"] * len(header)])
    with pytest.raises(InvalidInput) as err:
        read_import(path, "key_firms", _resolve)
    assert problem in [p.field for p in err.value.problems]


def test_only_csv_and_xlsx_and_gb18030_csv_reads(tmp_path):
    with pytest.raises(InvalidInput, match="csv or .xlsx"):
        read_import(tmp_path / "x.json", "policies", _resolve)
    path = tmp_path / "gbk.csv"
    path.write_bytes("名称,发布机构\n数字创意若干措施,深圳市工业和信息化局\n".encode("gb18030"))
    rows = read_import(path, "policies", _resolve)
    assert rows[0].draft.title == "数字创意若干措施" and rows[0].draft.fields == {"issuer": "深圳市工业和信息化局"}


def test_every_kind_round_trips_through_both_formats(lists, tmp_path):
    for kind, spec in KINDS.items():
        subject = "org:f0140" if spec.subject != "none" else None
        fields = {f.name: ({"a": 1.5} if f.type == "parts" else 3.25 if f.type == "number" else f"{f.zh}内容")
                  for f in spec.fields}
        e = lists.add(kind, SZ, None, Draft(subject, f"{spec.zh}条目", fields, "备注"))
        for fn, ext in ((to_csv, "csv"), (to_xlsx, "xlsx")):
            path = tmp_path / f"{kind}.{ext}"
            path.write_bytes(fn(kind, [e]))
            r = lists.import_rows(kind, SZ, None, read_import(path, kind, _resolve))
            assert (r.unchanged, r.updated, r.added) == (1, 0, 0), (kind, ext)
        assert lists.entries(kind, SZ) == [e]


def test_org_resolver_takes_ids_usccs_and_names(world_store, world):
    resolve = org_resolver(world_store)
    o = next(x for x in world[0].organisations if x.uscc)
    assert resolve(o.id) == resolve(o.uscc) == resolve(o.name_zh) == (o.id, o.name_zh)
    assert resolve("不存在的公司") is None
