"""Shared fixtures: stores for the contract suite, the sample world, real data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

#: fixture scopes that make a module's tests share state: they run on one worker
_SHARED_SCOPES = frozenset({"module", "class", "package"})


def pytest_configure(config):
    """Under pytest-xdist, give the worker the terminal environment a serial run has.

    An xdist worker starts with ``COLUMNS=80`` and ``LINES=24`` in its
    environment, and the CLI's rich consoles (api/cli/common.py), built when
    the module is imported, keep those as a fixed size: every CLI test that
    asks for a wider table through ``COLUMNS`` then printed at 80 columns.
    """
    if os.environ.get("PYTEST_XDIST_WORKER"):
        os.environ.pop("COLUMNS", None)
        os.environ.pop("LINES", None)
    elif config.getoption("dist", "no") == "loadgroup":
        _refuse_loadgroup_that_cannot_group()


def _refuse_loadgroup_that_cannot_group() -> None:
    """Stop before the run when xdist's ``loadgroup`` would schedule each test alone.

    pytest-xdist 3.8 groups by writing ``@group`` into a test's ``_nodeid``; pytest 9.2
    builds ids from a structured ``_id`` and ignores that field (pytest-xdist issue 1386),
    so the Neo4j tests would run on both workers against one server and wipe each
    other's data. pyproject pins pytest below 9.2; this says why if the pin is lifted
    before xdist is mended.
    """
    from importlib.metadata import version

    def release(name: str) -> tuple[int, ...]:
        return tuple(int(p) for p in version(name).split(".")[:3] if p.isdigit())

    if release("pytest") >= (9, 2) and release("pytest-xdist") <= (3, 8, 0):
        raise pytest.UsageError(
            f"pytest {version('pytest')} with pytest-xdist {version('pytest-xdist')}: --dist loadgroup "
            "does not group (pytest-xdist issue 1386), so tests sharing the Neo4j server would run "
            "at once; install pytest<9.2 (pyproject's test extra) or run without -n")


def xdist_group_of(item) -> str | None:
    """The one xdist group a test runs in under ``--dist loadgroup``, or None (any worker).

    xdist joins every ``xdist_group`` mark of an item into one name, so each
    item gets at most one, by priority: ``neo4j`` (there is one server and
    the tests wipe it: they must run one after another), ``model`` (the real
    model and its embedding cache are loaded on one worker only), then the
    test's module when it uses a module-, class- or package-scoped fixture
    (its tests share that state and may depend on their order).

    >>> class Item:
    ...     nodeid = "tests/store/test_x.py::test_y[neo4j]"
    ...     fixturenames = ["store"]
    ...     def get_closest_marker(self, name):
    ...         return name == "neo4j" or None
    >>> xdist_group_of(Item())
    'neo4j'
    """
    if item.get_closest_marker("neo4j") or "neo4j_to_stop" in item.fixturenames:
        return "neo4j"
    if "real_embedder" in item.fixturenames:
        return "model"
    defs = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {}) or {}
    if any(d.scope in _SHARED_SCOPES for fixdefs in defs.values() for d in fixdefs):
        return item.nodeid.split("::", 1)[0]
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Put every test in its xdist group (see :func:`xdist_group_of`); a no-op without xdist.

    First of the hooks: xdist's own (in each worker) turns the marks into the
    ``@group`` suffix of the test's id that ``loadgroup`` schedules by, and
    marks added after it are ignored.
    """
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        group = xdist_group_of(item)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))


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


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, launched once per test module (never a downloaded browser).

    One sync Playwright per process: a second ``sync_playwright()`` while this one runs fails (it finds the
    first one's asyncio loop), so every browser test of a module takes this one and opens its own context,
    which shares no cookies, storage or cache with another test's. Module, not session: while Playwright
    runs, its asyncio loop is the thread's running loop, so ``asyncio.run`` (the load benches) and
    ``anyio.run`` in any later test fail with "cannot be called from a running event loop" — which a
    serial run never showed only because tests/web comes after tests/bench; under pytest-xdist a worker
    runs a browser module and then anything.
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
