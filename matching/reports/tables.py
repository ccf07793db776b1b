"""The report as titled tables with zh or en headers: what the xlsx and HTML renderers draw.

A cell is text, a plain number, ``None`` or a :func:`~matching.reports.build.fig`
(a number with its ids). :func:`ids_columns` decides which figure columns get
an adjacent ids column (a column whose ids always equal an earlier column's
shares that one).

Examples
--------
>>> from matching.reports.build import fig
>>> tab = Table("demo", "示例", ["环节", "企业数", "人数"], [["游戏引擎", fig(2, ["org:a", "org:b"], "int"),
...             fig(300, ["org:a", "org:b"], "int")]])
>>> ids_columns(tab)
{1: 1, 2: 1}
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.display import ID_PATTERN, pick, region_name, word
from graph.labels import label
from matching.recommend.form import FORMS_EN
from matching.reports.build import fig
from matching.reports.labels import t

__all__ = ["Table", "report_tables", "ids_columns", "is_fig", "SECTIONS"]

SECTIONS = ("overview", "chain_map", "gaps", "targets", "introducers", "campaign", "dependence", "provenance",
            "evidence")


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    note: str = ""


def is_fig(cell) -> bool:
    return isinstance(cell, dict) and "value" in cell and "ids" in cell


def ids_columns(table: Table) -> dict[int, int]:
    """``{figure column: column whose ids column holds its ids}`` (itself when it has its own)."""
    cols = [j for j in range(len(table.columns)) if any(j < len(r) and is_fig(r[j]) for r in table.rows)]
    out: dict[int, int] = {}
    for j in cols:
        same = next((k for k in sorted(set(out.values())) if all(
            (r[j]["ids"] if is_fig(r[j]) else None) == (r[k]["ids"] if is_fig(r[k]) else None)
            for r in table.rows)), None)
        out[j] = j if same is None else same
    return out


#: list separator and brackets per language
_PUNCT = {"zh": ("；", "（", "）"), "en": ("; ", " (", ")")}


def _n(report: dict, oid: str | None, lang: str = "zh") -> str:
    """The name of ``oid`` in ``lang`` (a region by the gazetteer, a record by the report's names)."""
    if not oid:
        return ""
    if oid.startswith("cn/") or oid == "cn":
        return region_name(oid, lang)
    names = report.get("names_en", report["names"]) if lang == "en" else report["names"]
    return names.get(oid, oid)


def named(report: dict, text: str, lang: str = "zh") -> str:
    """``text`` with every region, segment and organisation id in it replaced by its name."""
    return ID_PATTERN.sub(lambda m: _n(report, m.group(), lang), text or "")


def note_of(report: dict, p: dict, lang: str) -> str:
    """A score part's note in ``lang``, ids named."""
    return named(report, (p.get("note_zh") or p["note"]) if lang == "zh" else p["note"], lang)


def _words(keys, lang) -> str:
    return ("、" if lang == "zh" else ", ").join(word(k, lang) for k in keys)


def _parts_note(r, parts, lang) -> str:
    sep, o, c = _PUNCT[lang]
    return sep.join(f"{t(p['name'], lang)} {p['value']['value']:+.3f}{o}{note_of(r, p, lang)}{c}" for p in parts
                    if p["value"]["value"])


def _overview(r: dict, lang: str) -> Table:
    o, p = r["overview"], r["provenance"]
    rows = [[t("region", lang), r["region"]["name_zh" if lang == "zh" else "name_en"], ""],
            [t("chain_map", lang), r["chain"]["name_zh" if lang == "zh" else "name_en"], ""],
            [t("segments_n", lang), o["segments"], ""], [t("local_firms_n", lang), o["local_firms"], ""]]
    colon = "：" if lang == "zh" else ": "
    rows += [[f"{t('status', lang)}{colon}{t(k, lang)}", v, ""] for k, v in o["status_counts"].items()]
    rows += [[t("gaps_n", lang), o["gaps"], ""]]
    rows += [[f"{t('gaps_n', lang)}{colon}{t(k, lang)}", v, ""] for k, v in o["gaps_by_kind"].items()]
    rows += [[t("targets_n", lang), o["targets"], t("per_gap", lang).format(n=r["targets_per_gap"])],
             [t("external_share_all", lang), o["external_share"], ""],
             [t("as_of_min", lang), p["as_of_min"] or "-", ""], [t("as_of_max", lang), p["as_of_max"] or "-", ""],
             [t("estimated_fields", lang), _prov_figs(r)["estimated_fields"], t("provenance", lang)]]
    return Table("overview", t("overview", lang), [t("metric", lang), t("value", lang), t("note", lang)], rows,
                 t("fictional", lang) if any(k.startswith("fixture:") for k in p["sources"]) else "")


def _chain_map(r: dict, lang: str) -> Table:
    cols = ["stage", "segment", "segment_id", "status", "criteria", "local_firms", "employees", "tier_firms",
            "platforms", "members_elsewhere", "local_supply_share"]
    rows = [[t(s["stage"], lang), s["name_zh" if lang == "zh" else "name_en"], s["segment"], t(s["status"], lang),
             _words(s["criteria"], lang), s["local_firms"], s["employees"], s["tier_firms"], s["platforms"],
             s["members_elsewhere"], s["local_supply_share"]] for s in r["chain_map"]]
    return Table("chain_map", t("chain_map", lang), [t(c, lang) for c in cols], rows)


def _gaps(r: dict, lang: str) -> Table:
    names = list(dict.fromkeys(p["name"] for g in r["gaps"] for p in g["parts"]))
    rows = []
    for g in r["gaps"]:
        parts = {p["name"]: p["value"] for p in g["parts"]}
        rows.append([g["rank"], g["kind_zh"] if lang == "zh" else g["kind"], g["name_zh" if lang == "zh" else "name_en"],
                     g["segment"], g["severity"], *[parts.get(n) for n in names], _parts_note(r, g["parts"], lang),
                     _words(g["criteria"], lang), "; ".join(label(f, lang) for f in g.get("flags", ())),
                     fig(len(g["firms"]), g["firms"], "int"), fig(len(g["links"]), g["links"], "int")])
    cols = [t(c, lang) for c in ("rank", "kind", "segment", "segment_id", "severity")]
    cols += [t(n, lang) for n in names] + [t(c, lang) for c in ("parts_note", "criteria", "flags", "evidence_firms",
                                                                  "evidence_links")]
    return Table("gaps", t("gaps", lang), cols, rows)


def _targets(r: dict, lang: str) -> Table:
    names = list(dict.fromkeys(p["name"] for x in r["targets"] for p in x["parts"]))
    rows = []
    for x in r["targets"]:
        parts = {p["name"]: p["value"] for p in x["parts"]}
        rule = (x.get("form_rule_zh") or x["form_rule"]) if lang == "zh" else x["form_rule"]
        rows.append([_n(r, x["gap_segment"], lang), x["gap_kind_zh"] if lang == "zh" else x["gap_kind"], x["rank"],
                     pick(x["name_zh"], x["name_en"], lang), x["org"], region_name(x["region"], lang), x["score"],
                     *[parts.get(n) for n in names],
                     x["form_zh"] if lang == "zh" else FORMS_EN.get(x["form"], x["form"]), named(r, rule or "", lang),
                     _n(r, x["introducer"], lang), x["introducer"] or "",
                     named(r, x["reason_zh" if lang == "zh" else "reason_en"], lang)])
    cols = [t(c, lang) for c in ("gap_segment", "kind", "rank", "target", "firm_id", "region", "score")]
    cols += [t(n, lang) for n in names]
    cols += [t(c, lang) for c in ("form", "form_rule", "introducer")] + [t("id", lang), t("reason", lang)]
    return Table("targets", t("targets", lang), cols, rows)


def _introducers(r: dict, lang: str) -> Table:
    rows = [[_n(r, x["gap_segment"], lang), _n(r, x["target"], lang), x["rank"], pick(x["name_zh"], x["name_en"], lang),
             x["org"],
             region_name(x["region"], lang), t(x["kind"], lang),
             ("、" if lang == "zh" else ", ").join(x["relations_zh"] if lang == "zh" else x["relations"]),
             _n(r, x["via"], lang), x["score"], " → ".join(x["path"]),
             named(r, x["reason_zh" if lang == "zh" else "reason_en"], lang)]
            for x in r["introducers"]]
    cols = ["gap_segment", "target", "rank", "introducer", "id", "region", "kind", "relation", "via", "score",
            "path_ids", "reason"]
    return Table("introducers", t("introducers", lang), [t(c, lang) for c in cols], rows)


def _campaign(r: dict, lang: str) -> Table:
    c = r["campaign"]
    cols = [t(x, lang) for x in ("role", "name", "id", "unit", "targets", "value", "why")]
    if c is None:
        return Table("campaign", t("campaign", lang), cols, [])
    sep = "、" if lang == "zh" else ", "
    tn = sep.join(_n(r, x, lang) for x in c["targets"])
    rows = [[t("targets", lang), tn, " ".join(c["targets"]), "", "", None,
             named(r, c["reason_zh" if lang == "zh" else "reason_en"], lang)],
            [t("lead_unit", lang), _n(r, c["lead_unit"], lang), c["lead_unit"] or "", "", "",
             c["unit_scores"].get(c["lead_unit"]) if c["lead_unit"] else None, ""],
            [t("lead_agency", lang), _n(r, c["lead_agency"], lang), c["lead_agency"] or "", "", "", None, ""]]
    # the ID column holds a row's record and the ids behind it (links, evidence); 入选依据 says it in words
    rows += [[t("co_pitch", lang), _n(r, x["org"], lang), " ".join([x["org"], *x["links"]]), _n(r, x["unit"], lang),
              sep.join(_n(r, y, lang) for y in x["targets"]), x["demand"], t("ties_n", lang).format(n=len(x["links"]))]
             for x in c["co_pitch"]]
    rows += [[t("platform", lang), _n(r, x["org"], lang), " ".join([x["org"], *x["why"]]), _n(r, x["unit"], lang),
              word(x["kind"], lang), None, sep.join(_n(r, y, lang) for y in x["why"] if y in r["names"])]
             for x in c["platforms"]]
    rows += [[t("group", lang), x["kind_zh"] if lang == "zh" else x["kind"], " ".join([*x["targets"], *x["evidence"]]),
              "", sep.join(_n(r, y, lang) for y in x["targets"]), None, ""] for x in c["groups"]]
    return Table("campaign", t("campaign", lang), cols, rows)


def _dependence(r: dict, lang: str) -> Table:
    d = r["dependence"]

    def sups(xs):
        sep, o, c = _PUNCT[lang]
        return sep.join(f"{_n(r, x['supplier'], lang)} {x['share']['value']:.0%}"
                        + (f"{o}{_words(x['reasons'], lang)}{c}" if x["reasons"] else "") for x in xs)

    rows = [[t("external_share_all", lang), "*", None, d["received"], d["external_share"], None, "", None, "", ""]]
    for s in d["segments"]:
        top = s["top_suppliers"][0] if s["top_suppliers"] else None
        rows.append([s["name_zh" if lang == "zh" else "name_en"], s["segment"], s["local_firms"], s["received"],
                     s["external_share"], s["external_suppliers"], _n(r, top["supplier"], lang) if top else "",
                     top["share"] if top else None, sups(s["top_suppliers"]), sups(s["spofs"])])
    cols = ["segment", "segment_id", "local_firms", "received", "external_share", "external_suppliers",
            "top_suppliers", "top_supplier_share", "top_suppliers", "spofs"]
    cols = [t(c, lang) for c in cols]
    cols[6] = t("firm", lang)
    return Table("dependence", t("dependence", lang), cols, rows)


def _prov_figs(r: dict) -> dict:
    recs = [e for e in r["evidence"] if e["type"] != "segment"]
    p = r["provenance"]
    out = {"records": fig(p["records"], [e["id"] for e in recs], "int"),
           "estimated_fields": fig(p["estimated_fields"], [e["id"] for e in recs if e["estimated"]], "int"),
           "estimated_records": fig(p["estimated_records"], [e["id"] for e in recs if e["estimated"]], "int"),
           "reported_records": fig(p["reported_records"], [e["id"] for e in recs if not e["estimated"]], "int"),
           "as_of_mode_records": fig(p["as_of_mode_records"], [e["id"] for e in recs if e["as_of"] == p["as_of_mode"]],
                                     "int")}
    out["undated_records"] = fig(p["undated_records"], [e["id"] for e in recs if not e["as_of"]], "int")
    for f, n in p["estimated_by_field"].items():
        out["field:" + f] = fig(n, [e["id"] for e in recs if f in e["estimated"]], "int")
    for k, n in p["sources"].items():
        out["source:" + k] = fig(n, [e["id"] for e in recs if e["source"] == k], "int")
    return out


def _provenance(r: dict, lang: str) -> Table:
    p, f = r["provenance"], _prov_figs(r)
    rows = [[t("records", lang), f["records"], f"{t('organisations', lang)} {p['organisations']} · "
             f"{t('links', lang)} {p['links']}"],
            [t("as_of_min", lang), p["as_of_min"] or "-", ""], [t("as_of_max", lang), p["as_of_max"] or "-", ""],
            [t("as_of_mode", lang), p["as_of_mode"] or "-", ""],
            [t("as_of_mode_records", lang), f["as_of_mode_records"], p["as_of_mode"] or ""],
            [t("undated_records", lang), f["undated_records"], ""],
            [t("estimated_fields", lang), f["estimated_fields"], ""],
            [t("estimated_records", lang), f["estimated_records"], ""],
            [t("reported_records", lang), f["reported_records"], ""]]
    rows += [[t("estimated_field", lang) + word(k, lang), f["field:" + k], ""] for k in p["estimated_by_field"]]
    rows += [[t("source_of", lang) + word(k, lang), f["source:" + k], ""] for k in p["sources"]]
    return Table("provenance", t("provenance", lang), [t("metric", lang), t("value", lang), t("note", lang)], rows)


def _evidence(r: dict, lang: str) -> Table:
    cols = [t(c, lang) for c in ("id", "type", "name", "region", "detail", "as_of", "source", "estimated")]
    rows = [[e["id"], word(e["type"], lang), _evidence_name(r, e, lang), region_name(e["region"], lang),
             _evidence_detail(e, lang), e["as_of"], word(e["source"], lang), _words(e["estimated"], lang)]
            for e in r["evidence"]]
    return Table("evidence", t("evidence", lang), cols, rows)


def _evidence_name(r: dict, e: dict, lang: str) -> str:
    if e["type"] == "segment" or e["id"].startswith("org:"):
        return _n(r, e["id"], lang) if e["id"] in r["names"] else e["name"]
    return named(r, e["name"], lang)  # a link: its two ends


def _evidence_detail(e: dict, lang: str) -> str:
    """The detail column: a segment's stage, a link's weight and date, a firm's tiers, in ``lang``."""
    d = e.get("facts")
    if e["type"] == "segment":
        return t(e["detail"], lang) if e["detail"] else ""
    if d:
        w = f"{word('weight', lang)} {d['weight']:g}"
        return w + (f"{'，' if lang == 'zh' else ', '}{word('since', lang)} {d['since']}" if d.get("since") else "")
    return _words(e["detail"].split("、"), lang) if e["detail"] else ""


_BUILD = {"overview": _overview, "chain_map": _chain_map, "gaps": _gaps, "targets": _targets,
          "introducers": _introducers, "campaign": _campaign, "dependence": _dependence, "provenance": _provenance,
          "evidence": _evidence}


def report_tables(report: dict, lang: str = "zh") -> list[Table]:
    """Every section of ``report`` as a :class:`Table`, in :data:`SECTIONS` order."""
    return [_BUILD[k](report, lang) for k in SECTIONS]
