"""The lists over HTTP: roles, the regeneration rule end to end, export/import uploads, one error shape."""

from __future__ import annotations

import csv
import io
from urllib.parse import quote

import openpyxl
import pytest

from tests.api.conftest import assert_error

CHAIN = "动漫游戏"
Q = {"region": "深圳", "chain": CHAIN}


def _generate(api, kind="key_firms", role="editor", **body):
    return api.post(f"/lists/{kind}/generate", json={"region": "深圳", "chain": CHAIN, "top": 8, **body}, role=role)


def test_viewers_read_editors_write_anonymous_gets_nothing(api):
    assert _generate(api).status_code == 200
    eid = api.get("/lists/key_firms", params=Q).json()["items"][0]["id"]
    writes = [
        lambda role: _generate(api, role=role),
        lambda role: api.post("/lists/policies/entries", json={"region": "深圳", "title": "措施"}, role=role),
        lambda role: api.patch(f"/lists/entries/{eid}", json={"note": "x"}, role=role),
        lambda role: api.delete(f"/lists/entries/{eid}", role=role),
        lambda role: api.post("/lists/policies/import", params={"region": "深圳"}, role=role,
                              files={"file": ("p.csv", "名称\n措施二\n".encode())}),
    ]
    for write in writes:
        assert_error(write("viewer"), 403, "forbidden")
        assert_error(write(None), 401, "unauthorized")
    for url in ("/lists", "/lists/key_firms", "/lists/key_firms/export", "/lists/key_firms/history"):
        assert api.get(url, params=Q, role="viewer").status_code == 200, url
        assert_error(api.get(url, params=Q, role=None), 401, "unauthorized")
    assert api.get(f"/lists/entries/{eid}").status_code == 200
    assert api.get("/lists/key_firms/history", params=Q).json()["total"] == 8  # viewers' attempts wrote nothing


def test_regenerating_over_http_keeps_curated_entries(api):
    first = _generate(api).json()
    assert (first["added"], first["kept_curated"]) == (8, 0)
    items = api.get("/lists/重点企业", params=Q).json()["items"]
    assert [i["rank"] for i in items] == list(range(1, 9)) and {i["origin"] for i in items} == {"generated"}
    edited = api.patch(f"/lists/entries/{items[0]['id']}", json={"note": "重点服务", "fields": {"score": None}}).json()
    assert edited["origin"] == "curated" and "score" not in edited["fields"]
    hidden = api.delete(f"/lists/entries/{items[1]['id']}").json()
    assert hidden["hidden"] and hidden["origin"] == "curated"
    twin = api.post("/lists/key_firms/entries", json={**Q, "subject": items[7]["subject"], "note": "手工"})
    assert "already in this list" in assert_error(twin, 422, "invalid_input")["message"]
    # the data changes: a listed firm leaves the store
    assert api.delete(f"/organisations/{items[2]['subject']}", role="editor").status_code == 204
    again = _generate(api, top=8).json()
    assert (again["kept_curated"], again["skipped_hidden"]) == (2, 1) and again["removed"] == 1
    now = {i["id"]: i for i in api.get("/lists/key_firms", params={**Q, "hidden": True, "limit": 100}).json()["items"]}
    assert now[items[0]["id"]] == edited and now[items[1]["id"]] == hidden
    assert items[2]["id"] not in now and len(now) == 8
    shown = api.get("/lists/key_firms", params=Q).json()
    assert items[1]["id"] not in {i["id"] for i in shown["items"]} and shown["total"] == 7


def test_add_resolves_organisations_and_refuses_bad_input_naming_the_field(api, answers):
    ideal = answers["missing"][0]["ideal_target"]
    r = api.post("/lists/targets/entries", json={**Q, "subject": ideal["name_zh"], "fields": {"form": "研发中心"}})
    assert r.status_code == 201, r.text
    assert (r.json()["subject"], r.json()["title"], r.json()["origin"]) == (ideal["id"], ideal["name_zh"], "curated")
    err = assert_error(api.post("/lists/targets/entries", json={**Q, "subject": "不存在的公司"}), 422, "invalid_input")
    assert err["details"][0]["field"] == "body.subject"
    err = assert_error(api.post("/lists/projects/entries", json={**Q, "title": "园区", "fields": {
        "investment_cny_m": "很多", "stage": "=1+1"}}), 422, "invalid_input")
    assert {d["field"] for d in err["details"]} == {"fields.investment_cny_m", "fields.stage"}
    assert_error(api.post("/lists/six/entries", json={**Q, "title": "x"}), 422, "invalid_input")
    assert_error(api.post("/lists/policies/entries", json={"region": "火星", "title": "x"}), 422, "invalid_input")
    assert_error(api.patch("/lists/entries/999999", json={"note": "x"}), 404, "not_found")
    assert_error(_generate(api, kind="policies"), 422, "invalid_input")
    assert api.get("/lists/projects", params=Q).json()["total"] == 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_and_import_round_trip_over_http(api, fmt):
    _generate(api, kind="platforms")
    api.post("/lists/policies/entries", json={**Q, "title": "数字创意产业集群若干措施", "fields": {"issuer": "深圳市"}})
    r = api.get("/lists/platforms/export", params={**Q, "format": fmt})
    # the file says which list, region and chain it holds (Chinese name, ASCII fallback)
    assert r.status_code == 200 and f'filename="chainmatch-list-platforms-cn-guangdong-shenzhen-chain-animation_games.{fmt}"' in \
        r.headers["content-disposition"]
    assert f"filename*=UTF-8''{quote(f'创新平台_深圳市_动漫游戏.{fmt}')}" in r.headers["content-disposition"]
    if fmt == "csv":
        assert r.content.startswith(b"\xef\xbb\xbf") and r.headers["content-type"].startswith("text/csv")
        header = next(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    else:
        header = [c.value for c in openpyxl.load_workbook(io.BytesIO(r.content)).active[1]]
    assert header[:3] == ["编号", "机构编号", "名称"] and "平台类型" in header
    v = api.get("/lists/platforms", params=Q).json()["version"]
    back = api.post("/lists/platforms/import", params=Q, files={"file": (f"平台.{fmt}", r.content)})
    assert back.status_code == 200, back.text
    assert (back.json()["unchanged"], back.json()["updated"], back.json()["version"]) == (5, 0, v)


def test_a_bad_upload_names_row_and_column_and_writes_nothing(api):
    _generate(api, kind="platforms")
    before = api.get("/lists/platforms", params={**Q, "hidden": True}).json()
    bad = "机构编号,名称,平台类型\norg:p012,像素湾,孵化器\norg:nope,,园区\norg:p016,@SUM(1),园区\n".encode()
    err = assert_error(api.post("/lists/platforms/import", params=Q, files={"file": ("平台.csv", bad)}),
                       422, "invalid_input")
    assert {(d["row"], d["field"]) for d in err["details"]} == {(3, "机构编号"), (4, "名称")}
    assert all(d["file"] == "平台.csv" for d in err["details"])
    assert api.get("/lists/platforms", params={**Q, "hidden": True}).json() == before
    assert_error(api.post("/lists/platforms/import", params=Q, files={"file": ("x.json", b"[]")}),
                 422, "invalid_input")


def test_overview_counts_the_six_lists(api):
    _generate(api)
    body = api.get("/lists", params=Q).json()
    assert body["chain"] == "chain:animation_games" and body["region"] == "cn/guangdong/shenzhen"
    assert [x["name_zh"] for x in body["lists"]] == ["重点企业", "招商引资目标", "重点项目", "创新平台", "政策工具包",
                                                    "战略咨询支撑机构"]
    assert body["lists"][0]["shown"] == 8 and body["lists"][2]["generated_kind"] is False


def test_editing_the_organisation_renames_the_entry(api, answers):
    t = answers["missing"][0]["ideal_target"]
    other = answers["missing"][1]["ideal_target"]
    e = api.post("/lists/targets/entries", json={**Q, "subject": t["id"]}).json()
    moved = api.patch(f"/lists/entries/{e['id']}", json={"subject": other["id"]}).json()
    assert (moved["subject"], moved["title"]) == (other["id"], other["name_zh"])
    titled = api.patch(f"/lists/entries/{e['id']}", json={"subject": t["id"], "title": "自定名称"}).json()
    assert (titled["subject"], titled["title"]) == (t["id"], "自定名称")
    for number in ("1e400", "-1e400", "NaN"):  # JSON the client cannot send from Python floats
        err = assert_error(api.client.patch(f"/lists/entries/{e['id']}", content=f'{{"fields": {{"score": {number}}}}}',
                                     headers={**api.headers("editor"), "Content-Type": "application/json"}),
                           422, "invalid_input")
        assert err["details"][0]["field"] in ("fields.score", "body.fields.score")
