"""Inline SVG charts of the HTML report, drawn in Python (no script, no network).

- :func:`chain_chart` — a column per segment, upstream → downstream, height the
  number of local firms, colour the status; each column links to the
  segment's evidence row and its tooltip lists the firm ids;
- :func:`severity_chart` — a stacked bar per gap, one block per named
  severity part.

All text is escaped.

Examples
--------
>>> from matching.reports.build import fig
>>> rows = [{"segment": "seg:a", "name_zh": "<b>引擎</b>", "name_en": "", "stage": "upstream", "status": "missing",
...          "local_firms": fig(0, ["seg:a"], "int")}]
>>> svg = chain_chart(rows)
>>> svg.startswith("<svg") and "&lt;b&gt;引擎&lt;/b&gt;" in svg and "<b>" not in svg
True
"""

from __future__ import annotations

from html import escape

from graph.display import clip
from matching.reports.labels import t

__all__ = ["chain_chart", "severity_chart", "svg_label", "STATUS_COLOURS", "PART_COLOURS", "anchor"]

#: display columns a label has room for: the chain chart's slanted segment names, the severity chart's left column
CHAIN_LABEL, SEVERITY_LABEL = 28, 36

STATUS_COLOURS = {"strong": "#2e7d32", "present": "#7cb342", "thin": "#f9a825", "missing": "#c62828",
                  "extension": "#6a1b9a", "absent": "#9e9e9e"}
#: one colour per severity part: a gap's parts number up to 21 (graph.analysis), so the palette has 24, the first
#: eight strong, then lighter and darker ones of other hues (a colour used twice would make the legend ambiguous)
PART_COLOURS = ["#1565c0", "#ef6c00", "#6a1b9a", "#00838f", "#ad1457", "#558b2f", "#4e342e", "#9e9d24",
                "#90caf9", "#ffcc80", "#ce93d8", "#80deea", "#f48fb1", "#c5e1a5", "#bcaaa4", "#e6ee9c",
                "#0d47a1", "#bf360c", "#4a148c", "#004d40", "#880e4f", "#33691e", "#263238", "#f57f17"]


def anchor(record_id: str) -> str:
    """The fragment id of a record's evidence row (whitespace made safe; escape it when writing).

    >>> anchor("org:f1 x")
    'ev-org:f1_x'
    """
    return "ev-" + "_".join(record_id.split())


def _e(x) -> str:
    return escape(str(x), quote=True)


def _name(row: dict, lang: str) -> str:
    return (row["name_zh"] or row["name_en"]) if lang == "zh" else (row["name_en"] or row["name_zh"])


def svg_label(text: str, width: int, attrs: str) -> str:
    """An SVG ``<text>`` of ``text`` cut to ``width`` columns (ending in "…"), the full text in its ``<title>``.

    >>> svg_label("短视频与微短剧制作", 10, 'x="0"')
    '<text x="0"><title>短视频与微短剧制作</title>短视频与…</text>'
    >>> svg_label("游戏引擎", 10, 'x="0"')
    '<text x="0">游戏引擎</text>'
    """
    shown = clip(text, width)
    tip = f"<title>{_e(text)}</title>" if shown != text else ""
    return f"<text {attrs}>{tip}{_e(shown)}</text>"


def chain_chart(rows: list[dict], lang: str = "zh", names: dict[str, str] | None = None) -> str:
    """Columns of local firms per segment (rows as in ``report["chain_map"]``)."""
    n = max(len(rows), 1)
    col, gap, top, plot, label = 22, 8, 60, 220, 150
    width = 60 + n * (col + gap)
    height = top + plot + label
    vmax = max([r["local_firms"]["value"] or 0 for r in rows] + [1])
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
           f'class="chart" aria-label="{_e(t("chart_chain", lang))}">',
           f'<line x1="50" y1="{top + plot}" x2="{width - 5}" y2="{top + plot}" stroke="#555"/>',
           f'<text x="45" y="{top + 4}" text-anchor="end" font-size="11">{vmax}</text>',
           f'<text x="45" y="{top + plot}" text-anchor="end" font-size="11">0</text>']
    stage = None
    for i, r in enumerate(rows):
        x = 55 + i * (col + gap)
        if r["stage"] != stage:
            stage = r["stage"]
            out.append(f'<line x1="{x - gap / 2}" y1="{top - 25}" x2="{x - gap / 2}" y2="{top + plot}" '
                       f'stroke="#bbb" stroke-dasharray="3 3"/>')
            out.append(f'<text x="{x}" y="{top - 14}" font-size="12" font-weight="bold">{_e(t(stage, lang))}</text>')
        v = r["local_firms"]["value"] or 0
        h = plot * v / vmax
        ids = r["local_firms"]["ids"]
        tip = f"{_name(r, lang)} · {t(r['status'], lang)} · {t('local_firms', lang)} {v}" + (
            f"{'：' if lang == 'zh' else ': '}{('、' if lang == 'zh' else ', ').join(names[i] for i in ids[1:] if i in names)}"
            if names and ids[1:] else "")
        colour = STATUS_COLOURS.get(r["status"], "#777")
        paint = f'fill="{colour}"' if v else f'fill="none" stroke="{colour}" stroke-width="2" stroke-dasharray="3 2"'
        h = h if v else 12.0  # an empty segment: a dashed box, so a missing one stands out
        out.append(f'<a href="#{_e(anchor(r["segment"]))}"><title>{_e(tip)}</title>'
                   f'<rect x="{x}" y="{top + plot - max(h, 1):.1f}" width="{col}" height="{max(h, 1):.1f}" {paint}/>'
                   f'<text x="{x + col / 2}" y="{top + plot - max(h, 1) - 3:.1f}" font-size="10" '
                   f'text-anchor="middle">{v}</text></a>')
        lx, ly = x + col / 2, top + plot + 8
        out.append(svg_label(_name(r, lang), CHAIN_LABEL,
                         f'x="{lx}" y="{ly}" font-size="11" text-anchor="end" transform="rotate(-60 {lx} {ly})"'))
    lx = 55
    for status, colour in STATUS_COLOURS.items():
        out.append(f'<rect x="{lx}" y="6" width="10" height="10" fill="{colour}"/>'
                   f'<text x="{lx + 14}" y="15" font-size="11">{_e(t(status, lang))}</text>')
        lx += 30 + len(t(status, lang)) * (12 if lang == "zh" else 6)
    out.append("</svg>")
    return "".join(out)


def severity_chart(gaps: list[dict], lang: str = "zh", note=None) -> str:
    """Stacked severity bars (rows as in ``report["gaps"]``)."""
    names = list(dict.fromkeys(p["name"] for g in gaps for p in g["parts"]))
    colour = {n: PART_COLOURS[i % len(PART_COLOURS)] for i, n in enumerate(names)}
    bar, gap, left, plot = 18, 8, 220, 560
    width = left + plot + 70
    legend, lx, ly = [], 10, 8  # the parts' legend, wrapped to as many rows as it needs
    for n in names:
        label = t(n, lang)
        step = 24 + len(label) * (12 if lang == "zh" else 6)
        if lx > 10 and lx + step > width:
            lx, ly = 10, ly + 18
        legend.append(f'<rect x="{lx}" y="{ly}" width="10" height="10" fill="{colour[n]}"/>'
                      f'<text x="{lx + 14}" y="{ly + 9}" font-size="11">{_e(label)}</text>')
        lx += step
    top = ly + 42
    height = top + max(len(gaps), 1) * (bar + gap) + 10
    vmax = max([g["severity"]["value"] for g in gaps] + [1e-9])
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
           f'class="chart" aria-label="{_e(t("chart_severity", lang))}">', *legend]
    for i, g in enumerate(gaps):
        y = top + i * (bar + gap)
        kind = g["kind_zh"] if lang == "zh" else g["kind"]
        out.append(svg_label(f"{kind} {_name(g, lang)}", SEVERITY_LABEL,
                         f'x="{left - 6}" y="{y + bar - 5}" font-size="11" text-anchor="end"'))
        x = float(left)
        for p in g["parts"]:
            v = max(p["value"]["value"], 0.0)
            w = plot * v / vmax
            if w <= 0:
                continue
            tip = f"{_name(g, lang)} · {t(p['name'], lang)} {v:.3f} · {note(p, lang) if note else p['note']}"
            out.append(f'<a href="#{_e(anchor(g["segment"]))}"><title>{_e(tip)}</title>'
                       f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar}" fill="{colour[p["name"]]}"/></a>')
            x += w
        out.append(f'<text x="{x + 4:.1f}" y="{y + bar - 5}" font-size="11">{g["severity"]["value"]:.3f}</text>')
    out.append("</svg>")
    return "".join(out)
