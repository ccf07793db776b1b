"""Acceptance of hybrid search on the sample world: nDCG@10 of hybrid vs dense-only vs lexical-only.

The query set (tests/matching/queries.json) has 188 queries, half Chinese and
half English, with the expected firms known by construction (see
make_queries.py). Figures are printed with ``-s``.
"""

from __future__ import annotations

import pytest

from matching.eval.search import evaluate_search, load_queries

from .conftest import QUERIES
from .make_queries import build_query_set


def test_committed_query_set_is_the_construction(world):
    committed = load_queries(QUERIES)
    assert committed == build_query_set(world[0])
    assert len(committed) >= 40
    langs = [q.lang for q in committed]
    assert langs.count("zh") == langs.count("en")
    assert all(q.expected for q in committed)


@pytest.fixture(scope="module")
def figures(world_engine):
    queries = load_queries(QUERIES)
    parts = {
        "all": queries,
        "vocabulary": [q for q in queries if q.id.startswith("q:")],
        "natural": [q for q in queries if q.id.startswith("n:")],
    }
    out = {name: evaluate_search(world_engine, qs) for name, qs in parts.items()}
    print()
    for name, res in out.items():
        line = "  ".join(
            f"{mode} {r['ndcg']:.4f} (zh {r['by_lang']['zh']:.3f}, en {r['by_lang']['en']:.3f})"
            for mode, r in res.items()
        )
        print(f"nDCG@10 {name:10s} ({len(parts[name])} queries): {line}")
    return out


@pytest.mark.model
def test_hybrid_beats_dense_only_and_lexical_only(figures):
    res = figures["all"]
    hybrid, dense, lexical = (res[m]["ndcg"] for m in ("hybrid", "dense", "lexical"))
    assert hybrid >= 0.8
    assert hybrid > dense and hybrid > lexical


@pytest.mark.model
def test_chinese_queries_are_found_through_the_hybrid(figures):
    # the English-only model is near random on Chinese; the hybrid must not be
    res = figures["all"]
    assert res["dense"]["by_lang"]["zh"] < 0.5
    assert res["hybrid"]["by_lang"]["zh"] >= 0.9


@pytest.mark.model
def test_on_natural_queries_hybrid_beats_both(figures):
    res = figures["natural"]
    assert res["hybrid"]["ndcg"] > max(res["dense"]["ndcg"], res["lexical"]["ndcg"])


@pytest.mark.model
def test_on_vocabulary_queries_hybrid_stays_close_to_lexical(figures):
    # literal segment names/keywords are lexical's home ground; the hybrid may not lose much there
    res = figures["vocabulary"]
    assert res["hybrid"]["ndcg"] >= res["lexical"]["ndcg"] - 0.02
