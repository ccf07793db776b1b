"""The reports read as a person reads them (issue 19): names, not ids, in one language.

The HTML and xlsx report of the sample world — all chains of 深圳 and 动漫游戏 in
南山区, in Chinese and in English, as ``chainmatch report`` and ``GET /reports``
render them — checked with the README test's checks (tests/textcheck.py): every
visible text of the HTML (text nodes, chart tooltips; not attributes, which
carry the ids numbers link to) and every xlsx cell, except the explicit id
columns (环节ID, 企业ID, …依据ID: the ids a user needs to trace a figure), holds
no ``cn/…``, ``seg:…`` or ``org:…`` id, no cut name, and no words of the other
language beyond names the data holds in one language only (marked "(zh)").
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest

from tests.textcheck import data_names, latin_words, text_problems

CASES = [("深圳", None), ("南山区", "动漫游戏")]

#: a header naming an explicit id column (ids are its content, as the user asked)
ID_COLUMN = re.compile(r"(?:ID|\bids?)$")


class Visible(HTMLParser):
    """The text a reader sees: text nodes outside <style>/<script>, by table column where in a table."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.skip = 0
        self.heads: list[str] = []
        self.col = -1
        self.in_th = False
        self.in_id_cell = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self.skip += 1
        elif tag == "table":
            self.heads = []
        elif tag == "tr":
            self.col = -1
        elif tag in ("td", "th"):
            self.col += 1
            self.in_th = tag == "th"
            if self.in_th:
                self.heads.append("")
            self.in_id_cell = tag == "td" and self.col < len(self.heads) and bool(ID_COLUMN.search(self.heads[self.col]))

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self.skip -= 1
        elif tag in ("td", "th"):
            self.in_th = self.in_id_cell = False

    def handle_data(self, data):
        if self.skip:
            return
        if self.in_th:
            self.heads[-1] += data
        if not self.in_id_cell and data.strip():
            self.texts.append(data)


def xlsx_texts(data: bytes) -> list[str]:
    """Every sheet title and cell of a workbook, but the cells of its id columns."""
    import openpyxl

    out = []
    for ws in openpyxl.load_workbook(io.BytesIO(data)).worksheets:
        out.append(ws.title)
        rows = list(ws.iter_rows(values_only=True))
        heads = [str(h or "") for h in rows[0]] if rows else []
        for row in rows:
            out += [str(v) for j, v in enumerate(row) if v is not None and isinstance(v, str)
                    and not (j < len(heads) and ID_COLUMN.search(heads[j]) and row is not rows[0])]
    return out


@pytest.fixture(scope="module")
def rendered(world_store):
    """``{(region, chain, lang, fmt): visible texts}`` of the four reports."""
    from graph.analysis.service import Analyst
    from matching.recommend.index import ChainIndex
    from matching.reports.build import build_report
    from matching.reports.provenance import store_records
    from matching.reports.render import render

    analyst, ix, records = Analyst.for_store(world_store), ChainIndex.from_store(world_store), store_records(world_store)
    out = {}
    for region, chain in CASES:
        report = build_report(analyst, ix, records, region, chain)
        for lang in ("zh", "en"):
            out[region, chain, lang, "html"] = Visible(render(report, "html", lang).decode("utf-8")).texts
            out[region, chain, lang, "xlsx"] = xlsx_texts(render(report, "xlsx", lang))
        out[region, chain, "sources"] = set(report["provenance"]["sources"])
    return out


@pytest.fixture(scope="module")
def names(world_store):
    return data_names(world_store, {"深圳", "南山区", "动漫游戏"})


@pytest.mark.parametrize("fmt", ["html", "xlsx"])
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c if isinstance(c, str) else str(c))
def test_report_text_names_things_in_one_language(rendered, names, case, lang, fmt):
    region, chain = case
    sources = rendered[region, chain, "sources"]  # data set names (fixture:…), as the importer recorded them
    problems = {}
    for text in rendered[region, chain, lang, fmt]:
        found = text_problems(text, lang, names, latin_ok=latin_words(" ".join(sources)))
        if found and text.strip() not in sources:
            problems.setdefault("; ".join(found), text[:160])
    assert not problems, "\n".join(f"{v!r}: {k}" for k, v in list(problems.items())[:25])


def test_the_extraction_leaves_id_columns_and_attributes_out():
    doc = Visible('<table><tr><th>环节</th><th>环节ID</th></tr><tr><td>游戏引擎</td><td>seg:game_engine</td></tr>'
                  '</table><a title="org:f1">3</a><svg><title>游戏引擎 · seg:x</title></svg>')
    assert doc.texts == ["环节", "环节ID", "游戏引擎", "3", "游戏引擎 · seg:x"]
