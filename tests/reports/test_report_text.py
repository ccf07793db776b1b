"""The reports read as a person reads them (issue 19): names, not ids, in one language.

The HTML and xlsx report of the sample world — all chains of 深圳 and 动漫游戏 in
南山区, in Chinese and in English, as ``chainmatch report`` and ``GET /reports``
render them — checked with the README test's checks (tests/textcheck.py): every
visible text of the HTML (text nodes, chart tooltips; not attributes, which
carry the ids numbers link to) and every xlsx cell, except the explicit id
columns (环节ID, 企业ID, …依据ID: the ids a user needs to trace a figure), holds
no ``cn/…``, ``seg:…`` or ``org:…`` id, no cut name, and no words of the other
language beyond names the data holds in one language only (marked "(zh)").

A chart label with no room for a whole name shows it cut, ending in "…", with
the whole name in its tooltip (its ``<title>``): such a cut is seen by the
cut-name check and allowed only with that tooltip; a label that is the start of
a name without "…" (a silent cut) fails.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest

from tests.textcheck import cut_of, data_names, latin_words, text_problems

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
        self.labels: list[list[str]] = []  # [shown, tooltip] of each SVG <text>
        self.in_label = self.in_title = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self.skip += 1
        elif tag == "text":
            self.labels.append(["", ""])
            self.in_label = True
        elif tag == "title" and self.in_label:
            self.in_title = True
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
        elif tag == "text":
            self.in_label = False
        elif tag == "title":
            self.in_title = False
        elif tag in ("td", "th"):
            self.in_th = self.in_id_cell = False

    def handle_data(self, data):
        if self.skip:
            return
        if self.in_th:
            self.heads[-1] += data
        if self.in_label:
            self.labels[-1][1 if self.in_title else 0] += data
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
            doc = Visible(render(report, "html", lang).decode("utf-8"))
            out[region, chain, lang, "html"] = doc.texts
            out[region, chain, lang, "labels"] = doc.labels
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
    tooltipped = {shown for shown, tip in rendered[region, chain, lang, "labels"] if cut_of(shown, tip)} \
        if fmt == "html" else set()
    for text in rendered[region, chain, lang, fmt]:
        found = text_problems(text, lang, names, latin_ok=latin_words(" ".join(sources)))
        if text in tooltipped:  # a chart label cut for room, its whole name in the tooltip: seen, and allowed
            found = [f for f in found if not f.startswith("a cut name")] + \
                text_problems(text[:-1], lang, names, latin_ok=latin_words(" ".join(sources)))
        if found and text.strip() not in sources:
            problems.setdefault("; ".join(found), text[:160])
    assert not problems, "\n".join(f"{v!r}: {k}" for k, v in list(problems.items())[:25])


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c if isinstance(c, str) else str(c))
def test_chart_labels_cut_a_name_visibly_with_the_name_in_the_tooltip(rendered, world_store, case, lang):
    region, chain = case
    segment_names = {n for s in world_store.segments() for n in (s.name_zh, s.name_en) if n}
    labels = rendered[region, chain, lang, "labels"]
    silent = [shown for shown, tip in labels for n in segment_names
              if shown != n and len(shown) >= 4 and (n.startswith(shown) or n.startswith(shown.split(" ", 1)[-1]))
              and not shown.endswith("…") and shown.split(" ", 1)[-1] not in segment_names]
    assert not silent, f"chart labels cut without '…': {silent[:8]}"
    cut = [(shown, tip) for shown, tip in labels if shown.endswith("…")]
    assert all(cut_of(shown, tip) for shown, tip in cut), [c for c in cut if not cut_of(*c)][:5]
    if lang == "en":  # the sample world's long English names are cut; each cut is seen by the cut-name check
        assert cut and all(any(p.startswith("a cut name") for p in text_problems(s, "en", {"zh_only": set()}))
                           for s, _ in cut)


def test_the_extraction_leaves_id_columns_and_attributes_out():
    doc = Visible('<table><tr><th>环节</th><th>环节ID</th></tr><tr><td>游戏引擎</td><td>seg:game_engine</td></tr>'
                  '</table><a title="org:f1">3</a><svg><title>游戏引擎 · seg:x</title></svg>')
    assert doc.texts == ["环节", "环节ID", "游戏引擎", "3", "游戏引擎 · seg:x"]
    label = Visible('<svg><text x="1"><title>短视频与微短剧制作</title>短视频与…</text><text>游戏引擎</text></svg>')
    assert label.labels == [["短视频与…", "短视频与微短剧制作"], ["游戏引擎", ""]]
