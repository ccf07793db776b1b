"""``recommend``, ``introducers``, ``partners``, ``campaign``, ``outcome``, ``eval backtest`` and
``bench recommend`` through the CLI runner, on the real ``chainmatch`` app."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from graph.errors import InvalidInput, NotFound
from graph.store.sqlite import SqliteStore


@pytest.fixture(scope="module")
def app():
    from api.cli.main import app

    return app


@pytest.fixture()
def data_dir(tmp_path, world, monkeypatch):
    monkeypatch.setenv("CHAINMATCH_EMBEDDING_MODEL", "hashing:64")
    with SqliteStore.open(tmp_path / "store.sqlite") as store:
        store.write(world[0])
    return tmp_path


def run(app, data_dir, *args, ok: bool = True):
    result = CliRunner().invoke(app, [*map(str, args), "--data-dir", str(data_dir)])
    if ok:
        assert result.exit_code == 0, (result.output, result.exception)
    return result


def run_json(app, data_dir, *args):
    return json.loads(run(app, data_dir, *args, "--json").stdout)


def test_recommend_for_a_segment_and_for_every_gap(app, data_dir, answers):
    m = answers["missing"][0]
    out = run_json(app, data_dir, "recommend", "--region", "深圳", "--segment", "游戏引擎", "--limit", "3")
    best = out["targets"][0]
    assert best["org"] == m["ideal_target"]["id"] and best["form"]["form"] == m["ideal_target"]["form"]
    assert best["status"] is None and {p["name"] for p in best["parts"]} >= {"gap_fit", "chain_pull"}
    chain = run_json(app, data_dir, "recommend", "--region", "cn/guangdong/shenzhen", "--chain", "动漫游戏")
    assert m["ideal_target"]["id"] in [t["org"] for t in chain["targets"]]
    assert {t["gap"] for t in chain["targets"]} <= {"missing", "thin", "extension"}
    table = run(app, data_dir, "recommend", "--segment", "seg:game_engine", "--limit", "2").stdout
    assert "招商目标 · 广东省深圳市" in table and "研发中心" in table and "游戏引擎" in table
    assert "seg:" not in table and "cn/" not in table and "org:" not in table


def test_introducers_and_unknown_target(app, data_dir, answers):
    t = answers["missing"][0]["ideal_target"]
    out = run_json(app, data_dir, "introducers", t["name_zh"], "--region", "深圳")
    assert out["target"] == t["id"] and out["introducers"][0]["org"] == t["introducer"]
    bad = run(app, data_dir, "introducers", "no such firm", ok=False)
    assert isinstance(bad.exception, NotFound)


def test_partners_with_a_segment(app, data_dir, answers):
    s = answers["startups"][1]
    out = run_json(app, data_dir, "partners", s["niche_zh"], "--segment", s["segment"], "--startup", s["startup"])
    assert s["expected_partner"] in [p["org"] for p in out["partners"][:3]]


def test_campaign_propose_create_conflicts_history(app, data_dir, answers):
    hint = answers["joint_campaigns"][0]
    plan = run_json(app, data_dir, "campaign", "propose", *hint["targets"])
    assert plan["co_pitch"][0]["org"] == hint["introducer"] and plan["conflicts"] == []
    first = run_json(app, data_dir, "campaign", "create", "XR 上游", "--owner", "org:p006",
                     "--target", hint["targets"][0], "--target", hint["targets"][1])
    assert first["conflicts"] == []
    second = run_json(app, data_dir, "campaign", "create", "光学", "--owner", "深圳市龙岗区投资推广署",
                      "--target", hint["targets"][0])
    assert second["conflicts"][0]["org"] == hint["targets"][0]
    assert run_json(app, data_dir, "campaign", "conflicts")[0]["agencies"] == ["org:p006", "org:p007"]
    run(app, data_dir, "campaign", "add", second["campaign"]["id"], "--partner", "org:p006")
    assert run_json(app, data_dir, "campaign", "conflicts") == []
    events = run_json(app, data_dir, "campaign", "history", second["campaign"]["id"])
    assert [e["event"] for e in events] == ["created", "partners_added"]
    run(app, data_dir, "campaign", "close", first["campaign"]["id"])
    assert [c["status"] for c in run_json(app, data_dir, "campaign", "list")] == ["closed", "open"]


def test_landed_outcome_removes_the_target(app, data_dir, answers):
    m = answers["missing"][0]
    t = m["ideal_target"]["id"]
    run_json(app, data_dir, "outcome", "record", t, "contacted", "--region", "深圳")
    before = run_json(app, data_dir, "recommend", "--segment", m["segment"], "--limit", "3")
    assert before["targets"][0]["org"] == t and before["targets"][0]["status"] == "contacted"
    run_json(app, data_dir, "outcome", "record", t, "landed", "--region", "南山区", "--form", "rd_centre",
             "--segment", m["segment"])
    after = run_json(app, data_dir, "recommend", "--segment", m["segment"], "--limit", "50")
    assert t not in [x["org"] for x in after["targets"]]
    history = run_json(app, data_dir, "outcome", "history", "--org", t)
    assert [h["status"] for h in history] == ["contacted", "landed"]
    bad = run(app, data_dir, "outcome", "record", t, "signed", ok=False)
    assert isinstance(bad.exception, InvalidInput)


def test_eval_backtest_prints_every_scorer(app, data_dir):
    out = run_json(app, data_dir, "eval", "backtest", "--t0", "2026-01-31", "--kinds", "supplies")
    assert set(out["table"]) == {"engine", "popularity", "memorise", "adamic_adar", "text", "relatedness"}
    text = run(app, data_dir, "eval", "backtest", "--t0", "2026-03-31", "--kinds", "supplies").stdout
    # scorers named in words in the CLI's language (Chinese by default), the t0 rule too
    assert "Recall@50" in text and "共同邻居基线" in text and "adamic_adar" not in text and "（指定）" in text


def test_bench_recommend_prints_figures(app):
    result = CliRunner().invoke(app, ["bench", "recommend", "--firms", "3000", "--queries", "3", "--json"])
    assert result.exit_code == 0, result.output
    fig = json.loads(result.stdout)["scales"][0]
    assert fig["firms"] == 3000 and fig["target_p95_ms"] > 0 and "peak_rss_gb" in fig
