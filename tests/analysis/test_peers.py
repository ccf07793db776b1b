"""Peer parts (seventh round): hand-computed cosines, peers and shares, and a brute-force oracle."""

from __future__ import annotations

import math

import numpy as np
import pytest

from graph.analysis.peers import peer_features, peer_weights
from graph.analysis.relatedness import rca_presence

# Five regions × five segments, one firm per held cell. Column totals 3, 2, 2, 2, 3 of 12 firms: every
# held cell has RCA ≥ 1 (A, B, C hold 3 firms: expected col/4 ≤ 0.75; D 2: col/6; E 1: 1/4), so the
# presence profiles are the held cells and the cosines are plain counts of shared segments.
A, B, C, D, E = range(5)
X = np.array([
    [1, 1, 1, 0, 0],  # A
    [1, 1, 0, 1, 0],  # B
    [1, 0, 1, 0, 1],  # C
    [0, 0, 0, 1, 1],  # D
    [0, 0, 0, 0, 1],  # E: one firm, below min_firms=2, so nobody's peer
], dtype=float)
# in the window: B entered segment 3 and D entered segment 4; everything else was there before
XB = X.copy()
XB[B, 3] = 0
XB[D, 4] = 0
K, MIN = 2, 2
S6, S3, S2 = 1 / math.sqrt(6), 1 / math.sqrt(3), 1 / math.sqrt(2)


def test_the_world_has_presence_equal_to_holding():
    assert rca_presence(X)[1].tolist() == (X > 0).astype(float).tolist()


def test_peers_are_the_k_most_similar_eligible_regions_weighted_by_cosine():
    w = peer_weights(X, k=K, min_firms=MIN)
    # A·B = A·C = 2 shared of √3·√3: 2/3 each; A·D = 0
    assert w[A] == pytest.approx([0, 2 / 3, 2 / 3, 0, 0])
    # B: A 2/3, D 1/√6 (segment 3), C only 1/3
    assert w[B] == pytest.approx([2 / 3, 0, 0, S6, 0])
    # C: A 2/3, then E would be 1/√3 > D's 1/√6, but E has one firm: D
    assert w[C] == pytest.approx([2 / 3, 0, 0, S6, 0])
    # D: B and C tie at 1/√6
    assert w[D] == pytest.approx([0, S6, S6, 0, 0])
    # E itself has peers (eligibility is about being a peer): D 1/√2, C 1/√3
    assert w[E] == pytest.approx([0, 0, S3, S2, 0])


def test_peer_presence_is_the_cosine_weighted_share_of_peers_holding_the_segment():
    f = peer_features(X, XB, k=K, min_firms=MIN)[:, :, 0]
    # A lacks 3 and 4: B holds 3, C holds 4, equal weights
    assert f[A, 3] == pytest.approx(0.5) and f[A, 4] == pytest.approx(0.5)
    # C lacks 1 and 3: A (2/3) holds 1, D (1/√6) holds 3
    tot = 2 / 3 + S6
    assert f[C, 1] == pytest.approx((2 / 3) / tot) and f[C, 3] == pytest.approx(S6 / tot)
    # E lacks 0..3: C (1/√3) holds 0 and 2, D (1/√2) holds 3, nobody 1
    tot = S3 + S2
    assert f[E, :4] == pytest.approx([S3 / tot, 0, S3 / tot, S2 / tot])
    assert f.min() >= 0 and f.max() <= 1 + 1e-12


def test_peer_entries_counts_only_peers_that_entered_in_the_window():
    f = peer_features(X, XB, k=K, min_firms=MIN)[:, :, 1]
    # A: B entered 3 (half the weight); C held 4 before the window
    assert f[A, 3] == pytest.approx(0.5) and f[A, 4] == 0
    # C: D entered 4 (C holds it already, the part is still defined); D held 3 before
    assert f[C, 4] == pytest.approx(S6 / (2 / 3 + S6)) and f[C, 3] == 0
    # E: its peer D entered 4
    assert f[E, 4] == pytest.approx(S2 / (S3 + S2))
    assert f[:, :3].max() == 0  # nobody entered segments 0-2
    # nothing is new when the window's start equals the freeze
    assert peer_features(X, X, k=K, min_firms=MIN)[:, :, 1].max() == 0


def test_similarity_reads_specialisation_not_mere_holding():
    # a big region holds both segments but is specialised in 0 only (RCA of its one firm in 1: 0.43);
    # region 1 (RCA 2.17 in segment 1, 0.65 in 0) is then most like region 2, not like the big one
    x = np.array([[9, 1], [1, 1], [0, 1]], dtype=float)
    assert rca_presence(x)[1].tolist() == [[1, 0], [0, 1], [0, 1]]
    assert peer_weights(x, k=1, min_firms=1)[1] == pytest.approx([0, 0, 1])


def test_no_eligible_peer_gives_zero_parts():
    f = peer_features(X, XB, k=K, min_firms=100)
    assert f.max() == 0
    assert peer_weights(X, k=K, min_firms=100).max() == 0


def _oracle(x, xb, k, min_firms):
    """Loops over regions: cosine of RCA ≥ 1 profiles, the k best eligible others, weighted shares."""
    R, S = x.shape
    tot, rows, cols = x.sum(), x.sum(axis=1), x.sum(axis=0)
    m = [[1.0 if x[r, s] > 0 and x[r, s] / (rows[r] * cols[s] / tot) >= 1 - 1e-12 else 0.0 for s in range(S)]
         for r in range(R)]

    def cos(a, b):
        na, nb = math.sqrt(sum(m[a])), math.sqrt(sum(m[b]))
        return sum(p * q for p, q in zip(m[a], m[b], strict=True)) / (na * nb) if na and nb else 0.0

    out = np.zeros((R, S, 2))
    for r in range(R):
        cands = sorted((p for p in range(R) if p != r and rows[p] >= min_firms), key=lambda p: (-cos(r, p), p))
        peers = [(p, cos(r, p)) for p in cands[:k]]
        wsum = sum(c for _, c in peers)
        if wsum <= 0:
            continue
        for s in range(S):
            out[r, s, 0] = sum(c for p, c in peers if x[p, s] > 0) / wsum
            out[r, s, 1] = sum(c for p, c in peers if x[p, s] > 0 and xb[p, s] <= 0) / wsum
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_a_brute_force_oracle_on_random_worlds(seed):
    rng = np.random.default_rng(seed)
    x = rng.poisson(0.6, size=(14, 9)).astype(float)
    xb = np.where(rng.random(x.shape) < 0.3, 0.0, x)
    got = peer_features(x, xb, k=4, min_firms=5)
    assert got == pytest.approx(_oracle(x, xb, 4, 5))
    assert got.min() >= 0 and got.max() <= 1 + 1e-12
