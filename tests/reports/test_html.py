"""The HTML report: one escaped document, Chinese headers, charts, every number linked to its ids, print CSS."""

from __future__ import annotations

import copy
from html.parser import HTMLParser

HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'&'
HOSTILE_ID = 'org:x" onmouseover="alert(3)'


class Doc(HTMLParser):
    """Start tags with their attributes, and the text, as a browser would parse them."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_hostile_names_and_ids_are_text_not_markup(report):
    from matching.reports.html import to_html

    r = copy.deepcopy(report)
    r["region"]["name_zh"] = r["chain"]["name_zh"] = HOSTILE
    r["chain_map"][0]["name_zh"] = HOSTILE  # drawn in the SVG chart too
    r["gaps"][0]["name_zh"] = HOSTILE
    r["gaps"][0]["parts"][0]["note"] = HOSTILE
    r["targets"][0]["name_zh"] = HOSTILE
    r["evidence"][0]["name"] = HOSTILE
    r["evidence"][0]["id"] = HOSTILE_ID
    r["chain_map"][0]["local_firms"]["ids"].insert(0, HOSTILE_ID)
    r["names"][r["campaign"]["targets"][0]] = HOSTILE
    doc = Doc(to_html(r))
    tags = {t for t, _ in doc.tags}
    assert not tags & {"script", "img", "iframe", "object", "embed"}
    assert not [a for _, attrs in doc.tags for a in attrs if a.startswith("on")]
    assert "".join(doc.text).count(HOSTILE) >= 6  # shown as the text it is
    ids = {attrs.get("id") for _, attrs in doc.tags}
    assert "ev-" + "_".join(HOSTILE_ID.split()) in ids  # the anchor survives, quoted
    links = [attrs for t, attrs in doc.tags if t == "a" and attrs.get("title", "").startswith(HOSTILE_ID)]
    assert links and links[0]["href"] == "#ev-" + "_".join(HOSTILE_ID.split())


def test_chinese_document_with_both_charts_and_print_css(html_text, report):
    doc = Doc(html_text)
    assert doc.tags[0] == ("html", {"lang": "zh-CN"})
    heads = [d for d in doc.text if d in ("概览", "产业链图谱", "缺链补链", "招商目标", "外部依赖", "证据来源", "数据来源")]
    assert set(heads) == {"概览", "产业链图谱", "缺链补链", "招商目标", "外部依赖", "证据来源", "数据来源"}
    svgs = html_text.split("<svg")[1:]
    assert len(svgs) == 2
    chain_svg, severity_svg = svgs[0].split("</svg>")[0], svgs[1].split("</svg>")[0]
    assert chain_svg.count("<a href") == len(report["chain_map"]) == 47
    assert severity_svg.count("<a href") == sum(1 for g in report["gaps"] for p in g["parts"] if p["value"]["value"] > 0)
    assert "@media print" in html_text and "thead { display: table-header-group; }" in html_text
    assert "break-inside: avoid" in html_text and "http://" not in html_text.replace('xmlns="http://www.w3.org', "")


def test_every_number_links_to_an_evidence_row_and_lists_its_ids(html_text, report):
    doc = Doc(html_text)
    anchors = {attrs["id"] for _, attrs in doc.tags if "id" in attrs}
    numbers = [attrs for t, attrs in doc.tags if t == "a" and attrs.get("class") == "n"]
    assert len(numbers) > 500
    evidence = {e["id"] for e in report["evidence"]}
    for a in numbers:
        first = a["title"].split()[0]
        assert a["href"] == f"#ev-{first}"
        if first in evidence:
            assert a["href"][1:] in anchors
        else:
            assert first.startswith(report["region"]["id"])  # a campaign's lead unit is a region, not a record
    ideal = "org:f1561"
    assert any(a["title"].startswith(ideal) for a in numbers)  # the planted target's score cites it first
