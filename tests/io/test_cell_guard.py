"""Issue 18 item 6: one spreadsheet-cell guard, one writer, applied on import of every text field."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from pathlib import Path

import openpyxl
import pytest

from graph.errors import InvalidInput
from graph.io.cells import cell_problem, formula_like, record_problems
from graph.io.sheets import csv_text, xlsx_bytes
from graph.model import Financing, Provenance
from graph.store.sqlite import SqliteStore

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ["=1+1", "-1+HYPERLINK(\"http://x\",\"y\")", "+1-cmd|' /C calc'!A0", "@SUM(A1)", "\t=1", "\r=1",
           "\u00a0=1+1", "\u3000=1+1", "\u200b=1+1", "\ufeff=1+1", "＝1+1", "﹦1+1", "＋1+1", "－1+1", "＠x",
           " \u3000\u200b-1+1"]
PLAIN = ["-12.5", "+86", "1,234.5", "－12", "光影 = 1", "C++", "a-b", "50%", "深圳市光影互动科技有限公司"]


@pytest.mark.parametrize("value", HOSTILE)
def test_every_formula_start_is_caught_after_invisible_and_full_width_prefixes(value):
    assert formula_like(value) and cell_problem(value, 1000) is not None


@pytest.mark.parametrize("value", PLAIN)
def test_plain_numbers_and_text_pass(value):
    assert not formula_like(value) and cell_problem(value, 1000) is None


def _xlsx_text_cells(data: bytes):
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return [(c.value, c.data_type, c.quotePrefix) for ws in wb for row in ws.iter_rows() for c in row
            if isinstance(c.value, str)]


def _assert_guarded_xlsx(data: bytes, texts):
    cells = {v: (t, q) for v, t, q in _xlsx_text_cells(data)}
    for text in (t.replace("\r", "\n") for t in texts):  # XML reads a lone CR back as LF
        assert cells[text][0] == "s" and cells[text][1], (text, cells.get(text))  # text, quote-prefixed
    with zipfile_of(data) as z:
        assert not any("<f>" in z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))


def zipfile_of(data: bytes):
    import zipfile

    return zipfile.ZipFile(io.BytesIO(data))


def test_the_one_writer_guards_headers_and_cells():
    data = xlsx_bytes([("t", HOSTILE[:3], [HOSTILE[3:], [1, -2.5, None]])])
    _assert_guarded_xlsx(data, HOSTILE)
    rows = list(csv.reader(io.StringIO(csv_text(HOSTILE[:3], [HOSTILE[3:], PLAIN]).lstrip("\ufeff"))))
    assert all(c.startswith("'") for c in rows[0] + rows[1]) and rows[2] == PLAIN


def test_ui_export_writes_header_labels_as_text_not_formulas():
    from api.routes.ui import Sheet, Workbook, to_xlsx

    data = to_xlsx(Workbook(sheets=[Sheet(title="=t", columns=HOSTILE[:4], rows=[HOSTILE[4:8], [1, 2.5]])]))
    _assert_guarded_xlsx(data, HOSTILE[:8])


def test_report_xlsx_guards_headers_notes_and_ids():
    from matching.reports.build import fig
    from matching.reports.tables import Table
    from matching.reports.xlsx import to_xlsx

    tab = Table("gaps", "缺链", ["=环节", "严重度"], [["\u3000=1+1", fig(0.8, ["=org:a"], "score")]], note="＝note")
    _assert_guarded_xlsx(to_xlsx([tab]), ["=环节", "\u3000=1+1", "=org:a", "＝note"])


def test_worklist_exports_are_guarded():
    from matching.worklists.io import to_csv, to_xlsx
    from matching.worklists.store import Draft, ListStore

    ls = ListStore.memory()
    e = ls.add("advisors", "cn", None, Draft(None, "数字创意研究院", {"expertise": "XR"}))
    e = dataclasses.replace(e, title="\u200b=1+1", note="－1+1")  # as if stored before the guard existed
    _assert_guarded_xlsx(to_xlsx("advisors", [e]), ["\u200b=1+1", "－1+1"])
    rows = list(csv.reader(io.StringIO(to_csv("advisors", [e]).decode("utf-8-sig"))))
    assert "'\u200b=1+1" in rows[1] and "'－1+1" in rows[1]


def test_no_other_module_writes_csv_or_xlsx_itself():
    """One writer: graph/io/sheets.py (the report uses its put_cell for every cell)."""
    allowed = {"graph/io/sheets.py", "matching/reports/xlsx.py"}
    found = set()
    for top in ("graph", "matching", "api"):
        for p in (ROOT / top).rglob("*.py"):
            src = p.read_text(encoding="utf-8")
            if re.search(r"csv\.(writer|DictWriter)\(|from openpyxl import .*\bWorkbook|openpyxl\.Workbook\(|\.cell\(\w+, \w+, ", src):
                found.add(p.relative_to(ROOT).as_posix())
    assert found <= allowed, found - allowed
    report = (ROOT / "matching/reports/xlsx.py").read_text(encoding="utf-8")
    assert "ws.cell(" not in report and ".data_type =" not in report  # every cell through put_cell


@pytest.mark.parametrize("path,value", [
    ("name_zh", "\u00a0=1+1公司"), ("name_zh", "＝1+1"), ("financing", [{"date": "2020-01-01", "round": "=1+1"}]),
    ("provenance", {"source": "\ufeff@SUM(1)"}), ("products", ["产品", "﹦1"]), ("description_zh", "\t=1"),
])
def test_world_import_refuses_formula_text_in_any_field(tmp_path, path, value):
    """``chainmatch import world`` wrote such cells unchecked; a world holding one made
    ``lists generate targets`` write 0 entries. Now every store write refuses them, naming the field."""
    from api.cli.main import main
    from fixtures.world import FILES, WORLD_DIR

    for name in FILES:
        if (WORLD_DIR / name).exists():
            (tmp_path / name).write_bytes((WORLD_DIR / name).read_bytes())
    lines = (tmp_path / "organisations.jsonl").read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    first[path] = value
    lines[0] = json.dumps(first, ensure_ascii=False)
    (tmp_path / "organisations.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit) as e:
        main(["import", "world", str(tmp_path), "--data-dir", str(tmp_path / "d")])
    assert e.value.code == 2
    with SqliteStore.open(tmp_path / "d" / "store.sqlite") as store:
        assert store.counts()["organisations"] == 0


def test_record_problems_name_nested_fields():
    from fixtures.world import load_world

    org = load_world()[0].organisations[0]
    bad = dataclasses.replace(org, financing=(Financing("2020-01-01", "+1-cmd|x"),),
                              provenance=Provenance("\u3000=HYPERLINK(1)"))
    assert [f for f, _ in record_problems(bad)] == ["financing[0].round", "provenance.source"]
    assert record_problems(org) == []


def test_store_write_refuses_it_for_every_caller(tmp_path):
    from fixtures.world import load_world

    batch = load_world()[0]
    batch.organisations[0] = dataclasses.replace(batch.organisations[0], name_zh="﹦1+1")
    with SqliteStore.open(tmp_path / "s.sqlite") as store, pytest.raises(InvalidInput) as e:
        store.write(batch)
    assert any(p.field == "name_zh" and "formula" in p.reason for p in e.value.problems)
