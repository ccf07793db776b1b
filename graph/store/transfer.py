"""Move every record between stores: a JSONL dump any backend writes and reads.

The dump is one JSON object per line: a header
``{"format": "chainmatch-dump", "format_version": 1, ...}`` then
``{"entity": "organisations", "record": {...}}`` lines in dependency order
(regions, clusters, chains, segments, segment edges, organisations, links).
Loading gives one :class:`~graph.store.protocol.Batch`, so an import is one
transaction: all or nothing, and re-importing the same dump changes nothing.

Examples
--------
>>> import io
>>> from graph.model import Organisation, OrgKind, Provenance
>>> from graph.store.sqlite import SqliteStore
>>> a = SqliteStore.memory()
>>> _ = a.write(Batch(organisations=[Organisation("org:a", OrgKind.FIRM, "甲", Provenance("t"))]))
>>> buf = io.StringIO()
>>> dump(a, buf)
{'regions': 0, 'clusters': 0, 'chains': 0, 'segments': 0, 'segment_edges': 0, 'organisations': 1, 'links': 0}
>>> b = SqliteStore.memory()
>>> _ = buf.seek(0)
>>> b.write(load(buf)).inserted
{'organisations': 1}
>>> copy(a, b).changed
0
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO

from graph.errors import InvalidInput, Problem
from graph.io.jsonread import loads as json_loads
from graph.model import (
    Chain,
    Cluster,
    Link,
    Organisation,
    Region,
    Segment,
    SegmentEdge,
    from_dict,
    to_dict,
)
from graph.store.protocol import Batch, GraphStore, WriteResult

__all__ = ["FORMAT", "ENTITIES", "batch_of", "dump", "load", "copy"]

FORMAT = "chainmatch-dump"
_FORMAT_VERSION = 1
#: dump order and the record class of each entity
ENTITIES: dict[str, type] = {
    "regions": Region,
    "clusters": Cluster,
    "chains": Chain,
    "segments": Segment,
    "segment_edges": SegmentEdge,
    "organisations": Organisation,
    "links": Link,
}


def batch_of(store: GraphStore) -> Batch:
    """Every record of ``store`` as one batch."""
    return Batch(
        regions=store.regions(),
        clusters=store.clusters(),
        chains=store.chains(),
        segments=store.segments(),
        segment_edges=store.segment_edges(),
        organisations=list(store.organisations()),
        links=list(store.links()),
    )


def _lines(batch: Batch, header: dict) -> Iterable[str]:
    yield json.dumps(header, ensure_ascii=False, sort_keys=True)
    for entity in ENTITIES:
        for rec in getattr(batch, entity):
            yield json.dumps({"entity": entity, "record": to_dict(rec)}, ensure_ascii=False, sort_keys=True)


def dump(store: GraphStore, fh: IO[str]) -> dict[str, int]:
    """Write every record of ``store`` to ``fh``; return the count per entity."""
    batch = batch_of(store)
    header = {"format": FORMAT, "format_version": _FORMAT_VERSION, "store_version": store.version()}
    for line in _lines(batch, header):
        fh.write(line + "\n")
    return {entity: len(getattr(batch, entity)) for entity in ENTITIES}


def load(fh: IO[str], name: str = "dump") -> Batch:
    """Read a dump into one batch; ``InvalidInput`` lists every bad line."""
    batch = Batch()
    problems: list[Problem] = []
    header_seen = False
    for row, line in enumerate(fh, 1):
        if not line.strip():
            continue
        try:
            obj = json_loads(line, name, row)
        except json.JSONDecodeError as e:
            problems.append(Problem(name, row, None, f"not JSON: {e.msg}"))
            continue
        except InvalidInput as e:
            problems.extend(e.problems)
            continue
        if not header_seen:
            header_seen = True
            if not isinstance(obj, dict) or obj.get("format") != FORMAT:
                problems.append(Problem(name, row, "format", f"not a {FORMAT} file (no header line)"))
                break
            if obj.get("format_version") != _FORMAT_VERSION:
                problems.append(Problem(name, row, "format_version",
                                        f"format_version {obj.get('format_version')!r}, expected {_FORMAT_VERSION}"))
                break
            continue
        entity = obj.get("entity") if isinstance(obj, dict) else None
        if entity not in ENTITIES:
            problems.append(Problem(name, row, "entity", f"unknown entity {entity!r}"))
            continue
        try:
            getattr(batch, entity).append(from_dict(ENTITIES[entity], obj["record"]))
        except (KeyError, TypeError, ValueError) as e:
            problems.append(Problem(name, row, "record", f"bad {entity} record: {e}"))
    if not header_seen and not problems:
        problems.append(Problem(name, None, None, "empty file"))
    if problems:
        raise InvalidInput(
            f"{len(problems)} problem(s) in {name}; nothing imported",
            f"{name} 中有 {len(problems)} 处问题，未导入任何数据",
            problems,
        )
    return batch


def copy(src: GraphStore, dst: GraphStore) -> WriteResult:
    """Write every record of ``src`` into ``dst`` in one transaction."""
    return dst.write(batch_of(src))
