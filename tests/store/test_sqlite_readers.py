"""The embedded store's reads run on read-only connections beside the writer: a read never waits for the
writer's lock (under load every request's version check queued behind slow queries), readers see what was
committed, a write sees its own rows, and closing the store closes every reader."""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from graph.model import Organisation, OrgKind, Provenance
from graph.store.protocol import Batch
from graph.store.sqlite import _READERS, SqliteStore


def _org(i: int) -> Organisation:
    return Organisation(f"org:{i}", OrgKind.FIRM, f"公司{i}", Provenance("test"))


@pytest.fixture()
def store(tmp_path):
    with SqliteStore.open(tmp_path / "store.sqlite") as s:
        s.write(Batch(organisations=[_org(i) for i in range(10)]))
        yield s


def test_reads_do_not_wait_for_the_writers_lock(store):
    v = store.version()
    held, release = threading.Event(), threading.Event()

    def hold():
        with store._lock:  # what a long write (or, before, any slow read) holds
            held.set()
            release.wait(10)

    t = threading.Thread(target=hold)
    t.start()
    held.wait(5)
    try:
        with ThreadPoolExecutor(2) as pool:
            got = pool.submit(lambda: (store.version(), store.organisation("org:3").name_zh)).result(timeout=5)
        assert got == (v, "公司3")
    finally:
        release.set()
        t.join()


def test_readers_see_committed_writes_and_a_write_sees_its_own(store):
    store.version()  # a reader is open and idle
    store.write(Batch(organisations=[_org(99)]))
    assert store.organisation("org:99").name_zh == "公司99"
    with ThreadPoolExecutor(4) as pool:
        names = list(pool.map(lambda i: store.organisation(f"org:{i}").name_zh, [99] * 8))
    assert names == ["公司99"] * 8
    with store._tx() as conn:  # inside a transaction this thread reads through the writer
        conn.execute("UPDATE meta SET value = '12345' WHERE key = 'version'")
        assert store.version() == 12345
        with ThreadPoolExecutor(1) as pool:  # another thread does not see it before the commit
            assert pool.submit(store.version).result(timeout=5) != 12345
    assert store.version() == 12345


def test_readers_are_bounded_and_closed_with_the_store(tmp_path):
    s = SqliteStore.open(tmp_path / "store.sqlite")
    s.write(Batch(organisations=[_org(1)]))
    with ThreadPoolExecutor(16) as pool:
        assert set(pool.map(lambda _: s.version(), range(200))) == {s.version()}
    readers = list(s._readers)
    assert 1 <= len(readers) <= _READERS
    s.close()
    for conn in readers:
        with pytest.raises(sqlite3.ProgrammingError):
            conn.execute("SELECT 1")
    with pytest.raises(sqlite3.ProgrammingError):
        s.version()


def test_an_in_memory_store_reads_through_its_one_connection():
    s = SqliteStore.memory()
    s.write(Batch(organisations=[_org(1)]))
    assert s.organisation("org:1").name_zh == "公司1" and s._readers == []
