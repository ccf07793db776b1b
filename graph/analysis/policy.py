"""Policy priority: segments named by China's national plans for strategic emerging industries.

The plans and their keywords are data (``graph/templates/strategic_emerging.json``,
written from the documents' wording before any scoring; docs/evaluation.md →
"Fifth round"). A segment matches a plan when one of the plan's keywords
occurs in the segment's name or in a parent group's name, or the segment's
own name (Ⅰ/Ⅱ/Ⅲ and 其他 removed, at least two characters) occurs in a
keyword. The part for a view frozen at day ``d`` is the share of the plans
published on or before ``d`` that match the segment (0 everywhere before the
first plan, 2010-10-18): a prior from published policy, nothing measured.

Examples
--------
>>> plans = [{"id": "p", "published": "2010-10-18", "sectors": {"生物": ["疫苗"], "新能源": ["光伏"]}}]
>>> names = ["医药生物", "疫苗Ⅲ", "光伏设备", "煤炭", "其他电子Ⅱ"]
>>> parents = [None, 0, None, None, None]
>>> segment_matches(names, parents, plans)["p"]
{1: ['生物: 疫苗'], 2: ['新能源: 光伏']}
>>> from datetime import date
>>> day = (date(2011, 1, 1) - date(1970, 1, 1)).days
>>> policy_priority(names, parents, day, plans).tolist(), policy_priority(names, parents, 0, plans).tolist()
([0.0, 1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0])
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np

__all__ = ["PLANS_PATH", "load_plans", "segment_matches", "policy_priority", "plans_before"]

PLANS_PATH = Path(__file__).resolve().parents[1] / "templates" / "strategic_emerging.json"
_EPOCH = date(1970, 1, 1)
_SUFFIX = re.compile(r"[ⅠⅡⅢⅣ]+$")


@lru_cache(maxsize=1)
def _load(path: str) -> tuple:
    with open(path, encoding="utf-8") as fh:
        return tuple(json.load(fh)["plans"])


def load_plans(path: Path | str = PLANS_PATH) -> list[dict]:
    return list(_load(str(path)))


def _bare(name: str) -> str:
    return _SUFFIX.sub("", name.strip()).replace("其他", "")


def plans_before(day: int, plans: Sequence[dict]) -> list[dict]:
    """The plans published on or before ``day`` (days since 1970)."""
    return [p for p in plans if (date.fromisoformat(p["published"]) - _EPOCH).days <= day]


def segment_matches(names: Sequence[str], parents: Sequence[int | None], plans: Sequence[dict]) -> dict[str, dict[int, list[str]]]:
    """Per plan id: segment index → the ``sector: keyword`` pairs that matched it (the audit listing)."""
    out: dict[str, dict[int, list[str]]] = {}
    for p in plans:
        kws = [(sec, k) for sec, ks in p["sectors"].items() for k in ks]
        hits: dict[int, list[str]] = {}
        for j, name in enumerate(names):
            chain, seen, a = [name], {j}, parents[j]
            while a is not None and a not in seen:
                seen.add(a)
                chain.append(names[a])
                a = parents[a]
            own = _bare(name)
            why = [f"{sec}: {k}" for sec, k in kws
                   if any(k in n for n in chain) or (len(own) >= 2 and own in k)]
            if why:
                hits[j] = sorted(set(why))
        out[p["id"]] = hits
    return out


def policy_priority(names: Sequence[str], parents: Sequence[int | None], day: int,
                    plans: Sequence[dict] | None = None) -> np.ndarray:
    """Share of the plans published on or before ``day`` that name each segment (in [0, 1])."""
    plans = load_plans() if plans is None else plans
    live = plans_before(day, plans)
    out = np.zeros(len(names))
    if not live:
        return out
    m = segment_matches(names, parents, live)
    for p in live:
        for j in m[p["id"]]:
            out[j] += 1.0
    return out / len(live)
