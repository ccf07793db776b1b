"""``chainmatch profile``: the firm profile in the terminal, one language at a time, local firms said so."""

from __future__ import annotations

from typer.testing import CliRunner

from api.cli.main import app as cli


def _run(api, *args, lang="zh"):
    env = {"COLUMNS": "200", "CHAINMATCH_LANG": lang, "CHAINMATCH_EMBEDDING_MODEL": api.settings.embedding_model}
    r = CliRunner().invoke(cli, [*args, "--data-dir", str(api.settings.data_dir)], env=env)
    assert r.exit_code == 0, r.output
    return r.output


def test_profile_says_why_a_target_in_one_language(api):
    zh = _run(api, "profile", "上海光影知音科技股份有限公司", "-r", "深圳", "-c", "动漫游戏")
    assert "招商目标 · 深圳市 · 补链 #1" in zh and "缺口匹配" in zh and "客户 (17)" in zh and "深圳市维度鲸歌影视有限公司" in zh
    assert "gap fit" not in zh and "customer" not in zh and "org:" not in zh
    en = _run(api, "profile", "org:f1561", "-r", "深圳", "-c", "动漫游戏", lang="en")
    assert "Lumen Kindred Technology" in en and "Target · Shenzhen" in en and "gap fit" in en and "Customers (17)" in en
    assert "补链" not in en and "缺口匹配" not in en


def test_a_local_firm_is_said_to_be_local(api):
    out = _run(api, "profile", "深圳市维度鲸歌影视有限公司", "-r", "深圳")
    assert "本地企业，不作为招商目标" in out
