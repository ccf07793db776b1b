"""Attraction forms and introducers of the planted targets, from the data alone."""

from __future__ import annotations

import re

from matching.recommend.form import FORMS, FormRules, attraction_form, macro_area
from matching.recommend.introducers import introducers
from tests.recommend.conftest import LOCAL


def test_each_planted_target_gets_its_planted_form(world_index, answers):
    for m in answers["missing"]:
        t = m["ideal_target"]
        f = attraction_form(world_index, t["id"], m["segment"], LOCAL)
        assert f.form == t["form"], f.rule
        assert sum(f.checks.values()) == 1  # the world plants exactly one rule per target
        assert f.form_zh == FORMS[f.form] and f.rule.startswith("rule ")


def test_form_rules_are_the_documented_rules(answers):
    """FormRules defaults are the thresholds written in answers.json → rules → forms."""
    text = " ".join(answers["rules"]["forms"])
    r = FormRules()
    numbers = [int(x.replace(",", "")) for x in re.findall(r"[≥<] ?([\d,]+)", text)]
    assert numbers == [r.production_min_local_customers, r.rd_min_patents, r.rhq_min_employees,
                       r.rhq_min_other_cities, r.hq_max_employees]
    assert f"> {r.hq_min_local_share}" in text
    south = re.search(r"South China \(([^)]*)\)", text).group(1).replace(" ", "").split(",")
    assert set(south) <= set(macro_area(LOCAL))


def test_a_firm_no_rule_fits_gets_the_best_scored_form(world_index, answers):
    decoy = answers["missing"][0]["decoys"]["similar_text"][0]
    f = attraction_form(world_index, decoy, answers["missing"][0]["segment"], LOCAL)
    assert not any(f.checks.values())
    assert f.rule.startswith("no rule held") and f.form in FORMS
    assert f.scores[f.form] == max(f.scores.values())


def test_forms_use_the_attracting_regions_macro_area(world_index, answers):
    m = next(x for x in answers["missing"] if x["ideal_target"]["form"] == "regional_hq")
    t = m["ideal_target"]["id"]
    # for a region in East China the target's sites there (Shanghai, Nanjing, Hefei) forbid a regional HQ
    f = attraction_form(world_index, t, m["segment"], "cn/zhejiang/ningbo")
    assert not f.checks["regional_hq"] and f.facts["sites_near_region"]


def test_planted_introducer_ranks_first(world_index, answers):
    for m in answers["missing"]:
        t = m["ideal_target"]
        top = introducers(world_index, t["id"], LOCAL, k=5)
        assert top[0].org == t["introducer"]
        assert top[0].kind == "direct"
        assert set(top[0].path) == set(t["introducer_link_ids"])
        assert abs(top[0].total - sum(p.value for p in top[0].parts)) < 1e-9


def test_introducers_are_local_and_paths_exist(world, world_index, answers):
    b = world[0]
    region = {o.id: o.region or "" for o in b.organisations}
    links = {x.id: x for x in b.links}
    t = answers["missing"][1]["ideal_target"]["id"]
    top = introducers(world_index, t, LOCAL, k=20)
    assert {x.kind for x in top} == {"direct", "two_hop"}
    for x in top:
        assert region[x.org].startswith(LOCAL)
        ends = {e for lid in x.path for e in (links[lid].src, links[lid].dst)}
        assert x.org in ends and (t in ends)
        if x.kind == "two_hop":
            assert x.via in ends and len(x.path) == 2
    direct = [x.total for x in top if x.kind == "direct" and x.parts[0].figure >= 0.5]
    assert min(direct) > max(x.total for x in top if x.kind == "two_hop")


def test_a_landed_firm_can_introduce(world_index, answers):
    """Landed firms count as local: the target's other external partners become introducers."""
    m = answers["missing"][0]
    t = m["ideal_target"]["id"]
    other = answers["missing"][1]["ideal_target"]["id"]
    before = {x.org for x in introducers(world_index, t, LOCAL, k=100)}
    after = {x.org for x in introducers(world_index, t, LOCAL, k=100, extra_local=[other])}
    assert other not in before
    assert after >= before and other in after  # via the local studios both supply
