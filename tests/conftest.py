"""Shared fixtures: stores for the contract suite, the sample world, real data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def shared_data(name: str) -> Path:
    """A dataset under ../shared/data, or skip the test saying why."""
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"real dataset {path} absent (../shared/data is not in this checkout)")
    return path


def _neo4j_store():
    uri = os.environ.get("CHAINMATCH_NEO4J_URI")
    if not uri:
        pytest.skip("CHAINMATCH_NEO4J_URI not set: no Neo4j server to test against")
    try:
        from graph.store.neo4j import Neo4jStore
    except ImportError as e:
        pytest.skip(f"Neo4j store not available: {e}")
    from graph.settings import Settings

    store = Neo4jStore.connect(Settings(backend="neo4j", neo4j_uri=uri))
    store.wipe()
    return store


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request, tmp_path):
    """Every store backend, fresh and empty; the contract suite runs on each."""
    if request.param == "embedded":
        from graph.store.sqlite import SqliteStore

        s = SqliteStore.open(tmp_path / "store.sqlite")
    else:
        s = _neo4j_store()
    yield s
    s.close()


@pytest.fixture(scope="session")
def world():
    """The sample world as ``(batch, answers)``, loaded once per session (folders may override)."""
    from fixtures.world import load_world

    return load_world()


@pytest.fixture(scope="session")
def world_store_file(tmp_path_factory) -> Path:
    """The sample world written once per session into an embedded store file; tests copy it, never write it."""
    from fixtures.world import load_world
    from graph.store.sqlite import SqliteStore

    path = tmp_path_factory.mktemp("world") / "store.sqlite"
    with SqliteStore.open(path) as store:
        store.write(load_world()[0])
    return path


@pytest.fixture(scope="session")
def answers(world):
    """The sample world's planted answers (fixtures/shenzhen_digital_creative/answers.json)."""
    return world[1]


@pytest.fixture(scope="session")
def world_store(world):
    """The sample world in an in-memory embedded store, for tests that only read it."""
    from graph.store.sqlite import SqliteStore

    store = SqliteStore.memory()
    store.write(world[0])
    yield store
    store.close()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, launched once for the whole session (never a downloaded browser).

    One sync Playwright per process: a second ``sync_playwright()`` while this one runs fails (it finds the
    first one's asyncio loop), so every browser test (tests/web, tests/reports) takes this one and opens
    its own context, which shares no cookies, storage or cache with another test's.
    """
    from tests.web.helpers import ARGS, CHROMIUM

    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} absent: the browser tests need Debian's chromium (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed (pip install playwright)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def _throwaway_neo4j_session(tmp_path_factory):
    """One throwaway Neo4j server (tests/neo4j_throwaway.py) for every test that stops and restarts one."""
    from tests.neo4j_throwaway import throwaway_neo4j

    with throwaway_neo4j(tmp_path_factory.mktemp("neo4j-throwaway")) as server:
        yield server


@pytest.fixture
def neo4j_to_stop(_throwaway_neo4j_session):
    """A throwaway Neo4j server a test may stop and start again: running and empty when the test begins.

    The server is shared by the session (each boot of a JVM costs tens of seconds on a busy machine): a test
    that left it stopped gets it started again, and whatever an earlier test wrote is wiped first.
    """
    from graph.settings import Settings
    from graph.store.neo4j import Neo4jStore

    server = _throwaway_neo4j_session
    server.start()  # starting a running server only checks that it answers
    with Neo4jStore.connect(Settings(backend="neo4j", neo4j_uri=server.uri)) as store:
        store.wipe()
        assert store.counts().get("organisations", 0) == 0
    return server
