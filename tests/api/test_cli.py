"""The CLI end to end: exit codes, tables, --json, errors without stack traces."""

from __future__ import annotations

import json

import pytest

from api.cli.main import main
from fixtures.world import load_world
from graph.store.sqlite import SqliteStore


def run(capsys, *args) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as e:
        code = e.code or 0
    out = capsys.readouterr()
    return code, out.out, out.err


def test_demo_loads_the_sample_world_and_says_it_is_fictional(capsys, tmp_path):
    code, out, _ = run(capsys, "demo", "--data-dir", str(tmp_path))
    assert code == 0
    assert "示例数据为虚构" in out and "动漫游戏" in out and "{'inserted'" not in out and "预设答案" in out
    assert "fictional" not in out.lower() and "planted" not in out  # one language: Chinese by default
    batch, _ = load_world()
    with SqliteStore.open(tmp_path / "store.sqlite") as store:
        assert store.counts()["organisations"] == len(batch.organisations)
        v = store.version()
    code, out, _ = run(capsys, "demo", "--data-dir", str(tmp_path), "--lang", "en")
    assert "fictional" in out and "Animation & games" in out and "虚构" not in out and "动漫游戏" not in out
    assert "unchanged" in out and "{" not in out
    code, out, _ = run(capsys, "demo", "--data-dir", str(tmp_path), "--json")
    data = json.loads(out)
    assert data["write"]["inserted"] == {} and data["write"]["version"] == v
    assert data["stats"]["counts"]["links"] == len(batch.links)


def test_stats_json_counts_match_the_store(capsys, tmp_path):
    run(capsys, "demo", "--data-dir", str(tmp_path))
    code, out, _ = run(capsys, "stats", "--data-dir", str(tmp_path), "--json")
    stats = json.loads(out)
    with SqliteStore.open(tmp_path / "store.sqlite") as store:
        assert stats["counts"] == store.counts()
        sz = sum(1 for _ in store.organisations(region="cn/guangdong/shenzhen"))
    assert dict(stats["top_cities"])["cn/guangdong/shenzhen"] == sz


def test_import_organisations_then_reimport_changes_nothing(capsys, tmp_path):
    f = tmp_path / "企业名单.csv"
    f.write_text("企业名称,注册地址,参保人数\n光影互动科技有限公司,深圳市南山区科技园,120人\n", encoding="utf-8")
    code, out, _ = run(capsys, "import", "organisations", str(f), "--data-dir", str(tmp_path / "d"), "--json")
    assert code == 0 and json.loads(out)["imported"]["inserted"] == {"organisations": 1}
    code, out, _ = run(capsys, "import", "organisations", str(f), "--data-dir", str(tmp_path / "d"), "--json")
    assert json.loads(out)["imported"]["inserted"] == {} and json.loads(out)["imported"]["unchanged"]


def test_a_bad_file_exits_2_with_row_and_field_and_no_traceback(capsys, tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("企业名称,统一社会信用代码\n好公司,91440300708461136T\n坏公司,91440300708461136A\n",
                 encoding="utf-8")
    code, out, err = run(capsys, "import", "organisations", str(f), "--data-dir", str(tmp_path / "d"))
    assert code == 2
    assert "bad.csv:3 [统一社会信用代码]" in err and "校验位" in err  # the reason in the CLI's language
    assert "Traceback" not in err + out
    with SqliteStore.open(tmp_path / "d" / "store.sqlite") as store:
        assert store.counts()["organisations"] == 0 and store.version() == 0


def test_a_refused_cell_gives_its_reason_in_the_clis_language(capsys, tmp_path, monkeypatch):
    f = tmp_path / "bad.csv"
    f.write_text("企业名称,经营范围\n好公司,=HYPERLINK(\"x\")\n", encoding="utf-8")
    code, _, err = run(capsys, "import", "organisations", str(f), "--data-dir", str(tmp_path / "d"))
    assert code == 2 and "bad.csv:2 [经营范围]" in err and "形似电子表格公式" in err and "formula" not in err
    monkeypatch.setenv("CHAINMATCH_LANG", "en")
    code, _, err = run(capsys, "import", "organisations", str(f), "--data-dir", str(tmp_path / "d"))
    assert code == 2 and "looks like a spreadsheet formula" in err and "公式" not in err


def test_a_kept_rows_warning_speaks_the_clis_language_also_from_the_mark(capsys, tmp_path, monkeypatch):
    """A warning (the row is kept) is Chinese by default and English with CHAINMATCH_LANG=en, and so is
    the one a re-import of the unchanged file answers from the store's mark, without reading the rows."""
    f = tmp_path / "firms.csv"
    f.write_bytes("企业名称,企业地址,备注\n甲公司,江苏省南京市不存在区木渎镇18号,x\n".encode("gb18030"))
    d = str(tmp_path / "d")
    code, _, err = run(capsys, "import", "organisations", str(f), "--data-dir", d)
    assert code == 0 and "未知的区县 '不存在区'" in err and "忽略未知的列：备注" in err and "不是 UTF-8" in err
    assert "unknown district" not in err and "not UTF-8" not in err and "cn/jiangsu" not in err
    code, out, err = run(capsys, "import", "organisations", str(f), "--data-dir", d)  # unchanged: the mark
    assert code == 0 and "未知的区县 '不存在区'" in err and "unknown" not in err
    monkeypatch.setenv("CHAINMATCH_LANG", "en")
    code, _, err = run(capsys, "import", "organisations", str(f), "--data-dir", d)
    assert code == 0 and "unknown district '不存在区'" in err and "Nanjing" in err and "未知" not in err


def test_an_ascii_field_name_in_brackets_is_printed_not_read_as_markup(capsys, tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("name_zh,uscc\n坏公司,91440300708461136A\n", encoding="utf-8")
    code, _, err = run(capsys, "import", "organisations", str(f), "--data-dir", str(tmp_path / "d"))
    assert code == 2 and "bad.csv:2 [uscc]" in err


def test_skip_invalid_writes_a_reject_file(capsys, tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("企业名称,统一社会信用代码\n好公司,91440300708461136T\n坏公司,91440300708461136A\n",
                 encoding="utf-8")
    code, out, _ = run(capsys, "import", "organisations", str(f), "--skip-invalid",
                       "--data-dir", str(tmp_path / "d"))
    # the whole path on one line however long tmp_path is (a wrapped path cannot be copied)
    assert code == 0 and "已拒绝 1 行" in out and str(tmp_path / "bad.rejects.csv") in out
    rejects = (tmp_path / "bad.rejects.csv").read_text("utf-8-sig")
    assert "坏公司" in rejects and "check digit" in rejects and "好公司" not in rejects


def test_column_map_and_bad_map_option(capsys, tmp_path):
    f = tmp_path / "f.csv"
    f.write_text("公司全称,城市\n星河像素有限公司,深圳\n", encoding="utf-8")
    code, out, _ = run(capsys, "import", "organisations", str(f), "--map", "公司全称=name_zh",
                       "--map", "城市=city", "--data-dir", str(tmp_path / "d"), "--json")
    assert code == 0, out
    with SqliteStore.open(tmp_path / "d" / "store.sqlite") as store:
        [org] = list(store.organisations())
    assert org.name_zh == "星河像素有限公司" and org.region == "cn/guangdong/shenzhen"
    code, _, err = run(capsys, "import", "organisations", str(f), "--map", "nonsense")
    assert code == 2 and "表头=字段" in err and "Traceback" not in err


def test_unknown_command_is_a_usage_error(capsys):
    code, _, err = run(capsys, "frobnicate")
    assert code == 2 and "没有这个命令：frobnicate" in err and "No such command" not in err
    code, _, err = run(capsys, "frobnicate", "--lang", "en")
    assert code == 2 and "No such command 'frobnicate'" in err


@pytest.mark.parametrize(("argv", "zh", "en"), [
    (["introducers"], "缺少参数 'target'", "Missing argument 'target'"),
    (["gaps", "--regin", "深圳"], "没有这个选项：--regin", "No such option: --regin"),
])
def test_usage_errors_speak_the_chosen_language(capsys, argv, zh, en):
    code, _, err = run(capsys, *argv)
    assert code == 2 and zh in err and en not in err and "Usage:" not in err
    code, _, err = run(capsys, *argv, "--lang", "en")
    assert code == 2 and en in err and zh not in err


def test_errors_of_the_error_tree_speak_the_chosen_language(capsys, tmp_path):
    run(capsys, "demo", "--data-dir", str(tmp_path))
    code, _, err = run(capsys, "introducers", "光影知音", "--data-dir", str(tmp_path))
    assert code == 2 and "未找到机构：光影知音" in err and "unknown organisation" not in err
    code, _, err = run(capsys, "introducers", "光影知音", "--data-dir", str(tmp_path), "--lang", "en")
    assert code == 2 and "unknown organisation: 光影知音" in err and "未找到" not in err
    code, _, err = run(capsys, "lists", "edit", "21", "--note", "x", "--data-dir", str(tmp_path))
    assert code == 2 and "未找到清单条目：21" in err and "list entry" not in err


@pytest.mark.parametrize("name", ["chainkg", "ickg"])
def test_real_dataset_import_commands(capsys, tmp_path, name):
    from tests.conftest import shared_data

    directory = shared_data(name if name == "chainkg" else "ickg-subset")
    code, out, _ = run(capsys, "import", name, str(directory), "--data-dir", str(tmp_path), "--json")
    assert code == 0
    inserted = json.loads(out)["write"]["inserted"]
    assert inserted["organisations"] > 500 and inserted["segments"] > 500


@pytest.mark.parametrize("codec", ["utf-16", "bz2"])
def test_encoding_option_refuses_non_text_codecs_and_bomless_utf16_without_traceback(capsys, tmp_path, codec):
    f = tmp_path / "firms.csv"
    f.write_bytes("企业名称\n光影互动科技有限公司\n".encode("utf-16-le"))
    code, out, err = run(capsys, "import", "organisations", str(f), "--encoding", codec,
                         "--data-dir", str(tmp_path / "d"))
    assert code == 2 and "Traceback" not in err + out
    assert "[encoding]" in err and ("byte order" in err or "not a text encoding" in err)
