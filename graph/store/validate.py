"""Reference and identity checks every store runs before it writes a batch.

Pure: takes the batch and the ids the store already has, returns problems.

Examples
--------
>>> from graph.model import Link, LinkKind, Provenance
>>> b = Batch(links=[Link("l1", LinkKind.SUPPLIES, "a", "b", Provenance("t"))])
>>> [p.reason for p in check_batch(b, {"organisations": {"a"}, "segments": set()})]
["unknown organisation 'b'"]
"""

from __future__ import annotations

from collections import Counter

from graph.errors import Problem
from graph.model import uscc_problem
from graph.store.protocol import Batch

__all__ = ["check_batch"]


def check_batch(batch: Batch, known: dict[str, set[str]]) -> list[Problem]:
    """Every problem with ``batch`` given the ids ``known`` to the store.

    ``known`` has keys ``organisations`` and ``segments``. Rows in the
    problems are 1-based positions in the batch's list for that entity.
    """
    problems: list[Problem] = []
    for name in ("regions", "clusters", "chains", "segments", "organisations", "links"):
        counts = Counter(r.id for r in getattr(batch, name))
        for i, rec in enumerate(getattr(batch, name), 1):
            if counts[rec.id] > 1:
                problems.append(Problem(name, i, "id", f"duplicate id {rec.id!r} in the batch"))
            if not rec.id or not rec.id.strip():
                problems.append(Problem(name, i, "id", "empty id"))
    edges = Counter((e.upstream, e.downstream) for e in batch.segment_edges)
    segs = known["segments"] | {s.id for s in batch.segments}
    orgs = known["organisations"] | {o.id for o in batch.organisations}

    def seg_ref(where: str, row: int, field: str, sid: str) -> None:
        if sid not in segs:
            problems.append(Problem(where, row, field, f"unknown segment {sid!r}"))

    for i, s in enumerate(batch.segments, 1):
        if s.parent:
            seg_ref("segments", i, "parent", s.parent)
    for i, c in enumerate(batch.chains, 1):
        for sid in c.segments:
            seg_ref("chains", i, "segments", sid)
    for i, e in enumerate(batch.segment_edges, 1):
        seg_ref("segment_edges", i, "upstream", e.upstream)
        seg_ref("segment_edges", i, "downstream", e.downstream)
        if edges[(e.upstream, e.downstream)] > 1:
            problems.append(Problem("segment_edges", i, "id", "duplicate segment edge in the batch"))
    usccs = Counter(o.uscc for o in batch.organisations if o.uscc)
    for i, o in enumerate(batch.organisations, 1):
        if not (o.name_zh or o.name_en).strip():
            problems.append(Problem("organisations", i, "name_zh", "an organisation needs a name"))
        if o.uscc:
            why = uscc_problem(o.uscc)
            if why:
                problems.append(Problem("organisations", i, "uscc", why))
            elif usccs[o.uscc] > 1:
                problems.append(Problem("organisations", i, "uscc", f"USCC {o.uscc} appears twice in the batch"))
        for m in o.segments:
            seg_ref("organisations", i, "segments", m.segment)
            if not 0.0 <= m.confidence <= 1.0:
                problems.append(Problem("organisations", i, "segments", f"confidence {m.confidence} outside 0..1"))
    for i, x in enumerate(batch.links, 1):
        for field in ("src", "dst"):
            ref = getattr(x, field)
            if ref not in orgs:
                problems.append(Problem("links", i, field, f"unknown organisation {ref!r}"))
        if x.src == x.dst:
            problems.append(Problem("links", i, "dst", "a link cannot join an organisation to itself"))
    return problems
