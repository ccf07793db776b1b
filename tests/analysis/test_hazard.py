"""Entry-hazard parts (eighth round): a hand-computed world, a brute-force oracle, and nothing after the freeze."""

from __future__ import annotations

import numpy as np
import pytest

from graph.analysis.hazard import HAZARD_WINDOWS, entry_hazard, hazard_features

# Five regions × four segments at the window's start (XB) and at the freeze (X). Region sizes at the start:
# A 10, B 9, C 8, D 8, E 3 (E is below 8 firms, so it never counts, whatever it does).
A, B, C, D, E = range(5)
XB = np.array([
    [5, 5, 0, 0],  # A
    [9, 0, 0, 0],  # B
    [4, 0, 4, 0],  # C
    [0, 0, 0, 8],  # D
    [3, 0, 0, 0],  # E
], dtype=float)
X = XB.copy()
X[B, 1] = 2  # B enters segment 1
X[C, 1] = 1  # C enters segment 1
X[A, 2] = 1  # A enters segment 2
X[E, 3] = 4  # E enters segment 3 (too small to count)


def test_hand_computed_unsmoothed_shares():
    h = entry_hazard(X, XB, prior=(0.0, 0.0))
    # segment 0: only D lacked it (A, B, C held it), D did not enter: 0/1
    # segment 1: B, C, D lacked it; B and C entered: 2/3
    # segment 2: A, B, D lacked it; A entered: 1/3
    # segment 3: A, B, C lacked it (E is too small); nobody entered: 0/3
    assert h == pytest.approx([0.0, 2 / 3, 1 / 3, 0.0])


def test_hand_computed_smoothed_shares():
    h = entry_hazard(X, XB)  # (entered + 0.5) / (lacking + 1)
    assert h == pytest.approx([0.5 / 2, 2.5 / 4, 1.5 / 4, 0.5 / 4])
    assert h.min() > 0 and h.max() < 1


def test_min_firms_decides_who_counts():
    # with min_firms 3, E counts too: it lacked segments 1-3 and entered 3
    h = entry_hazard(X, XB, min_firms=3, prior=(0.0, 0.0))
    assert h == pytest.approx([0.0, 2 / 4, 1 / 4, 1 / 4])
    # nobody sizeable: every segment 0 unsmoothed, the prior's mean smoothed
    assert entry_hazard(X, XB, min_firms=100, prior=(0.0, 0.0)).tolist() == [0.0] * 4
    assert entry_hazard(X, XB, min_firms=100).tolist() == [0.5] * 4


def test_features_are_one_national_figure_per_segment_for_both_windows():
    two, four = HAZARD_WINDOWS
    freeze = 5000
    seen = []

    def counts(day):
        seen.append(day)
        return X if day > freeze - two else XB  # everything in the windows happened in the last two years

    f = hazard_features(counts, freeze)
    assert f.shape == (5, 4, 2)
    assert sorted(seen) == sorted([freeze, freeze - two, freeze - four])
    for r in range(5):
        assert f[r, :, 0] == pytest.approx(entry_hazard(X, XB))
        assert f[r, :, 1] == pytest.approx(entry_hazard(X, XB))


def _members(rng, n_regions, n_segs, n):
    return (rng.integers(0, n_regions, n), rng.integers(0, n_segs, n), rng.integers(0, 8000, n))


def _counts(members, n_regions, n_segs):
    unit, seg, day = members

    def counts(d):
        k = day <= d
        return np.bincount(unit[k] * n_segs + seg[k], minlength=n_regions * n_segs).reshape(n_regions, n_segs)

    return counts


def _oracle(unit, seg, day, n_regions, n_segs, freeze, window, min_firms, a, b):
    """Loops over dated memberships: who was sizeable and lacking at the start, who held the segment at the end."""
    start = freeze - window
    out = []
    for s in range(n_segs):
        lacking = entered = 0
        for r in range(n_regions):
            size = sum(1 for u, d in zip(unit, day, strict=True) if u == r and d <= start)
            had = any(u == r and g == s and d <= start for u, g, d in zip(unit, seg, day, strict=True))
            has = any(u == r and g == s and d <= freeze for u, g, d in zip(unit, seg, day, strict=True))
            if size >= min_firms and not had:
                lacking += 1
                entered += has
        out.append((entered + a) / (lacking + b) if lacking + b > 0 else 0.0)
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("prior", [(0.5, 1.0), (0.0, 0.0)])
def test_matches_a_brute_force_oracle_on_random_worlds(seed, prior):
    rng = np.random.default_rng(seed)
    n_r, n_s = 12, 7
    m = _members(rng, n_r, n_s, 160)
    freeze = 6000
    f = hazard_features(_counts(m, n_r, n_s), freeze, min_firms=6, prior=prior)
    for i, w in enumerate(HAZARD_WINDOWS):
        want = _oracle(*m, n_r, n_s, freeze, w, 6, *prior)
        assert f[0, :, i] == pytest.approx(want)
        assert (f[:, :, i] == f[0, :, i]).all()
    assert f.min() >= 0 and f.max() <= 1


@pytest.mark.parametrize("seed", [0, 1])
def test_moving_every_record_after_the_freeze_changes_nothing(seed):
    rng = np.random.default_rng(seed)
    n_r, n_s = 10, 6
    unit, seg, day = _members(rng, n_r, n_s, 200)
    freeze = 5000
    before = hazard_features(_counts((unit, seg, day), n_r, n_s), freeze)
    moved = day.copy()
    late = moved > freeze
    assert late.any()
    moved[late] = rng.integers(freeze + 1, 10**6, late.sum())  # every later record anywhere later
    after = hazard_features(_counts((unit, seg, moved), n_r, n_s), freeze)
    assert np.array_equal(before, after)
    # and dropping them altogether changes nothing either
    keep = ~late
    dropped = hazard_features(_counts((unit[keep], seg[keep], day[keep]), n_r, n_s), freeze)
    assert np.array_equal(before, dropped)
