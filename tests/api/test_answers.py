"""Answers kept per store version (matching.engines.Answers): repeated requests are served from them, a write
makes them stale, and with ``answers_kept`` 0 nothing is kept; ``Target.as_dict`` is ``dataclasses.asdict``."""

from __future__ import annotations

import dataclasses

from fastapi.testclient import TestClient

from api.app import create_app
from graph.model import Membership, Organisation, OrgKind, Provenance
from graph.store.protocol import Batch
from tests.api.conftest import Api, start, world_dir

FUTIAN = "cn/guangdong/shenzhen/futian"
SEG = "seg:vfx_post"


def _new_firm(store, n: int) -> None:
    store.write(Batch(organisations=[Organisation(f"org:new{n}", OrgKind.FIRM, f"新特效公司{n}", Provenance("test"),
                                                  region=FUTIAN, segments=(Membership(SEG),))]))


def _local(chain_map: dict) -> int:
    return sum(s["local_firms"] for s in chain_map["segments"] if s["segment"] == SEG)


def test_counts_and_chain_maps_are_kept_until_a_write(api):
    engines, store = api.client.app.state.engines, api.client.app.state.store
    page = {"region": FUTIAN, "segment": SEG, "limit": 5}
    cmap = {"region": FUTIAN, "chain": "chain:av_content"}
    first = api.get("/organisations", params=page).json()
    m1 = api.get("/analysis/chain-map", params=cmap).json()
    hits = engines.answers.hits
    again = api.get("/organisations", params={**page, "offset": 5}).json()  # another page: the same count
    assert api.get("/analysis/chain-map", params=cmap).json() == m1
    assert again["total"] == first["total"] and engines.answers.hits >= hits + 3  # segments, count, chain map

    _new_firm(store, 1)  # a new version: nothing kept before answers
    after = api.get("/organisations", params=page).json()
    m2 = api.get("/analysis/chain-map", params=cmap).json()
    assert after["total"] == first["total"] + 1
    assert _local(m2) == _local(m1) + 1
    assert "org:new1" in {o["id"] for o in api.get("/organisations", params={**page, "limit": 100}).json()["items"]}


def test_nothing_kept_when_answers_kept_is_zero(tmp_path, world_store_file):
    settings, tokens = start(world_dir(tmp_path, world_store_file), answers_kept=0)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        api = Api(client, settings, tokens)
        page = {"region": FUTIAN, "segment": SEG}
        totals = [api.get("/organisations", params=page).json()["total"] for _ in range(2)]
        engines = client.app.state.engines
        assert len(engines.answers) == 0 and engines.answers.hits == 0 and engines.answers.misses >= 4
        _new_firm(client.app.state.store, 2)
        assert api.get("/organisations", params=page).json()["total"] == totals[0] + 1 == totals[1] + 1


def test_target_as_dict_is_dataclasses_asdict(api):
    body = api.get("/recommendations", params={"region": "cn/guangdong/shenzhen", "segment": "seg:game_engine",
                                               "limit": 20}).json()
    assert body["items"]
    engines, store = api.client.app.state.engines, api.client.app.state.store
    from matching.recommend.targets import recommend_targets

    targets = engines.recommend(store, lambda ix: recommend_targets(ix, "cn/guangdong/shenzhen",
                                                                   "seg:game_engine", k=20))
    assert targets and all(t.form is not None for t in targets)
    for t in targets:
        assert t.as_dict() == dataclasses.asdict(t)
        assert type(t.as_dict()["parts"]) is tuple and type(t.as_dict()["form"]["checks"]) is dict
