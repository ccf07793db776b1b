"""The API on the sample world: a store file built once per session (tests/conftest.py), copied per test."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import KeyStore, keys_path
from graph.settings import Settings


@dataclass
class Api:
    client: TestClient
    settings: Settings
    keys: dict[str, str]  # role -> token

    def headers(self, role: str | None = "admin", style: str = "bearer") -> dict[str, str]:
        if role is None:
            return {}
        token = self.keys.get(role, role)
        return {"Authorization": f"Bearer {token}"} if style == "bearer" else {"X-API-Key": token}

    def get(self, url, role="viewer", **kw):
        return self.client.get(url, headers=self.headers(role), **kw)

    def post(self, url, role="editor", **kw):
        return self.client.post(url, headers=self.headers(role), **kw)

    def put(self, url, role="editor", **kw):
        return self.client.put(url, headers=self.headers(role), **kw)

    def patch(self, url, role="editor", **kw):
        return self.client.patch(url, headers=self.headers(role), **kw)

    def delete(self, url, role="editor", **kw):
        return self.client.delete(url, headers=self.headers(role), **kw)


def make_settings(data_dir: Path, **kw) -> Settings:
    """Embedded store; the hashing embedder (a real model is the matching tests' business)."""
    kw.setdefault("embedding_model", "hashing:64")
    return Settings(_env_file=None, data_dir=data_dir, backend="embedded", **kw)


def world_dir(tmp_path: Path, world_store_file: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(world_store_file, data / "store.sqlite")
    return data


def start(data: Path, **kw):
    settings = make_settings(data, **kw)
    tokens = {}
    with KeyStore.open(keys_path(data)) as keys:
        for role in ("viewer", "editor", "admin"):
            tokens[role] = keys.create(f"test {role}", role).token
    return settings, tokens


@pytest.fixture
def api(tmp_path, world_store_file):
    """A client of the app on a private copy of the sample world, with one key per role."""
    settings, tokens = start(world_dir(tmp_path, world_store_file))
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield Api(client, settings, tokens)


def assert_error(response, status: int, code: str) -> dict:
    """The response is the one error shape with this status and code; return the error object."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    err = body["error"]
    assert set(err) == {"code", "message", "message_zh", "details"}
    assert err["code"] == code
    assert isinstance(err["message"], str) and err["message"]
    assert isinstance(err["message_zh"], str) and err["message_zh"]
    assert isinstance(err["details"], list)
    for d in err["details"]:
        assert "reason" in d and set(d) <= {"file", "row", "field", "reason", "reason_zh", "suggestions"}
    text = response.text
    assert "Traceback" not in text and 'File "' not in text
    return err
