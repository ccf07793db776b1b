"""The one write pipeline of every store: dedupe → remap → check → plan → upsert → count → version.

A store's ``write(batch)`` opens its transaction, wraps it in a
:class:`WriteTarget` (a few lookup primitives and one row writer) and calls
:func:`execute`; everything else happens here, once, for every backend:

1. **Dedupe** (:func:`dedupe`): an incoming organisation whose id is not
   stored denotes a stored one when it has the same USCC, or, having no
   USCC, the same :func:`identity_key` (normalised name + city), or else
   one of its names (current or 曾用名) is exactly a name (current or
   former) of a stored organisation in the same city — a firm known by its
   old name in one file and its new name in another. When several stored
   organisations qualify, the one with the **smallest id** (plain string
   order) is chosen — :func:`pick_by_name_city`, the one tie-break of both
   stores.
2. **Remap** (:func:`~graph.store.validate.remap_batch`): deduplicated records
   are merged onto the stored ones and links re-pointed at the stored ids.
   A moved-out (迁出) organisation is written without a region
   (:func:`~graph.store.validate.unplace_moved`): it is no longer where it
   was registered, so it never counts as local there.
3. **Check** (:func:`~graph.store.validate.check_batch`) against the ids the
   store knows (:func:`known`); any problem raises ``InvalidInput`` and the
   caller's transaction writes nothing.
4. **Plan and upsert** (:func:`plan`): records are turned into their
   :func:`~graph.store.canonical.canonical` document and hash, a chunk at a
   time, compared with the stored hashes and only the changed rows handed to
   :meth:`WriteTarget.write_rows`, in dependency order (:data:`WRITE_ORDER`).
   The cell guard reads each document as it is made
   (:func:`~graph.io.cells.clean_json_text`, the walk only where it cannot
   clear one): a refused text stops the writes inside the entity's
   :meth:`WriteTarget.entity` scope and raises ``InvalidInput`` with every
   problem of the batch, as step 3 does, so the caller's transaction writes
   nothing (each record is serialised once, not once to check and once to store).
5. **Count and version**: inserted / updated / unchanged per entity go into
   the :class:`~graph.store.protocol.WriteResult`; the version is bumped
   once if anything changed and left alone otherwise.

The read-side identity rule lives here too: :func:`choose_lookup` is the
precedence of ``GraphStore.lookup`` (ids, then USCCs, then names that match
exactly one organisation).

Examples
--------
An in-memory target shows the whole contract (the stores' targets do the
same against SQLite and Cypher):

>>> from graph.model import Organisation, OrgKind, Provenance
>>> t = MemoryTarget()
>>> a = Organisation("org:b", OrgKind.FIRM, "甲公司", Provenance("t"), region="cn/x/sz/a")
>>> b = Organisation("org:a", OrgKind.FIRM, "甲公司", Provenance("t"), region="cn/x/sz/b")
>>> execute(Batch(organisations=[a, b]), t).inserted, t.version()
({'organisations': 2}, 1)
>>> c = Organisation("new", OrgKind.FIRM, "甲公司有限公司", Provenance("u"), region="cn/x/sz")
>>> r = execute(Batch(organisations=[c]), t)
>>> r.merged, r.updated, r.version
({'new': 'org:a'}, {'organisations': 1}, 2)
>>> execute(Batch(organisations=[c]), t).changed, t.version()
(0, 2)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from graph.errors import InvalidInput
from graph.io.cells import MAX_DOCUMENT_CHARS, clean_json_text, record_problems
from graph.model import Organisation, city_key, normalise_name
from graph.store.canonical import canonical, documents
from graph.store.protocol import Batch, WriteResult
from graph.store.validate import check_batch, remap_batch, unplace_moved

__all__ = [
    "WRITE_ORDER",
    "PLAN_CHUNK",
    "Row",
    "rows_of",
    "WriteTarget",
    "identity_key",
    "pick_by_name_city",
    "choose_lookup",
    "dedupe",
    "by_former_name",
    "holds",
    "known",
    "plan",
    "execute",
    "MemoryTarget",
]

#: Entities in the order they are written (what is referenced before what references it).
WRITE_ORDER = ("regions", "clusters", "chains", "segments", "segment_edges", "organisations", "links")
#: Records planned (serialised, hashed, compared, written) per step: a million-row
#: import never holds every document in memory at once.
PLAN_CHUNK = 20_000


@dataclass(frozen=True, slots=True)
class Row:
    """One record to write: its id, the record, its canonical document and hash.

    ``new`` is true when nothing with this id is stored (an insert, not an update).
    """

    id: str
    record: Any
    doc: str
    hash: str
    new: bool


def rows_of(records: Iterable) -> list[Row]:
    """The rows of ``records`` as if nothing were stored (each with its canonical document and hash).

    >>> from graph.model import SegmentEdge
    >>> (r,) = rows_of([SegmentEdge("seg:a", "seg:b")])
    >>> r.id, r.new, r.doc
    ('seg:a>seg:b', True, '{"downstream":"seg:b","source":"user","upstream":"seg:a","weight":1.0}')
    """
    return [Row(rec.id, rec, *canonical(rec), True) for rec in records]


class WriteTarget(Protocol):
    """What a backend offers the pipeline inside one open write transaction.

    Every method sees the transaction's own writes. ``entity`` is a
    :class:`~graph.store.protocol.Batch` attribute name (``organisations`` ...).
    """

    def holds(self, entity: str) -> bool:
        """Whether any ``entity`` record is stored: ``False`` only when none is, the
        transaction's own writes included (:func:`holds`)."""

    def existing_ids(self, entity: str, ids: Sequence[str]) -> set[str]:
        """Which of ``ids`` are stored ``entity`` records (``organisations`` or ``segments``)."""

    def uscc_owners(self, usccs: Sequence[str]) -> dict[str, str]:
        """Stored organisation id per USCC, for the USCCs among ``usccs`` that are stored."""

    def name_city_candidates(self, keys: Sequence[tuple[str, str]]) -> Iterable[tuple[str, str, str]]:
        """``(name_key, city_key, id)`` of every stored organisation whose :func:`identity_key` is in ``keys``."""

    def name_holders(self, names: Sequence[str]) -> Iterable[tuple[str, str, str]]:
        """``(name, city_key, id)`` of every stored organisation bearing one of ``names`` exactly,
        as its Chinese, English or former name (曾用名)."""

    def stored_organisations(self, ids: Sequence[str]) -> Iterable[Organisation]:
        """The stored organisations among ``ids``."""

    def stored_hashes(self, entity: str, ids: Sequence[str]) -> dict[str, str]:
        """Content hash per stored ``entity`` record among ``ids``."""

    def entity(self, entity: str, n: int) -> AbstractContextManager[Any]:
        """A scope around writing ``n`` records of ``entity`` (e.g. a bulk load's index drop)."""

    def prepared(self, entity: str) -> Callable[[list, list[bool] | None], list] | None:
        """The maker of ``entity``'s rows in the form :meth:`write_rows` writes them, or ``None``
        for :class:`Row` s: ``maker(docs, new)`` as :func:`plan` calls it."""

    def write_rows(self, entity: str, rows: list[Row]) -> None:
        """Insert or replace ``rows`` (each changed or new) of ``entity``: :class:`Row` s, or what
        :meth:`prepared` made of them."""

    def version(self) -> int:
        """The store version as the transaction sees it."""

    def bump_version(self) -> int:
        """Move the version on by one; return the new version."""


# ------------------------------------------------------------ identity rules


def identity_key(org: Organisation) -> tuple[str, str]:
    """The (normalised name, city) key organisations without a USCC are deduplicated by.

    >>> from graph.model import Organisation, OrgKind, Provenance
    >>> identity_key(Organisation("x", OrgKind.FIRM, "深圳市甲科技有限公司", Provenance("t"),
    ...                           region="cn/guangdong/shenzhen/nanshan"))
    ('深圳市甲科技', 'cn/guangdong/shenzhen')
    """
    return normalise_name(org.name_zh or org.name_en), city_key(org.region)


def pick_by_name_city(candidates: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str], str]:
    """The stored id each (name_key, city_key) merges onto: the smallest id when several share it.

    >>> pick_by_name_city([("甲", "sz", "org:b"), ("甲", "sz", "org:a"), ("乙", "sz", "org:c")])
    {('甲', 'sz'): 'org:a', ('乙', 'sz'): 'org:c'}
    """
    out: dict[tuple[str, str], str] = {}
    for name_key, city, oid in candidates:
        key = (name_key, city)
        if key not in out or oid < out[key]:
            out[key] = oid
    return out


def choose_lookup(rows: Iterable[tuple[str, str, str]]) -> dict[str, str]:
    """``GraphStore.lookup``'s answer from ``(how, key, id)`` rows, ``how`` in ``id | uscc | name``.

    A key that is a stored id maps to itself; else a USCC to its owner; else
    a zh/en name to the one organisation that bears it (a name borne by
    several is left out).

    >>> choose_lookup([("name", "甲", "o1"), ("name", "乙", "o1"), ("name", "乙", "o2"), ("uscc", "甲", "o3")])
    {'甲': 'o3'}
    """
    rows = list(rows)
    out: dict[str, str] = {}
    for how in ("id", "uscc"):
        for h, key, oid in rows:
            if h == how:
                out.setdefault(key, oid)
    names: dict[str, set[str]] = {}
    for h, key, oid in rows:
        if h == "name":
            names.setdefault(key, set()).add(oid)
    for name, ids in names.items():
        if len(ids) == 1:
            out.setdefault(name, next(iter(ids)))
    return out


# ------------------------------------------------------------ the pipeline


def holds(target: WriteTarget, entity: str) -> bool:
    """Whether ``target`` stores any ``entity`` record (:meth:`WriteTarget.holds`).

    ``False`` lets a first import into an empty store skip the look-ups of its
    organisations' ids, credit codes and names: none of them can be stored yet.

    >>> from graph.model import Organisation, OrgKind, Provenance
    >>> t = MemoryTarget()
    >>> holds(t, "organisations")
    False
    >>> _ = execute(Batch(organisations=[Organisation("o", OrgKind.FIRM, "甲", Provenance("t"))]), t)
    >>> holds(t, "organisations"), holds(t, "links")
    (True, False)
    """
    return bool(target.holds(entity))


def dedupe(batch: Batch, target: WriteTarget) -> dict[str, str]:
    """Incoming organisation id → stored id, for new ids that denote a stored organisation."""
    if not batch.organisations or not holds(target, "organisations"):
        return {}
    existing = target.existing_ids("organisations", [o.id for o in batch.organisations])
    candidates = [o for o in batch.organisations if o.id not in existing]
    merged: dict[str, str] = {}
    with_uscc = [o for o in candidates if o.uscc]
    if with_uscc:
        owners = target.uscc_owners(sorted({o.uscc for o in with_uscc}))
        merged.update((o.id, owners[o.uscc]) for o in with_uscc if o.uscc in owners)
    without = [(o, identity_key(o)) for o in candidates if not o.uscc]
    if without:
        found = pick_by_name_city(target.name_city_candidates(sorted({k for _, k in without})))
        merged.update((o.id, found[k]) for o, k in without if k in found)
    renamed = [o for o, _ in without if o.id not in merged]
    if renamed:  # 曾用名: the old name in one file, the new one in another
        merged.update(by_former_name(renamed, target))
    return merged


def by_former_name(orgs: Sequence[Organisation], target: WriteTarget) -> dict[str, str]:
    """Incoming id → stored id for organisations one of whose names (current or former) is a stored
    organisation's name (current or former) in the same city; the smallest id when several are.

    >>> import dataclasses
    >>> from graph.model import OrgKind, Provenance
    >>> t = MemoryTarget()
    >>> new = Organisation("org:1", OrgKind.FIRM, "杭州飞图科技有限公司", Provenance("t"),
    ...                    region="cn/zhejiang/hangzhou", former_names=("杭州老鹰航空科技有限公司",))
    >>> _ = execute(Batch(organisations=[new]), t)
    >>> old = Organisation("x:9", OrgKind.FIRM, "杭州老鹰航空科技有限公司", Provenance("u"),
    ...                    region="cn/zhejiang/hangzhou/xihu")
    >>> elsewhere = dataclasses.replace(old, id="x:10", region="cn/jiangsu/suzhou")
    >>> by_former_name([old, elsewhere], t)
    {'x:9': 'org:1'}
    """
    names = sorted({n for o in orgs for n in (o.name_zh, *o.former_names) if n})
    holders: dict[tuple[str, str], str] = pick_by_name_city(target.name_holders(names))
    out = {}
    for o in orgs:
        city = city_key(o.region)
        ids = [holders[(n, city)] for n in (o.name_zh, *o.former_names) if n and (n, city) in holders]
        if ids:
            out[o.id] = min(ids)
    return out


def known(batch: Batch, target: WriteTarget) -> dict:
    """The stored ids and USCC owners :func:`~graph.store.validate.check_batch` needs for ``batch``.

    The links' ends are not looked up again when the batch says they were all found as stored
    organisation ids at the version the transaction still sees (``batch.ends_at``, set by the
    importer, which resolved them): no write came in between, so they are stored still, and the
    answer says so (``ends_stored``) instead of listing them.
    """
    ends_stored = bool(batch.links) and batch.ends_at is not None and batch.ends_at == target.version()
    stored_orgs = holds(target, "organisations")  # none stored: no id or credit code is anyone's yet
    wanted_orgs = set() if ends_stored or not stored_orgs else {x for link in batch.links for x in (link.src, link.dst)}
    wanted_segs = {m.segment for o in batch.organisations for m in o.segments}
    wanted_segs |= {x for e in batch.segment_edges for x in (e.upstream, e.downstream)}
    wanted_segs |= {s for c in batch.chains for s in c.segments}
    wanted_segs |= {s.parent for s in batch.segments if s.parent}
    usccs = sorted({o.uscc for o in batch.organisations if o.uscc}) if stored_orgs else []
    return {
        "organisations": target.existing_ids("organisations", sorted(wanted_orgs)) if wanted_orgs else set(),
        "segments": target.existing_ids("segments", sorted(wanted_segs)) if wanted_segs else set(),
        "uscc_owners": target.uscc_owners(usccs) if usccs else {},
        "ends_stored": ends_stored,
    }


class RefusedText(Exception):
    """A record text the cell guard refuses, found while planning (:func:`execute` says every problem)."""


def _documents(records: list) -> list[tuple[str, Any, str, str]]:
    """``(id, record, document, hash)`` of each record, the documents read by the cell guard.

    The guard reads the chunk's documents as one text first: every match it looks for
    (a suspect start after a quote, a non-printable character, an escape) lies inside one
    document, and joining them can only add matches, never hide one, so a clean whole means
    every document is clean; only when the whole is not clean is each document read alone.
    """
    out: list = []
    try:
        documents(records, out)
    except TypeError:  # a lone surrogate: orjson cannot write it, the guard names it
        if record_problems(records[len(out)]):
            raise RefusedText from None
        raise
    texts = [d[2] for d in out]
    if texts and max(map(len, texts)) <= MAX_DOCUMENT_CHARS and clean_json_text("".join(texts), sum(map(len, texts))):
        return out
    for _id, rec, text, _h in out:
        if not clean_json_text(text) and record_problems(rec):
            raise RefusedText
    return out


def _rows(docs: list, new: list[bool] | None) -> list[Row]:
    """The :class:`Row` of each ``(id, record, document, hash)``; ``new`` as in :func:`plan`."""
    if new is None:
        return [Row(*d, True) for d in docs]
    return [Row(*d, n) for d, n in zip(docs, new, strict=True)]


def plan(entity: str, records: list, target: WriteTarget, result: WriteResult) -> Iterator[list]:
    """Chunks of the rows of ``records`` that differ from the store; counts go into ``result``.

    Each row is a :class:`Row`, or what the target's ``prepared(entity)`` makes of the chunk when
    it gives a maker for ``entity``: ``maker(docs, new)`` with ``docs``
    the ``(id, record, document, hash)`` of the changed records and ``new`` a flag per record (or
    ``None``: all new), e.g. the tuples its ``executemany`` takes (made where the documents are made).
    Raises :class:`RefusedText` when the cell guard refuses a text of a record.
    """
    counts = [0, 0, 0]  # inserted, updated, unchanged
    make = target.prepared(entity) or _rows
    # none stored before the first chunk is written: no hash to compare, on any target (a batch's ids are
    # distinct, so the chunks written meanwhile hold none of the later chunks' ids)
    compare = holds(target, entity)
    try:
        for start in range(0, len(records), PLAN_CHUNK):
            docs = _documents(records[start : start + PLAN_CHUNK])
            stored = target.stored_hashes(entity, [d[0] for d in docs]) if compare else None
            if not stored:  # all new (an empty table, or none of these ids stored)
                counts[0] += len(docs)
                rows = make(docs, None)
            else:
                changed, new = [], []
                for d in docs:
                    old = stored.get(d[0])
                    if old == d[3]:
                        counts[2] += 1
                        continue
                    counts[0 if old is None else 1] += 1
                    changed.append(d)
                    new.append(old is None)
                rows = make(changed, new)
            del docs
            if rows:
                yield rows
    finally:
        for counter, n in zip((result.inserted, result.updated, result.unchanged), counts, strict=True):
            if n:
                counter[entity] = counter.get(entity, 0) + n


def _refuse(problems: list) -> None:
    raise InvalidInput(
        f"{len(problems)} problem(s) in the batch; nothing written",
        f"批量数据有 {len(problems)} 处问题，未写入任何数据",
        problems,
    )


def execute(batch: Batch, target: WriteTarget) -> WriteResult:
    """Run the whole pipeline for ``batch`` on ``target`` (see the module docstring).

    Raises ``InvalidInput`` listing every problem: reference problems before
    anything is written, a refused text while planning (the writes so far are
    inside the caller's transaction); the caller rolls its transaction back
    on any exception.
    """
    merged = dedupe(batch, target)
    if merged:
        stored = {o.id: o for o in target.stored_organisations(sorted(set(merged.values())))}
        batch = remap_batch(batch, merged, stored)
    batch = unplace_moved(batch)  # 迁出: no longer in the region it was registered in
    ids = known(batch, target)
    problems = check_batch(batch, ids, texts=False)  # the texts: read in plan, on each document
    if problems:
        _refuse(check_batch(batch, ids))  # every problem, the texts' too
    result = WriteResult(merged=merged)
    try:
        for entity in WRITE_ORDER:
            records = getattr(batch, entity)
            if not records:
                continue
            with target.entity(entity, len(records)):
                for rows in plan(entity, records, target, result):
                    target.write_rows(entity, rows)
    except RefusedText:
        _refuse(check_batch(batch, ids))
    result.version = target.bump_version() if result.changed else target.version()
    return result


class MemoryTarget:
    """A :class:`WriteTarget` over plain dicts: the reference the stores' targets are read against.

    Not a store (no reads beyond the pipeline's): it makes the pipeline's
    rules testable without a database. Like a store's transaction, it undoes
    an execute's writes when the pipeline gives up inside an entity's scope
    (a text the cell guard refuses, found while planning).
    """

    def __init__(self) -> None:
        self.records: dict[str, dict[str, Row]] = {e: {} for e in WRITE_ORDER}
        self._version = 0
        self._before: dict[str, dict[str, Row]] | None = None  # the records before this execute's first write

    def holds(self, entity):
        return bool(self.records[entity])

    def existing_ids(self, entity, ids):
        return {i for i in ids if i in self.records[entity]}

    def uscc_owners(self, usccs):
        wanted = set(usccs)
        return {r.record.uscc: r.id for r in self.records["organisations"].values() if r.record.uscc in wanted}

    def name_city_candidates(self, keys):
        wanted = set(keys)
        return [(*k, r.id) for r in self.records["organisations"].values()
                if (k := identity_key(r.record)) in wanted]

    def name_holders(self, names):
        wanted = set(names)
        return [(n, city_key(r.record.region), r.id) for r in self.records["organisations"].values()
                for n in r.record.names if n in wanted]

    def stored_organisations(self, ids):
        return [self.records["organisations"][i].record for i in ids if i in self.records["organisations"]]

    def stored_hashes(self, entity, ids):
        return {i: self.records[entity][i].hash for i in ids if i in self.records[entity]}

    def prepared(self, entity):
        return None

    @contextmanager
    def entity(self, entity, n):
        try:
            yield
        except BaseException:  # as a store's transaction would: the writes of this execute are undone
            if self._before is not None:
                self.records, self._before = self._before, None
            raise

    def write_rows(self, entity, rows):
        if self._before is None:
            self._before = {e: dict(rs) for e, rs in self.records.items()}
        self.records[entity].update((r.id, r) for r in rows)

    def version(self):
        self._before = None  # the end of an execute: its writes stand
        return self._version

    def bump_version(self):
        self._before = None
        self._version += 1
        return self._version
