"""The target map (招商地图, issue 20 item 3) in headless Chromium: a tile-grid cartogram of provinces (no
borders), each tile counting the targets of the page's gaps there, their local ties and the pipeline's projects,
checked against the API; clicking a province drills down to its cities and filters the lists, a city filters
to the city, and the map follows the page's region. Screenshots at 1366×768 go to ``artifacts/web/``.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.web.helpers import call, shot, sign_in

pytestmark = pytest.mark.browser

CHAIN = "chain:animation_games"


def api_targets(url, token, region):
    return call(url, token, "GET", "/recommendations",
                params={"region": region, "chain": CHAIN, "per_gap": 10, "limit": 100})["items"]


def by_province(items) -> Counter:
    return Counter("/".join(r["region"].split("/")[:2]) for r in items if (r["region"] or "").startswith("cn/"))


def tiles(page) -> dict:
    return {t["id"]: t for t in page.evaluate("window.workbench.targetMap.tiles()")}


def click_tile(page, tile_id: str) -> None:
    t = tiles(page)[tile_id]
    page.mouse.click(t["x"], t["y"])
    page.wait_for_function("id => window.workbench.targetMap.place() === id", arg=tile_id)


def listed(page) -> list[str]:
    return page.eval_on_selector_all("table[data-table=map_targets] tbody tr", "els => els.map(e => e.dataset.org)")


def open_map(page, url, token):
    sign_in(page, url, token)
    if page.input_value("#chain") != CHAIN:
        page.select_option("#chain", CHAIN)
        page.wait_for_function(f"window.workbench.state.map.chain.id === '{CHAIN}'")
    page.click(".tabs button[data-tab=tmap]")
    page.wait_for_function("() => window.workbench.targetMap && window.workbench.targetMap.ready()")
    page.wait_for_selector("#tmap-side h2")


def test_tiles_count_targets_ties_and_projects_and_clicks_filter(page, server):
    url, keys = server
    want = api_targets(url, keys["viewer"], "cn/guangdong/shenzhen")
    first = want[0]  # the planted ideal target of 游戏引擎, in 上海市徐汇区
    assert first["region"].startswith("cn/shanghai/")
    project = call(url, keys["editor"], "POST", "/projects", {"org": first["org"], "region": "深圳",
                                                               "segment": first["segment"], "owner": "org:p004"})
    open_map(page, url, keys["viewer"])
    got = tiles(page)
    assert len(got) == 34  # every provincial-level division a tile
    counts = by_province(want)
    assert len(counts) >= 3
    for prov, n in counts.items():
        assert got[prov]["targets"] == n, prov
        assert f"目标 {n}" in got[prov]["label"], prov
    assert all(t["targets"] == 0 for pid, t in got.items() if pid not in counts)
    ties = sum(sum(1 for e in r["evidence"] if e.startswith("link:")) for r in want if r["region"].startswith("cn/shanghai"))
    assert got["cn/shanghai"]["ties"] == ties > 0
    assert got["cn/shanghai"]["projects"] == 1 and "项目 1" in got["cn/shanghai"]["label"]
    assert got["cn/shanghai"]["name"] == "上海"  # names, not ids
    assert len(listed(page)) == len(want)
    shot(page, "40-target-map")
    # a province: its targets only, its projects, and its cities as tiles
    click_tile(page, "cn/shanghai")
    assert page.inner_text("#tmap-side h2") == "上海市"
    assert sorted(listed(page)) == sorted(r["org"] for r in want if r["region"].startswith("cn/shanghai/")
                                          or r["region"] == "cn/shanghai")
    assert page.eval_on_selector_all("table[data-table=map_projects] tbody tr", "els => els.map(e => e.dataset.project)") \
        == [str(project["id"])]
    zhejiang = [r for r in want if r["region"].startswith("cn/zhejiang")]
    page.click("#tmap-side [data-place='']")
    page.wait_for_function("() => window.workbench.targetMap.place() === ''")
    click_tile(page, "cn/zhejiang")
    cities = tiles(page)
    assert "cn/zhejiang/hangzhou" in cities and cities["cn/zhejiang/hangzhou"]["name"] == "杭州市"
    hangzhou = [r["org"] for r in zhejiang if r["region"].startswith("cn/zhejiang/hangzhou")]
    assert cities["cn/zhejiang/hangzhou"]["targets"] == len(hangzhou) > 0
    shot(page, "41-target-map-province")
    click_tile(page, "cn/zhejiang/hangzhou")
    assert sorted(listed(page)) == sorted(hangzhou)
    assert page.locator("table[data-table=map_projects]").count() == 0
    # a target's name opens its firm profile
    page.click(f"#tmap-side a[data-profile='{hangzhou[0]}']")
    page.wait_for_function("() => window.workbench.state.tab === 'profile'")
    # the map follows the page's region
    page.click(".tabs button[data-tab=tmap]")
    page.click("#tmap-side [data-place='cn/zhejiang']")  # up to the province …
    page.click("#tmap-side [data-place='']")  # … and to all China
    page.wait_for_function("() => window.workbench.targetMap.place() === ''")
    nanshan = by_province(api_targets(url, keys["viewer"], "cn/guangdong/shenzhen/nanshan"))
    assert nanshan != counts
    page.select_option("#region", "cn/guangdong/shenzhen/nanshan")
    page.wait_for_function("want => { const t = window.workbench.targetMap.tiles(); return t.length === 34 && "
                           "t.every(x => x.targets === (want[x.id] || 0)) }", arg=dict(nanshan))
    page.click("#lang")
    assert tiles(page)["cn/shanghai"]["name"] == "Shanghai"
    assert "targets" in tiles(page)["cn/shanghai"]["label"]
    shot(page, "42-target-map-en")
    page.click("#lang")
    page.select_option("#region", "cn/guangdong/shenzhen")
    assert page.console.errors == []
