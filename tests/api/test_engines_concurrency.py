"""Recommendation calls run concurrently on one index and give what one-at-a-time calls give."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from graph.settings import Settings
from matching.engines import Engines
from matching.recommend.targets import recommend_targets

REGIONS = ("cn/guangdong/shenzhen", "cn/guangdong/shenzhen/nanshan", "cn/guangdong/shenzhen/futian", "cn")


def test_concurrent_recommendations_equal_sequential_ones(world_store, world, tmp_path):
    engines = Engines(Settings(_env_file=None, data_dir=tmp_path))
    segments = [s.id for s in world[0].segments][:12]
    asks = [(r, s) for r in REGIONS for s in segments]

    def ask(a):
        region, seg = a
        # a fresh memo per round so both rounds compute their local masks (the racy part)
        return engines.recommend(world_store,
                                 lambda ix: [(t.org, t.total) for t in recommend_targets(ix, region, [seg], k=10)])

    index = engines.recommend(world_store, lambda ix: ix)
    index._local_cache.clear()
    alone = [ask(a) for a in asks]
    for _ in range(3):
        index._local_cache.clear()
        with ThreadPoolExecutor(8) as pool:
            together = list(pool.map(ask, asks * 2))
        assert together == alone * 2
    assert engines.recommend(world_store, lambda ix: ix) is index  # built once, not per call
    assert any(alone)


def test_warm_start_builds_every_engine_before_the_first_request(tmp_path, world_store_file):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from tests.api.conftest import start, world_dir

    settings, tokens = start(world_dir(tmp_path, world_store_file), warm_start=True)
    app = create_app(settings)
    with TestClient(app) as client:
        engines = app.state.engines  # the lifespan has run; no request yet
        assert engines._search is not None and engines._chain_index is not None and engines._analyst is not None
        version = app.state.store.version()
        assert engines._search.meta["store_version"] == version and engines._chain_index[1] == version
        ready = client.get("/ready").json()["components"]
        assert ready["index"]["state"] == "ready" and ready["model"]["state"] == "loaded"
    (tmp_path / "cold").mkdir()
    cold = create_app(start(world_dir(tmp_path / "cold", world_store_file))[0])
    with TestClient(cold):
        assert cold.state.engines._search is None  # off by default: engines load on first use


def test_a_failing_warm_start_still_serves_and_says_why(tmp_path, world_store_file):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from tests.api.conftest import start, world_dir

    settings, tokens = start(world_dir(tmp_path, world_store_file), warm_start=True,
                             embedding_model=str(tmp_path / "no-such-model"))
    app = create_app(settings)
    with TestClient(app) as client:
        assert client.get("/health").status_code == 200
        r = client.get("/search", params={"q": "动画"}, headers={"Authorization": f"Bearer {tokens['viewer']}"})
        # the same answer as without warm start: the configuration error, naming the model
        assert r.status_code == 500 and r.json()["error"]["code"] == "config_error", r.text
        assert "no-such-model" in r.json()["error"]["message"]


def test_warm_start_encodes_two_single_texts_so_a_models_one_text_path_is_built(tmp_path, monkeypatch):
    """SentenceTransformerEmbedder builds its one-text path (ONNX, traced) on a process's second one-text
    encode (tests/matching/test_embedder.py), so the warm start makes two: the first request finds it built."""
    from types import SimpleNamespace

    calls = []

    class Spy:
        def encode(self, texts, **_kw):
            calls.append(list(texts))

    engines = Engines(Settings(_env_file=None, data_dir=tmp_path, embedding_model="hashing:64"))
    monkeypatch.setattr(engines, "search", lambda store: SimpleNamespace(embedder=Spy()))
    monkeypatch.setattr(engines, "recommend", lambda store, f: None)
    monkeypatch.setattr(engines, "analyse", lambda store, f: None)
    assert engines.warm(None) == {"search": "ready", "recommend": "ready", "analysis": "ready"}
    assert [len(t) for t in calls] == [1, 1]
