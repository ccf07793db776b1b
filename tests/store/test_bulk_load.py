"""The bulk path of the embedded store: an import into an empty table drops and rebuilds indexes.

The indexes are rebuilt inside the import's transaction, so the store is
old-or-new even when the process is killed (SIGKILL) in the middle, and the
rebuilt indexes are the schema's own.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

import graph.store.sqlite as sqlite_module
from fixtures.synth import sample_shape, synthetic_batch, write_synthetic_csv
from graph.store.protocol import Batch
from graph.store.sqlite import SqliteStore
from graph.store.sqlite_write import BULK_ROWS
from tests.store.test_contract import small_world

FIRMS = BULK_ROWS + 5_000
IMPORT = (
    "import sys\n"
    "from graph.io.importer import import_file\n"
    "from graph.store.sqlite import SqliteStore\n"
    "with SqliteStore.open(sys.argv[1]) as s:\n"
    "    import_file(s, sys.argv[2], 'organisations')\n"
)


def schema_indexes(path) -> set[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        return set(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"))
    finally:
        conn.close()


def state(path) -> tuple[int, int, str]:
    """(organisations, memberships, integrity check) as a fresh reader sees them."""
    conn = sqlite3.connect(path)
    try:
        return (conn.execute("SELECT COUNT(*) FROM orgs").fetchone()[0],
                conn.execute("SELECT COUNT(*) FROM org_segments").fetchone()[0],
                conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("bulk")
    orgs_csv, _ = write_synthetic_csv(root / "files", synthetic_batch(FIRMS, 0, seed=3))
    shape = sample_shape()
    template = root / "template.sqlite"
    with SqliteStore.open(template) as store:
        store.write(Batch(segments=list(shape.segments), segment_edges=list(shape.edges)))
    return root, template, orgs_csv


def fresh(root, template, name):
    path = root / f"{name}.sqlite"
    path.write_bytes(template.read_bytes())
    return path


def test_bulk_import_rebuilds_the_schema_indexes(files):
    root, template, orgs_csv = files
    path = fresh(root, template, "whole")
    before = schema_indexes(path)
    assert {n for n, _ in before} >= {"orgs_name_city", "orgs_region", "orgs_kind", "org_segments_segment"}
    subprocess.run([sys.executable, "-c", IMPORT, str(path), str(orgs_csv)], check=True)
    assert schema_indexes(path) == before
    orgs, members, ok = state(path)
    assert (orgs, ok) == (FIRMS, "ok") and members >= FIRMS
    with SqliteStore.open(path) as store:  # the indexes answer queries
        assert len(list(store.organisations(region="cn/guangdong/shenzhen/nanshan"))) > 0


@pytest.mark.slow  # five imports of 25k firms, each killed part-way: 30-90 s on a busy 2-core machine
@pytest.mark.parametrize("wal_bytes", [0, 1 << 20, 8 << 20, 32 << 20, None])
def test_kill_during_bulk_import_leaves_old_or_new(files, wal_bytes):
    """SIGKILL once the WAL has grown past ``wal_bytes`` (``None``: at a random moment)."""
    root, template, orgs_csv = files
    path = fresh(root, template, f"kill-{wal_bytes}")
    before = schema_indexes(path)
    wal = path.with_name(path.name + "-wal")
    proc = subprocess.Popen([sys.executable, "-c", IMPORT, str(path), str(orgs_csv)])
    deadline = time.monotonic() + (3.0 if wal_bytes is None else 300.0)
    while proc.poll() is None and time.monotonic() < deadline:
        if wal_bytes is not None and wal.exists() and wal.stat().st_size > wal_bytes:
            break
        time.sleep(0.005)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    orgs, members, ok = state(path)
    assert ok == "ok"
    assert (orgs, members) == (0, 0) or (orgs == FIRMS and members >= FIRMS)
    assert schema_indexes(path) == before


@pytest.mark.parametrize("per_key", [0, 10**9])  # always probe the id index / always read every id
def test_lookup_answers_alike_by_probes_and_by_reading_every_id(monkeypatch, per_key):
    store = SqliteStore.memory()
    world = small_world()
    store.write(world)
    firm = world.organisations[0]
    keys = [firm.id, firm.uscc, firm.name_zh, "Test park", "nobody", "", *(o.id for o in world.organisations)]
    monkeypatch.setattr(sqlite_module, "_SCAN_PER_KEY", per_key)
    found = store.lookup(keys)
    assert found == {firm.uscc: firm.id, firm.name_zh: firm.id, "Test park": "org:park"} | {
        o.id: o.id for o in world.organisations}
