"""The project pipeline (招商项目): stages, the book in the workspace, crash-consistent landing.

See :mod:`matching.projects.book` (the use cases), :mod:`matching.projects.stages`
(the stages and their rules) and :mod:`matching.projects.landing` (the two-store write).
"""
