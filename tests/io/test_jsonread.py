"""Deeply nested JSON uploads are bad input (422), never a RecursionError (500)."""

from __future__ import annotations

import io

import pytest

from graph.errors import InvalidInput
from graph.io.tables import read_rows
from graph.store import transfer

DEEP = "[" * 2000 + "]" * 2000
MEDIUM = '{"name_zh": ' + "[" * 200 + "1" + "]" * 200 + "}"  # parses, but 200 levels deep


@pytest.mark.parametrize("doc", [DEEP, MEDIUM])
def test_deep_json_file_is_invalid_input(tmp_path, doc):
    p = tmp_path / "deep.json"
    p.write_text(doc, encoding="utf-8")
    with pytest.raises(InvalidInput, match="nested too deeply"):
        with read_rows(p) as table:
            list(table.rows)


@pytest.mark.parametrize("doc", [DEEP, MEDIUM])
def test_deep_jsonl_line_is_a_row_problem(tmp_path, doc):
    p = tmp_path / "deep.jsonl"
    p.write_text('{"name_zh": "光影"}\n' + doc + "\n", encoding="utf-8")
    with read_rows(p) as table:
        rows = list(table.rows)
    assert [n for n, _ in rows] == [1]
    assert [(q.row, "nested too deeply" in q.reason) for q in table.problems] == [(2, True)]


def test_deep_dump_line_is_a_problem_not_a_crash():
    head = '{"format": "chainmatch-dump", "format_version": 1}\n'
    with pytest.raises(InvalidInput) as e:
        transfer.load(io.StringIO(head + DEEP + "\n"))
    assert any("nested too deeply" in p.reason for p in e.value.problems)


def test_deep_world_line_is_a_problem_not_a_crash(tmp_path):
    from fixtures.world import FILES, WORLD_DIR, load_world

    for name in FILES:
        if (WORLD_DIR / name).exists():
            (tmp_path / name).write_bytes((WORLD_DIR / name).read_bytes())
    with open(tmp_path / "links.jsonl", "a", encoding="utf-8") as f:
        f.write(DEEP + "\n")
    with pytest.raises(InvalidInput) as e:
        load_world(tmp_path)
    assert any("nested too deeply" in p.reason and p.file.endswith("links.jsonl") for p in e.value.problems)
