"""Segments, chains, clusters, links, regions, stats, health and readiness on the sample world."""

from __future__ import annotations

from fixtures.world import load_world
from tests.api.conftest import assert_error

BATCH, _ = load_world()


def test_segments_paginate_and_filter(api):
    page = api.get("/segments?limit=10").json()
    assert page["total"] == len(BATCH.segments) and len(page["items"]) == 10
    chain = api.get("/segments", params={"chain": "动漫游戏", "limit": 500}).json()
    expected = next(c for c in BATCH.chains if c.name_zh == "动漫游戏").segments
    assert [s["id"] for s in chain["items"]] == list(expected)
    up = api.get("/segments", params={"stage": "upstream", "limit": 500}).json()
    assert up["total"] > 0 and {s["stage"] for s in up["items"]} == {"upstream"}
    fmt = api.get("/segments", params={"format": "design_services", "limit": 500}).json()
    assert {s["format"] for s in fmt["items"]} == {"design_services"}
    hits = api.get("/segments", params={"q": "游戏引擎"}).json()
    assert [s["id"] for s in hits["items"]] == ["seg:game_engine"]
    assert api.get("/segments/seg:game_engine").json()["name_zh"] == "游戏引擎"
    assert_error(api.get("/segments/seg:nope"), 404, "not_found")
    assert_error(api.get("/segments", params={"chain": "不存在"}), 422, "invalid_input")


def test_chains_and_chain_detail(api):
    page = api.get("/chains").json()
    assert page["total"] == len(BATCH.chains)
    assert api.get("/chains", params={"q": "XR"}).json()["total"] == 1
    assert api.get("/chains", params={"cluster": "cluster:digital_creative"}).json()["total"] == page["total"]
    for ident in ("chain:animation_games", "动漫游戏", "Animation & games"):
        detail = api.get(f"/chains/{ident}").json()
        assert detail["id"] == "chain:animation_games"
        assert [s["id"] for s in detail["segment_records"]] == detail["segments"]
        members = set(detail["segments"])
        assert detail["edges"] and all(e["upstream"] in members and e["downstream"] in members
                                       for e in detail["edges"])
    assert_error(api.get("/chains/chain:nope"), 404, "not_found")


def test_clusters(api):
    page = api.get("/clusters").json()
    assert page["total"] == 1 and page["items"][0]["name_zh"] == "数字创意产业集群"
    assert api.get("/clusters/cluster:digital_creative").json()["chains"]
    assert_error(api.get("/clusters/nope"), 404, "not_found")


def test_links_filter_by_org_and_kind(api):
    page = api.get("/links", params={"org": "org:f0001", "limit": 500}).json()
    assert page["total"] == sum(1 for x in BATCH.links if "org:f0001" in (x.src, x.dst))
    assert all("org:f0001" in (x["src"], x["dst"]) for x in page["items"])
    sup = api.get("/links", params={"kind": "supplies", "limit": 3}).json()
    assert sup["total"] == sum(1 for x in BATCH.links if x.kind.value == "supplies")


def test_regions_list_resolve_and_get(api):
    page = api.get("/regions", params={"within": "深圳", "level": "district", "limit": 500}).json()
    assert page["total"] > 0
    assert all(r["id"].startswith("cn/guangdong/shenzhen/") and r["level"] == "district" for r in page["items"])
    assert api.get("/regions", params={"q": "南山"}).json()["items"][0]["id"] == "cn/guangdong/shenzhen/nanshan"
    res = api.get("/regions/resolve", params={"text": "广东省深圳市南山区科技园"}).json()
    assert res["region"]["id"] == "cn/guangdong/shenzhen/nanshan"
    assert res["lineage"][-1] == res["region"]["id"] and res["display_en"] == "Nanshan, Shenzhen, Guangdong"
    assert api.get("/regions/resolve", params={"text": "Suzhou, Jiangsu"}).json()["region"]["id"] == \
        "cn/jiangsu/suzhou"
    none = api.get("/regions/resolve", params={"text": "亚特兰蒂斯"}).json()
    assert none["region"] is None and none["lineage"] == []
    assert api.get("/regions/cn/guangdong/shenzhen").json()["name_zh"] == "深圳市"
    assert api.get("/regions/cn/zhejiang/hangzhou").json()["name_en"] == "Hangzhou"  # the gazetteer
    assert_error(api.get("/regions/xx/nowhere"), 404, "not_found")


def test_stats_match_the_world(api):
    s = api.get("/stats").json()
    assert s["counts"]["organisations"] == len(BATCH.organisations)
    assert s["counts"]["links"] == len(BATCH.links)
    assert {c["id"] for c in s["chains"]} == {c.id for c in BATCH.chains}
    assert s["version"] == api.client.get("/ready").json()["store_version"]


def test_readiness_follows_writes(api):
    v = api.client.get("/ready").json()["store_version"]
    api.patch("/organisations/org:f0005", json={"employees": 1})
    assert api.client.get("/ready").json()["store_version"] == v + 1


def test_openapi_documents_every_route_with_the_error_shape_and_examples(api):
    doc = api.client.get("/openapi.json").json()
    schemas = doc["components"]["schemas"]
    assert "ErrorResponse" in schemas and "HTTPValidationError" not in schemas
    assert {"HTTPBearer", "APIKeyHeader"} <= set(doc["components"]["securitySchemes"])
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            codes = set(op["responses"])
            assert "500" in codes, (method, path)
            if path not in ("/health", "/ready"):
                assert {"401", "403", "422", "429"} <= codes, (method, path)
                assert op.get("security"), (method, path)
    assert "examples" in schemas["OrganisationCreate"]
    params = {p["name"]: p for p in doc["paths"]["/organisations"]["get"]["parameters"]}
    assert params["region"].get("examples") or params["region"]["schema"].get("examples")
