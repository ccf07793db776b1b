"""Bugs the importer fuzzer found, pinned (fast; the fuzzer itself is ``slow``).

Lone surrogates (below), a lone UTF-8 BOM prefix, and damaged .xlsx members
(further down) each raised an exception outside the error tree.

A JSON ``\\ud800`` escape without its pair decodes to a lone surrogate, which
is not Unicode text: SQLite refuses it and so does a UTF-8 reject file. The
importer used to let it through, so the import died with ``UnicodeEncodeError``
/ ``TypeError`` (outside the error tree) — and with ``--skip-invalid`` only
after the good rows had been written. Now the cell is refused as a row
problem naming the field, and the reject file shows it escaped.
"""

from __future__ import annotations

import csv
import struct
import zipfile

import pytest

from graph.errors import InvalidInput
from graph.io.importer import import_file
from graph.store.sqlite import SqliteStore
from tests.reliability.snapshot import snapshot

# file name, text, entity, the refused field, organisations a --skip-invalid import still writes
CASES = {
    "name": ("firms.jsonl", '{"name_zh": "坏\\ud800公司"}\n{"name_zh": "好公司"}\n', "organisations", "name_zh", 1),
    "number": ("firms.json", '[{"企业名称": "甲公司", "参保人数": "\\ud800"}, {"企业名称": "丙公司"}]',
               "organisations", "参保人数", 1),
    "date": ("links.jsonl", '{"src": "甲公司", "dst": "乙公司", "kind": "supplies", "since": "\\udfff"}\n',
             "links", "since", 0),
    "id": ("segs.jsonl", '{"id": "seg:x\\ud800", "name_zh": "新环节", "stage": "upstream", "format": "design_services"}\n',
           "segments", "id", 0),
}


@pytest.fixture
def store():
    s = SqliteStore.memory()
    yield s
    s.close()


def _seed(store, tmp_path):
    p = tmp_path / "seed.csv"
    p.write_text("企业名称,注册地址\n甲公司,深圳市南山区\n乙公司,深圳市福田区\n", encoding="utf-8")
    import_file(store, p, "organisations")


@pytest.mark.parametrize("case", list(CASES))
def test_lone_surrogate_is_a_row_problem_and_nothing_is_written(store, tmp_path, case):
    name, text, entity, field, _ = CASES[case]
    _seed(store, tmp_path)
    before = snapshot(store._conn)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as e:
        import_file(store, path, entity)
    assert [(p.row, p.field) for p in e.value.problems] == [(1, field)]
    assert "lone surrogate" in e.value.problems[0].reason
    assert snapshot(store._conn) == before


@pytest.mark.parametrize("case", list(CASES))
def test_lone_surrogate_with_skip_invalid_lands_good_rows_and_an_escaped_reject_file(store, tmp_path, case):
    name, text, entity, field, written = CASES[case]
    _seed(store, tmp_path)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    report = import_file(store, path, entity, skip_invalid=True)
    assert report.rejected == 1
    assert sum(report.imported.inserted.values()) == written
    with open(report.reject_path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 1 and rows[0]["_field"] == field and "\\ud" in "".join(rows[0].values()).lower()


# ---------------------------------------------------------------- found by the fuzzer: damaged bytes

@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".json", ".jsonl"])
@pytest.mark.parametrize("data", [b"\xef", b"name_zh\n\xef"])
def test_a_lone_bom_prefix_is_an_encoding_error(store, tmp_path, suffix, data):
    """UTF-8-SIG's incremental decoder keeps a final b"\\xef" pending instead of failing, so the
    encoding check passed and the decode after it raised UnicodeDecodeError."""
    _seed(store, tmp_path)
    before = snapshot(store._conn)
    path = tmp_path / f"firms{suffix}"
    path.write_bytes(data)
    with pytest.raises(InvalidInput, match="neither UTF-8 nor GBK"):
        import_file(store, path, "organisations")
    assert snapshot(store._conn) == before


def _xlsx_with_member_damaged(path, member: str) -> None:
    """A real workbook whose ``member``'s deflate stream starts with an invalid block type."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["企业名称", "注册地址"])
    wb.active.append(["丁公司", "深圳市南山区"])
    wb.save(path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(member)
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26: info.header_offset + 30])
    data[info.header_offset + 30 + name_len + extra_len] = 0xFF  # BTYPE 11: reserved, "invalid block type"
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("member", ["docProps/core.xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"])
def test_a_damaged_xlsx_is_refused_not_a_crash(store, tmp_path, member):
    """zlib.error (raised while opening, or lazily while the sheet's rows are read) escaped the importer."""
    _seed(store, tmp_path)
    before = snapshot(store._conn)
    path = tmp_path / "firms.xlsx"
    _xlsx_with_member_damaged(path, member)
    with pytest.raises(InvalidInput, match="not a readable .xlsx workbook"):
        import_file(store, path, "organisations", skip_invalid=True)
    assert snapshot(store._conn) == before
