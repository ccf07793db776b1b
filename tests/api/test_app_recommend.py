"""/recommendations, /introducers, /partners, /campaigns, /outcomes over HTTP on the sample world.

Known answers (fixtures/shenzhen_digital_creative/answers.json): the planted
ideal target of each missing segment comes first with its planted form, the
planted introducer first, the planted partner of each start-up found.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from fixtures.world import load_world
from matching.recommend.form import FORMS_EN
from tests.api.conftest import Api, assert_error, start, world_dir

_, ANSWERS = load_world()
MISSING = ANSWERS["missing"]
LOCAL = ANSWERS["local_region"]
NANSHAN, LONGGANG, FUTIAN = "org:p004", "org:p007", "org:p002"  # district investment-promotion agencies


@pytest.fixture(scope="module")
def reader(tmp_path_factory, world_store_file):
    """One app for the tests that only read: the search index and the recommendation index are built once."""
    settings, tokens = start(world_dir(tmp_path_factory.mktemp("recommend"), world_store_file))
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield Api(client, settings, tokens)


def _page(body: dict, limit: int, offset: int = 0) -> list:
    assert body["limit"] == limit and body["offset"] == offset
    assert len(body["items"]) <= limit and body["total"] >= offset + len(body["items"])
    return body["items"]


def test_planted_target_first_with_planted_form_for_every_missing_segment(reader):
    for m in MISSING:
        ideal = m["ideal_target"]
        r = reader.get("/recommendations", params={"region": "深圳", "segment": m["segment"], "limit": 5})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["region"] == LOCAL and body["focus"] == [m["segment"]] and body["chain"] is None
        items = _page(body, 5)
        top = items[0]
        assert top["org"] == ideal["id"], (m["segment"], [t["org"] for t in items])
        assert top["rank"] == 1 and top["segment"] == m["segment"]
        assert top["form"]["form"] == ideal["form"] and top["form"]["rule"] and top["form"]["form_zh"]
        # the form's name in English comes from the engine, so the workbench keeps no table of its own
        assert top["form"]["form_en"] == FORMS_EN[ideal["form"]]
        assert top["form"]["checks"][ideal["form"]] is True
        ids = [t["org"] for t in items]
        for decoy in m["decoys"]["similar_text"]:
            assert decoy not in ids[:1]
        for t in items:
            assert abs(t["total"] - sum(p["value"] for p in t["parts"])) < 1e-6
            assert [p["name"] for p in t["parts"]] == ["gap_fit", "chain_pull", "leadership", "expansion",
                                                      "local_site", "stale"]
            assert t["evidence"] and t["reason_zh"] and t["reason_en"] and t["status"] is None
            assert not (t["region"] or "").startswith(LOCAL)


def test_evidence_ids_exist(reader):
    top = reader.get("/recommendations", params={"region": LOCAL, "segment": "seg:game_engine", "limit": 1}).json()
    t = top["items"][0]
    orgs = [e for e in t["evidence"] if e.startswith("org:")]
    links = {e for e in t["evidence"] if e.startswith("link:")}
    for oid in orgs[:5]:
        assert reader.get(f"/organisations/{oid}").status_code == 200
    assert links <= set(MISSING[0]["ideal_target"]["supply_link_ids"]) | set(
        MISSING[0]["ideal_target"]["introducer_link_ids"])


def test_whole_chain_ranks_its_gaps_and_pages(reader):
    r = reader.get("/recommendations", params={"region": "深圳", "chain": "动漫游戏", "limit": 5})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["chain"] == "chain:animation_games" and len(body["focus"]) > 1
    first = _page(body, 5)
    assert {t["gap"] for t in first} <= {"missing", "thin", "extension"}
    second = reader.get("/recommendations", params={"region": "深圳", "chain": "动漫游戏", "limit": 5,
                                                  "offset": 5}).json()
    assert [t["rank"] for t in second["items"]] == list(range(6, 6 + len(second["items"])))
    assert second["total"] == body["total"] and not {t["org"] for t in first} & {t["org"] for t in second["items"]}


def test_planted_introducer_first(reader):
    for m in MISSING:
        ideal = m["ideal_target"]
        r = reader.get("/introducers", params={"target": ideal["id"], "region": "深圳", "limit": 3})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["target"] == ideal["id"] and body["region"] == LOCAL
        top = _page(body, 3)[0]
        assert top["org"] == ideal["introducer"], (ideal["id"], [x["org"] for x in body["items"]])
        assert top["kind"] == "direct" and top["path"] and top["relations"]
        assert [p["name"] for p in top["parts"]] == ["tie", "paths", "recency", "weight"]
        assert abs(top["total"] - sum(p["value"] for p in top["parts"])) < 1e-6
    first = MISSING[0]["ideal_target"]
    top = reader.get("/introducers", params={"target": first["id"], "region": LOCAL}).json()["items"][0]
    assert set(top["path"]) == set(first["introducer_link_ids"])


@pytest.mark.parametrize("startup", ANSWERS["startups"], ids=lambda s: s["startup"])
def test_planted_partner_for_each_startup(reader, startup):
    body = {"profile": startup["niche_zh"], "region": "深圳", "segments": [startup["segment"]],
            "startup": startup["startup"]}
    r = reader.post("/partners", role="viewer", json=body, params={"limit": 10})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["segments"] == [startup["segment"]]
    ids = [p["org"] for p in _page(out, 10)]
    assert startup["expected_partner"] in ids[:3], ids
    hit = out["items"][ids.index(startup["expected_partner"])]
    assert hit["role"] == "customer" and startup["expected_partner_segment"] in hit["segments"]
    assert startup["startup"] not in ids


def test_partners_without_a_segment_use_the_startups_own(reader):
    s = ANSWERS["startups"][3]
    out = reader.post("/partners", role="viewer", json={"profile": s["niche_en"], "startup": s["startup"]}).json()
    assert out["segments"] == [s["segment"]] and out["items"]


def test_campaign_lifecycle_and_conflict_between_two_agencies(api):
    targets = ANSWERS["joint_campaigns"][0]["targets"]
    plan = api.post("/campaigns/propose", role="viewer", json={"targets": targets, "region": "深圳"})
    assert plan.status_code == 200, plan.text
    plan = plan.json()
    assert plan["targets"] == targets and plan["lead_agency"] and plan["conflicts"] == []
    assert plan["co_pitch"][0]["org"] == ANSWERS["joint_campaigns"][0]["introducer"]
    assert any(g["kind"] == "shared_introducer" for g in plan["groups"])

    a = api.post("/campaigns", json={"name": "XR 上游", "owner": NANSHAN, "targets": targets, "region": "深圳"})
    assert a.status_code == 201, a.text
    a = a.json()
    assert a["campaign"]["owner"] == NANSHAN and a["campaign"]["targets"] == sorted(targets)
    assert a["campaign"]["region"] == LOCAL and a["conflicts"] == []
    b = api.post("/campaigns", json={"name": "光学模组", "owner": LONGGANG, "targets": [targets[0]]}).json()
    assert b["conflicts"] == [{"org": targets[0], "agencies": sorted([NANSHAN, LONGGANG]),
                               "campaigns": sorted([a["campaign"]["id"], b["campaign"]["id"]])}]
    listed = api.get("/campaigns/conflicts").json()
    assert listed["total"] == 1 and listed["items"] == b["conflicts"]
    again = api.post("/campaigns/propose", role="viewer", json={"targets": targets}).json()
    assert again["conflicts"] == b["conflicts"]

    cid = b["campaign"]["id"]
    added = api.post(f"/campaigns/{cid}/add", json={"partners": [NANSHAN], "targets": [targets[1]]})
    assert added.status_code == 200, added.text
    assert added.json()["campaign"]["partners"] == [NANSHAN] and added.json()["conflicts"] == []
    assert api.get("/campaigns/conflicts").json()["total"] == 0

    c = api.post("/campaigns", json={"name": "再争", "owner": FUTIAN, "targets": [targets[0]]}).json()
    assert c["conflicts"] and FUTIAN in c["conflicts"][0]["agencies"]
    closed = api.post(f"/campaigns/{c['campaign']['id']}/close", json={"note": "让给南山"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert api.get("/campaigns/conflicts").json()["total"] == 0

    page = api.get("/campaigns", params={"status": "open", "limit": 1}).json()
    assert page["total"] == 2 and len(page["items"]) == 1
    assert api.get("/campaigns").json()["total"] == 3
    # by region: a recruits for Shenzhen; b and c name no region and belong where their agencies sit (Longgang,
    # Nanshan as b's partner, Futian), all inside Shenzhen; a place outside it has none
    def region_ids(region, **params):
        return [x["id"] for x in api.get("/campaigns", params={"region": region, **params}).json()["items"]]

    ids = [x["campaign"]["id"] for x in (a, b, c)]
    assert region_ids("深圳") == ids and region_ids("深圳", status="open") == ids[:2]
    assert region_ids("龙岗区") == [ids[1]] and region_ids("福田区") == [ids[2]]
    assert region_ids("南山区") == ids[:2]  # a's owner, and b's partner since the add
    assert region_ids("广州") == [] and region_ids("罗湖区") == []
    assert api.get(f"/campaigns/{cid}").json()["targets"] == sorted(targets)
    events = api.get(f"/campaigns/{cid}/history").json()
    assert [e["event"] for e in events["items"]] == ["created", "targets_added", "partners_added"]
    assert events["campaign"] == cid and events["total"] == 3


def test_landed_outcome_removes_the_target_and_makes_it_local(api):
    m = MISSING[0]
    ideal = m["ideal_target"]["id"]
    params = {"region": "深圳", "segment": m["segment"], "limit": 20}
    r = api.post("/outcomes", json={"org": ideal, "region": "深圳", "status": "contacted"})
    assert r.status_code == 201, r.text
    assert api.get("/recommendations", params=params).json()["items"][0]["status"] == "contacted"
    before = api.get("/recommendations", params=params).json()["total"]
    landed = api.post("/outcomes", json={"org": ideal, "region": "深圳市南山区", "status": "landed",
                                         "segment": "游戏引擎", "form": "rd_centre", "note": "签约"})
    assert landed.status_code == 201, landed.text
    out = landed.json()
    assert out["region"] == "cn/guangdong/shenzhen/nanshan" and out["segment"] == m["segment"]
    assert out["actor"] and out["status"] == "landed"
    after = api.get("/recommendations", params=params).json()
    assert ideal not in [t["org"] for t in after["items"]] and after["total"] == before - 1
    sites = api.get(f"/organisations/{ideal}").json()["sites"]
    assert {"region": "cn/guangdong/shenzhen/nanshan", "kind": "rd_centre"} in [
        {k: s[k] for k in ("region", "kind")} for s in sites]
    hist = api.get("/outcomes", params={"org": ideal}).json()
    assert [o["status"] for o in hist["items"]] == ["contacted", "landed"] and hist["total"] == 2
    assert api.get("/outcomes", params={"region": "南山区", "status": "landed"}).json()["total"] == 1
    assert api.get("/outcomes", params={"region": "cn/guangdong/guangzhou"}).json()["total"] == 0
    # a landed firm is local: it can now introduce others
    intro = api.get("/introducers", params={"target": "org:f1099", "region": "深圳", "limit": 500}).json()
    assert intro["total"] >= 1


def test_rejected_targets_can_be_hidden(api):
    m = MISSING[1]
    ideal = m["ideal_target"]["id"]
    api.post("/outcomes", json={"org": ideal, "status": "rejected"})
    shown = api.get("/recommendations", params={"region": "深圳", "segment": m["segment"]}).json()
    assert shown["items"][0]["org"] == ideal and shown["items"][0]["status"] == "rejected"
    hidden = api.get("/recommendations", params={"region": "深圳", "segment": m["segment"],
                                                 "hide_rejected": True}).json()
    assert ideal not in [t["org"] for t in hidden["items"]]


WRITES = [
    ("post", "/campaigns", {"name": "x", "owner": NANSHAN, "targets": ["org:f0140"]}),
    ("post", "/campaigns/1/add", {"targets": ["org:f0846"]}),
    ("post", "/campaigns/1/close", {"note": ""}),
    ("post", "/outcomes", {"org": "org:f0140", "status": "contacted"}),
]


@pytest.mark.parametrize("method,url,body", WRITES, ids=[w[1] for w in WRITES])
def test_writes_need_an_editor(api, method, url, body):
    api.post("/campaigns", json=WRITES[0][2])  # campaign 1 exists
    assert_error(getattr(api, method)(url, role=None, json=body), 401, "unauthorized")
    assert_error(getattr(api, method)(url, role="nonsense-key", json=body), 401, "unauthorized")
    assert_error(getattr(api, method)(url, role="viewer", json=body), 403, "forbidden")
    assert getattr(api, method)(url, role="editor", json=body).status_code in (200, 201)


@pytest.mark.parametrize("url", ["/recommendations?region=深圳&segment=seg:game_engine",
                                 "/introducers?region=深圳&target=org:f1561", "/campaigns",
                                 "/campaigns/conflicts", "/outcomes"])
def test_reads_need_a_viewer(api, url):
    assert_error(api.get(url, role=None), 401, "unauthorized")
    assert api.get(url, role="viewer").status_code == 200
    assert_error(api.post("/partners", role=None, json={"profile": "x"}), 401, "unauthorized")
    assert_error(api.post("/campaigns/propose", role=None, json={"targets": ["org:f0140"]}), 401,
                 "unauthorized")


def test_unknown_ids_are_404(api):
    assert_error(api.get("/introducers", params={"target": "org:nobody", "region": "深圳"}), 404, "not_found")
    for url in ("/campaigns/999", "/campaigns/999/history"):
        assert_error(api.get(url), 404, "not_found")
    assert_error(api.post("/campaigns/999/add", json={"targets": ["org:f0140"]}), 404, "not_found")
    assert_error(api.post("/campaigns/999/close", json={}), 404, "not_found")
    assert_error(api.post("/campaigns", json={"name": "x", "owner": "org:nobody", "targets": ["org:f0140"]}),
                 404, "not_found")
    assert_error(api.post("/campaigns/propose", role="viewer", json={"targets": ["org:nobody"]}), 404,
                 "not_found")
    assert_error(api.post("/outcomes", json={"org": "org:nobody", "status": "landed"}), 404, "not_found")
    assert_error(api.post("/outcomes", json={"org": "org:f0140", "status": "contacted", "campaign": 42}), 404,
                 "not_found")
    assert_error(api.get("/outcomes", params={"org": "org:nobody"}), 404, "not_found")
    assert_error(api.post("/partners", role="viewer", json={"profile": "x", "startup": "org:nobody"}), 404,
                 "not_found")
    assert api.get("/outcomes").json()["total"] == 0  # nothing recorded by the refused writes


def test_bad_input_is_422(api):
    bad = [
        api.get("/recommendations", params={"region": "亚特兰蒂斯", "segment": "seg:game_engine"}),
        api.get("/recommendations", params={"region": "深圳", "segment": "不存在的环节"}),
        api.get("/recommendations", params={"region": "深圳", "chain": "不存在的链"}),
        api.get("/recommendations", params={"segment": "seg:game_engine"}),
        api.get("/recommendations", params={"region": "深圳", "limit": 0}),
        api.get("/introducers", params={"target": "org:f1561"}),
        api.get("/campaigns/0"),
        api.get("/campaigns/abc"),
        api.get("/campaigns", params={"status": "pending"}),
        api.post("/campaigns", json={"name": "x", "owner": NANSHAN, "targets": []}),
        api.post("/campaigns", json={"name": " ", "owner": NANSHAN, "targets": ["org:f0140"]}),
        api.post("/campaigns", json={"name": "x", "owner": NANSHAN, "targets": ["org:f0140"], "extra": 1}),
        api.post("/campaigns/1/add", json={}),
        api.post("/outcomes", json={"org": "org:f0140", "status": "signed"}),
        api.post("/outcomes", json={"org": "org:f0140", "status": "landed", "form": "branch"}),
        api.post("/outcomes", json={"org": "org:f0140", "status": "landed", "segment": "不存在的环节"}),
        api.post("/outcomes", json={"org": "=cmd()", "status": "contacted"}),
        api.post("/partners", role="viewer", json={"profile": ""}),
        api.post("/partners", role="viewer", json={"profile": "x", "segments": ["不存在的环节"]}),
        api.get("/outcomes", params={"status": "won"}),
    ]
    for i, r in enumerate(bad):
        err = assert_error(r, 422, "invalid_input")
        assert err["details"] or i == 2, (i, err)  # the chain analysis names no field


def test_partners_without_any_segment_predict_one_from_the_profile(reader):
    s = ANSWERS["startups"][3]
    out = reader.post("/partners", role="viewer", json={"profile": "非遗微短剧，短视频与微短剧制作，竖屏短剧拍摄"})
    assert out.status_code == 200, out.text
    assert out.json()["segments"] == [s["segment"]]


def test_backtest_summary_has_every_scorer_and_is_memoised(reader):
    r = reader.get("/eval/backtest", params=[("kinds", "supplies"), ("kinds", "partners")])
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["kinds"] == ["supplies", "partners"] and out["queries"] > 0 and out["t0"]
    assert {"engine", "popularity", "adamic_adar"} <= set(out["table"])
    assert out["table"]["engine"]["all"]["Recall@50"] > out["table"]["popularity"]["all"]["Recall@50"]
    assert reader.get("/eval/backtest", params=[("kinds", "supplies"), ("kinds", "partners")]).json() == out
    assert_error(reader.get("/eval/backtest", params={"t0": "2025-02-30"}), 422, "invalid_input")
    assert_error(reader.get("/eval/backtest", params={"kinds": "located_in"}), 422, "invalid_input")
    assert_error(reader.get("/eval/backtest", role=None), 401, "unauthorized")


def test_entries_summary_has_every_baseline_and_refuses_nonsense(reader):
    r = reader.get("/eval/entries", params={"t0": "2018-12-31", "level": "city", "min_firms": 5})
    assert r.status_code == 200, r.text
    out = r.json()
    assert set(out["table"]) == {"engine", "random", "popularity", "density", "demand"}
    assert out["regions"] >= 1 and out["entries"] >= 1 and out["level"] == "city"
    assert all(0.0 <= v <= 1.0 for row in out["table"].values() for v in row.values())
    assert reader.get("/eval/entries", params={"t0": "2018-12-31", "level": "city", "min_firms": 5}).json() == out
    assert_error(reader.get("/eval/entries", params={"t0": "2018-02-30"}), 422, "invalid_input")
    assert_error(reader.get("/eval/entries", params={"level": "planet"}), 422, "invalid_input")
    assert_error(reader.get("/eval/entries", params={"t0": "1800-01-01"}), 422, "invalid_input")
    assert_error(reader.get("/eval/entries", role=None), 401, "unauthorized")
