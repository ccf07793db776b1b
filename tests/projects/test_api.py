"""``/projects…`` and ``chainmatch projects …``: the same answers from one data directory (CLI ↔ HTTP parity), a
duplicate refused with a pointer, a viewer cannot write, errors in the one shape in Chinese and English."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from api.cli.main import app as cli
from tests.api.conftest import api, assert_error  # noqa: F401 - fixtures of the API tests
from tests.api.test_parity import same
from tests.clirun import run_main
from tests.projects.conftest import FIRM, INTRODUCER, OWNER

VOLATILE = {"at", "created_at", "updated_at", "signed_at", "actor"}


@pytest.fixture
def run(api, monkeypatch):  # noqa: F811
    monkeypatch.setenv("CHAINMATCH_EMBEDDING_MODEL", api.settings.embedding_model)
    runner = CliRunner()

    def run(*args):
        r = runner.invoke(cli, ["projects", *args, "--json", "--data-dir", str(api.settings.data_dir)])
        assert r.exit_code == 0, (args, r.output)
        return json.loads(r.stdout)

    return run


def _ok(r, status=200) -> dict:
    assert r.status_code == status, r.text
    return r.json()


def _strip(x):
    """Without who and when (the CLI's actor is ``cli``, HTTP's the key id; times differ by the second)."""
    if isinstance(x, dict):
        return {k: _strip(v) for k, v in x.items() if k not in VOLATILE}
    if isinstance(x, list):
        return [_strip(v) for v in x]
    return x


def test_cli_and_http_mirror_each_other(api, run):  # noqa: F811
    body = {"org": FIRM, "region": "深圳", "segment": "游戏引擎", "owner": OWNER, "form": "rd_centre",
            "introducer": INTRODUCER, "due": "2026-01-01", "next_step": "拜访"}
    made = _ok(api.post("/projects", json=body), 201)
    assert (made["stage"], made["stage_zh"], made["overdue"]) == ("lead", "线索", True)
    assert made["introducer"]["org"] == INTRODUCER and made["introducer"]["path"]
    mine = run("create", "org:f0140", "--segment", "seg:game_engine", "--owner", "深圳市南山区投资推广署",
               "--region", "cn/guangdong/shenzhen", "--stage", "在谈", "--planned", "800")
    same(_strip(_ok(api.get(f"/projects/{mine['id']}"))), _strip(mine))
    same(_strip(_ok(api.get(f"/projects/{made['id']}"))), _strip(run("show", str(made["id"]))))
    # moves on either side read the same on the other
    moved = _ok(api.post(f"/projects/{made['id']}/move", json={"stage": "签约", "planned": 5000, "version": 1}))
    assert (moved["stage"], moved["version"], moved["planned"]) == ("signed", 2, 5000.0)
    cli_moved = run("move", str(mine["id"]), "signed", "--planned", "900", "--version", "1")
    same(_strip(_ok(api.get(f"/projects/{mine['id']}"))), _strip(cli_moved))
    noted = _ok(api.post(f"/projects/{made['id']}/notes", json={"text": "领导批示"}), 201)
    assert [n["text"] for n in noted["notes"]] == ["领导批示"]
    run("note", str(made["id"]), "已拜访")
    page = _ok(api.get("/projects", params={"region": "深圳", "chain": "动漫游戏"}))
    listed = run("list", "--region", "深圳", "--chain", "动漫游戏")
    assert page["total"] == 2
    same(_strip(page["items"]), _strip(listed))
    same(_strip(_ok(api.get("/projects", params={"stage": "签约", "owner": OWNER}))["items"]),
         _strip(run("list", "--stage", "签约", "--owner", OWNER)))
    same(_strip(_ok(api.get("/projects", params={"overdue": True}))["items"]), _strip(run("list", "--overdue")))
    stats = _ok(api.get("/projects/stats", params={"region": "深圳"}))
    same(stats, run("stats", "--region", "深圳"))
    assert stats["by_stage"]["signed"] == 2 and stats["months"][-1]["signed_investment"] == 5900.0
    hist = _ok(api.get(f"/projects/{made['id']}/history"))
    assert [e["action"] for e in hist["items"]] == ["created", "moved", "noted", "noted"]
    assert hist["items"][1]["actor"] != "cli" and hist["items"][3]["actor"] == "cli"  # HTTP names the key
    same(_strip(hist["items"]), _strip(run("show", str(made["id"]))["history"]))


def test_a_duplicate_is_refused_with_a_pointer_over_both(api, capsys):  # noqa: F811
    body = {"org": FIRM, "region": "深圳", "segment": "seg:game_engine", "owner": OWNER}
    first = _ok(api.post("/projects", json=body), 201)
    err = assert_error(api.post("/projects", json=body | {"region": "南山区"}), 409, "conflict")
    assert f"/projects/{first['id']}" in err["message"] and f"项目 {first['id']}" in err["message_zh"]
    assert err["details"][0]["field"] == "body.org" and "/projects/" in err["details"][0]["reason"]
    _, out = run_main(capsys, "projects", "create", FIRM, "--segment", "游戏引擎", "--owner", OWNER,
                      "--data-dir", api.settings.data_dir, code=2)
    assert f"见项目 {first['id']}" in out and "游戏引擎" in out and "上海光影知音" in out  # names, in the run's language
    assert _ok(api.get("/projects"))["total"] == 1


def test_a_viewer_reads_but_cannot_write(api):  # noqa: F811
    body = {"org": FIRM, "segment": "seg:game_engine", "owner": OWNER}
    assert_error(api.post("/projects", role="viewer", json=body), 403, "forbidden")
    made = _ok(api.post("/projects", role="editor", json=body), 201)
    for url, payload in ((f"/projects/{made['id']}/move", {"stage": "签约"}),
                         (f"/projects/{made['id']}/notes", {"text": "x"})):
        assert_error(api.post(url, role="viewer", json=payload), 403, "forbidden")
    assert_error(api.client.get("/projects"), 401, "unauthorized")
    assert _ok(api.get("/projects", role="viewer"))["items"][0]["version"] == 1
    assert _ok(api.get(f"/projects/{made['id']}/history", role="viewer"))["total"] == 1


def test_errors_name_the_field_in_both_languages(api):  # noqa: F811
    base = {"org": FIRM, "segment": "seg:game_engine", "owner": OWNER}
    err = assert_error(api.post("/projects", json=base | {"stage": "签了"}), 422, "invalid_input")
    assert "阶段" in err["message_zh"] and "stage" in err["message"]
    assert err["details"][0]["field"] == "body.stage"
    err = assert_error(api.get("/projects", params={"stage": "签了"}), 422, "invalid_input")
    assert err["details"][0]["field"] == "query.stage"
    assert_error(api.post("/projects", json=base | {"org": "org:nobody"}), 404, "not_found")
    assert_error(api.post("/projects", json=base | {"introducer": OWNER}), 422, "invalid_input")
    assert_error(api.get("/projects/999"), 404, "not_found")
    made = _ok(api.post("/projects", json=base), 201)
    _ok(api.post(f"/projects/{made['id']}/move", json={"stage": "在谈"}))
    err = assert_error(api.post(f"/projects/{made['id']}/move", json={"stage": "签约", "version": 1}), 409, "conflict")
    assert "version 2" in err["message"] and "第 2 版" in err["message_zh"]
    assert_error(api.post(f"/projects/{made['id']}/move", json={"due": "2026-02-30"}), 422, "invalid_input")


def test_landing_over_http_makes_the_firm_local(api):  # noqa: F811
    made = _ok(api.post("/projects", json={"org": FIRM, "region": "南山区", "segment": "游戏引擎", "owner": OWNER,
                                           "form": "rd_centre"}), 201)
    _ok(api.post(f"/projects/{made['id']}/move", json={"stage": "投产", "actual": 300}))
    sites = [(s["region"], s["kind"]) for s in _ok(api.get(f"/organisations/{FIRM}"))["sites"]]
    assert ("cn/guangdong/shenzhen/nanshan", "rd_centre") in sites
    targets = _ok(api.get("/recommendations", params={"region": "深圳", "segment": "游戏引擎", "limit": 50}))
    assert FIRM not in [t["org"] for t in targets["items"]]
