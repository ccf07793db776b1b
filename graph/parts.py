"""Named score parts: every severity and score in chainmatch is ``Σ part.value``.

``part.value = part.weight × part.figure``, the figure in [0, 1] (penalties
carry a negative weight). One definition, used by the chain analyses
(:mod:`graph.analysis`: gap severity, leader score) and the recommendation
engines (:mod:`matching.recommend`: targets, introducers, partners). The set
of part names is open: a scorer may add a part without touching this module;
its label (:data:`graph.labels.PART_LABELS`) falls back to the name.

Examples
--------
>>> p = part("gap_fit", {"gap_fit": 3.0}, 0.5, "member of seg:x", evidence=("seg:x",))
>>> p.value, p.weight, p.figure, p.label_zh, p.evidence
(1.5, 3.0, 0.5, '缺口匹配', ('seg:x',))
>>> total([p, penalty("local_site", {"local_site": 2.0}, 1.0, "site in region")])
-0.5
>>> round(saturate(3, 3), 2), saturate(0, 3)
(0.5, 0.0)
>>> Part("a_new_part", 0.2, 0.4, 0.5, "note").label_en
'a_new_part'
>>> q = part("stale", {"stale": 1.0}, 0.0, "record as of 2025-01-01", note_zh="数据日期 2025-01-01")
>>> q.note_in("zh"), q.note_in("en"), p.note_in("zh")
('数据日期 2025-01-01', 'record as of 2025-01-01', 'member of seg:x')
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

import numpy as np

from graph.labels import label

__all__ = ["Part", "part", "penalty", "total", "saturate", "parts_dict"]


@dataclass(frozen=True, slots=True)
class Part:
    """One named part of a score: ``value = weight × figure`` (negative for penalties).

    Attributes
    ----------
    name : str
        The part's key (``local_dependence``, ``gap_fit`` …); any string.
    value, weight, figure : float
        ``value = weight × figure``, the figure in [0, 1].
    note : str
        What the figure is, in data (counts, shares, ids), in English.
    evidence : tuple of str
        Ids (firms, links, segments) the figure rests on, when the scorer cites them.
    note_zh : str
        The note in Chinese ("" when the scorer gives none: :meth:`note_in` falls back to ``note``).
    """

    name: str
    value: float
    weight: float
    figure: float
    note: str
    evidence: tuple[str, ...] = ()
    note_zh: str = ""

    def note_in(self, lang: str = "zh") -> str:
        """The note in ``lang`` (``zh`` or ``en``)."""
        return (self.note_zh or self.note) if lang == "zh" else self.note

    @property
    def label_zh(self) -> str:
        return label(self.name, "zh")

    @property
    def label_en(self) -> str:
        return label(self.name, "en")

    def as_dict(self) -> dict:
        return asdict(self)


def part(name: str, weights: Mapping[str, float], figure: float, note: str, *,
         evidence: Iterable[str] = (), note_zh: str = "") -> Part:
    """A positive part: ``weights[name] × figure``; ``note`` in English, ``note_zh`` in Chinese."""
    w = float(weights[name])
    f = float(figure)
    return Part(name, w * f, w, f, note, tuple(evidence), note_zh)


def penalty(name: str, weights: Mapping[str, float], figure: float, note: str, *,
            evidence: Iterable[str] = (), note_zh: str = "") -> Part:
    """A penalty part: ``-weights[name] × figure``; ``note`` in English, ``note_zh`` in Chinese."""
    w = -float(weights[name])
    f = float(figure)
    return Part(name, w * f + 0.0, w, f, note, tuple(evidence), note_zh)  # + 0.0: no negative zero


def total(parts: Iterable[Part]) -> float:
    """The exact sum of the parts' values."""
    return math.fsum(p.value for p in parts)


def parts_dict(parts: Iterable[Part]) -> dict[str, float]:
    """``{name: value}`` rounded to 6 decimals (compact JSON)."""
    return {p.name: round(p.value, 6) for p in parts}


def saturate(x, half: float):
    """``x / (x + half)``: 0 at 0, ½ at ``half``, towards 1 (numpy arrays too)."""
    if isinstance(x, np.ndarray):
        x = np.maximum(x, 0.0)
        return x / (x + half)
    return x / (x + half) if x > 0 else 0.0
