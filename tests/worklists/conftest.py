"""Fixtures of the list tests: the sample world in a writable store, engines over it, the API on a copy."""

from __future__ import annotations

import pytest

from tests.api.conftest import api, world_store_file  # noqa: F401  (fixtures reused by the API tests)

SZ = "cn/guangdong/shenzhen"


@pytest.fixture(scope="session")
def world():
    from fixtures.world import load_world

    return load_world()


@pytest.fixture(scope="session")
def answers(world):
    return world[1]


@pytest.fixture(scope="session")
def world_store(world):
    """The sample world, read-only (tests that change the data use ``fresh_store``)."""
    from graph.store.sqlite import SqliteStore

    store = SqliteStore.memory()
    store.write(world[0])
    yield store
    store.close()


@pytest.fixture
def fresh_store(world, tmp_path):
    from graph.store.sqlite import SqliteStore

    store = SqliteStore.open(tmp_path / "store.sqlite")
    store.write(world[0])
    yield store
    store.close()


class Engines:
    """Analyst and recommendation index of a store, rebuilt when the store's version changes."""

    def __init__(self, store):
        self.store, self._version, self._an, self._ix = store, None, None, None

    def _fresh(self):
        from graph.analysis.service import Analyst
        from matching.recommend.index import ChainIndex

        if self._version != self.store.version():
            self._version = self.store.version()
            self._an, self._ix = Analyst.for_store(self.store), ChainIndex.from_store(self.store)

    def analyse(self, call):
        self._fresh()
        return call(self._an)

    def recommend(self, call):
        self._fresh()
        return call(self._ix)

    def drafts(self, kind, region=SZ, chain=None, landed=None, **kw):
        from matching.worklists.generate import generate

        return generate(kind, store=self.store, region=region, chain=chain, analyse=self.analyse,
                        recommend=self.recommend, landed=landed, **kw)


@pytest.fixture(scope="session")
def engines(world_store):
    return Engines(world_store)


@pytest.fixture
def lists():
    from matching.worklists.store import ListStore

    ls = ListStore.memory()
    yield ls
    ls.ws.close()
