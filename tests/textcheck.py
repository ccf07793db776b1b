"""The checks of text a person reads (issue 19), shared by the README, report and workbench tests.

Text in a fixed language must name things — no ``cn/…``, ``seg:…`` or ``org:…``
id, no name cut short with "…" — and hold no words of the other language: in
English only names the data holds in Chinese alone (marked "(zh)"), in Chinese
only Latin words the data itself or the user's input holds (names, file paths,
model ids, metric names) or the few in :data:`LATIN_OK`.

>>> names = {"zh_only": {"光影知音"}, "latin_in_zh": set(), "records": {"光影知音"}}
>>> text_problems("招商目标 · 深圳市", "zh", names)
[]
>>> text_problems("Targets 招商目标 · cn/guangdong/shenzhen", "en", names)
["ids: ['cn/guangdong/shenzhen']", "Chinese in English output: ['招商目标']"]
"""

from __future__ import annotations

import re

from graph.display import ID_PATTERN

__all__ = ["LATIN_OK", "latin_words", "scrub", "text_problems", "data_names", "cells", "wide_lines", "cut_of"]

#: Latin words Chinese output may hold that are neither data nor input: formats, metrics, model and index kinds
LATIN_OK = {"chainmatch", "xlsx", "html", "csv", "utf", "json", "jsonl", "sqlite", "id", "ids", "api", "usccc",
            "recall", "mrr", "ndcg", "auc", "map", "hashing", "jieba", "flat", "hnsw", "ivf", "wide", "viewer",
            "editor", "admin", "cmk", "uscc", "gb", "ip", "xr", "vr", "ar", "aigc", "cg", "mcn", "help", "lang",
            "t0", "import", "fixtures", "generate", "lists", "segments", "segment", "edges", "true", "false", "none",
            "reported", "hhi", "pagerank", "tsv", "ndjson", "xls"}

#: Chinese script, CJK punctuation and full-width forms (not the ideographic space U+3000: a space has no language)
CJK = re.compile(r"[\u3400-\u9fff\u3001-\u303f\uff00-\uffef]+")


def latin_words(text: str) -> set[str]:
    """The Latin words of three letters or more in ``text``, lower-cased.

    >>> sorted(latin_words("深圳 AIGC and a x1"))
    ['aigc', 'and']
    """
    return {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'&]{2,}", text)}


def scrub(text: str, given: str = "") -> str:
    """``text`` without what is no one's words: API key ids and secrets, and what the user typed (``given``,
    echoed as typed). Progress lines on stderr are checked as any text (they follow the language too)."""
    text = re.sub(r"cmk_\S+|\b[0-9a-f]{8}\b|\b[\w-]{20,}\b", " ", text)
    for w in sorted(set(given.split()) | {given}, key=len, reverse=True):
        if w:
            text = text.replace(w, " ")
    return text


def text_problems(text: str, language: str, names: dict[str, set[str]], *, ids: bool = True,
                  latin_ok: set[str] = frozenset()) -> list[str]:
    """What in ``text``, written in ``language``, a person should not have to read (see the module docstring).

    ``names`` is :func:`data_names`' answer; ``ids=False`` leaves ids alone (a column a user asked for).
    """
    found = []
    if ids:
        shown = [m.group() for m in ID_PATTERN.finditer(text)]
        if shown:
            found.append(f"ids: {shown[:5]}")
    if "…" in text:
        found.append("a cut name: " + text[max(0, text.index("…") - 30):text.index("…") + 5])
    if language == "en":
        runs = CJK.findall(text)
        bad = [r for r in runs if not any(r in n for n in names["zh_only"])]
        if bad:
            found.append(f"Chinese in English output: {bad[:5]}")
        if any(r in n for r in runs for n in names.get("records", ())) and "(zh)" not in text:
            found.append("a Chinese-only name not marked (zh)")
    else:
        latin = latin_words(re.sub(r"(?:/|\.{1,2}/)[\w./+-]+|--[\w-]+|\w+\.\w+", " ", text))
        bad = sorted(latin - LATIN_OK - set(latin_ok) - names["latin_in_zh"])
        if bad:
            found.append(f"English in Chinese output: {bad[:8]}")
    return found


def cut_of(shown: str, full: str) -> bool:
    """Whether ``shown`` is ``full`` cut short as a person can tell: the start of it, ending in "…".

    A chart label that has no room for a whole name shows such a cut with the
    full name in its tooltip; a label that is a bare prefix of a name (no "…")
    is a silent cut, which this refuses.

    >>> cut_of("短视频与…", "短视频与微短剧制作"), cut_of("短视频与", "短视频与微短剧制作"), cut_of("动画…", "游戏引擎")
    (True, False, False)
    """
    return shown.endswith("…") and len(shown) > 1 and full.startswith(shown[:-1].rstrip()) and shown[:-1] != full


def data_names(store, typed: set[str] = frozenset()) -> dict[str, set[str]]:
    """The words the data itself holds: Chinese-only names (``zh_only``, with the template sources and what
    the user typed, ``typed``), Latin words inside Chinese names (``latin_in_zh``), records named in
    Chinese only (``records``)."""
    from graph.templates import templates

    zh_only, latin, named = set(), set(), set()
    for r in [*store.organisations(), *store.segments(), *store.chains()]:
        if not (r.name_en or "").strip():
            zh_only.add(r.name_zh)
            named.add(r.name_zh)
        latin |= latin_words(r.name_zh or "")
    for tp in templates():
        latin |= latin_words(" ".join(tp.sources)) | {tp.slug.lower()}
        zh_only |= set(tp.sources)  # the public plans a template was drawn from exist in Chinese only
    zh_only |= set(typed)
    return {"zh_only": zh_only, "latin_in_zh": latin, "records": named}


def cells(line: str) -> int:
    """Terminal columns of ``line`` (a CJK character takes two)."""
    from rich.cells import cell_len

    return cell_len(line.rstrip())


def wide_lines(text: str, width: int = 80) -> list[str]:
    """Lines of ``text`` wider than ``width`` columns (a line holding a path is left whole)."""
    return [line for line in text.splitlines() if cells(line) > width and "/" not in line]
