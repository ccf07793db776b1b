"""The HTML report in headless Chromium: no console errors, no request leaves the file, it prints to PDF.

Playwright drives Debian's ``/usr/bin/chromium`` (never a downloaded browser):
the session's one browser (``browser`` in tests/conftest.py, the one tests/web
use), a context of its own per test. The screenshot and the PDF go to ``artifacts/reports/``
(gitignored).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "reports"


def test_report_renders_without_errors_and_prints(browser, html_text):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page_file = ARTIFACTS / "report.html"
    page_file.write_text(html_text, encoding="utf-8")
    errors, requests = [], []
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    try:
        page = context.new_page()
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
        context.close()
    assert errors == []
    assert requests == [page_file.as_uri()]  # nothing fetched besides the file itself
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pdf.startswith(b"%PDF") and pages >= 9  # one section a page at least


def test_english_chart_labels_fit_their_chart_and_show_the_whole_name_on_hover(browser, report):
    """The sample world's long English segment names: every label lies inside its chart, a cut one ends in
    "…" and its tooltip (the <title> the browser shows on hover) holds the whole name."""
    from matching.reports.render import render

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page_file = ARTIFACTS / "report-en.html"
    page_file.write_bytes(render(report, "html", "en"))
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        page = context.new_page()
        page.goto(page_file.as_uri())
        page.wait_for_load_state("load")
        for section, shot in (("#sec-chain_map", "report-en-chain-map.png"), ("#sec-gaps", "report-en-severity.png")):
            labels = page.evaluate("""(sel) => {
                const svg = document.querySelector(sel + ' svg'), box = svg.getBoundingClientRect();
                return [...svg.querySelectorAll('text')].filter(t => t.querySelector('title') || t.textContent.length > 3)
                  .map(t => { const r = t.getBoundingClientRect(), tip = t.querySelector('title');
                    return {shown: [...t.childNodes].filter(n => n.nodeType === 3).map(n => n.data).join(''),
                            tip: tip ? tip.textContent : '', inside: r.left >= box.left - 1 && r.right <= box.right + 1
                              && r.top >= box.top - 1 && r.bottom <= box.bottom + 1}; }); }""", section)
            page.locator(section + " svg").screenshot(path=str(ARTIFACTS / shot))
            outside = [x["shown"] for x in labels if not x["inside"]]
            assert not outside, f"{section}: labels past the chart's edge: {outside[:5]}"
            cut = [x for x in labels if x["shown"].endswith("…")]
            assert cut, f"{section}: the sample's long English names are cut"
            assert all(x["tip"].startswith(x["shown"][:-1].rstrip()) and len(x["tip"]) >= len(x["shown"])
                       for x in cut), cut[:3]
        # the severity chart's legend wraps to rows of its own: no two of its words overlap
        boxes = page.evaluate("""() => [...document.querySelectorAll('#sec-gaps svg text')].filter(t => !t.closest('a'))
            .map(t => { const r = t.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom, t.textContent]; })""")
        overlaps = [(a[4], b[4]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
                    if a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1]
        assert not overlaps, overlaps[:5]
        # one colour per part: the legend names each colour once
        fills = page.evaluate("""() => [...document.querySelectorAll('#sec-gaps svg > rect')].map(r => r.getAttribute('fill'))""")
        assert fills and len(set(fills)) == len(fills), fills
    finally:
        context.close()
