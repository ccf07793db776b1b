"""Search evaluation: a query set known by construction, nDCG@k per mode.

:func:`queries_by_construction` derives queries from the segments alone —
one Chinese and one English query per segment, alternating between the
segment's name and one of its keywords — and the expected firms from the
memberships: the organisations with a confirmed membership in every segment
whose name or keywords equal the query text. Nothing is picked by looking at
search results. The committed query set (``tests/matching/queries.json``) is
this function's output on the sample world, and a test keeps them equal.

Examples
--------
>>> ndcg_at_k(["a", "x", "b"], {"a", "b"}, k=3)
0.9197207891481876
>>> ndcg_at_k(["x", "y"], {"a"}, k=10), ndcg_at_k([], set(), k=10)
(0.0, 1.0)
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from graph.model import MembershipStatus, Organisation, Segment
from matching.documents import has_cjk

__all__ = [
    "Query",
    "ndcg_at_k",
    "queries_by_construction",
    "read_intents",
    "natural_queries",
    "save_queries",
    "load_queries",
    "evaluate_search",
]


@dataclass(frozen=True, slots=True)
class Query:
    """A query with the ids it should find; ``source`` says how it was derived."""

    id: str
    text: str
    lang: str
    expected: tuple[str, ...]
    source: str

    def to_json(self) -> dict:
        d = asdict(self)
        d["expected"] = list(self.expected)
        return d

    @classmethod
    def from_json(cls, d: dict) -> Query:
        return cls(d["id"], d["text"], d["lang"], tuple(d["expected"]), d["source"])


def ndcg_at_k(ranked: Sequence[str], relevant: Iterable[str], k: int = 10) -> float:
    """Binary-relevance nDCG@k (1.0 when nothing is relevant and nothing is needed)."""
    rel = set(relevant)
    if not rel:
        return 1.0
    dcg = sum(1.0 / math.log2(i + 2) for i, doc in enumerate(ranked[:k]) if doc in rel)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(k, len(rel))))
    return dcg / ideal


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def queries_by_construction(
    segments: Sequence[Segment], organisations: Iterable[Organisation], *, min_expected: int = 1
) -> list[Query]:
    """One zh and one en query per segment (name or keyword, alternating), expected = members.

    Segment ``i`` (in id order) asks its Chinese name and an English keyword
    when ``i`` is even, a Chinese keyword and its English name when odd. The
    keyword is the first one of that language that differs from the name.
    Expected: organisations with a *confirmed* membership in any segment that
    has the query text as its name or as one of its keywords.

    >>> from graph.model import Stage, Format, Membership, OrgKind, Provenance
    >>> s = Segment("seg:m", "动作捕捉设备", "Motion-capture devices", Stage.UPSTREAM,
    ...             Format.TECHNOLOGY_EQUIPMENT, keywords=("动作捕捉", "光学动捕", "motion capture"))
    >>> o = Organisation("org:1", OrgKind.FIRM, "甲", Provenance("t"), segments=(Membership("seg:m"),))
    >>> [(q.text, q.lang, q.expected) for q in queries_by_construction([s], [o])]
    [('动作捕捉设备', 'zh', ('org:1',)), ('motion capture', 'en', ('org:1',))]
    """
    segments = sorted(segments, key=lambda s: s.id)
    members: dict[str, set[str]] = {}
    for o in organisations:
        for m in o.segments:
            if m.status is MembershipStatus.CONFIRMED:
                members.setdefault(m.segment, set()).add(o.id)
    vocab: dict[str, set[str]] = {}
    for s in segments:
        for term in (s.name_zh, s.name_en, *s.keywords):
            if term:
                vocab.setdefault(_norm(term), set()).add(s.id)

    def expected(text: str) -> tuple[str, ...]:
        ids: set[str] = set()
        for seg in vocab.get(_norm(text), ()):
            ids |= members.get(seg, set())
        return tuple(sorted(ids))

    out: list[Query] = []
    for i, s in enumerate(segments):
        zh_kw = [k for k in s.keywords if has_cjk(k) and _norm(k) != _norm(s.name_zh)]
        en_kw = [k for k in s.keywords if not has_cjk(k) and _norm(k) != _norm(s.name_en)]
        if i % 2 == 0:
            pairs = [(s.name_zh, "zh", "name"), (en_kw[0] if en_kw else s.name_en, "en", "keyword")]
        else:
            pairs = [(zh_kw[0] if zh_kw else s.name_zh, "zh", "keyword"), (s.name_en, "en", "name")]
        for text, lang, field in pairs:
            if not text:
                continue
            exp = expected(text)
            if len(exp) < min_expected:
                continue
            key = s.id.split(":", 1)[-1]
            out.append(Query(f"q:{key}:{lang}", text, lang, exp, f"{s.id} {field}"))
    return out


def read_intents(path: Path | str) -> list[tuple[str, str, str]]:
    """``(segment, zh, en)`` rows of a tab-separated intents file (``#`` starts a comment)."""
    rows = []
    for line in Path(path).read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        seg, zh, en = (x.strip() for x in line.split("\t"))
        rows.append((seg, zh, en))
    return rows


def natural_queries(
    intents: Sequence[tuple[str, str, str]], organisations: Iterable[Organisation]
) -> list[Query]:
    """Hand-written queries per segment; expected = the segment's confirmed members.

    The query texts are written by a person for a segment (its intent); the
    expected ids still come from the data, never from looking at results.

    >>> from graph.model import Membership, OrgKind, Provenance
    >>> o = Organisation("org:1", OrgKind.FIRM, "甲", Provenance("t"), segments=(Membership("seg:m"),))
    >>> [(q.id, q.expected) for q in natural_queries([("seg:m", "动捕", "mocap suits")], [o])]
    [('n:m:zh', ('org:1',)), ('n:m:en', ('org:1',))]
    """
    members: dict[str, set[str]] = {}
    for o in organisations:
        for m in o.segments:
            if m.status is MembershipStatus.CONFIRMED:
                members.setdefault(m.segment, set()).add(o.id)
    out = []
    for seg, zh, en in intents:
        exp = tuple(sorted(members.get(seg, ())))
        key = seg.split(":", 1)[-1]
        for text, lang in ((zh, "zh"), (en, "en")):
            out.append(Query(f"n:{key}:{lang}", text, lang, exp, f"{seg} natural"))
    return out


def save_queries(queries: Sequence[Query], path: Path | str, *, note: str = "") -> None:
    """Write a query set as JSON, one query per line (diff-friendly)."""
    lines = ",\n".join("  " + json.dumps(q.to_json(), ensure_ascii=False) for q in queries)
    text = f'{{"note": {json.dumps(note, ensure_ascii=False)},\n "queries": [\n{lines}\n]}}\n'
    Path(path).write_text(text, "utf-8")


def load_queries(path: Path | str) -> list[Query]:
    doc = json.loads(Path(path).read_text("utf-8"))
    return [Query.from_json(d) for d in doc["queries"]]


def evaluate_search(engine, queries: Sequence[Query], *, modes: Sequence[str] = ("hybrid", "dense", "lexical"),
                    k: int = 10, filters=None) -> dict:
    """Mean nDCG@k per mode, overall and per language, with per-query figures.

    Returns ``{mode: {"ndcg": float, "by_lang": {lang: float}, "per_query": {qid: float}}}``.
    """
    out: dict[str, dict] = {}
    for mode in modes:
        per: dict[str, float] = {}
        by_lang: dict[str, list[float]] = {}
        for q in queries:
            ids = engine.search(q.text, k=k, mode=mode, filters=filters).ids
            score = ndcg_at_k(ids, q.expected, k)
            per[q.id] = score
            by_lang.setdefault(q.lang, []).append(score)
        out[mode] = {
            "ndcg": sum(per.values()) / len(per) if per else 0.0,
            "by_lang": {lang: sum(v) / len(v) for lang, v in sorted(by_lang.items())},
            "per_query": per,
        }
    return out
