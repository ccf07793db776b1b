"""/analysis/*: the chain analyses over HTTP on the sample world, Chinese names in the query."""

from __future__ import annotations

from fixtures.world import load_world
from tests.api.conftest import assert_error

_, ANSWERS = load_world()


def test_gaps_for_shenzhen_by_chinese_names(api):
    r = api.get("/analysis/gaps", params={"region": "深圳", "chain": "动漫游戏"})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["region"] == "cn/guangdong/shenzhen" and out["chain"]["id"] == "chain:animation_games"
    assert out["gaps"] and out["meta"]["cached"] is False
    kinds = {g["kind_zh"] for g in out["gaps"]}
    assert kinds <= {"补链", "强链", "延链"}
    for g in out["gaps"]:
        assert abs(sum(p["value"] for p in g["parts"]) - g["severity"]) < 1e-6
    again = api.get("/analysis/gaps", params={"region": "cn/guangdong/shenzhen", "chain": "chain:animation_games"})
    assert again.json()["gaps"] == out["gaps"]
    top = api.get("/analysis/gaps", params={"region": "Shenzhen", "chain": "Animation & games", "top": 1}).json()
    assert len(top["gaps"]) == 1 and top["gaps_total"] == out["gaps_total"]


def test_cited_ids_exist(api):
    out = api.get("/analysis/gaps", params={"region": "深圳"}).json()
    cited = {i for g in out["gaps"] for i in g["firms"]}
    for oid in list(cited)[:20]:
        assert api.get(f"/organisations/{oid}").status_code == 200


def test_chain_map_leaders_dependence_compare(api):
    m = api.get("/analysis/chain-map", params={"region": "南山区", "chain": "动漫游戏"}).json()
    assert m["region"] == "cn/guangdong/shenzhen/nanshan" and m["segments"]
    lead = api.get("/analysis/leaders", params={"region": "深圳", "chain": "动漫游戏", "top": 5,
                                                "scope": "local"}).json()
    assert 0 < len(lead["leaders"]) <= 5
    dep = api.get("/analysis/dependence", params={"region": "深圳", "chain": "XR"}).json()
    assert dep["chain"]["id"] == "chain:xr_equipment" and "external_share" in dep
    cmp = api.get("/analysis/compare", params=[("regions", "深圳"), ("regions", "广州"),
                                               ("chain", "动漫游戏")]).json()
    assert [r["region"] for r in cmp["regions"]] == ["cn/guangdong/shenzhen", "cn/guangdong/guangzhou"]
    assert cmp["rows"]


def test_analysis_follows_writes(api):
    before = api.get("/analysis/chain-map", params={"region": "深圳"}).json()["meta"]["version"]
    api.patch("/organisations/org:f0001", json={"employees": 5})
    after = api.get("/analysis/chain-map", params={"region": "深圳"}).json()
    assert after["meta"]["version"] != before and after["meta"]["cached"] is False


def test_analysis_errors(api):
    assert_error(api.get("/analysis/gaps", params={"region": "亚特兰蒂斯"}), 422, "invalid_input")
    assert_error(api.get("/analysis/gaps", params={"region": "深圳", "chain": "不存在的链"}), 422,
                 "invalid_input")
    assert_error(api.get("/analysis/gaps"), 422, "invalid_input")
    assert_error(api.get("/analysis/compare", params={"regions": "深圳"}), 422, "invalid_input")
    assert_error(api.get("/analysis/leaders", params={"region": "深圳", "scope": "nearby"}), 422,
                 "invalid_input")
    assert_error(api.get("/analysis/gaps", params={"region": "深圳"}, role=None), 401, "unauthorized")


# ------------------------------------------------------------------ typed results in OpenAPI

def _pairs():
    from api.schemas import analysis as s
    from graph.analysis import results as r
    from graph.analysis.aggregates import FirmInfo
    from graph.analysis.chainmap import MapEdge, MapSegment
    from graph.analysis.compare import Cell, CompareRow, RegionSummary
    from graph.analysis.dependence import SegmentDependence, SupplierShare
    from graph.analysis.gaps import Gap
    from graph.analysis.leaders import Leader
    from graph.parts import Part

    return [(s.ChainMapPublic, r.ChainMapResult), (s.GapsPublic, r.GapsResult), (s.LeadersPublic, r.LeadersResult),
            (s.DependencePublic, r.DependenceResult), (s.ComparisonPublic, r.CompareResult),
            (s.ChainRefPublic, r.ChainRef), (s.RegionRefPublic, r.RegionRef), (s.AnalysisMeta, r.ResultMeta),
            (s.FirmInfoPublic, FirmInfo), (s.MapSegmentPublic, MapSegment), (s.MapEdgePublic, MapEdge),
            (s.GapPublic, Gap), (s.LeaderPublic, Leader), (s.SupplierSharePublic, SupplierShare),
            (s.SegmentDependencePublic, SegmentDependence), (s.CellPublic, Cell), (s.CompareRowPublic, CompareRow),
            (s.RegionSummaryPublic, RegionSummary), (s.PartPublic, Part)]


def test_every_response_model_has_exactly_its_dataclass_fields_in_order():
    import dataclasses

    for model, cls in _pairs():
        assert list(model.model_fields) == [f.name for f in dataclasses.fields(cls)], model.__name__


def test_openapi_documents_the_analysis_results_with_their_fields(api):
    doc = api.get("/openapi.json").json()
    schemas = doc["components"]["schemas"]
    for model, _ in _pairs():
        props = set(schemas[model.__name__]["properties"])
        assert set(model.model_fields) <= props, model.__name__
    assert {"label_zh", "label_en"} <= set(schemas["PartPublic"]["properties"])
    assert set(schemas["GapKind"]["enum"]) == {"missing", "thin", "extension"}
    assert schemas["GapPublic"]["properties"]["parts"]["items"]["$ref"].endswith("/PartPublic")
    routes = {"/analysis/chain-map": "ChainMapPublic", "/analysis/gaps": "GapsPublic",
              "/analysis/leaders": "LeadersPublic", "/analysis/dependence": "DependencePublic",
              "/analysis/compare": "ComparisonPublic"}
    for path, name in routes.items():
        ok = doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok["$ref"].endswith(f"/{name}"), path
    assert "AnalysisResult" not in schemas  # the untyped extra="allow" model is gone


def test_http_json_is_the_analyst_result_with_part_labels(api, world_store):
    from graph.analysis.results import to_json
    from graph.analysis.service import Analyst

    got = api.get("/analysis/gaps", params={"region": "深圳", "chain": "动漫游戏"}).json()
    want = to_json(Analyst.for_store(world_store).gaps("深圳", "动漫游戏"))
    for g in got["gaps"]:
        for p in g["parts"]:
            assert p.pop("label_zh") and p.pop("label_en")
        from graph.labels import label

        assert g.pop("flags_zh") == [label(f, "zh") for f in g["flags"]]
        assert g.pop("flags_en") == [label(f, "en") for f in g["flags"]]
    assert {k: v for k, v in got.items() if k != "meta"} == {k: v for k, v in want.items() if k != "meta"}
    assert got["gaps"][0]["parts"][0]["name"] == "local_dependence"
