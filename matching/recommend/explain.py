"""Named score parts, weights from settings, and small figures shared by the scorers.

Every score in :mod:`matching.recommend` is ``Σ part.value`` where
``part.value = part.weight × part.figure`` and the figure lies in [0, 1]
(penalties carry a negative weight). Weights come from
:class:`graph.settings.Settings` (``recommend_weights``, ``introducer_weights``,
``partner_weights``, ``linkpred_weights``); the defaults live there too.

Examples
--------
>>> p = part("gap_fit", {"gap_fit": 3.0}, 0.5, "member of seg:x")
>>> p.value, p.weight, p.figure
(1.5, 3.0, 0.5)
>>> total([p, penalty("local_site", {"local_site": 2.0}, 1.0, "site in region")])
-0.5
>>> round(saturate(3, 3), 2), saturate(0, 3)
(0.5, 0.0)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

import numpy as np

__all__ = ["Part", "part", "penalty", "total", "saturate", "weights_from", "months_before",
           "importance", "parts_dict"]


@dataclass(frozen=True, slots=True)
class Part:
    """One named part of a score: ``value = weight × figure`` (negative for penalties)."""

    name: str
    value: float
    weight: float
    figure: float
    note: str

    def as_dict(self) -> dict:
        return asdict(self)


def part(name: str, weights: Mapping[str, float], figure: float, note: str) -> Part:
    """A positive part: ``weights[name] × figure``."""
    w = float(weights[name])
    f = float(figure)
    return Part(name, w * f, w, f, note)


def penalty(name: str, weights: Mapping[str, float], figure: float, note: str) -> Part:
    """A penalty part: ``-weights[name] × figure``."""
    w = -float(weights[name])
    f = float(figure)
    return Part(name, w * f + 0.0, w, f, note)  # + 0.0: no negative zero


def total(parts: Iterable[Part]) -> float:
    """The exact sum of the parts' values."""
    return math.fsum(p.value for p in parts)


def parts_dict(parts: Iterable[Part]) -> dict[str, float]:
    return {p.name: round(p.value, 6) for p in parts}


def saturate(x, half: float):
    """``x / (x + half)``: 0 at 0, ½ at ``half``, towards 1 (arrays too)."""
    if isinstance(x, np.ndarray):
        x = np.maximum(x, 0.0)
        return x / (x + half)
    return x / (x + half) if x > 0 else 0.0


def weights_from(settings, name: str) -> dict[str, float]:
    """The weights dict ``name`` of ``settings`` (defaults when ``settings`` is ``None``)."""
    from graph.settings import Settings

    if settings is None:
        settings = Settings.model_construct()
    return dict(getattr(settings, name))


def months_before(date: str, months: int) -> str:
    """The ISO date ``months`` months before ``date`` (day clipped to the month's end).

    >>> months_before("2026-06-30", 18), months_before("2024-03-31", 1)
    ('2024-12-30', '2024-02-29')
    """
    y, m, d = int(date[:4]), int(date[5:7]), int(date[8:10])
    idx = y * 12 + (m - 1) - months
    y2, m2 = divmod(idx, 12)
    m2 += 1
    last = [31, 29 if (y2 % 4 == 0 and (y2 % 100 or y2 % 400 == 0)) else 28, 31, 30, 31, 30, 31, 31, 30, 31,
            30, 31][m2 - 1]
    return f"{y2:04d}-{m2:02d}-{min(d, last):02d}"


def importance(ix, rows: np.ndarray) -> np.ndarray:
    """How much an organisation's voice counts, in [0.5, 1]: size and tier.

    ``0.5 + 0.3 × saturate(employees, 300) + 0.2 × best tier value``.
    """
    rows = np.asarray(rows, dtype=np.int64)
    return 0.5 + 0.3 * saturate(ix.employees[rows], 300.0) + 0.2 * ix.tier[rows].astype(np.float64)
