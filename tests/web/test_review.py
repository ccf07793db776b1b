"""挂链 review in the workbench (issue 16, item 3): after ``POST /classify`` writes predictions, the segment panel
lists the region's firms that count in a segment only by a prediction, with their confidence; 确认 makes one
confirmed and 驳回 another rejected, each checked through the API, and the chain map is fetched again.
The sample world's firms all carry confirmed segments (classify predicts none there), so three fictional
Shenzhen firms with predicted 游戏引擎 memberships are created over HTTP, as an import of 挂链 output would.

The server is this module's own copy of the sample world (tests/web/conftest.py: one server per module), so
the predictions written here never reach the planted-answer tests.
"""

from __future__ import annotations

import pytest

from tests.web.helpers import call, click_segment, shot, sign_in

pytestmark = pytest.mark.browser

SZ = "cn/guangdong/shenzhen"


def statuses(url: str, token: str, segment: str) -> dict[str, tuple[str, float]]:
    """Organisation id → (status, confidence) of its membership in ``segment``, for the region's members."""
    page_ = call(url, token, "GET", "/organisations", params={"region": SZ, "segment": segment, "limit": 200})
    return {o["id"]: next((m["status"], m["confidence"]) for m in o["segments"] if m["segment"] == segment)
            for o in page_["items"]}


@pytest.fixture(scope="module")
def predicted(server):
    """(chain, segment, predicted local firms) after three firms are stored with predicted 游戏引擎 memberships."""
    url, keys = server
    for i, conf in enumerate((0.92, 0.71, 0.55)):
        call(url, keys["editor"], "POST", "/organisations", body={
            "name_zh": f"深圳市虚构引擎科技{i}有限公司", "region": "深圳市南山区", "products": ["游戏引擎"],
            "segments": [{"segment": "seg:game_engine", "status": "predicted", "confidence": conf,
                          "evidence": "medium"}]})
    cm = call(url, keys["viewer"], "GET", "/analysis/chain-map", params={"region": SZ, "chain": "chain:animation_games"})
    n = next(s["local_predicted"] for s in cm["segments"] if s["segment"] == "seg:game_engine")
    assert n == 3
    return "chain:animation_games", "seg:game_engine", n


def local_predicted(url, token, chain, segment) -> int:
    cm = call(url, token, "GET", "/analysis/chain-map", params={"region": SZ, "chain": chain})
    return next(s["local_predicted"] for s in cm["segments"] if s["segment"] == segment)


def open_panel(page, url: str, token: str, chain: str, segment: str) -> None:
    """Sign in, show ``chain`` and open ``segment``'s panel."""
    sign_in(page, url, token)
    if page.input_value("#chain") != chain:
        page.select_option("#chain", chain)
        page.wait_for_function("c => window.workbench.state.map.chain.id === c", arg=chain)
    click_segment(page, segment)


def gone(page, org: str) -> None:
    page.wait_for_function("o => !document.querySelector(`#segment-predictions button[data-org='${o}']`)", arg=org)


def test_confirm_and_reject_a_prediction_from_the_segment_panel(page, server, predicted):
    url, keys = server
    chain, segment, n = predicted
    before = statuses(url, keys["viewer"], segment)
    shown = sorted((o for o, (st, _) in before.items() if st == "predicted"), key=lambda o: (-before[o][1], o))
    open_panel(page, url, keys["editor"], chain, segment)
    page.wait_for_selector("table[data-table=segment_predictions]")
    ids = page.eval_on_selector_all("table[data-table=segment_predictions] tbody tr td:first-child",
                                    "els => els.map(e => e.textContent)")
    assert ids == shown  # every predicted member of the region, most confident first
    first = page.locator("table[data-table=segment_predictions] tbody tr").first
    assert f"{before[shown[0]][1]:.2f}" in first.inner_text()
    assert "挂链预测" in page.inner_text("#segment-predictions")
    shot(page, "30-review-predictions")

    page.click(f"#segment-predictions button[data-review=confirm][data-org='{shown[0]}']")
    gone(page, shown[0])
    notice = page.inner_text("#notice")
    assert "深圳市虚构引擎科技" in notice and shown[0] not in notice  # the firm by name, not by id
    after = statuses(url, keys["viewer"], segment)
    assert after[shown[0]] == ("confirmed", 1.0)
    assert local_predicted(url, keys["viewer"], chain, segment) == n - 1  # now counted as confirmed
    if len(shown) > 2:  # one stays predicted for the viewer test
        page.click(f"#segment-predictions button[data-review=reject][data-org='{shown[1]}']")
        gone(page, shown[1])
        assert statuses(url, keys["viewer"], segment)[shown[1]][0] == "rejected"
    assert page.console.errors == []


def test_a_viewer_cannot_review(page, server, predicted):
    url, keys = server
    chain, segment, _ = predicted
    before = statuses(url, keys["viewer"], segment)
    open_panel(page, url, keys["viewer"], chain, segment)
    page.wait_for_selector("#segment-predictions button[data-review=confirm]")
    page.locator("#segment-predictions button[data-review=confirm]").first.click(force=True)  # greyed, still clickable
    page.wait_for_selector("#notice.error")
    assert "viewer" in page.inner_text("#notice")
    assert statuses(url, keys["viewer"], segment) == before
