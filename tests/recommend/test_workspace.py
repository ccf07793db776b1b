"""Outcomes and campaigns: history, one transaction per write, conflicts, landed firms leave target lists."""

from __future__ import annotations

import pytest

from graph.errors import InvalidInput, NotFound
from matching.recommend.campaigns import group_targets, propose_campaign
from matching.recommend.index import ChainIndex
from matching.recommend.outcomes import record_outcome
from matching.recommend.targets import recommend_targets
from matching.workspace import Campaign, Workspace, find_conflicts
from tests.recommend.conftest import LOCAL


@pytest.fixture
def ws(tmp_path):
    w = Workspace.open(tmp_path / "workspace.sqlite")
    yield w
    w.close()


def test_outcome_history_is_kept_and_current_is_latest(ws):
    for status in ("contacted", "accepted", "rejected"):
        ws.record_outcome("org:x", LOCAL, status, note=status)
    assert [o.status for o in ws.outcomes(org="org:x")] == ["contacted", "accepted", "rejected"]
    assert ws.current(LOCAL)["org:x"].status == "rejected"
    assert ws.outcomes(region="cn/guangdong") and not ws.outcomes(region="cn/beijing")


def test_bad_outcomes_write_nothing(ws):
    with pytest.raises(InvalidInput):
        ws.record_outcome("org:x", LOCAL, "signed")
    with pytest.raises(InvalidInput):
        ws.record_outcome("", LOCAL, "landed")
    assert ws.outcomes() == []


def test_hostile_text_is_data(ws):
    evil = "x'); DROP TABLE outcomes; --"
    ws.record_outcome(evil, LOCAL, "contacted", note=evil)
    assert ws.outcomes(org=evil)[0].note == evil
    ws.create_campaign(evil, evil, [evil])
    assert ws.campaigns()[0].name == evil


def test_workspace_persists(tmp_path):
    with Workspace.open(tmp_path / "w.sqlite") as w:
        w.record_outcome("org:x", LOCAL, "contacted")
        c = w.create_campaign("c", "agency:a", ["org:x"], partners=["agency:b"])
    with Workspace.open(tmp_path / "w.sqlite") as w:
        assert w.outcomes()[0].org == "org:x"
        assert w.campaign(c.id).partners == ("agency:b",)


def test_campaign_conflicts(ws):
    a = ws.create_campaign("Nanshan XR", "org:p004", ["org:f0140", "org:f0846"], region=LOCAL)
    b = ws.create_campaign("Longgang optics", "org:p007", ["org:f0140"])
    ws.create_campaign("Nanshan again", "org:p004", ["org:f0846"])  # same owner: no conflict
    found = ws.conflicts()
    assert [(c.org, c.agencies, c.campaigns) for c in found] == [("org:f0140", ("org:p004", "org:p007"), (a.id, b.id))]
    assert ws.conflicts(targets=["org:f0846"]) == []
    ws.add_partners(b.id, ["org:p004"])  # Longgang invites Nanshan: a coordinated pitch
    assert ws.conflicts() == []
    c = ws.create_campaign("Bao'an optics", "org:p006", ["org:f0140"])
    assert ws.conflicts()[0].agencies == ("org:p004", "org:p006", "org:p007")
    ws.close_campaign(c.id, "merged into the city campaign")
    assert ws.conflicts() == []
    assert [e[1] for e in ws.history(b.id)] == ["created", "partners_added"]
    assert ws.history(c.id)[-1][1:] == ("closed", "merged into the city campaign")


def test_conflicts_are_a_pure_function():
    cs = [Campaign(1, "a", "A", (), None, ("t",), "open", "", ""),
          Campaign(2, "b", "B", (), None, ("t",), "closed", "", "")]
    assert find_conflicts(cs) == []


def test_unknown_campaign(ws):
    with pytest.raises(NotFound):
        ws.add_targets(99, ["org:x"])


def test_landed_firm_leaves_target_lists_and_becomes_present(fresh_store, ws, answers):
    m = answers["missing"][0]
    target = m["ideal_target"]["id"]
    ix = ChainIndex.from_store(fresh_store)
    assert recommend_targets(ix, LOCAL, m["segment"], k=1)[0].org == target
    out = record_outcome(ws, fresh_store, target, "cn/guangdong/shenzhen/nanshan", "landed",
                         segment=m["segment"], form="rd_centre")
    org = fresh_store.organisation(target)
    assert org.sites[-1].region == "cn/guangdong/shenzhen/nanshan" and org.sites[-1].kind.value == "rd_centre"
    assert f"outcome:{out.id}" in org.provenance.source
    landed = ws.landed(LOCAL)
    assert landed == {target}
    ix2 = ChainIndex.from_store(fresh_store)
    top = recommend_targets(ix2, LOCAL, m["segment"], k=50, exclude=landed, extra_local=landed)
    assert target not in {t.org for t in top}
    assert ix2.has_site_in([ix2.row(target)], LOCAL)[0]


def test_failed_store_write_records_no_outcome(fresh_store, ws):
    with pytest.raises(NotFound):
        record_outcome(ws, fresh_store, "org:nobody", LOCAL, "landed")
    with pytest.raises(NotFound):
        record_outcome(ws, fresh_store, "org:nobody", LOCAL, "contacted")

    class Broken:
        def organisation(self, org_id):
            return fresh_store.organisation(org_id)

        def write(self, batch):
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        record_outcome(ws, Broken(), "org:f1561", LOCAL, "landed")
    assert ws.outcomes() == []


def test_planted_joint_campaigns_are_found(world_index, answers):
    targets = [m["ideal_target"]["id"] for m in answers["missing"]]
    groups = group_targets(world_index, targets, LOCAL)
    found = {(g.kind, g.targets) for g in groups}
    for hint in answers["joint_campaigns"]:
        assert (hint["kind"], tuple(sorted(hint["targets"]))) in found
    planted_pairs = {tuple(sorted(h["targets"])) for h in answers["joint_campaigns"]}
    assert {g.targets for g in groups} == planted_pairs  # no other pair is grouped
    by_key = {(g.kind, g.targets): g for g in groups}
    buyers, pair = answers["joint_campaigns"][1], answers["joint_campaigns"][2]
    assert set(buyers["shared_local_buyers"]) <= set(by_key["shared_local_buyers", tuple(sorted(buyers["targets"]))].evidence)
    assert by_key["supply_pair", tuple(sorted(pair["targets"]))].evidence == tuple(pair["link_ids"])


def test_campaign_plan(world, world_index, answers):
    hint = answers["joint_campaigns"][0]  # shared introducer
    plan = propose_campaign(world_index, hint["targets"], LOCAL)
    assert plan.co_pitch[0].org == hint["introducer"]
    assert set(plan.co_pitch[0].targets) == set(hint["targets"])
    orgs = {o.id: o for o in world[0].organisations}
    assert plan.lead_agency and orgs[plan.lead_agency].kind.value == "agency"
    assert orgs[plan.lead_agency].region.startswith(plan.lead_unit)
    assert plan.lead_unit == max(plan.unit_scores, key=plan.unit_scores.get)
    assert all(orgs[p.org].kind.is_platform and orgs[p.org].region.startswith(LOCAL) for p in plan.platforms)
    assert plan.groups and plan.reason_zh and plan.reason_en
