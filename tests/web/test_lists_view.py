"""The six lists (六个一) view in headless Chromium: regenerate, edit, hide and show again, export, English, and a
viewer key that cannot write. Every change made in the page is checked through the JSON API.

The scope is the page's: 深圳 and the 动漫游戏 chain. Screenshots at 1366×768 go to ``artifacts/web/``.
"""

from __future__ import annotations

import re

import pytest

from tests.web.helpers import call, shot, sign_in

pytestmark = pytest.mark.browser

CHAIN = "chain:animation_games"
SCOPE = {"region": "深圳", "chain": CHAIN}
FORBIDDEN = "该密钥为只读（viewer），修改需要 editor 权限。"  # main.js writeErrorText (i18n forbiddenWrite)


def open_lists(page, url: str, token: str) -> None:
    sign_in(page, url, token)
    if page.input_value("#chain") != CHAIN:
        page.select_option("#chain", CHAIN)
        page.wait_for_function("c => window.workbench.state.map.chain.id === c", arg=CHAIN)
    page.click(".tabs button[data-tab=lists]")
    page.wait_for_selector("#view-lists .list-kinds button.active")


def rows(page) -> list[int]:
    return page.eval_on_selector_all("#view-lists tr[data-entry]", "els => els.map(e => Number(e.dataset.entry))")


def entries(url: str, token: str, kind: str = "key_firms", **params) -> list[dict]:
    return call(url, token, "GET", f"/lists/{kind}", params={**SCOPE, "limit": 200, **params})["items"]


def wait_notice(page, kind: str, text: str = "") -> str:
    """The notice once it is of ``kind`` (ok, error) and holds ``text``."""
    page.wait_for_function("([k, t]) => { const n = document.querySelector('#notice'); "
                           "return n.className.includes(k) && !n.hidden && n.textContent.includes(t); }", arg=[kind, text])
    return page.inner_text("#notice")


def clear_notice(page) -> None:
    page.evaluate("() => { const n = document.querySelector('#notice'); n.textContent = ''; n.className = 'notice'; "
                  "n.hidden = true; }")


def test_regenerate_edit_hide_and_export_a_list(page, server):
    url, keys = server
    open_lists(page, url, keys["editor"])
    assert page.inner_text("#view-lists .list-kinds button.active").startswith("重点企业")
    assert "动漫游戏" in page.inner_text("#view-lists .list-tools h2")
    # regenerate from the data: the rows on screen are the API's, in its order
    page.click("#list-generate")
    wait_notice(page, "ok", "已重新生成")
    page.wait_for_selector("#view-lists tr[data-entry]")
    got = entries(url, keys["viewer"])
    assert got and rows(page) == [e["id"] for e in got]
    assert "org:" not in page.inner_text("#view-lists table")  # names, never ids
    shot(page, "30-lists")
    # edit the first entry's note and reason
    first = got[0]
    page.click(f"#view-lists button[data-edit='{first['id']}']")
    form = page.locator("#list-edit-form")
    form.locator("textarea[name=note]").fill("已约见，下周回访")
    form.locator("textarea[name='f.reason']").fill("链主企业，带动上下游")
    shot(page, "31-lists-edit")
    form.locator("button[type=submit]").click()
    wait_notice(page, "ok", "已保存")
    after = call(url, keys["viewer"], "GET", f"/lists/entries/{first['id']}")
    assert (after["note"], after["fields"]["reason"], after["origin"]) == ("已约见，下周回访", "链主企业，带动上下游", "curated")
    assert after["fields"]["segment"] == first["fields"]["segment"]  # what was not changed stays
    page.wait_for_selector(f"#view-lists tr[data-entry='{first['id']}'] >> text=已约见，下周回访")
    # hide the second, then show it again from the hidden view
    second = got[1]["id"]
    page.click(f"#view-lists button[data-hide='{second}']")
    wait_notice(page, "ok", "已隐藏")
    page.wait_for_function(f"() => !document.querySelector(\"#view-lists tr[data-entry='{second}']\")")
    assert call(url, keys["viewer"], "GET", f"/lists/entries/{second}")["hidden"] is True
    assert second not in [e["id"] for e in entries(url, keys["viewer"])]
    page.check("#list-show-hidden")
    page.wait_for_selector(f"#view-lists tr[data-entry='{second}'].hidden-entry")
    shot(page, "32-lists-hidden")
    page.click(f"#view-lists button[data-hide='{second}'][data-to=show]")
    wait_notice(page, "ok", "已恢复显示")
    assert call(url, keys["viewer"], "GET", f"/lists/entries/{second}")["hidden"] is False
    # regenerating keeps the hand edit
    page.click("#list-generate")
    wait_notice(page, "ok", "保留手工条目 2。")  # the edited entry and the one hidden and shown again
    assert call(url, keys["viewer"], "GET", f"/lists/entries/{first['id']}")["note"] == "已约见，下周回访"
    # export: the file is named by list, region and chain, and holds the edit
    with page.expect_download() as dl:
        page.click("#view-lists button[data-export=csv]")
    d = dl.value
    assert d.suggested_filename == "重点企业_深圳市_动漫游戏.csv"
    text = open(d.path(), encoding="utf-8-sig").read()
    assert "已约见，下周回访" in text and "编号" in text.splitlines()[0]
    with page.expect_download() as dl:
        page.click("#view-lists button[data-export=xlsx]")
    assert dl.value.suggested_filename == "重点企业_深圳市_动漫游戏.xlsx"
    assert page.console.errors == []


def test_curated_list_add_another_list_and_english(page, server):
    url, keys = server
    open_lists(page, url, keys["editor"])
    page.click("#view-lists .list-kinds button[data-list=policies]")
    page.wait_for_function("() => document.querySelector('#view-lists .list-kinds button.active').dataset.list "
                           "=== 'policies'")
    assert page.locator("#list-generate").count() == 0  # a curated list: nothing to regenerate from
    page.fill("#list-add-form input[name=what]", "深圳市数字创意产业集群若干措施")
    page.fill("#list-add-form input[name=note]", "2026 版")
    page.click("#list-add-form button[type=submit]")
    wait_notice(page, "ok", "已添加")
    made = entries(url, keys["viewer"], "policies")
    assert [(e["title"], e["note"], e["origin"]) for e in made] == [("深圳市数字创意产业集群若干措施", "2026 版", "curated")]
    page.wait_for_selector(f"#view-lists tr[data-entry='{made[0]['id']}']")
    # edit a field of the curated entry
    page.click(f"#view-lists button[data-edit='{made[0]['id']}']")
    page.fill("#list-edit-form input[name='f.issuer']", "深圳市人民政府")
    page.click("#list-edit-form button[type=submit]")
    wait_notice(page, "ok", "已保存")
    assert call(url, keys["viewer"], "GET", f"/lists/entries/{made[0]['id']}")["fields"]["issuer"] == "深圳市人民政府"
    page.wait_for_selector(f"#view-lists tr[data-entry='{made[0]['id']}'] >> text=深圳市人民政府")
    page.click("#lang")
    page.wait_for_function("() => document.querySelector('#view-lists .list-kinds button.active')"
                           ".textContent.includes('Policy toolkit')")
    head = page.inner_text("#view-lists table thead")
    assert "Issuer" in head and "Origin" in head
    shot(page, "33-lists-en")
    # the generated lists' words in English: tiers and segments (stored in Chinese)
    call(url, keys["editor"], "POST", "/lists/key_firms/generate", {**SCOPE, "top": 8})
    page.click("#view-lists .list-kinds button[data-list=key_firms]")
    page.wait_for_selector("#view-lists table[data-table=list_key_firms] tbody tr")
    tiers = page.eval_on_selector_all("#view-lists tbody td:nth-child(4)", "els => els.map(e => e.textContent)")
    segments = page.eval_on_selector_all("#view-lists tbody td:nth-child(3)", "els => els.map(e => e.textContent)")
    assert "chain leader" in " ".join(tiers) and not any("链主" in x for x in tiers), tiers
    assert all(x and not re.search(r"[\u4e00-\u9fff]", x) for x in segments), segments
    page.click("#lang")
    assert page.console.errors == []


def test_a_viewer_reads_the_lists_but_cannot_change_them(page, server):
    url, keys = server
    call(url, keys["editor"], "POST", "/lists/key_firms/generate", {**SCOPE, "top": 8})
    before = entries(url, keys["viewer"])
    open_lists(page, url, keys["viewer"])
    page.wait_for_selector("#view-lists tr[data-entry]")
    assert rows(page) == [e["id"] for e in before]
    page.click(f"#view-lists button[data-hide='{before[0]['id']}']", force=True)  # greyed for a viewer
    assert wait_notice(page, "error") == FORBIDDEN
    clear_notice(page)
    page.click("#list-generate", force=True)
    assert wait_notice(page, "error") == FORBIDDEN
    clear_notice(page)
    page.click(f"#view-lists button[data-edit='{before[0]['id']}']", force=True)
    assert wait_notice(page, "error") == FORBIDDEN  # the edit form does not open for a viewer
    assert page.locator("#list-edit-form").count() == 0
    assert entries(url, keys["viewer"]) == before  # nothing changed, not even the version
    # reading and exporting are a viewer's
    with page.expect_download() as dl:
        page.click("#view-lists button[data-export=csv]")
    assert dl.value.suggested_filename == "重点企业_深圳市_动漫游戏.csv"
    shot(page, "34-lists-viewer")
    assert all("403" in e for e in page.console.errors), page.console.errors


def test_changing_the_region_refetches_the_list(page, server):
    url, keys = server
    nanshan = "cn/guangdong/shenzhen/nanshan"
    call(url, keys["editor"], "POST", "/lists/key_firms/generate", {**SCOPE, "top": 8})
    shenzhen = entries(url, keys["viewer"])
    open_lists(page, url, keys["editor"])
    page.wait_for_selector("#view-lists tr[data-entry]")
    page.select_option("#region", nanshan)
    page.wait_for_selector("#view-lists .list-tools h2 >> text=南山区")
    assert page.locator("#view-lists tr[data-entry]").count() == len(entries(url, keys["viewer"], region=nanshan))
    page.click("#list-generate")  # regenerating writes the district's own list, not the city's
    wait_notice(page, "ok", "已重新生成")
    local = entries(url, keys["viewer"], region=nanshan)
    assert local and all(e["region"] == nanshan for e in local)
    page.wait_for_function("n => document.querySelectorAll('#view-lists tr[data-entry]').length === n", arg=len(local))
    assert rows(page) == [e["id"] for e in local]
    assert entries(url, keys["viewer"]) == shenzhen
    page.select_option("#region", "cn/guangdong/shenzhen")
    page.wait_for_function("ids => JSON.stringify([...document.querySelectorAll('#view-lists tr[data-entry]')]"
                           ".map(e => Number(e.dataset.entry))) === JSON.stringify(ids)", arg=[e["id"] for e in shenzhen])
    assert page.console.errors == []


def test_every_chain_is_the_list_of_every_chain(page, server):
    url, keys = server
    open_lists(page, url, keys["editor"])
    page.select_option("#chain", "")  # 全部产业链
    page.wait_for_selector("#view-lists .list-tools h2 >> text=全部产业链")
    page.click("#list-generate")
    wait_notice(page, "ok", "已重新生成")
    every = entries(url, keys["viewer"], chain="all")
    assert every and all(e["chain"] is None for e in every)
    page.wait_for_function("n => document.querySelectorAll('#view-lists tr[data-entry]').length === n", arg=len(every))
    assert rows(page) == [e["id"] for e in every]
    with page.expect_download() as dl:
        page.click("#view-lists button[data-export=csv]")
    assert dl.value.suggested_filename == "重点企业_深圳市_全部产业链.csv"
    assert page.console.errors == []
