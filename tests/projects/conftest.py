"""Fixtures of the project pipeline tests: the sample world in a store file, a workspace, an opened book."""

from __future__ import annotations

import shutil

import pytest

SZ = "cn/guangdong/shenzhen"
NANSHAN = "cn/guangdong/shenzhen/nanshan"
#: the planted ideal target of the 游戏引擎 gap and its planted introducer (fixtures.world)
FIRM, SEGMENT, INTRODUCER = "org:f1561", "seg:game_engine", "org:f1345"
OWNER, OTHER_AGENCY = "org:p004", "org:p007"


@pytest.fixture
def data_dir(tmp_path, world_store_file):
    d = tmp_path / "data"
    d.mkdir()
    shutil.copy(world_store_file, d / "store.sqlite")
    return d


@pytest.fixture
def room(data_dir):
    """``(engines, store, ws)`` on a private copy of the sample world."""
    from graph.settings import Settings
    from graph.store.sqlite import SqliteStore
    from matching.engines import Engines
    from matching.workspace import Workspace

    engines = Engines(Settings(_env_file=None, data_dir=data_dir, embedding_model="hashing:64"))
    with SqliteStore.open(data_dir / "store.sqlite") as store, Workspace.open(data_dir / "workspace.sqlite") as ws:
        yield engines, store, ws


@pytest.fixture
def book(room):
    engines, store, ws = room
    return engines.projects(store, ws, today="2026-06-15")
