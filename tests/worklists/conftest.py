"""Fixtures of the list tests: engines over the sample world (tests/conftest.py), a writable copy, the API."""

from __future__ import annotations

import pytest

from tests.api.conftest import api  # noqa: F401  (a fixture of the API tests; world_store_file: tests/conftest.py)
from tests.recommend.conftest import fresh_store  # noqa: F401  (world, answers, world_store: tests/conftest.py)

SZ = "cn/guangdong/shenzhen"


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
