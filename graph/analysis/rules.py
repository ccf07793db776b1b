"""Thresholds and weights of the chain analyses, with documented defaults.

The defaults of :class:`GapRules` are the sample world's documented rules
(``fixtures/shenzhen_digital_creative/answers.json`` → ``rules``); a test
keeps them equal. Severity and leader scores are sums of named parts; each
part is ``weight × a figure in [0, 1]``, so with the default weights (summing
to 1 per class) a severity lies in [0, 1].

Examples
--------
>>> r = GapRules()
>>> r.strong_min_firms, r.thin_max_top_share, r.missing_min_local_buyers
(8, 0.7, 3)
>>> sum(MISSING_WEIGHTS.values()), sum(THIN_WEIGHTS.values()), sum(EXTENSION_WEIGHTS.values())
(1.0, 1.0, 1.0)
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "GapRules",
    "DEFAULT_RULES",
    "MISSING_WEIGHTS",
    "THIN_WEIGHTS",
    "EXTENSION_WEIGHTS",
    "LEADER_WEIGHTS",
    "ENTRY_WEIGHTS",
    "ENTRY_SHARE",
    "TIER_VALUE",
]


@dataclass(frozen=True, slots=True)
class GapRules:
    """When a segment is strong, thin (强链), missing (补链) or an extension (延链).

    Shares are of *supplies weight* (a link's weight is the supplier's share
    of the buyer's sourcing of that input). "Local firms" are member firms
    (memberships the one rule of :mod:`graph.analysis.membership` counts:
    confirmed, or predicted with confidence ≥ 0.5; platforms excluded)
    registered in the region or landed there; the firm-count thresholds
    compare their summed membership weight.

    Attributes
    ----------
    strong_min_firms : int
        Strong needs at least this many local firms (default 8) …
    strong_max_top_local_share : float
        … no local firm sending more than this share of the segment's local
        supplies weight (0.35) …
    strong_max_top_external_share : float
        … and no external firm sending more than this share of what local
        organisations receive from the segment (0.35).
    thin_max_few_firms : int
        Thin ``few_firms``: 1 to this many local firms (2).
    thin_concentration_min_firms : int
        Thin ``concentration`` applies from this many local firms (3) …
    thin_max_top_share : float
        … when one local firm sends more than this share of the local
        members' supplies weight (0.70) …
    thin_max_hhi : float
        … or the Herfindahl index of those shares exceeds this (0.5, i.e.
        fewer than two "effective" suppliers).
    thin_max_external_share : float
        Thin ``single_supplier``: one external firm sends more than this share
        of what local organisations receive from the segment (0.60).
    missing_min_local_buyers : int
        Missing needs no local firm and at least this many local
        organisations buying from the segment's firms elsewhere (3).
    missing_min_downstream_firms : int
        Where the chain has no firm-to-firm supply data at all (e.g. chainkg),
        missing instead needs this many local firms in segments directly
        downstream of it (3).
    min_members_elsewhere : int
        A missing or extension segment must have at least this many member
        firms elsewhere (1): someone to recruit.
    extension_max_local_buyers : int
        An extension has at most this many local buyers (2): more makes it
        missing.
    extension_min_density : float
        Extensions need at least this relatedness density (0.0: adjacency to
        a strong segment suffices; density ranks them).
    """

    strong_min_firms: int = 8
    strong_max_top_local_share: float = 0.35
    strong_max_top_external_share: float = 0.35
    thin_max_few_firms: int = 2
    thin_concentration_min_firms: int = 3
    thin_max_top_share: float = 0.70
    thin_max_hhi: float = 0.5
    thin_max_external_share: float = 0.60
    missing_min_local_buyers: int = 3
    missing_min_downstream_firms: int = 3
    min_members_elsewhere: int = 1
    extension_max_local_buyers: int = 2
    extension_min_density: float = 0.0


#: the defaults, as a shared immutable instance (argument defaults)
DEFAULT_RULES = GapRules()

#: 补链 severity parts: local buyers of firms elsewhere, local firms downstream,
#: fragility (top external share), relatedness density (ability to host it)
MISSING_WEIGHTS = {"local_dependence": 0.40, "downstream_pull": 0.30, "single_supplier": 0.15,
                   "relatedness": 0.15}
#: 强链 severity parts: few firms, concentration, single external supplier, local firms downstream
THIN_WEIGHTS = {"few_firms": 0.35, "concentration": 0.25, "single_supplier": 0.25, "downstream_pull": 0.15}
#: 延链 severity parts: relatedness density, adjacent strong segments, local buyers
EXTENSION_WEIGHTS = {"relatedness": 0.50, "adjacent_strength": 0.30, "local_dependence": 0.20}
#: 链主 score parts: supply centrality (PageRank), size (log employees), tier
LEADER_WEIGHTS = {"centrality": 0.5, "size": 0.3, "tier": 0.2}
#: value of a tier tag in the leader score (the best tag counts)
TIER_VALUE = {"链主": 1.0, "上市公司": 0.6, "独角兽": 0.6, "隐形冠军": 0.6, "专精特新": 0.5, "瞪羚": 0.5}
#: 补链/延链 entry parts (graph.analysis.entryfeatures): weight × figure, fitted by
#: ``chainmatch eval entries --tune --t0 2014-12-31`` on chainkg (validation windows ending
#: 2014-12-31, so the 2014 and 2016 test windows never saw them; docs/evaluation.md);
#: a negative weight lowers severity (immovability: resource-bound segments)
ENTRY_WEIGHTS = {"popularity": 0.0, "momentum": 0.114, "spread": 0.67, "density": 0.0, "relatives": 0.974,
                 "demand": 0.579, "size": 1.058, "immovability": -0.826, "wave1": 0.295, "wave2": 0.0, "wave3": 0.11,
                 "growth4": 0.921, "sector_growth": 1.28, "sector_presence": 1.863}
#: share of a 补链/延链 severity given to the entry parts (the rest scales the class's own parts):
#: less where firm-to-firm supplies are observed (local buyers are then direct evidence of need)
ENTRY_SHARE = {"observed": 0.5, "unobserved": 0.85}
