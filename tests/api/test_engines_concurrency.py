"""Recommendation calls run concurrently on one index and give what one-at-a-time calls give."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from api.deps import Engines
from graph.settings import Settings
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
