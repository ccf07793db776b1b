"""Neo4j stopped mid-session: the API answers 503 in the error shape and recovers without a restart.

The app is built once on a throwaway Neo4j server (its own free port,
tests/neo4j_throwaway.py; one per session, ``neo4j_to_stop`` in tests/conftest.py); the server is stopped
and started again under the same app and client.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.settings import Settings
from tests.api.conftest import assert_error
from tests.store.test_contract import small_world

READS = ("/organisations?region=cn", "/analysis/gaps?region=cn/guangdong/shenzhen")


@pytest.mark.neo4j
@pytest.mark.slow
def test_neo4j_stopped_mid_session_gives_503_then_recovers_without_a_restart(tmp_path, neo4j_to_stop):
    from graph.store.neo4j import Neo4jStore

    server = neo4j_to_stop
    uri = server.uri
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", backend="neo4j", neo4j_uri=uri,
                        auth="off", embedding_model="hashing:64")
    with Neo4jStore.connect(settings) as store:
        store.write(small_world())
    with TestClient(create_app(settings)) as client:
        before = {url: client.get(url) for url in READS}
        assert all(r.status_code == 200 for r in before.values()), {u: r.text for u, r in before.items()}

        server.stop()
        for url in READS:
            err = assert_error(client.get(url), 503, "backend_unavailable")
            assert uri in err["message"] and "Neo4j" in err["message_zh"], url
        assert_error(client.get("/ready"), 503, "backend_unavailable")

        server.start()
        for url in READS:  # the same app and client: the driver reconnects by itself
            r = client.get(url)
            assert r.status_code == 200, r.text
            assert r.json() == {**before[url].json(), **({"meta": r.json()["meta"]} if "meta" in r.json()
                                                           else {})}, url
        assert client.get("/ready").status_code == 200
