"""The HTML report in headless Chromium: no console errors, no request leaves the file, it prints to PDF.

Playwright drives Debian's ``/usr/bin/chromium`` (never a downloaded browser),
as in ``tests/web``. The screenshot and the PDF go to ``artifacts/reports/``
(gitignored).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "reports"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} absent: the browser tests need Debian's chromium (apt-get install chromium)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed (pip install playwright)")


def test_report_renders_without_errors_and_prints(html_text):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page_file = ARTIFACTS / "report.html"
    page_file.write_text(html_text, encoding="utf-8")
    errors, requests = [], []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_file.as_uri())
            page.wait_for_load_state("load")
            assert page.title().startswith("缺链补链与招商目标报告")
            assert page.locator("section").count() == 9
            chart = page.locator("#sec-chain_map svg")
            assert chart.bounding_box()["width"] > 800  # the chart is drawn at the page's width
            assert page.locator("#sec-chain_map svg a").count() == 47
            page.screenshot(path=str(ARTIFACTS / "report.png"))
            chart.screenshot(path=str(ARTIFACTS / "report-chain-map.png"))
            page.locator("#sec-gaps svg").screenshot(path=str(ARTIFACTS / "report-severity.png"))
            # a number's link lands on its evidence row
            page.locator("#sec-targets a.n").first.click()
            assert page.evaluate("location.hash").startswith("#ev-org:")
            pdf = page.pdf(path=str(ARTIFACTS / "report.pdf"), format="A4", landscape=True, print_background=True)
        finally:
            browser.close()
    assert errors == []
    assert requests == [page_file.as_uri()]  # nothing fetched besides the file itself
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pdf.startswith(b"%PDF") and pages >= 9  # one section a page at least
