"""graph.resolve: one rule set for a user's words, the same on the CLI and over HTTP.

The HTTP and CLI cases pin the divergences of issue 15: ``?chain=动漫`` answered
200 on /analysis/gaps but 422 on /organisations and /lists/…/generate,
``--region us`` worked for gaps but not for search, and unknown names got no
suggestion.
"""

from __future__ import annotations

import json
import shutil

import pytest

from graph.errors import InvalidInput, NotFound
from graph.resolve import (
    ALL_CHAINS,
    chain_filter,
    is_all,
    resolve_chain,
    resolve_org,
    resolve_region,
    resolve_segment,
    suggest,
)
from tests.api import conftest as _api
from tests.api.conftest import assert_error
from tests.clirun import run_main

api = _api.api  # the API tests' fixture: the sample world behind a client (world_store_file: tests/conftest.py)

SZ = "cn/guangdong/shenzhen"
ANIM = "chain:animation_games"


# ------------------------------------------------------------------ regions


@pytest.mark.parametrize("text", ["深圳", "深圳市", "shenzhen", "Shenzhen", " Shenzhen City ", SZ, SZ + "/",
                                  "广东省深圳市"])
def test_region_aliases_and_ids_give_one_id(text):
    assert resolve_region(text) == SZ


@pytest.mark.parametrize(("text", "rid"), [("南山区", SZ + "/nanshan"), ("深圳市南山区", SZ + "/nanshan"),
                                           ("us", "us"), ("jp/tokyo", "jp/tokyo"), ("中国", "cn"),
                                           ("China", "cn"), ("东京", "jp/tokyo")])
def test_region_names_districts_and_foreign(text, rid):
    assert resolve_region(text) == rid


def test_region_none_stays_none():
    assert resolve_region(None) is None


def test_region_near_miss_is_refused_with_the_closest_names():
    with pytest.raises(InvalidInput) as e:
        resolve_region("深证", field="--region")
    err = e.value
    assert err.field == "--region"
    assert err.suggestions[0] == f"深圳 ({SZ})"
    assert "did you mean" in err.message and "深圳" in err.message and "深圳" in err.message_zh
    assert err.details() == [{"field": "--region", "reason": err.message, "suggestions": list(err.suggestions)}]


def test_region_latin_typo_is_suggested():
    with pytest.raises(InvalidInput) as e:
        resolve_region("Shenzen")
    assert any(s.endswith(f"({SZ})") for s in e.value.suggestions)


def test_a_name_two_regions_share_is_ambiguous_with_both_offered():
    with pytest.raises(InvalidInput) as e:
        resolve_region("Suzhou")
    assert {"Suzhou (cn/jiangsu/suzhou)", "Suzhou (cn/anhui/suzhou)"} <= set(e.value.suggestions)
    assert "ambiguous" in e.value.message


def test_nonsense_region_has_no_suggestion_but_still_fails():
    with pytest.raises(InvalidInput) as e:
        resolve_region("Atlantis")
    assert e.value.suggestions == ()


# ------------------------------------------------------------------ chains and segments


@pytest.fixture(scope="module")
def catalogue(world):
    batch = world[0]
    return batch.chains, batch.segments


@pytest.mark.parametrize("text", [ANIM, "动漫游戏", "动漫", "animation & games", "ANIMATION", "  动漫游戏 ",
                                  "ｃｈａｉｎ:animation_games"])
def test_chain_by_id_name_fragment_case_and_width(catalogue, text):
    assert resolve_chain(text, catalogue[0]).id == ANIM


@pytest.mark.parametrize("text", [None, "", "all", "ALL", "*", "全部", "所有", "全部产业链", " all chains "])
def test_every_chain_words(catalogue, text):
    chains, segments = catalogue
    assert is_all(text)
    every = resolve_chain(text, chains, [s.id for s in segments])
    assert every.id == ALL_CHAINS and len(every.segments) == len(segments)
    assert chain_filter(text, chains) is None


def test_chain_filter_gives_the_chain_id(catalogue):
    assert chain_filter("动漫", catalogue[0]) == ANIM


def test_ambiguous_chain_fragment_offers_the_matches(catalogue):
    with pytest.raises(InvalidInput) as e:
        resolve_chain("数字", catalogue[0], field="query.chain")  # 网络视听与数字内容, 数字文化装备与XR
    assert "ambiguous" in e.value.message
    assert [s.split(" (")[0] for s in e.value.suggestions] == ["网络视听与数字内容", "数字文化装备与XR"]


def test_unknown_chain_suggests(catalogue):
    with pytest.raises(InvalidInput) as e:
        resolve_chain("动慢游戏", catalogue[0], field="query.chain")
    assert e.value.field == "query.chain" and e.value.suggestions[0] == f"动漫游戏 ({ANIM})"


@pytest.mark.parametrize("text", ["seg:game_engine", "游戏引擎", "game engine", "Game Engine", "游戏引"])
def test_segment_by_id_name_and_unique_fragment(catalogue, text):
    assert resolve_segment(text, catalogue[1]).id == "seg:game_engine"


def test_ambiguous_segment_fragment_lists_its_matches(catalogue):
    with pytest.raises(InvalidInput) as e:
        resolve_segment("动漫", catalogue[1], field="--segment")
    assert "ambiguous" in e.value.message
    assert {"动漫IP与网络漫画 (seg:ip_comics)", "动漫衍生品设计与授权 (seg:merch_design)"} <= set(e.value.suggestions)


def test_unknown_segment_suggests(catalogue):
    with pytest.raises(InvalidInput) as e:
        resolve_segment("游戏引掣", catalogue[1])
    assert e.value.suggestions[0] == "游戏引擎 (seg:game_engine)"


# ------------------------------------------------------------------ organisations


def test_org_by_id_name_and_uscc(world_store):
    org = next(o for o in world_store.organisations() if o.uscc)
    assert resolve_org(world_store, org.id) == org.id
    assert resolve_org(world_store, org.uscc) == org.id
    assert resolve_org(world_store, f" {org.name_zh} ") == org.id


def test_unknown_org_is_not_found_with_the_closest_names(world_store):
    with pytest.raises(NotFound) as e:
        resolve_org(world_store, "光影知音", field="query.target")
    err = e.value
    assert err.field == "query.target" and err.suggestions
    assert err.suggestions[0] == "上海光影知音科技股份有限公司 (org:f1561)"  # the name it is a fragment of
    assert "did you mean" in str(err)


def test_suggest_ranks_and_caps():
    names = [(f"x{i}", f"深圳{i}号") for i in range(10)] + [("sz", "深圳")]
    got = suggest("深证", names, k=3)
    assert got[0] == "深圳 (sz)" and len(got) == 3
    assert suggest("", names) == [] and suggest("完全无关", names) == []


# ------------------------------------------------------------------ HTTP: one rule for every route


def test_a_chain_fragment_is_accepted_by_every_route(api):
    gaps = api.get("/analysis/gaps", params={"region": "深圳", "chain": "动漫"})
    assert gaps.status_code == 200, gaps.text
    assert gaps.json()["chain"]["id"] == ANIM
    by_fragment = api.get("/organisations", params={"chain": "动漫", "limit": 100})
    by_id = api.get("/organisations", params={"chain": ANIM, "limit": 100})
    assert by_fragment.status_code == 200, by_fragment.text
    assert by_fragment.json()["total"] == by_id.json()["total"] > 0
    gen = api.post("/lists/targets/generate", json={"region": "深圳", "chain": "动漫", "top": 3})
    assert gen.status_code == 200, gen.text
    assert gen.json()["chain"] == ANIM
    segs = api.get("/segments", params={"chain": "动漫"})
    assert segs.status_code == 200 and segs.json()["total"] > 0


def test_all_chains_means_no_chain_on_every_route(api):
    every = api.get("/organisations", params={"chain": "全部", "limit": 1}).json()["total"]
    assert every == api.get("/organisations", params={"limit": 1}).json()["total"]
    gen = api.post("/lists/key_firms/generate", json={"region": "深圳", "chain": "all", "top": 3})
    assert gen.status_code == 200 and gen.json()["chain"] is None


def test_http_near_misses_name_the_field_and_suggest(api):
    for url, params, field in [("/organisations", {"region": "深证"}, "query.region"),
                               ("/analysis/gaps", {"region": "深证"}, "query.region"),
                               ("/recommendations", {"region": "深证"}, "query.region")]:
        err = assert_error(api.get(url, params=params), 422, "invalid_input")
        (d,) = err["details"]
        assert d["field"] == field and d["suggestions"][0] == f"深圳 ({SZ})", url
    err = assert_error(api.get("/analysis/gaps", params={"region": "深圳", "chain": "动慢游戏"}), 422, "invalid_input")
    assert err["details"][0]["field"] == "query.chain"
    err = assert_error(api.get("/introducers", params={"region": "深圳", "target": "光影知音"}), 404, "not_found")
    (d,) = err["details"]
    assert d["field"] == "query.target" and d["suggestions"][0] == "上海光影知音科技股份有限公司 (org:f1561)"


# ------------------------------------------------------------------ CLI: the same words


@pytest.fixture
def data_dir(tmp_path, world_store_file, monkeypatch):
    monkeypatch.setenv("CHAINMATCH_EMBEDDING_MODEL", "hashing:64")
    d = tmp_path / "data"
    d.mkdir()
    shutil.copy(world_store_file, d / "store.sqlite")
    return d


def cli(capsys, data_dir, *args, code: int = 0) -> str:
    out = run_main(capsys, *args, "--data-dir", data_dir, code=code)
    return out.out if code == 0 else out.err


def test_region_us_works_for_gaps_and_search_alike(capsys, data_dir):
    gaps = json.loads(cli(capsys, data_dir, "gaps", "--region", "us", "--json"))
    assert gaps["region"] == "us"
    hits = json.loads(cli(capsys, data_dir, "search", "游戏引擎", "--region", "us", "--json"))
    assert hits["hits"] and all(h["id"] for h in hits["hits"])


def test_cli_near_misses_suggest(capsys, data_dir, monkeypatch):
    # unwrapped through the environment: setattr(err_console, "width", 300) undid itself by setting the
    # 80 columns it had read, which held for every later test of the process
    monkeypatch.setenv("COLUMNS", "300")
    err = cli(capsys, data_dir, "gaps", "--region", "深证", code=2)
    assert "是否要找" in err and f"深圳 ({SZ})" in err  # the CLI's language, zh by default
    err = cli(capsys, data_dir, "search", "x", "--region", "深证", code=2)
    assert f"深圳 ({SZ})" in err
    err = cli(capsys, data_dir, "introducers", "光影知音", code=2)
    assert "是否要找" in err and "上海光影知音科技股份有限公司 (org:f1561)" in err
    monkeypatch.setenv("CHAINMATCH_LANG", "en")
    err = cli(capsys, data_dir, "gaps", "--region", "深证", code=2)
    assert "did you mean" in err and f"深圳 ({SZ})" in err
