"""HTTP hardening: security headers, CORS closed, static files confined, hostile bodies and files."""

from __future__ import annotations

import io
import zipfile

import pytest

from api.headers import WORKBENCH_CSP
from graph.io import tables
from tests.api.conftest import assert_error

ORIGIN = "http://192.0.2.7:8080"  # TEST-NET-1: some other site's page


def test_every_response_says_nosniff_and_no_framing(api):
    for r in (api.get("/stats"), api.client.get("/stats"), api.client.get("/health"),
              api.client.get("/ui/index.html"), api.client.get("/openapi.json")):
        assert r.headers["x-content-type-options"] == "nosniff", r.url
        assert r.headers["x-frame-options"] == "DENY" and r.headers["referrer-policy"] == "no-referrer"


def test_the_workbench_has_a_csp_without_inline_script(api):
    for path in ("/ui/index.html", "/ui/js/main.js", "/ui/no-such-file.js"):
        assert api.client.get(path).headers["content-security-policy"] == WORKBENCH_CSP
    assert "'unsafe-inline'" not in WORKBENCH_CSP.split("script-src", 1)[1].split(";", 1)[0]
    page = api.client.get("/ui/index.html").text
    assert "<script>" not in page and " on" + "click=" not in page  # nothing the CSP would block
    docs = api.client.get("/docs")  # issue 18: Swagger UI came from a CDN without integrity; not served now
    assert docs.status_code == 200 and "default-src 'none'" in docs.headers["content-security-policy"]
    assert "<script" not in docs.text and "http" not in docs.text and "/openapi.json" in docs.text
    assert api.client.get("/redoc").status_code == 404 and api.client.get("/openapi.json").status_code == 200


def test_cors_is_closed(api):
    pre = api.client.options("/stats", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET",
                                                "Access-Control-Request-Headers": "authorization"})
    assert "access-control-allow-origin" not in pre.headers and pre.status_code >= 400
    r = api.client.get("/stats", headers={**api.headers("viewer"), "Origin": ORIGIN})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers


@pytest.mark.parametrize("path", ["/ui/%2e%2e/app.py", "/ui/..%2fapp.py", "/ui/%2e%2e%2f%2e%2e%2fpyproject.toml",
                                  "/ui/js/%2e%2e/%2e%2e/auth.py", "/ui//etc/passwd", "/ui/%2fetc%2fpasswd",
                                  "/ui/..%5capp.py", "/ui/js/main.js%00.txt", "/ui/vendor/"])
def test_static_files_never_leave_the_static_dir(api, path):
    r = api.client.get(path)
    assert_error(r, 404, "not_found")
    assert "import " not in r.text and "root:" not in r.text


def test_deeply_nested_json_is_a_clear_4xx(api):
    for body in ("[" * 200_000 + "]" * 200_000, '{"name_zh": ' + "[" * 50_000 + "]" * 50_000 + "}"):
        r = api.client.post("/organisations", content=body, headers={**api.headers("editor"),
                                                                   "content-type": "application/json"})
        assert 400 <= r.status_code < 500, r.status_code
        assert r.json()["error"]["code"] == "invalid_input" and "Traceback" not in r.text


def test_a_list_over_its_cap_is_422(api):
    book = {"sheets": [{"columns": ["a"], "rows": [[1]] * 20_001}]}
    err = assert_error(api.post("/ui/export.xlsx", role="viewer", json=book), 422, "invalid_input")
    assert any("rows" in d["field"] for d in err["details"])


def _bomb(unpacked: int) -> bytes:
    """A valid one-row workbook plus a member of ``unpacked`` zero bytes (compresses ~1000x)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["企业名称"])
    wb.active.append(["炸弹测试公司"])
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(buf, "a", compression=zipfile.ZIP_DEFLATED) as z, z.open("xl/media/pad.bin", "w") as f:
        chunk = bytes(1 << 20)
        for _ in range(unpacked >> 20):
            f.write(chunk)
    return buf.getvalue()


def test_an_xlsx_zip_bomb_is_refused_and_nothing_is_written(api):
    before = api.get("/stats").json()
    data = _bomb(tables.XLSX_SMALL + (8 << 20))
    assert len(data) * tables.XLSX_MAX_RATIO < tables.XLSX_SMALL  # small upload, huge inside
    r = api.post("/imports/organisations", files={"file": ("名单.xlsx", data, "application/octet-stream")})
    err = assert_error(r, 422, "invalid_input")
    assert "zip bomb" in err["message"] + str(err["details"])
    assert api.get("/stats").json() == before


def test_an_ordinary_workbook_still_imports(api):
    r = api.post("/imports/organisations?dry_run=true",
                 files={"file": ("名单.xlsx", _bomb(1 << 20), "application/octet-stream")})
    assert r.status_code == 200, r.text


def test_the_unpacked_size_is_also_held_to_max_file_bytes(tmp_path):
    from graph.errors import InvalidInput
    from graph.settings import Settings

    path = tmp_path / "w.xlsx"
    path.write_bytes(_bomb(3 << 20))
    with pytest.raises(InvalidInput, match="zip bomb"):
        tables.read_rows(path, settings=Settings(_env_file=None, max_file_bytes=2_000_000))
    with tables.read_rows(path, settings=Settings(_env_file=None, max_file_bytes=5_000_000)) as t:
        assert t.headers == ["name_zh"] or t.headers == ["企业名称"]


def _raw(app, method, path, headers, chunks):
    """Drive the ASGI app directly; return (status, body messages the app pulled)."""
    import anyio

    pulled, sent = [], []
    pending = list(chunks)

    async def receive():
        if pending:
            body = pending.pop(0)
            pulled.append(len(body))
            return {"type": "http.request", "body": body, "more_body": bool(pending)}
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
             "client": ("127.0.0.1", 5), "server": ("testserver", 80), "state": {}}
    anyio.run(app, scope, receive, send)
    return next(m["status"] for m in sent if m["type"] == "http.response.start"), pulled


def test_anonymous_body_is_refused_401_before_a_byte_is_read(api):
    """Issue 18: an anonymous 19.8 MB JSON body to POST /partners was parsed (≈390 MB) before the 401."""
    app = api.client.app
    big = b'{"segments": [' + b'"seg:game_engine",' * 1_100_000 + b'"x"]}'  # ~19.8 MB
    assert len(big) > 19_000_000
    chunks = [big[i:i + (1 << 16)] for i in range(0, len(big), 1 << 16)]
    for headers in ({}, {"Authorization": "Bearer cmk_00000000_" + "x" * 43}, {"X-API-Key": "nope"}):
        status, pulled = _raw(app, "POST", "/partners",
                              {"content-type": "application/json", "content-length": str(len(big)), **headers},
                              chunks)
        assert (status, pulled) == (401, []), headers
    # a good key: the body is read and answered
    status, pulled = _raw(app, "POST", "/partners", {"content-type": "application/json", "content-length": "2",
                                                     **api.headers("viewer")}, [b"{}"])
    assert status != 401 and pulled == [2]


def test_malformed_json_without_a_key_is_401_not_422(api):
    for path in ("/partners", "/organisations", "/campaigns/propose", "/ui/export.xlsx", "/imports/links"):
        r = api.client.post(path, content=b"{not json", headers={"content-type": "application/json"})
        assert_error(r, 401, "unauthorized")
        assert r.headers["www-authenticate"].startswith("Bearer")
    r = api.client.post("/partners", content=b"{not json", headers={"content-type": "application/json",
                                                                      **api.headers("viewer")})
    assert_error(r, 422, "invalid_input")
    r = api.client.post("/organisations", content=b"{}", headers={"content-type": "application/json",
                                                                    **api.headers("viewer")})
    assert_error(r, 403, "forbidden")  # the role check still applies after the gate


def test_export_caps_cells_per_row_and_in_total(api):
    """Issue 18: POST /ui/export.xlsx had no cap on cells per row (9 M cells: 112 s, 4.2 GB)."""
    import time

    wide = {"sheets": [{"columns": ["a"], "rows": [[0] * 101]}]}
    err = assert_error(api.post("/ui/export.xlsx", role="viewer", json=wide), 422, "invalid_input")
    assert "101 cells, max 100" in err["details"][0]["reason"]
    many = {"sheets": [{"columns": ["a"], "rows": [[0] * 5] * 20_000} for _ in range(6)]}  # 600,000 cells
    t = time.perf_counter()
    err = assert_error(api.post("/ui/export.xlsx", role="viewer", json=many), 422, "invalid_input")
    assert time.perf_counter() - t < 10 and "500000 cells" in err["details"][0]["reason"]
    ok = {"sheets": [{"title": "=t", "columns": ["=a", "b"], "rows": [["=1+1", 2]] * 1000}]}
    r = api.post("/ui/export.xlsx", role="viewer", json=ok)
    assert r.status_code == 200 and r.content[:2] == b"PK"


def test_api_writes_refuse_formula_text_in_nested_fields(api):
    body = {"name_zh": "嵌套字段测试公司", "region": "深圳市南山区",
            "financing": [{"date": "2020-01-01", "round": "=1+1"}]}
    r = api.post("/organisations", json=body)
    assert r.status_code == 422, r.text
    assert "formula" in r.text


def test_costly_queries_are_bounded_and_limited_per_key(api, monkeypatch):
    """Issue 18: a 450-character /search took 3.5 s; /eval/backtest could be repeated per t0 (12.8 s each)."""
    import api.costly as costly
    from graph import stats as graph_stats

    r = api.get("/search", params={"q": "游" * 201})
    assert_error(r, 422, "invalid_input")
    assert api.get("/search", params={"q": "游戏引擎"}).status_code == 200
    calls = []
    monkeypatch.setattr(costly, "PER_MINUTE", 2)
    monkeypatch.setattr(api.client.app.state.engines, "backtest", lambda *a: calls.append(a) or
                        (_ for _ in ()).throw(RuntimeError("not needed")))
    statuses = [api.get("/eval/backtest", params={"t0": f"20{10 + i}-01-01"}).status_code for i in range(3)]
    assert statuses[:2] != [429, 429] and statuses[2] == 429, statuses
    r = api.get("/eval/backtest", params={"t0": "2019-01-01"})
    err = assert_error(r, 429, "rate_limited")
    assert int(r.headers["retry-after"]) >= 1 and "API key" in err["message"]
    assert api.get("/eval/backtest", role="editor").status_code != 429  # per key: another key is not limited
    # /stats: computed once per store version
    real, n = graph_stats.store_stats, []
    monkeypatch.setattr("api.routes.stats.store_stats", lambda s: n.append(1) or real(s))
    first = api.get("/stats").json()
    assert api.get("/stats").json() == first and len(n) == 1
    api.post("/organisations", json={"name_zh": "统计缓存测试公司", "region": "深圳市南山区"})
    assert api.get("/stats").json()["counts"]["organisations"] == first["counts"]["organisations"] + 1
    assert len(n) == 2
