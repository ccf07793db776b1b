"""Entry context: the embedded store's one-query firm dates equal the records' dates; yearly waves."""

from __future__ import annotations

import numpy as np

from fixtures.world import load_world
from graph.analysis.entryfeatures import WAVES, entry_context, entry_features
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


def test_yearly_waves_count_each_year_before_the_latest_date():
    """Known answer: three firms in the last year, one in year 2, one in year 3, one older (no wave)."""

    dates = [("2020-12-31", "a"), ("2020-06-01", "a"), ("2020-01-02", "b"), ("2019-06-01", "a"),
             ("2018-06-01", "b"), ("2016-01-01", "a")]
    ctx = entry_context([], [], firm_dates=[(d, None, [s]) for d, s in dates])
    assert ctx.waves == ({"a": 2, "b": 1}, {"a": 1}, {"b": 1})
    x = np.array([[1.0, 0.0], [0.0, 1.0]])
    f = entry_features(x, parents=[None, None], edges=[],
                       waves=[np.array([2.0, 1.0]), np.array([1.0, 0.0]), np.array([0.0, 1.0])])
    assert np.allclose(f.figure("wave1")[0], [1.0, np.log(2) / np.log(3)])
    assert np.allclose(f.figure("wave2")[1], [1.0, 0.0]) and np.allclose(f.figure("wave3")[0], [0.0, 1.0])
    # without waves every wave figure is 0 (the parts stay, weighted 0)
    assert not entry_features(x, parents=[None, None], edges=[]).values[:, :, -len(WAVES):].any()
