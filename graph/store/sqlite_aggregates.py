"""Read the embedded store's tables straight into :class:`~graph.analysis.arrays.GraphArrays`.

Six ``SELECT`` statements (organisations that are not closed, memberships
with their status and confidence — :class:`GraphArrays` keeps those the one
rule of :mod:`graph.analysis.membership` counts —, landed sites, segments,
segment edges, ``supplies`` links; memberships and links of closed
organisations drop out with them) with ``json_extract`` for the few document
fields the aggregates need, no domain objects and no networkx graph: the
columnar view of a 100k-firm store loads in about a second. The aggregation
itself then runs in numpy (:mod:`graph.analysis.fast`). All SQL here is
constant text; nothing is ever formatted into it.

Examples
--------
>>> from fixtures.world import load_world
>>> from graph.store.sqlite import SqliteStore
>>> store = SqliteStore.memory()
>>> batch, _ = load_world()
>>> _ = store.write(batch)
>>> a = load_arrays(store)
>>> len(a.org_id) == len(batch.organisations), len(a.segments)
(True, 47)
"""

from __future__ import annotations

import json
import sqlite3

from graph.analysis.aggregates import SegmentMeta
from graph.analysis.arrays import GraphArrays

__all__ = ["load_arrays", "load_view", "load_firm_dates", "FIRM_DATES_SQL", "ORGS_SQL", "MEMBERS_SQL", "CONFIRMED_SQL", "LANDED_SQL",
           "SEGMENTS_SQL", "EDGES_SQL", "SUPPLIES_SQL"]

#: every organisation, closed ones flagged (they count nowhere in the arrays, but their dates count in the entry
#: context's national growth): one scan of the documents feeds both
ORGS_SQL = (
    "SELECT id, kind, region, json_extract(doc, '$.name_zh'), json_extract(doc, '$.name_en'),"
    " json_extract(doc, '$.employees'), json_extract(doc, '$.revenue_band'), json_extract(doc, '$.tiers'),"
    " coalesce(json_extract(doc, '$.status'), '') = 'closed',"
    " json_extract(doc, '$.founded'), json_extract(doc, '$.provenance.as_of')"
    " FROM orgs"
)
#: every membership but rejected ones, with its confidence (read from the document for predictions only)
MEMBERS_SQL = (
    "SELECT g.org_id, g.segment_id, g.status, CASE WHEN g.status = 'confirmed' THEN 1.0 ELSE"
    " (SELECT json_extract(m.value, '$.confidence') FROM orgs o, json_each(o.doc, '$.segments') m"
    "  WHERE o.id = g.org_id AND json_extract(m.value, '$.segment') = g.segment_id) END"
    " FROM org_segments g WHERE g.status <> 'rejected'"
)
CONFIRMED_SQL = "SELECT org_id, segment_id FROM org_segments WHERE status = 'confirmed'"
#: (organisation, region) of landed sites; the instr() skips the documents without one unparsed
LANDED_SQL = (
    "SELECT o.id, json_extract(s.value, '$.region') FROM orgs o, json_each(o.doc, '$.sites') s"
    " WHERE instr(o.doc, '\"landed\":true') > 0 AND json_extract(s.value, '$.landed') = 1"
    " AND coalesce(json_extract(o.doc, '$.status'), '') <> 'closed'"
)
SEGMENTS_SQL = (
    "SELECT id, json_extract(doc, '$.name_zh'), json_extract(doc, '$.name_en'), json_extract(doc, '$.stage'),"
    " json_extract(doc, '$.format') FROM segments"
)
EDGES_SQL = "SELECT upstream, downstream, json_extract(doc, '$.weight') FROM segment_edges"
SUPPLIES_SQL = "SELECT id, src, dst, json_extract(doc, '$.weight') FROM links WHERE kind = 'supplies'"
FIRM_DATES_SQL = (
    "SELECT id, json_extract(doc, '$.founded'), json_extract(doc, '$.provenance.as_of') FROM orgs WHERE kind = 'firm'"
)


def _tiers(text: str | None) -> tuple[str, ...]:
    return tuple(json.loads(text)) if text and text != "[]" else ()


FirmDates = list[tuple[str | None, str | None, tuple[str, ...]]]


def load_arrays(store_or_conn) -> GraphArrays:
    """The columnar view of an embedded store (a ``SqliteStore`` or its ``sqlite3.Connection``)."""
    if isinstance(store_or_conn, sqlite3.Connection):
        return load_view(store_or_conn)[0]
    return store_or_conn.analysis_arrays()  # under the store's lock on its one connection


def load_view(conn: sqlite3.Connection) -> tuple[GraphArrays, FirmDates]:
    """The columnar view and the firm dates (:func:`load_firm_dates`) from one scan of the organisations.

    At 1M firms a second pass over the documents for the dates alone cost ~9 s.

    >>> from fixtures.world import load_world
    >>> from graph.store.sqlite import SqliteStore
    >>> store = SqliteStore.memory()
    >>> _ = store.write(load_world()[0])
    >>> a, dates = load_view(store._conn)
    >>> sorted(dates) == sorted(load_firm_dates(store)), len(a.org_id) > 0
    (True, True)
    """
    rows = conn.execute(ORGS_SQL).fetchall()
    orgs = [(i, k, r, zh, en, emp, band, _tiers(t)) for i, k, r, zh, en, emp, band, t, closed, _, _ in rows
            if not closed]
    members = conn.execute(MEMBERS_SQL).fetchall()
    segments = [SegmentMeta(i, zh or "", en or "", st or "", fm or "") for i, zh, en, st, fm in conn.execute(SEGMENTS_SQL)]
    edges = [(u, v, 1.0 if w is None else float(w)) for u, v, w in conn.execute(EDGES_SQL)]
    links = conn.execute(SUPPLIES_SQL).fetchall()  # GraphArrays.build reads a None weight as 1
    landed = conn.execute(LANDED_SQL).fetchall()
    arrays = GraphArrays.build(orgs, members, segments, edges, links, landed)
    del orgs, links
    # MEMBERS_SQL keeps every status but rejected: CONFIRMED_SQL's rows are among them
    dates = _firm_dates(((i, f, a) for i, k, *_, f, a in rows if k == "firm"),
                        ((o, sg) for o, sg, status, _ in members if status == "confirmed"))
    return arrays, dates


def load_firm_dates(store) -> FirmDates:
    """Per firm of an embedded store: (founded, as-of date, confirmed segments), without building records.

    What the entry parts' momentum reads (:func:`graph.analysis.entryfeatures.entry_context`). The
    dates the store's last :meth:`~graph.store.sqlite.SqliteStore.analysis_arrays` read with the
    arrays are taken (once) when the store has not changed since; otherwise one query reads them.
    """
    with store._lock:
        kept = store.take_firm_dates()
        if kept is not None:
            return kept
        conn = store._conn
        return _firm_dates(conn.execute(FIRM_DATES_SQL).fetchall(), conn.execute(CONFIRMED_SQL))


def _firm_dates(firms, confirmed) -> FirmDates:
    """(founded, as-of, confirmed segments) per firm of ``firms`` (id, founded, as-of), from ``confirmed``
    (organisation id, segment id) rows: the one assembly of :func:`load_view` and :func:`load_firm_dates`.

    >>> _firm_dates([("a", "2020-01-01", None), ("b", None, "2021")], [("a", "s1"), ("a", "s2"), ("c", "s1")])
    [('2020-01-01', None, ('s1', 's2')), (None, '2021', ())]
    """
    segs: dict[str, list[str]] = {}
    for o, sg in confirmed:
        segs.setdefault(o, []).append(sg)
    return [(f, a, tuple(segs.get(i, ()))) for i, f, a in firms]
