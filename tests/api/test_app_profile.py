"""GET /organisations/{id}/profile on the sample world: names beside every id, ties by role, and why a firm is a
target — the planted ideal target's score parts are the targets table's; a firm with a local site is local."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from fixtures.world import load_world
from tests.api.conftest import Api, assert_error, start, world_dir

_, ANSWERS = load_world()
ENGINE = next(m for m in ANSWERS["missing"] if m["segment"] == "seg:game_engine")
IDEAL = ENGINE["ideal_target"]


@pytest.fixture(scope="module")
def reader(tmp_path_factory, world_store_file):
    settings, tokens = start(world_dir(tmp_path_factory.mktemp("profile"), world_store_file))
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield Api(client, settings, tokens)


def test_the_ideal_target_says_why_in_the_targets_tables_parts(reader):
    r = reader.get(f"/organisations/{IDEAL['id']}/profile", params={"region": "深圳", "chain": "动漫游戏"})
    assert r.status_code == 200, r.text
    p = r.json()
    assert p["organisation"]["name_zh"] == IDEAL["name_zh"] and p["region_zh"] == "上海市徐汇区"
    assert [(s["name_zh"], s["status"], s["chains_zh"]) for s in p["segments"]] == [("游戏引擎", "confirmed", ["动漫游戏"])]
    # its planted local customers are customers, each by name and region; the supply links are all there
    customers = {c["org"]: c for c in p["customers"]}
    assert set(IDEAL["local_customers"]) <= set(customers)
    assert customers[IDEAL["introducer"]]["name_zh"] == IDEAL["introducer_name_zh"]
    assert customers[IDEAL["introducer"]]["region_zh"].startswith("深圳市")
    assert set(IDEAL["supply_link_ids"]) <= {c["link"] for c in p["customers"] + p["suppliers"]}
    assert all(t["role"] != "customer" for t in p["ties"])
    assert p["ties_total"] == len(p["customers"]) + len(p["suppliers"]) + len(p["ties"])
    assert p["sites"] and all(s["region_zh"] for s in p["sites"])
    record, *links = p["sources"]
    assert (record["what"], record["records"], record["last"]) == ("organisation", 1, "2026-05-11")
    assert [x["what"] for x in links] == ["links"] and links[0]["records"] == p["ties_total"]
    assert links[0]["first"] <= links[0]["last"]
    target = p["target"]
    assert (target["region_zh"], target["local"], target["closed"], target["gaps"]) == (
        "深圳市", False, False, ["seg:game_engine"])
    [item] = target["items"]
    table = reader.get("/recommendations", params={"region": "深圳", "segment": "游戏引擎", "limit": 1}).json()
    first = table["items"][0]
    assert first["org"] == IDEAL["id"] and item["rank"] == 1 and item["gap"] == "missing"
    assert [(x["name"], x["value"]) for x in item["parts"]] == [(x["name"], x["value"]) for x in first["parts"]]
    assert item["form"]["form"] == IDEAL["form"]


def test_a_local_firm_is_no_target_and_without_a_region_there_is_no_target_section(reader):
    local = reader.get(f"/organisations/{IDEAL['introducer']}/profile", params={"region": "深圳"}).json()
    assert local["target"]["local"] is True and local["target"]["items"] == []
    decoy = ENGINE["decoys"]["already_local_site"][0]
    site = reader.get(f"/organisations/{decoy}/profile", params={"region": "cn/guangdong/shenzhen"}).json()
    assert site["target"]["local"] is True and site["target"]["items"] == []
    assert reader.get(f"/organisations/{IDEAL['id']}/profile").json()["target"] is None


def test_unknown_firm_bad_region_and_no_key(reader):
    assert_error(reader.get("/organisations/org:nope/profile"), 404, "not_found")
    assert_error(reader.get(f"/organisations/{IDEAL['id']}/profile", params={"region": "火星"}), 422, "invalid_input")
    assert_error(reader.get(f"/organisations/{IDEAL['id']}/profile", role=None), 401, "unauthorized")
