"""One membership rule for every analysis (issue 16, item 3): predictions (挂链), reviews and landed firms.

Known answers on a hand-made world and on the sample world: a prediction of a local firm in a 补链
segment makes it present (predicted, with its weight) and lowers its severity; below confidence 0.5 it
counts nowhere; rejected it counts nowhere; confirmed it counts as confirmed; a landed firm is local
in gaps, chain map and dependence, and no longer a target for that region.
"""

from __future__ import annotations

import dataclasses

import pytest

from fixtures.world import load_world
from graph.analysis.aggregates import chain_aggregates
from graph.analysis.arrays import GraphArrays
from graph.analysis.fast import aggregates_from_arrays
from graph.analysis.membership import weight
from graph.analysis.service import Analyst
from graph.model import (
    EvidenceGrade,
    Format,
    Membership,
    MembershipStatus,
    Organisation,
    OrgKind,
    Provenance,
    RegStatus,
    Segment,
    Site,
    SiteKind,
    Stage,
)
from graph.store.graphview import build_graph
from graph.store.protocol import Batch
from graph.store.sqlite import SqliteStore
from graph.store.sqlite_aggregates import load_arrays
from matching.classify import Prediction, apply_predictions
from matching.review import review

SZ = "cn/guangdong/shenzhen"
ENGINE = "seg:game_engine"
P = Provenance("test", "2026-01-01")
C, PR, RJ = MembershipStatus.CONFIRMED, MembershipStatus.PREDICTED, MembershipStatus.REJECTED


def test_the_rule():
    assert [weight(s, c) for s, c in ((C, 0.2), (PR, 0.5), (PR, 0.499), (PR, 0.9), (RJ, 1.0))] == [1.0, 0.5, 0, 0.9, 0]


def _tiny() -> Batch:
    seg = Segment("s", "环节", "Seg", Stage.UPSTREAM, Format.OTHER)

    def firm(i, region, *members, status=RegStatus.ACTIVE, sites=()):
        return Organisation(f"o{i}", OrgKind.FIRM, f"企业{i}", P, region=region, status=status, sites=sites,
                            segments=tuple(Membership("s", c, EvidenceGrade.MEDIUM, st) for st, c in members))

    landed = (Site(f"{SZ}/nanshan", SiteKind.RD_CENTRE, "2026-07-01", landed=True),)
    branch = (Site(f"{SZ}/futian", SiteKind.BRANCH, "2020-01-01"),)
    return Batch(segments=[seg], organisations=[
        firm(1, SZ, (C, 0.3)),  # confirmed: weight 1 whatever its confidence
        firm(2, f"{SZ}/nanshan", (PR, 0.8)),  # predicted, counts 0.8
        firm(3, SZ, (PR, 0.4)),  # predicted below 0.5: nowhere
        firm(4, SZ, (RJ, 0.9)),  # rejected: nowhere
        firm(5, SZ, (C, 1.0), status=RegStatus.CLOSED),  # closed: nowhere
        firm(6, "cn/shanghai/shanghai", (PR, 0.6), sites=landed),  # landed in Shenzhen, predicted 0.6
        firm(7, "cn/shanghai/shanghai", (C, 1.0), sites=branch),  # a branch is no landing: external
        firm(8, "cn/beijing/beijing", (C, 1.0)),
    ])


def test_known_answer_on_a_hand_made_world(tmp_path):
    b = _tiny()
    g = build_graph(b.segments, [], b.organisations, [])
    with SqliteStore.open(tmp_path / "s.sqlite") as store:
        store.write(b)
        from_sql = load_arrays(store)
    ref = chain_aggregates(g, SZ)
    for a in (ref, aggregates_from_arrays(GraphArrays.from_batch(b), SZ), aggregates_from_arrays(from_sql, SZ)):
        d = a.detail["s"]
        assert (d.local_firms, d.local_predicted, d.local_weight) == (3, 2, pytest.approx(2.4))
        assert set(d.local_firm_ids) == {"o1", "o2", "o6"}
        assert (d.members_total, d.members_external) == (5, 2)  # o1 o2 o6 local; o7 o8 elsewhere
        # presence per city: the landed firm counts in Shenzhen and in Shanghai
        assert a.presence == {SZ: {"s": 3}, "cn/shanghai/shanghai": {"s": 2}, "cn/beijing/beijing": {"s": 1}}
        assert a == ref


@pytest.fixture()
def world_store():
    b, answers = load_world()
    store = SqliteStore.memory()
    store.write(b)
    yield store, b, answers
    store.close()


def _engine_segment(store):
    a = Analyst.for_store(store)
    seg = next(s for s in a.chain_map(SZ, "动漫游戏").segments if s.segment == ENGINE)
    gap = next((g for g in a.gaps(SZ, "动漫游戏").gaps if g.segment == ENGINE), None)
    return seg, gap


def _local_firm_without_engine(b) -> Organisation:
    return next(o for o in b.organisations if o.kind is OrgKind.FIRM and o.region and o.region.startswith(SZ)
                and not o.closed and ENGINE not in {m.segment for m in o.segments})


def _predict(store, org: str, confidence: float) -> None:
    apply_predictions(store, [[Prediction(org, ENGINE, 1, confidence, EvidenceGrade.MEDIUM, ("scope",))]])


def test_classify_then_review_changes_the_chain_map_and_gaps(world_store):
    store, b, _ = world_store
    before, gap0 = _engine_segment(store)
    assert (before.status, before.local_firms, gap0.kind.value) == ("missing", 0, "missing")
    firm = _local_firm_without_engine(b).id

    _predict(store, firm, 0.4)  # below 0.5: shown for review, counted nowhere
    seg, gap = _engine_segment(store)
    assert (seg.status, seg.local_firms, gap.severity) == ("missing", 0, gap0.severity)

    _predict(store, firm, 1.0)  # classify predicts a local firm at confidence 1.00
    seg, gap = _engine_segment(store)
    assert seg.status != "missing" and (seg.local_firms, seg.local_predicted) == (1, 1)
    assert seg.predicted_only and seg.local_weight == pytest.approx(1.0) and seg.firm_ids == (firm,)
    assert gap.kind.value == "thin" and gap.predicted_only and gap.severity < gap0.severity
    assert any(p.name == "presence_cap" for p in gap.parts)
    assert abs(gap.severity - sum(p.value for p in gap.parts)) < 1e-9
    predicted_severity = gap.severity

    _predict(store, firm, 0.6)  # less sure: weighs less, so the gap is lowered less
    seg6, gap6 = _engine_segment(store)
    assert seg6.local_weight == pytest.approx(0.6) and gap.severity < gap6.severity < gap0.severity

    assert review(store, firm, ENGINE, "reject").status == "rejected"
    seg, gap = _engine_segment(store)
    assert (seg.status, seg.local_firms, gap.kind.value, gap.severity) == ("missing", 0, "missing", gap0.severity)
    _predict(store, firm, 1.0)  # a rejected prediction is never written again
    assert {m.segment: m.status for m in store.organisation(firm).segments}[ENGINE] is RJ
    assert _engine_segment(store)[0].status == "missing"

    assert review(store, firm, ENGINE, "confirm").status == "confirmed"
    seg, gap = _engine_segment(store)
    assert (seg.local_firms, seg.local_predicted, seg.predicted_only, seg.local_weight) == (1, 0, False, 1.0)
    assert gap.severity == pytest.approx(predicted_severity) and not gap.predicted_only  # weight 1, as at 1.00


def test_landed_firm_counts_as_local_everywhere_and_is_no_target(world_store, tmp_path):
    from graph.settings import Settings
    from matching.engines import Engines
    from matching.recommend.outcomes import record_outcome
    from matching.workspace import Workspace

    store, b, answers = world_store
    ideal = next(m for m in answers["missing"] if m["segment"] == ENGINE)["ideal_target"]["id"]
    engines = Engines(Settings(_env_file=None, data_dir=tmp_path, embedding_model="hashing:64"))
    ws = Workspace.memory()
    before, gap0 = _engine_segment(store)
    page0 = engines.targets_page(store, ws, SZ, segment=ENGINE, limit=5)
    assert page0.items[0].org == ideal
    dep0 = engines.analyse(store, lambda a: a.dependence(SZ, "动漫游戏"))
    v = store.version()

    record_outcome(ws, store, ideal, f"{SZ}/nanshan", "landed", segment=ENGINE, form="rd_centre")
    assert store.version() > v  # caches keyed on the version see the landing
    seg, gap = _engine_segment(store)
    assert (seg.local_firms, seg.status) == (before.local_firms + 1, "thin") and ideal in seg.firm_ids
    assert gap.kind.value == "thin" and gap.severity < gap0.severity and not gap.predicted_only
    cached = engines.analyse(store, lambda a: a.chain_map(SZ, "动漫游戏"))
    assert next(s for s in cached.segments if s.segment == ENGINE).local_firms == 1
    dep = engines.analyse(store, lambda a: a.dependence(SZ, "动漫游戏"))
    eng0 = next(s for s in dep0.segments if s.segment == ENGINE)
    eng = next(s for s in dep.segments if s.segment == ENGINE)
    # the landed firm's supplies into Shenzhen are local now: less external dependence
    assert eng.local_firms == 1 and eng.received_external < eng0.received_external
    assert ideal not in {s.supplier for s in eng.top_suppliers}
    page = engines.targets_page(store, ws, SZ, segment=ENGINE, limit=50)
    assert ideal not in {t.org for t in page.items}


def test_analysis_cache_sees_reviews(world_store, tmp_path):
    """Results cached on disk per store version + code: a review moves the version, so they change."""
    from graph.settings import Settings
    from matching.engines import Engines

    store, b, _ = world_store
    engines = Engines(Settings(_env_file=None, data_dir=tmp_path, embedding_model="hashing:64"))

    def engine_status():
        m = engines.analyse(store, lambda a: a.chain_map(SZ, "动漫游戏"))
        return next(s.status for s in m.segments if s.segment == ENGINE)

    firm = _local_firm_without_engine(b).id
    assert engine_status() == "missing"
    _predict(store, firm, 0.9)
    assert engine_status() == "thin"
    review(store, firm, ENGINE, "reject")
    assert engine_status() == "missing"
    review(store, firm, ENGINE, "confirm")
    assert engine_status() == "thin"


def test_planted_answers_hold_with_predictions_elsewhere(world_store):
    """Predictions below 0.5 everywhere change nothing: the planted statuses stand."""
    store, b, answers = world_store
    a0 = Analyst.for_store(store).chain_map(SZ, "动漫游戏")
    weak = [dataclasses.replace(o, segments=(*o.segments, Membership(ENGINE, 0.45, EvidenceGrade.WEAK, PR)))
            for o in b.organisations if o.region and o.region.startswith(SZ)
            and ENGINE not in {m.segment for m in o.segments}][:50]
    store.write(Batch(organisations=weak))
    a1 = Analyst.for_store(store).chain_map(SZ, "动漫游戏")
    assert [(s.segment, s.status, s.local_firms) for s in a1.segments] == \
        [(s.segment, s.status, s.local_firms) for s in a0.segments]
