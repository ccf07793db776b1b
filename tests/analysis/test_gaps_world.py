"""Acceptance on the sample world: every planted 补链/强链/延链 segment found in its class, nothing else."""

from __future__ import annotations

import dataclasses
import math

import pytest

from fixtures.check import RULES
from graph.analysis.aggregates import chain_aggregates
from graph.analysis.common import all_segments_chain
from graph.analysis.fast import aggregates_from_arrays
from graph.analysis.gaps import gaps, segment_statuses
from graph.analysis.rules import EXTENSION_WEIGHTS, MISSING_WEIGHTS, THIN_WEIGHTS, GapRules
from graph.labels import GapKind

from .conftest import SZ


def planted(answers) -> dict[str, str]:
    out = {r["segment"]: k for k in ("missing", "thin", "extension") for r in answers[k]}
    out.update({s: "strong" for s in answers["strong"]})
    return out


@pytest.fixture(scope="module")
def sz_aggs(world_arrays):
    return aggregates_from_arrays(world_arrays, SZ)


def test_defaults_are_the_worlds_documented_rules(answers):
    r, doc = GapRules(), answers["rules"]
    assert doc == RULES
    assert (r.strong_min_firms, r.strong_max_top_local_share, r.strong_max_top_external_share) == (
        doc["strong"]["min_local_firms"], doc["strong"]["max_top_local_share"], doc["strong"]["max_top_external_share"])
    assert r.missing_min_local_buyers == doc["missing"]["min_local_buyers"]
    assert r.extension_max_local_buyers == doc["extension"]["max_local_buyers"]
    assert doc["thin"]["few_firms"].startswith(f"1-{r.thin_max_few_firms} ")
    assert f"> {r.thin_max_top_share:.2f}" in doc["thin"]["concentration"]
    assert f"≥{r.thin_concentration_min_firms} " in doc["thin"]["concentration"]
    assert f"> {r.thin_max_external_share:.2f}" in doc["thin"]["single_supplier"]
    assert all(math.isclose(sum(w.values()), 1.0) for w in (MISSING_WEIGHTS, THIN_WEIGHTS, EXTENSION_WEIGHTS))


def test_precision_and_recall_are_one_on_the_planted_set(sz_aggs, answers):
    truth = planted(answers)
    found = {g.segment: g.kind for g in gaps(sz_aggs, all_segments_chain(sz_aggs.segments))}
    expected = {s: k for s, k in truth.items() if k in {g.value for g in GapKind}}
    correct = {s for s, k in found.items() if expected.get(s) == k}
    precision, recall = len(correct) / len(found), len(correct) / len(expected)
    assert (precision, recall) == (1.0, 1.0), (found, expected)
    assert not set(found) & set(answers["strong"])  # no planted non-gap reported


def test_every_segment_gets_its_planted_status_and_criterion(sz_aggs, answers):
    st = segment_statuses(sz_aggs)
    assert {s: x.status for s, x in st.items()} == planted(answers)
    for row in answers["thin"]:
        assert st[row["segment"]].criteria == (row["criterion"],)
    for row in answers["extension"]:
        assert st[row["segment"]].adjacent_strong == tuple(sorted(row["adjacent_strong"]))


def test_per_chain_gaps_partition_the_city_gaps(sz_aggs, world_arrays, batch):
    whole = {g.segment: g for g in gaps(sz_aggs, all_segments_chain(sz_aggs.segments))}
    for chain in batch.chains:
        aggs = aggregates_from_arrays(world_arrays, SZ, set(chain.segments) | {
            x for u, v, _ in sz_aggs.edges if u in chain.segments or v in chain.segments for x in (u, v)})
        for g in gaps(aggs, chain):
            assert g.segment in chain.segments
            assert dataclasses.replace(g) == whole[g.segment]


def test_severity_is_the_sum_of_its_named_parts(sz_aggs):
    for g in gaps(sz_aggs, all_segments_chain(sz_aggs.segments)):
        assert g.severity == pytest.approx(math.fsum(p.value for p in g.parts), abs=1e-12)
        assert len({p.name for p in g.parts}) == len(g.parts)
        for p in g.parts:
            assert 0.0 <= p.figure <= 1.0 and p.value == pytest.approx(p.weight * p.figure)
        assert 0.0 < g.severity <= 1.0


def test_every_cited_firm_and_link_exists_in_the_store(sz_aggs, world_store, batch):
    seg_ids = {s.id for s in batch.segments}
    all_gaps = gaps(sz_aggs, all_segments_chain(sz_aggs.segments))
    firms = {i for g in all_gaps for i in g.firms}
    links = {i for g in all_gaps for i in g.links}
    assert firms and links
    assert world_store.lookup(firms) == {i: i for i in firms}
    stored = {x.id for x in world_store.links()}
    assert links <= stored
    assert {s for g in all_gaps for s in g.segments} <= seg_ids


def test_missing_gaps_cite_the_planted_buyers_and_ideal_target(sz_aggs, answers, batch):
    by_seg = {g.segment: g for g in gaps(sz_aggs, all_segments_chain(sz_aggs.segments))}
    links = {x.id: x for x in batch.links}
    orgs = {o.id: o for o in batch.organisations}
    for row in answers["missing"]:
        g = by_seg[row["segment"]]
        assert set(row["local_buyers"]) <= set(g.firms)
        assert row["ideal_target"]["id"] in g.firms
        for lid in g.links:  # supplies from the segment's firms elsewhere to local buyers
            x = links[lid]
            assert x.kind.value == "supplies" and x.dst in row["local_buyers"]
            assert row["segment"] in orgs[x.src].confirmed_segments()


def test_thin_gaps_name_the_dominant_firm_or_supplier(sz_aggs, answers):
    by_seg = {g.segment: g for g in gaps(sz_aggs, all_segments_chain(sz_aggs.segments))}
    for row in answers["thin"]:
        g = by_seg[row["segment"]]
        for key in ("dominant_firm", "external_supplier"):
            if key in row:
                assert row[key] in g.firms


def test_extensions_rank_by_relatedness_above_missing_density(sz_aggs, answers):
    found = [g for g in gaps(sz_aggs, all_segments_chain(sz_aggs.segments)) if g.kind == "extension"]
    rel = {g.segment: next(p.figure for p in g.parts if p.name == "relatedness") for g in found}
    missing_rel = [next(p.figure for p in g.parts if p.name == "relatedness")
                   for g in gaps(sz_aggs, all_segments_chain(sz_aggs.segments)) if g.kind == "missing"]
    assert min(rel.values()) > max(missing_rel)


@pytest.mark.parametrize("region", [f"{SZ}/nanshan", "cn/guangdong", "cn/beijing/beijing"])
def test_other_levels_run_and_keep_the_invariants(world_graph, region):
    aggs = chain_aggregates(world_graph, region)
    for g in gaps(aggs, all_segments_chain(aggs.segments)):
        assert g.severity == pytest.approx(sum(p.value for p in g.parts))
        assert set(g.firms) <= set(aggs.orgs)


def test_thresholds_are_parameters(sz_aggs):
    strict = GapRules(missing_min_local_buyers=11)
    kinds = {g.segment: g.kind for g in gaps(sz_aggs, all_segments_chain(sz_aggs.segments), strict)}
    assert kinds["seg:optical_module"] == "missing"  # 12 local buyers
    assert kinds.get("seg:game_engine") != "missing"  # 10 local buyers: no longer 补链
