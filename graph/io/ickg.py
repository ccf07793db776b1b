"""Import the ICKG subset (Industrial Chain Knowledge Graph, ``WayneYin9/ICKG``).

The files are id maps (``entity2id.txt``, ``relation2id.txt``, ``time2id.txt``)
and (head, relation, tail, time) facts split by date into ``train.txt``,
``valid.txt`` and ``test.txt`` (see :mod:`graph.io.facts`).

Entity types
------------
There is no type column; types follow from the relations:

- **segments** (industries): tails of 归属于行业 / 涉足行业, and heads and tails
  of 上游于 / 包含. On the public subset the heads of 上游于 and 包含 that are
  never a membership tail (铜加工行业, 高粱种植, 电解铝, 磷化工, 机电产品,
  基金行业, ...) are industries, activities or product groups, never firms
  (none of them is an endpoint of a firm relation), so they are segments too.
- **patents**: tails of 持有专利 (the subset has one placeholder, CN11223344).
- **organisations**: every other entity that occurs in a fact. The kind is
  ``firm`` except names ending in 大学/学院 (``university``) or 资本/创投/基金
  (``fund``). Entities that occur in no fact (479 in the subset: products and
  activities) are not imported.

What each relation becomes, and what its "count" is
---------------------------------------------------------
Every count below is over **distinct (head, relation, tail) triples**; a triple
seen at several dates is one record whose ``since`` is the first date.

- 供给 / 合作 / 投资 / 合资 / 母公司/控股 / 并购 / 竞争 → one :class:`Link`
  (supplies / partners / invests / joint_venture / parent_of / acquires /
  competes) per triple, id ``ickg:<h>:<r>:<t>``, head → tail as stated (the
  source is not consistent about the direction of 母公司/控股), ``since`` =
  first date, ``as_of`` = last date, source ``ickg:<split of the first>``.
  合作 and 竞争 stay directed: (a, b) and (b, a) are two triples, two links.
- 归属于行业 → confirmed :class:`Membership` (evidence confirmed, 1.0).
- 涉足行业 → confirmed Membership, evidence medium, confidence 0.6; a pair
  that also has 归属于行业 keeps only the stronger one and the 涉足行业 triple
  is counted as dropped ``superseded``.
- 上游于 → :class:`SegmentEdge` head → tail, weight = number of observations.
- 包含 → ``Segment.parent`` of the tail = the head of its earliest triple;
  later containers are dropped ``extra_parent`` (listed in
  ``stats["extra_parents"]``) and a container that would close a parent cycle
  is dropped ``cycle``. Containment is *not* stored as a SegmentEdge: edges
  mean "supplies", and mixing the two would corrupt gap analysis. (On the
  subset only 266 of 781 triples fit one tree; a multi-parent "broader"
  relation would need a model change.)
- 持有专利 → ``Organisation.patents`` += 1 per distinct patent.

Triples are also dropped as ``self_loop`` (head == tail, e.g. 46 firms that are
their own 母公司/控股) or ``type_mismatch`` (endpoint of the wrong type). For
every relation ``stats["relations"][name]`` holds ``facts`` (lines in the
files), ``triples`` (distinct), ``written`` and ``dropped`` by reason, and
``triples == written + sum(dropped.values())``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

from graph.io.facts import Observed, observe, read_facts, read_id_map, read_time_map
from graph.model import (
    EvidenceGrade,
    Format,
    Link,
    LinkKind,
    Membership,
    Organisation,
    OrgKind,
    Provenance,
    Segment,
    SegmentEdge,
    Stage,
)
from graph.store.protocol import Batch

__all__ = ["load_ickg", "type_entities", "LINK_RELATIONS", "MEMBERSHIP_RELATIONS", "SPLITS"]

SOURCE = "ickg"
SPLITS = ("train", "valid", "test")
LINK_RELATIONS: dict[str, LinkKind] = {
    "供给": LinkKind.SUPPLIES,
    "合作": LinkKind.PARTNERS,
    "投资": LinkKind.INVESTS,
    "合资": LinkKind.JOINT_VENTURE,
    "母公司/控股": LinkKind.PARENT_OF,
    "并购": LinkKind.ACQUIRES,
    "竞争": LinkKind.COMPETES,
}
# strongest first: a pair with both keeps the first listed
MEMBERSHIP_RELATIONS: dict[str, tuple[EvidenceGrade, float]] = {
    "归属于行业": (EvidenceGrade.CONFIRMED, 1.0),
    "涉足行业": (EvidenceGrade.MEDIUM, 0.6),
}
UPSTREAM, CONTAINS, HOLDS_PATENT = "上游于", "包含", "持有专利"

SEG, ORG, PATENT = "segment", "organisation", "patent"
_EXPECT = {r: (ORG, ORG) for r in LINK_RELATIONS}
_EXPECT |= {r: (ORG, SEG) for r in MEMBERSHIP_RELATIONS}
_EXPECT |= {UPSTREAM: (SEG, SEG), CONTAINS: (SEG, SEG), HOLDS_PATENT: (ORG, PATENT)}
_KIND_SUFFIXES = ((("大学", "学院"), OrgKind.UNIVERSITY), (("资本", "创投", "基金"), OrgKind.FUND))
_SEG_SUFFIXES = ("行业", "产业", "领域")

Triple = tuple[int, int, int]


def type_entities(triples: list[tuple[int, str, int]]) -> dict[int, str]:
    """Type each entity of ``(head, relation name, tail)`` triples (see module doc).

    Examples
    --------
    >>> t = type_entities([(1, "归属于行业", 2), (3, "上游于", 2), (1, "持有专利", 4), (1, "竞争", 5)])
    >>> [t[i] for i in range(1, 6)]
    ['organisation', 'segment', 'segment', 'patent', 'organisation']
    """
    segs = {t for h, r, t in triples if r in MEMBERSHIP_RELATIONS}
    segs |= {x for h, r, t in triples if r in (UPSTREAM, CONTAINS) for x in (h, t)}
    patents = {t for h, r, t in triples if r == HOLDS_PATENT} - segs
    out = {x: ORG for h, _r, t in triples for x in (h, t)}
    out.update(dict.fromkeys(patents, PATENT))
    out.update(dict.fromkeys(segs, SEG))
    return out


def _org_kind(name: str) -> OrgKind:
    for suffixes, kind in _KIND_SUFFIXES:
        if name.endswith(suffixes):
            return kind
    return OrgKind.FIRM


def _ascii(name: str) -> str:
    return name if name.isascii() else ""


def load_ickg(
    directory: Path | str, *, infer_region: Callable[[str], str | None] | None = None
) -> tuple[Batch, dict]:
    """Read an ICKG directory into a :class:`Batch` and accounting ``stats``.

    Parameters
    ----------
    directory
        Holds ``entity2id.txt``, ``relation2id.txt``, ``time2id.txt`` and the
        ``train``/``valid``/``test`` fact files.
    infer_region
        Company name → region id or ``None``; defaults to
        :func:`graph.regions.infer_region_from_name`. Inferred regions are
        marked estimated in the provenance.

    Returns
    -------
    batch, stats
        ``stats["relations"][name]`` gives ``facts``, ``triples``, ``written``
        and ``dropped`` (by reason) per relation; see the module docstring.

    Raises
    ------
    InvalidInput
        A file is missing or a line is malformed or names an unknown id.
    """
    if infer_region is None:
        from graph.regions import infer_region_from_name as infer_region
    directory = Path(directory)
    entities = read_id_map(directory / "entity2id.txt")
    relations = read_id_map(directory / "relation2id.txt")
    times = read_time_map(directory / "time2id.txt")
    facts = [
        f for s in SPLITS for f in read_facts(directory / f"{s}.txt", entities, relations, times)
    ]
    seen = observe(facts)
    order = {s: i for i, s in enumerate(SPLITS)}
    triples = sorted(seen, key=lambda k: (seen[k].first, order.get(seen[k].first_split, 9), k))
    types = type_entities([(h, relations[r], t) for h, r, t in triples])

    per_rel = {
        name: {"facts": 0, "triples": 0, "written": 0, "dropped": Counter()}
        for name in relations.values()
    }
    for f in facts:
        per_rel[relations[f.relation]]["facts"] += 1
    last_seen: dict[int, str] = {}
    kept: dict[str, list[Triple]] = defaultdict(list)
    for key in triples:
        h, r, t = key
        name = relations[r]
        rs = per_rel[name]
        rs["triples"] += 1
        for x in (h, t):
            last_seen[x] = max(last_seen.get(x, ""), seen[key].last)
        if name not in _EXPECT:
            rs["dropped"]["unknown_relation"] += 1
        elif h == t:
            rs["dropped"]["self_loop"] += 1
        elif (types[h], types[t]) != _EXPECT[name]:
            rs["dropped"]["type_mismatch"] += 1
        else:
            kept[name].append(key)

    links = [
        _link(key, LINK_RELATIONS[name], seen[key])
        for name in LINK_RELATIONS
        for key in kept.get(name, [])
    ]
    for name in LINK_RELATIONS.keys() & per_rel.keys():
        per_rel[name]["written"] = len(kept.get(name, []))
    members = _memberships(kept, per_rel)
    parents, extra = _parents(kept.get(CONTAINS, []), relations, per_rel)
    edges = [
        SegmentEdge(f"ickg:seg:{h}", f"ickg:seg:{t}", float(seen[(h, r, t)].count), SOURCE)
        for h, r, t in kept.get(UPSTREAM, [])
    ]
    if UPSTREAM in per_rel:
        per_rel[UPSTREAM]["written"] = len(edges)
    patents = Counter(h for h, _r, _t in kept.get(HOLDS_PATENT, []))
    if HOLDS_PATENT in per_rel:
        per_rel[HOLDS_PATENT]["written"] = sum(patents.values())

    segments = [
        Segment(
            id=f"ickg:seg:{e}",
            name_zh=entities[e],
            name_en=_ascii(entities[e]),
            stage=Stage.MIDSTREAM,
            format=Format.OTHER,
            parent=f"ickg:seg:{parents[e]}" if e in parents else None,
            keywords=_seg_keywords(entities[e]),
            source=SOURCE,
        )
        for e in sorted(x for x, k in types.items() if k == SEG)
    ]
    orgs = []
    for e in sorted(x for x, k in types.items() if k == ORG):
        name = entities[e]
        region = infer_region(name)
        orgs.append(
            Organisation(
                id=f"ickg:org:{e}",
                kind=_org_kind(name),
                name_zh=name,
                name_en=_ascii(name),
                provenance=Provenance(SOURCE, last_seen[e], ("region",) if region else ()),
                region=region,
                segments=members.get(e, ()),
                patents=patents.get(e, 0),
            )
        )
    batch = Batch(segments=segments, segment_edges=edges, organisations=orgs, links=links)
    kinds = Counter(types.values())
    stats = {
        "entities": len(entities),
        "entities_unused": len(entities) - len(types),
        "segments": kinds[SEG],
        "organisations": kinds[ORG],
        "patents": kinds[PATENT],
        "organisations_with_region": sum(o.region is not None for o in orgs),
        "facts": len(facts),
        "triples": len(seen),
        "first_date": min((f.date for f in facts), default=None),
        "last_date": max((f.date for f in facts), default=None),
        "relations": {n: {**v, "dropped": dict(v["dropped"])} for n, v in per_rel.items()},
        "extra_parents": extra,
        "links": len(links),
        "memberships": sum(len(m) for m in members.values()),
        "segment_edges": len(edges),
    }
    return batch, stats


def _link(key: Triple, kind: LinkKind, obs: Observed) -> Link:
    h, r, t = key
    return Link(
        id=f"ickg:{h}:{r}:{t}",
        kind=kind,
        src=f"ickg:org:{h}",
        dst=f"ickg:org:{t}",
        provenance=Provenance(f"{SOURCE}:{obs.first_split}", obs.last),
        since=obs.first,
    )


def _memberships(kept: dict[str, list[Triple]], per_rel: dict) -> dict[int, tuple[Membership, ...]]:
    """Per organisation, one membership per segment: the strongest relation wins."""
    best: dict[tuple[int, int], str] = {}
    for name in MEMBERSHIP_RELATIONS:  # strongest first
        for h, _r, t in kept.get(name, []):
            if (h, t) in best:
                per_rel[name]["dropped"]["superseded"] += 1
            else:
                best[(h, t)] = name
                per_rel[name]["written"] += 1
    out: dict[int, list[Membership]] = defaultdict(list)
    for (h, t), name in sorted(best.items()):
        evidence, confidence = MEMBERSHIP_RELATIONS[name]
        out[h].append(Membership(f"ickg:seg:{t}", confidence, evidence))
    return {h: tuple(ms) for h, ms in out.items()}


def _parents(
    contains: list[Triple], relations: dict[int, str], per_rel: dict
) -> tuple[dict[int, int], list[dict]]:
    """``{child: parent}`` from 包含 triples in date order, without cycles."""
    parent: dict[int, int] = {}
    extra: list[dict] = []
    for h, r, t in contains:
        rs = per_rel[relations[r]]
        if t in parent:
            rs["dropped"]["extra_parent"] += 1
            extra.append({"segment": f"ickg:seg:{t}", "container": f"ickg:seg:{h}"})
            continue
        x = h
        while x in parent and x != t:
            x = parent[x]
        if x == t:
            rs["dropped"]["cycle"] += 1
            continue
        parent[t] = h
        rs["written"] += 1
    return parent, extra


def _seg_keywords(name: str) -> tuple[str, ...]:
    for suffix in _SEG_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return (name[: -len(suffix)],)
    return ()
