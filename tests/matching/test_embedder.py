"""Embedders: the hashing reference, the bundled model (offline), the embedding cache."""

from __future__ import annotations

import numpy as np
import pytest

from graph.errors import ConfigError
from matching.embcache import EmbeddingCache, content_hash, encode_cached
from matching.embedder import (
    Embedder,
    HashingEmbedder,
    SentenceTransformerEmbedder,
    make_embedder,
    resolve_model_path,
)


class Counting:
    """Wraps an embedder and counts the texts it is asked to encode."""

    def __init__(self, inner):
        self.inner = inner
        self.model_id = inner.model_id
        self.languages = inner.languages
        self.calls: list[int] = []

    @property
    def dim(self):
        return self.inner.dim

    def encode(self, texts, *, progress=None):
        self.calls.append(len(texts))
        return self.inner.encode(texts, progress=progress)


def test_hashing_is_deterministic_normalised_and_related_texts_are_closer():
    e = HashingEmbedder(dim=128)
    texts = ["光学动作捕捉系统", "动作捕捉设备", "舞台灯光", "motion capture suits", "motion-capture suit", ""]
    a, b = e.encode(texts), HashingEmbedder(dim=128).encode(texts)
    assert a.dtype == np.float32 and a.shape == (6, 128)
    assert np.array_equal(a, b)
    assert np.allclose(np.linalg.norm(a[:5], axis=1), 1.0, atol=1e-5)
    assert not a[5].any()
    assert a[0] @ a[1] > a[0] @ a[2]
    assert a[3] @ a[4] > a[3] @ a[2]
    assert isinstance(e, Embedder)


def test_hashing_reports_progress():
    seen = []
    HashingEmbedder(dim=16, use_jieba=False).encode(["x"] * 600, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (600, 600) and (256, 600) in seen


def test_make_embedder_and_model_resolution():
    assert make_embedder("hashing").dim == 256
    assert make_embedder("hashing:32").model_id.startswith("hashing-32")
    assert resolve_model_path("sentence-transformers/all-MiniLM-L6-v2").is_dir()
    with pytest.raises(ConfigError, match="never downloaded"):
        resolve_model_path("BAAI/bge-small-zh")


def test_model_id_names_the_weights_and_is_stable():
    a, b = SentenceTransformerEmbedder(), SentenceTransformerEmbedder(batch_size=8)
    assert a.model_id == b.model_id and a.model_id.startswith("st:all-MiniLM-L6-v2@")
    assert a.languages == ("en",)


def test_a_local_model_directory_is_accepted_and_marked_multilingual_by_name(tmp_path):
    d = tmp_path / "paraphrase-multilingual-MiniLM-L12-v2"
    d.mkdir()
    (d / "modules.json").write_text("[]", "utf-8")
    e = SentenceTransformerEmbedder(str(d))
    assert e.languages == ("en", "zh") and e.model_id.startswith("st:paraphrase-multilingual")


@pytest.mark.model
def test_bundled_model_encodes_offline(real_embedder, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    seen = []
    v = real_embedder.encode(["motion capture suits", "optical motion capture system", "stage lighting"],
                             progress=lambda d, t: seen.append((d, t)))
    assert v.shape == (3, 384) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert v[0] @ v[1] > v[0] @ v[2]
    assert seen[-1] == (3, 3)


# ------------------------------------------------------------------ cache


def test_cache_encodes_each_distinct_text_once_and_survives_reopening(tmp_path):
    path = tmp_path / "embeddings" / "cache.sqlite"
    emb = Counting(HashingEmbedder(dim=32, use_jieba=False))
    with EmbeddingCache.open(path) as cache:
        v1, n1 = encode_cached(emb, ["a", "b", "a", "c"], cache)
    assert n1 == 3 and emb.calls == [3]
    with EmbeddingCache.open(path) as cache:
        v2, n2 = encode_cached(emb, ["c", "b", "a"], cache)
        assert cache.count(emb.model_id) == 3 and cache.models() == {emb.model_id: 3}
    assert n2 == 0 and emb.calls == [3]
    assert np.array_equal(v2, v1[[3, 1, 0]])


def test_cache_is_keyed_by_model():
    cache = EmbeddingCache.memory()
    a, b = HashingEmbedder(dim=16, use_jieba=False), HashingEmbedder(dim=16, ngrams=(2,), use_jieba=False)
    assert encode_cached(a, ["x y z"], cache)[1] == 1
    assert encode_cached(b, ["x y z"], cache)[1] == 1
    assert len(cache) == 2


def test_no_cache_and_empty_input():
    emb = HashingEmbedder(dim=8, use_jieba=False)
    v, n = encode_cached(emb, [], None)
    assert v.shape == (0, 8) and n == 0
    assert encode_cached(emb, ["p", "p"], None)[1] == 1
    assert content_hash("p") != content_hash("p ")


# ------------------------------------------------------------------ traced query path

@pytest.mark.model
def test_a_query_through_the_traced_graph_gets_the_models_vector_and_the_same_hits(real_embedder, world_engine):
    """One text goes through TracedQuery; its vector equals the model's own path's, zh and en, and so do the hits."""
    from matching.embedder import TracedQuery, one_torch_thread

    queries = ["motion capture", "Cloud rendering & compute", "AR glasses", "3D printing & rapid prototyping",
               "game engine middleware", "动作捕捉", "游戏引擎", "AR眼镜", "云渲染算力服务", "IP孵化",
               "a", "LED displays for stage and virtual production studios in Shenzhen"]
    traced = np.vstack([real_embedder.encode([q]) for q in queries])
    assert isinstance(real_embedder._query, TracedQuery)  # the fast path was taken, not fallen back from
    model = real_embedder._load()
    with one_torch_thread():
        own = np.vstack([real_embedder._encode(model, [q], None) for q in queries])
    cos = np.sum(traced * own, axis=1)
    assert cos.min() >= 0.99999, dict(zip(queries, cos.round(7), strict=True))
    for q, a, b in zip(queries, traced, own, strict=True):
        _, ra = world_engine.dense.search(a[None, :], 10)
        _, rb = world_engine.dense.search(b[None, :], 10)
        assert ra[0].tolist() == rb[0].tolist(), q
    # a batch still goes through sentence-transformers, and agrees with the one-text path
    batch = real_embedder.encode(queries[:4])
    assert np.sum(batch * traced[:4], axis=1).min() >= 0.99999


def test_the_traced_path_declines_a_model_it_does_not_fit():
    """Anything but a sentence-transformers Transformer first gets None: the caller keeps the model's own path."""
    from matching.embedder import TracedQuery

    assert TracedQuery.build(object()) is None
    assert TracedQuery.build([HashingEmbedder(dim=8)]) is None
