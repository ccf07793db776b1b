"""``chainmatch report`` as the user runs it: the file it writes, its format from the suffix, clear errors."""

from __future__ import annotations

import io

import openpyxl
import pytest
import typer
from typer.testing import CliRunner

from api.cli.reports import register
from graph.store.sqlite import SqliteStore


@pytest.fixture(scope="module")
def app():
    app = typer.Typer()
    register(app)
    return app


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory, world):
    d = tmp_path_factory.mktemp("cli-report")
    with SqliteStore.open(d / "store.sqlite") as store:
        store.write(world[0])
    return d


def test_xlsx_by_suffix_for_a_chain_named_in_chinese(app, data_dir, tmp_path, answers):
    out = tmp_path / "周报" / "报告.xlsx"
    result = CliRunner().invoke(app, ["--region", "深圳", "--chain", "数字文化装备与XR", "--output", str(out),
                                      "--data-dir", str(data_dir)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output + repr(result.exception)
    assert "已写入" in result.output and "估算字段" in result.output  # the CLI's language (zh by default)
    wb = openpyxl.load_workbook(io.BytesIO(out.read_bytes()))
    assert wb.sheetnames[0] == "概览" and wb["概览"]["B3"].value == "数字文化装备与XR"
    firsts = {r[0]: r[4] for r in wb["招商目标"].iter_rows(min_row=2, values_only=True) if r[2] == 1}
    for m in answers["missing"]:
        if m["segment"] in ("seg:optical_module", "seg:micro_display", "seg:mocap_devices"):
            assert firsts[m["name_zh"]] == m["ideal_target"]["id"]
    assert not list(out.parent.glob(".*.tmp"))  # written through a temporary file, then renamed


def test_html_with_format_and_english_headers(app, data_dir, tmp_path):
    out = tmp_path / "report.out"
    result = CliRunner().invoke(app, ["-r", "南山区", "-c", "chain:animation_games", "--format", "html", "--lang", "en",
                                      "-o", str(out), "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output + repr(result.exception)
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "Gap and target report" in text and "Nanshan" in text


@pytest.mark.parametrize(("args", "zh", "en"), [
    (["--region", "火星", "-o", "{dir}/x.xlsx"], "地区 '火星' 无法识别", "unknown region '火星'"),
    (["-o", "{dir}/x.pdf"], "判断报告格式", "cannot tell the report format"),
    (["-o", "{dir}/x.html", "--lang", "fr"], "未知语言 'fr'", "unknown language 'fr'"),
])
def test_bad_input_exits_2_with_a_clear_message(args, zh, en, data_dir, tmp_path, capsys, monkeypatch):
    """In the CLI's language: Chinese by default, English with CHAINMATCH_LANG=en; nothing written either way."""
    from api.cli.main import main

    for lang, message in (("zh", zh), ("en", en)):
        monkeypatch.setenv("CHAINMATCH_LANG", lang)
        with pytest.raises(SystemExit) as e:
            main(["report", *(a.format(dir=tmp_path) for a in args), "--data-dir", str(data_dir)])
        assert e.value.code == 2
        err = capsys.readouterr().err.replace("\n", "")
        assert message in err, err
        assert not list(tmp_path.iterdir())  # nothing written
