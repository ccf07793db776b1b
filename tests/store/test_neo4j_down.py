"""Neo4j down: a clear ``BackendUnavailable``, and recovery without a restart.

The recovery test takes the session's throwaway server on a free port (tests/neo4j_throwaway.py,
``neo4j_to_stop`` in tests/conftest.py), stops it mid-session and starts it again.
"""

from __future__ import annotations

import time

import pytest

from graph.errors import BackendUnavailable
from graph.ports import free_port
from graph.settings import Settings
from graph.store.protocol import Batch
from tests.store.test_contract import small_world


def test_a_closed_port_raises_backend_unavailable_with_a_clear_message():
    from graph.store.neo4j import Neo4jStore

    uri = f"bolt://127.0.0.1:{free_port()}"
    started = time.monotonic()
    with pytest.raises(BackendUnavailable) as err:
        Neo4jStore.connect(Settings(backend="neo4j", neo4j_uri=uri))
    assert time.monotonic() - started < 10
    e = err.value
    assert e.code == "backend_unavailable"
    assert uri in e.message and "is the server running?" in e.message
    assert uri in e.message_zh and "无法连接 Neo4j" in e.message_zh


@pytest.mark.neo4j
@pytest.mark.slow
def test_stopped_mid_session_raises_then_recovers_without_a_restart(neo4j_to_stop):
    from graph.store.neo4j import Neo4jStore

    server = neo4j_to_stop
    uri = server.uri
    # no retry budget: each call fails at once (the driver's retry loop is not under test)
    store = Neo4jStore.connect(Settings(backend="neo4j", neo4j_uri=uri), retry_seconds=0.0)
    try:
        store.write(small_world())
        counts, version = store.counts(), store.version()

        server.stop()
        calls = {
            "version": store.version,
            "counts": store.counts,
            "organisations": lambda: store.organisations(region="cn"),
            "links": store.links,
            "lookup": lambda: store.lookup(["org:firm"]),
            "write": lambda: store.write(Batch(organisations=small_world().organisations[:1])),
            "delete": lambda: store.delete_organisation("org:firm"),
            "graph": store.graph,
        }
        for name, call in calls.items():
            with pytest.raises(BackendUnavailable) as err:
                call()
            assert uri in err.value.message, name

        server.start()
        assert store.counts() == counts and store.version() == version
        firm = small_world().organisations[0]
        store.write(Batch(organisations=[firm.__class__(**{**_fields(firm), "employees": 7})]))
        assert store.organisation(firm.id).employees == 7 and store.version() == version + 1
    finally:
        store.close()


def _fields(obj) -> dict:
    return {f: getattr(obj, f) for f in obj.__dataclass_fields__}
