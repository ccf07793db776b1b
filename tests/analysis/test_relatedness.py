"""Relatedness density: a hand-computed example and the sample world's own brute-force figures."""

from __future__ import annotations

import numpy as np
import pytest

from fixtures.check import relatedness_density
from graph.analysis.aggregates import chain_aggregates
from graph.analysis.gaps import densities
from graph.analysis.relatedness import relatedness

from .conftest import SZ


def test_hand_computed_three_regions_three_segments():
    # counts        s1 s2 s3 | total
    #   A            4  0  0 |   4
    #   B            2  2  0 |   4
    #   C            0  2  2 |   4
    #   total        6  4  2 |  12
    # RCA = (x/row)/(col/12): A.s1 = 1/(6/12) = 2; B.s1 = .5/.5 = 1; B.s2 = .5/(4/12) = 1.5;
    # C.s2 = 1.5; C.s3 = .5/(2/12) = 3  ->  M: A{s1} B{s1,s2} C{s2,s3}
    # ubiquity s1=2 s2=2 s3=1; co-occurrence s1s2=1 (B), s2s3=1 (C), s1s3=0
    # phi(s1,s2) = 1/max(2,2) = .5; phi(s2,s3) = 1/max(2,1) = .5; phi(s1,s3) = 0
    # density A: s2 = (phi21*1 + phi23*0)/(phi21+phi23) = .5; s3 = (0*1 + .5*0)/.5 = 0; s1 = 0/.5 = 0
    # density B: s1 = (phi12*1 + phi13*0)/(phi12+phi13) = .5/.5 = 1; s2 = (.5*1 + .5*0)/1 = .5;
    #            s3 = (phi31*1 + phi32*1)/(phi31+phi32) = .5/.5 = 1
    # density C: s1 = (.5*1 + 0*1)/.5 = 1; s2 = (.5*0 + .5*1)/1 = .5; s3 = (0*0 + .5*1)/.5 = 1
    x = {"A": {"s1": 4}, "B": {"s1": 2, "s2": 2}, "C": {"s2": 2, "s3": 2}}
    r = relatedness(x, ["s1", "s2", "s3"])
    assert r.rca == {"A": {"s1": 2.0}, "B": {"s1": 1.0, "s2": 1.5}, "C": {"s2": 1.5, "s3": 3.0}}
    assert r.m.tolist() == [[1, 0, 0], [1, 1, 0], [0, 1, 1]]
    assert r.phi.tolist() == [[0, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0]]
    assert r.density("A") == {"s1": 0.0, "s2": 0.5, "s3": 0.0}
    assert r.density("B") == {"s1": 1.0, "s2": 0.5, "s3": 1.0}
    assert r.density("C") == {"s1": 1.0, "s2": 0.5, "s3": 1.0}
    assert r.density("nowhere") == {"s1": 0.0, "s2": 0.0, "s3": 0.0}


def test_unknown_segments_and_empty_regions_are_ignored():
    r = relatedness({"A": {"s1": 1, "zz": 5}, "B": {}}, ["s1", "s2"])
    assert r.regions == ("A",) and r.density("A") == {"s1": 0.0, "s2": 0.0}


def test_world_density_equals_the_generators_brute_force(batch, world_graph):
    aggs = chain_aggregates(world_graph, SZ)
    ours = densities(aggs)
    theirs = relatedness_density(batch)
    assert set(ours) == set(theirs)
    assert all(ours[s] == pytest.approx(theirs[s], abs=5e-5) for s in theirs)


def test_world_extensions_are_denser_than_every_missing_segment(world_graph, answers):
    d = densities(chain_aggregates(world_graph, SZ))
    ext = [d[r["segment"]] for r in answers["extension"]]
    miss = [d[r["segment"]] for r in answers["missing"]]
    assert min(ext) > max(miss)
    assert [round(d[r["segment"]], 4) for r in answers["extension"]] == [r["density"] for r in answers["extension"]]


def test_density_is_within_unit_interval_on_random_counts():
    rng = np.random.default_rng(3)
    counts = {f"r{i}": {f"s{j}": int(rng.integers(0, 5)) for j in range(9)} for i in range(12)}
    r = relatedness(counts, [f"s{j}" for j in range(9)])
    for reg in r.regions:
        assert all(0.0 <= v <= 1.0 for v in r.density(reg).values())
    assert np.allclose(r.phi, r.phi.T)
