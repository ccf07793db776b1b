"""The date-split links backtest (docs/evaluation.md → Links).

1. Choose ``t0``: the dataset's own train/test boundary when its splits are
   separated in time, else the date below which ``quantile`` of the dated
   links were first observed (:func:`default_t0`).
2. Freeze the graph at ``t0`` (:class:`~matching.eval.snapshot.Snapshot`).
3. Hold out every link of the chosen kinds first observed after ``t0``. A
   symmetric link (partners, competes, joint venture) whose pair was already
   linked by the same kind before ``t0`` is not new and is left out.
4. For each held-out link ``(h, kind, t)`` ask both directions — "whom does
   ``h`` ⟨kind⟩?" (answer ``t``) and "who ⟨kind⟩ ``t``?" (answer ``h``) — and
   rank **all** organisations but the asking one, *filtered*: every other
   true answer of that question, before or after ``t0``, is removed.
5. Report Recall@10, Recall@50, MRR and nDCG@10 (exact under random
   tie-breaking, :mod:`~matching.eval.metrics`) for the engine and every
   baseline, per kind and overall.

Examples
--------
>>> from fixtures.world import load_world
>>> from matching.recommend.index import ChainIndex
>>> b, _ = load_world()
>>> ix = ChainIndex.from_records(b.segments, b.segment_edges, b.organisations, b.links)
>>> res = run_backtest(ix, "2025-12-31", kinds=("supplies",), scorers=["popularity", "engine"])
>>> res.held_out["supplies"] > 0, sorted(res.table)
(True, ['engine', 'popularity'])
>>> 0.0 <= res.table["engine"]["all"]["Recall@50"] <= 1.0
True
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from matching.eval.baselines import BASELINES
from matching.eval.linkpred import Engine
from matching.eval.metrics import METRICS, RankStats, rank_stats, summarise
from matching.eval.snapshot import Snapshot
from matching.recommend.index import LINK_KINDS, NO_DATE, ChainIndex, from_days, to_days

__all__ = ["Query", "BacktestResult", "default_t0", "held_out_queries", "run_backtest", "DEFAULT_KINDS",
           "SYMMETRIC", "SCORERS", "format_table"]

DEFAULT_KINDS = ("supplies", "partners", "invests")
SYMMETRIC = frozenset({"partners", "competes", "joint_venture"})
SCORERS = ("engine", *BASELINES)


@dataclass(frozen=True, slots=True)
class Query:
    """Rank every organisation as the ``direction`` end of a ``kind`` link with ``q``; ``answer`` is right."""

    q: int
    kind: str
    direction: str
    answer: int
    link: str


@dataclass
class BacktestResult:
    t0: str
    t0_rule: str
    kinds: tuple[str, ...]
    held_out: dict[str, int]
    skipped: dict[str, int]
    queries: int
    candidates: int
    table: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    stats: dict[str, list[RankStats]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "stats"}


def t0_rule_zh(rule: str) -> str:
    """The Chinese of a t0 rule (``given`` or what :func:`default_t0` says), for a Chinese screen.

    >>> t0_rule_zh("given"), t0_rule_zh("dataset train/test boundary")
    ('指定', '数据集训练/测试分界')
    >>> t0_rule_zh("80% of dated links first observed on or before t0")
    '80% 的带日期关系首次出现于 t0 或之前'
    >>> t0_rule_zh("the dataset's splits overlap in time (train a…b, test c…d); 80% of dated links first observed on or before t0")
    '数据集各切分时间重叠（train a…b，test c…d）；80% 的带日期关系首次出现于 t0 或之前'
    """
    import re

    if rule == "given":
        return "指定"
    if rule == "dataset train/test boundary":
        return "数据集训练/测试分界"
    m = re.fullmatch(r"(?:the dataset's splits overlap in time \((train .*?), (test .*?)\); )?"
                     r"(\d+%) of dated links first observed on or before t0", rule)
    if not m:
        return rule
    head = f"数据集各切分时间重叠（{m.group(1)}，{m.group(2)}）；" if m.group(1) else ""
    return f"{head}{m.group(3)} 的带日期关系首次出现于 t0 或之前"


def default_t0(ix: ChainIndex, links: Iterable | None = None, *, quantile: float = 0.8) -> tuple[str, str]:
    """``(t0, how it was chosen)``.

    ``links`` (records with ``provenance.source`` ending in ``:train`` /
    ``:test``, as the ICKG importer writes) give the dataset's boundary when
    every training link precedes every test link; otherwise ``t0`` is the
    ``quantile`` of the dated links' first-observation dates.
    """
    if links is not None:
        first: dict[str, list[str]] = defaultdict(list)
        for x in links:
            split = x.provenance.source.rsplit(":", 1)[-1]
            if x.since and split in ("train", "valid", "test"):
                first[split].append(x.since)
        if first.get("train") and first.get("test"):
            train_end = max(first["train"] + first.get("valid", []))
            if train_end < min(first["test"]):
                return train_end, "dataset train/test boundary"
            why = (f"the dataset's splits overlap in time (train {min(first['train'])}…{max(first['train'])}, "
                   f"test {min(first['test'])}…{max(first['test'])}); ")
        else:
            why = ""
    else:
        why = ""
    dated = np.sort(ix.since[ix.since != NO_DATE])
    if len(dated) == 0:
        from graph.errors import InvalidInput

        raise InvalidInput("no dated links: a date-split backtest needs links with 'since'",
                           "没有带日期的关系：按日期切分的回测需要关系的 since 字段")
    day = int(dated[min(len(dated) - 1, int(quantile * len(dated)))])
    return from_days(day), why + f"{quantile:.0%} of dated links first observed on or before t0"


def held_out_queries(ix: ChainIndex, t0: str, kinds: Sequence[str]) -> tuple[list[Query], dict, dict, dict]:
    """Queries for the links first observed after ``t0``, the filter sets, and counts.

    Returns ``(queries, truths, held_out per kind, skipped per reason)``;
    ``truths[(q, kind, direction)]`` holds every true answer in any period.
    """
    day = int(to_days([t0])[0])
    codes = {LINK_KINDS.index(k): k for k in kinds}
    truths: dict[tuple[int, str, str], set[int]] = defaultdict(set)
    before: set[tuple[str, int, int]] = set()
    for i in range(len(ix.link_ids)):
        k = codes.get(int(ix.lkind[i]))
        if k is None:
            continue
        s, d = int(ix.src[i]), int(ix.dst[i])
        truths[(s, k, "tail")].add(d)
        truths[(d, k, "head")].add(s)
        if k in SYMMETRIC:
            truths[(d, k, "tail")].add(s)
            truths[(s, k, "head")].add(d)
        if ix.since[i] != NO_DATE and ix.since[i] <= day:
            before.add((k, s, d))
    queries, held, skipped, seen = [], defaultdict(int), defaultdict(int), set()
    for i in np.flatnonzero((ix.since != NO_DATE) & (ix.since > day)):
        k = codes.get(int(ix.lkind[i]))
        if k is None:
            continue
        s, d = int(ix.src[i]), int(ix.dst[i])
        if (k, s, d) in seen or s == d:
            skipped["duplicate_or_self"] += 1
            continue
        seen.add((k, s, d))
        if k in SYMMETRIC and (k, d, s) in before:
            skipped["pair_already_linked"] += 1
            continue
        held[k] += 1
        queries.append(Query(s, k, "tail", d, ix.link_ids[i]))
        queries.append(Query(d, k, "head", s, ix.link_ids[i]))
    skipped["undated"] = int((ix.since == NO_DATE).sum())
    return queries, truths, dict(held), dict(skipped)


def _scorer(name: str, settings=None, weights=None):
    if name == "engine":
        return Engine(settings, weights)
    return BASELINES[name]()


def run_backtest(
    ix: ChainIndex,
    t0: str,
    *,
    kinds: Sequence[str] = DEFAULT_KINDS,
    scorers: Sequence[str] = SCORERS,
    settings=None,
    weights=None,
    t0_rule: str = "given",
    progress: Callable[[int, int], None] | None = None,
) -> BacktestResult:
    """Run the protocol (module docstring) and return the metrics table per scorer and kind."""
    queries, truths, held, skipped = held_out_queries(ix, t0, kinds)
    snap = Snapshot.at(ix, t0)
    fitted = {name: _scorer(name, settings, weights).fit(snap) for name in scorers}
    stats: dict[str, list[RankStats]] = {name: [] for name in scorers}
    for n, qu in enumerate(queries):
        mask = np.ones(ix.n_orgs, bool)
        mask[qu.q] = False
        others = [x for x in truths[(qu.q, qu.kind, qu.direction)] if x != qu.answer]
        mask[others] = False
        for name, sc in fitted.items():
            stats[name].append(rank_stats(sc.scores(qu.q, qu.kind, qu.direction), qu.answer, mask))
        if progress is not None:
            progress(n + 1, len(queries))
    table = {}
    for name in scorers:
        rows = {"all": summarise(stats[name])}
        for k in kinds:
            rows[k] = summarise(s for s, qu in zip(stats[name], queries, strict=True) if qu.kind == k)
        table[name] = rows
    return BacktestResult(t0, t0_rule, tuple(kinds), held, skipped, len(queries), ix.n_orgs - 1, table,
                          {name: stats[name] for name in scorers})


def format_table(res: BacktestResult, kind: str = "all") -> list[list[str]]:
    """Rows ``[scorer, Recall@10, Recall@50, MRR, nDCG@10, n]`` for one kind (or ``all``)."""
    return [[name, *(f"{res.table[name][kind][m]:.3f}" for m in METRICS), str(res.table[name][kind]["n"])]
            for name in res.table]
