"""The fixtures of the browser tests: one server per test module, one Chromium per session, one page per test.

Each module gets its own server on its own copy of the sample world (the modules move projects, review
predictions, import firms: none sees another's writes); the copies come from one store written once per
session. Chromium is launched once for the session (``browser`` in tests/conftest.py, shared with tests/reports): every test gets a fresh browser context (its own
cookies, storage and cache), so sharing the browser process shares no page state. Without
``/usr/bin/chromium`` or playwright the tests that need the browser skip and say why.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time

import pytest

from tests.web.helpers import ARTIFACTS, VIEWPORT, Console


@pytest.fixture(scope="module")
def server(tmp_path_factory, world_store_file):
    """The API on this module's private copy of the sample world, with an editor and a viewer key; yields
    (url, keys)."""
    import uvicorn

    from api.app import create_app
    from api.auth import KeyStore, keys_path
    from graph.settings import Settings

    data = tmp_path_factory.mktemp("web") / "data"
    data.mkdir()
    shutil.copyfile(world_store_file, data / "store.sqlite")
    with KeyStore.open(keys_path(data)) as keys:
        tokens = {role: keys.create(f"web {role}", role).token for role in ("viewer", "editor")}
    settings = Settings(_env_file=None, data_dir=data, backend="embedded", embedding_model="hashing:64")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", tokens
    srv.should_exit = True
    thread.join(10)


@pytest.fixture
def page(browser, request):
    """A page in a fresh browser context; its last state is screenshotted to artifacts/web/ after the test."""
    # the harness's wait_for_function evaluates strings, which the page's CSP forbids (no unsafe-eval);
    # test_the_page_works_under_its_csp drives the page with the CSP enforced
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True, locale="zh-CN", bypass_csp=True)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    pg.console = Console(pg)
    yield pg
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}-last.png"))
    context.close()
