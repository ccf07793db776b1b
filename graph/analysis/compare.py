"""One chain's coverage in two or more regions, side by side.

Examples
--------
>>> from fixtures.world import load_world
>>> from graph.analysis.arrays import GraphArrays
>>> from graph.analysis.fast import aggregates_from_arrays
>>> b, _ = load_world()
>>> arr = GraphArrays.from_batch(b)
>>> c = compare([aggregates_from_arrays(arr, r) for r in ("cn/guangdong/shenzhen", "cn/beijing/beijing")],
...             b.chains[0])
>>> [(s.region, s.covered, s.segments) for s in c.summaries]
[('cn/guangdong/shenzhen', 10, 12), ('cn/beijing/beijing', 7, 12)]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from graph.analysis.aggregates import ChainAggregates
from graph.analysis.gaps import segment_statuses
from graph.analysis.rules import DEFAULT_RULES, GapRules
from graph.model import Chain

__all__ = ["Cell", "CompareRow", "RegionSummary", "Comparison", "compare"]


@dataclass(frozen=True, slots=True)
class Cell:
    region: str
    local_firms: int
    status: str
    external_share: float | None


@dataclass(frozen=True, slots=True)
class CompareRow:
    segment: str
    name_zh: str
    name_en: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class RegionSummary:
    region: str
    level: str
    segments: int
    covered: int  # segments with at least one local firm
    coverage: float
    local_firms: int  # member firms counted per segment
    status_counts: dict[str, int]
    external_share: float | None  # of all supplies weight local orgs receive from the chain


@dataclass(frozen=True)
class Comparison:
    chain: str
    name_zh: str
    name_en: str
    regions: tuple[str, ...]
    rows: tuple[CompareRow, ...]
    summaries: tuple[RegionSummary, ...]


def compare(aggs_list: Sequence[ChainAggregates], chain: Chain, rules: GapRules = DEFAULT_RULES) -> Comparison:
    """Coverage of ``chain`` in each region of ``aggs_list`` (one aggregates per region)."""
    statuses = [segment_statuses(a, rules) for a in aggs_list]
    segs = [s for s in chain.segments if all(s in a.detail for a in aggs_list)]
    rows = []
    for s in segs:
        cells = []
        for a, st in zip(aggs_list, statuses, strict=True):
            d = a.detail[s]
            share = d.received_external / d.received_total if d.received_total > 0 else None
            cells.append(Cell(a.region, d.local_firms, st[s].status, share))
        meta = aggs_list[0].segments[s]
        rows.append(CompareRow(s, meta.name_zh, meta.name_en, tuple(cells)))
    summaries = []
    for a, st in zip(aggs_list, statuses, strict=True):
        covered = sum(1 for s in segs if a.detail[s].local_firms)
        recv = sum(a.detail[s].received_total for s in segs)
        ext = sum(a.detail[s].received_external for s in segs)
        summaries.append(RegionSummary(a.region, a.level, len(segs), covered, covered / len(segs) if segs else 0.0,
                                       sum(a.detail[s].local_firms for s in segs),
                                       dict(sorted(Counter(st[s].status for s in segs).items())),
                                       ext / recv if recv > 0 else None))
    return Comparison(chain.id, chain.name_zh, chain.name_en, tuple(a.region for a in aggs_list), tuple(rows),
                      tuple(summaries))
