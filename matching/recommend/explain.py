"""Named score parts, weights from settings, and small figures shared by the scorers.

Every score in :mod:`matching.recommend` is ``Σ part.value`` where
``part.value = part.weight × part.figure`` and the figure lies in [0, 1]
(penalties carry a negative weight). :class:`~graph.parts.Part` and its
helpers are defined once in :mod:`graph.parts` (the chain analyses use the
same) and re-exported here. Weights come from
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

import numpy as np

from graph.parts import Part, part, parts_dict, penalty, saturate, total

__all__ = ["Part", "part", "penalty", "total", "saturate", "weights_from", "months_before",
           "importance", "parts_dict"]


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
