"""What a killed writer (or a full disk) can leave on disk is detected and rebuilt, never a crash.

Regression tests for the crash trials: a search index with any one file
emptied or cut in half is rebuilt by ``SearchEngine.open`` (it used to raise
FAISS's ``RuntimeError``/numpy's ``EOFError``, or load an index whose parts
disagree and fail at search time); a damaged analysis array cache is rebuilt
(it used to raise ``BadZipFile``); the array cache is written atomically; and
temporary index directories left by dead writers are swept.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from fixtures.synth import synthetic_batch
from fixtures.world import load_world
from graph.analysis.arrays import GraphArrays
from graph.analysis.service import Analyst
from graph.store.sqlite import SqliteStore
from graph.store.sqlite_aggregates import load_arrays
from matching.embedder import make_embedder
from matching.search import SearchEngine

INDEX_FILES = ["cards.jsonl", "vectors.npy", "manifest.json", "dense/index.json", "dense/ids.json",
               "dense/groups.npy", "dense/inner/faiss.index", "dense/inner/index.json", "lexical/lexical.json", "lexical/bm25/data.csc.index.npy",
               "lexical/bm25/vocab.index.json"]


@pytest.fixture(scope="module")
def saved_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("damaged-index")
    store = SqliteStore.memory()
    store.write(synthetic_batch(60, 0, seed=5))
    embedder = make_embedder("hashing:32")
    SearchEngine.open(store, embedder, root / "good")
    fresh = SearchEngine.build(store, embedder).search("科技 engine", k=8).as_dict()
    yield store, embedder, root, fresh
    store.close()


@pytest.mark.parametrize("how", ["empty", "half"])
@pytest.mark.parametrize("name", INDEX_FILES)
def test_damaged_index_file_is_rebuilt(saved_index, name, how):
    store, embedder, root, fresh = saved_index
    directory = root / f"{name.replace('/', '_')}-{how}"
    shutil.copytree(root / "good", directory)
    data = (directory / name).read_bytes()
    (directory / name).write_bytes(b"" if how == "empty" else data[: len(data) // 2])
    engine = SearchEngine.open(store, embedder, directory)
    assert engine.meta["rebuilt"] is True
    assert engine.search("科技 engine", k=8).as_dict() == fresh
    again = SearchEngine.open(store, embedder, directory)  # and the rebuilt one is saved whole
    assert again.meta["rebuilt"] is False and again.search("科技 engine", k=8).as_dict() == fresh


def test_dead_writers_leftovers_are_swept_on_save(saved_index, tmp_path):
    store, embedder, root, _ = saved_index
    directory = tmp_path / "index"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    live = str(os.getppid())
    for name in (f"index.tmp-{dead}", f"index.old-{dead}", f"index.tmp-{live}"):
        shutil.copytree(root / "good", tmp_path / name)
    SearchEngine.open(store, embedder, directory, rebuild=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index", f"index.tmp-{live}"]


@pytest.fixture(scope="module")
def world_store():
    batch, _ = load_world()
    store = SqliteStore.memory()
    store.write(batch)
    yield store
    store.close()


def _strip(result) -> dict:
    from graph.analysis.results import to_json

    return {k: v for k, v in to_json(result).items() if k != "meta"}


@pytest.mark.parametrize("damage", ["empty column", "half column", "no meta", "garbage meta", "missing column"])
def test_damaged_array_cache_is_rebuilt(world_store, tmp_path, monkeypatch, damage):
    from graph.analysis import service
    from graph.analysis.cache import code_fingerprint

    monkeypatch.setattr(service, "ARRAYS_CACHE_MIN_ORGS", 0)  # the sample world is small: keep its arrays
    expected = _strip(Analyst.for_store(world_store).gaps("深圳"))
    path = tmp_path / f"arrays-SqliteStore-{world_store.version()}-{code_fingerprint()}"
    Analyst.for_store(world_store, tmp_path).gaps("深圳")  # saves the arrays
    assert (path / "meta.json").is_file()
    col = path / "sup_src.npy"
    if damage == "empty column":
        col.write_bytes(b"")
    elif damage == "half column":
        col.write_bytes(col.read_bytes()[: col.stat().st_size // 2])
    elif damage == "no meta":
        (path / "meta.json").unlink()
    elif damage == "garbage meta":
        (path / "meta.json").write_text("{not json", encoding="utf-8")
    else:
        col.unlink()
    shutil.rmtree(tmp_path / "analysis")  # no cached result: the arrays are read
    assert _strip(Analyst.for_store(world_store, tmp_path).gaps("深圳")) == expected


def test_array_cache_save_is_all_or_nothing(world_store, tmp_path, monkeypatch):
    arrays = load_arrays(world_store)
    path = tmp_path / "arrays"
    arrays.save(path)
    before = {p.name: p.read_bytes() for p in path.iterdir()}
    other = tmp_path / "other"
    real_save, calls = np.save, []

    def dies_halfway(file, value, **kw):
        calls.append(file)
        if len(calls) == 3:
            raise OSError("disk full")
        real_save(file, value, **kw)

    monkeypatch.setattr(np, "save", dies_halfway)
    with pytest.raises(OSError, match="disk full"):
        arrays.save(other)
    assert not other.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["arrays"]
    monkeypatch.undo()
    arrays.save(path)  # saved again over an existing view: the first one is kept, nothing left beside it
    assert {p.name: p.read_bytes() for p in path.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["arrays"]
    back = GraphArrays.load(path)
    assert back.org_id.tolist() == arrays.org_id.tolist()
    assert back.sup_w.tolist() == arrays.sup_w.tolist() and back.tiers == arrays.tiers
