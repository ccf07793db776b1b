"""What a write would do, before it is done: how many records of a batch are new and how many are already stored.

A dry-run import (``chainmatch import --dry-run``, ``POST /imports/{entity}?dry_run=true``) checks every row and
writes nothing; :func:`preview` adds the count a person asks next — how many firms would be inserted, and how many
are already there (to be updated, or left unchanged when nothing differs). An organisation is already there when
its id or its USCC is stored (the store's own dedupe can merge a few more: same name in the same city); a link,
segment, segment edge or chain when its id is.

Examples
--------
>>> from graph.model import Link, LinkKind, Organisation, OrgKind, Provenance
>>> from graph.store.sqlite import SqliteStore
>>> p = Provenance("doc")
>>> store = SqliteStore.memory()
>>> _ = store.write(Batch(organisations=[Organisation(id="org:a", kind=OrgKind.FIRM, name_zh="甲", provenance=p)]))
>>> b = Batch(organisations=[Organisation(id="org:a", kind=OrgKind.FIRM, name_zh="甲", provenance=p),
...                          Organisation(id="org:b", kind=OrgKind.FIRM, name_zh="乙", provenance=p)],
...           links=[Link("link:1", LinkKind.SUPPLIES, "org:a", "org:b", p)])
>>> preview(store, b)
{'new': {'organisations': 1, 'links': 1}, 'existing': {'organisations': 1, 'links': 0}}
"""

from __future__ import annotations

from graph.store.protocol import Batch, GraphStore

__all__ = ["preview"]


def _orgs(store: GraphStore, orgs) -> tuple[int, int]:
    keys = [o.id for o in orgs] + [o.uscc for o in orgs if o.uscc]
    found = store.lookup(keys) if keys else {}
    stored = {k for k, v in found.items() if k == v}  # ids that are stored ids (lookup also maps names)
    old = sum(1 for o in orgs if o.id in stored or (o.uscc and o.uscc in found))
    return len(orgs) - old, old


def _links(store: GraphStore, links) -> tuple[int, int]:
    stored: set[str] = set()
    for src in {x.src for x in links}:
        stored.update(x.id for x in store.links(org=src))
    old = sum(1 for x in links if x.id in stored)
    return len(links) - old, old


def _by_id(stored_ids: set[str], records) -> tuple[int, int]:
    old = sum(1 for r in records if r.id in stored_ids)
    return len(records) - old, old


def preview(store: GraphStore, batch: Batch) -> dict[str, dict[str, int]]:
    """``{"new": {entity: n}, "existing": {entity: n}}`` for the entities ``batch`` holds (regions left out)."""
    counts: dict[str, tuple[int, int]] = {}
    if batch.chains:
        counts["chains"] = _by_id({c.id for c in store.chains()}, batch.chains)
    if batch.segments:
        counts["segments"] = _by_id({s.id for s in store.segments()}, batch.segments)
    if batch.segment_edges:
        counts["segment_edges"] = _by_id({e.id for e in store.segment_edges()}, batch.segment_edges)
    if batch.organisations:
        counts["organisations"] = _orgs(store, batch.organisations)
    if batch.links:
        counts["links"] = _links(store, batch.links)
    return {"new": {k: v[0] for k, v in counts.items()}, "existing": {k: v[1] for k, v in counts.items()}}
