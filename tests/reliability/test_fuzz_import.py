"""Importer fuzzing: ≥ 1,000 mutated files through ``import_file`` into a store holding the sample world.

Properties, for every file (see :mod:`tests.reliability.mutate` for what is
generated):

- the importer raises nothing outside the :class:`~graph.errors.ChainmatchError` tree;
- when it raises, or on a dry run, the store is exactly unchanged (version and
  every row of every table);
- when it writes, the row counts grew by what it reports as inserted, and
  importing the same file again writes nothing and finds every record it wrote
  unchanged — every row reported as written is in the store, as written.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixtures.world import load_world
from graph.errors import ChainmatchError
from graph.io.importer import import_file
from graph.settings import Settings
from graph.store.sqlite import SqliteStore
from tests.reliability.mutate import FORMATS, Case, cases
from tests.reliability.snapshot import snapshot

pytestmark = pytest.mark.slow

# FUZZ_EXAMPLES=N / FUZZ_RANDOM=1 (fresh random examples instead of the fixed derandomized set): bug hunts
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", 1100))
DERANDOMIZE = os.environ.get("FUZZ_RANDOM") != "1"


class Stores:
    """A sample-world store per example, copied from one template only after a write changed it."""

    def __init__(self):
        batch, _ = load_world()
        self.template = SqliteStore.memory()
        self.template.write(batch)
        self.settings = Settings()  # built once, as the CLI does (per file it costs more than a small import)
        self.conn, self.store = None, None
        self.fresh()
        self.base = snapshot(self.conn)

    def fresh(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        self.template._conn.backup(self.conn)
        self.store = SqliteStore(self.conn, ":memory:")


def _unchanged(stores: Stores, changes_before: int, case: Case, why: str, check_all: bool) -> None:
    """The store is as before: nothing written at all, or (if anything was, then rolled back, and on
    every 50th file regardless) every row compared."""
    if check_all or stores.conn.total_changes != changes_before:
        assert snapshot(stores.conn) == stores.base, f"{why}, yet the store changed: {case.ops}"


def _import(stores: Stores, path, case: Case, skip: bool, dry: bool, tmp):
    return import_file(stores.store, path, case.entity, skip_invalid=skip, dry_run=dry,
                       reject_path=tmp / "rejects.csv", settings=stores.settings)


def test_fuzz_importer(tmp_path):
    stores = Stores()
    exercised: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    entities: Counter[str] = Counter()
    t0 = time.perf_counter()

    @settings(max_examples=EXAMPLES, derandomize=DERANDOMIZE, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=cases(), skip=st.booleans(), dry=st.integers(0, 9).map(lambda x: x == 0))
    def run(case: Case, skip: bool, dry: bool) -> None:
        path = tmp_path / f"input{case.suffix}"
        path.write_bytes(case.data)
        exercised[case.fmt] += 1
        entities[case.entity] += 1
        n = sum(exercised.values())
        changes = stores.conn.total_changes
        counts = stores.store.counts()
        try:
            report = _import(stores, path, case, skip, dry, tmp_path)
        except ChainmatchError as e:
            outcomes[f"refused ({e.code})"] += 1
            _unchanged(stores, changes, case, f"refused with {e.code}", n % 50 == 0)
            return
        if dry or report.imported is None or report.imported.changed == 0:
            outcomes["dry run" if dry else "nothing new"] += 1
            _unchanged(stores, changes, case, "dry run" if dry else "reported no change", n % 50 == 0)
            return
        outcomes["written (some rows rejected)" if report.rejected else "written"] += 1
        result = report.imported
        after = stores.store.counts()
        for entity, n in result.inserted.items():
            assert after[entity] - counts[entity] == n, f"{entity}: {n} reported inserted: {case.ops}"
        changes = stores.conn.total_changes
        again = _import(stores, path, case, skip, dry, tmp_path)
        assert again.imported.changed == 0 and stores.conn.total_changes == changes, \
            f"re-import changed the store {again.imported}: {case.ops}"
        for entity in set(result.inserted) | set(result.updated):
            written = result.inserted.get(entity, 0) + result.updated.get(entity, 0) + result.unchanged.get(entity, 0)
            assert again.imported.unchanged.get(entity, 0) == written, \
                f"{entity}: {written} written, {again.imported.unchanged} found as written: {case.ops}"
        stores.fresh()

    run()
    seconds = time.perf_counter() - t0
    print(f"\nimporter fuzz: {sum(exercised.values())} files in {seconds:.1f}s; per format {dict(exercised)}; per entity {dict(entities)}; "
          f"outcomes {dict(outcomes)}")
    assert sum(exercised.values()) >= 1000
    assert set(exercised) == set(FORMATS)
    assert outcomes["written"] > 0 and sum(v for k, v in outcomes.items() if k.startswith("refused")) > 0
