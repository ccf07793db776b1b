"""Chain analysis: the 群-链-企 map, gaps (补链/强链/延链), leaders, dependence, comparison.

Pure functions over small aggregates (:mod:`graph.analysis.aggregates`), which
a store computes — from its networkx view, with numpy over a columnar view, or
in its own query language. :class:`~graph.analysis.service.Analyst` wires them
to a store with a per-version result cache. Nothing is computed at import time.
"""

from graph.analysis.aggregates import ChainAggregates, chain_aggregates
from graph.analysis.chainmap import chain_map
from graph.analysis.compare import compare
from graph.analysis.dependence import dependence
from graph.analysis.gaps import gaps, segment_statuses
from graph.analysis.leaders import leader_inputs, leaders
from graph.analysis.relatedness import relatedness
from graph.analysis.rules import GapRules
from graph.analysis.service import Analyst

__all__ = [
    "Analyst",
    "ChainAggregates",
    "GapRules",
    "chain_aggregates",
    "chain_map",
    "compare",
    "dependence",
    "gaps",
    "leader_inputs",
    "leaders",
    "relatedness",
    "segment_statuses",
]
