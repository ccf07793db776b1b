"""List scopes mean the same in every command and route (issue 15).

Each test pins a divergence of the old code: ``--chain all`` stored a second
"every chain" list under ``'*'`` beside the ``''`` one HTTP read; following
the README, ``show --region 深圳`` after a chain-scoped generate showed 0 in
every row; ``export`` wrote an empty file without a word; importing the
chain-scoped export with ``--region 深圳`` failed with "no entry 21 in this
list"; one ``generate`` took one version per entry.
"""

from __future__ import annotations

import json
import shutil

import pytest

from tests.api import conftest as _api
from tests.clirun import run_main

api = _api.api  # the API tests' fixture (sample world behind a client; world_store_file: tests/conftest.py)

SZ = "cn/guangdong/shenzhen"
ANIM = "chain:animation_games"


@pytest.fixture
def data_dir(tmp_path, world_store_file):
    d = tmp_path / "data"
    d.mkdir()
    shutil.copy(world_store_file, d / "store.sqlite")
    return d


@pytest.fixture(autouse=True)
def wide(monkeypatch):
    """Tables and messages unwrapped, through the environment both consoles read at every print: a
    ``setattr(console, "width", 300)`` undid itself by setting the width it had read (80 without a
    terminal), which fixed every later test's console of the process at 80 columns whatever its COLUMNS."""
    monkeypatch.setenv("COLUMNS", "300")


def lists(capsys, data_dir, *args, code: int = 0) -> tuple[str, str]:
    """``chainmatch lists ARGS``: (stdout, stderr)."""
    out = run_main(capsys, "lists", *args, "--data-dir", data_dir, code=code)
    return out.out, out.err


def js(capsys, data_dir, *args):
    return json.loads(lists(capsys, data_dir, *args, "--json")[0])


def stored_chains(data_dir) -> set[str]:
    from matching.workspace import Workspace

    with Workspace.open(data_dir / "workspace.sqlite") as ws:
        return {c for (c,) in ws.read("SELECT DISTINCT chain FROM list_entries")}


def test_every_chain_is_one_key_whatever_the_word(capsys, data_dir):
    first = js(capsys, data_dir, "generate", "targets", "--region", "深圳", "--chain", "all", "--top", "4")
    assert first["chain"] is None and first["added"] == 4
    again = js(capsys, data_dir, "generate", "targets", "--region", "深圳", "--top", "4")
    assert (again["added"], again["unchanged"]) == (0, 4)  # the same list, not a second one
    js(capsys, data_dir, "generate", "targets", "--region", "深圳", "--chain", "全部", "--top", "4")
    assert stored_chains(data_dir) == {""}
    assert len(js(capsys, data_dir, "show", "targets", "--region", "深圳", "--chain", "all")["entries"]) == 4


def test_cli_and_http_read_the_same_every_chain_list(capsys, data_dir):
    from fastapi.testclient import TestClient

    from api.app import create_app

    js(capsys, data_dir, "generate", "key_firms", "--region", "深圳", "--chain", "all", "--top", "3")
    settings, tokens = _api.start(data_dir)
    with TestClient(create_app(settings)) as client:
        page = client.get("/lists/key_firms", params={"region": "深圳", "chain": "all"},
                          headers={"Authorization": f"Bearer {tokens['viewer']}"}).json()
    assert page["chain"] is None and page["total"] == 3


def test_show_of_a_region_includes_its_chain_lists_as_the_readme_says(capsys, data_dir):
    gen = js(capsys, data_dir, "generate", "重点企业", "--region", "深圳", "--chain", "动漫游戏", "--top", "5")
    assert gen["chain"] == ANIM
    summary = {x["kind"]: x for x in js(capsys, data_dir, "show", "--region", "深圳")}
    assert (summary["key_firms"]["shown"], summary["key_firms"]["chains"]) == (5, [ANIM])
    view = js(capsys, data_dir, "show", "key_firms", "--region", "深圳")
    assert len(view["entries"]) == 5 and {e["chain"] for e in view["entries"]} == {ANIM}
    assert js(capsys, data_dir, "show", "key_firms", "--region", "深圳", "--chain", "all")["entries"] == []
    table = lists(capsys, data_dir, "show", "--region", "深圳")[0]
    assert "动漫游戏" in table and "该地区全部清单" in table and ANIM not in table  # names, not ids


def test_export_never_writes_an_empty_file_silently(capsys, data_dir, tmp_path):
    js(capsys, data_dir, "generate", "targets", "--region", "深圳", "--chain", "动漫游戏", "--top", "3")
    out = tmp_path / "t.csv"
    doc = js(capsys, data_dir, "export", "targets", "--region", "深圳", "-o", str(out))
    assert doc["entries"] == 3 and doc["warning"] is None  # the region view holds the chain's entries
    head, *rows = [line.split(",") for line in out.read_text("utf-8-sig").splitlines()]
    assert {r[head.index("产业链")] for r in rows} == {ANIM}  # each row says which list it is in
    _, err = lists(capsys, data_dir, "export", "targets", "--region", "深圳", "--chain", "all", "-o", str(out))
    assert "没有条目" in err and "--chain 动漫游戏" in err and ANIM not in err
    _, err = lists(capsys, data_dir, "export", "projects", "--region", "深圳", "-o", str(out))
    assert "没有条目" in err and "请先生成或添加条目" in err


def test_a_chain_scoped_export_imports_back_into_the_region(capsys, data_dir, tmp_path):
    js(capsys, data_dir, "generate", "targets", "--region", "深圳", "--chain", "动漫游戏", "--top", "3")
    out = tmp_path / "招商目标.csv"
    js(capsys, data_dir, "export", "targets", "--region", "深圳", "--chain", "动漫游戏", "-o", str(out))
    back = js(capsys, data_dir, "import", "targets", str(out), "--region", "深圳")
    assert (back["rows"], back["added"], back["updated"], back["unchanged"]) == (3, 0, 0, 3)
    # into the every-chain list: refused, saying where the entries are and what to do
    _, err = lists(capsys, data_dir, "import", "targets", str(out), "--region", "深圳", "--chain", "all", code=2)
    assert f"list of chain {ANIM}" in err and "region view" in err
    # an edited cell lands on the chain's entry, in place
    text = out.read_text("utf-8-sig").splitlines()
    head, row = text[0].split(","), text[1].split(",")
    row[head.index("备注")] = "已走访"
    out.write_text("\n".join([text[0], ",".join(row)]), "utf-8-sig")
    back = js(capsys, data_dir, "import", "targets", str(out), "--region", "深圳")
    assert back["updated"] == 1
    entries = js(capsys, data_dir, "show", "targets", "--region", "深圳", "--chain", "动漫游戏")["entries"]
    assert [e["note"] for e in entries if e["id"] == int(row[0])] == ["已走访"]


def test_one_generate_is_one_version(capsys, data_dir):
    first = js(capsys, data_dir, "generate", "targets", "--region", "深圳", "--top", "6")
    assert first["added"] == 6 and first["version"] == 1
    e = js(capsys, data_dir, "show", "targets", "--region", "深圳")["entries"][0]
    edited = js(capsys, data_dir, "edit", str(e["id"]), "--note", "x")
    assert edited["version"] == 2
    again = js(capsys, data_dir, "generate", "targets", "--region", "深圳", "--top", "8")
    assert again["version"] == 3 and again["added"] == 2


def test_http_history_has_one_version_per_write(api):
    q = {"region": "深圳", "chain": "动漫游戏"}
    gen = api.post("/lists/key_firms/generate", json={**q, "top": 5}).json()
    hist = api.get("/lists/key_firms/history", params=q).json()["items"]
    assert len(hist) == 5 and {h["version"] for h in hist} == {gen["version"]}
    assert {h["chain"] for h in hist} == {ANIM}
    view = api.get("/lists/key_firms", params={"region": "深圳"}).json()
    assert view["every_chain"] is True and view["total"] == 5 and view["version"] == gen["version"]
    overview = api.get("/lists", params={"region": "深圳"}).json()
    assert next(x for x in overview["lists"] if x["kind"] == "key_firms")["chains"] == [ANIM]


def test_old_workspace_gets_versions_per_event(tmp_path):
    """A workspace written before versions were per write keeps its history readable."""
    from matching.worklists.store import Draft, ListStore
    from matching.workspace import Workspace

    ws = Workspace.open(tmp_path / "w.sqlite")
    with ws.transaction() as c:
        c.execute("CREATE TABLE list_events (id INTEGER PRIMARY KEY AUTOINCREMENT, entry_id INTEGER NOT NULL, "
                  "kind TEXT NOT NULL, region TEXT NOT NULL, chain TEXT NOT NULL, action TEXT NOT NULL, "
                  "detail TEXT NOT NULL DEFAULT '{}', actor TEXT NOT NULL DEFAULT '', at TEXT NOT NULL)")
        for _ in range(3):
            c.execute("INSERT INTO list_events(entry_id, kind, region, chain, action, at) "
                      "VALUES (1, 'projects', ?, '', 'add', 'x')", (SZ,))
    ls = ListStore(ws)
    assert [h["version"] for h in ls.history("projects", SZ)] == [1, 2, 3]
    r = ls.regenerate("key_firms", SZ, None, [Draft("org:a", "甲"), Draft("org:b", "乙")])
    assert r.version == 4 and {h["version"] for h in ls.history("key_firms", SZ)} == {4}
    ws.close()
