"""Hybrid search: filters, score parts, modes, persistence per store version, no re-encoding."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from graph.errors import InvalidInput
from graph.store.protocol import Batch
from graph.store.sqlite import SqliteStore
from matching.embcache import EmbeddingCache
from matching.embedder import HashingEmbedder
from matching.search import Filters, SearchEngine, index_dir, read_manifest, staleness

from .test_embedder import Counting


def test_hits_carry_their_score_parts(hashing_engine):
    res = hashing_engine.search("动作捕捉设备 motion capture", k=10)
    assert len(res) == 10 and [h.rank for h in res] == list(range(1, 11))
    assert all(h.dense_score is not None and h.lexical_score is not None for h in res)
    assert all(h.dense_rank is not None or h.lexical_rank is not None for h in res)
    scores = [h.score for h in res]
    assert scores == sorted(scores, reverse=True)
    assert set(res.as_dict()) == {"query", "mode", "weights", "hits"}


def test_modes_use_only_their_list(hashing_engine):
    dense = hashing_engine.search("game engine", mode="dense")
    lexical = hashing_engine.search("game engine", mode="lexical")
    assert all(h.lexical_rank is None for h in dense) and all(h.dense_rank is not None for h in dense)
    assert all(h.dense_rank is None and h.dense_score is None for h in lexical)
    assert lexical.weights == {"dense": 0.0, "lexical": 1.0}
    with pytest.raises(InvalidInput):
        hashing_engine.search("x", mode="magic")
    with pytest.raises(InvalidInput):
        hashing_engine.search("   ")


@pytest.mark.parametrize(
    "filters",
    [
        Filters(region="cn/guangdong/shenzhen"),
        Filters(region="cn/guangdong/shenzhen/nanshan", kind="firm"),
        Filters(segment="seg:mocap_devices"),
        Filters(tier="专精特新"),
        Filters(kind="incubator"),
        Filters(min_employees=100, max_employees=500),
    ],
)
@pytest.mark.parametrize("mode", ["hybrid", "dense", "lexical"])
def test_every_hit_passes_the_filters(hashing_engine, world_store, filters, mode):
    res = hashing_engine.search("动作捕捉 游戏引擎 design studio", k=20, mode=mode, filters=filters)
    assert len(res) > 0
    orgs = {o.id: o for o in world_store.organisations(ids=res.ids)}
    for h in res:
        o = orgs[h.id]
        if filters.region:
            assert o.region == filters.region or o.region.startswith(filters.region + "/")
        if filters.segment:
            assert filters.segment in [m.segment for m in o.segments]
        if filters.tier:
            assert filters.tier in o.tiers
        if filters.kind:
            assert o.kind.value == filters.kind
        if filters.min_employees is not None:
            assert filters.min_employees <= o.employees <= filters.max_employees


def test_a_filter_nothing_passes_returns_nothing(hashing_engine):
    assert hashing_engine.search("x", filters=Filters(region="jp/nowhere")).hits == []
    with pytest.raises(InvalidInput):
        Filters(kind="spaceship")


def test_chinese_query_needs_no_dense_vote_from_an_english_model(world_store):
    class EnglishHashing(HashingEmbedder):
        languages = ("en",)

    engine = SearchEngine.build(world_store, EnglishHashing(dim=64))
    res = engine.search("游戏引擎")
    assert res.weights["dense"] == 0.0 and all(h.dense_rank is None for h in res)
    assert engine.search("LED virtual production").weights["dense"] == 1.0


def _small_store(tmp_path):
    store = SqliteStore.open(tmp_path / "store.sqlite")
    batch = Batch(segments=[], organisations=[])
    from fixtures.world import load_world

    world, _ = load_world()
    batch.segments = world.segments
    batch.organisations = [o for o in world.organisations if o.kind.value == "firm"][:120]
    store.write(batch)
    return store


def test_rebuilding_over_unchanged_data_encodes_nothing(tmp_path):
    store = _small_store(tmp_path)
    emb = Counting(HashingEmbedder(dim=64))
    directory = index_dir(tmp_path)
    with EmbeddingCache.open(tmp_path / "embeddings" / "cache.sqlite") as cache:
        first = SearchEngine.open(store, emb, directory, cache=cache)
        assert first.meta["rebuilt"] and first.meta["n_encoded"] > 0
        assert isinstance(first.vectors, np.memmap)  # the saved rows, not a second copy in memory
        encoded = sum(emb.calls)
        # same store version: loaded from disk, nothing built
        again = SearchEngine.open(store, emb, directory, cache=cache)
        assert again.meta["rebuilt"] is False and sum(emb.calls) == encoded
        assert again.search("game engine").ids == first.search("game engine").ids
        # forced rebuild over unchanged data: every text comes from the cache
        forced = SearchEngine.open(store, emb, directory, cache=cache, rebuild=True)
        assert forced.meta["rebuilt"] and forced.meta["n_encoded"] == 0
        # one changed description: the store version moves, one text is encoded
        org = next(store.organisations())
        store.write(Batch(organisations=[dataclasses.replace(org, description_en="Now makes LED walls.")]))
        assert staleness(read_manifest(directory), store.version(), emb.model_id) is not None
        calls = len(emb.calls)
        changed = SearchEngine.open(store, emb, directory, cache=cache)
        assert changed.meta["rebuilt"] and changed.meta["n_encoded"] == 1
        assert emb.calls[calls:][0] == 1
        assert read_manifest(directory)["store_version"] == store.version()
    store.close()


def test_a_different_model_invalidates_the_saved_index(tmp_path):
    store = _small_store(tmp_path)
    directory = index_dir(tmp_path)
    SearchEngine.open(store, HashingEmbedder(dim=64), directory)
    why = staleness(read_manifest(directory), store.version(), HashingEmbedder(dim=32).model_id)
    assert why is not None and "model" in why
    assert SearchEngine.open(store, HashingEmbedder(dim=32), directory).meta["rebuilt"]
    store.close()


@pytest.mark.model
def test_real_model_rebuild_over_unchanged_world_encodes_zero(world_store, world_engine, real_embedder,
                                                              embedding_cache):
    again = SearchEngine.build(world_store, real_embedder, cache=embedding_cache)
    assert again.meta["n_encoded"] == 0 and again.size == world_engine.size


def test_approximate_dense_index_and_both_filter_paths_agree_with_exact(tmp_path):
    from matching.search import SearchConfig

    store = _small_store(tmp_path)
    emb = HashingEmbedder(dim=64)
    exact = SearchEngine.build(store, emb)
    approx = SearchEngine.build(store, emb, config=SearchConfig(exact_below=50))
    oversample = SearchEngine.build(store, emb, config=SearchConfig(exact_below=50, exact_filter_below=0))
    assert exact.meta["dense_kind"] == "flat" and approx.meta["dense_kind"] == "hnsw-sq8"
    q = "motion capture game engine"

    def scores(engine, **kw):  # ids can swap places on exactly tied scores
        return [h.dense_score for h in engine.search(q, mode="dense", **kw)]

    assert scores(approx) == scores(exact)
    f = Filters(region="cn/guangdong/shenzhen")
    assert scores(approx, filters=f) == scores(exact, filters=f) == scores(oversample, filters=f)
    store.close()


def test_a_repeated_query_is_not_encoded_again_and_ranks_the_same(world_store):
    counting = Counting(HashingEmbedder(dim=64))
    engine = SearchEngine.build(world_store, counting)
    counting.calls.clear()
    first = engine.search("motion capture", k=5)
    again = engine.search("motion capture", k=5)
    other = engine.search("game engine", k=5)
    assert counting.calls == [1, 1]  # one text each for the two distinct queries, none for the repeat
    assert [h.id for h in again] == [h.id for h in first] and [h.id for h in other] != [h.id for h in first]
    assert engine.queries.hits == 1 and engine.queries.misses == 2


def test_the_target_recall_setting_reaches_the_dense_index_and_a_change_rebuilds_it(tmp_path):
    from graph.settings import Settings
    from matching.search import SearchConfig

    store = _small_store(tmp_path)
    emb = HashingEmbedder(dim=64)
    directory = index_dir(tmp_path)
    assert SearchConfig.from_settings(Settings(_env_file=None)).target_recall == SearchConfig().target_recall
    efforts = []
    for target in (0.9, 1.0):
        config = SearchConfig.from_settings(Settings(search_target_recall=target, _env_file=None))
        config = dataclasses.replace(config, exact_below=50)
        engine = SearchEngine.open(store, emb, directory, config=config)
        inner = engine.dense.inner
        assert engine.meta["rebuilt"] and engine.meta["dense_kind"] == "hnsw-sq8"  # 1.0: not the 0.9 one
        assert inner.target_recall == target and inner.tuned_recall is not None
        assert staleness(read_manifest(directory), store.version(), emb.model_id, config) is None
        efforts.append(inner.ef_search)
    assert efforts[0] <= efforts[1]  # a higher target never takes less effort
    with pytest.raises(ValueError):
        Settings(search_target_recall=1.5, _env_file=None)
    store.close()
