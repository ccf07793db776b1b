"""Real data: gaps for Shenzhen on the imported ChainKnowledgeGraph (Shenwan industries, no firm links)."""

from __future__ import annotations

import json
import math

import pytest
import typer
from typer.testing import CliRunner

from api.cli.analysis import register
from api.cli.main import main
from graph.store.sqlite import SqliteStore
from tests.conftest import shared_data


@pytest.fixture(scope="module")
def chainkg_dir(tmp_path_factory):
    src = shared_data("chainkg")
    d = tmp_path_factory.mktemp("chainkg")
    try:
        main(["import", "chainkg", str(src), "--data-dir", str(d), "--json"])
    except SystemExit as e:
        assert not e.code, f"chainkg import failed with exit code {e.code}"
    return d


def gaps_json(data_dir, *args) -> dict:
    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(app, ["gaps", "--json", *args, "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return json.loads(result.output)


def test_gaps_for_shenzhen_run_and_rely_on_downstream_segments(chainkg_dir):
    out = gaps_json(chainkg_dir, "--region", "深圳", "--top", "0")
    assert out["region"] == "cn/guangdong/shenzhen" and out["supply_observed"] is False
    kinds = {g["kind"] for g in out["gaps"]}
    assert kinds == {"missing", "thin", "extension"}
    for g in out["gaps"]:
        assert math.isclose(g["severity"], math.fsum(p["value"] for p in g["parts"]), abs_tol=1e-12)
        if g["kind"] == "missing":
            assert g["criteria"] == ["local_downstream"] and g["segments"] and not g["links"]
    top = out["gaps"][:20]
    # issue 16: the entry parts (national size, momentum, related presence) keep commodities out of the lead
    commodities = {"种子", "动力煤", "焦煤", "铜", "港口", "贸易Ⅲ", "磷肥及磷化工", "氯碱"}
    assert not {g["name_zh"] for g in top} & commodities, [g["name_zh"] for g in top]
    assert sum(g["kind"] == "missing" for g in top) >= 10
    entry = {"popularity", "momentum", "spread", "relatives", "demand", "size", "immovability"}
    for g in out["gaps"]:
        if g["kind"] in ("missing", "extension"):
            assert entry <= {p["name"] for p in g["parts"]}
    with SqliteStore.open(chainkg_dir / "store.sqlite") as store:
        firms = {i for g in out["gaps"] for i in g["firms"]}
        assert store.lookup(firms) == {i: i for i in firms}
        shenzhen = {o.id for o in store.organisations(region="cn/guangdong/shenzhen")}
        seg_ids = {s.id for s in store.segments()}
    for g in out["gaps"]:
        assert set(g["segments"]) <= seg_ids
        if g["kind"] == "missing":  # the cited firms are the local ones downstream
            assert set(g["firms"]) <= shenzhen


def test_one_chain_and_a_district_also_run(chainkg_dir):
    out = gaps_json(chainkg_dir, "--region", "cn/guangdong/shenzhen", "--chain", "电子")
    assert out["chain"]["name_zh"] == "电子" and out["gaps_total"] >= 1
    assert gaps_json(chainkg_dir, "--region", "上海")["gaps_total"] > 0
