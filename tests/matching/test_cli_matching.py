"""``search``, ``classify``, ``index build|status`` and ``bench search`` through the CLI runner.

The commands run on the real ``chainmatch`` app (its ``bench`` group assembled
once in :mod:`api.bench.cli`); the cheap hashing embedder stands in
for the model via ``CHAINMATCH_EMBEDDING_MODEL``.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from graph.errors import InvalidInput
from graph.model import MembershipStatus
from graph.resolve import resolve_region
from graph.store.protocol import Batch
from graph.store.sqlite import SqliteStore


@pytest.fixture()
def app():
    from api.cli.main import app

    return app


@pytest.fixture()
def data_dir(tmp_path, world, monkeypatch):
    monkeypatch.setenv("CHAINMATCH_EMBEDDING_MODEL", "hashing:64")
    batch = world[0]
    small = Batch(segments=batch.segments,
                  organisations=[o for o in batch.organisations if o.kind.value == "firm"][:300])
    with SqliteStore.open(tmp_path / "store.sqlite") as store:
        store.write(small)
    return tmp_path


def invoke(app, *args):
    result = CliRunner().invoke(app, [str(a) for a in args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def test_index_build_then_status_then_search(app, data_dir):
    r = invoke(app, "index", "status", "--data-dir", data_dir, "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["current"] is False
    r = invoke(app, "index", "build", "--data-dir", data_dir, "--json")
    built = json.loads(r.stdout)
    assert built["rebuilt"] and built["size"] == 300 and built["n_encoded"] > 0
    r = invoke(app, "index", "build", "--data-dir", data_dir, "--json")
    assert json.loads(r.stdout)["rebuilt"] is False
    r = invoke(app, "index", "build", "--rebuild", "--data-dir", data_dir, "--json")
    assert json.loads(r.stdout)["n_encoded"] == 0
    r = invoke(app, "index", "status", "--data-dir", data_dir)
    assert r.exit_code == 0 and "是否最新" in r.stdout and "│ 是" in r.stdout

    r = invoke(app, "search", "游戏引擎", "--limit", "5", "--region", "深圳", "--data-dir", data_dir, "--json")
    doc = json.loads(r.stdout)
    assert r.exit_code == 0 and 0 < len(doc["hits"]) <= 5
    assert {"dense_score", "dense_rank", "lexical_score", "lexical_rank", "score"} <= set(doc["hits"][0])
    r = invoke(app, "search", "motion capture", "--mode", "lexical", "--kind", "firm", "--data-dir", data_dir)
    assert r.exit_code == 0 and "词法" in r.stdout and "org:" not in r.stdout


@pytest.mark.parametrize("option", [("--segment", "no such segment"), ("--mode", "psychic"),
                                    ("--kind", "spaceship"), ("--region", "Atlantis")])
def test_search_refuses_unknown_options_with_the_error_tree(app, data_dir, option):
    # the main() wrapper of api/cli/main.py turns InvalidInput into a message and exit code 2
    with pytest.raises(InvalidInput):
        invoke(app, "search", "x", *option, "--data-dir", data_dir)


def test_classify_dry_run_writes_nothing_and_real_run_writes_predictions(app, data_dir):
    import dataclasses

    with SqliteStore.open(data_dir / "store.sqlite") as store:
        orgs = list(store.organisations())[:20]
        store.write(Batch(organisations=[dataclasses.replace(o, segments=()) for o in orgs]))
        v = store.version()
    r = invoke(app, "classify", "--dry-run", "--json", "--data-dir", data_dir)
    doc = json.loads(r.stdout)
    assert r.exit_code == 0 and doc["organisations"] == 20 and doc["written"] is None
    assert {p["evidence"] for p in doc["predictions"]} <= {"strong", "medium", "weak"}
    with SqliteStore.open(data_dir / "store.sqlite") as store:
        assert store.version() == v
    r = invoke(app, "classify", "--no-dense", "--min-confidence", "0", "--data-dir", data_dir)
    assert r.exit_code == 0 and "已为 20 家机构写入预测环节" in r.stdout and "org:" not in r.stdout
    with SqliteStore.open(data_dir / "store.sqlite") as store:
        cleared = list(store.organisations(ids=[o.id for o in orgs]))
        assert all(len(o.segments) == 1 and o.segments[0].status is MembershipStatus.PREDICTED for o in cleared)
        others = [o for o in store.organisations() if o.id not in {x.id for x in orgs}]
        assert all(m.status is MembershipStatus.CONFIRMED for o in others for m in o.segments)


def test_bench_search_prints_figures(app, data_dir):
    r = invoke(app, "bench", "search", "--sizes", "3000", "--vectors", "isotropic", "--texts", "0",
               "--queries", "20", "--sweep", "16,64", "--approx", "pca-hnsw,hnsw-sq8", "--data-dir", data_dir, "--json")
    doc = json.loads(r.stdout)
    assert r.exit_code == 0
    assert [(row["vectors"], row["index"]) for row in doc["rows"]] == [
        ("isotropic", "flat"), ("isotropic", "pca-hnsw"), ("isotropic", "hnsw-sq8")]
    flat, pca, sq8 = doc["rows"]
    assert flat["recall_at_10"] == 1.0 and pca["recall_at_10"] > 0.5 and sq8["recall_at_10"] > 0.5
    assert {"p50_ms", "p95_ms", "cpu_p95_ms", "build_seconds", "build_cpu_seconds", "index_mb"} <= set(sq8)
    assert [s["ef_search"] for s in sq8["sweep"]] == [16, 64]
    r = invoke(app, "bench", "search", "--sizes", "2000", "--vectors", "isotropic", "--texts", "0",
               "--queries", "10", "--no-flat", "--data-dir", data_dir)
    assert r.exit_code == 0 and "bench search" in r.stdout and "peak RSS" in r.stdout  # cells fold at 80 columns
    with pytest.raises(InvalidInput, match="--vectors"):
        invoke(app, "bench", "search", "--vectors", "uniform", "--data-dir", data_dir)


def test_region_names_resolve():
    assert resolve_region("深圳") == "cn/guangdong/shenzhen"
    assert resolve_region("cn/beijing") == "cn/beijing"
