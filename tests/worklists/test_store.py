"""List storage: checks naming the field, nothing written on bad input, versions, hostile strings, persistence."""

from __future__ import annotations

import pytest

from graph.errors import InvalidInput, NotFound
from matching.worklists.kinds import KINDS, resolve_kind
from matching.worklists.store import Draft, ListStore
from matching.workspace import Workspace

from .conftest import SZ

HOSTILE = ["=HYPERLINK(\"http://x\")", "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3", "a\x00b", "a\x1bb", "x" * 2001]
SAFE = ["'; DROP TABLE list_entries; --", "Robert\"); DELETE FROM list_events;--", "<script>alert(1)</script>",
        "深圳市南山区 数字创意 🎮", "ＡＢＣ全角", "-12.5", "line1\nline2\ttab", "{{7*7}} ${x} %s"]


def _state(ls):
    return ls.ws.read("SELECT * FROM list_entries ORDER BY id"), ls.ws.read("SELECT * FROM list_events ORDER BY id")


def test_the_six_kinds_and_their_chinese_names():
    assert [(k, s.zh) for k, s in KINDS.items()] == [
        ("key_firms", "重点企业"), ("targets", "招商引资目标"), ("projects", "重点项目"), ("platforms", "创新平台"),
        ("policies", "政策工具包"), ("advisors", "战略咨询支撑机构")]
    assert {resolve_kind(s.zh) for s in KINDS.values()} == set(KINDS)
    with pytest.raises(InvalidInput, match="unknown list"):
        resolve_kind("六个二")


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("where", ["title", "note", "field"])
def test_hostile_text_is_refused_naming_the_field_and_nothing_is_written(lists, text, where):
    lists.add("projects", SZ, None, Draft(None, "已有项目", {"stage": "在建"}))
    before = _state(lists)
    draft = {"title": Draft(None, text), "note": Draft(None, "项目", note=text),
             "field": Draft(None, "项目", {"owner": text})}[where]
    with pytest.raises(InvalidInput) as err:
        lists.add("projects", SZ, None, draft)
    assert [p.field for p in err.value.problems] == [{"field": "fields.owner"}.get(where, where)]
    with pytest.raises(InvalidInput):
        lists.edit(1, **({"fields": {"owner": text}} if where == "field" else {where: text}))
    assert _state(lists) == before


@pytest.mark.parametrize("text", SAFE)
def test_odd_but_harmless_text_is_stored_verbatim(lists, text):
    e = lists.add("advisors", SZ, None, Draft(None, text, {"expertise": text}, note=text))
    assert (e.title, e.fields["expertise"], e.note) == (text.strip(), text.strip(), text.strip())
    assert lists.ws.read("SELECT COUNT(*) FROM list_events")[0][0] == 1


@pytest.mark.parametrize("kind,draft,field", [
    ("key_firms", Draft(None, "没有机构"), "subject"),
    ("targets", Draft("org:a", "", {"score": "高"}), "fields.score"),
    ("targets", Draft("org:a", "", {"score_parts": "gap_fit=abc"}), "fields.score_parts"),
    ("targets", Draft("org:a", "", {"colour": "red"}), "fields.colour"),
    ("projects", Draft(None, "", {"stage": "在建"}), "title"),
    ("projects", Draft(None, "项目", {"investment_cny_m": "inf"}), "fields.investment_cny_m"),
    ("policies", Draft("org:a", "措施"), "subject"),
    ("platforms", Draft("org:p1", ""), "title"),
])
def test_bad_entries_name_the_field(lists, kind, draft, field):
    with pytest.raises(InvalidInput) as err:
        lists.add(kind, SZ, None, draft)
    assert field in [p.field for p in err.value.problems]
    assert lists.entries(kind, SZ, hidden=None) == []


def test_one_entry_per_subject_or_title(lists):
    lists.add("policies", SZ, None, Draft(None, "数字创意 若干措施"))
    with pytest.raises(InvalidInput, match="already in this list"):
        lists.add("policies", SZ, None, Draft(None, "  数字创意   若干措施 "))
    other = lists.add("policies", SZ, None, Draft(None, "人才政策"))
    with pytest.raises(InvalidInput, match="already in this list"):
        lists.edit(other.id, title="数字创意 若干措施")
    lists.add("policies", SZ, "chain:x", Draft(None, "数字创意 若干措施"))  # another list: fine
    assert len(lists.entries("policies", SZ)) == 2


def test_every_write_is_a_version_and_a_no_op_edit_writes_nothing(lists):
    e = lists.add("projects", SZ, None, Draft(None, "XR产业园二期", {"investment_cny_m": 1200, "stage": "在建"}))
    v1 = lists.version("projects", SZ)
    assert e.version == v1 and v1 > 0
    same = lists.edit(e.id, title="XR产业园二期", fields={"stage": "在建"})
    assert same == e and lists.version("projects", SZ) == v1
    e2 = lists.edit(e.id, fields={"stage": "竣工", "owner": "龙岗区投促中心"})
    assert e2.version > v1 and e2.fields == {"investment_cny_m": 1200.0, "stage": "竣工", "owner": "龙岗区投促中心"}
    e3 = lists.edit(e.id, fields={"owner": None})
    assert "owner" not in e3.fields
    hist = lists.history("projects", SZ)
    assert [h["action"] for h in hist] == ["add", "edit", "edit"]
    assert hist[1]["detail"] == {"before": {"fields": {"investment_cny_m": 1200.0, "stage": "在建"}},
                                 "after": {"fields": {"investment_cny_m": 1200.0, "stage": "竣工",
                                                      "owner": "龙岗区投促中心"}}}
    assert [h["version"] for h in hist] == sorted(h["version"] for h in hist)


def test_unknown_entry_is_not_found(lists):
    with pytest.raises(NotFound):
        lists.edit(999, note="x")
    with pytest.raises(NotFound):
        lists.hide(999)


def test_summary_counts_each_list(lists):
    lists.regenerate("key_firms", SZ, None, [Draft("org:a", "甲"), Draft("org:b", "乙")])
    lists.hide(lists.entries("key_firms", SZ)[0].id)
    lists.add("policies", SZ, None, Draft(None, "措施"))
    s = {x["kind"]: x for x in lists.summary(SZ)}
    assert [x["kind"] for x in lists.summary(SZ)] == list(KINDS)
    assert (s["key_firms"]["shown"], s["key_firms"]["hidden"], s["key_firms"]["generated"],
            s["key_firms"]["curated"]) == (1, 1, 1, 1)
    assert (s["policies"]["shown"], s["policies"]["curated"], s["projects"]["shown"]) == (1, 1, 0)
    assert s["policies"]["generated_kind"] is False and s["key_firms"]["generated_kind"] is True


def test_lists_share_the_workspace_file_with_campaigns_and_persist(tmp_path):
    path = tmp_path / "workspace.sqlite"
    with Workspace.open(path) as ws:
        ws.create_campaign("XR 上游", "org:a001", ["org:f0140"])
        ListStore(ws).add("policies", SZ, None, Draft(None, "若干措施"))
    with Workspace.open(path) as ws:
        assert [e.title for e in ListStore(ws).entries("policies", SZ)] == ["若干措施"]
        assert [c.name for c in ws.campaigns()] == ["XR 上游"]
