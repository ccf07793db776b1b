"""The project pipeline board in headless Chromium: cards by stage, the agency and overdue filters, a move from a
card checked through the API, the monthly summary, English, and a viewer key that cannot move anything.

Projects are planted over HTTP first (the ideal target of the 游戏引擎 gap credited to its planted introducer,
due long ago; a second firm with another agency, 在谈). Screenshots at 1366×768 go to ``artifacts/web/``.
"""

from __future__ import annotations

import pytest

from tests.web.helpers import call, shot, sign_in

pytestmark = pytest.mark.browser

FIRM, OTHER = "org:f1561", "org:f0140"


@pytest.fixture(scope="module")
def planted(server):
    url, keys = server
    a = call(url, keys["editor"], "POST", "/projects", {
        "org": FIRM, "region": "深圳", "segment": "游戏引擎", "owner": "org:p004", "form": "rd_centre",
        "introducer": "org:f1345", "due": "2020-01-01", "next_step": "拜访总部"})
    b = call(url, keys["editor"], "POST", "/projects", {
        "org": OTHER, "region": "深圳", "segment": "游戏引擎", "owner": "org:p007", "stage": "在谈"})
    return a, b


def open_board(page, url: str, token: str) -> None:
    sign_in(page, url, token)
    if page.input_value("#chain") != "chain:animation_games":
        page.select_option("#chain", "chain:animation_games")
        page.wait_for_function("window.workbench.state.map.chain.id === 'chain:animation_games'")
    page.click(".tabs button[data-tab=board]")
    page.wait_for_selector("#board-columns .card.project")


def cards(page, stage: str) -> list[str]:
    return page.eval_on_selector_all(f"#board-columns .stage-col[data-stage={stage}] .card.project",
                                     "els => els.map(e => e.dataset.project)")


def move_card(pg, pid, stage: str, **fields: str) -> None:
    """Move project ``pid`` to ``stage`` from its card's form (``fields``: planned, actual) and wait for the card
    to stand in that stage's column."""
    form = pg.locator(f"#board-columns form.move[data-project='{pid}']")
    form.locator("select").select_option(stage)
    for name, value in fields.items():
        form.locator(f"input[name={name}]").fill(value)
    form.locator("button").click()
    pg.wait_for_function(f"() => document.querySelector(\"#board-columns .stage-col[data-stage={stage}] "
                         f".card.project[data-project='{pid}']\") !== null")


def test_board_filters_moves_and_sums(page, server, planted):
    url, keys = server
    a, b = planted
    one_by_one = []
    page.on("request", lambda r: one_by_one.append(r.url) if "/organisations/" in r.url else None)
    open_board(page, url, keys["editor"])
    assert cards(page, "lead") == [str(a["id"])] and cards(page, "negotiating") == [str(b["id"])]
    assert one_by_one == []  # the firms' and agencies' names come in one /organisations?id=… call
    first = page.locator(f"#board-columns .card.project[data-project='{a['id']}']")
    assert "上海光影知音" in first.inner_text() and "逾期" in first.inner_text()  # names, and the overdue flag
    assert "overdue" in first.get_attribute("class")
    assert "引荐方" in first.inner_text()  # the credited introducer, its tie path in the title
    shot(page, "20-board")
    # filters: overdue only, then one agency
    page.check("#board-overdue")
    page.wait_for_function("() => document.querySelectorAll('#board-columns .card.project').length === 1")
    assert cards(page, "lead") == [str(a["id"])]
    page.uncheck("#board-overdue")
    page.wait_for_function("() => document.querySelectorAll('#board-columns .card.project').length === 2")
    page.select_option("#board-owner", "org:p007")
    page.wait_for_function("() => document.querySelectorAll('#board-columns .card.project').length === 1")
    assert cards(page, "negotiating") == [str(b["id"])]
    page.select_option("#board-owner", "")
    page.wait_for_function("() => document.querySelectorAll('#board-columns .card.project').length === 2")
    # move the ideal target to 签约 with its investment, from its card
    move_card(page, a["id"], "signed", planned="5000")
    got = call(url, keys["viewer"], "GET", f"/projects/{a['id']}")
    assert (got["stage"], got["planned"], got["version"]) == ("signed", 5000.0, 2)
    assert got["introducer"]["org"] == "org:f1345"
    month = got["signed_at"][:7]
    row = page.locator("table[data-table=project_months] tbody tr", has_text=month)
    assert "5000" in row.inner_text()
    shot(page, "21-board-moved")
    # then to 到资 with the money actually in: the card shows it and the API holds it, the planned figure kept
    move_card(page, a["id"], "funded", actual="1200")
    got = call(url, keys["viewer"], "GET", f"/projects/{a['id']}")
    assert (got["stage"], got["planned"], got["actual"], got["version"]) == ("funded", 5000.0, 1200.0, 3)
    funded = page.locator(f"#board-columns .card.project[data-project='{a['id']}']").inner_text()
    assert "实际到资（万元）: 1,200" in funded or "实际到资（万元）: 1200" in funded
    page.click("#lang")
    page.wait_for_function("() => document.querySelector('#board-columns .stage-col[data-stage=funded] h3')"
                           ".textContent.startsWith('funded')")
    assert "Signed investment" in page.inner_text("#board-summary")
    shot(page, "22-board-en")
    page.click("#lang")
    assert page.console.errors == []


def test_a_viewer_sees_the_board_but_cannot_move(page, server, planted):
    url, keys = server
    a, _ = planted
    before = call(url, keys["viewer"], "GET", f"/projects/{a['id']}")
    open_board(page, url, keys["viewer"])
    form = page.locator(f"#board-columns form.move[data-project='{a['id']}']")
    form.locator("select").select_option("terminated")
    assert form.locator("button").get_attribute("aria-disabled") == "true"  # greyed: the page knows its role
    assert "editor" in form.locator("button").get_attribute("title")
    form.locator("button").click(force=True)
    page.wait_for_function("() => document.querySelector('#notice').className.includes('error')")
    assert "editor" in page.inner_text("#notice")
    after = call(url, keys["viewer"], "GET", f"/projects/{a['id']}")
    assert (after["stage"], after["version"]) == (before["stage"], before["version"])
    assert all("403" in e for e in page.console.errors), page.console.errors


def test_create_from_the_board_and_a_duplicate_refused(page, server, planted):
    url, keys = server
    open_board(page, url, keys["editor"])
    before = call(url, keys["viewer"], "GET", "/projects")["total"]
    page.fill("#np-org", "org:f0846")
    page.select_option("#np-segment", "seg:game_engine")
    page.fill("#np-owner", "深圳市南山区投资推广署")
    page.fill("#np-due", "2030-01-31")
    page.click("#board-new button[type=submit]")
    page.wait_for_function(f"() => document.querySelectorAll('#board-columns .card.project').length === {before + 1}")
    made = [p for p in call(url, keys["viewer"], "GET", "/projects")["items"] if p["org"] == "org:f0846"]
    assert len(made) == 1 and (made[0]["stage"], made[0]["owner"], made[0]["due"]) == ("lead", "org:p004", "2030-01-31")
    assert cards(page, "lead")[-1] == str(made[0]["id"])
    shot(page, "23-board-created")
    # the same firm × region × segment again: refused, naming the first
    page.fill("#np-org", "org:f0846")
    page.select_option("#np-segment", "seg:game_engine")
    page.fill("#np-owner", "org:p007")
    page.click("#board-new button[type=submit]")
    page.wait_for_function("() => document.querySelector('#notice').className.includes('error')")
    assert f"项目 {made[0]['id']}" in page.inner_text("#notice")
    assert call(url, keys["viewer"], "GET", "/projects")["total"] == before + 1
    shot(page, "24-board-duplicate")
