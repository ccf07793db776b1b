"""ChainKnowledgeGraph importer: a known-answer mini dataset, then the real files."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from graph.errors import InvalidInput
from graph.io.chainkg import FILES, SHENZHEN, load_chainkg
from graph.model import EvidenceGrade, MembershipStatus
from graph.store.sqlite import SqliteStore
from tests.conftest import shared_data


def fake_region(name: str) -> str | None:
    if name.startswith("深圳市"):
        return SHENZHEN
    if name.startswith("湖南"):
        return "cn/hunan"
    return None


MINI = {
    "company.json": [
        {
            "name": "光影互动",
            "fullname": "深圳市光影互动科技股份有限公司",
            "code": "300001.SZ",
            "location": "深圳证券交易所",
            "time": "2020-01-02",
        },
        {
            "name": "湘瓷",
            "fullname": "湖南湘瓷股份有限公司",
            "code": "600002",
            "location": "上海证券交易所",
            "time": "上海证券交易所",
        },
        # the same code and listing date: a former name of 300001
        {
            "name": "旧名",
            "fullname": "深圳市旧名股份有限公司",
            "code": "300001.SZ",
            "location": "深圳证券交易所",
            "time": "2020-01-02",
        },
        {
            "name": "北影",
            "fullname": "北京北影股份有限公司",
            "code": "000003.SZ",
            "location": "深圳证券交易所",
            "time": "2010-05-05",
        },
    ],
    "industry.json": [
        {"code": "710000", "name": "传媒"},
        {"code": "710100", "name": "游戏Ⅱ"},
        {"code": "710101", "name": "游戏Ⅲ"},
        {"code": "710102", "name": "影视"},
    ],
    "industry_industry.json": [
        {"from_code": "710100", "to_code": "710000", "rel": "上级行业"},
        {"from_code": "710101", "to_code": "710100", "rel": "上级行业"},
        {"from_code": "710102", "to_code": "710100", "rel": "上级行业"},
    ],
    "company_industry.json": [
        {"company_code": "300001.SZ", "industry_code": "710101", "industry_name": "游戏Ⅲ"},
        # an outdated code: resolved by the industry's name
        {"company_code": "600002.SH", "industry_code": "999999", "industry_name": "影视"},
        {"company_code": "000003.sz", "industry_code": "710102", "industry_name": "影视"},
        {"company_code": "123456.SZ", "industry_code": "710101", "industry_name": "游戏Ⅲ"},
    ],
    "industry_up.json": [
        {"industry": "游戏Ⅲ", "ups": {"影视": 3, "不存在": 1}},
        {"industry": "影视", "ups": {}},
    ],
}


def write_dataset(path: Path, files: dict[str, list[dict]]) -> Path:
    for name, rows in files.items():
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        (path / name).write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def mini(tmp_path):
    batch, stats = load_chainkg(write_dataset(tmp_path, MINI), infer_region=fake_region)
    return batch, stats


def test_mini_companies(mini):
    batch, stats = mini
    orgs = {o.id: o for o in batch.organisations}
    assert sorted(orgs) == ["a:000003", "a:300001", "a:600002"]
    sz = orgs["a:300001"]
    assert sz.name_zh == "深圳市光影互动科技股份有限公司"
    assert sz.keywords == ("光影互动", "旧名") and sz.former_names == ("深圳市旧名股份有限公司",)
    assert sz.region_source == "name"
    assert sz.region == SHENZHEN and sz.provenance.estimated == ("region",)
    assert sz.provenance.source == "chainkg" and sz.provenance.as_of == "2020-01-02"
    assert (sz.industry, sz.industry_code) == ("游戏Ⅲ", "710101")
    assert sz.tiers == ("上市公司",) and sz.founded is None
    (m,) = sz.segments
    assert (m.segment, m.evidence, m.status) == (
        "sw:710101",
        EvidenceGrade.CONFIRMED,
        MembershipStatus.CONFIRMED,
    )
    hn = orgs["a:600002"]
    assert hn.region == "cn/hunan" and hn.provenance.as_of is None  # time holds the exchange
    assert hn.confirmed_segments() == ("sw:710102",)
    bj = orgs["a:000003"]
    assert bj.region is None and bj.provenance.estimated == ()
    assert stats["companies_read"] == 4
    assert stats["companies_imported"] == 3
    assert stats["former_names_merged"] == 1
    assert stats["memberships"] == 3
    assert stats["industry_codes_resolved_by_name"] == 1
    assert stats["unmatched_codes"] == ["123456"]
    assert (stats["with_region"], stats["in_shenzhen"]) == (2, 1)


def test_mini_industries(mini):
    batch, stats = mini
    segs = {s.id: s for s in batch.segments}
    assert len(segs) == 4
    assert segs["sw:710101"].parent == "sw:710100"
    assert segs["sw:710100"].parent == "sw:710000"
    assert segs["sw:710000"].parent is None
    assert segs["sw:710101"].keywords == ("游戏",)
    assert {s.source for s in segs.values()} == {"chainkg"}
    (chain,) = batch.chains
    assert chain.id == "sw:chain:710000" and chain.name_zh == "传媒"
    assert chain.segments == ("sw:710100", "sw:710101", "sw:710102")
    (cluster,) = batch.clusters
    assert (cluster.id, cluster.name_zh, cluster.chains) == ("sw", "申万行业", (chain.id,))
    (edge,) = batch.segment_edges
    assert (edge.upstream, edge.downstream, edge.weight) == ("sw:710102", "sw:710101", 3.0)
    assert edge.source == "chainkg:industry_up"
    assert stats["unresolved_names"] == ["不存在"]


def test_mini_store_roundtrip(mini):
    batch, _ = mini
    store = SqliteStore.memory()
    first = store.write(batch)
    assert [o.id for o in store.organisations(region=SHENZHEN)] == ["a:300001"]
    again = store.write(batch)
    assert again.changed == 0 and again.version == first.version


def test_repeated_code_with_other_listing_date_is_a_conflict(tmp_path):
    files = dict(MINI)
    files["company.json"] = MINI["company.json"] + [
        {
            "name": "北影",
            "fullname": "中国银行股份有限公司",
            "code": "000003",
            "location": "上海证券交易所",
            "time": "2006-07-05",
        },
        {"name": "无主", "fullname": "甲股份有限公司", "code": "000009", "time": "2001-01-01"},
        {"name": "无主", "fullname": "乙股份有限公司", "code": "000009", "time": "2002-02-02"},
    ]
    batch, stats = load_chainkg(write_dataset(tmp_path, files), infer_region=fake_region)
    orgs = {o.id: o for o in batch.organisations}
    assert orgs["a:000003"].name_zh == "北京北影股份有限公司"  # its name contains 北影
    wrong = orgs["a:000003~1"]
    assert wrong.name_zh == "中国银行股份有限公司"
    assert (wrong.keywords, wrong.segments, wrong.industry_code) == ((), (), "")
    assert "a:000009" not in orgs and {"a:000009~1", "a:000009~2"} <= set(orgs)
    assert stats["ambiguous_codes"] == ["000009"]
    assert [c["id"] for c in stats["code_conflicts"]] == ["a:000003~1", "a:000009~1", "a:000009~2"]
    assert stats["companies_imported"] == stats["companies_read"] - stats["former_names_merged"]


def test_missing_file_and_bad_line(tmp_path):
    write_dataset(tmp_path, {k: v for k, v in MINI.items() if k != "industry_up.json"})
    with pytest.raises(InvalidInput, match="industry_up.json"):
        load_chainkg(tmp_path, infer_region=fake_region)
    write_dataset(tmp_path, MINI)
    with (tmp_path / "company.json").open("a", encoding="utf-8") as f:
        f.write("{not json\n")
    with pytest.raises(InvalidInput) as e:
        load_chainkg(tmp_path, infer_region=fake_region)
    assert [(p.file, p.row) for p in e.value.problems] == [("company.json", 5)]


# ------------------------------------------------------------------ real data


@pytest.fixture(scope="module")
def real():
    directory = shared_data("chainkg")
    regions = pytest.importorskip("graph.regions", reason="graph/regions.py not available yet")
    start = time.perf_counter()
    batch, stats = load_chainkg(directory, infer_region=regions.infer_region_from_name)
    store = SqliteStore.memory()
    result = store.write(batch)
    elapsed = time.perf_counter() - start
    yield directory, batch, stats, store, result, elapsed
    store.close()


def _rows(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def test_real_every_company_is_imported(real):
    directory, _batch, stats, store, _result, elapsed = real
    assert elapsed < 10, f"import took {elapsed:.1f}s"
    raw = _rows(directory / "company.json")
    assert stats["companies_read"] == len(raw) == 4654
    assert stats["distinct_codes"] == len({r["code"].split(".")[0] for r in raw}) == 4586
    # renamed firms (same code, same listing date) are one organisation
    assert stats["companies_imported"] == 4654 - stats["former_names_merged"]
    assert store.counts()["organisations"] == stats["companies_imported"]
    known = set()
    for o in store.organisations():
        known |= {o.name_zh, *o.keywords, *o.former_names}
    assert {r["fullname"] for r in raw} <= known, "a full name was lost"


def test_real_shenzhen(real):
    _d, _b, stats, store, _r, _t = real
    shenzhen = {o.id: o for o in store.organisations(region=SHENZHEN)}
    named = {o.id for o in store.organisations() if o.name_zh.startswith("深圳")}
    assert named <= set(shenzhen)
    # 286 full names start with 深圳; two are former names (奇信建设, 深圳市爱迪尔 now in Fujian)
    assert len(shenzhen) == stats["in_shenzhen"] >= 284
    assert all("region" in o.provenance.estimated for o in shenzhen.values())


def test_real_region_coverage(real):
    """Regions from full names alone (chainkg has no address or credit code): 3,068 of 4,605 firms with
    the hand-written gazetteer, 3,122 (67.8 %) now that a place in parentheses after the trade name
    (芯海科技（深圳）…) counts; a brand word is still no place (中山大学达安基因 is not in 中山)."""
    _d, _b, stats, store, _r, _t = real
    assert stats["companies_imported"] == 4605 and stats["with_region"] >= 3122
    by_name = {o.name_zh: o.region for o in store.organisations()}
    assert by_name["芯海科技（深圳）股份有限公司"] == SHENZHEN
    assert by_name["康泰医学系统（秦皇岛）股份有限公司"] == "cn/hebei/qinhuangdao"
    assert by_name["中山大学达安基因股份有限公司"] is None
    assert by_name["中集车辆（集团）股份有限公司"] is None


def test_real_memberships_and_industries(real):
    directory, batch, stats, store, _r, _t = real
    rows = _rows(directory / "company_industry.json")
    assert stats["memberships"] + len(stats["unmatched_codes"]) == len(rows)
    assert sum(len(o.segments) for o in store.organisations()) == stats["memberships"]
    assert stats["unknown_industries"] == 0
    counts = store.counts()
    assert counts["segments"] == len(_rows(directory / "industry.json"))
    assert counts["chains"] == 31 and counts["clusters"] == 1
    assert counts["segment_edges"] == stats["segment_edges"] > 5000
    assert stats["unresolved_names"] == ["其他能源设备Ⅲ"]


def test_real_reimport_is_idempotent(real):
    _d, batch, _s, store, result, _t = real
    again = store.write(batch)
    assert again.changed == 0 and again.version == result.version == store.version()


def test_files_constant_matches_the_dataset():
    directory = shared_data("chainkg")
    assert all((directory / f).is_file() for f in FILES)
