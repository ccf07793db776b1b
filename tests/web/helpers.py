"""What the browser tests of tests/web share besides their fixtures (tests/web/conftest.py): where things are,
the browser's flags, and the steps every view test takes (sign in, click a segment, call the API, screenshot).
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "web"
ANSWERS = ROOT / "fixtures" / "shenzhen_digital_creative" / "answers.json"

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1366, "height": 768}


def ideal_target(segment: str = "seg:game_engine") -> dict:
    """The planted ideal target of one missing segment in the sample world's answers (id, name_zh, …)."""
    missing = json.loads(ANSWERS.read_text(encoding="utf-8"))["missing"]
    return next(g for g in missing if g["segment"] == segment)["ideal_target"]


class Console:
    """Console errors and uncaught exceptions of a page."""

    def __init__(self, page):
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))


def call(url: str, token: str, method: str, path: str, body: dict | None = None, *,
         params: dict | None = None) -> dict:
    """One JSON request to the test's server with a key, as the page makes it (a POST without a body sends none)."""
    query = "?" + urllib.parse.urlencode(params) if params else ""
    data = json.dumps(body).encode() if body is not None else (b"" if method == "POST" else None)
    req = urllib.request.Request(url + path + query, method=method, data=data,
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:  # noqa: S310 - the test's own loopback server
        return json.loads(r.read())


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.mouse.move(2, 2)  # no hover highlight in the picture
    page.wait_for_timeout(150)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def sign_in(page, url: str, token: str) -> None:
    page.goto(url + "/ui/")
    page.wait_for_selector("#notice:not([hidden])")
    assert "API" in page.inner_text("#notice")  # no key yet: the page asks for one
    assert "need" in page.get_attribute("#key-form", "class")
    page.fill("#api-key", token)
    page.click("#key-form button[type=submit]")
    page.wait_for_function("window.workbench.state.map !== null")


def click_segment(page, segment: str) -> None:
    """Click the segment's node on the chain map canvas (a real mouse click on its pixel)."""
    pt = page.evaluate("id => window.workbench.segmentPixel(id)", segment)
    assert pt, f"{segment} is not on the chain map"
    page.mouse.click(pt["x"], pt["y"])
    page.wait_for_function("id => window.workbench.state.selected === id", arg=segment)
    page.wait_for_selector("#segment-panel h2")


def open_game_engine(page) -> None:
    if page.input_value("#chain") != "chain:animation_games":
        page.select_option("#chain", "chain:animation_games")
        page.wait_for_function("window.workbench.state.map.chain.id === 'chain:animation_games'")
    click_segment(page, "seg:game_engine")
