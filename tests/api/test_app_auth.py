"""Roles, keys stored hashed, key management, auth off on loopback."""

from __future__ import annotations

import sqlite3
import stat

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import keys_path
from tests.api.conftest import assert_error, start, world_dir

ORG = {"name_zh": "深圳市权限测试科技有限公司", "region": "深圳市南山区"}

# (method, url, json, minimum role)
CALLS = [
    ("get", "/organisations?limit=1", None, "viewer"),
    ("get", "/organisations/org:f0001", None, "viewer"),
    ("get", "/segments", None, "viewer"),
    ("get", "/chains", None, "viewer"),
    ("get", "/clusters", None, "viewer"),
    ("get", "/links?limit=1", None, "viewer"),
    ("get", "/regions", None, "viewer"),
    ("get", "/regions/resolve?text=深圳", None, "viewer"),
    ("get", "/stats", None, "viewer"),
    ("post", "/organisations", ORG, "editor"),
    ("patch", "/organisations/org:f0002", {"employees": 7}, "editor"),
    ("put", "/organisations/org:f0003", {"name_zh": "替换公司"}, "editor"),
    ("delete", "/organisations/org:f0004", None, "editor"),
    ("get", "/keys", None, "admin"),
    ("post", "/keys", {"name": "n", "role": "viewer"}, "admin"),
]
RANK = {"viewer": 0, "editor": 1, "admin": 2}


@pytest.mark.parametrize("method,url,body,needed", CALLS, ids=[f"{c[0]} {c[1]}" for c in CALLS])
def test_each_role_gets_exactly_what_it_may(api, method, url, body, needed):
    call = getattr(api.client, method)
    kw = {"json": body} if body is not None else {}
    assert_error(call(url, **kw), 401, "unauthorized")
    for role in ("viewer", "editor", "admin"):
        r = call(url, headers=api.headers(role), **kw)
        if RANK[role] < RANK[needed]:
            assert_error(r, 403, "forbidden")
        else:
            assert r.status_code < 300, (role, r.text)
            if method in ("post", "delete", "put"):
                break  # a write done once is done


def test_upload_needs_editor(api):
    files = {"file": ("a.csv", "企业名称\n某公司\n".encode(), "text/csv")}
    assert_error(api.post("/imports/organisations", role="viewer", files=files), 403, "forbidden")
    assert api.post("/imports/organisations?dry_run=true", role="editor", files=files).status_code == 200


def test_x_api_key_header_works_like_bearer(api):
    r = api.client.get("/stats", headers=api.headers("viewer", style="x-api-key"))
    assert r.status_code == 200


def test_health_and_ready_need_no_key(api):
    assert api.client.get("/health").json() == {"status": "ok"}
    ready = api.client.get("/ready").json()
    assert ready["status"] == "ready" and ready["store_version"] >= 1 and ready["auth"] == "on"


def test_keys_are_created_listed_and_revoked_by_admin(api):
    r = api.post("/keys", role="admin", json={"name": "招商局-分析员", "role": "editor"})
    assert r.status_code == 201
    new = r.json()
    assert new["key"].startswith(f"cmk_{new['id']}_") and new["role"] == "editor"
    assert api.client.get("/stats", headers={"X-API-Key": new["key"]}).status_code == 200
    listed = api.get("/keys", role="admin").json()
    assert new["id"] in {k["id"] for k in listed["items"]} and listed["total"] == 4
    assert all("key" not in k for k in listed["items"]) and new["key"] not in str(listed)
    r = api.delete(f"/keys/{new['id']}", role="admin")
    assert r.status_code == 200 and r.json()["revoked"]
    assert_error(api.client.get("/stats", headers={"X-API-Key": new["key"]}), 401, "unauthorized")
    assert_error(api.delete(f"/keys/{new['id']}", role="admin"), 404, "not_found")
    assert api.get("/keys?include_revoked=true", role="admin").json()["total"] == 4


def test_editor_cannot_manage_keys(api):
    assert_error(api.get("/keys", role="editor"), 403, "forbidden")
    assert_error(api.post("/keys", role="editor", json={"name": "x", "role": "admin"}), 403, "forbidden")


def test_key_file_is_private_and_holds_no_secret(api):
    path = keys_path(api.settings.data_dir)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    raw = path.read_bytes()
    for token in api.keys.values():
        secret = token.split("_", 2)[2]
        assert secret.encode() not in raw
    with sqlite3.connect(path) as conn:
        cols = [r[1] for r in conn.execute("PRAGMA table_info(api_keys)")]
    assert "hash" in cols and "salt" in cols and "token" not in cols


def test_malformed_tokens_are_401_not_500(api):
    for token in ["", "cmk_", "cmk_zzzzzzzz_" + "a" * 43, "Bearer", "😀" * 10, "cmk_12345678_" + "a" * 500]:
        r = api.client.get("/stats", headers={"X-API-Key": token} if token.isascii() else
                           {"Authorization": b"Bearer " + token.encode("utf-8")})
        assert r.status_code == 401, (token, r.text)


def test_auth_off_on_loopback_needs_no_key(tmp_path, world_store_file, caplog):
    settings, _ = start(world_dir(tmp_path, world_store_file), auth="off")
    with caplog.at_level("WARNING", logger="chainmatch.api"), TestClient(create_app(settings)) as client:
        assert client.get("/stats").status_code == 200
        assert client.post("/organisations", json={"name_zh": "本地公司"}).status_code == 201
        assert client.get("/ready").json()["auth"] == "off"
    assert any("auth is OFF" in r.getMessage() for r in caplog.records)


def test_whoami_says_each_key_its_own_role(api):
    """GET /whoami answers any key with its own name and role (the workbench greys write buttons for a viewer)."""
    for role in ("viewer", "editor", "admin"):
        r = api.client.get("/whoami", headers=api.headers(role))
        assert r.status_code == 200, r.text
        got = r.json()
        assert got["role"] == role and got["writes"] == (role != "viewer")
        assert got["id"] and "key" not in got  # never the secret
    assert_error(api.client.get("/whoami"), 401, "unauthorized")
