"""The one rule set for a user's words: regions, chains, segments and organisations.

The CLI and the HTTP API both call these functions, so a word means the same
everywhere; HTTP only passes the request field it came from (``field``),
which the error then names.

- **region**: text shaped like a region id (``cn/guangdong/shenzhen``, ``us``,
  ``jp/tokyo``) is that id, used as a path prefix; anything else is a place
  name read by :func:`graph.regions.parse_region` (深圳, 深圳市, Shenzhen,
  南山区, 深圳市南山区). A name that only points at the country while not
  naming it (``Suzhou``: two cities) is refused, with the candidates.
- **chain**: id, Chinese or English name (case- and width-insensitive), or a
  fragment of exactly one chain's name (动漫 → 动漫游戏). ``all``, ``*``,
  ``全部``, ``所有``, ``全部产业链`` (and an absent chain) mean every chain:
  the pseudo chain :data:`ALL_CHAINS` holding every segment.
- **segment**: id, name, or a fragment of exactly one segment's name.
- **organisation**: id, USCC, or exact Chinese/English name when unique
  (:meth:`GraphStore.lookup`); a firm's name fragment is never guessed (too
  many firms share one) — the closest names are suggested instead.

A word that matches nothing raises :class:`~graph.errors.InvalidInput`
(region, chain, segment) or :class:`~graph.errors.NotFound` (organisation)
carrying ``field`` and ``suggestions`` ("did you mean", closest first, each
``name (id)``), also written into the message. An ambiguous fragment is
refused with the names it matches.

Examples
--------
>>> resolve_region("深圳"), resolve_region("shenzhen"), resolve_region("us")
('cn/guangdong/shenzhen', 'cn/guangdong/shenzhen', 'us')
>>> try:
...     resolve_region("深证", field="query.region")
... except InvalidInput as e:
...     e.field, e.suggestions[0]
('query.region', '深圳 (cn/guangdong/shenzhen)')
>>> cs = [Chain("chain:a", "动漫游戏", "Animation & games", ("s1",)),
...       Chain("chain:b", "创意设计", "Creative design", ("s2",))]
>>> resolve_chain("动漫", cs).id, resolve_chain("CREATIVE design", cs).id, resolve_chain("全部", cs, ["s2", "s1"]).id
('chain:a', 'chain:b', '*')
>>> chain_filter("all", cs) is None, chain_filter("chain:b", cs)
(True, 'chain:b')
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from difflib import SequenceMatcher

from graph.errors import InvalidInput, NotFound
from graph.model import Chain, Segment

__all__ = [
    "ALL_CHAINS",
    "ALL_WORDS",
    "all_segments_chain",
    "fold",
    "suggest",
    "is_all",
    "looks_like_region_id",
    "resolve_region",
    "resolve_chain",
    "chain_filter",
    "resolve_segment",
    "resolve_org",
]

#: id of the pseudo chain holding every segment ("every chain")
ALL_CHAINS = "*"
#: words that mean every chain (folded)
ALL_WORDS = frozenset({"*", "all", "全部", "所有", "全部产业链", "所有产业链", "all chains"})
#: how many near misses an error offers
SUGGEST = 5

_REGION_ID = re.compile(r"^[a-z]{2}(/[a-z0-9_\-]+)*/?$")


def fold(text: str) -> str:
    """Text for case- and width-insensitive comparison.

    >>> fold("Ｎｅｂｕｌａ  PIXEL") == fold("nebula  pixel")
    True
    """
    return unicodedata.normalize("NFKC", text).casefold()


def is_all(text: str | None) -> bool:
    """Whether ``text`` means every chain: absent, empty, or one of :data:`ALL_WORDS`.

    >>> is_all(None), is_all(" 全部 "), is_all("ALL"), is_all("动漫")
    (True, True, True, False)
    """
    return text is None or fold(text.strip()) in ALL_WORDS | {""}


def looks_like_region_id(text: str) -> bool:
    """``cn/guangdong/shenzhen``, ``us``, ``jp/tokyo`` — not a place name.

    >>> looks_like_region_id("cn/guangdong/shenzhen"), looks_like_region_id("深圳"), looks_like_region_id("shenzhen")
    (True, False, False)
    """
    return bool(_REGION_ID.match(text))


def all_segments_chain(segment_ids) -> Chain:
    """The pseudo chain ``*`` holding every segment (analysis of a whole region)."""
    return Chain(ALL_CHAINS, "全部产业链", "All chains", tuple(sorted(segment_ids)))


def suggest(text: str, candidates: Iterable[tuple[str, str]], k: int = SUGGEST) -> list[str]:
    """The ``k`` candidates closest to ``text``, as ``"name (id)"``, closest first.

    ``candidates`` are ``(id, name)`` pairs (an id may come with several
    names: its best one counts). A candidate must share at least half of the
    query's characters, in order (a Latin-script query, being longer per
    word, also a similarity ratio of 0.75: a typo, not a shared syllable); it
    is ranked by that share plus the similarity ratio of the whole strings
    (:class:`difflib.SequenceMatcher`).

    >>> suggest("光影知音", [("org:1", "光影互动"), ("org:2", "星河音乐"), ("org:3", "知音光影传媒")])
    ['光影互动 (org:1)', '知音光影传媒 (org:3)']
    >>> suggest("shenzen", [("cn/guangdong/shenzhen", "Shenzhen"), ("jp/tokyo", "Tokyo")])
    ['Shenzhen (cn/guangdong/shenzhen)']
    """
    q = fold(text.strip())
    if not q:
        return []
    chars, need, latin = set(q), (len(set(q)) + 1) // 2, q.isascii()
    best: dict[str, tuple[float, str]] = {}
    for ident, name in candidates:
        if not name:
            continue
        f = fold(name)
        if len(chars.intersection(f)) < need:
            continue
        m = SequenceMatcher(None, q, f, autojunk=False)
        cover, ratio = sum(b.size for b in m.get_matching_blocks()) / len(q), m.ratio()
        if cover < 0.5 or (latin and ratio < 0.75):
            continue
        score = cover + ratio
        if ident not in best or score > best[ident][0]:
            best[ident] = (score, name)
    ranked = sorted(best.items(), key=lambda x: (-x[1][0], len(x[1][1]), x[1][1], x[0]))
    return [f"{name} ({ident})" for ident, (_, name) in ranked[:k]]


def _hint(suggestions) -> tuple[str, str]:
    if not suggestions:
        return "", ""
    return f"; did you mean: {', '.join(suggestions)}?", f"；是否要找：{'、'.join(suggestions)}？"


def _invalid(what: str, what_zh: str, text: str, field: str, suggestions, why: str = "unknown",
             extra: str = "") -> InvalidInput:
    hint, hint_zh = _hint(suggestions)
    why_zh = "有歧义" if why == "ambiguous" else "无法识别"
    e = InvalidInput(f"{field}: {why} {what} {text!r}{hint}{extra}", f"{field}：{what_zh} {text!r} {why_zh}{hint_zh}")
    e.field, e.suggestions = field, tuple(suggestions)
    return e


def resolve_region(text: str | None, *, field: str = "region") -> str | None:
    """A region id from an id or a place name; ``None`` stays ``None``.

    Examples
    --------
    >>> resolve_region("南山区"), resolve_region("cn/guangdong/shenzhen/")
    ('cn/guangdong/shenzhen/nanshan', 'cn/guangdong/shenzhen')
    >>> resolve_region("Suzhou")
    Traceback (most recent call last):
    ...
    graph.errors.InvalidInput: region: ambiguous region 'Suzhou'; did you mean: Suzhou (cn/anhui/suzhou), Suzhou (cn/jiangsu/suzhou)?
    """
    if text is None:
        return None
    from graph.regions import parse_region, region_names

    text = text.strip()
    if looks_like_region_id(text):
        return text.rstrip("/")
    found = parse_region(text) if text else None
    if found is not None and (found != "cn" or fold(text) in ("中国", "china", "cn", "中华人民共和国", "prc")):
        return found
    names = region_names()
    if found == "cn":  # a name several regions share and nothing to tell them apart
        key = fold(text)
        ids = sorted({rid for name, rids in names.items() if name == key for rid in rids} - {"cn"})
        raise _invalid("region", "地区", text, field, [f"{text} ({rid})" for rid in ids[:SUGGEST]], "ambiguous")
    pairs = ((rid, name) for name, rids in names.items() for rid in rids)
    raise _invalid("region", "地区", text, field, suggest(text, pairs),
                   extra="; give a region id such as cn/guangdong/shenzhen or a place name such as 深圳市南山区")


def _named(text: str, records: list, what: str, what_zh: str, field: str):
    """The record with this id or name, else the one whose name contains the text; errors suggest."""
    key = fold(text.strip())
    for r in records:
        if key == fold(r.id):
            return r
    exact = [r for r in records if key in (fold(r.name_zh), fold(r.name_en or ""))]
    if len(exact) == 1:
        return exact[0]
    hits = exact or [r for r in records if key and (key in fold(r.name_zh) or key in fold(r.name_en or ""))]
    if len(hits) == 1:
        return hits[0]
    if hits:
        raise _invalid(what, what_zh, text, field, [f"{r.name_zh or r.name_en} ({r.id})" for r in hits[:SUGGEST]],
                       "ambiguous")
    pairs = [(r.id, n) for r in records for n in (r.name_zh, r.name_en) if n]
    near = suggest(text, pairs)
    known = "" if near else f"; {what}s: " + ", ".join(f"{r.id} ({r.name_zh or r.name_en})" for r in records[:40])
    raise _invalid(what, what_zh, text, field, near, extra=known)


def resolve_chain(text: str | None, chains: Iterable[Chain], segment_ids: Iterable[str] = (), *,
                  field: str = "chain") -> Chain:
    """A chain by id, name or unique name fragment; every chain (:data:`ALL_CHAINS`) for :func:`is_all` text.

    ``segment_ids`` are the segments of the every-chain pseudo chain.
    """
    if is_all(text):
        return all_segments_chain(segment_ids)
    return _named(text, list(chains), "chain", "产业链", field)


def chain_filter(text: str | None, chains: Iterable[Chain], *, field: str = "chain") -> str | None:
    """A chain id to filter or scope by, ``None`` for every chain (absent text or :data:`ALL_WORDS`).

    What lists store under and what ``?chain=`` filters mean: one key for "every chain".
    """
    return None if is_all(text) else resolve_chain(text, chains, field=field).id


def resolve_segment(text: str, segments: Iterable[Segment], *, field: str = "segment") -> Segment:
    """A segment by id, name or unique name fragment."""
    return _named(text, list(segments), "segment", "产业链环节", field)


def resolve_org(store, text: str, *, field: str = "org",
                names: Callable[[], Iterable[tuple[str, str]]] | None = None) -> str:
    """An organisation id from an id, a USCC or an exact (unique) name.

    Unknown: :class:`~graph.errors.NotFound` with the closest names among
    ``names()`` — ``(id, name)`` pairs; by default every organisation's
    Chinese and English name, read from the store only on a miss.
    """
    key = text.strip()
    found = store.lookup([key]) if key else {}
    if key in found:
        return found[key]

    def every():
        for o in store.organisations():
            yield o.id, o.name_zh
            if o.name_en:
                yield o.id, o.name_en

    raise NotFound("organisation", key, suggest(key, (names or every)()), field=field)
