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
    plain = entry_features(x, parents=[None, None], edges=[])
    assert not any(plain.figure(w).any() for w in WAVES)
    # the long window: four years of dated firms (the 2016 firm is older than four years)
    assert ctx.growth_long == {"a": 3, "b": 2}


def test_sector_features_known_answer():
    """Hand-computed: 0 → 1 → {3, 4} (three levels) and 2 → 5 (two levels, no grandparent).

    Region 0 has 3 firms in segment 3; region 1 one firm in 4 and one in 5.
    The top-level sector of 3 and 4 is 0's group {3, 4}; 5 has no grandparent: its parent's group {5}.
    """
    parents = [None, 0, None, 1, 1, 2]
    x = np.zeros((2, 6))
    x[0, 3], x[1, 4], x[1, 5] = 3, 1, 1
    before = np.array([0, 0, 0, 1, 1, 1.0])  # national counts at the start of the momentum window
    f = entry_features(x, parents=parents, edges=[], national_before=before, national_long_before=np.zeros(6))
    # sector_presence: region firms in the top-level group, log1p-normalised by the largest (log1p 3 of region 0)
    top = np.log1p(3)
    assert np.allclose(f.figure("sector_presence")[0], [0, 0, 0, 1, 1, 0])
    assert np.allclose(f.figure("sector_presence")[1], np.array([0, 0, 0, 1, 1, 1]) * np.log1p(1) / top)
    # sector_growth: N_s × (parent-group rate + top-group rate + 0.05); segments 3, 4 share parent 1 and
    # top 0: growth 2+0 over 3+1 firms in each group → rate 0.5 + 0.5; segment 5: growth 0 over 1 → 0
    raw = np.array([0, 0, 0, 3 * 1.05, 1 * 1.05, 1 * 0.05])
    assert np.allclose(f.figure("sector_growth")[0], np.log1p(raw) / np.log1p(raw).max())
    # growth4: national new firms in four years (everything here), log1p-normalised
    assert np.allclose(f.figure("growth4")[0], np.log1p([0, 0, 0, 3, 1, 1]) / np.log1p(3))


def test_kept_entry_context_reads_back_every_field(tmp_path):
    """The context kept as JSON per store version is the context read from the store, every field included."""
    from graph.analysis.service import _kept_context

    batch, _ = load_world()
    ctx = entry_context(batch.segments, batch.segment_edges, batch.organisations)
    assert ctx.growth_long and ctx.waves
    assert _kept_context(tmp_path, "v1", lambda: ctx) == ctx

    def unread():
        raise AssertionError("a kept context must not be read again")

    assert _kept_context(tmp_path, "v1", unread) == ctx


def test_parts_that_count_dated_firms_say_so_when_there_are_none():
    """Without firm dates the dated parts (momentum, the waves, growth4) count 0 and their notes say why;
    a part from counts alone (sector_growth: size × sector rate) shows its figure."""
    from graph.analysis.entryfeatures import DATED, EntryContext
    from graph.analysis.gaps import _entry_note

    undated = EntryContext({}, {})
    assert set(DATED) == {"momentum", *WAVES, "growth4"}
    for name in DATED:
        assert "no dated firms" in _entry_note(name, 0.0, undated)
        assert "no dated firms" not in _entry_note(name, 0.0, EntryContext({}, {}, {"s": 1}, "2020-01-01"))
    assert _entry_note("sector_growth", 0.25, undated).endswith("0.250")
