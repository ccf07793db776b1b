"""CLI ↔ HTTP parity: every ``--json`` command and its HTTP twin give the same answer on the sample world.

Both sides run on one data directory (a private copy of the sample world):
the CLI through the real ``chainmatch`` app, HTTP through the test client.
They share the engine room (:class:`matching.engines.Engines`), so a
difference here is a handler or a command doing its own thing. The HTTP
schema may leave a field of the engine's result out (it maps to a public
model), never change one: every value the route returns must equal the
command's; a score part's ``label_zh`` / ``label_en`` are the schema's labels of
its name, a gap's ``flags_zh`` / ``flags_en`` its flags in words (both checked
against :func:`graph.labels.label`). ``meta.cached`` is the only thing allowed to
differ (whichever side asks first fills the shared cache).
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from api.cli.main import app as cli

REGION = "深圳"
CHAIN = "动漫游戏"


def same(http, mine, where="") -> None:
    """``http`` equals ``mine`` value for value; dicts: every key ``http`` has, ``mine`` has, equal."""
    if isinstance(http, dict):
        assert isinstance(mine, dict), where
        if "name" in mine:  # a score part: the schema adds its labels (api.schemas.analysis.PartPublic)
            from graph.labels import label

            for lang in ("zh", "en"):
                if f"label_{lang}" in http and f"label_{lang}" not in mine:
                    assert http[f"label_{lang}"] == label(mine["name"], lang), where
                    http = {k: v for k, v in http.items() if k != f"label_{lang}"}
        if "flags" in mine:  # a gap: the schema adds its flags in words (api.schemas.analysis.GapPublic)
            from graph.labels import label

            for lang in ("zh", "en"):
                if f"flags_{lang}" in http and f"flags_{lang}" not in mine:
                    assert http[f"flags_{lang}"] == [label(f, lang) for f in mine["flags"]], where
                    http = {k: v for k, v in http.items() if k != f"flags_{lang}"}
        missing = set(http) - set(mine)
        assert not missing, f"{where}: HTTP has {sorted(missing)} the CLI lacks"
        for k, v in http.items():
            if (where, k) in (("meta", "cached"), (".meta", "cached")):
                continue
            same(v, mine[k], f"{where}.{k}")
    elif isinstance(http, list):
        assert isinstance(mine, list) and len(http) == len(mine), f"{where}: {len(http)} vs {len(mine)}"
        for i, (a, b) in enumerate(zip(http, mine, strict=True)):
            same(a, b, f"{where}[{i}]")
    elif isinstance(http, float) or isinstance(mine, float):
        assert http == pytest.approx(mine, rel=1e-9, abs=1e-12), where
    else:
        assert http == mine, where


@pytest.fixture
def run(api, monkeypatch):
    """``run(*args)``: the command's ``--json`` output, parsed, on the API's data directory."""
    monkeypatch.setenv("CHAINMATCH_EMBEDDING_MODEL", api.settings.embedding_model)
    runner = CliRunner()

    def run(*args):
        r = runner.invoke(cli, [*args, "--json", "--data-dir", str(api.settings.data_dir)])
        assert r.exit_code == 0, (args, r.output)
        return json.loads(r.stdout)

    return run


def _ok(response) -> dict:
    assert response.status_code in (200, 201), response.text
    return response.json()


ANALYSES = [
    (["chain", "-r", REGION, "-c", CHAIN], "/analysis/chain-map", {"region": REGION, "chain": CHAIN}),
    (["gaps", "-r", REGION, "-c", CHAIN, "--top", "0"], "/analysis/gaps", {"region": REGION, "chain": CHAIN}),
    (["gaps", "-r", "南山区"], "/analysis/gaps", {"region": "南山区"}),
    (["leaders", "-r", REGION, "-c", CHAIN, "--scope", "local"], "/analysis/leaders",
     {"region": REGION, "chain": CHAIN, "scope": "local"}),
    (["dependence", "-r", REGION, "-c", CHAIN], "/analysis/dependence", {"region": REGION, "chain": CHAIN}),
    (["compare", "-r", REGION, "-r", "广州", "-c", CHAIN], "/analysis/compare",
     {"regions": [REGION, "广州"], "chain": CHAIN}),
]


@pytest.mark.parametrize("args,url,params", ANALYSES, ids=[" ".join(a[0][:3]) for a in ANALYSES])
def test_chain_analysis(api, run, args, url, params):
    same(_ok(api.get(url, params=params)), run(*args))


def test_stats(api, run):
    same(_ok(api.get("/stats")), run("stats"))


def test_search(api, run):
    http = _ok(api.get("/search", params={"q": "动作捕捉设备", "region": REGION, "limit": 10}))
    mine = run("search", "动作捕捉设备", "--region", REGION, "--limit", "10")
    assert http["items"] and {k: mine[k] for k in ("query", "mode", "weights")} == \
        {k: http[k] for k in ("query", "mode", "weights")}
    same(http["items"], mine["hits"], "hits")


@pytest.mark.parametrize("cli_args,params", [
    (["--segment", "游戏引擎", "--limit", "20"], {"segment": "游戏引擎", "limit": 20}),
    (["--chain", CHAIN, "--limit", "30"], {"chain": CHAIN, "limit": 30}),
    (["--chain", CHAIN, "--per-gap", "5", "--limit", "50"], {"chain": CHAIN, "per_gap": 5, "limit": 50}),
    (["--limit", "40"], {"limit": 40}),
], ids=["segment", "chain", "chain-per-gap", "every-chain"])
def test_recommend(api, run, cli_args, params):
    http = _ok(api.get("/recommendations", params={"region": REGION, **params}))
    mine = run("recommend", "--region", REGION, *cli_args)
    assert http["items"]
    same({k: http[k] for k in ("region", "chain", "focus", "total")}, mine)
    same(http["items"], mine["targets"], "targets")


def test_introducers(api, run):
    http = _ok(api.get("/introducers", params={"target": "org:f1561", "region": REGION, "limit": 50}))
    mine = run("introducers", "org:f1561", "--region", REGION, "--limit", "50")
    assert http["items"] and (http["target"], http["region"]) == (mine["target"], mine["region"])
    same(http["items"], mine["introducers"][:len(http["items"])], "introducers")
    assert http["total"] == len(mine["introducers"]) or len(mine["introducers"]) == 50


@pytest.mark.parametrize("segments", [[], ["游戏引擎"]], ids=["predicted", "given"])
def test_partners(api, run, segments):
    profile = "面向独立游戏团队的轻量级游戏引擎与物理仿真工具"
    http = _ok(api.post("/partners?limit=10", json={"profile": profile, "region": REGION, "segments": segments}))
    mine = run("partners", profile, "--region", REGION, "--limit", "10",
               *[x for s in segments for x in ("--segment", s)])
    assert http["items"] and http["segments"] == mine["segments"]
    same(http["items"], mine["partners"], "partners")


def test_campaign_propose(api, run):
    http = _ok(api.post("/campaigns/propose", json={"targets": ["org:f0140", "org:f0846"], "region": REGION}))
    same(http, run("campaign", "propose", "org:f0140", "org:f0846", "--region", REGION))


def test_written_things_read_back_alike(api, run):
    """Outcomes, campaigns and lists written through the CLI read the same through both."""
    run("outcome", "record", "org:f0140", "contacted", "--region", REGION, "--note", "首次接触")
    run("campaign", "create", "游戏引擎招商", "--owner", "org:f1345", "--target", "org:f1561", "--region", REGION)
    run("lists", "generate", "targets", "--region", REGION, "--chain", CHAIN)
    same(_ok(api.get("/outcomes"))["items"], run("outcome", "history"), "outcomes")
    same(_ok(api.get("/campaigns"))["items"], run("campaign", "list"), "campaigns")
    by_region = _ok(api.get("/campaigns", params={"region": REGION}))["items"]
    assert by_region and by_region == run("campaign", "list", "--region", REGION)
    assert _ok(api.get("/campaigns", params={"region": "广州"}))["items"] == run("campaign", "list", "--region", "广州") == []
    # created without --region: it belongs where its owner agency sits (深圳市南山区投资推广署), in both
    made = run("campaign", "create", "无地区活动", "--owner", "org:p004", "--target", "org:f0846")["campaign"]
    assert made["region"] is None
    for place, has in (("南山区", True), ("深圳", True), ("福田区", False)):
        http = _ok(api.get("/campaigns", params={"region": place}))["items"]
        assert (made["id"] in [c["id"] for c in http]) is has, place
        assert http == run("campaign", "list", "--region", place), place
    same(_ok(api.get("/campaigns/conflicts"))["items"], run("campaign", "conflicts"), "conflicts")
    http = _ok(api.get("/lists/targets", params={"region": REGION, "chain": CHAIN, "limit": 500}))
    mine = run("lists", "show", "targets", "--region", REGION, "--chain", CHAIN)
    assert http["items"] and (http["kind"], http["region"], http["chain"]) == (mine["kind"], mine["region"],
                                                                              mine["chain"])
    same(http["items"], mine["entries"], "entries")
    same(_ok(api.get("/lists", params={"region": REGION, "chain": CHAIN}))["lists"],
         run("lists", "show", "--region", REGION, "--chain", CHAIN), "lists")


def test_generating_a_list_answers_alike(api, run):
    mine = run("lists", "generate", "key_firms", "--region", REGION, "--chain", CHAIN, "--top", "5")
    again = _ok(api.post("/lists/key_firms/generate", json={"region": REGION, "chain": CHAIN, "top": 5}))
    # the same drafts: the second write finds nothing to change
    assert mine["added"] == 5 and again["added"] == again["updated"] == again["removed"] == 0
    assert again["unchanged"] == 5


@pytest.mark.slow
def test_classify_dry_run(api, run):
    http = _ok(api.post("/classify", params={"dry_run": True, "limit": 500}, role="editor"))
    mine = run("classify", "--dry-run", "--no-dense")
    assert http["organisations"] == mine["organisations"] and http["written"] is mine["written"] is None
    assert http["total"] == len(mine["predictions"])
    same(http["items"], mine["predictions"][:500], "predictions")


def test_classify_confirm_and_reject(api, run):
    """Review a 挂链 membership on both sides: the same answers, and the chain map follows each one."""
    def engine(where):
        return next(s for s in where["segments"] if s["segment"] == "seg:game_engine")

    mine = run("classify", "confirm", "org:f0001", "游戏引擎")
    assert (mine["previous"], mine["status"], mine["changed"]) == (None, "confirmed", True)
    again = _ok(api.post("/classify/confirm", json={"org": "org:f0001", "segment": "seg:game_engine"}))
    same(again, {**mine, "changed": False, "previous": "confirmed"}, "confirm again")
    m = run("chain", "--region", REGION, "--chain", CHAIN)
    assert (engine(m)["status"], engine(m)["local_firms"], engine(m)["local_predicted"]) == ("thin", 1, 0)
    same(_ok(api.get("/analysis/chain-map", params={"region": REGION, "chain": CHAIN})), m)
    http = _ok(api.post("/classify/reject", json={"org": "org:f0001", "segment": "游戏引擎"}))
    assert (http["previous"], http["status"], http["changed"]) == ("confirmed", "rejected", True)
    same(http, {**run("classify", "reject", "org:f0001", "seg:game_engine"), "changed": True,
                "previous": "confirmed", "version": http["version"]}, "reject")
    assert engine(run("chain", "--region", REGION, "--chain", CHAIN))["status"] == "missing"


@pytest.mark.slow
def test_backtest(api, run):
    same(_ok(api.get("/eval/backtest")), run("eval", "backtest"))


def test_the_cli_builds_the_index_under_the_api_lock(api, run):
    """The CLI's search engine comes from the same engine room: built under ``<data_dir>/index.lock``,
    which another process (an API worker) holds while it builds, and then loaded, not rebuilt."""
    lock = api.settings.data_dir / "index.lock"
    assert not lock.exists()
    built = run("index", "build")
    assert lock.exists() and built["rebuilt"]
    assert _ok(api.get("/index"))["index"]["state"] == "on_disk"  # the API finds the CLI's index current
    assert not run("index", "build").get("rebuilt")


IMPORTS = {
    # a chain template's edge list by segment name and id, and a 分支机构 list of a sample firm
    "segment-edges": ("上游环节,下游环节,权重,依据\n游戏引擎,游戏测试与本地化,0.5,template\n"
                      "seg:concept_art,游戏测试与本地化,,template\n",
                      "上游环节,下游环节\n游戏引擎,游戏测试与本地化\n不存在的环节,游戏研发\n游戏研发,游戏研发\n",
                      {(3, "上游环节"), (4, "下游环节")}),
    "branches": ("总公司名称,分支机构名称,所属城市,登记状态,成立日期\n"
                 "上海光影知音科技股份有限公司,上海光影知音科技股份有限公司深圳分公司,深圳市,存续,2024-02-01\n",
                 "总公司信用代码,分支机构名称,所属城市,登记状态\n913100001327485983,某分公司,深圳市,存续\n"
                 "不存在的公司,某分公司,深圳市,存续\n913100001327485983,某分公司,深圳市,休眠中\n",
                 {(3, "总公司信用代码"), (4, "登记状态")}),
}


@pytest.mark.parametrize("entity", sorted(IMPORTS))
def test_imports_answer_alike(api, tmp_path, entity):
    """``chainmatch import ENTITY FILE`` and ``POST /imports/ENTITY`` run one pipeline: the same dry-run
    report, the same row/field errors for a bad file (nothing written), and an upload the CLI then finds
    already imported."""
    good, bad, bad_rows = IMPORTS[entity]
    data = ["--data-dir", str(api.settings.data_dir)]
    runner = CliRunner()

    def cli_import(text, *flags):
        path = tmp_path / f"{entity}.csv"
        path.write_text(text, encoding="utf-8")
        return runner.invoke(cli, ["import", entity, str(path), *flags, *data])

    def upload(text, **params):
        return api.post(f"/imports/{entity}", params=params,
                        files={"file": (f"{entity}.csv", text.encode(), "text/csv")})

    r = cli_import(good, "--dry-run", "--json")
    assert r.exit_code == 0, r.output
    http = _ok(upload(good, dry_run="true"))
    assert http["imported"] is None and http["rows_read"] >= 1
    same(http, json.loads(r.stdout))

    version = _ok(api.get("/stats"))["version"]
    response = upload(bad)
    assert response.status_code == 422, response.text
    details = {(d["row"], d["field"]): d["reason"] for d in response.json()["error"]["details"]}
    r = cli_import(bad, "--json")
    assert r.exit_code != 0 and r.exception is not None
    assert set(details) == bad_rows
    assert {(p.row, p.field): p.reason for p in r.exception.problems} == details
    assert _ok(api.get("/stats"))["version"] == version  # all or nothing, on both sides

    wrote = _ok(upload(good))["imported"]
    assert sum(wrote["inserted"].values()) + sum(wrote["updated"].values()) >= 1
    r = cli_import(good, "--json")
    assert r.exit_code == 0, r.output
    again = json.loads(r.stdout)["imported"]
    assert again["version"] == wrote["version"] and not again["inserted"] and not again["updated"]


def test_chain_templates_answer_alike(api, run):
    """``chains list`` / ``chains add`` and ``GET /chain-templates`` / ``POST /chain-templates/{name}`` run one
    library and one importer: the same list, the same dry run, and a template installed over HTTP is one
    the CLI finds installed (nothing written, same version)."""
    listed = _ok(api.get("/chain-templates"))
    assert len(listed["items"]) >= 6
    same(listed, run("chains", "list"))
    same(_ok(api.post("/chain-templates/新型储能", params={"dry_run": True})), run("chains", "add", "储能", "--dry-run"))
    http = _ok(api.post("/chain-templates/ess"))
    assert http["written"] and http["edges"]["imported"]["inserted"]["segment_edges"] == http["template"]["edges"]
    mine = run("chains", "add", "New-type energy storage")
    assert not mine["written"] and mine["edges"]["imported"]["version"] == http["edges"]["imported"]["version"]
    same({k: http[k] for k in ("template",)}, mine)
    assert "储能变流器" in {s["name_zh"] for s in _ok(api.get("/segments", params={"q": "储能", "limit": 100}))["items"]}
    err = api.post("/chain-templates/chips")
    assert err.status_code == 422 and err.json()["error"]["details"][0]["field"] == "path.name"


def test_profile(api, run):
    params = {"region": REGION, "chain": CHAIN}
    http = _ok(api.get("/organisations/org:f1561/profile", params=params))
    mine = run("profile", "上海光影知音科技股份有限公司", "-r", REGION, "-c", CHAIN)
    assert http["target"]["items"] and http["customers"]
    same(http, mine)
