"""The firm profile (企业画像), import and report pages in headless Chromium, on the sample world.

- profile: from the 游戏引擎 gap's targets table, the planted ideal target's profile shows its segment, its planted
  local customers by name, and why it is a target for 深圳市 with the targets table's score parts; a customer's name
  opens that firm's profile (a local firm: no target); search hits and board cards open profiles too; English.
- import: a firms CSV with one bad USCC row; the dry run shows the column mapping (企业名称 → 企业名称), the refused
  row (row 3, 统一社会信用代码, check digit) and two firms to insert, writes nothing; the import writes the two,
  checked through the JSON API; a viewer key is refused in words.
- report: the xlsx and HTML downloads are valid files named by region and chain.

Screenshots at 1366×768 go to ``artifacts/web/``.
"""

from __future__ import annotations

import io

import pytest

from tests.web.helpers import call, ideal_target, open_game_engine, shot, sign_in

pytestmark = pytest.mark.browser

IDEAL = ideal_target()


def test_a_targets_profile_from_the_targets_table(page, server):
    url, keys = server
    sign_in(page, url, keys["viewer"])
    open_game_engine(page)
    page.click("#see-targets")
    first = page.locator("table[data-table=targets] tbody tr").first
    first.wait_for()
    assert first.get_attribute("data-org") == IDEAL["id"]
    first.locator("a.profile-link").click()
    page.wait_for_selector("table[data-table=profile_target] tbody tr")
    assert IDEAL["name_zh"] in page.inner_text("#profile-title")
    why = page.inner_text("#profile-out .profile-why")
    assert "为何是招商目标：深圳市" in why and "游戏引擎" in why and "缺失（补链）" in why
    sources = page.inner_text("table[data-table=profile_sources]")
    assert "示例数据（虚构）" in sources and "fixture:" not in sources  # the sample world says it is fictional
    # the score parts are the targets table's, in words
    table = call(url, keys["viewer"], "GET", "/recommendations", params={"region": "深圳", "segment": "游戏引擎",
                                                                        "limit": 1})["items"][0]
    row = page.inner_text("table[data-table=profile_target] tbody tr")
    for part in table["parts"]:
        if part["value"]:
            assert part["label_zh"] in row and f"{part['value']:.2f}" in row  # in words, without the key
    customers = page.inner_text("table[data-table=profile_customers]")
    assert IDEAL["introducer_name_zh"] in customers and "深圳市" in customers
    assert "org:" not in page.inner_text("#profile-out") and "cn/" not in page.inner_text("#profile-out")
    assert "游戏引擎" in page.inner_text("table[data-table=profile_segments]")
    shot(page, "30-profile")
    # a customer's name opens its profile: a Shenzhen firm is local capacity, not a target
    page.locator("table[data-table=profile_customers] a.firm-link", has_text=IDEAL["introducer_name_zh"]).click()
    page.wait_for_function("n => document.querySelector('#profile-title')?.textContent.includes(n)",
                           arg=IDEAL["introducer_name_zh"])
    assert "本地企业" in page.inner_text("#profile-out .why-note")
    shot(page, "31-profile-local")
    page.click("#lang")
    page.wait_for_function("() => document.querySelector('#profile-out').textContent.includes('Why a target for')")
    assert "Local firm" in page.inner_text("#profile-out .why-note")
    shot(page, "32-profile-en")
    page.click("#lang")
    page.click("[data-profile-back]")
    page.wait_for_selector("#view-targets.active")
    assert page.console.errors == []


def test_the_profile_follows_the_pages_region(page, server):
    url, keys = server
    sign_in(page, url, keys["viewer"])
    open_game_engine(page)
    page.click("#see-targets")
    page.locator("table[data-table=targets] tbody tr").first.locator("a.profile-link").click()
    page.wait_for_selector("table[data-table=profile_target] tbody tr")
    # the ideal target is registered in Shanghai: recruited from there it is local, not a target
    page.select_option("#region", "cn/shanghai/shanghai")
    page.wait_for_function("() => document.querySelector('#profile-out .why-note')?.textContent.includes('本地企业')")
    assert "为何是招商目标：上海市" in page.inner_text("#profile-out .profile-why")
    assert page.locator("table[data-table=profile_target]").count() == 0
    page.select_option("#region", "cn/guangdong/shenzhen")
    page.wait_for_selector("table[data-table=profile_target] tbody tr")
    assert "为何是招商目标：深圳市" in page.inner_text("#profile-out .profile-why")
    assert page.console.errors == []


def test_search_hits_and_board_cards_open_profiles(page, server):
    url, keys = server
    sign_in(page, url, keys["editor"])
    page.click(".tabs button[data-tab=search]")
    page.fill("#search-q", IDEAL["name_zh"])
    page.click("#search-form button[type=submit]")
    page.wait_for_selector("#search-results a.hit-link", timeout=120_000)  # the first search builds the index
    page.locator("#search-results a.hit-link", has_text=IDEAL["name_zh"]).first.click()
    page.click(f"#search-card button[data-profile='{IDEAL['id']}']")  # the hit's card opens the profile
    page.wait_for_function("n => document.querySelector('#profile-title')?.textContent.includes(n)",
                           arg=IDEAL["name_zh"])
    page.wait_for_selector("#view-profile.active")
    call(url, keys["editor"], "POST", "/projects", {"org": "org:f0140", "region": "深圳", "segment": "游戏引擎",
                                                     "owner": "org:p004"})
    page.click(".tabs button[data-tab=board]")
    card = page.locator("#board-columns .card.project a.firm-link").first
    card.wait_for()
    name = card.inner_text()
    card.click()
    page.wait_for_function("n => document.querySelector('#profile-title')?.textContent.includes(n)", arg=name)
    assert page.console.errors == []


def _csv(tmp_path):
    path = tmp_path / "招商名单.csv"
    path.write_text("企业名称,统一社会信用代码,所属城市,经营范围\n"
                    "杭州示例星轨引擎科技有限公司,,杭州,游戏引擎研发\n"
                    "东莞示例错码有限公司,91440300708461136A,东莞,纸品\n"
                    "苏州示例云帆动画有限公司,,苏州,动画制作\n", encoding="utf-8")
    return path


def test_import_dry_run_refused_row_then_import(page, server, tmp_path):
    url, keys = server
    path = _csv(tmp_path)
    sign_in(page, url, keys["editor"])
    page.click(".tabs button[data-tab=data]")
    assert page.is_disabled("#import-go")  # no import before a dry run
    page.set_input_files("#import-file", str(path))
    page.click("button[data-import=dry]")
    page.wait_for_selector("#import-report .import-state.dry")
    mapping = page.locator("table[data-table=import_mapping] tbody tr").all_inner_texts()
    assert "企业名称\t企业名称" in mapping and "统一社会信用代码\t统一社会信用代码" in mapping
    assert "所属城市\t所属城市" in mapping and "经营范围\t经营范围" in mapping
    refused = page.locator("table[data-table=import_problems] tbody tr").all_inner_texts()
    assert len(refused) == 1 and refused[0].startswith("3\t统一社会信用代码\t") and "check digit" in refused[0]
    plan = page.locator("table[data-table=import_plan] tbody tr").all_inner_texts()
    assert plan == ["企业\t2\t0"]
    hit = call(url, keys["viewer"], "GET", "/organisations", params={"q": "示例星轨引擎"})
    assert hit["total"] == 0  # the dry run wrote nothing
    shot(page, "40-import-dry-run")
    page.click("#import-go")
    page.wait_for_selector("#import-report .import-state.done")
    assert page.locator("table[data-table=import_written] tbody tr").all_inner_texts()[0] == "企业\t2\t0\t0"
    assert page.locator("table[data-table=import_problems] tbody tr").count() == 1
    assert page.is_disabled("#import-go")  # once: a second import needs a new dry run
    shot(page, "41-import-done")
    for name, city in (("杭州示例星轨引擎科技有限公司", "cn/zhejiang/hangzhou"), ("苏州示例云帆动画有限公司", "cn/jiangsu/suzhou")):
        [org] = call(url, keys["viewer"], "GET", "/organisations", params={"q": name})["items"]
        assert org["name_zh"] == name and org["region"].startswith(city)
    assert call(url, keys["viewer"], "GET", "/organisations", params={"q": "示例错码"})["total"] == 0
    page.click("#lang")
    assert "Column mapping" in page.inner_text("#import-report")
    shot(page, "42-import-en")
    page.click("#lang")
    assert page.console.errors == []


def test_a_viewer_cannot_import(page, server, tmp_path):
    url, keys = server
    sign_in(page, url, keys["viewer"])
    page.click(".tabs button[data-tab=data]")
    page.set_input_files("#import-file", str(_csv(tmp_path)))
    assert page.get_attribute("button[data-import=dry]", "aria-disabled") == "true"
    page.click("button[data-import=dry]", force=True)
    page.wait_for_function("() => document.querySelector('#notice').className.includes('error')")
    assert "editor" in page.inner_text("#notice")
    assert all("403" in e for e in page.console.errors), page.console.errors


def test_report_downloads_name_region_and_chain(page, server):
    import openpyxl

    url, keys = server
    sign_in(page, url, keys["viewer"])
    if page.input_value("#chain") != "chain:animation_games":
        page.select_option("#chain", "chain:animation_games")
        page.wait_for_function("window.workbench.state.map.chain.id === 'chain:animation_games'")
    page.click(".tabs button[data-tab=data]")
    assert "深圳市 · 动漫游戏" in page.inner_text("#report-scope")
    with page.expect_download() as got:
        page.click("button[data-report=xlsx]")
    xlsx = got.value
    assert xlsx.suggested_filename == "缺链补链与招商目标报告_广东省_深圳市_动漫游戏.xlsx"
    wb = openpyxl.load_workbook(io.BytesIO(open(xlsx.path(), "rb").read()))
    assert "招商目标" in wb.sheetnames
    assert any(IDEAL["name_zh"] in str(c) for row in wb["招商目标"].iter_rows(values_only=True) for c in row)
    with page.expect_download() as got:
        page.click("button[data-report=html]")
    html = got.value
    assert html.suggested_filename == "缺链补链与招商目标报告_广东省_深圳市_动漫游戏.html"
    text = open(html.path(), encoding="utf-8").read()
    assert text.lstrip().lower().startswith("<!doctype html") and "深圳市" in text and IDEAL["name_zh"] in text
    page.wait_for_function("() => document.querySelector('#notice').className.includes('ok')")
    shot(page, "43-report")
    # another region: the card and the file follow it
    page.select_option("#region", "cn/guangdong/guangzhou")
    page.wait_for_function("() => document.querySelector('#report-scope').textContent.includes('广州市')")
    with page.expect_download() as got:
        page.click("button[data-report=xlsx]")
    assert "广州市" in got.value.suggested_filename
    assert page.console.errors == []


def test_import_an_xlsx_firm_list_then_its_links_and_see_them_on_the_profile(page, server):
    from tests.web.helpers import ROOT

    url, keys = server
    examples = ROOT / "fixtures" / "examples"
    sign_in(page, url, keys["editor"])
    page.click(".tabs button[data-tab=data]")
    page.set_input_files("#import-file", str(examples / "firms.xlsx"))
    page.click("button[data-import=dry]")
    page.wait_for_selector("#import-report .import-state.dry")
    mapping = page.locator("table[data-table=import_mapping] tbody tr").all_inner_texts()
    assert "注册资本(万元)\t注册资本" in mapping and "参保人数\t参保人数" in mapping
    assert page.locator("table[data-table=import_plan] tbody tr").all_inner_texts() == ["企业\t3\t0"]
    page.click("#import-go")
    page.wait_for_selector("#import-report .import-state.done")
    # the links name the firms just imported
    page.select_option("#import-entity", "links")
    page.set_input_files("#import-file", str(examples / "links.csv"))
    page.click("button[data-import=dry]")
    page.wait_for_selector("#import-report .import-state.dry")
    mapping = page.locator("table[data-table=import_mapping] tbody tr").all_inner_texts()
    assert "供应方\t源企业（供应方等）" in mapping and "客户方\t目标企业（客户方等）" in mapping
    assert page.locator("table[data-table=import_plan] tbody tr").all_inner_texts() == ["关系\t2\t0"]
    assert page.locator("table[data-table=import_problems]").count() == 0
    shot(page, "44-import-links-dry-run")
    page.click("#import-go")
    page.wait_for_selector("#import-report .import-state.done")
    [buyer] = call(url, keys["viewer"], "GET", "/organisations", params={"q": "东莞示例纸笔文创"})["items"]
    links = call(url, keys["viewer"], "GET", "/links", params={"org": buyer["id"]})["items"]
    assert sorted((x["kind"], x["dst"]) for x in links) == [("supplies", buyer["id"])] * 2
    # and the buyer's profile lists both suppliers by name (the new firms have no segment, so no map or target
    # table names them yet: a firm-name link like every other one opens it)
    page.evaluate("id => { const a = document.createElement('a'); a.dataset.profile = id; a.id = 'probe';"
                  " a.textContent = 'x'; document.body.append(a); }", buyer["id"])
    page.click("#probe")
    page.evaluate("() => document.querySelector('#probe').remove()")
    page.wait_for_selector("table[data-table=profile_suppliers] tbody tr")
    suppliers = page.inner_text("table[data-table=profile_suppliers]")
    assert "东莞示例格物包装材料有限公司" in suppliers and "东莞示例墨点智能科技有限公司" in suppliers
    assert "专精特新" in page.inner_text("#profile-title")
    assert "尚未挂链" in page.inner_text("#profile-out .why-note") and "由地址推断" in page.inner_text("#profile-out")
    # its data sources by name, the importer's key in the title: the firm list's file; the links name their own
    # source in a 数据来源 column (示例), which stays as the file wrote it
    sources = page.locator("table[data-table=profile_sources] tbody tr td span[title]")
    shown = dict(zip(sources.evaluate_all("xs => xs.map(x => x.title)"), sources.all_inner_texts(), strict=True))
    assert shown == {"file:firms.xlsx": "导入文件 firms.xlsx", "示例": "示例"}, shown
    shot(page, "45-imported-firm-profile")
    page.click("#lang")
    page.wait_for_function("() => document.querySelector('#profile-out').textContent.includes('imported file')")
    assert sorted(sources.all_inner_texts()) == ["imported file firms.xlsx", "示例"]
    assert "file:" not in page.inner_text("table[data-table=profile_sources]")
    shot(page, "63-imported-firm-profile-en")
    page.click("#lang")
    assert page.console.errors == []
