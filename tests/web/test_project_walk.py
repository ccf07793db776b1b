"""Issue 20's acceptance walk, one project end to end in headless Chromium on the sample world.

From the 游戏引擎 gap on the chain map to the planted ideal target's profile (企业画像), 立项 there crediting the
planted introducer (the dialog's first-ranked one) with a due date in the past, the project on the board flagged
overdue, moved to 签约 with its investment, in the monthly summary; a second project for the same firm × region ×
segment refused with a pointer to the first; and a viewer key whose write controls are greyed out and stopped.
Every step's effect is read back through the JSON API; screenshots 50-57 at 1366×768 go to ``artifacts/web/``.
"""

from __future__ import annotations

import pytest

from tests.web.helpers import call, ideal_target, open_game_engine, shot, sign_in

pytestmark = pytest.mark.browser

IDEAL = ideal_target()
FORBIDDEN = "该密钥为只读（viewer），修改需要 editor 权限。"  # i18n forbiddenWrite
AGENCY = "org:p004"  # 深圳市南山区投资推广署


def notice(pg, kind: str) -> str:
    pg.wait_for_function("k => document.querySelector('#notice').className.includes(k) && "
                           "!document.querySelector('#notice').hidden", arg=kind)
    return pg.inner_text("#notice")


def projects_of(url: str, token: str) -> list[dict]:
    return [p for p in call(url, token, "GET", "/projects", params={"region": "深圳"})["items"]
            if p["org"] == IDEAL["id"]]


def open_ideal_profile(pg) -> None:
    """Chain map → the 游戏引擎 gap → its targets → the first one's 企业画像."""
    open_game_engine(pg)
    assert "缺失" in pg.inner_text("#segment-panel .badge")
    pg.click("#see-targets")
    first = pg.locator("table[data-table=targets] tbody tr").first
    first.wait_for()
    assert first.get_attribute("data-org") == IDEAL["id"]
    first.locator("a.profile-link").click()
    pg.wait_for_selector("#profile-title")
    assert IDEAL["name_zh"] in pg.inner_text("#profile-title")
    pg.wait_for_selector("table[data-table=profile_target] button.np-open")


def test_one_project_from_gap_to_signed(page, server):
    url, keys = server
    sign_in(page, url, keys["editor"])
    assert call(url, keys["viewer"], "GET", "/whoami")["role"] == "viewer"
    assert page.locator("#role-badge").count() == 0  # an editor's page is not marked read-only
    open_game_engine(page)
    shot(page, "50-walk-gap")
    open_ideal_profile(page)
    shot(page, "51-walk-profile")
    # 立项 from the profile's "why a target" row of the gap
    page.locator("table[data-table=profile_target] button.np-open[data-segment='seg:game_engine']").click()
    page.wait_for_selector("#np-form")
    dialog = page.locator("#np-dialog")
    assert IDEAL["name_zh"] in dialog.inner_text() and "org:" not in dialog.inner_text()  # names, not ids
    assert page.input_value("#np-form select[name=introducer]") == IDEAL["introducer"]  # the first-ranked one
    assert IDEAL["introducer_name_zh"] in page.inner_text("#np-form select[name=introducer] option:checked")
    page.select_option("#np-form select[name=owner]", AGENCY)
    page.fill("#np-form input[name=next_step]", "拜访总部")
    page.fill("#np-form input[name=due]", "2020-01-31")  # in the past: overdue from the start
    shot(page, "52-walk-new-project")
    page.click("#np-form button[type=submit]")
    assert "已立项" in notice(page, "ok")
    made = projects_of(url, keys["viewer"])
    assert len(made) == 1
    p = made[0]
    assert (p["segment"], p["owner"], p["stage"], p["due"], p["form"]) == (
        "seg:game_engine", AGENCY, "lead", "2020-01-31", IDEAL["form"])
    assert p["introducer"]["org"] == IDEAL["introducer"] and p["overdue"] is True
    # on the board: in 线索, flagged overdue, credited to the introducer by name
    page.click(".tabs button[data-tab=board]")
    card = page.locator(f"#board-columns .stage-col[data-stage=lead] .card.project[data-project='{p['id']}']")
    card.wait_for()
    text = card.inner_text()
    assert IDEAL["name_zh"] in text and IDEAL["introducer_name_zh"] in text and "逾期" in text
    assert "org:" not in text
    page.check("#board-overdue")  # the overdue filter keeps it
    page.wait_for_function(f"() => document.querySelectorAll(\"#board-columns .card.project[data-project='{p['id']}']\")"
                           ".length === 1 && document.querySelector('#board-overdue').checked")
    page.uncheck("#board-overdue")
    card.wait_for()
    shot(page, "53-walk-board-overdue")
    # move to 签约 with the investment figure
    form = page.locator(f"#board-columns form.move[data-project='{p['id']}']")
    form.locator("select").select_option("signed")
    form.locator("input[name=planned]").fill("8800")
    form.locator("button").click()
    page.locator(f"#board-columns .stage-col[data-stage=signed] .card.project[data-project='{p['id']}']").wait_for()
    got = call(url, keys["viewer"], "GET", f"/projects/{p['id']}")
    assert (got["stage"], got["planned"], got["version"]) == ("signed", 8800.0, 2)
    assert got["introducer"]["org"] == IDEAL["introducer"]  # the credit stays
    stats = call(url, keys["viewer"], "GET", "/projects/stats", params={"region": "深圳"})
    month = next(m for m in stats["months"] if m["month"] == got["signed_at"][:7])
    assert month["signed"] >= 1 and month["signed_investment"] >= 8800
    row = page.locator("table[data-table=project_months] tbody tr", has_text=month["month"])
    assert "8,800" in row.inner_text() or "8800" in row.inner_text()
    shot(page, "54-walk-signed")
    # a second project for the same firm × region × segment: refused, pointing at the first
    page.locator(f"#board-columns .card.project[data-project='{p['id']}'] a.firm-link").click()
    page.wait_for_selector("table[data-table=profile_target] button.np-open")
    page.locator("table[data-table=profile_target] button.np-open[data-segment='seg:game_engine']").click()
    page.wait_for_selector("#np-form")
    page.select_option("#np-form select[name=owner]", "org:p007")
    page.click("#np-form button[type=submit]")
    refused = notice(page, "error")
    assert f"见项目 {p['id']}" in refused and f"见项目 {p['id']}" in page.inner_text("#np-form .np-error")
    assert len(projects_of(url, keys["viewer"])) == 1
    shot(page, "55-walk-duplicate")
    page.click(f"#np-form button[data-np-goto='{p['id']}']")  # the pointer opens the first on the board
    page.wait_for_selector(f"#board-columns .card.project.focus[data-project='{p['id']}']")
    assert "org:" not in refused  # the firm by name
    assert page.console.errors == [] or all("409" in e for e in page.console.errors), page.console.errors


def test_a_viewer_key_cannot_edit_anywhere(page, server):
    url, keys = server
    before = call(url, keys["viewer"], "GET", "/projects")
    sign_in(page, url, keys["viewer"])
    page.wait_for_function("document.body.dataset.role === 'viewer'")
    assert page.inner_text("#role-badge") == "只读"  # the page says what the key is
    open_ideal_profile(page)
    np_open = page.locator("table[data-table=profile_target] button.np-open").first
    assert np_open.get_attribute("aria-disabled") == "true"
    assert "editor" in np_open.get_attribute("title")
    np_open.click(force=True)  # Playwright waits for aria-disabled controls; a user can still click one
    assert notice(page, "error") == FORBIDDEN
    assert not page.locator("#np-dialog").evaluate("d => d.open")
    shot(page, "56-walk-viewer-profile")
    # the targets' outcome buttons are greyed too
    page.click(".tabs button[data-tab=targets]")
    outcome = page.locator("table[data-table=targets] tbody tr button[data-outcome]").first
    assert outcome.get_attribute("aria-disabled") == "true"
    page.click(".tabs button[data-tab=board]")
    page.wait_for_selector("#board-columns .card.project")
    for sel in ("#board-new button[type=submit]", "#board-columns form.move button"):
        assert page.locator(sel).first.get_attribute("aria-disabled") == "true", sel
    form = page.locator("#board-columns form.move").first
    form.locator("select").select_option("terminated")
    form.locator("button").click(force=True)
    assert notice(page, "error") == FORBIDDEN
    shot(page, "57-walk-viewer-board")
    page.click("#lang")
    assert page.inner_text("#role-badge") == "read-only"
    assert "editor key" in page.get_attribute("#board-columns form.move button", "title")
    page.click("#lang")
    assert call(url, keys["viewer"], "GET", "/projects") == before  # nothing changed
    assert page.console.errors == []  # stopped in the page: no refused request was sent
