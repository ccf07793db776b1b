"""/search, /index and /classify: the matching core over HTTP (hashing embedder)."""

from __future__ import annotations

from tests.api.conftest import assert_error


def test_readiness_reports_model_and_index_state_without_building(api):
    comps = api.client.get("/ready").json()["components"]
    assert comps["model"]["state"] == "not_loaded" and comps["index"]["state"] == "not_built"
    assert api.get("/search", params={"q": "游戏引擎"}).status_code == 200
    comps = api.client.get("/ready").json()["components"]
    assert comps["model"]["state"] == "loaded" and comps["index"]["state"] == "ready"
    api.patch("/organisations/org:f0001", json={"employees": 3})
    assert api.client.get("/ready").json()["components"]["index"]["state"] == "stale"


def test_chinese_search_finds_the_segment_firms_with_score_parts(api):
    r = api.get("/search", params={"q": "游戏引擎", "limit": 10})
    assert r.status_code == 200, r.text
    res = r.json()
    assert res["mode"] == "hybrid" and len(res["items"]) == 10 and res["items"][0]["rank"] == 1
    engine_firms = {o["id"] for o in api.get("/organisations", params={"segment": "seg:game_engine",
                                                                       "limit": 500}).json()["items"]}
    top = [h["id"] for h in res["items"][:5]]
    assert len(set(top) & engine_firms) >= 3, top
    assert all(h["lexical_rank"] is not None or h["dense_rank"] is not None for h in res["items"])


def test_search_filters_and_pages(api):
    res = api.get("/search", params={"q": "motion capture", "region": "深圳", "kind": "firm",
                                     "limit": 5}).json()
    assert res["region"] == "cn/guangdong/shenzhen"
    assert all(h["region"].startswith("cn/guangdong/shenzhen") for h in res["items"])
    first = api.get("/search", params={"q": "动作捕捉", "limit": 4}).json()["items"]
    second = api.get("/search", params={"q": "动作捕捉", "limit": 2, "offset": 2}).json()["items"]
    assert [h["id"] for h in first[2:]] == [h["id"] for h in second]
    seg = api.get("/search", params={"q": "engine", "segment": "游戏引擎", "mode": "lexical"}).json()
    assert seg["segment"] == "seg:game_engine" and seg["weights"]["dense"] == 0
    assert_error(api.get("/search", params={"q": ""}), 422, "invalid_input")
    assert_error(api.get("/search", params={"q": "x", "offset": 10**9}), 422, "invalid_input")
    assert_error(api.get("/search", params={"q": "x", "segment": "不存在"}), 422, "invalid_input")
    assert_error(api.get("/search", params={"q": "x", "mode": "magic"}), 422, "invalid_input")
    assert_error(api.get("/search", params={"q": "x"}, role=None), 401, "unauthorized")


def test_index_status_and_build(api):
    status = api.get("/index").json()
    assert status["index"]["state"] == "not_built" and status["manifest"] is None
    assert_error(api.post("/index/build", role="viewer"), 403, "forbidden")
    built = api.post("/index/build").json()
    assert built["index"]["state"] == "ready" and built["manifest"]["size"] == 1670
    assert built["manifest"]["store_version"] == built["store_version"]


def test_classify_dry_run_then_write(api):
    new = api.post("/organisations", json={"name_zh": "深圳市动捕未来科技有限公司",
                                           "products": ["光学动作捕捉系统", "惯性动捕服"]}).json()
    res = api.post("/classify", params={"limit": 500}).json()
    assert res["written"] is None and res["organisations"] >= 1
    mine = [p for p in res["items"] if p["org_id"] == new["id"]]
    assert mine and mine[0]["rank"] == 1 and 0 <= mine[0]["confidence"] <= 1
    assert api.get(f"/organisations/{new['id']}").json()["segments"] == []
    res = api.post("/classify", params={"dry_run": "false", "min_confidence": 0.0}).json()
    assert res["written"] >= 1
    segs = api.get(f"/organisations/{new['id']}").json()["segments"]
    assert segs and segs[0]["status"] == "predicted" and segs[0]["segment"] == mine[0]["segment"]
    assert_error(api.post("/classify", role="viewer"), 403, "forbidden")


def test_classify_review_is_for_editors_and_resolves_its_words(api):
    body = {"org": "org:f0001", "segment": "游戏引擎"}
    assert api.post("/classify/confirm", json=body, role="viewer").status_code == 403
    assert_error(api.post("/classify/reject", json={**body, "org": "无此公司"}), 404, "not_found")
    assert_error(api.post("/classify/reject", json={**body, "segment": "无此环节xyz"}), 422, "invalid_input")
    assert api.post("/classify/reject", json={**body, "extra": 1}).status_code == 422
    done = api.post("/classify/reject", json=body).json()
    assert (done["org"], done["segment"], done["status"], done["changed"]) == ("org:f0001", "seg:game_engine",
                                                                               "rejected", True)
