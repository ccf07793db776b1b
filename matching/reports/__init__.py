"""Reports a promotion team takes into its weekly meeting: the gap-and-target report.

Modules (import what you need; nothing runs at import time):

- :mod:`~matching.reports.build` — :func:`build_report`, the report as plain data
  (chain map, gaps, targets, form, introducers, campaign, external dependence),
  every number a :func:`~matching.reports.build.fig` carrying the ids behind it;
- :mod:`~matching.reports.provenance` — as-of dates and estimated fields of the
  records behind a report;
- :mod:`~matching.reports.tables` — the report as titled tables (zh or en headers),
  what both renderers draw;
- :mod:`~matching.reports.xlsx` and :mod:`~matching.reports.html` — the renderers
  (:mod:`~matching.reports.charts` draws the HTML report's inline SVG charts).
"""
