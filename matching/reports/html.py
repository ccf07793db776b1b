"""The report as one self-contained HTML file: inline CSS, inline SVG charts, no script, no network.

Every number links to the evidence row of the first id behind it and lists
all its ids in its tooltip (``title``); every evidence row has an anchor.
Everything from the data is escaped, and a Content-Security-Policy meta tag
forbids scripts and remote loads besides. ``@media print`` gives A4
landscape pages, one section per page, header rows repeated and rows never
split.

Examples
--------
>>> from matching.reports.build import fig
>>> from matching.reports.tables import Table
>>> cell = number(fig(0.25, ["org:<x>", "seg:a"], "pct"))
>>> cell
'<a class="n" href="#ev-org:&lt;x&gt;" title="org:&lt;x&gt; seg:a">25.0%</a>'
>>> "<script>" in table_html(Table("t", "表", ["名称"], [["<script>alert(1)</script>"]]))
False
"""

from __future__ import annotations

from html import escape

from matching.reports.charts import anchor, chain_chart, severity_chart
from matching.reports.labels import t
from matching.reports.tables import Table, is_fig, note_of, report_tables

__all__ = ["to_html", "number", "table_html", "fmt_number", "CSS"]

CSS = """
:root { --ink: #1d2733; --muted: #5b6775; --line: #d5dbe3; --head: #e8eef6; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       color: var(--ink); margin: 0 auto; max-width: 1400px; padding: 16px 24px; line-height: 1.45; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; border-bottom: 2px solid var(--ink);
     padding-bottom: 2px; margin-top: 28px; }
.meta { color: var(--muted); font-size: 13px; }
nav a { margin-right: 12px; font-size: 13px; }
.wrap { overflow-x: auto; }
table { border-collapse: collapse; font-size: 12px; width: 100%; }
th, td { border: 1px solid var(--line); padding: 3px 6px; vertical-align: top; text-align: left; }
th { background: var(--head); position: sticky; top: 0; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
a.n { color: #1f4e9a; text-decoration: none; border-bottom: 1px dotted #1f4e9a; }
.chart { width: 100%; height: auto; max-height: 520px; }
.note { color: var(--muted); font-size: 12px; }
tr:target { background: #fff4c2; }
@page { size: A4 landscape; margin: 10mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10px; }
  nav { display: none; }
  section { break-before: page; page-break-before: always; }
  section:first-of-type { break-before: auto; page-break-before: auto; }
  .wrap { overflow: visible; }
  table { font-size: 8.5px; }
  thead { display: table-header-group; }
  tr, .chart { break-inside: avoid; page-break-inside: avoid; }
  th { position: static; }
  a.n { border-bottom: none; color: inherit; }
}
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _e(x) -> str:
    return escape(str(x), quote=True)


def fmt_number(value, fmt: str) -> str:
    """A figure as shown: ``int`` 1,234 · ``float`` 1.23 · ``score`` 0.789 · ``pct`` 20.4%.

    >>> fmt_number(1234, "int"), fmt_number(0.2038, "pct"), fmt_number(None, "int")
    ('1,234', '20.4%', '-')
    """
    if value is None:
        return "-"
    return {"int": f"{value:,.0f}", "pct": f"{value:.1%}", "score": f"{value:.3f}"}.get(fmt, f"{value:,.2f}")


def number(f: dict) -> str:
    """A figure as a link to its first id's evidence row, every id in its tooltip."""
    text = _e(fmt_number(f["value"], f["fmt"]))
    if not f["ids"]:
        return text
    return f'<a class="n" href="#{_e(anchor(f["ids"][0]))}" title="{_e(" ".join(f["ids"]))}">{text}</a>'


def table_html(tab: Table) -> str:
    """A table; the evidence table's rows carry the anchors numbers link to."""
    head = "".join(f"<th>{_e(c)}</th>" for c in tab.columns)
    body = []
    for row in tab.rows:
        cells = []
        for v in row:
            if is_fig(v):
                cells.append(f'<td class="num">{number(v)}</td>')
            elif isinstance(v, int | float) and not isinstance(v, bool):
                cells.append(f'<td class="num">{_e(v)}</td>')
            else:
                cells.append(f"<td>{_e('' if v is None else v)}</td>")
        rid = f' id="{_e(anchor(str(row[0])))}"' if tab.key == "evidence" and row else ""
        body.append(f"<tr{rid}>{''.join(cells)}</tr>")
    note = f'<p class="note">{_e(tab.note)}</p>' if tab.note else ""
    return (f'<div class="wrap"><table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody>'
            f"</table></div>{note}")


def to_html(report: dict, lang: str = "zh") -> str:
    """The whole report as one HTML document (a string)."""
    tables = report_tables(report, lang)
    region = report["region"]["name_zh" if lang == "zh" else "name_en"]
    chain = report["chain"]["name_zh" if lang == "zh" else "name_en"]
    title = f"{t('title', lang)} · {region} · {chain}"
    p = report["provenance"]
    meta = (f"{t('region', lang)} {region} · {t('chain_map', lang)} {chain} · "
            f"{t('as_of_min', lang)} {p['as_of_min'] or '-'} · {t('as_of_max', lang)} {p['as_of_max'] or '-'} · "
            f"{t('estimated_fields', lang)} {p['estimated_fields']}")
    nav = "".join(f'<a href="#sec-{_e(tab.key)}">{_e(tab.title)}</a>' for tab in tables)
    charts = {"chain_map": f"<figure>{chain_chart(report['chain_map'], lang, report.get('names_en' if lang == 'en' else 'names'))}"
                           f"<figcaption class=\"note\">{_e(t('chart_chain', lang))}</figcaption></figure>",
              "gaps": f"<figure>{severity_chart(report['gaps'], lang, lambda p, lg: note_of(report, p, lg))}"
                      f"<figcaption class=\"note\">{_e(t('chart_severity', lang))}</figcaption></figure>"}
    sections = "".join(f'<section id="sec-{_e(tab.key)}"><h2>{_e(tab.title)}</h2>{charts.get(tab.key, "")}'
                       f"{table_html(tab)}</section>" for tab in tables)
    return (f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_e(title)}</title><style>{CSS}</style></head><body>"
            f'<header><h1>{_e(title)}</h1><p class="meta">{_e(meta)}</p><nav>{nav}</nav></header>'
            f"<main>{sections}</main></body></html>")
