"""A firm profile (企业画像): one organisation with its segments, ties, sites and why it is a target, by name.

:func:`firm_profile` reads the store and asks ``rank(segment)`` — the
targets ranking the targets table shows (``Engines.targets_page``) — for the
firm's place in each of its segments that are gaps in the region. Everything
an id points to comes with its Chinese and English name, so a page built on it
never shows an id.

Examples
--------
>>> tie_role("supplies", outgoing=False), tie_role("supplies", outgoing=True), tie_role("partners", outgoing=True)
('supplier', 'customer', 'partner')
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from graph.display import region_name, source_name, status_note
from graph.model import Organisation, to_dict
from graph.store.protocol import GraphStore

__all__ = ["firm_profile", "profile", "tie_role", "is_local", "MAX_TIES"]

#: ties listed per kind (suppliers, customers, other); ``ties_total`` counts them all
MAX_TIES = 200

#: what the other end of a link is to the profiled firm: (when the firm is the link's src, when it is its dst)
_ROLES = {
    "supplies": ("customer", "supplier"),
    "invests": ("investee", "investor"),
    "parent_of": ("subsidiary", "parent"),
    "acquires": ("acquired", "acquirer"),
    "partners": ("partner", "partner"),
    "joint_venture": ("joint_venture", "joint_venture"),
    "competes": ("competitor", "competitor"),
    "located_in_park": ("park", "tenant"),
    "incubated_by": ("incubator", "incubatee"),
}


def tie_role(kind: str, *, outgoing: bool) -> str:
    """What the other organisation of a ``kind`` link is to the firm (``outgoing``: the firm is the src)."""
    pair = _ROLES.get(kind, (kind, kind))
    return pair[0] if outgoing else pair[1]


def _within(rid: str | None, region: str) -> bool:
    return bool(rid) and (rid == region or rid.startswith(region + "/"))


def is_local(org: Organisation, region: str) -> bool:
    """Registered in ``region`` (or below it) or with a site there: local capacity, not a target.

    >>> from graph.model import Provenance, Site, SiteKind
    >>> o = Organisation(id="org:x", kind="firm", name_zh="甲", region="cn/shanghai/shanghai", provenance=Provenance("t"),
    ...                  sites=(Site("cn/guangdong/shenzhen/nanshan", SiteKind.BRANCH),))
    >>> is_local(o, "cn/guangdong/shenzhen"), is_local(o, "cn/guangdong/guangzhou")
    (True, False)
    """
    return _within(org.region, region) or any(_within(s.region, region) for s in org.sites)


def _names(rec) -> dict:
    return {"name_zh": rec.name_zh or rec.name_en or rec.id, "name_en": rec.name_en or rec.name_zh or rec.id}


def _region(rid: str | None) -> dict:
    return {"region_zh": region_name(rid, "zh"), "region_en": region_name(rid, "en")}


def _ties(store: GraphStore, org_id: str) -> tuple[dict[str, list[dict]], int, list]:
    links = list(store.links(org=org_id))
    others = {x.dst if x.src == org_id else x.src for x in links}
    known = {o.id: o for o in store.organisations(ids=others)} if others else {}
    out: dict[str, list[dict]] = {"suppliers": [], "customers": [], "ties": []}
    sources: list = []
    for x in sorted(links, key=lambda x: (x.since or "", x.id), reverse=True):
        outgoing = x.src == org_id
        other = x.dst if outgoing else x.src
        role = tie_role(x.kind.value, outgoing=outgoing)
        rec = known.get(other)
        sources.append(x.provenance)
        group = "suppliers" if role == "supplier" else "customers" if role == "customer" else "ties"
        if len(out[group]) >= MAX_TIES:
            continue
        out[group].append({
            "link": x.id, "kind": x.kind.value, "role": role, "org": other,
            **(_names(rec) if rec else {"name_zh": other, "name_en": other}),
            **_region(rec.region if rec else None),
            "since": x.since, "source": x.provenance.source, "as_of": x.provenance.as_of,
            "weight": x.weight, "confidence": x.confidence,
        })
    return out, len(links), sources


def _sources(org: Organisation, links: list) -> list[dict]:
    """Where the record and its links come from: per (what, source) how many, and the dates' range.

    >>> from graph.model import OrgKind, Provenance as P
    >>> o = Organisation(id="org:x", kind=OrgKind.FIRM, name_zh="甲", provenance=P("企查查", "2026-05-01"))
    >>> _sources(o, [P("客户名单", "2025-01-02"), P("客户名单", "2024-03-01"), P("客户名单")])[1]
    {'what': 'links', 'source': '客户名单', 'records': 3, 'first': '2024-03-01', 'last': '2025-01-02', 'name_zh': '客户名单', 'name_en': '客户名单'}
    >>> _sources(o, [P("file:links.csv")])[1]["name_en"]
    'imported file links.csv'
    """
    out = [{"what": "organisation", "source": org.provenance.source, "records": 1,
            "first": org.provenance.as_of, "last": org.provenance.as_of}]
    by: dict[str, list] = {}
    for p in links:
        by.setdefault(p.source, []).append(p.as_of)
    for source, dates in sorted(by.items()):
        known = sorted(d for d in dates if d)
        out.append({"what": "links", "source": source, "records": len(dates),
                    "first": known[0] if known else None, "last": known[-1] if known else None})
    for x in out:  # the source as a person reads it (graph.display.source_name), the key kept beside it
        x["name_zh"], x["name_en"] = source_name(x["source"], "zh"), source_name(x["source"], "en")
    return out


def firm_profile(store: GraphStore, org_id: str, *, region: str | None = None,
                 gaps: Mapping[str, str] | Iterable[str] = (),
                 rank: Callable[[str], Iterable] | None = None, landed: Iterable[str] = (),
                 status: str | None = None) -> dict:
    """The profile of ``org_id`` as a JSON-ready dict (the shape of ``api.schemas.profile.ProfilePublic``).

    ``region`` (an id) and ``gaps`` (the region's gap segments, ids, or ids → gap kind) say for whom the firm is a target;
    ``rank(segment)`` returns that segment's ranked targets (objects with ``org`` and ``as_dict()``), of
    which the firm's entry is kept; ``landed``: firms local by a landed outcome; ``status``: the firm's latest
    recorded outcome in the region (contacted, accepted …), kept on each entry. ``NotFound`` if unknown.
    """
    org = store.organisation(org_id)
    segs = {s.id: s for s in store.segments()}
    chains_of: dict[str, list] = {}
    for c in store.chains():
        for s in c.segments:
            chains_of.setdefault(s, []).append(c)
    segments = []
    for m in sorted(org.segments, key=lambda m: (m.status.value != "confirmed", -m.confidence, m.segment)):
        s = segs.get(m.segment)
        segments.append({
            "segment": m.segment, **(_names(s) if s else {"name_zh": m.segment, "name_en": m.segment}),
            "chains_zh": [c.name_zh for c in chains_of.get(m.segment, [])],
            "chains_en": [c.name_en or c.name_zh for c in chains_of.get(m.segment, [])],
            "status": m.status.value, "confidence": m.confidence, "evidence": m.evidence.value,
        })
    ties, total, link_sources = _ties(store, org_id)
    target = None
    if region is not None:
        local = is_local(org, region) or org_id in set(landed)
        closed = org.closed or org.status.value == "moved_out"
        mine = [m.segment for m in org.segments]
        kinds = {k: str(v) for k, v in gaps.items()} if isinstance(gaps, Mapping) else {}
        wanted = [s for s in dict.fromkeys(gaps) if s in mine]
        items = []
        if rank is not None and not local and not closed:
            for s in wanted:
                found = next((t for t in rank(s) if t.org == org_id), None)
                if found is not None:
                    item = found.as_dict()
                    item["gap"] = item.get("gap") or kinds.get(s)
                    item["status"] = status
                    items.append(item)
            items.sort(key=lambda t: -t["total"])
        target = {"region": region, **_region(region), "local": local, "closed": closed, "items": items,
                  "gaps": wanted}
    notes = {f"status_note_{lang}": status_note(org.status.value, org.status_detail, org.status_date, lang)
             for lang in ("zh", "en")}
    return {
        "organisation": to_dict(org) | notes, **_region(org.region),
        "segments": segments,
        "sites": [{"region": s.region, **_region(s.region), "kind": s.kind.value, "since": s.since}
                  for s in org.sites],
        **ties, "ties_total": total, "target": target,
        "sources": _sources(org, link_sources),
    }



def profile(engines, store: GraphStore, ws, org_id: str, *, region: str | None = None,
            chain: str | None = None) -> dict:
    """:func:`firm_profile` with the engine room's gaps and targets ranking: what ``chainmatch profile`` and
    ``GET /organisations/{id}/profile`` both return. ``region`` is a region id; ``chain`` an id or name whose
    gaps count (None: every chain)."""
    from matching.engines import MAX_DEPTH

    org = store.organisation(org_id)  # NotFound before any analysis
    gaps, rank, landed, status = {}, None, (), None
    if region is not None and org.segments:
        latest = ws.current(region).get(org_id)
        status = latest.status if latest is not None else None
        found = engines.analyse(store, lambda a: a.gaps(region, chain or None))
        gaps = {g.segment: getattr(g.kind, "value", g.kind) for g in found.gaps}
        landed = ws.landed(region)

        def rank(segment):
            return engines.targets_page(store, ws, region, segment=segment, limit=MAX_DEPTH).items

    return firm_profile(store, org_id, region=region, gaps=gaps, rank=rank, landed=landed, status=status)
