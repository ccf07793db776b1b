"""ICKG importer: a known-answer 6-fact graph, then the real subset's accounting."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from graph.errors import InvalidInput
from graph.io.ickg import LINK_RELATIONS, load_ickg
from graph.model import EvidenceGrade, LinkKind
from graph.store.sqlite import SqliteStore
from tests.conftest import shared_data

RELATIONS = [
    "上游于", "供给", "包含", "合作", "合资", "并购",
    "归属于行业", "投资", "持有专利", "母公司/控股", "涉足行业", "竞争",
]  # fmt: skip
R = {name: i for i, name in enumerate(RELATIONS)}
ENTITIES = ["华为", "中兴", "通信行业", "芯片行业", "CN1", "半导体"]
DATES = ["2020-01-01", "2020-01-08", "2020-01-15"]
# (head, relation, tail, time) per split
MINI = {
    "train": [(0, R["供给"], 1, 0), (3, R["上游于"], 2, 0)],
    "valid": [(0, R["归属于行业"], 2, 1), (0, R["涉足行业"], 2, 1)],
    "test": [(0, R["供给"], 1, 2), (5, R["包含"], 3, 2)],  # 供给 seen again
}


def write_ickg(path: Path, facts: dict[str, list[tuple]]) -> Path:
    (path / "entity2id.txt").write_text(
        "".join(f"{n}\t{i}\n" for i, n in enumerate(ENTITIES)), encoding="utf-8"
    )
    (path / "relation2id.txt").write_text(
        "".join(f"{n}\t{i}\n" for i, n in enumerate(RELATIONS)), encoding="utf-8"
    )
    (path / "time2id.txt").write_text("".join(f"{i},{d}\n" for i, d in enumerate(DATES)))
    for split, rows in facts.items():
        (path / f"{split}.txt").write_text("".join("\t".join(map(str, r)) + "\n" for r in rows))
    return path


def no_region(name: str) -> None:
    return None


def test_mini_records(tmp_path):
    batch, stats = load_ickg(write_ickg(tmp_path, MINI), infer_region=no_region)
    assert sorted(o.id for o in batch.organisations) == ["ickg:org:0", "ickg:org:1"]
    assert sorted(s.id for s in batch.segments) == ["ickg:seg:2", "ickg:seg:3", "ickg:seg:5"]
    (link,) = batch.links
    assert (link.id, link.kind, link.src, link.dst) == (
        "ickg:0:1:1",
        LinkKind.SUPPLIES,
        "ickg:org:0",
        "ickg:org:1",
    )
    assert link.since == "2020-01-01"  # the first observation
    assert link.provenance.as_of == "2020-01-15"  # the last one
    assert link.provenance.source == "ickg:train"
    huawei = next(o for o in batch.organisations if o.id == "ickg:org:0")
    (m,) = huawei.segments  # 归属于行业 beats 涉足行业 for the same pair
    assert (m.segment, m.evidence, m.confidence) == ("ickg:seg:2", EvidenceGrade.CONFIRMED, 1.0)
    assert huawei.provenance.as_of == "2020-01-15"
    (edge,) = batch.segment_edges
    assert (edge.upstream, edge.downstream) == ("ickg:seg:3", "ickg:seg:2")
    parents = {s.id: s.parent for s in batch.segments}
    assert parents == {"ickg:seg:2": None, "ickg:seg:3": "ickg:seg:5", "ickg:seg:5": None}
    assert next(s for s in batch.segments if s.id == "ickg:seg:2").keywords == ("通信",)
    rel = stats["relations"]
    assert rel["供给"] == {"facts": 2, "triples": 1, "written": 1, "dropped": {}}
    assert rel["涉足行业"] == {"facts": 1, "triples": 1, "written": 0, "dropped": {"superseded": 1}}
    assert rel["归属于行业"]["written"] == rel["上游于"]["written"] == rel["包含"]["written"] == 1
    assert (stats["facts"], stats["triples"], stats["entities_unused"]) == (6, 5, 1)


def test_mini_drops_are_accounted(tmp_path):
    facts = {k: list(v) for k, v in MINI.items()}
    facts["train"] += [
        (0, R["母公司/控股"], 0, 0),  # self loop
        (0, R["持有专利"], 4, 0),
        (2, R["包含"], 3, 1),  # earlier than 半导体 包含 芯片行业: becomes the parent
        (3, R["包含"], 2, 2),  # would close a cycle
        (0, R["供给"], 2, 0),  # a firm "supplying" an industry: wrong types
    ]
    batch, stats = load_ickg(write_ickg(tmp_path, facts), infer_region=no_region)
    rel = stats["relations"]
    assert rel["母公司/控股"]["dropped"] == {"self_loop": 1}
    assert rel["包含"] == {
        "facts": 3,
        "triples": 3,
        "written": 1,
        "dropped": {"extra_parent": 1, "cycle": 1},
    }
    assert stats["extra_parents"] == [{"segment": "ickg:seg:3", "container": "ickg:seg:5"}]
    assert rel["供给"]["dropped"] == {"type_mismatch": 1}
    assert rel["持有专利"]["written"] == 1
    assert next(o for o in batch.organisations if o.id == "ickg:org:0").patents == 1
    assert {s.id: s.parent for s in batch.segments}["ickg:seg:3"] == "ickg:seg:2"
    for name, r in rel.items():
        assert r["triples"] == r["written"] + sum(r["dropped"].values()), name


def test_unknown_id_is_reported(tmp_path):
    write_ickg(tmp_path, {**MINI, "test": [(0, R["供给"], 99, 0)]})
    with pytest.raises(InvalidInput) as e:
        load_ickg(tmp_path, infer_region=no_region)
    assert [(p.file, p.row, p.field) for p in e.value.problems] == [("test.txt", 1, "tail")]


# ------------------------------------------------------------------ real data


def read_raw(directory: Path):
    """The files read independently of the importer: facts per relation name."""
    rel = {}
    for line in (directory / "relation2id.txt").read_text(encoding="utf-8").splitlines():
        name, ident = line.split("\t")
        rel[int(ident)] = name
    dates = dict(line.split(",") for line in (directory / "time2id.txt").read_text().split())
    facts = []
    for split in ("train", "valid", "test"):
        for line in (directory / f"{split}.txt").read_text().splitlines():
            h, r, t, ti = line.split()
            facts.append((int(h), rel[int(r)], int(t), dates[ti]))
    return rel, set(dates.values()), facts


@pytest.fixture(scope="module")
def real():
    directory = shared_data("ickg-subset")
    regions = pytest.importorskip("graph.regions", reason="graph/regions.py not available yet")
    start = time.perf_counter()
    batch, stats = load_ickg(directory, infer_region=regions.infer_region_from_name)
    store = SqliteStore.memory()
    result = store.write(batch)
    elapsed = time.perf_counter() - start
    yield directory, batch, stats, store, result, elapsed
    store.close()


def test_real_link_counts_equal_the_files(real):
    directory, _b, stats, store, _r, elapsed = real
    assert elapsed < 10, f"import took {elapsed:.1f}s"
    _rel, _dates, facts = read_raw(directory)
    triples = defaultdict(set)
    for h, r, t, _d in facts:
        triples[r].add((h, t))
    stored = Counter(x.kind for x in store.links() if x.provenance.source.startswith("ickg"))
    for name, kind in LINK_RELATIONS.items():
        loops = sum(h == t for h, t in triples[name])  # a link cannot join a firm to itself
        assert stored[kind] == len(triples[name]) - loops == stats["relations"][name]["written"]
        assert stats["relations"][name]["dropped"] == ({"self_loop": loops} if loops else {})
    assert stored[LinkKind.PARENT_OF] == 223 - 46


def test_real_memberships_edges_parents_patents_equal_the_files(real):
    directory, _b, stats, store, _r, _t = real
    _rel, _dates, facts = read_raw(directory)
    pairs = defaultdict(set)
    for h, r, t, _d in facts:
        pairs[r].add((h, t))
    evidence = Counter(m.evidence for o in store.organisations() for m in o.segments)
    both = pairs["归属于行业"] & pairs["涉足行业"]
    assert evidence[EvidenceGrade.CONFIRMED] == len(pairs["归属于行业"])
    assert evidence[EvidenceGrade.MEDIUM] == len(pairs["涉足行业"]) - len(both)
    assert stats["relations"]["涉足行业"]["dropped"] == {"superseded": len(both)}
    assert len(store.segment_edges()) == len(pairs["上游于"])
    with_parent = sum(s.parent is not None for s in store.segments())
    assert with_parent == stats["relations"]["包含"]["written"]
    assert sum(o.patents for o in store.organisations()) == len(pairs["持有专利"])


def test_real_accounting_adds_up_for_every_relation(real):
    directory, _b, stats, _s, _r, _t = real
    _rel, _dates, facts = read_raw(directory)
    facts_per = Counter(r for _h, r, _t, _d in facts)
    triples_per = Counter(r for _h, r, _t in {(h, r, t) for h, r, t, _d in facts})
    assert len(stats["relations"]) == 12
    for name, r in stats["relations"].items():
        assert r["facts"] == facts_per[name], name
        assert r["triples"] == triples_per[name], name
        assert r["triples"] == r["written"] + sum(r["dropped"].values()), name
    assert stats["facts"] == len(facts) == 12313


def test_real_since_is_the_first_observation(real):
    directory, _b, _s, store, _r, _t = real
    rel, dates, facts = read_raw(directory)
    rel_id = {name: i for i, name in rel.items()}
    first: dict[tuple, str] = {}
    for h, r, t, d in facts:
        key = (h, rel_id[r], t)
        first[key] = min(first.get(key, d), d)
    links = list(store.links())
    assert links
    for x in links:
        assert x.since in dates
        h, r, t = map(int, x.id.split(":")[1:])
        assert x.since == first[(h, r, t)] <= x.provenance.as_of


def test_real_reimport_is_idempotent(real):
    _d, batch, _s, store, result, _t = real
    again = store.write(batch)
    assert again.changed == 0 and again.version == result.version == store.version()
