"""Generated lists against the sample world's planted answers and brute-force oracles."""

from __future__ import annotations

import pytest

from graph.errors import InvalidInput
from graph.model import OrgKind
from matching.recommend.form import FORMS
from matching.worklists.generate import PLATFORM_KINDS
from matching.worklists.store import check_draft

from .conftest import SZ


def _chain_of(world, segment: str) -> str:
    return next(c.id for c in world[0].chains if segment in c.segments)


def test_every_generated_draft_passes_the_list_checks(engines, world):
    for kind in ("key_firms", "targets", "platforms"):
        for chain in [None] + [c.id for c in world[0].chains]:
            drafts = engines.drafts(kind, chain=chain)
            assert drafts, (kind, chain)
            for d in drafts:
                assert check_draft(kind, d)[1] == [], (kind, d)
            assert len({d.subject for d in drafts}) == len(drafts)


def test_key_firms_are_the_local_chain_leaders_in_order(engines, world):
    from graph.analysis.service import Analyst

    an = Analyst.for_store(engines.store)
    local = {o.id for o in world[0].organisations if o.region and o.region.startswith(SZ)}
    for chain in world[0].chains:
        drafts = engines.drafts("key_firms", chain=chain.id, top=15)
        oracle = an.leaders(SZ, chain.id, top=15, scope="local").leaders
        assert [d.subject for d in drafts] == [x.id for x in oracle]
        assert all(d.subject in local for d in drafts)
        # the fixture plants 链主 on the largest local firm of each strong segment: they fill the top of the list
        planted = {o.id for o in world[0].organisations if "链主" in o.tiers and o.id in local
                   and set(chain.segments) & {m.segment for m in o.segments}}
        top5 = [d.subject for d in drafts[:5]]
        assert len(set(top5) & planted) >= 3, (chain.id, top5)
        assert all(("链主" in d.fields.get("tiers", "")) == (d.subject in planted) for d in drafts)
        for d in drafts:
            assert d.fields["score"] == pytest.approx(sum(d.fields["score_parts"].values()), abs=1e-3)


@pytest.mark.parametrize("i", range(6))
def test_planted_ideal_target_heads_its_gap_with_form_and_introducer(engines, world, answers, i):
    m = answers["missing"][i]
    seg_name = next(s.name_zh for s in world[0].segments if s.id == m["segment"])
    drafts = engines.drafts("targets", chain=_chain_of(world, m["segment"]), top=50)
    for_gap = [d for d in drafts if d.fields["segment"] == seg_name]
    assert for_gap and for_gap[0].subject == m["ideal_target"]["id"]
    first = for_gap[0].fields
    assert first["gap"] == "补链"
    assert first["form"] == FORMS[m["ideal_target"]["form"]]
    assert first["introducer"] == m["ideal_target"]["introducer"]
    assert first["introducer_name"]
    assert m["decoys"]["similar_text"][0] not in {d.subject for d in for_gap[:1]}


def test_targets_are_never_local_and_landed_firms_leave(engines, world, answers):
    local = {o.id for o in world[0].organisations if o.region and o.region.startswith(SZ)}
    ideal = answers["missing"][0]["ideal_target"]["id"]
    chain = _chain_of(world, answers["missing"][0]["segment"])
    drafts = engines.drafts("targets", chain=chain, top=50)
    assert not {d.subject for d in drafts} & local
    assert ideal in {d.subject for d in drafts}
    assert ideal not in {d.subject for d in engines.drafts("targets", chain=chain, top=50, landed={ideal})}


def test_platforms_match_a_brute_force_scan_of_the_world(engines, world):
    orgs = world[0].organisations
    for chain in [None, *world[0].chains]:
        segs = set(chain.segments) if chain else None
        oracle = {o.id for o in orgs if o.kind in PLATFORM_KINDS and o.region and o.region.startswith(SZ)
                  and (segs is None or segs & {m.segment for m in o.segments})}
        drafts = engines.drafts("platforms", chain=chain.id if chain else None)
        assert {d.subject for d in drafts} == oracle
        assert {OrgKind.AGENCY, OrgKind.FUND} .isdisjoint({o.kind for o in orgs if o.id in oracle})
    assert len(engines.drafts("platforms")) == 23  # 8 incubators, 8 parks, 5 labs, 2 universities in Shenzhen


@pytest.mark.parametrize("kind", ["projects", "policies", "advisors", "重点项目"])
def test_curated_only_lists_refuse_generation(engines, kind):
    with pytest.raises(InvalidInput, match="curated only"):
        engines.drafts(kind)
