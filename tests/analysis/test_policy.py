"""The policy-priority part (issue 16, fifth round): plan keywords, mechanical segment matching, dates."""

from datetime import date

from graph.analysis.policy import load_plans, plans_before, policy_priority, segment_matches

NAMES = ["医药生物", "疫苗", "半导体", "数字芯片设计", "煤炭", "其他电子Ⅱ", "光伏设备", "逆变器"]
PARENTS = [None, 0, None, 2, None, None, None, 6]


def _day(s: str) -> int:
    return (date.fromisoformat(s) - date(1970, 1, 1)).days


def test_plans_file_is_dated_and_complete():
    plans = load_plans()
    assert [p["id"] for p in plans] == ["decision-2010", "plan-12th", "plan-13th"]
    assert [p["published"] for p in plans] == sorted(p["published"] for p in plans)
    for p in plans:
        assert p["sources"] and p["sectors"]
        assert all(ks and all(isinstance(k, str) and len(k) >= 2 for k in ks) for ks in p["sectors"].values())
    assert "数字创意" in plans[2]["sectors"] and "数字创意" not in plans[1]["sectors"]


def test_matching_by_name_parent_and_own_name_in_keyword():
    plans = [{"id": "a", "published": "2010-10-18", "sectors": {"生物": ["生物"], "信息": ["先进半导体x", "电子控制"]}},
             {"id": "b", "published": "2016-12-19", "sectors": {"新能源": ["光伏"]}}]
    m = segment_matches(NAMES, PARENTS, plans)
    # 生物 in the group name 医药生物 names its child 疫苗; 半导体 (own name) occurs in a keyword,
    # but its child 数字芯片设计 is not named that way (the reverse rule is the segment's own name only)
    assert sorted(m["a"]) == [0, 1, 2, 5]
    assert m["a"][5] == ["信息: 电子控制"]  # 其他电子Ⅱ → 电子 after Ⅱ and 其他 are removed
    assert sorted(m["b"]) == [6, 7]


def test_part_uses_only_plans_published_by_the_freeze_date():
    plans = [{"id": "a", "published": "2010-10-18", "sectors": {"生物": ["生物"]}},
             {"id": "b", "published": "2016-12-19", "sectors": {"新能源": ["光伏"], "生物": ["疫苗"]}}]
    assert not policy_priority(NAMES, PARENTS, _day("2010-10-17"), plans).any()
    mid = policy_priority(NAMES, PARENTS, _day("2016-12-18"), plans)
    assert mid.tolist() == [1, 1, 0, 0, 0, 0, 0, 0]
    late = policy_priority(NAMES, PARENTS, _day("2016-12-19"), plans)
    assert late.tolist() == [0.5, 1, 0, 0, 0, 0, 0.5, 0.5]
    assert [p["id"] for p in plans_before(_day("2012-06-03"), load_plans())] == ["decision-2010"]
