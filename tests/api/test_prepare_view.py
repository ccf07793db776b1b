"""An import builds the analysis view of the store's new version, so the first query after it does not.

Stores of :data:`graph.analysis.service.ARRAYS_CACHE_MIN_ORGS` organisations or
more keep their columnar view on disk per version; building it is the slow part
of a cold query at 1M firms (about a minute). The threshold is lowered here so
the sample world counts as large.
"""

from __future__ import annotations

import pytest

import graph.analysis.service as service
from graph.store.sqlite import SqliteStore
from tests.api.conftest import start, world_dir
from tests.clirun import run_main

FIRMS = "名称,统一社会信用代码,地区\n测试视图科技有限公司,,深圳市南山区\n"


def _views(data_dir):
    cache = data_dir / "cache"
    return sorted(p.name for p in cache.glob("arrays-*")) if cache.is_dir() else []


def _version(data_dir) -> int:
    with SqliteStore.open(data_dir / "store.sqlite") as s:
        return s.version()


@pytest.fixture
def large(monkeypatch):
    monkeypatch.setattr(service, "ARRAYS_CACHE_MIN_ORGS", 100)


def _no_rebuild(monkeypatch):
    def refuse(self):
        raise AssertionError("the analysis view was rebuilt from SQLite on a query")

    monkeypatch.setattr(SqliteStore, "analysis_arrays", refuse)


def test_a_cli_import_prepares_the_view_and_the_next_query_reads_it(tmp_path, capsys, monkeypatch, large):
    data = tmp_path / "d"
    _, err = run_main(capsys, "import", "world", "--data-dir", data)
    v1 = _version(data)
    assert [n for n in _views(data) if n.startswith(f"arrays-SqliteStore-{v1}-")], _views(data)
    assert "分析视图已就绪" in err
    assert list((data / "cache").glob(f"entry-SqliteStore-{v1}-*.json")), "entry context kept with the view"

    firms = tmp_path / "firms.csv"
    firms.write_text(FIRMS, encoding="utf-8")
    run_main(capsys, "import", "organisations", firms, "--data-dir", data)
    v2 = _version(data)
    assert v2 != v1
    views = _views(data)
    assert [n for n in views if n.startswith(f"arrays-SqliteStore-{v2}-")], views
    assert not [n for n in views if n.startswith(f"arrays-SqliteStore-{v1}-")], "the old version's view is dropped"

    _no_rebuild(monkeypatch)
    out, _ = run_main(capsys, "gaps", "--region", "深圳", "--data-dir", data)
    assert "游戏引擎" in out


def test_a_dry_run_and_json_output_prepare_nothing_or_quietly(tmp_path, capsys, monkeypatch, large):
    data = tmp_path / "d"
    run_main(capsys, "import", "world", "--data-dir", data, "--json")
    before = _views(data)
    firms = tmp_path / "firms.csv"
    firms.write_text(FIRMS, encoding="utf-8")
    _, err = run_main(capsys, "import", "organisations", firms, "--data-dir", data, "--dry-run")
    assert _views(data) == before and "分析视图" not in err
    out, err = run_main(capsys, "import", "organisations", firms, "--data-dir", data, "--json")
    assert "分析视图" not in err and out.lstrip().startswith("{")
    assert _views(data) != before


def test_small_stores_keep_no_view_and_say_nothing(tmp_path, capsys):
    data = tmp_path / "d"
    _, err = run_main(capsys, "import", "world", "--data-dir", data)
    assert _views(data) == [] and "分析视图" not in err


def test_an_http_import_prepares_the_view_after_answering(tmp_path, world_store_file, monkeypatch, large):
    from fastapi.testclient import TestClient

    from api.app import create_app

    data = world_dir(tmp_path, world_store_file)
    settings, tokens = start(data)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        auth = {"Authorization": f"Bearer {tokens['editor']}"}
        r = client.post("/imports/organisations", headers=auth,
                        files={"file": ("firms.csv", FIRMS.encode("utf-8"), "text/csv")})
        assert r.status_code == 200, r.text
        version = r.json()["imported"]["version"]
        assert [n for n in _views(data) if n.startswith(f"arrays-SqliteStore-{version}-")], _views(data)
        _no_rebuild(monkeypatch)
        g = client.get("/analysis/gaps", params={"region": "深圳"}, headers={"Authorization": f"Bearer {tokens['viewer']}"})
        assert g.status_code == 200, g.text
