"""A static scan of the workbench's JavaScript: every string built as HTML escapes what it interpolates.

The one escape is ``esc`` (api/static/js/util.js). Every template literal that
builds HTML (it holds a tag) is found, nested ones included, and each of its
``${…}`` substitutions must be ``esc(…)``/``num(…)``/``pct(…)``, a nested
template (scanned in turn), a string literal, a ternary of those, or one of
the reviewed expressions in :data:`REVIEWED` (code constants and helpers that
return escaped HTML). Every ECharts ``tooltip`` (its output is HTML) must have
an explicit formatter that escapes. A new unescaped interpolation fails here,
before a browser test is needed (issue 18: the chain-map tooltip built
``<b>${nameOf(s)}</b>`` unescaped).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

JS = Path(__file__).resolve().parents[2] / "api" / "static" / "js"

# (file, expression): reviewed — constants from the code, or helpers that return escaped HTML
REVIEWED = {
    ("util.js", 'c.cls || ""'),  # column classes written in the code
    ("util.js", "head"), ("util.js", "body"), ("util.js", "attrs"), ("util.js", "cells"),  # built with esc
    ("util.js", "c.html ? c.html(r) : esc(cellText(c, r))"),  # html(): a template, scanned where written
    ("main.js", "STATUS_COLOURS[s]"),  # a colour constant
    ("main.js", "summaries"), ("main.js", "severity"), ("main.js", "firms"), ("main.js", "suppliers"),
    ("targets.js", "s"),  # an OUTCOMES constant
    ("targets.js", "html"),
    ("lists.js", "tabs"), ("lists.js", "title"), ("lists.js", 'inputs.join("")'),  # templates built with esc
    ("campaigns.js", "groups"), ("campaigns.js", "conflicts"), ("campaigns.js", "boxes"), ("campaigns.js", "stored"),
    ("campaigns.js", "storeForm"), ("campaigns.js", "agencyOptions(plan.lead_agency)"),  # agencyOptions: esc'd options
    ("campaigns.js", 'agencyOptions("", [c.owner, ...c.partners])'),
    ("board.js", 'items.map((p) => card(p)).join("")'),  # card(): a template, scanned where written
    ("search.js", 'segs || esc(t("none"))'),  # segment buttons built with esc
    # the profile page's parts, each a template or table() built with esc where it is written
    ("profile.js", "tiers"), ("profile.js", "est"), ("profile.js", "segs"), ("profile.js", "sites"),
    ("profile.js", "fin"), ("importpage.js", "warnings"), ("importpage.js", "items"),
    ("map.js", "tTable"), ("map.js", "pTable"),  # table() or an escaped note
}
# helpers that return HTML built with esc (their templates are scanned where they are written)
_HTML_HELPERS = re.compile(r"^(table|outcomeButtons|partsHtml|flagMark|profileLink|statusBadge|basics|sourcesTable|"
                           r"targetSection|tiesTable|problemsTable|countsTable|newProjectButton)\(")
# xs.map((x) => `…`).join("") — the callback's template is scanned on its own
_MAP_JOIN = re.compile(r"^[\w.()\[\]]+\s*\.map\(\s*\(?[\w\s,\[\]]*\)?\s*=>\s*(T|\{.*return T;\s*\})\s*,?\s*\)"
                       r"\s*\.join\(S\)$", re.S)
_TAG = re.compile(r"<[a-zA-Z/!]")
_SAFE_CALL = re.compile(r"^(esc|num|pct)\(")


def templates(src: str):
    """Every template literal in ``src`` as (raw text, [substitution expressions]); nested ones too."""
    out = []
    i, n = 0, len(src)

    def skip_string(j: int, quote: str) -> int:
        j += 1
        while j < n and src[j] != quote:
            j += 2 if src[j] == "\\" else 1
        return j + 1

    def read_template(j: int) -> int:  # src[j] == "`"; returns the index after the closing backtick
        j += 1
        text, subs = [], []
        while j < n and src[j] != "`":
            if src[j] == "\\":
                text.append(src[j:j + 2])
                j += 2
            elif src.startswith("${", j):
                j, expr = read_expr(j + 2)
                subs.append(expr.strip())
                text.append("${}")
            else:
                text.append(src[j])
                j += 1
        out.append(("".join(text), subs))
        return j + 1

    def read_expr(j: int) -> tuple[int, str]:  # until the matching "}"
        start, depth = j, 0
        while j < n:
            c = src[j]
            if c == "`":
                j = read_template(j)
                continue
            if c in "\"'":
                j = skip_string(j, c)
                continue
            if c == "{":
                depth += 1
            elif c == "}":
                if depth == 0:
                    return j + 1, src[start:j]
                depth -= 1
            j += 1
        return j, src[start:j]

    while i < n:
        c = src[i]
        if c == "`":
            i = read_template(i)
        elif c in "\"'":
            i = skip_string(i, c)
        elif src.startswith("//", i):
            i = src.find("\n", i) if "\n" in src[i:] else n
        elif src.startswith("/*", i):
            i = src.find("*/", i) + 2
        else:
            i += 1
    return out


def _strip(expr: str) -> str:
    """``expr`` with nested templates and string literals replaced by placeholders."""
    expr = re.sub(r"`(?:[^`\\]|\\.)*`", "T", expr, flags=re.S)  # innermost templates were scanned on their own
    return re.sub(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'", "S", expr)


def safe(expr: str) -> bool:
    """An interpolation that cannot carry markup from the data."""
    e = expr.strip()
    if _SAFE_CALL.match(e) and _balanced_call(e):
        return True
    flat = _strip(e)
    if flat in ("T", "S") or _MAP_JOIN.match(flat):
        return True
    if _HTML_HELPERS.match(e) and _balanced_call(e):
        return True
    if re.fullmatch(r"\(?[\w\s.*+\-/()]*\)?\.toFixed\(\d\)", flat):  # arithmetic formatted as a number
        return True
    if "?" in flat and ":" in flat:  # cond ? a : b — both branches must be safe
        cond, _, rest = _split_top(e, "?")
        a, _, b = _split_top(rest, ":")
        return bool(cond) and safe(a) and safe(b)
    return False


def _balanced_call(e: str) -> bool:
    depth = 0
    for k, c in enumerate(_strip(e)):
        depth += c == "("
        depth -= c == ")"
        if depth == 0 and c == ")":
            return k == len(_strip(e)) - 1
    return False


def _split_top(e: str, sep: str) -> tuple[str, str, str]:
    """Split ``e`` at the first ``sep`` outside brackets, strings and templates."""
    depth, k, n = 0, 0, len(e)
    while k < n:
        c = e[k]
        if c in "\"'`":
            q, k = c, k + 1
            while k < n and e[k] != q:
                k += 2 if e[k] == "\\" else 1
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == sep and depth == 0 and not (sep == "?" and e[k + 1:k + 2] in ".?"):
            return e[:k], sep, e[k + 1:]
        k += 1
    return e, "", ""


FILES = sorted(JS.glob("*.js"))


def test_the_scanner_finds_an_unescaped_tooltip():
    src = 'const f = (s) => `<b>${nameOf(s)}</b><br>${t("status")}: ${esc(s.x)}`;'
    bad = [e for text, subs in templates(src) if _TAG.search(text) for e in subs if not safe(e)]
    assert bad == ['nameOf(s)', 't("status")']
    nested = 'x = `<p>${ok ? `<b>${esc(a)}</b>` : ""}${bad}</p>`;'
    bad = [e for text, subs in templates(nested) if _TAG.search(text) for e in subs if not safe(e)]
    assert bad == ["bad"]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_html_template_escapes_what_it_interpolates(path):
    src = path.read_text(encoding="utf-8")
    unsafe = [e for text, subs in templates(src) if _TAG.search(text)
              for e in subs if not safe(e) and (path.name, e) not in REVIEWED]
    assert unsafe == [], f"{path.name}: interpolated into HTML without esc(): {unsafe}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_chart_tooltip_has_an_escaping_formatter(path):
    src = path.read_text(encoding="utf-8")
    for m in re.finditer(r"tooltip:\s*\{", src):
        block = src[m.end():m.end() + 1200]
        assert "formatter:" in block.split("series:")[0], f"{path.name}: tooltip without an explicit formatter"
        assert "esc(" in block.split("series:")[0], f"{path.name}: tooltip formatter does not escape"


def test_innerhtml_is_only_assigned_built_html():
    """``innerHTML =`` takes a template, ``table(…)`` or a ternary of those — never a bare value."""
    for path in FILES:
        src = path.read_text(encoding="utf-8")
        for m in re.finditer(r"\.innerHTML\s*=\s*([^;]{0,60})", src):
            start = m.group(1).lstrip()
            assert start[:1] == "`" or re.match(r"(regionOpts|head|items\.length|res\.items|table\(|"
                                               r"[\w.]+\.map\(|[\w.]+\s*\?)", start), \
                f"{path.name}: innerHTML = {start!r}"
