"""Secrets never reach a log, an error or the console, except the first admin key printed once."""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.logsafe import RedactSecrets, redact
from graph.errors import BackendUnavailable, ConfigError
from graph.ports import free_port
from graph.settings import Settings
from tests.api.conftest import start, world_dir

PASSWORD = "S3cret-Neo4j-Passw0rd"
QUERY_NAMES = ("api_key", "key", "token", "access_token", "apikey")


def _secret(token: str) -> str:
    return token.split("_", 2)[2]


def test_keys_in_the_url_query_are_never_accepted(api):
    for name in QUERY_NAMES:
        r = api.client.get(f"/stats?{name}={api.keys['admin']}")
        assert r.status_code == 401, (name, r.text)
        assert _secret(api.keys["admin"]) not in r.text


def test_no_log_record_of_the_app_holds_a_secret(tmp_path, world_store_file, caplog):
    settings, tokens = start(world_dir(tmp_path, world_store_file))
    wrong = "cmk_0badc0de_" + "W" * 43
    with caplog.at_level(logging.DEBUG), TestClient(create_app(settings), raise_server_exceptions=False) as c:
        created = c.post("/keys", headers={"Authorization": f"Bearer {tokens['admin']}"},
                         json={"name": "new", "role": "viewer"}).json()["key"]
        for token in (*tokens.values(), created, wrong):
            c.get("/stats", headers={"Authorization": f"Bearer {token}"})
            c.get("/keys", headers={"X-API-Key": token})
            c.get(f"/stats?api_key={token}")
    server_side = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore")))
    assert server_side  # the app did log (start-up at least)
    for token in (*tokens.values(), created, wrong):
        assert _secret(token) not in server_side


def test_the_redaction_filter_covers_messages_arguments_and_tracebacks():
    token = "cmk_0a1b2c3d_" + "s" * 43
    try:
        raise RuntimeError(f"boom {token}")
    except RuntimeError:
        record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                                   ("127.0.0.1:5", "GET", f"/stats?api_key={token}&x=1", "1.1", 401),
                                   sys.exc_info())
    assert RedactSecrets().filter(record)
    text = logging.Formatter().format(record)
    assert "s" * 43 not in text and text.count("cmk_0a1b2c3d_[redacted]") == 2 and "&x=1" in text
    assert redact("cmk_0a1b2c3d%5F" + "s" * 20) == "cmk_0a1b2c3d_[redacted]"  # URL-encoded underscore


def test_the_neo4j_password_is_never_shown():
    s = Settings(_env_file=None, backend="neo4j", neo4j_uri="bolt://127.0.0.1:1", neo4j_password=PASSWORD)
    for text in (repr(s), str(s), str(s.model_dump()), s.model_dump_json()):
        assert PASSWORD not in text
    assert s.neo4j_password.get_secret_value() == PASSWORD
    with pytest.raises(ConfigError) as err:  # credentials in the URI would be quoted in every error
        Settings(_env_file=None, backend="neo4j", neo4j_uri=f"bolt://neo4j:{PASSWORD}@127.0.0.1:7687")
    assert PASSWORD not in str(err.value) and PASSWORD not in err.value.message_zh
    assert "CHAINMATCH_NEO4J_PASSWORD" in str(err.value)


def test_a_neo4j_that_does_not_answer_gives_an_error_without_the_password(tmp_path, caplog):
    s = Settings(_env_file=None, data_dir=tmp_path, backend="neo4j",
                 neo4j_uri=f"bolt://127.0.0.1:{free_port()}", neo4j_password=PASSWORD)
    with caplog.at_level(logging.DEBUG), pytest.raises(BackendUnavailable) as err:
        with TestClient(create_app(s)):
            pass
    assert PASSWORD not in f"{err.value} {err.value.message_zh} {caplog.text}"


def _wait_until_up(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"chainmatch serve exited with {proc.returncode}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError("chainmatch serve did not answer within 60 s")


@pytest.mark.slow  # starts a real `chainmatch serve`: 15-25 s on a busy 2-core machine
def test_serve_console_and_access_log_show_only_the_first_admin_key_once(tmp_path, world_store_file):
    data, port = world_dir(tmp_path, world_store_file), free_port()
    url = f"http://127.0.0.1:{port}"
    out, err = tmp_path / "out.txt", tmp_path / "err.txt"
    exe = Path(sys.executable).with_name("chainmatch")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHAINMATCH_")}
    with open(out, "wb") as o, open(err, "wb") as e:
        proc = subprocess.Popen([str(exe), "serve", "--data-dir", str(data), "--port", str(port)],
                                stdout=o, stderr=e, env={**env, "CHAINMATCH_EMBEDDING_MODEL": "hashing:64"})
    try:
        _wait_until_up(url, proc)
        first = re.search(r"cmk_[0-9a-f]{8}_\S+", out.read_text()).group()
        admin = {"Authorization": f"Bearer {first}"}
        viewer = httpx.post(f"{url}/keys", headers=admin, json={"name": "v", "role": "viewer"}).json()["key"]
        wrong = "cmk_0badc0de_" + "W" * 43
        assert httpx.get(f"{url}/stats", headers={"X-API-Key": viewer}).status_code == 200
        for token in (first, viewer, wrong):
            assert httpx.get(f"{url}/stats", headers={"Authorization": f"Bearer {token}"}).status_code in (200, 401)
            for name in QUERY_NAMES:
                assert httpx.get(f"{url}/stats?{name}={token}").status_code == 401
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    console = out.read_text() + err.read_text()
    assert "GET /stats?api_key=cmk_" in console  # the access log ran, and redacted what it logged
    shown = [line for line in console.splitlines() if _secret(first) in line]
    # the start-up banner's key line only, once: the sample curl names $CHAINMATCH_KEY, never a log line
    assert len(shown) == 1 and shown[0].startswith("admin key (created now, shown once"), shown
    assert any(line.startswith('try: curl -H "Authorization: Bearer $CHAINMATCH_KEY"')
               for line in console.splitlines())
    for token in (viewer, wrong):
        assert _secret(token) not in console
    assert "[redacted]" in console


@pytest.mark.parametrize("spelled", [
    "cmk%5F0a1b2c3d%5F{s}", "%63mk_0a1b2c3d_{s}", "CMK_0A1B2C3D_{s}", "%43%4D%4B%5F%30a1b2c3d%5f{s}",
    "cmK_0a1b2c3d%5f{s}",
])
def test_redaction_covers_keys_in_any_case_and_percent_encoding(spelled):
    secret = "Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXhx"
    line = f"GET /stats?api_key={spelled.format(s=secret)}&x=1 HTTP/1.1"
    out = redact(line)
    assert secret not in out and "cmk_0a1b2c3d_[redacted]" in out and out.endswith("&x=1 HTTP/1.1"), out


def test_redaction_covers_a_bare_secret_in_a_query_and_keeps_ordinary_queries():
    secret = "Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXhx"
    for q in (secret, secret.replace("_", "%5F"), "Bearer%20" + secret):
        out = redact(f"GET /search?q=x&token={q} HTTP/1.1")
        assert secret not in out and "[redacted]" in out, out
    plain = "GET /search?q=" + "%E5%8A%A8%E6%BC%AB" * 6 + "&limit=10&region=cn/guangdong/shenzhen HTTP/1.1"
    assert redact(plain) == plain
