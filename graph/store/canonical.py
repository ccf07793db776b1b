"""The one canonical document and content hash of a stored record, for every store.

Both stores keep each record as its canonical JSON document (sorted keys,
compact separators, UTF-8 unescaped) and the hash of that document; an
incoming record whose hash equals the stored one is unchanged, so re-writing
it is a no-op that leaves the store version alone. Because the embedded and
the Neo4j store call the same :func:`canonical`, a record has the same hash
in both (a dump copied from one to the other is unchanged on the second copy).

The document is built with orjson in one pass (each dataclass handed to
orjson as a dict of its fields, keys sorted), about 8× faster than
``json.dumps(to_dict(...))`` (2× the earlier dataclass → JSON → sorted JSON
round trip, whose bytes it repeats exactly) and byte-identical to it
except for floats written in exponent form below 1e-4 (orjson ``1e-7``,
``json.dumps`` ``1e-07``). The embedded store has hashed with orjson since
its bulk path; the Neo4j store hashed with ``json.dumps`` before this module,
so on a Neo4j store written by an older version a record holding such a
float is rewritten once (counted as updated) by its next re-import, and never
again.

Examples
--------
>>> import json
>>> from graph.model import Link, LinkKind, Provenance, to_dict
>>> x = Link("l1", LinkKind.SUPPLIES, "甲", "乙", Provenance("t"), "2020-01-01", 0.5)
>>> text, h = canonical(x)
>>> text == json.dumps(to_dict(x), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
True
>>> len(h), h == content_hash(text)
(24, True)
"""

from __future__ import annotations

import dataclasses
import hashlib
import operator

import orjson

from graph.model import Link, Membership, Organisation, Provenance

__all__ = ["canonical", "content_hash", "documents"]

_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS
#: the fast paths' options: their dicts are built with sorted keys (nested records too, :func:`_sorted_fields`)
_SORTED = orjson.OPT_PASSTHROUGH_DATACLASS
_FIELDS: dict[type, tuple[str, ...]] = {}
_SORTED_FIELDS: dict[type, tuple[str, ...]] = {}
_HASH = hashlib.blake2b(digest_size=12)  # copied per document: cheaper than a new one per call


def _fields(record) -> dict:
    """A dataclass as the dict orjson sorts (what its native dataclass output would be, keys sorted)."""
    cls = type(record)
    names = _FIELDS.get(cls)
    if names is None:
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"Type is not JSON serializable: {cls.__name__}")
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return {n: getattr(record, n) for n in names}


def _sorted_fields(record) -> dict:
    """:func:`_fields` with its keys in sorted order: what orjson writes for it with ``OPT_SORT_KEYS``, without
    the option (the model's records hold no dicts of their own, so every dict written is one made here).

    >>> list(_sorted_fields(Provenance("t")))
    ['as_of', 'estimated', 'source']
    """
    cls = type(record)
    names = _SORTED_FIELDS.get(cls)
    if names is None:
        names = _SORTED_FIELDS[cls] = tuple(sorted(_fields(record)))
    return {n: getattr(record, n) for n in names}


def _link(x) -> dict:
    """A link as the dict :func:`_sorted_fields` would give for it and its provenance, keys in sorted order
    (the bulk record: no callbacks)."""
    p = x.provenance
    if type(p) is not Provenance:
        return _sorted_fields(x)
    return {"confidence": x.confidence, "dst": x.dst, "id": x.id, "kind": x.kind,
            "provenance": {"as_of": p.as_of, "estimated": p.estimated, "source": p.source},
            "since": x.since, "src": x.src, "weight": x.weight}


_ORG_NAMES = tuple(sorted(f.name for f in dataclasses.fields(Organisation)))
_org_values = operator.attrgetter(*_ORG_NAMES)


def _organisation(o) -> dict:
    """An organisation as :func:`_sorted_fields` gives it, its provenance and memberships as dicts too, keys in
    sorted order (no callbacks for them; sites and financing rounds, rare in bulk files, still go through
    :func:`_sorted_fields`)."""
    d = dict(zip(_ORG_NAMES, _org_values(o), strict=True))
    p = o.provenance
    if type(p) is Provenance:
        d["provenance"] = {"as_of": p.as_of, "estimated": p.estimated, "source": p.source}
    if o.segments:
        d["segments"] = [{"confidence": m.confidence, "evidence": m.evidence, "segment": m.segment,
                          "status": m.status} if type(m) is Membership else m for m in o.segments]
    return d


def _raw(record) -> bytes:
    """The canonical document's UTF-8 bytes."""
    cls = type(record)
    if cls is Link:
        return orjson.dumps(_link(record), default=_sorted_fields, option=_SORTED)
    if cls is Organisation:
        return orjson.dumps(_organisation(record), default=_sorted_fields, option=_SORTED)
    return orjson.dumps(record, default=_fields, option=_OPTIONS)


def canonical(record) -> tuple[str, str]:
    """The canonical JSON document of a model record and its content hash.

    A :class:`~graph.model.Link` or :class:`~graph.model.Organisation` goes to
    orjson as a plain dict (the same keys and values :func:`_fields` gives, so
    the same bytes: pinned by tests/store/test_canonical_links.py), a fifth to
    a third faster than the generic path.

    >>> from graph.model import Provenance
    >>> canonical(Provenance("t", "2020-01-01"))[0]
    '{"as_of":"2020-01-01","estimated":[],"source":"t"}'
    """
    raw = _raw(record)
    h = _HASH.copy()
    h.update(raw)
    return raw.decode("utf-8"), h.hexdigest()


def documents(records: list, out: list) -> None:
    """Append ``(id, record, document, hash)`` of each record to ``out``: :func:`canonical` in one loop.

    The bulk path's form of :func:`canonical`: the same bytes from the same
    :func:`_raw`, with the look-ups hoisted out of the loop. On a
    record orjson cannot write (a lone surrogate) it raises ``TypeError`` with
    the rows before it already in ``out``, so ``records[len(out)]`` is the one.

    >>> from graph.model import Provenance
    >>> out = []
    >>> documents([Link("l", "supplies", "a", "b", Provenance("t"))], out)
    >>> out[0][2:] == canonical(Link("l", "supplies", "a", "b", Provenance("t")))
    True
    """
    raw_of, base, append = _raw, _HASH, out.append
    for rec in records:
        raw = raw_of(rec)
        h = base.copy()
        h.update(raw)
        append((rec.id, rec, raw.decode("utf-8"), h.hexdigest()))


def content_hash(text: str) -> str:
    """The content hash of a canonical document: equal text, equal hash."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()
