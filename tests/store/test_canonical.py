"""The one-pass canonical document is byte-for-byte the old dataclass → JSON → sorted JSON round trip.

Stores hold the hash of that document: a different byte would make every
re-import of an unchanged file count as an update.
"""

from __future__ import annotations

import dataclasses

import orjson
import pytest

from fixtures.synth import synthetic_batch
from fixtures.world import load_world
from graph.model import Financing, Link, LinkKind, Organisation, OrgKind, Provenance, Site, SiteKind
from graph.store.canonical import canonical, content_hash


def _round_trip(record) -> str:
    """The document as the stores wrote it before the one-pass encoder (the oracle)."""
    return orjson.dumps(orjson.loads(orjson.dumps(record)), option=orjson.OPT_SORT_KEYS).decode()


def _records():
    world, _ = load_world()
    synth = synthetic_batch(300, 900, seed=5)
    for batch in (world, synth):
        for f in dataclasses.fields(batch):
            yield from getattr(batch, f.name)
    yield Organisation("o:x", OrgKind.FIRM, "甲\n公司", Provenance("t", None, ("region",)), employees=0,
                       registered_capital_cny_m=1e-7, sites=(Site("cn/x", SiteKind.BRANCH, "2020"),),
                       financing=(Financing("2021-01", "A", 12.5),))
    yield Link("l", LinkKind.SUPPLIES, "a", "b", Provenance("t"), None, 0.1, 1.0)


def test_canonical_equals_the_round_trip_on_the_sample_and_synthetic_worlds():
    n = 0
    for rec in _records():
        text, h = canonical(rec)
        assert text == _round_trip(rec), rec
        assert h == content_hash(text)
        n += 1
    assert n > 1000


def test_canonical_refuses_what_is_not_a_record():
    with pytest.raises(TypeError):
        canonical(object())
