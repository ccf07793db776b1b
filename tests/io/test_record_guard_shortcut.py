"""The JSON-text shortcut of :func:`graph.io.cells.record_problems` never hides a refused text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from graph.io.cells import _dotted, _suspect_texts, cell_problem, record_problems
from graph.model import Link, LinkKind, Membership, Organisation, OrgKind, Provenance

_SPECIAL = "=+-@\t\r\n \u00a0\u3000\u200b\ufeff＝﹦＋﹢－﹣＠\x07\x7f\x85\"\\\u2028\ud800a1甲"
texts = st.text(alphabet=st.sampled_from(_SPECIAL) | st.characters(), max_size=8)


def _walk(record, max_chars=1_000_000):
    """The walk without the shortcut: the oracle."""
    out = []
    for where, text in _suspect_texts(record):
        why = cell_problem(text, max_chars)
        if why:
            out.append((_dotted(where), why))
    return sorted(out)


@settings(max_examples=400, deadline=None)
@given(texts, texts, st.lists(texts, max_size=3))
def test_shortcut_agrees_with_the_walk(a, b, names):
    org = Organisation("o", OrgKind.FIRM, a, Provenance(b, None, ("region",)), former_names=tuple(names),
                       segments=(Membership(b or "s"),))
    link = Link(a or "l", LinkKind.SUPPLIES, "x", b or "y", Provenance("t"), a or None)
    for rec in (org, link):
        assert record_problems(rec) == _walk(rec)


def test_long_texts_go_the_slow_way():
    org = Organisation("o", OrgKind.FIRM, " 甲" * 20, Provenance("t"))
    assert record_problems(org, max_chars=10) == _walk(org, 10) == [("name_zh", "field too long: 40 characters, max 10")]
