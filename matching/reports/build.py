"""The gap-and-target report as plain data: what the renderers draw.

:func:`build_report` asks the chain :class:`~graph.analysis.service.Analyst`
for the chain map, gaps and external dependence of a region, and the
recommendation engine for each gap's top targets (with attraction form; several
gaps ranked by the one rule of :mod:`matching.recommend.gaptargets`),
their introducers (以商招商) and one joint campaign (联合招商) for the best
target of every 补链 gap (every gap when none is 补链). Every number is a
:func:`fig` — ``{"value", "ids", "fmt"}`` — whose ``ids`` are the firm, link
or segment ids it is computed from. The ``provenance`` section counts as-of
dates and estimated fields over exactly the organisations and links the
report cites (:mod:`matching.reports.provenance`), and ``evidence`` lists
those records.

Examples
--------
>>> from fixtures.world import load_world
>>> from graph.analysis.service import Analyst
>>> from graph.store.sqlite import SqliteStore
>>> from matching.recommend.index import ChainIndex
>>> from matching.reports.provenance import store_records
>>> store = SqliteStore.memory()
>>> _ = store.write(load_world()[0])
>>> rep = build_report(Analyst.for_store(store), ChainIndex.from_store(store), store_records(store),
...                    "深圳", "动漫游戏", targets_per_gap=1)
>>> rep["region"]["id"], rep["chain"]["name_zh"]
('cn/guangdong/shenzhen', '动漫游戏')
>>> g = rep["gaps"][0]
>>> g["kind_zh"], g["segment"], g["severity"]["fmt"], g["severity"]["ids"][:1]
('补链', 'seg:game_engine', 'score', ['seg:game_engine'])
>>> t = rep["targets"][0]
>>> t["org"], t["form"], t["introducer"]
('org:f1561', 'rd_centre', 'org:f1345')
>>> rep["provenance"]["records"] == len([e for e in rep["evidence"] if e["type"] != "segment"])
True
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from graph.analysis.chainmap import MapSegment
from graph.analysis.dependence import SupplierShare
from graph.analysis.results import ChainMapResult, DependenceResult, GapsResult, to_json
from graph.display import pick
from graph.resolve import resolve_region
from matching.recommend.campaigns import propose_campaign
from matching.recommend.gaptargets import DEFAULT_PER_GAP, rank_gap_targets
from matching.recommend.introducers import RELATION_ZH, introducers
from matching.reports.provenance import Records, evidence_rows, summarise

__all__ = ["fig", "analyse", "assemble", "build_report", "cited_ids", "STAGES"]

STAGES = ("upstream", "midstream", "downstream")
#: campaign size: the best targets of this many gaps pitched together
CAMPAIGN_TARGETS = 8


def fig(value, ids: Iterable[str], fmt: str = "float") -> dict:
    """A number with the ids it is computed from; ``fmt``: ``int``, ``float``, ``score`` or ``pct``.

    >>> fig(3, ["org:a", "org:b", "org:a"], "int")
    {'value': 3, 'ids': ['org:a', 'org:b'], 'fmt': 'int'}
    """
    value = None if value is None else (int(value) if fmt == "int" else float(value))
    return {"value": value, "ids": list(dict.fromkeys(i for i in ids if i)), "fmt": fmt}


def _parts(parts, ids) -> list[dict]:
    return [{"name": p.name, "value": fig(p.value, ids, "score"), "weight": p.weight,
             "figure": p.figure, "note": p.note, "note_zh": p.note_zh} for p in parts]


def _local_members(ix, rid: str, seg: MapSegment) -> tuple[list[str], list[str]]:
    """Every local member firm of a segment and its tiered ones, largest first, from the index.

    The analysis caps its id lists (25); the index gives them whole. When the
    index disagrees with the analysis's counts, the analysis's lists are kept.
    """
    sid = seg.segment
    if sid not in ix.seg_pos:
        return list(seg.firm_ids), list(seg.tier_firm_ids)
    rows = ix.members(sid)[0]
    rows = np.unique(rows[ix.is_firm()[rows] & ix.local_mask(rid)[rows]])
    rows = sorted(rows.tolist(), key=lambda r: (-ix.employees[r], ix.org_ids[r]))
    firms = [ix.org_ids[r] for r in rows]
    tiered = [ix.org_ids[r] for r in rows if ix.tier[r] > 0]
    if len(firms) != seg.local_firms or len(tiered) != seg.tier_firms:
        return list(seg.firm_ids), list(seg.tier_firm_ids)
    return firms, tiered


def _chain_map(cm: ChainMapResult, ix, rid: str) -> list[dict]:
    order = {s: i for i, s in enumerate(STAGES)}
    rows = []
    for s in sorted(cm.segments, key=lambda s: (order.get(s.stage, 9), -s.local_firms, s.segment)):
        sid = s.segment
        firm_ids, tier_ids = _local_members(ix, rid, s)
        rows.append({
            "segment": sid, "name_zh": s.name_zh, "name_en": s.name_en, "stage": s.stage,
            "status": s.status, "criteria": list(s.criteria),
            "local_firms": fig(s.local_firms, [sid, *firm_ids], "int"),
            "employees": fig(s.employees, [sid, *firm_ids], "int"),
            "tier_firms": fig(s.tier_firms, [sid, *tier_ids], "int"),
            "platforms": fig(len(s.platforms), [sid, *s.platforms], "int"),
            "members_elsewhere": fig(s.members_elsewhere, [sid], "int"),
            "local_supply_share": fig(s.received_local_share, [sid, *firm_ids], "pct"),
        })
    return rows


def _gaps(found: GapsResult) -> list[dict]:
    out = []
    for k, g in enumerate(found.gaps, 1):
        ids = [g.segment, *g.firms, *g.links]
        out.append({"rank": k, "segment": g.segment, "name_zh": g.name_zh, "name_en": g.name_en,
                    "kind": g.kind.value, "kind_zh": g.kind_zh, "criteria": list(g.criteria),
                    "flags": list(g.flags),
                    "severity": fig(g.severity, ids, "score"), "parts": _parts(g.parts, ids),
                    "firms": list(g.firms), "links": list(g.links)})
    return out


def _targets(ix, rid, gaps, k, settings, exclude, extra_local) -> tuple[list[dict], list[dict]]:
    """Top ``k`` targets per gap (the one rule: :mod:`matching.recommend.gaptargets`), each with its form and
    best introducer; introducers of each gap's #1."""
    targets, intros = [], []
    by_segment = {g["segment"]: g for g in gaps}
    ranked = [{"segment": g["segment"], "kind": g["kind"], "severity": g["severity"]["value"]} for g in gaps]
    for group in rank_gap_targets(ix, rid, ranked, per_gap=k, settings=settings, exclude=exclude,
                                  extra_local=extra_local):
        g = by_segment[group.segment]
        for t in group.targets:
            ev = list(t.evidence)
            best = introducers(ix, t.org, rid, k=3 if t.rank == 1 else 1, settings=settings,
                               extra_local=extra_local)
            form = t.form
            targets.append({
                "gap_segment": g["segment"], "gap_name_zh": g["name_zh"], "gap_kind": g["kind"],
                "gap_kind_zh": g["kind_zh"], "rank": t.rank, "org": t.org, "name_zh": t.name_zh,
                "name_en": t.name_en, "region": t.region, "score": fig(t.total, ev, "score"),
                "parts": [{"name": p.name, "value": fig(p.value, ev, "score"), "weight": p.weight,
                           "figure": p.figure, "note": p.note, "note_zh": p.note_zh} for p in t.parts],
                "form": form.form if form else None, "form_zh": form.form_zh if form else None,
                "form_rule": form.rule if form else None, "form_rule_zh": form.rule_zh if form else None,
                "form_evidence": list(form.evidence) if form else [],
                "introducer": best[0].org if best else None,
                "introducer_name": (best[0].name_zh or best[0].name_en) if best else None,
                "introducer_path": list(best[0].path) if best else [],
                "reason_zh": t.reason_zh, "reason_en": t.reason_en, "evidence": ev})
            if t.rank == 1:
                for x in best:
                    intros.append({
                        "gap_segment": g["segment"], "target": t.org, "target_name": t.name_zh or t.name_en,
                        "rank": x.rank, "org": x.org, "name_zh": x.name_zh, "name_en": x.name_en,
                        "region": x.region, "kind": x.kind, "relations": list(x.relations),
                        "relations_zh": [RELATION_ZH.get(r, r) for r in x.relations], "via": x.via,
                        "score": fig(x.total, x.evidence, "score"), "path": list(x.path),
                        "reason_zh": x.reason_zh, "reason_en": x.reason_en})
    return targets, intros


def _campaign(ix, rid, gaps, targets, extra_local) -> dict | None:
    firsts = {t["gap_segment"]: t["org"] for t in targets if t["rank"] == 1}
    missing = [g["segment"] for g in gaps if g["kind"] == "missing" and g["segment"] in firsts]
    chosen = missing or [g["segment"] for g in gaps if g["segment"] in firsts]
    orgs = list(dict.fromkeys(firsts[s] for s in chosen))[:CAMPAIGN_TARGETS]
    if not orgs:
        return None
    plan = propose_campaign(ix, orgs, rid, extra_local=extra_local)
    return {
        "targets": list(plan.targets), "lead_unit": plan.lead_unit, "lead_agency": plan.lead_agency,
        "unit_scores": {u: fig(v, [u], "score") for u, v in plan.unit_scores.items()},
        "co_pitch": [{"org": c.org, "name": c.name, "unit": c.unit, "targets": list(c.targets),
                      "demand": fig(c.demand, [*c.links, *c.targets], "float"), "links": list(c.links)}
                     for c in plan.co_pitch],
        "platforms": [{"org": p.org, "name": p.name, "kind": p.kind, "unit": p.unit, "why": list(p.why)}
                      for p in plan.platforms],
        "groups": [{"kind": g.kind, "kind_zh": g.kind_zh, "targets": list(g.targets), "evidence": list(g.evidence)}
                   for g in plan.groups],
        "reason_zh": plan.reason_zh, "reason_en": plan.reason_en,
    }


def _supplier(sid: str, x: SupplierShare) -> dict:
    return {"supplier": x.supplier, "share": fig(x.share, [sid, x.supplier, *x.link_ids], "pct"),
            "weight": fig(x.weight, x.link_ids, "float"), "buyers": x.buyers,
            "sole_buyers": x.sole_buyers, "reasons": list(x.reasons), "link_ids": list(x.link_ids)}


def _dependence(dep: DependenceResult, members: dict[str, list[str]]) -> dict:
    segs = [s.segment for s in dep.segments]
    rows = []
    for s in dep.segments:
        if s.received <= 0:
            continue
        sid = s.segment
        links = [i for x in s.top_suppliers for i in x.link_ids]
        rows.append({"segment": sid, "name_zh": s.name_zh, "name_en": s.name_en,
                     "local_firms": fig(s.local_firms, members.get(sid, [sid]), "int"),
                     "received": fig(s.received, [sid], "float"),
                     "external_share": fig(s.external_share, [sid, *links], "pct"),
                     "external_suppliers": fig(s.external_suppliers, [sid], "int"),
                     "top_suppliers": [_supplier(sid, x) for x in s.top_suppliers],
                     "spofs": [_supplier(sid, x) for x in s.spofs]})
    rows.sort(key=lambda r: (-(r["external_share"]["value"] or 0), r["segment"]))
    return {"external_share": fig(dep.external_share, segs, "pct"), "received": fig(dep.received, segs),
            "received_external": fig(dep.received_external, segs), "segments": rows}


def cited_ids(report: dict) -> set[str]:
    """Every id any number, path or evidence list of the report names (before ``evidence`` is added)."""
    out: set[str] = set()

    def walk(x, key=""):
        if isinstance(x, dict):
            for k, v in x.items():
                walk(v, k)
        elif isinstance(x, list):
            for v in x:
                walk(v, key)
        elif isinstance(x, str) and key in _ID_KEYS:
            out.add(x)

    walk({k: v for k, v in report.items() if k not in ("region", "chain", "evidence", "provenance", "names")})
    return out


_ID_KEYS = {"ids", "org", "segment", "gap_segment", "introducer", "firms", "links", "evidence", "form_evidence",
            "introducer_path", "path", "via", "targets", "supplier", "link_ids", "target", "lead_agency", "why"}


def analyse(analyst, region: str, chain: str | None = None) -> dict:
    """The chain analyses a report needs: ``{"region", "chain_map", "gaps", "dependence"}`` (region resolved).

    The values are the :class:`~graph.analysis.service.Analyst` results
    (:class:`~graph.analysis.results.ChainMapResult`, ``GapsResult``, ``DependenceResult``).
    """
    rid = resolve_region(region)
    return {"region": rid, "chain_map": analyst.chain_map(rid, chain), "gaps": analyst.gaps(rid, chain),
            "dependence": analyst.dependence(rid, chain)}


def build_report(analyst, ix, records: Records, region: str, chain: str | None = None, **kw) -> dict:
    """The gap-and-target report of ``region`` (id or name) and ``chain`` (id, name or ``None``: all).

    Keywords as :func:`assemble`.
    """
    return assemble(analyse(analyst, region, chain), ix, records, **kw)


def assemble(analysis: dict, ix, records: Records, *, settings=None, targets_per_gap: int = DEFAULT_PER_GAP,
             exclude: Iterable[str] = (), extra_local: Iterable[str] = ()) -> dict:
    """The report from :func:`analyse`'s result and the recommendation index.

    ``exclude`` / ``extra_local``: firms never to recommend and firms that
    count as local (e.g. landed ones, from the workspace).
    """
    rid, cm, found, dep = analysis["region"], analysis["chain_map"], analysis["gaps"], analysis["dependence"]
    exclude, extra_local = set(exclude), set(extra_local)
    if not ix.local_mask(rid).any():
        from graph.regions import region as gazetteer

        gazetteer(rid)  # NotFound: a region neither the data nor the gazetteer knows (a known one may be empty)
    chain_rows = _chain_map(cm, ix, rid)
    gaps = _gaps(found)
    targets, intros = _targets(ix, rid, gaps, targets_per_gap, settings, exclude, extra_local)
    seg_ids = [s["segment"] for s in chain_rows]
    firm_ids = sorted({i for s in chain_rows for i in s["local_firms"]["ids"][1:]})
    status_segs: dict[str, list[str]] = {}
    for s in chain_rows:
        status_segs.setdefault(s["status"], []).append(s["segment"])
    report = {
        "kind": "gap_target_report", "store_version": cm.meta.version,
        "region": {"id": rid, "name_zh": cm.region_zh, "name_en": cm.region_en},
        "chain": to_json(cm.chain), "level": cm.level, "targets_per_gap": targets_per_gap,
        "overview": {
            "segments": fig(len(seg_ids), seg_ids, "int"),
            "local_firms": fig(len(firm_ids), firm_ids, "int"),
            "status_counts": {k: fig(len(v), v, "int") for k, v in sorted(status_segs.items())},
            "gaps": fig(len(gaps), [g["segment"] for g in gaps], "int"),
            "gaps_by_kind": {k: fig(len(v), v, "int") for k, v in
                             _group((g["kind"], g["segment"]) for g in gaps).items()},
            "targets": fig(len({t["org"] for t in targets}), [t["org"] for t in targets], "int"),
            "external_share": fig(dep.external_share, seg_ids, "pct"),
            "supply_observed": found.supply_observed,
        },
        "chain_map": chain_rows, "gaps": gaps, "targets": targets, "introducers": intros,
        "campaign": _campaign(ix, rid, gaps, targets, extra_local),
        "dependence": _dependence(dep, {s["segment"]: s["local_firms"]["ids"] for s in chain_rows}),
    }
    ids = cited_ids(report)
    orgs, links = records([i for i in ids if i in ix.pos], ids)
    names = {s.segment: s.name_zh or s.name_en for s in cm.segments}
    names.update({o.id: o.display_name or o.id for o in orgs})
    names_en = {s.segment: pick(s.name_zh, s.name_en, "en") for s in cm.segments}
    names_en.update({o.id: pick(o.name_zh, o.name_en, "en") or o.id for o in orgs})
    for seg, zh, en in zip(ix.seg_ids, ix.seg_name_zh, ix.seg_name_en, strict=True):  # a platform's segments
        names.setdefault(seg, zh or en)
        names_en.setdefault(seg, pick(zh, en, "en"))
    for end in {e for x in links for e in (x.src, x.dst)} - names.keys():  # a cited link's other end
        if end in ix.pos:
            row = ix.pos[end]
            names[end] = ix.name_zh[row] or ix.name_en[row] or end
            names_en[end] = pick(ix.name_zh[row], ix.name_en[row], "en") or end
    seg_rows = [to_json(s) for s in cm.segments if s.segment in ids]
    report["names"] = names
    report["names_en"] = names_en
    report["provenance"] = summarise(orgs, links)
    report["evidence"] = evidence_rows(orgs, links, seg_rows)
    return report


def _group(pairs) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for k, v in pairs:
        out.setdefault(k, []).append(v)
    return dict(sorted(out.items()))
