"""Recommendation: targets and their attraction form, introducers, joint campaigns,
incubator partners, outcomes, and the date-split backtest.

Modules (import what you need; nothing runs at import time):

- :mod:`~matching.recommend.index` — :class:`ChainIndex`, the columnar view
  every scorer reads (built once per store version);
- :mod:`~matching.recommend.targets` — whom to recruit for a gap or a chain;
- :mod:`~matching.recommend.form` — in what form (整体引进, 区域总部, 研发中心, 生产基地);
- :mod:`~matching.recommend.introducers` — who can introduce us (以商招商);
- :mod:`~matching.recommend.campaigns` — who pitches together (联合招商);
- :mod:`~matching.recommend.partners` — partners for incubated start-ups;
- :mod:`~matching.workspace` — outcomes and campaigns (SQLite);
  :mod:`~matching.recommend.outcomes` — a landed firm gets its site in the store;
- :mod:`~matching.eval.backtest` — the evaluation protocol of docs/evaluation.md,
  with :mod:`~matching.eval.snapshot` (the graph frozen at t0),
  :mod:`~matching.eval.baselines`, :mod:`~matching.eval.linkpred`
  (the engine as a link predictor), :mod:`~matching.eval.metrics` and
  :mod:`~matching.eval.tuning` (weights from a validation window).

Shared pieces: :mod:`~matching.recommend.explain` (named score parts, weights
from settings) and :mod:`~matching.recommend.ties` (ties with a region).
"""
