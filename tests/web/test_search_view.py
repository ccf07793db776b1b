"""The search view in headless Chromium (issue 20, item 4): the CLI's filters (chainmatch search --segment
--kind --tier --min-employees --max-employees --mode --limit, --region as 仅限所选地区) reach /search and give
the API's own hits, and a hit opens: its card by name, its segment on the chain map, its target view.
"""

from __future__ import annotations

import urllib.parse

import pytest

from tests.web.helpers import call, shot, sign_in

pytestmark = pytest.mark.browser


def hit_ids(page) -> list[str]:
    return page.eval_on_selector_all("table[data-table=search] tbody tr", "els => els.map(e => e.dataset.org)")


def search(page, q: str) -> dict:
    """Submit the form; the query parameters the page sent."""
    page.fill("#search-q", q)
    with page.expect_response(lambda r: "/search?" in r.url, timeout=180_000) as resp:  # the first builds the index
        page.click("#search-form button[type=submit]")
    page.wait_for_function("() => !document.querySelector('#search-results').textContent.includes('加载中')")
    return dict(urllib.parse.parse_qsl(urllib.parse.urlparse(resp.value.url).query))


def test_search_filters_and_hits_that_open(page, server):
    url, keys = server
    sign_in(page, url, keys["viewer"])
    page.click(".tabs button[data-tab=search]")
    page.select_option("#search-segment", "seg:game_engine")
    page.select_option("#search-kind", "firm")
    page.select_option("#search-mode", "lexical")
    page.fill("#search-min", "20")
    page.fill("#search-limit", "15")
    sent = search(page, "游戏引擎")
    assert sent == {"q": "游戏引擎", "mode": "lexical", "segment": "seg:game_engine", "kind": "firm",
                    "min_employees": "20", "limit": "15"}
    want = call(url, keys["viewer"], "GET", "/search", params=sent)["items"]
    assert want and hit_ids(page) == [h["id"] for h in want]
    unfiltered = call(url, keys["viewer"], "GET", "/search", params={"q": "游戏引擎", "limit": 15})["items"]
    assert [h["id"] for h in unfiltered] != hit_ids(page)  # the filters changed the answer
    # the region filter: the page's region (深圳市) by id; 深圳 has no 游戏引擎 firm (the planted gap)
    page.check("#search-local")
    sent = search(page, "游戏引擎")
    assert sent["region"] == "cn/guangdong/shenzhen"
    assert hit_ids(page) == [] and "暂无结果" in page.inner_text("#search-results")
    page.select_option("#search-segment", "")
    page.fill("#search-min", "")
    sent = search(page, "游戏引擎")
    assert "segment" not in sent and sent["region"] == "cn/guangdong/shenzhen"
    local = hit_ids(page)
    assert local == [h["id"] for h in call(url, keys["viewer"], "GET", "/search", params=sent)["items"]]
    assert local and all(call(url, keys["viewer"], "GET", f"/organisations/{o}")["region"].startswith(
        "cn/guangdong/shenzhen") for o in local)
    # … and follows the page's region
    with page.expect_response(lambda r: "/search?" in r.url) as resp:
        page.select_option("#region", "cn/guangdong/shenzhen/nanshan")
    assert "region=cn%2Fguangdong%2Fshenzhen%2Fnanshan" in resp.value.url
    page.wait_for_function("() => !document.querySelector('#search-results').textContent.includes('加载中')")
    nanshan = call(url, keys["viewer"], "GET", "/search", params={**sent, "region": "cn/guangdong/shenzhen/nanshan"})
    assert hit_ids(page) == [h["id"] for h in nanshan["items"]] != local
    with page.expect_response(lambda r: "/search?" in r.url):  # back to 深圳: searched again, waited for
        page.select_option("#region", "cn/guangdong/shenzhen")
    page.wait_for_function("() => !document.querySelector('#search-results').textContent.includes('加载中')")
    page.uncheck("#search-local")
    page.select_option("#search-tier", "链主")
    page.select_option("#search-mode", "hybrid")
    sent = search(page, "游戏")
    assert sent["tier"] == "链主"
    tiered = hit_ids(page)
    assert tiered and all("链主" in call(url, keys["viewer"], "GET", f"/organisations/{o}")["tiers"] for o in tiered)
    # min above max: refused on the page, nothing sent
    page.fill("#search-min", "50")
    page.fill("#search-max", "10")
    page.click("#search-form button[type=submit]")
    assert "下限大于上限" in page.inner_text("#search-results")
    page.fill("#search-min", "")
    page.fill("#search-max", "")
    page.select_option("#search-tier", "")
    page.select_option("#search-kind", "")
    # a hit opens its card: name, place by name, segments
    search(page, "游戏引擎")
    first = page.locator("table[data-table=search] tbody tr").first
    org = first.get_attribute("data-org")
    rec = call(url, keys["viewer"], "GET", f"/organisations/{org}")
    assert "cn/" not in first.inner_text()  # places by name
    first.locator("a.hit-link").click()
    page.wait_for_selector("#search-card h2.hit-name")
    assert page.inner_text("#search-card h2.hit-name") == rec["name_zh"]
    seg = rec["segments"][0]["segment"]
    shot(page, "32-search-hit-card")
    # … its segment on the chain map (the chain switched to one holding it when needed)
    page.click(f"#search-card button[data-open-segment='{seg}']")
    page.wait_for_function("seg => window.workbench.state.selected === seg && "
                           "document.querySelector('#view-map').classList.contains('active')", arg=seg)
    assert page.locator("#segment-panel h2").count() == 1
    # … its profile (企业画像) …
    page.click(".tabs button[data-tab=search]")
    page.click(f"#search-card [data-profile='{org}']")
    page.wait_for_function("() => window.workbench.state.tab === 'profile'")
    # … and its target view (introducers, campaign) by name
    page.click(".tabs button[data-tab=search]")
    page.click("#search-card button[data-open-target]")
    page.wait_for_selector("#target-detail:not([hidden]) #target-title")
    assert rec["name_zh"] in page.inner_text("#target-title")
    page.wait_for_selector("#intro-table table, #intro-table p")
    page.click("#lang")
    page.click(".tabs button[data-tab=search]")
    assert page.inner_text("#search-card h2.hit-name") == rec["name_zh"]  # the card stays
    assert "Hits" in page.inner_text(".search-filters")
    page.click("#lang")
    assert page.console.errors == []
