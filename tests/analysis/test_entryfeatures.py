"""Entry context: the embedded store's one-query firm dates equal the records' dates."""

from __future__ import annotations

from fixtures.world import load_world
from graph.analysis.entryfeatures import entry_context
from graph.store.sqlite import SqliteStore
from graph.store.sqlite_aggregates import load_firm_dates


def test_sqlite_firm_dates_give_the_same_context_as_the_records():
    batch, _ = load_world()
    store = SqliteStore.memory()
    store.write(batch)
    fast = entry_context(store.segments(), store.segment_edges(), firm_dates=load_firm_dates(store))
    slow = entry_context(batch.segments, batch.segment_edges, batch.organisations)
    assert fast == slow and fast.growth and fast.as_of
    # the growth window: firms dated within two years of the latest date
    firms = [o for o in batch.organisations if o.kind.value == "firm" and o.founded]
    assert sum(fast.growth.values()) <= sum(len(o.confirmed_segments()) for o in firms)
    assert entry_context(batch.segments, batch.segment_edges).growth is None
