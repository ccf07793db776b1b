"""The web workbench in headless Chromium, on the sample world, against a real server.

uvicorn serves ``create_app`` on a free loopback port in a thread (tests/web/conftest.py); Playwright
drives Debian's ``/usr/bin/chromium`` (never a downloaded browser). The known
answers come from the fixture: for every planted missing segment, clicking it on
the chain map puts the planted ideal target first, and opening the target shows
the planted introducer. Screenshots go to ``artifacts/web/`` (gitignored).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.web.helpers import (
    ANSWERS,
    VIEWPORT,
    Console,
    click_segment,
    open_game_engine,
    shot,
    sign_in,
)

pytestmark = pytest.mark.browser


def chain_of(page, segment: str) -> str:
    return page.evaluate("""seg => window.workbench.state.chains.find(c => c.segments.includes(seg)).id""",
                         segment)


def test_planted_missing_segments_give_planted_target_and_introducer(page, server):
    url, keys = server
    sign_in(page, url, keys["editor"])
    # before any click the panel lists the chain's gaps by severity (a keyboard way in too)
    assert page.locator("#segment-panel .gap-list button[data-segment='seg:game_engine']").count() == 1
    shot(page, "01-chain-map")
    missing = json.loads(ANSWERS.read_text(encoding="utf-8"))["missing"]
    for n, gap in enumerate(missing):
        seg, ideal = gap["segment"], gap["ideal_target"]
        chain = chain_of(page, seg)
        if page.input_value("#chain") != chain:
            page.select_option("#chain", chain)
            page.wait_for_function("c => window.workbench.state.map.chain.id === c", arg=chain)
        page.click(".tabs button[data-tab=map]")
        click_segment(page, seg)
        assert gap["name_zh"] in page.inner_text("#segment-panel h2")
        assert "缺失" in page.inner_text("#segment-panel .badge")
        assert page.locator("table[data-table=segment_severity] tbody tr").count() >= 1
        if n == 0:
            shot(page, "02-missing-segment")
        page.click("#see-targets")
        first = page.locator("table[data-table=targets] tbody tr").first
        first.wait_for()
        assert first.get_attribute("data-org") == ideal["id"], f"{seg}: planted target not first"
        assert ideal["name_zh"] in first.inner_text()
        if n == 0:
            shot(page, "03-targets")
        first.locator("a.target-link").click()
        page.wait_for_selector("table[data-table=introducers] tbody tr")
        top = page.locator("table[data-table=introducers] tbody tr").first
        assert top.get_attribute("data-org") == ideal["introducer"], f"{seg}: planted introducer not first"
        assert ideal["introducer_name_zh"] in top.inner_text()
        # names, not ids: neither the title nor the introducer table shows an org or link id
        shown = page.inner_text("#target-title") + page.inner_text("table[data-table=introducers]")
        assert "org:" not in shown and "link:" not in shown and "cn/" not in shown, shown
        page.wait_for_selector("#campaign-out dl")
        if n == 0:
            shot(page, "04-target-introducers")
    assert page.console.errors == []


def test_wrong_key_prompts_again(page, server):
    url, _ = server
    page.goto(url + "/ui/")
    page.wait_for_selector("#notice:not([hidden])")
    page.fill("#api-key", "cmk_00000000_" + "x" * 43)
    page.click("#key-form button[type=submit]")
    page.wait_for_function("document.querySelector('#notice').textContent.includes('无效')")
    assert "need" in page.get_attribute("#key-form", "class")
    assert page.evaluate("sessionStorage.getItem('chainmatch.apiKey')").startswith("cmk_00000000_")
    # the only console errors are the refused requests themselves
    assert page.console.errors and all("401" in e for e in page.console.errors), page.console.errors


def test_outcome_export_and_english(page, server, tmp_path):
    url, keys = server
    sign_in(page, url, keys["editor"])
    open_game_engine(page)
    page.click("#see-targets")
    row = page.locator("table[data-table=targets] tbody tr").nth(1)
    row.wait_for()
    org = row.get_attribute("data-org")
    with page.expect_response(lambda r: r.url.endswith("/outcomes") and r.request.method == "POST") as resp:
        row.locator("button[data-outcome=contacted]").click()
    assert resp.value.status == 201
    page.wait_for_function("org => document.querySelector(`tr[data-org='${org}'] .status-tag`)?.textContent"
                           " === '已接洽'", arg=org)
    with page.expect_download() as dl:
        page.click("#export")
    raw = Path(dl.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel opens the Chinese correctly
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert ["地区", "环节", "排名", "目标企业", "所在地", "总分"] == rows[0][:6]  # whose list: region and gap first
    assert any("上海光影知音科技股份有限公司" in cell for r in rows for cell in r)
    with page.expect_download() as dl:
        page.click("#export-xlsx")
    assert dl.value.suggested_filename.endswith(".xlsx")
    import openpyxl

    ws = openpyxl.load_workbook(io.BytesIO(Path(dl.value.path()).read_bytes())).worksheets[0]
    assert [c.value for c in ws[1]][:6] == ["地区", "环节", "排名", "目标企业", "所在地", "总分"]
    assert ws["C2"].value == 1 and isinstance(ws["F2"].value, float)  # numbers stay numbers
    assert "org:f1561" in ws["D2"].value
    page.click("#lang")
    assert page.inner_text(".tabs button[data-tab=map]") == "Chain map"
    assert "Lumen Kindred Technology" in page.inner_text("table[data-table=targets]")
    shot(page, "05-english-targets")
    page.click("#lang")
    assert page.inner_text(".tabs button[data-tab=map]") == "产业链图谱"
    assert page.console.errors == []


def test_viewer_key_cannot_record_outcome(page, server):
    url, keys = server
    sign_in(page, url, keys["viewer"])
    open_game_engine(page)
    page.click("#see-targets")
    row = page.locator("table[data-table=targets] tbody tr").first
    row.wait_for()
    assert row.locator("button[data-outcome=accepted]").get_attribute("aria-disabled") == "true"
    row.locator("button[data-outcome=accepted]").click(force=True)
    page.wait_for_function("document.querySelector('#notice').className.includes('error')")
    assert "editor" in page.inner_text("#notice")
    assert all("403" in e for e in page.console.errors), page.console.errors


def test_search_compare_and_partners(page, server):
    url, keys = server
    sign_in(page, url, keys["viewer"])
    page.click(".tabs button[data-tab=search]")
    for q in ("游戏引擎", "game engine"):
        page.fill("#search-q", q)
        page.click("#search-form button[type=submit]")
        # the first search builds the index: 12 s of CPU, over 30 s on a loaded machine
        page.wait_for_function("q => document.querySelector('#search-results table') && "
                               "document.querySelector('#search-results').textContent.length > 0", arg=q,
                               timeout=180_000)
        assert page.locator("table[data-table=search] tbody tr").count() >= 5
    page.click(".tabs button[data-tab=compare]")
    page.wait_for_selector("table[data-table=compare] tbody tr")
    text = page.inner_text("#compare-out")
    assert "深圳市" in text and "广州市" in text
    shot(page, "06-compare")
    startup = json.loads(ANSWERS.read_text(encoding="utf-8"))["startups"][0]
    page.click(".tabs button[data-tab=partners]")
    page.fill("#p-profile", startup["niche_zh"])
    page.fill("#p-startup", startup["startup"])
    page.click("#partners-form button[type=submit]")
    page.wait_for_selector("table[data-table=partners] tbody tr")
    assert page.locator(f"table[data-table=partners] tbody tr[data-org='{startup['expected_partner']}']").count() == 1
    shot(page, "07-partners")
    assert page.console.errors == []


def test_static_files_are_confined(server):
    import httpx

    url, keys = server
    assert httpx.get(url + "/", follow_redirects=False).headers["location"] == "/ui/"
    assert "Apache License" in httpx.get(url + "/ui/vendor/echarts/LICENSE").text
    book = {"sheets": [{"title": "t", "columns": ["a"], "rows": [["=1+1"]]}]}
    assert httpx.post(url + "/ui/export.xlsx", json=book).status_code == 401  # the export needs a key too
    ok = httpx.post(url + "/ui/export.xlsx", json=book, headers={"Authorization": f"Bearer {keys['viewer']}"})
    assert ok.status_code == 200 and ok.content.startswith(b"PK")
    for bad in ("/ui/../app.py", "/ui/%2e%2e/app.py", "/ui/%2e%2e/%2e%2e/pyproject.toml", "/ui/nope.js"):
        assert httpx.get(url + bad).status_code == 404, bad


def test_the_page_works_under_its_csp_and_shows_hostile_names_as_text(browser, server):
    """The workbench's CSP (api/headers.py) enforced: the page signs in, draws the map and lists gaps
    with no violation; a firm name carrying markup is shown as text and runs nothing."""
    import httpx

    url, keys = server
    hostile = '<img src=x onerror="document.body.dataset.pwned=1">恶意名称测试'
    editor = {"Authorization": f"Bearer {keys['editor']}"}
    created = httpx.post(url + "/organisations", headers=editor,
                         json={"name_zh": hostile, "region": "深圳市南山区"}, timeout=30)
    assert created.status_code == 201, created.text
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")  # bypass_csp is off
    pg = context.new_page()
    console = Console(pg)
    try:
        response = pg.goto(url + "/ui/")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        pg.fill("#api-key", keys["viewer"])
        pg.click("#key-form button[type=submit]")
        pg.wait_for_selector("#segment-panel .gap-list button")
        pg.wait_for_selector("#legend .sw")
        assert pg.locator("#chain-chart canvas").count() >= 1
        pg.click(".tabs button[data-tab=search]")
        pg.fill("#search-q", "恶意名称测试")
        pg.click("#search-form button[type=submit]")
        pg.wait_for_selector("table[data-table=search] tbody tr")
        assert hostile in pg.inner_text("#search-results")
        assert pg.locator("#search-results img").count() == 0
        assert pg.get_attribute("body", "data-pwned") is None
        assert console.errors == [], console.errors
    finally:
        context.close()
        httpx.delete(f"{url}/organisations/{created.json()['id']}", headers=editor, timeout=30)


def test_chain_map_tooltip_shows_a_hostile_segment_name_as_text(page, server):
    """Issue 18: an editor imports a segment whose name carries markup; a viewer hovering it on the
    chain map sees the name as text (the tooltip is HTML, built with esc), and nothing runs or loads.
    Runs last: it adds a segment to the shared world."""
    import httpx

    url, keys = server
    hostile = '<img src=x onerror="document.body.dataset.pwned=1"><b id=inj>虚拟人</b>'
    csv_text = "id,name_zh,stage,format,chain,upstream\n" + f'seg:hostile_tip,"{hostile.replace(chr(34), chr(34) * 2)}",' \
        "midstream,content_production,chain:animation_games,seg:game_engine\n"
    r = httpx.post(url + "/imports/segments", headers={"Authorization": f"Bearer {keys['editor']}"},
                   files={"file": ("segs.csv", csv_text.encode(), "text/csv")}, timeout=60)
    assert r.status_code == 200, r.text
    sign_in(page, url, keys["viewer"])
    page.select_option("#chain", "chain:animation_games")
    page.wait_for_function("window.workbench.state.map.chain.id === 'chain:animation_games' && "
                           "window.workbench.state.map.segments.some(s => s.segment === 'seg:hostile_tip')")
    pt = page.evaluate("id => window.workbench.segmentPixel(id)", "seg:hostile_tip")
    assert pt, "the hostile segment is not on the chain map"
    for dx in (0, 1, 2):  # ECharts shows the tooltip on mousemove
        page.mouse.move(pt["x"] + dx, pt["y"])
        page.wait_for_timeout(100)
    page.wait_for_function("document.querySelector('#chain-chart').innerText.includes('虚拟人')")
    text = page.evaluate("document.querySelector('#chain-chart').innerText")
    assert hostile in text  # the markup is shown as text …
    assert page.locator("#chain-chart img, #inj").count() == 0  # … never parsed into elements
    assert page.get_attribute("body", "data-pwned") is None


GUARD_CASES = ["=1+1", "-1+HYPERLINK(\"x\")", "+1-cmd|' /C calc'!A0", "@SUM(A1)", "\tx", "\rx",
               "\u00a0=1+1", "\u3000=1+1", "\u200b=1+1", "\ufeff=1+1", "＝1+1", "﹦1+1", "＋1+1", "－1+1",
               "＠x", " -1+1", "-12.5", "+86", "1,234.5", "－12", "光影 = 1", "C++", "", "a-b", "%", "50%"]


def test_the_workbench_csv_guard_is_the_python_guard(page, server):
    """Issue 18: the CSV guard ``^[+-](?![\\d.])`` passed ``-1+HYPERLINK(…)``; the page's guard now gives
    the same answer as graph.io.cells.formula_like on every case, and toCsv quotes header labels too."""
    from graph.io.cells import formula_like

    url, _ = server
    page.goto(url + "/ui/")
    got = page.evaluate("async (cases) => { const m = await import('/ui/js/util.js'); "
                        "return cases.map((c) => m.formulaLike(c)); }", GUARD_CASES)
    assert got == [formula_like(c) for c in GUARD_CASES]
    csv_text = page.evaluate("async () => (await import('/ui/js/util.js')).toCsv([{title: 't', "
                             "columns: [{key: 'a', label: '=label'}], rows: [{a: '\u3000=1+1'}]}])")
    assert csv_text.splitlines()[:2] == ["\ufeff'=label", "'\u3000=1+1"]


def test_gap_panel_shows_entry_parts_and_why_a_gap_ranks_low_in_words(page, server):
    """The severity table names every part in words (the API's graph.labels labels, entry parts included), and
    a gap the API flags shows its flags in words, zh and en. No sample-world gap is flagged, so the flag is
    added to the real /analysis/gaps answer on its way to the page."""
    from graph.labels import label

    def flagged(route):
        body = route.fetch().json()
        for g in body["gaps"]:
            if g["segment"] == "seg:game_engine":
                g["flags"] = ["resource_bound"]
                g["flags_zh"], g["flags_en"] = [label("resource_bound", "zh")], [label("resource_bound", "en")]
        route.fulfill(json=body)

    page.route("**/analysis/gaps?*", flagged)
    url, keys = server
    sign_in(page, url, keys["editor"])
    button = page.locator("#segment-panel .gap-list button[data-segment='seg:game_engine']")
    assert button.locator(".gap-flag").get_attribute("title") == label("resource_bound", "zh")
    open_game_engine(page)
    parts = page.inner_text("table[data-table=segment_severity] tbody")
    assert label("momentum", "zh") in parts and "momentum" not in parts  # an entry part, in words (not its key)
    assert label("local_dependence", "zh") in parts and "local_dependence" not in parts
    assert label("resource_bound", "zh") in page.inner_text("#segment-panel .gap-flags")
    page.click("#lang")
    open_game_engine(page)
    assert label("momentum", "en") in page.inner_text("table[data-table=segment_severity] tbody")
    assert label("resource_bound", "en") in page.inner_text("#segment-panel .gap-flags")
    assert page.console.errors == []


def test_closed_firms_are_neither_local_firms_nor_targets_and_a_search_says_why(page, server):
    """Issue 17: the planted ideal target of 游戏引擎 deregistered (注销, 2021-03-01) and a closed local
    game-engine firm: the segment stays missing with neither firm among its local firms, the closed
    target is not listed (it is first when open: the planted-answer test), and a search finds both
    with their status and the reason they count nowhere, in Chinese and in English."""
    import httpx

    url, keys = server
    editor = {"Authorization": f"Bearer {keys['editor']}"}
    target = json.loads(ANSWERS.read_text(encoding="utf-8"))["missing"][0]["ideal_target"]
    assert json.loads(ANSWERS.read_text(encoding="utf-8"))["missing"][0]["segment"] == "seg:game_engine"
    before = httpx.get(f"{url}/organisations/{target['id']}", headers=editor, timeout=30).json()
    closed = {"status": "closed", "status_detail": "注销", "status_date": "2021-03-01"}
    assert httpx.patch(f"{url}/organisations/{target['id']}", headers=editor, json=closed,
                       timeout=30).status_code == 200
    local_name = "深圳市已注销游戏引擎测试科技有限公司"
    local = httpx.post(url + "/organisations", headers=editor, timeout=30, json={
        "name_zh": local_name, "region": "深圳市南山区", "employees": 900, "tiers": ["链主"],
        "segments": [{"segment": "seg:game_engine"}], "status": "closed", "status_detail": "吊销，未注销"})
    assert local.status_code == 201, local.text
    try:
        sign_in(page, url, keys["viewer"])
        open_game_engine(page)
        assert "缺失" in page.inner_text("#segment-panel .badge")
        panel = page.inner_text("#segment-panel")
        assert local_name not in panel and target["name_zh"] not in panel
        page.click("#see-targets")
        rows = page.locator("table[data-table=targets] tbody tr")
        rows.first.wait_for()
        listed = [rows.nth(i).get_attribute("data-org") for i in range(rows.count())]
        assert target["id"] not in listed and local.json()["id"] not in listed and listed
        page.click(".tabs button[data-tab=search]")
        for q, org, note in ((target["name_zh"], target["id"], "已注销（2021-03-01）"),
                             (local_name, local.json()["id"], "已吊销")):
            page.fill("#search-q", q)
            page.click("#search-form button[type=submit]")
            # the first search after a write rebuilds the index (slow on a loaded machine)
            page.wait_for_function("q => document.querySelector('table[data-table=search]') && "
                                   "document.querySelector('#search-results').textContent.includes(q)", arg=q,
                                   timeout=180_000)
            row = page.locator(f"table[data-table=search] tbody tr[data-org='{org}']")  # ids as data, names shown
            assert row.locator("td.reg-status").inner_text() == note
            assert "不计为本地企业" in page.inner_text("#search-results .closed-note")
        shot(page, "09-closed-firm-search")
        page.click("#lang")
        page.click("#search-form button[type=submit]")
        page.wait_for_function("() => document.querySelector('#search-results .closed-note')?.textContent"
                               ".includes('never counted as local firms')")
        row = page.locator(f"table[data-table=search] tbody tr[data-org='{local.json()['id']}']")
        assert row.locator("td.reg-status").inner_text() == "revoked"
        page.click("#lang")
        assert page.console.errors == []
    finally:
        restore = {"status": before["status"], "status_detail": before["status_detail"],
                   "status_date": before["status_date"]}
        httpx.patch(f"{url}/organisations/{target['id']}", headers=editor, json=restore, timeout=30)
        httpx.delete(f"{url}/organisations/{local.json()['id']}", headers=editor, timeout=30)
    after = httpx.get(f"{url}/organisations/{target['id']}", headers=editor, timeout=30).json()
    assert after == before  # the other tests see the sample world as it was
