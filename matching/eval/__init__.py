"""Evaluation in one place: the link backtest and its baselines, search and 挂链 evaluation,
the entry (gap) backtest. Every metric is computed by :mod:`matching.eval.metrics`."""
