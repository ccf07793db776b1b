"""The committed sample world keeps its promises and regenerates byte for byte."""

from __future__ import annotations

import filecmp

import pytest

from fixtures.generate import build_world, check_world, write_world
from fixtures.world import FILES, WORLD_DIR, load_world
from graph.model import OrgKind


@pytest.fixture(scope="module")
def world():
    return load_world()


def test_committed_world_has_no_violations(world):
    batch, answers = world
    assert check_world(batch, answers) == []


def test_sizes(world):
    batch, answers = world
    firms = [o for o in batch.organisations if o.kind is OrgKind.FIRM]
    local = [o for o in firms if o.region.startswith("cn/guangdong/shenzhen/")]
    platforms = [o for o in batch.organisations if o.kind.is_platform]
    assert len(batch.clusters) == 1 and len(batch.clusters[0].chains) >= 3
    assert len(batch.chains) >= 3
    assert len(batch.segments) >= 40
    assert len(firms) >= 1500
    assert len(local) / len(firms) >= 0.30
    assert len(platforms) >= 40
    assert len(batch.links) >= 6000
    assert len(answers["missing"]) >= 5
    assert len(answers["thin"]) >= 5
    assert len(answers["extension"]) >= 3
    assert answers["fictional"] is True
    assert {r["ideal_target"]["form"] for r in answers["missing"]} == {
        "headquarters", "regional_hq", "rd_centre", "production_base"}
    assert sum(p.stat().st_size for p in WORLD_DIR.iterdir()) < 6_000_000


def test_every_segment_has_one_planted_class(world):
    batch, answers = world
    planted = answers["strong"] + [r["segment"] for k in ("missing", "thin", "extension") for r in answers[k]]
    assert sorted(planted) == sorted(s.id for s in batch.segments)


def test_check_world_catches_a_broken_plant(world):
    batch, answers = world
    target = answers["missing"][0]["ideal_target"]["id"]
    broken = [ln for ln in batch.links if ln.src != target]
    batch2 = type(batch)(**{**batch.__dict__, "links": broken})
    assert any(target in p for p in check_world(batch2, answers))


def test_regenerates_byte_identical(tmp_path):
    batch, answers = build_world()
    write_world(batch, answers, tmp_path)
    names = list(FILES) + ["answers.json", "README.md"]
    match, mismatch, errors = filecmp.cmpfiles(WORLD_DIR, tmp_path, names, shallow=False)
    assert (mismatch, errors) == ([], [])
    assert sorted(p.name for p in WORLD_DIR.iterdir()) == sorted(names)
