"""kill -9 during ``chainmatch index build``: the index loads and matches the store, or is rebuilt.

The store holds synthetic firms (state B) and, beside it, a search index built
for an older state A (stale) plus the embedding cache of A's texts. The real
CLI rebuilds the index (hashing embedder, so a run takes seconds) and is
SIGKILLed at seeded delays: ten spread over the whole run, ten from the
moment it starts writing the embedding cache to the end. After each kill the
store is untouched and sound, the embedding cache passes ``integrity_check``,
and opening the engine either loads an index that is current for the store
(same version, same organisations) or finds it stale/damaged and rebuilds it;
either way search results equal those of a fresh in-memory build, and no
temporary index directory is left once the index has been saved again.
"""

from __future__ import annotations

import dataclasses
import fcntl
import os
import shutil
import time
from collections import Counter

import pytest

from fixtures.synth import synthetic_batch
from graph.store.protocol import Batch
from graph.store.sqlite import SqliteStore
from matching.embcache import EmbeddingCache, default_cache_path
from matching.embedder import make_embedder
from matching.search import Filters, SearchConfig, SearchEngine, index_dir, read_manifest, staleness
from tests.reliability.killer import calibrate, cli_env, fresh_copy, run_cli, two_phase_delays
from tests.reliability.snapshot import integrity, snapshot

pytestmark = pytest.mark.slow

TRIALS = 20
SEED = 20261127
FIRMS_A, FIRMS_B = 300, 400
QUERIES = [("游戏引擎", "hybrid", None), ("motion capture", "hybrid", None), ("动画制作", "lexical", None),
           ("game engine", "dense", None), ("数字人", "hybrid", Filters(region="cn/guangdong/shenzhen"))]


def results(engine):
    out = []
    for q, mode, filters in QUERIES:
        hits = engine.search(q, k=10, mode=mode, filters=filters)
        out.append([(h.id, h.rank, round(h.score, 5), h.dense_rank, h.lexical_rank) for h in hits])
    return out


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("crash-index")
    template = root / "template"
    full = synthetic_batch(FIRMS_B, 600, seed=SEED)
    a = Batch(segments=full.segments, segment_edges=full.segment_edges, organisations=full.organisations[:FIRMS_A])
    embedder = make_embedder("hashing")
    with SqliteStore.open(template / "store.sqlite") as store:
        store.write(a)
        with EmbeddingCache.open(default_cache_path(template)) as cache:
            SearchEngine.open(store, embedder, index_dir(template), cache=cache)  # saved for state A
        changed = [dataclasses.replace(o, description_zh=o.description_zh + "，兼营数字人与动作捕捉")
                   for o in full.organisations[:40]]
        store.write(Batch(organisations=changed + full.organisations[FIRMS_A:], links=full.links))
        fresh = results(SearchEngine.build(store, embedder))
    return root, template, embedder, fresh


def temp_dirs(data_dir):
    """Temporary index directories in ``data_dir`` (a build in progress leaves them while it saves)."""
    return sorted(p.name for p in data_dir.iterdir() if p.name.startswith("index.") and p.name != "index.lock")


def leftovers(data_dir):
    """Temporary index directories left in ``data_dir``; ``index.lock`` is not one of them.

    The lock file (graph.atomic.exclusive) stays on purpose: the kernel drops the flock when
    its holder dies, so after a kill -9 it must be free, which this checks instead.
    """
    lock = data_dir / "index.lock"
    if lock.exists():
        fd = os.open(lock, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises BlockingIOError if still held
        finally:
            os.close(fd)
    return temp_dirs(data_dir)


def test_kill_during_index_build_then_load_or_rebuild(world):
    root, template, embedder, fresh = world
    env = cli_env(CHAINMATCH_EMBEDDING_MODEL="hashing")
    state_b = snapshot(template / "store.sqlite")
    config = SearchConfig()

    def cmd(data_dir):
        return ["index", "build", "--data-dir", str(data_dir), "--json"]

    calib = root / "calibrate"
    cache_wal = default_cache_path(calib).with_name("cache.sqlite-wal")
    probes = {"cache": lambda: cache_wal.exists() and cache_wal.stat().st_size > 0,
              "saving": lambda: bool(temp_dirs(calib))}  # the builder holds the lock meanwhile
    full, marks = calibrate(cmd(calib), env, probes, lambda: fresh_copy(template, calib))
    manifest = read_manifest(index_dir(calib))
    assert manifest["store_version"] == state_b.version and manifest["size"] == FIRMS_B
    delays = two_phase_delays(full.seconds, marks.get("cache", 0.0), TRIALS, SEED)

    outcomes: Counter[str] = Counter()
    log = []
    t0 = time.perf_counter()
    for i, delay in enumerate(delays):
        data_dir = fresh_copy(template, root / f"trial-{i:02d}")
        run = run_cli(cmd(data_dir), env, kill_after=delay)
        path, directory = data_dir / "store.sqlite", index_dir(data_dir)
        assert integrity(path) == "ok" and snapshot(path) == state_b, f"trial {i}: the index build touched the store"
        assert integrity(default_cache_path(data_dir)) == "ok", f"trial {i}: embedding cache damaged"
        left = leftovers(data_dir)
        with SqliteStore.open(path) as store, EmbeddingCache.open(default_cache_path(data_dir)) as cache:
            why = staleness(read_manifest(directory), store.version(), embedder.model_id, config)
            engine = SearchEngine.open(store, embedder, directory, cache=cache, config=config)
            ids = [o.id for o in store.organisations()]
            version = store.version()
        if engine.meta["rebuilt"]:
            outcome = f"rebuilt ({why or 'damaged'})"
            assert not leftovers(data_dir), f"trial {i}: temporary index directories left after a save"
        else:
            outcome = "loaded"
            assert why is None
            assert engine.meta["store_version"] == version and [c.id for c in engine.cards] == ids
        assert results(engine) == fresh, f"trial {i} ({outcome}, kill at {delay:.2f}s): results differ"
        assert staleness(read_manifest(directory), version, embedder.model_id, config) is None
        outcomes[outcome.split(" (")[0]] += 1
        log.append((round(delay, 2), run.killed, outcome, left))
        shutil.rmtree(data_dir)
    print(f"\nindex crash trials: uninterrupted {full.seconds:.2f}s (timeline {marks}); {TRIALS} kills in "
          f"{time.perf_counter() - t0:.1f}s; outcomes {dict(outcomes)}; "
          f"(delay s, killed, outcome, left beside) {log}")
    assert outcomes["rebuilt"] >= 1  # the first slice kills before anything is saved
