"""GraphArrays.build (vectorised) against the per-row builder it replaced, on random rows."""

from __future__ import annotations

import random
from dataclasses import fields, replace

import numpy as np
import pytest

from fixtures.synth import synthetic_batch
from graph.analysis.aggregates import SegmentMeta
from graph.analysis.arrays import GraphArrays, _lookup
from graph.analysis.membership import PREDICTED, weights
from graph.model import RegStatus
from graph.store import sqlite_aggregates as sa
from graph.store.sqlite import SqliteStore
from graph.store.sqlite_aggregates import load_firm_dates


def per_row_build(orgs, memberships, segments, edges, links, landed=()) -> GraphArrays:
    """The builder before the vectorised one (the oracle): a dict look-up per row."""
    orgs = sorted(orgs, key=lambda r: r[0])
    segments = sorted(segments, key=lambda m: m.id)
    cols = list(zip(*orgs, strict=True)) if orgs else [()] * 8
    org_id = np.array(cols[0], dtype=str)
    kinds = sorted(set(cols[1]) | {"firm"})
    landed = [(o, r) for o, r in landed if r]
    regions = sorted({r for r in cols[2] if r} | {r for _, r in landed})
    bands = sorted({b for b in cols[6] if b})
    kc, rc, bc = ({v: i for i, v in enumerate(x)} for x in (kinds, regions, bands))
    seg_ids = np.array([m.id for m in segments], dtype=str)
    mo, ms = _lookup(org_id, [m[0] for m in memberships]), _lookup(seg_ids, [m[1] for m in memberships])
    mw = weights([m[2] for m in memberships], [m[3] for m in memberships])
    mp = np.array([m[2] == PREDICTED for m in memberships], dtype=bool)
    ok = (mo >= 0) & (ms >= 0) & (mw > 0)
    lo = _lookup(org_id, [o for o, _ in landed])
    lr = np.array([rc[r] for _, r in landed], dtype=np.intp)
    links = [(i, s, d, 1.0 if w is None else float(w)) for i, s, d, w in links]
    lcols = list(zip(*links, strict=True)) if links else [()] * 4
    lid = np.array(lcols[0], dtype=str)
    src, dst = _lookup(org_id, lcols[1]), _lookup(org_id, lcols[2])
    keep = np.flatnonzero((src >= 0) & (dst >= 0))
    keep = keep[np.argsort(lid[keep], kind="stable")]
    return GraphArrays(
        org_id=org_id, org_kind=np.array([kc[k] for k in cols[1]], dtype=np.int8), kinds=kinds,
        org_region=np.array([rc.get(r, -1) for r in cols[2]], dtype=np.int32), regions=regions,
        org_employees=np.array([np.nan if e is None else e for e in cols[5]], dtype=float),
        org_band=np.array([bc.get(b, -1) for b in cols[6]], dtype=np.int16), bands=bands,
        org_name_zh=np.array([x or "" for x in cols[3]], dtype=str),
        org_name_en=np.array([x or "" for x in cols[4]], dtype=str),
        tiers={i: tuple(t) for i, t in enumerate(cols[7]) if t},
        mem_org=mo[ok], mem_seg=ms[ok], mem_w=mw[ok] if mw.size else np.zeros(0),
        mem_pred=mp[ok] if mp.size else np.zeros(0, bool),
        land_org=lo[lo >= 0], land_region=lr[lo >= 0] if lr.size else np.zeros(0, np.intp),
        segments=segments, edges=sorted((u, v, float(w)) for u, v, w in edges),
        sup_id=lid[keep], sup_src=src[keep], sup_dst=dst[keep],
        sup_w=np.array(lcols[3], dtype=float)[keep] if links else np.zeros(0),
    )


def random_rows(seed: int, n_orgs: int = 300, n_links: int = 900, shuffled: bool = True):
    rng = random.Random(seed)
    ids = [f"o{i:05d}" for i in range(n_orgs)]
    if shuffled:
        rng.shuffle(ids)
    pick = lambda xs: rng.choice(xs)  # noqa: E731
    orgs = [(i, pick(["firm", "firm", "university", "park"]), pick([None, "", "cn/a", "cn/b", "cn/c/d"]),
             pick([None, "名"]), pick([None, "", "Name"]), pick([None, 3, 12.5, 0]), pick([None, "", "A", "B"]),
             pick([(), ("t1",), ("t1", "t2")])) for i in ids]
    segs = [SegmentMeta(f"s{j}", "", "", "", "") for j in rng.sample(range(12), 12)]
    mem = [(pick(ids + ["ghost"]), pick([m.id for m in segs] + ["nos"]), pick(["confirmed", "predicted", "rejected"]),
            pick([None, 0.2, 0.9, 1.0])) for _ in range(2 * n_orgs)]
    edges = [("s1", "s2", 0.5), ("s0", "s1", 1)]
    links = [(f"l{k:06d}", pick(ids + ["ghost"]), pick(ids), pick([None, 0.25, 1, 0.1 + k / 7]))
             for k in range(n_links)]
    if shuffled:
        rng.shuffle(links)
    landed = [(pick(ids + ["ghost"]), pick([None, "cn/a", "cn/z"])) for _ in range(n_orgs // 5)]
    return orgs, mem, segs, edges, links, landed


def assert_same(a: GraphArrays, b: GraphArrays) -> None:
    for f in fields(GraphArrays):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), f.name
        elif f.compare:
            assert x == y, f.name


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("shuffled", [True, False])
def test_build_equals_the_per_row_builder(seed, shuffled):
    rows = random_rows(seed, shuffled=shuffled)
    assert_same(GraphArrays.build(*rows), per_row_build(*rows))


def test_build_of_nothing():
    assert_same(GraphArrays.build([], [], [], [], [], []), per_row_build([], [], [], [], [], []))


def test_store_arrays_equal_the_batch_and_their_dates_the_scan():
    batch = synthetic_batch(400, 1200, seed=4)
    closed = {o.id for o in batch.organisations[::9]}  # closed firms: out of the arrays, in the dates
    batch = replace(batch, organisations=[replace(o, status=RegStatus.CLOSED) if o.id in closed else o
                                          for o in batch.organisations])
    store = SqliteStore.memory()
    store.write(batch)
    scanned = load_firm_dates(store)  # nothing kept yet: its own query
    c = store._conn
    old_rows = (
        [(i, k, r, zh, en, e, b, sa._tiers(t)) for i, k, r, zh, en, e, b, t, shut, *_ in c.execute(sa.ORGS_SQL) if not shut],
        c.execute(sa.MEMBERS_SQL).fetchall(),
        [SegmentMeta(i, zh or "", en or "", st or "", fm or "") for i, zh, en, st, fm in c.execute(sa.SEGMENTS_SQL)],
        [(u, v, 1.0 if w is None else float(w)) for u, v, w in c.execute(sa.EDGES_SQL)],
        c.execute(sa.SUPPLIES_SQL).fetchall(), c.execute(sa.LANDED_SQL).fetchall())
    arrays = store.analysis_arrays()
    assert_same(arrays, per_row_build(*old_rows))
    assert set(arrays.org_id) == {o.id for o in batch.organisations} - closed
    assert sorted(load_firm_dates(store)) == sorted(scanned)  # the dates read with the arrays, once
    assert store.take_firm_dates() is None
    store.analysis_arrays()
    first = replace(batch.organisations[0], name_en="Renamed Ltd")
    store.write(replace(batch, organisations=[first], links=[]))  # a write: the kept dates are stale
    assert store.take_firm_dates() is None
    assert len(scanned) == sum(o.kind.value == "firm" for o in batch.organisations)
