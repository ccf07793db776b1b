"""The synthetic world generator: the sample world's shape at 10k firms, deterministic bytes."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest

from fixtures.synth import synthetic_batch, write_synthetic_world
from fixtures.world import load_world
from graph.model import LinkKind

FIRMS = 10_000
LOCAL = "cn/guangdong/shenzhen"


def shape_stats(batch) -> dict:
    """Shares and degree figures of a world, computed by brute force."""
    orgs, links = batch.organisations, batch.links
    segs = Counter(o.segments[0].segment for o in orgs if o.segments)
    kinds = Counter(x.kind for x in links)
    degree = Counter()
    for x in links:
        degree[x.src] += 1
        degree[x.dst] += 1
    top = sorted(degree.values(), reverse=True)[: max(1, len(orgs) // 100)]
    return {
        "segments": {s: n / len(orgs) for s, n in segs.items()},
        "links": {k: n / len(links) for k, n in kinds.items()},
        "local": sum((o.region or "").startswith(LOCAL) for o in orgs) / len(orgs),
        "districts": {o.region for o in orgs if (o.region or "").startswith(LOCAL + "/")},
        "mean_degree": 2 * len(links) / len(orgs),
        "top1_share": sum(top) / (2 * len(links)),
        "tiers": sum(bool(o.tiers) for o in orgs) / len(orgs),
    }


@pytest.fixture(scope="module")
def worlds():
    sample, _ = load_world()
    per_firm = len(sample.links) / len(sample.organisations)
    synth = synthetic_batch(FIRMS, round(FIRMS * per_firm), seed=11)
    return sample, synth


def test_shape_matches_the_sample_world(worlds):
    sample, synth = worlds
    want, got = shape_stats(sample), shape_stats(synth)
    for seg, share in want["segments"].items():
        assert got["segments"].get(seg, 0) == pytest.approx(share, abs=0.012), seg
    for kind, share in want["links"].items():
        assert got["links"].get(kind, 0) == pytest.approx(share, abs=0.015), kind
    assert set(got["links"]) == set(want["links"])
    assert got["local"] == pytest.approx(want["local"], abs=0.03)
    assert got["districts"] == want["districts"]
    assert got["mean_degree"] == pytest.approx(want["mean_degree"], rel=0.02)
    assert got["tiers"] == pytest.approx(want["tiers"], abs=0.03)
    # heavy-tailed like the sample (top 1 % of firms hold ≥ 4 % of link ends; a
    # Poisson degree with this mean would give about 2 %), not one giant hub
    assert want["top1_share"] >= 0.04 and 0.04 <= got["top1_share"] <= 0.25


def test_supply_links_run_along_segment_edges(worlds):
    _, synth = worlds
    seg = {o.id: {m.segment for m in o.segments} for o in synth.organisations}
    edges = {(e.upstream, e.downstream) for e in synth.segment_edges}
    supplies = [x for x in synth.links if x.kind is LinkKind.SUPPLIES]
    along = sum(any((u, d) in edges for u in seg[x.src] for d in seg[x.dst]) for x in supplies)
    assert along == len(supplies)
    assert len({(x.src, x.dst, x.kind) for x in synth.links}) == len(synth.links)
    assert all(x.src != x.dst for x in synth.links)


def test_same_seed_same_bytes(tmp_path):
    def digest(directory, seed):
        paths = write_synthetic_world(tmp_path / directory, 2_000, 8_000, seed=seed)
        return [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]

    assert digest("a", 5) == digest("b", 5)
    assert digest("c", 6) != digest("a", 5)
