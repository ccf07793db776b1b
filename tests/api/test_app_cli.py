"""``chainmatch keys …`` and ``chainmatch serve`` through their register() functions."""

from __future__ import annotations

import json
import re
import shlex
import threading
import time

import httpx
import pytest
import typer
from typer.testing import CliRunner

from api.cli import keys as cli_keys
from api.cli import serve as cli_serve
from graph.errors import ConfigError, Conflict, InvalidInput, NotFound
from graph.ports import free_port
from tests.api.conftest import world_dir


@pytest.fixture
def cli():
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """chainmatch (test build)."""

    cli_keys.register(app)
    cli_serve.register(app)
    runner = CliRunner()

    def run(*args):
        return runner.invoke(app, [str(a) for a in args])

    return run


def test_keys_init_create_list_revoke(cli, tmp_path):
    d = tmp_path / "data"
    r = cli("keys", "init", "--data-dir", d, "--json")
    assert r.exit_code == 0, r.output
    admin = json.loads(r.stdout)
    assert admin["role"] == "admin" and admin["key"].startswith(f"cmk_{admin['id']}_")
    again = cli("keys", "init", "--data-dir", d)
    assert isinstance(again.exception, Conflict)  # printed once only
    r = cli("keys", "create", "--name", "分析员", "--role", "viewer", "--data-dir", d, "--json")
    viewer = json.loads(r.stdout)
    r = cli("keys", "list", "--data-dir", d, "--json")
    listed = json.loads(r.stdout)
    assert {k["id"] for k in listed} == {admin["id"], viewer["id"]}
    assert admin["key"] not in r.stdout and viewer["key"] not in r.stdout
    assert cli("keys", "list", "--data-dir", d).exit_code == 0
    r = cli("keys", "revoke", viewer["id"], "--data-dir", d, "--json")
    assert json.loads(r.stdout)["revoked"]
    assert isinstance(cli("keys", "revoke", admin["id"], "--data-dir", d).exception, Conflict)
    assert isinstance(cli("keys", "revoke", "ffffffff", "--data-dir", d).exception, NotFound)
    assert cli("keys", "create", "--name", "x", "--role", "root", "--data-dir", d).exit_code != 0
    assert len(json.loads(cli("keys", "list", "--all", "--data-dir", d, "--json").stdout)) == 2


def test_serve_prints_url_key_and_curl_once(cli, tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(cli_serve, "run_one", lambda app, settings, log_level, sock: calls.append(
        {"host": settings.host, "port": settings.port, "log_level": log_level, "bound": sock.getsockname()[1]}))
    d, port = tmp_path / "data", free_port()
    r = cli("serve", "--data-dir", d, "--port", port)
    assert r.exit_code == 0, r.output
    assert calls == [{"host": "127.0.0.1", "port": port, "log_level": "info", "bound": port}]
    assert f"http://127.0.0.1:{port}" in r.stdout and "/docs" in r.stdout
    key = re.search(r"cmk_[0-9a-f]{8}_\S+", r.stdout).group()
    assert r.stdout.count(key.split("_", 2)[2]) == 1  # issue 18: the secret was printed twice (banner and curl)
    assert 'Authorization: Bearer $CHAINMATCH_KEY' in r.stdout and "curl" in r.stdout
    second = cli("serve", "--data-dir", d, "--port", port)
    assert "cmk_" not in second.stdout and "$CHAINMATCH_KEY" in second.stdout


def test_serve_auth_off_only_on_loopback(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(cli_serve, "run_one", lambda *a: None)
    r = cli("serve", "--auth", "off", "--data-dir", tmp_path)
    assert r.exit_code == 0 and "curl" in r.stdout and "Bearer" not in r.stdout
    assert "auth is OFF" in r.output
    r = cli("serve", "--auth", "off", "--host", "0.0.0.0", "--data-dir", tmp_path)
    assert isinstance(r.exception, ConfigError)
    r = cli("serve", "--auth", "maybe", "--data-dir", tmp_path)
    assert isinstance(r.exception, InvalidInput) and r.exception.problems[0].field == "auth"


def test_the_printed_curl_works_against_a_real_server(tmp_path, world_store_file):
    import uvicorn

    from api.app import create_app
    from graph.settings import Settings

    settings = Settings(_env_file=None, data_dir=world_dir(tmp_path, world_store_file), port=free_port())
    lines = cli_serve.prepare(settings)
    curl = shlex.split(next(line for line in lines if line.startswith("try: curl"))[len("try: "):])
    header, url = curl[curl.index("-H") + 1], curl[-1]
    key = re.search(r"cmk_[0-9a-f]{8}_\S+", "\n".join(lines)).group()
    header = header.replace("$CHAINMATCH_KEY", key)  # what the shell does after the printed export
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host=settings.host, port=settings.port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(100):
            if server.started:
                break
            time.sleep(0.05)
        name, value = header.split(": ", 1)
        r = httpx.get(url, headers={name: value}, timeout=10)
        assert r.status_code == 200, r.text
        assert r.json()["region"] == "cn/guangdong/shenzhen" and len(r.json()["items"]) == 3
    finally:
        server.should_exit = True
        thread.join(10)
