"""The one write pipeline (graph/store/writeplan.py) and canonical document (graph/store/canonical.py)."""

from __future__ import annotations

import dataclasses
import itertools
import json

import pytest

from graph.errors import InvalidInput
from graph.model import Link, LinkKind, Organisation, OrgKind, Provenance, to_dict
from graph.store.canonical import canonical, content_hash
from graph.store.protocol import Batch
from graph.store.writeplan import MemoryTarget, execute, pick_by_name_city
from tests.store.test_contract import small_world, uscc

P = Provenance("t")


def _records(batch: Batch):
    return [r for name in batch.__dataclass_fields__ for r in getattr(batch, name)]


def test_canonical_equals_the_json_dumps_document_hashes_were_written_with(world):
    """Neo4j hashed json.dumps(to_dict(...)); its stored hashes stay valid where the bytes are equal
    (everything but floats below 1e-4 in exponent form: see graph/store/canonical.py)."""
    hostile = dataclasses.replace(small_world().organisations[0], name_zh="'\"\\\n\t\u2028\u202e深圳 </b>",
                                  employees=10**16, registered_capital_cny_m=1e16)
    for rec in [*_records(world[0]), *_records(small_world()), hostile]:
        text, h = canonical(rec)
        assert text == json.dumps(to_dict(rec), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        assert h == content_hash(text)


def test_counts_and_version_of_insert_update_unchanged():
    t = MemoryTarget()
    world = small_world()
    first = execute(world, t)
    assert first.inserted == {name: len(getattr(world, name)) for name in world.__dataclass_fields__}
    assert first.version == 1
    edited = dataclasses.replace(world.organisations[0], employees=1)
    again = execute(Batch(organisations=[edited, *world.organisations[1:]], links=world.links), t)
    assert again.updated == {"organisations": 1}
    assert again.unchanged == {"organisations": len(world.organisations) - 1, "links": len(world.links)}
    assert again.version == 2 and execute(world.__class__(links=world.links), t).version == 2


def test_a_bad_batch_writes_nothing_and_names_every_problem():
    t = MemoryTarget()
    execute(small_world(), t)
    before = {e: dict(rs) for e, rs in t.records.items()}
    ghost = Link("l:g", LinkKind.SUPPLIES, "org:firm", "org:ghost", P)
    loop = Link("l:s", LinkKind.SUPPLIES, "org:firm", "org:firm", P)
    with pytest.raises(InvalidInput) as err:
        execute(Batch(links=[ghost, loop]), t)
    assert [(p.row, p.field) for p in err.value.problems] == [(1, "dst"), (2, "dst")]
    assert t.records == before and t.version() == 1


@pytest.mark.parametrize("store", ["memory-target", "sqlite"])
def test_a_refused_text_after_written_chunks_writes_nothing_and_names_every_problem(store, monkeypatch):
    """The cell guard reads each canonical document while planning: a refused text in a later chunk
    (and one in a later entity) undoes the chunks already written, and the report is check_batch's own."""
    from graph.store import writeplan
    from graph.store.sqlite import SqliteStore
    from graph.store.validate import check_batch

    monkeypatch.setattr(writeplan, "PLAN_CHUNK", 3)
    world = small_world()
    orgs = list(world.organisations)
    ends = [o.id for o in orgs[:2]]
    links = [Link(f"l:{i}", LinkKind.SUPPLIES, *ends, P, f"20{10 + i}") for i in range(8)]
    links[7] = dataclasses.replace(links[7], provenance=Provenance("\u3000=HYPERLINK(1)"))
    links[5] = dataclasses.replace(links[5], id="l:\ud800")  # a lone surrogate: orjson cannot write it
    bad = Batch(organisations=orgs, links=links)
    want = [(p.row, p.field, p.reason) for p in check_batch(bad, {"organisations": set(ends), "segments": {
        m.segment for o in orgs for m in o.segments}})]
    assert [(r, f) for r, f, _ in want] == [(6, "id"), (8, "provenance.source")]
    if store == "sqlite":
        s = SqliteStore.memory()
        s.write(Batch(segments=world.segments, chains=world.chains, segment_edges=world.segment_edges))
        def snapshot():
            return s.version(), s.counts(), list(s.organisations()), list(s.links())
        before, write = snapshot(), s.write
    else:
        t = MemoryTarget()
        execute(Batch(segments=world.segments, chains=world.chains, segment_edges=world.segment_edges), t)
        before, write = {e: dict(rs) for e, rs in t.records.items()}, lambda b: execute(b, t)
    with pytest.raises(InvalidInput) as err:
        write(bad)
    assert [(p.row, p.field, p.reason) for p in err.value.problems] == want
    after = snapshot() if store == "sqlite" else t.records
    assert after == before
    assert write(Batch(organisations=orgs, links=links[:5])).inserted == {"organisations": len(orgs), "links": 5}


@pytest.mark.parametrize("order", list(itertools.permutations(["org:m", "org:a", "org:z"])))
def test_the_name_and_city_tie_break_ignores_insertion_order(order):
    t = MemoryTarget()
    for i, oid in enumerate(order):
        execute(Batch(organisations=[Organisation(oid, OrgKind.FIRM, "光影科技有限公司", P,  # distinct USCCs:
                                                  uscc=uscc(f"9144030000005555{i}"),  # stored apart
                                                  region=f"cn/guangdong/shenzhen/d{i}")]), t)
    r = execute(Batch(organisations=[Organisation("new", OrgKind.FIRM, "光影科技", P,
                                                  region="cn/guangdong/shenzhen")]), t)
    assert r.merged == {"new": "org:a"}
    assert pick_by_name_city([("n", "c", x) for x in order]) == {("n", "c"): "org:a"}


def test_the_one_known_difference_from_json_dumps_is_the_small_float_exponent():
    rec = dataclasses.replace(small_world().organisations[0], registered_capital_cny_m=1e-7)
    text, _ = canonical(rec)
    old = json.dumps(to_dict(rec), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert '"registered_capital_cny_m":1e-7' in text and text == old.replace("1e-07", "1e-7")


def test_the_batch_check_names_repeated_and_empty_ids():
    from graph.store.validate import check_batch

    orgs = [Organisation(i, OrgKind.FIRM, n, P) for i, n in (("a", "甲"), ("b", "乙"), ("a", "丙"), (" ", "丁"))]
    problems = check_batch(Batch(organisations=orgs), {"organisations": set(), "segments": set()})
    assert [(p.row, p.reason) for p in problems if p.field == "id"] == [
        (1, "duplicate id 'a' in the batch"), (3, "duplicate id 'a' in the batch"), (4, "empty id")]
    assert check_batch(Batch(organisations=orgs[:2]), {"organisations": set(), "segments": set()}) == []


def test_link_ends_found_at_the_version_still_seen_are_not_looked_up_again():
    """Batch.ends_at: the importer found both ends of every link at that version; the pipeline trusts it only
    while the store is still there, and looks the ends up again once anything was written in between."""
    from graph.store.sqlite import SqliteStore
    from graph.store.sqlite_write import SqliteTarget
    from graph.store.writeplan import known

    store = SqliteStore.memory()
    store.write(Batch(organisations=[Organisation(i, OrgKind.FIRM, n, P) for i, n in (("a", "甲"), ("b", "乙"))]))
    batch = Batch(links=[Link("l1", LinkKind.SUPPLIES, "a", "b", P)])
    batch.ends_at = store.version()
    asked = []
    with store._tx() as conn:
        target = SqliteTarget(conn)
        real = target.existing_ids
        target.existing_ids = lambda entity, ids: (asked.append(list(ids)), real(entity, ids))[1]
        assert known(batch, target)["ends_stored"] and asked == []
    store.delete_organisation("b")
    with store._tx() as conn:
        target = SqliteTarget(conn)
        real = target.existing_ids
        target.existing_ids = lambda entity, ids: (asked.append(list(ids)), real(entity, ids))[1]
        found = known(batch, target)
        assert found["organisations"] == {"a"} and not found["ends_stored"] and asked == [["a", "b"]]
    with pytest.raises(InvalidInput, match="1 problem"):
        store.write(batch)


def test_prepared_rows_write_what_rows_write():
    """SqliteTarget.prepared: the tuples the pipeline makes for executemany hold what write_rows makes of Rows."""
    from graph.store.sqlite import SqliteStore
    from graph.store.sqlite_write import SqliteTarget
    from graph.store.writeplan import rows_of

    store, world = SqliteStore.memory(), small_world()
    sql = {t: f"SELECT * FROM {t} ORDER BY id" for t in ("links", "segment_edges")}  # noqa: S608 - constants

    def tables():
        return {t: store._conn.execute(q).fetchall() for t, q in sql.items()}

    store.write(Batch(organisations=world.organisations, segments=world.segments, regions=world.regions))
    store.write(Batch(links=world.links, segment_edges=world.segment_edges))
    prepared = tables()
    assert prepared["links"] and prepared["segment_edges"]
    with store._tx() as conn:
        conn.execute("DELETE FROM links")
        conn.execute("DELETE FROM segment_edges")
        target = SqliteTarget(conn)
        target.write_rows("links", rows_of(world.links))
        target.write_rows("segment_edges", rows_of(world.segment_edges))
    assert tables() == prepared


class _Asking(MemoryTarget):
    """A memory target that counts the organisation look-ups the pipeline asks of it."""

    def __init__(self):
        super().__init__()
        self.asked = []

    def existing_ids(self, entity, ids):
        if entity == "organisations":
            self.asked.append(("ids", len(ids)))
        return super().existing_ids(entity, ids)

    def uscc_owners(self, usccs):
        self.asked.append(("uscc", len(usccs)))
        return super().uscc_owners(usccs)

    def name_holders(self, names):
        self.asked.append(("names", len(names)))
        return super().name_holders(names)


def test_a_first_import_into_an_empty_store_asks_no_organisation_look_up_and_writes_the_same():
    world = small_world()
    t = _Asking()
    first = execute(world, t)
    assert t.asked == [] and first.inserted["organisations"] == len(world.organisations)
    always = _Asking()
    always.holds = lambda entity: True  # the look-ups asked whatever the store holds (the old path)
    assert execute(world, always).inserted == first.inserted and always.asked
    assert always.records == t.records
    again = execute(world, t)  # now stored: the same records are looked up and found unchanged
    assert t.asked and again.unchanged["organisations"] == len(world.organisations)


class _Rollback(Exception):
    """Raised inside a transaction of :func:`open_target` to roll it back."""


@pytest.fixture(params=["memory-target", "sqlite", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def open_target(request):
    """Every WriteTarget on a fresh, empty store: ``open_target()`` is one write transaction yielding
    the target, committed when the block ends, rolled back when it raises."""
    from contextlib import contextmanager

    if request.param == "memory-target":
        t = MemoryTarget()

        @contextmanager
        def tx():
            with t.entity("organisations", 1):  # the memory target undoes what a scope that raises wrote
                yield t
            t.version()  # the end of its "transaction": its writes stand

        yield tx
    elif request.param == "sqlite":
        from graph.store.sqlite import SqliteStore
        from graph.store.sqlite_write import SqliteTarget

        store = SqliteStore.memory()

        @contextmanager
        def tx():
            with store._tx() as conn:
                yield SqliteTarget(conn)

        yield tx
        store.close()
    else:
        import functools

        from graph.store import neo4j
        from tests.conftest import _neo4j_store

        store = _neo4j_store()

        @contextmanager
        def tx():
            with store._driver.session(database=store._database) as session, session.begin_transaction() as t:
                yield neo4j.Neo4jTarget(functools.partial(neo4j._run, t))
                t.commit()  # not reached when the block raises: leaving begin_transaction rolls back

        yield tx
        store.close()


def test_holds_is_false_until_a_record_of_the_entity_is_stored_and_sees_the_transactions_own_writes(open_target):
    """WriteTarget.holds on every backend: per entity (in write order, so each one's references are stored),
    False on the store as it is, True inside the transaction that wrote one record, False again once that
    transaction is rolled back, True once a write of it is committed; no other entity's answer moves."""
    from graph.store.writeplan import WRITE_ORDER, rows_of

    world = small_world()
    stored: set[str] = set()
    for entity in WRITE_ORDER:
        records = getattr(world, entity)
        with pytest.raises(_Rollback), open_target() as t:
            assert {e: t.holds(e) for e in WRITE_ORDER} == {e: e in stored for e in WRITE_ORDER}
            with t.entity(entity, 1):
                t.write_rows(entity, rows_of(records[:1]))
            assert t.holds(entity), entity  # its own uncommitted write
            raise _Rollback
        with open_target() as t:
            assert not t.holds(entity), entity
            with t.entity(entity, len(records)):
                t.write_rows(entity, rows_of(records))
        stored.add(entity)
        with open_target() as t:
            assert {e: t.holds(e) for e in WRITE_ORDER} == {e: e in stored for e in WRITE_ORDER}


def test_what_prepared_makes_is_written_as_the_rows_are(open_target):
    """WriteTarget.prepared on every backend: ``None`` (the target writes :class:`Row` s) or a maker whose
    rows, handed to write_rows, store each record with the hash its Row carries; a target that gives a
    maker for one entity and writes something else than what it made would store other hashes here."""
    from graph.store.writeplan import WRITE_ORDER, rows_of

    world = small_world()
    for entity in WRITE_ORDER:
        rows = rows_of(getattr(world, entity))
        with open_target() as t:
            make = t.prepared(entity)
            assert make is None or callable(make), entity
            written = make([(r.id, r.record, r.doc, r.hash) for r in rows], None) if make else rows
            with t.entity(entity, len(rows)):
                t.write_rows(entity, written)
        with open_target() as t:
            assert t.stored_hashes(entity, [r.id for r in rows]) == {r.id: r.hash for r in rows}, entity


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def fresh_store(request):
    """A maker of fresh, empty stores of one backend (Neo4j: the one server, wiped) and its target class."""
    if request.param == "embedded":
        from graph.store.sqlite import SqliteStore
        from graph.store.sqlite_write import SqliteTarget

        made = []
        yield (lambda: made.append(SqliteStore.memory()) or made[-1]), SqliteTarget
        for s in made:
            s.close()
    else:
        from graph.store.neo4j_write import Neo4jTarget
        from tests.conftest import _neo4j_store

        made = []
        yield (lambda: made.append(_neo4j_store()) or made[-1]), Neo4jTarget
        for s in made:
            s.close()


def test_a_first_import_into_an_empty_store_asks_no_look_up_and_writes_what_the_asking_path_writes(
        fresh_store, monkeypatch):
    """The stores' own targets (SQLite, Neo4j): a first write of the small world asks no organisation
    look-up and reads no stored hash, and stores exactly what it stores when every look-up is asked (holds forced True)."""
    from tests.store.test_contract import snapshot

    fresh, target = fresh_store
    asked = []
    for name in ("existing_ids", "uscc_owners", "name_city_candidates", "name_holders", "stored_hashes"):
        real = getattr(target, name)

        def counting(self, *args, _real=real, _name=name):
            if _name != "existing_ids" or args[0] == "organisations":
                asked.append(_name)
            return _real(self, *args)

        monkeypatch.setattr(target, name, counting)
    world = small_world()
    store = fresh()
    first = store.write(world)
    assert asked == [] and first.inserted["organisations"] == len(world.organisations)
    written = snapshot(store)[1:]  # all but the version (a wiped Neo4j store's moves on)
    again = store.write(world)  # now stored: looked up, found unchanged
    assert asked and again.changed == 0
    asked.clear()
    with monkeypatch.context() as m:
        m.setattr(target, "holds", lambda self, entity: True)  # the path that asks whatever is stored
        store = fresh()
        assert store.write(world).inserted == first.inserted and asked
    assert snapshot(store)[1:] == written
