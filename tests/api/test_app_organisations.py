"""/organisations on the sample world: search and filters (Chinese included), CRUD, hostile strings."""

from __future__ import annotations

import pytest

from graph.store.sqlite import SqliteStore
from tests.api.conftest import assert_error

HOSTILE = [
    "'; DROP TABLE orgs; --",
    'Robert"); MATCH (n) DETACH DELETE n //',
    "<script>alert('x')</script>",
    "{{7*7}} ${jndi:ldap://x} $(rm -rf /) `id`",
    "../../etc/passwd %00 %2e%2e/",
    "\u202eRTL override\u200b zero\u2060width",
    "emoji 🏭🔗 ＦＵＬＬＷＩＤＴＨ 𠀋",
    "back\\slash \\u0000 \"quoted\" 'single'",
    "a\nnew line\tand tab",
    "深圳市'||'光影' OR 1=1 --",
]


def _names(page: dict) -> list[str]:
    return [o["name_zh"] for o in page["items"]]


def test_list_is_paginated_with_a_total(api):
    first = api.get("/organisations?limit=5").json()
    assert first["total"] == 1670 and len(first["items"]) == 5 and first["offset"] == 0
    second = api.get("/organisations?limit=5&offset=5").json()
    assert {o["id"] for o in first["items"]}.isdisjoint(o["id"] for o in second["items"])
    beyond = api.get("/organisations?offset=100000").json()
    assert beyond["items"] == [] and beyond["total"] == 1670


def test_search_by_chinese_name_substring(api):
    page = api.get("/organisations", params={"q": "光影", "limit": 500}).json()
    assert page["total"] > 0 and all("光影" in n or "光影" in str(o)
                                     for n, o in zip(_names(page), page["items"], strict=True))


def test_search_by_english_name_is_case_and_width_insensitive(api):
    name = api.get("/organisations/org:f0001").json()["name_en"]
    word = name.split()[0]
    for q in (word.upper(), word.lower(), "".join(chr(ord(c) + 0xFEE0) for c in word)):
        ids = {o["id"] for o in api.get("/organisations", params={"q": q, "limit": 500}).json()["items"]}
        assert "org:f0001" in ids, q


@pytest.mark.parametrize("region,prefix", [
    ("深圳市南山区", "cn/guangdong/shenzhen/nanshan"),
    ("Nanshan District, Shenzhen", "cn/guangdong/shenzhen/nanshan"),
    ("深圳", "cn/guangdong/shenzhen"),
    ("Shenzhen", "cn/guangdong/shenzhen"),
    ("cn/guangdong/shenzhen", "cn/guangdong/shenzhen"),
    ("cn/beijing", "cn/beijing"),
])
def test_region_filter_takes_ids_and_chinese_or_english_names(api, region, prefix):
    page = api.get("/organisations", params={"region": region, "limit": 500}).json()
    assert page["region"] == prefix and page["total"] > 0
    assert all(o["region"] == prefix or o["region"].startswith(prefix + "/") for o in page["items"])
    with SqliteStore.open(api.settings.store_path) as store:
        assert page["total"] == sum(1 for _ in store.organisations(region=prefix))


def test_unknown_region_name_is_422(api):
    err = assert_error(api.get("/organisations", params={"region": "亚特兰蒂斯"}), 422, "invalid_input")
    assert err["details"][0]["field"] == "query.region"


def test_segment_filter_by_id_or_chinese_name(api):
    by_id = api.get("/organisations", params={"segment": "seg:game_engine", "limit": 500}).json()
    by_name = api.get("/organisations", params={"segment": "游戏引擎", "limit": 500}).json()
    assert by_id["total"] == by_name["total"] > 0
    assert all("seg:game_engine" in {m["segment"] for m in o["segments"]} for o in by_id["items"])
    assert_error(api.get("/organisations", params={"segment": "不存在的环节"}), 422, "invalid_input")


def test_chain_kind_and_tier_filters_combine(api):
    chain = api.get("/chains/chain:animation_games").json()["segments"]
    page = api.get("/organisations", params={"chain": "动漫游戏", "region": "深圳", "kind": "firm",
                                             "tier": "专精特新", "limit": 500}).json()
    assert page["total"] > 0
    for o in page["items"]:
        assert o["kind"] == "firm" and "专精特新" in o["tiers"]
        assert set(chain) & {m["segment"] for m in o["segments"]}
        assert o["region"].startswith("cn/guangdong/shenzhen")
    platforms = api.get("/organisations", params={"kind": "incubator"}).json()
    assert platforms["total"] > 0 and {o["kind"] for o in platforms["items"]} == {"incubator"}


def test_get_one(api):
    org = api.get("/organisations/org:f0001").json()
    assert org["id"] == "org:f0001" and org["provenance"]["source"].startswith("fixture")
    assert_error(api.get("/organisations/org:none"), 404, "not_found")


def test_create_derives_id_and_region_then_get_and_delete(api):
    body = {"name_zh": "深圳市测试光年科技有限公司", "address": "深圳市南山区粤海街道科技园",
            "segments": [{"segment": "游戏引擎", "confidence": 0.9}], "tiers": ["专精特新"],
            "employees": 42, "provenance": {"source": "招商局走访", "as_of": "2026-01-02"}}
    r = api.post("/organisations", json=body)
    assert r.status_code == 201, r.text
    org = r.json()
    assert org["id"].startswith("org:") and r.headers["location"] == f"/organisations/{org['id']}"
    assert org["region"] == "cn/guangdong/shenzhen/nanshan"
    assert org["segments"][0]["segment"] == "seg:game_engine"
    assert api.get(f"/organisations/{org['id']}").json() == org
    assert_error(api.post("/organisations", json=body), 409, "conflict")
    assert api.delete(f"/organisations/{org['id']}").status_code == 204
    assert_error(api.get(f"/organisations/{org['id']}"), 404, "not_found")
    assert_error(api.delete(f"/organisations/{org['id']}"), 404, "not_found")


def test_create_with_a_known_uscc_merges_into_the_stored_one(api):
    stored = api.get("/organisations/org:f0001").json()
    r = api.post("/organisations", json={"id": "org:dup", "name_zh": "另一个名字", "uscc": stored["uscc"],
                                         "products": ["新产品"]})
    assert r.status_code == 200, r.text
    merged = r.json()
    assert merged["id"] == "org:f0001" and "新产品" in merged["products"]
    assert "另一个名字" in merged["keywords"]
    assert_error(api.get("/organisations/org:dup"), 404, "not_found")


def test_put_replaces_and_patch_changes_only_what_is_sent(api):
    before = api.get("/organisations/org:f0002").json()
    r = api.patch("/organisations/org:f0002", json={"employees": 999, "tiers": ["瞪羚"]})
    after = r.json()
    assert r.status_code == 200 and after["employees"] == 999 and after["tiers"] == ["瞪羚"]
    assert {k: v for k, v in after.items() if k not in ("employees", "tiers")} == \
        {k: v for k, v in before.items() if k not in ("employees", "tiers")}
    assert api.patch("/organisations/org:f0002", json={"uscc": None}).json()["uscc"] is None
    prov = api.patch("/organisations/org:f0002", json={"provenance": {}}).json()["provenance"]
    assert prov == {"source": "api", "as_of": None, "estimated": []}  # a nested object is sent whole
    assert_error(api.patch("/organisations/org:f0002", json={"name_zh": None}), 422, "invalid_input")
    r = api.put("/organisations/org:f0002", json={"name_zh": "替换后的公司", "region": "Shenzhen"})
    replaced = r.json()
    assert r.status_code == 200 and replaced["name_zh"] == "替换后的公司"
    assert replaced["region"] == "cn/guangdong/shenzhen" and replaced["segments"] == []
    assert_error(api.put("/organisations/org:f0002", json={"id": "org:other", "name_zh": "x"}),
                 422, "invalid_input")
    assert_error(api.put("/organisations/org:none", json={"name_zh": "x"}), 404, "not_found")
    assert_error(api.patch("/organisations/org:none", json={"employees": 1}), 404, "not_found")


def test_put_with_another_organisations_uscc_is_409(api):
    other = api.get("/organisations/org:f0003").json()["uscc"]
    r = api.put("/organisations/org:f0002", json={"name_zh": "撞码公司", "uscc": other})
    assert_error(r, 409, "conflict")
    assert_error(api.patch("/organisations/org:f0002", json={"uscc": other}), 409, "conflict")
    assert api.get("/organisations/org:f0003").json()["uscc"] == other


def test_invalid_bodies_are_422_with_fields(api):
    cases = [
        ({}, "body"),
        ({"name_zh": "甲", "uscc": "91440300708461136A"}, "uscc"),  # wrong check digit: the store says so
        ({"name_zh": "=HYPERLINK(\"x\")"}, "body.name_zh"),
        ({"name_zh": "甲", "kind": "spaceship"}, "body.kind"),
        ({"name_zh": "甲", "unknown_field": 1}, "body.unknown_field"),
        ({"name_zh": "甲", "region": "亚特兰蒂斯"}, "body.region"),
    ]
    for body, field in cases:
        err = assert_error(api.post("/organisations", json=body), 422, "invalid_input")
        assert any(d.get("field") == field or d.get("field", "").startswith(field) for d in err["details"]), \
            (body, err)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_strings_round_trip_and_search(api, text):
    body = {"name_zh": f"恶意{text}", "name_en": text, "description_zh": text, "products": [text],
            "keywords": [text], "address": text}
    r = api.post("/organisations", json=body)
    assert r.status_code == 201, r.text
    org = r.json()
    got = api.get(f"/organisations/{org['id']}").json()
    for field in ("name_en", "description_zh", "address"):
        assert got[field] == text
    assert got["name_zh"] == f"恶意{text}" and got["products"] == [text] and text in got["keywords"]
    found = api.get("/organisations", params={"q": text, "limit": 500}).json()
    assert org["id"] in {o["id"] for o in found["items"]}
    assert api.get("/organisations", params={"q": text, "segment": "seg:game_engine"}).status_code == 200
    assert api.get("/stats").json()["counts"]["organisations"] == 1671


def test_many_by_id_in_one_call(api):
    page = api.get("/organisations", params=[("id", "org:f0003"), ("id", "org:nope"), ("id", "org:f0001"),
                                             ("id", "org:f0003"), ("q", "ignored")]).json()
    assert [o["id"] for o in page["items"]] == ["org:f0003", "org:f0001"] and page["total"] == 2
    assert page["items"][1] == api.get("/organisations/org:f0001").json()
    too_many = api.get("/organisations", params=[("id", f"org:f{i:04d}") for i in range(201)])
    assert too_many.status_code == 422
