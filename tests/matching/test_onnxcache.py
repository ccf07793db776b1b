"""The kept ONNX query path (matching.onnxcache): the model's vectors without torch, or the model's own path."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from matching.embedder import OneTextPath, SentenceTransformerEmbedder
from matching.onnxcache import CachedQuery, cache_file, cache_key

TEXTS = ["游戏引擎", "动作捕捉设备供应商", "game engine", "motion capture suits for film studios",
         "深圳 LED 虚拟制片 studio", "a"]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def kept(tmp_path_factory, real_embedder):
    """A cache directory holding the bundled model's ONNX path, written by a process that built it."""
    cache = tmp_path_factory.mktemp("onnxcache")
    builder = SentenceTransformerEmbedder(onnx_cache=cache)
    builder.encode(["first"])
    builder.encode(["second"])  # the second one-text encode builds the ONNX path, and keeps it
    path = cache_file(cache, cache_key(builder.path, builder.model_id))
    assert path.is_file()
    return cache, path


def _models_own(real_embedder, texts):
    model = real_embedder._load()
    return real_embedder._encode(model, list(texts), None)


@pytest.mark.model
def test_a_later_process_encodes_with_the_kept_path_and_gets_the_models_vectors(kept, real_embedder):
    cache, _ = kept
    later = SentenceTransformerEmbedder(onnx_cache=cache)
    got = np.vstack([later.encode([t]) for t in TEXTS])
    assert isinstance(later._kept, CachedQuery) and later._model is None  # the model was never loaded
    cos = np.sum(got * _models_own(real_embedder, TEXTS), axis=1)
    assert cos.min() >= OneTextPath.MIN_COSINE, list(zip(TEXTS, cos.round(7), strict=True))


def _rewrite(path: Path, target: Path, change) -> None:
    """Copy the kept file at ``path`` to ``target`` with ``change(header)`` applied (ONNX bytes kept)."""
    data = path.read_bytes()
    size = int.from_bytes(data[8:16], "little")
    header = json.loads(data[16:16 + size])
    change(header)
    head = json.dumps(header).encode()
    target.write_bytes(data[:8] + len(head).to_bytes(8, "little") + head + data[16 + size:])


@pytest.mark.model
@pytest.mark.parametrize("damage", ["truncated", "flipped", "not_ours", "wrong_references"])
def test_a_damaged_kept_file_falls_back_to_the_models_own_path(damage, kept, real_embedder, tmp_path, caplog):
    _, path = kept
    embedder = SentenceTransformerEmbedder(onnx_cache=tmp_path)
    target = cache_file(tmp_path, cache_key(embedder.path, embedder.model_id))
    data = path.read_bytes()
    if damage == "truncated":
        target.write_bytes(data[: len(data) // 2])
    elif damage == "flipped":
        target.write_bytes(data[:-1000] + bytes(b ^ 0xFF for b in data[-1000:]))
    elif damage == "not_ours":
        target.write_bytes(b"PK\x03\x04" + data[4:])
    else:  # a file whose probe vectors are not this path's: the probe check refuses it
        _rewrite(path, target, lambda h: h.update(references=[list(reversed(r)) for r in h["references"]]))
    with caplog.at_level(logging.INFO, logger="matching.onnxcache"):
        v = embedder.encode(["游戏引擎"])
    assert embedder._kept is False and embedder._model is not None  # fell back to the model
    assert "not used" in caplog.text
    assert float(v[0] @ _models_own(real_embedder, ["游戏引擎"])[0]) >= OneTextPath.MIN_COSINE


@pytest.mark.model
def test_a_file_kept_for_another_model_identity_is_ignored(kept, real_embedder, tmp_path, caplog):
    _, path = kept
    embedder = SentenceTransformerEmbedder(onnx_cache=tmp_path)
    mine = cache_key(embedder.path, embedder.model_id)
    other = cache_key(embedder.path, "st:another-model@000000000000")
    assert other != mine
    _rewrite(path, cache_file(tmp_path, mine), lambda h: h.update(key=other))  # right name, another model's file
    with caplog.at_level(logging.INFO, logger="matching.onnxcache"):
        embedder.encode(["game engine"])
    assert embedder._kept is False and "another model" in caplog.text
    assert CachedQuery.load(path.parent, other, embedder.path) is None  # nor is it found under the other key


def _imported(importtime: str) -> set[str]:
    """The module names ``python -X importtime`` listed on stderr."""
    return {line.rsplit("|", 1)[-1].strip() for line in importtime.splitlines() if line.startswith("import time:")}


@pytest.mark.model
@pytest.mark.slow
def test_a_cli_search_after_an_index_build_imports_no_torch(tmp_path, world, real_embedder):
    """``index build`` keeps the ONNX path; a later one-shot ``chainmatch search`` (a subprocess) runs without
    torch or sentence-transformers (``-X importtime`` lists every import) and finds the same hits."""
    from graph.store.protocol import Batch
    from graph.store.sqlite import SqliteStore

    batch = world[0]
    small = Batch(segments=batch.segments,
                  organisations=[o for o in batch.organisations if o.kind.value == "firm"][:60])
    with SqliteStore.open(tmp_path / "store.sqlite") as store:
        store.write(small)
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("CHAINMATCH_")}
    env["PYTHONPATH"] = str(ROOT)

    def cli(*args, importtime=False):
        cmd = [sys.executable, *(["-X", "importtime"] if importtime else []), "-c",
               "from api.cli.main import main; main()", *args, "--data-dir", str(tmp_path)]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env, cwd=ROOT,
                              stdin=subprocess.DEVNULL)

    built = cli("index", "build", "--json")
    assert built.returncode == 0, built.stderr[-2000:]
    assert list((tmp_path / "cache").glob("query-onnx-*.bin"))
    for query in (("游戏引擎", "--mode", "dense"), ("game engine",)):  # a zh hybrid search encodes nothing
        done = cli("search", *query, "--json", importtime=True)
        assert done.returncode == 0, done.stderr[-2000:]
        imported = _imported(done.stderr)
        assert "onnxruntime" in imported and "torch" not in imported and "sentence_transformers" not in imported
        kept_hits = [h["id"] for h in json.loads(done.stdout)["hits"]]
        (tmp_path / "cache").rename(tmp_path / "away")  # no kept file: the model's own path, with torch
        own = cli("search", *query, "--json", importtime=True)
        (tmp_path / "away").rename(tmp_path / "cache")
        assert "torch" in _imported(own.stderr)
        assert kept_hits and kept_hits == [h["id"] for h in json.loads(own.stdout)["hits"]]
