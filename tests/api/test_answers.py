"""Answers kept per store version (matching.answers.Answers): repeated requests are served from them, a write
makes them stale (through HTTP too, whichever server wrote), a write drops the older versions' answers, a freed
store's answers never reach a new one, and with ``answers_kept`` 0 nothing is kept; ``Target.as_dict`` is
``dataclasses.asdict``."""

from __future__ import annotations

import dataclasses
import random
import threading

from fastapi.testclient import TestClient

from api.app import create_app
from graph.model import Membership, Organisation, OrgKind, Provenance
from graph.settings import Settings
from graph.store.protocol import Batch
from matching.answers import Answers
from matching.engines import Engines
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
    assert _uncached(api.get("/analysis/chain-map", params=cmap).json()) == _uncached(m1)
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


#: the reads whose answers are kept (segments, organisation counts, chain maps, gap lists), and one that is not
READS = [
    ("/organisations", {"region": FUTIAN, "segment": SEG, "limit": 5}),
    ("/organisations", {"region": FUTIAN, "segment": SEG, "limit": 5, "offset": 5}),
    ("/organisations", {"region": "cn/guangdong/shenzhen/nanshan", "kind": "firm", "limit": 3}),
    ("/analysis/chain-map", {"region": FUTIAN, "chain": "chain:av_content"}),
    ("/analysis/chain-map", {"region": "cn/guangdong/shenzhen/nanshan"}),
    ("/analysis/gaps", {"region": FUTIAN, "chain": "chain:av_content"}),
    ("/analysis/gaps", {"region": "深圳", "top": 5}),
    ("/recommendations", {"region": "cn/guangdong/shenzhen", "segment": SEG, "limit": 5}),
]


def _uncached(body: dict) -> dict:
    """``body`` without ``meta.cached`` (which of two servers computed an analysis first is not the question)."""
    return {**body, "meta": {**body["meta"], "cached": None}} if "meta" in body else body


def _unversioned(body: dict) -> dict:
    return {k: v for k, v in body.items() if k != "meta"}


def test_a_kept_analysis_says_it_is_cached(api):
    params = {"region": FUTIAN, "chain": "chain:av_content"}
    first, again = (api.get("/analysis/gaps", params=params).json() for _ in range(2))
    assert first["meta"]["cached"] is False and again["meta"]["cached"] is True
    assert _uncached(first) == _uncached(again)


def test_a_write_over_http_is_seen_by_the_next_read_of_either_server(tmp_path, world_store_file):
    """Two servers on one store, one keeping answers and one keeping none (the oracle): after every write,
    through either, the keeping server answers every read as the oracle does, and the writes show."""
    data = world_dir(tmp_path, world_store_file)
    kept_settings, kept_tokens = start(data)
    fresh_settings, fresh_tokens = start(data, answers_kept=0)
    with TestClient(create_app(kept_settings), raise_server_exceptions=False) as a, \
            TestClient(create_app(fresh_settings), raise_server_exceptions=False) as b:
        kept, fresh = Api(a, kept_settings, kept_tokens), Api(b, fresh_settings, fresh_tokens)

        def reads() -> list[dict]:
            got = []
            for url, params in READS:
                r, oracle = kept.get(url, params=params), fresh.get(url, params=params)
                assert r.status_code == oracle.status_code == 200, (url, params, r.text)
                assert _uncached(r.json()) == _uncached(oracle.json()), (url, params)
                got.append(_uncached(r.json()))
            return got

        before = reads()
        assert reads() == before and a.app.state.engines.answers.hits >= 7  # the second pass is kept answers
        new = {"name_zh": "新特效公司甲", "region": FUTIAN, "segments": [{"segment": SEG}]}
        r = kept.post("/organisations", json=new)
        assert r.status_code == 201, r.text
        oid = r.json()["id"]
        added = reads()
        assert added[0]["total"] == before[0]["total"] + 1
        assert _local(added[3]) == _local(before[3]) + 1
        assert oid in {o["id"] for o in kept.get("/organisations", params={**READS[0][1], "limit": 100}).json()["items"]}

        r = fresh.patch(f"/organisations/{oid}", json={"region": "cn/guangdong/shenzhen/nanshan"})  # the other server
        assert r.status_code == 200, r.text
        moved = reads()
        assert moved[0]["total"] == before[0]["total"] and _local(moved[3]) == _local(before[3])
        assert moved[2]["total"] == before[2]["total"] + 1

        assert kept.delete(f"/organisations/{oid}").status_code == 204
        assert [_unversioned(x) for x in reads()] == [_unversioned(x) for x in before]


def test_a_write_drops_the_answers_of_older_versions(api):
    engines, store = api.client.app.state.engines, api.client.app.state.store
    for url, params in READS:
        assert api.get(url, params=params).status_code == 200
    assert len(engines.answers) >= 7
    _new_firm(store, 3)
    assert api.get(*READS[3][:1], params=READS[3][1]).status_code == 200  # one answer of the new version
    assert len(engines.answers) == 1  # the older version's answers are gone, not left to age out


class _Versioned:
    """A stand-in store: a version and a value."""

    def __init__(self, value: int):
        self.value = value

    def version(self) -> int:
        return 1


def test_a_new_store_object_never_gets_the_answers_of_a_freed_one(tmp_path):
    """CPython gives a new object the address of one just freed: ``id()`` is no key for a store."""
    engines = Engines(Settings(_env_file=None, data_dir=tmp_path))
    got = []
    for n in range(50):
        store = _Versioned(n)
        got.append(engines.answer(store, ("k",), lambda store=store: store.value))
        del store
    assert got == list(range(50))


def test_answers_under_threads_are_right_and_bounded():
    """Eight threads ask for 40 keys while the version moves on: every answer is its key's and version's,
    the table never holds more than its size, nor answers of a version older than the newest."""
    answers, size, wrong = Answers(16), 16, []
    version = [0]

    def ask(seed: int) -> None:
        rng = random.Random(seed)
        for i in range(3000):
            if seed == 0 and i % 300 == 0:
                version[0] += 1  # a write
            v, k = version[0], rng.randrange(40)
            if answers.get("store", v, k, lambda v=v, k=k: (v, k)) != (v, k):
                wrong.append((v, k))
            if len(answers) > size:
                wrong.append(("size", len(answers)))

    threads = [threading.Thread(target=ask, args=(s,)) for s in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []
    assert answers.hits > 0 and answers.misses > 0
    assert {key[1] for key in answers._items} == {version[0]}  # the last version's answers only
