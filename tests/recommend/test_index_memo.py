"""What a ChainIndex keeps between calls: full records it fetched and memoised rankings."""

from __future__ import annotations

import matching.recommend.index as index_mod
from matching.recommend.index import ChainIndex
from matching.recommend.targets import Focus, recommend_targets

LOCAL = "cn/guangdong/shenzhen"


def test_kept_records_equal_the_store_and_bulk_reads_are_not_kept(fresh_store, monkeypatch):
    monkeypatch.setattr(index_mod, "DETAILS_KEPT", 64)
    reads = []
    ix = ChainIndex.from_store(fresh_store, details=False)
    fetch = ix.fetch
    ix.fetch = lambda ids: reads.append(list(ids)) or fetch(ids)
    ids = ix.org_ids[:3]
    first = ix.details(ids)
    assert first == {o.id: o for o in fresh_store.organisations(ids=ids)}
    assert ix.details(list(reversed(ids))) == first and len(reads) == 1  # the second call read nothing
    # overflowing the cap forgets, never answers wrongly
    for i in range(0, 200, 2):
        part = ix.org_ids[i:i + 2]
        assert ix.details(part) == {o.id: o for o in fresh_store.organisations(ids=part)}
    assert len(ix._details) <= 64
    everyone = ix.details(ix.org_ids)  # a bulk read is answered and not kept
    assert len(everyone) == len(ix.org_ids) and len(ix._details) <= 64
    assert ix.details(["org:nobody"]) == {}


def test_memoised_ranking_equals_a_fresh_one_and_keys_keep_results_apart(fresh_store):
    ix = ChainIndex.from_store(fresh_store)
    seg = ix.seg_ids[0]
    fresh = recommend_targets(ix, LOCAL, [Focus(seg)], k=10)
    key = ("targets", LOCAL, (Focus(seg),), 10)
    got = ix.memo(key, lambda: recommend_targets(ix, LOCAL, [Focus(seg)], k=10))
    assert [t.org for t in got] == [t.org for t in fresh]
    assert ix.memo(key, lambda: []) is got  # computed once
    other = ix.memo(key + ("landed",), lambda: [])
    assert other == [] and ix.memo(key, lambda: []) is got
    new = ChainIndex.from_store(fresh_store)  # a new index (store version) starts empty
    assert new.memo(key, lambda: "recomputed") == "recomputed"
