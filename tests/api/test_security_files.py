"""The data directory is private: 0700, its stores and key file 0600, whatever the umask."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import KeyStore, keys_path
from graph.store.sqlite import SqliteStore
from matching.embcache import EmbeddingCache
from matching.workspace import Workspace
from tests.api.conftest import make_settings


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o000, 0o022, 0o077], ids=["umask000", "umask022", "umask077"])
def umask(request):
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


def test_every_file_holding_data_or_keys_is_owner_only(tmp_path, umask):
    data = tmp_path / "a" / "data"  # two levels that do not exist yet
    with (SqliteStore.open(data / "store.sqlite"), Workspace.open(data / "workspace.sqlite") as ws,
          EmbeddingCache.open(data / "embeddings.sqlite"), KeyStore.open(keys_path(data))):
        ws.record_outcome("org:x", "cn/guangdong/shenzhen", "contacted")
        modes = {p.name: _mode(p) for p in data.iterdir()}  # while open: -wal and -shm exist
    assert _mode(data) == 0o700 and _mode(data.parent) == 0o700
    assert {"store.sqlite", "workspace.sqlite", "embeddings.sqlite", "keys.sqlite",
            "store.sqlite-wal", "workspace.sqlite-shm"} <= set(modes), modes
    assert {oct(m) for m in modes.values()} == {"0o600"}, modes


def test_an_existing_directory_is_not_chmodded(tmp_path):
    tmp_path.chmod(0o755)  # e.g. the working directory holding a store file
    SqliteStore.open(tmp_path / "s.sqlite").close()
    assert _mode(tmp_path) == 0o755 and _mode(tmp_path / "s.sqlite") == 0o600


def test_an_old_key_file_is_tightened(tmp_path):
    path = keys_path(tmp_path)
    path.touch(mode=0o644)
    path.chmod(0o644)
    KeyStore.open(path).close()
    assert _mode(path) == 0o600


def test_serving_creates_the_data_dir_private_and_warns_about_a_readable_one(tmp_path, caplog, umask):
    fresh = tmp_path / "fresh"
    with caplog.at_level(logging.WARNING, logger="chainmatch.api"):
        with TestClient(create_app(make_settings(fresh))) as client:
            assert client.get("/health").status_code == 200
    assert _mode(fresh) == 0o700 and _mode(fresh / "store.sqlite") == 0o600
    assert not any("read by other users" in r.getMessage() for r in caplog.records)

    fresh.chmod(0o755)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="chainmatch.api"):
        with TestClient(create_app(make_settings(fresh))):
            pass
    [warning] = [r.getMessage() for r in caplog.records if "read by other users" in r.getMessage()]
    assert str(fresh) in warning and "chmod 700" in warning and "0o55" in warning



def test_every_file_the_cli_writes_is_owner_only_under_umask_000(tmp_path, monkeypatch):
    """Issue 18: index/ and cache/ were 0755/0644 (0777/0666 under umask 000) and cards.jsonl holds
    every firm's text. Under umask 000: demo, search (builds the index), gaps (fills the analysis cache),
    report and a list export; then no file or directory under the data dir, or the outputs, is
    readable by others."""
    from api.cli.main import main

    monkeypatch.setenv("CHAINMATCH_EMBEDDING_MODEL", "hashing:64")  # the model is not what is tested
    d, out = tmp_path / "data", tmp_path / "out"
    old = os.umask(0)
    try:
        out.mkdir(mode=0o700)
        os.chmod(out, 0o700)
        for args in (["demo"], ["search", "游戏引擎"], ["gaps", "--region", "深圳"],
                     ["report", "--region", "深圳", "--chain", "动漫游戏", "--output", str(out / "r.xlsx")]):
            try:
                main([*args, "--data-dir", str(d)])
            except SystemExit as e:
                assert e.code in (0, None), (args, e.code)
    finally:
        os.umask(old)
    seen = [p for p in [*d.rglob("*"), *out.rglob("*")]]
    assert any(p.name == "cards.jsonl" or "index" in p.parts for p in seen), sorted(map(str, seen))[:20]
    assert any("cache" in p.parts for p in seen)
    loose = {str(p.relative_to(tmp_path)): oct(_mode(p)) for p in seen if _mode(p) & 0o077}
    assert loose == {}
