"""Entry backtest: metrics on a hand-made world with known entries, density by hand, chainkg figures."""

from __future__ import annotations

import json

import numpy as np
import pytest

from api.cli.main import main
from graph.analysis.entryfeatures import entry_features
from graph.analysis.relatedness import relatedness, relatedness_matrix
from graph.model import Format, Membership, Organisation, OrgKind, Provenance, Segment, Stage
from matching.eval.entries import EntryData, run_entries, tune_entry_weights
from matching.eval.metrics import set_metrics
from tests.analysis import test_chainkg_gaps as _chainkg

chainkg_dir = _chainkg.chainkg_dir  # the imported chainkg (or a skip saying why), shared with the gap tests


def _seg(i: str, parent: str | None = None) -> Segment:
    return Segment(i, i, i, Stage.MIDSTREAM, Format.OTHER, parent=parent)


def _firm(n: int, region: str, seg: str, founded: str) -> Organisation:
    return Organisation(id=f"f{n}", kind=OrgKind.FIRM, name_zh=f"企业{n}", provenance=Provenance("test", None, ()),
                        region=region, segments=(Membership(seg),), founded=founded)


def hand_world():
    """A gains s3 after t0; B gains s1 and s2; C is too small to score."""
    plan = [("cn/p/a", "s1", 3, "2000"), ("cn/p/a", "s2", 2, "2000"), ("cn/p/a", "s3", 1, "2020"),
            ("cn/p/b", "s3", 3, "2000"), ("cn/p/b", "s4", 2, "2000"), ("cn/p/b", "s1", 1, "2020"),
            ("cn/p/b", "s2", 1, "2021"), ("cn/q/c", "s1", 1, "2000"), ("cn/q/c", "s2", 1, "2000")]
    orgs, n = [], 0
    for region, seg, k, year in plan:
        for _ in range(k):
            orgs.append(_firm(n, region, seg, year))
            n += 1
    orgs.append(Organisation(id="undated", kind=OrgKind.FIRM, name_zh="无日期", provenance=Provenance("t", None, ()),
                             region="cn/p/a", segments=(Membership("s4"),)))
    segs = [_seg("s1", "p1"), _seg("s2", "p1"), _seg("s3", "p2"), _seg("s4", "p2"), _seg("p1"), _seg("p2")]
    return EntryData.from_records(segs, [], orgs, level="city")


def test_set_metrics_known_answers():
    m = set_metrics(np.array([5.0, 4, 3, 2, 1]), np.array([False, True, False, True, False]))
    assert m["MAP"] == pytest.approx((1 / 2 + 2 / 4) / 2)
    assert m["AUC-PR"] == pytest.approx(1 / 3)
    assert m["Recall@10"] == m["Recall@20"] == 1.0
    perfect = set_metrics(np.arange(30.0)[::-1], np.arange(30) < 3)
    assert perfect == {"MAP": 1.0, "Recall@10": 1.0, "Recall@20": 1.0, "AUC-PR": 1.0}
    late = set_metrics(np.arange(30.0)[::-1], np.arange(30) >= 25)
    assert late["Recall@20"] == 0.0 and late["MAP"] == pytest.approx(np.mean([k / (25 + k) for k in range(1, 6)]))


def test_set_metrics_ties_are_expected_over_random_orders():
    m = set_metrics(np.zeros(2), np.array([True, False]), draws=2000)
    assert m["MAP"] == pytest.approx(0.75, abs=0.02)


def test_hand_world_counts_and_known_rankings():
    data = hand_world()
    assert data.units == ("cn/p/a", "cn/p/b", "cn/q/c") and data.undated == 1 and data.firms == 16
    res = run_entries(data, "2010-12-31", min_firms=4)
    # A lacks s3, s4 (truth s3); B lacks s1, s2 (both true); C has 2 firms; p1/p2 have no firm anywhere
    assert (res.regions, res.candidates, res.entries, res.regions_without_entries) == (2, 4, 3, 0)
    assert res.table["popularity"]["MAP"] == 1.0  # s3 (3 firms) before s4 (2) in A
    assert res.table["random"]["MAP"] == pytest.approx((0.75 + 1.0) / 2, abs=0.15)
    worst = run_entries(data, "2010-12-31", min_firms=4, weights={"popularity": -1.0})
    assert worst.per_region["cn/p/a"]["engine"]["MAP"] == 0.5 and worst.table["engine"]["MAP"] == 0.75
    assert set(res.table) == {"engine", "random", "popularity", "density", "demand"}


def test_nothing_after_t0_is_read_by_tuning():
    a = tune_entry_weights(hand_world(), "2020-06-30", min_firms=4, cutoffs=(3650,))
    assert a["positives"] == 2  # A's s3 and B's s1 (2020); B's s2 (2021) is after t0
    shifted = hand_world()
    t0 = 18443  # 2020-06-30 in days since 1970
    assert (shifted.mem_day > t0).sum() == 1
    shifted.mem_day[shifted.mem_day > t0] = 30000  # move every record after t0 far out
    assert tune_entry_weights(shifted, "2020-06-30", min_firms=4, cutoffs=(3650,)) == a


def test_density_matrix_equals_hand_computed_density():
    x = {"A": {"s1": 4}, "B": {"s1": 2, "s2": 2}, "C": {"s2": 2, "s3": 2}}
    r = relatedness(x, ["s1", "s2", "s3"])
    # by hand: φ12 = φ23 = 1/2, φ13 = 0; M_B = (1, 1, 0); ω_B3 = φ32·1 / (φ31 + φ32) = 1
    assert r.density_matrix()[1].tolist() == [1.0, 0.5, 1.0]
    assert [r.density(g) for g in "ABC"] == [dict(zip(r.segments, row, strict=True)) for row in r.density_matrix()]
    m = np.array([[4, 0, 0], [2, 2, 0], [0, 2, 2]])
    assert relatedness_matrix(m).density_matrix().tolist() == r.density_matrix().tolist()
    f = entry_features(m, np.zeros((3, 3)), parents=[None, None, None], edges=[(0, 1, 1.0, "chainkg:industry_up")])
    assert f.figure("density")[0].tolist() == [0.0, 0.5, 0.0]
    # demand of s1 from its one downstream segment s2: text evidence scales it down
    lq_c = (2 / 4) / (4 / 12)
    assert f.figure("demand")[2, 0] == pytest.approx(0.05 * lq_c / (lq_c + 1))


def test_cli_on_the_sample_world_by_founding_dates(tmp_path, capsys):
    from fixtures.world import WORLD_DIR

    main(["import", "world", str(WORLD_DIR), "--data-dir", str(tmp_path), "--json"])
    capsys.readouterr()
    main(["eval", "entries", "--data-dir", str(tmp_path), "--t0", "2018-12-31", "--min-firms", "5", "--json"])
    res = json.loads(capsys.readouterr().out)
    assert res["level"] == "city" and res["firms"] > 0 and res["undated"] < res["firms"]
    assert set(res["table"]) == {"engine", "random", "popularity", "density", "demand"}


def test_chainkg_entries_cli(chainkg_dir, capsys):
    capsys.readouterr()
    try:
        main(["eval", "entries", "--data-dir", str(chainkg_dir), "--t0", "2014-12-31", "--min-firms", "8", "--json"])
    except SystemExit as e:
        assert not e.code
    res = json.loads(capsys.readouterr().out)
    t = res["table"]
    assert res["regions"] >= 20 and res["entries"] > 100
    # the figures for the baselines: popularity MAP 0.115-0.155, density 0.078-0.095 (±)
    assert 0.11 <= t["popularity"]["MAP"] <= 0.17 and 0.07 <= t["density"]["MAP"] <= 0.11
    assert t["random"]["MAP"] < t["density"]["MAP"] < t["popularity"]["MAP"]
    assert t["engine"]["MAP"] >= 1.2 * max(t[b]["MAP"] for b in ("random", "popularity", "density", "demand"))
