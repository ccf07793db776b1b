"""POST /imports/{entity}: the importer over HTTP, all or nothing, every problem listed."""

from __future__ import annotations

from tests.api.conftest import assert_error

FIRMS = ("企业名称,统一社会信用代码,注册地址,所属环节\n"
         "深圳市上传测试科技有限公司,91440300708461136T,深圳市南山区科技园,游戏引擎\n"
         "广州市上传二号文化有限公司,,广州市天河区,\n")


def upload(api, entity, name, data, role="editor", **params):
    return api.post(f"/imports/{entity}", role=role, params=params,
                    files={"file": (name, data, "application/octet-stream")})


def count(api) -> int:
    return api.get("/stats").json()["counts"]["organisations"]


def test_upload_imports_and_reimport_changes_nothing(api):
    r = upload(api, "organisations", "企业名单.csv", FIRMS.encode())
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["file"] == "企业名单.csv" and report["rows_read"] == 2 and report["encoding"] == "utf-8"
    assert report["imported"]["inserted"] == {"organisations": 2} and report["problems"] == []
    page = api.get("/organisations", params={"q": "上传测试"}).json()
    assert page["items"][0]["region"] == "cn/guangdong/shenzhen/nanshan"
    assert page["items"][0]["segments"][0]["segment"] == "seg:game_engine"
    again = upload(api, "organisations", "企业名单.csv", FIRMS.encode()).json()
    assert again["imported"]["inserted"] == {} and again["imported"]["version"] == report["imported"]["version"]


def test_gbk_upload_is_detected(api):
    r = upload(api, "organisations", "gbk.csv", FIRMS.encode("gb18030"))
    assert r.status_code == 200 and r.json()["encoding"] in ("gb18030", "gbk")
    assert any("not UTF-8" in w for w in r.json()["warnings"])
    # the same warnings, in the same order, in Chinese, for the workbench's Chinese page
    body = r.json()
    assert len(body["warnings_zh"]) == len(body["warnings"])
    assert any("不是 UTF-8" in w for w in body["warnings_zh"])
    assert_error(upload(api, "organisations", "gbk.csv", FIRMS.encode("gb18030"), encoding="utf-8"),
                 422, "bad_encoding")


def test_a_bad_file_lists_every_problem_and_writes_nothing(api):
    before, version = count(api), api.client.get("/ready").json()["store_version"]
    bad = ("企业名称,统一社会信用代码,所属环节\n"
           "好公司,91440300708461136T,游戏引擎\n"
           "坏公司一,91440300708461136A,\n"
           "坏公司二,,不存在的环节\n"
           "=cmd|' /C calc'!A0,,\n")
    err = assert_error(upload(api, "organisations", "bad.csv", bad.encode()), 422, "invalid_input")
    rows = {(d["row"], d["field"]) for d in err["details"]}
    assert {r for r, _ in rows} == {3, 4, 5} and all(d["file"] == "bad.csv" for d in err["details"])
    assert "nothing imported" in err["message"] and "未导入" in err["message_zh"]
    assert count(api) == before and api.client.get("/ready").json()["store_version"] == version


def test_skip_invalid_lands_good_rows_and_reports_the_rest(api):
    bad = "企业名称,统一社会信用代码\n好公司甲,\n坏公司,91440300708461136A\n"
    r = upload(api, "organisations", "mixed.csv", bad.encode(), skip_invalid="true")
    report = r.json()
    assert r.status_code == 200 and report["rejected"] == 1 and report["problems"][0]["row"] == 3
    assert report["imported"]["inserted"] == {"organisations": 1}


def test_dry_run_writes_nothing(api):
    before = count(api)
    report = upload(api, "organisations", "f.csv", FIRMS.encode(), dry_run="true").json()
    assert report["dry_run"] and report["imported"] is None and report["rows_read"] == 2
    assert count(api) == before


def test_links_and_segments_with_a_column_map(api):
    links = "供应方,客户方,关系,开始\norg:f0001,org:f0002,供给,2025-01-01\n"
    r = upload(api, "links", "links.csv", links.encode(), map="开始=since")
    assert r.status_code == 200, r.text
    assert r.json()["imported"]["inserted"] == {"links": 1}
    segs = "id,名称,阶段,业态,产业链\nseg:ai_dub,AI配音,中游,内容制作,网络视听与数字内容\n"
    r = upload(api, "segments", "segments.xlsx.csv", segs.encode())
    assert r.status_code == 200, r.text
    assert r.json()["imported"]["inserted"]["segments"] == 1
    assert api.get("/segments/seg:ai_dub").json()["name_zh"] == "AI配音"
    assert_error(upload(api, "links", "l.csv", links.encode(), map="nonsense"), 422, "invalid_input")


def test_whole_file_problems(api):
    err = assert_error(upload(api, "organisations", "old.xls", b"\xd0\xcf\x11\xe0"), 422, "invalid_input")
    assert ".xlsx" in err["message"]
    assert_error(upload(api, "organisations", "empty.csv", b""), 422, "invalid_input")
    assert_error(upload(api, "organisations", "x.csv", "城市\n深圳\n".encode()), 422, "invalid_input")
    assert_error(upload(api, "firms", "x.csv", FIRMS.encode()), 422, "invalid_input")
    assert_error(upload(api, "organisations", "x.csv", FIRMS.encode(), sheet="Sheet1"), 422, "invalid_input")


def test_hostile_file_names_stay_in_the_temp_dir(api, tmp_path):
    for name in ("../../../../tmp/evil.csv", "..\\..\\evil.csv", "/etc/passwd.csv", "a\x00b.csv", ".csv"):
        r = upload(api, "organisations", name, FIRMS.encode(), dry_run="true")
        assert r.status_code in (200, 422), r.text
        if r.status_code == 200:
            assert "/" not in r.json()["file"] and "\\" not in r.json()["file"]


def test_missing_file_part_is_422(api):
    assert_error(api.post("/imports/organisations", data={"x": "1"}), 422, "invalid_input")


def test_encoding_must_be_a_text_encoding_and_utf16_needs_a_bom(api):
    import bz2

    bomb = bz2.compress(b"a" * 20_000_000)
    for codec in ("bz2", "zlib", "base64", "rot13", "undefined"):
        r = upload(api, "organisations", "bomb.csv", bomb, encoding=codec)
        assert_error(r, 422, "bad_encoding")
        assert "not a text encoding" in r.text
    r = upload(api, "organisations", "a.csv", FIRMS.encode("utf-16-le"), encoding="utf-16")
    assert_error(r, 422, "bad_encoding")
    assert r.json()["error"]["details"][0]["field"] == "encoding"


def test_deeply_nested_json_upload_is_422_not_500(api):
    deep = ("[" * 2000 + "]" * 2000).encode()
    r = upload(api, "organisations", "deep.json", deep)
    assert_error(r, 422, "invalid_input")
    assert "nested too deeply" in r.text
    r = upload(api, "organisations", "deep.jsonl", b'{"name_zh": "x"}\n' + deep + b"\n")
    assert r.status_code == 422 and "nested too deeply" in r.text


def test_import_error_reports_are_bounded(api):
    """Issue 18: 1 M bad rows gave an 88.9 MB 422; 1 M unknown columns 8.9 MB of warnings."""
    from graph.errors import MAX_PROBLEMS

    rows = "".join(f"坏公司{i},91440300708461136A\n" for i in range(20_000))
    r = upload(api, "organisations", "bad.csv", ("企业名称,统一社会信用代码\n" + rows).encode())
    err = assert_error(r, 422, "invalid_input")
    listed = [d for d in err["details"] if d["row"] is not None]
    summary = [d for d in err["details"] if d["row"] is None]
    assert len(listed) == MAX_PROBLEMS and len(r.content) < 400_000
    assert summary and summary[0]["field"] == "统一社会信用代码"
    assert summary[0]["reason"].startswith(f"{20_000 - MAX_PROBLEMS} more problems like:")
    wide = ",".join(["企业名称"] + [f"列{i}" for i in range(100_000)]) + "\n光影科技有限公司" + "," * 100_000 + "\n"
    r = upload(api, "organisations", "wide.csv", wide.encode(), dry_run="true")
    assert r.status_code == 200, r.text[:300]
    assert len(r.content) < 50_000 and any("… and 99950 more" in w for w in r.json()["warnings"])
    r = upload(api, "organisations", "bad.csv", ("企业名称,统一社会信用代码\n" + rows).encode(), skip_invalid="true")
    assert r.status_code == 200 and len(r.json()["problems"]) <= MAX_PROBLEMS + 100 and r.json()["rejected"] == 20_000


def test_uploads_are_private_swept_at_start_and_removed_on_error(tmp_path, world_store_file, monkeypatch):
    """Issue 18: kill -9 during an upload left it (0644) in the system temp directory, never swept."""
    import os
    import stat

    from fastapi.testclient import TestClient

    import api.routes.imports as routes
    from api.app import create_app
    from tests.api.conftest import Api, start, world_dir

    data = world_dir(tmp_path, world_store_file)
    left = data / "tmp" / "uploads" / "999999999-dead"  # a process that cannot exist
    left.mkdir(parents=True)
    (left / "firms.csv").write_text("企业名称\n被遗留的上传\n", encoding="utf-8")
    settings, tokens = start(data)
    seen = {}

    def spy(store, path, entity, **kw):
        seen["file"], seen["dir"] = stat.S_IMODE(path.stat().st_mode), stat.S_IMODE(path.parent.stat().st_mode)
        seen["where"] = path.parent
        raise RuntimeError("boom")  # an unexpected error mid-import

    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        assert not left.exists()  # swept when the app started
        api = Api(client, settings, tokens)
        monkeypatch.setattr(routes, "import_file", spy)
        r = upload(api, "organisations", "firms.csv", FIRMS.encode())
        assert r.status_code == 500
    assert (seen["file"], seen["dir"]) == (0o600, 0o700)
    assert seen["where"].parent == data / "tmp" / "uploads" and not seen["where"].exists()
    assert os.listdir(data / "tmp" / "uploads") == []
