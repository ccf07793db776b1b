"""kill -9 during ``chainmatch import``: the store is always exactly the old state or the new one.

State A is the sample world; state B is A plus a CSV of synthetic firms (new
rows and updates of sample-world firms) imported by the real CLI in a
subprocess. The uninterrupted import is timed first (noting when the write
starts and when it commits), then 20 imports are SIGKILLed at seeded delays:
ten spread evenly over the whole run, ten over the write phase to the exit
(kills there are the interesting ones: mid-transaction, or committed but not
yet checkpointed), plus five killed the moment the commit's first WAL frame
appears, since that window is only milliseconds wide. After each kill the store must open, pass
``PRAGMA integrity_check``, hold exactly A or exactly B (every row of every
table, plus the version), and a following import must complete and land
exactly B.
"""

from __future__ import annotations

import dataclasses
import shutil
import sqlite3
import time
from collections import Counter

import pytest

from fixtures.synth import synthetic_batch, write_synthetic_csv
from fixtures.world import load_world
from graph.io.importer import import_file
from graph.store.protocol import Batch
from graph.store.sqlite import SqliteStore
from tests.reliability.killer import (
    calibrate,
    cli_env,
    fresh_copy,
    kill_when,
    run_cli,
    two_phase_delays,
)
from tests.reliability.snapshot import integrity, snapshot

pytestmark = pytest.mark.slow

TRIALS = 20
AT_COMMIT = 5  # extra kills triggered by the first WAL frame: the commit window is a few ms wide
SEED = 20261126
NEW_FIRMS = 1200  # one import takes ~2-4 s on a busy 2-core machine
UPDATED_FIRMS = 120


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("crash-import")
    template = root / "template"
    batch, _ = load_world()
    with SqliteStore.open(template / "store.sqlite") as store:
        store.write(batch)
    firms = [o for o in batch.organisations if o.segments][:UPDATED_FIRMS]
    updates = [dataclasses.replace(o, employees=(o.employees or 0) + 7) for o in firms]
    new = synthetic_batch(NEW_FIRMS, 0, seed=SEED).organisations
    csv_path, _ = write_synthetic_csv(root / "b", Batch(organisations=new + updates))
    return root, template, csv_path


def version_of(path) -> int:
    """The stored version as another reader sees it (0 while unreadable)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.05)
        try:
            return int(conn.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def evidence(killed: bool, wal_bytes: int, state: str) -> str:
    """Where a kill landed, from what it left: no WAL yet, a WAL without its commit, or one with it."""
    if not killed:
        return "finished first"
    if not wal_bytes:
        return "before writing" if state == "A" else "after the WAL was merged (exiting)"
    return "mid-commit (WAL frames, no commit)" if state == "A" else "committed, WAL not merged"


def test_kill_during_import_leaves_old_or_new_state(world):
    root, template, csv_path = world
    env = cli_env()
    state_a = snapshot(template / "store.sqlite")

    def cmd(data_dir):
        return ["import", "organisations", str(csv_path), "--data-dir", str(data_dir), "--json"]

    calib = root / "calibrate"
    calib_db = calib / "store.sqlite"
    wal = calib_db.with_name(calib_db.name + "-wal")
    probes = {"write": lambda: wal.exists() and wal.stat().st_size > 0,
              "commit": lambda: version_of(calib_db) > state_a.version}
    full, marks = calibrate(cmd(calib), env, probes, lambda: fresh_copy(template, calib))
    state_b = snapshot(calib_db)
    assert state_b.version == state_a.version + 1
    assert state_b.rows["orgs"] == state_a.rows["orgs"] + NEW_FIRMS
    assert state_b.digest != state_a.digest
    # the second half from a little before the commit starts writing the WAL (the transaction is
    # built in memory just before) to the exit
    delays = two_phase_delays(full.seconds, max(0.0, marks.get("write", 0.0) - 0.15 * full.seconds), TRIALS, SEED)

    outcomes: Counter[str] = Counter()
    log = []
    t0 = time.perf_counter()
    for i, delay in enumerate(delays):
        data_dir = root / f"trial-{i:02d}"
        path = fresh_copy(template, data_dir) / "store.sqlite"
        run = run_cli(cmd(data_dir), env, kill_after=delay)
        wal = path.with_name(path.name + "-wal")
        wal_bytes = wal.stat().st_size if wal.exists() else 0  # what the killed process left unmerged
        with SqliteStore.open(path) as store:
            store.counts()
        assert integrity(path) == "ok", f"trial {i}: integrity_check failed after kill at {delay:.2f}s"
        after = snapshot(path)
        state = "A" if after == state_a else "B" if after == state_b else None
        assert state is not None, f"trial {i}: killed at {delay:.2f}s, store is a mix: {after}"
        outcomes[state] += 1
        log.append((round(delay, 2), evidence(run.killed, wal_bytes, state), state))
        with SqliteStore.open(path) as store:  # a following import completes and lands B
            report = import_file(store, csv_path, "organisations")
        assert report.rejected == 0
        assert snapshot(path) == state_b, f"trial {i}: re-import after a kill at {delay:.2f}s did not land B"
        assert integrity(path) == "ok"
        shutil.rmtree(data_dir)
    # and a few kills aimed at the commit itself: the moment the first WAL frame appears
    for i in range(AT_COMMIT):
        data_dir = root / f"commit-{i:02d}"
        path = fresh_copy(template, data_dir) / "store.sqlite"
        wal = path.with_name(path.name + "-wal")
        run = kill_when(cmd(data_dir), env, lambda wal=wal: wal.exists() and wal.stat().st_size > 0)
        wal_bytes = wal.stat().st_size if wal.exists() else 0
        assert integrity(path) == "ok"
        after = snapshot(path)
        state = "A" if after == state_a else "B" if after == state_b else None
        assert state is not None, f"commit kill {i}: the store is a mix: {after}"
        outcomes[state] += 1
        log.append(("at first WAL frame", evidence(run.killed, wal_bytes, state), state))
        with SqliteStore.open(path) as store:
            import_file(store, csv_path, "organisations")
        assert snapshot(path) == state_b and integrity(path) == "ok"
        shutil.rmtree(data_dir)
    print(f"\nimport crash trials: uninterrupted {full.seconds:.2f}s (timeline {marks}); {TRIALS} kills in "
          f"{time.perf_counter() - t0:.1f}s, plus {AT_COMMIT} at the first WAL frame; outcomes {dict(outcomes)}; "
          f"where the kill landed {dict(Counter(x[1] for x in log))}; (delay s, where, state) {log}")
    assert outcomes["A"] >= 1  # the first slice kills during start-up, before any write
