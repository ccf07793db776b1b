"""The analysis commands on a local typer app (``register(app)``), as the user runs them."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from api.cli.analysis import register
from fixtures.world import load_world
from graph.store.sqlite import SqliteStore


@pytest.fixture(scope="module")
def app():
    app = typer.Typer()
    register(app)
    return app


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    with SqliteStore.open(d / "store.sqlite") as store:
        store.write(load_world()[0])
    return d


def run(app, *args, lang="zh"):
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "220", "CHAINMATCH_LANG": lang})
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def test_register_adds_the_five_commands(app):
    names = {c.name for c in app.registered_commands}
    assert names == {"chain", "gaps", "leaders", "dependence", "compare"}


def test_gaps_table_in_one_language_with_the_planted_gaps(app, data_dir):
    out = run(app, "gaps", "--region", "深圳", "--chain", "动漫游戏", "--data-dir", str(data_dir))
    assert "类别" in out and "严重度" in out and "补链" in out and "广东省深圳市" in out
    assert "游戏引擎" in out and "电子竞技" in out and "游戏音频与音效" in out
    assert "severity" not in out and "missing" not in out and "Game engines" not in out
    en = run(app, "gaps", "--region", "深圳", "--chain", "动漫游戏", "--data-dir", str(data_dir), lang="en")
    assert "severity" in en and "missing" in en and "Game engines" in en and "Shenzhen, Guangdong" in en
    assert "严重度" not in en and "游戏引擎" not in en


def test_gaps_json_is_machine_readable_and_cached_on_the_second_call(app, data_dir):
    first = json.loads(run(app, "gaps", "--json", "--top", "0", "--data-dir", str(data_dir)))
    assert first["region"] == "cn/guangdong/shenzhen" and first["gaps_total"] == len(first["gaps"]) == 16
    again = json.loads(run(app, "gaps", "--json", "--top", "0", "--data-dir", str(data_dir)))
    assert again["meta"]["cached"] is True and again["gaps"] == first["gaps"]


@pytest.mark.parametrize("args, text", [
    (["chain", "-r", "南山区", "-c", "chain:xr_equipment"], "产业链图谱"),
    (["chain", "-c", "Animation & games"], "环节供给"),
    (["leaders", "-c", "XR", "-n", "5", "--scope", "local"], "链主（本地）"),
    (["dependence", "-c", "数字文化装备与XR"], "单点风险"),
    (["compare", "-r", "深圳", "-r", "北京", "-r", "cn/shanghai/shanghai", "-c", "创意设计"], "覆盖"),
])
def test_every_command_prints_a_table(app, data_dir, args, text):
    assert text in run(app, *args, "--data-dir", str(data_dir))


@pytest.mark.parametrize("command", ["chain", "leaders", "dependence"])
def test_every_command_has_json(app, data_dir, command):
    out = json.loads(run(app, command, "-c", "动漫游戏", "--json", "--data-dir", str(data_dir)))
    assert out["chain"]["id"] == "chain:animation_games" and "meta" in out


def test_compare_json(app, data_dir):
    out = json.loads(run(app, "compare", "-r", "深圳", "-r", "北京", "--json", "--data-dir", str(data_dir)))
    assert [r["region"] for r in out["regions"]] == ["cn/guangdong/shenzhen", "cn/beijing/beijing"]


def test_unknown_chain_is_a_clear_error(app, data_dir):
    from graph.errors import InvalidInput

    result = CliRunner().invoke(app, ["gaps", "-c", "no such chain", "--data-dir", str(data_dir)])
    assert result.exit_code != 0 and isinstance(result.exception, InvalidInput)
    assert "chain:animation_games" in str(result.exception)
