"""Neo4j down: a clear ``BackendUnavailable``, and recovery without a restart.

The recovery test starts its own throwaway server on a free port with
``scripts/neo4j-start.sh``, stops it mid-session and starts it again.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from graph.errors import BackendUnavailable
from graph.settings import Settings
from graph.store.protocol import Batch
from tests.store.test_contract import small_world

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_closed_port_raises_backend_unavailable_with_a_clear_message():
    from graph.store.neo4j import Neo4jStore

    uri = f"bolt://127.0.0.1:{_free_port()}"
    started = time.monotonic()
    with pytest.raises(BackendUnavailable) as err:
        Neo4jStore.connect(Settings(backend="neo4j", neo4j_uri=uri))
    assert time.monotonic() - started < 10
    e = err.value
    assert e.code == "backend_unavailable" and e.status == 503
    assert uri in e.message and "is the server running?" in e.message
    assert uri in e.message_zh and "无法连接 Neo4j" in e.message_zh


def _script(name: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / "scripts" / name)], env=env, capture_output=True, text=True, timeout=600
    )


@pytest.mark.neo4j
@pytest.mark.slow
def test_stopped_mid_session_raises_then_recovers_without_a_restart(tmp_path):
    if not os.environ.get("CHAINMATCH_NEO4J_URI"):
        pytest.skip("CHAINMATCH_NEO4J_URI not set: the Neo4j tests are off")
    if shutil.which("java") is None:
        pytest.skip("no java on PATH: cannot start a throwaway Neo4j server")
    from graph.store.neo4j import Neo4jStore

    port = _free_port()
    env = {
        **os.environ,
        "CHAINMATCH_NEO4J_PORT": str(port),
        "CHAINMATCH_NEO4J_RUN_DIR": str(tmp_path / "neo4j"),
        "CHAINMATCH_NEO4J_HEAP": "512m",
        "CHAINMATCH_NEO4J_PAGECACHE_MB": "32",
    }
    started = _script("neo4j-start.sh", env)
    if started.returncode == 3:
        pytest.skip(started.stderr.strip())
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == f"export CHAINMATCH_NEO4J_URI=bolt://127.0.0.1:{port}"
    uri = f"bolt://127.0.0.1:{port}"
    store = None
    try:
        # no retry budget: each call fails at once (the driver's retry loop is not under test)
        store = Neo4jStore.connect(Settings(backend="neo4j", neo4j_uri=uri), retry_seconds=0.0)
        store.write(small_world())
        counts, version = store.counts(), store.version()

        stopped = _script("neo4j-stop.sh", env)
        assert stopped.returncode == 0, stopped.stderr
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

        again = _script("neo4j-start.sh", env)
        assert again.returncode == 0, again.stderr
        assert store.counts() == counts and store.version() == version
        firm = small_world().organisations[0]
        store.write(Batch(organisations=[firm.__class__(**{**_fields(firm), "employees": 7})]))
        assert store.organisation(firm.id).employees == 7 and store.version() == version + 1
    finally:
        if store is not None:
            store.close()
        _script("neo4j-stop.sh", env)


def _fields(obj) -> dict:
    return {f: getattr(obj, f) for f in obj.__dataclass_fields__}
