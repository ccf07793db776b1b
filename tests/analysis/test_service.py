"""The cached analysis service: typed results, per-version cache in memory and on disk, every source gives the same."""

from __future__ import annotations

import dataclasses
import json

import pytest

from fixtures.world import load_world
from graph.analysis.aggregates import FirmInfo
from graph.analysis.cache import ResultCache
from graph.analysis.results import RESULTS, from_json, to_json
from graph.analysis.service import Analyst, ArraySource, GraphSource
from graph.errors import InvalidInput
from graph.labels import GapKind
from graph.parts import Part
from graph.store.sqlite import SqliteStore

from .conftest import SZ


def _strip(out) -> dict:
    return {k: v for k, v in to_json(out).items() if k != "meta"}


def test_results_are_cached_per_store_version(tmp_path):
    batch, _ = load_world()
    with SqliteStore.open(tmp_path / "s.sqlite") as store:
        store.write(batch)
        an = Analyst.for_store(store, tmp_path / "cache")
        first = an.gaps("深圳")
        assert first.meta.cached is False
        assert an.gaps("深圳").meta.cached is True
        # a new process (a new analyst) is served from disk
        again = Analyst.for_store(store, tmp_path / "cache")
        hit = again.gaps("深圳")
        assert hit.meta.cached is True and _strip(hit) == _strip(first)
        assert again._src is None  # nothing was loaded for a cache hit
        # a write changes the version: recomputed, and the old version's files are gone
        store.delete_organisation(first.gaps[0].firms[0])
        after = Analyst.for_store(store, tmp_path / "cache").gaps("深圳")
        assert after.meta.cached is False and after.meta.version != first.meta.version
        assert len([d for d in (tmp_path / "cache" / "analysis").iterdir() if d.is_dir()]) == 1


def test_results_of_other_analysis_code_are_not_served(tmp_path, monkeypatch):
    """A cached result is keyed on the analysis code too: after an upgrade that changes a formula or
    a weight, the same store version and arguments are recomputed, not served from the old files."""
    from graph.analysis import cache as cache_mod

    with SqliteStore.open(tmp_path / "s.sqlite") as store:
        store.write(load_world()[0])
        assert Analyst.for_store(store, tmp_path / "cache").gaps("深圳").meta.cached is False
        assert Analyst.for_store(store, tmp_path / "cache").gaps("深圳").meta.cached is True
        monkeypatch.setattr(cache_mod, "code_fingerprint", lambda: "another-release")
        assert Analyst.for_store(store, tmp_path / "cache").gaps("深圳").meta.cached is False


def test_an_edited_cache_file_is_not_served(tmp_path):
    """Issue 18: an edited cache/analysis/*/gaps-*.json was served as is ("severity": 9.99)."""
    with SqliteStore.open(tmp_path / "s.sqlite") as store:
        store.write(load_world()[0])
        _edited(store, tmp_path)


def _edited(store, tmp_path):
    import stat

    first = Analyst.for_store(store, tmp_path / "cache").gaps("深圳")
    files = list((tmp_path / "cache" / "analysis").glob("v*/gaps-*.json"))
    assert len(files) == 1
    for p in [*files, files[0].parent, tmp_path / "cache" / "analysis" / "cache.key"]:
        assert stat.S_IMODE(p.stat().st_mode) & 0o077 == 0, p  # owner-only
    doc = json.loads(files[0].read_text(encoding="utf-8"))
    text = files[0].read_text(encoding="utf-8")
    assert '"severity"' in text
    doc["data"]["gaps"][0]["severity"] = 9.99
    files[0].write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    again = Analyst.for_store(store, tmp_path / "cache").gaps("深圳")  # a fresh process: from disk
    assert again.meta.cached is False and again.gaps[0].severity == first.gaps[0].severity != 9.99
    hit = Analyst.for_store(store, tmp_path / "cache").gaps("深圳")  # rewritten, signed: served again
    assert hit.meta.cached is True and hit.gaps[0].severity == first.gaps[0].severity


CALLS = {"gaps": lambda a: a.gaps(SZ), "chain_map": lambda a: a.chain_map("南山区", "动漫游戏"),
         "leaders": lambda a: a.leaders(SZ, "XR", top=5), "dependence": lambda a: a.dependence(SZ, "chain:av_content"),
         "compare": lambda a: a.compare(["深圳", "北京"], "创意设计")}


def _oracle_json(obj):
    """The plain recursive walk the per-type writers must equal."""
    from enum import Enum

    if dataclasses.is_dataclass(obj):
        return {f.name: _oracle_json(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, (list, tuple)):
        return [_oracle_json(x) for x in obj]
    if isinstance(obj, dict):
        return {k: _oracle_json(v) for k, v in obj.items()}
    return obj


def test_results_are_typed_and_round_trip_through_the_disk_cache(world_store, tmp_path):
    fresh = {k: call(Analyst.for_store(world_store, tmp_path)) for k, call in CALLS.items()}
    again = {k: call(Analyst.for_store(world_store, tmp_path)) for k, call in CALLS.items()}  # a new process
    for k, out in fresh.items():
        assert type(out) is RESULTS[k] and out.meta.function == k and out.meta.cached is False
        hit = again[k]
        assert hit.meta.cached is True and dataclasses.replace(hit, meta=out.meta) == out, k
        assert from_json(RESULTS[k], to_json(out)) == out
        assert json.dumps(to_json(out)) == json.dumps(_oracle_json(out))
        assert all(type(v) in (str, int, float, bool, list, dict, type(None)) for v in _leaves(to_json(out)))
        assert json.loads(json.dumps(to_json(out))) == to_json(out)
    g = fresh["gaps"].gaps[0]
    assert g.kind is GapKind.MISSING and g.kind_zh == g.kind.zh == "补链"
    assert all(type(p) is Part for x in fresh["gaps"].gaps for p in x.parts)
    assert all(type(o) is FirmInfo for o in fresh["gaps"].orgs.values())
    assert isinstance(again["gaps"].gaps, tuple) and isinstance(again["leaders"].leaders[0].parts, tuple)
    assert to_json(again["gaps"])["gaps"][0]["kind"] == "missing"


def test_graph_and_array_sources_give_identical_results(world_graph, world_arrays, batch):
    by_graph = Analyst.for_source(GraphSource(world_graph, batch.chains))
    by_arrays = Analyst.for_source(ArraySource(world_arrays, batch.chains))
    for call in (lambda a: a.gaps(SZ), lambda a: a.chain_map("南山区", "动漫游戏"),
                 lambda a: a.leaders(SZ, "XR", top=5), lambda a: a.dependence(SZ, "chain:av_content"),
                 lambda a: a.compare(["深圳", "北京"], "创意设计")):
        assert json.dumps(_strip(call(by_graph)), sort_keys=True) == json.dumps(_strip(call(by_arrays)), sort_keys=True)


def test_a_store_without_the_sqlite_tables_uses_its_graph_view(world_store):
    class Wrapped:  # any GraphStore: only the protocol
        def version(self):
            return world_store.version()

        def graph(self):
            return world_store.graph()

        def chains(self):
            return world_store.chains()

    out = Analyst.for_store(Wrapped()).gaps(SZ, "动漫游戏")
    assert [g.segment for g in out.gaps][:1] == ["seg:game_engine"]


def test_a_store_with_pushdown_methods_is_asked_for_aggregates(world_graph, batch):
    from graph.analysis.aggregates import chain_aggregates

    calls = []

    class Pushdown:
        def version(self):
            return 7

        def chains(self):
            return batch.chains

        def segments(self):
            return batch.segments

        def segment_edges(self):
            return batch.segment_edges

        def analysis_aggregates(self, region, segments):
            calls.append(region)
            return chain_aggregates(world_graph, region, segments)

        def analysis_leader_inputs(self, chain):
            raise AssertionError("not needed")

    out = Analyst.for_store(Pushdown()).gaps("深圳")
    assert calls == [SZ] and out.gaps_total == 16 and out.meta.version == "Pushdown-7"


def test_json_output_is_plain_and_names_every_cited_firm(world_store):
    an = Analyst.for_store(world_store)
    out = an.gaps(SZ)
    json.dumps(to_json(out))
    assert set(out.orgs) == {i for g in out.gaps for i in g.firms}
    assert out.status_counts == {"extension": 4, "missing": 6, "strong": 31, "thin": 6}
    assert an.gaps(SZ, top=3).gaps == out.gaps[:3]


def test_bad_region_chain_and_compare_arguments_are_invalid_input(world_store):
    an = Analyst.for_store(world_store)
    with pytest.raises(InvalidInput):
        an.gaps("不存在的地方")
    with pytest.raises(InvalidInput):
        an.gaps(SZ, "no such chain")
    with pytest.raises(InvalidInput):
        an.compare([SZ])


def test_memory_cache_is_bounded():
    c = ResultCache(None, size=2)
    for i in range(3):
        c.put("v", "f", {"i": i}, {"i": i})
    assert c.get("v", "f", {"i": 0}) is None and c.get("v", "f", {"i": 2}) == {"i": 2}


def test_empty_stores_give_empty_answers():
    from graph.model import Format, Segment, SegmentEdge, Stage
    from graph.store.protocol import Batch

    store = SqliteStore.memory()
    out = Analyst.for_store(store).gaps("深圳")
    assert out.gaps == () and out.status_counts == {}
    segs = [Segment(s, s, s, Stage.UPSTREAM, Format.OTHER) for s in ("a", "b")]
    store.write(Batch(segments=segs, segment_edges=[SegmentEdge("a", "b")]))
    an = Analyst.for_store(store)
    assert an.gaps("深圳").status_counts == {"absent": 2}
    assert an.chain_map("深圳").edges[0].local_share is None
    assert an.leaders("深圳").leaders == () and an.dependence("深圳").external_share is None


def test_a_memory_hit_is_the_kept_result_and_an_old_shaped_file_is_recomputed(world_store, tmp_path):
    an = Analyst.for_store(world_store, tmp_path)
    first = an.gaps(SZ, "动漫游戏")
    hit = an.gaps(SZ, "动漫游戏")
    assert hit.meta.cached and hit.gaps is first.gaps  # nothing re-read or rebuilt
    (path,) = (tmp_path / "analysis").rglob("gaps-*.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["data"]["gaps_total"]  # a file written before a field was added (its mac fails too)
    path.write_text(json.dumps(data), encoding="utf-8")
    again = Analyst.for_store(world_store, tmp_path).gaps(SZ, "动漫游戏")
    assert again.meta.cached is False and again.gaps_total == first.gaps_total


def _leaves(x):
    if isinstance(x, dict):
        for v in x.values():
            yield from _leaves(v)
    elif isinstance(x, list):
        for v in x:
            yield from _leaves(v)
    else:
        yield x


def test_a_new_process_starts_from_the_kept_arrays_and_entry_context(tmp_path, monkeypatch):
    """A large store keeps its array view (columns and derived indexes) and its entry context per version:
    the next analyst reads neither from SQLite, and its gaps equal the first analyst's."""
    import shutil

    from graph.analysis import service
    from graph.store import sqlite_aggregates

    monkeypatch.setattr(service, "ARRAYS_CACHE_MIN_ORGS", 0)  # the sample world is small: keep its arrays
    with SqliteStore.open(tmp_path / "s.sqlite") as store:
        store.write(load_world()[0])
        first = Analyst.for_store(store, tmp_path / "cache").gaps("深圳")
        kept = sorted(p.name.split("-")[0] for p in (tmp_path / "cache").iterdir())
        assert kept == ["analysis", "arrays", "entry"]
        shutil.rmtree(tmp_path / "cache" / "analysis")  # no cached result: the analysis runs again

        def no_store_reads(*_a, **_k):
            raise AssertionError("read from the store although the version's files are kept")

        monkeypatch.setattr(store, "analysis_arrays", no_store_reads)
        monkeypatch.setattr(sqlite_aggregates, "load_firm_dates", no_store_reads)
        again = Analyst.for_store(store, tmp_path / "cache")
        out = again.gaps("深圳")
        assert out.meta.cached is False and _strip(out) == _strip(first)
        assert again.entry_context.growth and again.source.arrays.derived


def test_gaps_after_an_incremental_import_equal_gaps_computed_from_scratch(tmp_path, monkeypatch):
    """The kept view and its derived national indexes (graph.analysis.fast.derive) belong to one store
    version: after a second import into the same store, gaps come from a view of the new version and
    equal those of a store that got both imports and never kept anything, for the whole graph (the national
    expansions' path) and for one chain (the per-query expansion)."""
    from graph.analysis import service
    from graph.store.protocol import Batch

    monkeypatch.setattr(service, "ARRAYS_CACHE_MIN_ORGS", 0)  # the sample world is small: keep its arrays
    batch, _ = load_world()
    orgs = sorted(batch.organisations, key=lambda o: o.id)
    first_ids = {o.id for o in orgs[: len(orgs) // 2]}
    first = Batch(segments=batch.segments, segment_edges=batch.segment_edges, chains=batch.chains,
                  organisations=[o for o in orgs if o.id in first_ids],
                  links=[x for x in batch.links if x.src in first_ids and x.dst in first_ids])
    second = Batch(organisations=[o for o in orgs if o.id not in first_ids],
                   links=[x for x in batch.links if not (x.src in first_ids and x.dst in first_ids)])
    assert first.links and second.links and second.organisations
    chain = batch.chains[0].id
    with SqliteStore.open(tmp_path / "kept.sqlite") as kept:
        kept.write(first)
        before = Analyst.for_store(kept, tmp_path / "cache").gaps("深圳")
        kept.write(second)  # the incremental import
        after = Analyst.for_store(kept, tmp_path / "cache")
        incremental = [after.gaps("深圳"), after.gaps("深圳", chain)]
        assert after.source.arrays.derived  # from a kept, derived view of the new version
    with SqliteStore.open(tmp_path / "scratch.sqlite") as scratch:
        scratch.write(first)
        scratch.write(second)
        fresh = Analyst.for_store(scratch)  # no cache directory: nothing kept, nothing reused
        from_scratch = [fresh.gaps("深圳"), fresh.gaps("深圳", chain)]
    assert [_strip(x) for x in incremental] == [_strip(x) for x in from_scratch]
    assert _strip(before) != _strip(incremental[0])  # the second import changed the answer
