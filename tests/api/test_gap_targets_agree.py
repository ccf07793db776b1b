"""The targets for a region's gaps are one answer: API, CLI, report and the 招商引资目标 list agree.

On main before the rule of :mod:`matching.recommend.gaptargets`, /recommendations
and ``chainmatch recommend`` ranked all gaps together with each fit scaled by
the gap's severity, the report ranked each gap alone and listed a firm under
every gap, the list ranked each gap alone and listed a firm once: for 深圳 ·
动漫游戏 they named different firms for the same gap.
"""

from __future__ import annotations

import json
from collections import defaultdict

from typer.testing import CliRunner

from api.cli.main import app as cli
from matching.engines import Engines
from matching.recommend.gaptargets import DEFAULT_PER_GAP
from matching.workspace import Workspace, workspace_path

REGION, CHAIN = "cn/guangdong/shenzhen", "动漫游戏"
PER_GAP = DEFAULT_PER_GAP  # what the list generates with (it takes no per-gap count)


def _by_gap(pairs) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for gap, org in pairs:
        out[gap].append(org)
    return dict(out)


def test_api_cli_report_and_list_name_the_same_targets_per_gap(api, monkeypatch):
    monkeypatch.setenv("CHAINMATCH_EMBEDDING_MODEL", "hashing:64")
    params = {"region": REGION, "chain": CHAIN, "per_gap": PER_GAP, "limit": 100}
    http = api.get("/recommendations", params=params).json()
    flat = [(t["segment"], t["org"]) for t in http["items"]]
    assert http["total"] == len(flat) and len(http["focus"]) > 1
    assert [t["rank"] for t in http["items"]] == list(range(1, len(flat) + 1))

    run = CliRunner().invoke(cli, ["recommend", "--region", REGION, "--chain", CHAIN, "--per-gap", str(PER_GAP),
                                   "--limit", "100", "--json", "--data-dir", str(api.settings.data_dir)])
    assert run.exit_code == 0, run.output
    assert [(t["segment"], t["org"]) for t in json.loads(run.stdout)["targets"]] == flat

    engines = Engines(api.settings)
    from graph.store.sqlite import SqliteStore

    with SqliteStore.open(api.settings.data_dir / "store.sqlite") as store, \
            Workspace.open(workspace_path(api.settings)) as ws:
        report = engines.report(store, ws, REGION, CHAIN, targets_per_gap=PER_GAP)
    in_report = [(t["gap_segment"], t["org"]) for t in report["targets"]]
    assert _by_gap(in_report) == _by_gap(flat)  # the same firms in the same order for every gap
    assert [g for g, _ in in_report] == [g for g, _ in flat]  # and the gaps in the same order

    made = api.post("/lists/targets/generate", json={"region": REGION, "chain": CHAIN, "top": 100})
    assert made.status_code == 200, made.text
    entries = api.get("/lists/targets", params={"region": REGION, "chain": CHAIN, "limit": 500}).json()["items"]
    names = {s["segment"]: s["name_zh"] for s in report["chain_map"]}
    assert [(e["fields"]["segment"], e["subject"]) for e in entries] == [(names[g], o) for g, o in flat]


def test_a_firm_is_listed_once_under_its_most_severe_gap(api):
    http = api.get("/recommendations", params={"region": REGION, "chain": CHAIN, "per_gap": 5,
                                                "limit": 100}).json()
    orgs = [t["org"] for t in http["items"]]
    assert len(orgs) == len(set(orgs))
    gaps = api.get("/analysis/gaps", params={"region": REGION, "chain": CHAIN}).json()["gaps"]
    severity = {g["segment"]: g["severity"] for g in gaps}
    seen = [severity[t["segment"]] for t in http["items"]]
    assert seen == sorted(seen, reverse=True)  # gaps most severe first, never interleaved
