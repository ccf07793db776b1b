"""Reference and identity checks every store runs before it writes a batch.

Pure: takes the batch and the ids the store already has, returns problems.

Examples
--------
>>> from graph.model import Link, LinkKind, Provenance
>>> b = Batch(links=[Link("l1", LinkKind.SUPPLIES, "a", "b", Provenance("t"))])
>>> [p.reason for p in check_batch(b, {"organisations": {"a"}, "segments": set()})]
["unknown organisation 'b'"]
>>> b = Batch(links=[Link("l1", LinkKind.SUPPLIES, "a", "b", Provenance("\u3000=HYPERLINK(1)"))])
>>> [(p.field, p.reason[:27]) for p in check_batch(b, {"organisations": {"a", "b"}, "segments": set()})]
[('provenance.source', 'looks like a spreadsheet fo')]
"""

from __future__ import annotations

import dataclasses
from collections import Counter

from graph.errors import Problem
from graph.io.cells import cell_problem_zh, record_problems
from graph.io.columns import valid_usccs
from graph.model import MembershipStatus, Organisation, Provenance, RegStatus, uscc_problem
from graph.store.protocol import Batch

__all__ = ["check_batch", "merge_organisation", "remap_batch", "unplace_moved"]


def check_batch(batch: Batch, known: dict[str, set[str]], *, texts: bool = True) -> list[Problem]:
    """Every problem with ``batch`` given the ids ``known`` to the store.

    ``known`` has keys ``organisations`` and ``segments`` and, optionally,
    ``uscc_owners`` (stored USCC → organisation id) and ``ends_stored`` (true
    when every link's two ends are known to be stored organisations:
    :func:`graph.store.writeplan.known`). Rows in the
    problems are 1-based positions in the batch's list for that entity.
    ``texts=False`` leaves out the cell guard's walk over every record's
    texts: the write pipeline runs that on each canonical document as it
    makes it (:func:`graph.store.writeplan.plan`), and asks again with
    ``texts=True`` for the whole list when one is refused.
    """
    problems: list[Problem] = []
    for name in ("regions", "clusters", "chains", "segments", "segment_edges", "organisations", "links"):
        # every text of every record, nested ones too (financing[].round, sites[].address,
        # provenance.source): the importer's cell guard, for worlds, dumps and API bodies alike
        for i, rec in enumerate(getattr(batch, name) if texts else (), 1):
            problems.extend(Problem(name, i, field, why, cell_problem_zh(why)) for field, why in record_problems(rec))
    for name in ("regions", "clusters", "chains", "segments", "organisations", "links"):
        records = getattr(batch, name)
        ids = [r.id for r in records]
        distinct = set(ids)
        if (len(distinct) == len(ids) and "" not in distinct and None not in distinct
                and not any(map(str.isspace, distinct))):
            continue  # no repeated and no empty id: nothing to say per record
        counts = Counter(ids)
        for i, rec in enumerate(records, 1):
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
    owners = known.get("uscc_owners", {})
    # many codes (an import): their check digits all at once; the rest, and any refused, one by one
    valid = valid_usccs(usccs) if len(usccs) >= 1000 else ()
    for i, o in enumerate(batch.organisations, 1):
        if not (o.name_zh or o.name_en).strip():
            problems.append(Problem("organisations", i, "name_zh", "an organisation needs a name"))
        if o.uscc:
            why = None if o.uscc in valid else uscc_problem(o.uscc)
            if why:
                problems.append(Problem("organisations", i, "uscc", why))
            elif usccs[o.uscc] > 1:
                problems.append(Problem("organisations", i, "uscc", f"USCC {o.uscc} appears twice in the batch"))
            elif owners.get(o.uscc, o.id) != o.id:
                problems.append(Problem("organisations", i, "uscc",
                                        f"USCC {o.uscc} already belongs to organisation {owners[o.uscc]!r}"))
        for m in o.segments:
            seg_ref("organisations", i, "segments", m.segment)
            if not 0.0 <= m.confidence <= 1.0:
                problems.append(Problem("organisations", i, "segments", f"confidence {m.confidence} outside 0..1"))
    ends_stored = known.get("ends_stored", False)
    for i, x in enumerate(batch.links, 1):
        src, dst = x.src, x.dst
        if not ends_stored:
            if src not in orgs:
                problems.append(Problem("links", i, "src", f"unknown organisation {src!r}"))
            if dst not in orgs:
                problems.append(Problem("links", i, "dst", f"unknown organisation {dst!r}"))
        if src == dst:
            problems.append(Problem("links", i, "dst", "a link cannot join an organisation to itself"))
    return problems


def merge_organisation(stored: Organisation, incoming: Organisation) -> Organisation:
    """Combine a stored organisation with an incoming record deduplicated onto it.

    Used when the ids differ but the USCC (or normalised name + city) says
    they are the same organisation, e.g. a short-name record from one dataset
    meeting the full registered name from another. The stored id is kept;
    incoming scalar fields win when they are set; lists are unioned (stored
    first); the incoming names are kept as keywords when they differ, so
    both spellings stay findable; segment memberships merge by segment, a
    confirmed one never replaced by a prediction. (A record arriving with the
    *same* id replaces the stored one: that is an edit.)

    >>> from graph.model import OrgKind, Provenance
    >>> a = Organisation("a:1", OrgKind.FIRM, "中国银行股份有限公司", Provenance("chainkg"),
    ...                  tiers=("上市公司",), industry="国有大型银行")
    >>> b = Organisation("ickg:9", OrgKind.FIRM, "中国银行", Provenance("ickg"), employees=300000)
    >>> m = merge_organisation(a, b)
    >>> m.id, m.name_zh, m.tiers, m.industry, m.employees, m.keywords
    ('a:1', '中国银行股份有限公司', ('上市公司',), '国有大型银行', 300000, ('中国银行',))

    A record naming the stored name as its 曾用名 renames the stored organisation:

    >>> new = Organisation("x:2", OrgKind.FIRM, "中银股份有限公司", Provenance("qcc"),
    ...                    former_names=("中国银行股份有限公司",))
    >>> m = merge_organisation(a, new)
    >>> m.id, m.name_zh, m.former_names, m.keywords
    ('a:1', '中银股份有限公司', ('中国银行股份有限公司',), ())
    """
    updates: dict = {}
    for f in dataclasses.fields(Organisation):
        name = f.name
        if name in ("id", "name_zh", "name_en", "segments", "provenance", "kind"):
            continue
        old, new = getattr(stored, name), getattr(incoming, name)
        if isinstance(old, tuple):
            updates[name] = old + tuple(x for x in new if x not in old)
        elif new not in (None, "", 0):
            updates[name] = new
    # a record whose 曾用名 is the stored name is the newer one: its name becomes the name,
    # the stored one a former name; a record under a stored former name keeps the stored name
    renamed = bool(stored.name_zh) and stored.name_zh in incoming.former_names and bool(incoming.name_zh)
    name_zh = incoming.name_zh if renamed else stored.name_zh or incoming.name_zh
    former = tuple(n for n in updates["former_names"] + (stored.name_zh,) * renamed if n != name_zh)
    updates["former_names"] = tuple(dict.fromkeys(former))
    aliases = tuple(
        n for n in (incoming.name_zh, incoming.name_en)
        if n and n not in (name_zh, stored.name_en) and n not in updates["former_names"]
    )
    updates["keywords"] = updates["keywords"] + tuple(a for a in aliases if a not in updates["keywords"])
    updates["name_zh"] = name_zh
    updates["name_en"] = stored.name_en or incoming.name_en
    segs = {m.segment: m for m in stored.segments}
    for m in incoming.segments:
        old = segs.get(m.segment)
        if old is None or old.status is not MembershipStatus.CONFIRMED:
            segs[m.segment] = m
    updates["segments"] = tuple(segs.values())
    est = tuple(dict.fromkeys(stored.provenance.estimated + incoming.provenance.estimated))
    sources = stored.provenance.source
    if incoming.provenance.source not in sources.split("+"):
        sources = f"{sources}+{incoming.provenance.source}"
    as_of = max(filter(None, (stored.provenance.as_of, incoming.provenance.as_of)), default=None)
    updates["provenance"] = Provenance(sources, as_of, est)
    return dataclasses.replace(stored, **updates)


def remap_batch(batch: Batch, merged: dict[str, str], stored: dict[str, Organisation]) -> Batch:
    """The batch with deduplicated organisations merged onto the stored ones.

    ``merged`` maps incoming ids to stored ids; ``stored`` holds those stored
    records. Links are re-pointed at the stored ids.
    """
    out = Batch(**{k: list(getattr(batch, k)) for k in batch.__dataclass_fields__})
    combined: dict[str, Organisation] = {}  # several incoming records may fold onto one
    for o in batch.organisations:
        if o.id in merged:
            target = merged[o.id]
            combined[target] = merge_organisation(combined.get(target, stored[target]), o)
    out.organisations = []  # keep batch order: a merged record sits where it first appeared
    for o in batch.organisations:
        if o.id not in merged:
            out.organisations.append(o)
        elif (target := merged[o.id]) in combined:
            out.organisations.append(combined.pop(target))
    out.links = [
        dataclasses.replace(x, src=merged.get(x.src, x.src), dst=merged.get(x.dst, x.dst))
        if x.src in merged or x.dst in merged
        else x
        for x in batch.links
    ]
    return out


def unplace_moved(batch: Batch) -> Batch:
    """The batch with every moved-out (迁出) organisation written without a region.

    A 迁出 firm's region is where it was registered before it left; where it
    went is unknown. Left there, it would count as local capacity (and a local
    tie) in a region it has moved out of, so every store writes it with no
    region (its address is kept as written), whichever path the record came by.

    >>> from graph.model import OrgKind
    >>> o = Organisation("o", OrgKind.FIRM, "甲", Provenance("t", None, ("region",)), region="cn/jiangsu/nanjing",
    ...                  status=RegStatus.MOVED_OUT, region_source="address", address="南京市江宁区")
    >>> m = unplace_moved(Batch(organisations=[o])).organisations[0]
    >>> m.region, m.region_source, m.provenance.estimated, m.address
    (None, '', (), '南京市江宁区')
    """
    if not any(o.status is RegStatus.MOVED_OUT and o.region for o in batch.organisations):
        return batch
    out = dataclasses.replace(batch, organisations=list(batch.organisations))
    for i, o in enumerate(out.organisations):
        if o.status is RegStatus.MOVED_OUT and o.region:
            prov = dataclasses.replace(o.provenance, estimated=tuple(f for f in o.provenance.estimated if f != "region"))
            out.organisations[i] = dataclasses.replace(o, region=None, region_source="", provenance=prov)
    return out
