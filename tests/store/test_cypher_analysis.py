"""The chain-analysis Cypher (Neo4j pushdown), checked without a database: text and parameters."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.model import Chain
from graph.store import cypher
from graph.store import cypher_analysis as qa
from tests.store.test_cypher import HOSTILE, _in_params


def _builders(s: str) -> dict:
    """Every analysis statement that takes user data, built around the value ``s``."""
    return {
        "local_firms": qa.local_firms(s, [s], 5),
        "local_senders": qa.local_senders(s, [s], 5),
        "local_platforms": qa.local_platforms(s, [s], 5),
        "revenue_bands": qa.revenue_bands(s, [s]),
        "member_totals": qa.member_totals(s, [s]),
        "received": qa.received(s, [s], 5),
        "flow_links": qa.flow_links(s, [(s, s)], 5),
        "sole_buyers": qa.sole_buyers(s, [(s, s)]),
        "external_buyers": qa.external_buyers(s, [s], 5),
        "external_buyer_links": qa.external_buyer_links(s, [s], 5),
        "edge_flows": qa.edge_flows(s, [(s, s)]),
        "firm_info": qa.firm_info([s]),
        "leader_firms": qa.leader_firms([s]),
        "leader_links": qa.leader_links([s]),
    }


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_strings_only_ever_travel_in_params(hostile):
    benign = _builders("benign-value")
    for name, q in _builders(hostile).items():
        assert q.text == benign[name].text, name
        assert hostile not in q.text, name
        assert _in_params(hostile, q.params), name


@given(st.text(min_size=1, max_size=40))
def test_no_value_ever_changes_a_query(value):
    benign = _builders("x")
    for name, q in _builders(value).items():
        assert q.text == benign[name].text, name
        assert _in_params(value, q.params), name


def test_every_statement_uses_only_whitelisted_labels_and_types():
    allowed = set(cypher.LABELS.values()) | set(cypher.LINK_TYPES.values()) | {cypher.MEMBER_OF, cypher.UPSTREAM_OF}
    queries = [*_builders("x").values(), qa.segment_meta(), qa.segment_edges(), qa.member_counts()]
    for q in queries:
        used = set(re.findall(r"[(\[]\w*:([A-Z][A-Za-z_]*)", q.text))
        assert used and used <= allowed, (q.text, used - allowed)


def test_region_params_are_the_region_and_its_prefix():
    q = qa.received("cn/guangdong/shenzhen", ["b", "a", "b"], 25)
    assert q.params == {"region": "cn/guangdong/shenzhen", "region_prefix": "cn/guangdong/shenzhen/",
                        "segments": ["a", "b"], "cap": 25}
    # "local" is null-safe: an organisation without a region is external, never dropped
    assert qa.local("o") in q.text and qa.local("b") in q.text
    assert qa.local("o").startswith("((coalesce(") and ", false) OR any(x IN coalesce(o.landed, [])" in qa.local("o")
    assert qa.open_("o") in qa.local("o")  # local means local and not closed
    with pytest.raises(ValueError):
        qa.local("o.region) OR (true")


def test_members_are_counted_firm_memberships():
    """Every membership read goes through the one rule (graph.analysis.membership), none by its own test."""
    from graph.analysis.membership import cypher_counted

    for q in (qa.local_firms("r", ["s"], 1), qa.member_totals("r", ["s"]), qa.leader_firms(["s"]),
              qa.received("r", ["s"], 1)):
        assert cypher_counted("m") in q.text and "o.kind = 'firm'" in q.text
    q = qa.local_platforms("r", ["s"], 1)
    assert "o.kind <> 'firm'" in q.text
    assert f"{cypher_counted('m')} AND o.kind = 'firm'" in qa.member_counts().text
    for q in (qa.edge_flows("r", [("a", "b")]), qa.sole_buyers("r", [("s", "o")]), qa.leader_links(["s"])):
        assert "'confirmed'" not in q.text.replace(cypher_counted("m"), "").replace(
            cypher_counted("m1"), "").replace(cypher_counted("m2"), ""), q.text


def test_lists_are_ranked_and_capped_on_the_server():
    q = qa.local_firms("r", ["s"], 7)
    assert "ORDER BY coalesce(o.employees, -1) DESC, o.id" in q.text and "[..$cap]" in q.text
    q = qa.local_senders("r", ["s"], 7)
    assert "round(" in q.text and "ORDER BY sent DESC, id" in q.text
    for q in (qa.external_buyers("r", ["s"], 7), qa.external_buyer_links("r", ["s"], 7),
              qa.flow_links("r", [("s", "o")], 7)):
        assert "ORDER BY w DESC, id" in q.text and q.params["cap"] == 7


def test_flow_and_edge_params_are_sorted_and_deduplicated():
    q = qa.flow_links("r", [("s2", "o1"), ("s1", "o2"), ("s2", "o1")], 3)
    assert q.params["flows"] == [{"segment": "s1", "supplier": "o2"}, {"segment": "s2", "supplier": "o1"}]
    q = qa.edge_flows("r", [("b", "c"), ("a", "b"), ("a", "c"), ("a", "b")])
    assert q.params["upstream"] == ["a", "b"] and q.params["downstream"] == {"a": ["b", "c"], "b": ["c"]}
    assert "sv.id IN $downstream[su.id]" in q.text  # a segment id is a map key in params, never in the text
    assert "b.kind = 'firm'" in q.text and qa.local("b") in q.text


def test_region_independent_statements_take_no_params():
    for q in (qa.segment_meta(), qa.segment_edges(), qa.member_counts()):
        assert q.params == {}


def test_leader_queries_take_the_chain_segments():
    chain = Chain("c", "链", "Chain", ("s2", "s1"))
    q = qa.leader_links(chain.segments)
    assert q.params == {"segments": ["s1", "s2"]}
    assert "WITH DISTINCT o" in q.text and "t.id IN $segments" in q.text
