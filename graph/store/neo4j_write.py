"""The Neo4j store's side of the write pipeline: a :class:`~graph.store.writeplan.WriteTarget` in Cypher.

:class:`Neo4jTarget` runs inside one managed write transaction. It opens
with :func:`~graph.store.cypher.lock_store` (write-locking the meta node, so
writers are serialised, and reading the version), answers the pipeline's
lookups with the statements of :mod:`graph.store.cypher` (``$ids`` lists of
at most :data:`_CHUNK`) and writes planned rows with ``UNWIND``. Every
statement is built in :mod:`graph.store.cypher`; nothing is formatted here.

A changed organisation's ``MEMBER_OF`` relationships are replaced; a changed
link is deleted and re-created, because its kind (the relationship type) or
its endpoints may have changed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import nullcontext
from typing import Any

from graph.model import LinkKind, Organisation, from_dict
from graph.store import cypher
from graph.store.cypher import Query
from graph.store.writeplan import Row

__all__ = ["Neo4jTarget"]

_CHUNK = 5_000  # rows per UNWIND statement / ids per IN list


def _chunks(items: Sequence) -> Iterator[list]:
    items = list(items)
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


class Neo4jTarget:
    """The pipeline's primitives inside one Neo4j write transaction; ``run(q)`` returns row dicts."""

    def __init__(self, run: Callable[[Query], list[dict[str, Any]]]):
        self._run = run
        self._version = int(run(cypher.lock_store())[0]["version"])
        self._link_kinds: dict[str, LinkKind] = {}  # stored kind of links whose hashes were read

    # ------------------------------------------------------------ lookups
    def holds(self, entity: str) -> bool:
        """Whether any ``entity`` record is stored (:func:`~graph.store.writeplan.holds`); in this
        transaction, so its own writes count."""
        return bool(self._run(cypher.holds(entity)))

    def existing_ids(self, entity: str, ids: Sequence[str]) -> set[str]:
        return {r["id"] for part in _chunks(ids) for r in self._run(cypher.existing_ids(entity, part))}

    def uscc_owners(self, usccs: Sequence[str]) -> dict[str, str]:
        return {r["uscc"]: r["id"] for part in _chunks(usccs) for r in self._run(cypher.org_ids_by_uscc(part))}

    def name_city_candidates(self, keys: Sequence[tuple[str, str]]) -> list[tuple[str, str, str]]:
        return [(r["name_key"], r["city_key"], r["id"])
                for part in _chunks(keys) for r in self._run(cypher.org_ids_by_name_city(part))]

    def name_holders(self, names: Sequence[str]) -> list[tuple[str, str, str]]:
        return [(r["name"], r["city_key"], r["id"])
                for part in _chunks(names) for r in self._run(cypher.org_ids_by_names(part))]

    def stored_organisations(self, ids: Sequence[str]) -> list[Organisation]:
        return [from_dict(Organisation, json.loads(r["doc"]))
                for part in _chunks(ids) for r in self._run(cypher.read_organisations(ids=part))]

    def stored_hashes(self, entity: str, ids: Sequence[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for part in _chunks(ids):
            if entity == "links":
                for r in self._run(cypher.stored_link_hashes(part)):
                    out[r["id"]] = r["hash"]
                    self._link_kinds[r["id"]] = cypher.LINK_KINDS[r["type"]]
                continue
            q = cypher.stored_edge_hashes(part) if entity == "segment_edges" else cypher.stored_hashes(entity, part)
            out.update((r["id"], r["hash"]) for r in self._run(q))
        return out

    # ------------------------------------------------------------ writes
    def entity(self, entity: str, n: int):
        return nullcontext()

    def prepared(self, entity: str) -> None:
        """Neo4j writes :class:`~graph.store.writeplan.Row` s (cypher.py makes its parameters)."""
        return None

    def write_rows(self, entity: str, rows: list[Row]) -> None:
        if entity == "segment_edges":
            for part in _chunks(cypher.edge_rows(rows)):
                self._run(cypher.upsert_segment_edges(part))
        elif entity == "links":
            self._write_links(rows)
        else:
            if entity == "organisations":
                for part in _chunks([r.id for r in rows if not r.new]):
                    self._run(cypher.delete_memberships(part))
            for part in _chunks(cypher.node_rows(rows)):
                self._run(cypher.upsert_nodes(entity, part))
            if entity == "organisations":
                for part in _chunks(cypher.membership_rows(r.record for r in rows)):
                    self._run(cypher.create_memberships(part))

    def _write_links(self, rows: list[Row]) -> None:
        old: dict[LinkKind, list[str]] = {}
        for r in rows:
            if not r.new:
                old.setdefault(self._link_kinds[r.id], []).append(r.id)
        for kind, ids in old.items():
            for part in _chunks(ids):
                self._run(cypher.delete_links(kind, part))
        new: dict[str, list[dict]] = {}
        for row in cypher.link_rows(rows):
            new.setdefault(row["kind"], []).append(row)
        for kind, kind_rows in new.items():
            for part in _chunks(kind_rows):
                self._run(cypher.create_links(kind, part))

    # ------------------------------------------------------------ version
    def version(self) -> int:
        return self._version

    def bump_version(self) -> int:
        self._version = int(self._run(cypher.bump_version())[0]["version"])
        return self._version
