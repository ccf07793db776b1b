"""The targets for several gaps: the one rule every caller uses.

/recommendations and ``chainmatch recommend`` (a chain's gaps), the
gap-and-target report (:mod:`matching.reports.build`) and the 招商引资目标
list (:mod:`matching.worklists.generate`) all call :func:`rank_gap_targets`,
so they name the same firms in the same order for the same region. Before,
the API and CLI ranked all gaps together with each gap's fit scaled by its
severity, the report ranked each gap alone and listed a firm under every gap
it fits, and the list ranked each gap alone and listed a firm once: three
answers to one question.

The rule:

1. Gaps are taken most severe first (ties: in the order given, which for
   :meth:`graph.analysis.service.Analyst.gaps` is its own ranking).
2. Each gap ranks its own candidates alone
   (:func:`matching.recommend.targets.recommend_targets` with that one
   segment): ``gap_fit`` is the membership confidence, not scaled by the
   gap's severity, so a firm's score for a gap does not depend on which other
   gaps were asked about. Severity decides the order of the gaps, never the
   order inside one.
3. A firm is listed once, under the most severe gap whose top ``per_gap`` it
   reaches; the next gap ranks without it, so every gap still shows up to
   ``per_gap`` firms of its own.
4. The flat list (:func:`flat_targets`) is the gaps' lists one after the
   other, ranks renumbered 1…n; each target keeps its ``segment`` and ``gap``.

Landed firms are local and never targets, rejected ones are left out when
asked (the caller's ``exclude`` / ``extra_local``, from the workspace).

Examples
--------
>>> from fixtures.world import sample_index
>>> ix = sample_index()
>>> gaps = [{"segment": "seg:game_engine", "kind": "missing", "severity": 0.9},
...         {"segment": "seg:xr_sensors", "kind": "thin", "severity": 0.5}]
>>> groups = rank_gap_targets(ix, "cn/guangdong/shenzhen", gaps, per_gap=2)
>>> [(g.segment, [t.rank for t in g.targets]) for g in groups]
[('seg:game_engine', [1, 2]), ('seg:xr_sensors', [1, 2])]
>>> flat = flat_targets(groups)
>>> [t.rank for t in flat], flat[0].org, flat[0].gap
([1, 2, 3, 4], 'org:f1561', 'missing')
>>> len({t.org for t in flat}) == len(flat)
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI reads DEFAULT_PER_GAP at start-up: no numpy import for it
    from matching.recommend.index import ChainIndex
    from matching.recommend.targets import Target

__all__ = ["GapTargets", "rank_gap_targets", "flat_targets", "DEFAULT_PER_GAP"]

#: Targets per gap when the caller does not say (report, list, API and CLI alike).
DEFAULT_PER_GAP = 3


@dataclass(frozen=True, slots=True)
class GapTargets:
    """One gap's targets: ``rank`` of each is its rank within this gap (1…)."""

    segment: str
    kind: str | None
    severity: float
    targets: tuple[Target, ...]


def _gap(g) -> tuple[str, str | None, float]:
    if isinstance(g, Mapping):
        return g["segment"], g.get("kind"), float(g.get("severity") or 0.0)
    if isinstance(g, str):
        return g, None, 0.0
    return g.segment, getattr(g, "kind", None), float(getattr(g, "severity", 0.0) or 0.0)


def rank_gap_targets(ix: ChainIndex, region: str, gaps: Iterable, *, per_gap: int = DEFAULT_PER_GAP,
                     settings=None, exclude: Iterable[str] = (), extra_local: Iterable[str] = (),
                     forms: bool = True) -> list[GapTargets]:
    """The top ``per_gap`` targets of each gap under the rule of this module, most severe gap first.

    ``gaps``: analysis gaps (objects or dicts with ``segment``, ``kind``, ``severity``) or segment ids.
    """
    from matching.recommend.targets import Focus, recommend_targets

    rows = [_gap(g) for g in gaps]
    order = sorted(range(len(rows)), key=lambda i: (-rows[i][2], i))
    skip = set(exclude)
    extra_local = set(extra_local)
    out = []
    for i in order:
        segment, kind, severity = rows[i]
        found = recommend_targets(ix, region, [Focus(segment, kind)], k=per_gap, settings=settings, exclude=skip,
                                  extra_local=extra_local, forms=forms)
        skip.update(t.org for t in found)
        out.append(GapTargets(segment, kind, severity, tuple(found)))
    return out


def flat_targets(groups: Sequence[GapTargets]) -> list[Target]:
    """The gaps' targets one after the other, ranked 1…n overall."""
    flat = [t for g in groups for t in g.targets]
    return [replace(t, rank=i) for i, t in enumerate(flat, 1)]
