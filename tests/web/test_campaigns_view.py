"""The joint-campaign (联合招商) view in headless Chromium: propose for the page's region and chain, store with an
owner and a partner agency, add a partner, see a conflict, close it; a viewer key that cannot store or close; and
the target view's campaign panel, which names firms and agencies (not org ids) under a labelled pick column whose
ticks the campaign view starts from.

Every change made in the page is checked through the JSON API. The planted joint campaign of the sample world
(answers.json: 上海光影知音 and org:f1099, pitched together by the studios that buy from both) is the known answer.
Screenshots at 1366×768 go to ``artifacts/web/``.
"""

from __future__ import annotations

import json

import pytest

from tests.web.helpers import ANSWERS, call, click_segment, shot, sign_in

pytestmark = pytest.mark.browser

CHAIN = "chain:animation_games"
NANSHAN, FUTIAN, LONGGANG, BAOAN = "org:p004", "org:p002", "org:p007", "org:p006"
FORBIDDEN = "该密钥为只读（viewer），修改需要 editor 权限。"  # main.js writeErrorText (i18n forbiddenWrite)
PLANTED = json.loads(ANSWERS.read_text(encoding="utf-8"))["joint_campaigns"][1]  # shared local buyers


def name(url: str, token: str, org: str) -> str:
    return call(url, token, "GET", f"/organisations/{org}")["name_zh"]


def open_campaigns(page, url: str, token: str) -> None:
    sign_in(page, url, token)
    if page.input_value("#chain") != CHAIN:
        page.select_option("#chain", CHAIN)
        page.wait_for_function("c => window.workbench.state.map.chain.id === c", arg=CHAIN)
    page.click(".tabs button[data-tab=campaigns]")
    page.wait_for_selector("#view-campaigns .camp-grid")


def wait_notice(page, kind: str, text: str = "") -> str:
    page.wait_for_function("([k, t]) => { const n = document.querySelector('#notice'); "
                           "return n.className.includes(k) && !n.hidden && n.textContent.includes(t); }", arg=[kind, text])
    return page.inner_text("#notice")


@pytest.fixture(scope="module")
def targets_list(server):
    url, keys = server
    call(url, keys["editor"], "POST", "/lists/targets/generate", {"region": "深圳", "chain": CHAIN, "top": 8})
    return call(url, keys["viewer"], "GET", "/lists/targets", params={"region": "深圳", "chain": CHAIN})["items"]


def test_propose_store_add_partner_conflict_and_close(page, server, targets_list):
    url, keys = server
    first, other = PLANTED["targets"]
    assert targets_list[0]["subject"] == first  # the 游戏引擎 gap's ideal target heads the list
    open_campaigns(page, url, keys["editor"])
    # candidates: the region's target list for the chain, by name
    boxes = page.locator("#view-campaigns input[data-candidate]")
    assert boxes.count() == len(targets_list)
    assert name(url, keys["viewer"], first) in page.inner_text("#view-campaigns .camp-candidates")
    page.check(f"#view-campaigns input[data-candidate='{first}']")
    # a firm not on the list, added by its name
    other_name = name(url, keys["viewer"], other)
    page.fill("#camp-target", other_name)
    page.click("#camp-add-target")
    page.wait_for_selector(f"#view-campaigns input[data-candidate='{other}']:checked")
    page.click("#camp-propose")
    page.wait_for_selector("#camp-plan dl")
    plan = page.inner_text("#camp-plan")
    assert "org:" not in plan and "cn/" not in plan  # names of firms, agencies and districts, never ids
    assert "共同本地客户" in plan  # the planted joint pitch by the studios that buy from both
    for buyer in PLANTED["shared_local_buyers"]:
        assert name(url, keys["viewer"], buyer) in plan
    expected = call(url, keys["viewer"], "POST", "/campaigns/propose", {"targets": [first, other], "region": "深圳"})
    assert name(url, keys["viewer"], expected["lead_agency"]) == page.inner_text("#camp-plan .plan-lead")
    shot(page, "40-campaign-proposed")
    # store it: owner the proposed lead agency, 福田 as a partner
    form = page.locator("#camp-store")
    assert form.locator("select[name=owner]").input_value() == expected["lead_agency"]
    form.locator(f"input[name=partner][value='{FUTIAN}']").check()
    form.locator("input[name=note]").fill("两家同批推介")
    form.locator("button[type=submit]").click()
    wait_notice(page, "ok", "已保存联合招商活动")
    stored = call(url, keys["viewer"], "GET", "/campaigns", params={"region": "深圳"})["items"]
    assert len(stored) == 1
    c = stored[0]
    assert (c["owner"], c["partners"], sorted(c["targets"]), c["region"], c["note"], c["status"]) == (
        expected["lead_agency"], [FUTIAN], sorted([first, other]), "cn/guangdong/shenzhen", "两家同批推介", "open")
    row = page.locator(f"#view-campaigns tr[data-campaign='{c['id']}']")
    row.wait_for()
    assert name(url, keys["viewer"], FUTIAN) in row.inner_text() and "org:" not in row.inner_text()
    # add 龙岗 as a partner from the row
    row.locator("select").select_option(LONGGANG)
    row.locator("button[data-add-partner]").click()
    wait_notice(page, "ok", "已添加协同机构")
    assert call(url, keys["viewer"], "GET", f"/campaigns/{c['id']}")["partners"] == [FUTIAN, LONGGANG]
    # another agency claims the first target on its own: a conflict, shown by names
    rival = call(url, keys["editor"], "POST", "/campaigns", {"name": "宝安单独招商", "owner": BAOAN,
                                                           "targets": [first], "region": "深圳"})["campaign"]
    page.click(".tabs button[data-tab=board]")
    page.click(".tabs button[data-tab=campaigns]")
    conflict = page.locator(f"#view-campaigns tr[data-conflict='{first}']")
    conflict.wait_for()
    text = conflict.inner_text()
    assert name(url, keys["viewer"], first) in text and name(url, keys["viewer"], BAOAN) in text
    assert "宝安单独招商" in text and "org:" not in text
    shot(page, "41-campaign-conflict")
    # close the rival from its row: the conflict goes
    page.click(f"#view-campaigns button[data-close='{rival['id']}']")
    wait_notice(page, "ok", "已结束")
    assert call(url, keys["viewer"], "GET", f"/campaigns/{rival['id']}")["status"] == "closed"
    assert call(url, keys["viewer"], "GET", "/campaigns/conflicts")["total"] == 0
    page.wait_for_selector(f"#view-campaigns tr[data-conflict='{first}']", state="detached")
    page.click("#lang")
    page.wait_for_selector("#view-campaigns h2 >> text=Joint campaign")
    assert "Owner agency" in page.inner_text("#view-campaigns table[data-table=campaigns] thead")
    shot(page, "42-campaigns-en")
    page.click("#lang")
    assert page.console.errors == []


def test_a_viewer_proposes_but_cannot_store_or_close(page, server, targets_list):
    url, keys = server
    before = call(url, keys["viewer"], "GET", "/campaigns")
    open_campaigns(page, url, keys["viewer"])
    page.check(f"#view-campaigns input[data-candidate='{targets_list[0]['subject']}']")
    page.click("#camp-propose")  # proposing only reads
    page.wait_for_selector("#camp-store")
    page.click("#camp-store button[type=submit]", force=True)  # greyed for a viewer
    assert wait_notice(page, "error") == FORBIDDEN
    opened = [c for c in before["items"] if c["status"] == "open"]
    if opened:
        page.evaluate("() => { document.querySelector('#notice').hidden = true; "
                      "document.querySelector('#notice').className = 'notice'; }")
        page.click(f"#view-campaigns button[data-close='{opened[0]['id']}']", force=True)
        assert wait_notice(page, "error") == FORBIDDEN
    assert call(url, keys["viewer"], "GET", "/campaigns") == before
    shot(page, "43-campaigns-viewer")
    assert all("403" in e for e in page.console.errors), page.console.errors


def test_the_target_views_campaign_panel_names_firms_and_labels_its_pick_column(page, server):
    url, keys = server
    sign_in(page, url, keys["editor"])
    if page.input_value("#chain") != CHAIN:
        page.select_option("#chain", CHAIN)
        page.wait_for_function("c => window.workbench.state.map.chain.id === c", arg=CHAIN)
    click_segment(page, "seg:game_engine")
    page.click("#see-targets")
    page.locator("table[data-table=targets] tbody tr").first.wait_for()
    assert page.inner_text("table[data-table=targets] thead th >> nth=0") == "加入联合招商"
    second = page.locator("table[data-table=targets] tbody tr").nth(1)
    ticked = second.get_attribute("data-org")
    second.locator("input[data-pick]").check()
    page.locator("table[data-table=targets] a.target-link").first.click()
    page.wait_for_selector("#campaign-out dl")
    panel = page.inner_text("#campaign-out")
    assert "org:" not in panel and "cn/" not in panel, panel
    assert name(url, keys["viewer"], PLANTED["targets"][0]) in page.inner_text("#campaign-out .plan-targets")
    assert "id" not in page.eval_on_selector_all("#campaign-out th", "els => els.map(e => e.textContent)")
    page.locator("#campaign-out").scroll_into_view_if_needed()
    shot(page, "44-target-campaign-panel")
    assert name(url, keys["viewer"], ticked) in page.inner_text("#campaign-out .plan-targets")  # the ticked one too
    # the 联合招商 view starts from what was ticked (加入联合招商)
    page.click(".tabs button[data-tab=campaigns]")
    page.wait_for_selector(f"#view-campaigns input[data-candidate='{ticked}']:checked")
    assert page.console.errors == []


def test_changing_the_region_refetches_the_candidates_and_campaigns(page, server, targets_list):
    url, keys = server
    open_campaigns(page, url, keys["viewer"])
    assert page.locator("#view-campaigns input[data-candidate]").count() == len(targets_list)
    page.select_option("#region", "cn/guangdong/guangzhou")
    page.wait_for_selector("#view-campaigns h2 >> text=广州市")
    got = call(url, keys["viewer"], "GET", "/lists/targets", params={"region": "广州", "chain": CHAIN})["items"]
    assert page.locator("#view-campaigns input[data-candidate]").count() == len(got)
    if not got:
        assert "招商引资目标清单为空" in page.inner_text("#view-campaigns")
    assert call(url, keys["viewer"], "GET", "/campaigns", params={"region": "广州"})["total"] == 0
    assert "本地区暂无联合招商活动" in page.inner_text("#view-campaigns")
    assert page.console.errors == []


def test_a_campaign_stored_without_a_region_shows_where_its_agencies_are(page, server):
    """As ``chainmatch campaign create`` without ``--region`` stores it: listed for 深圳 and for the owner's own
    district (宝安区), not for another district (南山区), in the page as through the API."""
    url, keys = server
    made = call(url, keys["editor"], "POST", "/campaigns", {"name": "宝安无地区活动", "owner": BAOAN,
                                                          "targets": [PLANTED["targets"][0]]})["campaign"]
    assert made["region"] is None
    open_campaigns(page, url, keys["viewer"])
    for region, listed in (("cn/guangdong/shenzhen", True), ("cn/guangdong/shenzhen/baoan", True),
                           ("cn/guangdong/shenzhen/nanshan", False)):
        if page.input_value("#region") != region:
            page.select_option("#region", region)
        api = [c["id"] for c in call(url, keys["viewer"], "GET", "/campaigns", params={"region": region})["items"]]
        assert (made["id"] in api) is listed, region
        page.wait_for_function("r => window.workbench.state.region === r && "
                               "document.querySelector('#view-campaigns .camp-grid')", arg=region)
        row = page.locator(f"#view-campaigns tr[data-campaign='{made['id']}']")
        if listed:
            row.wait_for()
            assert name(url, keys["viewer"], BAOAN) in row.inner_text() and "org:" not in row.inner_text()
            if region.endswith("baoan"):
                shot(page, "62-campaign-without-region")
        else:
            page.wait_for_timeout(500)  # the view re-fetched for the new region
            assert row.count() == 0, region
        shown = page.locator("#view-campaigns table[data-table=campaigns] tbody tr[data-campaign]")
        assert sorted(int(x) for x in shown.evaluate_all("rs => rs.map(r => r.dataset.campaign)")) == sorted(api), region
    assert page.console.errors == []
