"""The six 六个一 lists (key firms, attraction targets, key projects, innovation platforms, policy toolkit,
advisory institutions) as editable data: :mod:`~matching.worklists.kinds` (what each list holds),
:mod:`~matching.worklists.entries` (entries and their checks),
:mod:`~matching.worklists.store` (storage in the workspace, the regeneration rule),
:mod:`~matching.worklists.generate` (lists drawn from the analysis and the recommendation engine) and
:mod:`~matching.worklists.io` (CSV / xlsx export and all-or-nothing import)."""
