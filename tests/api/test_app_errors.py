"""The one error shape, pinned: every status the API answers with an error."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.api.conftest import assert_error, make_settings, start, world_dir

PINNED = {
    "error": {
        "code": "not_found",
        "message": "unknown organisation: org:nope",
        "message_zh": "未找到机构：org:nope",
        "details": [],
    }
}


def test_404_is_pinned_exactly(api):
    r = api.get("/organisations/org:nope")
    assert r.status_code == 404 and r.json() == PINNED


def test_unknown_endpoint_is_404_in_the_shape(api):
    err = assert_error(api.get("/no/such/thing"), 404, "not_found")
    assert "/no/such/thing" in err["message"]


def test_405_in_the_shape(api):
    assert_error(api.client.put("/stats", headers=api.headers()), 405, "method_not_allowed")


def test_422_query_validation_lists_every_field(api):
    err = assert_error(api.get("/organisations?limit=0&offset=-1&kind=spaceship"), 422, "invalid_input")
    assert {d["field"] for d in err["details"]} == {"query.limit", "query.offset", "query.kind"}
    assert all(set(d) == {"field", "reason", "reason_zh"} for d in err["details"])
    assert {d["reason_zh"] for d in err["details"] if d["field"] == "query.limit"} == {"应不小于 1"}  # in words


def test_422_body_validation_never_echoes_the_input(api):
    secret = "x" * 30 + "秘密"
    r = api.post("/organisations", json={"name_zh": "甲", "employees": -1, "uscc": secret})
    err = assert_error(r, 422, "invalid_input")
    assert {d["field"] for d in err["details"]} == {"body.employees", "body.uscc"}
    assert secret not in r.text


def test_422_malformed_json(api):
    r = api.client.post("/organisations", content=b"{not json", headers={
        **api.headers("editor"), "content-type": "application/json"})
    assert_error(r, 422, "invalid_input")


def test_422_from_the_store_names_the_field(api):
    r = api.post("/organisations", json={"name_zh": "乙公司", "segments": [{"segment": "seg:nope"}]})
    err = assert_error(r, 422, "invalid_input")
    assert err["details"] == [{"file": "organisations", "row": 1, "field": "segments",
                               "reason": "unknown segment 'seg:nope'"}]


def test_401_without_key_and_with_a_wrong_key(api):
    err = assert_error(api.client.get("/stats"), 401, "unauthorized")
    assert "X-API-Key" in err["message"]
    r = api.client.get("/stats", headers={"Authorization": "Bearer cmk_00000000_" + "a" * 43})
    assert_error(r, 401, "unauthorized")
    assert r.headers["www-authenticate"].startswith("Bearer")


def test_403_for_a_role_too_low(api):
    err = assert_error(api.delete("/organisations/org:f0001", role="viewer"), 403, "forbidden")
    assert "editor" in err["message"]


def test_409_on_an_id_that_exists(api):
    r = api.post("/organisations", json={"id": "org:f0001", "name_zh": "重复公司"})
    assert_error(r, 409, "conflict")


def test_409_when_the_last_admin_key_would_go(api):
    admin_id = api.keys["admin"].split("_")[1]
    assert_error(api.delete(f"/keys/{admin_id}", role="admin"), 409, "conflict")


def test_413_declared_and_streamed(tmp_path, world_store_file):
    settings, tokens = start(world_dir(tmp_path, world_store_file), max_request_bytes=1000)
    headers = {"Authorization": f"Bearer {tokens['editor']}"}
    with TestClient(create_app(settings)) as client:
        r = client.post("/imports/organisations", headers=headers,
                        files={"file": ("big.csv", b"x" * 5000, "text/csv")})
        err = assert_error(r, 413, "payload_too_large")
        assert "CHAINMATCH_MAX_REQUEST_BYTES" in err["message"]

        def chunks():  # no Content-Length: the limit is counted as the body streams
            for _ in range(10):
                yield b'{"name_zh": "' + b"x" * 200

        r = client.post("/organisations", headers={**headers, "content-type": "application/json"},
                        content=chunks())
        assert_error(r, 413, "payload_too_large")
        assert client.get("/stats", headers=headers).status_code == 200


def test_429_after_repeated_wrong_keys(tmp_path, world_store_file):
    settings, tokens = start(world_dir(tmp_path, world_store_file), auth_failures_per_minute=3)
    with TestClient(create_app(settings)) as client:
        bad = {"X-API-Key": "cmk_12345678_" + "b" * 43}
        for _ in range(3):
            assert_error(client.get("/stats", headers=bad), 401, "unauthorized")
        r = client.get("/stats", headers=bad)
        err = assert_error(r, 429, "rate_limited")
        assert int(r.headers["retry-after"]) >= 1 and "retry" in err["message"]
        # while throttled even a good key waits: a guesser learns nothing
        good = {"X-API-Key": tokens["viewer"]}
        assert_error(client.get("/stats", headers=good), 429, "rate_limited")
        # requests without any key are not guesses and are not throttled
        assert_error(client.get("/stats"), 401, "unauthorized")


def test_500_has_no_stack_trace(api, monkeypatch):
    def boom(*a, **kw):
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr("api.routes.stats.store_stats", boom)
    r = api.get("/stats")
    err = assert_error(r, 500, "internal_error")
    assert "secret internals" not in r.text and err["details"] == []


def test_503_when_the_store_is_gone(api):
    api.client.app.state.store.close()
    assert_error(api.client.get("/ready"), 503, "backend_unavailable")


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::"])
def test_auth_off_refused_off_loopback(tmp_path, host):
    from graph.errors import ConfigError

    with pytest.raises(ConfigError, match="loopback"):
        make_settings(tmp_path, auth="off", host=host)
    ok = make_settings(tmp_path, auth="off")
    with pytest.raises(ConfigError):
        create_app(ok.model_copy(update={"host": host}))


def _subclasses(cls) -> set[type]:
    out = set()
    for c in cls.__subclasses__():
        out |= {c} | _subclasses(c)
    return out


def test_the_error_tree_drawing_names_every_error_and_each_status_is_stated_once():
    import re

    import api.errors
    import api.routes._common  # noqa: F401 - FieldError lives there
    import graph.errors
    from graph.errors import ChainmatchError

    drawing = graph.errors.__doc__
    drawn = dict(re.findall(r"[├└]── (\w+)\s+(\w+)", drawing))
    ours = {c for c in _subclasses(ChainmatchError) if c.__module__.split(".")[0] in ("graph", "matching", "api")}
    assert {c.__name__ for c in ours} == set(drawn)
    for c in ours:
        assert drawn[c.__name__] == c.code, c  # the code beside each name is the class's
        assert c.code in api.errors.CODES  # every code has its status, in one table
        assert "status" not in vars(c)  # …and no class states a status of its own
    assert api.errors.status_of(graph.errors.NotFound("organisation", "x")) == 404
