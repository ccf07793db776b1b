"""``Engines.rank``: the HTTP layer's recommendation index comes from the store's capability.

On Neo4j (:class:`~graph.store.protocol.RecommendPushdown`) it is the
ranking's scope, kept per store version and focus, and ranks as the
embedded store's whole index does; on the embedded store it is the whole
index the other recommenders share.
"""

from __future__ import annotations

import pytest

from api.deps import Engines
from graph.settings import Settings
from matching.recommend.targets import recommend_targets
from tests.conftest import _neo4j_store

SZ = "cn/guangdong/shenzhen"


def test_embedded_store_gets_its_whole_index(world_store):
    engines = Engines(Settings(_env_file=None))
    ix = engines.rank(world_store, SZ, ["seg:game_engine"], (), lambda ix: ix)
    assert ix is engines.recommend(world_store, lambda ix: ix)
    assert ix.n_orgs == world_store.counts()["organisations"]


@pytest.mark.neo4j
def test_neo4j_gets_the_scope_kept_per_version_and_focus(world, world_store):
    neo = _neo4j_store()
    try:
        neo.write(world[0])
        engines = Engines(Settings(_env_file=None))
        ix = engines.rank(neo, SZ, ["seg:game_engine", "seg:game_engine"], (), lambda ix: ix)
        assert ix.n_orgs < world_store.counts()["organisations"]
        assert engines.rank(neo, SZ, ["seg:game_engine"], [], lambda ix: ix) is ix
        assert engines.rank(neo, SZ, ["seg:optical_module"], (), lambda ix: ix) is not ix
        want = recommend_targets(engines.recommend(world_store, lambda ix: ix), SZ, "seg:game_engine", k=10)
        got = recommend_targets(ix, SZ, "seg:game_engine", k=10)
        assert [(t.org, round(t.total, 9), t.evidence) for t in got] == \
            [(t.org, round(t.total, 9), t.evidence) for t in want]
    finally:
        neo.close()
