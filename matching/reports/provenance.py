"""The records behind a report: fetching them and what their provenance says.

:func:`summarise` states the data's as-of dates (earliest, latest, most
common) and how many fields are estimated rather than reported (the
``estimated`` field names of each record's
:class:`~graph.model.Provenance`), over exactly the organisations and links
a report cites. :func:`store_records` fetches those records from a store.

Examples
--------
>>> from graph.model import Link, LinkKind, Organisation, OrgKind, Provenance
>>> a = Organisation("org:a", OrgKind.FIRM, "甲", Provenance("demo", "2026-01-01", ("employees", "revenue_band")))
>>> b = Organisation("org:b", OrgKind.FIRM, "乙", Provenance("demo", "2026-03-01"))
>>> x = Link("link:1", LinkKind.SUPPLIES, "org:a", "org:b", Provenance("demo", "2026-03-01", ("weight",)))
>>> s = summarise([a, b], [x])
>>> s["as_of_min"], s["as_of_max"], s["as_of_mode"], s["as_of_mode_records"]
('2026-01-01', '2026-03-01', '2026-03-01', 2)
>>> s["estimated_fields"], s["estimated_records"], s["estimated_by_field"]
(3, 2, {'employees': 1, 'revenue_band': 1, 'weight': 1})
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

from graph.model import Link, Organisation

__all__ = ["Records", "store_records", "summarise", "evidence_rows"]

#: ``records(org_ids, link_ids) -> (organisations, links)`` found among those ids
Records = Callable[[Iterable[str], Iterable[str]], tuple[list[Organisation], list[Link]]]


def store_records(store) -> Records:
    """A :data:`Records` reading from a :class:`~graph.store.protocol.GraphStore`.

    Links are read per cited organisation (``links(org=…)``); a cited link
    touching no cited organisation falls back to one pass over all links.
    """

    def records(org_ids, link_ids):
        org_ids, link_ids = sorted(set(org_ids)), set(link_ids)
        orgs = list(store.organisations(ids=org_ids)) if org_ids else []
        found: dict[str, Link] = {}
        for o in org_ids if link_ids else ():
            for x in store.links(org=o):
                if x.id in link_ids:
                    found[x.id] = x
        if len(found) < len(link_ids):
            found.update({x.id: x for x in store.links() if x.id in link_ids})
        return orgs, [found[i] for i in sorted(found)]

    return records


def summarise(orgs: Iterable[Organisation], links: Iterable[Link]) -> dict:
    """As-of dates and estimated-field counts over these records (see the module docstring)."""
    orgs, links = list(orgs), list(links)
    dates: Counter[str] = Counter()
    fields: Counter[str] = Counter()
    estimated_records = undated = 0
    for r in [*orgs, *links]:
        p = r.provenance
        if p.as_of:
            dates[p.as_of] += 1
        else:
            undated += 1
        fields.update(p.estimated)
        estimated_records += bool(p.estimated)
    mode = min(dates.items(), key=lambda kv: (-kv[1], kv[0])) if dates else (None, 0)
    sources = Counter(r.provenance.source for r in [*orgs, *links])
    return {
        "organisations": len(orgs), "links": len(links), "records": len(orgs) + len(links),
        "as_of_min": min(dates) if dates else None, "as_of_max": max(dates) if dates else None,
        "as_of_mode": mode[0], "as_of_mode_records": mode[1], "undated_records": undated,
        "estimated_fields": sum(fields.values()), "estimated_records": estimated_records,
        "reported_records": len(orgs) + len(links) - estimated_records,
        "estimated_by_field": dict(sorted(fields.items())),
        "sources": dict(sources.most_common()),
    }


def evidence_rows(orgs: Iterable[Organisation], links: Iterable[Link], segments: Iterable[dict]) -> list[dict]:
    """One row per cited record: organisations, links, and segments (dicts with ``segment``,
    ``name_zh``, ``name_en``, ``stage``), for the evidence sheet."""
    rows = []
    for o in orgs:
        rows.append({"id": o.id, "type": o.kind.value, "name": o.display_name or o.id, "region": o.region or "",
                     "detail": "、".join(o.tiers), "as_of": o.provenance.as_of or "", "source": o.provenance.source,
                     "estimated": list(o.provenance.estimated)})
    for x in links:
        rows.append({"id": x.id, "type": x.kind.value, "name": f"{x.src} → {x.dst}", "region": "",
                     "detail": f"weight {x.weight:g}" + (f", since {x.since}" if x.since else ""),
                     "facts": {"weight": x.weight, "since": x.since},
                     "as_of": x.provenance.as_of or "", "source": x.provenance.source,
                     "estimated": list(x.provenance.estimated)})
    for s in segments:
        rows.append({"id": s["segment"], "type": "segment", "name": s["name_zh"] or s["name_en"], "region": "",
                     "detail": s.get("stage") or "", "as_of": "", "source": "chain model", "estimated": []})
    return rows
