"""Shared fixtures of the chain-analysis tests: the sample world as a batch, graph, arrays and store.

``world`` and ``answers`` come from tests/conftest.py."""

from __future__ import annotations

import pytest

from graph.analysis.arrays import GraphArrays
from graph.store.graphview import build_graph
from graph.store.sqlite import SqliteStore

SZ = "cn/guangdong/shenzhen"


@pytest.fixture(scope="session")
def batch(world):
    return world[0]


@pytest.fixture(scope="session")
def world_graph(batch):
    return build_graph(batch.segments, batch.segment_edges, batch.organisations, batch.links)


@pytest.fixture(scope="session")
def world_arrays(world_graph):
    return GraphArrays.from_graph(world_graph)


@pytest.fixture(scope="session")
def world_store(batch, tmp_path_factory):
    store = SqliteStore.open(tmp_path_factory.mktemp("world") / "store.sqlite")
    store.write(batch)
    yield store
    store.close()
