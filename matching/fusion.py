"""Rank fusion for hybrid search: reciprocal rank fusion and language-aware weights.

Pure functions over ranked row lists.

Examples
--------
>>> fused = rrf({"dense": [3, 1, 2], "lexical": [1, 4]}, {"dense": 1.0, "lexical": 1.0}, k0=60)
>>> [row for row, _ in fused]
[1, 3, 4, 2]
>>> dense_weight("动作捕捉设备", ("en",)), dense_weight("motion capture", ("en",))
(0.0, 1.0)
>>> dense_weight("动作捕捉设备", ("en", "zh"))
1.0
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

__all__ = ["rrf", "language_shares", "dense_weight"]

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def rrf(
    ranked: Mapping[str, Sequence[int]], weights: Mapping[str, float], *, k0: float = 60.0
) -> list[tuple[int, float]]:
    """Reciprocal rank fusion: ``sum_m w_m / (k0 + rank_m)`` with 1-based ranks.

    Returns ``(row, fused score)`` best first; ties go to the lower row.
    Lists with weight 0 contribute nothing (their rows are not added).
    """
    score: dict[int, float] = {}
    for name, rows in ranked.items():
        w = weights.get(name, 0.0)
        if w <= 0:
            continue
        for rank, row in enumerate(rows, start=1):
            if row < 0:
                continue
            score[row] = score.get(row, 0.0) + w / (k0 + rank)
    return sorted(score.items(), key=lambda kv: (-kv[1], kv[0]))


def language_shares(text: str) -> dict[str, float]:
    """Share of CJK and Latin letters among the letters of ``text``.

    >>> language_shares("LED虚拟制片")
    {'zh': 0.5714285714285714, 'en': 0.42857142857142855}
    """
    zh = len(_CJK.findall(text))
    en = len(_LATIN.findall(text))
    total = zh + en
    if not total:
        return {"zh": 0.0, "en": 0.0}
    return {"zh": zh / total, "en": en / total}


def dense_weight(query: str, languages: Sequence[str], *, base: float = 1.0) -> float:
    """How much the dense list counts for ``query`` given the languages the model reads.

    A model that does not read Chinese gets weight only for the Latin share of
    the query: a Chinese query is answered by the lexical index alone, since
    the English-only model scores Chinese text near random.
    """
    shares = language_shares(query)
    if shares["zh"] == 0 or "zh" in languages:
        return base
    return base * (shares["en"] if shares["en"] >= 0.5 else 0.0)
