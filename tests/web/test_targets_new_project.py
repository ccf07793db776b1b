"""立项 from a row of the targets table, in Chinese and in English, in headless Chromium on the sample world.

Each row of 招商目标 has a 立项 button that opens the same dialog as the firm profile and the target detail:
firm, gap segment and the list's region shown by name, the row's attraction form carried; creating the project
is checked through GET /projects. A viewer key's row button is greyed and stopped (no request, no project). The
English dialog is opened and read as a person reads it (tests/textcheck.py). Screenshots 58-61 at 1366×768 go to
``artifacts/web/``.
"""

from __future__ import annotations

import pytest

from tests.textcheck import text_problems
from tests.web.helpers import call, open_game_engine, shot, sign_in

pytestmark = pytest.mark.browser

FORBIDDEN = "该密钥为只读（viewer），修改需要 editor 权限。"  # i18n forbiddenWrite
AGENCY = "org:p004"  # 深圳市南山区投资推广署
SHENZHEN = "cn/guangdong/shenzhen"


def targets_rows(pg):
    """The chain map's 游戏引擎 gap → its targets table; the rows."""
    open_game_engine(pg)
    pg.click("#see-targets")
    rows = pg.locator("table[data-table=targets] tbody tr")
    rows.first.wait_for()
    return rows


def notice(pg, kind: str) -> str:
    pg.wait_for_function("k => document.querySelector('#notice').className.includes(k) && "
                         "!document.querySelector('#notice').hidden", arg=kind)
    return pg.inner_text("#notice")


def projects_for(url: str, token: str, org: str) -> list[dict]:
    return [p for p in call(url, token, "GET", "/projects", params={"region": "深圳"})["items"] if p["org"] == org]


def test_new_project_from_a_targets_row(page, server):
    url, keys = server
    sign_in(page, url, keys["editor"])
    rows = targets_rows(page)
    assert rows.count() >= 3
    assert all(rows.nth(i).locator("button.np-open").count() == 1 for i in range(rows.count()))  # one a row
    row = rows.nth(2)  # not the first: every row has its own
    org = row.get_attribute("data-org")
    firm = row.locator("a.target-link").inner_text()
    button = row.locator("button.np-open")
    assert button.inner_text() == "立项"
    assert (button.get_attribute("data-segment"), button.get_attribute("data-region")) == ("seg:game_engine", SHENZHEN)
    form = button.get_attribute("data-form")
    assert form  # the row's attraction form goes with it
    button.click()
    page.wait_for_selector("#np-form")
    text = page.inner_text("#np-dialog")
    assert "新建招商项目" in text and firm in text and "游戏引擎" in text and "深圳市" in text  # prefilled, by name
    assert "org:" not in text and "seg:" not in text and "cn/" not in text
    page.select_option("#np-form select[name=owner]", AGENCY)
    page.fill("#np-form input[name=next_step]", "电话联系")
    shot(page, "58-targets-row-new-project")
    page.click("#np-form button[type=submit]")
    assert "已立项" in notice(page, "ok") and firm in page.inner_text("#notice")
    made = projects_for(url, keys["viewer"], org)
    assert len(made) == 1
    p = made[0]
    assert (p["region"], p["segment"], p["owner"], p["form"], p["stage"], p["next_step"]) == (
        SHENZHEN, "seg:game_engine", AGENCY, form, "lead", "电话联系")
    # the row's button again: refused as a duplicate, pointing at the first
    rows.nth(2).locator("button.np-open").click()
    page.wait_for_selector("#np-form")
    page.click("#np-form button[type=submit]")
    assert f"见项目 {p['id']}" in notice(page, "error")
    assert len(projects_for(url, keys["viewer"], org)) == 1
    shot(page, "59-targets-row-duplicate")


def test_a_viewer_key_cannot_create_from_a_targets_row(page, server):
    url, keys = server
    before = call(url, keys["viewer"], "GET", "/projects")
    sign_in(page, url, keys["viewer"])
    page.wait_for_function("document.body.dataset.role === 'viewer'")
    button = targets_rows(page).first.locator("button.np-open")
    assert button.get_attribute("aria-disabled") == "true" and "editor" in button.get_attribute("title")
    button.click(force=True)  # Playwright waits for aria-disabled controls; a user can still click one
    assert notice(page, "error") == FORBIDDEN
    assert not page.locator("#np-dialog").evaluate("d => d.open")
    shot(page, "60-targets-row-viewer")
    assert call(url, keys["viewer"], "GET", "/projects") == before
    assert page.console.errors == []  # stopped in the page: no refused request was sent


def test_the_english_dialog_reads_in_english_and_creates(page, server):
    url, keys = server
    sign_in(page, url, keys["editor"])
    page.click("#lang")
    page.wait_for_function("document.documentElement.lang === 'en'")
    row = targets_rows(page).nth(3)
    org = row.get_attribute("data-org")
    firm = row.locator("a.target-link").inner_text()
    button = row.locator("button.np-open")
    assert button.inner_text() == "New project"
    assert row.locator("td").nth(5).inner_text() == {"rd_centre": "R&D centre", "regional_hq": "regional headquarters",
                                                     "production_base": "production base"}[button.get_attribute("data-form")]
    button.click()
    page.wait_for_selector("#np-form")
    text = page.inner_text("#np-dialog")
    for words in ("New pipeline project", "Target firm", "Owner agency", "Introducer (credited)", "Next step due",
                  "Planned investment (10k CNY)", "Create project", "Cancel", "Game engines", "Shenzhen", firm):
        assert words in text, words
    names = {"zh_only": set(), "latin_in_zh": set(), "records": set()}
    assert text_problems(text, "en", names) == [], text  # no id, no cut name, no Chinese
    shot(page, "61-targets-row-new-project-en")
    page.select_option("#np-form select[name=owner]", AGENCY)
    page.fill("#np-form input[name=planned]", "1200")
    page.click("#np-form button[type=submit]")
    made_text = notice(page, "ok")
    made = projects_for(url, keys["viewer"], org)
    assert len(made) == 1 and made[0]["planned"] == 1200.0 and made[0]["segment"] == "seg:game_engine"
    assert made_text == f"Project {made[0]['id']} created: {firm} (see the pipeline board)"
    assert page.console.errors == []
