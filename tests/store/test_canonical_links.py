"""A link's or an organisation's canonical document is the same bytes whichever way it is made (graph.store.canonical).

The fast path hands orjson a plain dict for a Link; the generic path walks
the dataclass fields. A store written before the fast path holds the
generic documents' hashes, so any difference would rewrite every link of an
unchanged file on its next import.
"""

from __future__ import annotations

import hashlib

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.model import (
    EvidenceGrade,
    Financing,
    Link,
    LinkKind,
    Membership,
    MembershipStatus,
    Organisation,
    OrgKind,
    Provenance,
    RegStatus,
    Site,
    SiteKind,
)
from graph.store import canonical as canon

texts = st.text(max_size=12)
floats = st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(-5, 5), st.sampled_from([1.0, 0.275, 1e-7]))
links = st.builds(
    Link, texts, st.sampled_from(list(LinkKind)), texts, texts,
    st.builds(Provenance, texts, st.one_of(st.none(), texts), st.lists(texts, max_size=3).map(tuple)),
    st.one_of(st.none(), texts), floats, floats)


def _generic(record) -> tuple[str, str]:
    raw = orjson.dumps(record, default=canon._fields, option=canon._OPTIONS)
    return raw.decode("utf-8"), hashlib.blake2b(raw, digest_size=12).hexdigest()


@settings(max_examples=300, deadline=None)
@given(x=links)
def test_fast_link_document_is_the_generic_one(x):
    try:
        expected = _generic(x)
    except TypeError:  # a lone surrogate: both paths refuse it
        try:
            canon.canonical(x)
        except TypeError:
            return
        raise AssertionError("the fast path wrote a text the generic path refuses") from None
    assert canon.canonical(x) == expected


orgs = st.builds(
    Organisation, texts, st.sampled_from(list(OrgKind)), texts,
    st.builds(Provenance, texts, st.one_of(st.none(), texts), st.lists(texts, max_size=3).map(tuple)),
    name_en=texts, uscc=st.one_of(st.none(), texts), region=st.one_of(st.none(), texts),
    segments=st.lists(st.builds(Membership, texts, floats, st.sampled_from(list(EvidenceGrade)),
                                st.sampled_from(list(MembershipStatus))), max_size=3).map(tuple),
    products=st.lists(texts, max_size=2).map(tuple), employees=st.one_of(st.none(), st.integers()),
    registered_capital_cny_m=st.one_of(st.none(), floats),
    sites=st.lists(st.builds(Site, texts, st.sampled_from(list(SiteKind))), max_size=2).map(tuple),
    financing=st.lists(st.builds(Financing, texts, texts), max_size=1).map(tuple),
    status=st.sampled_from(list(RegStatus)), former_names=st.lists(texts, max_size=2).map(tuple))


@settings(max_examples=300, deadline=None)
@given(o=orgs)
def test_fast_organisation_document_is_the_generic_one(o):
    try:
        expected = _generic(o)
    except TypeError:
        try:
            canon.canonical(o)
        except TypeError:
            return
        raise AssertionError("the fast path wrote a text the generic path refuses") from None
    assert canon.canonical(o) == expected


@settings(max_examples=100, deadline=None)
@given(records=st.lists(st.one_of(links, orgs), max_size=6))
def test_documents_is_canonical_of_each_record(records):
    """The bulk loop (canonical.documents) gives each record's canonical() bytes and hash, in order; on a text
    orjson refuses it stops there, with the rows before it already made."""
    out: list = []
    try:
        canon.documents(records, out)
    except TypeError:
        bad = records[len(out)]
        try:
            canon.canonical(bad)
        except TypeError:
            pass
        else:
            raise AssertionError("documents refused a record canonical() writes") from None
    assert out == [(r.id, r, *canon.canonical(r)) for r in records[: len(out)]]
