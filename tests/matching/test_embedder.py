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


# ------------------------------------------------------------------ one-text query paths

def _one_text_queries():
    """Every query of tests/matching/queries.json (zh and en) and a few odd ones: short, long, mixed."""
    import json

    from tests.matching.conftest import QUERIES

    texts = [q["text"] for q in json.loads(QUERIES.read_text(encoding="utf-8"))["queries"]]
    return texts + ["a", "3D", "LED displays for stage and virtual production studios in Shenzhen, 深圳 虚拟制片 LED 屏"]


@pytest.fixture(scope="module")
def traced_embedder(real_embedder):
    from matching.embedder import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(query_encoder="traced")


@pytest.mark.model
@pytest.mark.parametrize("which", ["onnx", "traced"])
def test_a_query_through_a_fast_path_gets_the_models_vector_and_the_same_hits(which, real_embedder,
                                                                               traced_embedder, world_engine):
    """One text goes through the path the setting names (onnx by default); its vector equals the model's own
    path's within float rounding on every query of queries.json, zh and en, and so do the top-10 hits."""
    from matching.embedder import TracedQuery, one_torch_thread
    from matching.onnxquery import OnnxQuery

    embedder = real_embedder if which == "onnx" else traced_embedder
    assert embedder.query_encoder == which
    queries = _one_text_queries()
    fast = np.vstack([embedder.encode([q]) for q in queries])
    assert isinstance(embedder._query, {"onnx": OnnxQuery, "traced": TracedQuery}[which])  # taken, not fallen back from
    model = embedder._load()
    with one_torch_thread():
        own = np.vstack([embedder._encode(model, [q], None) for q in queries])
    cos = np.sum(fast * own, axis=1)
    assert cos.min() >= TracedQuery.MIN_COSINE, sorted(zip(cos.round(7), queries, strict=True))[:5]
    differ = []
    for q, a, b in zip(queries, fast, own, strict=True):
        sa, ra = world_engine.dense.search(a[None, :], 10)
        sb, rb = world_engine.dense.search(b[None, :], 10)
        if ra[0].tolist() != rb[0].tolist():
            # a swap is allowed only between hits whose scores tie within the vectors' rounding
            assert sorted(ra[0].tolist()) == sorted(rb[0].tolist()) and np.abs(sa - sb).max() < 1e-5, q
            differ.append(q)
    assert len(differ) <= 2, differ
    # a batch still goes through sentence-transformers, and agrees with the one-text path
    batch = embedder.encode(queries[:4])
    assert np.sum(batch * fast[:4], axis=1).min() >= TracedQuery.MIN_COSINE


@pytest.mark.model
def test_without_onnxruntime_the_onnx_setting_falls_back_to_the_traced_path(monkeypatch, real_embedder):
    """A missing onnxruntime (or an export that fails its check) leaves the traced path, not an error."""
    import sys

    from matching.embedder import SentenceTransformerEmbedder, TracedQuery

    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import onnxruntime raises ImportError
    embedder = SentenceTransformerEmbedder()
    embedder.encode(["first"])  # a process's first one text goes the model's own way
    v = embedder.encode(["动作捕捉"])
    assert isinstance(embedder._query, TracedQuery)
    assert float(v[0] @ real_embedder.encode(["动作捕捉"])[0]) >= TracedQuery.MIN_COSINE


@pytest.mark.model
def test_a_processs_first_query_builds_no_one_text_path_and_the_second_does(real_embedder):
    """A one-shot process (``chainmatch search``) answers its one query without the path's ~2 s build; the
    next query builds it (a server's warm start encodes two), and both vectors are the model's."""
    from matching.embedder import SentenceTransformerEmbedder, TracedQuery
    from matching.onnxquery import OnnxQuery

    embedder = SentenceTransformerEmbedder()
    first = embedder.encode(["motion capture"])
    assert embedder._query is None
    second = embedder.encode(["motion capture"])
    assert isinstance(embedder._query, OnnxQuery)
    assert float(first[0] @ second[0]) >= TracedQuery.MIN_COSINE
    assert float(first[0] @ real_embedder.encode(["motion capture", "x"])[0]) >= TracedQuery.MIN_COSINE


@pytest.mark.model
def test_the_model_setting_takes_no_one_text_path(real_embedder):
    from matching.embedder import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder(query_encoder="model")
    v = embedder.encode(["motion capture"])
    assert embedder._query is None and v.shape == (1, 384)


def test_an_unknown_query_encoder_is_refused_by_name():
    from graph.errors import ConfigError
    from matching.embedder import SentenceTransformerEmbedder

    with pytest.raises(ConfigError, match="unknown query encoder 'fast'"):
        SentenceTransformerEmbedder(query_encoder="fast")


def test_the_fast_paths_decline_a_model_they_do_not_fit():
    """Anything but a sentence-transformers Transformer first gets None: the caller keeps the model's own path."""
    from matching.embedder import TracedQuery
    from matching.onnxquery import OnnxQuery

    for path in (TracedQuery, OnnxQuery):
        assert path.build(object()) is None
        assert path.build([HashingEmbedder(dim=8)]) is None
