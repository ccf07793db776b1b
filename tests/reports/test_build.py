"""The report model on the sample world: planted answers, ids behind every number, a brute-force provenance recount."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.reports.conftest import LOCAL


def _figs(x, path=""):
    """Every figure (number with ids) anywhere in the report, with where it sits."""
    if isinstance(x, dict):
        if set(x) == {"value", "ids", "fmt"}:
            yield path, x
            return
        for k, v in x.items():
            yield from _figs(v, f"{path}.{k}")
    elif isinstance(x, list):
        for i, v in enumerate(x):
            yield from _figs(v, f"{path}[{i}]")


def _strings(x):
    if isinstance(x, dict):
        for k, v in x.items():
            yield k
            yield from _strings(v)
    elif isinstance(x, list):
        for v in x:
            yield from _strings(v)
    elif isinstance(x, str):
        yield x


def test_planted_gaps_with_their_class_and_the_analysts_severity(report, world_store, answers):
    from graph.analysis.service import Analyst

    kinds = {g["segment"]: g["kind"] for g in report["gaps"]}
    planted = ({m["segment"]: "missing" for m in answers["missing"]} | {x["segment"]: "thin" for x in answers["thin"]}
               | {x["segment"]: "extension" for x in answers["extension"]})
    assert kinds == planted
    oracle = {g.segment: g.severity for g in Analyst.for_store(world_store).gaps(LOCAL).gaps}
    for g in report["gaps"]:
        assert g["severity"]["value"] == pytest.approx(oracle[g["segment"]], abs=1e-12)
        assert g["severity"]["value"] == pytest.approx(sum(p["value"]["value"] for p in g["parts"]), abs=1e-9)
    sev = [g["severity"]["value"] for g in report["gaps"]]
    assert sev == sorted(sev, reverse=True)


def test_planted_ideal_target_first_per_missing_segment_with_form_and_introducer(report, answers):
    for m in answers["missing"]:
        ideal = m["ideal_target"]
        rows = [t for t in report["targets"] if t["gap_segment"] == m["segment"]]
        assert [t["rank"] for t in rows] == [1, 2, 3]
        assert (rows[0]["org"], rows[0]["form"], rows[0]["introducer"]) == (ideal["id"], ideal["form"],
                                                                            ideal["introducer"])
        intro = [x for x in report["introducers"] if x["target"] == ideal["id"]]
        assert intro[0]["org"] == ideal["introducer"] and set(intro[0]["path"]) <= set(ideal["introducer_link_ids"])


def test_campaign_joins_the_planted_pairs(report, answers):
    c = report["campaign"]
    assert set(c["targets"]) == {m["ideal_target"]["id"] for m in answers["missing"]}
    groups = {(g["kind"], tuple(sorted(g["targets"]))) for g in c["groups"]}
    for j in answers["joint_campaigns"]:
        assert (j["kind"], tuple(sorted(j["targets"]))) in groups, j
    assert "org:f1343" in {x["org"] for x in c["co_pitch"]}
    assert c["lead_agency"] is not None and c["lead_unit"].startswith(LOCAL)


def test_every_number_carries_ids_that_exist(report, world):
    b = world[0]
    known = ({o.id for o in b.organisations} | {x.id for x in b.links} | {s.id for s in b.segments})
    figs = list(_figs(report))
    assert len(figs) > 500
    for path, f in figs:
        assert f["ids"], path
        unknown = [i for i in f["ids"] if i not in known and not i.startswith(LOCAL)]  # lead units are regions
        assert not unknown, (path, unknown)


def test_chain_map_runs_upstream_to_downstream_with_counts_equal_to_their_ids(report):
    stages = [s["stage"] for s in report["chain_map"]]
    order = {"upstream": 0, "midstream": 1, "downstream": 2}
    assert stages == sorted(stages, key=order.get) and len(stages) == 47
    for s in report["chain_map"]:
        assert s["local_firms"]["value"] == len(s["local_firms"]["ids"]) - 1  # the segment id, then its firms
        assert s["local_firms"]["ids"][0] == s["segment"]
    for s in report["dependence"]["segments"]:
        assert s["local_firms"]["value"] == len(s["local_firms"]["ids"]) - 1
    missing = {s["segment"] for s in report["chain_map"] if s["status"] == "missing"}
    assert all(s["local_firms"]["value"] == 0 for s in report["chain_map"] if s["segment"] in missing)


def test_provenance_equals_a_brute_force_recount_over_the_store(report, world_store):
    orgs = {o.id: o for o in world_store.organisations()}
    links = {x.id: x for x in world_store.links()}
    body = {k: v for k, v in report.items() if k not in ("provenance", "evidence", "names", "names_en")}
    cited = set(_strings(body))
    recs = [orgs[i] for i in cited if i in orgs] + [links[i] for i in cited if i in links]
    dates = Counter(r.provenance.as_of for r in recs if r.provenance.as_of)
    fields = Counter(f for r in recs for f in r.provenance.estimated)
    p = report["provenance"]
    assert (p["organisations"], p["links"]) == (len([i for i in cited if i in orgs]), len([i for i in cited if i in links]))
    assert (p["as_of_min"], p["as_of_max"]) == (min(dates), max(dates))
    top = max(dates.values())
    assert p["as_of_mode_records"] == top and dates[p["as_of_mode"]] == top
    assert p["estimated_fields"] == sum(len(r.provenance.estimated) for r in recs) == sum(fields.values())
    assert p["estimated_records"] == sum(1 for r in recs if r.provenance.estimated)
    assert p["estimated_by_field"] == dict(fields)
    assert p["estimated_fields"] > 0 and p["reported_records"] == len(recs) - p["estimated_records"]
    ev = {e["id"] for e in report["evidence"] if e["type"] != "segment"}
    assert ev == {r.id for r in recs}


def test_a_chain_narrows_the_report_and_unknown_names_are_refused(world_store):
    from graph.analysis.service import Analyst
    from graph.errors import InvalidInput
    from matching.recommend.index import ChainIndex
    from matching.reports.build import build_report
    from matching.reports.provenance import store_records

    an, ix, rec = Analyst.for_store(world_store), ChainIndex.from_store(world_store), store_records(world_store)
    rep = build_report(an, ix, rec, "深圳", "动漫游戏", targets_per_gap=1)
    assert rep["chain"]["id"] == "chain:animation_games"
    assert {g["segment"] for g in rep["gaps"]} == {"seg:game_engine", "seg:esports", "seg:game_audio",
                                                  "seg:anti_cheat"}
    assert all(t["rank"] == 1 for t in rep["targets"]) and len(rep["targets"]) == 4
    with pytest.raises(InvalidInput):
        build_report(an, ix, rec, "火星")
    with pytest.raises(InvalidInput):
        build_report(an, ix, rec, "深圳", "没有这条链")


def test_an_empty_known_region_still_renders_and_an_unknown_one_is_not_found(world_store):
    from graph.analysis.service import Analyst
    from graph.errors import NotFound
    from matching.recommend.index import ChainIndex
    from matching.reports.build import build_report
    from matching.reports.provenance import store_records
    from matching.reports.render import render

    an, ix, rec = Analyst.for_store(world_store), ChainIndex.from_store(world_store), store_records(world_store)
    rep = build_report(an, ix, rec, "cn/hebei", "动漫游戏")  # in the gazetteer, no firm there
    assert rep["overview"]["local_firms"]["value"] == 0 and rep["campaign"] is None
    assert render(rep, "xlsx")[:2] == b"PK" and b"<svg" in render(rep, "html")
    with pytest.raises(NotFound):
        build_report(an, ix, rec, "cn/nowhere")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_gap_table_names_the_entry_parts_and_why_a_gap_ranks_low_in_words(report, lang):
    """The report's gap table has a column per part in words (the 补链/延链 entry parts too) and a column saying
    why a gap ranks low; no sample-world gap is flagged, so one is, on a copy of the report."""
    import copy

    from graph.labels import label
    from matching.reports.labels import t
    from matching.reports.tables import _gaps

    r = copy.deepcopy(report)
    missing = next(g for g in r["gaps"] if g["kind"] == "missing")
    missing["flags"] = ["low_feasibility", "resource_bound"]
    table = _gaps(r, lang)
    for part in ("momentum", "relatives", "immovability", "local_dependence"):
        assert label(part, lang) in table.columns, part
    row = next(x for x in table.rows if x[3] == missing["segment"])
    assert row[table.columns.index(t("flags", lang))] == "; ".join(label(f, lang) for f in missing["flags"])
    assert label("resource_bound", lang) in row[table.columns.index(t("flags", lang))]
    assert label("momentum", lang) in row[table.columns.index(t("parts_note", lang))]
