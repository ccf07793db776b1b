"""Neo4j stopped mid-session: the API answers 503 in the error shape and recovers without a restart.

The app is built once on a throwaway Neo4j server (its own free port, started
with ``scripts/neo4j-start.sh`` as in ``tests/store/test_neo4j_down.py``);
the server is stopped and started again under the same app and client.
"""

from __future__ import annotations

import os
import shutil

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.settings import Settings
from tests.api.conftest import assert_error
from tests.store.test_contract import small_world
from tests.store.test_neo4j_down import _free_port, _script

READS = ("/organisations?region=cn", "/analysis/gaps?region=cn/guangdong/shenzhen")


@pytest.mark.neo4j
@pytest.mark.slow
def test_neo4j_stopped_mid_session_gives_503_then_recovers_without_a_restart(tmp_path):
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
    uri = f"bolt://127.0.0.1:{port}"
    try:
        settings = Settings(_env_file=None, data_dir=tmp_path / "data", backend="neo4j", neo4j_uri=uri,
                            auth="off", embedding_model="hashing:64")
        with Neo4jStore.connect(settings) as store:
            store.write(small_world())
        with TestClient(create_app(settings)) as client:
            before = {url: client.get(url) for url in READS}
            assert all(r.status_code == 200 for r in before.values()), {u: r.text for u, r in before.items()}

            stopped = _script("neo4j-stop.sh", env)
            assert stopped.returncode == 0, stopped.stderr
            for url in READS:
                err = assert_error(client.get(url), 503, "backend_unavailable")
                assert uri in err["message"] and "Neo4j" in err["message_zh"], url
            assert_error(client.get("/ready"), 503, "backend_unavailable")

            again = _script("neo4j-start.sh", env)
            assert again.returncode == 0, again.stderr
            for url in READS:  # the same app and client: the driver reconnects by itself
                r = client.get(url)
                assert r.status_code == 200, r.text
                assert r.json() == {**before[url].json(), **({"meta": r.json()["meta"]} if "meta" in r.json()
                                                               else {})}, url
            assert client.get("/ready").status_code == 200
    finally:
        _script("neo4j-stop.sh", env)
