"""Workbench bugs of issue 20 (item 4), each driven in headless Chromium on the sample world:

- the targets list follows the page's region and chain (游戏引擎 → 查看招商目标 → 产业链图谱 → 地区 = 南山区 →
  招商目标 shows 南山区's list, and its outcome buttons record against 南山区);
- no chain-map node is left faded without its label after a segment click and a switch to 全部产业链;
- no two nodes of the all-chains map overlap (read from the chart's own node boxes);
- the targets CSV names the region and gap in columns and region, chain and gap in its file name.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.web.helpers import call, open_game_engine, shot, sign_in

pytestmark = pytest.mark.browser

NANSHAN = "cn/guangdong/shenzhen/nanshan"


def target_orgs(page) -> list[str]:
    return page.eval_on_selector_all("table[data-table=targets] tbody tr", "els => els.map(e => e.dataset.org)")


def overlaps(nodes: list[dict]) -> list[tuple[str, str]]:
    """Pairs of node boxes that intersect (touching edges do not count)."""
    out = []
    for i, a in enumerate(nodes):
        for b in nodes[i + 1:]:
            if (a["x"] < b["x"] + b["width"] - 0.5 and b["x"] < a["x"] + a["width"] - 0.5
                    and a["y"] < b["y"] + b["height"] - 0.5 and b["y"] < a["y"] + a["height"] - 0.5):
                out.append((a["id"], b["id"]))
    return out


def test_targets_follow_the_region_and_record_against_it(page, server):
    url, keys = server
    sign_in(page, url, keys["editor"])
    if page.input_value("#region") != "cn/guangdong/shenzhen":
        page.select_option("#region", "cn/guangdong/shenzhen")
        page.wait_for_function("window.workbench.state.map.region === 'cn/guangdong/shenzhen'")
    open_game_engine(page)
    page.click("#see-targets")
    page.wait_for_selector("table[data-table=targets] tbody tr")
    shenzhen = target_orgs(page)
    assert "深圳市" in page.inner_text("#targets-list h2")
    nanshan = [r["org"] for r in call(url, keys["viewer"], "GET", "/recommendations",
                                      params={"region": NANSHAN, "segment": "seg:game_engine", "limit": 20})["items"]]
    assert nanshan != shenzhen  # the sample world gives the two regions different lists
    page.click(".tabs button[data-tab=map]")
    page.select_option("#region", NANSHAN)
    page.click(".tabs button[data-tab=targets]")
    page.wait_for_function("() => document.querySelector('#targets-list h2 .for-region')?.textContent === '南山区'")
    page.wait_for_function("want => [...document.querySelectorAll('table[data-table=targets] tbody tr')]"
                           ".map(e => e.dataset.org).join() === want", arg=",".join(nanshan))
    shot(page, "30-targets-nanshan")
    row = page.locator("table[data-table=targets] tbody tr").first
    with page.expect_request(lambda r: r.url.endswith("/outcomes") and r.method == "POST") as req:
        row.locator("button[data-outcome=contacted]").click()
    assert req.value.post_data_json["region"] == NANSHAN
    page.wait_for_function("() => document.querySelector('#notice').className.includes('ok')")
    # an open target follows too: its introducers are asked again for the new region
    row.locator("a.target-link").click()
    page.wait_for_selector("table[data-table=introducers] tbody tr")
    page.click(".tabs button[data-tab=map]")
    with page.expect_request(lambda r: "/introducers?" in r.url) as req:
        page.select_option("#region", "cn/guangdong/shenzhen/futian")
    assert "region=cn%2Fguangdong%2Fshenzhen%2Ffutian" in req.value.url
    page.click(".tabs button[data-tab=targets]")
    page.wait_for_selector("#target-detail:not([hidden]) #target-title")
    page.click("#target-detail [data-back]")
    # the chain too: a chain without the segment empties the list instead of keeping a stale one
    other = page.evaluate("() => window.workbench.state.chains.find(c => !c.segments.includes('seg:game_engine')).id")
    page.select_option("#chain", other)
    page.wait_for_function("() => !document.querySelector('table[data-table=targets]')")
    assert "请先在产业链图谱中" in page.inner_text("#targets-list")
    page.select_option("#region", "cn/guangdong/shenzhen")
    page.wait_for_function("window.workbench.state.map.region === 'cn/guangdong/shenzhen'")
    assert page.console.errors == []


def test_no_faded_nodes_after_switching_to_all_chains(page, server):
    url, keys = server
    sign_in(page, url, keys["viewer"])
    open_game_engine(page)  # a real click on 游戏引擎: ECharts fades the nodes not adjacent to it
    page.mouse.move(2, 2)
    page.select_option("#chain", "")
    page.wait_for_function("window.workbench.state.map.chain.id === '*'")
    page.wait_for_timeout(300)
    nodes = page.evaluate("window.workbench.mapNodes()")
    assert len(nodes) == 47
    assert [n["id"] for n in nodes if n["faded"]] == []
    assert [n["id"] for n in nodes if not n["label"]] == []
    shot(page, "31-all-chains-after-click")
    assert page.console.errors == []


def test_all_chains_map_has_no_overlapping_nodes(page, server):
    url, keys = server
    sign_in(page, url, keys["viewer"])
    page.select_option("#chain", "")
    page.wait_for_function("window.workbench.state.map.chain.id === '*'")
    for size in ({"width": 1366, "height": 768}, {"width": 1024, "height": 640}, {"width": 1920, "height": 1080}):
        page.set_viewport_size(size)
        page.wait_for_timeout(400)
        nodes = page.evaluate("window.workbench.mapNodes()")
        assert len(nodes) == 47 and all(n["width"] > 40 and n["height"] > 10 for n in nodes), size
        assert overlaps(nodes) == [], size
    page.set_viewport_size({"width": 1366, "height": 768})
    # drawn while its tab was hidden (chain changed on the targets tab), then shown
    page.select_option("#chain", "chain:animation_games")
    page.wait_for_function("window.workbench.state.map.chain.id === 'chain:animation_games'")
    page.click(".tabs button[data-tab=targets]")
    page.select_option("#chain", "")
    page.wait_for_function("window.workbench.state.map.chain.id === '*'")
    page.click(".tabs button[data-tab=map]")
    page.wait_for_timeout(300)
    assert overlaps(page.evaluate("window.workbench.mapNodes()")) == []
    assert overlaps([{"id": "a", "x": 0, "y": 0, "width": 10, "height": 10},
                     {"id": "b", "x": 5, "y": 5, "width": 10, "height": 10}]) == [("a", "b")]  # the check bites
    assert page.console.errors == []


def test_targets_csv_names_region_chain_and_gap(page, server):
    url, keys = server
    sign_in(page, url, keys["viewer"])
    open_game_engine(page)
    page.click(".tabs button[data-tab=map]")
    page.select_option("#region", NANSHAN)
    page.wait_for_function(f"window.workbench.state.map.region === '{NANSHAN}'")
    page.click(".tabs button[data-tab=targets]")
    page.wait_for_function("() => document.querySelector('#targets-list h2 .for-region')?.textContent === '南山区'")
    page.wait_for_selector("table[data-table=targets] tbody tr")
    with page.expect_download() as dl:
        page.click("#export")
    name = dl.value.suggested_filename
    assert name.startswith("chainmatch_targets_南山区_") and "游戏引擎" in name and name.endswith(".csv"), name
    chain = page.evaluate("() => window.workbench.state.chains.find(c => c.id === 'chain:animation_games').name_zh")
    assert chain in name, name
    rows = list(csv.reader(io.StringIO(Path(dl.value.path()).read_bytes().decode("utf-8-sig"))))
    assert rows[0][:2] == ["地区", "环节"], rows[0]
    assert "所在地" in rows[0]
    assert {r[0] for r in rows[1:]} == {"南山区"} and {r[1] for r in rows[1:]} == {"游戏引擎"}
    located = rows[0].index("所在地")
    assert rows[1][located] == "上海市徐汇区"  # the target's place by name, not cn/shanghai/…
    page.select_option("#region", "cn/guangdong/shenzhen")
    page.wait_for_function("window.workbench.state.map.region === 'cn/guangdong/shenzhen'")
    assert page.console.errors == []
