"""Geographic spillover parts (sixth round): hand-computed shares of the neighbours that have or gained a segment."""

from __future__ import annotations

import numpy as np

from graph.analysis.entryfeatures import load_macro_regions, neighbour_features, neighbour_groups


def test_neighbours_is_the_share_of_the_other_live_cities_of_the_province_with_the_segment():
    # cities: 0-2 in province p (2 has no firm: not a neighbour), 3-4 in province q, 5 a municipality
    units = ["cn/p/a", "cn/p/b", "cn/p/c", "cn/q/d", "cn/q/e", "cn/m/m"]
    x = np.array([[2, 0, 0], [1, 3, 0], [0, 0, 0], [0, 1, 1], [4, 0, 1], [9, 9, 9]], dtype=float)
    xb = np.zeros_like(x)
    f = neighbour_features(x, xb, neighbour_groups(units, "city"))
    # a's only live neighbour is b: b has seg 0 and seg 1, not seg 2
    assert f[0, :, 0].tolist() == [1.0, 1.0, 0.0]
    # d's neighbour e has seg 0 and seg 2
    assert f[3, :, 0].tolist() == [1.0, 0.0, 1.0]
    # c (no firm) still has neighbours a and b: seg 0 in both, seg 1 in b only
    assert f[2, :, 0].tolist() == [1.0, 0.5, 0.0]
    assert f[5].tolist() == [[0.0, 0.0]] * 3  # a municipality has no other city
    assert f.min() >= 0 and f.max() <= 1


def test_neighbour_growth_counts_neighbours_that_entered_in_the_window_only():
    units = ["cn/p/a", "cn/p/b", "cn/p/c"]
    x = np.array([[1, 0, 0], [1, 2, 1], [3, 1, 0]], dtype=float)
    xb = np.array([[1, 0, 0], [0, 2, 0], [3, 0, 0]], dtype=float)
    f = neighbour_features(x, xb, neighbour_groups(units, "city"))
    # for a (neighbours b, c): seg 0 new in b only, seg 1 new in c only (b had it), seg 2 new in b
    assert f[0, :, 1].tolist() == [0.5, 0.5, 0.5]
    # for c (neighbours a, b): seg 0 new in b; seg 1 new in neither (b had it before); seg 2 new in b
    assert f[2, :, 1].tolist() == [0.5, 0.0, 0.5]


def test_provinces_group_by_the_committed_macro_regions():
    m = load_macro_regions()
    assert len(set(m.values())) == 7 and m["cn/hubei"] == "华中" and m["cn/heilongjiang"] == "东北"
    units = ["cn/guangdong", "cn/guangxi", "cn/hainan", "cn/hubei"]
    x = np.array([[5, 5], [0, 1], [1, 0], [1, 1]], dtype=float)
    f = neighbour_features(x, x, neighbour_groups(units, "province"))
    assert f[0, :, 0].tolist() == [0.5, 0.5]  # guangxi has seg 1, hainan seg 0
    assert f[3, :, 0].tolist() == [0.0, 0.0]  # hubei: no other 华中 province in the list
    assert f[:, :, 1].max() == 0.0  # nothing new when before == now
