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
- :mod:`~matching.recommend.workspace` — outcomes and campaigns (SQLite);
- :mod:`~matching.recommend.backtest` — the evaluation protocol of DESIGN.md.
"""
