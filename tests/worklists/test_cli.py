"""``chainmatch lists …`` as the user runs it: Chinese names, --json, the regeneration rule, export/import."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.clirun import run_main

A = ["--region", "深圳", "--chain", "动漫游戏"]


@pytest.fixture
def data_dir(tmp_path, world_store_file):
    d = tmp_path / "data"
    d.mkdir()
    shutil.copy(world_store_file, d / "store.sqlite")
    return d


def run(capsys, data_dir, *args, code: int = 0):
    out = run_main(capsys, "lists", *args, "--data-dir", data_dir, code=code)
    return out.out if code == 0 else out.err


def test_generate_curate_regenerate_export_import(capsys, data_dir, tmp_path, monkeypatch):
    # tables unwrapped; through the environment: setattr(console, "width", 200) undid itself by fixing the
    # width at the 80 columns it read, and later CLI tests that ask for COLUMNS=220 wrapped at 80
    monkeypatch.setenv("COLUMNS", "200")
    gen = json.loads(run(capsys, data_dir, "generate", "重点企业", *A, "--top", "6", "--json"))
    assert (gen["kind"], gen["chain"], gen["added"]) == ("key_firms", "chain:animation_games", 6)
    shown = json.loads(run(capsys, data_dir, "show", "key_firms", *A, "--json"))["entries"]
    first, second = shown[0], shown[1]
    edited = json.loads(run(capsys, data_dir, "edit", str(first["id"]), "--note", "走访", "-f", "reason=人工理由",
                            "--json"))
    assert edited["origin"] == "curated" and edited["fields"]["reason"] == "人工理由"
    assert json.loads(run(capsys, data_dir, "remove", str(second["id"]), "--json"))["hidden"] is True
    added = json.loads(run(capsys, data_dir, "add", "重点项目", *A, "--title", "数字创意产业园二期", "-f",
                           "investment_cny_m=1,250", "-f", "stage=在建", "--json"))
    assert added["fields"] == {"investment_cny_m": 1250.0, "stage": "在建"}
    again = json.loads(run(capsys, data_dir, "generate", "key_firms", *A, "--top", "6", "--json"))
    assert (again["added"], again["removed"], again["kept_curated"], again["skipped_hidden"]) == (0, 0, 2, 1)
    now = json.loads(run(capsys, data_dir, "show", "key_firms", *A, "--hidden", "--json"))["entries"]
    assert next(e for e in now if e["id"] == first["id"]) == edited

    summary = json.loads(run(capsys, data_dir, "show", *A, "--json"))
    assert [(x["kind"], x["shown"], x["hidden"]) for x in summary][:3] == [
        ("key_firms", 5, 1), ("targets", 0, 0), ("projects", 1, 0)]
    assert "数字创意产业园二期" in run(capsys, data_dir, "show", "projects", *A)

    for ext in ("csv", "xlsx"):
        out = tmp_path / f"重点企业.{ext}"
        run(capsys, data_dir, "export", "key_firms", *A, "--hidden", "-o", str(out))
        back = json.loads(run(capsys, data_dir, "import", "key_firms", str(out), *A, "--json"))
        assert (back["rows"], back["unchanged"], back["added"], back["updated"]) == (6, 6, 0, 0)


def test_errors_exit_2_with_a_clear_message(capsys, data_dir, tmp_path):
    en = ("--lang", "en")  # the English messages; the default language is Chinese
    assert "只能人工维护" in run(capsys, data_dir, "generate", "policies", *A, code=2)
    assert "curated only" in run(capsys, data_dir, "generate", "policies", *A, *en, code=2)
    assert "unknown list" in run(capsys, data_dir, "show", "六个二", *A, *en, code=2)
    assert "spreadsheet formula" in run(capsys, data_dir, "add", "policies", *A, "--title", "=1+1", *en, code=2)
    assert "unknown organisation" in run(capsys, data_dir, "add", "targets", *A, "--subject", "不存在", *en, code=2)
    bad = tmp_path / "bad.csv"
    bad.write_text("名称,发布机构\n措施,深圳市\n,\u0007\n", encoding="utf-8-sig")
    err = run(capsys, data_dir, "import", "policies", str(bad), *A, code=2)
    assert "bad.csv:3" in err
    assert json.loads(run(capsys, data_dir, "show", "policies", *A, "--json"))["entries"] == []
