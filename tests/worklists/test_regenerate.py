"""The acceptance item: regenerating a list keeps hand-curated entries — edited, added, hidden — after the data changed."""

from __future__ import annotations

import pytest

from graph.errors import InvalidInput
from matching.worklists.store import Draft, ListStore
from matching.workspace import Workspace

from .conftest import SZ, Engines

CHAIN = "chain:animation_games"


def _by_subject(ls, kind, chain=CHAIN):
    return {e.subject: e for e in ls.entries(kind, SZ, chain, hidden=None)}


def test_key_firms_keep_edits_additions_and_hides_after_the_data_changed(fresh_store, tmp_path):
    eng = Engines(fresh_store)
    ls = ListStore(Workspace.open(tmp_path / "workspace.sqlite"))
    first = ls.regenerate("key_firms", SZ, CHAIN, eng.drafts("key_firms", chain=CHAIN, top=10))
    assert (first.added, first.removed, first.kept_curated) == (10, 0, 0)
    gen = ls.entries("key_firms", SZ, CHAIN)
    assert [e.origin for e in gen] == ["generated"] * 10
    edited, hidden, doomed, dropped_curated = gen[0], gen[1], gen[2], gen[3]

    # curate: edit one generated entry, hide another, edit one whose firm will vanish, add one by hand
    e1 = ls.edit(edited.id, note="书记走访对象", fields={"reason": "人工：链主，重点服务", "score": ""})
    assert e1.origin == "curated" and "score" not in e1.fields and e1.fields["reason"] == "人工：链主，重点服务"
    ls.hide(hidden.id)
    ls.edit(dropped_curated.id, note="保留")
    outsider = next(o for o in fresh_store.organisations(region=SZ, kind=None)
                    if o.kind.value == "firm" and o.id not in {e.subject for e in gen})
    added = ls.add("key_firms", SZ, CHAIN, Draft(outsider.id, outsider.name_zh, {"reason": "手工加入"}, "新增"))
    snapshot = {e.id: e for e in ls.entries("key_firms", SZ, CHAIN, hidden=None) if e.curated}
    assert set(snapshot) == {edited.id, hidden.id, dropped_curated.id, added.id}

    # the data changes: two firms of the list leave the store, so the leader ranking changes
    fresh_store.delete_organisation(doomed.subject)
    fresh_store.delete_organisation(dropped_curated.subject)
    drafts = eng.drafts("key_firms", chain=CHAIN, top=10)
    assert doomed.subject not in {d.subject for d in drafts}
    assert {edited.subject, hidden.subject} <= {d.subject for d in drafts}  # still leaders: would be re-added

    second = ls.regenerate("key_firms", SZ, CHAIN, drafts)
    after = ls.entries("key_firms", SZ, CHAIN, hidden=None)
    by_id = {e.id: e for e in after}
    for eid, before in snapshot.items():  # every curated entry exactly as it was
        assert by_id[eid] == before
    assert by_id[hidden.id].hidden and hidden.id not in {e.id for e in ls.entries("key_firms", SZ, CHAIN)}
    subjects = [e.subject for e in after]
    assert len(subjects) == len(set(subjects))  # nothing re-added beside its curated twin
    assert doomed.subject not in subjects  # a generated entry whose firm left is gone
    assert dropped_curated.subject in subjects  # a curated one stays although its firm left the data
    generated = {e.subject for e in after if not e.curated}
    assert generated == {d.subject for d in drafts} - {edited.subject, hidden.subject, added.subject}
    assert second.kept_curated == len({d.subject for d in drafts} & {e.subject for e in snapshot.values()})
    assert second.skipped_hidden == 1 and second.removed >= 1 and second.added >= 1
    assert second.version > first.version

    # and a third regeneration with the same data changes nothing
    third = ls.regenerate("key_firms", SZ, CHAIN, drafts)
    assert (third.added, third.updated, third.removed) == (0, 0, 0) and third.version == second.version
    assert ls.entries("key_firms", SZ, CHAIN, hidden=None) == after
    ls.ws.close()


def test_targets_keep_curated_entries_when_a_target_lands(fresh_store, tmp_path, answers):
    """A landed firm leaves the generated targets, but a hand-kept target entry for it stays."""
    eng = Engines(fresh_store)
    ls = ListStore(Workspace.open(tmp_path / "workspace.sqlite"))
    ideal = answers["missing"][0]["ideal_target"]["id"]
    other = answers["missing"][5]["ideal_target"]["id"]  # mocap devices: another chain's gap
    ls.regenerate("targets", SZ, CHAIN, eng.drafts("targets", chain=CHAIN, top=30))
    subj = _by_subject(ls, "targets")
    assert ideal in subj and other not in subj
    ls.edit(subj[ideal].id, note="已签约意向", fields={"form": "研发中心（已谈定）"})
    kept = ls.entry(subj[ideal].id)
    ls.add("targets", SZ, CHAIN, Draft(other, "", {"segment": "动作捕捉设备"}))
    # the data changes: the ideal target and the next generated one land in Shenzhen
    landed_gen = next(e for e in ls.entries("targets", SZ, CHAIN) if not e.curated)
    landed = {ideal, landed_gen.subject}
    drafts = eng.drafts("targets", chain=CHAIN, top=30, landed=landed)
    assert not landed & {d.subject for d in drafts}
    r = ls.regenerate("targets", SZ, CHAIN, drafts)
    now = _by_subject(ls, "targets")
    assert now[ideal] == kept
    assert now[other].curated and now[other].fields == {"segment": "动作捕捉设备"}
    assert landed_gen.subject not in now
    assert r.removed >= 1
    ls.ws.close()


def test_regeneration_never_touches_other_lists(lists):
    lists.add("key_firms", SZ, None, Draft("org:x", "甲"))
    lists.regenerate("key_firms", SZ, CHAIN, [Draft("org:y", "乙")])
    lists.regenerate("key_firms", "cn/guangdong/shenzhen/nanshan", None, [Draft("org:z", "丙")])
    lists.regenerate("targets", SZ, None, [])
    assert [e.subject for e in lists.entries("key_firms", SZ)] == ["org:x"]
    assert [e.subject for e in lists.entries("key_firms", SZ, CHAIN)] == ["org:y"]


def test_generated_entries_update_in_place_and_keep_their_id(lists):
    lists.regenerate("key_firms", SZ, None, [Draft("org:a", "甲", {"score": 1.0}), Draft("org:b", "乙")])
    a = lists.entries("key_firms", SZ)[0]
    r = lists.regenerate("key_firms", SZ, None, [Draft("org:b", "乙"), Draft("org:a", "甲", {"score": 2.0})])
    assert (r.updated, r.added, r.removed) == (2, 0, 0)  # both moved rank, a's score changed
    new_a = next(e for e in lists.entries("key_firms", SZ) if e.subject == "org:a")
    assert new_a.id == a.id and new_a.fields["score"] == 2.0 and new_a.rank == 2 and new_a.origin == "generated"
    assert [e.subject for e in lists.entries("key_firms", SZ)] == ["org:b", "org:a"]


def test_hidden_entry_can_be_shown_again_and_stays_curated(lists):
    lists.regenerate("platforms", SZ, None, [Draft("org:p1", "孵化器")])
    e = lists.hide(lists.entries("platforms", SZ)[0].id)
    assert lists.entries("platforms", SZ) == [] and e.hidden
    lists.regenerate("platforms", SZ, None, [Draft("org:p1", "孵化器（新名）")])
    assert lists.entries("platforms", SZ) == []
    shown = lists.edit(e.id, hidden=False)
    assert not shown.hidden and shown.curated and shown.title == "孵化器"
    assert [x["action"] for x in lists.history("platforms", SZ)] == ["regenerate_add", "hide", "show"]


@pytest.mark.parametrize("bad", [Draft(None, "x"), Draft("org:a", "=1+1"), Draft("org:a", "ok", {"score": "NaN"})])
def test_a_bad_draft_regenerates_nothing(lists, bad):
    lists.regenerate("key_firms", SZ, None, [Draft("org:keep", "留")])
    before = lists.entries("key_firms", SZ, hidden=None), lists.version("key_firms", SZ)
    with pytest.raises(InvalidInput) as err:
        lists.regenerate("key_firms", SZ, None, [Draft("org:new", "新"), bad])
    assert "drafts[1]" in str(err.value)
    assert (lists.entries("key_firms", SZ, hidden=None), lists.version("key_firms", SZ)) == before
