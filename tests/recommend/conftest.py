"""Fixtures of the recommendation tests: the sample world as records, store and index."""

from __future__ import annotations

import pytest

LOCAL = "cn/guangdong/shenzhen"


@pytest.fixture(scope="session")
def world_index(world):
    from matching.recommend.index import ChainIndex

    b = world[0]
    return ChainIndex.from_records(b.segments, b.segment_edges, b.organisations, b.links)


@pytest.fixture
def fresh_store(world, tmp_path):
    """A writable store holding the sample world (for outcome tests that change it)."""
    from graph.store.sqlite import SqliteStore

    store = SqliteStore.open(tmp_path / "store.sqlite")
    store.write(world[0])
    yield store
    store.close()
