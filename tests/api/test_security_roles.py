"""Every route the app serves follows the access policy of api/access.py.

The routes are read from the app itself (not listed here), so a route added
later that forgets its key or asks for too low a role fails these tests.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.access import PUBLIC, expected_role, route_roles
from api.app import create_app
from api.auth import Role
from tests.api.conftest import assert_error, make_settings, start, world_dir

# create_app opens nothing before its lifespan: the data dir is never touched here
ROUTES = list(route_roles(create_app(make_settings(Path("unused-data-dir")))))
IDS = [f"{r.method} {r.path}" for r in ROUTES]


def _url(path: str) -> str:
    """A concrete URL for a path template: every parameter filled with a harmless id."""
    return re.sub(r"\{[^}]+\}", "x1", path)


def test_the_walk_sees_every_kind_of_route():
    seen = {(r.method, r.path) for r in ROUTES}
    assert {("GET", "/organisations"), ("POST", "/imports/{entity}"), ("DELETE", "/keys/{key_id}"),
            ("GET", "/health"), ("POST", "/ui/export.xlsx")} <= seen
    assert len(seen) >= 50


@pytest.mark.parametrize("route", ROUTES, ids=IDS)
def test_each_route_requires_the_role_the_policy_names(route):
    assert route.required == route.expected, (
        f"{route.method} {route.path} requires {route.required} but the policy (api/access.py) says "
        f"{route.expected}: add `_: Viewer|Editor|Admin` to the handler, or change the policy on purpose")


def test_the_policy_itself():
    assert expected_role("POST", "/reports") is Role.EDITOR  # a new write route defaults to editor
    assert expected_role("GET", "/lists/{list_id}") is Role.VIEWER
    assert expected_role("DELETE", "/keys/{key_id}") is Role.ADMIN
    assert expected_role("GET", "/keysmith") is Role.VIEWER  # a prefix is a path segment, not a string prefix
    assert "/organisations" not in PUBLIC


@pytest.fixture(scope="module")
def live(tmp_path_factory, world_store_file):
    settings, tokens = start(world_dir(tmp_path_factory.mktemp("roles"), world_store_file),
                             auth_failures_per_minute=10_000)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client, tokens


@pytest.mark.parametrize("route", [r for r in ROUTES if r.expected is not None],
                         ids=[i for r, i in zip(ROUTES, IDS, strict=True) if r.expected is not None])
def test_each_protected_route_refuses_the_wrong_caller(live, route):
    client, tokens = live
    url = _url(route.path)
    assert_error(client.request(route.method, url), 401, "unauthorized")
    bad = {"Authorization": "Bearer cmk_00000000_" + "A" * 43}
    assert_error(client.request(route.method, url, headers=bad), 401, "unauthorized")
    for role in ("viewer", "editor"):
        if Role(role).allows(route.expected):
            continue
        r = client.request(route.method, url, headers={"Authorization": f"Bearer {tokens[role]}"})
        assert_error(r, 403, "forbidden")


@pytest.mark.parametrize("route", [r for r in ROUTES if r.expected is None],
                         ids=[i for r, i in zip(ROUTES, IDS, strict=True) if r.expected is None])
def test_public_routes_answer_without_a_key(live, route):
    client, _ = live
    r = client.request(route.method, _url(route.path).replace("x1", "index.html"), follow_redirects=False)
    assert r.status_code not in (401, 403), (route.path, r.status_code)


def test_a_route_that_forgets_its_key_is_caught():
    from api.deps import Viewer

    app = create_app(make_settings(Path("unused-data-dir")))

    @app.get("/reports")
    def reports() -> dict:  # forgot `_: Viewer`
        return {}

    @app.post("/lists")
    def lists(_: Viewer) -> dict:  # a write with only a viewer key
        return {}

    bad = {(r.method, r.path) for r in route_roles(app) if r.required != r.expected}
    assert bad == {("GET", "/reports"), ("POST", "/lists")}


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "10.0.0.5", "", "127.0.0.2", "::ffff:127.0.0.1",
                                  "my-laptop.local"])
def test_auth_is_on_by_default_and_cannot_be_turned_off_off_loopback(monkeypatch, host):
    from graph.errors import ConfigError
    from graph.settings import Settings

    for name in ("CHAINMATCH_AUTH", "CHAINMATCH_HOST"):
        monkeypatch.delenv(name, raising=False)
    assert Settings(_env_file=None, host=host).auth == "on"
    monkeypatch.setenv("CHAINMATCH_HOST", host)
    monkeypatch.setenv("CHAINMATCH_AUTH", "off")
    with pytest.raises(ConfigError, match="loopback"):  # no override setting exists, loud or quiet
        Settings(_env_file=None)
    monkeypatch.setenv("CHAINMATCH_HOST", "127.0.0.1")
    assert Settings(_env_file=None).auth == "off"
